//! Client tests against small fake Harbors: an axum app for API shapes, and a scripted
//! raw HTTP server (optionally TLS) for failures axum cannot fake, such as dropped connections.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

use super::models::*;
use super::*;

// ------------------------------------------------------------------ harness

/// A config for tests: fast back-off, short timeouts.
fn config(url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(url);
    config.retry_base_delay = Duration::from_millis(5);
    config.retry_max_delay = Duration::from_millis(20);
    config.request_timeout = Duration::from_secs(10);
    config.connect_timeout = Duration::from_secs(2);
    config.max_retries = 3;
    config
}

async fn serve_axum(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{addr}")
}

/// What the scripted server does with the next request.
enum Step {
    /// Reads the request, then closes the connection without answering.
    Drop,
    /// Reads the request and never answers.
    Hang,
    Reply(u16, Vec<(&'static str, String)>, String),
}

fn reply(status: u16, body: serde_json::Value) -> Step {
    Step::Reply(status, vec![], body.to_string())
}

#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    target: String,
    headers: HashMap<String, String>,
    at: Instant,
}

struct Scripted {
    url: String,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl Scripted {
    fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    fn count(&self, method: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method)
            .count()
    }
}

/// Serves `steps` in order, one connection per request (`Connection: close`).
/// With `tls`, the same over TLS; failed handshakes consume no step.
async fn scripted(steps: Vec<Step>, tls: Option<tokio_rustls::TlsAcceptor>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let server_log = log.clone();
    tokio::spawn(async move {
        let mut steps = steps.into_iter();
        let mut hung = Vec::new();
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let stream: Box<dyn Stream> = match &tls {
                Some(acceptor) => match acceptor.accept(tcp).await {
                    Ok(s) => Box::new(s),
                    Err(_) => continue,
                },
                None => Box::new(tcp),
            };
            let mut stream = stream;
            let Some(recorded) = read_request(&mut stream).await else {
                continue;
            };
            server_log.lock().unwrap().push(recorded);
            match steps.next() {
                Some(Step::Drop) => drop(stream),
                Some(Step::Hang) => hung.push(stream),
                Some(Step::Reply(status, headers, body)) => {
                    write_reply(&mut stream, status, &headers, &body).await
                }
                None => write_reply(&mut stream, 500, &[], "script exhausted").await,
            }
        }
    });
    Scripted {
        url: format!("http://{addr}"),
        log,
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

async fn read_request(stream: &mut Box<dyn Stream>) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        target,
        headers,
        at: Instant::now(),
    })
}

async fn write_reply(
    stream: &mut Box<dyn Stream>,
    status: u16,
    headers: &[(&'static str, String)],
    body: &str,
) {
    let mut text = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\nX-Request-Id: srv-{status}\r\n",
        body.len()
    );
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    let _ = stream.write_all(text.as_bytes()).await;
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

fn project_json(id: i64, name: &str) -> serde_json::Value {
    json!({"project_id": id, "name": name, "metadata": {"public": "false"}})
}

// ------------------------------------------------------------------ paging

#[derive(Default)]
struct PagingState {
    requests: AtomicUsize,
    page_sizes: Mutex<Vec<String>>,
}

async fn paged_projects(
    State(state): State<Arc<PagingState>>,
    Query(query): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let size: usize = query
        .get("page_size")
        .and_then(|p| p.parse().ok())
        .unwrap_or(10);
    state
        .page_sizes
        .lock()
        .unwrap()
        .push(query.get("page_size").cloned().unwrap_or_default());
    let total = 250usize;
    let items: Vec<_> = ((page - 1) * size..(page * size).min(total))
        .map(|i| project_json(i as i64 + 1, &format!("p{i}")))
        .collect();
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", total.to_string().parse().unwrap());
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!(
            "</api/v2.0/projects?page={}&page_size={size}>; rel=\"prev\"",
            page - 1
        ));
    }
    if page * size < total {
        links.push(format!(
            "</api/v2.0/projects?page={}&page_size={size}>; rel=\"next\"",
            page + 1
        ));
    }
    if !links.is_empty() {
        headers.insert("link", links.join(" , ").parse().unwrap());
    }
    (headers, axum::Json(items))
}

#[tokio::test]
async fn list_walks_every_page_with_page_size_100() {
    let state = Arc::new(PagingState::default());
    let router = Router::new()
        .route("/api/v2.0/projects", get(paged_projects))
        .with_state(state.clone());
    let url = serve_axum(router).await;
    let client = Client::new(config(&url)).unwrap();
    let projects = client
        .list_projects(&ProjectListFilter::default())
        .await
        .unwrap();
    assert_eq!(projects.len(), 250);
    assert_eq!(projects[249].name, "p249");
    assert_eq!(state.requests.load(Ordering::SeqCst), 3);
    assert!(state.page_sizes.lock().unwrap().iter().all(|s| s == "100"));
}

#[tokio::test]
async fn paging_follows_total_count_without_link_header() {
    let items: Vec<_> = (0..100)
        .map(|i| project_json(i, &format!("p{i}")))
        .collect();
    let last: Vec<_> = (100..101)
        .map(|i| project_json(i, &format!("p{i}")))
        .collect();
    let server = scripted(
        vec![
            Step::Reply(
                200,
                vec![("X-Total-Count", "101".into())],
                json!(items).to_string(),
            ),
            Step::Reply(
                200,
                vec![("X-Total-Count", "101".into())],
                json!(last).to_string(),
            ),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let projects = client
        .list_projects(&ProjectListFilter::default())
        .await
        .unwrap();
    assert_eq!(projects.len(), 101);
    assert_eq!(server.count("GET"), 2);
    assert!(server.requests()[1].target.contains("page=2"));
}

// ------------------------------------------------------------------ request shape

#[tokio::test]
async fn project_by_name_sends_resource_name_header_request_id_and_user_agent() {
    let server = scripted(vec![reply(200, project_json(7, "123"))], None).await;
    let client = Client::new(config(&server.url).with_basic_auth("admin", "pw")).unwrap();
    let project = client
        .get_project(&ProjectRef::Name("123".into()))
        .await
        .unwrap();
    assert_eq!(project.project_id, 7);
    let request = &server.requests()[0];
    assert_eq!(request.target, "/api/v2.0/projects/123");
    assert_eq!(request.headers["x-is-resource-name"], "true");
    assert_eq!(request.headers["x-request-id"].len(), 36);
    assert!(
        request.headers["user-agent"].starts_with("terraform-provider-harbor/"),
        "{:?}",
        request.headers
    );
    assert!(request.headers["authorization"].starts_with("Basic "));
    assert!(!request.headers.contains_key("cookie"));
}

/// What Harbor 2.15.2 answered a system robot for `GET /projects/1` (seen on a real Harbor
/// built from its source, see FIDELITY.md): a caller who is no project member gets
/// `"current_user_role_ids": null` (`server/v2.0/handler/model/project.go` `ToSwagger` leaves the
/// slice nil) and no `togglable`, `deleted` or `current_user_role_id` at all.
#[tokio::test]
async fn a_project_read_by_a_robot_decodes_with_null_role_ids() {
    let body = json!({"creation_time":"2026-11-29T20:13:39.141Z","current_user_role_ids":null,
        "cve_allowlist":{"creation_time":"0001-01-01T00:00:00.000Z","id":1,"items":[],"project_id":1,
        "update_time":"0001-01-01T00:00:00.000Z"},"metadata":{"public":"true"},"name":"library",
        "owner_id":1,"owner_name":"admin","project_id":1,"repo_count":0,
        "update_time":"2026-11-29T20:13:39.141Z"});
    let server = scripted(vec![reply(200, body)], None).await;
    let client = Client::new(config(&server.url).with_basic_auth("robot$ci", "pw")).unwrap();
    let project = client
        .get_project(&ProjectRef::Name("library".into()))
        .await
        .expect("a robot's project read decodes");
    assert_eq!(project.project_id, 1);
    assert_eq!(project.metadata.public.as_deref(), Some("true"));
}

#[tokio::test]
async fn exact_name_filters_use_q_and_extra_headers_are_sent() {
    let server = scripted(vec![reply(200, json!([]))], None).await;
    let mut cfg = config(&server.url);
    cfg.headers = vec![
        ("X-Gateway-Key".into(), Secret::new("k3y")),
        ("Host".into(), Secret::new("harbor.internal")),
    ];
    let client = Client::new(cfg).unwrap();
    let robots = client.list_project_robots(5).await.unwrap();
    assert!(robots.is_empty());
    let request = &server.requests()[0];
    assert!(
        request.target.contains("q=Level%3Dproject%2CProjectID%3D5"),
        "{}",
        request.target
    );
    assert_eq!(request.headers["x-gateway-key"], "k3y");
    assert_eq!(request.headers["host"], "harbor.internal");
}

#[tokio::test]
async fn create_returns_the_id_from_location() {
    let server = scripted(
        vec![Step::Reply(
            201,
            vec![("Location", "/api/v2.0/projects/42".into())],
            String::new(),
        )],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let id = client
        .create_project(&ProjectReq {
            project_name: Some("ci".into()),
            ..ProjectReq::default()
        })
        .await
        .unwrap();
    assert_eq!(id, 42);
}

#[tokio::test]
async fn delete_repository_double_encodes_slashes() {
    let server = scripted(vec![reply(200, json!({}))], None).await;
    let client = Client::new(config(&server.url)).unwrap();
    client.delete_repository("lib", "team/nginx").await.unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/api/v2.0/projects/lib/repositories/team%252Fnginx"
    );
}

// ------------------------------------------------------------------ retries

#[tokio::test]
async fn idempotent_calls_retry_503_and_429_honouring_retry_after() {
    let server = scripted(
        vec![
            Step::Reply(503, vec![("Retry-After", "1".into())], "{}".into()),
            Step::Reply(429, vec![], "{}".into()),
            reply(200, json!({"harbor_version": "v2.14.0-abc"})),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let info = client.systeminfo().await.unwrap();
    assert_eq!(info.harbor_version.as_deref(), Some("v2.14.0-abc"));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(
        requests[1].at - requests[0].at >= Duration::from_secs(1),
        "Retry-After ignored: {:?}",
        requests[1].at - requests[0].at
    );
    // A fresh request id per attempt.
    assert_ne!(
        requests[0].headers["x-request-id"],
        requests[1].headers["x-request-id"]
    );
}

#[tokio::test]
async fn retries_stop_after_max_retries_with_the_last_answer() {
    let server = scripted(
        (0..3)
            .map(|_| {
                reply(
                    502,
                    json!({"errors":[{"code":"UNKNOWN","message":"bad gateway"}]}),
                )
            })
            .collect(),
        None,
    )
    .await;
    let mut cfg = config(&server.url);
    cfg.max_retries = 2;
    let client = Client::new(cfg).unwrap();
    let err = client.get_robot(1).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.request_id(), Some("srv-502"));
    assert_eq!(server.count("GET"), 3);
}

#[tokio::test]
async fn idempotent_calls_retry_dropped_connections() {
    let server = scripted(
        vec![
            Step::Drop,
            Step::Drop,
            reply(200, json!({"id": 3, "name": "robot$x"})),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let robot = client.get_robot(3).await.unwrap();
    assert_eq!(robot.name, "robot$x");
    assert_eq!(server.count("GET"), 3);
}

#[tokio::test]
async fn patch_of_robot_secret_is_never_retried() {
    let server = scripted(vec![Step::Reply(503, vec![], "{}".into())], None).await;
    let client = Client::new(config(&server.url)).unwrap();
    let err = client.refresh_robot_secret(3, None).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.count("PATCH"), 1);
}

#[tokio::test]
async fn request_timeout_bounds_the_whole_operation() {
    let server = scripted(vec![Step::Hang, Step::Hang], None).await;
    let mut cfg = config(&server.url);
    cfg.request_timeout = Duration::from_millis(300);
    let client = Client::new(cfg).unwrap();
    let started = Instant::now();
    let err = client.get_robot(1).await.unwrap_err();
    assert_eq!(err.transport_kind(), Some(TransportKind::Timeout), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ------------------------------------------------------------------ creates

fn ci_project() -> ProjectReq {
    ProjectReq {
        project_name: Some("ci".into()),
        metadata: Some(ProjectMetadata {
            public: Some("true".into()),
            ..ProjectMetadata::default()
        }),
        ..ProjectReq::default()
    }
}

#[tokio::test]
async fn ambiguous_create_adopts_the_matching_object_without_repeating_post() {
    let server = scripted(
        vec![
            Step::Drop,
            Step::Reply(
                200,
                vec![("X-Total-Count", "1".into())],
                json!([{"project_id": 9, "name": "ci", "metadata": {"public": "true"}}])
                    .to_string(),
            ),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let id = client.create_project(&ci_project()).await.unwrap();
    assert_eq!(id, 9);
    assert_eq!(server.count("POST"), 1);
    let lookup = &server.requests()[1];
    assert_eq!(lookup.method, "GET");
    assert!(lookup.target.contains("q=name%3Dci"), "{}", lookup.target);
}

#[tokio::test]
async fn ambiguous_create_keeps_the_error_when_the_found_object_differs() {
    let server = scripted(
        vec![
            reply(
                500,
                json!({"errors":[{"code":"UNKNOWN","message":"internal server error"}]}),
            ),
            Step::Reply(
                200,
                vec![("X-Total-Count", "1".into())],
                json!([{"project_id": 9, "name": "ci", "metadata": {"public": "false"}}])
                    .to_string(),
            ),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let err = client.create_project(&ci_project()).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn dropped_create_with_nothing_created_is_sent_again() {
    let server = scripted(
        vec![
            Step::Drop,
            Step::Reply(200, vec![("X-Total-Count", "0".into())], "[]".into()),
            Step::Reply(
                201,
                vec![("Location", "/api/v2.0/projects/77".into())],
                String::new(),
            ),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    assert_eq!(client.create_project(&ci_project()).await.unwrap(), 77);
    let methods: Vec<_> = server.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["POST", "GET", "POST"]);
}

#[tokio::test]
async fn conflict_after_a_repeated_create_adopts_the_first_attempts_object() {
    // The first POST was still being processed when the lookup ran.
    let found = json!([{"project_id": 9, "name": "ci", "metadata": {"public": "true"}}]);
    let server = scripted(
        vec![
            Step::Drop,
            Step::Reply(200, vec![("X-Total-Count", "0".into())], "[]".into()),
            reply(
                409,
                json!({"errors":[{"code":"CONFLICT","message":"The project named ci already exists"}]}),
            ),
            Step::Reply(200, vec![("X-Total-Count", "1".into())], found.to_string()),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    assert_eq!(client.create_project(&ci_project()).await.unwrap(), 9);
    assert_eq!(server.count("POST"), 2);
}

#[tokio::test]
async fn settling_an_ambiguous_create_retries_its_lookup_even_without_retries() {
    let found = json!([{"project_id": 9, "name": "ci", "metadata": {"public": "true"}}]);
    let server = scripted(
        vec![
            Step::Drop,
            Step::Reply(503, vec![], "{}".into()),
            Step::Reply(200, vec![("X-Total-Count", "1".into())], found.to_string()),
        ],
        None,
    )
    .await;
    let mut config = config(&server.url);
    config.max_retries = 0;
    let client = Client::new(config).unwrap();
    assert_eq!(client.create_project(&ci_project()).await.unwrap(), 9);
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn dropped_create_is_not_sent_again_without_retries() {
    let server = scripted(
        vec![
            Step::Drop,
            Step::Reply(200, vec![("X-Total-Count", "0".into())], "[]".into()),
        ],
        None,
    )
    .await;
    let mut config = config(&server.url);
    config.max_retries = 0;
    let client = Client::new(config).unwrap();
    let err = client.create_project(&ci_project()).await.unwrap_err();
    // Not found by the lookup, but a request that got no answer may still be processed: the
    // caller is told Harbor may hold the project.
    let Error::Unsettled { cause, .. } = &err else {
        panic!("expected an unsettled create, got {err}");
    };
    assert_eq!(cause.transport_kind(), Some(TransportKind::Other), "{err}");
    assert_eq!(server.count("POST"), 1);
}

/// The path that orphaned a project under faults: with `request_timeout = 1`, a lookup
/// answered 429 with `Retry-After: 1` could not wait within the request's own deadline, so
/// the first busy answer ended the settling.
#[tokio::test]
async fn settling_waits_out_retry_after_even_with_a_short_request_timeout() {
    let found = json!([{"project_id": 9, "name": "ci", "metadata": {"public": "true"}}]);
    let busy = || Step::Reply(429, vec![("Retry-After", "1".into())], "{}".into());
    let server = scripted(
        vec![
            Step::Drop,
            busy(),
            busy(),
            Step::Reply(200, vec![("X-Total-Count", "1".into())], found.to_string()),
        ],
        None,
    )
    .await;
    let mut config = config(&server.url);
    config.max_retries = 0;
    config.request_timeout = Duration::from_secs(1);
    let client = Client::new(config).unwrap();
    assert_eq!(client.create_project(&ci_project()).await.unwrap(), 9);
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn a_create_whose_lookup_keeps_failing_is_unsettled() {
    let busy = || Step::Reply(503, vec![], "{}".into());
    let server = scripted(
        vec![Step::Drop, busy(), busy(), busy(), busy(), busy()],
        None,
    )
    .await;
    let mut config = config(&server.url);
    config.max_retries = 0;
    let client = Client::new(config).unwrap();
    let err = client.create_project(&ci_project()).await.unwrap_err();
    assert!(err.is_unsettled(), "{err}");
    assert!(err.to_string().contains("looking for it failed"), "{err}");
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn an_answered_503_with_nothing_found_is_a_plain_error() {
    let server = scripted(
        vec![
            Step::Reply(503, vec![], "{}".into()),
            Step::Reply(200, vec![("X-Total-Count", "0".into())], "[]".into()),
        ],
        None,
    )
    .await;
    let mut config = config(&server.url);
    config.max_retries = 0;
    let client = Client::new(config).unwrap();
    let err = client.create_project(&ci_project()).await.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    assert!(!err.is_unsettled(), "{err}");
}

#[tokio::test]
async fn create_is_retried_on_503_answered_before_processing() {
    let server = scripted(
        vec![
            Step::Reply(503, vec![], "{}".into()),
            Step::Reply(
                201,
                vec![("Location", "/api/v2.0/registries/4".into())],
                String::new(),
            ),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let registry = Registry {
        name: "hub".into(),
        url: "https://hub.docker.com".into(),
        registry_type: "docker-hub".into(),
        ..Registry::default()
    };
    assert_eq!(client.create_registry(&registry).await.unwrap(), 4);
    assert_eq!(server.count("POST"), 2);
}

#[tokio::test]
async fn conflict_on_create_is_reported_not_adopted() {
    let server = scripted(
        vec![reply(
            409,
            json!({"errors":[{"code":"CONFLICT","message":"The project named ci already exists"}]}),
        )],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let err = client.create_project(&ci_project()).await.unwrap_err();
    assert!(err.is_conflict());
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn ambiguous_robot_create_adopts_and_rotates_the_secret() {
    let robot = json!({
        "id": 11, "name": "robot$ci", "level": "system", "description": "",
        "permissions": [{"kind": "project", "namespace": "*",
                         "access": [{"resource": "repository", "action": "pull", "effect": "allow"}]}]
    });
    let server = scripted(
        vec![
            Step::Drop,
            Step::Reply(
                200,
                vec![("X-Total-Count", "1".into())],
                json!([robot]).to_string(),
            ),
            reply(200, json!({"secret": "N3wSecret"})),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let created = client
        .create_robot(&RobotCreate {
            name: "ci".into(),
            level: "system".into(),
            duration: Some(-1),
            permissions: vec![RobotPermission {
                kind: "project".into(),
                namespace: "*".into(),
                access: vec![Access {
                    resource: "repository".into(),
                    action: "pull".into(),
                    effect: Some("allow".into()),
                }],
            }],
            ..RobotCreate::default()
        })
        .await
        .unwrap();
    assert_eq!(created.id, 11);
    assert_eq!(created.secret.expose(), "N3wSecret");
    assert_eq!(server.count("POST"), 1);
    assert_eq!(server.count("PATCH"), 1);
}

// ------------------------------------------------------------------ deletes

#[tokio::test]
async fn delete_of_something_already_gone_succeeds() {
    let server = scripted(
        vec![harbor_404(), harbor_404(), harbor_404(), harbor_404()],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    client.delete_project(&ProjectRef::Id(3)).await.unwrap();
    client.delete_robot(3).await.unwrap();
    client.delete_registry(3).await.unwrap();
    client.delete_replication_policy(3).await.unwrap();
    assert_eq!(server.count("DELETE"), 4);
}

#[tokio::test]
async fn delete_precondition_failure_is_an_error() {
    let server = scripted(
        vec![reply(
            412,
            json!({"errors":[{"code":"PRECONDITION","message":"the project contains repositories, can not be deleted"}]}),
        )],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let err = client
        .delete_project(&ProjectRef::Name("ci".into()))
        .await
        .unwrap_err();
    assert!(err.is_precondition_failed());
    assert_eq!(err.code(), Some("PRECONDITION"));
}

// ------------------------------------------------------------------ connect / probe

/// A fake Harbor with an admin, a robot and configurable version; wrong credentials
/// become anonymous, as in Harbor.
#[derive(Clone)]
struct Fake {
    version: &'static str,
    ping: &'static str,
}

#[derive(PartialEq)]
enum Who {
    Anonymous,
    Admin,
    Robot,
}

fn who(headers: &HeaderMap) -> Who {
    use base64::Engine;
    let Some(auth) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return Who::Anonymous;
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .unwrap_or_default();
    match String::from_utf8_lossy(&decoded).as_ref() {
        "admin:Harbor12345" => Who::Admin,
        "robot$ci:S3cretRobot" => Who::Robot,
        _ => Who::Anonymous,
    }
}

fn fake_harbor(fake: Fake) -> Router {
    Router::new()
        .route(
            "/api/v2.0/ping",
            get(|State(f): State<Fake>| async move { f.ping }),
        )
        .route(
            "/api/v2.0/users/current",
            get(|headers: HeaderMap| async move {
                match who(&headers) {
                    Who::Admin => (
                        StatusCode::OK,
                        axum::Json(
                            json!({"user_id": 1, "username": "admin", "sysadmin_flag": true}),
                        ),
                    ),
                    Who::Robot => (
                        StatusCode::PRECONDITION_FAILED,
                        axum::Json(
                            json!({"errors":[{"code":"PRECONDITION","message":"not a user"}]}),
                        ),
                    ),
                    Who::Anonymous => (
                        StatusCode::UNAUTHORIZED,
                        axum::Json(
                            json!({"errors":[{"code":"UNAUTHORIZED","message":"UnAuthorized"}]}),
                        ),
                    ),
                }
            }),
        )
        .route(
            "/api/v2.0/systeminfo",
            get(|State(f): State<Fake>, headers: HeaderMap| async move {
                match who(&headers) {
                    Who::Anonymous => axum::Json(json!({"auth_mode": "db_auth"})),
                    _ => axum::Json(json!({"auth_mode": "db_auth", "harbor_version": f.version})),
                }
            }),
        )
        .route(
            "/api/v2.0/configurations",
            get(|headers: HeaderMap| async move {
                match who(&headers) {
                    Who::Admin => (
                        StatusCode::OK,
                        axum::Json(
                            json!({"robot_name_prefix": {"value": "bot_", "editable": true}}),
                        ),
                    ),
                    _ => (
                        StatusCode::FORBIDDEN,
                        axum::Json(json!({"errors":[{"code":"FORBIDDEN","message":"forbidden"}]})),
                    ),
                }
            }),
        )
        .with_state(fake)
}

async fn fake_url(version: &'static str) -> String {
    serve_axum(fake_harbor(Fake {
        version,
        ping: "Pong",
    }))
    .await
}

#[tokio::test]
async fn connect_as_admin_reads_version_and_robot_prefix() {
    let url = fake_url("v2.14.1-6f4b3a2c").await;
    let client = Client::new(config(&url).with_basic_auth("admin", "Harbor12345")).unwrap();
    let connection = client.connect().await.unwrap();
    assert!(matches!(connection.principal, Principal::User(ref u) if u.sysadmin_flag));
    assert_eq!(connection.version, Some(HarborVersion::new(2, 14, 1)));
    assert_eq!(connection.robot_name_prefix.as_deref(), Some("bot_"));
    assert!(
        !connection
            .version
            .unwrap()
            .supports(Feature::RegistryCaCertificate)
    );
}

/// Configure is on the critical path of every command: its four requests go out as two
/// pairs. Each request of a pair is held until its partner arrives, so a connect that sent
/// them one after another would never finish; the second pair starts only once the
/// credential check of the first has been answered.
#[tokio::test]
async fn connect_sends_its_four_requests_in_two_round_trips() {
    let events = Arc::new(Mutex::new(Vec::<String>::new()));
    let first = Arc::new(tokio::sync::Barrier::new(2));
    let second = Arc::new(tokio::sync::Barrier::new(2));
    let log = events.clone();
    let router = fake_harbor(Fake {
        version: "v2.15.2",
        ping: "Pong",
    })
    .layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let log = log.clone();
            let (first, second) = (first.clone(), second.clone());
            async move {
                let path = req.uri().path().trim_start_matches("/api/v2.0/").to_owned();
                log.lock().unwrap().push(format!("asked {path}"));
                match path.as_str() {
                    "ping" | "users/current" => first.wait().await,
                    _ => second.wait().await,
                };
                let answer = next.run(req).await;
                log.lock().unwrap().push(format!("answered {path}"));
                answer
            }
        },
    ));
    let url = serve_axum(router).await;
    let client = Client::new(config(&url).with_basic_auth("admin", "Harbor12345")).unwrap();
    let connection = tokio::time::timeout(Duration::from_secs(20), client.connect())
        .await
        .expect("connect sent a request of a pair only after its partner was answered")
        .unwrap();
    assert_eq!(connection.robot_name_prefix.as_deref(), Some("bot_"));
    let events = events.lock().unwrap().clone();
    let at = |e: &str| {
        events
            .iter()
            .position(|x| x == e)
            .unwrap_or_else(|| panic!("{e}: {events:?}"))
    };
    assert!(
        at("answered users/current") < at("asked systeminfo"),
        "{events:?}"
    );
    assert!(
        at("answered users/current") < at("asked configurations"),
        "{events:?}"
    );
    assert_eq!(events.len(), 8, "{events:?}");
}

/// Harbor 2.15.2 built from its source answers `GET /api/v2.0/ping` with the JSON string
/// `"Pong"` when the request accepts `application/json` (go-swagger's content negotiation over
/// the handler's `"Pong"` payload, `server/v2.0/handler/ping.go`), as the provider's requests do;
/// only a plain-text Accept gets the bare `Pong`. Both are Harbor (seen: FIDELITY.md).
#[tokio::test]
async fn connect_accepts_the_json_pong_a_real_harbor_sends() {
    let url = serve_axum(fake_harbor(Fake {
        version: "v2.15.2-080b0220",
        ping: "\"Pong\"\n",
    }))
    .await;
    let client = Client::new(config(&url).with_basic_auth("admin", "Harbor12345")).unwrap();
    let connection = client.connect().await.expect("a JSON Pong is Harbor");
    assert_eq!(connection.version, Some(HarborVersion::new(2, 15, 2)));
}

#[tokio::test]
async fn connect_as_robot_proves_credentials_through_systeminfo() {
    let url = fake_url("v2.15.2").await;
    let client = Client::new(config(&url).with_basic_auth("robot$ci", "S3cretRobot")).unwrap();
    let connection = client.connect().await.unwrap();
    assert_eq!(connection.principal, Principal::Robot);
    assert_eq!(connection.version, Some(HarborVersion::new(2, 15, 2)));
    assert_eq!(connection.robot_name_prefix, None);
}

#[tokio::test]
async fn connect_rejects_bad_credentials_without_leaking_them() {
    let url = fake_url("v2.15.2").await;
    for (user, password) in [("admin", "wrong-pass-1"), ("robot$ci", "wrong-pass-2")] {
        let client = Client::new(config(&url).with_basic_auth(user, password)).unwrap();
        let err = client.connect().await.unwrap_err();
        assert!(matches!(err, Error::BadCredentials { .. }), "{err:?}");
        assert!(err.is_unauthorized());
        assert!(!err.to_string().contains(password), "{err}");
        assert!(!format!("{err:?}").contains(password), "{err:?}");
    }
}

#[tokio::test]
async fn connect_rejects_old_harbor_and_non_harbor() {
    let url = fake_url("v2.10.3").await;
    let client = Client::new(config(&url).with_basic_auth("admin", "Harbor12345")).unwrap();
    let err = client.connect().await.unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedVersion { found, .. } if found == HarborVersion::new(2, 10, 3)),
        "{err:?}"
    );
    assert!(err.to_string().contains("2.11.0"), "{err}");

    let url = serve_axum(fake_harbor(Fake {
        version: "v2.15.0",
        ping: "hello",
    }))
    .await;
    let client = Client::new(config(&url).with_basic_auth("admin", "Harbor12345")).unwrap();
    let err = client.connect().await.unwrap_err();
    assert!(matches!(err, Error::NotHarbor { .. }), "{err:?}");

    // Something that is not Harbor at all: no /api/v2.0/ping.
    let url = serve_axum(Router::new()).await;
    let err = Client::new(config(&url))
        .unwrap()
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotHarbor { .. }), "{err:?}");
}

/// A busy Harbor is not "not a Harbor": the first request's 429 or 503 is reported as what
/// Harbor answered.
#[tokio::test]
async fn connect_reports_a_busy_ping_as_busy_not_as_not_harbor() {
    for status in [429, 503] {
        let server = scripted(
            vec![Step::Reply(
                status,
                vec![("Retry-After", "1".into())],
                "{}".into(),
            )],
            None,
        )
        .await;
        let mut cfg = config(&server.url);
        cfg.max_retries = 0;
        let err = Client::new(cfg).unwrap().connect().await.unwrap_err();
        assert_eq!(err.status(), Some(status), "{err:?}");
        assert!(!matches!(err, Error::NotHarbor { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn ping_is_retried_like_any_idempotent_read() {
    let server = scripted(
        vec![
            Step::Reply(503, vec![], "{}".into()),
            Step::Reply(429, vec![], "{}".into()),
            Step::Reply(200, vec![], "Pong".into()),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    assert_eq!(client.ping().await.unwrap(), "Pong");
    assert_eq!(server.count("GET"), 3);
}

#[tokio::test]
async fn unreachable_host_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut cfg = config(&format!("http://127.0.0.1:{port}"));
    cfg.max_retries = 1;
    let err = Client::new(cfg).unwrap().connect().await.unwrap_err();
    assert!(err.is_unreachable(), "{err:?}");
    assert_eq!(err.transport_kind(), Some(TransportKind::Connect));
    assert!(err.request_id().is_some());
}

// ------------------------------------------------------------------ TLS

struct Pki {
    ca_pem: String,
    acceptor: tokio_rustls::TlsAcceptor,
}

/// A CA and a leaf for 127.0.0.1/localhost signed by it (webpki refuses a self-signed
/// leaf as its own anchor, and that is also how private Harbor deployments look).
fn pki() -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(server)),
    }
}

async fn tls_server(pki: &Pki) -> String {
    let server = scripted(
        vec![Step::Reply(200, vec![], "Pong".into())],
        Some(pki.acceptor.clone()),
    )
    .await;
    server.url.replace("http://", "https://")
}

#[tokio::test]
async fn tls_with_private_ca_is_rejected_by_default() {
    let pki = pki();
    let url = tls_server(&pki).await;
    let err = Client::new(config(&url)).unwrap().ping().await.unwrap_err();
    assert!(err.is_tls(), "{err:?}");
    assert!(!err.is_unreachable());
}

#[tokio::test]
async fn tls_with_private_ca_is_accepted_with_ca_certificate() {
    let pki = pki();
    let url = tls_server(&pki).await;
    let mut cfg = config(&url);
    cfg.ca_certificate = Some(pki.ca_pem.clone());
    assert_eq!(Client::new(cfg).unwrap().ping().await.unwrap(), "Pong");
}

#[tokio::test]
async fn tls_is_accepted_when_insecure() {
    let pki = pki();
    let url = tls_server(&pki).await;
    let mut cfg = config(&url);
    cfg.insecure = true;
    assert_eq!(Client::new(cfg).unwrap().ping().await.unwrap(), "Pong");
}

#[test]
fn invalid_ca_certificate_is_a_config_error() {
    let mut cfg = config("https://127.0.0.1:1");
    cfg.ca_certificate = Some("not a certificate".into());
    assert!(matches!(Client::new(cfg), Err(Error::InvalidConfig(_))));
}

// ------------------------------------------------------------------ secrets

#[test]
fn debug_output_never_shows_secrets() {
    let mut cfg = config("https://h.example.com").with_basic_auth("admin", "pw-basic-1");
    cfg.headers = vec![("X-Api-Key".into(), Secret::new("pw-header-2"))];
    let bearer = Auth::Bearer(Secret::new("pw-bearer-3"));
    let created = RobotCreated {
        id: 1,
        name: "robot$ci".into(),
        secret: Secret::new("pw-robot-4"),
        ..RobotCreated::default()
    };
    let sec = RobotSec {
        secret: Some(Secret::new("pw-robot-5")),
    };
    let credential = RegistryCredential {
        credential_type: Some("basic".into()),
        access_key: Some("user".into()),
        access_secret: Some(Secret::new("pw-registry-6")),
    };
    let registry = Registry {
        credential: Some(credential.clone()),
        ..Registry::default()
    };
    let update = RegistryUpdate {
        access_secret: Some(Secret::new("pw-registry-7")),
        ..RegistryUpdate::default()
    };
    let ping = RegistryPing {
        access_secret: Some(Secret::new("pw-registry-8")),
        ..RegistryPing::default()
    };
    let client = Client::new(cfg.clone()).unwrap();
    let printed = format!(
        "{cfg:?} {bearer:?} {created:?} {sec:?} {credential:?} {registry:?} {update:?} {ping:?} {client:?} {}",
        Secret::new("pw-display-9")
    );
    assert!(!printed.contains("pw-"), "{printed}");
    assert!(printed.contains("***"));
    // The wire still carries the real value.
    assert_eq!(
        serde_json::to_value(&update).unwrap()["access_secret"],
        "pw-registry-7"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn debug_logs_name_the_call_but_not_the_credentials() {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // tracing-core caches, per callsite, whether any subscriber wants it. While exactly one
    // subscriber is registered in the process (ours), a callsite first reached on another
    // test's thread is judged by *that* thread's default, which is no subscriber at all, and
    // is cached as "never": the client's "harbor request" event then vanished here in about
    // one run in twelve (CI run of stop 24). A second registered subscriber, kept alive for the
    // test, makes tracing judge every new callsite against the whole registered list, ours
    // included. The rebuild then re-judges callsites registered before ours existed.
    let _second = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::ERROR)
            .with_writer(std::io::sink)
            .finish(),
    );
    tracing::callsite::rebuild_interest_cache();

    let server = scripted(vec![Step::Drop, reply(200, json!({"uuid": "u"}))], None).await;
    let mut cfg = config(&server.url).with_basic_auth("admin", "pw-log-secret");
    cfg.headers = vec![("X-Api-Key".into(), Secret::new("pw-log-header"))];
    let client = Client::new(cfg).unwrap();
    client
        .get_project_scanner(&ProjectRef::Id(1))
        .await
        .unwrap();
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("harbor request"), "{logs}");
    assert!(logs.contains("/projects/1/scanner"), "{logs}");
    assert!(!logs.contains("pw-log"), "{logs}");
}

#[tokio::test]
async fn created_without_location_is_found_by_name() {
    let server = scripted(
        vec![
            Step::Reply(201, vec![], String::new()),
            Step::Reply(
                200,
                vec![("X-Total-Count", "1".into())],
                json!([{"id": 5, "name": "push", "src_registry": {"id": 0},
                        "dest_registry": {"id": 2}}])
                .to_string(),
            ),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let policy = ReplicationPolicy {
        name: "push".into(),
        dest_registry: Some(Registry::reference(2)),
        ..ReplicationPolicy::default()
    };
    assert_eq!(client.create_replication_policy(&policy).await.unwrap(), 5);
    assert_eq!(server.count("POST"), 1);
}

#[tokio::test]
async fn ambiguous_project_robot_create_looks_in_the_right_project() {
    let robot = json!({
        "id": 12, "name": "robot$ci+builder", "level": "project", "description": "ci",
        "permissions": [{"kind": "project", "namespace": "ci",
                         "access": [{"resource": "repository", "action": "push"}]}]
    });
    let other = json!({
        "id": 13, "name": "robot$ci+other", "level": "project", "description": "ci",
        "permissions": [{"kind": "project", "namespace": "ci",
                         "access": [{"resource": "repository", "action": "push"}]}]
    });
    let server = scripted(
        vec![
            Step::Reply(504, vec![], "{}".into()),
            reply(200, project_json(21, "ci")),
            Step::Reply(
                200,
                vec![("X-Total-Count", "2".into())],
                json!([other, robot]).to_string(),
            ),
            reply(200, json!({"secret": "Rotated1"})),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let created = client
        .create_robot(&RobotCreate {
            name: "builder".into(),
            description: Some("ci".into()),
            level: "project".into(),
            duration: Some(30),
            permissions: vec![RobotPermission {
                kind: "project".into(),
                namespace: "ci".into(),
                access: vec![Access {
                    resource: "repository".into(),
                    action: "push".into(),
                    effect: None,
                }],
            }],
            ..RobotCreate::default()
        })
        .await
        .unwrap();
    assert_eq!(created.id, 12);
    assert_eq!(created.name, "robot$ci+builder");
    let requests = server.requests();
    assert_eq!(server.count("POST"), 1);
    assert_eq!(requests[1].target, "/api/v2.0/projects/ci");
    assert!(
        requests[2].target.contains("ProjectID%3D21"),
        "{}",
        requests[2].target
    );
    assert_eq!(requests[3].target, "/api/v2.0/robots/12");
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let server = scripted(
        vec![Step::Reply(
            301,
            vec![(
                "Location",
                "https://harbor.example.com/api/v2.0/ping".into(),
            )],
            String::new(),
        )],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let err = client.ping().await.unwrap_err();
    assert_eq!(err.status(), Some(301));
    assert!(
        err.to_string().contains("https://harbor.example.com"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn create_is_retried_when_the_connection_was_refused_before_sending() {
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let posts = Arc::new(AtomicUsize::new(0));
    let counter = posts.clone();
    // Harbor comes up shortly after the first attempt was refused.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let listener = TcpListener::bind(addr).await.unwrap();
        let router = Router::new().route(
            "/api/v2.0/projects",
            axum::routing::post(move || async move {
                counter.fetch_add(1, Ordering::SeqCst);
                (StatusCode::CREATED, [("location", "/api/v2.0/projects/77")])
            }),
        );
        axum::serve(listener, router).await.unwrap();
    });
    let mut cfg = config(&format!("http://{addr}"));
    cfg.max_retries = 30;
    cfg.retry_base_delay = Duration::from_millis(20);
    cfg.retry_max_delay = Duration::from_millis(40);
    let client = Client::new(cfg).unwrap();
    assert_eq!(client.create_project(&ci_project()).await.unwrap(), 77);
    assert_eq!(posts.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn exact_name_lists_drop_fuzzy_matches_an_old_server_returns() {
    let server = scripted(
        vec![Step::Reply(
            200,
            vec![("X-Total-Count", "2".into())],
            json!([project_json(1, "ci-old"), project_json(2, "ci")]).to_string(),
        )],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let found = client.find_project("ci").await.unwrap().unwrap();
    assert_eq!(found.project_id, 2);
}

/// Seen on a real Harbor 2.15.2 without Trivy: `GET /projects/{id}/scanner` answers 200 with no
/// body when no scanner applies (go-swagger writes nothing for the nil payload of
/// `GetScannerOfProject`). That is "no scanner", not a broken answer.
#[tokio::test]
async fn project_scanner_with_an_empty_200_is_none() {
    let server = scripted(
        vec![
            Step::Reply(200, vec![], String::new()),
            reply(
                200,
                json!({"uuid": "u", "name": "Trivy", "url": "http://trivy"}),
            ),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    assert_eq!(
        client
            .get_project_scanner(&ProjectRef::Id(1))
            .await
            .unwrap()
            .map(|s| s.name),
        None
    );
    assert_eq!(
        client
            .get_project_scanner(&ProjectRef::Id(1))
            .await
            .unwrap()
            .map(|s| s.name),
        Some("Trivy".to_owned())
    );
}

// ------------------------------------------------------------------ preheat: a taken endpoint

fn instance(name: &str) -> PreheatInstance {
    PreheatInstance {
        name: name.into(),
        vendor: "dragonfly".into(),
        endpoint: "http://df.example".into(),
        auth_mode: "NONE".into(),
        enabled: true,
        ..PreheatInstance::default()
    }
}

fn harbor_404() -> Step {
    reply(
        404,
        json!({"errors": [{"code": "NOT_FOUND", "message": "not found"}]}),
    )
}

/// `create_preheat_instance` of instance "df" against a Harbor that answers `steps` in order.
async fn create_df_against(steps: Vec<Step>) -> (Scripted, Result<(), Error>) {
    let server = scripted(steps, None).await;
    let client = Client::new(config(&server.url)).unwrap();
    let result = client.create_preheat_instance(&instance("df")).await;
    (server, result)
}

fn harbor_500() -> Step {
    reply(
        500,
        json!({"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}),
    )
}

/// Harbor v2.15.2 answers an endpoint already in use with 500 (`CreateInstance`'s
/// `ErrorConflict` has no code). A first attempt's 500 made nothing, so nothing is adopted:
/// the instance holding the endpoint is named, or Harbor's own 500 is returned when none does.
#[tokio::test]
async fn preheat_500_names_the_instance_holding_the_endpoint_or_stays_harbors_500() {
    let (server, result) = create_df_against(vec![
        harbor_500(),
        Step::Reply(
            200,
            vec![("X-Total-Count", "1".into())],
            json!([{"id": 3, "name": "holder", "endpoint": "http://df.example"}]).to_string(),
        ),
    ])
    .await;
    let err = result.unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert!(
        err.to_string()
            .contains("preheat instance \"holder\" already uses endpoint http://df.example"),
        "{err}"
    );
    // No lookup by name: an instance of this name found now predates the create.
    assert_eq!(server.count("GET"), 1);

    let (_, result) = create_df_against(vec![
        harbor_500(),
        Step::Reply(200, vec![("X-Total-Count", "0".into())], "[]".into()),
    ])
    .await;
    let err = result.unwrap_err();
    assert_eq!(err.status(), Some(500), "{err:?}");
    assert_eq!(err.code(), Some("UNKNOWN"), "{err:?}");
}

/// After a create that got no answer, a repeat's 500 settles like a 409: an instance of this
/// name on this endpoint is the first attempt's and is adopted; none is still in doubt, and
/// the doubt carries Harbor's own 500.
#[tokio::test]
async fn preheat_500_after_an_unanswered_create_adopts_its_own_or_stays_in_doubt() {
    let (_, result) = create_df_against(vec![
        Step::Drop,
        harbor_404(),
        harbor_500(),
        reply(
            200,
            json!({"id": 4, "name": "df", "endpoint": "http://df.example"}),
        ),
    ])
    .await;
    result.expect("the first attempt's instance is adopted");

    let (_, result) =
        create_df_against(vec![Step::Drop, harbor_404(), harbor_500(), harbor_404()]).await;
    let err = result.unwrap_err();
    assert!(err.is_unsettled(), "{err:?}");
    let Error::Unsettled { cause, .. } = &err else {
        unreachable!()
    };
    assert_eq!(cause.status(), Some(500), "{cause:?}");
    assert_eq!(cause.code(), Some("UNKNOWN"), "{cause:?}");
}

/// Harbor's generated `ImmutableRule`, `RetentionRule` and `RetentionPolicy` have no
/// `omitempty` on `tag_selectors` and `rules`: a rule stored without tag selectors (made in the
/// UI, or by another tool) reads `"tag_selectors": null`, as a real Harbor v2.15.2 answered.
/// Reading it must not fail the refresh or the import.
#[tokio::test]
async fn rules_read_with_null_tag_selectors_and_null_rules() {
    let server = scripted(
        vec![
            reply(
                200,
                json!([{"id": 7, "action": "immutable", "template": "immutable_template",
                        "tag_selectors": null}]),
            ),
            reply(
                200,
                json!({"id": 3, "algorithm": "or", "rules": [{"id": 1, "action": "retain",
                        "template": "always", "tag_selectors": null}],
                       "scope": {"level": "project", "ref": 1}}),
            ),
            reply(200, json!({"id": 4, "algorithm": "or", "rules": null})),
        ],
        None,
    )
    .await;
    let client = Client::new(config(&server.url)).unwrap();
    let rules = client
        .list_immutable_rules(1)
        .await
        .expect("null tag_selectors");
    assert_eq!(rules[0].id, Some(7));
    assert!(rules[0].tag_selectors.is_empty() && rules[0].scope_selectors.is_empty());
    let policy = client
        .get_retention(3)
        .await
        .expect("a rule with null tag_selectors");
    assert!(policy.rules[0].tag_selectors.is_empty());
    let policy = client.get_retention(4).await.expect("null rules");
    assert!(policy.rules.is_empty());
}
