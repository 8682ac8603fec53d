//! Test control outside the Harbor API (`/_emulator/...`): request counters, fault injection, seeding,
//! and ageing robots until they expire.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
    seed: u64,
    /// `METHOD /path` (no query) of requests never faulted, e.g. the provider's configure calls.
    spare: Vec<String>,
    /// How many times each request identity (see [`Faults::next`]) has been seen.
    seen: HashMap<u64, u64>,
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            error_statuses: vec![StatusCode::SERVICE_UNAVAILABLE],
            reset_rate: 0.0,
            reset_after_rate: 0.0,
            seed: 0,
            spare: Vec::new(),
            seen: HashMap::new(),
        }
    }
}

/// One injected fault, for `GET /_emulator/faults`: which request, its how-manieth
/// occurrence, and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct InjectedFault {
    pub method: String,
    pub target: String,
    pub occurrence: u64,
    pub fault: String,
}

/// Seeded fault injection for `/api` requests, reproducible whatever the interleaving.
#[derive(Debug, Default)]
pub struct Faults {
    plan: Mutex<FaultPlan>,
    /// Faults injected since the plan was last set, by kind (`503`, `reset`, `reset_after`).
    injected: RequestCounter,
    /// The same, one entry per fault, in arrival order.
    log: Mutex<Vec<InjectedFault>>,
}

impl Faults {
    /// Extra latency and the fault for one request.
    ///
    /// The decision is a hash of the seed, the request's identity (method, path with query,
    /// and body) and how many times that identity has been seen before, never a shared random
    /// stream: with a stream, which request got the n-th draw depended on how Terraform's
    /// parallel operations happened to interleave, so a failure seen once could not be
    /// replayed. Now the second `POST /projects` carrying project `a` gets the same fault for
    /// the same seed, whatever ran before or beside it. (Paths holding ids the emulator assigned,
    /// such as `/projects/17`, are only as stable as the order the objects were created in.)
    pub fn next(&self, method: &str, target: &str, body: &[u8]) -> (u64, Fault) {
        let mut plan = self.plan.lock().unwrap_or_else(|e| e.into_inner());
        if plan.error_rate <= 0.0 && plan.reset_rate <= 0.0 && plan.reset_after_rate <= 0.0 {
            return (plan.latency_ms, Fault::None);
        }
        let path = target.split('?').next().unwrap_or(target);
        if plan.spare.iter().any(|s| *s == format!("{method} {path}")) {
            return (plan.latency_ms, Fault::None);
        }
        let identity = fnv1a(&[method.as_bytes(), b" ", target.as_bytes(), b"\n", body]);
        let occurrence = {
            let n = plan.seen.entry(identity).or_default();
            *n += 1;
            *n
        };
        let draw = unit(mix(plan.seed, identity, occurrence, 0));
        let fault = if draw < plan.error_rate {
            let choices = plan.error_statuses.len() as u64;
            let pick = mix(plan.seed, identity, occurrence, 1) % choices;
            Fault::Status(plan.error_statuses[pick as usize])
        } else if draw < plan.error_rate + plan.reset_rate {
            Fault::DropConnection
        } else if draw < plan.error_rate + plan.reset_rate + plan.reset_after_rate {
            Fault::DropAfterProcessing
        } else {
            Fault::None
        };
        let kind = match fault {
            Fault::None => return (plan.latency_ms, fault),
            Fault::Status(status) => status.as_u16().to_string(),
            Fault::DropConnection => "reset".to_owned(),
            Fault::DropAfterProcessing => "reset_after".to_owned(),
        };
        self.injected.record(kind.clone());
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(InjectedFault {
                method: method.to_owned(),
                target: target.to_owned(),
                occurrence,
                fault: kind,
            });
        (plan.latency_ms, fault)
    }
}

/// FNV-1a over the parts: stable across runs and builds, unlike std's `DefaultHasher`.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// SplitMix64's finaliser over the inputs: well-spread bits from structured ones.
fn mix(seed: u64, identity: u64, occurrence: u64, salt: u64) -> u64 {
    let mut z = seed
        ^ identity.rotate_left(17)
        ^ occurrence.wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ salt.wrapping_mul(0xd1b5_4a32_d192_ed03);
    for _ in 0..2 {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
    }
    z
}

/// The top 53 bits as a float in `[0, 1)`.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
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
    /// Requests never faulted, as `METHOD /api/v2.0/path` (query ignored).
    #[serde(default)]
    spare: Vec<String>,
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

/// `GET /_emulator/faults`: `{"injected": {"503": N, "reset": N, ...}, "total": N, "log": [...]}`
/// since the faults were last set; `log` has one entry per fault, in arrival order.
pub async fn injected(State(app): State<App>) -> Response {
    let injected = app.faults.injected.snapshot();
    let total: u64 = injected.values().sum();
    let log = app
        .faults
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    ok_json(json!({"injected": injected, "total": total, "log": log}))
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
        seed: req.seed,
        spare: req.spare,
        seen: HashMap::new(),
    };
    app.faults.injected.reset();
    app.faults
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
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
    // A push fires PUSH_ARTIFACT; with no tag in the push Harbor's reference is the digest.
    let deliveries = store.projects.get(&project_id).map(|p| {
        crate::webhooks::artifact_deliveries(
            &app,
            &store,
            &crate::webhooks::ArtifactEvent {
                event_type: "PUSH_ARTIFACT",
                project: p,
                repository: &repo.name,
                repository_created: Some(repo.creation_time),
                digest: crate::webhooks::seeded_digest(&repo.name),
                tag: None,
                operator: crate::state::ADMIN_USERNAME,
            },
        )
    });
    store.repositories.insert(id, repo);
    drop(store);
    crate::webhooks::send(&app, deliveries.unwrap_or_default());
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
