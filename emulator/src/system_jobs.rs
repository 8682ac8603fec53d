//! System-wide settings beside `/configurations`: the system CVE allowlist and the schedules of
//! scan-all, garbage collection and audit-log purge (stored and validated, never run).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, AppInner, Schedule, Store};
use crate::util::{Timestamp, created, ok_empty, ok_json, parse_body};

#[derive(Debug, Deserialize)]
struct AllowlistItem {
    #[serde(default)]
    cve_id: String,
}

#[derive(Debug, Deserialize)]
struct AllowlistReq {
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    items: Option<Vec<AllowlistItem>>,
}

/// `GET /system/CVEAllowlist`: any authenticated caller.
pub async fn get_allowlist(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_authenticated()?;
    let mut body = match &store.system_allowlist {
        Some(a) => json!({
            "id": a.id,
            "project_id": 0,
            "expires_at": a.expires_at,
            "items": a.items.iter().map(|c| json!({"cve_id": c})).collect::<Vec<_>>(),
            "creation_time": a.creation_time,
            "update_time": a.update_time,
        }),
        // Never set: `GetSys` hands back an empty `models.CVEAllowlist`; go-swagger omits the
        // zero id, project id and expiry and renders the zero times (a real Harbor v2.15.2 did).
        None => json!({
            "items": [],
            "creation_time": Timestamp::GO_ZERO,
            "update_time": Timestamp::GO_ZERO,
        }),
    };
    // go-swagger's `CVEAllowlist` omits a zero `project_id` and an unset `expires_at`.
    crate::util::omit_empty(&mut body, &["project_id", "expires_at"]);
    Ok(ok_json(body))
}

/// `PUT /system/CVEAllowlist`: sysadmins overwrite the whole list.
pub async fn put_allowlist(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let req: AllowlistReq = parse_body(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_admin()?;
    let items: Vec<String> = req
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.cve_id)
        .collect();
    crate::projects::validate_allowlist(&items)?;
    let now = Timestamp::now();
    match store.system_allowlist.as_mut() {
        Some(existing) => {
            // `dao.Set` (pkg/allowlist/dao/dao.go) stamps both times with now on every write
            // and upserts on `project_id`: the creation time moves with each PUT.
            existing.items = items;
            existing.expires_at = req.expires_at;
            existing.creation_time = now;
            existing.update_time = now;
        }
        None => {
            let allowlist = store.new_allowlist(req.expires_at, items, now);
            store.system_allowlist = Some(allowlist);
        }
    }
    Ok(ok_empty())
}

#[derive(Debug, Default, Deserialize)]
struct ScheduleObj {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    cron: String,
}

#[derive(Debug, Deserialize)]
struct ScheduleReq {
    #[serde(default)]
    schedule: Option<ScheduleObj>,
    #[serde(default)]
    parameters: Option<Map<String, Value>>,
}

/// The three scheduled system jobs; they share one API shape and differ in permissions and parameters.
#[derive(Debug, Clone, Copy)]
pub enum Job {
    ScanAll,
    Gc,
    PurgeAudit,
}

impl Job {
    fn resource(self) -> &'static str {
        match self {
            Job::ScanAll => "scan-all",
            Job::Gc => "garbage-collection",
            Job::PurgeAudit => "purge-audit",
        }
    }

    fn slot(self, store: &mut Store) -> &mut Option<Schedule> {
        match self {
            Job::ScanAll => &mut store.scan_all,
            Job::Gc => &mut store.gc,
            Job::PurgeAudit => &mut store.purge_audit,
        }
    }

    /// Where a created run or schedule is reported; scan-all answers 201 without a `Location`.
    fn run_location(self, id: i64) -> Option<String> {
        match self {
            Job::ScanAll => None,
            Job::Gc => Some(format!("/api/v2.0/system/gc/{id}")),
            Job::PurgeAudit => Some(format!("/api/v2.0/system/purgeaudit/{id}")),
        }
    }

    /// Validates the job parameters as Harbor's handlers do; others are kept as sent.
    fn check_parameters(self, app: &AppInner, params: &Map<String, Value>) -> ApiResult<()> {
        match self {
            Job::ScanAll => Ok(()),
            // `kick` in handler/gc.go: a JSON number of workers must be an integer from 1 to
            // `validateWorkers`' maximum, 10 since Harbor 2.13 (5 before).
            Job::Gc => match params.get("workers") {
                Some(Value::Number(w)) => {
                    let max = if app.version.at_least(2, 13, 0) {
                        10
                    } else {
                        5
                    };
                    let Some(n) = w.as_i64() else {
                        return Err(ApiError::bad_request("workers should be integer format"));
                    };
                    if n <= 0 || n > max {
                        return Err(ApiError::bad_request(format!(
                            "Error: Invalid number of workers:{w}. Workers must be greater than 0 and less than or equal to {max}."
                        )));
                    }
                    Ok(())
                }
                _ => Ok(()),
            },
            // `verifyCreateRequest` / `verifyUpdateRequest` and `retentionHour` in
            // handler/purge.go, for every schedule type: parameters present, a retention of at
            // most 240000 hours (no lower bound), and the list of what to purge, named
            // `include_event_types` since 2.13 (`include_operations` before).
            Job::PurgeAudit => {
                if params.is_empty() {
                    return Err(ApiError::bad_request("schedule parameter cann't be empty"));
                }
                let Some(hours) = params.get("audit_retention_hour") else {
                    return Err(ApiError::bad_request("audit_retention_hour should provide"));
                };
                if let Value::Number(n) = hours {
                    let Some(h) = n.as_i64() else {
                        return Err(ApiError::bad_request(
                            "audit_retention_hour should be integer format",
                        ));
                    };
                    if h > 240_000 {
                        return Err(ApiError::bad_request(
                            "audit_retention_hour should be less than 240000",
                        ));
                    }
                }
                let wanted = if app.version.at_least(2, 13, 0) {
                    "include_event_types"
                } else {
                    "include_operations"
                };
                if !params.contains_key(wanted) {
                    return Err(ApiError::bad_request(format!("{wanted} should provide")));
                }
                Ok(())
            }
        }
    }
}

/// What a schedule request asks for once validated.
enum Wanted {
    RunNow,
    Cancel,
    Periodic {
        kind: String,
        cron: String,
        parameters: Map<String, Value>,
    },
}

/// Harbor's `ValidateCronString` (common/utils/utils.go): robfig's six-field parser, then the
/// seconds fixed at 0.
fn valid_cron(cron: &str) -> bool {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    harbor_cron::parse(cron).is_ok() && fields.len() == 6 && fields[0] == "0"
}

/// What a GC schedule keeps of its parameters: `gcAPI.kick` (server/v2.0/handler/gc.go) reads
/// `delete_untagged`, `delete_tag` (bools) and `workers` into a `gc.Policy`, and the controller's
/// `CreateSchedule` (controller/gc/controller.go) stores exactly those three as the schedule's
/// extra attributes, `false`/`0` when not sent; `job_parameters` renders them.
fn gc_extras(params: &Map<String, Value>) -> Map<String, Value> {
    let flag = |k: &str| Value::Bool(params.get(k).and_then(Value::as_bool).unwrap_or(false));
    let mut out = Map::new();
    out.insert("delete_tag".into(), flag("delete_tag"));
    out.insert("delete_untagged".into(), flag("delete_untagged"));
    out.insert(
        "workers".into(),
        json!(params.get("workers").and_then(Value::as_i64).unwrap_or(0)),
    );
    out
}

fn wanted(app: &AppInner, job: Job, body: &[u8]) -> ApiResult<Wanted> {
    let req: ScheduleReq = parse_body(body)?;
    let schedule = req
        .schedule
        .ok_or_else(|| ApiError::bad_request("schedule is required"))?;
    let parameters = req.parameters.unwrap_or_default();
    job.check_parameters(app, &parameters)?;
    match schedule.kind.as_str() {
        "Manual" => Ok(Wanted::RunNow),
        "None" => Ok(Wanted::Cancel),
        "Hourly" | "Daily" | "Weekly" | "Custom" | "Schedule" => {
            if !valid_cron(&schedule.cron) {
                return Err(ApiError::bad_request(format!(
                    "invalid cron string for scheduled job: {}",
                    schedule.cron
                )));
            }
            let parameters = match job {
                Job::Gc => gc_extras(&parameters),
                _ => parameters,
            };
            Ok(Wanted::Periodic {
                kind: schedule.kind,
                cron: schedule.cron,
                parameters,
            })
        }
        other => Err(ApiError::bad_request(format!(
            "invalid schedule type: {other}"
        ))),
    }
}

/// The answer of `GET /system/{job}/schedule`: scan-all answers a `Schedule`; garbage collection
/// and the audit-log purge answer a `GCHistory` / `ExecHistory` built from the schedule, as
/// Harbor's `GCSchedule.ToSwagger` does: the parameters as a JSON string, the cron as the kind,
/// and the empty job name omitted.
/// With no schedule, each handler answers 200 with no payload (`NewGet...ScheduleOK()`), which
/// go-swagger sends as an empty body.
fn schedule_json(job: Job, schedule: &Option<Schedule>) -> Value {
    match (job, schedule) {
        (_, None) => Value::Null,
        (Job::ScanAll, Some(s)) => json!({
            "id": s.id,
            "status": "Scheduled",
            "creation_time": s.creation_time,
            "update_time": s.update_time,
            "schedule": {"type": s.kind, "cron": s.cron},
            "parameters": s.parameters,
        }),
        (Job::Gc | Job::PurgeAudit, Some(s)) => json!({
            "id": s.id,
            "job_kind": s.cron,
            "job_parameters": Value::Object(s.parameters.clone()).to_string(),
            "schedule": {"type": s.kind, "cron": s.cron},
            "creation_time": s.creation_time,
            "update_time": s.update_time,
        }),
    }
}

/// Every scan-all call answers 412 while no scanner is the default.
fn require_default_scanner(store: &Store, job: Job) -> ApiResult<()> {
    if matches!(job, Job::ScanAll) && !crate::scanners::has_default(store) {
        return Err(ApiError::precondition("no default scanner is configured"));
    }
    Ok(())
}

/// `GET /system/{job}/schedule`
pub async fn get_schedule(app: App, ctx: Ctx, job: Job) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system(job.resource(), "read")?;
    require_default_scanner(&store, job)?;
    let schedule = match job {
        Job::ScanAll => &store.scan_all,
        Job::Gc => &store.gc,
        Job::PurgeAudit => &store.purge_audit,
    };
    Ok(match schedule_json(job, schedule) {
        Value::Null => StatusCode::OK.into_response(),
        body => ok_json(body),
    })
}

/// `POST /system/{job}/schedule`: creates a schedule (412 if one exists) or runs the job now.
pub async fn create_schedule(app: App, ctx: Ctx, job: Job, body: Bytes) -> ApiResult {
    let wanted = wanted(&app, job, &body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system(job.resource(), "create")?;
    require_default_scanner(&store, job)?;
    match wanted {
        // Nothing to collect, scan or purge, so a manual run finishes before anything could conflict.
        Wanted::RunNow => {
            let run = store.seq.schedule();
            Ok(match job.run_location(run) {
                Some(location) => created(location, None),
                None => StatusCode::CREATED.into_response(),
            })
        }
        Wanted::Cancel => Err(ApiError::bad_request("invalid schedule type: None")),
        Wanted::Periodic {
            kind,
            cron,
            parameters,
        } => {
            if job.slot(&mut store).is_some() {
                return Err(ApiError::precondition(
                    "fail to set schedule as always had one, please delete it firstly then to update it.",
                ));
            }
            let now = Timestamp::now();
            let id = store.seq.schedule();
            *job.slot(&mut store) = Some(Schedule {
                id,
                kind,
                cron,
                parameters,
                creation_time: now,
                update_time: now,
            });
            // Harbor names the schedule as it names a run: `/system/gc/{id}` (handler/gc.go).
            Ok(match job.run_location(id) {
                Some(location) => created(location, None),
                None => StatusCode::CREATED.into_response(),
            })
        }
    }
}

/// `PUT /system/{job}/schedule`: creates or replaces the schedule; `None` removes it.
pub async fn update_schedule(app: App, ctx: Ctx, job: Job, body: Bytes) -> ApiResult {
    let wanted = wanted(&app, job, &body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system(job.resource(), "update")?;
    require_default_scanner(&store, job)?;
    match wanted {
        Wanted::RunNow => {}
        Wanted::Cancel => *job.slot(&mut store) = None,
        Wanted::Periodic {
            kind,
            cron,
            parameters,
        } => {
            let now = Timestamp::now();
            let next = match job.slot(&mut store).take() {
                Some(existing) => Schedule {
                    kind,
                    cron,
                    parameters,
                    update_time: now,
                    ..existing
                },
                None => Schedule {
                    id: store.seq.schedule(),
                    kind,
                    cron,
                    parameters,
                    creation_time: now,
                    update_time: now,
                },
            };
            *job.slot(&mut store) = Some(next);
        }
    }
    Ok(ok_empty())
}

macro_rules! job_handlers {
    ($job:expr, $get:ident, $create:ident, $update:ident) => {
        pub async fn $get(State(app): State<App>, ctx: Ctx) -> ApiResult {
            get_schedule(app, ctx, $job).await
        }
        pub async fn $create(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
            create_schedule(app, ctx, $job, body).await
        }
        pub async fn $update(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
            update_schedule(app, ctx, $job, body).await
        }
    };
}

job_handlers!(Job::ScanAll, get_scan_all, create_scan_all, update_scan_all);
job_handlers!(Job::Gc, get_gc, create_gc, update_gc);
job_handlers!(
    Job::PurgeAudit,
    get_purge_audit,
    create_purge_audit,
    update_purge_audit
);
