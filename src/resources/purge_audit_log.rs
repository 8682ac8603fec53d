//! `harbor_purge_audit_log`: when Harbor purges its audit log, how old the records it purges
//! are, and which of them. One per Harbor.
//!
//! Requests: read = `GET /system/purgeaudit/schedule`; create and update =
//! `PUT /system/purgeaudit/schedule` (Harbor replaces any schedule there: create adopts it);
//! delete = `PUT` with type `None` (Harbor's default, no scheduled purge), which Harbor still
//! wants the parameters for. Import id: `/system/purgeaudit/schedule` (goharbor has none).
//!
//! Harbor 2.13 renamed the parameter that lists what to purge: `include_operations` (`create`,
//! `delete`, `pull`) before, `include_event_types` after (those and `push`,
//! `create_artifact`, `delete_artifact`, `pull_artifact`, `other`). Each Harbor requires its own
//! name and ignores the other. goharbor sends whichever is configured, so its documented example
//! (`include_operations`) purges nothing on Harbor 2.13+. Here the list is sent under the name the
//! connected Harbor reads, whichever attribute holds it.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};

use crate::context::HarborContext;
use crate::harbor::{HarborVersion, JobSchedule, SystemJob};
use crate::schema::def::Validator;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::plan::PlanContext;
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{SCHEMA_VERSION_AFTER_GO, api_diag, system_schedule};

pub struct PurgeAuditLogResource;

const JOB: SystemJob = SystemJob::PurgeAuditLog;
const NOUN: &str = "audit-log purge schedule";

/// What Harbor before 2.13 can purge by (`include_operations`).
const OPERATIONS: &[&str] = &["create", "delete", "pull"];
/// What Harbor 2.13+ can purge by (`include_event_types`), as goharbor validates it.
const EVENT_TYPES: &[&str] = &[
    "create",
    "push",
    "pull",
    "delete",
    "create_artifact",
    "delete_artifact",
    "pull_artifact",
    "other",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PurgeAuditLogModel {
    pub id: Known<Option<String>>,
    pub schedule: String,
    pub audit_retention_hour: i64,
    pub include_operations: Option<String>,
    pub include_event_types: Option<String>,
}

/// True when the connected Harbor reads `include_event_types` (2.13+); unknown versions are
/// taken as current.
fn uses_event_types(v: Option<HarborVersion>) -> bool {
    v.is_none_or(|v| v.at_least(2, 13, 0))
}

impl PurgeAuditLogModel {
    fn from_harbor(s: &JobSchedule, prior: Option<&PurgeAuditLogModel>) -> Self {
        let param = |k: &str| {
            s.parameters
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        let (ops, events) = (param("include_operations"), param("include_event_types"));
        // Each attribute shows the list Harbor holds under its name; when the configuration used
        // the other name (sent under the one Harbor reads), that list stands for both.
        let (include_operations, include_event_types) = match prior {
            Some(p) => (
                p.include_operations
                    .as_ref()
                    .and(ops.clone().or(events.clone())),
                p.include_event_types.as_ref().and(events.or(ops)),
            ),
            None => (ops, events),
        };
        PurgeAuditLogModel {
            id: Some(JOB.path().to_string()).into(),
            schedule: system_schedule::from_harbor(prior.map(|p| p.schedule.as_str()), &s.schedule),
            audit_retention_hour: s
                .parameters
                .get("audit_retention_hour")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0),
            include_operations,
            include_event_types,
        }
    }

    /// The job parameters for this Harbor: the list under the name it reads.
    fn parameters(&self, version: Option<HarborVersion>) -> Map<String, serde_json::Value> {
        let mut p = Map::new();
        p.insert(
            "audit_retention_hour".into(),
            json!(self.audit_retention_hour),
        );
        let (key, value) = if uses_event_types(version) {
            (
                "include_event_types",
                self.include_event_types
                    .as_ref()
                    .or(self.include_operations.as_ref()),
            )
        } else {
            (
                "include_operations",
                self.include_operations
                    .as_ref()
                    .or(self.include_event_types.as_ref()),
            )
        };
        p.insert(key.into(), json!(value.cloned().unwrap_or_default()));
        p
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &PurgeAuditLogResource::schema().ty())
    }
}

/// A comma-separated list whose items are all among `allowed`.
fn list_validator(allowed: &'static [&'static str]) -> Validator {
    std::sync::Arc::new(move |v, path, diags| {
        let Value::String(s) = v else { return };
        for item in s.split(',').map(str::trim) {
            if !allowed.contains(&item) {
                diags.attr_error(
                    path.clone(),
                    format!("Invalid value {item:?} in {path}"),
                    format!("Use a comma-separated list of: {}.", allowed.join(", ")),
                );
            }
        }
    })
}

impl PurgeAuditLogResource {
    pub fn schema() -> Schema {
        Schema::new(
            SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "When Harbor purges old audit-log records, and which. Harbor has one such schedule: creating this \
                 resource adopts whatever schedule Harbor has and replaces it; destroying it removes the schedule \
                 (Harbor's default, no scheduled purge). Set `include_event_types` (Harbor 2.13+) or \
                 `include_operations` (older Harbor); the list is sent under the name the connected Harbor reads. \
                 Import with the id `/system/purgeaudit/schedule`.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("Always `/system/purgeaudit/schedule`."))
            .attr(
                Attribute::string("schedule")
                    .required()
                    .describe("How often: `Hourly`, `Daily`, `Weekly` (any case), or a six-field cron with seconds 0, such as `0 5 4 * * *`.")
                    .validate(system_schedule::validator()),
            )
            .attr(
                Attribute::number("audit_retention_hour")
                    .required()
                    .describe("Records this many hours old or older are purged; at most 240000.")
                    .validate(crate::schema::def::validators::int_between(0, 240_000)),
            )
            .attr(
                Attribute::string("include_operations")
                    .optional()
                    .describe("Comma-separated operations to purge: `create`, `delete`, `pull`. Harbor's name before 2.13; on 2.13+ this list is sent as `include_event_types`.")
                    .validate(list_validator(OPERATIONS)),
            )
            .attr(
                Attribute::string("include_event_types")
                    .optional()
                    .describe("Comma-separated event types to purge: `create`, `push`, `pull`, `delete`, `create_artifact`, `delete_artifact`, `pull_artifact`, `other`. Harbor 2.13+.")
                    .validate(list_validator(EVENT_TYPES)),
            ),
        )
    }

    async fn put(&self, h: &HarborContext, m: &PurgeAuditLogModel) -> Result<(), Diagnostics> {
        h.client
            .put_job_schedule(
                JOB,
                &system_schedule::to_harbor(&m.schedule),
                &m.parameters(h.version),
            )
            .await
            .map_err(|e| api_diag("Could not set the audit-log purge schedule", "", &e))
    }
}

#[async_trait]
impl Resource<HarborContext> for PurgeAuditLogResource {
    fn type_name(&self) -> &'static str {
        "harbor_purge_audit_log"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<PurgeAuditLogModel>(
            &Self::schema().ty(),
        ))
    }

    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        if config.get("include_operations").is_null() && config.get("include_event_types").is_null()
        {
            diags.attr_error(
                AttributePath::attr("include_event_types"),
                "Nothing to purge",
                "Set `include_event_types` (Harbor 2.13+), or `include_operations` on older Harbor: Harbor requires the list.",
            );
        }
    }

    /// Harbor before 2.13 knows only `create`, `delete` and `pull`: a list of event types it
    /// cannot read is refused at plan time, naming the attribute.
    fn modify_plan(&self, ctx: &mut PlanContext<'_, HarborContext>) {
        let Some(v) = ctx.data.and_then(|h| h.version) else {
            return;
        };
        if uses_event_types(Some(v)) || !ctx.planned.get("include_operations").is_null() {
            return;
        }
        if let Some(events) = ctx.planned.get("include_event_types").as_str() {
            let unknown: Vec<&str> = events
                .split(',')
                .map(str::trim)
                .filter(|e| !OPERATIONS.contains(e))
                .collect();
            if !unknown.is_empty() {
                ctx.diags.attr_error(
                    AttributePath::attr("include_event_types"),
                    format!("Harbor {v} cannot purge by {}", unknown.join(", ")),
                    "Harbor before 2.13 purges by operation only (`create`, `delete`, `pull`) and reads them from `include_operations`. Use `include_operations`, or upgrade Harbor to 2.13+ for event types.",
                );
            }
        }
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let prior: PurgeAuditLogModel = model::from_value(state)?;
        let s = h
            .client
            .get_job_schedule(JOB)
            .await
            .map_err(|e| api_diag("Could not read the audit-log purge schedule", "", &e))?;
        Ok(match s {
            Some(s) => Some(PurgeAuditLogModel::from_harbor(&s, Some(&prior)).to_value()?),
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let mut planned: PurgeAuditLogModel = model::from_value(planned)?;
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

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: PurgeAuditLogModel = model::from_value(prior)?;
        // Harbor checks the parameters of every update, removal included (`verifyUpdateRequest`).
        h.client
            .put_job_schedule(JOB, &system_schedule::none(), &prior.parameters(h.version))
            .await
            .map_err(|e| api_diag("Could not remove the audit-log purge schedule", "", &e))
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        system_schedule::check_import_id(id, JOB, self.type_name(), NOUN)?;
        match h
            .client
            .get_job_schedule(JOB)
            .await
            .map_err(|e| api_diag("Could not read the audit-log purge schedule", "", &e))?
        {
            Some(s) => Ok(PurgeAuditLogModel::from_harbor(&s, None).to_value()?),
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
            PurgeAuditLogResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_list_goes_under_the_name_the_harbor_version_reads() {
        let m = PurgeAuditLogModel {
            id: Known::Unknown,
            schedule: "Daily".into(),
            audit_retention_hour: 24,
            include_operations: Some("create,pull".into()),
            include_event_types: None,
        };
        let new = m.parameters(Some(HarborVersion::new(2, 15, 2)));
        assert_eq!(new["include_event_types"], "create,pull");
        assert!(!new.contains_key("include_operations"));
        let old = m.parameters(Some(HarborVersion::new(2, 12, 0)));
        assert_eq!(old["include_operations"], "create,pull");
        assert!(!old.contains_key("include_event_types"));
    }
}
