//! `harbor_interrogation_services`: Harbor's default vulnerability scanner and when every
//! artifact is scanned (scan-all). One per Harbor. Also `harbor_tasks`, goharbor's deprecated
//! scan-all-only resource, served by the same code with a deprecation warning.
//!
//! Requests: read = `GET /system/scanAll/schedule` and, for `default_scanner`, `GET /scanners`;
//! create and update = `GET /scanners` + `PATCH /scanners/{uuid}` (`is_default`) when
//! `default_scanner` changes, then `PUT /system/scanAll/schedule` (Harbor answers every scan-all
//! call with 412 while no scanner is the default, so the scanner goes first); delete = `PUT` with
//! type `None`, Harbor's default of no scheduled scan-all. The default scanner is left as it is on
//! delete: Harbor always needs one for scanning. Import id: `/system/scanAll/schedule`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Map;

use crate::context::HarborContext;
use crate::harbor::SystemJob;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{SCHEMA_VERSION_AFTER_GO, system_schedule};

const JOB: SystemJob = SystemJob::ScanAll;
const NOUN: &str = "scan-all schedule";

pub struct InterrogationServicesResource;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InterrogationServicesModel {
    pub id: Known<Option<String>>,
    pub vulnerability_scan_policy: String,
    pub default_scanner: Known<Option<String>>,
}

fn diag(what: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = Diagnostics::new();
    let hint = if e.status() == Some(412) {
        " Harbor has no default scanner: set `default_scanner`, or register one with `harbor_scanner`."
    } else {
        ""
    };
    d.error(what.to_string(), format!("{e}.{hint}"));
    d
}

/// The name of Harbor's default scanner, if one is.
async fn default_scanner(h: &HarborContext) -> Result<Option<String>, Diagnostics> {
    let scanners = h
        .client
        .list_scanners()
        .await
        .map_err(|e| diag("Could not list Harbor's scanners", &e))?;
    Ok(scanners.into_iter().find(|s| s.is_default).map(|s| s.name))
}

/// Makes the scanner named `name` Harbor's default.
async fn set_default(h: &HarborContext, name: &str) -> Result<(), Diagnostics> {
    let scanners = h
        .client
        .list_scanners()
        .await
        .map_err(|e| diag("Could not list Harbor's scanners", &e))?;
    let Some(s) = scanners.iter().find(|s| s.name == name) else {
        let known: Vec<&str> = scanners.iter().map(|s| s.name.as_str()).collect();
        let mut d = Diagnostics::new();
        d.attr_error(
            AttributePath::attr("default_scanner"),
            format!("Harbor has no scanner named {name:?}"),
            format!(
                "Registered scanners: {}. Register it first (`harbor_scanner`), and refer to that resource's `name`.",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            ),
        );
        return Err(d);
    };
    if s.is_default {
        return Ok(());
    }
    h.client
        .set_default_scanner(&s.uuid)
        .await
        .map_err(|e| diag(&format!("Could not make {name} the default scanner"), &e))
}

/// Reads the scan-all schedule as `(vulnerability_scan_policy, default_scanner)`; `None` when
/// Harbor has no schedule.
async fn read_scan_all(
    h: &HarborContext,
    prior_policy: Option<&str>,
) -> Result<Option<(String, Option<String>)>, Diagnostics> {
    let scanner = default_scanner(h).await?;
    // Without a default scanner Harbor answers 412 to the schedule itself: nothing is scheduled
    // that could run.
    if scanner.is_none() {
        return Ok(None);
    }
    let s = h
        .client
        .get_job_schedule(JOB)
        .await
        .map_err(|e| diag("Could not read the scan-all schedule", &e))?;
    Ok(s.map(|s| {
        (
            system_schedule::from_harbor(prior_policy, &s.schedule),
            scanner,
        )
    }))
}

async fn put_policy(h: &HarborContext, policy: &str) -> Result<(), Diagnostics> {
    h.client
        .put_job_schedule(JOB, &system_schedule::to_harbor(policy), &Map::new())
        .await
        .map_err(|e| diag("Could not set the scan-all schedule", &e))
}

/// The scan-all schedule an import of `id` finds, as `(vulnerability_scan_policy,
/// default_scanner)`; both types import it the same way.
async fn import_scan_all(
    h: &HarborContext,
    id: &str,
    type_name: &str,
) -> Result<(String, Option<String>), Diagnostics> {
    system_schedule::check_import_id(id, JOB, type_name, NOUN)?;
    read_scan_all(h, None)
        .await?
        .ok_or_else(|| system_schedule::nothing_to_import(type_name, NOUN))
}

async fn remove_policy(h: &HarborContext) -> Result<(), Diagnostics> {
    match h
        .client
        .put_job_schedule(JOB, &system_schedule::none(), &Map::new())
        .await
    {
        Ok(()) => Ok(()),
        // No default scanner: nothing can be scheduled, so nothing is left to remove.
        Err(e) if e.status() == Some(412) => Ok(()),
        // Two removals at once (`harbor_tasks` and `harbor_interrogation_services` share the
        // schedule, and Terraform destroys them in parallel): Harbor's `UpdateScanAllSchedule`
        // reads the schedule, and the later `UnScheduleByID` answers 404 "execution N not found"
        // when the other removal got there first. Gone is what was wanted.
        // The other removal may still be finishing when the 404 comes (seen on a real Harbor):
        // look again, briefly, until the schedule is gone.
        Err(e) if e.status() == Some(404) => {
            for _ in 0..10 {
                if let Ok(None) = h.client.get_job_schedule(JOB).await {
                    return Ok(());
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Err(diag("Could not remove the scan-all schedule", &e))
        }
        Err(e) => Err(diag("Could not remove the scan-all schedule", &e)),
    }
}

fn policy_attr() -> Attribute {
    Attribute::string("vulnerability_scan_policy")
        .required()
        .describe("When Harbor scans every artifact: `Hourly`, `Daily`, `Weekly` (any case), or a six-field cron with seconds 0, such as `0 0 2 * * *`.")
        .validate(system_schedule::validator())
}

impl InterrogationServicesModel {
    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &InterrogationServicesResource::schema().ty())
    }
}

impl InterrogationServicesResource {
    pub fn schema() -> Schema {
        Schema::new(
            SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "Harbor's default vulnerability scanner and its scan-all schedule. Harbor has one such schedule: \
                 creating this resource adopts and replaces it; destroying it removes the schedule (Harbor's default, \
                 no scheduled scan-all) and leaves the default scanner as it is. Import with the id `/system/scanAll/schedule`.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("Always `/system/scanAll/schedule`."))
            .attr(policy_attr())
            .attr(
                Attribute::string("default_scanner")
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe("The name of the registered scanner to make Harbor's default, such as `Trivy`. Unset: Harbor's default scanner is left as it is, and shown here.")
                    .validate(crate::schema::def::validators::not_empty()),
            ),
        )
    }
}

#[async_trait]
impl Resource<HarborContext> for InterrogationServicesResource {
    fn type_name(&self) -> &'static str {
        "harbor_interrogation_services"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<InterrogationServicesModel>(
            &Self::schema().ty(),
        ))
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let prior: InterrogationServicesModel = model::from_value(state)?;
        Ok(
            match read_scan_all(h, Some(&prior.vulnerability_scan_policy)).await? {
                Some((policy, scanner)) => Some(
                    InterrogationServicesModel {
                        id: Some(JOB.path().to_string()).into(),
                        vulnerability_scan_policy: policy,
                        default_scanner: scanner.into(),
                    }
                    .to_value()?,
                ),
                None => None,
            },
        )
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let mut m: InterrogationServicesModel = model::from_value(planned)?;
        if let Some(name) = m.default_scanner.value() {
            set_default(h, name).await?;
        }
        put_policy(h, &m.vulnerability_scan_policy).await?;
        if m.default_scanner.is_unknown() {
            m.default_scanner = default_scanner(h).await?.into();
        }
        m.id = Some(JOB.path().to_string()).into();
        Ok(m.to_value()?)
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
        remove_policy(h).await
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let (policy, scanner) = import_scan_all(h, id, self.type_name()).await?;
        Ok(InterrogationServicesModel {
            id: Some(JOB.path().to_string()).into(),
            vulnerability_scan_policy: policy,
            default_scanner: scanner.into(),
        }
        .to_value()?)
    }

    /// goharbor stored `""` for an unset `default_scanner`.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(&mut raw, &["default_scanner"], &[]);
        }
        Ok(raw)
    }
}

/// `harbor_tasks`: goharbor's deprecated scan-all schedule, kept so its configurations and state
/// still work. Same requests as `harbor_interrogation_services` without the scanner.
pub struct TasksResource;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TasksModel {
    pub id: Known<Option<String>>,
    pub vulnerability_scan_policy: String,
}

impl TasksModel {
    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &TasksResource::schema().ty())
    }
}

impl TasksResource {
    pub fn schema() -> Schema {
        let mut block = Block::new(
            "**Deprecated**: use `harbor_interrogation_services`, which also sets the default scanner. The scan-all \
             schedule. Destroying it removes the schedule. Import with the id `/system/scanAll/schedule`.",
        )
        .attr(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe("Always `/system/scanAll/schedule` (goharbor stored a random string)."),
        )
        .attr(policy_attr());
        block.deprecated = true;
        Schema::new(SCHEMA_VERSION_AFTER_GO, block)
    }
}

#[async_trait]
impl Resource<HarborContext> for TasksResource {
    fn type_name(&self) -> &'static str {
        "harbor_tasks"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<TasksModel>(&Self::schema().ty()))
    }

    fn validate(&self, _config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        diags.warning(
            "harbor_tasks is deprecated",
            "Use harbor_interrogation_services instead: it takes the same `vulnerability_scan_policy` and can also set \
             `default_scanner`. harbor_tasks will be removed in a future major version.",
        );
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let prior: TasksModel = model::from_value(state)?;
        Ok(
            match read_scan_all(h, Some(&prior.vulnerability_scan_policy)).await? {
                Some((policy, _)) => Some(
                    TasksModel {
                        id: Some(JOB.path().to_string()).into(),
                        vulnerability_scan_policy: policy,
                    }
                    .to_value()?,
                ),
                None => None,
            },
        )
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let mut m: TasksModel = model::from_value(planned)?;
        put_policy(h, &m.vulnerability_scan_policy).await?;
        m.id = Some(JOB.path().to_string()).into();
        Ok(m.to_value()?)
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
        remove_policy(h).await
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let (policy, _) = import_scan_all(h, id, self.type_name()).await?;
        Ok(TasksModel {
            id: Some(JOB.path().to_string()).into(),
            vulnerability_scan_policy: policy,
        }
        .to_value()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_follow_terraform_rules() {
        assert_eq!(
            InterrogationServicesResource::schema().check_rules(),
            Vec::<String>::new()
        );
        assert_eq!(TasksResource::schema().check_rules(), Vec::<String>::new());
    }
}
