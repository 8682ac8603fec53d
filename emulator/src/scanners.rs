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
        // `model.ScannerRegistration.ToSwagger` (src/server/v2.0/handler/model/scanner.go)
        // never copies the credential, and the swagger field is not omitempty: always "".
        "access_credential": "",
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

/// `Registration.Validate` (src/pkg/scan/dao/scanner/model.go) after go-swagger's required
/// fields: the normalised `(name, url)`, or a 400 with Harbor's message.
fn validate(req: &ScannerReq) -> ApiResult<(String, String)> {
    let name = req.name.clone().filter(|n| !n.is_empty());
    let url = req.url.clone().filter(|u| !u.is_empty());
    let (Some(name), Some(url)) = (name, url) else {
        return Err(ApiError::unprocessable("name and url in body are required"));
    };
    let url = crate::registries::normalise_url(&url).map_err(|e| {
        ApiError::bad_request(format!("scanner registration validate: {}", e.message))
    })?;
    let auth = req.auth.as_deref().unwrap_or("");
    // `Registration.Validate` (pkg/scan/dao/scanner/model.go): "", Basic, Bearer or APIKey
    // (`auth.APIKey`); the header name `X-ScannerAdapter-API-Key` is refused, whatever the
    // swagger's description says.
    if !matches!(auth, "" | "Basic" | "Bearer" | "APIKey") {
        return Err(ApiError::bad_request(format!(
            "auth type {auth} is not supported"
        )));
    }
    if !auth.is_empty() && req.access_credential.as_deref().unwrap_or("").is_empty() {
        return Err(ApiError::bad_request(format!(
            "access_credential is required for auth type {auth}"
        )));
    }
    Ok((name, url))
}

/// `isReservedName` (src/controller/scanner/base_controller.go): create and update refuse the
/// built-in adapter's name.
fn check_reserved(name: &str) -> ApiResult<()> {
    if name == "Trivy" {
        return Err(ApiError::bad_request(format!(
            "name \"{name}\" is reserved, please try a different name"
        )));
    }
    Ok(())
}

/// Whether another registration has this name or URL: the table's unique columns.
fn taken(store: &Store, name: &str, url: &str, except: Option<&str>) -> bool {
    store
        .scanners
        .values()
        .filter(|s| Some(s.uuid.as_str()) != except)
        .any(|s| s.name == name || s.url == url)
}

fn load<'a>(store: &'a Store, uuid: &str) -> ApiResult<&'a ScannerRegistration> {
    store
        .scanners
        .get(uuid)
        .ok_or_else(|| ApiError::not_found(format!("scanner {uuid} not found")))
}

/// `GET /scanners`
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "list")?;
    let q = params.query()?;
    let mut items: Vec<&ScannerRegistration> = store
        .scanners
        .values()
        .filter(|s| q.allows("name", &s.name))
        // The handler's pre-`q` filters: `name`, `description` and `url` match fuzzily,
        // `ex_name` and `ex_url` exactly.
        .filter(|s| params.get("name").is_none_or(|v| s.name.contains(v)))
        .filter(|s| {
            params
                .get("description")
                .is_none_or(|v| s.description.contains(v))
        })
        .filter(|s| params.get("url").is_none_or(|v| s.url.contains(v)))
        .filter(|s| params.get("ex_name").is_none_or(|v| s.name == v))
        .filter(|s| params.get("ex_url").is_none_or(|v| s.url == v))
        .collect();
    // `ListRegistrations` (src/pkg/scan/dao/scanner/registration.go): the default first, then
    // the newest.
    items.sort_by(|a, b| {
        (b.is_default, b.creation_time, &b.uuid).cmp(&(a.is_default, a.creation_time, &a.uuid))
    });
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

/// `POST /scanners`: `CreateScanner` validates, `CreateRegistration` refuses the reserved name
/// and pings the adapter before the insert meets the unique name and url columns.
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: ScannerReq = parse_body(&body)?;
    let (name, url) = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("scanner", "create")?;
        validate(&req)?
    };
    check_reserved(&name)?;
    // A failed ping is a plain Go error, which Harbor answers with a 500 that hides its text.
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
    if taken(&store, &name, &url, None) {
        // `AddRegistration` wraps the duplicate key as a conflict; the manager wraps that.
        return Err(ApiError::conflict(
            "dao: create registration: registration name or url already exists",
        ));
    }
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
        // The first registration becomes the default (the built-in one always exists here, so
        // only if it was deleted on a real Harbor).
        is_default: store.scanners.is_empty(),
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

/// `PUT /scanners/{registration_id}` (`UpdateScanner`): the built-in registration cannot be
/// changed; an empty credential keeps the stored one while the auth type needs one; the
/// adapter is not pinged. The default cannot be disabled (`UpdateRegistration`: a plain error,
/// 500), and a name or url another registration has fails the unique columns unwrapped (500).
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(uuid): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut req: ScannerReq = parse_body(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scanner", "update")?;
    let existing = load(&store, &uuid)?;
    if existing.immutable {
        return Err(ApiError::forbidden_msg(IMMUTABLE));
    }
    let auth = req.auth.clone().unwrap_or_default();
    if req.access_credential.as_deref().unwrap_or("").is_empty()
        && matches!(auth.as_str(), "Basic" | "Bearer" | "APIKey")
    {
        req.access_credential = Some(existing.access_credential.clone());
    }
    let is_default = existing.is_default;
    let (name, url) = validate(&req)?;
    if is_default && req.disabled.unwrap_or(false) {
        tracing::info!("default registration {uuid} can not be marked to deactivated");
        return Err(ApiError::internal());
    }
    check_reserved(&name)?;
    if taken(&store, &name, &url, Some(&uuid)) {
        tracing::info!("update registration {uuid}: duplicate key");
        return Err(ApiError::internal());
    }
    let existing = store
        .scanners
        .get_mut(&uuid)
        .ok_or_else(ApiError::internal)?;
    existing.name = name;
    existing.url = url;
    existing.description = req.description.unwrap_or_default();
    existing.auth = auth;
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
    if req.is_default {
        // `SetDefaultRegistration` (src/pkg/scan/dao/scanner/registration.go) updates only an
        // enabled registration; none updated is a 404.
        if store.scanners.get(&uuid).is_none_or(|s| s.disabled) {
            return Err(ApiError::not_found(format!(
                "registration {uuid} not found"
            )));
        }
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

/// `ScannerRegistrationSettings`, the body of `POST /scanners/ping`.
#[derive(Debug, Deserialize)]
struct PingReq {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    access_credential: Option<String>,
}

/// `POST /scanners/ping` (`PingScanner`, needs scanner read): the settings are validated as a
/// registration (400), then the adapter is asked for its metadata; a failure is a plain error
/// (500). Nothing is stored, and the reserved name is not checked.
pub async fn ping(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: PingReq = parse_body(&body)?;
    {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("scanner", "read")?;
    }
    let as_registration = ScannerReq {
        name: req.name,
        description: None,
        url: req.url,
        auth: req.auth.clone(),
        access_credential: req.access_credential.clone(),
        skip_cert_verify: None,
        use_internal_addr: None,
        disabled: None,
    };
    let (_, url) = validate(&as_registration)?;
    // The handler builds the registration without `skip_certVerify`: certificates are checked.
    if let Err(why) = crate::scanner_ping::ping(
        &url,
        req.auth.as_deref().unwrap_or(""),
        req.access_credential.as_deref().unwrap_or(""),
        false,
    )
    .await
    {
        tracing::info!("scanner controller: ping {url}: {why}");
        return Err(ApiError::internal());
    }
    Ok(ok_empty())
}
