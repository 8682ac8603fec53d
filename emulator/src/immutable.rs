//! Immutable tag rules (`/projects/{project_name_or_id}/immutabletagrules`), as
//! `server/v2.0/handler/immutable.go`, `controller/immutable` and `pkg/immutable` keep them. The
//! protection itself is `Lifecycle::is_immutable`, applied by pushes and deletes in `artifacts`.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use serde_json::{Map, Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::lifecycle::{ImmutableMetadata, ImmutableRule, Selector};
use crate::projects::{find, missing};
use crate::state::App;
use crate::util::{Page, Params, created, list_response, ok_empty, parse_body};

fn selector_json(s: &Selector) -> Value {
    let mut m = Map::new();
    for (k, v) in [
        ("kind", &s.kind),
        ("decoration", &s.decoration),
        ("pattern", &s.pattern),
    ] {
        if !v.is_empty() {
            m.insert(k.into(), json!(v));
        }
    }
    Value::Object(m)
}

/// `ToSwagger`, as go-swagger's `ImmutableRule` tags say (`server/v2.0/models/immutable_rule.go`,
/// generated): `omitempty` on every field but `tag_selectors`, so `disabled` false, `priority` 0,
/// empty strings and an empty `scope_selectors` are left out, while `tag_selectors` is always
/// there: `null` for a rule stored without it, as a real Harbor v2.15.2 answered (FIDELITY.md).
pub fn rule_json(meta: &ImmutableMetadata, disabled: bool, id: i64) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    if meta.priority != 0 {
        m.insert("priority".into(), json!(meta.priority));
    }
    if disabled {
        m.insert("disabled".into(), json!(true));
    }
    if !meta.action.is_empty() {
        m.insert("action".into(), json!(meta.action));
    }
    if !meta.template.is_empty() {
        m.insert("template".into(), json!(meta.template));
    }
    m.insert(
        "tag_selectors".into(),
        match &meta.tag_selectors {
            Some(tags) => Value::Array(tags.iter().map(selector_json).collect()),
            None => Value::Null,
        },
    );
    let scope: Map<String, Value> = meta
        .scope_selectors
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, Value::Array(v.iter().map(selector_json).collect())))
        .collect();
    if !scope.is_empty() {
        m.insert("scope_selectors".into(), Value::Object(scope));
    }
    Value::Object(m)
}

/// The metadata as `json.Marshal` writes it into `tag_filter` (field order of the Go struct).
fn tag_filter(meta: &ImmutableMetadata) -> String {
    let tags: Option<Vec<Value>> = meta.tag_selectors.as_ref().map(|v| {
        v.iter()
            .map(|s| json!({"kind": s.kind, "decoration": s.decoration, "pattern": s.pattern}))
            .collect()
    });
    let scope: Option<BTreeMap<String, Vec<Value>>> = meta.scope_selectors.as_ref().map(|m| {
        m.iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.iter()
                        .map(|s| json!({"kind": s.kind, "decoration": s.decoration, "pattern": s.pattern}))
                        .collect(),
                )
            })
            .collect()
    });
    format!(
        "{{\"id\":{},\"project_id\":{},\"disabled\":{},\"priority\":{},\"action\":{},\"template\":{},\"tag_selectors\":{},\"scope_selectors\":{}}}",
        meta.id,
        meta.project_id,
        meta.disabled,
        meta.priority,
        json!(meta.action),
        json!(meta.template),
        json!(tags),
        json!(scope)
    )
}

/// `JSONCopy` of the swagger body into `Metadata`: unknown fields (`params`) are dropped.
fn parse_meta(body: &[u8]) -> ApiResult<ImmutableMetadata> {
    let v: Value = parse_body(body)?;
    serde_json::from_value(v)
        .map_err(|e| ApiError::bad_request(format!("parsing body failed: {e}")))
}

/// `POST /projects/{project_name_or_id}/immutabletagrules` (`CreateImmuRule`). Nothing in the
/// body is validated. The dao stores every new rule enabled (`CreateImmutableRule` sets
/// `ir.Disabled = false`), whatever `disabled` says; the unique `(project_id, tag_filter)` makes
/// an identical second rule a 409 "immutable rule already exists".
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    OriginalUri(uri): OriginalUri,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project_id = project_id(&store, &who, &ctx, &key, "create")?;
    let mut meta = parse_meta(&body)?;
    meta.project_id = project_id;
    let filter = tag_filter(&meta);
    if store
        .lifecycle
        .immutable_rules
        .values()
        .any(|r| r.project_id == project_id && r.tag_filter == filter)
    {
        return Err(ApiError::conflict("immutable rule already exists"));
    }
    let id = store.lifecycle.next_immutable();
    store.lifecycle.immutable_rules.insert(
        id,
        ImmutableRule {
            id,
            project_id,
            tag_filter: filter,
            disabled: false,
        },
    );
    let path = uri.path().trim_end_matches('/');
    Ok(created(format!("{path}/{id}"), None))
}

/// `GET /projects/{project_name_or_id}/immutabletagrules`: the project's rules in id order, paged.
/// There is no single-rule GET in Harbor's API.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    OriginalUri(uri): OriginalUri,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project_id = project_id(&store, &who, &ctx, &key, "list")?;
    // `ListImmuRules` builds the query after the access check, refusing a malformed `q`.
    params.query()?;
    let rules = store.lifecycle.immutable_rules_of(project_id);
    let total = rules.len();
    let items: Vec<Value> = page
        .slice(&rules)
        .into_iter()
        .map(|(m, d, id)| rule_json(&m, d, id))
        .collect();
    Ok(list_response(uri.path(), &params, page, items, total))
}

/// `RequireProjectAccess` then `getProjectID` (handler/immutable.go `CreateImmuRule` and the
/// others): `HasProjectPermission` checks an id against the RBAC without loading the project,
/// and the system admin's evaluator grants everything, so the admin passes for any id;
/// `getProjectID` then takes the int as is. A rule can therefore be made, listed, updated and
/// deleted under a project id that does not exist (the table has no foreign key). A name is
/// looked up (`project.Ctl.Get`): a missing one is 404 "project <name> not found". Anyone else
/// gets the usual 401/403.
fn project_id(
    store: &crate::state::Store,
    who: &Principal,
    ctx: &Ctx,
    key: &str,
    action: &str,
) -> ApiResult<i64> {
    let found = find(store, ctx, key);
    if found.is_none()
        && who.is_admin()
        && !ctx.is_resource_name
        && let Ok(id) = key.parse::<i64>()
    {
        return Ok(id);
    }
    who.require_project(found, "immutable-tag", action, &missing(key))
        .map(|p| p.id)
}

/// `requireRuleAccess`: the rule must exist (404 "immutable rule %d not found") and belong to the
/// project (404 "project id %d does not match").
fn require_rule(store: &crate::state::Store, project_id: i64, id: i64) -> ApiResult<()> {
    let rule = store
        .lifecycle
        .immutable_rules
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("immutable rule {id} not found")))?;
    if rule.project_id != project_id {
        return Err(ApiError::not_found(format!(
            "project id {project_id} does not match"
        )));
    }
    Ok(())
}

/// `PUT /projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}` (`UpdateImmuRule`):
/// the body's `id` must equal the path's (400). The controller then does one thing only: when
/// `disabled` differs from the stored value it toggles that and ignores the rest of the body;
/// otherwise it rewrites the selectors. A rewrite that collides with another rule violates the
/// unique constraint, which the dao does not translate: 500.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, id)): Path<(String, i64)>,
    body: Bytes,
) -> ApiResult {
    let mut meta = parse_meta(&body)?;
    if meta.id != id {
        return Err(ApiError::bad_request(
            "the immutable_rule_id doesn't match the id in the payload body of ImmutableRule",
        ));
    }
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project_id = project_id(&store, &who, &ctx, &key, "update")?;
    meta.project_id = project_id;
    require_rule(&store, project_id, id)?;
    let stored_disabled = store.lifecycle.immutable_rules[&id].disabled;
    if stored_disabled != meta.disabled {
        if let Some(r) = store.lifecycle.immutable_rules.get_mut(&id) {
            r.disabled = meta.disabled;
        }
        return Ok(ok_empty());
    }
    let filter = tag_filter(&meta);
    if store
        .lifecycle
        .immutable_rules
        .values()
        .any(|r| r.id != id && r.project_id == project_id && r.tag_filter == filter)
    {
        return Err(ApiError::internal());
    }
    if let Some(r) = store.lifecycle.immutable_rules.get_mut(&id) {
        r.tag_filter = filter;
    }
    Ok(ok_empty())
}

/// `DELETE /projects/{project_name_or_id}/immutabletagrules/{immutable_rule_id}`
pub async fn delete(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, id)): Path<(String, i64)>,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project_id = project_id(&store, &who, &ctx, &key, "delete")?;
    require_rule(&store, project_id, id)?;
    store.lifecycle.immutable_rules.remove(&id);
    Ok(ok_empty())
}
