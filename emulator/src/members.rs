//! Project members: `/projects/{project_name_or_id}/members` as Harbor v2.15.2's
//! `server/v2.0/handler/member.go`, `controller/member` and `pkg/member/dao` answer them.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::projects::{find, missing};
use crate::state::{App, Member, Store};
use crate::util::{Page, Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body};

/// `ProjectMemberEntity`; `None` when the row's role is not in the `role` table: the DAO joins
/// on it, so such a row is invisible (see [`update`]).
fn member_json(store: &Store, m: &Member) -> Option<Value> {
    let role_name = crate::rbac::role_name(m.role)?;
    let entity_name = match m.entity_type {
        'u' => store.users.get(&m.entity_id)?.username.clone(),
        _ => store.usergroups.get(&m.entity_id)?.group_name.clone(),
    };
    Some(json!({
        "id": m.id,
        "project_id": m.project_id,
        "entity_name": entity_name,
        "entity_type": m.entity_type.to_string(),
        "entity_id": m.entity_id,
        "role_id": m.role,
        "role_name": role_name,
    }))
}

fn member_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| {
        ApiError::unprocessable(format!("mid in path must be of type int64: \"{raw}\""))
    })
}

/// The project after `RequireProjectAccess(member, action)`.
fn project_id(
    store: &Store,
    who: &Principal,
    ctx: &Ctx,
    key: &str,
    action: &str,
) -> ApiResult<i64> {
    Ok(who
        .require_project(find(store, ctx, key), "member", action, &missing(key))?
        .id)
}

#[derive(Debug, Default, Deserialize)]
struct MemberUser {
    #[serde(default)]
    user_id: i64,
    #[serde(default)]
    username: String,
}

#[derive(Debug, Default, Deserialize)]
struct MemberGroup {
    #[serde(default)]
    id: i64,
    #[serde(default)]
    group_name: String,
    #[serde(default)]
    group_type: i64,
    #[serde(default)]
    ldap_group_dn: String,
}

#[derive(Debug, Deserialize)]
pub struct MemberReq {
    #[serde(default)]
    role_id: i64,
    #[serde(default)]
    member_user: Option<MemberUser>,
    #[serde(default)]
    member_group: Option<MemberGroup>,
}

/// `POST /projects/{p}/members` (`controller.Create`). The entity is found, in this order, by
/// user id, group id, username, LDAP DN, group name. An unknown user or group is onboarded from
/// the authenticator, which in database mode finds nothing: 404 "<name> not found". Then 409
/// "The project member specified already exist", then the role (400 "... role is not in 1,2,3").
/// The `Location` repeats the project as the caller wrote it.
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project = project_id(&store, &who, &ctx, &key, "create")?;
    let req: MemberReq = parse_body(&body)?;
    let user = req.member_user.unwrap_or_default();
    let group = req.member_group.unwrap_or_default();
    let (entity_id, entity_type) = if user.user_id > 0 {
        if !store.users.contains_key(&user.user_id) {
            return Err(ApiError::bad_request(format!(
                "Failed to get user {0}: user {0} not found",
                user.user_id
            )));
        }
        (user.user_id, 'u')
    } else if group.id > 0 {
        if !store.usergroups.contains_key(&group.id) {
            return Err(ApiError::bad_request(format!(
                "Group {} not found",
                group.id
            )));
        }
        (group.id, 'g')
    } else if !user.username.is_empty() {
        let found = store
            .user_by_name(&user.username)
            .ok_or_else(|| ApiError::not_found(format!("{} not found", user.username)))?;
        (found.id, 'u')
    } else if !group.ldap_group_dn.is_empty() {
        let found = store
            .usergroups
            .values()
            .find(|g| {
                g.group_type == crate::usergroups::LDAP_GROUP
                    && g.ldap_group_dn == group.ldap_group_dn
            })
            .ok_or_else(|| ApiError::not_found(format!("{} not found", group.ldap_group_dn)))?;
        (found.id, 'g')
    } else if !group.group_name.is_empty() {
        let found = store
            .usergroups
            .values()
            .find(|g| g.group_name == group.group_name && g.group_type == group.group_type)
            .ok_or_else(|| ApiError::not_found(format!("{} not found", group.group_name)))?;
        (found.id, 'g')
    } else {
        // "can not get valid member entity": a plain Go error, so a 500.
        return Err(ApiError::internal());
    };
    if store.members.values().any(|m| {
        m.project_id == project && m.entity_id == entity_id && m.entity_type == entity_type
    }) {
        return Err(ApiError::conflict(
            "The project member specified already exist",
        ));
    }
    if crate::rbac::role_name(req.role_id).is_none() {
        return Err(ApiError::bad_request(
            "Failed to update project member, role is not in 1,2,3",
        ));
    }
    let id = store.add_member(
        project,
        entity_id,
        entity_type,
        req.role_id,
        Timestamp::now(),
    );
    Ok(created(
        format!("/api/v2.0/projects/{key}/members/{id}"),
        None,
    ))
}

/// `GET /projects/{p}/members`: `member:list`; ordered by entity name; `entityname` is exact.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project = project_id(&store, &who, &ctx, &key, "list")?;
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let name = params.get("entityname").unwrap_or("");
    let mut rows: Vec<Value> = store
        .members
        .values()
        .filter(|m| m.project_id == project)
        .filter_map(|m| member_json(&store, m))
        .filter(|v| name.is_empty() || v["entity_name"] == name)
        .collect();
    rows.sort_by(|a, b| a["entity_name"].as_str().cmp(&b["entity_name"].as_str()));
    let total = rows.len();
    let items = page.slice(&rows);
    Ok(list_response(
        &format!("/api/v2.0/projects/{key}/members"),
        &params,
        page,
        items,
        total,
    ))
}

/// `GET /projects/{p}/members/{mid}`: `member:read`; 404 "the project member is not found,
/// project id %v, member id %v".
pub async fn get(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, mid)): Path<(String, String)>,
) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project = project_id(&store, &who, &ctx, &key, "read")?;
    let mid = member_id(&mid)?;
    if mid == 0 {
        return Err(ApiError::bad_request("the member id can not be empty!"));
    }
    store
        .members
        .get(&mid)
        .filter(|m| m.project_id == project)
        .and_then(|m| member_json(&store, m))
        .map(ok_json)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "the project member is not found, project id {project}, member id {mid}"
            ))
        })
}

#[derive(Debug, Deserialize)]
pub struct RoleReq {
    #[serde(default)]
    role_id: i64,
}

/// `PUT /projects/{p}/members/{mid}` with `{role_id}`: `member:update`. Harbor checks neither
/// the role nor the row (`dao.UpdateProjectMemberRole` is a bare UPDATE): an unknown member is
/// 200, and an unknown role is stored, after which the row drops out of every answer.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, mid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project = project_id(&store, &who, &ctx, &key, "update")?;
    let req: RoleReq = parse_body(&body)?;
    let mid = member_id(&mid)?;
    if mid == 0 {
        return Err(ApiError::bad_request("member id can not be empty"));
    }
    if let Some(m) = store
        .members
        .get_mut(&mid)
        .filter(|m| m.project_id == project)
    {
        m.role = req.role_id;
        m.update_time = Timestamp::now();
    }
    Ok(ok_empty())
}

/// `DELETE /projects/{p}/members/{mid}`: `member:delete`; an unknown member is still 200
/// (`dao.DeleteProjectMemberByID` ignores the count).
pub async fn delete(
    State(app): State<App>,
    ctx: Ctx,
    Path((key, mid)): Path<(String, String)>,
) -> ApiResult {
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let project = project_id(&store, &who, &ctx, &key, "delete")?;
    let mid = member_id(&mid)?;
    if mid == 0 {
        return Err(ApiError::bad_request("the project member id is required."));
    }
    store
        .members
        .retain(|id, m| !(*id == mid && m.project_id == project));
    Ok(ok_empty())
}
