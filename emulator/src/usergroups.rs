//! User groups: `/usergroups` as Harbor v2.15.2's `server/v2.0/handler/usergroup.go` and
//! `controller/usergroup` answer them in database auth mode.
//!
//! An LDAP group (type 1) is created only when the configured LDAP server has its DN (see
//! [`crate::ldap`]); in any other auth mode Harbor's authenticator cannot search LDAP
//! (`DefaultAuthenticateHelper.SearchGroup` answers "not found"), so it is refused with
//! "LDAP Group DN is not found" and no server is asked.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, UserGroup};
use crate::util::{Page, Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body};

pub const LDAP_GROUP: i64 = 1;
pub const HTTP_GROUP: i64 = 2;

/// `UserGroup` in lists (with `id`). go-swagger omits an empty `ldap_group_dn` (a real Harbor
/// v2.15.2 did, for an HTTP group).
pub fn group_json(group: &UserGroup) -> Value {
    let mut body = json!({
        "id": group.id,
        "group_name": group.group_name,
        "group_type": group.group_type,
        "ldap_group_dn": group.ldap_group_dn,
    });
    crate::util::omit_empty(&mut body, &["ldap_group_dn"]);
    body
}

fn group_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| {
        ApiError::unprocessable(format!("group_id in path must be of type int64: \"{raw}\""))
    })
}

#[derive(Debug, Deserialize)]
pub struct GroupReq {
    #[serde(default)]
    group_name: String,
    #[serde(default)]
    group_type: i64,
    #[serde(default)]
    ldap_group_dn: String,
}

/// `POST /usergroups`: system `user-group:create`; an empty name is a bare 400; an LDAP group
/// needs its DN found in LDAP (`controller/usergroup` `Create`; only in LDAP mode); then `manager.Create` refuses the same
/// name and type (409 "duplicate user group, ..."), and `dao.Add` any name an HTTP group already
/// has (409 "duplicated user group name"). The DN is stored trimmed and lower-cased.
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    body: Bytes,
) -> ApiResult<axum::response::Response> {
    let ldap = {
        let store = app.store();
        Principal::resolve(&app, &store, &ctx).require_system("user-group", "create")?;
        (crate::auth_config::auth_mode(&store) == "ldap_auth")
            .then(|| crate::ldap::configured(&store))
    };
    let req: GroupReq = parse_body(&body)?;
    if req.group_name.is_empty() {
        // go-swagger's bare `NewCreateUserGroupBadRequest()`: no body.
        return Ok(StatusCode::BAD_REQUEST.into_response());
    }
    if req.group_type == LDAP_GROUP {
        // `auth.SearchGroup` with the current mode's authenticator: only LDAP's asks a server.
        // Any failure (unparsable DN, unreachable server, nothing found) leaves the group nil,
        // which the controller reports as not found.
        let found = match &ldap {
            Some((conf, group)) => crate::ldap::search_group_by_dn(conf, group, &req.ldap_group_dn)
                .await
                .map_err(|e| tracing::debug!("ldap group search failed: {e}"))
                .ok()
                .filter(|g| !g.is_empty()),
            None => None,
        };
        if found.is_none() {
            return Err(ApiError::bad_request(format!(
                "LDAP Group DN is not found: DN:{}",
                req.ldap_group_dn
            )));
        }
    }
    let mut store = app.store();
    if store
        .usergroups
        .values()
        .any(|g| g.group_name == req.group_name && g.group_type == req.group_type)
    {
        return Err(ApiError::conflict(format!(
            "duplicate user group, group name:{}, group type: {}, ldap group DN: {}",
            req.group_name, req.group_type, req.ldap_group_dn
        )));
    }
    if store
        .usergroups
        .values()
        .any(|g| g.group_name == req.group_name && g.group_type == HTTP_GROUP)
    {
        return Err(ApiError::conflict("duplicated user group name"));
    }
    let now = Timestamp::now();
    let id = store.seq.usergroup();
    store.usergroups.insert(
        id,
        UserGroup {
            id,
            group_name: req.group_name,
            group_type: req.group_type,
            ldap_group_dn: req.ldap_group_dn.trim().to_lowercase(),
            creation_time: now,
            update_time: now,
        },
    );
    Ok(created(format!("/api/v2.0/usergroups/{id}"), None))
}

/// `GET /usergroups`: system `user-group:list`; `group_name` fuzzy. In database mode neither the
/// type nor `ldap_group_dn` filters (`ListUserGroups` adds them only in LDAP and HTTP modes).
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("user-group", "list")?;
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let name = params.get("group_name").unwrap_or("");
    let groups: Vec<&UserGroup> = store
        .usergroups
        .values()
        .filter(|g| g.group_name.contains(name))
        .collect();
    let total = groups.len();
    let items: Vec<Value> = page.slice(&groups).into_iter().map(group_json).collect();
    Ok(list_response(
        "/api/v2.0/usergroups",
        &params,
        page,
        items,
        total,
    ))
}

/// `GET /usergroups/search?groupname=`: any authenticated caller; `{id, group_name, group_type}`.
pub async fn search(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_authenticated()?;
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let name = params.get("groupname").unwrap_or("");
    if name.is_empty() {
        return Err(ApiError::bad_request(
            "need to provide groupname to search user group",
        ));
    }
    let groups: Vec<&UserGroup> = store
        .usergroups
        .values()
        .filter(|g| g.group_name.contains(name))
        .collect();
    let total = groups.len();
    let items: Vec<Value> = page
        .slice(&groups)
        .into_iter()
        .map(|g| json!({"id": g.id, "group_name": g.group_name, "group_type": g.group_type}))
        .collect();
    Ok(list_response(
        "/api/v2.0/usergroups/search",
        &params,
        page,
        items,
        total,
    ))
}

/// `GET /usergroups/{group_id}`: system `user-group:read`; the answer has no `id`
/// (`GetUserGroup` copies name, type and DN only); 404 "the user group with id %v is not found".
pub async fn get(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("user-group", "read")?;
    let id = group_id(&raw)?;
    if id <= 0 {
        return Err(ApiError::bad_request("the group id should be provided"));
    }
    let group = store
        .usergroups
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("the user group with id {id} is not found")))?;
    let mut body = json!({
        "group_name": group.group_name,
        "group_type": group.group_type,
        "ldap_group_dn": group.ldap_group_dn,
    });
    crate::util::omit_empty(&mut body, &["ldap_group_dn"]);
    Ok(ok_json(body))
}

/// `PUT /usergroups/{group_id}`: only the name changes (`controller.Update` → `UpdateName`);
/// the type and DN in the body are ignored. An empty name is a bare 400.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult<axum::response::Response> {
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("user-group", "update")?;
    let id = group_id(&raw)?;
    let req: GroupReq = parse_body(&body)?;
    if id <= 0 || req.group_name.is_empty() {
        // go-swagger's bare `NewUpdateUserGroupBadRequest()`: no body.
        return Ok(StatusCode::BAD_REQUEST.into_response());
    }
    let group = store
        .usergroups
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(format!("the user group with id {id} is not found")))?;
    group.group_name = req.group_name;
    group.update_time = Timestamp::now();
    Ok(ok_empty())
}

/// `DELETE /usergroups/{group_id}`: system `user-group:delete`; the group's member rows go with
/// it. An unknown id is still 200: `dao.Delete` ignores the count of deleted rows.
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("user-group", "delete")?;
    let id = group_id(&raw)?;
    if id <= 0 {
        return Err(ApiError::bad_request("the group id should be provided"));
    }
    if store.usergroups.remove(&id).is_some() {
        store
            .members
            .retain(|_, m| !(m.entity_type == 'g' && m.entity_id == id));
    }
    Ok(ok_empty())
}
