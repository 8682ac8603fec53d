//! Opt-in exchange log (`Config::record_exchanges`): every `/api/v2.0` request and its answer, so a
//! conformance test can check both against Harbor's swagger spec. `GET /_emulator/exchanges` reads
//! it, `DELETE /_emulator/exchanges` (or `POST /_emulator/reset`) clears it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use serde_json::Value;

use crate::state::App;
use crate::util::{ok_empty, ok_json};

/// The log keeps the most recent exchanges only, so a long-running emulator stays small.
pub const MAX_EXCHANGES: usize = 10_000;

/// Bodies larger than this are not recorded (nothing in the emulated API comes close).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One request and the emulator's answer to it.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub method: String,
    /// The route template, e.g. `/api/v2.0/projects/{project_name_or_id}`, as the counters use.
    pub route: String,
    /// The path as requested, e.g. `/api/v2.0/projects/apps`.
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    /// The request body when it is JSON; `request_text` holds any other non-empty body.
    pub request_body: Option<Value>,
    pub request_text: Option<String>,
    pub response_body: Option<Value>,
    pub response_text: Option<String>,
    pub location: Option<String>,
    /// Request headers by lower-case name, credentials (`authorization`, `cookie`) left out.
    pub request_headers: BTreeMap<String, String>,
    /// Response headers by lower-case name.
    pub response_headers: BTreeMap<String, String>,
}

/// The log itself; a no-op unless enabled at start.
#[derive(Debug, Default)]
pub struct Recorder {
    enabled: bool,
    log: Mutex<VecDeque<Exchange>>,
}

impl Recorder {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            log: Mutex::default(),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    fn push(&self, exchange: Exchange) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == MAX_EXCHANGES {
            log.pop_front();
        }
        log.push_back(exchange);
    }

    pub fn snapshot(&self) -> Vec<Exchange> {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().cloned().collect()
    }

    pub fn clear(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Headers as a map; repeated headers are joined with `, `. Credentials are never recorded.
fn header_map(headers: &axum::http::HeaderMap) -> BTreeMap<String, String> {
    let mut map = BTreeMap::<String, String>::new();
    for (name, value) in headers {
        let name = name.as_str();
        if matches!(name, "authorization" | "proxy-authorization" | "cookie") {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        map.entry(name.to_string())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    map
}

/// Splits a body into JSON, or text when it is not JSON; an empty body is neither.
fn split_body(bytes: &[u8]) -> (Option<Value>, Option<String>) {
    if bytes.is_empty() {
        return (None, None);
    }
    match serde_json::from_slice(bytes) {
        Ok(v) => (Some(v), None),
        Err(_) => (None, Some(String::from_utf8_lossy(bytes).into_owned())),
    }
}

/// Middleware: records `/api/v2.0` exchanges when enabled, passes everything else through.
/// It sits inside the fault injector, so it records the emulator's own answers only.
pub async fn middleware(State(app): State<App>, req: Request, next: Next) -> Response {
    if !app.exchanges.enabled || !req.uri().path().starts_with("/api/v2.0") {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |m| m.as_str())
        .to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let (parts, body) = req.into_parts();
    let request_headers = header_map(&parts.headers);
    let request_bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    let (request_body, request_text) = split_body(&request_bytes);
    let response = next
        .run(Request::from_parts(parts, Body::from(request_bytes)))
        .await;
    let (parts, body) = response.into_parts();
    let response_bytes: Bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    let (response_body, response_text) = split_body(&response_bytes);
    let location = parts
        .headers
        .get("Location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    app.exchanges.push(Exchange {
        method,
        route,
        path,
        query,
        status: parts.status.as_u16(),
        request_body,
        request_text,
        response_body,
        response_text,
        location,
        request_headers,
        response_headers: header_map(&parts.headers),
    });
    Response::from_parts(parts, Body::from(response_bytes))
}

/// `GET /_emulator/exchanges`
async fn list(State(app): State<App>) -> Response {
    ok_json(app.exchanges.snapshot())
}

/// `DELETE /_emulator/exchanges`
async fn clear(State(app): State<App>) -> Response {
    app.exchanges.clear();
    ok_empty()
}

/// The control routes of the log, merged into the emulator's router.
pub fn routes() -> Router<App> {
    Router::new().route("/_emulator/exchanges", get(list).delete(clear))
}
