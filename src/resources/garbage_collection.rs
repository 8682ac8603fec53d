//! `harbor_garbage_collection`: when Harbor's garbage collection runs, and how. One per Harbor.
//!
//! Requests: read = `GET /system/gc/schedule`; create and update = `PUT /system/gc/schedule`
//! (Harbor replaces any schedule there: create adopts it); delete = `PUT` with type `None`,
//! Harbor's default of no scheduled collection. Import id: `/system/gc/schedule` (goharbor has
//! no import for this type).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

use crate::context::HarborContext;
use crate::harbor::{HarborVersion, JobSchedule, SystemJob};
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{SCHEMA_VERSION_AFTER_GO, api_diag, system_schedule};

pub struct GarbageCollectionResource;

const JOB: SystemJob = SystemJob::GarbageCollection;
const NOUN: &str = "garbage collection schedule";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GarbageCollectionModel {
    pub id: Known<Option<String>>,
    pub schedule: String,
    pub delete_untagged: bool,
    pub workers: i64,
}

impl GarbageCollectionModel {
    fn from_harbor(s: &JobSchedule, prior_schedule: Option<&str>) -> Self {
        GarbageCollectionModel {
            id: Some(JOB.path().to_string()).into(),
            schedule: system_schedule::from_harbor(prior_schedule, &s.schedule),
            delete_untagged: s
                .parameters
                .get("delete_untagged")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
            // Harbor runs one worker when none is given.
            workers: s
                .parameters
                .get("workers")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(1),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &GarbageCollectionResource::schema().ty())
    }
}

/// The most GC workers Harbor accepts: `validateWorkers` in `handler/gc.go`, 10 since 2.13, 5
/// before.
pub(crate) fn max_workers(v: HarborVersion) -> i64 {
    if v.at_least(2, 13, 0) { 10 } else { 5 }
}

impl GarbageCollectionResource {
    pub fn schema() -> Schema {
        Schema::new(
            SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "When Harbor collects garbage (unreferenced blobs and, optionally, untagged artifacts). Harbor has one such \
                 schedule: creating this resource adopts whatever schedule Harbor has and replaces it; destroying it \
                 removes the schedule (Harbor's default, no scheduled collection). Import with the id `/system/gc/schedule`.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("Always `/system/gc/schedule`."))
            .attr(
                Attribute::string("schedule")
                    .required()
                    .describe("How often: `Hourly`, `Daily`, `Weekly` (any case), or a six-field cron with seconds 0, such as `0 5 4 * * *`.")
                    .validate(system_schedule::validator()),
            )
            .attr(
                Attribute::bool("delete_untagged")
                    .default(false)
                    .describe("Also delete untagged artifacts."),
            )
            .attr(
                Attribute::number("workers")
                    .default(1)
                    .describe("Parallel workers, 1 to 10 (Harbor before 2.13 allows up to 5).")
                    .validate(validators::int_between(1, 10)),
            ),
        )
    }

    async fn put(&self, h: &HarborContext, m: &GarbageCollectionModel) -> Result<(), Diagnostics> {
        let mut params = Map::new();
        params.insert("delete_untagged".into(), json!(m.delete_untagged));
        params.insert("workers".into(), json!(m.workers));
        h.client
            .put_job_schedule(JOB, &system_schedule::to_harbor(&m.schedule), &params)
            .await
            .map_err(|e| api_diag("Could not set the garbage collection schedule", "", &e))
    }
}

#[async_trait]
impl Resource<HarborContext> for GarbageCollectionResource {
    fn type_name(&self) -> &'static str {
        "harbor_garbage_collection"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<GarbageCollectionModel>(
            &Self::schema().ty(),
        ))
    }

    /// The connected Harbor's own limit on workers, known once the provider is configured.
    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        let (Some(h), Some(workers)) = (ctx.data, ctx.planned.get("workers").as_i64()) else {
            return;
        };
        if let Some(v) = h.version
            && workers > max_workers(v)
        {
            ctx.diags.attr_error(
                AttributePath::attr("workers"),
                format!("Too many garbage collection workers for Harbor {v}"),
                format!(
                    "Harbor {v} runs at most {} workers (10 from Harbor 2.13). Lower `workers`.",
                    max_workers(v)
                ),
            );
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let prior: GarbageCollectionModel = model::from_value(state)?;
        let s = h
            .client
            .get_job_schedule(JOB)
            .await
            .map_err(|e| api_diag("Could not read the garbage collection schedule", "", &e))?;
        Ok(match s {
            Some(s) => {
                Some(GarbageCollectionModel::from_harbor(&s, Some(&prior.schedule)).to_value()?)
            }
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let mut planned: GarbageCollectionModel = model::from_value(planned)?;
        self.put(h, &planned).await?;
        planned.id = Some(JOB.path().to_string()).into();
        Ok(planned.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        _prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        self.create(h, planned, config).await
    }

    async fn delete(&self, h: &HarborContext, _prior: &Value) -> Result<(), Diagnostics> {
        h.client
            .put_job_schedule(JOB, &system_schedule::none(), &Map::new())
            .await
            .map_err(|e| api_diag("Could not remove the garbage collection schedule", "", &e))
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        system_schedule::check_import_id(id, JOB, self.type_name(), NOUN)?;
        match h
            .client
            .get_job_schedule(JOB)
            .await
            .map_err(|e| api_diag("Could not read the garbage collection schedule", "", &e))?
        {
            Some(s) => Ok(GarbageCollectionModel::from_harbor(&s, None).to_value()?),
            None => Err(system_schedule::nothing_to_import(self.type_name(), NOUN)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            GarbageCollectionResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn worker_limit_follows_the_version() {
        assert_eq!(max_workers(HarborVersion::new(2, 12, 9)), 5);
        assert_eq!(max_workers(HarborVersion::new(2, 13, 0)), 10);
    }
}
