//! Local users: `/users` CRUD, password and admin flag, search, and the current user's permissions,
//! as Harbor v2.15.2's `server/v2.0/handler/user.go` answers them (database auth mode).

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal, password_matches};
use crate::error::{ApiError, ApiResult};
use crate::state::{ADMIN_USER_ID, App, User, hash_secret, new_salt};
use crate::util::{Page, Params, Timestamp, created, list_response, ok_empty, ok_json, parse_body};

/// `common.IllegalCharsInUsername` (`src/common/const.go`).
const ILLEGAL_CHARS: &[char] = &[',', '"', '~', '#', '%', '$'];

/// `UserResp` as `model.User.ToUserResp` builds it (no OIDC metadata in database mode).
/// go-swagger's `UserResp` omits an empty `comment` (a real Harbor v2.15.2 did).
pub fn user_json(user: &User) -> Value {
    let mut body = json!({
        "user_id": user.id,
        "username": user.username,
        "email": user.email,
        "realname": user.realname,
        "comment": user.comment,
        "sysadmin_flag": user.sysadmin,
        "admin_role_in_auth": false,
        "creation_time": user.creation_time,
        "update_time": user.update_time,
    });
    crate::util::omit_empty(&mut body, &["comment"]);
    body
}

/// `requireValidSecret` (handler/user.go): 8-128 bytes with a lower, an upper case letter and a digit.
pub fn require_valid_secret(secret: &str) -> ApiResult<()> {
    let ok = (8..=128).contains(&secret.len())
        && secret.chars().any(|c| c.is_ascii_lowercase())
        && secret.chars().any(|c| c.is_ascii_uppercase())
        && secret.chars().any(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "the password or secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 lowercase letter and 1 number",
        ))
    }
}

fn email_regex() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // The pattern of `validateUserProfile` (handler/user.go), unchanged.
        regex::Regex::new(
            r#"^(([^<>()\[\]\\.,;:\s@"]+(\.[^<>()\[\]\\.,;:\s@"]+)*)|(".+"))@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))$"#,
        )
        .unwrap_or_else(|_| unreachable!("the email pattern is a constant"))
    })
}

/// `utils.IsIllegalLength`: byte lengths, as Go's `len`.
fn illegal_length(s: &str, min: i64, max: i64) -> bool {
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    if min == -1 {
        return len > max;
    }
    len < min || len > max
}

/// `validateUserProfile` (handler/user.go), in its order; the username only on create.
fn validate_profile(
    username: Option<&str>,
    email: &str,
    realname: &str,
    comment: &str,
) -> ApiResult<()> {
    if email.is_empty() {
        return Err(ApiError::bad_request("email can't be empty"));
    }
    if !email_regex().is_match(email) {
        return Err(ApiError::bad_request("email with illegal format"));
    }
    if illegal_length(realname, 1, 255) {
        return Err(ApiError::bad_request("realname with illegal length"));
    }
    if realname.contains(ILLEGAL_CHARS) {
        return Err(ApiError::bad_request(
            "realname contains illegal characters",
        ));
    }
    if illegal_length(comment, -1, 30) {
        return Err(ApiError::bad_request("comment with illegal length"));
    }
    let Some(username) = username else {
        return Ok(());
    };
    if illegal_length(username, 1, 255) {
        return Err(ApiError::bad_request("username with illegal length"));
    }
    if username.contains(ILLEGAL_CHARS) {
        return Err(ApiError::bad_request(
            "username contains illegal characters",
        ));
    }
    Ok(())
}

/// A path id; go-swagger refuses a non-integer while binding (422).
fn user_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| {
        ApiError::unprocessable(format!("user_id in path must be of type int64: \"{raw}\""))
    })
}

#[derive(Debug, Deserialize)]
pub struct UserCreationReq {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    realname: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    comment: String,
}

/// `POST /users`: `requireCreatable` (database auth, self-registration off: system `user:create`,
/// so only admins), then the password policy, then the profile, then the unique username and
/// email of `harbor_user` (`dao.Create`: 409 "user %s or email %s already exists").
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let mut store = app.store();
    // `requireCreatable` asks the auth mode before any permission.
    let mode = crate::auth_config::auth_mode(&store);
    if mode != "db_auth" {
        return Err(ApiError::forbidden_msg(format!(
            "creating local user is not allowed under auth mode: {mode}"
        )));
    }
    Principal::resolve(&app, &store, &ctx).require_system("user", "create")?;
    let req: UserCreationReq = parse_body(&body)?;
    require_valid_secret(&req.password)?;
    validate_profile(Some(&req.username), &req.email, &req.realname, &req.comment)?;
    if store
        .users
        .values()
        .any(|u| u.username == req.username || u.email == req.email)
    {
        return Err(ApiError::conflict(format!(
            "user {} or email {} already exists",
            req.username, req.email
        )));
    }
    let now = Timestamp::now();
    let id = store.seq.user();
    let salt = new_salt();
    let hash = hash_secret(&salt, &req.password);
    store.users.insert(
        id,
        User {
            id,
            username: req.username,
            email: req.email,
            realname: req.realname,
            comment: req.comment,
            sysadmin: false,
            password: Some((salt, hash)),
            creation_time: now,
            update_time: now,
        },
    );
    Ok(created(format!("/api/v2.0/users/{id}"), None))
}

/// `GET /users`: system `user:list` (admins). `q` plus the `username` and `email` parameters,
/// both fuzzy (`ListUsers`), ordered by id.
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("user", "list")?;
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let q = params.query()?;
    let fuzzy = |key: &str, value: &str| params.get(key).is_none_or(|v| value.contains(v));
    let users: Vec<&User> = store
        .users
        .values()
        .filter(|u| q.allows("username", &u.username) && q.allows("email", &u.email))
        .filter(|u| fuzzy("username", &u.username) && fuzzy("email", &u.email))
        .collect();
    let total = users.len();
    let items: Vec<Value> = page.slice(&users).into_iter().map(user_json).collect();
    Ok(list_response(
        "/api/v2.0/users",
        &params,
        page,
        items,
        total,
    ))
}

/// `GET /users/search?username=`: any authenticated caller; `{user_id, username}` items, the
/// closest names first (`dao.SearchByName`: by length, then alphabetically).
pub async fn search(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_authenticated()?;
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let Some(name) = params.get("username") else {
        return Err(ApiError::unprocessable("username in query is required"));
    };
    let mut found: Vec<&User> = store
        .users
        .values()
        .filter(|u| u.username.contains(name))
        .collect();
    found.sort_by(|a, b| (a.username.len(), &a.username).cmp(&(b.username.len(), &b.username)));
    let total = found.len();
    // `SearchByName` takes the first `page_size` matches whatever the page (a Harbor quirk).
    let items: Vec<Value> = found
        .iter()
        .take(if page.size > 0 {
            usize::try_from(page.size).unwrap_or(usize::MAX)
        } else {
            usize::MAX
        })
        .map(|u| json!({"user_id": u.id, "username": u.username}))
        .collect();
    Ok(list_response(
        "/api/v2.0/users/search",
        &params,
        page,
        items,
        total,
    ))
}

/// `GET /users/{user_id}`: the user itself or system `user:read`; 404 "user %d not found".
pub async fn get(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = user_id(&raw)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    if who.user_id() != Some(id) {
        who.require_system("user", "read")?;
    }
    let user = store
        .users
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("user {id} not found")))?;
    Ok(ok_json(user_json(user)))
}

/// `requireModifiable` in database mode: the user itself, or system `user:update`.
fn require_modifiable(who: &Principal, id: i64) -> ApiResult<()> {
    if who.user_id() == Some(id) {
        return Ok(());
    }
    who.require_system("user", "update")
}

#[derive(Debug, Deserialize)]
pub struct UserProfile {
    #[serde(default)]
    email: String,
    #[serde(default)]
    realname: String,
    #[serde(default)]
    comment: String,
}

/// `PUT /users/{user_id}`: email, realname and comment are all written (an absent one is
/// cleared, `manager.UpdateProfile`'s default columns); 404 "user with id %d not found".
/// An email taken by another user breaks the `harbor_user` unique constraint: Harbor does not
/// wrap that error, so it is a 500.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = user_id(&raw)?;
    let mut store = app.store();
    require_modifiable(&Principal::resolve(&app, &store, &ctx), id)?;
    let req: UserProfile = parse_body(&body)?;
    validate_profile(None, &req.email, &req.realname, &req.comment)?;
    if store
        .users
        .values()
        .any(|u| u.id != id && u.email == req.email)
    {
        return Err(ApiError::internal());
    }
    let user = store
        .users
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(format!("user with id {id} not found")))?;
    user.email = req.email;
    user.realname = req.realname;
    user.comment = req.comment;
    user.update_time = Timestamp::now();
    Ok(ok_empty())
}

/// `DELETE /users/{user_id}`: system `user:delete`; never oneself nor user 1 (403 "User with ID
/// %d cannot be deleted"); the user's member rows go with it (`controller.Delete`).
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = user_id(&raw)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_system("user", "delete")?;
    if who.user_id() == Some(id) || id == ADMIN_USER_ID {
        return Err(ApiError::forbidden_msg(format!(
            "User with ID {id} cannot be deleted"
        )));
    }
    store
        .members
        .retain(|_, m| !(m.entity_type == 'u' && m.entity_id == id));
    if store.users.remove(&id).is_none() {
        return Err(ApiError::not_found(format!("user {id} not found")));
    }
    Ok(ok_empty())
}

#[derive(Debug, Deserialize)]
pub struct PasswordReq {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
}

/// `PUT /users/{user_id}/password` (`UpdateUserPassword`): the user itself must give its current
/// password (403 "Current password is incorrect"); an admin changing someone else's does not.
/// Then the password policy, the user lookup, and 400 "New password is identical to old
/// password".
pub async fn password(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = user_id(&raw)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    require_modifiable(&who, id)?;
    let req: PasswordReq = parse_body(&body)?;
    if who.user_id() == Some(id) {
        let me = store.users.get(&id).ok_or_else(ApiError::internal)?;
        if !password_matches(&app, me, &req.old_password) {
            return Err(ApiError::forbidden_msg("Current password is incorrect"));
        }
    }
    require_valid_secret(&req.new_password)?;
    let user = store
        .users
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("user {id} not found")))?;
    if password_matches(&app, user, &req.new_password) {
        return Err(ApiError::bad_request(
            "New password is identical to old password",
        ));
    }
    let salt = new_salt();
    let hash = hash_secret(&salt, &req.new_password);
    if let Some(user) = store.users.get_mut(&id) {
        user.password = Some((salt, hash));
        user.update_time = Timestamp::now();
    }
    Ok(ok_empty())
}

#[derive(Debug, Deserialize)]
pub struct SysAdminReq {
    #[serde(default)]
    sysadmin_flag: bool,
}

/// `PUT /users/{user_id}/sysadmin`: system `user:update`; 404 "user with id %d not found".
pub async fn sysadmin(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = user_id(&raw)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("user", "update")?;
    let req: SysAdminReq = parse_body(&body)?;
    let user = store
        .users
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(format!("user with id {id} not found")))?;
    user.sysadmin = req.sysadmin_flag;
    user.update_time = Timestamp::now();
    Ok(ok_empty())
}

/// `GET /users/current/permissions?scope=/project/{id}&relative=`: the project policies the
/// caller may use (`GetCurrentUserPermissions`), `{resource, action}` items; a relative answer
/// drops the scope prefix and names the project itself `.` (`Resource.RelativeTo`).
pub async fn current_permissions(
    State(app): State<App>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    let params = Params::parse(raw.as_deref());
    let scope = params.get("scope").unwrap_or("");
    let relative = params.bool("relative")?.unwrap_or(false);
    let project = scope
        .strip_prefix("/project/")
        .and_then(|id| id.parse::<i64>().ok())
        .and_then(|id| store.projects.get(&id));
    let mut out = Vec::new();
    if let Some(project) = project {
        for (resource, action) in crate::rbac::all_project_policies() {
            if !who.can_project(project, resource, action) {
                continue;
            }
            let name = match (relative, resource) {
                (true, "project") => ".".to_string(),
                (true, r) => r.to_string(),
                (false, "project") => scope.to_string(),
                (false, r) => format!("{scope}/{r}"),
            };
            out.push(json!({"resource": name, "action": action}));
        }
    }
    Ok(ok_json(out))
}
