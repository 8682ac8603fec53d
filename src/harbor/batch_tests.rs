//! Batched reads against the Harbor emulator: concurrent reads answered by lists with the same
//! answers as single reads, the confirming GET, no batching for a few reads, writes dropping
//! what was gathered, and faults. Costs are the emulator's own request counters.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};

use super::super::models::{CveAllowlist, CveAllowlistItem, Project, ProjectMetadata, ProjectReq};
use super::super::{Client, ClientConfig, ProjectRef};
use super::PROBE_AFTER;

struct Emulator {
    running: harbor_emulator::Running,
    http: reqwest::Client,
}

impl Emulator {
    async fn start() -> Emulator {
        let running = harbor_emulator::start(harbor_emulator::Config::default())
            .await
            .expect("emulator");
        Emulator {
            running,
            http: reqwest::Client::new(),
        }
    }

    fn config(&self) -> ClientConfig {
        let mut config =
            ClientConfig::new(self.running.base_url()).with_basic_auth("admin", "Harbor12345");
        config.retry_base_delay = Duration::from_millis(5);
        config.retry_max_delay = Duration::from_millis(20);
        config
    }

    /// A client as configure builds it: a new one per command, connected (which reads the
    /// configuration), with the counters reset afterwards.
    async fn command(&self) -> Client {
        self.command_with(self.config()).await
    }

    async fn command_with(&self, config: ClientConfig) -> Client {
        let client = Client::new(config).unwrap();
        client.connect().await.expect("connect");
        self.reset().await;
        client
    }

    async fn control(&self, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/_emulator/{path}", self.running.base_url());
        let req = match body {
            Some(b) => self.http.post(url).json(&b),
            None => self.http.get(url),
        };
        req.send().await.unwrap().json().await.unwrap()
    }

    async fn reset(&self) {
        self.control("reset", Some(json!({}))).await;
    }

    /// API requests since the last reset, by `METHOD route` without the `/api/v2.0` prefix.
    async fn requests(&self) -> BTreeMap<String, u64> {
        let j = self.control("requests", None).await;
        j["by_route"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.replace("/api/v2.0", ""), v.as_u64().unwrap()))
            .collect()
    }
}

fn count(requests: &BTreeMap<String, u64>, route: &str) -> u64 {
    requests.get(route).copied().unwrap_or(0)
}

fn total(requests: &BTreeMap<String, u64>) -> u64 {
    requests.values().sum()
}

const GET_ONE: &str = "GET /projects/{project_name_or_id}";
const LIST: &str = "GET /projects";
const SUMMARY: &str = "GET /projects/{project_name_or_id}/summary";
const QUOTAS: &str = "GET /quotas";

/// `n` projects, each set apart: public or not, scanning, severity, allowlist, quota.
async fn seed(client: &Client, prefix: &str, n: i64) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let req = ProjectReq {
            project_name: Some(format!("{prefix}-{i}")),
            metadata: Some(ProjectMetadata {
                public: Some((i % 2 == 0).to_string()),
                auto_scan: Some((i % 3 == 0).to_string()),
                prevent_vul: Some((i % 4 == 0).to_string()),
                severity: (i % 4 == 0).then(|| "high".to_string()),
                ..ProjectMetadata::default()
            }),
            storage_limit: Some(if i % 5 == 0 { -1 } else { i * 1024 }),
            ..ProjectReq::default()
        };
        let id = client.create_project(&req).await.unwrap();
        if i % 3 == 1 {
            let update = ProjectReq {
                cve_allowlist: Some(CveAllowlist {
                    items: vec![CveAllowlistItem {
                        cve_id: format!("CVE-2024-{i}"),
                    }],
                    project_id: Some(id),
                    ..CveAllowlist::default()
                }),
                ..ProjectReq::default()
            };
            client
                .update_project(&ProjectRef::Id(id), &update)
                .await
                .unwrap();
        }
        ids.push(id);
    }
    ids
}

type Read = (
    Result<Project, super::Error>,
    Result<Option<i64>, super::Error>,
);

/// Reads every id at once, as Terraform's parallel refresh does.
async fn read_all(client: &Client, ids: &[i64]) -> Vec<Read> {
    join_all(ids.iter().map(|&id| async move {
        tokio::join!(client.read_project(id), client.read_project_storage(id))
    }))
    .await
}

/// The answers of the unbatched calls, from a client of its own.
async fn singles(e: &Emulator, ids: &[i64]) -> Vec<(Project, Option<i64>)> {
    let client = Client::new(e.config()).unwrap();
    let mut out = Vec::new();
    for &id in ids {
        let p = client.get_project(&ProjectRef::Id(id)).await.unwrap();
        let s = client.project_summary(&ProjectRef::Id(id)).await.unwrap();
        out.push((p, s.quota.and_then(|q| q.hard.storage)));
    }
    out
}

fn unwrap_all(reads: Vec<Read>) -> Vec<(Project, Option<i64>)> {
    reads
        .into_iter()
        .map(|(p, s)| (p.unwrap(), s.unwrap()))
        .collect()
}

#[tokio::test]
async fn concurrent_reads_are_answered_by_one_list_with_what_single_reads_return() {
    let e = Emulator::start().await;
    let ids = seed(&e.command().await, "conc", 30).await;
    let expected = singles(&e, &ids).await;

    // Fewer than PROBE_AFTER: one id list for the projects; the quotas, which no list
    // selects by id, read one by one.
    let few = PROBE_AFTER as usize - 1;
    let client = e.command().await;
    let got = unwrap_all(read_all(&client, &ids[..few]).await);
    let requests = e.requests().await;
    assert_eq!(got, expected[..few]);
    assert_eq!(count(&requests, LIST), 1, "{requests:?}");
    assert_eq!(count(&requests, GET_ONE), 0, "{requests:?}");
    assert_eq!(count(&requests, SUMMARY), few as u64, "{requests:?}");
    assert_eq!(total(&requests), few as u64 + 1, "{requests:?}");

    // All 30 at once are more than PROBE_AFTER: the first page of each whole list holds
    // them all, one request for the projects and one for the quotas.
    let client = e.command().await;
    let got = unwrap_all(read_all(&client, &ids).await);
    let requests = e.requests().await;
    assert_eq!(got, expected);
    assert_eq!(count(&requests, LIST), 1, "{requests:?}");
    assert_eq!(count(&requests, QUOTAS), 1, "{requests:?}");
    assert_eq!(total(&requests), 2, "{requests:?}");
}

/// A Harbor of 450 projects (five pages), of which 60 outside the first page are refreshed
/// ten at a time: the first round fetches the first page (learning the total) and lists its
/// ids; id lists follow until what they cost, with the next round's, reaches the four pages
/// left; then the four pages, and nothing after.
#[tokio::test]
async fn whole_lists_are_bought_once_the_id_lists_spent_reach_the_pages_left() {
    let e = Emulator::start().await;
    let admin = e.command().await;
    seed(&admin, "pages", 450).await;
    let first_page: Vec<i64> = <super::Projects as super::Source>::page(admin.clone(), (), 1)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut managed: Vec<i64> = Vec::new();
    for page in 2..=5 {
        let ids = <super::Projects as super::Source>::page(admin.clone(), (), page)
            .await
            .unwrap()
            .0;
        managed.extend(
            ids.into_iter()
                .map(|(id, _)| id)
                .filter(|id| !first_page.contains(id)),
        );
    }
    assert!(managed.len() >= 60, "{}", managed.len());
    managed.truncate(60);
    let expected = singles(&e, &managed).await;
    let client = e.command().await;
    let mut lists = Vec::new();
    for (round, chunk) in managed.chunks(10).enumerate() {
        let got = join_all(chunk.iter().map(|&id| client.read_project(id))).await;
        let got: Vec<Project> = got.into_iter().map(Result::unwrap).collect();
        let want: Vec<Project> = expected[round * 10..round * 10 + 10]
            .iter()
            .map(|(p, _)| p.clone())
            .collect();
        assert_eq!(got, want, "round {round}");
        let requests = e.requests().await;
        assert_eq!(total(&requests), count(&requests, LIST), "{requests:?}");
        lists.push(count(&requests, LIST));
        e.reset().await;
    }
    assert_eq!(lists, vec![2, 1, 1, 4, 0, 0]);
}

/// Reads as Terraform's refresh sends them: ten at a time (its default `-parallelism`), each
/// ten different, 12 rounds over 120 projects.
#[tokio::test]
async fn whole_lists_answer_reads_once_a_type_has_cost_enough() {
    let e = Emulator::start().await;
    let ids = seed(&e.command().await, "whole", 120).await;
    let expected = singles(&e, &ids).await;
    let client = e.command().await;
    let mut per_round = Vec::new();
    for (round, chunk) in ids.chunks(10).enumerate() {
        let got = unwrap_all(read_all(&client, chunk).await);
        assert_eq!(got, expected[round * 10..round * 10 + 10], "round {round}");
        per_round.push(e.requests().await);
        e.reset().await;
    }
    // The first round's ten reads are PROBE_AFTER reads of each type: each batch fetches the
    // first page of its whole list (100 of 120, and the total). The reads that page did not
    // answer would cost as much as the one page left (one id list; ten summaries), so the
    // second page follows at once. Nothing costs a request after that: 4 requests for 120
    // projects and their quotas, where single reads cost 240.
    assert_eq!(
        (count(&per_round[0], LIST), count(&per_round[0], QUOTAS)),
        (2, 2),
        "{per_round:?}"
    );
    assert_eq!(count(&per_round[0], SUMMARY), 0, "{per_round:?}");
    assert_eq!(count(&per_round[0], GET_ONE), 0, "{per_round:?}");
    let all: u64 = per_round.iter().map(total).sum();
    assert_eq!(all, 4, "{per_round:?}");
}

#[tokio::test]
async fn an_object_missing_from_a_list_is_confirmed_by_its_own_get() {
    let e = Emulator::start().await;
    let admin = e.command().await;
    let ids = seed(&admin, "gone", 4).await;
    let client = e.command().await;
    // Deleted behind the provider's back, between the command's start and its reads.
    admin.delete_project(&ProjectRef::Id(ids[3])).await.unwrap();
    e.reset().await;
    let reads = read_all(&client, &ids).await;
    let requests = e.requests().await;
    for read in &reads[..3] {
        assert!(read.0.is_ok() && read.1.is_ok(), "{read:?}");
    }
    let (project, _) = &reads[3];
    assert!(
        project.as_ref().is_err_and(|e| e.is_not_found()),
        "{project:?}"
    );
    assert_eq!(count(&requests, LIST), 1, "{requests:?}");
    assert_eq!(
        count(&requests, GET_ONE),
        1,
        "only the missing one is read alone: {requests:?}"
    );
}

#[tokio::test]
async fn an_object_missing_from_a_whole_list_is_found_or_confirmed_by_its_own_get() {
    let e = Emulator::start().await;
    let admin = e.command().await;
    let ids = seed(&admin, "late", 12).await;
    let client = e.command().await;
    for _ in 0..=PROBE_AFTER {
        for read in read_all(&client, &ids).await {
            assert!(read.0.is_ok() && read.1.is_ok(), "{read:?}");
        }
    }
    // The whole lists are in; now one project appears and one goes, behind the provider's back.
    let late = seed(&admin, "late-new", 1).await[0];
    admin.delete_project(&ProjectRef::Id(ids[0])).await.unwrap();
    e.reset().await;
    let (p, s) = tokio::join!(client.read_project(late), client.read_project_storage(late));
    assert_eq!(p.unwrap().name, "late-new-0");
    assert_eq!(s.unwrap(), Some(-1));
    let gone = client.read_project(ids[0]).await;
    let requests = e.requests().await;
    assert_eq!(
        (count(&requests, GET_ONE), count(&requests, SUMMARY)),
        (1, 1),
        "the new project, read alone: {requests:?}"
    );
    // The deleted one is still in the whole list this command fetched: its answer is from
    // this command, the rule; a later command reads it as gone.
    assert!(gone.is_ok());
    let next = e.command().await;
    let gone = next.read_project(ids[0]).await;
    assert!(gone.is_err_and(|e| e.is_not_found()));
}

#[tokio::test]
async fn a_few_reads_cost_no_more_than_single_reads_and_list_nothing_whole() {
    let e = Emulator::start().await;
    let admin = e.command().await;
    // A Harbor larger than one page, of which three projects are managed.
    let ids = seed(&admin, "big", 150).await;
    let managed = [ids[3], ids[77], ids[140]];
    let expected = singles(&e, &managed).await;

    let client = e.command().await;
    let one = unwrap_all(read_all(&client, &managed[..1]).await);
    let requests = e.requests().await;
    assert_eq!(one, expected[..1]);
    assert_eq!(
        count(&requests, LIST),
        0,
        "a batch of one is a GET: {requests:?}"
    );
    assert_eq!(total(&requests), 2, "{requests:?}");

    let client = e.command().await;
    let three = unwrap_all(read_all(&client, &managed).await);
    let requests = e.requests().await;
    assert_eq!(three, expected);
    assert!(total(&requests) <= 6, "{requests:?}");
    assert_eq!(count(&requests, QUOTAS), 0, "{requests:?}");
    assert_eq!(count(&requests, LIST), 1, "one id list: {requests:?}");
}

#[tokio::test]
async fn a_write_drops_what_reads_gathered() {
    let e = Emulator::start().await;
    let ids = seed(&e.command().await, "write", 12).await;
    let client = e.command().await;
    for _ in 0..=PROBE_AFTER {
        read_all(&client, &ids).await;
    }
    e.reset().await;
    read_all(&client, &ids).await;
    assert_eq!(
        total(&e.requests().await),
        0,
        "all from this command's lists"
    );
    let update = ProjectReq {
        metadata: Some(ProjectMetadata {
            auto_scan: Some("true".into()),
            public: Some("true".into()),
            ..ProjectMetadata::default()
        }),
        ..ProjectReq::default()
    };
    client
        .update_project(&ProjectRef::Id(ids[1]), &update)
        .await
        .unwrap();
    let quota = client.list_project_quotas(ids[1]).await.unwrap()[0].id;
    client.update_quota_storage(quota, 4096).await.unwrap();
    let (p, s) = tokio::join!(
        client.read_project(ids[1]),
        client.read_project_storage(ids[1])
    );
    let p = p.unwrap();
    assert_eq!(
        (
            p.metadata.public.as_deref(),
            p.metadata.auto_scan.as_deref()
        ),
        (Some("true"), Some("true"))
    );
    assert_eq!(s.unwrap(), Some(4096));
}

#[tokio::test]
async fn reads_under_faults_give_the_same_answers_or_the_errors_of_single_reads() {
    let e = Emulator::start().await;
    let ids = seed(&e.command().await, "fault", 20).await;
    let expected = singles(&e, &ids).await;
    let faults = json!({"error_rate": 0.2, "error_statuses": [503, 429], "reset_rate": 0.05,
        "reset_after_rate": 0.05, "seed": 11});

    // With retries (the default provider settings give 4; here 10), every read gets through.
    let mut config = e.config();
    config.max_retries = 10;
    let client = e.command_with(config).await;
    e.control("faults", Some(faults.clone())).await;
    // Round 1 reads by id lists and single summaries, round 2 lists the quotas whole.
    for round in 0..2 {
        let got = unwrap_all(read_all(&client, &ids).await);
        assert_eq!(got, expected, "round {round}");
    }
    let injected = e.control("faults", None).await;
    assert!(injected["total"].as_u64().unwrap() > 0, "{injected}");

    // Without retries some reads fail; each failure is a read's own (503, 429 or a dropped
    // connection), never a wrong answer, and a failed list falls back to single reads.
    // Each round is a command of its own: within one, the first round's whole lists would
    // answer the later rounds without a request for the faults to hit.
    e.control("faults", Some(json!({"error_rate": 0.0}))).await;
    let mut config = e.config();
    config.max_retries = 0;
    let mut commands = Vec::new();
    for _ in 0..6 {
        commands.push(e.command_with(config.clone()).await);
    }
    e.control("faults", Some(faults)).await;
    let mut failures = 0;
    for client in &commands {
        for (read, want) in read_all(client, &ids).await.into_iter().zip(&expected) {
            match read.0 {
                Ok(p) => assert_eq!(&p, &want.0),
                Err(err) => {
                    failures += 1;
                    assert!(
                        matches!(err.status(), Some(503 | 429)) || err.status().is_none(),
                        "{err}"
                    );
                    assert!(!err.is_not_found(), "{err}");
                }
            }
            match read.1 {
                Ok(s) => assert_eq!(s, want.1),
                Err(err) => {
                    failures += 1;
                    assert!(!err.is_not_found(), "{err}");
                }
            }
        }
    }
    assert!(failures > 0, "the faults reached the reads");
}

/// A list Harbor refuses (here: every list answers 500) is not an error of its own: the reads
/// go the single-GET way, whose answers count.
#[tokio::test]
async fn a_failing_list_falls_back_to_single_reads() {
    use axum::Router;
    use axum::extract::Path;
    use axum::routing::get;
    let router = Router::new()
        .route(
            "/api/v2.0/projects",
            get(|| async { (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "{}") }),
        )
        .route(
            "/api/v2.0/projects/{id}",
            get(|Path(id): Path<i64>| async move {
                axum::Json(json!({"project_id": id, "name": format!("p{id}"), "metadata": {}}))
            }),
        )
        .route(
            "/api/v2.0/projects/{id}/summary",
            get(|| async { axum::Json(json!({"quota": {"hard": {"storage": 7}}})) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = Client::new(ClientConfig::new(url)).unwrap();
    let ids = [1, 2, 3];
    let reads = read_all(&client, &ids).await;
    for (read, id) in reads.into_iter().zip(ids) {
        assert_eq!(read.0.unwrap().name, format!("p{id}"));
        assert_eq!(read.1.unwrap(), Some(7));
    }
}

// ------------------------------------------------ robots, registries, replication policies

use super::super::models::{Registry, ReplicationPolicy, Robot};

const ROBOT_ONE: &str = "GET /robots/{robot_id}";
const ROBOTS: &str = "GET /robots";
const REGISTRY_ONE: &str = "GET /registries/{id}";
const REGISTRIES: &str = "GET /registries";
const POLICY_ONE: &str = "GET /replication/policies/{id}";
const POLICIES: &str = "GET /replication/policies";

impl Emulator {
    /// `POST path` as admin; the new object's id.
    async fn create(&self, path: &str, body: Value) -> i64 {
        let resp = self
            .http
            .post(format!("{}/api/v2.0{path}", self.running.base_url()))
            .basic_auth("admin", Some("Harbor12345"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201, "{path}");
        let location = resp.headers()["location"].to_str().unwrap().to_owned();
        location.rsplit('/').next().unwrap().parse().unwrap()
    }

    async fn delete(&self, path: &str) {
        let resp = self
            .http
            .delete(format!("{}/api/v2.0{path}", self.running.base_url()))
            .basic_auth("admin", Some("Harbor12345"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
}

/// `n` of each: system robots, robots of one project, registries and push policies, each
/// set apart (descriptions, permissions, credentials, triggers, filters).
struct Mixed {
    project: i64,
    project_name: String,
    system_robots: Vec<i64>,
    project_robots: Vec<i64>,
    registries: Vec<i64>,
    policies: Vec<i64>,
}

async fn seed_mixed(e: &Emulator, prefix: &str, n: usize) -> Mixed {
    let project_name = format!("{prefix}-robots");
    let project = e
        .create("/projects", json!({"project_name": project_name}))
        .await;
    let access = |actions: &[&str], resource: &str| -> Value {
        actions
            .iter()
            .map(|a| json!({"resource": resource, "action": a}))
            .collect()
    };
    let mut m = Mixed {
        project,
        project_name: project_name.clone(),
        system_robots: Vec::new(),
        project_robots: Vec::new(),
        registries: Vec::new(),
        policies: Vec::new(),
    };
    for i in 0..n {
        let actions: &[&str] = if i % 2 == 0 {
            &["list"]
        } else {
            &["list", "read"]
        };
        m.system_robots.push(
            e.create(
                "/robots",
                json!({"name": format!("{prefix}-s{i}"), "level": "system", "duration": -1,
                    "description": format!("system {i}"),
                    "permissions": [{"kind": "system", "namespace": "/", "access": access(actions, "registry")}]}),
            )
            .await,
        );
        let actions: &[&str] = if i % 3 == 0 {
            &["pull"]
        } else {
            &["pull", "push"]
        };
        m.project_robots.push(
            e.create(
                "/robots",
                json!({"name": format!("{prefix}-p{i}"), "level": "project", "duration": 30,
                    "permissions": [{"kind": "project", "namespace": project_name, "access": access(actions, "repository")}]}),
            )
            .await,
        );
        let mut registry = json!({"name": format!("{prefix}-g{i}"), "type": "docker-hub",
            "url": "https://hub.docker.com", "insecure": i % 2 == 0, "description": format!("r{i}")});
        if i % 3 == 1 {
            registry["credential"] =
                json!({"type": "basic", "access_key": format!("k{i}"), "access_secret": "s"});
        }
        m.registries.push(e.create("/registries", registry).await);
    }
    for i in 0..n {
        let trigger = if i % 2 == 0 {
            json!({"type": "manual"})
        } else {
            json!({"type": "scheduled", "trigger_settings": {"cron": "0 0 */2 * * *"}})
        };
        m.policies.push(
            e.create(
                "/replication/policies",
                json!({"name": format!("{prefix}-x{i}"), "dest_registry": {"id": m.registries[i % m.registries.len()]},
                    "enabled": i % 3 != 0, "trigger": trigger, "dest_namespace": format!("ns{i}"),
                    "filters": [{"type": "name", "value": format!("lib{i}/**")}]}),
            )
            .await,
        );
    }
    m
}

type Mix<T> = Vec<Result<T, super::Error>>;

/// Reads every object of `m` at once, as Terraform's parallel refresh does.
async fn read_mixed(
    client: &Client,
    m: &Mixed,
) -> (
    Mix<Robot>,
    Mix<Robot>,
    Mix<Registry>,
    Mix<ReplicationPolicy>,
) {
    let project = Some(m.project_name.as_str());
    tokio::join!(
        join_all(
            m.system_robots
                .iter()
                .map(|&id| client.read_robot(id, None))
        ),
        join_all(
            m.project_robots
                .iter()
                .map(|&id| client.read_robot(id, project))
        ),
        join_all(m.registries.iter().map(|&id| client.read_registry(id))),
        join_all(
            m.policies
                .iter()
                .map(|&id| client.read_replication_policy(id))
        ),
    )
}

/// The unbatched answers, from a client of its own.
async fn mixed_singles(
    e: &Emulator,
    m: &Mixed,
) -> (
    Vec<Robot>,
    Vec<Robot>,
    Vec<Registry>,
    Vec<ReplicationPolicy>,
) {
    let client = Client::new(e.config()).unwrap();
    let mut out = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &id in &m.system_robots {
        out.0.push(client.get_robot(id).await.unwrap());
    }
    for &id in &m.project_robots {
        out.1.push(client.get_robot(id).await.unwrap());
    }
    for &id in &m.registries {
        out.2.push(client.get_registry(id).await.unwrap());
    }
    for &id in &m.policies {
        out.3.push(client.get_replication_policy(id).await.unwrap());
    }
    out
}

fn oks<T: std::fmt::Debug>(reads: Mix<T>) -> Vec<T> {
    reads.into_iter().map(Result::unwrap).collect()
}

/// A client of a new command that has read `m`'s project, as a refresh reads the project
/// before the robots that name it; counters reset afterwards.
async fn command_knowing(e: &Emulator, m: &Mixed) -> Client {
    let client = e.command().await;
    client.read_project(m.project).await.unwrap();
    e.reset().await;
    client
}

#[tokio::test]
async fn concurrent_reads_of_robots_registries_and_policies_are_answered_by_lists() {
    let e = Emulator::start().await;
    let m = seed_mixed(&e, "mix", 12).await;
    let expected = mixed_singles(&e, &m).await;
    let client = command_knowing(&e, &m).await;
    let (system, project, registries, policies) = read_mixed(&client, &m).await;
    let requests = e.requests().await;
    assert_eq!(oks(system), expected.0);
    assert_eq!(oks(project), expected.1);
    assert_eq!(oks(registries), expected.2);
    assert_eq!(oks(policies), expected.3);
    // One list of system robots, one of the project's robots, one of registries, one of
    // policies; no single GET.
    assert_eq!(count(&requests, ROBOTS), 2, "{requests:?}");
    assert_eq!(count(&requests, REGISTRIES), 1, "{requests:?}");
    assert_eq!(count(&requests, POLICIES), 1, "{requests:?}");
    assert_eq!(total(&requests), 4, "{requests:?}");
}

#[tokio::test]
async fn a_robot_registry_or_policy_missing_from_a_list_is_confirmed_by_its_own_get() {
    let e = Emulator::start().await;
    let m = seed_mixed(&e, "miss", 4).await;
    let client = command_knowing(&e, &m).await;
    // Deleted behind the provider's back (policy first: a used registry cannot go).
    e.delete(&format!("/replication/policies/{}", m.policies[3]))
        .await;
    e.delete(&format!("/registries/{}", m.registries[3])).await;
    e.delete(&format!("/robots/{}", m.system_robots[3])).await;
    e.delete(&format!("/robots/{}", m.project_robots[3])).await;
    e.reset().await;
    let (system, project, registries, policies) = read_mixed(&client, &m).await;
    let requests = e.requests().await;
    fn check<T: std::fmt::Debug>(reads: &Mix<T>) {
        assert!(reads[..3].iter().all(Result::is_ok), "{reads:?}");
        assert!(
            reads[3].as_ref().is_err_and(|e| e.is_not_found()),
            "{:?}",
            reads[3]
        );
    }
    check(&system);
    check(&project);
    check(&registries);
    check(&policies);
    assert_eq!(
        (
            count(&requests, ROBOTS),
            count(&requests, REGISTRIES),
            count(&requests, POLICIES)
        ),
        (2, 1, 1),
        "{requests:?}"
    );
    assert_eq!(
        (
            count(&requests, ROBOT_ONE),
            count(&requests, REGISTRY_ONE),
            count(&requests, POLICY_ONE)
        ),
        (2, 1, 1),
        "only the missing ones are read alone: {requests:?}"
    );
}

#[tokio::test]
async fn one_or_three_robots_registries_or_policies_cost_what_single_reads_cost() {
    let e = Emulator::start().await;
    // A Harbor with more than a page of each; a configuration that manages one, then three.
    let m = seed_mixed(&e, "few", 110).await;
    let pick =
        |ids: &[i64], n: usize| -> Vec<i64> { ids.iter().step_by(50).take(n).copied().collect() };
    for n in [1, 3] {
        let few = Mixed {
            project: m.project,
            project_name: m.project_name.clone(),
            system_robots: pick(&m.system_robots, n),
            project_robots: pick(&m.project_robots, n),
            registries: pick(&m.registries, n),
            policies: pick(&m.policies, n),
        };
        let expected = mixed_singles(&e, &few).await;
        let client = command_knowing(&e, &few).await;
        let (system, project, registries, policies) = read_mixed(&client, &few).await;
        let requests = e.requests().await;
        assert_eq!(oks(system), expected.0);
        assert_eq!(oks(project), expected.1);
        assert_eq!(oks(registries), expected.2);
        assert_eq!(oks(policies), expected.3);
        if n == 1 {
            // A batch of one is the plain GET.
            assert_eq!(
                (
                    count(&requests, ROBOT_ONE),
                    count(&requests, REGISTRY_ONE),
                    count(&requests, POLICY_ONE)
                ),
                (2, 1, 1),
                "{requests:?}"
            );
            assert_eq!(total(&requests), 4, "{requests:?}");
        } else {
            // One id list each (no whole list of a Harbor this much larger): 4 instead of 12.
            assert_eq!(
                (
                    count(&requests, ROBOTS),
                    count(&requests, REGISTRIES),
                    count(&requests, POLICIES)
                ),
                (2, 1, 1),
                "{requests:?}"
            );
            assert_eq!(total(&requests), 4, "{requests:?}");
        }
    }
    // A project robot whose project this command has not read: which list it is in is not
    // known, so it is read alone.
    let client = e.command().await;
    let ids = pick(&m.project_robots, 3);
    let reads = join_all(
        ids.iter()
            .map(|&id| client.read_robot(id, Some(m.project_name.as_str()))),
    )
    .await;
    assert!(reads.iter().all(Result::is_ok));
    let requests = e.requests().await;
    assert_eq!(count(&requests, ROBOT_ONE), 3, "{requests:?}");
    assert_eq!(total(&requests), 3, "{requests:?}");
}

/// Registries and policies refreshed ten at a time, 12 rounds over 120: the first round's ten
/// reads fetch the first page of each whole list; the second page comes with the first round
/// whose reads that page did not answer (each such round would cost an id list, as much as
/// the one page left); then nothing. Two requests per type for 120 reads.
#[tokio::test]
async fn whole_registry_and_policy_lists_answer_reads_once_they_have_cost_enough() {
    let e = Emulator::start().await;
    let m = seed_mixed(&e, "wreg", 120).await;
    let expected = mixed_singles(&e, &m).await;
    let client = e.command().await;
    let mut per_round = Vec::new();
    for round in 0..12 {
        let ids = &m.registries[round * 10..round * 10 + 10];
        let policy_ids = &m.policies[round * 10..round * 10 + 10];
        let (registries, policies) = tokio::join!(
            join_all(ids.iter().map(|&id| client.read_registry(id))),
            join_all(
                policy_ids
                    .iter()
                    .map(|&id| client.read_replication_policy(id))
            )
        );
        assert_eq!(oks(registries), expected.2[round * 10..round * 10 + 10]);
        assert_eq!(oks(policies), expected.3[round * 10..round * 10 + 10]);
        per_round.push(e.requests().await);
        e.reset().await;
    }
    for route in [REGISTRIES, POLICIES] {
        let lists: Vec<u64> = per_round.iter().map(|r| count(r, route)).collect();
        assert!(lists[0] >= 1, "{route}, the first page: {per_round:?}");
        assert_eq!(lists.iter().sum::<u64>(), 2, "{route}: {per_round:?}");
    }
    let all: u64 = per_round.iter().map(total).sum();
    assert_eq!(all, 2 * 2, "{per_round:?}");
}

#[tokio::test]
async fn robot_registry_and_policy_reads_under_faults_are_right_or_fail_as_single_reads_do() {
    let e = Emulator::start().await;
    let m = seed_mixed(&e, "fmix", 15).await;
    let expected = mixed_singles(&e, &m).await;
    let faults = json!({"error_rate": 0.2, "error_statuses": [503, 429], "reset_rate": 0.05,
        "reset_after_rate": 0.05, "seed": 7});

    let mut config = e.config();
    config.max_retries = 10;
    let client = e.command_with(config).await;
    client.read_project(m.project).await.unwrap();
    e.control("faults", Some(faults.clone())).await;
    let (system, project, registries, policies) = read_mixed(&client, &m).await;
    assert_eq!(oks(system), expected.0);
    assert_eq!(oks(project), expected.1);
    assert_eq!(oks(registries), expected.2);
    assert_eq!(oks(policies), expected.3);
    let injected = e.control("faults", None).await;
    assert!(injected["total"].as_u64().unwrap() > 0, "{injected}");

    // One command per round, as above.
    e.control("faults", Some(json!({"error_rate": 0.0}))).await;
    let mut config = e.config();
    config.max_retries = 0;
    let mut commands = Vec::new();
    for _ in 0..6 {
        let client = e.command_with(config.clone()).await;
        client.read_project(m.project).await.unwrap();
        commands.push(client);
    }
    e.control("faults", Some(faults)).await;
    let mut failures = 0;
    fn judge<T: PartialEq + std::fmt::Debug>(reads: Mix<T>, want: &[T], failures: &mut u32) {
        for (read, want) in reads.into_iter().zip(want) {
            match read {
                Ok(v) => assert_eq!(&v, want),
                Err(err) => {
                    *failures += 1;
                    assert!(
                        matches!(err.status(), Some(503 | 429)) || err.status().is_none(),
                        "{err}"
                    );
                    assert!(!err.is_not_found(), "{err}");
                }
            }
        }
    }
    for client in &commands {
        let (system, project, registries, policies) = read_mixed(client, &m).await;
        judge(system, &expected.0, &mut failures);
        judge(project, &expected.1, &mut failures);
        judge(registries, &expected.2, &mut failures);
        judge(policies, &expected.3, &mut failures);
    }
    assert!(failures > 0, "the faults reached the reads");

    // Faults on the lists only (every single GET spared), no retries: each failed list falls
    // back to single reads, so every read still gets its answer.
    e.control("faults", Some(json!({"error_rate": 0.0}))).await;
    let client = e.command_with(config_no_retries(&e)).await;
    client.read_project(m.project).await.unwrap();
    let mut spare: Vec<String> = Vec::new();
    for (path, ids) in [
        ("robots", &m.system_robots),
        ("robots", &m.project_robots),
        ("registries", &m.registries),
        ("replication/policies", &m.policies),
    ] {
        spare.extend(ids.iter().map(|id| format!("GET /api/v2.0/{path}/{id}")));
    }
    e.control(
        "faults",
        Some(json!({"error_rate": 0.5, "error_statuses": [503], "seed": 3, "spare": spare})),
    )
    .await;
    for _ in 0..3 {
        let (system, project, registries, policies) = read_mixed(&client, &m).await;
        assert_eq!(oks(system), expected.0);
        assert_eq!(oks(project), expected.1);
        assert_eq!(oks(registries), expected.2);
        assert_eq!(oks(policies), expected.3);
    }
    let injected = e.control("faults", None).await;
    assert!(injected["total"].as_u64().unwrap() > 0, "{injected}");
}

fn config_no_retries(e: &Emulator) -> ClientConfig {
    let mut config = e.config();
    config.max_retries = 0;
    config
}

/// Credentials that may read a registry but not list them (a 403 on the list): the reads go
/// the single-GET way, and the list is not asked again in this command.
#[tokio::test]
async fn a_refused_list_falls_back_to_single_reads_and_is_not_asked_again() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use axum::Router;
    use axum::extract::Path;
    use axum::routing::get;
    let lists = Arc::new(AtomicU64::new(0));
    let seen = lists.clone();
    let router = Router::new()
        .route(
            "/api/v2.0/registries",
            get(move || {
                seen.fetch_add(1, Ordering::SeqCst);
                async {
                    (
                        axum::http::StatusCode::FORBIDDEN,
                        r#"{"errors":[{"code":"FORBIDDEN","message":"forbidden"}]}"#,
                    )
                }
            }),
        )
        .route(
            "/api/v2.0/registries/{id}",
            get(|Path(id): Path<i64>| async move {
                axum::Json(json!({"id": id, "name": format!("r{id}"), "url": "https://x", "type": "harbor"}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = Client::new(ClientConfig::new(url)).unwrap();
    for round in 0..3 {
        let ids = [1 + round * 3, 2 + round * 3, 3 + round * 3];
        let reads = join_all(ids.iter().map(|&id| client.read_registry(id))).await;
        for (read, id) in reads.into_iter().zip(ids) {
            assert_eq!(read.unwrap().name, format!("r{id}"));
        }
    }
    assert_eq!(lists.load(Ordering::SeqCst), 1);
}

/// Reads that arrive one at a time (no batch ever holds two) still buy the whole list once
/// PROBE_AFTER of them went to Harbor: 20 policies read one after the other cost 9 GETs and
/// one page (which answers the tenth), not 20 GETs.
#[tokio::test]
async fn reads_arriving_one_at_a_time_buy_the_whole_list_once_they_have_cost_enough() {
    let e = Emulator::start().await;
    let m = seed_mixed(&e, "seq", 20).await;
    let expected = mixed_singles(&e, &m).await;
    let client = e.command().await;
    for (i, &id) in m.policies.iter().enumerate() {
        assert_eq!(
            client.read_replication_policy(id).await.unwrap(),
            expected.3[i]
        );
    }
    let requests = e.requests().await;
    assert_eq!(
        (count(&requests, POLICY_ONE), count(&requests, POLICIES)),
        (PROBE_AFTER as u64 - 1, 1),
        "{requests:?}"
    );
}
