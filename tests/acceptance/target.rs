//! The Harbor the acceptance tests run against: a fresh emulator per test, or the real Harbor
//! named by `HARBOR_URL`, `HARBOR_USERNAME` and `HARBOR_PASSWORD`. Tests talk to it directly
//! (blocking HTTP) to check what Terraform did, to make drift and to delete things behind
//! Terraform's back.

#![allow(dead_code)] // Not every test uses every helper.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

pub struct Harbor {
    pub url: String,
    pub username: String,
    pub password: String,
    /// Set when the emulator serves this test; control endpoints and seeding need it.
    emulator: Option<harbor_emulator::Background>,
    http: reqwest::blocking::Client,
}

/// An HTTP answer from Harbor.
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name unique to this test run, so tests can share a real Harbor: `prefix-<pid>-<n>`.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id() % 100_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Harbor {
    /// The real Harbor from the environment when `HARBOR_URL` is set, else a new emulator.
    pub fn start() -> Harbor {
        match std::env::var("HARBOR_URL") {
            Ok(url) if !url.is_empty() => Harbor::connect(
                url,
                std::env::var("HARBOR_USERNAME").expect("HARBOR_USERNAME goes with HARBOR_URL"),
                std::env::var("HARBOR_PASSWORD").expect("HARBOR_PASSWORD goes with HARBOR_URL"),
                None,
            ),
            _ => Harbor::emulator(harbor_emulator::Config::default()),
        }
    }

    /// The Harbor under test for a test that cannot run on a real Harbor: always an emulator.
    /// `why` names what the test needs that a real Harbor cannot give (control endpoints, a
    /// pinned version, a private CA, ...). When `HARBOR_URL` names a real Harbor, the reason is
    /// printed, so a run against it lists every test that did not use it (run with
    /// `--nocapture` to see the list; FIDELITY.md counts these as not run on the real Harbor).
    pub fn emulator_because(why: &str, config: harbor_emulator::Config) -> Harbor {
        if std::env::var("HARBOR_URL").is_ok_and(|u| !u.is_empty()) {
            let test = std::thread::current()
                .name()
                .unwrap_or("unnamed test")
                .to_string();
            eprintln!("NOT ON HARBOR_URL: {test}: runs on the emulator because it {why}");
        }
        Harbor::emulator(config)
    }

    /// The Harbor under test for a test whose peer is a listener the test starts on this
    /// machine's loopback (a scanner adapter, a preheat instance's health endpoint, slapd, a
    /// syslog receiver): the real Harbor of `HARBOR_URL` when it runs on this machine too
    /// (loopback host), so it can reach the peer; otherwise an emulator, as
    /// [`Harbor::emulator_because`] with `why`.
    pub fn reaching_this_machine(why: &str) -> Harbor {
        let url = std::env::var("HARBOR_URL").unwrap_or_default();
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        if ["127.0.0.1", "localhost"].contains(&host) {
            Harbor::start()
        } else {
            Harbor::emulator_because(why, harbor_emulator::Config::default())
        }
    }

    /// A new emulator, whatever the environment says: a peer of the Harbor under test (a remote
    /// registry), or the Harbor under test when reached through [`Harbor::emulator_because`].
    pub fn emulator(config: harbor_emulator::Config) -> Harbor {
        let password = config.admin_password.clone();
        let bg = harbor_emulator::spawn_background(config).expect("emulator starts");
        let url = bg.base_url().to_string();
        Harbor::connect(url, "admin".into(), password, Some(bg))
    }

    fn connect(
        url: String,
        username: String,
        password: String,
        emulator: Option<harbor_emulator::Background>,
    ) -> Harbor {
        let http = reqwest::blocking::Client::builder()
            .build()
            .expect("http client");
        Harbor {
            url: url.trim_end_matches('/').to_string(),
            username,
            password,
            emulator,
            http,
        }
    }

    pub fn is_emulator(&self) -> bool {
        self.emulator.is_some()
    }

    /// The provider block for this Harbor (credentials inline, as a user would write them).
    pub fn provider_block(&self) -> String {
        format!(
            "provider \"harbor\" {{\n  url      = \"{}\"\n  username = \"{}\"\n  password = \"{}\"\n}}\n",
            self.url, self.username, self.password
        )
    }

    /// A call to `/api/v2.0{path}` as the admin.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.call_as(&self.username, &self.password, method, path, body)
    }

    pub fn call_as(
        &self,
        user: &str,
        password: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let url = if path.starts_with("/_emulator") {
            format!("{}{path}", self.url)
        } else {
            format!("{}/api/v2.0{path}", self.url)
        };
        let mut req = self
            .http
            .request(method.parse().expect("method"), url)
            .basic_auth(user, Some(password));
        if path.starts_with("/projects/")
            && !path[10..]
                .split('/')
                .next()
                .unwrap_or("")
                .chars()
                .all(|c| c.is_ascii_digit())
        {
            req = req.header("X-Is-Resource-Name", "true");
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().expect("Harbor answers");
        let status = resp.status().as_u16();
        let text = resp.text().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, body, text }
    }

    /// GET that must succeed; the JSON body.
    pub fn get(&self, path: &str) -> Value {
        let r = self.call("GET", path, None);
        assert_eq!(r.status, 200, "GET {path}: {}", r.text);
        r.body
    }

    /// The status of a GET: 200 when the object exists, 404 when Harbor has nothing there.
    pub fn status(&self, path: &str) -> u16 {
        self.call("GET", path, None).status
    }

    /// The emulator's count of `/api` requests so far.
    pub fn request_count(&self) -> u64 {
        assert!(self.is_emulator(), "request counts need the emulator");
        self.get("/_emulator/requests")["total"].as_u64().unwrap()
    }

    /// Seeds a repository into a project (emulator only: a real Harbor needs an image push).
    pub fn seed_repository(&self, project: &str, repo: &str) {
        assert!(
            self.is_emulator(),
            "seeding repositories needs the emulator"
        );
        let r = self.call(
            "POST",
            &format!("/_emulator/projects/{project}/repositories"),
            Some(serde_json::json!({"name": repo})),
        );
        assert!(r.status < 300, "seed: {}", r.text);
    }
}
