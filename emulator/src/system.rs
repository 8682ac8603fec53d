//! Ping, health, systeminfo, the current user and system configurations.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{ADMIN_USER_ID, App, AppInner};
use crate::util::{Timestamp, ok_empty, ok_json, parse_body};

/// `GET /ping`. Harbor's `GetPing` (`server/v2.0/handler/ping.go`) returns the payload `"Pong"`
/// and go-swagger negotiates its encoding from `Accept` over the operation's producers,
/// `text/plain` then `application/json` (`api/v2.0/swagger.yaml`): the bare word unless JSON is
/// preferred strictly, a JSON string when it is, and a 422 when neither is acceptable.
pub async fn ping(headers: axum::http::HeaderMap) -> Response {
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_string();
    if accept.is_empty() {
        return "Pong".into_response();
    }
    let (text, json_q) = (
        accept_q(&accept, "text", "plain"),
        accept_q(&accept, "application", "json"),
    );
    if text <= 0.0 && json_q <= 0.0 {
        return ApiError::unprocessable(
            "validation failure list:\nunsupported media type requested, only [text/plain application/json] are available",
        )
        .into_response();
    }
    if json_q > text {
        let mut resp = "\"Pong\"\n".into_response();
        resp.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        );
        return resp;
    }
    "Pong".into_response()
}

/// The quality an `Accept` header gives `kind/sub`: the most specific matching range wins
/// (`kind/sub`, then `kind/*`, then `*/*`); 0 when none matches.
fn accept_q(accept: &str, kind: &str, sub: &str) -> f32 {
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let (t, s) = media.split_once('/').unwrap_or((media.as_str(), ""));
        let specificity = match (t, s) {
            (t, s) if t == kind && s == sub => 3,
            (t, "*") if t == kind => 2,
            ("*", "*") => 1,
            _ => continue,
        };
        if best.is_none_or(|(sp, _)| specificity > sp) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

pub async fn api_version() -> Response {
    ok_json(json!({"version": "v2.0"}))
}

pub async fn health() -> Response {
    let components: Vec<Value> = [
        "core",
        "database",
        "jobservice",
        "portal",
        "redis",
        "registry",
        "registryctl",
        "trivy",
    ]
    .iter()
    .map(|name| json!({"name": name, "status": "healthy"}))
    .collect();
    ok_json(json!({"status": "healthy", "components": components}))
}

/// `convertInfo` (handler/systeminfo.go): anonymous callers get the general part only, with
/// `oidc_provider_name` always (a pointer, so `""` too); `has_ca_root`, `current_time`, the version
/// and URLs are in `Protected`, which needs authentication.
pub async fn systeminfo(State(app): State<App>, ctx: Ctx) -> Response {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let mut info = json!({
        "auth_mode": crate::auth_config::auth_mode(&store),
        "primary_auth_mode": crate::auth_config::value(&store, "primary_auth_mode"),
        "self_registration": crate::auth_config::value(&store, "self_registration"),
        "banner_message": "",
        "oidc_provider_name": "",
    });
    if who.is_authenticated() {
        let host = app
            .base_url
            .split_once("://")
            .map_or(app.base_url.as_str(), |(_, h)| h);
        let extra = json!({
            "harbor_version": format!("v{}-emulator", app.version_text.trim_start_matches('v')),
            "external_url": app.base_url,
            "registry_url": host,
            "project_creation_restriction": store.settings.project_creation_restriction,
            "read_only": false,
            "registry_storage_provider_name": "filesystem",
            "notification_enable": !store
                .settings
                .others
                .get("notification_enable")
                .is_some_and(|v| v == &Value::Bool(false)),
            "has_ca_root": false,
            "current_time": Timestamp::now(),
        });
        if let (Some(base), Value::Object(more)) = (info.as_object_mut(), extra) {
            base.extend(more);
        }
    }
    ok_json(info)
}

/// Users only: robots get 412 as the spec documents, anonymous callers 401.
pub async fn current_user(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    match Principal::resolve(&app, &store, &ctx) {
        Principal::Anonymous => Err(ApiError::unauthorized()),
        Principal::Robot(_) => Err(ApiError::precondition(
            "get current user not available for security context: robot",
        )),
        who => {
            let id = who.user_id().unwrap_or(ADMIN_USER_ID);
            let user = store.users.get(&id).ok_or_else(ApiError::internal)?;
            Ok(ok_json(crate::users::user_json(user)))
        }
    }
}

/// `GET /configurations`: `{key: {value, editable}}`.
pub async fn get_configurations(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_admin()?;
    let s = &store.settings;
    let mut out = Map::new();
    let mut put = |key: &str, value: Value| {
        out.insert(key.to_string(), json!({"value": value, "editable": true}));
    };
    put("read_only", json!(false));
    // The auth settings, at their defaults until set; password items are never answered.
    for (key, kind, default) in crate::auth_config::AUTH_ITEMS {
        if *kind != crate::auth_config::Kind::Password && !s.others.contains_key(*key) {
            put(key, default());
        }
    }
    put("robot_name_prefix", json!(s.robot_name_prefix));
    put("robot_token_duration", json!(s.robot_token_duration));
    put(
        "quota_per_project_enable",
        json!(s.quota_per_project_enable),
    );
    put("storage_per_project", json!(s.storage_per_project));
    put(
        "project_creation_restriction",
        json!(s.project_creation_restriction),
    );
    // Harbor answers every user-scope item, at its default until set (`GetUserCfgs`).
    for (key, default) in system_defaults() {
        if !s.others.contains_key(key) {
            put(key, default);
        }
    }
    for (key, value) in s
        .others
        .iter()
        .filter(|(k, _)| !crate::auth_config::is_password(k))
    {
        put(key, value.clone());
    }
    // `ConvertForGet` answers `auth_mode` as editable only while `authModeCanBeModified`.
    let editable = crate::auth_config::auth_mode_can_be_modified(&store);
    if let Some(item) = out.get_mut("auth_mode") {
        item["editable"] = json!(editable);
    }
    // `editable` is `!readOnlyForAll` for every item (`ConvertForGet` in
    // controller/config/controller.go): false only when CONFIG_OVERWRITE_JSON pins the
    // configuration, which the emulator never does. The metadata list's own `Editable` flag is
    // not what the API answers.
    Ok(ok_json(Value::Object(out)))
}

/// The system settings of Harbor's metadata list (`lib/config/metadata/metadatalist.go`) that
/// the emulator has no typed field for, with their defaults as `GET /configurations` shows them
/// before anyone sets them. Only keys of the swagger's `ConfigurationsResponse` appear: the
/// handler decodes the settings into that model (`toResponseModel` in handler/config.go).
pub fn system_defaults() -> [(&'static str, Value); 9] {
    [
        ("read_only", json!(false)),
        ("token_expiration", json!(30)),
        ("session_timeout", json!(60)),
        ("notification_enable", json!(true)),
        ("scanner_skip_update_pulltime", json!(false)),
        ("audit_log_forward_endpoint", json!("")),
        ("skip_audit_log_database", json!(false)),
        ("disabled_audit_log_event_types", json!("")),
        ("banner_message", json!("")),
    ]
}

/// `verifySkipAuditLogCfg` (controller/config/controller.go): when either audit key is sent, the
/// resulting pair (sent value, else the stored one) must not skip the database with no endpoint.
fn check_skip_audit_database(app: &AppInner, req: &Map<String, Value>) -> ApiResult<()> {
    if !req.contains_key("audit_log_forward_endpoint")
        && !req.contains_key("skip_audit_log_database")
    {
        return Ok(());
    }
    let store = app.store();
    let stored = |key: &str| store.settings.others.get(key).cloned();
    let endpoint = req
        .get("audit_log_forward_endpoint")
        .cloned()
        .or_else(|| stored("audit_log_forward_endpoint"));
    let skip = req
        .get("skip_audit_log_database")
        .cloned()
        .or_else(|| stored("skip_audit_log_database"));
    let endpoint_empty = endpoint
        .as_ref()
        .and_then(Value::as_str)
        .is_none_or(str::is_empty);
    if skip.and_then(|v| v.as_bool()) == Some(true) && endpoint_empty {
        return Err(ApiError::bad_request(
            "audit log forward endpoint should be configured before enable skip audit log in database",
        ));
    }
    Ok(())
}

/// `audit.CheckEndpointActive` (pkg/audit/forward.go): Harbor dials the endpoint over TCP as a
/// syslog writer. Only loopback addresses are dialled here; any other host counts as unreachable.
pub async fn endpoint_reachable(endpoint: &str) -> bool {
    let normalised = endpoint.replacen("localhost:", "127.0.0.1:", 1);
    match normalised.parse::<std::net::SocketAddr>() {
        Ok(addr) if addr.ip().is_loopback() => tokio::time::timeout(
            std::time::Duration::from_secs(2),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        .is_ok_and(|r| r.is_ok()),
        _ => false,
    }
}

/// `PUT /configurations`: flat `{key: value}`, bound to the swagger model first (unknown keys
/// and nulls dropped, wrong types 422; `config_model`), then validated as `validateCfg` does.
pub async fn put_configurations(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: Map<String, Value> = crate::config_model::bind(parse_body(&body)?)?;
    Principal::resolve(&app, &app.store(), &ctx).require_admin()?;
    crate::auth_config::check_auth_mode_change(&app.store(), &req)?;
    check_skip_audit_database(&app, &req)?;
    {
        let mut store = app.store();
        Principal::resolve(&app, &store, &ctx).require_admin()?;
        let mut next = store.settings.clone();
        let wrong = |key: &str, value: &Value| {
            ApiError::bad_request(format!("invalid value {value} for configuration {key}"))
        };
        for (key, value) in &req {
            match key.as_str() {
                // A `StringType` item (lib/config/metadata/metadatalist.go): any string,
                // the empty one included.
                "robot_name_prefix" => {
                    next.robot_name_prefix =
                        value.as_str().ok_or_else(|| wrong(key, value))?.into();
                }
                "quota_per_project_enable" => {
                    next.quota_per_project_enable =
                        value.as_bool().ok_or_else(|| wrong(key, value))?
                }
                // `CfgManager.ValidateCfg` (pkg/config/manager.go) checks this key with
                // `lib.ValidateQuotaLimit` and returns its error unwrapped.
                "storage_per_project" => {
                    let v = value.as_i64().ok_or_else(|| wrong(key, value))?;
                    crate::quotas::validate_storage(v)?;
                    next.storage_per_project = v;
                }
                // `ProjectCreationRestrictionType.validate`, wrapped "item name <key>" by
                // `ValidateCfg`.
                "project_creation_restriction" => {
                    let v = value
                        .as_str()
                        .filter(|v| matches!(*v, "everyone" | "adminonly"))
                        .ok_or_else(|| {
                            ApiError::bad_request(
                                "item name project_creation_restriction: invalid \
                                 project_creation_restriction, should be adminonly or everyone",
                            )
                        })?;
                    next.project_creation_restriction = v.into();
                }
                // `verifyValueLengthCfg` (controller/config/controller.go): positive, at most
                // ten digits (`UIMaxLengthLimitedOfNumber`).
                "robot_token_duration" | "token_expiration" | "session_timeout" => {
                    let v = value.as_i64().ok_or_else(|| wrong(key, value))?;
                    if v <= 0 {
                        return Err(ApiError::bad_request(format!(
                            "the {key} value must be positive"
                        )));
                    }
                    if v > 9_999_999_999 {
                        return Err(ApiError::bad_request(format!(
                            "the {key} value is over the limit value: 9999999999"
                        )));
                    }
                    if key == "robot_token_duration" {
                        next.robot_token_duration = v;
                    } else {
                        next.others.insert(key.clone(), value.clone());
                    }
                }
                "read_only"
                | "notification_enable"
                | "scanner_skip_update_pulltime"
                | "skip_audit_log_database" => {
                    value.as_bool().ok_or_else(|| wrong(key, value))?;
                    next.others.insert(key.clone(), value.clone());
                }
                "audit_log_forward_endpoint"
                | "disabled_audit_log_event_types"
                | "banner_message" => {
                    value.as_str().ok_or_else(|| wrong(key, value))?;
                    next.others.insert(key.clone(), value.clone());
                }
                // The auth settings, and the `uaa_*` keys (stored, never acted on).
                _ => {
                    let stored = match crate::auth_config::kind_of(key) {
                        Some(kind) => crate::auth_config::check_item(key, kind, value)?,
                        None => value.clone(),
                    };
                    next.others.insert(key.clone(), stored);
                }
            }
        }
        crate::auth_config::check_ldap_group(&store, &req)?;
        store.settings = next;
    }
    // `updateLogEndpoint` runs after the settings are saved: an unreachable endpoint is kept,
    // and the caller still gets a 400.
    if let Some(endpoint) = req
        .get("audit_log_forward_endpoint")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        && !endpoint_reachable(endpoint).await
    {
        return Err(ApiError::bad_request(format!(
            "could not connect to the audit endpoint: {endpoint}"
        )));
    }
    Ok(ok_empty())
}
