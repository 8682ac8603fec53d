//! Replication policies (with Harbor's trigger, cron and filter rules) and their executions.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, AppInner, Execution, ReplicationPolicy, Store};
use crate::util::{Page, Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body};

#[derive(Debug, Deserialize)]
struct RegistryRef {
    #[serde(default)]
    id: Option<i64>,
}

/// `ReplicationPolicy` as a request; `replicate_deletion` is deliberately not read (Harbor reads `deletion`).
#[derive(Debug, Deserialize)]
struct PolicyReq {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    src_registry: Option<RegistryRef>,
    #[serde(default)]
    dest_registry: Option<RegistryRef>,
    #[serde(default)]
    dest_namespace: Option<String>,
    #[serde(default)]
    dest_namespace_replace_count: Option<i64>,
    #[serde(default)]
    trigger: Option<Value>,
    #[serde(default)]
    filters: Option<Vec<Value>>,
    #[serde(default)]
    deletion: Option<bool>,
    #[serde(default)]
    r#override: Option<bool>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    speed: Option<i64>,
    #[serde(default)]
    copy_by_chunk: Option<bool>,
    #[serde(default)]
    single_active_replication: Option<bool>,
}

/// `controller/replication/model/model.go` `Validate`: `manual` and `event_based` pass, a
/// `scheduled` cron goes through robfig's parser and Harbor's two extra rules, and anything else
/// (the empty type included) is "invalid trigger type". The handler copies `trigger_settings`
/// only when it was sent (`CreateReplicationPolicy`), and it is stored and returned as sent.
fn validate_trigger(trigger: &Option<Value>) -> ApiResult<Option<Value>> {
    let Some(t) = trigger.as_ref().filter(|t| !t.is_null()) else {
        return Ok(None);
    };
    let kind = t.get("type").and_then(Value::as_str).unwrap_or("");
    let settings = t.get("trigger_settings").filter(|s| !s.is_null()).map(|s| {
        // The swagger model `ReplicationTriggerSettings` has only `cron`, with `omitempty`.
        match s
            .get("cron")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
        {
            Some(cron) => json!({"cron": cron}),
            None => json!({}),
        }
    });
    match kind {
        "manual" | "event_based" => {}
        "scheduled" => {
            let cron = t
                .pointer("/trigger_settings/cron")
                .and_then(Value::as_str)
                .unwrap_or("");
            harbor_cron::validate_replication_cron(cron).map_err(ApiError::bad_request)?;
        }
        _ => return Err(ApiError::bad_request("invalid trigger type")),
    }
    let mut out = json!({"type": kind});
    if let (Some(settings), Some(obj)) = (settings, out.as_object_mut()) {
        obj.insert("trigger_settings".into(), settings);
    }
    Ok(Some(out))
}

fn validate_filter(filter: &Value) -> ApiResult<Value> {
    let kind = filter.get("type").and_then(Value::as_str).unwrap_or("");
    let value = filter.get("value").cloned().unwrap_or(Value::Null);
    let decoration = filter
        .get("decoration")
        .and_then(Value::as_str)
        .unwrap_or("");
    let bad = |why: &str| ApiError::bad_request(format!("invalid filter: {why}"));
    match kind {
        "name" | "tag" if !value.is_string() => {
            return Err(bad("the value of name and tag filters must be a string"));
        }
        "resource" if !matches!(value.as_str(), Some("image" | "artifact")) => {
            return Err(bad(
                "the value of resource filter must be image or artifact",
            ));
        }
        "label"
            if !value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string)) =>
        {
            return Err(bad("the value of label filter must be an array of strings"));
        }
        "name" | "tag" | "resource" | "label" => {}
        other => return Err(bad(&format!("unsupported filter type {other}"))),
    }
    if !decoration.is_empty()
        && (!matches!(decoration, "matches" | "excludes") || !matches!(kind, "tag" | "label"))
    {
        return Err(bad(
            "decoration is only matches or excludes, on tag and label filters",
        ));
    }
    let mut out = json!({"type": kind, "value": value});
    if !decoration.is_empty()
        && let Some(obj) = out.as_object_mut()
    {
        obj.insert("decoration".into(), json!(decoration));
    }
    Ok(out)
}

/// `^` + distribution's `reference.NameRegexp` + `$` (`lib.RepositoryNameRe`, lib/patterns.go).
fn repository_name_re() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let component = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        let domain =
            format!(r"(?:{component}(?:\.{component})*|\[(?:[a-fA-F0-9:]+)\])(?::[0-9]+)?");
        let path = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
        regex::Regex::new(&format!("^(?:{domain}/)?{path}(?:/{path})*$")).expect("valid regex")
    })
}

/// Builds a validated policy (id and times left for the caller).
fn build(app: &AppInner, store: &Store, req: PolicyReq, id: i64) -> ApiResult<ReplicationPolicy> {
    let name = req.name.unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::bad_request("empty name"));
    }
    let src = req.src_registry.and_then(|r| r.id).unwrap_or(0);
    let dest = req.dest_registry.and_then(|r| r.id).unwrap_or(0);
    if (src == 0) == (dest == 0) {
        return Err(ApiError::bad_request(
            "either src_registry or dest_registry should be empty and the other one shouldn't be empty",
        ));
    }
    let remote = src.max(dest);
    if !store.registries.contains_key(&remote) {
        return Err(ApiError::not_found(format!("registry {remote} not found")));
    }
    let dest_namespace = req.dest_namespace.unwrap_or_default();
    // `Validate` (controller/replication/model/model.go) matches `lib.RepositoryNameRe`, which is
    // distribution's `reference.NameRegexp` anchored: `a__b`, `a--b` and a `host:port/` prefix pass.
    if !dest_namespace.is_empty() && !repository_name_re().is_match(&dest_namespace) {
        return Err(ApiError::bad_request(format!(
            "invalid destination namespace: {dest_namespace}"
        )));
    }
    // Any int8: a negative count is the legacy flattening (`replaceNamespace`).
    let replace_count = req.dest_namespace_replace_count.unwrap_or(-1);
    if !(i64::from(i8::MIN)..=i64::from(i8::MAX)).contains(&replace_count) {
        return Err(ApiError::bad_request(format!(
            "invalid dest_namespace_replace_count: {replace_count}"
        )));
    }
    let trigger = validate_trigger(&req.trigger)?;
    let filters = req
        .filters
        .unwrap_or_default()
        .iter()
        .map(validate_filter)
        .collect::<ApiResult<Vec<_>>>()?;
    let single_active =
        app.version.at_least(2, 14, 0) && req.single_active_replication.unwrap_or(false);
    let event_based = trigger
        .as_ref()
        .and_then(|t| t.get("type"))
        .and_then(Value::as_str)
        == Some("event_based");
    if single_active && event_based {
        // Harbor rejects this combination with a plain error, which it reports as 500.
        return Err(ApiError::internal());
    }
    // The unique index is the last line of defence, so validation errors win over a duplicate name.
    if store
        .policies
        .values()
        .any(|p| p.name == name && p.id != id)
    {
        return Err(ApiError::conflict(format!(
            "replication policy {name} already exists"
        )));
    }
    let now = Timestamp::now();
    Ok(ReplicationPolicy {
        id,
        name,
        description: req.description.unwrap_or_default(),
        src_registry_id: src,
        dest_registry_id: dest,
        dest_namespace,
        dest_namespace_replace_count: replace_count,
        trigger,
        filters,
        deletion: req.deletion.unwrap_or(false),
        override_: req.r#override.unwrap_or(false),
        enabled: req.enabled.unwrap_or(false),
        speed: req.speed.unwrap_or(0).max(0),
        copy_by_chunk: req.copy_by_chunk.unwrap_or(false),
        single_active_replication: single_active,
        creation_time: now,
        update_time: now,
        creator: String::new(),
    })
}

fn side_json(app: &AppInner, store: &Store, id: i64) -> Value {
    match store.registries.get(&id) {
        Some(r) if id != 0 => crate::registries::registry_json(app, r),
        _ => crate::registries::local_registry_json(app),
    }
}

fn policy_json(app: &AppInner, store: &Store, p: &ReplicationPolicy) -> Value {
    let mut body = json!({
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "src_registry": side_json(app, store, p.src_registry_id),
        "dest_registry": side_json(app, store, p.dest_registry_id),
        "dest_namespace": p.dest_namespace,
        "dest_namespace_replace_count": p.dest_namespace_replace_count,
        "trigger": p.trigger,
        "filters": p.filters,
        "replicate_deletion": p.deletion,
        "deletion": p.deletion,
        "override": p.override_,
        "enabled": p.enabled,
        "speed": p.speed,
        "copy_by_chunk": p.copy_by_chunk,
        "creation_time": p.creation_time,
        "update_time": p.update_time,
    });
    if app.version.at_least(2, 14, 0)
        && let Some(obj) = body.as_object_mut()
    {
        obj.insert(
            "single_active_replication".into(),
            json!(p.single_active_replication),
        );
    }
    // go-swagger's `omitempty` on the non-pointer fields of `ReplicationPolicy`; the
    // `x-isnullable` ones (`dest_namespace_replace_count`, `speed`, `copy_by_chunk`,
    // `single_active_replication`) are pointers and always there.
    crate::util::omit_empty(
        &mut body,
        &[
            "description",
            "dest_namespace",
            "trigger",
            "filters",
            "replicate_deletion",
            "deletion",
            "override",
            "enabled",
        ],
    );
    body
}

fn path_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| {
        ApiError::unprocessable(format!("id in path must be of type int64: \"{raw}\""))
    })
}

/// `POST /replication/policies`
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: PolicyReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_system("replication-policy", "create")?;
    let creator = crate::repositories::operator(&store, &who);
    let policy = build(&app, &store, req, 0)?;
    let id = store.seq.policy();
    store.policies.insert(
        id,
        ReplicationPolicy {
            id,
            creator,
            ..policy
        },
    );
    Ok(created(
        format!("/api/v2.0/replication/policies/{id}"),
        None,
    ))
}

/// `GET /replication/policies`
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let name = params.get("name").map(str::to_string);
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication-policy", "list")?;
    let q = params.query()?;
    let mut items: Vec<&ReplicationPolicy> = store
        .policies
        .values()
        .filter(|p| name.as_deref().is_none_or(|n| p.name.contains(n)) && q.allows("name", &p.name))
        // `pkg/replication/model/model.go` `Policy.ID`: by field (`ID`) or column (`id`), as
        // `lib/orm/query.go` `setFilters` accepts either; `{1 2}` is an OR-list.
        .filter(|p| q.allows("id", &p.id.to_string()) && q.allows("ID", &p.id.to_string()))
        .collect();
    // `pkg/replication/model/model.go`: `creation_time` carries `sort:"default:desc"`.
    items.sort_by(|a, b| b.creation_time.cmp(&a.creation_time).then(b.id.cmp(&a.id)));
    let total = items.len();
    let rendered: Vec<Value> = page
        .slice(&items)
        .into_iter()
        .map(|p| policy_json(&app, &store, p))
        .collect();
    Ok(list_response(
        "/api/v2.0/replication/policies",
        &params,
        page,
        rendered,
        total,
    ))
}

/// `GET /replication/policies/{id}`
pub async fn get(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = path_id(&raw)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication-policy", "read")?;
    let policy = store
        .policies
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("replication policy {id} not found")))?;
    Ok(ok_json(policy_json(&app, &store, policy)))
}

/// `PUT /replication/policies/{id}`: replaces the whole policy.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&raw)?;
    let req: PolicyReq = parse_body(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication-policy", "update")?;
    let creation_time = store
        .policies
        .get(&id)
        .map(|p| p.creation_time)
        .ok_or_else(|| ApiError::not_found(format!("replication policy {id} not found")))?;
    let policy = build(&app, &store, req, id)?;
    store.policies.insert(
        id,
        ReplicationPolicy {
            creation_time,
            ..policy
        },
    );
    Ok(ok_empty())
}

/// `DELETE /replication/policies/{id}`: also removes its executions (all final, so never refused).
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = path_id(&raw)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication-policy", "delete")?;
    if store.policies.remove(&id).is_none() {
        return Err(ApiError::not_found(format!(
            "replication policy {id} not found"
        )));
    }
    store.executions.retain(|_, e| e.policy_id != id);
    let executions: Vec<i64> = store.executions.keys().copied().collect();
    store
        .replication_tasks
        .rows
        .retain(|_, t| executions.contains(&t.execution_id));
    Ok(ok_empty())
}

/// `convertExecution`: the counts come from the execution's tasks (`Metrics`).
fn execution_json(store: &Store, e: &Execution) -> Value {
    let tasks = store.replication_tasks.of_execution(e.id);
    let count = |s: &str| tasks.iter().filter(|t| t.status == s).count();
    json!({
        "id": e.id,
        "policy_id": e.policy_id,
        "status": e.status,
        "trigger": e.trigger,
        "start_time": e.start_time,
        "end_time": e.end_time,
        "status_text": e.status_text,
        "total": tasks.len(),
        "failed": count("Error"),
        "succeed": count("Success"),
        "in_progress": count("Pending") + count("Scheduled") + count("Running"),
        "stopped": count("Stopped"),
    })
}

#[derive(Debug, Deserialize)]
struct StartReq {
    #[serde(default)]
    policy_id: Option<i64>,
}

/// `POST /replication/executions`: there is nothing to copy, so the run finishes at once as `Succeed`.
pub async fn start_execution(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: StartReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_system("replication", "create")?;
    let policy_id = req.policy_id.unwrap_or(0);
    let policy = store
        .policies
        .get(&policy_id)
        .ok_or_else(|| ApiError::not_found(format!("replication policy {policy_id} not found")))?;
    if !policy.enabled {
        return Err(ApiError::precondition(format!(
            "the policy {policy_id} is disabled"
        )));
    }
    let policy = policy.clone();
    let operator = crate::repositories::operator(&store, &who);
    let now = Timestamp::now();
    let id = store.seq.execution();
    // The copy flow runs at once (`replication_run`), so the execution is final when this answers.
    let outcome = crate::replication_run::run(&app, &mut store, id, &policy, &operator, "MANUAL");
    store.executions.insert(
        id,
        Execution {
            id,
            policy_id,
            status: outcome.status.into(),
            trigger: "manual".into(),
            start_time: now,
            end_time: Timestamp::now(),
            operator,
            status_text: outcome.status_text,
        },
    );
    drop(store);
    crate::webhooks::send(&app, outcome.deliveries);
    Ok(created(
        format!("/api/v2.0/replication/executions/{id}"),
        None,
    ))
}

/// `GET /replication/executions?policy_id=&status=&trigger=`
pub async fn list_executions(
    State(app): State<App>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let policy_id = params.int("policy_id")?;
    let status = params.get("status").map(str::to_string);
    let trigger = params.get("trigger").map(str::to_string);
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication", "list")?;
    let items: Vec<&Execution> = store
        .executions
        .values()
        .rev()
        .filter(|e| policy_id.is_none_or(|p| e.policy_id == p))
        .filter(|e| {
            status.as_deref().is_none_or(|s| e.status == s)
                && trigger.as_deref().is_none_or(|t| e.trigger == t)
        })
        .collect();
    let total = items.len();
    let rendered: Vec<Value> = page
        .slice(&items)
        .into_iter()
        .map(|e| execution_json(&store, e))
        .collect();
    Ok(list_response(
        "/api/v2.0/replication/executions",
        &params,
        page,
        rendered,
        total,
    ))
}

/// `GET /replication/executions/{id}`
pub async fn get_execution(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = path_id(&raw)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication", "read")?;
    let execution = store
        .executions
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("execution {id} not found")))?;
    Ok(ok_json(execution_json(&store, execution)))
}

/// `PUT /replication/executions/{id}`: stopping a finished execution changes nothing.
pub async fn stop_execution(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> ApiResult {
    let id = path_id(&raw)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication", "create")?;
    store
        .executions
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("execution {id} not found")))?;
    Ok(ok_empty())
}

/// `GET /replication/executions/{id}/tasks`: the tasks the run made, by id.
pub async fn list_tasks(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(raw_q): RawQuery,
) -> ApiResult {
    let id = path_id(&raw)?;
    let params = Params::parse(raw_q.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("replication", "read")?;
    store
        .executions
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("execution {id} not found")))?;
    let tasks = store.replication_tasks.of_execution(id);
    let total = tasks.len();
    let rendered: Vec<Value> = page
        .slice(&tasks)
        .into_iter()
        .map(crate::replication_run::task_json)
        .collect();
    Ok(list_response(
        &format!("/api/v2.0/replication/executions/{id}/tasks"),
        &params,
        page,
        rendered,
        total,
    ))
}
