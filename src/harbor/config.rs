//! Client configuration: where Harbor is, how to authenticate, how to trust it, how patient to be.

use std::time::Duration;

use super::secret::Secret;

/// How requests authenticate. Harbor treats wrong credentials as anonymous rather than
/// answering 401, so [`crate::harbor::Client::connect`] checks them explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// Anonymous: public projects and `/systeminfo` basics only.
    #[default]
    None,
    /// HTTP Basic: a local/LDAP user, or a robot (`robot$name` / `robot$project+name`).
    Basic { username: String, password: Secret },
    /// `Authorization: Bearer <token>`, e.g. behind an auth proxy.
    Bearer(Secret),
}

/// Everything [`crate::harbor::Client::new`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Harbor's external URL, e.g. `https://harbor.example.com`; `/api/v2.0` is appended.
    pub url: String,
    pub auth: Auth,
    /// Disables certificate verification entirely. Off by default, unlike the Go provider.
    pub insecure: bool,
    /// Extra trusted root(s) as PEM, added to the platform's roots.
    pub ca_certificate: Option<String>,
    /// Budget for one operation, retries and back-off included.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// First back-off step; doubles per retry, with full jitter.
    pub retry_base_delay: Duration,
    /// Upper bound of one back-off step.
    pub retry_max_delay: Duration,
    /// Extra headers on every request. A `Host` entry overrides the request host.
    /// Values are secrets because they often carry API keys for a gateway in front of Harbor.
    pub headers: Vec<(String, Secret)>,
}

impl ClientConfig {
    /// Defaults: anonymous, verified TLS, 60 s per operation, 10 s to connect,
    /// 4 retries backing off from 200 ms up to 5 s.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            auth: Auth::None,
            insecure: false,
            ca_certificate: None,
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_retries: 4,
            retry_base_delay: Duration::from_millis(200),
            retry_max_delay: Duration::from_secs(5),
            headers: Vec::new(),
        }
    }

    /// Sets HTTP Basic credentials.
    pub fn with_basic_auth(
        mut self,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        self.auth = Auth::Basic {
            username: username.into(),
            password: password.into(),
        };
        self
    }
}
