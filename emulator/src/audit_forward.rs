//! Audit-log forwarding: once `audit_log_forward_endpoint` is set, Harbor writes each audit
//! record to that syslog server over TCP (`auditext.manager.Create` in src/pkg/auditext/manager.go
//! through `audit.LogMgr`, src/pkg/audit/forward.go: Go's `log/syslog` dialled with `tcp`,
//! `LOG_INFO` and tag `audit`, Harbor's `TextFormatter`).
//!
//! The records emulated are the ones Harbor makes for the operations the emulator serves that
//! Harbor audits: project creation and deletion (`CreateProjectEvent` / `DeleteProjectEvent`
//! in src/controller/event/topic.go) and configuration updates (the `/api/v2.0/configurations`
//! resolver in src/pkg/auditext/event/config/config.go). Only successful operations are
//! forwarded here, and each record opens its own connection (Harbor keeps one open).

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use tokio::io::AsyncWriteExt;

use crate::auth::{Ctx, Principal};
use crate::state::App;

/// One audit record: `action`, `resource`, `operation_description`, `resourceType`, operator.
struct Record {
    operation: &'static str,
    resource_type: &'static str,
    resource: String,
    description: String,
    operator: String,
}

fn operator(app: &App, ctx: &Ctx) -> String {
    let store = app.store();
    match Principal::resolve(app, &store, ctx) {
        Principal::Admin => crate::state::ADMIN_USERNAME.to_string(),
        Principal::Robot(r) => crate::robots::full_name(&store, &r),
        Principal::User(u) => u.user.username.clone(),
        Principal::Anonymous => "anonymous".to_string(),
    }
}

fn project_name(app: &App, ctx: &Ctx, key: &str) -> Option<String> {
    let store = app.store();
    crate::projects::find(&store, ctx, key).map(|p| p.name.clone())
}

/// The syslog line Go's `log/syslog` writes for Harbor's audit logger: `<6>` (LOG_INFO,
/// facility 0), an RFC 3339 time, the host name, `audit[pid]:`, then the `TextFormatter` line
/// with the logger's fields sorted by key.
fn syslog_line(r: &Record) -> String {
    let now = crate::util::Timestamp::now();
    let now = serde_json::to_value(now)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "harbor-core".into());
    format!(
        "<6>{now} {host} audit[{pid}]: {now} [INFO] [/pkg/auditext/manager.go:81][operator=\"{op}\" resourceType=\"{rt}\" time=\"{now}\"]:action:{action}, resource:{res}, operation_description:{desc}\n",
        pid = std::process::id(),
        op = r.operator,
        rt = r.resource_type,
        action = r.operation,
        res = r.resource,
        desc = r.description,
    )
}

async fn send(endpoint: &str, line: &str) {
    let connect = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        tokio::net::TcpStream::connect(endpoint.replacen("localhost:", "127.0.0.1:", 1)),
    )
    .await;
    if let Ok(Ok(mut stream)) = connect {
        let _ = stream.write_all(line.as_bytes()).await;
        let _ = stream.shutdown().await;
    } else {
        // Harbor's logger falls back to its own log when the endpoint is down.
        tracing::warn!("audit forward to {endpoint} failed: {}", line.trim_end());
    }
}

pub async fn middleware(State(app): State<App>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let ctx = Ctx::from_headers(req.headers());
    let project_key = path
        .strip_prefix("/api/v2.0/projects/")
        .filter(|k| !k.is_empty() && !k.contains('/'))
        .map(str::to_string);
    // A deleted project's name is resolved before it goes, as Harbor's `PreCheck` does.
    let deleted = match (&method, &project_key) {
        (&Method::DELETE, Some(key)) => project_name(&app, &ctx, key),
        _ => None,
    };
    let resp = next.run(req).await;
    if !resp.status().is_success() {
        return resp;
    }
    let endpoint = app
        .store()
        .settings
        .others
        .get("audit_log_forward_endpoint")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    if endpoint.is_empty() {
        return resp;
    }
    let record = |operation, resource_type, resource: String, description: String| Record {
        operation,
        resource_type,
        resource,
        description,
        operator: operator(&app, &ctx),
    };
    let rec = match (&method, path.as_str()) {
        (&Method::PUT, "/api/v2.0/configurations") => Some(record(
            "update",
            "configuration",
            "configuration".into(),
            "update configuration".into(),
        )),
        (&Method::POST, "/api/v2.0/projects") => resp
            .headers()
            .get(axum::http::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.rsplit('/').next())
            .and_then(|id| {
                let store = app.store();
                id.parse::<i64>()
                    .ok()
                    .and_then(|id| store.projects.get(&id).map(|p| p.name.clone()))
            })
            .map(|name| {
                record(
                    "create",
                    "project",
                    name.clone(),
                    format!("create project: {name}"),
                )
            }),
        (&Method::DELETE, _) => deleted.map(|name| {
            record(
                "delete",
                "project",
                name.clone(),
                format!("delete project: {name}"),
            )
        }),
        _ => None,
    };
    if let Some(r) = rec {
        send(&endpoint, &syslog_line(&r)).await;
    }
    resp
}
