//! Test harness: a started emulator plus a tiny HTTP client with Harbor-shaped helpers.

use harbor_emulator::{Config, Running};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "Harbor12345";

pub struct Harbor {
    pub running: Running,
    client: reqwest::Client,
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// The `message` of the first Harbor error.
    pub fn message(&self) -> String {
        self.json()["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn code(&self) -> String {
        self.json()["errors"][0]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The id at the end of `Location`.
    pub fn location_id(&self) -> i64 {
        let location = self.header("location").expect("Location header");
        location.rsplit('/').next().unwrap().parse().unwrap()
    }
}

#[derive(Clone)]
pub struct Call<'a> {
    harbor: &'a Harbor,
    auth: Option<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Call<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let url = if ["/_emulator", "/api/", "/v2", "/service/"]
            .iter()
            .any(|p| path.starts_with(p))
        {
            format!("{}{path}", self.harbor.url())
        } else {
            format!("{}/api/v2.0{path}", self.harbor.url())
        };
        let mut req = self.harbor.client.request(method, url);
        if let Some((u, p)) = &self.auth {
            req = req.basic_auth(u, Some(p));
        }
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request failed");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        Resp {
            status,
            headers,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }
    pub async fn head(&self, path: &str) -> Resp {
        self.send(Method::HEAD, path, None).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, path, Some(body)).await
    }
}

impl Harbor {
    pub async fn start() -> Self {
        Self::with(Config::default()).await
    }

    pub async fn version(version: &str) -> Self {
        Self::with(Config {
            harbor_version: version.into(),
            ..Config::default()
        })
        .await
    }

    pub async fn with(config: Config) -> Self {
        let running = harbor_emulator::start(config)
            .await
            .expect("emulator starts");
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        Self { running, client }
    }

    pub fn url(&self) -> String {
        self.running.base_url().to_string()
    }

    pub fn admin(&self) -> Call<'_> {
        self.user("admin", ADMIN_PASSWORD)
    }

    pub fn anon(&self) -> Call<'_> {
        Call {
            harbor: self,
            auth: None,
            headers: Vec::new(),
        }
    }

    pub fn user(&self, name: &str, password: &str) -> Call<'_> {
        Call {
            harbor: self,
            auth: Some((name.into(), password.into())),
            headers: Vec::new(),
        }
    }

    /// Creates a project as admin and returns its id.
    pub async fn project(&self, name: &str, public: bool) -> i64 {
        let r = self
            .admin()
            .post(
                "/projects",
                json!({"project_name": name, "metadata": {"public": public.to_string()}}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.location_id()
    }

    pub async fn seed_repo(&self, project: &str, repo: &str) {
        let r = self
            .anon()
            .post(
                &format!("/_emulator/projects/{project}/repositories"),
                json!({"name": repo}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }

    /// Creates a robot as admin; returns (id, full name, secret).
    pub async fn robot(&self, body: Value) -> (i64, String, String) {
        let r = self.admin().post("/robots", body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let j = r.json();
        (
            j["id"].as_i64().unwrap(),
            j["name"].as_str().unwrap().into(),
            j["secret"].as_str().unwrap().into(),
        )
    }

    /// A project robot with the given `resource:action` pairs.
    pub async fn project_robot(
        &self,
        project: &str,
        name: &str,
        access: &[(&str, &str)],
    ) -> (i64, String, String) {
        self.robot(
            json!({"name": name, "level": "project", "duration": -1, "permissions": [
                {"kind": "project", "namespace": project, "access": access_list(access)}
            ]}),
        )
        .await
    }

    /// A system robot with the given system `resource:action` pairs.
    pub async fn system_robot(&self, name: &str, access: &[(&str, &str)]) -> (i64, String, String) {
        self.robot(
            json!({"name": name, "level": "system", "duration": -1, "permissions": [
                {"kind": "system", "namespace": "/", "access": access_list(access)}
            ]}),
        )
        .await
    }

    /// A registry of a type that is never probed; returns its id.
    pub async fn registry(&self, name: &str) -> i64 {
        let r = self
            .admin()
            .post(
                "/registries",
                json!({"name": name, "type": "docker-hub", "url": "https://hub.docker.com"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.location_id()
    }
}

pub fn access_list(access: &[(&str, &str)]) -> Value {
    Value::Array(
        access
            .iter()
            .map(|(r, a)| json!({"resource": r, "action": a, "effect": "allow"}))
            .collect(),
    )
}

/// A scanner adapter speaking the metadata part of Harbor's pluggable scanner API: a listener
/// on a free loopback port answering `GET /api/v1/metadata` (404 elsewhere), recording each
/// request's path and `Authorization` / `X-ScannerAdapter-API-Key` header. `valid = false`
/// answers metadata without capabilities, which Harbor's `Validate` refuses.
pub async fn scanner_adapter(
    valid: bool,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let body = if valid {
        json!({
            "scanner": {"name": "Adapter", "vendor": "Tests", "version": "1.0"},
            "capabilities": [{
                "consumes_mime_types": ["application/vnd.docker.distribution.manifest.v2+json"],
                "produces_mime_types": ["application/vnd.security.vulnerability.report; version=1.1"]
            }]
        })
    } else {
        json!({"scanner": {"name": "Adapter", "vendor": "Tests", "version": "1.0"}, "capabilities": []})
    }
    .to_string();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (read, mut write) = stream.into_split();
            let mut reader = BufReader::new(read);
            let mut first = String::new();
            if reader.read_line(&mut first).await.is_err() {
                continue;
            }
            let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
            let mut entry = path.clone();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).await.unwrap_or(0) <= 2 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if lower.starts_with("authorization:")
                    || lower.starts_with("x-scanneradapter-api-key:")
                {
                    entry.push(' ');
                    entry.push_str(line.trim());
                }
            }
            log.lock().unwrap().push(entry);
            let (status, text) = if path == "/api/v1/metadata" {
                ("200 OK", body.as_str())
            } else {
                ("404 Not Found", "{}")
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
            let _ = write.write_all(reply.as_bytes()).await;
        }
    });
    (url, seen)
}
