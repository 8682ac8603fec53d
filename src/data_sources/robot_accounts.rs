//! `data "harbor_robot_accounts"`: robot accounts, system-level or of one project, filtered.

use async_trait::async_trait;

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::schema::def::validators;
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Nesting, Schema, Value};

pub struct RobotAccountsDataSource;

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
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config.str_attr("level") == Some("project") && config.get("project_id").is_null() {
            diags.attr_error(
                AttributePath::attr("project_id"),
                "Project robots need project_id",
                "Harbor lists project robot accounts one project at a time: set `project_id` (e.g. `data.harbor_project.x.project_id`), or use `level = \"system\"`.",
            );
        }
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let mut robots = match config.i64_attr("project_id") {
            Some(p) => h.client.list_project_robots(p).await,
            None => h.client.list_system_robots().await,
        }
        .map_err(|e| api_diag("Could not list robot accounts", "", &e))?;
        robots.sort_by_key(|r| r.id);
        let name = config.str_attr("name");
        let level = config.str_attr("level");
        let items = robots
            .iter()
            .filter(|r| {
                name.is_none_or(|n| r.name.contains(n)) && level.is_none_or(|l| r.level == l)
            })
            .map(|r| {
                Value::object([
                    ("id", Value::String(format!("/robots/{}", r.id))),
                    ("robot_id", Value::int(r.id)),
                    ("name", Value::from(r.name.as_str())),
                    ("description", Value::from(r.description.as_str())),
                    ("level", Value::from(r.level.as_str())),
                    ("disable", r.disable.into()),
                    ("duration", Value::int(r.duration.unwrap_or(-1))),
                    ("expires_at", Value::int(r.expires_at)),
                ])
            })
            .collect();
        let mut v = config.clone();
        v.set(
            "id",
            Value::String(format!(
                "robots?name={}&level={}&project_id={}",
                name.unwrap_or_default(),
                level.unwrap_or_default(),
                config
                    .i64_attr("project_id")
                    .map(|i| i.to_string())
                    .unwrap_or_default()
            )),
        );
        v.set("robot_accounts", Value::List(items));
        Ok(v)
    }
}
