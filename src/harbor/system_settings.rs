//! System-wide settings beside `/configurations`: the system CVE allowlist, the schedules of
//! scan-all, garbage collection and audit-log purge, and the default scanner.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::client::{Client, Req};
use super::error::Error;

/// One of Harbor's three scheduled system jobs. They share one API shape
/// (`/system/<job>/schedule`) but answer it with different models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemJob {
    ScanAll,
    GarbageCollection,
    PurgeAuditLog,
}

impl SystemJob {
    /// The schedule's API path, also the Terraform id of the resources that manage it.
    pub const fn path(self) -> &'static str {
        match self {
            SystemJob::ScanAll => "/system/scanAll/schedule",
            SystemJob::GarbageCollection => "/system/gc/schedule",
            SystemJob::PurgeAuditLog => "/system/purgeaudit/schedule",
        }
    }
}

/// `ScheduleObj`: `type` is `Hourly`, `Daily`, `Weekly`, `Custom`, `Manual`, `Schedule` or `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScheduleObj {
    #[serde(rename = "type")]
    pub kind: String,
    pub cron: String,
}

/// A job's schedule as Harbor has it: when, and the job parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobSchedule {
    pub schedule: ScheduleObj,
    pub parameters: Map<String, Value>,
}

/// What `GET /system/<job>/schedule` answers: scan-all a `Schedule` (`parameters` an object),
/// GC a `GCHistory` and purge an `ExecHistory` (`job_parameters` a JSON string).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ScheduleAnswer {
    schedule: Option<ScheduleObj>,
    parameters: Option<Map<String, Value>>,
    job_parameters: Option<String>,
}

/// The body of `PUT /system/<job>/schedule`.
#[derive(Debug, Serialize)]
struct ScheduleReq<'a> {
    schedule: &'a ScheduleObj,
    #[serde(skip_serializing_if = "Map::is_empty")]
    parameters: &'a Map<String, Value>,
}

/// `CVEAllowlistItem`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CveAllowlistItem {
    pub cve_id: String,
}

/// `CVEAllowlist` of the system (`project_id` 0).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SystemAllowlist {
    pub expires_at: Option<i64>,
    pub items: Vec<CveAllowlistItem>,
    #[serde(skip_serializing)]
    pub creation_time: Option<String>,
    #[serde(skip_serializing)]
    pub update_time: Option<String>,
}

impl Client {
    /// `GET /system/<job>/schedule`; `None` when no schedule is set (Harbor answers 200 with an
    /// empty body, or a schedule of type `None`).
    pub async fn get_job_schedule(&self, job: SystemJob) -> Result<Option<JobSchedule>, Error> {
        let resp = self.send(&Req::get(job.path())).await?;
        if resp.status != 200 {
            return Err(resp.error());
        }
        if resp.body_is_empty() {
            return Ok(None);
        }
        let answer: ScheduleAnswer = resp.json()?;
        let Some(schedule) = answer
            .schedule
            .filter(|s| !s.kind.is_empty() && s.kind != "None")
        else {
            return Ok(None);
        };
        let parameters = match (answer.parameters, answer.job_parameters) {
            (Some(p), _) => p,
            (None, Some(text)) if !text.trim().is_empty() => {
                serde_json::from_str(&text).map_err(|e| {
                    resp.decode_error(format!("job_parameters is not a JSON object: {e}"))
                })?
            }
            _ => Map::new(),
        };
        Ok(Some(JobSchedule {
            schedule,
            parameters,
        }))
    }

    /// `PUT /system/<job>/schedule`: Harbor replaces the schedule (creating it when there is
    /// none); type `None` removes it.
    pub async fn put_job_schedule(
        &self,
        job: SystemJob,
        schedule: &ScheduleObj,
        parameters: &Map<String, Value>,
    ) -> Result<(), Error> {
        let body = ScheduleReq {
            schedule,
            parameters,
        };
        let resp = self.send(&Req::put(job.path()).json(&body)?).await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `GET /system/CVEAllowlist`.
    pub async fn get_system_allowlist(&self) -> Result<SystemAllowlist, Error> {
        let resp = self.send(&Req::get("/system/CVEAllowlist")).await?;
        match resp.status {
            200 => resp.json(),
            _ => Err(resp.error()),
        }
    }

    /// `PUT /system/CVEAllowlist`: replaces the whole list and its expiry.
    pub async fn put_system_allowlist(&self, allowlist: &SystemAllowlist) -> Result<(), Error> {
        let resp = self
            .send(&Req::put("/system/CVEAllowlist").json(allowlist)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }

    /// `PATCH /scanners/{uuid}` with `{"is_default": true}`: makes the scanner Harbor's default.
    pub async fn set_default_scanner(&self, uuid: &str) -> Result<(), Error> {
        let body = serde_json::json!({"is_default": true});
        let resp = self
            .send(&Req::patch(format!("/scanners/{uuid}")).json(&body)?)
            .await?;
        match resp.status {
            200 => Ok(()),
            _ => Err(resp.error()),
        }
    }
}
