//! `data "harbor_robot_accounts"`: robot accounts, system-level or of one project, filtered.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Nesting, Schema, Value};

pub struct RobotAccountsDataSource;

/// The query (its optional filters) and what it found.
#[derive(Debug, Serialize, Deserialize)]
pub struct RobotAccountsModel {
    pub id: Option<String>,
    pub name: Option<String>,
    pub level: Option<String>,
    pub project_id: Option<i64>,
    pub robot_accounts: Option<Vec<RobotAccountsItem>>,
}

/// One robot found.
#[derive(Debug, Serialize, Deserialize)]
pub struct RobotAccountsItem {
    pub id: String,
    pub robot_id: i64,
    pub name: String,
    pub description: String,
    pub level: String,
    pub disable: bool,
    pub duration: i64,
    pub expires_at: i64,
}

/// What `validate` looks at; the configuration may leave it unknown until apply.
#[derive(Debug, Serialize, Deserialize)]
struct LevelView {
    level: Known<Option<String>>,
    project_id: Known<Option<f64>>,
}

#[async_trait]
impl DataSource<HarborContext> for RobotAccountsDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_robot_accounts"
    }

    fn schema(&self) -> Schema {
        let robot = vec![
            Attribute::string("id")
                .computed()
                .describe("The robot's API path, `/robots/<robot_id>`: the `id` of `harbor_robot_account` and goharbor/harbor's value, usable as an import id."),
            Attribute::number("robot_id")
                .computed()
                .describe("Harbor's numeric robot id."),
            Attribute::string("name")
                .computed()
                .describe("The full name, with prefix (and project)."),
            Attribute::string("description")
                .computed()
                .describe("The description."),
            Attribute::string("level")
                .computed()
                .describe("`system` or `project`."),
            Attribute::bool("disable")
                .computed()
                .describe("Whether the robot is disabled."),
            Attribute::number("duration")
                .computed()
                .describe("Days of validity; -1 never expires."),
            Attribute::number("expires_at")
                .computed()
                .describe("Expiry in seconds since the epoch; -1 never."),
        ];
        Schema::new(
            0,
            Block::new("Lists robot accounts: system robots, or those of one project when `project_id` is set. Walks every page; no match gives an empty list.")
                .attr(Attribute::string("id").computed().describe("An identifier of this query (its filters), as goharbor/harbor sets one."))
                .attr(Attribute::string("name").optional().describe("Only robots whose full name contains this text."))
                .attr(Attribute::string("level").optional().describe("Only `system` or `project` robots.").validate(validators::one_of(&["system", "project"])))
                .attr(Attribute::number("project_id").optional().describe("List this project's robots instead of system robots."))
                .attr(Attribute::nested("robot_accounts", Nesting::List, robot).computed().describe("The matching robots, by id.")),
        )
    }

    /// Harbor lists project robots one project at a time (`Level=project` needs `ProjectID`),
    /// so project robots without a project would silently be an empty list.
    fn check_model(&self) -> Option<Result<(), ModelError>> {
        let ty = self.schema().ty();
        Some(
            model::check_model::<RobotAccountsModel>(&ty)
                .and_then(|()| model::check_view::<LevelView>(&ty)),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let Some(config) = model::read_view::<LevelView>(config, diags) else {
            return;
        };
        if config.level.value().map(String::as_str) == Some("project")
            && config.project_id.is_null()
        {
            diags.attr_error(
                AttributePath::attr("project_id"),
                "Project robots need project_id",
                "Harbor lists project robot accounts one project at a time: set `project_id` (e.g. `data.harbor_project.x.project_id`), or use `level = \"system\"`.",
            );
        }
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let query: RobotAccountsModel = model::from_value(config)?;
        let mut robots = match query.project_id {
            Some(p) => h.client.list_project_robots(p).await,
            None => h.client.list_system_robots().await,
        }
        .map_err(|e| api_diag("Could not list robot accounts", "", &e))?;
        robots.sort_by_key(|r| r.id);
        let name = query.name.as_deref();
        let level = query.level.as_deref();
        let items = robots
            .iter()
            .filter(|r| {
                name.is_none_or(|n| r.name.contains(n)) && level.is_none_or(|l| r.level == l)
            })
            .map(|r| RobotAccountsItem {
                id: format!("/robots/{}", r.id),
                robot_id: r.id,
                name: r.name.clone(),
                description: r.description.clone(),
                level: r.level.clone(),
                disable: r.disable,
                duration: r.duration.unwrap_or(-1),
                expires_at: r.expires_at,
            })
            .collect();
        let found = RobotAccountsModel {
            id: Some(format!(
                "robots?name={}&level={}&project_id={}",
                name.unwrap_or_default(),
                level.unwrap_or_default(),
                query.project_id.map(|i| i.to_string()).unwrap_or_default()
            )),
            robot_accounts: Some(items),
            name: query.name.clone(),
            level: query.level.clone(),
            project_id: query.project_id,
        };
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
