//! Registries: normalisation, masking, partial update, delete rules, health checks, adapters.

use serde_json::json;

use crate::support::Harbor;

#[tokio::test]
async fn registry_create_normalises_the_url() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "r", "type": "docker-hub", "url": " hub.example.com/path/?x=1 "}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v2.0/registries/1")
    );
    assert_eq!(
        h.admin().get("/registries/1").await.json()["url"],
        "http://hub.example.com/path"
    );
}

#[tokio::test]
async fn registry_url_must_be_http_or_https() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "r", "type": "docker-hub", "url": "ftp://x.io"}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn registry_secret_is_masked_on_read() {
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/registries",
            json!({"name": "r", "type": "docker-hub", "url": "https://hub.docker.com",
        "credential": {"type": "basic", "access_key": "me", "access_secret": "s3cret"}}),
        )
        .await;
    let j = h.admin().get("/registries/1").await.json();
    assert_eq!(
        j["credential"],
        json!({"type": "basic", "access_key": "me", "access_secret": "*****"})
    );
    assert_eq!(j["status"], "healthy");
    let listed = h.admin().get("/registries").await.json();
    assert_eq!(listed[0]["credential"]["access_secret"], "*****");
}

#[tokio::test]
async fn registry_duplicate_name_conflicts() {
    let h = Harbor::start().await;
    h.registry("r").await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "r", "type": "docker-hub", "url": "https://hub.docker.com"}),
        )
        .await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (409, "registry r already exists")
    );
}

#[tokio::test]
async fn registry_name_is_required_and_at_most_64_characters() {
    let h = Harbor::start().await;
    assert_eq!(
        h.admin()
            .post(
                "/registries",
                json!({"type": "docker-hub", "url": "https://x.io"})
            )
            .await
            .status,
        400
    );
    let long = "n".repeat(65);
    assert_eq!(
        h.admin()
            .post(
                "/registries",
                json!({"name": long, "type": "docker-hub", "url": "https://x.io"})
            )
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn unknown_registry_type_is_a_500() {
    let h = Harbor::start().await;
    for kind in ["nope", "helm-hub", "artifact-hub"] {
        let r = h
            .admin()
            .post(
                "/registries",
                json!({"name": kind, "type": kind, "url": "https://x.io"}),
            )
            .await;
        assert_eq!(r.status, 500, "{kind}");
    }
}

#[tokio::test]
async fn registry_update_is_partial_and_keeps_the_type() {
    let h = Harbor::start().await;
    h.admin().post("/registries", json!({"name": "r", "type": "docker-hub", "url": "https://hub.docker.com", "description": "d",
        "credential": {"type": "basic", "access_key": "me", "access_secret": "s"}})).await;
    let r = h
        .admin()
        .put(
            "/registries/1",
            json!({"description": "new", "insecure": true, "type": "harbor"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let j = h.admin().get("/registries/1").await.json();
    assert_eq!(
        (
            j["description"].as_str(),
            j["insecure"].as_bool(),
            j["type"].as_str()
        ),
        (Some("new"), Some(true), Some("docker-hub"))
    );
    assert_eq!(j["credential"]["access_key"], "me");
    h.admin()
        .put(
            "/registries/1",
            json!({"access_key": "you", "url": "hub.docker.com/"}),
        )
        .await;
    let j = h.admin().get("/registries/1").await.json();
    assert_eq!(
        (j["credential"]["access_key"].as_str(), j["url"].as_str()),
        (Some("you"), Some("http://hub.docker.com"))
    );
}

#[tokio::test]
async fn registry_update_rejects_a_taken_name() {
    let h = Harbor::start().await;
    h.registry("a").await;
    let b = h.registry("b").await;
    assert_eq!(
        h.admin()
            .put(&format!("/registries/{b}"), json!({"name": "a"}))
            .await
            .status,
        409
    );
}

#[tokio::test]
async fn registry_delete_refused_while_a_policy_uses_it() {
    let h = Harbor::start().await;
    let reg = h.registry("r").await;
    h.admin()
        .post(
            "/replication/policies",
            json!({"name": "p", "src_registry": {"id": reg}}),
        )
        .await;
    let r = h.admin().delete(&format!("/registries/{reg}")).await;
    assert_eq!((r.status, r.code().as_str()), (412, "PRECONDITION"));
    h.admin().delete("/replication/policies/1").await;
    assert_eq!(
        h.admin().delete(&format!("/registries/{reg}")).await.status,
        200
    );
}

#[tokio::test]
async fn registry_delete_refused_while_a_proxy_project_uses_it() {
    let h = Harbor::start().await;
    let reg = h.registry("r").await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "proxy", "registry_id": reg}),
        )
        .await;
    assert_eq!(
        h.admin().delete(&format!("/registries/{reg}")).await.status,
        412
    );
    h.admin().delete("/projects/proxy").await;
    assert_eq!(
        h.admin().delete(&format!("/registries/{reg}")).await.status,
        200
    );
}

#[tokio::test]
async fn harbor_registry_health_check_reaches_another_emulator() {
    let remote = Harbor::start().await;
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "peer", "type": "harbor", "url": remote.url(),
        "credential": {"type": "basic", "access_key": "admin", "access_secret": "Harbor12345"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let counted = remote.anon().get("/_emulator/requests").await.json();
    assert_eq!(counted["by_route"]["GET /api/v2.0/ping"], 1);
}

/// The `harbor` adapter's `NewClient` (pkg/reg/adapter/harbor/base/client.go) asks the remote's
/// `/api/version` before any health check; a connection failure is a plain error, which
/// `lib/http/error.go` answers as 500, not the health check's 400 "the registry is unhealthy"
/// (`controller/registry` `IsHealthy` returns the adapter's error). A remote answering with an
/// HTTP error passes its status on (`common/http.Error`).
#[tokio::test]
async fn unreachable_harbor_registry_is_a_500() {
    let h = Harbor::start().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "dead", "type": "harbor", "url": format!("http://127.0.0.1:{closed}")}),
        )
        .await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (500, "internal server error")
    );
    let r = h
        .admin()
        .post(
            "/registries/ping",
            json!({"type": "harbor", "url": format!("http://127.0.0.1:{closed}")}),
        )
        .await;
    assert_eq!(r.status, 500);
    // A remote whose /api/version answers 503: Harbor passes the status on.
    let app = axum::Router::new().route(
        "/api/version",
        axum::routing::get(|| async { (axum::http::StatusCode::SERVICE_UNAVAILABLE, "down") }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let r = h
        .admin()
        .post(
            "/registries/ping",
            json!({"type": "harbor", "url": format!("http://{addr}")}),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (503, "SERVICE_UNAVAILABLE".to_string(), "down".to_string())
    );
}

#[tokio::test]
async fn non_loopback_probed_registry_is_unhealthy() {
    let h = Harbor::start().await;
    let r = h.admin().post("/registries", json!({"name": "far", "type": "docker-registry", "url": "https://registry.example.com"})).await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (400, "the registry is unhealthy")
    );
}

#[tokio::test]
async fn registry_ping_checks_health_and_required_fields() {
    let remote = Harbor::start().await;
    let h = Harbor::start().await;
    assert_eq!(
        h.admin()
            .post(
                "/registries/ping",
                json!({"type": "harbor", "url": remote.url()})
            )
            .await
            .status,
        200
    );
    let r = h
        .admin()
        .post("/registries/ping", json!({"type": "harbor"}))
        .await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (400, "type or url cannot be empty")
    );
    let r = h
        .admin()
        .post(
            "/registries/ping",
            json!({"type": "harbor", "url": "http://harbor.example.com"}),
        )
        .await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (400, "the registry is unhealthy")
    );
    let reg = h.registry("hub").await;
    assert_eq!(
        h.admin()
            .post("/registries/ping", json!({"id": reg}))
            .await
            .status,
        200
    );
}

/// `getLocalRegistry` (pkg/reg/manager.go) via `convertRegistry` (handler/replication.go): seen
/// on Harbor 2.15.2, `GET /registries/0` answers `insecure: true` (no internal TLS), the job
/// service credential masked as `{"access_secret": "*****", "type": "secret"}` and Go's zero
/// time `0001-01-01T00:00:00.000Z` for both times; only the URL (the internal core URL) differs.
#[tokio::test]
async fn registry_zero_is_the_local_harbor() {
    let h = Harbor::start().await;
    let j = h.admin().get("/registries/0").await.json();
    assert_eq!(
        (j["id"].as_i64(), j["name"].as_str(), j["type"].as_str()),
        (Some(0), Some("Local"), Some("harbor"))
    );
    assert_eq!(j["insecure"], true);
    assert_eq!(
        j["credential"],
        json!({"access_secret": "*****", "type": "secret"})
    );
    assert_eq!(j["creation_time"], "0001-01-01T00:00:00.000Z");
    assert_eq!(j["update_time"], "0001-01-01T00:00:00.000Z");
    assert_eq!(j["status"], "healthy");
    assert!(j.get("description").is_none(), "{j}");
    assert_eq!(
        h.admin()
            .put("/registries/0", json!({"description": "x"}))
            .await
            .status,
        404
    );
    assert_eq!(h.admin().get("/registries").await.json(), json!([]));
}

#[tokio::test]
async fn adapter_lists_omit_non_whitelisted_types_since_2_14() {
    let h = Harbor::start().await;
    let adapters = h.admin().get("/replication/adapters").await.json();
    let list: Vec<&str> = adapters
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(list.contains(&"harbor") && list.contains(&"docker-hub"));
    assert!(!list.contains(&"quay") && !list.contains(&"gitlab") && !list.contains(&"dtr"));
    let infos = h.admin().get("/replication/adapterinfos").await.json();
    assert_eq!(
        infos["docker-hub"]["endpoint_pattern"]["endpoints"][0]["value"],
        "https://hub.docker.com"
    );
    let old = Harbor::version("2.13.0").await;
    let adapters = old.admin().get("/replication/adapters").await.json();
    assert!(adapters.as_array().unwrap().contains(&json!("quay")));
    assert_eq!(
        h.admin()
            .post(
                "/registries",
                json!({"name": "q", "type": "quay", "url": "https://quay.io"})
            )
            .await
            .status,
        201
    );
}

fn test_ca_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    rcgen::CertificateParams::new(vec!["ca.test".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap()
        .pem()
}

#[tokio::test]
async fn ca_certificate_exists_only_from_2_15() {
    let pem = test_ca_pem();
    let body = json!({"name": "r", "type": "docker-hub", "url": "https://hub.docker.com", "ca_certificate": pem});
    let new = Harbor::start().await;
    new.admin().post("/registries", body.clone()).await;
    assert_eq!(
        new.admin().get("/registries/1").await.json()["ca_certificate"],
        pem.as_str()
    );
    let old = Harbor::version("2.14.1").await;
    old.admin().post("/registries", body).await;
    assert!(
        old.admin()
            .get("/registries/1")
            .await
            .json()
            .get("ca_certificate")
            .is_none()
    );
}

/// Harbor `src/common/http/transport.go` `ValidateCACertificate`, called by `CreateRegistry`,
/// `UpdateRegistry` and `PingRegistry` (handler/registry.go) for every type: a value that holds no
/// PEM certificate is 400 "invalid CA certificate: ..."; blank passes, and `convertRegistry`
/// (handler/replication.go) returns `ca_certificate` only when non-empty.
#[tokio::test]
async fn registry_ca_certificate_must_be_pem_and_is_returned_only_when_set() {
    let h = Harbor::start().await;
    let body = |ca: &str| json!({"name": "r", "type": "docker-hub", "url": "https://hub.docker.com", "ca_certificate": ca});
    let r = h
        .admin()
        .post("/registries", body("not a certificate"))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.message().starts_with("invalid CA certificate: "),
        "{}",
        r.text
    );
    let r = h.admin().post("/registries", body("")).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.location_id();
    let got = h.admin().get(&format!("/registries/{id}")).await.json();
    assert!(got.get("ca_certificate").is_none(), "{got}");
    let r = h
        .admin()
        .put(&format!("/registries/{id}"), json!({"ca_certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = h
        .admin()
        .post(
            "/registries/ping",
            json!({"type": "docker-hub", "url": "https://hub.docker.com", "ca_certificate": "x"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = h
        .admin()
        .put(
            &format!("/registries/{id}"),
            json!({"ca_certificate": test_ca_pem()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Harbor `src/pkg/reg/manager.go` `toDaoModel`/`fromDaoModel`: a credential is kept only with a
/// non-empty `access_key` and an empty `type` becomes `basic`; `convertRegistry`
/// (handler/replication.go) always answers a `credential` object, `{}` when there is none.
#[tokio::test]
async fn registry_credential_needs_an_access_key_and_defaults_to_basic() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "a", "type": "docker-hub", "url": "https://hub.docker.com",
            "credential": {"access_key": "me", "access_secret": "s"}}),
        )
        .await;
    let a = r.location_id();
    assert_eq!(
        h.admin().get(&format!("/registries/{a}")).await.json()["credential"],
        json!({"type": "basic", "access_key": "me", "access_secret": "*****"})
    );
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "b", "type": "docker-hub", "url": "https://hub.docker.com",
            "credential": {"type": "basic", "access_key": "", "access_secret": "s"}}),
        )
        .await;
    let b = r.location_id();
    assert_eq!(
        h.admin().get(&format!("/registries/{b}")).await.json()["credential"],
        json!({})
    );
    // Clearing the key on update drops the type and the secret with it.
    let r = h
        .admin()
        .put(&format!("/registries/{a}"), json!({"access_key": ""}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        h.admin().get(&format!("/registries/{a}")).await.json()["credential"],
        json!({})
    );
    let r = h
        .admin()
        .put(&format!("/registries/{a}"), json!({"access_key": "again"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        h.admin().get(&format!("/registries/{a}")).await.json()["credential"],
        json!({"type": "basic", "access_key": "again"}),
        "the old secret did not survive"
    );
}

/// Harbor `src/server/v2.0/handler/registry.go` `PingRegistry` requires system `registry:read`.
#[tokio::test]
async fn registry_ping_needs_registry_read_only() {
    let h = Harbor::start().await;
    let (_, name, secret) = h.system_robot("pinger", &[("registry", "read")]).await;
    let r = h
        .user(&name, &secret)
        .post(
            "/registries/ping",
            json!({"type": "docker-hub", "url": "https://hub.docker.com"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn registries_need_system_access() {
    let h = Harbor::start().await;
    assert_eq!(h.anon().get("/registries").await.status, 401);
    let (_, name, secret) = h
        .system_robot("reg", &[("registry", "list"), ("registry", "create")])
        .await;
    let robot = h.user(&name, &secret);
    assert_eq!(robot.get("/registries").await.status, 200);
    assert_eq!(
        robot
            .post(
                "/registries",
                json!({"name": "x", "type": "docker-hub", "url": "https://hub.docker.com"})
            )
            .await
            .status,
        201
    );
    assert_eq!(robot.delete("/registries/1").await.status, 403);
}

#[tokio::test]
async fn registry_list_name_is_fuzzy() {
    let h = Harbor::start().await;
    h.registry("hub-one").await;
    h.registry("hub-two").await;
    h.registry("other").await;
    assert_eq!(
        h.admin()
            .get("/registries?name=hub")
            .await
            .header("x-total-count")
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        h.admin()
            .get("/registries?q=name%3Dhub-one")
            .await
            .header("x-total-count")
            .as_deref(),
        Some("1")
    );
}

#[tokio::test]
async fn https_remote_is_healthy_only_when_trusted() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = std::env::temp_dir().join(format!("harbor-emulator-reg-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), cert.signing_key.serialize_pem()).unwrap();
    let tls = harbor_emulator::TlsFiles {
        cert_pem_path: dir.join("cert.pem"),
        key_pem_path: dir.join("key.pem"),
    };
    let remote = Harbor::with(harbor_emulator::Config {
        tls: Some(tls),
        ..Default::default()
    })
    .await;
    let url = format!("https://localhost:{}", remote.running.addr().port());
    let h = Harbor::start().await;
    let untrusted = h
        .admin()
        .post("/registries/ping", json!({"type": "harbor", "url": url}))
        .await;
    // The certificate is refused already by the adapter's `/api/version` call: a 500.
    assert_eq!(untrusted.status, 500);
    let insecure = h
        .admin()
        .post(
            "/registries/ping",
            json!({"type": "harbor", "url": url, "insecure": true}),
        )
        .await;
    assert_eq!(insecure.status, 200);
    let with_ca = h
        .admin()
        .post(
            "/registries",
            json!({"name": "tls", "type": "harbor", "url": url, "ca_certificate": cert.cert.pem()}),
        )
        .await;
    assert_eq!(with_ca.status, 201, "{}", with_ca.text);
    let _ = std::fs::remove_dir_all(dir);
}

/// Harbor `src/server/middleware/v2auth/auth.go` `Middleware`/`getChallenge`: anonymous `GET /v2/`
/// is 401 with `Bearer realm="<scheme>://<host>/service/token",service="harbor-registry"`; bad
/// credentials get `Basic realm="harbor"`; valid ones pass to the registry (200). The token
/// service (`core/service/token/token.go` `Get`) gives a token that `/v2/` accepts.
#[tokio::test]
async fn registry_v2_base_challenges_anonymous_and_accepts_credentials() {
    let h = Harbor::start().await;
    let r = h.anon().get("/v2/").await;
    assert_eq!(r.status, 401);
    let host = h.url().trim_start_matches("http://").to_string();
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some(
            format!("Bearer realm=\"http://{host}/service/token\",service=\"harbor-registry\"")
                .as_str()
        )
    );
    assert_eq!(
        r.header("docker-distribution-api-version").as_deref(),
        Some("registry/2.0")
    );
    assert_eq!(r.code(), "UNAUTHORIZED");
    let r = h.user("admin", "wrong").get("/v2/").await;
    assert_eq!(
        (r.status, r.header("www-authenticate").as_deref()),
        (401, Some("Basic realm=\"harbor\""))
    );
    let r = h.admin().get("/v2/").await;
    assert_eq!((r.status, r.text.as_str()), (200, "{}"));

    let r = h.admin().get("/service/token?service=other").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        h.user("admin", "wrong")
            .get("/service/token?service=harbor-registry")
            .await
            .status,
        401
    );
    let token = h
        .admin()
        .get("/service/token?service=harbor-registry")
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h
        .anon()
        .header("Authorization", &format!("Bearer {token}"))
        .get("/v2/")
        .await;
    assert_eq!(r.status, 200);
    let r = h
        .anon()
        .header("Authorization", "Bearer forged.token")
        .get("/v2/")
        .await;
    assert_eq!(r.status, 401);
}

/// Harbor `src/pkg/reg/adapter/native/adapter.go` `HealthCheck` with the authorizer of
/// `src/pkg/registry/auth/authorizer.go`: a `docker-registry` endpoint is healthy without
/// credentials when `/v2/` challenges, and with credentials only when they get a 200 through the
/// bearer token flow. One emulator registered in another behaves as a Harbor would.
#[tokio::test]
async fn registry_docker_registry_endpoint_at_another_emulator_is_checked_like_harbor() {
    let h = Harbor::start().await;
    let remote = Harbor::start().await;
    let body = |name: &str, cred: serde_json::Value| json!({"name": name, "type": "docker-registry", "url": remote.url(), "credential": cred});
    let r = h
        .admin()
        .post("/registries", body("anon", json!(null)))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = h
        .admin()
        .post(
            "/registries",
            body(
                "good",
                json!({"access_key": "admin", "access_secret": "Harbor12345"}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = h
        .admin()
        .post(
            "/registries",
            body(
                "bad",
                json!({"access_key": "admin", "access_secret": "nope"}),
            ),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (400, "the registry is unhealthy".to_string())
    );
}
