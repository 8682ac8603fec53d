//! `data "harbor_project"`: one project, by name or id, with every attribute the resource has.

use async_trait::async_trait;

use crate::context::HarborContext;
use crate::harbor::ProjectRef;
use crate::resources::project::{ProjectResource, to_state};
use crate::resources::{api_diag, not_found_is_none};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, AttributePath, Diagnostics, Schema, Value};

use super::{computed_copy, not_found};

pub struct ProjectDataSource;

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

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config.get("name").is_null() == config.get("project_id").is_null() {
            diags.attr_error(
                AttributePath::attr("name"),
                "Set exactly one of name and project_id",
                "Look the project up by `name` or by `project_id`.",
            );
        }
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let (r, what) = match (config.str_attr("name"), config.i64_attr("project_id")) {
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
        let mut v = to_state(
            &project,
            summary.quota.and_then(|q| q.hard.storage),
            scanner,
            &Value::Null,
        );
        if let Value::Object(m) = &mut v {
            m.remove("force_destroy");
        }
        let proxy = project.registry_id.is_some_and(|r| r > 0);
        v.set(
            "type",
            Value::from(if proxy { "ProxyCache" } else { "Project" }),
        );
        Ok(v)
    }
}
