//! Many clients at once must leave a consistent store with unique, increasing ids.

use serde_json::json;

use crate::support::Harbor;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_project_creates_lose_no_updates() {
    let h = Harbor::start().await;
    let url = h.url();
    let mut tasks = Vec::new();
    for i in 0..60 {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().no_proxy().build().unwrap();
            let r = client
                .post(format!("{url}/api/v2.0/projects"))
                .basic_auth("admin", Some("Harbor12345"))
                .json(&json!({"project_name": format!("c{i}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            let loc = r.headers()["location"].to_str().unwrap().to_string();
            loc.rsplit('/').next().unwrap().parse::<i64>().unwrap()
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 60);
    assert_eq!(ids, (2..62).collect::<Vec<_>>());
    let r = h.admin().get("/projects?page_size=1").await;
    assert_eq!(r.header("x-total-count").as_deref(), Some("61"));
    let quotas = h.admin().get("/quotas?page_size=1").await;
    assert_eq!(quotas.header("x-total-count").as_deref(), Some("61"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicate_creates_yield_exactly_one_winner() {
    let h = Harbor::start().await;
    let url = h.url();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().no_proxy().build().unwrap();
            client
                .post(format!("{url}/api/v2.0/projects"))
                .basic_auth("admin", Some("Harbor12345"))
                .json(&json!({"project_name": "same"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19);
}
