//! Labels, global (`g`) and project (`p`) scope, as `server/v2.0/handler/label.go` serves them.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::lifecycle::Label;
use crate::state::{App, Store};
use crate::util::{Page, Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body};

#[derive(Debug, Default, Deserialize)]
struct LabelReq {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    color: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    project_id: i64,
}

/// `ToSwagger`: go-swagger omits empty strings and zero ids (`omitempty`), so a label without a
/// description or colour, or a global one, lacks those keys.
pub fn label_json(l: &Label) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(l.id));
    if !l.name.is_empty() {
        m.insert("name".into(), json!(l.name));
    }
    if !l.description.is_empty() {
        m.insert("description".into(), json!(l.description));
    }
    if !l.color.is_empty() {
        m.insert("color".into(), json!(l.color));
    }
    if !l.scope.is_empty() {
        m.insert("scope".into(), json!(l.scope));
    }
    if l.project_id != 0 {
        m.insert("project_id".into(), json!(l.project_id));
    }
    m.insert("creation_time".into(), json!(l.creation_time));
    m.insert("update_time".into(), json!(l.update_time));
    Value::Object(m)
}

/// `requireAccess`: global labels need the system permission, project labels the project's; any
/// other scope is "unsupported label scope" (400).
fn require_access(
    store: &Store,
    who: &Principal,
    scope: &str,
    project_id: i64,
    action: &str,
) -> ApiResult<()> {
    match scope {
        "g" => who.require_system("label", action),
        "p" => require_project_label(store, who, project_id, action),
        _ => Err(ApiError::bad_request("unsupported label scope")),
    }
}

/// `RequireProjectAccess` with the label's `project_id` (handler/label.go `requireAccess`):
/// `HasProjectPermission` checks an id against the RBAC without loading the project, and the
/// system admin's evaluator grants everything, so the admin may create, list, update and delete
/// project labels under an id no project has (`harbor_label.project_id` has no foreign key).
/// Anyone else gets the usual 401/403.
fn require_project_label(
    store: &Store,
    who: &Principal,
    project_id: i64,
    action: &str,
) -> ApiResult<()> {
    let project = store.projects.get(&project_id);
    if project.is_none() && who.is_admin() {
        return Ok(());
    }
    who.require_project(
        project,
        "label",
        action,
        &format!("project {project_id} not found"),
    )
    .map(|_| ())
}

/// The unique constraint `unique_label UNIQUE (name, scope, project_id)`; the dao turns a
/// violation into 409 "label %s already exists".
fn check_unique(store: &Store, l: &Label) -> ApiResult<()> {
    let clash = store.lifecycle.labels.values().any(|o| {
        o.id != l.id && o.name == l.name && o.scope == l.scope && o.project_id == l.project_id
    });
    if clash {
        return Err(ApiError::conflict(format!(
            "label {} already exists",
            l.name
        )));
    }
    Ok(())
}

/// Column widths: `name varchar(128)`, `color varchar(16)`; a longer value fails in Postgres,
/// which Harbor reports as a plain 500.
fn check_columns(l: &Label) -> ApiResult<()> {
    if l.name.chars().count() > 128 || l.color.chars().count() > 16 {
        return Err(ApiError::internal());
    }
    Ok(())
}

/// `POST /labels` (`CreateLabel`): the level is forced to user and a global label's project to 0;
/// the name is not validated here (only `UpdateLabel` calls `Valid`).
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: LabelReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project_id = if req.scope == "g" { 0 } else { req.project_id };
    require_access(&store, &who, &req.scope, project_id, "create")?;
    let now = Timestamp::now();
    let mut label = Label {
        id: 0,
        name: req.name,
        description: req.description,
        color: req.color,
        scope: req.scope,
        project_id,
        creation_time: now,
        update_time: now,
    };
    check_columns(&label)?;
    check_unique(&store, &label)?;
    label.id = store.lifecycle.next_label();
    let id = label.id;
    store.lifecycle.labels.insert(id, label);
    Ok(created(format!("/api/v2.0/labels/{id}"), None))
}

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(format!("label {id} not found"))
}

/// `GET /labels/{label_id}`
pub async fn get(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let label = store
        .lifecycle
        .labels
        .get(&id)
        .ok_or_else(|| not_found(id))?;
    require_access(&store, &who, &label.scope, label.project_id, "read")?;
    Ok(ok_json(label_json(label)))
}

/// `GET /labels?scope=g|p[&project_id=][&name=]`: the name is a fuzzy (substring) match.
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    // `ListLabels` builds the query before anything else, refusing a malformed `q`.
    params.query()?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    let scope = params.get("scope").unwrap_or_default().to_string();
    if scope != "g" && scope != "p" {
        return Err(ApiError::bad_request(format!("invalid scope: {scope}")));
    }
    let project_id = params.int("project_id")?.unwrap_or(0);
    if scope == "p" {
        if project_id == 0 {
            return Err(ApiError::bad_request(
                "must with project ID when to query project labels",
            ));
        }
        require_project_label(&store, &who, project_id, "list")?;
    }
    let name = params.get("name").unwrap_or_default();
    let labels: Vec<&Label> = store
        .lifecycle
        .labels
        .values()
        .filter(|l| l.scope == scope)
        .filter(|l| scope == "g" || l.project_id == project_id)
        .filter(|l| name.is_empty() || l.name.contains(name))
        .collect();
    let total = labels.len();
    let items: Vec<Value> = page.slice(&labels).into_iter().map(label_json).collect();
    Ok(list_response(
        "/api/v2.0/labels",
        &params,
        page,
        items,
        total,
    ))
}

/// `PUT /labels/{label_id}` (`UpdateLabel`): only name, description and colour change; then
/// `Label.Valid` (name required, at most 128 characters).
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> ApiResult {
    let req: LabelReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let label = store
        .lifecycle
        .labels
        .get(&id)
        .cloned()
        .ok_or_else(|| not_found(id))?;
    require_access(&store, &who, &label.scope, label.project_id, "update")?;
    let mut updated = label;
    updated.name = req.name;
    updated.description = req.description;
    updated.color = req.color;
    if updated.name.is_empty() {
        return Err(ApiError::bad_request("cannot be empty"));
    }
    if updated.name.chars().count() > 128 {
        return Err(ApiError::bad_request("max length is 128"));
    }
    check_columns(&updated)?;
    check_unique(&store, &updated)?;
    updated.update_time = Timestamp::now();
    store.lifecycle.labels.insert(id, updated);
    Ok(ok_empty())
}

/// `DELETE /labels/{label_id}`: removed from every artifact, then deleted.
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let label = store
        .lifecycle
        .labels
        .get(&id)
        .cloned()
        .ok_or_else(|| not_found(id))?;
    require_access(&store, &who, &label.scope, label.project_id, "delete")?;
    store.lifecycle.labels.remove(&id);
    Ok(ok_empty())
}
