//! The robot name prefix as the emulator stores it after Harbor's rules (`robot_name_prefix` is a
//! `StringType` configuration item, so an empty prefix is allowed): connecting reads it as is.

use serde_json::json;

use super::{Client, ClientConfig, robot_full_name};

#[tokio::test]
async fn an_empty_robot_name_prefix_is_read_as_empty_not_defaulted() {
    let emulator = harbor_emulator::start(harbor_emulator::Config::default())
        .await
        .expect("emulator");
    let base = emulator.base_url();
    let resp = reqwest::Client::new()
        .put(format!("{base}/api/v2.0/configurations"))
        .basic_auth("admin", Some("Harbor12345"))
        .json(&json!({"robot_name_prefix": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let client =
        Client::new(ClientConfig::new(base).with_basic_auth("admin", "Harbor12345")).unwrap();
    let connection = client.connect().await.unwrap();
    assert_eq!(connection.robot_name_prefix.as_deref(), Some(""));
    assert_eq!(robot_full_name("", Some("p"), "ci"), "p+ci");
    emulator.shutdown().await;
}
