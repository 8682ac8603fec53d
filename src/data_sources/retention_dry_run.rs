//! `data "harbor_retention_dry_run"`: runs a retention policy as a dry run and reports, per
//! repository, which tags it would delete, keep, or spare as immutable, so a module author can
//! see what a policy does before it runs for real.
//!
//! Requests: `POST /retentions/{id}/executions` with `dry_run: true`, then
//! `GET /retentions/{id}/executions/{eid}/tasks` and each task's log (Harbor records the outcome
//! only there). Every read makes one dry-run execution in the policy's history; nothing is deleted.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::schema::def::Nesting;
use crate::schema::model::{self, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::value::Type;
use crate::schema::{Attribute, Block, Diagnostics, Schema, Value};

pub struct RetentionDryRunDataSource;

#[derive(Debug, Serialize, Deserialize)]
pub struct RepositoryOutcome {
    pub repository: String,
    pub total: i64,
    pub retained: i64,
    pub deleted_tags: Vec<String>,
    pub retained_tags: Vec<String>,
    pub immutable_tags: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct RetentionDryRunModel {
    pub retention_id: i64,
    pub execution_id: Option<i64>,
    pub status: Option<String>,
    pub repositories: Option<Vec<RepositoryOutcome>>,
}

#[async_trait]
impl DataSource<HarborContext> for RetentionDryRunDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_retention_dry_run"
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<RetentionDryRunModel>(
            &self.schema().ty(),
        ))
    }

    fn schema(&self) -> Schema {
        let tags = |name: &str, what: &str| {
            Attribute::typed(name, Type::list(Type::String))
                .computed()
                .describe(what.to_owned())
        };
        let repository = vec![
            Attribute::string("repository")
                .computed()
                .describe("The repository, without the project."),
            Attribute::number("total")
                .computed()
                .describe("Artifacts the run looked at."),
            Attribute::number("retained")
                .computed()
                .describe("Artifacts it would keep (immutable ones included)."),
            tags(
                "deleted_tags",
                "Per artifact it would delete, its tags joined by `,` (`\"\"` for an untagged one).",
            ),
            tags(
                "retained_tags",
                "Per artifact a rule keeps, its tags joined by `,`.",
            ),
            tags(
                "immutable_tags",
                "Per artifact no rule keeps but an immutable tag rule protects, its tags joined by `,`.",
            ),
        ];
        Schema::new(
            0,
            Block::new(
                "Runs a tag retention policy as a dry run and reports what it would delete, per repository. Nothing is \
                 deleted; each read adds one dry-run execution to the policy's history in Harbor.",
            )
            .attr(Attribute::number("retention_id").required().describe("The policy: `harbor_retention_policy.<name>.retention_id`."))
            .attr(Attribute::number("execution_id").computed().describe("Harbor's id of the dry-run execution."))
            .attr(Attribute::string("status").computed().describe("The execution's status (`Succeed` when it finished)."))
            .attr(Attribute::nested("repositories", Nesting::List, repository).computed().describe("One entry per repository the policy's rules cover.")),
        )
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let config: RetentionDryRunModel = model::from_value(config)?;
        let id = config.retention_id;
        let what = format!("retention policy {id}");
        let eid = h
            .client
            .run_retention(id, true)
            .await
            .map_err(|e| api_diag("Could not start a dry run of", &what, &e))?;
        // Harbor runs the execution in its job service; wait (up to a minute) for it to finish.
        let mut status = None;
        for _ in 0..120 {
            status = h
                .client
                .list_retention_executions(id)
                .await
                .map_err(|e| api_diag("Could not read the executions of", &what, &e))?
                .into_iter()
                .find(|e| e.id == eid)
                .map(|e| e.status);
            if !matches!(
                status.as_deref(),
                None | Some("Running" | "Pending" | "Scheduled")
            ) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        let outcome = h
            .client
            .retention_outcome(id, eid)
            .await
            .map_err(|e| api_diag("Could not read the dry run of", &what, &e))?;
        let found = RetentionDryRunModel {
            retention_id: id,
            execution_id: Some(eid),
            status,
            repositories: Some(
                outcome
                    .into_iter()
                    .map(|o| RepositoryOutcome {
                        repository: o.repository,
                        total: o.total,
                        retained: o.retained,
                        deleted_tags: o.deleted,
                        retained_tags: o.kept,
                        immutable_tags: o.immutable,
                    })
                    .collect(),
            ),
        };
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
