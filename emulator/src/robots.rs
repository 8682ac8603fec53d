//! Robot accounts (v2 API): create, list, read, update, refresh secret, delete, and `GET /permissions`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::catalog::{self, Scope};
use crate::error::{ApiError, ApiResult};
use crate::state::{
    ADMIN_USER_ID, Access, App, AppInner, Namespace, Robot, RobotPermission, Store, hash_secret,
    new_salt,
};
use crate::util::{
    Page, Params, Term, Timestamp, created, is_valid_name, list_response, ok_empty, ok_json,
    parse_body, random_secret, secret_is_complex,
};

#[derive(Debug, Deserialize)]
pub struct AccessReq {
    #[serde(default)]
    resource: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    effect: String,
}

#[derive(Debug, Deserialize)]
pub struct PermissionReq {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    access: Option<Vec<AccessReq>>,
}

/// `RobotCreate`; `disable` and `secret` are accepted and ignored, as in every Harbor release.
#[derive(Debug, Deserialize)]
pub struct RobotCreateReq {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    duration: Option<i64>,
    #[serde(default)]
    permissions: Option<Vec<PermissionReq>>,
}

/// The `Robot` object as a PUT body.
#[derive(Debug, Deserialize)]
pub struct RobotUpdateReq {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    duration: Option<i64>,
    #[serde(default)]
    disable: Option<bool>,
    #[serde(default)]
    permissions: Option<Vec<PermissionReq>>,
}

#[derive(Debug, Deserialize)]
struct RobotSecReq {
    #[serde(default)]
    secret: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    System,
    Project,
}

fn parse_level(level: Option<&str>) -> ApiResult<Level> {
    match level {
        Some("system") => Ok(Level::System),
        Some("project") => Ok(Level::Project),
        other => Err(ApiError::bad_request(format!(
            "bad request error level input: {}",
            other.unwrap_or("")
        ))),
    }
}

/// `-1` or 1..MaxInt32-1 days; 0 is invalid since 2.11 (earlier it meant `robot_token_duration`).
fn check_duration(app: &AppInner, store: &Store, duration: i64) -> ApiResult<i64> {
    if duration == 0 && !app.version.at_least(2, 11, 0) {
        return Ok(store.settings.robot_token_duration);
    }
    if duration == 0 || duration < -1 || duration >= i64::from(i32::MAX) {
        return Err(ApiError::bad_request(format!(
            "bad request error duration input: {duration}, duration must be either -1(Never) or a positive integer"
        )));
    }
    Ok(duration)
}

fn expires_at(creation: Timestamp, duration: i64) -> i64 {
    if duration == -1 {
        -1
    } else {
        creation.unix_seconds() + duration * 86_400
    }
}

/// What a permission list resolves to: the robot's project (0 for system robots) and typed entries.
struct ResolvedPermissions {
    project_id: i64,
    permissions: Vec<RobotPermission>,
}

/// Validates permissions for a level against the structure rules and the catalog.
fn resolve_permissions(
    app: &AppInner,
    store: &Store,
    who: &Principal,
    level: Level,
    perms: &[PermissionReq],
) -> ApiResult<ResolvedPermissions> {
    if perms.is_empty() {
        return Err(ApiError::bad_request("bad request empty permission"));
    }
    // handler/robot.go `validate`: "bad request permission" for a project robot with several
    // blocks; an unknown kind is "bad request permission level: <kind>".
    if level == Level::Project && perms.len() > 1 {
        return Err(ApiError::bad_request("bad request permission"));
    }
    if let Some(p) = perms
        .iter()
        .find(|p| p.kind != "system" && p.kind != "project")
    {
        return Err(ApiError::bad_request(format!(
            "bad request permission level: {}",
            p.kind
        )));
    }
    // A project robot with a `system` block fails later in Harbor (the project "/" is looked
    // up); the emulator refuses it here with 400.
    if level == Level::Project && perms[0].kind != "project" {
        return Err(ApiError::bad_request(
            "bad request permission: a project robot needs exactly one project permission",
        ));
    }
    let mut out: Vec<RobotPermission> = Vec::new();
    let mut project_id = 0;
    for perm in perms {
        let access = perm.access.as_deref().unwrap_or_default();
        if access.is_empty() {
            return Err(ApiError::bad_request("bad request empty access"));
        }
        let (namespace, scope) = match perm.kind.as_str() {
            "system" if level == Level::System && perm.namespace == "/" => {
                (Namespace::System, Scope::System)
            }
            "project" if perm.namespace == "*" && level == Level::System => {
                (Namespace::AllProjects, Scope::Project)
            }
            "project" if perm.namespace != "*" => {
                let project = store.project_by_name(&perm.namespace);
                let Some(project) = project else {
                    return Err(if who.is_admin() {
                        ApiError::not_found(format!("project {} not found", perm.namespace))
                    } else {
                        who.deny()
                    });
                };
                if level == Level::Project {
                    project_id = project.id;
                }
                (Namespace::Project(project.id), Scope::Project)
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "bad request permission kind {} with namespace {}",
                    perm.kind, perm.namespace
                )));
            }
        };
        // Harbor stores one `permission_policy` row per (scope, resource, action, effect) and one
        // `role_permission` row per robot and policy, both with `InsertOrUpdate`
        // (`src/pkg/rbac/dao/dao.go` `CreateRbacPolicy`, `CreatePermission`); reading groups the
        // rows by scope (`src/controller/robot/controller.go` `populatePermissions`). So blocks
        // with one scope become one block and repeated accesses collapse: store them that way.
        let slot = match out.iter().position(|p| p.namespace == namespace) {
            Some(i) => i,
            None => {
                out.push(RobotPermission {
                    namespace,
                    access: Vec::new(),
                });
                out.len() - 1
            }
        };
        for a in access {
            if !catalog::contains(scope, app.version, &a.resource, &a.action) {
                return Err(ApiError::bad_request(format!(
                    "bad request permission: {}:{}",
                    a.resource, a.action
                )));
            }
            let entry = Access {
                resource: a.resource.clone(),
                action: a.action.clone(),
                effect: a.effect.clone(),
            };
            if !out[slot].access.contains(&entry) {
                out[slot].access.push(entry);
            }
        }
    }
    Ok(ResolvedPermissions {
        project_id,
        permissions: out,
    })
}

/// Harbor `src/server/v2.0/handler/robot.go` `isValidPermissionScope` (2.12+): each requested
/// block is matched to the creator's block with the same kind and namespace, or else to its
/// `kind:*` block (never combining several), and every access must be in that block with the
/// same resource, action **and** effect.
fn covers(creator: &Robot, wanted: &[RobotPermission]) -> bool {
    let block = |ns: &Namespace| creator.permissions.iter().find(|p| &p.namespace == ns);
    wanted.iter().all(|perm| {
        let held = block(&perm.namespace).or_else(|| match perm.namespace {
            Namespace::Project(_) => block(&Namespace::AllProjects),
            _ => None,
        });
        held.is_some_and(|held| {
            perm.access.iter().all(|a| {
                held.access.iter().any(|h| {
                    h.resource == a.resource && h.action == a.action && h.effect == a.effect
                })
            })
        })
    })
}

pub fn full_name(store: &Store, robot: &Robot) -> String {
    format!("{}{}", store.settings.robot_name_prefix, robot.name)
}

fn robot_json(app: &AppInner, store: &Store, robot: &Robot) -> Value {
    // `populatePermissions` builds the blocks from a Go map, so their order is random on Harbor.
    // The emulator returns them last-scope-first: deterministic, and never the order they were
    // written in when there are several, so a client that depends on the order fails here too.
    let permissions: Vec<Value> = robot
        .permissions
        .iter()
        .rev()
        .filter_map(|p| {
            let (kind, namespace) = match p.namespace {
                Namespace::System => ("system", "/".to_string()),
                Namespace::AllProjects => ("project", "*".to_string()),
                Namespace::Project(id) => ("project", store.projects.get(&id)?.name.clone()),
            };
            let access: Vec<Value> = p
                .access
                .iter()
                .map(|a| {
                    // `Access.effect` is `omitempty` in the swagger model.
                    let mut access =
                        json!({"resource": a.resource, "action": a.action, "effect": a.effect});
                    crate::util::omit_empty(&mut access, &["effect"]);
                    access
                })
                .collect();
            Some(json!({"kind": kind, "namespace": namespace, "access": access}))
        })
        .collect();
    let mut body = json!({
        "id": robot.id,
        "name": full_name(store, robot),
        "description": robot.description,
        "level": if robot.is_system() { "system" } else { "project" },
        "duration": robot.duration,
        "editable": true,
        "disable": robot.disable,
        "expires_at": robot.expires_at,
        "permissions": permissions,
        "creation_time": robot.creation_time,
        "update_time": robot.update_time,
    });
    if app.version.at_least(2, 12, 0)
        && let Some(obj) = body.as_object_mut()
    {
        obj.insert("creator_type".into(), json!(robot.creator_type));
        obj.insert("creator_ref".into(), json!(robot.creator_ref));
    }
    // `Robot.description` is `omitempty` (`editable` and `disable` are `x-omitempty: false`).
    crate::util::omit_empty(&mut body, &["description"]);
    body
}

fn require_robot_access(
    who: &Principal,
    store: &Store,
    robot: &Robot,
    action: &str,
) -> ApiResult<()> {
    if robot.is_system() {
        who.require_system("robot", action)
    } else {
        let project = store.projects.get(&robot.project_id);
        who.require_project(project, "robot", action, "project not found")
            .map(|_| ())
    }
}

fn robot_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| {
        ApiError::unprocessable(format!("robot_id in path must be of type int64: \"{raw}\""))
    })
}

/// `POST /robots`
pub async fn create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: RobotCreateReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    let level = parse_level(req.level.as_deref())?;
    let name = req.name.clone().unwrap_or_default();
    if !is_valid_name(&name) {
        return Err(ApiError::bad_request(
            "robot name is not in lower case or contains illegal characters",
        ));
    }
    let duration = check_duration(&app, &store, req.duration.unwrap_or(0))?;
    let resolved = resolve_permissions(
        &app,
        &store,
        &who,
        level,
        req.permissions.as_deref().unwrap_or_default(),
    )?;
    let project = store.projects.get(&resolved.project_id);
    let allowed = match level {
        Level::System => who.can_system("robot", "create"),
        // `requireAccess` (handler/robot.go) checks project robots with `RequireProjectAccess`
        // on the project's `robot` resource: a system-scope `robot:create` does not reach it
        // (the robot security context evaluates system and project policies separately).
        Level::Project => project.is_some_and(|p| who.can_project(p, "robot", "create")),
    };
    if !allowed {
        return Err(who.deny());
    }
    if let Principal::Robot(creator) = &who
        && !covers(creator, &resolved.permissions)
    {
        return Err(ApiError::denied(format!(
            "permission scope is invalid. It must be equal to or more restrictive than the creator robot's permissions: {}",
            full_name(&store, creator)
        )));
    }
    let stored_name = match (level, project) {
        (Level::Project, Some(p)) => format!("{}+{name}", p.name),
        _ => name,
    };
    if store
        .robots
        .values()
        .any(|r| r.name == stored_name && r.project_id == resolved.project_id)
    {
        return Err(ApiError::conflict(format!(
            "robot account {}:{stored_name} already exists",
            resolved.project_id
        )));
    }
    let (creator_type, creator_ref) = match &who {
        Principal::Robot(r) => ("robot", r.id),
        other => ("local", other.user_id().unwrap_or(ADMIN_USER_ID)),
    };
    let now = Timestamp::now();
    let secret = random_secret(32);
    let salt = new_salt();
    let id = store.seq.robot();
    let robot = Robot {
        id,
        secret_hash: hash_secret(&salt, &secret),
        salt,
        name: stored_name,
        project_id: resolved.project_id,
        description: req.description.unwrap_or_default(),
        duration,
        disable: false,
        expires_at: expires_at(now, duration),
        permissions: resolved.permissions,
        creator_type: creator_type.into(),
        creator_ref,
        creation_time: now,
        update_time: now,
    };
    let body = json!({
        "id": id,
        "name": full_name(&store, &robot),
        "secret": secret,
        "creation_time": robot.creation_time,
        "expires_at": robot.expires_at,
    });
    store.robots.insert(id, robot);
    Ok(created(format!("/api/v2.0/robots/{id}"), Some(body)))
}

/// `GET /robots`: system robots by default, a project's robots with `q=Level=project,ProjectID=N`.
pub async fn list(State(app): State<App>, ctx: Ctx, RawQuery(raw): RawQuery) -> ApiResult {
    let params = Params::parse(raw.as_deref());
    let page = Page::from_params(&params)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    // `ListRobot`: `RequireAuthenticated`, then `BuildQuery`.
    who.require_authenticated()?;
    let q = params.query()?;
    let project_level = matches!(q.get("Level"), Some(Term::Exact(l)) if l == "project");
    let wanted_project = if project_level {
        let Some(Term::Exact(pid)) = q.get("ProjectID") else {
            return Err(ApiError::bad_request(
                "must with project ID when to query project robots",
            ));
        };
        let pid: i64 = pid
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid ProjectID {pid}")))?;
        // Admins pass the permission check for any id, so an unknown project simply has no robots.
        if !who.is_admin() || store.projects.contains_key(&pid) {
            who.require_project(
                store.projects.get(&pid),
                "robot",
                "list",
                &format!("project {pid} not found"),
            )?;
        }
        Some(pid)
    } else {
        who.require_system("robot", "list")?;
        None
    };
    // Before 2.13 a `Level=system` query leaked project robots into the list.
    let legacy_all = !app.version.at_least(2, 13, 0)
        && matches!(q.get("Level"), Some(Term::Exact(l)) if l == "system");
    let mut robots: Vec<&Robot> = store
        .robots
        .values()
        .filter(|r| legacy_all || r.project_id == wanted_project.unwrap_or(0))
        .filter(|r| q.allows("name", &r.name))
        // `pkg/robot/model/model.go` `Robot.ID` is filterable by field (`ID`) or column (`id`),
        // and `{1 2}` is an OR-list (`lib/orm/query.go` `setFilters`).
        .filter(|r| q.allows("id", &r.id.to_string()) && q.allows("ID", &r.id.to_string()))
        .collect();
    // `pkg/robot/model/model.go`: the stored name (without prefix) carries `sort:"default"`.
    robots.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let total = robots.len();
    let items: Vec<Value> = page
        .slice(&robots)
        .into_iter()
        .map(|r| robot_json(&app, &store, r))
        .collect();
    Ok(list_response(
        "/api/v2.0/robots",
        &params,
        page,
        items,
        total,
    ))
}

fn load<'a>(store: &'a Store, who: &Principal, id: i64) -> ApiResult<&'a Robot> {
    who.require_authenticated()?;
    store
        .robots
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("robot {id} not found")))
}

/// `GET /robots/{robot_id}`: never carries the secret.
pub async fn get(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = robot_id(&raw)?;
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let robot = load(&store, &who, id)?;
    require_robot_access(&who, &store, robot, "read")?;
    Ok(ok_json(robot_json(&app, &store, robot)))
}

/// `PUT /robots/{robot_id}`: name and level fixed, permissions replaced, description/disable overwritten.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = robot_id(&raw)?;
    let req: RobotUpdateReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let robot = load(&store, &who, id)?.clone();
    require_robot_access(&who, &store, &robot, "update")?;
    let current_level = if robot.is_system() {
        "system"
    } else {
        "project"
    };
    if req.name.as_deref() != Some(full_name(&store, &robot).as_str())
        || req.level.as_deref() != Some(current_level)
    {
        return Err(ApiError::bad_request(
            "cannot update the level or name of robot",
        ));
    }
    let level = if robot.is_system() {
        Level::System
    } else {
        Level::Project
    };
    let resolved = resolve_permissions(
        &app,
        &store,
        &who,
        level,
        req.permissions.as_deref().unwrap_or_default(),
    )?;
    if level == Level::Project && resolved.project_id != robot.project_id {
        return Err(ApiError::bad_request(
            "cannot update the project id of robot",
        ));
    }
    let duration = match req.duration {
        Some(d) => check_duration(&app, &store, d)?,
        None => robot.duration,
    };
    let stored = store.robots.get_mut(&id).ok_or_else(ApiError::internal)?;
    if duration != stored.duration {
        stored.duration = duration;
        stored.expires_at = expires_at(stored.creation_time, duration);
    }
    stored.description = req.description.unwrap_or_default();
    stored.disable = req.disable.unwrap_or(false);
    stored.permissions = resolved.permissions;
    stored.update_time = Timestamp::now();
    Ok(ok_empty())
}

/// `PATCH /robots/{robot_id}`: a random secret (returned) or the given one (validated, not echoed).
pub async fn refresh(
    State(app): State<App>,
    ctx: Ctx,
    Path(raw): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = robot_id(&raw)?;
    let req: RobotSecReq = parse_body(&body)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let robot = load(&store, &who, id)?.clone();
    require_robot_access(&who, &store, &robot, "update")?;
    let (secret, echo) = match req.secret.filter(|s| !s.is_empty()) {
        None => {
            let s = random_secret(32);
            (s.clone(), Some(s))
        }
        Some(given) => {
            if !(8..=128).contains(&given.chars().count()) || !secret_is_complex(&given) {
                return Err(ApiError::bad_request(
                    "the secret must be 8-128 characters long with at least 1 uppercase letter, 1 lowercase letter and 1 number",
                ));
            }
            (given, None)
        }
    };
    let stored = store.robots.get_mut(&id).ok_or_else(ApiError::internal)?;
    stored.salt = new_salt();
    stored.secret_hash = hash_secret(&stored.salt, &secret);
    stored.update_time = Timestamp::now();
    Ok(ok_json(match echo {
        Some(s) => json!({"secret": s}),
        None => json!({}),
    }))
}

/// `DELETE /robots/{robot_id}`
pub async fn delete(State(app): State<App>, ctx: Ctx, Path(raw): Path<String>) -> ApiResult {
    let id = robot_id(&raw)?;
    let mut store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    let robot = load(&store, &who, id)?.clone();
    require_robot_access(&who, &store, &robot, "delete")?;
    store.robots.remove(&id);
    Ok(ok_empty())
}

/// `GET /permissions`: the catalog; only sysadmins see the system part.
pub async fn permissions(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    let who = Principal::resolve(&app, &store, &ctx);
    who.require_authenticated()?;
    let render = |scope| -> Vec<Value> {
        catalog::permissions(scope, app.version)
            .into_iter()
            .map(|(r, a)| json!({"resource": r, "action": a}))
            .collect()
    };
    let mut body = json!({"project": render(Scope::Project)});
    if who.is_admin()
        && let Some(obj) = body.as_object_mut()
    {
        obj.insert("system".into(), json!(render(Scope::System)));
    }
    Ok(ok_json(body))
}
