//! Webhook policies and their delivery to a real HTTP receiver the test starts; preheat instances
//! and the ping that calls a real health endpoint the test starts.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::support::Harbor;

/// A real receiver: every POST to `/hook` is passed on as (headers, body).
pub(crate) async fn receiver() -> (String, mpsc::UnboundedReceiver<(HeaderMap, String)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let _ = tx.send((headers, body));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), rx)
}

pub(crate) async fn next(
    rx: &mut mpsc::UnboundedReceiver<(HeaderMap, String)>,
) -> (HeaderMap, String) {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("the receiver got nothing within 10 s")
        .expect("channel open")
}

fn policy(address: &str, events: &[&str], target: Value) -> Value {
    let mut t = json!({"type": "http", "address": address, "skip_cert_verify": true});
    if let (Some(t), Some(extra)) = (t.as_object_mut(), target.as_object()) {
        t.extend(extra.clone());
    }
    json!({"name": "ci", "enabled": true, "event_types": events, "targets": [t]})
}

/// `GetSupportedEventTypes` (webhook.go) lists `initSupportedNotifyType`'s event types in order,
/// http and slack, and the http payload formats Default and CloudEvents (notification.go).
#[tokio::test]
async fn webhook_events_list_what_harbor_offers() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let events = h.admin().get("/projects/p/webhook/events").await.json();
    assert_eq!(
        events["event_type"],
        json!([
            "PUSH_ARTIFACT",
            "PULL_ARTIFACT",
            "DELETE_ARTIFACT",
            "QUOTA_EXCEED",
            "QUOTA_WARNING",
            "SCANNING_FAILED",
            "SCANNING_STOPPED",
            "SCANNING_COMPLETED",
            "REPLICATION",
            "TAG_RETENTION"
        ])
    );
    assert_eq!(events["notify_type"], json!(["http", "slack"]));
    assert_eq!(
        events["payload_formats"],
        json!([{"notify_type": "http", "formats": ["Default", "CloudEvents"]}])
    );
}

/// `validateEventTypes` and `validateTargets` (webhook.go): each refusal is 400 with Harbor's
/// message; an http target without a format is stored as `Default`; the address is stored as sent.
#[tokio::test]
async fn webhook_policy_validation_and_default_payload_format() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let cases = [
        (policy("http://x", &[], json!({})), "empty event type"),
        (
            policy("http://x", &["PUSH_IMAGE"], json!({})),
            "unsupported event type PUSH_IMAGE",
        ),
        (
            json!({"name": "ci", "event_types": ["PUSH_ARTIFACT"], "targets": []}),
            "empty notification target with policy ci",
        ),
        (
            policy("ftp://x", &["PUSH_ARTIFACT"], json!({})),
            "invalid scheme: ftp",
        ),
        (
            policy("http://x", &["PUSH_ARTIFACT"], json!({"type": "email"})),
            "unsupported target type email with policy ci",
        ),
        (
            policy(
                "http://x",
                &["PUSH_ARTIFACT"],
                json!({"type": "slack", "payload_format": "Default"}),
            ),
            "set payload format is not allowed for slack",
        ),
        (
            policy(
                "http://x",
                &["PUSH_ARTIFACT"],
                json!({"payload_format": "Xml"}),
            ),
            "unsupported payload format type: Xml",
        ),
    ];
    for (body, message) in cases {
        let resp = h.admin().post("/projects/p/webhook/policies", body).await;
        assert_eq!((resp.status, resp.message()), (400, message.to_string()));
    }
    let resp = h
        .admin()
        .post(
            "/projects/p/webhook/policies",
            policy(
                "http://hooks.example:9000/in?x=1",
                &["PUSH_ARTIFACT"],
                json!({"auth_header": "Bearer t"}),
            ),
        )
        .await;
    assert_eq!(resp.status, 201);
    let id = resp.location_id();
    let got = h
        .admin()
        .get(&format!("/projects/p/webhook/policies/{id}"))
        .await
        .json();
    assert_eq!(got["targets"][0]["payload_format"], "Default");
    assert_eq!(got["targets"][0]["auth_header"], "Bearer t");
    assert_eq!(
        got["targets"][0]["address"],
        "http://hooks.example:9000/in?x=1"
    );
    assert_eq!(got["event_types"], json!(["PUSH_ARTIFACT"]));
    // unique (name, project_id)
    let dup = h
        .admin()
        .post(
            "/projects/p/webhook/policies",
            policy("http://y", &["PUSH_ARTIFACT"], json!({})),
        )
        .await;
    assert_eq!(dup.status, 409);
}

/// `requirePolicyInProject` (webhook.go): a policy read through another project is 404; PUT
/// replaces the policy; DELETE removes it.
#[tokio::test]
async fn webhook_policy_belongs_to_its_project_and_updates_replace_it() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.project("q", false).await;
    let id = h
        .admin()
        .post(
            "/projects/p/webhook/policies",
            policy("http://x", &["PUSH_ARTIFACT"], json!({})),
        )
        .await
        .location_id();
    assert_eq!(
        h.admin()
            .get(&format!("/projects/q/webhook/policies/{id}"))
            .await
            .status,
        404
    );
    let mut changed = policy(
        "http://z",
        &["DELETE_ARTIFACT", "QUOTA_EXCEED"],
        json!({"type": "slack"}),
    );
    changed["enabled"] = json!(false);
    assert_eq!(
        h.admin()
            .put(&format!("/projects/p/webhook/policies/{id}"), changed)
            .await
            .status,
        200
    );
    let got = h
        .admin()
        .get(&format!("/projects/p/webhook/policies/{id}"))
        .await
        .json();
    assert_eq!(got["enabled"], false);
    assert_eq!(
        got["event_types"],
        json!(["DELETE_ARTIFACT", "QUOTA_EXCEED"])
    );
    assert_eq!(got["targets"][0]["type"], "slack");
    assert!(got["targets"][0].get("payload_format").is_none());
    let list = h.admin().get("/projects/p/webhook/policies").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        h.admin()
            .delete(&format!("/projects/p/webhook/policies/{id}"))
            .await
            .status,
        200
    );
    assert_eq!(
        h.admin()
            .get(&format!("/projects/p/webhook/policies/{id}"))
            .await
            .status,
        404
    );
}

/// A push (the control endpoint) reaches an http target in the Default format with the target's
/// auth header as `Authorization`: `HTTPHandler.process` sets it, `Default.Format` marshals the
/// payload, `constructArtifactPayload` builds it (reference = digest when the push has no tag).
#[tokio::test]
async fn push_is_delivered_in_default_format_with_the_auth_header() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (address, mut rx) = receiver().await;
    h.admin()
        .post(
            "/projects/p/webhook/policies",
            policy(
                &address,
                &["PUSH_ARTIFACT"],
                json!({"auth_header": "Bearer s3cret"}),
            ),
        )
        .await;
    h.seed_repo("p", "app").await;
    let (headers, body) = next(&mut rx).await;
    assert_eq!(headers["authorization"], "Bearer s3cret");
    assert_eq!(headers["content-type"], "application/json");
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["type"], "PUSH_ARTIFACT");
    assert_eq!(payload["operator"], "admin");
    assert!(payload["occur_at"].as_i64().unwrap() > 1_700_000_000);
    let repo = &payload["event_data"]["repository"];
    assert_eq!(
        (
            &repo["name"],
            &repo["namespace"],
            &repo["repo_full_name"],
            &repo["repo_type"]
        ),
        (
            &json!("app"),
            &json!("p"),
            &json!("p/app"),
            &json!("private")
        )
    );
    let resource = &payload["event_data"]["resources"][0];
    let digest = resource["digest"].as_str().unwrap();
    assert!(digest.starts_with("sha256:"), "{digest}");
    assert_eq!(resource["tag"], digest);
    let host = h.url().replace("http://", "");
    assert_eq!(resource["resource_url"], format!("{host}/p/app@{digest}"));
}

/// CloudEvents (`CloudEvents.Format`, cloudevents.go): the mapped type, the policy as source,
/// the payload's event data as `data`, `application/cloudevents+json`. A delete fires
/// DELETE_ARTIFACT; a disabled policy or one without the event type gets nothing
/// (`GetRelatedPolices`, policy/manager.go).
#[tokio::test]
async fn delete_is_delivered_as_cloudevents_and_only_to_matching_enabled_policies() {
    let h = Harbor::start().await;
    let pid = h.project("p", true).await;
    h.seed_repo("p", "app").await;
    let (address, mut rx) = receiver().await;
    let id = h
        .admin()
        .post(
            "/projects/p/webhook/policies",
            policy(
                &address,
                &["DELETE_ARTIFACT"],
                json!({"payload_format": "CloudEvents"}),
            ),
        )
        .await
        .location_id();
    let mut off = policy(&address, &["DELETE_ARTIFACT"], json!({}));
    off["name"] = json!("off");
    off["enabled"] = json!(false);
    assert_eq!(
        h.admin()
            .post("/projects/p/webhook/policies", off)
            .await
            .status,
        201
    );
    let mut push_only = policy(&address, &["PUSH_ARTIFACT"], json!({}));
    push_only["name"] = json!("push");
    h.admin()
        .post("/projects/p/webhook/policies", push_only)
        .await;
    assert_eq!(
        h.admin()
            .delete("/projects/p/repositories/app")
            .await
            .status,
        200
    );
    let (headers, body) = next(&mut rx).await;
    assert_eq!(headers["content-type"], "application/cloudevents+json");
    assert!(headers.get("authorization").is_none());
    let event: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(event["specversion"], "1.0");
    assert_eq!(event["type"], "harbor.artifact.deleted");
    assert_eq!(
        event["source"],
        format!("/projects/{pid}/webhook/policies/{id}")
    );
    assert_eq!(event["operator"], "admin");
    assert_eq!(event["data"]["repository"]["repo_type"], "public");
    assert!(event["data"]["repository"].get("date_created").is_none());
    // Nothing else arrives: the disabled and the push-only policies stay silent.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), rx.recv())
            .await
            .is_err()
    );
}

/// A slack target gets `SlackBodyTemplate` filled in (slack_handler.go), without an auth header.
#[tokio::test]
async fn slack_target_gets_harbors_slack_blocks() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (address, mut rx) = receiver().await;
    h.admin()
        .post(
            "/projects/p/webhook/policies",
            policy(&address, &["PUSH_ARTIFACT"], json!({"type": "slack"})),
        )
        .await;
    h.seed_repo("p", "app").await;
    let (headers, body) = next(&mut rx).await;
    assert!(headers.get("authorization").is_none());
    assert!(body.starts_with("{\n\t\"blocks\": ["), "{body}");
    assert!(body.contains("\"text\": \"*event_type:* PUSH_ARTIFACT\""));
    assert!(body.contains("\"text\": \"*operator:* admin\""));
    assert!(body.contains("```{\n\t\\\"resources\\\": ["), "{body}");
}

/// Preheat providers are the two registered drivers' `Self()` (dragonfly.go, kraken.go).
#[tokio::test]
async fn preheat_providers_are_dragonfly_and_kraken() {
    let h = Harbor::start().await;
    let list = h.admin().get("/p2p/preheat/providers").await.json();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["dragonfly", "kraken"]);
}

/// `CreateInstance` (controller.go) does not check health and refuses a second instance on the
/// same endpoint with `ErrorConflict`, which has no error code and so is a 500 "internal server
/// error" (as a real Harbor v2.15.2 answered); a taken name on another endpoint is the dao's 409;
/// `convertInstanceToPayload` (preheat.go) never returns `auth_info` and says status "Unknown";
/// an invalid name is a plain error (500).
#[tokio::test]
async fn preheat_instance_create_read_and_conflicts() {
    let h = Harbor::start().await;
    let body = json!({
        "name": "df", "vendor": "dragonfly", "endpoint": "http://127.0.0.1:9",
        "auth_mode": "BASIC", "auth_info": {"username": "u", "password": "p"},
        "enabled": true, "default": false, "insecure": true
    });
    let resp = h.admin().post("/p2p/preheat/instances", body.clone()).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_eq!(
        resp.header("location").unwrap(),
        "/api/v2.0/p2p/preheat/instances/df"
    );
    let got = h.admin().get("/p2p/preheat/instances/df").await.json();
    assert_eq!(got["status"], "Unknown");
    assert_eq!(got["auth_mode"], "BASIC");
    assert_eq!(got["insecure"], true);
    assert!(got.get("auth_info").is_none());
    assert!(got["setup_timestamp"].as_i64().unwrap() > 0);
    let mut same_endpoint = body.clone();
    same_endpoint["name"] = json!("df2");
    let resp = h
        .admin()
        .post("/p2p/preheat/instances", same_endpoint)
        .await;
    assert_eq!(resp.status, 500, "{}", resp.text);
    assert_eq!(resp.json()["errors"][0]["message"], "internal server error");
    let mut same_name = body.clone();
    same_name["endpoint"] = json!("http://127.0.0.1:10");
    let resp = h.admin().post("/p2p/preheat/instances", same_name).await;
    assert_eq!(resp.status, 409, "{}", resp.text);
    assert_eq!(
        resp.json()["errors"][0]["message"],
        "instance df already exists"
    );
    let mut bad = body.clone();
    bad["name"] = json!("-bad");
    bad["endpoint"] = json!("http://other");
    assert_eq!(
        h.admin().post("/p2p/preheat/instances", bad).await.status,
        500
    );
}

/// `UpdateInstance`: the body's `id` picks the instance, the vendor cannot change (500), and
/// `default` clears every other default (dao.go `Update`).
#[tokio::test]
async fn preheat_instance_update_rules() {
    let h = Harbor::start().await;
    for (name, endpoint) in [("a", "http://a"), ("b", "http://b")] {
        h.admin()
            .post(
                "/p2p/preheat/instances",
                json!({"name": name, "vendor": "dragonfly", "endpoint": endpoint,
                       "auth_mode": "NONE", "enabled": true, "default": true}),
            )
            .await;
    }
    let b = h.admin().get("/p2p/preheat/instances/b").await.json();
    let mut update = b.clone();
    update["description"] = json!("second");
    assert_eq!(
        h.admin()
            .put("/p2p/preheat/instances/b", update.clone())
            .await
            .status,
        200
    );
    assert_eq!(
        h.admin().get("/p2p/preheat/instances/a").await.json()["default"],
        false
    );
    assert_eq!(
        h.admin().get("/p2p/preheat/instances/b").await.json()["description"],
        "second"
    );
    let mut no_id = update.clone();
    no_id.as_object_mut().unwrap().remove("id");
    assert_eq!(
        h.admin()
            .put("/p2p/preheat/instances/b", no_id)
            .await
            .status,
        404
    );
    let mut vendor = update.clone();
    vendor["vendor"] = json!("kraken");
    assert_eq!(
        h.admin()
            .put("/p2p/preheat/instances/b", vendor)
            .await
            .status,
        500
    );
    assert_eq!(
        h.admin().delete("/p2p/preheat/instances/b").await.status,
        200
    );
    assert_eq!(h.admin().get("/p2p/preheat/instances/b").await.status, 404);
}

/// `PingInstances` → `CheckHealth` → the driver's `GetHealth`: GET `<endpoint>/healthy` for
/// Dragonfly with the stored credentials (OAUTH: `Bearer <token>`, token_handler.go); a health
/// endpoint that fails makes the ping fail.
#[tokio::test]
async fn preheat_ping_calls_the_providers_health_endpoint() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/healthy",
            get(move |headers: HeaderMap| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(headers);
                    StatusCode::OK
                }
            }),
        )
        .route("/broken/healthy", get(|| async { StatusCode::BAD_GATEWAY }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/p2p/preheat/instances",
            json!({"name": "df", "vendor": "dragonfly", "endpoint": format!("http://{addr}"),
                   "auth_mode": "OAUTH", "auth_info": {"token": "tok"}, "enabled": true}),
        )
        .await;
    let id = h.admin().get("/p2p/preheat/instances/df").await.json()["id"].clone();
    let ping = h
        .admin()
        .post("/p2p/preheat/instances/ping", json!({"id": id}))
        .await;
    assert_eq!(ping.status, 200, "{}", ping.text);
    let headers = rx.try_recv().expect("the health endpoint was called");
    assert_eq!(headers["authorization"], "Bearer tok");
    let broken = h
        .admin()
        .post(
            "/p2p/preheat/instances/ping",
            json!({"name": "x", "vendor": "dragonfly",
                   "endpoint": format!("http://{addr}/broken"), "auth_mode": "NONE"}),
        )
        .await;
    assert_eq!(broken.status, 500);
}

/// `UpdateWebhookPolicyOfProject` (server/v2.0/handler/webhook.go) copies the body into a fresh
/// policy and the dao's `ormer.Update` (pkg/notification/policy/dao/dao.go) writes every column:
/// `creation_time` and `creator` become what the body says, Go's zero time and "" when left out.
/// beego's `Update` drops the last `auto_now_add` column, `update_time`, from the SET, so it never
/// moves. Seen on a real Harbor v2.15.2 (FIDELITY.md, 2026-11-30).
#[tokio::test]
async fn webhook_policy_put_writes_creation_time_and_creator_from_the_body() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let body = policy("http://127.0.0.1:9/hook", &["PUSH_ARTIFACT"], json!({}));
    let resp = h
        .admin()
        .post("/projects/p/webhook/policies", body.clone())
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let path = resp
        .header("location")
        .unwrap()
        .trim_start_matches("/api/v2.0")
        .to_string();
    let created = h.admin().get(&path).await.json();
    tokio::time::sleep(Duration::from_millis(5)).await;

    let resp = h.admin().put(&path, body.clone()).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let got = h.admin().get(&path).await.json();
    assert_eq!(got["creation_time"], "0001-01-01T00:00:00.000Z");
    assert!(got.get("creator").is_none(), "{got}");
    assert_eq!(got["update_time"], created["update_time"]);

    let mut kept = body;
    kept["creation_time"] = created["creation_time"].clone();
    kept["creator"] = json!("bob");
    assert_eq!(h.admin().put(&path, kept).await.status, 200);
    let got = h.admin().get(&path).await.json();
    assert_eq!(got["creation_time"], created["creation_time"]);
    assert_eq!(got["creator"], "bob");
    assert_eq!(got["update_time"], created["update_time"]);
}

/// `UpdateInstance` (server/v2.0/handler/preheat.go) builds the row with
/// `convertParamInstanceToModelInstance`, which copies the body's `setup_timestamp`, and the dao's
/// `o.Update` (pkg/p2p/preheat/dao/instance/dao.go) writes every column: left out, it becomes 0.
/// Seen on a real Harbor v2.15.2 (FIDELITY.md, 2026-11-30).
#[tokio::test]
async fn preheat_instance_put_writes_setup_timestamp_from_the_body() {
    let h = Harbor::start().await;
    let body = json!({"name": "df", "vendor": "dragonfly", "endpoint": "http://127.0.0.1:9",
        "auth_mode": "NONE", "enabled": true});
    assert_eq!(
        h.admin()
            .post("/p2p/preheat/instances", body.clone())
            .await
            .status,
        201
    );
    let created = h.admin().get("/p2p/preheat/instances/df").await.json();
    let stamp = created["setup_timestamp"].as_i64().unwrap();
    assert!(stamp > 0);

    let mut kept = body.clone();
    kept["id"] = created["id"].clone();
    kept["setup_timestamp"] = json!(stamp);
    assert_eq!(
        h.admin()
            .put("/p2p/preheat/instances/df", kept.clone())
            .await
            .status,
        200
    );
    let got = h.admin().get("/p2p/preheat/instances/df").await.json();
    assert_eq!(got["setup_timestamp"], stamp);

    kept.as_object_mut().unwrap().remove("setup_timestamp");
    assert_eq!(
        h.admin()
            .put("/p2p/preheat/instances/df", kept)
            .await
            .status,
        200
    );
    let got = h.admin().get("/p2p/preheat/instances/df").await.json();
    assert_eq!(got["setup_timestamp"], 0);
}
