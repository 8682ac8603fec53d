//! System-wide settings beside `/configurations`: the system CVE allowlist and the scan-all schedule.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{Ctx, Principal};
use crate::error::{ApiError, ApiResult};
use crate::state::{App, Schedule};
use crate::util::{Timestamp, ok_empty, ok_json, parse_body};

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
    let body = match &store.system_allowlist {
        Some(a) => json!({
            "id": a.id,
            "project_id": 0,
            "expires_at": a.expires_at,
            "items": a.items.iter().map(|c| json!({"cve_id": c})).collect::<Vec<_>>(),
            "creation_time": a.creation_time,
            "update_time": a.update_time,
        }),
        None => json!({"project_id": 0, "expires_at": null, "items": []}),
    };
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
    let now = Timestamp::now();
    match store.system_allowlist.as_mut() {
        Some(existing) => {
            existing.items = items;
            existing.expires_at = req.expires_at;
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
}

/// What a schedule request asks for once validated.
enum Wanted {
    RunNow,
    Cancel,
    Periodic { kind: String, cron: String },
}

/// Harbor's `ValidateCronString`: six fields with the seconds fixed at 0.
fn valid_cron(cron: &str) -> bool {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    fields.len() == 6 && fields[0] == "0"
}

fn wanted(body: &[u8]) -> ApiResult<Wanted> {
    let req: ScheduleReq = parse_body(body)?;
    let schedule = req
        .schedule
        .ok_or_else(|| ApiError::bad_request("schedule is required"))?;
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
            Ok(Wanted::Periodic {
                kind: schedule.kind,
                cron: schedule.cron,
            })
        }
        other => Err(ApiError::bad_request(format!(
            "invalid schedule type: {other}"
        ))),
    }
}

fn schedule_json(schedule: &Option<Schedule>) -> Value {
    match schedule {
        Some(s) => json!({
            "id": s.id,
            "status": "Scheduled",
            "creation_time": s.creation_time,
            "update_time": s.update_time,
            "schedule": {"type": s.kind, "cron": s.cron},
        }),
        None => json!({}),
    }
}

/// `GET /system/scanAll/schedule`
pub async fn get_scan_all(State(app): State<App>, ctx: Ctx) -> ApiResult {
    let store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scan-all", "read")?;
    Ok(ok_json(schedule_json(&store.scan_all)))
}

/// `POST /system/scanAll/schedule`: creates a schedule (412 if one exists) or runs a scan now.
pub async fn create_scan_all(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let wanted = wanted(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scan-all", "create")?;
    match wanted {
        // There are no artifacts to scan, so a manual run finishes before anything could conflict.
        Wanted::RunNow => Ok(StatusCode::CREATED.into_response()),
        Wanted::Cancel => Err(ApiError::bad_request("invalid schedule type: None")),
        Wanted::Periodic { kind, cron } => {
            if store.scan_all.is_some() {
                return Err(ApiError::precondition(
                    "fail to set schedule for scan all as always had one, please delete it firstly then to update it.",
                ));
            }
            let now = Timestamp::now();
            let id = store.seq.schedule();
            store.scan_all = Some(Schedule {
                id,
                kind,
                cron,
                creation_time: now,
                update_time: now,
            });
            Ok(StatusCode::CREATED.into_response())
        }
    }
}

/// `PUT /system/scanAll/schedule`: creates or replaces the schedule; `None` removes it.
pub async fn update_scan_all(State(app): State<App>, ctx: Ctx, body: Bytes) -> ApiResult {
    let wanted = wanted(&body)?;
    let mut store = app.store();
    Principal::resolve(&app, &store, &ctx).require_system("scan-all", "update")?;
    match wanted {
        Wanted::RunNow => {}
        Wanted::Cancel => store.scan_all = None,
        Wanted::Periodic { kind, cron } => {
            let now = Timestamp::now();
            let next = match store.scan_all.take() {
                Some(existing) => Schedule {
                    kind,
                    cron,
                    update_time: now,
                    ..existing
                },
                None => Schedule {
                    id: store.seq.schedule(),
                    kind,
                    cron,
                    creation_time: now,
                    update_time: now,
                },
            };
            store.scan_all = Some(next);
        }
    }
    Ok(ok_empty())
}
