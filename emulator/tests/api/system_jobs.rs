//! The system CVE allowlist and the scan-all schedule.

use serde_json::json;

use crate::support::Harbor;

#[tokio::test]
async fn system_allowlist_is_readable_by_authenticated_callers_and_written_by_admins() {
    let h = Harbor::start().await;
    assert_eq!(h.anon().get("/system/CVEAllowlist").await.status, 401);
    let r = h
        .admin()
        .put(
            "/system/CVEAllowlist",
            json!({"expires_at": 1900000000, "items": [{"cve_id": "CVE-9"}]}),
        )
        .await;
    assert_eq!(r.status, 200);
    let (_, name, secret) = h.system_robot("bot", &[("project", "list")]).await;
    let robot = h.user(&name, &secret);
    let j = robot.get("/system/CVEAllowlist").await.json();
    // The system list's project id is 0, which go-swagger omits.
    assert!(j.get("project_id").is_none(), "{j}");
    assert_eq!(j["items"], json!([{"cve_id": "CVE-9"}]));
    assert_eq!(j["expires_at"], 1900000000);
    assert_eq!(
        robot
            .put("/system/CVEAllowlist", json!({"items": []}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn scan_all_schedule_post_once_then_put() {
    let h = Harbor::start().await;
    // No schedule: 200 with no payload (handler/scan_all.go `GetScanAllSchedule` answers
    // `model.NewSchedule(nil).ToSwagger()`, which is nil).
    let none = h.admin().get("/system/scanAll/schedule").await;
    assert_eq!((none.status, none.text.trim()), (200, ""));
    let daily = json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}});
    let r = h
        .admin()
        .post("/system/scanAll/schedule", daily.clone())
        .await;
    assert_eq!(r.status, 201);
    assert!(r.header("location").is_none());
    assert_eq!(
        h.admin()
            .post("/system/scanAll/schedule", daily)
            .await
            .status,
        412
    );
    let custom = json!({"schedule": {"type": "Custom", "cron": "0 30 2 * * *"}});
    assert_eq!(
        h.admin()
            .put("/system/scanAll/schedule", custom)
            .await
            .status,
        200
    );
    let j = h.admin().get("/system/scanAll/schedule").await.json();
    assert_eq!(
        j["schedule"],
        json!({"type": "Custom", "cron": "0 30 2 * * *"})
    );
    assert_eq!(
        h.admin()
            .put(
                "/system/scanAll/schedule",
                json!({"schedule": {"type": "None"}})
            )
            .await
            .status,
        200
    );
    let none = h.admin().get("/system/scanAll/schedule").await;
    assert_eq!((none.status, none.text.trim()), (200, ""));
}

#[tokio::test]
async fn scan_all_cron_must_have_six_fields_starting_with_zero() {
    let h = Harbor::start().await;
    for cron in ["0 0 * * *", "5 0 0 * * *", ""] {
        let body = json!({"schedule": {"type": "Custom", "cron": cron}});
        assert_eq!(
            h.admin().put("/system/scanAll/schedule", body).await.status,
            400,
            "{cron}"
        );
    }
    let manual = json!({"schedule": {"type": "Manual"}});
    assert_eq!(
        h.admin()
            .post("/system/scanAll/schedule", manual)
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn scan_all_needs_system_access() {
    let h = Harbor::start().await;
    assert_eq!(h.anon().get("/system/scanAll/schedule").await.status, 401);
    let (_, name, secret) = h.system_robot("scan", &[("scan-all", "read")]).await;
    let robot = h.user(&name, &secret);
    assert_eq!(robot.get("/system/scanAll/schedule").await.status, 200);
    let body = json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}});
    assert_eq!(
        robot.put("/system/scanAll/schedule", body).await.status,
        403
    );
}

#[tokio::test]
async fn gc_schedule_keeps_its_parameters() {
    let h = Harbor::start().await;
    let body = json!({"schedule": {"type": "Weekly", "cron": "0 0 0 * * 0"}, "parameters": {"delete_untagged": true, "workers": 2}});
    assert_eq!(h.admin().put("/system/gc/schedule", body).await.status, 200);
    let j = h.admin().get("/system/gc/schedule").await.json();
    // A GCHistory: the parameters come back as a JSON string.
    let parameters: serde_json::Value =
        serde_json::from_str(j["job_parameters"].as_str().unwrap()).unwrap();
    // `delete_tag` is kept too, false when not sent (see the test below).
    assert_eq!(
        parameters,
        json!({"delete_tag": false, "delete_untagged": true, "workers": 2})
    );
    assert_eq!(j["job_kind"], "0 0 0 * * 0");
    assert_eq!(j["schedule"]["type"], "Weekly");
    let bad = json!({"schedule": {"type": "Weekly", "cron": "0 0 0 * * 0"}, "parameters": {"workers": 0}});
    assert_eq!(h.admin().put("/system/gc/schedule", bad).await.status, 400);
}

/// `kick` / `validateWorkers` in handler/gc.go: 1 to 10 workers since Harbor 2.13, 1 to 5
/// before (v2.12.0's gc.go), with Harbor's message.
#[tokio::test]
async fn gc_workers_limit_follows_the_version() {
    let with = |w: i64| json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}, "parameters": {"workers": w}});
    let new = Harbor::start().await;
    assert_eq!(
        new.admin()
            .put("/system/gc/schedule", with(10))
            .await
            .status,
        200
    );
    let r = new.admin().put("/system/gc/schedule", with(11)).await;
    assert_eq!(r.status, 400);
    assert!(
        r.text.contains("Error: Invalid number of workers:11. Workers must be greater than 0 and less than or equal to 10."),
        "{}",
        r.text
    );
    let old = Harbor::version("2.12.0").await;
    assert_eq!(
        old.admin().put("/system/gc/schedule", with(5)).await.status,
        200
    );
    let r = old.admin().put("/system/gc/schedule", with(6)).await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("less than or equal to 5."), "{}", r.text);
}

/// With no schedule, `GetGCSchedule` (handler/gc.go) and `GetPurgeSchedule` (handler/purge.go)
/// answer `NewGet...ScheduleOK()` with no payload: 200 and an empty body.
#[tokio::test]
async fn gc_and_purge_schedules_are_empty_bodies_until_set() {
    let h = Harbor::start().await;
    for path in ["/system/gc/schedule", "/system/purgeaudit/schedule"] {
        let r = h.admin().get(path).await;
        assert_eq!((r.status, r.text.trim()), (200, ""), "{path}");
    }
}

/// `verifyUpdateRequest` (handler/purge.go) applies to every schedule type, `None` included:
/// parameters must be present, with the retention and the list of what to purge.
#[tokio::test]
async fn purge_schedule_removal_still_needs_its_parameters() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .put(
            "/system/purgeaudit/schedule",
            json!({"schedule": {"type": "None", "cron": ""}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text.contains("schedule parameter cann't be empty"),
        "{}",
        r.text
    );
    let r = h
        .admin()
        .put(
            "/system/purgeaudit/schedule",
            json!({"schedule": {"type": "None", "cron": ""}, "parameters": {"audit_retention_hour": 1}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text.contains("include_event_types should provide"),
        "{}",
        r.text
    );
    let r = h
        .admin()
        .put(
            "/system/purgeaudit/schedule",
            json!({"schedule": {"type": "None", "cron": ""}, "parameters": {"audit_retention_hour": 1, "include_event_types": ""}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn manual_gc_run_answers_201_with_a_location() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/system/gc/schedule",
            json!({"schedule": {"type": "Manual"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/api/v2.0/system/gc/")
    );
}

#[tokio::test]
async fn purge_audit_retention_is_capped_at_240000_hours() {
    let h = Harbor::start().await;
    let with = |hours: i64| json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}, "parameters": {"audit_retention_hour": hours, "include_event_types": "create_artifact", "dry_run": false}});
    assert_eq!(
        h.admin()
            .put("/system/purgeaudit/schedule", with(240_001))
            .await
            .status,
        400
    );
    assert_eq!(
        h.admin()
            .put("/system/purgeaudit/schedule", with(240_000))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn purge_audit_parameter_name_follows_the_version() {
    let legacy = json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}, "parameters": {"audit_retention_hour": 24, "include_operations": "create"}});
    let current = json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}, "parameters": {"audit_retention_hour": 24, "include_event_types": "create_artifact"}});
    let new = Harbor::start().await;
    assert_eq!(
        new.admin()
            .put("/system/purgeaudit/schedule", legacy.clone())
            .await
            .status,
        400
    );
    assert_eq!(
        new.admin()
            .put("/system/purgeaudit/schedule", current.clone())
            .await
            .status,
        200
    );
    let old = Harbor::version("2.12.0").await;
    assert_eq!(
        old.admin()
            .put("/system/purgeaudit/schedule", legacy)
            .await
            .status,
        200
    );
    assert_eq!(
        old.admin()
            .put("/system/purgeaudit/schedule", current)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn creating_a_gc_or_purge_schedule_answers_its_location() {
    let h = Harbor::start().await;
    let gc = json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}});
    let r = h.admin().post("/system/gc/schedule", gc).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/api/v2.0/system/gc/")
    );
    let purge = json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}, "parameters": {"audit_retention_hour": 24, "include_event_types": "create_artifact"}});
    let r = h.admin().post("/system/purgeaudit/schedule", purge).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/api/v2.0/system/purgeaudit/")
    );
}

/// Never written, `GET /system/CVEAllowlist` renders `GetSys`'s empty `models.CVEAllowlist`: no
/// id, project id or expiry, Go's zero times. `dao.Set` (pkg/allowlist/dao/dao.go) stamps
/// `creation_time` and `update_time` with now on every write (an upsert on `project_id`), so the
/// creation time moves with each PUT. Seen on a real Harbor v2.15.2 (FIDELITY.md, 2026-11-30).
#[tokio::test]
async fn system_allowlist_creation_time_moves_with_every_put() {
    let h = Harbor::start().await;
    let empty = h.admin().get("/system/CVEAllowlist").await.json();
    assert_eq!(
        empty,
        json!({"items": [], "creation_time": "0001-01-01T00:00:00.000Z",
               "update_time": "0001-01-01T00:00:00.000Z"})
    );
    let put = |items: serde_json::Value| {
        let h = &h;
        async move {
            let r = h
                .admin()
                .put("/system/CVEAllowlist", json!({"items": items}))
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            h.admin().get("/system/CVEAllowlist").await.json()
        }
    };
    let first = put(json!([{"cve_id": "CVE-1"}])).await;
    assert!(first.get("expires_at").is_none(), "{first}");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = put(json!([])).await;
    assert_eq!(second["id"], first["id"]);
    assert_ne!(second["creation_time"], first["creation_time"]);
    assert_eq!(second["creation_time"], second["update_time"]);
}

/// `gcAPI.kick` (server/v2.0/handler/gc.go) reads `delete_untagged`, `delete_tag` and `workers`
/// into a `gc.Policy`; the controller's `CreateSchedule` (controller/gc/controller.go) stores
/// exactly those three as the schedule's extra attributes, so `job_parameters` lists all three
/// (`false`/`0` when not sent) and nothing else (`dry_run` is dropped). Seen on a real Harbor
/// v2.15.2 (FIDELITY.md, 2026-11-30).
#[tokio::test]
async fn gc_schedule_keeps_delete_tag_delete_untagged_and_workers_only() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .put(
            "/system/gc/schedule",
            json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"},
                   "parameters": {"delete_untagged": true, "dry_run": true}}),
        )
        .await;
    assert!(matches!(r.status, 200 | 201), "{}", r.text);
    let s = h.admin().get("/system/gc/schedule").await.json();
    let params: serde_json::Value =
        serde_json::from_str(s["job_parameters"].as_str().unwrap()).unwrap();
    assert_eq!(
        params,
        json!({"delete_tag": false, "delete_untagged": true, "workers": 0})
    );
}
