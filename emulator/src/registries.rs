//! Registry endpoints with URL normalisation, masked secrets and a loopback-only live health check.

use std::net::IpAddr;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, AppInner, ProbeClients, Registry};
use crate::util::{Page, Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body};

/// Types with a replication adapter; `helm-hub` and `artifact-hub` exist as constants only (500 on create).
const ADAPTER_TYPES: &[&str] = &[
    "ali-acr",
    "aws-ecr",
    "azure-acr",
    "docker-hub",
    "docker-registry",
    "dtr",
    "github-ghcr",
    "gitlab",
    "google-gcr",
    "harbor",
    "huawei-SWR",
    "jfrog-artifactory",
    "quay",
    "tencent-tcr",
    "volcengine-cr",
];

/// Left out of the adapter lists by the default `REPLICATION_ADAPTER_WHITELIST` since 2.14.
const NOT_WHITELISTED: &[&str] = &["gitlab", "quay", "dtr"];

const UNHEALTHY: &str = "the registry is unhealthy";

#[derive(Debug, Default, Deserialize)]
struct CredentialReq {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    access_key: Option<String>,
    #[serde(default)]
    access_secret: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RegistryReq {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    credential: Option<CredentialReq>,
    #[serde(default)]
    insecure: Option<bool>,
    #[serde(default)]
    ca_certificate: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// `RegistryUpdate` and the ping body: flat and nullable, so absent fields stay as they are.
#[derive(Debug, Default, Deserialize)]
struct RegistryPatch {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    credential_type: Option<String>,
    #[serde(default)]
    access_key: Option<String>,
    #[serde(default)]
    access_secret: Option<String>,
    #[serde(default)]
    insecure: Option<bool>,
    #[serde(default)]
    ca_certificate: Option<String>,
}

/// `lib.ValidateHTTPURL`: trim, default to http, only http(s), drop the query and the trailing slash.
pub fn normalise_url(raw: &str) -> ApiResult<String> {
    let trimmed = raw.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    };
    let (scheme, rest) = with_scheme
        .split_once("://")
        .ok_or_else(|| ApiError::bad_request("invalid url"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(ApiError::bad_request(format!(
            "invalid HTTP scheme: {scheme}"
        )));
    }
    let rest = rest
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    if rest.is_empty() || rest.starts_with('/') {
        return Err(ApiError::bad_request(format!("invalid url {raw}")));
    }
    Ok(format!("{scheme}://{rest}"))
}

fn check_type(kind: &str) -> ApiResult<()> {
    // Harbor fails to find an adapter factory and surfaces it as a plain (500) error.
    if ADAPTER_TYPES.contains(&kind) {
        Ok(())
    } else {
        Err(ApiError::internal())
    }
}

/// True when the URL's host is a loopback address: the only place this machine may send traffic.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(inner) = authority.strip_prefix('[') {
        inner.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Building the `harbor` adapter (`pkg/reg/adapter/harbor/base/client.go` `NewClient`) asks the
/// remote's `/api/version` first; its failure is the answer before any health check: a connection
/// error is a plain error (500), an HTTP error is a `common/http.Error` whose status Harbor passes
/// on, and 404 (Harbor 1.x) is fine. Only loopback remotes are asked, as for the health check.
async fn harbor_adapter_builds(
    app: &AppInner,
    url: &str,
    insecure: bool,
    ca: Option<&str>,
) -> ApiResult<()> {
    if !is_loopback(url) {
        return Ok(());
    }
    let custom;
    let client = match ca.filter(|c| !insecure && !c.trim().is_empty()) {
        None => app.probes.get(insecure),
        Some(pem) => match reqwest::Certificate::from_pem(pem.as_bytes()) {
            Ok(cert) => {
                custom = ProbeClients::build(false, Some(cert));
                &custom
            }
            Err(_) => return Err(ApiError::internal()),
        },
    };
    let resp = client
        .get(format!("{url}/api/version"))
        .send()
        .await
        .map_err(|_| ApiError::internal())?;
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(());
    }
    let body = resp.text().await.map_err(|_| ApiError::internal())?;
    if !status.is_success() {
        let status = axum::http::StatusCode::from_u16(status.as_u16())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        return Err(ApiError::legacy(status, body));
    }
    // `json.Unmarshal` into `{version string}`: anything but a JSON object is a plain error.
    match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(_)) => Ok(()),
        _ => Err(ApiError::internal()),
    }
}

/// The adapter health check: Harbor and Docker registries are probed over HTTP, other types pass.
/// For `docker-registry` this is `pkg/reg/adapter/native/adapter.go` `HealthCheck`: without a
/// credential, `PingSimple` (a 401 or 403 from `/v2/` still counts as healthy); with one, `Ping`
/// through `pkg/registry/auth/authorizer.go`: an anonymous `/v2/` to learn the challenge, then
/// for `Bearer` a token from the realm with the credential as basic auth, for `Basic` the
/// credential itself, and `/v2/` must answer 2xx.
async fn healthy(
    app: &AppInner,
    kind: &str,
    url: &str,
    insecure: bool,
    ca: Option<&str>,
    credential: Option<(&str, &str)>,
) -> bool {
    let path = match kind {
        "harbor" => "/api/v2.0/ping",
        "docker-registry" => "/v2/",
        _ => return true,
    };
    if !is_loopback(url) {
        return false;
    }
    let custom;
    let client = match ca.filter(|c| !insecure && !c.trim().is_empty()) {
        None => app.probes.get(insecure),
        Some(pem) => {
            // A CA certificate that does not parse can never make the remote trusted.
            let Ok(cert) = reqwest::Certificate::from_pem(pem.as_bytes()) else {
                return false;
            };
            custom = ProbeClients::build(false, Some(cert));
            &custom
        }
    };
    let Ok(resp) = client.get(format!("{url}{path}")).send().await else {
        return false;
    };
    if resp.status().is_success() {
        return true;
    }
    let Some((user, pass)) = credential.filter(|_| kind == "docker-registry") else {
        return resp.status() == reqwest::StatusCode::UNAUTHORIZED
            || (kind == "docker-registry" && resp.status() == reqwest::StatusCode::FORBIDDEN);
    };
    let challenge = resp
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let param = |name: &str| {
        challenge
            .split(&format!("{name}=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_string)
    };
    let authorization = if challenge.to_ascii_lowercase().starts_with("bearer") {
        let (Some(realm), Some(service)) = (param("realm"), param("service")) else {
            return false;
        };
        if !is_loopback(&realm) {
            return false;
        }
        let Ok(token) = client
            .get(realm)
            .query(&[("service", service)])
            .basic_auth(user, Some(pass))
            .send()
            .await
        else {
            return false;
        };
        if !token.status().is_success() {
            return false;
        }
        let Ok(body) = token.json::<Value>().await else {
            return false;
        };
        match body
            .get("token")
            .or_else(|| body.get("access_token"))
            .and_then(Value::as_str)
        {
            Some(t) => format!("Bearer {t}"),
            None => return false,
        }
    } else if challenge.to_ascii_lowercase().starts_with("basic") {
        let b64 = base64::engine::general_purpose::STANDARD;
        format!(
            "Basic {}",
            base64::Engine::encode(&b64, format!("{user}:{pass}"))
        )
    } else {
        return false;
    };
    client
        .get(format!("{url}{path}"))
        .header(reqwest::header::AUTHORIZATION, authorization)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

pub fn registry_json(app: &AppInner, registry: &Registry) -> Value {
    let mut body = json!({
        "id": registry.id,
        "name": registry.name,
        "type": registry.kind,
        "url": registry.url,
        "description": registry.description,
        "insecure": registry.insecure,
        "status": "healthy",
        "creation_time": registry.creation_time,
        "update_time": registry.update_time,
    });
    let Some(obj) = body.as_object_mut() else {
        return body;
    };
    // `convertRegistry` (handler/replication.go) always sets `credential`; its fields are
    // `omitempty`, so a registry without credential shows `{}`, and the secret only as `*****`.
    let mut credential = Map::new();
    if !registry.access_key.is_empty() {
        credential.insert("type".into(), json!(registry.credential_type));
        credential.insert("access_key".into(), json!(registry.access_key));
        if !registry.access_secret.is_empty() {
            credential.insert("access_secret".into(), json!("*****"));
        }
    }
    obj.insert("credential".into(), Value::Object(credential));
    if app.version.at_least(2, 15, 0)
        && let Some(ca) = registry.ca_certificate.as_ref().filter(|c| !c.is_empty())
    {
        obj.insert("ca_certificate".into(), json!(ca));
    }
    // `Registry.description` and `insecure` are `omitempty` (only `id` is `x-omitempty: false`).
    crate::util::omit_empty(&mut body, &["description", "insecure"]);
    body
}

/// `pkg/reg/manager.go` `toDaoModel`/`fromDaoModel`: a credential is stored only with a
/// non-empty access key, and an empty type becomes `basic`; without a key, type and secret go too.
fn normalise_credential(registry: &mut Registry) {
    if registry.access_key.is_empty() {
        registry.credential_type.clear();
        registry.access_secret.clear();
    } else if registry.credential_type.is_empty() {
        registry.credential_type = "basic".into();
    }
}

/// `common/http/transport.go` `ValidateCACertificate`, run by create, update and ping for every
/// type: after trimming, an empty value passes; otherwise at least one `CERTIFICATE` PEM block
/// must parse, or it is 400 "invalid CA certificate: ...". (The emulator checks the PEM framing,
/// the base64 and that the DER is a SEQUENCE; Harbor parses the X.509 structure fully.)
pub fn validate_ca_certificate(raw: &str) -> ApiResult<()> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let pem = raw.trim().replace("\r\n", "\n").replace('\r', "\n");
    if pem.is_empty() {
        return Ok(());
    }
    let mut found = 0;
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        match cert {
            Ok(der) if der.first() == Some(&0x30) && der.len() > 2 => found += 1,
            Ok(_) => {
                return Err(ApiError::bad_request(
                    "invalid CA certificate: failed to parse certificate: x509: malformed certificate",
                ));
            }
            Err(_) => break,
        }
    }
    if found == 0 {
        return Err(ApiError::bad_request(
            "invalid CA certificate: no valid certificates found in PEM data",
        ));
    }
    Ok(())
}

/// The local Harbor, registry id 0.
/// `getLocalRegistry` (pkg/reg/manager.go) through `convertRegistry`: `insecure` is "internal TLS
/// off" (true in a default deployment), the credential is the job service secret, shown as
/// `{type: secret, access_secret: *****}`, and the times are Go's zero time. The URL is Harbor's
/// internal core URL, which has no meaning outside a deployment; the emulator gives its own.
/// Seen on Harbor 2.15.2 (`GET /registries/0`).
pub fn local_registry_json(app: &AppInner) -> Value {
    // 0001-01-01T00:00:00Z, Go's `time.Time{}`, in milliseconds since the Unix epoch.
    const GO_ZERO_TIME: Timestamp = Timestamp(-62_135_596_800_000);
    json!({
        "id": 0,
        "name": "Local",
        "type": "harbor",
        "url": app.base_url,
        "insecure": true,
        "credential": {"type": "secret", "access_secret": "*****"},
        "status": "healthy",
        "creation_time": GO_ZERO_TIME,
        "update_time": GO_ZERO_TIME,
    })
}

fn registry_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| {
        ApiError::unprocessable(format!("id in path must be of type int64: \"{raw}\""))
    })
}

/// `POST /registries`
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: RegistryReq = parse_body(&body)?;
    let draft = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("registry", "create")?;
        let name = req.name.clone().unwrap_or_default();
        // `controller/registry` `validate`: Go's `len` counts bytes.
        if name.is_empty() {
            return Err(ApiError::bad_request("name cannot be empty"));
        }
        if name.len() > 64 {
            return Err(ApiError::bad_request("the max length of name is 64"));
        }
        let url = normalise_url(req.url.as_deref().unwrap_or(""))?;
        if store.registries.values().any(|r| r.name == name) {
            return Err(ApiError::conflict(format!(
                "registry {name} already exists"
            )));
        }
        let kind = req.kind.clone().unwrap_or_default();
        check_type(&kind)?;
        if let Some(ca) = &req.ca_certificate
            && app.version.at_least(2, 15, 0)
        {
            validate_ca_certificate(ca)?;
        }
        let credential = req.credential.unwrap_or_default();
        let now = Timestamp::now();
        let mut draft = Registry {
            id: 0,
            name,
            kind,
            url,
            credential_type: credential.kind.unwrap_or_default(),
            access_key: credential.access_key.unwrap_or_default(),
            access_secret: credential.access_secret.unwrap_or_default(),
            insecure: req.insecure.unwrap_or(false),
            ca_certificate: req
                .ca_certificate
                .filter(|_| app.version.at_least(2, 15, 0)),
            description: req.description.unwrap_or_default(),
            creation_time: now,
            update_time: now,
        };
        normalise_credential(&mut draft);
        draft
    };
    if draft.kind == "harbor" {
        harbor_adapter_builds(
            &app,
            &draft.url,
            draft.insecure,
            draft.ca_certificate.as_deref(),
        )
        .await?;
    }
    if !healthy(
        &app,
        &draft.kind,
        &draft.url,
        draft.insecure,
        draft.ca_certificate.as_deref(),
        (!draft.access_key.is_empty())
            .then_some((draft.access_key.as_str(), draft.access_secret.as_str())),
    )
    .await
    {
        return Err(ApiError::bad_request(UNHEALTHY));
    }
    let mut store = app.store();
    if store.registries.values().any(|r| r.name == draft.name) {
        return Err(ApiError::conflict(format!(
            "registry {} already exists",
            draft.name
        )));
    }
    let id = store.seq.registry();
    store.registries.insert(id, Registry { id, ..draft });
    Ok(created(format!("/api/v2.0/registries/{id}"), None))
}

/// `GET /registries`
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let name = params.get("name").map(str::to_string);
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("registry", "list")?;
    let q = params.query()?;
    let items: Vec<&Registry> = store
        .registries
        .values()
        .filter(|r| name.as_deref().is_none_or(|n| r.name.contains(n)))
        .filter(|r| q.allows("name", &r.name) && q.allows("type", &r.kind))
        // `pkg/reg/dao/model.go` `Registry.ID`: by field (`ID`) or column (`id`), as
        // `lib/orm/query.go` `setFilters` accepts either; `{1 2}` is an OR-list.
        .filter(|r| q.allows("id", &r.id.to_string()) && q.allows("ID", &r.id.to_string()))
        .collect();
    let total = items.len();
    let rendered: Vec<Value> = page
        .slice(&items)
        .into_iter()
        .map(|r| registry_json(&app, r))
        .collect();
    Ok(list_response(
        "/api/v2.0/registries",
        &params,
        page,
        rendered,
        total,
    ))
}

/// `GET /registries/{id}`; id 0 is the local Harbor.
pub async fn get(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = registry_id(&raw)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("registry", "read")?;
    if id == 0 {
        return Ok(ok_json(local_registry_json(&app)));
    }
    let registry = store
        .registries
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("registry {id} not found")))?;
    Ok(ok_json(registry_json(&app, registry)))
}

fn apply_patch(app: &AppInner, registry: &mut Registry, patch: RegistryPatch) -> ApiResult<()> {
    if let Some(name) = patch.name {
        if name.is_empty() {
            return Err(ApiError::bad_request("name cannot be empty"));
        }
        if name.len() > 64 {
            return Err(ApiError::bad_request("the max length of name is 64"));
        }
        registry.name = name;
    }
    if let Some(url) = patch.url {
        registry.url = normalise_url(&url)?;
    }
    if let Some(description) = patch.description {
        registry.description = description;
    }
    if let Some(kind) = patch.credential_type {
        registry.credential_type = kind;
    }
    if let Some(key) = patch.access_key {
        registry.access_key = key;
    }
    if let Some(secret) = patch.access_secret {
        registry.access_secret = secret;
    }
    if let Some(insecure) = patch.insecure {
        registry.insecure = insecure;
    }
    if let Some(ca) = patch.ca_certificate
        && app.version.at_least(2, 15, 0)
    {
        validate_ca_certificate(&ca)?;
        registry.ca_certificate = Some(ca);
    }
    normalise_credential(registry);
    Ok(())
}

/// `PUT /registries/{id}`: partial update from the flat `RegistryUpdate` body; `type` never changes.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = registry_id(&raw)?;
    let mut patch: RegistryPatch = parse_body(&body)?;
    patch.kind = None;
    patch.id = None;
    let draft = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("registry", "update")?;
        let mut draft = store
            .registries
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("registry {id} not found")))?;
        apply_patch(&app, &mut draft, patch)?;
        if store
            .registries
            .values()
            .any(|r| r.id != id && r.name == draft.name)
        {
            return Err(ApiError::conflict(format!(
                "registry {} already exists",
                draft.name
            )));
        }
        draft
    };
    if draft.kind == "harbor" {
        harbor_adapter_builds(
            &app,
            &draft.url,
            draft.insecure,
            draft.ca_certificate.as_deref(),
        )
        .await?;
    }
    if !healthy(
        &app,
        &draft.kind,
        &draft.url,
        draft.insecure,
        draft.ca_certificate.as_deref(),
        (!draft.access_key.is_empty())
            .then_some((draft.access_key.as_str(), draft.access_secret.as_str())),
    )
    .await
    {
        return Err(ApiError::bad_request(UNHEALTHY));
    }
    let mut store = app.store();
    if !store.registries.contains_key(&id) {
        return Err(ApiError::not_found(format!("registry {id} not found")));
    }
    store.registries.insert(
        id,
        Registry {
            update_time: Timestamp::now(),
            ..draft
        },
    );
    Ok(ok_empty())
}

/// `DELETE /registries/{id}`: refused while a policy or a proxy-cache project uses it.
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = registry_id(&raw)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("registry", "delete")?;
    if !store.registries.contains_key(&id) {
        return Err(ApiError::not_found(format!("registry {id} not found")));
    }
    // `controller/registry` `Delete`: policies (source, then destination) first, then projects.
    if store
        .policies
        .values()
        .any(|p| p.src_registry_id == id || p.dest_registry_id == id)
    {
        return Err(ApiError::precondition(format!(
            "the registry {id} is referenced by replication policies, cannot delete it"
        )));
    }
    if store.registry_in_use(id) {
        return Err(ApiError::precondition(format!(
            "the registry {id} is referenced by proxy cache project, cannot delete it"
        )));
    }
    store.registries.remove(&id);
    Ok(ok_empty())
}

/// `POST /registries/ping`: checks a stored registry (by `id`) overlaid with the given fields, or a new one.
pub async fn ping(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let patch: RegistryPatch = parse_body(&body)?;
    let (kind, url, insecure, ca, credential) = {
        let store = app.store();
        // handler/registry.go `PingRegistry` asks for `registry:read`, not create.
        Principal::resolve(&app, &store, &ctx).require_system("registry", "read")?;
        let base = match patch.id {
            Some(id) if id != 0 => Some(
                store
                    .registries
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| ApiError::not_found(format!("registry {id} not found")))?,
            ),
            _ => None,
        };
        let kind = patch
            .kind
            .clone()
            .or_else(|| base.as_ref().map(|b| b.kind.clone()))
            .unwrap_or_default();
        let url = patch
            .url
            .clone()
            .or_else(|| base.as_ref().map(|b| b.url.clone()))
            .unwrap_or_default();
        if kind.is_empty() || url.trim().is_empty() {
            return Err(ApiError::bad_request("type or url cannot be empty"));
        }
        let insecure = patch
            .insecure
            .or(base.as_ref().map(|b| b.insecure))
            .unwrap_or(false);
        if let Some(ca) = &patch.ca_certificate {
            validate_ca_certificate(ca)?;
        }
        let ca = patch
            .ca_certificate
            .clone()
            .or_else(|| base.as_ref().and_then(|b| b.ca_certificate.clone()));
        check_type(&kind)?;
        let key = patch
            .access_key
            .clone()
            .or_else(|| base.as_ref().map(|b| b.access_key.clone()))
            .unwrap_or_default();
        let secret = patch
            .access_secret
            .clone()
            .or_else(|| base.as_ref().map(|b| b.access_secret.clone()))
            .unwrap_or_default();
        let credential = (!key.is_empty() || !secret.is_empty()).then_some((key, secret));
        (kind, normalise_url(&url)?, insecure, ca, credential)
    };
    let credential = credential.as_ref().map(|(k, s)| (k.as_str(), s.as_str()));
    if kind == "harbor" {
        harbor_adapter_builds(&app, &url, insecure, ca.as_deref()).await?;
    }
    if healthy(&app, &kind, &url, insecure, ca.as_deref(), credential).await {
        Ok(ok_empty())
    } else {
        Err(ApiError::bad_request(UNHEALTHY))
    }
}

/// `GET /registries/{id}/info`
pub async fn info(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = registry_id(&raw)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("registry", "read")?;
    let kind = if id == 0 {
        "harbor".to_string()
    } else {
        store
            .registries
            .get(&id)
            .map(|r| r.kind.clone())
            .ok_or_else(|| ApiError::not_found(format!("registry {id} not found")))?
    };
    Ok(ok_json(json!({
        "type": kind,
        "description": "",
        "supported_resource_filters": [
            {"type": "name", "style": "input"},
            {"type": "tag", "style": "input"},
        ],
        "supported_triggers": ["manual", "scheduled", "event_based"],
    })))
}

fn listed_types(app: &AppInner) -> Vec<&'static str> {
    let whitelist = app.version.at_least(2, 14, 0);
    ADAPTER_TYPES
        .iter()
        .copied()
        .filter(|t| !whitelist || !NOT_WHITELISTED.contains(t))
        .collect()
}

/// `GET /replication/adapters`
pub async fn adapters(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication-adapter", "list")?;
    Ok(ok_json(listed_types(&app)))
}

/// `GET /replication/adapterinfos`
pub async fn adapter_infos(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication-adapter", "list")?;
    let mut out = Map::new();
    for kind in listed_types(&app) {
        let endpoints = match kind {
            "docker-hub" => {
                json!({"endpoint_type": "EndpointPatternTypeFix", "endpoints": [{"key": "hub.docker.com", "value": "https://hub.docker.com"}]})
            }
            "github-ghcr" => {
                json!({"endpoint_type": "EndpointPatternTypeFix", "endpoints": [{"key": "ghcr.io", "value": "https://ghcr.io"}]})
            }
            _ => json!({"endpoint_type": "EndpointPatternTypeFree", "endpoints": []}),
        };
        let credential = if kind == "google-gcr" {
            json!({"access_key_type": "AccessKeyTypeFix", "access_key_data": "_json_key", "access_secret_type": "AccessSecretTypeFile", "access_secret_data": "No Change"})
        } else {
            json!({"access_key_type": "AccessKeyTypeStandard", "access_key_data": "", "access_secret_type": "AccessSecretTypeStandard", "access_secret_data": ""})
        };
        out.insert(
            kind.into(),
            json!({"endpoint_pattern": endpoints, "credential_pattern": credential}),
        );
    }
    Ok(ok_json(Value::Object(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised() {
        assert_eq!(
            normalise_url(" harbor.example.com/ ").unwrap(),
            "http://harbor.example.com"
        );
        assert_eq!(
            normalise_url("https://h.io/path/?x=1").unwrap(),
            "https://h.io/path"
        );
        assert!(normalise_url("ftp://h.io").is_err());
    }

    #[test]
    fn only_loopback_is_probed() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost"));
        assert!(is_loopback("https://[::1]:443/x"));
        assert!(!is_loopback("https://harbor.example.com"));
        assert!(!is_loopback("http://10.0.0.1"));
    }
}
