//! `harbor_project_member_user`: a user's role in a project. goharbor/harbor's HCL, import ids
//! (`/projects/<id>/members/<member_id>`) and state work unchanged; the role changes in place.
//! The helpers the member types share are in `shared_members`.
//!
//! Requests: read = `GET /projects/{id}/members/{mid}`; create = `GET /projects/{name}` when the
//! project is given by name, then `POST /projects/{id}/members`; update =
//! `PUT /projects/{id}/members/{mid}`; delete = `DELETE /projects/{id}/members/{mid}`.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{MemberUser, ProjectMember, ProjectMemberEntity};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::shared_members::{
    import_member, member_diag, member_identity, project_id_attribute, remove_member,
    resolve_project, role_attribute, role_id, role_name, state_ids,
};
use super::{not_found_is_none, unsettled_create};

pub struct ProjectMemberUserResource;

/// The resource's state and plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectMemberUserModel {
    pub id: Known<Option<String>>,
    pub project_id: String,
    pub user_name: String,
    pub member_id: Known<Option<i64>>,
    pub role: String,
}

impl ProjectMemberUserModel {
    fn from_harbor(m: &ProjectMemberEntity, project_id: &str) -> Self {
        ProjectMemberUserModel {
            id: Some(format!("/projects/{}/members/{}", m.project_id, m.id)).into(),
            project_id: project_id.to_string(),
            user_name: m.entity_name.clone(),
            member_id: Some(m.id).into(),
            role: role_name(m.role_id),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ProjectMemberUserResource::schema().ty())
    }
}

impl ProjectMemberUserResource {
    pub fn schema() -> Schema {
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "A user's membership of a project, with one of Harbor's five roles. The role changes in place; the \
                 project and user replace the membership. The user must exist in Harbor (in LDAP mode, Harbor onboards \
                 an LDAP user on first use).",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The member's API path, `/projects/<project id>/members/<member id>`."))
            .attr(project_id_attribute())
            .attr(
                Attribute::string("user_name")
                    .required()
                    .requires_replace()
                    .describe("The username. Changing it replaces the membership.")
                    .validate(validators::not_empty()),
            )
            .attr(Attribute::number("member_id").computed().use_state_for_unknown().describe("Harbor's id of the membership."))
            .attr(role_attribute()),
        )
    }
}

#[async_trait]
impl Resource<HarborContext> for ProjectMemberUserResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(member_identity())
    }

    fn type_name(&self) -> &'static str {
        "harbor_project_member_user"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ProjectMemberUserModel>(
            &Self::schema().ty(),
        ))
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: ProjectMemberUserModel = model::from_value(state)?;
        let found = match state_ids(&state.id) {
            Some((pid, mid)) => not_found_is_none(h.client.get_project_member(pid, mid).await)
                .map_err(|e| member_diag("Could not read member", &state.user_name, &e))?,
            // A create whose answer was lost: find the membership by user name.
            None => match resolve_project(h, &state.project_id).await? {
                Some(pid) => h
                    .client
                    .list_project_members(pid)
                    .await
                    .map_err(|e| {
                        member_diag(
                            "Could not list the members of project",
                            &state.project_id,
                            &e,
                        )
                    })?
                    .into_iter()
                    .find(|m| m.entity_type == "u" && m.entity_name == state.user_name),
                None => None,
            },
        };
        // Harbor answers a member of another project with 404 too; an `entity_type` check
        // guards against a group that took a deleted member's id.
        Ok(match found.filter(|m| m.entity_type == "u") {
            Some(m) => Some(ProjectMemberUserModel::from_harbor(&m, &state.project_id).to_value()?),
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned_model: ProjectMemberUserModel = model::from_value(planned)?;
        let user = planned_model.user_name.clone();
        let Some(pid) = resolve_project(h, &planned_model.project_id).await? else {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("project_id"),
                format!("Project {} not found", planned_model.project_id),
                "Create the project first (reference `harbor_project.<name>.id` so Terraform orders them).",
            );
            return Err(d.into());
        };
        let req = ProjectMember {
            role_id: role_id(&planned_model.role).unwrap_or_default(),
            member_user: Some(MemberUser {
                user_id: None,
                username: Some(user.clone()),
            }),
            member_group: None,
        };
        let mid = match h.client.create_project_member(pid, &req, &user, "u").await {
            Ok(mid) => mid,
            Err(e) if e.is_unsettled() => {
                return Err(unsettled_create(
                    member_diag("Could not add member", &user, &e),
                    "membership",
                    planned,
                ));
            }
            Err(e) => {
                let mut d = member_diag("Could not add member", &user, &e);
                if e.is_not_found() {
                    d.attr_error(AttributePath::attr("user_name"), format!("Harbor has no user {user}"), "Create the user first (for example with `harbor_user`, referencing its `username`), or check the spelling.");
                } else if e.is_conflict() {
                    d.attr_error(AttributePath::attr("user_name"), format!("User {user} is already a member of project {}", planned_model.project_id), "Import the membership with `terraform import <address> /projects/<id>/members/<member id>` instead of adding it again.");
                }
                return Err(d.into());
            }
        };
        let state = ProjectMemberUserModel {
            id: Some(format!("/projects/{pid}/members/{mid}")).into(),
            member_id: Some(mid).into(),
            ..planned_model
        };
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: ProjectMemberUserModel = model::from_value(prior)?;
        let planned: ProjectMemberUserModel = model::from_value(planned)?;
        let (pid, mid) = state_ids(&prior.id).unwrap_or_default();
        h.client
            .update_project_member_role(pid, mid, role_id(&planned.role).unwrap_or_default())
            .await
            .map_err(|e| {
                member_diag(
                    "Could not change the role of member",
                    &planned.user_name,
                    &e,
                )
            })?;
        let state = ProjectMemberUserModel {
            id: prior.id,
            member_id: prior.member_id,
            ..planned
        };
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ProjectMemberUserModel = model::from_value(prior)?;
        remove_member(h, &prior.id, "Could not remove member", &prior.user_name).await
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let (pid, m) = import_member(h, id, self.type_name(), "u", "member").await?;
        Ok(ProjectMemberUserModel::from_harbor(&m, &format!("/projects/{pid}")).to_value()?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::shared_members::parse_member_id;
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ProjectMemberUserResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn roles_follow_harbor_ids() {
        assert_eq!(role_id("projectadmin"), Some(1));
        assert_eq!(role_id("maintainer"), Some(4));
        assert_eq!(role_id("limitedguest"), Some(5));
        assert_eq!(role_id("admin"), None);
        assert_eq!(role_name(2), "developer");
        assert_eq!(role_name(9), "role-9");
        assert_eq!(
            parse_member_id("/projects/3/members/17", "t").ok(),
            Some((3, 17))
        );
        assert!(parse_member_id("/projects/3", "t").is_err());
    }
}
