//! The pooled HTTP client and the request loop every operation goes through: auth,
//! request ids, retries with back-off, error mapping and paging.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::batch::Reads;
use super::config::{Auth, ClientConfig};
use super::error::{Error, TransportKind};
use super::models::Errors;

/// Harbor's maximum `page_size`; larger values get 422.
pub(crate) const PAGE_SIZE: usize = 100;

/// The lookups that settle an ambiguous create retry at least this often, whatever
/// `max_retries` says: giving up there leaves the create unsettled ([`Error::Unsettled`]).
const SETTLE_RETRIES: u32 = 4;

/// ... and each lookup may take at least this long, whatever `request_timeout` says. With a
/// short `request_timeout` (1 s) a lookup answered 429 or 503 with `Retry-After: 1` could
/// never wait for its retry, so the first busy answer ended the settling.
const SETTLE_BUDGET: Duration = Duration::from_secs(15);

/// Stops a paging walk against a server whose `Link` headers never end.
const MAX_PAGES: usize = 10_000;

/// A Harbor API client. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    http: reqwest::Client,
    base: String,
    auth: Auth,
    headers: HeaderMap,
    max_retries: u32,
    request_timeout: Duration,
    retry_base_delay: Duration,
    retry_max_delay: Duration,
    /// Batched reads of this client (one per Terraform command); see `batch.rs`.
    reads: Arc<Reads>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .finish_non_exhaustive()
    }
}

/// How a request may be repeated after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// GET, HEAD, PUT, DELETE: repeating them cannot create a second object. Retried on
    /// transport errors and 429/502/503/504.
    Idempotent,
    /// POST that creates: retried only when the server certainly did nothing, i.e. the
    /// connection was never established, or 429/503 (answered before processing).
    CreateSafe,
    /// Never repeated, e.g. PATCH of a robot secret, which rotates on every call.
    Never,
}

/// One API call, relative to `/api/v2.0`.
pub(crate) struct Req {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    by_name: bool,
    retry: Retry,
}

impl Req {
    fn new(method: Method, path: impl Into<String>, retry: Retry) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            by_name: false,
            retry,
        }
    }

    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path, Retry::Idempotent)
    }

    pub(crate) fn head(path: impl Into<String>) -> Self {
        Self::new(Method::HEAD, path, Retry::Idempotent)
    }

    pub(crate) fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path, Retry::Idempotent)
    }

    pub(crate) fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path, Retry::Idempotent)
    }

    /// A POST that creates something; see [`Retry::CreateSafe`].
    pub(crate) fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path, Retry::CreateSafe)
    }

    pub(crate) fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path, Retry::Never)
    }

    /// Overrides the retry policy, e.g. for a side-effect-free POST such as a ping.
    pub(crate) fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    pub(crate) fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// Sends `X-Is-Resource-Name: true`: without it an all-digit project name is read as an id.
    pub(crate) fn by_name(mut self, by_name: bool) -> Self {
        self.by_name = by_name;
        self
    }

    pub(crate) fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        // Serialising our own model types cannot fail short of a bug; report it as config.
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidConfig(format!("cannot encode request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// An HTTP answer, any status; the operation decides what the status means.
pub(crate) struct Response {
    pub(crate) status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
    request_id: Option<String>,
    method: Method,
    path: String,
}

impl Response {
    /// True for an empty (or whitespace-only) body, which go-swagger sends for a nil payload.
    pub(crate) fn body_is_empty(&self) -> bool {
        self.body.iter().all(u8::is_ascii_whitespace)
    }

    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode {
            message: e.to_string(),
            request_id: self.request_id.clone(),
            method: self.method.to_string(),
            path: self.path.clone(),
        })
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The answer as an [`Error::Api`], with Harbor's code and message when the body has them.
    pub(crate) fn error(&self) -> Error {
        let parsed: Option<Errors> = serde_json::from_slice(&self.body).ok();
        let first = parsed.and_then(|e| e.errors.into_iter().next());
        let (code, message) = match first {
            Some(item) => (Some(item.code).filter(|c| !c.is_empty()), item.message),
            None => (None, String::new()),
        };
        let redirect = self
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .filter(|_| (300..400).contains(&self.status));
        let message = if let Some(location) = redirect {
            format!("redirected to {location}; configure Harbor's URL as that location instead")
        } else if message.is_empty() {
            StatusCode::from_u16(self.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("unexpected status")
                .to_owned()
        } else {
            message
        };
        Error::Api {
            status: self.status,
            code,
            message,
            request_id: self.request_id.clone(),
            method: self.method.to_string(),
            path: self.path.clone(),
        }
    }

    pub(crate) fn decode_error(&self, message: impl Into<String>) -> Error {
        Error::Decode {
            message: message.into(),
            request_id: self.request_id.clone(),
            method: self.method.to_string(),
            path: self.path.clone(),
        }
    }

    /// The id at the end of the `Location` header of a 201, e.g. `/api/v2.0/projects/42`.
    pub(crate) fn location_id(&self) -> Result<i64, Error> {
        let location = self
            .headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.decode_error("201 without a Location header"))?;
        location
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| self.decode_error(format!("no id at the end of Location {location:?}")))
    }

    /// The last segment of a 201's `Location` header, for objects named by a uuid.
    pub(crate) fn location_tail(&self) -> Result<String, Error> {
        self.headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .ok_or_else(|| self.decode_error("201 without an id at the end of Location"))
    }

    pub(crate) fn total_count(&self) -> Option<usize> {
        self.headers
            .get("x-total-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
    }

    /// `None` without a `Link` header, else whether it has a `rel="next"` entry.
    fn has_next_link(&self) -> Option<bool> {
        let mut values = self
            .headers
            .get_all(reqwest::header::LINK)
            .iter()
            .peekable();
        values.peek()?;
        Some(values.any(|v| {
            v.to_str()
                .map(|s| s.split(',').any(|part| part.contains("rel=\"next\"")))
                .unwrap_or(false)
        }))
    }
}

impl Client {
    /// Builds the pooled client. Fails on a malformed URL, CA PEM or header.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let base = base_url(&config.url)?;
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!(
                "terraform-provider-harbor/",
                env!("CARGO_PKG_VERSION")
            ))
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            // Redirects are not followed: a redirected POST silently becomes a GET and the
            // credentials are dropped on a host change. The error names the new location.
            .redirect(reqwest::redirect::Policy::none());
        // No cookie store: Harbor's CSRF check applies only to requests that carry its
        // `sid` cookie, so a cookie-less client never needs a CSRF token. reqwest is
        // built without its `cookies` feature, so there is no jar to enable by accident.
        if config.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(pem) = config
            .ca_certificate
            .as_deref()
            .filter(|p| !p.trim().is_empty())
        {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
                Error::InvalidConfig(format!("ca_certificate is not valid PEM: {}", chain(&e)))
            })?;
            if certs.is_empty() {
                return Err(Error::InvalidConfig(
                    "ca_certificate contains no PEM certificate".into(),
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidConfig(format!("invalid header name {name:?}")))?;
            // The value is deliberately not echoed: it may be a credential.
            let mut value = HeaderValue::from_str(value.expose())
                .map_err(|_| Error::InvalidConfig(format!("invalid value for header {name:?}")))?;
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        let http = builder.build().map_err(|e| {
            Error::InvalidConfig(format!("cannot build HTTP client: {}", chain(&e)))
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth: config.auth,
                headers,
                max_retries: config.max_retries,
                request_timeout: config.request_timeout,
                retry_base_delay: config.retry_base_delay,
                retry_max_delay: config.retry_max_delay,
                reads: Arc::default(),
            }),
        })
    }

    /// The API root, e.g. `https://harbor.example.com/api/v2.0`.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// Whether the client sends credentials at all.
    pub fn is_authenticated(&self) -> bool {
        !matches!(self.inner.auth, Auth::None)
    }

    /// The Basic-auth user name, if any (robots start with their prefix, e.g. `robot$`).
    pub fn username(&self) -> Option<&str> {
        match &self.inner.auth {
            Auth::Basic { username, .. } => Some(username),
            _ => None,
        }
    }

    pub(crate) fn reads(&self) -> &Reads {
        &self.inner.reads
    }

    /// Sends `req`, repeating it as its [`Retry`] policy allows, and returns Harbor's
    /// answer whatever the status. Errors only when no answer came back.
    ///
    /// A write (any method but GET and HEAD) drops what batched reads gathered, before it is
    /// sent and after it is answered, so no read afterwards returns what Harbor had before it.
    pub(crate) async fn send(&self, req: &Req) -> Result<Response, Error> {
        let writes = !matches!(req.method, Method::GET | Method::HEAD);
        if writes {
            self.inner.reads.wrote();
        }
        let result = self.send_once(req).await;
        if writes {
            self.inner.reads.wrote();
        }
        result
    }

    async fn send_once(&self, req: &Req) -> Result<Response, Error> {
        let inner = &*self.inner;
        let started = Instant::now();
        let deadline = started + inner.request_timeout;
        let url = format!("{}{}", inner.base, req.path);
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let request_id = new_request_id();
            let remaining = deadline.saturating_duration_since(Instant::now());
            let mut builder = inner
                .http
                .request(req.method.clone(), &url)
                .timeout(remaining.max(Duration::from_millis(1)))
                .headers(inner.headers.clone())
                .header("X-Request-Id", &request_id)
                .header(reqwest::header::ACCEPT, "application/json");
            if !req.query.is_empty() {
                builder = builder.query(&req.query);
            }
            if req.by_name {
                builder = builder.header("X-Is-Resource-Name", "true");
            }
            if let Some(body) = &req.body {
                builder = builder
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            builder = match &inner.auth {
                Auth::None => builder,
                Auth::Basic { username, password } => {
                    builder.basic_auth(username, Some(password.expose()))
                }
                Auth::Bearer(token) => builder.bearer_auth(token.expose()),
            };

            let outcome = builder.send().await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let failure = match outcome {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    tracing::debug!(method = %req.method, path = %req.path, status, attempt, elapsed_ms, "harbor request");
                    let headers = resp.headers().clone();
                    let answered_id = headers
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                        .unwrap_or_else(|| request_id.clone());
                    if retryable_status(req.retry, status) && attempt <= inner.max_retries {
                        let delay = retry_after(&headers).unwrap_or_else(|| self.backoff(attempt));
                        if Instant::now() + delay < deadline {
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                    }
                    match resp.bytes().await {
                        Ok(body) => {
                            return Ok(Response {
                                status,
                                headers,
                                body: body.to_vec(),
                                request_id: Some(answered_id),
                                method: req.method.clone(),
                                path: req.path.clone(),
                            });
                        }
                        // The body broke off mid-way: the request was processed, so this
                        // is as ambiguous as a dropped connection.
                        Err(e) => transport_error(&e, req, Some(answered_id), false),
                    }
                }
                Err(e) => {
                    tracing::debug!(method = %req.method, path = %req.path, attempt, elapsed_ms, error = %chain(&e), "harbor request failed");
                    transport_error(&e, req, Some(request_id), e.is_connect())
                }
            };
            let (error, before_send) = failure;
            if retryable_transport(req.retry, &error, before_send) && attempt <= inner.max_retries {
                let delay = self.backoff(attempt);
                if Instant::now() + delay < deadline {
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            return Err(error);
        }
    }

    /// This client, retrying at least [`SETTLE_RETRIES`] times within at least
    /// [`SETTLE_BUDGET`] per request.
    fn settling(&self) -> Client {
        if self.inner.max_retries >= SETTLE_RETRIES && self.inner.request_timeout >= SETTLE_BUDGET {
            return self.clone();
        }
        Client {
            inner: Arc::new(Inner {
                max_retries: self.inner.max_retries.max(SETTLE_RETRIES),
                request_timeout: self.inner.request_timeout.max(SETTLE_BUDGET),
                ..(*self.inner).clone()
            }),
        }
    }

    /// Full-jitter exponential back-off: uniform in `[0, min(cap, base * 2^(attempt-1))]`.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.inner.retry_base_delay.as_millis() as u64;
        let cap = self.inner.retry_max_delay.as_millis() as u64;
        let ceiling = base
            .saturating_mul(1u64 << (attempt.saturating_sub(1)).min(20))
            .min(cap);
        Duration::from_millis(rand::rng().random_range(0..=ceiling))
    }

    /// One page of a list endpoint, as `req` asks for it, with its `X-Total-Count`.
    pub(crate) async fn list_page<T: DeserializeOwned>(
        &self,
        req: &Req,
    ) -> Result<(Vec<T>, Option<usize>), Error> {
        let resp = self.send(req).await?;
        match resp.status {
            200 => Ok((resp.json()?, resp.total_count())),
            _ => Err(resp.error()),
        }
    }

    /// GETs every page of a list endpoint with `page_size=100`, following `Link: rel="next"`
    /// and, without a `Link` header, `X-Total-Count`.
    pub(crate) async fn get_all<T: DeserializeOwned>(&self, req: Req) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let page_req = Req {
                method: req.method.clone(),
                path: req.path.clone(),
                query: req
                    .query
                    .iter()
                    .cloned()
                    .chain([
                        ("page".to_owned(), page.to_string()),
                        ("page_size".to_owned(), PAGE_SIZE.to_string()),
                    ])
                    .collect(),
                body: None,
                by_name: req.by_name,
                retry: req.retry,
            };
            let resp = self.send(&page_req).await?;
            let items: Vec<T> = match resp.status {
                200 => resp.json()?,
                _ => return Err(resp.error()),
            };
            let count = items.len();
            all.extend(items);
            let more = if count < PAGE_SIZE {
                false
            } else if let Some(next) = resp.has_next_link() {
                next
            } else if let Some(total) = resp.total_count() {
                all.len() < total
            } else {
                true
            };
            if !more {
                return Ok(all);
            }
        }
        Ok(all)
    }

    /// Sends a create (`POST`) and settles any doubt about whether it happened, so a create
    /// neither fails while its object exists (an orphan) nor runs twice (a duplicate).
    ///
    /// `accept` turns Harbor's answer into the result or an error. After an ambiguous failure
    /// (no answer, a 5xx, an undecodable 201) `lookup` searches for the object the create may
    /// have made and adopts it when it matches what was sent. When nothing is found and no
    /// answer came at all (the connection dropped, possibly before Harbor read the request),
    /// the POST is sent again, within `max_retries` and `request_timeout`. A 409 after such a
    /// repeat is most likely the earlier attempt's object, so it is looked up and adopted
    /// too. Harbor's names are unique, so a repeated POST can never make a second object.
    /// `lookup` gets a client that retries at least [`SETTLE_RETRIES`] times.
    ///
    /// When the doubt remains (the lookup could not run, or a request that got no answer may
    /// still be processed after the lookup, or a 201 came back unreadable) the error is
    /// [`Error::Unsettled`]: the caller must then record the object as possibly existing, so
    /// that it is found again by name rather than orphaned.
    pub(crate) async fn create<T, A, L, F>(
        &self,
        req: &Req,
        accept: A,
        lookup: L,
    ) -> Result<T, Error>
    where
        A: Fn(&Response) -> Result<T, Error>,
        L: Fn(Client) -> F,
        F: std::future::Future<Output = Result<Option<T>, Error>>,
    {
        let deadline = Instant::now() + self.inner.request_timeout;
        let mut attempt: u32 = 0;
        let mut repeated = false;
        // Why an earlier attempt may still have made the object, once one may have.
        let mut doubt: Option<String> = None;
        loop {
            attempt += 1;
            let failure = match self.send(req).await {
                Ok(resp) => match accept(&resp) {
                    Ok(value) => return Ok(value),
                    Err(error) => error,
                },
                Err(error) => error,
            };
            let in_doubt = failure.is_ambiguous() || (repeated && failure.is_conflict());
            if !in_doubt {
                return Err(unsettled_if(failure, doubt));
            }
            let unanswered = matches!(failure, Error::Transport { .. });
            match lookup(self.settling()).await {
                Ok(Some(found)) => {
                    tracing::debug!(
                        request_id = failure.request_id(),
                        attempt,
                        "adopted the object of a create whose outcome was unknown"
                    );
                    return Ok(found);
                }
                Ok(None) if unanswered => {
                    doubt = Some(
                        "it was not found afterwards, but a request that got no answer may \
                         still be processed"
                            .into(),
                    );
                }
                Ok(None) if matches!(failure, Error::Decode { .. }) => {
                    doubt = Some("Harbor answered 201 Created, but its answer was unreadable and the object was not found by name".into());
                }
                // Harbor answered (a 5xx, or a 409 that is not our object) and has nothing
                // of ours: this attempt made nothing. An earlier one may have (`doubt`).
                Ok(None) => {}
                Err(lookup_error) => {
                    tracing::debug!(error = %lookup_error, "lookup after an ambiguous create failed");
                    doubt = Some(format!("looking for it failed: {lookup_error}"));
                }
            }
            let delay = self.backoff(attempt);
            if unanswered && attempt <= self.inner.max_retries && Instant::now() + delay < deadline
            {
                tracing::debug!(
                    method = %req.method,
                    path = %req.path,
                    attempt,
                    "create got no answer and nothing was found; sending it again"
                );
                tokio::time::sleep(delay).await;
                repeated = true;
                continue;
            }
            return Err(unsettled_if(failure, doubt));
        }
    }
}

/// `error`, marked [`Error::Unsettled`] when an attempt may have made the object.
fn unsettled_if(error: Error, doubt: Option<String>) -> Error {
    match doubt {
        Some(why) => Error::Unsettled {
            cause: Box::new(error),
            why,
        },
        None => error,
    }
}

fn retryable_status(retry: Retry, status: u16) -> bool {
    match retry {
        Retry::Idempotent => matches!(status, 429 | 502 | 503 | 504),
        // 429 and 503 come before Harbor processes anything (rate limiter, proxy).
        Retry::CreateSafe => matches!(status, 429 | 503),
        Retry::Never => false,
    }
}

fn retryable_transport(retry: Retry, error: &Error, before_send: bool) -> bool {
    // A certificate problem does not fix itself; fail fast so the user sees it.
    if error.is_tls() {
        return false;
    }
    match retry {
        Retry::Idempotent => true,
        Retry::CreateSafe => before_send,
        Retry::Never => false,
    }
}

/// `Retry-After` in seconds; the HTTP-date form is rare enough to fall back to back-off.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Classifies a reqwest error. The URL is left out of the message (it could carry
/// user info), and reqwest errors never include headers.
fn transport_error(
    error: &reqwest::Error,
    req: &Req,
    request_id: Option<String>,
    connect_phase: bool,
) -> (Error, bool) {
    let kind = if is_tls_error(error) {
        TransportKind::Tls
    } else if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    };
    (
        Error::Transport {
            kind,
            message: chain(error),
            request_id,
            method: req.method.to_string(),
            path: req.path.clone(),
        },
        connect_phase,
    )
}

/// Walks the source chain for a rustls error; `io::Error` hides its payload from
/// `source()`, so look inside it explicitly.
fn is_tls_error(error: &(dyn StdError + 'static)) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = current {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(payload) = io.get_ref()
            && (payload.downcast_ref::<rustls::Error>().is_some() || is_tls_error(payload))
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// The error and its causes, `: `-joined. reqwest's own Display appends the URL, so
/// the top level is named by category instead.
fn chain(error: &reqwest::Error) -> String {
    let mut text = describe(error).to_owned();
    let mut current = error.source();
    while let Some(e) = current {
        let part = e.to_string();
        if !part.is_empty() && !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        current = e.source();
    }
    text
}

fn describe(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "operation timed out"
    } else if error.is_connect() {
        "error connecting"
    } else if error.is_body() {
        "error reading body"
    } else if error.is_decode() {
        "error decoding body"
    } else if error.is_request() {
        "error sending request"
    } else if error.is_builder() {
        "invalid client setting"
    } else {
        "HTTP error"
    }
}

/// Validates the configured URL and appends the API root.
fn base_url(url: &str) -> Result<String, Error> {
    let trimmed = url.trim().trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/api/v2.0").unwrap_or(trimmed);
    let parsed = reqwest::Url::parse(trimmed)
        .map_err(|e| Error::InvalidConfig(format!("url {trimmed:?} is not a valid URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::InvalidConfig(format!(
            "url must start with https:// or http://, got {:?}",
            parsed.scheme()
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Keeping credentials out of the URL keeps them out of every error message.
        return Err(Error::InvalidConfig(
            "url must not contain credentials; use username and password".into(),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::InvalidConfig("url has no host".into()));
    }
    Ok(format!("{trimmed}/api/v2.0"))
}

/// A random UUID (version 4 layout) for `X-Request-Id`.
fn new_request_id() -> String {
    let mut bytes: [u8; 16] = rand::rng().random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Escapes a value inside `q` for Harbor's second URL-unescape on the server: `%` and
/// `+` (robot names `proj+x`) must survive it.
pub(crate) fn q_escape(value: &str) -> String {
    value.replace('%', "%25").replace('+', "%2B")
}

/// One exact-match `q` term `key=value`, or `None` when Harbor's query language cannot say it
/// and the caller must list without it (every caller filters the rows exactly afterwards).
/// Harbor's `q.Build` (lib/q/builder.go) answers 400 for an empty value and splits terms on every
/// comma, so a registry or policy named `a,b` (their names allow commas) cannot be asked for; a
/// value opening with `~`, `[`, `{` or `(` would be read as a fuzzy match, range or list, so it
/// is escaped with the backslash `escapeValue` strips.
pub(crate) fn q_exact(key: &str, value: &str) -> Option<String> {
    if value.is_empty() || value.contains(',') {
        return None;
    }
    let escape = if value.starts_with(['~', '[', '{', '(', '\\']) {
        "\\"
    } else {
        ""
    };
    Some(format!("{key}={escape}{}", q_escape(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_trims_and_appends_api_root() {
        assert_eq!(
            base_url("https://h.example.com/").unwrap(),
            "https://h.example.com/api/v2.0"
        );
        assert_eq!(
            base_url("https://h.example.com/api/v2.0/").unwrap(),
            "https://h.example.com/api/v2.0"
        );
        assert!(base_url("ftp://h").is_err());
        assert!(base_url("not a url").is_err());
        let err = base_url("https://admin:hunter2@h.example.com").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn request_ids_look_like_uuids_and_differ() {
        let a = new_request_id();
        let b = new_request_id();
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_ne!(a, b);
    }

    #[test]
    fn q_exact_leaves_out_what_harbor_cannot_parse_and_escapes_patterns() {
        assert_eq!(q_exact("name", "ci").as_deref(), Some("name=ci"));
        assert_eq!(q_exact("name", ""), None);
        assert_eq!(q_exact("name", "a,b"), None);
        assert_eq!(q_exact("name", "~x").as_deref(), Some("name=\\~x"));
        assert_eq!(q_exact("name", "[a").as_deref(), Some("name=\\[a"));
        assert_eq!(q_exact("name", "a+b").as_deref(), Some("name=a%2Bb"));
    }

    #[test]
    fn q_escape_survives_double_unescape() {
        assert_eq!(q_escape("proj+ci"), "proj%2Bci");
        assert_eq!(q_escape("a%b"), "a%25b");
    }

    #[test]
    fn backoff_is_bounded_by_cap() {
        let mut config = ClientConfig::new("http://127.0.0.1:1");
        config.retry_base_delay = Duration::from_millis(200);
        config.retry_max_delay = Duration::from_millis(500);
        let client = Client::new(config).unwrap();
        for attempt in 1..40 {
            assert!(client.backoff(attempt) <= Duration::from_millis(500));
        }
    }
}
