//! `data "harbor_project"`: one project, by name or id, with every attribute the resource has.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::ProjectRef;
use crate::resources::project::{ProjectModel, ProjectResource, to_state};
use crate::resources::{api_diag, not_found_is_none};
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, AttributePath, Diagnostics, Schema, Value};

use super::{computed_copy, not_found};

pub struct ProjectDataSource;

/// What the data source reports: the resource's attributes but `force_destroy`, all computed
/// (`name` and `project_id` may be given to look the project up), and the project's `type`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProjectDataModel {
    pub id: Option<String>,
    pub name: Option<String>,
    pub project_id: Option<i64>,
    pub registry_id: Option<i64>,
    pub public: Option<bool>,
    pub vulnerability_scanning: Option<bool>,
    pub vulnerability_scanner: Option<String>,
    pub storage_quota: Option<i64>,
    pub cve_allowlist: Option<Vec<String>>,
    pub enable_content_trust: Option<bool>,
    pub enable_content_trust_cosign: Option<bool>,
    pub auto_sbom_generation: Option<bool>,
    pub deployment_security: Option<String>,
    pub proxy_speed_kb: Option<i64>,
    pub proxy_cache_local_on_not_found: Option<bool>,
    #[serde(rename = "type")]
    pub project_type: Option<String>,
}

impl ProjectDataModel {
    /// The resource's state as the data source reports it; `force_destroy` is the resource's alone.
    fn from_resource(p: ProjectModel) -> Self {
        let proxy = p.registry_id.value().is_some();
        ProjectDataModel {
            id: p.id.into_known().flatten(),
            name: Some(p.name),
            project_id: p.project_id.into_known().flatten(),
            registry_id: p.registry_id.into_known().flatten(),
            public: p.public,
            vulnerability_scanning: p.vulnerability_scanning,
            vulnerability_scanner: p.vulnerability_scanner.into_known().flatten(),
            storage_quota: p.storage_quota,
            cve_allowlist: p.cve_allowlist,
            enable_content_trust: p.enable_content_trust,
            enable_content_trust_cosign: p.enable_content_trust_cosign,
            auto_sbom_generation: p.auto_sbom_generation,
            deployment_security: p.deployment_security,
            proxy_speed_kb: p.proxy_speed_kb,
            proxy_cache_local_on_not_found: p.proxy_cache_local_on_not_found,
            project_type: Some(if proxy { "ProxyCache" } else { "Project" }.into()),
        }
    }
}

/// The lookup keys, which the configuration may leave unknown until apply.
#[derive(Debug, Serialize, Deserialize)]
struct LookupView {
    name: Known<Option<String>>,
    project_id: Known<Option<f64>>,
}

#[async_trait]
impl DataSource<HarborContext> for ProjectDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_project"
    }

    fn schema(&self) -> Schema {
        let block = computed_copy(
            &ProjectResource::schema(),
            "Looks up a Harbor project by `name` or `project_id`.",
            &["name", "project_id"],
            &["force_destroy"],
        )
        .attr(
            Attribute::string("type")
                .computed()
                .describe("`Project`, or `ProxyCache` for a proxy-cache project."),
        );
        Schema::new(0, block)
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        let ty = self.schema().ty();
        Some(
            model::check_model::<ProjectDataModel>(&ty)
                .and_then(|()| model::check_view::<LookupView>(&ty)),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let Some(config) = model::read_view::<LookupView>(config, diags) else {
            return;
        };
        if config.name.is_null() == config.project_id.is_null() {
            diags.attr_error(
                AttributePath::attr("name"),
                "Set exactly one of name and project_id",
                "Look the project up by `name` or by `project_id`.",
            );
        }
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let config: ProjectDataModel = model::from_value(config)?;
        let (r, what) = match (config.name, config.project_id) {
            (Some(n), _) => (ProjectRef::Name(n.to_string()), format!("named {n:?}")),
            (None, Some(i)) => (ProjectRef::Id(i), format!("with id {i}")),
            _ => return Err(not_found("project", "(no name or id given)")),
        };
        let project = match not_found_is_none(h.client.get_project(&r).await) {
            Ok(p) => p,
            // Harbor answers a non-admin 403 alike for a project that does not exist and for
            // one the credentials may not see.
            Err(e) if e.is_forbidden() => None,
            Err(e) => return Err(api_diag("Could not read project", &r.to_string(), &e)),
        };
        let Some(project) = project else {
            return Err(not_found("project", &what));
        };
        let summary = h
            .client
            .project_summary(&ProjectRef::Id(project.project_id))
            .await
            .map_err(|e| api_diag("Could not read the quota of project", &project.name, &e))?;
        // goharbor/harbor's data source reports the scanner too; a project without one
        // (Harbor without any scanner registration answers 200 with no body) reads as null.
        let scanner = match h
            .client
            .get_project_scanner(&ProjectRef::Id(project.project_id))
            .await
        {
            Ok(s) => s.map(|s| s.name),
            Err(e) => {
                return Err(api_diag(
                    "Could not read the scanner of project",
                    &project.name,
                    &e,
                ));
            }
        };
        let found = ProjectDataModel::from_resource(to_state(
            &project,
            summary.quota.and_then(|q| q.hard.storage),
            scanner,
            None,
        ));
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
