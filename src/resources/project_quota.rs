//! `harbor_project_quota`: the storage quota of a project this configuration does not otherwise
//! own (made by another team, by a proxy-cache setup, or by hand). The Go provider has no such
//! resource. Destroying it sets the quota back to unlimited.
//!
//! Requests: read = `GET /quotas/{id}`; create = `GET /projects/{p}` (the id, when given a name),
//! then `GET /quotas?reference=project&reference_id=` and `PUT /quotas/{id}`; update =
//! `PUT /quotas/{id}`; delete = `PUT /quotas/{id}` with -1. Quotas need system-level access: an admin, or a system
//! robot with quota read, list and update permissions.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::ProjectRef;
use crate::harbor::models::Quota;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{
    ImportRef, api_diag, bytes_to_gib, gib_to_bytes, not_found_is_none, parse_import_id,
    storage_quota_validator,
};

pub struct ProjectQuotaResource;

/// The resource's state and plan. Computed attributes are `Known`: unknown in a plan until
/// Harbor has answered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectQuotaModel {
    pub id: Known<Option<String>>,
    pub project: String,
    pub project_id: Known<Option<i64>>,
    pub quota_id: Known<Option<i64>>,
    pub storage_quota: i64,
    pub storage_used: Known<Option<i64>>,
}

impl ProjectQuotaModel {
    /// The state for a quota as Harbor returns it, filed under the project as the user named it.
    fn from_harbor(q: &Quota, project: &str) -> Self {
        ProjectQuotaModel {
            id: Some(format!("/quotas/{}", q.id)).into(),
            project: project.to_owned(),
            project_id: Some(q.reference.id).into(),
            quota_id: Some(q.id).into(),
            storage_quota: bytes_to_gib(q.hard.storage.unwrap_or(-1)),
            storage_used: Some(q.used.storage.unwrap_or(0)).into(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ProjectQuotaResource::schema().ty())
    }
}

fn quota_diag(what: &str, project: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = api_diag(what, project, e);
    if e.is_forbidden() || e.is_unauthorized() {
        d.error(
            "Quotas need system-level access",
            "Use an admin account, or a system robot with the system permissions quota:read, quota:list and quota:update (Harbor 2.12+).",
        );
    }
    d
}

impl ProjectQuotaResource {
    pub fn schema() -> Schema {
        Schema::new(
            0,
            Block::new(
                "The storage quota of a Harbor project managed elsewhere. Destroying this resource sets the quota back \
                 to unlimited (-1). Do not manage the same project's quota from both this resource and \
                 `harbor_project.storage_quota`: the two would undo each other.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The quota's API path, `/quotas/<quota_id>`."))
            .attr(
                Attribute::string("project")
                    .required()
                    .requires_replace()
                    .describe("The project, by name or numeric id (an all-digit value is taken as an id). Changing it moves the resource to another project (replacement).")
                    .validate(crate::schema::def::validators::not_empty()),
            )
            .attr(Attribute::number("project_id").computed().use_state_for_unknown().describe("The project's numeric id."))
            .attr(Attribute::number("quota_id").computed().use_state_for_unknown().describe("Harbor's id of the quota."))
            .attr(
                Attribute::number("storage_quota")
                    .required()
                    .describe("Storage limit in GiB; -1 for unlimited. Read back from Harbor.")
                    .validate(storage_quota_validator()),
            )
            .attr(Attribute::number("storage_used").computed().describe("Bytes the project's artifacts use now.")),
        )
    }

    async fn find(
        &self,
        h: &HarborContext,
        project: &str,
    ) -> Result<Option<(Quota, String)>, Diagnostics> {
        // `/quotas/<id>`, the quota's own path (what an identity names): the quota says its project.
        if let Some(qid) = project.strip_prefix("/quotas/") {
            let Ok(qid) = qid.parse::<i64>() else {
                return Ok(None);
            };
            let q = not_found_is_none(h.client.get_quota(qid).await)
                .map_err(|e| quota_diag("Could not read quota", project, &e))?;
            return Ok(q.map(|q| {
                let name = q.reference.name.clone();
                (q, name)
            }));
        }
        let r = match parse_import_id(project, "/projects/") {
            Ok(ImportRef::Id(i)) => ProjectRef::Id(i),
            _ => ProjectRef::Name(project.to_string()),
        };
        let Some(p) = not_found_is_none(h.client.get_project(&r).await)
            .map_err(|e| api_diag("Could not read project", project, &e))?
        else {
            return Ok(None);
        };
        let quotas = h
            .client
            .list_project_quotas(p.project_id)
            .await
            .map_err(|e| quota_diag("Could not list the quota of project", project, &e))?;
        Ok(quotas.into_iter().next().map(|q| (q, p.name)))
    }
}

#[async_trait]
impl Resource<HarborContext> for ProjectQuotaResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/quotas/{quota_id}")
                .describe("quota_id", "The quota's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_project_quota"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ProjectQuotaModel>(
            &Self::schema().ty(),
        ))
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: ProjectQuotaModel = model::from_value(state)?;
        let Some(&id) = state.quota_id.value() else {
            return Ok(None);
        };
        let q = not_found_is_none(h.client.get_quota(id).await)
            .map_err(|e| quota_diag("Could not read the quota of project", &state.project, &e))?;
        Ok(match q {
            Some(q) => Some(ProjectQuotaModel::from_harbor(&q, &state.project).to_value()?),
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned: ProjectQuotaModel = model::from_value(planned)?;
        let project = planned.project.as_str();
        let Some((q, _)) = self.find(h, project).await? else {
            let mut d = Diagnostics::new();
            d.attr_error(
                AttributePath::attr("project"),
                format!("Project {project} has no quota"),
                "The project does not exist, or Harbor's `quota_per_project_enable` setting is off (then no project has a quota).",
            );
            return Err(d.into());
        };
        h.client
            .update_quota_storage(q.id, gib_to_bytes(planned.storage_quota))
            .await
            .map_err(|e| quota_diag("Could not set the quota of project", project, &e))?;
        let state = ProjectQuotaModel {
            storage_quota: planned.storage_quota,
            ..ProjectQuotaModel::from_harbor(&q, project)
        };
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: ProjectQuotaModel = model::from_value(prior)?;
        let planned: ProjectQuotaModel = model::from_value(planned)?;
        let id = prior.quota_id.value().copied().unwrap_or_default();
        h.client
            .update_quota_storage(id, gib_to_bytes(planned.storage_quota))
            .await
            .map_err(|e| quota_diag("Could not set the quota of project", &planned.project, &e))?;
        let state = ProjectQuotaModel {
            // Usage is not part of the update's answer; the prior reading is the best we know.
            storage_used: prior.storage_used,
            ..planned
        };
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: ProjectQuotaModel = model::from_value(prior)?;
        let Some(&id) = prior.quota_id.value() else {
            return Ok(());
        };
        let project = prior.project.as_str();
        match h.client.update_quota_storage(id, -1).await {
            Ok(()) => Ok(()),
            // The project (and with it the quota) is gone: nothing left to reset.
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(quota_diag(
                "Could not reset the quota of project",
                project,
                &e,
            )),
        }
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        match self.find(h, id).await? {
            Some((q, name)) => Ok(ProjectQuotaModel::from_harbor(&q, &name).to_value()?),
            None => {
                let mut d = Diagnostics::new();
                d.error(format!("Cannot import the quota of project {id}"), "Harbor has no such project, or it has no quota. Import by project name, numeric project id, or the quota's path `/quotas/<quota_id>`.");
                Err(d)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ProjectQuotaResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }
}
