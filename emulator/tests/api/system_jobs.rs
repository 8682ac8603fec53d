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
