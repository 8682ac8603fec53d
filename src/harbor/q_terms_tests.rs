//! Name lookups through Harbor's `q` language against the emulator, which refuses malformed
//! queries as Harbor's `q.Build` does (lib/q/builder.go): names the language cannot express
//! (empty, or holding a comma) are listed without the term and matched exactly here.

use serde_json::json;

use super::{Client, ClientConfig};

async fn registry(http: &reqwest::Client, base: &str, name: &str) {
    let resp = http
        .post(format!("{base}/api/v2.0/registries"))
        .basic_auth("admin", Some("Harbor12345"))
        .json(&json!({"name": name, "type": "docker-hub", "url": "https://hub.example.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201, "{name}");
}

#[tokio::test]
async fn registry_names_with_commas_or_pattern_characters_are_found_exactly() {
    let emulator = harbor_emulator::start(harbor_emulator::Config::default())
        .await
        .expect("emulator");
    let base = emulator.base_url();
    let http = reqwest::Client::new();
    for name in ["ci,east", "~ci", "xcix", "{ci}"] {
        registry(&http, base, name).await;
    }
    let client =
        Client::new(ClientConfig::new(base).with_basic_auth("admin", "Harbor12345")).unwrap();
    for name in ["ci,east", "~ci", "xcix", "{ci}"] {
        let found = client.find_registry(name).await.expect(name);
        assert_eq!(found.map(|r| r.name).as_deref(), Some(name));
    }
    assert!(client.find_registry("").await.unwrap().is_none());
    assert!(
        client
            .list_replication_policies(Some("a,b"))
            .await
            .unwrap()
            .is_empty()
    );
    emulator.shutdown().await;
}
