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
    assert_eq!(
        (j["project_id"].clone(), j["items"].clone()),
        (json!(0), json!([{"cve_id": "CVE-9"}]))
    );
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
    assert_eq!(
        h.admin().get("/system/scanAll/schedule").await.json(),
        json!({})
    );
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
    assert_eq!(
        h.admin().get("/system/scanAll/schedule").await.json(),
        json!({})
    );
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
    assert_eq!(parameters, json!({"delete_untagged": true, "workers": 2}));
    assert_eq!(j["job_kind"], "0 0 0 * * 0");
    assert_eq!(j["schedule"]["type"], "Weekly");
    let bad = json!({"schedule": {"type": "Weekly", "cron": "0 0 0 * * 0"}, "parameters": {"workers": 0}});
    assert_eq!(h.admin().put("/system/gc/schedule", bad).await.status, 400);
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
    let purge = json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}, "parameters": {"audit_retention_hour": 24}});
    let r = h.admin().post("/system/purgeaudit/schedule", purge).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/api/v2.0/system/purgeaudit/")
    );
}
