//! `harbor_project_members`: the authoritative member list of a project (goharbor has no such
//! type). Members added by hand are removed on the next apply; roles are put back.
//!
//! Do not combine it with `harbor_project_member_user` or `harbor_project_member_group` for the
//! same project: each would undo the other. A provider sees one resource at a time, so this cannot
//! be refused at plan time; the documentation says so.
//!
//! Requests: read = `GET /projects/{id}/members` (and `GET /usergroups/{id}` for the type of a
//! group the state does not know yet); create and update = the same list, then
//! `POST`/`PUT`/`DELETE /projects/{id}/members[/{mid}]` for the differences; delete =
//! `DELETE /projects/{id}/members/{mid}` for each member in state.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{MemberGroup, MemberUser, ProjectMember, ProjectMemberEntity};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Nesting, Schema, Value};

use super::project_member_group::{GROUP_TYPES, group_type_id, group_type_name};
use super::shared_members::{
    ROLES, member_diag, project_id_attribute, resolve_project, role_id, role_name,
};

pub struct ProjectMembersResource;

/// One member: a user (`user_name`) or a group (`group_name` and `type`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MemberEntry {
    pub user_name: Option<String>,
    pub group_name: Option<String>,
    #[serde(rename = "type")]
    pub group_type: Option<String>,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectMembersModel {
    pub id: Known<Option<String>>,
    pub project_id: String,
    pub member: Vec<MemberEntry>,
}

impl ProjectMembersModel {
    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ProjectMembersResource::schema().ty())
    }
}

/// The entity a member stands for: `("u", name)` or `("g", name)`.
fn key(m: &MemberEntry) -> (&'static str, String) {
    match (&m.user_name, &m.group_name) {
        (Some(u), _) => ("u", u.clone()),
        (None, Some(g)) => ("g", g.clone()),
        (None, None) => ("u", String::new()),
    }
}

impl ProjectMembersResource {
    pub fn schema() -> Schema {
        let member = Block::new("One member: set `user_name`, or `group_name` with `type`.")
            .attr(
                Attribute::string("user_name")
                    .optional()
                    .describe("A user's username."),
            )
            .attr(
                Attribute::string("group_name")
                    .optional()
                    .describe("A user group's name."),
            )
            .attr(
                Attribute::string("type")
                    .optional()
                    .describe("The group's type: `ldap`, `internal` (HTTP) or `oidc`. Groups only.")
                    .validate(validators::one_of(GROUP_TYPES)),
            )
            .attr(
                Attribute::string("role")
                    .required()
                    .describe(
                        "`projectadmin`, `maintainer`, `developer`, `guest` or `limitedguest`.",
                    )
                    .validate(validators::one_of(ROLES)),
            );
        Schema::new(
            0,
            Block::new(
                "The complete member list of a project: members not listed here, including ones added by hand in \
                 Harbor's UI, are removed on apply, and roles changed outside Terraform are put back. The project's \
                 creator (usually `admin`) is a member too: list it, or it is removed. Do not also manage the same \
                 project's members with `harbor_project_member_user` or `harbor_project_member_group`: the provider \
                 sees one resource at a time and cannot refuse the combination, and the two would undo each other. \
                 Destroying the resource removes the listed members.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("`/projects/<id>/members`."))
            .attr(project_id_attribute())
            .block("member", Nesting::Set, member),
        )
    }

    /// Harbor's members as entries; a group's type comes from `prior`, else from its group.
    async fn current(
        h: &HarborContext,
        pid: i64,
        prior: &[MemberEntry],
    ) -> Result<(Vec<ProjectMemberEntity>, Vec<MemberEntry>), Diagnostics> {
        let found = h.client.list_project_members(pid).await.map_err(|e| {
            member_diag(
                "Could not list the members of project",
                &pid.to_string(),
                &e,
            )
        })?;
        let mut entries = Vec::new();
        for m in &found {
            let entry = if m.entity_type == "u" {
                MemberEntry {
                    user_name: Some(m.entity_name.clone()),
                    group_name: None,
                    group_type: None,
                    role: role_name(m.role_id),
                }
            } else {
                let known = prior
                    .iter()
                    .find(|p| p.group_name.as_deref() == Some(m.entity_name.as_str()))
                    .and_then(|p| p.group_type.clone());
                let group_type = match known {
                    Some(t) => Some(t),
                    None => h
                        .client
                        .get_usergroup(m.entity_id)
                        .await
                        .ok()
                        .and_then(|g| group_type_name(g.group_type)),
                };
                MemberEntry {
                    user_name: None,
                    group_name: Some(m.entity_name.clone()),
                    group_type,
                    role: role_name(m.role_id),
                }
            };
            entries.push(entry);
        }
        Ok((found, entries))
    }

    /// Makes Harbor's list equal `want`: adds, re-roles and removes.
    async fn reconcile(
        h: &HarborContext,
        pid: i64,
        project: &str,
        want: &[MemberEntry],
    ) -> Result<(), Diagnostics> {
        let found = h
            .client
            .list_project_members(pid)
            .await
            .map_err(|e| member_diag("Could not list the members of project", project, &e))?;
        for m in &found {
            let listed = want.iter().any(|w| {
                key(w)
                    == (
                        if m.entity_type == "u" { "u" } else { "g" },
                        m.entity_name.clone(),
                    )
            });
            if !listed {
                h.client
                    .delete_project_member(pid, m.id)
                    .await
                    .map_err(|e| member_diag("Could not remove member", &m.entity_name, &e))?;
            }
        }
        for w in want {
            let (kind, name) = key(w);
            let role = role_id(&w.role).unwrap_or_default();
            match found
                .iter()
                .find(|m| m.entity_type == kind && m.entity_name == name)
            {
                Some(m) if m.role_id == role => {}
                Some(m) => h
                    .client
                    .update_project_member_role(pid, m.id, role)
                    .await
                    .map_err(|e| member_diag("Could not change the role of member", &name, &e))?,
                None => {
                    let req = if kind == "u" {
                        ProjectMember {
                            role_id: role,
                            member_user: Some(MemberUser {
                                user_id: None,
                                username: Some(name.clone()),
                            }),
                            member_group: None,
                        }
                    } else {
                        ProjectMember {
                            role_id: role,
                            member_user: None,
                            member_group: Some(MemberGroup {
                                id: None,
                                group_name: Some(name.clone()),
                                group_type: w.group_type.as_deref().and_then(group_type_id),
                                ldap_group_dn: None,
                            }),
                        }
                    };
                    h.client
                        .create_project_member(pid, &req, &name, kind)
                        .await
                        .map_err(|e| {
                            let mut d = member_diag("Could not add member", &name, &e);
                            if e.is_not_found() {
                                d.attr_error(AttributePath::attr("member"), format!("Harbor has no user or group {name}"), "Create it first (`harbor_user`, `harbor_group`) and reference it, or check the spelling and the group's `type`.");
                            }
                            d
                        })?;
                }
            }
        }
        Ok(())
    }

    async fn apply(h: &HarborContext, planned: &Value) -> Result<Value, ApplyError> {
        let planned: ProjectMembersModel = model::from_value(planned)?;
        let Some(pid) = resolve_project(h, &planned.project_id).await? else {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("project_id"),
                format!("Project {} not found", planned.project_id),
                "Create the project first (reference `harbor_project.<name>.id`).",
            );
            return Err(d.into());
        };
        Self::reconcile(h, pid, &planned.project_id, &planned.member).await?;
        let state = ProjectMembersModel {
            id: Some(format!("/projects/{pid}/members")).into(),
            ..planned
        };
        Ok(state.to_value()?)
    }
}

#[async_trait]
impl Resource<HarborContext> for ProjectMembersResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/projects/{project_id}/members")
                .describe("project_id", "The project's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_project_members"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ProjectMembersModel>(
            &Self::schema().ty(),
        ))
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let members = config.get("member");
        if members.is_unknown() {
            return;
        }
        for (i, m) in members.elements().iter().enumerate() {
            let user = !m.get("user_name").is_null();
            let group = !m.get("group_name").is_null();
            let path = AttributePath::attr("member").join_index(i);
            if user == group {
                diags.attr_error(
                    path.join_attr("role"),
                    "A member is a user or a group",
                    "Set exactly one of `user_name` and `group_name` in each `member` block.",
                );
            } else if group && m.get("type").is_null() {
                diags.attr_error(
                    path.join_attr("group_name"),
                    "A group member needs type",
                    "Set `type` to `ldap`, `internal` or `oidc`: Harbor finds a group by name and type.",
                );
            }
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: ProjectMembersModel = model::from_value(state)?;
        let Some(pid) = resolve_project(h, &state.project_id).await? else {
            return Ok(None);
        };
        let (_, entries) = match Self::current(h, pid, &state.member).await {
            Ok(found) => found,
            Err(_)
                if h.client
                    .get_project(&crate::harbor::ProjectRef::Id(pid))
                    .await
                    .is_err_and(|e| e.is_not_found()) =>
            {
                return Ok(None);
            }
            Err(d) => return Err(d),
        };
        let found = ProjectMembersModel {
            id: Some(format!("/projects/{pid}/members")).into(),
            project_id: state.project_id,
            member: entries,
        };
        Ok(Some(found.to_value()?))
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        Self::apply(h, planned).await
    }

    async fn update(
        &self,
        h: &HarborContext,
        _prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        Self::apply(h, planned).await
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ProjectMembersModel = model::from_value(prior)?;
        let Some(pid) = resolve_project(h, &prior.project_id).await? else {
            return Ok(());
        };
        let found = match h.client.list_project_members(pid).await {
            Ok(found) => found,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => {
                return Err(member_diag(
                    "Could not list the members of project",
                    &prior.project_id,
                    &e,
                ));
            }
        };
        for m in found {
            let kind = if m.entity_type == "u" { "u" } else { "g" };
            if prior
                .member
                .iter()
                .any(|w| key(w) == (kind, m.entity_name.clone()))
            {
                h.client
                    .delete_project_member(pid, m.id)
                    .await
                    .map_err(|e| member_diag("Could not remove member", &m.entity_name, &e))?;
            }
        }
        Ok(())
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let project = id.trim().trim_end_matches("/members").to_string();
        let Some(pid) = resolve_project(h, &project).await? else {
            return Err(super::import_not_found("project", id));
        };
        let (_, entries) = Self::current(h, pid, &[]).await?;
        Ok(ProjectMembersModel {
            id: Some(format!("/projects/{pid}/members")).into(),
            project_id: format!("/projects/{pid}"),
            member: entries,
        }
        .to_value()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ProjectMembersResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }
}
