//! Scanners: the built-in Trivy registration and per-project selection.

use serde_json::json;

use crate::support::Harbor;

#[tokio::test]
async fn trivy_is_listed_with_a_stable_uuid_and_is_immutable() {
    let h = Harbor::start().await;
    let list = h.admin().get("/scanners").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        (list[0]["name"].as_str(), list[0]["is_default"].as_bool()),
        (Some("Trivy"), Some(true))
    );
    let uuid = list[0]["uuid"].as_str().unwrap().to_string();
    let again = Harbor::start().await.admin().get("/scanners").await.json();
    assert_eq!(again[0]["uuid"], uuid.as_str());
    assert_eq!(
        h.admin()
            .put(
                &format!("/scanners/{uuid}"),
                json!({"name": "x", "url": "http://x"})
            )
            .await
            .status,
        403
    );
    assert_eq!(
        h.admin().delete(&format!("/scanners/{uuid}")).await.status,
        403
    );
}

#[tokio::test]
async fn project_scanner_defaults_to_trivy_and_can_be_set() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let uuid = h.admin().get("/scanners").await.json()[0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        h.admin().get("/projects/p/scanner").await.json()["uuid"],
        uuid.as_str()
    );
    assert_eq!(
        h.admin()
            .put("/projects/p/scanner", json!({"uuid": uuid}))
            .await
            .status,
        200
    );
    assert_eq!(
        h.admin()
            .put("/projects/p/scanner", json!({"uuid": "nope"}))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn scanner_registration_lifecycle() {
    let h = Harbor::start().await;
    let body = json!({"name": "clair", "url": "http://127.0.0.1:6060", "auth": "Bearer", "access_credential": "tok"});
    let r = h.admin().post("/scanners", body.clone()).await;
    assert_eq!(r.status, 201);
    let location = r.header("location").unwrap();
    let uuid = location.rsplit('/').next().unwrap().to_string();
    assert_eq!(location, format!("/api/v2.0/scanners/{uuid}"));
    let j = h.admin().get(&format!("/scanners/{uuid}")).await.json();
    assert_eq!(
        (
            j["name"].as_str(),
            j["is_default"].as_bool(),
            j["auth"].as_str()
        ),
        (Some("clair"), Some(false), Some("Bearer"))
    );
    assert_eq!(h.admin().post("/scanners", body).await.status, 409);
    let same_url = json!({"name": "other", "url": "http://127.0.0.1:6060"});
    assert_eq!(h.admin().post("/scanners", same_url).await.status, 409);
    let renamed = json!({"name": "clair2", "url": "http://127.0.0.1:6060"});
    assert_eq!(
        h.admin()
            .put(&format!("/scanners/{uuid}"), renamed)
            .await
            .status,
        200
    );
    let deleted = h.admin().delete(&format!("/scanners/{uuid}")).await;
    assert_eq!(
        (deleted.status, deleted.json()["name"].clone()),
        (200, json!("clair2"))
    );
    assert_eq!(
        h.admin().get(&format!("/scanners/{uuid}")).await.status,
        404
    );
}

#[tokio::test]
async fn scanner_name_and_url_are_required() {
    let h = Harbor::start().await;
    assert_eq!(
        h.admin()
            .post("/scanners", json!({"name": "x"}))
            .await
            .status,
        422
    );
}

#[tokio::test]
async fn default_scanner_moves_with_patch_and_projects_follow_it() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let uuid = h
        .admin()
        .post(
            "/scanners",
            json!({"name": "other", "url": "http://127.0.0.1:7070"}),
        )
        .await
        .header("location")
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        h.admin()
            .patch(&format!("/scanners/{uuid}"), json!({"is_default": true}))
            .await
            .status,
        200
    );
    let list = h.admin().get("/scanners").await.json();
    let defaults: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["is_default"] == true)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, vec!["other"]);
    assert_eq!(
        h.admin().get("/projects/p/scanner").await.json()["uuid"],
        uuid.as_str()
    );
    h.admin().delete(&format!("/scanners/{uuid}")).await;
    assert_eq!(h.admin().get("/system/scanAll/schedule").await.status, 412);
}
