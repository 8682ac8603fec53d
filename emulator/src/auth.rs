//! Who is calling and what they may do: basic auth for the admin, local users and robots,
//! anonymous otherwise. Users get their project roles' policies (`crate::rbac`).

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use base64::Engine;

use crate::error::{ApiError, ApiResult};
use crate::state::{AppInner, Namespace, Project, Robot, Store, User, hash_secret};
use crate::util::Timestamp;

/// The request facts every handler needs: credentials and the project-addressing headers.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub credentials: Option<(String, String)>,
    pub is_resource_name: bool,
    pub name_in_location: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx::from_headers(&parts.headers))
    }
}

impl Ctx {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let flag = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        Self {
            credentials: basic_credentials(headers),
            is_resource_name: flag("X-Is-Resource-Name"),
            name_in_location: flag("X-Resource-Name-In-Location"),
        }
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

/// The security context of one request.
#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    Admin,
    Robot(Box<Robot>),
    User(Box<UserPrincipal>),
}

/// A local user and the roles it holds, resolved once per request.
#[derive(Debug, Clone)]
pub struct UserPrincipal {
    pub user: User,
    /// Project id to role id, from the user's `u` member rows.
    pub roles: std::collections::BTreeMap<i64, i64>,
}

/// Whether `password` is the user's: the admin without a stored password uses the configured one.
pub fn password_matches(app: &AppInner, user: &User, password: &str) -> bool {
    match &user.password {
        Some((salt, hash)) => hash_secret(salt, password) == *hash,
        None => user.id == crate::state::ADMIN_USER_ID && password == app.admin_password,
    }
}

impl Principal {
    /// Resolves credentials against the store; anything that does not check out is anonymous,
    /// as Harbor's security middleware falls through to the unauthenticated context.
    pub fn resolve(app: &AppInner, store: &Store, ctx: &Ctx) -> Self {
        let Some((user, pass)) = &ctx.credentials else {
            return Self::Anonymous;
        };
        // `security/basic` → `auth.Login` in Harbor: a local user whose password matches.
        if let Some(found) = store.user_by_name(user) {
            if !password_matches(app, found, pass) {
                return Self::Anonymous;
            }
            if found.id == crate::state::ADMIN_USER_ID {
                return Self::Admin;
            }
            let roles = store
                .members
                .values()
                .filter(|m| m.entity_type == 'u' && m.entity_id == found.id)
                .map(|m| (m.project_id, m.role))
                .collect();
            return Self::User(Box::new(UserPrincipal {
                user: found.clone(),
                roles,
            }));
        }
        let Some(stored_name) = user.strip_prefix(store.settings.robot_name_prefix.as_str()) else {
            return Self::Anonymous;
        };
        let Some(robot) = store.robots.values().find(|r| r.name == stored_name) else {
            return Self::Anonymous;
        };
        let expired = robot.expires_at != -1 && robot.expires_at <= Timestamp::now().unix_seconds();
        if robot.disable || expired || hash_secret(&robot.salt, pass) != robot.secret_hash {
            return Self::Anonymous;
        }
        Self::Robot(Box::new(robot.clone()))
    }

    pub fn is_authenticated(&self) -> bool {
        !matches!(self, Self::Anonymous)
    }

    /// The admin, or a user with the system admin flag.
    pub fn is_admin(&self) -> bool {
        match self {
            Self::Admin => true,
            Self::User(u) => u.user.sysadmin,
            _ => false,
        }
    }

    /// The local user behind the request (the admin included), as Harbor's `matchUserID` sees it.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Self::Admin => Some(crate::state::ADMIN_USER_ID),
            Self::User(u) => Some(u.user.id),
            _ => None,
        }
    }

    /// 401 for anonymous, 403 for everyone else: Harbor's answer to a failed permission check.
    pub fn deny(&self) -> ApiError {
        if self.is_authenticated() {
            ApiError::forbidden()
        } else {
            ApiError::unauthorized()
        }
    }

    pub fn require_authenticated(&self) -> ApiResult<()> {
        if self.is_authenticated() {
            Ok(())
        } else {
            Err(ApiError::unauthorized())
        }
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(self.deny())
        }
    }

    pub fn can_system(&self, resource: &str, action: &str) -> bool {
        match self {
            Self::Anonymous => false,
            Self::Admin => true,
            // A user's system permissions come from the admin flag alone
            // (`security/local/context.go` `Can`: system resources need `IsSysAdmin`).
            Self::User(u) => u.user.sysadmin,
            Self::Robot(robot) => robot
                .permissions
                .iter()
                .filter(|p| p.namespace == Namespace::System)
                .any(|p| {
                    p.access
                        .iter()
                        .any(|a| a.resource == resource && a.action == action)
                }),
        }
    }

    pub fn require_system(&self, resource: &str, action: &str) -> ApiResult<()> {
        if self.can_system(resource, action) {
            Ok(())
        } else {
            Err(self.deny())
        }
    }

    /// Project-scoped permission; anonymous callers get the read-only guest view of public projects.
    pub fn can_project(&self, project: &Project, resource: &str, action: &str) -> bool {
        match self {
            Self::Admin => true,
            Self::Anonymous => project.is_public() && public_read(resource, action),
            // `security/local/context.go` `Can` → `rbac/project/evaluator.go`: the admin flag
            // allows everything; otherwise the user's role in the project, plus the guest view of
            // public projects.
            Self::User(u) => {
                u.user.sysadmin
                    || u.roles
                        .get(&project.id)
                        .is_some_and(|role| crate::rbac::allows(*role, resource, action))
                    || (project.is_public() && public_read(resource, action))
            }
            Self::Robot(robot) => {
                let granted = robot
                    .permissions
                    .iter()
                    .filter(|p| {
                        matches!(p.namespace, Namespace::AllProjects)
                            || p.namespace == Namespace::Project(project.id)
                    })
                    .any(|p| {
                        p.access
                            .iter()
                            .any(|a| a.resource == resource && a.action == action)
                    });
                granted || (project.is_public() && public_read(resource, action))
            }
        }
    }

    /// Checks a project permission, including Harbor's habit of checking against project 0 when the
    /// project does not exist: non-admins then get 401/403 instead of learning it is missing.
    pub fn require_project<'a>(
        &self,
        project: Option<&'a Project>,
        resource: &str,
        action: &str,
        missing: &str,
    ) -> ApiResult<&'a Project> {
        match project {
            Some(p) if self.can_project(p, resource, action) => Ok(p),
            Some(_) => Err(self.deny()),
            None if self.is_admin() => Err(ApiError::not_found(missing.to_string())),
            None => Err(self.deny()),
        }
    }

    /// Whether the caller can see a project in lists (`ListProjects`, handler/project.go): a
    /// robot with system `project:list` sees all; any other robot sees every project named in one
    /// of its permissions, whatever the access (`*` covers all), plus the public ones.
    pub fn sees_project(&self, project: &Project) -> bool {
        match self {
            Self::Robot(robot) => {
                self.can_system("project", "list")
                    || project.is_public()
                    || robot.permissions.iter().any(|p| {
                        matches!(p.namespace, Namespace::AllProjects)
                            || p.namespace == Namespace::Project(project.id)
                    })
            }
            _ => self.can_project(project, "project", "read"),
        }
    }
}

fn public_read(resource: &str, action: &str) -> bool {
    matches!(
        (resource, action),
        ("project", "read")
            | ("metadata", "read" | "list")
            | ("repository", "read" | "list" | "pull")
            | ("artifact", "read" | "list")
            | ("tag", "list")
            | ("scanner", "read")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{AppInner, Robot, Store, new_salt};
    use crate::util::Timestamp;

    fn app() -> AppInner {
        AppInner {
            version: crate::version::Version::new(2, 15, 2),
            admin_password: "pw".into(),
            version_text: "2.15.2".into(),
            base_url: "http://127.0.0.1:1".into(),
            latency_ms: 0,
            store: std::sync::Mutex::new(Store::new()),
            counter: Default::default(),
            faults: Default::default(),
            probes: Default::default(),
            exchanges: Default::default(),
        }
    }

    fn robot(expires_at: i64, disable: bool) -> Robot {
        let salt = new_salt();
        Robot {
            id: 1,
            name: "bot".into(),
            project_id: 0,
            description: String::new(),
            duration: 1,
            disable,
            expires_at,
            permissions: Vec::new(),
            secret_hash: hash_secret(&salt, "Secret123"),
            salt,
            creator_type: "local".into(),
            creator_ref: 1,
            creation_time: Timestamp(0),
            update_time: Timestamp(0),
        }
    }

    fn login(robot: Robot, password: &str) -> Principal {
        let app = app();
        let mut store = Store::new();
        store.robots.insert(1, robot);
        let ctx = Ctx {
            credentials: Some(("robot$bot".into(), password.into())),
            ..Ctx::default()
        };
        Principal::resolve(&app, &store, &ctx)
    }

    #[test]
    fn expired_robots_are_anonymous() {
        let past = Timestamp::now().unix_seconds() - 1;
        assert!(!login(robot(past, false), "Secret123").is_authenticated());
        assert!(login(robot(past + 3600, false), "Secret123").is_authenticated());
        assert!(login(robot(-1, false), "Secret123").is_authenticated());
    }

    #[test]
    fn disabled_robots_and_wrong_secrets_are_anonymous() {
        assert!(!login(robot(-1, true), "Secret123").is_authenticated());
        assert!(!login(robot(-1, false), "secret123").is_authenticated());
    }

    #[test]
    fn secrets_are_stored_salted_and_hashed() {
        let r = robot(-1, false);
        assert_ne!(r.secret_hash, "Secret123");
        assert_eq!(r.secret_hash.len(), 64);
        assert_ne!(hash_secret("a", "Secret123"), hash_secret("b", "Secret123"));
    }
}
