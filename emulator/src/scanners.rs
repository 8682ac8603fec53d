//! Scanner registrations: the immutable built-in Trivy, and the per-project scanner choice.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::projects::{find, missing};
use crate::state::{App, TRIVY_UUID};
use crate::util::{Page, Params, Timestamp, list_response, ok_empty, ok_json, parse_body};

fn trivy() -> Value {
    json!({
        "uuid": TRIVY_UUID,
        "name": "Trivy",
        "description": "The Trivy scanner adapter",
        "url": "http://trivy-adapter:8080",
        "disabled": false,
        "is_default": true,
        "auth": "",
        "access_credential": "",
        "skip_certVerify": false,
        "use_internal_addr": true,
        "create_time": Timestamp(0),
        "update_time": Timestamp(0),
        "adapter": "Trivy",
        "vendor": "Aqua Security",
        "version": "v0.58.0",
        "health": "healthy",
    })
}

/// `GET /scanners`
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "list")?;
    let items = vec![trivy()];
    Ok(list_response(
        "/api/v2.0/scanners",
        &params,
        page,
        page.slice(&items),
        items.len(),
    ))
}

fn known(uuid: &str) -> ApiResult<Value> {
    if uuid == TRIVY_UUID {
        Ok(trivy())
    } else {
        Err(ApiError::not_found(format!(
            "registration {uuid} not found"
        )))
    }
}

/// `GET /scanners/{registration_id}`
pub async fn get(State(app): State<App>, ctx: Ctx, Path(uuid): Path<String>) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "read")?;
    Ok(ok_json(known(&uuid)?))
}

/// `PUT /scanners/{registration_id}`: the built-in registration cannot be changed.
pub async fn update(State(app): State<App>, ctx: Ctx, Path(uuid): Path<String>) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "update")?;
    known(&uuid)?;
    Err(ApiError::forbidden_msg(
        "the registration Trivy is immutable",
    ))
}

/// `DELETE /scanners/{registration_id}`: the built-in registration cannot be removed.
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(uuid): Path<String>) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "delete")?;
    known(&uuid)?;
    Err(ApiError::forbidden_msg(
        "the registration Trivy is immutable",
    ))
}

/// `GET /projects/{project_name_or_id}/scanner`
pub async fn get_project_scanner(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project =
        who.require_project(find(&store, &ctx, &key), "scanner", "read", &missing(&key))?;
    Ok(ok_json(known(
        project.scanner_uuid.as_deref().unwrap_or(TRIVY_UUID),
    )?))
}

#[derive(Debug, Deserialize)]
struct ProjectScannerReq {
    #[serde(default)]
    uuid: String,
}

/// `PUT /projects/{project_name_or_id}/scanner` with `{"uuid": ...}`
pub async fn set_project_scanner(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult {
    let req: ProjectScannerReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let id = who
        .require_project(
            find(&store, &ctx, &key),
            "scanner",
            "create",
            &missing(&key),
        )?
        .id;
    if req.uuid != TRIVY_UUID {
        return Err(ApiError::bad_request(format!(
            "scanner registration {} not found",
            req.uuid
        )));
    }
    if let Some(project) = store.projects.get_mut(&id) {
        project.scanner_uuid = Some(req.uuid);
    }
    Ok(ok_empty())
}
