//! The `/_emulator` control endpoints: request counters, fault injection, latency.

use std::time::Instant;

use serde_json::json;

use crate::support::Harbor;

#[tokio::test]
async fn requests_are_counted_by_route_template() {
    let h = Harbor::start().await;
    h.project("a", false).await;
    h.admin().get("/projects/a").await;
    h.admin().get("/projects/2").await;
    let j = h.anon().get("/_emulator/requests").await.json();
    assert_eq!(
        j["by_route"]["GET /api/v2.0/projects/{project_name_or_id}"],
        2
    );
    assert_eq!(j["by_route"]["POST /api/v2.0/projects"], 1);
    assert_eq!(j["total"], 3);
}

#[tokio::test]
async fn reset_clears_counters_but_not_state() {
    let h = Harbor::start().await;
    h.project("a", false).await;
    assert_eq!(
        h.anon().post("/_emulator/reset", json!({})).await.status,
        200
    );
    let j = h.anon().get("/_emulator/requests").await.json();
    assert_eq!(j, json!({"total": 0, "by_route": {}}));
    assert_eq!(h.admin().get("/projects/a").await.status, 200);
}

#[tokio::test]
async fn injected_503_carries_retry_after() {
    let h = Harbor::start().await;
    let r = h
        .anon()
        .post(
            "/_emulator/faults",
            json!({"error_rate": 1.0, "error_status": 503, "seed": 1}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = h.admin().get("/projects").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after").as_deref(), Some("1"));
    let r = h
        .anon()
        .post(
            "/_emulator/faults",
            json!({"error_rate": 1.0, "error_status": 500, "seed": 1}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = h.admin().get("/projects").await;
    assert_eq!(r.status, 500);
    assert!(r.header("retry-after").is_none());
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed() {
    async fn pattern(h: &Harbor) -> Vec<u16> {
        h.anon()
            .post(
                "/_emulator/faults",
                json!({"error_rate": 0.5, "error_status": 429, "seed": 42}),
            )
            .await;
        let mut out = Vec::new();
        for _ in 0..20 {
            out.push(h.anon().get("/ping").await.status);
        }
        out
    }
    let h = Harbor::start().await;
    let first = pattern(&h).await;
    let second = pattern(&h).await;
    assert_eq!(first, second);
    assert!(first.contains(&429) && first.contains(&200), "{first:?}");
}

#[tokio::test]
async fn error_rate_zero_turns_faults_off() {
    let h = Harbor::start().await;
    h.anon()
        .post(
            "/_emulator/faults",
            json!({"error_rate": 1.0, "error_status": 503}),
        )
        .await;
    assert_eq!(h.anon().get("/ping").await.status, 503);
    h.anon()
        .post("/_emulator/faults", json!({"error_rate": 0}))
        .await;
    assert_eq!(h.anon().get("/ping").await.status, 200);
}

#[tokio::test]
async fn faults_spare_the_control_endpoints() {
    let h = Harbor::start().await;
    h.anon()
        .post("/_emulator/faults", json!({"error_rate": 1.0}))
        .await;
    // Faults are on: an API request gets the injected 503 ...
    assert_eq!(h.anon().get("/ping").await.status, 503);
    // ... while every control endpoint still answers.
    assert_eq!(h.anon().get("/_emulator/requests").await.status, 200);
    assert_eq!(h.anon().get("/_emulator/faults").await.status, 200);
    assert_eq!(
        h.anon().post("/_emulator/reset", json!({})).await.status,
        200
    );
    assert_eq!(h.anon().get("/_emulator/faults").await.json()["total"], 1);
}

/// Each outcome of sending `POST /projects` for `name` three times: the status, or `drop`.
async fn create_thrice(url: &str, name: &str) -> (String, Vec<String>) {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let r = client
            .post(format!("{url}/api/v2.0/projects"))
            .basic_auth("admin", Some("Harbor12345"))
            .json(&json!({"project_name": name}))
            .send()
            .await;
        outcomes.push(match r {
            Ok(r) => r.status().as_u16().to_string(),
            Err(_) => "drop".to_owned(),
        });
    }
    (name.to_owned(), outcomes)
}

/// The faults a seed gives each request do not depend on the order requests arrive in:
/// the same creates, sent one by one in one order and all at once in the reverse order, meet
/// the same faults (`emulator/src/control.rs` `Faults::next` draws from the seed, the request
/// and its occurrence, not from one stream shared by all requests).
#[tokio::test]
async fn the_same_seed_gives_the_same_faults_however_requests_interleave() {
    let faults = json!({
        "error_rate": 0.3, "error_statuses": [503, 429],
        "reset_rate": 0.1, "reset_after_rate": 0.1, "seed": 2024,
    });
    let names: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();

    let one_by_one = Harbor::start().await;
    one_by_one
        .anon()
        .post("/_emulator/faults", faults.clone())
        .await;
    let mut first = Vec::new();
    for name in &names {
        first.push(create_thrice(&one_by_one.url(), name).await);
    }

    let all_at_once = Harbor::start().await;
    all_at_once.anon().post("/_emulator/faults", faults).await;
    let url = all_at_once.url();
    let tasks: Vec<_> = names
        .iter()
        .rev()
        .map(|name| {
            tokio::spawn({
                let (url, name) = (url.clone(), name.clone());
                async move { create_thrice(&url, &name).await }
            })
        })
        .collect();
    let mut second = Vec::new();
    for t in tasks {
        second.push(t.await.unwrap());
    }
    second.sort();
    first.sort();

    let log = |h: &Harbor| {
        let h = h.url();
        async move {
            let j: serde_json::Value = reqwest::get(format!("{h}/_emulator/faults"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mut entries = j["log"].as_array().unwrap().clone();
            entries.sort_by_key(|e| e.to_string());
            entries
        }
    };
    let (log1, log2) = (log(&one_by_one).await, log(&all_at_once).await);
    assert_eq!(log1, log2, "the same requests met different faults");
    // Faults of every kind were drawn, and not on every request: the comparison means something.
    let kinds: std::collections::BTreeSet<String> = log1
        .iter()
        .map(|e| e["fault"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["429", "503", "reset", "reset_after"],
        "{log1:?}"
    );
    assert!(log1.len() < 36, "{log1:?}");
    // And each create met the same fate, attempt by attempt (201, 409 after an earlier
    // attempt made the project, an injected status, or a dropped connection).
    assert_eq!(first, second, "the clients saw different outcomes");
}

#[tokio::test]
async fn reset_rate_drops_the_connection_without_a_response() {
    let h = Harbor::start().await;
    h.anon()
        .post("/_emulator/faults", json!({"reset_rate": 1.0, "seed": 3}))
        .await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let result = client
        .get(format!("{}/api/v2.0/ping", h.url()))
        .send()
        .await;
    assert!(
        result.is_err(),
        "expected a dropped connection, got {:?}",
        result.map(|r| r.status())
    );
}

#[tokio::test]
async fn injected_latency_delays_api_requests() {
    let h = Harbor::start().await;
    h.anon()
        .post("/_emulator/faults", json!({"latency_ms": 150}))
        .await;
    let start = Instant::now();
    assert_eq!(h.anon().get("/ping").await.status, 200);
    assert!(start.elapsed().as_millis() >= 150);
}

#[tokio::test]
async fn configured_latency_applies_to_every_api_request() {
    let h = Harbor::with(harbor_emulator::Config {
        latency_ms: 100,
        ..Default::default()
    })
    .await;
    let start = Instant::now();
    h.anon().get("/ping").await;
    assert!(start.elapsed().as_millis() >= 100);
}

#[tokio::test]
async fn seeding_repositories_needs_an_existing_project() {
    let h = Harbor::start().await;
    let r = h
        .anon()
        .post(
            "/_emulator/projects/nope/repositories",
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn exchanges_are_recorded_when_enabled_and_cleared() {
    let h = Harbor::with(harbor_emulator::Config {
        record_exchanges: true,
        ..Default::default()
    })
    .await;
    h.project("a", false).await;
    h.admin()
        .header("X-Is-Resource-Name", "true")
        .get("/projects/a")
        .await;
    let log = h.anon().get("/_emulator/exchanges").await.json();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0]["method"], "POST");
    assert_eq!(log[0]["route"], "/api/v2.0/projects");
    assert_eq!(log[0]["status"], 201);
    assert_eq!(log[0]["request_body"]["project_name"], "a");
    assert!(
        log[0]["location"]
            .as_str()
            .unwrap()
            .starts_with("/api/v2.0/projects/")
    );
    assert_eq!(log[1]["route"], "/api/v2.0/projects/{project_name_or_id}");
    assert_eq!(log[1]["response_body"]["name"], "a");
    assert_eq!(log[1]["request_headers"]["x-is-resource-name"], "true");
    assert!(log[1]["request_headers"].get("authorization").is_none());
    assert!(
        log[1]["response_headers"]["x-request-id"].is_null(),
        "set outside the log"
    );
    assert_eq!(
        log[1]["response_headers"]["content-type"],
        "application/json"
    );
    assert_eq!(h.anon().delete("/_emulator/exchanges").await.status, 200);
    assert_eq!(h.anon().get("/_emulator/exchanges").await.json(), json!([]));
    h.admin().get("/projects/a").await;
    h.anon().post("/_emulator/reset", json!({})).await;
    assert_eq!(h.anon().get("/_emulator/exchanges").await.json(), json!([]));
}

#[tokio::test]
async fn exchanges_are_not_recorded_by_default() {
    let h = Harbor::start().await;
    h.project("a", false).await;
    assert_eq!(h.anon().get("/_emulator/exchanges").await.json(), json!([]));
}

#[tokio::test]
async fn expire_control_ages_a_robot_past_its_duration() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, name, secret) = h
        .robot(json!({"name": "ci", "level": "project", "duration": 1, "permissions": [
            {"kind": "project", "namespace": "p", "access": [{"resource": "repository", "action": "list"}]}
        ]}))
        .await;
    assert_eq!(
        h.user(&name, &secret)
            .get("/projects/p/repositories")
            .await
            .status,
        200
    );
    let r = h
        .anon()
        .post(&format!("/_emulator/robots/{id}/expire"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let robot = h.admin().get(&format!("/robots/{id}")).await.json();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expires = robot["expires_at"].as_i64().unwrap();
    assert!(expires < now && expires > now - 60, "{robot}");
    assert_eq!(robot["duration"], 1, "the duration is kept");
    assert_eq!(
        h.user(&name, &secret)
            .get("/projects/p/repositories")
            .await
            .status,
        401,
        "expired robots cannot log in"
    );
}

#[tokio::test]
async fn expire_control_refuses_robots_that_never_expire() {
    let h = Harbor::start().await;
    let (id, _, _) = h.system_robot("forever", &[("project", "list")]).await;
    let r = h
        .anon()
        .post(&format!("/_emulator/robots/{id}/expire"), json!({}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

#[tokio::test]
async fn reset_after_rate_processes_the_request_then_drops_the_answer() {
    let h = Harbor::start().await;
    h.anon()
        .post(
            "/_emulator/faults",
            json!({"reset_after_rate": 1.0, "seed": 3}),
        )
        .await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let result = client
        .post(format!("{}/api/v2.0/projects", h.url()))
        .basic_auth("admin", Some("Harbor12345"))
        .json(&json!({"project_name": "lost-answer"}))
        .send()
        .await;
    assert!(result.is_err(), "expected a dropped connection");
    h.anon()
        .post("/_emulator/faults", json!({"error_rate": 0}))
        .await;
    assert_eq!(h.admin().get("/projects/lost-answer").await.status, 200);
}

#[tokio::test]
async fn error_statuses_mix_several_codes() {
    let h = Harbor::start().await;
    let r = h
        .anon()
        .post(
            "/_emulator/faults",
            json!({"error_rate": 1.0, "error_statuses": [503, 429], "seed": 5}),
        )
        .await;
    assert_eq!(r.status, 200);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let r = h.anon().get("/ping").await;
        assert_eq!(r.header("retry-after").as_deref(), Some("1"));
        seen.insert(r.status);
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [429, 503]);
    let both = h
        .anon()
        .post(
            "/_emulator/faults",
            json!({"error_rate": 1.0, "error_status": 503, "error_statuses": [429]}),
        )
        .await;
    assert_eq!(both.status, 400);
}

#[tokio::test]
async fn spared_requests_are_never_faulted() {
    let h = Harbor::start().await;
    h.anon()
        .post(
            "/_emulator/faults",
            json!({"error_rate": 1.0, "spare": ["GET /api/v2.0/ping"]}),
        )
        .await;
    assert_eq!(h.anon().get("/ping").await.status, 200);
    assert_eq!(h.anon().get("/systeminfo").await.status, 503);
}
