//! Scanner registrations (the built-in Trivy is immutable) and the per-project scanner choice.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::projects::{find, missing};
use crate::state::{App, ScannerRegistration, Store};
use crate::util::{
    Page, Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body, uuid_v4,
};

pub fn scanner_json(s: &ScannerRegistration) -> Value {
    let (adapter, vendor, version) = if s.immutable {
        ("Trivy", "Aqua Security", "v0.58.0")
    } else {
        (s.name.as_str(), "", "")
    };
    json!({
        "uuid": s.uuid,
        "name": s.name,
        "description": s.description,
        "url": s.url,
        "disabled": s.disabled,
        "is_default": s.is_default,
        "auth": s.auth,
        "access_credential": s.access_credential,
        "skip_certVerify": s.skip_cert_verify,
        "use_internal_addr": s.use_internal_addr,
        "create_time": s.creation_time,
        "update_time": s.update_time,
        "adapter": adapter,
        "vendor": vendor,
        "version": version,
        "health": "healthy",
    })
}

/// `ScannerRegistrationReq`; `name` and `url` are required by the spec.
#[derive(Debug, Deserialize)]
struct ScannerReq {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    access_credential: Option<String>,
    #[serde(default, rename = "skip_certVerify")]
    skip_cert_verify: Option<bool>,
    #[serde(default)]
    use_internal_addr: Option<bool>,
    #[serde(default)]
    disabled: Option<bool>,
}

/// Validates a registration request against the others (`except` is the one being updated).
fn validate(store: &Store, req: &ScannerReq, except: Option<&str>) -> ApiResult<(String, String)> {
    let name = req.name.clone().filter(|n| !n.is_empty());
    let url = req.url.clone().filter(|u| !u.is_empty());
    let (Some(name), Some(url)) = (name, url) else {
        return Err(ApiError::unprocessable("name and url in body are required"));
    };
    let url = crate::registries::normalise_url(&url)?;
    if !matches!(
        req.auth.as_deref().unwrap_or(""),
        "" | "Basic" | "Bearer" | "X-ScannerAdapter-API-Key"
    ) {
        return Err(ApiError::bad_request(format!(
            "auth type {} is not supported",
            req.auth.as_deref().unwrap_or("")
        )));
    }
    let others = store
        .scanners
        .values()
        .filter(|s| Some(s.uuid.as_str()) != except);
    for other in others {
        if other.name == name {
            return Err(ApiError::conflict(format!(
                "registration name {name} already exists"
            )));
        }
        if other.url == url {
            return Err(ApiError::conflict(format!(
                "registration url {url} already exists"
            )));
        }
    }
    Ok((name, url))
}

fn load<'a>(store: &'a Store, uuid: &str) -> ApiResult<&'a ScannerRegistration> {
    store
        .scanners
        .get(uuid)
        .ok_or_else(|| ApiError::not_found(format!("registration {uuid} not found")))
}

/// `GET /scanners`
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let q = params.query();
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "list")?;
    let items: Vec<&ScannerRegistration> = store
        .scanners
        .values()
        .filter(|s| q.allows("name", &s.name))
        .collect();
    let total = items.len();
    let rendered: Vec<Value> = page.slice(&items).into_iter().map(scanner_json).collect();
    Ok(list_response(
        "/api/v2.0/scanners",
        &params,
        page,
        rendered,
        total,
    ))
}

/// `POST /scanners`
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: ScannerReq = parse_body(&body)?;
    let (_, url) = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("scanner", "create")?;
        validate(&store, &req, None)?
    };
    // `CreateRegistration` pings the adapter before storing anything; a failed ping is a plain
    // Go error, which Harbor answers with a 500 that hides its text.
    if let Err(why) = crate::scanner_ping::ping(
        &url,
        req.auth.as_deref().unwrap_or(""),
        req.access_credential.as_deref().unwrap_or(""),
        req.skip_cert_verify.unwrap_or(false),
    )
    .await
    {
        tracing::info!("scanner controller: ping {url}: {why}");
        return Err(ApiError::internal());
    }
    let mut store = app.store();
    let (name, url) = validate(&store, &req, None)?;
    let uuid = uuid_v4();
    let now = Timestamp::now();
    let registration = ScannerRegistration {
        uuid: uuid.clone(),
        name,
        description: req.description.unwrap_or_default(),
        url,
        auth: req.auth.unwrap_or_default(),
        access_credential: req.access_credential.unwrap_or_default(),
        skip_cert_verify: req.skip_cert_verify.unwrap_or(false),
        use_internal_addr: req.use_internal_addr.unwrap_or(false),
        disabled: req.disabled.unwrap_or(false),
        is_default: false,
        immutable: false,
        creation_time: now,
        update_time: now,
    };
    store.scanners.insert(uuid.clone(), registration);
    Ok(created(format!("/api/v2.0/scanners/{uuid}"), None))
}

/// `GET /scanners/{registration_id}`
pub async fn get(State(app): State<App>, ctx: Ctx, Path(uuid): Path<String>) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "read")?;
    Ok(ok_json(scanner_json(load(&store, &uuid)?)))
}

const IMMUTABLE: &str =
    "registration Trivy is not allowed to update as it is immutable: scanner API: update";

/// `PUT /scanners/{registration_id}`: the built-in registration cannot be changed.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(uuid): Path<String>,
    body: Bytes,
) -> ApiResult {
    let req: ScannerReq = parse_body(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "update")?;
    if load(&store, &uuid)?.immutable {
        return Err(ApiError::forbidden_msg(IMMUTABLE));
    }
    let (name, url) = validate(&store, &req, Some(&uuid))?;
    let existing = store
        .scanners
        .get_mut(&uuid)
        .ok_or_else(ApiError::internal)?;
    existing.name = name;
    existing.url = url;
    existing.description = req.description.unwrap_or_default();
    existing.auth = req.auth.unwrap_or_default();
    existing.access_credential = req.access_credential.unwrap_or_default();
    existing.skip_cert_verify = req.skip_cert_verify.unwrap_or(false);
    existing.use_internal_addr = req.use_internal_addr.unwrap_or(false);
    existing.disabled = req.disabled.unwrap_or(false);
    existing.update_time = Timestamp::now();
    Ok(ok_empty())
}

/// `DELETE /scanners/{registration_id}`: answers with the removed registration.
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(uuid): Path<String>) -> ApiResult {
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "delete")?;
    if load(&store, &uuid)?.immutable {
        return Err(ApiError::forbidden_msg(
            IMMUTABLE.replace("update", "delete"),
        ));
    }
    let removed = store
        .scanners
        .remove(&uuid)
        .ok_or_else(ApiError::internal)?;
    for project in store.projects.values_mut() {
        if project.scanner_uuid.as_deref() == Some(uuid.as_str()) {
            project.scanner_uuid = None;
        }
    }
    Ok(ok_json(scanner_json(&removed)))
}

#[derive(Debug, Deserialize)]
struct IsDefault {
    #[serde(default)]
    is_default: bool,
}

/// `PATCH /scanners/{registration_id}` with `{"is_default": true}`
pub async fn set_default(
    State(app): State<App>,
    ctx: Ctx,
    Path(uuid): Path<String>,
    body: Bytes,
) -> ApiResult {
    let req: IsDefault = parse_body(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "update")?;
    load(&store, &uuid)?;
    if req.is_default {
        for scanner in store.scanners.values_mut() {
            scanner.is_default = scanner.uuid == uuid;
        }
    }
    Ok(ok_empty())
}

fn default_scanner(store: &Store) -> Option<&ScannerRegistration> {
    store.scanners.values().find(|s| s.is_default)
}

/// Whether any registration is the default; scan-all needs one.
pub fn has_default(store: &Store) -> bool {
    default_scanner(store).is_some()
}

/// `GET /projects/{project_name_or_id}/scanner`: the project's choice, else the system default.
pub async fn get_project_scanner(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project =
        who.require_project(find(&store, &ctx, &key), "scanner", "read", &missing(&key))?;
    let chosen = project
        .scanner_uuid
        .as_ref()
        .and_then(|u| store.scanners.get(u))
        .or_else(|| default_scanner(&store));
    // Harbor's `GetScannerOfProject` hands a nil registration to go-swagger, which writes a 200
    // with no body at all.
    Ok(chosen
        .map(|s| ok_json(scanner_json(s)))
        .unwrap_or_else(ok_empty))
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
    if !store.scanners.contains_key(&req.uuid) {
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
