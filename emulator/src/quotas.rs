//! Project quotas: system-level list, read and update with Harbor's validation of `hard`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, Quota, Store};
use crate::util::{Page, Params, Timestamp, list_response, ok_empty, ok_json, parse_body};

/// 1024 TB, Harbor's ceiling for a storage quota.
pub const MAX_STORAGE: i64 = 1_125_899_906_842_624;

/// `lib.ValidateQuotaLimit` (`src/lib/quota_storage_limit.go`): `-1` is unlimited; otherwise 1 byte
/// up to [`MAX_STORAGE`], with Harbor's texts.
pub fn validate_storage(value: i64) -> ApiResult<()> {
    if value == -1 || (1..=MAX_STORAGE).contains(&value) {
        Ok(())
    } else if value > MAX_STORAGE {
        Err(ApiError::bad_request(format!(
            "exceeded 1024TB, which is {MAX_STORAGE} Bytes, value={value}"
        )))
    } else {
        Err(ApiError::bad_request(format!(
            "invalid non-positive value for quota limit, value={value}"
        )))
    }
}

fn quota_json(store: &Store, quota: &Quota) -> Value {
    let name = store
        .projects
        .get(&quota.project_id)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    json!({
        "id": quota.id,
        // Harbor's quota driver loads the project without its owner, so this is always "".
        "ref": {"id": quota.project_id, "name": name, "owner_name": ""},
        "hard": {"storage": quota.hard_storage},
        "used": {"storage": crate::quota_usage::storage_used(store, quota.project_id)},
        "creation_time": quota.creation_time,
        "update_time": quota.update_time,
    })
}

/// `GET /quotas?reference=project&reference_id=N`
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let reference = params.get("reference").map(str::to_string);
    let reference_id = params.get("reference_id").map(str::to_string);
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("quota", "list")?;
    let mut quotas: Vec<&Quota> = store
        .quotas
        .values()
        .filter(|_| reference.as_deref().is_none_or(|r| r == "project"))
        .filter(|q| {
            reference_id
                .as_deref()
                .is_none_or(|id| id == q.project_id.to_string())
        })
        .collect();
    // `pkg/quota/dao/util.go` `listOrderBy`: `creation_time DESC` unless sorted otherwise.
    quotas.sort_by(|a, b| b.creation_time.cmp(&a.creation_time).then(b.id.cmp(&a.id)));
    let total = quotas.len();
    let items: Vec<Value> = page
        .slice(&quotas)
        .into_iter()
        .map(|q| quota_json(&store, q))
        .collect();
    Ok(list_response(
        "/api/v2.0/quotas",
        &params,
        page,
        items,
        total,
    ))
}

fn quota_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| {
        ApiError::unprocessable(format!("id in path must be of type int64: \"{raw}\""))
    })
}

/// `GET /quotas/{id}`
pub async fn get(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = quota_id(&raw)?;
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("quota", "read")?;
    let quota = store
        .quotas
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("quota {id} not found")))?;
    Ok(ok_json(quota_json(&store, quota)))
}

#[derive(Debug, Deserialize)]
struct QuotaUpdateReq {
    #[serde(default)]
    hard: Option<Map<String, Value>>,
}

/// `PUT /quotas/{id}` with `{"hard":{"storage":N}}`
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = quota_id(&raw)?;
    let req: QuotaUpdateReq = parse_body(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("quota", "update")?;
    if !store.quotas.contains_key(&id) {
        return Err(ApiError::not_found(format!("quota {id} not found")));
    }
    let hard = req
        .hard
        .filter(|h| !h.is_empty())
        .ok_or_else(|| ApiError::bad_request("hard required in body"))?;
    if let Some(other) = hard.keys().find(|k| k.as_str() != "storage") {
        return Err(ApiError::bad_request(format!(
            "resource {other} not support"
        )));
    }
    let storage = hard
        .get("storage")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::bad_request("storage must be an integer"))?;
    validate_storage(storage)?;
    let quota = store.quotas.get_mut(&id).ok_or_else(ApiError::internal)?;
    quota.hard_storage = storage;
    quota.update_time = Timestamp::now();
    Ok(ok_empty())
}
