//! P2P preheat provider instances (`/p2p/preheat/instances`), the provider list, and the ping that
//! calls the instance's health endpoint for real.
//!
//! Harbor: `src/server/v2.0/handler/preheat.go` (`CreateInstance`, `UpdateInstance`,
//! `mergePreheatInstanceAuthOnUpdate`, `convertInstanceToPayload`, `PingInstances`),
//! `src/controller/p2p/preheat/controller.go` (`CreateInstance`, `UpdateInstance`, `CheckHealth`),
//! `src/pkg/p2p/preheat/dao/instance/dao.go` (`Update` clears other defaults),
//! `src/pkg/p2p/preheat/provider/{dragonfly,kraken}.go` (`Self`, `GetHealth`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, Store};
use crate::util::{Page, Params, created, list_response, ok_empty, ok_json, parse_body};

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub vendor: String,
    pub endpoint: String,
    pub auth_mode: String,
    /// Stored (encrypted in Harbor), never returned by the API.
    pub auth_info: BTreeMap<String, String>,
    pub enabled: bool,
    pub default: bool,
    pub insecure: bool,
    pub setup_timestamp: i64,
}

#[derive(Debug, Default)]
pub struct Instances {
    next_id: i64,
    pub by_id: BTreeMap<i64, Instance>,
}

/// The `Instance` swagger model as a request body.
#[derive(Debug, Deserialize, Default)]
struct InstanceReq {
    #[serde(default)]
    id: i64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    auth_mode: String,
    #[serde(default)]
    auth_info: Option<BTreeMap<String, String>>,
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    default: bool,
    #[serde(default)]
    insecure: bool,
    /// `PUT` writes it as sent, 0 when left out (see `update`).
    #[serde(default)]
    setup_timestamp: i64,
}

/// `convertInstanceToPayload`: no `auth_info`, and `status` is always "Unknown"; go-swagger
/// omits an empty `description` (a real Harbor v2.15.2 did).
fn instance_json(i: &Instance) -> Value {
    let mut body = json!({
        "id": i.id,
        "name": i.name,
        "description": i.description,
        "vendor": i.vendor,
        "endpoint": i.endpoint,
        "auth_mode": i.auth_mode,
        "status": "Unknown",
        "enabled": i.enabled,
        "default": i.default,
        "insecure": i.insecure,
        "setup_timestamp": i.setup_timestamp,
    });
    crate::util::omit_empty(&mut body, &["description"]);
    body
}

/// `nameRegex` in `preheat.go`: `^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$`.
fn name_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .split(['.', '_', '-'])
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// `convertParamInstanceToModelInstance`: "name %s is invalid" is a plain Go error, so Harbor
/// answers 500 and hides its text (as for every plain error below).
fn check_name(name: &str) -> ApiResult<()> {
    if name_ok(name) {
        Ok(())
    } else {
        Err(ApiError::internal())
    }
}

fn by_name<'a>(store: &'a Store, name: &str) -> ApiResult<&'a Instance> {
    store
        .preheat
        .by_id
        .values()
        .find(|i| i.name == name)
        .ok_or_else(|| ApiError::not_found(format!("instance {name} not found")))
}

/// `GET /p2p/preheat/providers`: the registered drivers' `Self()` metadata.
pub async fn providers(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("preheat-instance", "list")?;
    Ok(ok_json(json!([
        {
            "id": "dragonfly",
            "name": "Dragonfly",
            "icon": "https://raw.githubusercontent.com/dragonflyoss/Dragonfly2/master/docs/images/logo/dragonfly-linear.png",
            "version": "2.1.59",
            "source": "https://github.com/dragonflyoss/Dragonfly2",
            "maintainers": ["chlins.zhang@gmail.com", "gaius.qi@gmail.com"],
        },
        {
            "id": "kraken",
            "name": "Kraken",
            "icon": "https://github.com/uber/kraken/blob/master/assets/kraken-logo-color.svg",
            "version": "0.1.3",
            "source": "https://github.com/uber/kraken",
            "maintainers": ["mmpei/peimingming@corp.netease.com"],
        },
    ])))
}

/// `GET /p2p/preheat/instances`
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("preheat-instance", "list")?;
    let q = params.query()?;
    let items: Vec<&Instance> = store
        .preheat
        .by_id
        .values()
        .filter(|i| q.allows("name", &i.name))
        .collect();
    let total = items.len();
    let rendered: Vec<Value> = page.slice(&items).into_iter().map(instance_json).collect();
    Ok(list_response(
        "/api/v2.0/p2p/preheat/instances",
        &params,
        page,
        rendered,
        total,
    ))
}

/// `GET /p2p/preheat/instances/{name}`
pub async fn get(State(app): State<App>, ctx: Ctx, Path(name): Path<String>) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("preheat-instance", "read")?;
    Ok(ok_json(instance_json(by_name(&store, &name)?)))
}

/// `POST /p2p/preheat/instances`: no health check (the controller says so: "We don't check the
/// health of the instance here"). A second instance on the same endpoint is refused with
/// `ErrorConflict` (`controller/p2p/preheat/controller.go` `CreateInstance`), an
/// `errors.New("resource conflict")` without an error code, which Harbor's error handler answers
/// as 500 "internal server error" (seen on a real Harbor v2.15.2, FIDELITY.md). A second one of
/// the same name on another endpoint is 409 "instance X already exists": the table's unique name,
/// mapped by `orm.AsConflictError` in `dao/instance/dao.go` `Create`.
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: InstanceReq = parse_body(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("preheat-instance", "create")?;
    check_name(&req.name)?;
    if store
        .preheat
        .by_id
        .values()
        .any(|i| i.endpoint == req.endpoint)
    {
        return Err(ApiError::internal());
    }
    if store.preheat.by_id.values().any(|i| i.name == req.name) {
        return Err(ApiError::conflict(format!(
            "instance {} already exists",
            req.name
        )));
    }
    store.preheat.next_id += 1;
    let id = store.preheat.next_id;
    let name = req.name.clone();
    store.preheat.by_id.insert(
        id,
        Instance {
            id,
            name: req.name,
            description: req.description,
            vendor: req.vendor,
            endpoint: req.endpoint,
            auth_mode: req.auth_mode,
            auth_info: req.auth_info.unwrap_or_default(),
            enabled: req.enabled,
            default: req.default,
            insecure: req.insecure,
            setup_timestamp: crate::util::Timestamp::now().unix_seconds(),
        },
    );
    Ok(created(
        format!("/api/v2.0/p2p/preheat/instances/{name}"),
        None,
    ))
}

/// `PUT /p2p/preheat/instances/{name}`: the path name must exist, but the controller updates the
/// instance whose `id` is in the body; the vendor cannot change; credentials omitted (or `{}`)
/// are kept unless the mode is NONE; setting `default` clears it on every other instance.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut req: InstanceReq = parse_body(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("preheat-instance", "update")?;
    let existing = by_name(&store, &name)?.clone();
    // mergePreheatInstanceAuthOnUpdate
    if req.auth_info.as_ref().is_none_or(BTreeMap::is_empty) {
        let mode = if req.auth_mode.is_empty() {
            existing.auth_mode.as_str()
        } else {
            req.auth_mode.as_str()
        };
        if mode != "NONE" {
            req.auth_info = Some(existing.auth_info.clone());
        }
    }
    check_name(&req.name)?;
    let old = store
        .preheat
        .by_id
        .get(&req.id)
        .ok_or_else(|| ApiError::not_found(format!("instance {} not found", req.id)))?;
    if old.vendor != req.vendor {
        return Err(ApiError::internal());
    }
    if req.default {
        for other in store.preheat.by_id.values_mut() {
            if other.id != req.id {
                other.default = false;
            }
        }
    }
    let target = store
        .preheat
        .by_id
        .get_mut(&req.id)
        .ok_or_else(ApiError::internal)?;
    target.name = req.name;
    target.description = req.description;
    target.endpoint = req.endpoint;
    target.auth_mode = req.auth_mode;
    target.auth_info = req.auth_info.unwrap_or_default();
    target.enabled = req.enabled;
    target.default = req.default;
    target.insecure = req.insecure;
    // `convertParamInstanceToModelInstance` copies the body's `setup_timestamp` and the dao's
    // `o.Update(instance)` (pkg/p2p/preheat/dao/instance/dao.go) writes every column.
    target.setup_timestamp = req.setup_timestamp;
    Ok(ok_empty())
}

/// `DELETE /p2p/preheat/instances/{name}`
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(name): Path<String>) -> ApiResult {
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("preheat-instance", "delete")?;
    let id = by_name(&store, &name)?.id;
    store.preheat.by_id.remove(&id);
    Ok(ok_empty())
}

/// The health path each driver GETs (`dragonflyHealthPath`, `krakenHealthPath`).
fn health_path(vendor: &str) -> Option<&'static str> {
    match vendor {
        "dragonfly" => Some("/healthy"),
        "kraken" => Some("/health"),
        _ => None,
    }
}

/// `POST /p2p/preheat/instances/ping`: by id, or by the instance in the body; GETs the driver's
/// health path with the instance's credentials and answers 200 when it answers 2xx.
pub async fn ping(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: InstanceReq = parse_body(&body)?;
    let instance = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("preheat-instance", "read")?;
        if req.id > 0 {
            match store.preheat.by_id.get(&req.id) {
                Some(i) => i.clone(),
                None => return Err(ApiError::not_found("")),
            }
        } else {
            if req.endpoint.is_empty() {
                return Err(ApiError::bad_request(""));
            }
            check_name(&req.name)?;
            Instance {
                id: 0,
                name: req.name,
                description: req.description,
                vendor: req.vendor,
                endpoint: req.endpoint,
                auth_mode: req.auth_mode,
                auth_info: req.auth_info.unwrap_or_default(),
                enabled: req.enabled,
                default: req.default,
                insecure: req.insecure,
                setup_timestamp: 0,
            }
        }
    };
    let Some(path) = health_path(&instance.vendor) else {
        return Err(ApiError::internal());
    };
    let url = format!("{}{path}", instance.endpoint.trim_end_matches('/'));
    let client = app.probes.get(instance.insecure).clone();
    let mut request = client.get(&url);
    // The auth handlers: BASIC and CUSTOM take the map's first key (Go's map order, random when
    // there are several; sorted here) as user name or header name and its value as password or
    // header value; OAUTH sends `Bearer <token>`.
    let first = instance.auth_info.iter().next();
    request = match (instance.auth_mode.as_str(), first) {
        ("BASIC", Some((k, v))) => request.basic_auth(k, Some(v)),
        ("CUSTOM", Some((k, v))) => request.header(k.as_str(), v.as_str()),
        ("OAUTH", _) => match instance.auth_info.get("token") {
            Some(token) => request.bearer_auth(token),
            None => return Err(ApiError::internal()),
        },
        ("BASIC" | "CUSTOM", None) => return Err(ApiError::internal()),
        _ => request,
    };
    match request.send().await {
        Ok(resp) if resp.status().is_success() => Ok(ok_empty()),
        Ok(resp) => {
            tracing::info!(%url, status = %resp.status(), "preheat instance is not healthy");
            Err(ApiError::internal())
        }
        Err(e) => {
            tracing::info!(%url, error = %e, "preheat instance did not answer");
            Err(ApiError::internal())
        }
    }
}
