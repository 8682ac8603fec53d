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
    let (adapter, _) = crate::support::scanner_adapter(true).await;
    let body =
        json!({"name": "clair", "url": adapter, "auth": "Bearer", "access_credential": "tok"});
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
    let same_url = json!({"name": "other", "url": adapter});
    assert_eq!(h.admin().post("/scanners", same_url).await.status, 409);
    let renamed = json!({"name": "clair2", "url": adapter});
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
    let (adapter, _) = crate::support::scanner_adapter(true).await;
    let uuid = h
        .admin()
        .post("/scanners", json!({"name": "other", "url": adapter}))
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

/// `CreateRegistration` (src/controller/scanner/base_controller.go) pings the adapter first:
/// `GetMetadata` (src/pkg/scan/rest/v1/client.go) asks `GET {url}/api/v1/metadata` with the
/// registration's authorizer (src/pkg/scan/rest/auth: Bearer as is, Basic base64-encoded, the
/// API key in `X-ScannerAdapter-API-Key`), and `ScannerAdapterMetadata.Validate`
/// (src/pkg/scan/rest/v1/models.go) must accept the answer. A failure is a plain error: 500,
/// and nothing is registered.
#[tokio::test]
async fn registering_a_scanner_asks_the_adapter_for_its_metadata() {
    let h = Harbor::start().await;
    let (adapter, seen) = crate::support::scanner_adapter(true).await;
    let r = h
        .admin()
        .post(
            "/scanners",
            json!({"name": "a", "url": adapter, "auth": "Basic", "access_credential": "u:p"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec!["/api/v1/metadata authorization: Basic dTpw".to_string()]
    );
    let r = h
        .admin()
        .post(
            "/scanners",
            json!({"name": "b", "url": format!("{adapter}/b"), "auth": "X-ScannerAdapter-API-Key", "access_credential": "k"}),
        )
        .await;
    // The adapter answers 404 under another base path: refused.
    assert_eq!(r.status, 500, "{}", r.text);
    let (bad, _) = crate::support::scanner_adapter(false).await;
    let r = h
        .admin()
        .post("/scanners", json!({"name": "c", "url": bad}))
        .await;
    assert_eq!(r.status, 500, "{}", r.text);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let r = h
        .admin()
        .post("/scanners", json!({"name": "d", "url": closed}))
        .await;
    assert_eq!(r.status, 500, "{}", r.text);
    let names: Vec<String> = h
        .admin()
        .get("/scanners")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !names.iter().any(|n| n == "b" || n == "c" || n == "d"),
        "{names:?}"
    );
}
