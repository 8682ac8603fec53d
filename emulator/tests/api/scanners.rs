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
/// API key of auth type `APIKey` in `X-ScannerAdapter-API-Key`), and `ScannerAdapterMetadata.Validate`
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
            json!({"name": "b", "url": format!("{adapter}/b"), "auth": "APIKey", "access_credential": "k"}),
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

/// Registers a scanner at `url` and returns its uuid.
async fn register(h: &Harbor, body: serde_json::Value) -> String {
    let r = h.admin().post("/scanners", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.header("location")
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// `model.ScannerRegistration.ToSwagger` (src/server/v2.0/handler/model/scanner.go) never
/// copies `AccessCredential`, and the swagger field is not omitempty: every read says "".
#[tokio::test]
async fn scanner_reads_never_return_the_access_credential() {
    let h = Harbor::start().await;
    let (adapter, _) = crate::support::scanner_adapter(true).await;
    let uuid = register(
        &h,
        json!({"name": "s", "url": adapter, "auth": "Bearer", "access_credential": "secret-token"}),
    )
    .await;
    let one = h.admin().get(&format!("/scanners/{uuid}")).await;
    assert_eq!(one.json()["access_credential"], "");
    assert!(!one.text.contains("secret-token"));
    let list = h.admin().get("/scanners").await;
    assert!(!list.text.contains("secret-token"), "{}", list.text);
}

/// `Registration.Validate` (src/pkg/scan/dao/scanner/model.go), run by `CreateScanner` and
/// `UpdateScanner` (src/server/v2.0/handler/scanner.go) as a 400: an auth type needs a
/// credential, and only the three known types are accepted. `isReservedName`
/// (src/controller/scanner/base_controller.go) refuses the name `Trivy` with a 400.
#[tokio::test]
async fn scanner_auth_needs_a_credential_and_trivy_is_a_reserved_name() {
    let h = Harbor::start().await;
    let (adapter, seen) = crate::support::scanner_adapter(true).await;
    let r = h
        .admin()
        .post(
            "/scanners",
            json!({"name": "s", "url": adapter, "auth": "Basic"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.text
            .contains("access_credential is required for auth type Basic"),
        "{}",
        r.text
    );
    let r = h
        .admin()
        .post(
            "/scanners",
            json!({"name": "s", "url": adapter, "auth": "Digest", "access_credential": "x"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("auth type Digest is not supported"));
    let r = h
        .admin()
        .post("/scanners", json!({"name": "Trivy", "url": adapter}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.text
            .contains("name \\\"Trivy\\\" is reserved, please try a different name"),
        "{}",
        r.text
    );
    assert!(seen.lock().unwrap().is_empty(), "refused before the ping");
    let uuid = register(&h, json!({"name": "s", "url": adapter})).await;
    let r = h
        .admin()
        .put(
            &format!("/scanners/{uuid}"),
            json!({"name": "Trivy", "url": adapter}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

/// `UpdateScanner` (src/server/v2.0/handler/scanner.go): an empty `access_credential` keeps the
/// stored one while the auth type still needs one (`scannerAuthRequiresAccessCredential`); the
/// update does not ping the adapter (`UpdateRegistration` in
/// src/controller/scanner/base_controller.go only checks and stores).
#[tokio::test]
async fn scanner_update_keeps_the_stored_credential_and_does_not_ping() {
    let h = Harbor::start().await;
    let (adapter, seen) = crate::support::scanner_adapter(true).await;
    let uuid = register(
        &h,
        json!({"name": "s", "url": adapter, "auth": "Bearer", "access_credential": "t1"}),
    )
    .await;
    let r = h
        .admin()
        .put(
            &format!("/scanners/{uuid}"),
            json!({"name": "s2", "url": adapter, "auth": "Bearer", "description": "d"}),
        )
        .await;
    assert_eq!(
        r.status, 200,
        "the kept credential satisfies Validate: {}",
        r.text
    );
    assert_eq!(seen.lock().unwrap().len(), 1, "only the create pinged");
    let j = h.admin().get(&format!("/scanners/{uuid}")).await.json();
    assert_eq!(
        (
            j["name"].as_str(),
            j["description"].as_str(),
            j["auth"].as_str()
        ),
        (Some("s2"), Some("d"), Some("Bearer"))
    );
    // Clearing `auth` drops the credential: switching back with none is refused.
    let r = h
        .admin()
        .put(
            &format!("/scanners/{uuid}"),
            json!({"name": "s2", "url": adapter}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = h
        .admin()
        .put(
            &format!("/scanners/{uuid}"),
            json!({"name": "s2", "url": adapter, "auth": "Basic"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.text
            .contains("access_credential is required for auth type Basic")
    );
}

/// `UpdateRegistration` (src/controller/scanner/base_controller.go): the default registration
/// cannot be disabled (a plain error: 500); `SetDefaultRegistration`
/// (src/pkg/scan/dao/scanner/registration.go) only marks an enabled registration (none updated:
/// 404), and `SetScannerAsDefault` does nothing for `is_default: false`.
#[tokio::test]
async fn the_default_scanner_cannot_be_disabled_nor_a_disabled_one_made_default() {
    let h = Harbor::start().await;
    let (adapter, _) = crate::support::scanner_adapter(true).await;
    let uuid = register(&h, json!({"name": "s", "url": adapter, "disabled": true})).await;
    let r = h
        .admin()
        .patch(&format!("/scanners/{uuid}"), json!({"is_default": true}))
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(r.text.contains(&format!("registration {uuid} not found")));
    let r = h
        .admin()
        .patch("/scanners/no-such-uuid", json!({"is_default": false}))
        .await;
    assert_eq!(
        r.status, 200,
        "is_default false is not looked at: {}",
        r.text
    );
    let r = h
        .admin()
        .put(
            &format!("/scanners/{uuid}"),
            json!({"name": "s", "url": adapter}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = h
        .admin()
        .patch(&format!("/scanners/{uuid}"), json!({"is_default": true}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = h
        .admin()
        .put(
            &format!("/scanners/{uuid}"),
            json!({"name": "s", "url": adapter, "disabled": true}),
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.text);
    assert_eq!(
        h.admin().get(&format!("/scanners/{uuid}")).await.json()["disabled"],
        false
    );
}

/// `CreateRegistration` pings before the insert, so an unreachable adapter is a 500 even under a
/// taken name; a taken name or url with a live adapter is the insert's conflict (409,
/// `AddRegistration`'s "registration name or url already exists"). An update onto another
/// registration's name hits the unique column unwrapped (`UpdateRegistration` in
/// src/pkg/scan/dao/scanner/registration.go): 500.
#[tokio::test]
async fn scanner_names_and_urls_are_unique_after_the_ping() {
    let h = Harbor::start().await;
    let (a, _) = crate::support::scanner_adapter(true).await;
    let (b, _) = crate::support::scanner_adapter(true).await;
    register(&h, json!({"name": "a", "url": a})).await;
    let uuid_b = register(&h, json!({"name": "b", "url": b})).await;
    let r = h
        .admin()
        .post(
            "/scanners",
            json!({"name": "a", "url": format!("{a}/elsewhere")}),
        )
        .await;
    assert_eq!(
        r.status, 500,
        "the ping of a path with no adapter fails first: {}",
        r.text
    );
    let r = h
        .admin()
        .post("/scanners", json!({"name": "a", "url": format!("{b}/")}))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(
        r.text.contains("registration name or url already exists"),
        "{}",
        r.text
    );
    let r = h
        .admin()
        .put(
            &format!("/scanners/{uuid_b}"),
            json!({"name": "a", "url": b}),
        )
        .await;
    assert_eq!(r.status, 500, "{}", r.text);
}

/// `GetScanner`, `UpdateScanner` and `DeleteScanner` (src/server/v2.0/handler/scanner.go)
/// answer an unknown uuid with 404 "scanner {uuid} not found".
#[tokio::test]
async fn an_unknown_scanner_is_a_404_naming_it() {
    let h = Harbor::start().await;
    for r in [
        h.admin().get("/scanners/nope").await,
        h.admin().delete("/scanners/nope").await,
        h.admin()
            .put("/scanners/nope", json!({"name": "x", "url": "http://x"}))
            .await,
    ] {
        assert_eq!(r.status, 404, "{}", r.text);
        assert!(r.text.contains("scanner nope not found"), "{}", r.text);
    }
}

/// `PingScanner` (src/server/v2.0/handler/scanner.go): the settings are validated as a
/// registration (400), then `Ping` asks the adapter's metadata; an adapter that does not answer
/// as Harbor's API says is a plain error (500). Nothing is registered.
#[tokio::test]
async fn scanner_ping_asks_the_adapter_and_stores_nothing() {
    let h = Harbor::start().await;
    let (adapter, seen) = crate::support::scanner_adapter(true).await;
    let r = h
        .admin()
        .post(
            "/scanners/ping",
            json!({"name": "p", "url": adapter, "auth": "APIKey", "access_credential": "k"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec!["/api/v1/metadata x-scanneradapter-api-key: k".to_string()]
    );
    assert_eq!(
        h.admin()
            .get("/scanners")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let r = h
        .admin()
        .post(
            "/scanners/ping",
            json!({"name": "p", "url": adapter, "auth": "Bearer"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let (bad, _) = crate::support::scanner_adapter(false).await;
    let r = h
        .admin()
        .post("/scanners/ping", json!({"name": "p", "url": bad}))
        .await;
    assert_eq!(r.status, 500, "{}", r.text);
    let r = h.admin().post("/scanners/ping", json!({"name": "p"})).await;
    assert_eq!(r.status, 422, "{}", r.text);
}

/// `ListRegistrations` (src/pkg/scan/dao/scanner/registration.go) orders by `-is_default,
/// -create_time`; `ListScanners` keeps the old `name` (fuzzy) and `ex_name` (exact) filters.
#[tokio::test]
async fn scanners_list_the_default_first_then_the_newest_and_filter_by_name() {
    let h = Harbor::start().await;
    let (a, _) = crate::support::scanner_adapter(true).await;
    let (b, _) = crate::support::scanner_adapter(true).await;
    register(&h, json!({"name": "alpha", "url": a})).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    register(&h, json!({"name": "alphabet", "url": b})).await;
    let names = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(h.admin().get("/scanners").await.json()),
        ["Trivy", "alphabet", "alpha"]
    );
    assert_eq!(
        names(h.admin().get("/scanners?name=alpha").await.json()),
        ["alphabet", "alpha"]
    );
    assert_eq!(
        names(h.admin().get("/scanners?ex_name=alpha").await.json()),
        ["alpha"]
    );
}

/// `Registration.Validate` (src/pkg/scan/dao/scanner/model.go) accepts the auth types "",
/// `Basic`, `Bearer` and `APIKey` (`auth.APIKey`, src/pkg/scan/rest/auth/auth.go); the header's
/// name `X-ScannerAdapter-API-Key`, which the swagger's description lists, is 400 "auth type ...
/// is not supported" on create and update. A real Harbor v2.15.2 answered so (FIDELITY.md,
/// 2026-11-30).
#[tokio::test]
async fn scanner_api_key_auth_type_is_apikey_not_the_header_name() {
    let h = Harbor::start().await;
    let (adapter, _) = crate::support::scanner_adapter(true).await;
    let r = h
        .admin()
        .post(
            "/scanners",
            json!({"name": "k", "url": adapter, "auth": "X-ScannerAdapter-API-Key", "access_credential": "k"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.text
            .contains("auth type X-ScannerAdapter-API-Key is not supported"),
        "{}",
        r.text
    );
    let r = h
        .admin()
        .post(
            "/scanners",
            json!({"name": "k", "url": adapter, "auth": "APIKey", "access_credential": "k"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}
