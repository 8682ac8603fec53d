//! Test control outside the Harbor API (`/_emulator/...`): request counters, fault injection, seeding,
//! and ageing robots until they expire.

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::state::{App, Repository};
use crate::util::{Timestamp, is_valid_repository_path, ok_json, parse_body};

/// Counts API requests by method and route template.
#[derive(Debug, Default)]
pub struct RequestCounter {
    inner: Mutex<BTreeMap<String, u64>>,
}

impl RequestCounter {
    pub fn record(&self, key: String) {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(key).or_default() += 1;
    }

    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn reset(&self) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// What the fault injector decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    Status(StatusCode),
    /// Closed before the request is processed: nothing happened on the server.
    DropConnection,
    /// Processed, then closed without the response: the change happened but the client
    /// cannot know (a lost answer, as after a proxy or load-balancer reset).
    DropAfterProcessing,
}

#[derive(Debug)]
struct FaultPlan {
    latency_ms: u64,
    error_rate: f64,
    /// One is drawn per error, uniformly.
    error_statuses: Vec<StatusCode>,
    reset_rate: f64,
    reset_after_rate: f64,
    rng: StdRng,
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            error_statuses: vec![StatusCode::SERVICE_UNAVAILABLE],
            reset_rate: 0.0,
            reset_after_rate: 0.0,
            rng: StdRng::seed_from_u64(0),
        }
    }
}

/// Seeded, therefore reproducible, fault injection for `/api` requests.
#[derive(Debug, Default)]
pub struct Faults {
    plan: Mutex<FaultPlan>,
    /// Faults injected since the plan was last set, by kind (`503`, `reset`, `reset_after`).
    injected: RequestCounter,
}

impl Faults {
    /// Extra latency and the fault for the next request; draws come from one seeded sequence.
    pub fn next(&self) -> (u64, Fault) {
        let mut plan = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        if plan.error_rate <= 0.0 && plan.reset_rate <= 0.0 && plan.reset_after_rate <= 0.0 {
            return (plan.latency_ms, Fault::None);
        }
        let draw: f64 = plan.rng.random();
        let fault = if draw < plan.error_rate {
            let choices = plan.error_statuses.len();
            let pick = plan.rng.random_range(0..choices);
            Fault::Status(plan.error_statuses[pick])
        } else if draw < plan.error_rate + plan.reset_rate {
            Fault::DropConnection
        } else if draw < plan.error_rate + plan.reset_rate + plan.reset_after_rate {
            Fault::DropAfterProcessing
        } else {
            Fault::None
        };
        match fault {
            Fault::None => {}
            Fault::Status(status) => self.injected.record(status.as_u16().to_string()),
            Fault::DropConnection => self.injected.record("reset".into()),
            Fault::DropAfterProcessing => self.injected.record("reset_after".into()),
        }
        (plan.latency_ms, fault)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    #[serde(default)]
    latency_ms: u64,
    #[serde(default)]
    error_rate: f64,
    error_status: Option<u16>,
    /// Several statuses to mix, e.g. `[503, 429]`; excludes `error_status`.
    error_statuses: Option<Vec<u16>>,
    #[serde(default)]
    reset_rate: f64,
    #[serde(default)]
    reset_after_rate: f64,
    #[serde(default)]
    seed: u64,
}

/// `GET /_emulator/requests`
pub async fn requests(State(app): State<App>) -> Response {
    let by_route = app.counter.snapshot();
    let total: u64 = by_route.values().sum();
    ok_json(json!({"total": total, "by_route": by_route}))
}

/// `POST /_emulator/reset`: clears the counters and the exchange log; Harbor state stays.
pub async fn reset(State(app): State<App>) -> Response {
    app.counter.reset();
    app.exchanges.clear();
    ok_json(json!({}))
}

/// `GET /_emulator/faults`: `{"injected": {"503": N, "reset": N, ...}, "total": N}` since the
/// faults were last set.
pub async fn injected(State(app): State<App>) -> Response {
    let injected = app.faults.injected.snapshot();
    let total: u64 = injected.values().sum();
    ok_json(json!({"injected": injected, "total": total}))
}

/// `POST /_emulator/faults`
pub async fn faults(State(app): State<App>, body: Bytes) -> ApiResult {
    let req: FaultRequest = parse_body(&body)?;
    let in_range = |r: f64| (0.0..=1.0).contains(&r);
    if !in_range(req.error_rate)
        || !in_range(req.reset_rate)
        || !in_range(req.reset_after_rate)
        || req.error_rate + req.reset_rate + req.reset_after_rate > 1.0
    {
        return Err(ApiError::bad_request(
            "error_rate, reset_rate and reset_after_rate must be within 0..1 and sum to at most 1",
        ));
    }
    let codes = match (req.error_status, req.error_statuses) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give error_status or error_statuses, not both",
            ));
        }
        (Some(code), None) => vec![code],
        (None, Some(codes)) if !codes.is_empty() => codes,
        (None, Some(_)) => return Err(ApiError::bad_request("error_statuses is empty")),
        (None, None) => vec![StatusCode::SERVICE_UNAVAILABLE.as_u16()],
    };
    let error_statuses = codes
        .into_iter()
        .map(|code| {
            StatusCode::from_u16(code)
                .ok()
                .filter(|s| s.is_client_error() || s.is_server_error())
                .ok_or_else(|| ApiError::bad_request("error_status must be a 4xx or 5xx status"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut plan = app.faults.plan.lock().unwrap_or_else(|e| e.into_inner());
    *plan = FaultPlan {
        latency_ms: req.latency_ms,
        error_rate: req.error_rate,
        error_statuses,
        reset_rate: req.reset_rate,
        reset_after_rate: req.reset_after_rate,
        rng: StdRng::seed_from_u64(req.seed),
    };
    app.faults.injected.reset();
    Ok(ok_json(json!({})))
}

#[derive(Debug, Deserialize)]
struct SeedRepository {
    name: String,
}

/// `POST /_emulator/projects/{name}/repositories`: stands in for `docker push`.
pub async fn seed_repository(
    State(app): State<App>,
    Path(project): Path<String>,
    body: Bytes,
) -> ApiResult {
    let req: SeedRepository = parse_body(&body)?;
    if !is_valid_repository_path(&req.name) {
        return Err(ApiError::bad_request(format!(
            "invalid repository name {}",
            req.name
        )));
    }
    let mut store = app.store();
    let project_id = store
        .project_by_name(&project)
        .map(|p| p.id)
        .ok_or_else(|| ApiError::not_found(format!("project {project} not found")))?;
    let full = format!("{project}/{}", req.name);
    if store.repositories.values().any(|r| r.name == full) {
        return Err(ApiError::conflict(format!(
            "repository {full} already exists"
        )));
    }
    let now = Timestamp::now();
    let id = store.seq.repository();
    let repo = Repository {
        id,
        project_id,
        name: full,
        creation_time: now,
        update_time: now,
    };
    let body = crate::repositories::repository_json(&repo);
    store.repositories.insert(id, repo);
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// `POST /_emulator/robots/{id}/expire`: moves the robot's creation time back by its duration and
/// one more second, so it has just expired as Harbor computes it (`creation_time + duration` days).
/// Harbor's API cannot make an expired robot: durations are whole days from creation.
pub async fn expire_robot(State(app): State<App>, Path(id): Path<i64>) -> ApiResult {
    let mut store = app.store();
    let robot = store
        .robots
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(format!("robot {id} not found")))?;
    if robot.duration == -1 {
        return Err(ApiError::bad_request(
            "robot never expires (duration -1); give it a duration first",
        ));
    }
    let age_ms = (robot.duration * 86_400 + 1) * 1000;
    robot.creation_time = Timestamp(Timestamp::now().0 - age_ms);
    robot.expires_at = robot.creation_time.unix_seconds() + robot.duration * 86_400;
    Ok(ok_json(json!({"expires_at": robot.expires_at})))
}
