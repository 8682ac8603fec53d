//! Listener, TLS, per-connection serving (so a fault can drop a connection), middleware and the route table.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::control::{self, Fault, Faults, RequestCounter};
use crate::error::ApiError;
use crate::state::{App, AppInner, Store};
use crate::version::Version;
use crate::{
    Config, members, projects, quotas, registries, replication, repositories, robots, scanners,
    system, system_jobs, usergroups, users,
};

/// Marks a response that must never reach the client: the connection is closed instead.
#[derive(Debug, Clone, Copy)]
struct DropConnection;

/// A running emulator on the current runtime.
pub struct Running {
    base_url: String,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes every open connection and waits for the server task to finish.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }
}

pub async fn start(config: Config) -> anyhow::Result<Running> {
    let version = Version::parse(&config.harbor_version)?;
    if !(version.at_least(2, 11, 0) && version < Version::new(2, 16, 0)) {
        anyhow::bail!("harbor version {version} is not emulated; choose one from 2.11.0 to 2.15.2");
    }
    let tls = match &config.tls {
        Some(files) => Some(crate::tls::acceptor(files)?),
        None => None,
    };
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let base_url = format!("{scheme}://{addr}");
    let app: App = Arc::new(AppInner {
        version,
        admin_password: config.admin_password,
        version_text: config.harbor_version,
        base_url: base_url.clone(),
        latency_ms: config.latency_ms,
        store: std::sync::Mutex::new(Store::new()),
        counter: RequestCounter::default(),
        faults: Faults::default(),
        probes: Default::default(),
        exchanges: crate::record::Recorder::new(config.record_exchanges),
    });
    let router = router(app);
    let (shutdown, mut stop) = watch::channel(false);
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let router = router.clone();
                    let tls = tls.clone();
                    connections.spawn(async move {
                        match tls {
                            Some(acceptor) => match acceptor.accept(stream).await {
                                Ok(tls_stream) => serve_connection(tls_stream, router).await,
                                Err(e) => tracing::debug!(error = %e, "TLS handshake failed"),
                            },
                            None => serve_connection(stream, router).await,
                        }
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        connections.shutdown().await;
    });
    tracing::info!(%base_url, %version, "harbor emulator listening");
    Ok(Running {
        base_url,
        addr,
        shutdown,
        task,
    })
}

/// Serves one connection; a response tagged [`DropConnection`] ends it without an answer.
async fn serve_connection<S>(stream: S, router: Router)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let kill_signal = kill.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let router = router.clone();
        let kill = kill_signal.clone();
        async move {
            let response = router.oneshot(req.map(axum::body::Body::new)).await?;
            if response.extensions().get::<DropConnection>().is_some() {
                kill.notify_one();
                std::future::pending::<()>().await;
            }
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let builder = Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = kill.notified() => tracing::debug!("dropping connection (injected fault)"),
    }
}

/// Request id, request counting, latency and fault injection, in Harbor's middleware order.
async fn middleware(State(app): State<App>, req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("X-Request-Id")
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_str(&crate::util::uuid_v4()).unwrap_or(HeaderValue::from_static("0"))
        });
    let is_api = req.uri().path().starts_with("/api/");
    let mut response = if is_api {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("(unmatched)", |m| m.as_str())
            .to_string();
        app.counter.record(format!("{} {route}", req.method()));
        // The body is part of a request's identity for the fault draw (two creates differ only
        // there), so it is read here and put back.
        let (parts, body) = req.into_parts();
        let body = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::debug!(error = %e, "could not read the request body");
                return StatusCode::BAD_REQUEST.into_response();
            }
        };
        let target = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        let (extra_latency, fault) = app.faults.next(parts.method.as_str(), &target, &body);
        let req = Request::from_parts(parts, axum::body::Body::from(body));
        let latency = app.latency_ms + extra_latency;
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        match fault {
            Fault::None => next.run(req).await,
            Fault::Status(status) => {
                let mut resp = ApiError::injected(status).into_response();
                if matches!(
                    status,
                    StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
                ) {
                    resp.headers_mut()
                        .insert("Retry-After", HeaderValue::from_static("1"));
                }
                resp
            }
            Fault::DropConnection => {
                let mut resp = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                resp.extensions_mut().insert(DropConnection);
                resp
            }
            Fault::DropAfterProcessing => {
                let mut resp = next.run(req).await;
                resp.extensions_mut().insert(DropConnection);
                resp
            }
        }
    } else {
        next.run(req).await
    };
    response.headers_mut().insert("X-Request-Id", request_id);
    response
}

/// go-swagger's router answers an unmatched path with "path %s was not found" (seen on Harbor
/// 2.15.2 for `/api/v2.0/...`).
async fn not_found(uri: axum::http::Uri) -> Response {
    ApiError::not_found(format!("path {} was not found", uri.path())).into_response()
}

/// Artifacts, labels, immutable tag rules and retention (issue 19), kept apart for merging.
fn lifecycle_routes() -> Router<App> {
    use crate::{artifacts, immutable, labels, retention};
    use axum::routing::{delete, patch};
    Router::new()
        .route(
            "/projects/{project_name}/repositories/{repository_name}/artifacts",
            get(artifacts::list),
        )
        .route(
            "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}",
            delete(artifacts::delete),
        )
        .route(
            "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags/{tag_name}",
            delete(artifacts::delete_tag),
        )
        .route("/labels", get(labels::list).post(labels::create))
        .route(
            "/labels/{label_id}",
            get(labels::get).put(labels::update).delete(labels::delete),
        )
        .route(
            "/projects/{project_name_or_id}/immutabletagrules",
            get(immutable::list).post(immutable::create),
        )
        .route(
            "/projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}",
            axum::routing::put(immutable::update).delete(immutable::delete),
        )
        .route("/retentions", post(retention::create))
        .route("/retentions/metadatas", get(retention::metadatas))
        .route(
            "/retentions/{id}",
            get(retention::get)
                .put(retention::update)
                .delete(retention::delete),
        )
        .route(
            "/retentions/{id}/executions",
            get(retention::list_executions).post(retention::trigger),
        )
        .route(
            "/retentions/{id}/executions/{eid}",
            patch(retention::operate_execution),
        )
        .route(
            "/retentions/{id}/executions/{eid}/tasks",
            get(retention::list_tasks),
        )
        .route(
            "/retentions/{id}/executions/{eid}/tasks/{tid}",
            get(retention::task_log),
        )
}

fn router(app: App) -> Router {
    let api = Router::new()
        .route("/ping", get(system::ping))
        .route("/health", get(system::health))
        .route("/systeminfo", get(system::systeminfo))
        .route("/users/current", get(system::current_user))
        .route(
            "/configurations",
            get(system::get_configurations).put(system::put_configurations),
        )
        .route("/permissions", get(robots::permissions))
        .route(
            "/projects",
            get(projects::list)
                .post(projects::create)
                .head(projects::head),
        )
        .route(
            "/projects/{project_name_or_id}",
            get(projects::get)
                .put(projects::update)
                .delete(projects::delete),
        )
        .route(
            "/projects/{project_name_or_id}/_deletable",
            get(projects::deletable),
        )
        .route(
            "/projects/{project_name_or_id}/summary",
            get(projects::summary),
        )
        .route(
            "/projects/{project_name_or_id}/metadatas",
            get(projects::list_metadata).post(projects::add_metadata),
        )
        .route(
            "/projects/{project_name_or_id}/metadatas/",
            get(projects::list_metadata).post(projects::add_metadata),
        )
        .route(
            "/projects/{project_name_or_id}/metadatas/{meta_name}",
            get(projects::get_metadata)
                .put(projects::put_metadata)
                .delete(projects::delete_metadata),
        )
        .route(
            "/projects/{project_name_or_id}/scanner",
            get(scanners::get_project_scanner).put(scanners::set_project_scanner),
        )
        .route(
            "/projects/{project_name}/repositories",
            get(repositories::list),
        )
        .route(
            "/projects/{project_name}/repositories/{repository_name}",
            get(repositories::get).delete(repositories::delete),
        )
        .route("/quotas", get(quotas::list))
        .route("/quotas/{id}", get(quotas::get).put(quotas::update))
        .route("/robots", get(robots::list).post(robots::create))
        .route(
            "/robots/{robot_id}",
            get(robots::get)
                .put(robots::update)
                .patch(robots::refresh)
                .delete(robots::delete),
        )
        .route(
            "/registries",
            get(registries::list).post(registries::create),
        )
        .route("/registries/ping", post(registries::ping))
        .route(
            "/registries/{id}",
            get(registries::get)
                .put(registries::update)
                .delete(registries::delete),
        )
        .route("/registries/{id}/info", get(registries::info))
        .route("/replication/adapters", get(registries::adapters))
        .route("/replication/adapterinfos", get(registries::adapter_infos))
        .route(
            "/replication/policies",
            get(replication::list).post(replication::create),
        )
        .route(
            "/replication/policies/{id}",
            get(replication::get)
                .put(replication::update)
                .delete(replication::delete),
        )
        .route(
            "/replication/executions",
            get(replication::list_executions).post(replication::start_execution),
        )
        .route(
            "/replication/executions/{id}",
            get(replication::get_execution).put(replication::stop_execution),
        )
        .route(
            "/replication/executions/{id}/tasks",
            get(replication::list_tasks),
        )
        .route(
            "/system/CVEAllowlist",
            get(system_jobs::get_allowlist).put(system_jobs::put_allowlist),
        )
        .route(
            "/system/scanAll/schedule",
            get(system_jobs::get_scan_all)
                .post(system_jobs::create_scan_all)
                .put(system_jobs::update_scan_all),
        )
        .route(
            "/system/gc/schedule",
            get(system_jobs::get_gc)
                .post(system_jobs::create_gc)
                .put(system_jobs::update_gc),
        )
        .route(
            "/system/purgeaudit/schedule",
            get(system_jobs::get_purge_audit)
                .post(system_jobs::create_purge_audit)
                .put(system_jobs::update_purge_audit),
        )
        .route("/scanners", get(scanners::list).post(scanners::create))
        .route("/scanners/ping", post(scanners::ping))
        .route(
            "/scanners/{registration_id}",
            get(scanners::get)
                .put(scanners::update)
                .delete(scanners::delete)
                .patch(scanners::set_default),
        )
        .route(
            "/projects/{project_name_or_id}/webhook/policies",
            get(crate::webhooks::list).post(crate::webhooks::create),
        )
        .route(
            "/projects/{project_name_or_id}/webhook/policies/{webhook_policy_id}",
            get(crate::webhooks::get)
                .put(crate::webhooks::update)
                .delete(crate::webhooks::delete),
        )
        .route(
            "/projects/{project_name_or_id}/webhook/events",
            get(crate::webhooks::events),
        )
        .route("/p2p/preheat/providers", get(crate::preheat::providers))
        .route(
            "/p2p/preheat/instances",
            get(crate::preheat::list).post(crate::preheat::create),
        )
        .route("/p2p/preheat/instances/ping", post(crate::preheat::ping))
        .route(
            "/p2p/preheat/instances/{preheat_instance_name}",
            get(crate::preheat::get)
                .put(crate::preheat::update)
                .delete(crate::preheat::delete),
        )
        .merge(lifecycle_routes())
        .route("/users", get(users::list).post(users::create))
        .route("/users/search", get(users::search))
        .route(
            "/users/current/permissions",
            get(users::current_permissions),
        )
        .route(
            "/users/{user_id}",
            get(users::get).put(users::update).delete(users::delete),
        )
        .route("/users/{user_id}/password", put(users::password))
        .route("/users/{user_id}/sysadmin", put(users::sysadmin))
        .route(
            "/usergroups",
            get(usergroups::list).post(usergroups::create),
        )
        .route("/usergroups/search", get(usergroups::search))
        .route(
            "/usergroups/{group_id}",
            get(usergroups::get)
                .put(usergroups::update)
                .delete(usergroups::delete),
        )
        .route(
            "/projects/{project_name_or_id}/members",
            get(members::list).post(members::create),
        )
        .route(
            "/projects/{project_name_or_id}/members/{mid}",
            get(members::get)
                .put(members::update)
                .delete(members::delete),
        )
        .route("/ldap/ping", post(crate::ldap::ping_handler))
        .route("/ldap/users/search", get(crate::ldap::search_users_handler))
        .route(
            "/ldap/groups/search",
            get(crate::ldap::search_groups_handler),
        );
    Router::new()
        .nest("/api/v2.0", api)
        .route("/api/version", get(system::api_version))
        .route("/v2/", get(crate::registry_v2::base))
        .route("/v2", get(crate::registry_v2::base))
        .route("/service/token", get(crate::registry_v2::token))
        .route("/_emulator/requests", get(control::requests))
        .route("/_emulator/reset", post(control::reset))
        .route(
            "/_emulator/faults",
            get(control::injected).post(control::faults),
        )
        .route(
            "/_emulator/projects/{name}/repositories",
            post(control::seed_repository),
        )
        .route(
            "/_emulator/projects/{name}/artifacts",
            post(crate::artifacts::push),
        )
        .merge(crate::record::routes())
        .route("/_emulator/robots/{id}/expire", post(control::expire_robot))
        .fallback(not_found)
        // Audit records are forwarded for operations the emulator itself answered.
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::audit_forward::middleware,
        ))
        // Inside the fault injector: the log holds the emulator's own answers.
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::record::middleware,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            middleware,
        ))
        .with_state(app)
}
