//! Projects: list, create, read, update, delete, `_deletable`, summary and the metadata sub-resource.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{ADMIN_USER_ID, ADMIN_USERNAME, App, AppInner, Project, Quota, Store};
use crate::util::{
    Page, Params, Timestamp, created, is_valid_name, list_response, ok_empty, ok_json, parse_body,
};
use crate::version::Version;

/// Registry types that may back a proxy-cache project (`PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE`).
const PROXY_CACHE_TYPES: &[&str] = &[
    "docker-hub",
    "harbor",
    "azure-acr",
    "ali-acr",
    "aws-ecr",
    "google-gcr",
    "docker-registry",
    "github-ghcr",
    "jfrog-artifactory",
];

const BOOLEAN_KEYS: &[&str] = &[
    "public",
    "enable_content_trust",
    "enable_content_trust_cosign",
    "prevent_vul",
    "auto_scan",
    "auto_sbom_generation",
    "reuse_sys_cve_allowlist",
    "proxy_cache_local_on_not_found",
];

/// The metadata keys the emulated release's `ProjectMetadata` model knows; go-swagger drops the rest.
fn known_metadata_keys(version: Version) -> Vec<&'static str> {
    let mut keys = vec![
        "public",
        "enable_content_trust",
        "enable_content_trust_cosign",
        "prevent_vul",
        "severity",
        "auto_scan",
        "reuse_sys_cve_allowlist",
        "retention_id",
    ];
    if version.at_least(2, 11, 0) {
        keys.push("auto_sbom_generation");
    }
    if version.at_least(2, 12, 0) {
        keys.push("proxy_speed_kb");
    }
    if version.at_least(2, 15, 0) {
        keys.push("max_upstream_conn");
    }
    if version.at_least(2, 15, 1) {
        keys.push("proxy_cache_local_on_not_found");
    }
    keys
}

#[derive(Debug, Deserialize)]
pub struct AllowlistItemReq {
    #[serde(default)]
    cve_id: String,
}

#[derive(Debug, Deserialize)]
pub struct AllowlistReq {
    #[serde(default)]
    project_id: Option<i64>,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    items: Option<Vec<AllowlistItemReq>>,
}

/// Harbor's `ProjectReq`, the body of both POST and PUT.
#[derive(Debug, Deserialize)]
pub struct ProjectReq {
    #[serde(default)]
    project_name: Option<String>,
    #[serde(default)]
    public: Option<bool>,
    #[serde(default)]
    metadata: Option<BTreeMap<String, Option<String>>>,
    #[serde(default)]
    cve_allowlist: Option<AllowlistReq>,
    #[serde(default)]
    storage_limit: Option<i64>,
    #[serde(default)]
    registry_id: Option<i64>,
}

/// Looks a project up the way `parseProjectNameOrID` does: integers are ids unless the header says name.
pub fn find<'a>(store: &'a Store, ctx: &Ctx, key: &str) -> Option<&'a Project> {
    if !ctx.is_resource_name
        && let Ok(id) = key.parse::<i64>()
    {
        return store.projects.get(&id);
    }
    store.project_by_name(key)
}

pub fn missing(key: &str) -> String {
    format!("project {key} not found")
}

/// Severity is normalised on read: `negligible` becomes `none`, anything unknown becomes `unknown`.
fn normalise_severity(value: &str) -> String {
    match value.to_ascii_lowercase().as_str() {
        "negligible" | "none" => "none".into(),
        v @ ("low" | "medium" | "high" | "critical") => v.into(),
        _ => "unknown".into(),
    }
}

pub fn metadata_json(project: &Project) -> Map<String, Value> {
    project
        .metadata
        .iter()
        .map(|(k, v)| {
            let value = if k == "severity" {
                normalise_severity(v)
            } else {
                v.clone()
            };
            (k.clone(), Value::String(value))
        })
        .collect()
}

pub fn project_json(store: &Store, project: &Project, who: &Principal) -> Value {
    let allowlist = &project.cve_allowlist;
    let items: Vec<Value> = allowlist
        .items
        .iter()
        .map(|c| json!({"cve_id": c}))
        .collect();
    let admin = who.is_admin();
    let mut body = json!({
        "project_id": project.id,
        "owner_id": ADMIN_USER_ID,
        "owner_name": ADMIN_USERNAME,
        "name": project.name,
        "creation_time": project.creation_time,
        "update_time": project.update_time,
        // Harbor's `ToSwagger` (server/v2.0/handler/model/project.go) sets neither `deleted`
        // nor `togglable`, so omitempty drops both; a caller who is no member (anonymous, a
        // robot) has role 0, dropped too, and a nil role list, sent as `null`.
        "current_user_role_ids": if admin { json!([1]) } else { Value::Null },
        "repo_count": store.repo_count(project.id),
        "metadata": metadata_json(project),
        "cve_allowlist": {
            "id": allowlist.id,
            "project_id": project.id,
            "items": items,
            "creation_time": allowlist.creation_time,
            "update_time": allowlist.update_time,
        },
    });
    if let Some(obj) = body.as_object_mut() {
        if let Some(id) = project.registry_id {
            obj.insert("registry_id".into(), json!(id));
        }
        if admin {
            obj.insert("current_user_role_id".into(), json!(1));
        }
        // `expires_at` is a pointer in Harbor's CVEAllowlist model: absent when unset.
        if let (Some(at), Some(a)) = (allowlist.expires_at, obj.get_mut("cve_allowlist")) {
            a["expires_at"] = json!(at);
        }
    }
    body
}

/// Keeps the known keys with string values; nulls count as absent.
fn filter_metadata(
    app: &AppInner,
    raw: Option<BTreeMap<String, Option<String>>>,
) -> BTreeMap<String, String> {
    let known = known_metadata_keys(app.version);
    raw.unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| known.contains(&k.as_str()))
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

/// Go's `strconv.ParseInt(value, 10, 32)` error text, if it fails.
fn go_parse_int32_error(value: &str) -> Option<String> {
    use std::num::IntErrorKind;
    let err = value.parse::<i32>().err()?;
    let why = match err.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "value out of range",
        _ => "invalid syntax",
    };
    Some(format!("strconv.ParseInt: parsing {value:?}: {why}"))
}

/// Proxy-only integer settings are dropped on other projects. `validateProjectReq`
/// (handler/project.go) checks them as int32 when a proxy project is created, with its texts;
/// `UpdateProject` copies them without a check (`validate` is false for a PUT).
fn apply_proxy_rules(
    metadata: &mut BTreeMap<String, String>,
    is_proxy: bool,
    validate: bool,
) -> ApiResult<()> {
    for key in ["proxy_speed_kb", "max_upstream_conn"] {
        if let Some(value) = metadata.get(key) {
            if !is_proxy {
                metadata.remove(key);
            } else if validate && let Some(err) = go_parse_int32_error(value) {
                return Err(ApiError::bad_request(if key == "proxy_speed_kb" {
                    format!(
                        "metadata.proxy_speed_kb should by an int32, but got: '{value}', err: {err}"
                    )
                } else {
                    format!(
                        "metadata.max_upstream_conn should be an int, but got '{value}', err: {err}"
                    )
                }));
            }
        }
    }
    if is_proxy {
        // Content trust cannot apply to artifacts Harbor did not sign itself.
        metadata.remove("enable_content_trust");
    }
    Ok(())
}

fn allowlist_items(req: &AllowlistReq) -> Vec<String> {
    req.items
        .iter()
        .flatten()
        .map(|i| i.cve_id.clone())
        .collect()
}

/// Harbor's `pkg/allowlist/validator.go` `Validate`, run by the manager's `Set` for project and
/// system allowlists: blank (after trimming) or repeated CVE ids are refused. The error is a plain
/// Go error, so `lib/http/error.go` `SendError` answers 500 "internal server error".
pub fn validate_allowlist(items: &[String]) -> ApiResult<()> {
    let mut seen = std::collections::HashSet::new();
    for id in items {
        if id.trim().is_empty() || !seen.insert(id.as_str()) {
            return Err(ApiError::internal());
        }
    }
    Ok(())
}

/// Applies `sort=k1,-k2`; without it Harbor's project model sorts by name. Unknown keys are ignored.
fn sort_projects(items: &mut [&Project], sort: Option<&str>) {
    let keys: Vec<&str> = sort
        .unwrap_or("name")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect();
    items.sort_by(|a, b| {
        for key in &keys {
            let (desc, field) = key.strip_prefix('-').map_or((false, *key), |f| (true, f));
            let order = match field {
                "name" => a.name.cmp(&b.name),
                "project_id" => a.id.cmp(&b.id),
                "creation_time" => a.creation_time.cmp(&b.creation_time).then(a.id.cmp(&b.id)),
                "update_time" => a.update_time.cmp(&b.update_time),
                _ => std::cmp::Ordering::Equal,
            };
            let order = if desc { order.reverse() } else { order };
            if order.is_ne() {
                return order;
            }
        }
        std::cmp::Ordering::Equal
    });
}

/// `GET /projects`
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let q = params.query()?;
    let name = params.get("name").map(str::to_string);
    let public = params.bool("public")?;
    // Every emulated project is owned by `admin`, the only user.
    let owner_ok = params.get("owner").is_none_or(|o| o == ADMIN_USERNAME);
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let mut items: Vec<&Project> = store
        .projects
        .values()
        .filter(|p| owner_ok && who.sees_project(p))
        .filter(|p| name.as_deref().is_none_or(|n| p.name.contains(n)))
        .filter(|p| public.is_none_or(|b| p.is_public() == b))
        .filter(|p| q.allows("name", &p.name) && q.allows("project_id", &p.id.to_string()))
        .filter(|p| q.allows("public", if p.is_public() { "true" } else { "false" }))
        .collect();
    sort_projects(&mut items, params.get("sort"));
    let total = items.len();
    let rendered: Vec<Value> = page
        .slice(&items)
        .into_iter()
        .map(|p| project_json(&store, p, &who))
        .collect();
    Ok(list_response(
        "/api/v2.0/projects",
        &params,
        page,
        rendered,
        total,
    ))
}

/// `HEAD /projects?project_name=`
pub async fn head(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    let name = params.get("project_name").unwrap_or("");
    if store.project_by_name(name).is_some() {
        Ok(StatusCode::OK.into_response())
    } else {
        Err(ApiError::not_found(format!("project {name} not found")))
    }
}

/// `POST /projects`
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: ProjectReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    // `CreateProject` (handler/project.go): a project robot is refused outright; `isSysAdmin` is
    // system access to `project:create`, which a system robot holding it passes; in `everyone`
    // mode any other authenticated caller may create.
    if let Principal::Robot(r) = &who
        && !r.is_system()
    {
        return Err(ApiError::forbidden_msg(
            "Only system level robot can create project",
        ));
    }
    let sys_admin = who.can_system("project", "create");
    if store.settings.project_creation_restriction == "adminonly" && !sys_admin {
        return Err(ApiError::forbidden_msg(
            "Only system admin can create project",
        ));
    }
    let name = req.project_name.clone().unwrap_or_default();
    // The swagger `ProjectReq.project_name` has `maxLength: 255`: go-swagger refuses a longer one
    // while binding, before the handler (422, go-openapi's composite validation message).
    if name.chars().count() > 255 {
        return Err(ApiError::unprocessable(
            "validation failure list:\nproject_name in body should be at most 255 chars long",
        ));
    }
    if !is_valid_name(&name) {
        return Err(ApiError::bad_request(
            "project name is not in lower case or contains illegal characters",
        ));
    }
    let mut metadata = filter_metadata(&app, req.metadata);
    if metadata.get("public").is_none_or(String::is_empty) {
        metadata.insert("public".into(), req.public.unwrap_or(false).to_string());
    }
    if let Some(p) = metadata.get("public")
        && p != "true"
        && p != "false"
    {
        return Err(ApiError::bad_request(format!(
            "metadata.public should only be 'true' or 'false', but got: '{p}'"
        )));
    }
    match metadata.remove("retention_id") {
        None => {}
        Some(v) if v.is_empty() => {}
        Some(_) => {
            return Err(ApiError::bad_request(
                "the retention_id in the request's payload when creating a project should be omitted, alternatively passing an empty string",
            ));
        }
    }
    if let Some(registry_id) = req.registry_id {
        if !sys_admin {
            return Err(ApiError::forbidden_msg(
                "Only system admin can create proxy cache project",
            ));
        }
        if registry_id <= 0 {
            return Err(ApiError::bad_request(format!(
                "{registry_id} is invalid value of registry_id, it should be geater than 0"
            )));
        }
        // Harbor returns the registry lookup failure as a plain error, hence 500.
        let registry = store
            .registries
            .get(&registry_id)
            .ok_or_else(ApiError::internal)?;
        if !PROXY_CACHE_TYPES.contains(&registry.kind.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unsupported registry type {}",
                registry.kind
            )));
        }
    }
    let is_proxy = req.registry_id.is_some();
    apply_proxy_rules(&mut metadata, is_proxy, true)?;
    if store.project_by_name(&name).is_some() {
        return Err(ApiError::conflict(format!(
            "The project named {name} already exists"
        )));
    }
    let quota_limit = if store.settings.quota_per_project_enable {
        let limit = match req.storage_limit {
            Some(l) if l != 0 && sys_admin => l,
            _ => store.settings.storage_per_project,
        };
        crate::quotas::validate_storage(limit)?;
        Some(limit)
    } else {
        None
    };
    let mut proxy_retention = None;
    if is_proxy {
        // Proxy projects get an automatic 7-day retention policy.
        let retention = store.next_retention_id();
        metadata.insert("retention_id".into(), retention.to_string());
        proxy_retention = Some(retention);
    }
    let now = Timestamp::now();
    // Harbor's `CreateProject` (handler/project.go) copies only name, owner, registry and
    // metadata; the controller's `Create` then calls `allowlistMgr.CreateEmpty`. A
    // `cve_allowlist` in the POST body is ignored: only `PUT /projects/{id}` sets it.
    let allowlist = store.new_allowlist(None, Vec::new(), now);
    let id = store.seq.project();
    store.insert_project(Project {
        id,
        name: name.clone(),
        registry_id: req.registry_id,
        creation_time: now,
        update_time: now,
        metadata,
        cve_allowlist: allowlist,
        scanner_uuid: None,
    });
    if let Some(retention) = proxy_retention {
        let policy = crate::retention::proxy_cache_policy(retention, id);
        store.lifecycle.retentions.insert(retention, policy);
    }
    // `pkg/project/dao` `Create` makes the owner projectAdmin in the same transaction; a robot's
    // project is owned by the admin here.
    let owner = who.user_id().unwrap_or(ADMIN_USER_ID);
    store.add_member(id, owner, 'u', crate::rbac::PROJECT_ADMIN, now);
    if let Some(hard_storage) = quota_limit {
        let quota_id = store.seq.quota();
        store.quotas.insert(
            quota_id,
            Quota {
                id: quota_id,
                project_id: id,
                hard_storage,
                creation_time: now,
                update_time: now,
            },
        );
    }
    let tail = if ctx.name_in_location {
        name
    } else {
        id.to_string()
    };
    Ok(created(format!("/api/v2.0/projects/{tail}"), None))
}

/// `GET /projects/{project_name_or_id}`
pub async fn get(State(app): State<App>, ctx: Ctx, Path(key): Path<String>) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project =
        who.require_project(find(&store, &ctx, &key), "project", "read", &missing(&key))?;
    Ok(ok_json(project_json(&store, project, &who)))
}

/// `PUT /projects/{project_name_or_id}`: merges metadata and replaces the allowlist; nothing else changes.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult {
    let req: ProjectReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project = who.require_project(
        find(&store, &ctx, &key),
        "project",
        "update",
        &missing(&key),
    )?;
    let id = project.id;
    let is_proxy = project.registry_id.is_some();
    let mut incoming = filter_metadata(&app, req.metadata);
    if let Some(retention) = incoming.remove("retention_id")
        && project.metadata.get("retention_id") != Some(&retention)
    {
        return Err(ApiError::bad_request(
            "the retention_id in the request's payload when updating a project should be omitted, alternatively passing the one that has already been associated to this project",
        ));
    }
    apply_proxy_rules(&mut incoming, is_proxy, false)?;
    if let Some(a) = &req.cve_allowlist
        && let Some(pid) = a.project_id
        && pid != 0
        && pid != id
    {
        return Err(ApiError::bad_request(format!(
            "project_id in cve_allowlist must be 0 or {id}"
        )));
    }
    if let Some(a) = &req.cve_allowlist {
        validate_allowlist(&allowlist_items(a))?;
    }
    let now = Timestamp::now();
    let project = store.projects.get_mut(&id).ok_or_else(ApiError::internal)?;
    project.metadata.extend(incoming);
    if let Some(a) = &req.cve_allowlist {
        project.cve_allowlist.items = allowlist_items(a);
        project.cve_allowlist.expires_at = a.expires_at;
        project.cve_allowlist.update_time = now;
    }
    project.update_time = now;
    Ok(ok_empty())
}

const HAS_REPOSITORIES: &str = "the project contains repositories, can not be deleted";

/// `DELETE /projects/{project_name_or_id}`: also removes robots, quota and permissions naming it.
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(key): Path<String>) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let id = who
        .require_project(
            find(&store, &ctx, &key),
            "project",
            "delete",
            &missing(&key),
        )?
        .id;
    if store.repo_count(id) > 0 {
        return Err(ApiError::precondition(HAS_REPOSITORIES));
    }
    store.remove_project(id);
    store.quotas.retain(|_, q| q.project_id != id);
    store.robots.retain(|_, r| r.project_id != id);
    store.lifecycle.on_project_delete(id);
    store.members.retain(|_, m| m.project_id != id);
    for robot in store.robots.values_mut() {
        robot
            .permissions
            .retain(|p| p.namespace != crate::state::Namespace::Project(id));
    }
    Ok(ok_empty())
}

/// `GET /projects/{project_name_or_id}/_deletable`
pub async fn deletable(State(app): State<App>, ctx: Ctx, Path(key): Path<String>) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project = who.require_project(
        find(&store, &ctx, &key),
        "project",
        "delete",
        &missing(&key),
    )?;
    let body = if store.repo_count(project.id) > 0 {
        json!({"deletable": false, "message": HAS_REPOSITORIES})
    } else {
        json!({"deletable": true})
    };
    Ok(ok_json(body))
}

/// `GET /projects/{project_name_or_id}/summary`
pub async fn summary(State(app): State<App>, ctx: Ctx, Path(key): Path<String>) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project =
        who.require_project(find(&store, &ctx, &key), "project", "read", &missing(&key))?;
    // Only the admin is a member here; Harbor omits the member counts that are 0 (omitempty).
    let mut body = json!({
        "repo_count": store.repo_count(project.id),
        "project_admin_count": 1,
    });
    let obj = body.as_object_mut().ok_or_else(ApiError::internal)?;
    if store.settings.quota_per_project_enable
        && who.can_project(project, "quota", "read")
        && let Some(quota) = store.quota_of(project.id)
    {
        obj.insert(
            "quota".into(),
            json!({
                "hard": {"storage": quota.hard_storage},
                "used": {"storage": crate::quota_usage::storage_used(&store, project.id)},
            }),
        );
    }
    if let Some(registry) = project.registry_id.and_then(|id| store.registries.get(&id)) {
        // `getProjectRegistrySummary` drops the credential before `JSONCopy` into the swagger
        // model, whose `credential` and `description` are `omitempty`.
        let mut summary = crate::registries::registry_json(&app, registry);
        if let Some(o) = summary.as_object_mut() {
            o.remove("credential");
            if o.get("description").is_some_and(|d| d == "") {
                o.remove("description");
            }
        }
        obj.insert("registry".into(), summary);
    }
    Ok(ok_json(body))
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `validate` in `handler/project_metadata.go`: exactly one pair; booleans through
/// `strconv.ParseBool`, `severity` through `ParseSeverityVersion3`, the two proxy keys as int32;
/// any other key (or one the emulated release does not know) is "invalid key: %s".
fn validate_metadata(
    app: &AppInner,
    metas: &BTreeMap<String, String>,
) -> ApiResult<(String, String)> {
    let Some((key, value)) = metas.iter().next().filter(|_| metas.len() == 1) else {
        return Err(ApiError::bad_request("only allow one key/value pair"));
    };
    let invalid_value = || ApiError::bad_request(format!("invalid value: {value}"));
    let known = known_metadata_keys(app.version);
    let checked = if !known.contains(&key.as_str()) {
        None
    } else if BOOLEAN_KEYS.contains(&key.as_str()) {
        Some(parse_go_bool(value).ok_or_else(invalid_value)?.to_string())
    } else if key == "severity" {
        match normalise_severity(value).as_str() {
            "unknown" => return Err(invalid_value()),
            v => Some(v.to_string()),
        }
    } else if key == "proxy_speed_kb" || key == "max_upstream_conn" {
        Some(
            value
                .parse::<i32>()
                .map_err(|_| invalid_value())?
                .to_string(),
        )
    } else {
        None
    };
    match checked {
        Some(v) => Ok((key.clone(), v)),
        None => Err(ApiError::bad_request(format!("invalid key: {key}"))),
    }
}

fn metadata_body(body: &[u8]) -> ApiResult<BTreeMap<String, String>> {
    parse_body(body)
}

/// `GET /projects/{p}/metadatas/`
pub async fn list_metadata(State(app): State<App>, ctx: Ctx, Path(key): Path<String>) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project =
        who.require_project(find(&store, &ctx, &key), "metadata", "list", &missing(&key))?;
    Ok(ok_json(metadata_json(project)))
}

/// `POST /projects/{p}/metadatas/`
pub async fn add_metadata(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult {
    let metas = metadata_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let id = who
        .require_project(
            find(&store, &ctx, &key),
            "metadata",
            "create",
            &missing(&key),
        )?
        .id;
    let (k, v) = validate_metadata(&app, &metas)?;
    // `dao.Create` inserts a row; the unique (project_id, name) index refuses a second one.
    let project = store.projects.get_mut(&id).ok_or_else(ApiError::internal)?;
    if project.metadata.contains_key(&k) {
        return Err(ApiError::conflict(format!(
            "metadata {k} already exists for project {id}"
        )));
    }
    project.metadata.insert(k, v);
    project.update_time = Timestamp::now();
    Ok(ok_empty())
}

/// `GET /projects/{p}/metadatas/{meta_name}`
pub async fn get_metadata(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, meta)): Path<(String, String)>,
) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project =
        who.require_project(find(&store, &ctx, &key), "metadata", "read", &missing(&key))?;
    // `manager.Get` lists the rows with that name: none is `{}`, not an error.
    let mut all = metadata_json(project);
    all.retain(|k, _| *k == meta);
    Ok(ok_json(Value::Object(all)))
}

/// `PUT /projects/{p}/metadatas/{meta_name}`: the body must carry exactly that key.
pub async fn put_metadata(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, meta)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let metas = metadata_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let id = who
        .require_project(
            find(&store, &ctx, &key),
            "metadata",
            "update",
            &missing(&key),
        )?
        .id;
    // `UpdateProjectMetadata` takes only the path's key from the body ("" when absent).
    let only = BTreeMap::from([(meta.clone(), metas.get(&meta).cloned().unwrap_or_default())]);
    let (_, value) = validate_metadata(&app, &only)?;
    // `dao.Update` updates the matching row, if any: a missing key stays missing.
    let project = store.projects.get_mut(&id).ok_or_else(ApiError::internal)?;
    if let Some(slot) = project.metadata.get_mut(&meta) {
        *slot = value;
        project.update_time = Timestamp::now();
    }
    Ok(ok_empty())
}

/// `DELETE /projects/{p}/metadatas/{meta_name}`
pub async fn delete_metadata(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, meta)): Path<(String, String)>,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let id = who
        .require_project(
            find(&store, &ctx, &key),
            "metadata",
            "delete",
            &missing(&key),
        )?
        .id;
    let project = store.projects.get_mut(&id).ok_or_else(ApiError::internal)?;
    // `dao.Delete` deletes whatever rows match, none included.
    if project.metadata.remove(&meta).is_some() {
        project.update_time = Timestamp::now();
    }
    Ok(ok_empty())
}
