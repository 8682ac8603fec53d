//! The `harbor-emulator` binary: base URL on the first stdout line, usage, clean stop on SIGTERM, TLS.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_harbor-emulator");

#[test]
fn help_prints_usage() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Usage: harbor-emulator"));
}

#[test]
fn unknown_argument_fails() {
    let out = Command::new(BIN).arg("--bogus").output().unwrap();
    assert!(!out.status.success());
}

#[test]
fn binary_prints_base_url_first_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--harbor-version",
            "2.12.0",
            "--admin-password",
            "pw",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let info: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("{url}/api/v2.0/systeminfo"))
            .basic_auth("admin", Some("pw"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(info["harbor_version"], "v2.12.0-emulator");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "emulator did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn serves_https_with_the_given_certificate() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let dir = std::env::temp_dir().join(format!("harbor-emulator-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let config = harbor_emulator::Config {
        tls: Some(harbor_emulator::TlsFiles {
            cert_pem_path: cert_path,
            key_pem_path: key_path,
        }),
        ..Default::default()
    };
    let running = harbor_emulator::start(config).await.unwrap();
    assert!(running.base_url().starts_with("https://127.0.0.1:"));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .resolve("localhost", running.addr())
        .no_proxy()
        .build()
        .unwrap();
    let url = format!("https://localhost:{}/api/v2.0/ping", running.addr().port());
    let body = client.get(url).send().await.unwrap().text().await.unwrap();
    assert_eq!(body, "Pong");
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}
