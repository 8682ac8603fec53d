//! List resources for `terraform query` (protocol 6.10, Terraform 1.14+): find every project,
//! robot, registry endpoint, replication policy or project member in a Harbor, with filters, so
//! a whole Harbor can be adopted without writing one import block by hand.
//!
//! Each list makes one paged list request (robots and members of a project: two, the project
//! lookup first) and yields each object's identity as its managed resource's `id` path, built
//! from that resource's identity template; the service reads the identity back from the path,
//! stops at Terraform's limit and, when Terraform asks for objects, imports the same path.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{ProjectListFilter, ProjectRef};
use crate::resources::{ImportRef, api_diag, not_found_is_none, parse_import_id};
use crate::schema::AttributePath;
use crate::schema::def::validators;
use crate::schema::identity::IdentityTemplate;
use crate::schema::model::{self, ModelError};
use crate::schema::resource::{ListResource, Listed, Resource};
use crate::schema::{Attribute, Block, Diagnostics, Schema, Value};

/// Every list resource the provider serves.
pub fn all() -> Vec<Arc<dyn ListResource<HarborContext>>> {
    vec![
        Arc::new(ProjectList),
        Arc::new(RobotList),
        Arc::new(NameList::Registries),
        Arc::new(NameList::ReplicationPolicies),
        Arc::new(MemberList::Users),
        Arc::new(MemberList::Groups),
    ]
}

fn config<T: serde::de::DeserializeOwned>(what: &str, v: &Value) -> Result<T, Diagnostics> {
    model::from_value(v).map_err(|e| {
        let mut d = Diagnostics::new();
        d.error(
            format!("Could not read the filters of list \"{what}\""),
            e.to_string(),
        );
        d
    })
}

/// Builds the results of one list from the identity template of the managed resource of the
/// same name, so a list can only yield paths that resource's identity and import accept.
struct Found {
    type_name: &'static str,
    template: IdentityTemplate,
    listed: Vec<Listed>,
}

impl Found {
    fn new(resource: &dyn Resource<HarborContext>) -> Found {
        let template = resource.identity().unwrap_or_else(|| {
            panic!(
                "{}: a listed type declares an identity",
                resource.type_name()
            )
        });
        Found {
            type_name: resource.type_name(),
            template,
            listed: Vec::new(),
        }
    }

    /// One object, by the values of its identity's attributes.
    fn push(
        &mut self,
        identity: &[(&str, Value)],
        display_name: String,
    ) -> Result<(), Diagnostics> {
        let identity = Value::object(identity.iter().cloned());
        let id = self.template.to_path(&identity).map_err(|why| {
            let mut d = Diagnostics::new();
            d.error(
                format!(
                    "Harbor listed a {} the provider cannot name",
                    self.type_name
                ),
                format!("{display_name}: {why} Report this as a provider bug."),
            );
            d
        })?;
        self.listed.push(Listed { id, display_name });
        Ok(())
    }
}

/// The filters of `list "harbor_project"`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ProjectListConfig {
    pub name: Option<String>,
    pub public: Option<bool>,
}

pub struct ProjectList;

#[async_trait]
impl ListResource<HarborContext> for ProjectList {
    fn type_name(&self) -> &'static str {
        "harbor_project"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new(
                "Finds projects; without filters, every project the provider's user can see.",
            )
            .attr(
                Attribute::string("name")
                    .optional()
                    .describe("Only projects whose name contains this text."),
            )
            .attr(
                Attribute::bool("public")
                    .optional()
                    .describe("Only public (`true`) or private (`false`) projects."),
            ),
        )
    }

    async fn list(
        &self,
        h: &HarborContext,
        config_value: &Value,
    ) -> Result<Vec<Listed>, Diagnostics> {
        let c: ProjectListConfig = config("harbor_project", config_value)?;
        let filter = ProjectListFilter {
            fuzzy_name: c.name,
            public: c.public,
            ..Default::default()
        };
        let projects = h
            .client
            .list_projects(&filter)
            .await
            .map_err(|e| api_diag("Could not list projects", "", &e))?;
        let mut found = Found::new(&crate::resources::project::ProjectResource);
        for p in projects {
            found.push(&[("project_id", Value::from(p.project_id))], p.name)?;
        }
        Ok(found.listed)
    }
}

/// The filters of `list "harbor_robot_account"`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RobotListConfig {
    pub project: Option<String>,
}

pub struct RobotList;

#[async_trait]
impl ListResource<HarborContext> for RobotList {
    fn type_name(&self) -> &'static str {
        "harbor_robot_account"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds robot accounts: the system robots, or with `project`, that project's robots.")
                .attr(Attribute::string("project").optional().describe("A project's name: list its project robots instead of the system robots.")),
        )
    }

    async fn list(
        &self,
        h: &HarborContext,
        config_value: &Value,
    ) -> Result<Vec<Listed>, Diagnostics> {
        let c: RobotListConfig = config("harbor_robot_account", config_value)?;
        let robots = match &c.project {
            Some(project) => {
                let p = h
                    .client
                    .get_project(&ProjectRef::Name(project.clone()))
                    .await
                    .map_err(|e| api_diag("Could not read project", project, &e))?;
                h.client.list_project_robots(p.project_id).await
            }
            None => h.client.list_system_robots().await,
        }
        .map_err(|e| api_diag("Could not list robot accounts", "", &e))?;
        let mut found = Found::new(&crate::resources::robot_account::RobotAccountResource);
        for r in robots {
            found.push(&[("robot_id", Value::from(r.id))], r.name)?;
        }
        Ok(found.listed)
    }
}

/// The filters of `list "harbor_registry"` and `list "harbor_replication"`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct NameListConfig {
    pub name: Option<String>,
}

/// The lists whose one filter is an exact name, which Harbor's list API takes as `q=name=...`.
pub enum NameList {
    Registries,
    ReplicationPolicies,
}

#[async_trait]
impl ListResource<HarborContext> for NameList {
    fn type_name(&self) -> &'static str {
        match self {
            NameList::Registries => "harbor_registry",
            NameList::ReplicationPolicies => "harbor_replication",
        }
    }

    fn schema(&self) -> Schema {
        let what = match self {
            NameList::Registries => "registry endpoints",
            NameList::ReplicationPolicies => "replication policies",
        };
        Schema::new(
            0,
            Block::new(format!("Finds {what}; without `name`, all of them.")).attr(
                Attribute::string("name")
                    .optional()
                    .describe("Only the one with exactly this name.")
                    .validate(validators::not_empty()),
            ),
        )
    }

    async fn list(
        &self,
        h: &HarborContext,
        config_value: &Value,
    ) -> Result<Vec<Listed>, Diagnostics> {
        let c: NameListConfig = config(self.type_name(), config_value)?;
        let name = c.name.as_deref();
        // (id, name) of each object; Harbor always sends the id, the models keep it optional.
        let (objects, mut found): (Vec<(Option<i64>, String)>, _) = match self {
            NameList::Registries => (
                h.client
                    .list_registries(name)
                    .await
                    .map_err(|e| api_diag("Could not list registries", "", &e))?
                    .into_iter()
                    .map(|r| (r.id, r.name))
                    .collect(),
                Found::new(&crate::resources::registry::RegistryResource),
            ),
            NameList::ReplicationPolicies => (
                h.client
                    .list_replication_policies(name)
                    .await
                    .map_err(|e| api_diag("Could not list replication policies", "", &e))?
                    .into_iter()
                    .map(|p| (p.id, p.name))
                    .collect(),
                Found::new(&crate::resources::replication::ReplicationResource),
            ),
        };
        let attribute = found.template.attributes()[0].name.clone();
        for (id, name) in objects {
            if let Some(id) = id {
                found.push(&[(attribute.as_str(), Value::from(id))], name)?;
            }
        }
        Ok(found.listed)
    }
}

/// The filters of `list "harbor_project_member_user"` and `list "harbor_project_member_group"`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct MemberListConfig {
    pub project: String,
    pub name: Option<String>,
}

/// A project's members of one entity type (Harbor's `u` or `g`): the list of the type's
/// managed resource, `harbor_project_member_user` or `harbor_project_member_group`.
pub enum MemberList {
    Users,
    Groups,
}

impl MemberList {
    fn entity_type(&self) -> &'static str {
        match self {
            MemberList::Users => "u",
            MemberList::Groups => "g",
        }
    }
}

#[async_trait]
impl ListResource<HarborContext> for MemberList {
    fn type_name(&self) -> &'static str {
        match self {
            MemberList::Users => "harbor_project_member_user",
            MemberList::Groups => "harbor_project_member_group",
        }
    }

    fn schema(&self) -> Schema {
        let (what, whose) = match self {
            MemberList::Users => ("user memberships", "user"),
            MemberList::Groups => ("group memberships", "group"),
        };
        Schema::new(
            0,
            Block::new(format!(
                "Finds the {what} of one project (the list of the other entity type finds the others)."
            ))
            .attr(
                Attribute::string("project")
                    .required()
                    .describe("The project: its name, its numeric id, or `/projects/<id>`.")
                    .validate(validators::not_empty()),
            )
            .attr(
                Attribute::string("name")
                    .optional()
                    .describe(format!(
                        "Only members whose {whose} name contains this text."
                    )),
            ),
        )
    }

    async fn list(
        &self,
        h: &HarborContext,
        config_value: &Value,
    ) -> Result<Vec<Listed>, Diagnostics> {
        let c: MemberListConfig = config(self.type_name(), config_value)?;
        let project = match parse_import_id(&c.project, "/projects/") {
            Ok(ImportRef::Id(id)) => ProjectRef::Id(id),
            Ok(ImportRef::Name(name)) => ProjectRef::Name(name),
            Err(why) => {
                let mut d = Diagnostics::new();
                d.attr_error(
                    AttributePath::attr("project"),
                    format!("Invalid project {:?}", c.project),
                    format!("{why} Use the project's name, its numeric id or `/projects/<id>`."),
                );
                return Err(d);
            }
        };
        let Some(p) = not_found_is_none(h.client.get_project(&project).await)
            .map_err(|e| api_diag("Could not read project", &c.project, &e))?
        else {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("project"),
                format!("Project {} not found", c.project),
                "Check the name or id: `harbor_project` lists every project.",
            );
            return Err(d);
        };
        let members = h
            .client
            .list_project_members(p.project_id)
            .await
            .map_err(|e| api_diag("Could not list the members of project", &p.name, &e))?;
        let mut found = match self {
            MemberList::Users => {
                Found::new(&crate::resources::project_member_user::ProjectMemberUserResource)
            }
            MemberList::Groups => {
                Found::new(&crate::resources::project_member_group::ProjectMemberGroupResource)
            }
        };
        for m in members.into_iter().filter(|m| {
            m.entity_type == self.entity_type()
                && c.name.as_deref().is_none_or(|n| m.entity_name.contains(n))
        }) {
            found.push(
                &[
                    ("project_id", Value::from(p.project_id)),
                    ("member_id", Value::from(m.id)),
                ],
                m.entity_name,
            )?;
        }
        Ok(found.listed)
    }
}

/// Each list's filter struct against its schema, as `tests/models.rs` does for resources.
pub fn check_models() -> Vec<(&'static str, Result<(), ModelError>)> {
    vec![
        (
            "harbor_project",
            model::check_model::<ProjectListConfig>(&ProjectList.schema().ty()),
        ),
        (
            "harbor_robot_account",
            model::check_model::<RobotListConfig>(&RobotList.schema().ty()),
        ),
        (
            "harbor_registry",
            model::check_model::<NameListConfig>(&NameList::Registries.schema().ty()),
        ),
        (
            "harbor_replication",
            model::check_model::<NameListConfig>(&NameList::ReplicationPolicies.schema().ty()),
        ),
        (
            "harbor_project_member_user",
            model::check_model::<MemberListConfig>(&MemberList::Users.schema().ty()),
        ),
        (
            "harbor_project_member_group",
            model::check_model::<MemberListConfig>(&MemberList::Groups.schema().ty()),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_models_agree_with_their_schemas() {
        for (name, r) in check_models() {
            assert!(r.is_ok(), "{name}: {:?}", r.err());
        }
    }

    #[test]
    fn schemas_follow_terraform_rules() {
        for l in all() {
            assert_eq!(
                l.schema().check_rules(),
                Vec::<String>::new(),
                "{}",
                l.type_name()
            );
        }
    }
}
