//! `harbor_user`: a local (database) Harbor user. goharbor/harbor's HCL and state work unchanged.
//! Harbor never returns a password, so the configured one is kept in state (sensitive) or, with
//! `password_wo`, nowhere; a change is applied in place with `PUT /users/{id}/password`.
//!
//! Requests: read = `GET /users/{id}`; create = `POST /users`, plus `PUT /users/{id}/sysadmin`
//! when `admin` is true; update = `PUT /users/{id}` (email, full name, comment),
//! `PUT /users/{id}/sysadmin`, `PUT /users/{id}/password`, each only when its attributes
//! change; delete = `DELETE /users/{id}`.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{Secret, UserCreationReq, UserProfile, UserResp};
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{
    ImportRef, api_diag, import_not_found, not_found_is_none, parse_import_id, unsettled_create,
};

pub struct UserResource;

/// The resource's state and plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserModel {
    pub id: Known<Option<String>>,
    pub user_id: Known<Option<i64>>,
    pub username: String,
    pub password: Option<String>,
    pub password_wo: Option<String>,
    pub password_wo_version: Option<i64>,
    pub full_name: String,
    pub email: String,
    pub admin: bool,
    pub comment: String,
}

impl UserModel {
    /// The state for a user as Harbor returns it; the password attributes come from `keep`.
    fn from_harbor(u: &UserResp, keep: Option<&UserModel>) -> Self {
        UserModel {
            id: Some(format!("/users/{}", u.user_id)).into(),
            user_id: Some(u.user_id).into(),
            username: u.username.clone(),
            password: keep.and_then(|k| k.password.clone()),
            password_wo: None,
            password_wo_version: keep.and_then(|k| k.password_wo_version),
            full_name: u.realname.clone(),
            email: u.email.clone(),
            admin: u.sysadmin_flag,
            comment: u.comment.clone(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &UserResource::schema().ty())
    }
}

/// `common.IllegalCharsInUsername`: Harbor refuses these in usernames and full names.
const ILLEGAL_CHARS: &[char] = &[',', '"', '~', '#', '%', '$'];

const PASSWORD_RULE: &str = "Harbor accepts passwords of 8 to 128 characters with at least one upper-case letter, one lower-case letter and one digit.";

/// Harbor's `requireValidSecret`.
pub(crate) fn valid_password(s: &str) -> bool {
    (8..=128).contains(&s.len())
        && s.chars().any(|c| c.is_ascii_lowercase())
        && s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars().any(|c| c.is_ascii_digit())
}

/// The shape of Harbor's email pattern (`validateUserProfile`): a local part without spaces,
/// `<>()[]\,;:@"`, an `@`, and a dotted domain ending in two or more letters.
pub(crate) fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    let bad_local = |c: char| c.is_whitespace() || "<>()[]\\,;:@\"".contains(c);
    let local_ok = !local.is_empty()
        && !local.contains(bad_local)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

fn password_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        if let Some(s) = v.as_str()
            && !valid_password(s)
        {
            diags.attr_error(
                path.clone(),
                "Password does not meet Harbor's rules",
                PASSWORD_RULE,
            );
        }
    })
}

fn name_validator(what: &'static str) -> crate::schema::def::Validator {
    std::sync::Arc::new(move |v, path, diags| {
        if let Some(s) = v.as_str() {
            if s.is_empty() || s.len() > 255 {
                diags.attr_error(
                    path.clone(),
                    format!("Invalid {what} length"),
                    format!("Harbor accepts a {what} of 1 to 255 characters."),
                );
            } else if s.contains(ILLEGAL_CHARS) {
                diags.attr_error(
                    path.clone(),
                    format!("Invalid {what} {s:?}"),
                    format!("Harbor refuses a {what} containing any of , \" ~ # % $ ."),
                );
            }
        }
    })
}

fn user_diag(what: &str, name: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = api_diag(what, name, e);
    if e.is_forbidden() || e.is_unauthorized() {
        d.error(
            "Managing users needs a Harbor administrator",
            "Configure the provider with an admin account (robots cannot manage users), and check that Harbor's auth mode is the database (`db_auth`): Harbor refuses local users in LDAP, OIDC and HTTP modes.",
        );
    }
    d
}

impl UserResource {
    pub fn schema() -> Schema {
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "A local Harbor user (database auth mode). The password is stored in state (sensitive) unless \
                 `password_wo` is used; Harbor never returns it, so changing `password` or `password_wo_version` sets \
                 it in place. An imported user's password is unknown: it is null in state, and a configured `password` \
                 shows as one in-place update on the first plan after import (setting a password the user already has \
                 changes nothing in Harbor). Leave both password attributes out to manage an existing user without its \
                 password. Only `username` replaces the user.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The user's API path, `/users/<user_id>`."))
            .attr(Attribute::number("user_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the user."))
            .attr(
                Attribute::string("username")
                    .required()
                    .requires_replace()
                    .describe("The login name. Changing it replaces the user (Harbor cannot rename users).")
                    .validate(name_validator("username")),
            )
            .attr(
                Attribute::string("password")
                    .optional()
                    .sensitive()
                    .describe("The password, stored in state (sensitive). Conflicts with `password_wo`. Required to create a user unless `password_wo` is set.")
                    .validate(password_validator()),
            )
            .attr(
                Attribute::string("password_wo")
                    .optional()
                    .sensitive()
                    .write_only()
                    .describe("The password, write-only: never stored in plan or state (Terraform 1.11 and later). Set with `password_wo_version`; bump the version to apply a new value.")
                    .validate(password_validator()),
            )
            .attr(Attribute::number("password_wo_version").optional().describe("Change this number to apply a new `password_wo`."))
            .attr(
                Attribute::string("full_name")
                    .required()
                    .describe("The user's full name (Harbor's `realname`).")
                    .validate(name_validator("full name")),
            )
            .attr(
                Attribute::string("email")
                    .required()
                    .describe("The email address; unique among Harbor's users.")
                    .validate(std::sync::Arc::new(|v, path, diags| {
                        if let Some(s) = v.as_str()
                            && !valid_email(s)
                        {
                            diags.attr_error(path.clone(), format!("Invalid email {s:?}"), "Harbor accepts an address of the form name@example.com.");
                        }
                    })),
            )
            .attr(Attribute::bool("admin").default(false).describe("Whether the user is a Harbor system administrator."))
            .attr(
                Attribute::string("comment")
                    .default("")
                    .describe("A comment, at most 30 characters.")
                    .validate(std::sync::Arc::new(|v, path, diags| {
                        if let Some(s) = v.as_str()
                            && s.len() > 30
                        {
                            diags.attr_error(path.clone(), "Comment too long", "Harbor accepts a comment of at most 30 characters.");
                        }
                    })),
            ),
        )
    }
}

/// The user id in a state, from `user_id` or the `/users/<id>` path.
fn state_id(m: &UserModel) -> Option<i64> {
    m.user_id.value().copied().or_else(|| {
        m.id.value()
            .and_then(|p| p.strip_prefix("/users/"))
            .and_then(|n| n.parse().ok())
    })
}

#[async_trait]
impl Resource<HarborContext> for UserResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/users/{user_id}")
                .describe("user_id", "The user's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_user"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<UserModel>(&Self::schema().ty()))
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let set = |k: &str| !config.get(k).is_null();
        if set("password") && set("password_wo") {
            diags.attr_error(
                AttributePath::attr("password_wo"),
                "password and password_wo conflict",
                "Set the password either in `password` (stored in state) or in `password_wo` (write-only), not both.",
            );
        }
        if set("password") && set("password_wo_version") {
            diags.attr_error(
                AttributePath::attr("password_wo_version"),
                "password_wo_version goes with password_wo",
                "`password_wo_version` versions the value of `password_wo`; remove it, or move the password to `password_wo`.",
            );
        }
        if set("password_wo") != set("password_wo_version") {
            let missing = if set("password_wo") {
                "password_wo_version"
            } else {
                "password_wo"
            };
            diags.attr_error(
                AttributePath::attr(missing),
                format!("{missing} is missing"),
                "`password_wo` and `password_wo_version` go together: set both (bump the version to apply a new password).",
            );
        }
    }

    /// goharbor/harbor's state (version 0): its unset values become nulls, its `""` comment
    /// stays (this provider's default is `""` too).
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(
                &mut raw,
                &["password", "password_wo", "password_wo_version"],
                &[],
            );
            if let Some(obj) = raw.as_object_mut() {
                let user_id = obj
                    .get("id")
                    .and_then(|v| v.as_str())
                    .and_then(|p| p.strip_prefix("/users/"))
                    .and_then(|n| n.parse::<i64>().ok());
                obj.insert("user_id".into(), user_id.into());
                if obj.get("comment").is_none_or(serde_json::Value::is_null) {
                    obj.insert("comment".into(), "".into());
                }
                if obj.get("admin").is_none_or(serde_json::Value::is_null) {
                    obj.insert("admin".into(), false.into());
                }
            }
        }
        Ok(raw)
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: UserModel = model::from_value(state)?;
        let id = match state_id(&state) {
            Some(id) => id,
            // A create whose answer was lost: find the user by name.
            None => match h.client.find_user(&state.username).await {
                Ok(Some(u)) if u.email == state.email => u.user_id,
                Ok(_) => return Ok(None),
                Err(e) => return Err(user_diag("Could not look up user", &state.username, &e)),
            },
        };
        let found = not_found_is_none(h.client.get_user(id).await)
            .map_err(|e| user_diag("Could not read user", &state.username, &e))?;
        Ok(match found {
            Some(u) => Some(UserModel::from_harbor(&u, Some(&state)).to_value()?),
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let model_planned: UserModel = model::from_value(planned)?;
        // Checked here, not at plan time: a plan cannot tell a new user from one whose state
        // was lost, and an imported user may do without a password.
        let Some(password) = config
            .str_attr("password")
            .or(config.str_attr("password_wo"))
            .map(str::to_string)
        else {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("password"),
                "harbor_user needs a password to create the user",
                "Set `password`, or `password_wo` with `password_wo_version`. Only a user imported from Harbor may be managed without one.",
            );
            return Err(d.into());
        };
        let name = model_planned.username.clone();
        let req = UserCreationReq {
            username: name.clone(),
            email: model_planned.email.clone(),
            realname: model_planned.full_name.clone(),
            comment: model_planned.comment.clone(),
            password: Secret::new(password),
        };
        let id = match h.client.create_user(&req).await {
            Ok(id) => id,
            Err(e) if e.is_unsettled() => {
                return Err(unsettled_create(
                    user_diag("Could not create user", &name, &e),
                    "user",
                    planned,
                ));
            }
            Err(e) => {
                let mut d = user_diag("Could not create user", &name, &e);
                if e.is_conflict() {
                    d.attr_error(
                        AttributePath::attr("username"),
                        format!("User {name} or email {} already exists", req.email),
                        "Harbor's usernames and emails are unique. Import the existing user with `terraform import <address> /users/<id>`, or choose another username and email.",
                    );
                }
                return Err(d.into());
            }
        };
        let mut state = UserModel {
            id: Some(format!("/users/{id}")).into(),
            user_id: Some(id).into(),
            password_wo: None,
            ..model_planned
        };
        if state.admin {
            h.client
                .set_user_sysadmin(id, true)
                .await
                .map_err(|e| ApplyError {
                    diags: user_diag("Could not make user an administrator:", &name, &e),
                    partial_state: UserModel {
                        admin: false,
                        ..state.clone()
                    }
                    .to_value()
                    .ok(),
                })?;
        }
        state.password_wo = None;
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: UserModel = model::from_value(prior)?;
        let planned: UserModel = model::from_value(planned)?;
        let id = state_id(&prior).unwrap_or_default();
        let name = planned.username.clone();
        // Each step that succeeds moves into `done`, which is what an error leaves in state.
        let mut done = prior.clone();
        let fail = |diags: Diagnostics, done: &UserModel| ApplyError {
            diags,
            partial_state: done.to_value().ok(),
        };
        if planned.email != prior.email
            || planned.full_name != prior.full_name
            || planned.comment != prior.comment
        {
            let profile = UserProfile {
                email: planned.email.clone(),
                realname: planned.full_name.clone(),
                comment: planned.comment.clone(),
            };
            if let Err(e) = h.client.update_user_profile(id, &profile).await {
                let mut d = user_diag("Could not update user", &name, &e);
                if e.status() == Some(500) {
                    d.attr_error(
                        AttributePath::attr("email"),
                        "Harbor could not store the profile",
                        "Harbor answers 500 when the email belongs to another user (its unique constraint). Choose an address no other user has.",
                    );
                }
                return Err(fail(d, &done));
            }
            done.email = planned.email.clone();
            done.full_name = planned.full_name.clone();
            done.comment = planned.comment.clone();
        }
        if planned.admin != prior.admin {
            h.client
                .set_user_sysadmin(id, planned.admin)
                .await
                .map_err(|e| {
                    fail(
                        user_diag("Could not change the admin flag of user", &name, &e),
                        &done,
                    )
                })?;
            done.admin = planned.admin;
        }
        let new_password = if planned.password != prior.password && planned.password.is_some() {
            planned.password.clone()
        } else if planned.password_wo_version != prior.password_wo_version {
            config.str_attr("password_wo").map(str::to_string)
        } else {
            None
        };
        if let Some(p) = new_password {
            h.client
                .set_user_password(id, &Secret::new(p))
                .await
                .map_err(|e| {
                    fail(
                        user_diag("Could not change the password of user", &name, &e),
                        &done,
                    )
                })?;
        }
        let state = UserModel {
            id: prior.id.clone(),
            user_id: Some(id).into(),
            password_wo: None,
            ..planned
        };
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: UserModel = model::from_value(prior)?;
        let Some(id) = state_id(&prior) else {
            return Ok(());
        };
        h.client
            .delete_user(id)
            .await
            .map_err(|e| user_diag("Could not delete user", &prior.username, &e))
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let found = match parse_import_id(id, "/users/") {
            Ok(ImportRef::Id(n)) => not_found_is_none(h.client.get_user(n).await),
            Ok(ImportRef::Name(name)) => h.client.find_user(&name).await,
            Err(why) => {
                let mut d = Diagnostics::new();
                d.error(
                    "Invalid import id for harbor_user",
                    format!("{why} Use `/users/<id>`, the numeric id, or the username."),
                );
                return Err(d);
            }
        }
        .map_err(|e| user_diag("Could not read user", id, &e))?;
        let Some(u) = found else {
            return Err(import_not_found("user", id));
        };
        // The password cannot be read back: null until the configuration sets it.
        Ok(UserModel::from_harbor(&u, None).to_value()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(UserResource::schema().check_rules(), Vec::<String>::new());
    }

    #[test]
    fn emails_and_passwords_follow_harbor_rules() {
        assert!(valid_email("john@smith.com"));
        assert!(valid_email("a.b+c@sub.example.org"));
        assert!(!valid_email("john"));
        assert!(!valid_email("john@localhost"));
        assert!(!valid_email("jo hn@example.com"));
        assert!(!valid_email("john@example.c0m"));
        assert!(valid_password("Password12345!"));
        assert!(!valid_password("password1"));
        assert!(!valid_password("Pass1"));
    }
}
