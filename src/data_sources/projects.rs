//! `data "harbor_projects"`: every project matching the filters, walking every page.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::ProjectListFilter;
use crate::resources::api_diag;
use crate::schema::def::validators;
use crate::schema::model::{self, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Block, Diagnostics, Nesting, Schema, Value};

pub struct ProjectsDataSource;

/// The query (its optional filters) and what it found.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProjectsModel {
    pub id: Option<String>,
    pub name: Option<String>,
    pub public: Option<bool>,
    #[serde(rename = "type")]
    pub project_type: Option<String>,
    pub vulnerability_scanning: Option<bool>,
    pub projects: Option<Vec<ProjectsItem>>,
}

/// One project found.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProjectsItem {
    pub name: String,
    pub project_id: i64,
    pub public: bool,
    pub vulnerability_scanning: bool,
    #[serde(rename = "type")]
    pub project_type: String,
    pub proxy_cache_registry_id: Option<i64>,
}

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

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ProjectsModel>(&self.schema().ty()))
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let query: ProjectsModel = model::from_value(config)?;
        let filter = ProjectListFilter {
            fuzzy_name: query.name.clone(),
            public: query.public,
            ..Default::default()
        };
        let mut projects = h
            .client
            .list_projects(&filter)
            .await
            .map_err(|e| api_diag("Could not list projects", "", &e))?;
        projects.sort_by(|a, b| a.name.cmp(&b.name));
        let want_type = query.project_type.as_deref();
        let want_scan = query.vulnerability_scanning;
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
                Some(ProjectsItem {
                    name: p.name.clone(),
                    project_id: p.project_id,
                    public,
                    vulnerability_scanning: scan,
                    project_type: if proxy { "ProxyCache" } else { "Project" }.into(),
                    proxy_cache_registry_id: p.registry_id.filter(|r| *r > 0),
                })
            })
            .collect();
        let flag = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
        let found = ProjectsModel {
            id: Some(format!(
                "projects?name={}&public={}&type={}&vulnerability_scanning={}",
                query.name.as_deref().unwrap_or_default(),
                flag(query.public),
                want_type.unwrap_or_default(),
                flag(want_scan)
            )),
            projects: Some(items),
            ..query
        };
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
