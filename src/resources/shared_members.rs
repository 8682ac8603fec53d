//! What `harbor_project_member_user`, `harbor_project_member_group`, `harbor_project_members`
//! and the member data sources share: Harbor's roles, the project argument, the membership's
//! id path and identity, and the requests on one membership (remove, import).

use crate::context::HarborContext;
use crate::harbor::{ProjectMemberEntity, ProjectRef};
use crate::schema::def::validators;
use crate::schema::identity::IdentityTemplate;
use crate::schema::model::Known;
use crate::schema::{Attribute, AttributePath, Diagnostics};

use super::{ImportRef, api_diag, not_found_is_none, parse_import_id};

/// goharbor's role names, in Harbor's role-id order (`src/common/const.go`: 1 projectAdmin,
/// 2 developer, 3 guest, 4 maintainer, 5 limitedGuest).
pub(crate) const ROLES: &[&str] = &[
    "projectadmin",
    "developer",
    "guest",
    "maintainer",
    "limitedguest",
];

pub(crate) fn role_id(name: &str) -> Option<i64> {
    ROLES
        .iter()
        .position(|r| *r == name)
        .and_then(|i| i64::try_from(i + 1).ok())
}

/// The role's name; a role id Harbor does not define becomes `role-<id>`, which no
/// configuration can hold, so the plan puts the configured role back.
pub(crate) fn role_name(id: i64) -> String {
    usize::try_from(id - 1)
        .ok()
        .and_then(|i| ROLES.get(i))
        .map_or_else(|| format!("role-{id}"), |r| (*r).to_string())
}

pub(crate) fn role_attribute() -> Attribute {
    Attribute::string("role")
        .required()
        .describe("The member's role: `projectadmin`, `maintainer`, `developer`, `guest` or `limitedguest`. Changed in place.")
        .validate(validators::one_of(ROLES))
}

pub(crate) fn project_id_attribute() -> Attribute {
    Attribute::string("project_id")
        .required()
        .requires_replace()
        .describe("The project: its `id` (`/projects/<n>`, as `harbor_project.<name>.id` gives it), its numeric id, or its name. Changing it replaces the member.")
        .validate(validators::not_empty())
}

/// The numeric id of the project `project_id` names; `None` when Harbor has no such project.
pub(crate) async fn resolve_project(
    h: &HarborContext,
    project: &str,
) -> Result<Option<i64>, Diagnostics> {
    match parse_import_id(project, "/projects/") {
        Ok(ImportRef::Id(id)) => Ok(Some(id)),
        Ok(ImportRef::Name(name)) => {
            let found = not_found_is_none(h.client.get_project(&ProjectRef::Name(name)).await)
                .map_err(|e| api_diag("Could not read project", project, &e))?;
            Ok(found.map(|p| p.project_id))
        }
        Err(why) => {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("project_id"),
                format!("Invalid project {project:?}"),
                format!("{why} Use `harbor_project.<name>.id`, a numeric id or a project name."),
            );
            Err(d)
        }
    }
}

/// `/projects/<id>/members/<member_id>`, goharbor's id and import form, as `(project, member)`.
pub(crate) fn parse_member_id(id: &str, type_name: &str) -> Result<(i64, i64), Diagnostics> {
    let parsed = id
        .trim()
        .strip_prefix("/projects/")
        .and_then(|rest| rest.split_once("/members/"))
        .and_then(|(p, m)| Some((p.parse().ok()?, m.parse().ok()?)));
    parsed.ok_or_else(|| {
        let mut d = Diagnostics::new();
        d.error(
            format!("Invalid import id for {type_name}"),
            format!("{id:?}: use `/projects/<project id>/members/<member id>` (the member id is in `GET /projects/<id>/members`)."),
        );
        d
    })
}

pub(crate) fn member_diag(what: &str, name: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = api_diag(what, name, e);
    if e.is_forbidden() || e.is_unauthorized() {
        d.error(
            "Managing members needs the projectAdmin role",
            "Configure the provider with an admin account, or with a user who is projectAdmin of the project.",
        );
    }
    d
}

/// `(project, member)` ids of a state, from its `id`.
pub(crate) fn state_ids(id: &Known<Option<String>>) -> Option<(i64, i64)> {
    id.value().and_then(|id| parse_member_id(id, "").ok())
}

/// The identity of a membership, which both membership types declare.
pub(crate) fn member_identity() -> IdentityTemplate {
    IdentityTemplate::path("/projects/{project_id}/members/{member_id}")
        .describe("project_id", "The project's numeric id in Harbor.")
        .describe("member_id", "The membership's numeric id in Harbor.")
}

/// Removes the membership a state's `id` names; nothing when the state has none. `what` and
/// `label` make the message ("Could not remove member", the user's name).
pub(crate) async fn remove_member(
    h: &HarborContext,
    id: &Known<Option<String>>,
    what: &str,
    label: &str,
) -> Result<(), Diagnostics> {
    let Some((pid, mid)) = state_ids(id) else {
        return Ok(());
    };
    h.client
        .delete_project_member(pid, mid)
        .await
        .map_err(|e| member_diag(what, label, &e))
}

/// The membership an import id names, with its project's id. It must be of `entity_type`
/// (Harbor's `u` or `g`); one of the other type is refused, naming the type to import it as.
/// `noun` names it in messages ("member", "group member").
pub(crate) async fn import_member(
    h: &HarborContext,
    id: &str,
    type_name: &str,
    entity_type: &str,
    noun: &str,
) -> Result<(i64, ProjectMemberEntity), Diagnostics> {
    let (pid, mid) = parse_member_id(id, type_name)?;
    let found = not_found_is_none(h.client.get_project_member(pid, mid).await)
        .map_err(|e| member_diag(&format!("Could not read {noun}"), id, &e))?;
    match found {
        Some(m) if m.entity_type == entity_type => Ok((pid, m)),
        Some(_) => {
            let (is, other) = if entity_type == "u" {
                ("a group", "harbor_project_member_group")
            } else {
                ("a user", "harbor_project_member_user")
            };
            let mut d = Diagnostics::new();
            d.error(
                format!("Member {id} is {is}"),
                format!("Import it as `{other}`."),
            );
            Err(d)
        }
        None => Err(super::import_not_found("project member", id)),
    }
}
