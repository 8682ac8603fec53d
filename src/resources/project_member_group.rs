//! `harbor_project_member_group`: a user group's role in a project. goharbor/harbor's HCL,
//! import ids (`/projects/<id>/members/<member_id>`) and state work unchanged; the role changes
//! in place. The group is named by `group_id`, or by `group_name` and `type` (or an LDAP DN), as
//! Harbor's member API accepts.
//!
//! Requests: read = `GET /projects/{id}/members/{mid}`; create = `GET /projects/{name}` when the
//! project is given by name, then `POST /projects/{id}/members`; update =
//! `PUT /projects/{id}/members/{mid}`; delete = `DELETE /projects/{id}/members/{mid}`; import
//! also `GET /usergroups/{id}` for the group's type (admins only; left null otherwise).

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{MemberGroup, ProjectMember, ProjectMemberEntity};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::not_found_is_none;
use super::shared_members::{
    import_member, member_diag, member_identity, project_id_attribute, remove_member,
    resolve_project, role_attribute, role_id, role_name, state_ids,
};

/// goharbor's group type names and Harbor's numbers (`src/common/const.go`).
pub(crate) const GROUP_TYPES: &[&str] = &["ldap", "internal", "oidc"];

pub(crate) fn group_type_id(name: &str) -> Option<i64> {
    GROUP_TYPES
        .iter()
        .position(|t| *t == name)
        .and_then(|i| i64::try_from(i + 1).ok())
}

pub(crate) fn group_type_name(id: i64) -> Option<String> {
    usize::try_from(id - 1)
        .ok()
        .and_then(|i| GROUP_TYPES.get(i))
        .map(|t| (*t).to_string())
}

pub struct ProjectMemberGroupResource;

/// The resource's state and plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectMemberGroupModel {
    pub id: Known<Option<String>>,
    pub project_id: String,
    pub group_name: Known<Option<String>>,
    pub group_id: Known<Option<i64>>,
    pub ldap_group_dn: Option<String>,
    pub member_id: Known<Option<i64>>,
    pub role: String,
    #[serde(rename = "type")]
    pub group_type: String,
}

impl ProjectMemberGroupModel {
    /// From Harbor's answer; what the member API does not return (type, DN) comes from `prior`.
    fn from_harbor(m: &ProjectMemberEntity, prior: &ProjectMemberGroupModel) -> Self {
        ProjectMemberGroupModel {
            id: Some(format!("/projects/{}/members/{}", m.project_id, m.id)).into(),
            project_id: prior.project_id.clone(),
            group_name: Some(m.entity_name.clone()).into(),
            group_id: Some(m.entity_id).into(),
            ldap_group_dn: prior.ldap_group_dn.clone(),
            member_id: Some(m.id).into(),
            role: role_name(m.role_id),
            group_type: prior.group_type.clone(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ProjectMemberGroupResource::schema().ty())
    }
}

impl ProjectMemberGroupResource {
    pub fn schema() -> Schema {
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "A user group's membership of a project, with one of Harbor's five roles. The role changes in place; \
                 the project and group replace the membership. Name the group by `group_id` (e.g. \
                 `harbor_group.<name>.group_id`), or by `group_name` with `type`, or by `ldap_group_dn`.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The member's API path, `/projects/<project id>/members/<member id>`."))
            .attr(project_id_attribute())
            .attr(
                Attribute::string("group_name")
                    .optional_computed()
                    .requires_replace()
                    .use_state_for_unknown()
                    .describe("The group's name. Read from Harbor when the group is given by id. Changing it replaces the membership."),
            )
            .attr(
                Attribute::number("group_id")
                    .optional_computed()
                    .requires_replace()
                    .use_state_for_unknown()
                    .describe("Harbor's id of the group. Read from Harbor when the group is given by name. Changing it replaces the membership."),
            )
            .attr(Attribute::string("ldap_group_dn").optional().describe("The LDAP DN of the group (type `ldap`), by which Harbor finds or onboards it."))
            .attr(Attribute::number("member_id").computed().use_state_for_unknown().describe("Harbor's id of the membership."))
            .attr(role_attribute())
            .attr(
                Attribute::string("type")
                    .required()
                    .describe("The group type: `ldap`, `internal` (HTTP) or `oidc`.")
                    .validate(validators::one_of(GROUP_TYPES)),
            ),
        )
    }
}

#[async_trait]
impl Resource<HarborContext> for ProjectMemberGroupResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(member_identity())
    }

    fn type_name(&self) -> &'static str {
        "harbor_project_member_group"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ProjectMemberGroupModel>(
            &Self::schema().ty(),
        ))
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let null = |k: &str| config.get(k).is_null();
        if null("group_name") && null("group_id") && null("ldap_group_dn") {
            diags.attr_error(
                AttributePath::attr("group_name"),
                "The group is not named",
                "Set `group_id` (e.g. `harbor_group.<name>.group_id`), or `group_name` with `type`, or `ldap_group_dn`.",
            );
        }
    }

    /// goharbor/harbor's state (version 0): its `0` group id and `""` DN are unset.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(&mut raw, &["ldap_group_dn", "group_id"], &[]);
        }
        Ok(raw)
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: ProjectMemberGroupModel = model::from_value(state)?;
        let label = state.group_name.value().cloned().unwrap_or_default();
        let found = match state_ids(&state.id) {
            Some((pid, mid)) => not_found_is_none(h.client.get_project_member(pid, mid).await)
                .map_err(|e| member_diag("Could not read group member", &label, &e))?,
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
                    .find(|m| {
                        m.entity_type == "g"
                            && (state.group_id.value() == Some(&m.entity_id)
                                || state.group_name.value() == Some(&m.entity_name))
                    }),
                None => None,
            },
        };
        Ok(match found.filter(|m| m.entity_type == "g") {
            Some(m) => Some(ProjectMemberGroupModel::from_harbor(&m, &state).to_value()?),
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned_model: ProjectMemberGroupModel = model::from_value(planned)?;
        let Some(pid) = resolve_project(h, &planned_model.project_id).await? else {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("project_id"),
                format!("Project {} not found", planned_model.project_id),
                "Create the project first (reference `harbor_project.<name>.id` so Terraform orders them).",
            );
            return Err(d.into());
        };
        let name = planned_model.group_name.value().cloned();
        let label = name
            .clone()
            .or_else(|| planned_model.group_id.value().map(|i| format!("#{i}")))
            .or_else(|| planned_model.ldap_group_dn.clone())
            .unwrap_or_default();
        let req = ProjectMember {
            role_id: role_id(&planned_model.role).unwrap_or_default(),
            member_user: None,
            member_group: Some(MemberGroup {
                id: planned_model.group_id.value().copied(),
                group_name: name.clone(),
                group_type: group_type_id(&planned_model.group_type),
                ldap_group_dn: planned_model.ldap_group_dn.clone(),
            }),
        };
        let created = h
            .client
            .create_project_member(pid, &req, name.as_deref().unwrap_or(""), "g")
            .await;
        let mid = match created {
            Ok(mid) => mid,
            Err(e) if e.is_unsettled() && name.is_some() => {
                return Err(super::unsettled_create(
                    member_diag("Could not add group member", &label, &e),
                    "membership",
                    planned,
                ));
            }
            Err(e) => {
                let mut d = member_diag("Could not add group member", &label, &e);
                if e.is_not_found() || e.status() == Some(400) {
                    d.attr_error(AttributePath::attr("group_name"), format!("Harbor did not find group {label}"), "Create the group first (`harbor_group`, then reference its `group_id`), or check the name and `type`.");
                } else if e.is_conflict() {
                    d.attr_error(AttributePath::attr("group_name"), format!("Group {label} is already a member of project {}", planned_model.project_id), "Import the membership with `terraform import <address> /projects/<id>/members/<member id>`.");
                }
                return Err(d.into());
            }
        };
        // The answer carries the group's id and name, whichever the configuration gave.
        let m = h
            .client
            .get_project_member(pid, mid)
            .await
            .map_err(|e| member_diag("Could not read group member", &label, &e))?;
        Ok(ProjectMemberGroupModel::from_harbor(&m, &planned_model).to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: ProjectMemberGroupModel = model::from_value(prior)?;
        let planned: ProjectMemberGroupModel = model::from_value(planned)?;
        let (pid, mid) = state_ids(&prior.id).unwrap_or_default();
        let label = prior.group_name.value().cloned().unwrap_or_default();
        if planned.role != prior.role {
            h.client
                .update_project_member_role(pid, mid, role_id(&planned.role).unwrap_or_default())
                .await
                .map_err(|e| {
                    member_diag("Could not change the role of group member", &label, &e)
                })?;
        }
        let state = ProjectMemberGroupModel {
            id: prior.id,
            member_id: prior.member_id,
            group_name: prior.group_name,
            group_id: prior.group_id,
            ..planned
        };
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ProjectMemberGroupModel = model::from_value(prior)?;
        let label = prior.group_name.value().cloned().unwrap_or_default();
        remove_member(h, &prior.id, "Could not remove group member", &label).await
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let (pid, m) = import_member(h, id, self.type_name(), "g", "group member").await?;
        // The member API does not say the group's type; the group does (admins may read it).
        let group = h
            .client
            .get_usergroup(m.entity_id)
            .await
            .map_err(|e| member_diag("Could not read the group of member", id, &e))?;
        let dn = (!group.ldap_group_dn.is_empty() && group.group_type == 1)
            .then(|| group.ldap_group_dn.clone());
        let prior = ProjectMemberGroupModel {
            id: Known::Unknown,
            project_id: format!("/projects/{pid}"),
            group_name: Known::Unknown,
            group_id: Known::Unknown,
            ldap_group_dn: dn,
            member_id: Known::Unknown,
            role: String::new(),
            group_type: group_type_name(group.group_type).unwrap_or_default(),
        };
        Ok(ProjectMemberGroupModel::from_harbor(&m, &prior).to_value()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ProjectMemberGroupResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn group_types_follow_harbor_numbers() {
        assert_eq!(group_type_id("ldap"), Some(1));
        assert_eq!(group_type_id("internal"), Some(2));
        assert_eq!(group_type_id("oidc"), Some(3));
        assert_eq!(group_type_name(3).as_deref(), Some("oidc"));
        assert_eq!(group_type_name(7), None);
    }
}
