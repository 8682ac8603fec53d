//! `data "harbor_projects"`: every project matching the filters, walking every page.

use async_trait::async_trait;

use crate::context::HarborContext;
use crate::harbor::ProjectListFilter;
use crate::resources::api_diag;
use crate::schema::def::validators;
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Block, Diagnostics, Nesting, Schema, Value};

pub struct ProjectsDataSource;

#[async_trait]
impl DataSource<HarborContext> for ProjectsDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_projects"
    }

    fn schema(&self) -> Schema {
        let project = vec![
            Attribute::string("name")
                .computed()
                .describe("The project name."),
            Attribute::number("project_id")
                .computed()
                .describe("Harbor's numeric project id."),
            Attribute::bool("public")
                .computed()
                .describe("Whether the project is public."),
            Attribute::bool("vulnerability_scanning")
                .computed()
                .describe("Whether images are scanned on push."),
            Attribute::string("type")
                .computed()
                .describe("`Project` or `ProxyCache`."),
            Attribute::number("proxy_cache_registry_id")
                .computed()
                .describe("The upstream registry of a proxy-cache project; null otherwise."),
        ];
        Schema::new(
            0,
            Block::new("Lists Harbor projects, optionally filtered. A filter that matches nothing gives an empty list.")
                .attr(Attribute::string("id").computed().describe("An identifier of this query (its filters), as goharbor/harbor sets one."))
                .attr(Attribute::string("name").optional().describe("Only projects whose name contains this text."))
                .attr(Attribute::bool("public").optional().describe("Only public (`true`) or private (`false`) projects."))
                .attr(Attribute::string("type").optional().describe("Only `project` (regular) or `proxy_cache` projects. goharbor/harbor's spellings `Project` and `ProxyCache` work too.").validate(validators::one_of(&["project", "proxy_cache", "Project", "ProxyCache"])))
                .attr(Attribute::bool("vulnerability_scanning").optional().describe("Only projects that scan on push (`true`) or do not (`false`)."))
                .attr(Attribute::nested("projects", Nesting::List, project).computed().describe("The matching projects, by name.")),
        )
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let filter = ProjectListFilter {
            fuzzy_name: config.str_attr("name").map(str::to_string),
            public: config.bool_attr("public"),
            ..Default::default()
        };
        let mut projects = h
            .client
            .list_projects(&filter)
            .await
            .map_err(|e| api_diag("Could not list projects", "", &e))?;
        projects.sort_by(|a, b| a.name.cmp(&b.name));
        let want_type = config.str_attr("type");
        let want_scan = config.bool_attr("vulnerability_scanning");
        let items = projects
            .iter()
            .filter_map(|p| {
                let proxy = p.registry_id.is_some_and(|r| r > 0);
                let scan = p.metadata.auto_scan.as_deref() == Some("true");
                let public = p.metadata.public.as_deref() == Some("true");
                if want_type.is_some_and(|t| matches!(t, "proxy_cache" | "ProxyCache") != proxy)
                    || want_scan.is_some_and(|s| s != scan)
                {
                    return None;
                }
                Some(Value::object([
                    ("name", Value::from(p.name.as_str())),
                    ("project_id", Value::int(p.project_id)),
                    ("public", public.into()),
                    ("vulnerability_scanning", scan.into()),
                    (
                        "type",
                        Value::from(if proxy { "ProxyCache" } else { "Project" }),
                    ),
                    (
                        "proxy_cache_registry_id",
                        p.registry_id
                            .filter(|r| *r > 0)
                            .map(Value::int)
                            .unwrap_or(Value::Null),
                    ),
                ]))
            })
            .collect();
        let mut v = config.clone();
        let text = |n: &str| config.str_attr(n).unwrap_or_default().to_string();
        let flag = |n: &str| {
            config
                .bool_attr(n)
                .map(|b| b.to_string())
                .unwrap_or_default()
        };
        v.set(
            "id",
            Value::String(format!(
                "projects?name={}&public={}&type={}&vulnerability_scanning={}",
                text("name"),
                flag("public"),
                text("type"),
                flag("vulnerability_scanning")
            )),
        );
        v.set("projects", Value::List(items));
        Ok(v)
    }
}
