//! A small scanner adapter for the tests: an HTTP listener speaking the metadata part of
//! Harbor's pluggable scanner API (`GET /api/v1/metadata`), which Harbor calls when a scanner is
//! registered or pinged. It records each request path, so a test can see that Harbor asked.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

pub struct ScannerAdapter {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl ScannerAdapter {
    /// Starts the adapter on a free loopback port; it serves until the test process ends.
    pub fn start(name: &str) -> ScannerAdapter {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind scanner adapter");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let body = serde_json::json!({
            "scanner": {"name": name, "vendor": "Acceptance tests", "version": "1.0.0"},
            "capabilities": [{
                "consumes_mime_types": [
                    "application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.docker.distribution.manifest.v2+json"
                ],
                "produces_mime_types": [
                    "application/vnd.security.vulnerability.report; version=1.1"
                ]
            }],
            "properties": {"harbor.scanner-adapter/scanner-type": "os-package-vulnerability"}
        })
        .to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                // Drain the headers.
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("")
                    .to_string();
                seen.lock().unwrap().push(path.clone());
                let (status, text) = if path == "/api/v1/metadata" {
                    ("200 OK", body.as_str())
                } else {
                    ("404 Not Found", "{}")
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/vnd.scanner.adapter.metadata+json; version=1.0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        ScannerAdapter { url, requests }
    }

    /// How many times the metadata endpoint was asked.
    pub fn metadata_calls(&self) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == "/api/v1/metadata")
            .count()
    }
}
