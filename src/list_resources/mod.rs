//! List resources for `terraform query` (protocol 6.10, Terraform 1.14+): find every project,
//! robot, registry endpoint or replication policy in a Harbor, with filters, so a whole Harbor
//! can be adopted without writing one import block by hand.
//!
//! Each list makes one paged list request (robots of a project: two, the project lookup first)
//! and yields the object's `id` path; the service turns that path into the identity, and, when
//! Terraform asks for objects, into the state an import of the same path gives.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{ProjectListFilter, ProjectRef};
use crate::resources::api_diag;
use crate::schema::def::validators;
use crate::schema::model::{self, ModelError};
use crate::schema::resource::{ListResource, Listed};
use crate::schema::{Attribute, Block, Diagnostics, Schema, Value};

/// Every list resource the provider serves.
pub fn all() -> Vec<Arc<dyn ListResource<HarborContext>>> {
    vec![
        Arc::new(ProjectList),
        Arc::new(RobotList),
        Arc::new(RegistryList),
        Arc::new(ReplicationList),
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
        limit: usize,
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
        Ok(projects
            .into_iter()
            .take(limit)
            .map(|p| Listed {
                id: format!("/projects/{}", p.project_id),
                display_name: p.name,
            })
            .collect())
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
        limit: usize,
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
        Ok(robots
            .into_iter()
            .take(limit)
            .map(|r| Listed {
                id: format!("/robots/{}", r.id),
                display_name: r.name,
            })
            .collect())
    }
}

/// The filters of `list "harbor_registry"` and `list "harbor_replication"`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct NameListConfig {
    pub name: Option<String>,
}

fn name_schema(what: &str) -> Schema {
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

pub struct RegistryList;

#[async_trait]
impl ListResource<HarborContext> for RegistryList {
    fn type_name(&self) -> &'static str {
        "harbor_registry"
    }

    fn schema(&self) -> Schema {
        name_schema("registry endpoints")
    }

    async fn list(
        &self,
        h: &HarborContext,
        config_value: &Value,
        limit: usize,
    ) -> Result<Vec<Listed>, Diagnostics> {
        let c: NameListConfig = config("harbor_registry", config_value)?;
        let registries = h
            .client
            .list_registries(c.name.as_deref())
            .await
            .map_err(|e| api_diag("Could not list registries", "", &e))?;
        Ok(registries
            .into_iter()
            .filter_map(|r| {
                Some(Listed {
                    id: format!("/registries/{}", r.id?),
                    display_name: r.name,
                })
            })
            .take(limit)
            .collect())
    }
}

pub struct ReplicationList;

#[async_trait]
impl ListResource<HarborContext> for ReplicationList {
    fn type_name(&self) -> &'static str {
        "harbor_replication"
    }

    fn schema(&self) -> Schema {
        name_schema("replication policies")
    }

    async fn list(
        &self,
        h: &HarborContext,
        config_value: &Value,
        limit: usize,
    ) -> Result<Vec<Listed>, Diagnostics> {
        let c: NameListConfig = config("harbor_replication", config_value)?;
        let policies = h
            .client
            .list_replication_policies(c.name.as_deref())
            .await
            .map_err(|e| api_diag("Could not list replication policies", "", &e))?;
        Ok(policies
            .into_iter()
            .filter_map(|p| {
                Some(Listed {
                    id: format!("/replication/policies/{}", p.id?),
                    display_name: p.name,
                })
            })
            .take(limit)
            .collect())
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
            model::check_model::<NameListConfig>(&RegistryList.schema().ty()),
        ),
        (
            "harbor_replication",
            model::check_model::<NameListConfig>(&ReplicationList.schema().ty()),
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
