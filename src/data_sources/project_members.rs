//! `data "harbor_project_member_users"` and `data "harbor_project_member_groups"`: a project's
//! user or group members with their roles, with goharbor/harbor's attribute names.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::shared_members::{member_diag, resolve_project, role_name};
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Block, Diagnostics, Nesting, Schema, Value};

pub struct ProjectMemberUsersDataSource;
pub struct ProjectMemberGroupsDataSource;

#[derive(Debug, Serialize, Deserialize)]
pub struct MemberUserItem {
    pub id: String,
    pub project_id: String,
    pub user_name: String,
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct MemberGroupItem {
    pub id: String,
    pub project_id: String,
    pub group_name: String,
    pub role: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ProjectMemberUsersModel {
    pub id: Known<Option<String>>,
    pub project_id: String,
    pub project_member_users: Known<Option<Vec<MemberUserItem>>>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ProjectMemberGroupsModel {
    pub id: Known<Option<String>>,
    pub project_id: String,
    pub project_member_groups: Known<Option<Vec<MemberGroupItem>>>,
}

fn schema(kind: &str, list: &str, name_attr: &str) -> Schema {
    let item = vec![
        Attribute::string("id").computed().describe(
            "The member's API path, `/projects/<id>/members/<member id>`, usable as an import id.",
        ),
        Attribute::string("project_id")
            .computed()
            .describe("The project, as `/projects/<id>`."),
        Attribute::string(name_attr)
            .computed()
            .describe(format!("The {kind}'s name.")),
        Attribute::string("role")
            .computed()
            .describe("`projectadmin`, `maintainer`, `developer`, `guest` or `limitedguest`."),
    ];
    Schema::new(
        0,
        Block::new(format!(
            "Lists the {kind} members of a project with their roles, every page, ordered by name."
        ))
        .attr(
            Attribute::string("id")
                .computed()
                .describe("An identifier of this query, as goharbor/harbor sets one."),
        )
        .attr(Attribute::string("project_id").required().describe(
            "The project: `/projects/<id>` (`harbor_project.<name>.id`), a numeric id, or a name.",
        ))
        .attr(
            Attribute::nested(list, Nesting::List, item)
                .computed()
                .describe(format!("The project's {kind} members.")),
        ),
    )
}

/// The project's members of one entity type (`u` or `g`), with the project's numeric id.
async fn members(
    h: &HarborContext,
    project: &str,
    entity_type: &str,
) -> Result<(i64, Vec<crate::harbor::ProjectMemberEntity>), Diagnostics> {
    let Some(pid) = resolve_project(h, project).await? else {
        return Err(super::not_found("project", project));
    };
    let all = h
        .client
        .list_project_members(pid)
        .await
        .map_err(|e| member_diag("Could not list the members of project", project, &e))?;
    Ok((
        pid,
        all.into_iter()
            .filter(|m| m.entity_type == entity_type)
            .collect(),
    ))
}

#[async_trait]
impl DataSource<HarborContext> for ProjectMemberUsersDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_project_member_users"
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ProjectMemberUsersModel>(
            &self.schema().ty(),
        ))
    }

    fn schema(&self) -> Schema {
        schema("user", "project_member_users", "user_name")
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let config: ProjectMemberUsersModel = model::from_value(config)?;
        let (pid, found) = members(h, &config.project_id, "u").await?;
        let out = ProjectMemberUsersModel {
            id: Some("harbor-project-member-users".to_string()).into(),
            project_member_users: Some(
                found
                    .into_iter()
                    .map(|m| MemberUserItem {
                        id: format!("/projects/{pid}/members/{}", m.id),
                        project_id: format!("/projects/{pid}"),
                        user_name: m.entity_name,
                        role: role_name(m.role_id),
                    })
                    .collect(),
            )
            .into(),
            ..config
        };
        Ok(model::to_value(&out, &self.schema().ty())?)
    }
}

#[async_trait]
impl DataSource<HarborContext> for ProjectMemberGroupsDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_project_member_groups"
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ProjectMemberGroupsModel>(
            &self.schema().ty(),
        ))
    }

    fn schema(&self) -> Schema {
        schema("group", "project_member_groups", "group_name")
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let config: ProjectMemberGroupsModel = model::from_value(config)?;
        let (pid, found) = members(h, &config.project_id, "g").await?;
        let out = ProjectMemberGroupsModel {
            id: Some("harbor-project-member-groups".to_string()).into(),
            project_member_groups: Some(
                found
                    .into_iter()
                    .map(|m| MemberGroupItem {
                        id: format!("/projects/{pid}/members/{}", m.id),
                        project_id: format!("/projects/{pid}"),
                        group_name: m.entity_name,
                        role: role_name(m.role_id),
                    })
                    .collect(),
            )
            .into(),
            ..config
        };
        Ok(model::to_value(&out, &self.schema().ty())?)
    }
}
