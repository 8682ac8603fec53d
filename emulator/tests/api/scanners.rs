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
