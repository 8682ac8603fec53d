//! Reliability through the real `terraform`: applies of 100 and 200 mixed resources while the
//! emulator injects 503/429 (with `Retry-After`), dropped connections (before and after Harbor
//! processed the request) and latency; Ctrl-C in the middle of an apply; Harbor unreachable.
//! After each, Harbor must hold exactly the objects in state, compared object by object.
//!
//! The heavy tests run on the newest Terraform found only (one apply of 100 resources under
//! faults takes tens of seconds); the unreachable-Harbor test runs on every version.
//! RELIABILITY.md records what these tests observed.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Terraform, Workdir, for_each_terraform, required_providers, terraforms};
use crate::target::{Harbor, unique};

/// A guard against hangs, not a performance bound: a command still running after this is
/// killed and the test fails.
const HANG_GUARD: Duration = Duration::from_secs(240);

/// The same for a command that only has to fail: `request_timeout = 5` and `max_retries = 2`
/// should end it within seconds.
const FAIL_GUARD: Duration = Duration::from_secs(120);

fn newest() -> &'static Terraform {
    terraforms().last().expect("at least one Terraform")
}

/// How many objects of each kind one configuration manages.
#[derive(Debug, Clone, Copy)]
struct Fleet {
    projects: usize,
    project_robots: usize,
    system_robots: usize,
    registries: usize,
    policies: usize,
}

impl Fleet {
    /// 100 resources: 50 projects (with quotas), 25 robots, 5 registries, 20 policies.
    const HUNDRED: Fleet = Fleet {
        projects: 50,
        project_robots: 20,
        system_robots: 5,
        registries: 5,
        policies: 20,
    };
    /// 200 resources in the same proportions.
    const TWO_HUNDRED: Fleet = Fleet {
        projects: 100,
        project_robots: 40,
        system_robots: 10,
        registries: 10,
        policies: 40,
    };

    fn total(&self) -> usize {
        self.projects + self.project_robots + self.system_robots + self.registries + self.policies
    }
}

/// The provider block with extra arguments (`max_retries`, `request_timeout`, ...).
fn provider_block(url: &str, h: &Harbor, settings: &str) -> String {
    format!(
        "provider \"harbor\" {{\n  url      = \"{url}\"\n  username = \"{}\"\n  password = \"{}\"\n{settings}}}\n",
        h.username, h.password
    )
}

/// Projects with quotas, project robots on the first projects, system robots, registries
/// pointing at `remote` (a second emulator, which Harbor probes on create) and push policies.
fn fleet_hcl(prefix: &str, remote: &Harbor, fleet: Fleet) -> String {
    let Fleet {
        projects,
        project_robots,
        system_robots,
        registries,
        policies,
    } = fleet;
    assert!(project_robots <= projects && policies <= projects);
    format!(
        r#"
resource "harbor_project" "p" {{
  count         = {projects}
  name          = "{prefix}-p${{count.index}}"
  storage_quota = count.index % 10 + 1
  public        = count.index % 2 == 0
}}

resource "harbor_robot_account" "ci" {{
  count       = {project_robots}
  name        = "ci${{count.index}}"
  description = "CI for ${{harbor_project.p[count.index].name}}"
  level       = "project"

  permissions {{
    kind      = "project"
    namespace = harbor_project.p[count.index].name

    access {{
      action   = "push"
      resource = "repository"
    }}
    access {{
      action   = "pull"
      resource = "repository"
    }}
  }}
}}

resource "harbor_robot_account" "sys" {{
  count = {system_robots}
  name  = "{prefix}-sys${{count.index}}"
  level = "system"

  permissions {{
    kind      = "system"
    namespace = "/"

    access {{
      action   = "list"
      resource = "project"
    }}
  }}
}}

resource "harbor_registry" "r" {{
  count         = {registries}
  provider_name = "harbor"
  name          = "{prefix}-r${{count.index}}"
  endpoint_url  = "{remote_url}"
  access_id     = "{remote_user}"
  access_secret = "{remote_password}"
}}

resource "harbor_replication" "push" {{
  count       = {policies}
  name        = "{prefix}-push${{count.index}}"
  action      = "push"
  registry_id = harbor_registry.r[count.index % {registries}].registry_id
  schedule    = "event_based"

  filters {{
    name = "${{harbor_project.p[count.index].name}}/**"
  }}
}}
"#,
        remote_url = remote.url,
        remote_user = remote.username,
        remote_password = remote.password,
    )
}

fn config(h: &Harbor, remote: &Harbor, prefix: &str, fleet: Fleet, settings: &str) -> String {
    format!(
        "{}{}{}",
        required_providers(),
        provider_block(&h.url, h, settings),
        fleet_hcl(prefix, remote, fleet)
    )
}

fn set_faults(h: &Harbor, faults: Value) {
    let r = h.call("POST", "/_emulator/faults", Some(faults));
    assert_eq!(r.status, 200, "setting faults: {}", r.text);
}

fn faults_off(h: &Harbor) {
    set_faults(h, json!({"error_rate": 0}));
}

/// 20% of requests answered 503 or 429 (with `Retry-After: 1`), 5% of connections dropped:
/// half before Harbor processed the request, half after (the answer is lost).
fn issue_faults(seed: u64) -> Value {
    json!({
        "error_rate": 0.2,
        "error_statuses": [503, 429],
        "reset_rate": 0.025,
        "reset_after_rate": 0.025,
        "seed": seed,
    })
}

fn injected(h: &Harbor) -> Value {
    h.get("/_emulator/faults")
}

/// Runs `cmd` to completion, killing it and failing the test if it outlives [`HANG_GUARD`].
/// Output goes to files so that a chatty process cannot block on a full pipe.
fn run_guarded(wd: &Workdir, mut cmd: Command, label: &str) -> (Output, Duration) {
    let child = spawn_logged(wd, &mut cmd, label);
    wait_guarded(wd, child, label, HANG_GUARD)
}

fn fail_guarded(wd: &Workdir, args: &[&str], label: &str) -> (Output, Duration) {
    let child = spawn_logged(wd, &mut wd.command(args), label);
    wait_guarded(wd, child, label, FAIL_GUARD)
}

fn spawn_logged(wd: &Workdir, cmd: &mut Command, label: &str) -> std::process::Child {
    let out = std::fs::File::create(wd.path().join(format!("{label}.stdout"))).unwrap();
    let err = std::fs::File::create(wd.path().join(format!("{label}.stderr"))).unwrap();
    cmd.stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("terraform starts")
}

fn wait_guarded(
    wd: &Workdir,
    mut child: std::process::Child,
    label: &str,
    guard: Duration,
) -> (Output, Duration) {
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for terraform") {
            break status;
        }
        if started.elapsed() > guard {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`terraform {label}` still running after {guard:?}: killed (hang)\n{}",
                String::from_utf8_lossy(
                    &std::fs::read(wd.path().join(format!("{label}.stdout"))).unwrap_or_default()
                )
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let elapsed = started.elapsed();
    let read = |ext: &str| std::fs::read(wd.path().join(format!("{label}.{ext}"))).unwrap();
    (
        Output {
            status,
            stdout: read("stdout"),
            stderr: read("stderr"),
        },
        elapsed,
    )
}

fn text(out: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false", "-no-color"];
const PLAN: &[&str] = &["plan", "-input=false", "-no-color"];

/// The diagnostics' summaries and the client's error lines, for the test log.
fn show_errors(label: &str, out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines().filter(|l| {
        l.starts_with("Error: ")
            || l.contains(": connection failed")
            || l.contains(": timed out")
            || l.contains(": transport error")
    }) {
        eprintln!("  [{label}] {line}");
    }
}

/// `(name, id)` of every object of one kind, sorted; duplicates stay visible.
type Objects = Vec<(String, i64)>;

#[derive(Debug, PartialEq, Eq)]
struct Inventory {
    projects: Objects,
    robots: Objects,
    registries: Objects,
    policies: Objects,
}

impl Inventory {
    fn sorted(mut self) -> Self {
        for list in [
            &mut self.projects,
            &mut self.robots,
            &mut self.registries,
            &mut self.policies,
        ] {
            list.sort();
        }
        self
    }

    fn counts(&self) -> [usize; 4] {
        [
            self.projects.len(),
            self.robots.len(),
            self.registries.len(),
            self.policies.len(),
        ]
    }
}

/// Every page of a list endpoint (faults must be off: the helper does not retry).
fn list_all(h: &Harbor, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut all = Vec::new();
    for page in 1.. {
        let items = h.get(&format!("{path}{sep}page={page}&page_size=100"));
        let items = items.as_array().cloned().unwrap_or_default();
        let n = items.len();
        all.extend(items);
        if n < 100 {
            break;
        }
    }
    all
}

fn id_of(v: &Value) -> i64 {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not an id: {v}"))
}

/// What Harbor holds whose name carries `prefix`: projects, their robots and the system
/// robots, registries and replication policies.
fn harbor_inventory(h: &Harbor, prefix: &str) -> Inventory {
    let named = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
    let projects: Objects = list_all(h, "/projects")
        .iter()
        .filter(|p| named(p, "name").starts_with(prefix))
        .map(|p| (named(p, "name"), id_of(&p["project_id"])))
        .collect();
    let mut robots: Objects = list_all(h, "/robots")
        .iter()
        .filter(|r| named(r, "name").contains(prefix))
        .map(|r| (named(r, "name"), id_of(&r["id"])))
        .collect();
    for (_, id) in &projects {
        robots.extend(
            list_all(h, &format!("/robots?q=Level%3Dproject%2CProjectID%3D{id}"))
                .iter()
                .map(|r| (named(r, "name"), id_of(&r["id"]))),
        );
    }
    let registries = list_all(h, "/registries")
        .iter()
        .filter(|r| named(r, "name").starts_with(prefix))
        .map(|r| (named(r, "name"), id_of(&r["id"])))
        .collect();
    let policies = list_all(h, "/replication/policies")
        .iter()
        .filter(|p| named(p, "name").starts_with(prefix))
        .map(|p| (named(p, "name"), id_of(&p["id"])))
        .collect();
    Inventory {
        projects,
        robots,
        registries,
        policies,
    }
    .sorted()
}

/// The same, from `terraform show -json`.
fn state_inventory(wd: &Workdir) -> Inventory {
    let state = wd.state_json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pick = |ty: &str, name: &str, id: &str| -> Objects {
        resources
            .iter()
            .filter(|r| r["type"] == ty && r["mode"] == "managed")
            .map(|r| {
                let v = &r["values"];
                (
                    v[name].as_str().unwrap_or_default().to_owned(),
                    id_of(&v[id]),
                )
            })
            .collect()
    };
    Inventory {
        projects: pick("harbor_project", "name", "project_id"),
        robots: pick("harbor_robot_account", "full_name", "robot_id"),
        registries: pick("harbor_registry", "name", "registry_id"),
        policies: pick("harbor_replication", "name", "replication_policy_id"),
    }
    .sorted()
}

/// Harbor holds exactly what the state says, object by object, and nothing is missing.
fn assert_converged(h: &Harbor, wd: &Workdir, prefix: &str, fleet: Fleet, why: &str) {
    let in_harbor = harbor_inventory(h, prefix);
    let in_state = state_inventory(wd);
    let diff = |a: &Objects, b: &Objects| -> Vec<(String, i64)> {
        a.iter().filter(|x| !b.contains(x)).cloned().collect()
    };
    assert_eq!(
        in_harbor,
        in_state,
        "{why}: Harbor and state differ.\n only in Harbor (orphans/duplicates): {:?} {:?} {:?} {:?}\n only in state: {:?} {:?} {:?} {:?}",
        diff(&in_harbor.projects, &in_state.projects),
        diff(&in_harbor.robots, &in_state.robots),
        diff(&in_harbor.registries, &in_state.registries),
        diff(&in_harbor.policies, &in_state.policies),
        diff(&in_state.projects, &in_harbor.projects),
        diff(&in_state.robots, &in_harbor.robots),
        diff(&in_state.registries, &in_harbor.registries),
        diff(&in_state.policies, &in_harbor.policies),
    );
    assert_eq!(
        in_state.counts(),
        [
            fleet.projects,
            fleet.project_robots + fleet.system_robots,
            fleet.registries,
            fleet.policies
        ],
        "{why}: not every configured object exists"
    );
}

fn count_errors(out: &Output) -> usize {
    String::from_utf8_lossy(&out.stderr)
        .matches("Error: ")
        .count()
}

#[test]
fn hundred_resources_apply_through_503_429_and_dropped_connections() {
    let tf = newest();
    eprintln!("=== {tf}");
    let h = Harbor::emulator_because(
        "injects faults through the emulator's control endpoints",
        harbor_emulator::Config::default(),
    );
    let remote = Harbor::emulator(harbor_emulator::Config::default());
    let prefix = unique("flt");
    let fleet = Fleet::HUNDRED;
    let wd = Workdir::new(tf);
    // 4 retries (the default) leave a 0.25^5 = 0.1% chance per request of failing, which over
    // ~1,500 requests is likely; 10 makes it ~1e-6 per request.
    wd.write_config(&config(&h, &remote, &prefix, fleet, "  max_retries = 10\n"));

    set_faults(&h, issue_faults(7));
    h.call("POST", "/_emulator/reset", None);
    let (out, took) = run_guarded(&wd, wd.command(APPLY), "apply");
    let requests = h.request_count();
    let faults = injected(&h);
    eprintln!(
        "apply of {} resources under faults: {:?}, {requests} API requests, faults injected {faults}",
        fleet.total(),
        took
    );
    assert!(
        out.status.success(),
        "apply under faults failed:\n{}",
        text(&out)
    );
    assert!(
        faults["total"].as_u64().unwrap() >= 20,
        "too few faults to prove anything: {faults}"
    );

    // The next plan, faults still on: retries make the refresh as reliable as the apply.
    set_faults(&h, issue_faults(8));
    h.call("POST", "/_emulator/reset", None);
    let started = Instant::now();
    wd.assert_plan_empty("plan with faults on after the apply");
    eprintln!(
        "plan with faults on: {:?}, {} API requests, faults injected {}",
        started.elapsed(),
        h.request_count(),
        injected(&h)
    );

    faults_off(&h);
    assert_converged(&h, &wd, &prefix, fleet, "after the apply under faults");

    // Destroy under the same faults leaves nothing behind.
    set_faults(&h, issue_faults(9));
    h.call("POST", "/_emulator/reset", None);
    let destroy = &["destroy", "-auto-approve", "-input=false", "-no-color"];
    let (out, took) = run_guarded(&wd, wd.command(destroy), "destroy");
    eprintln!(
        "destroy under faults: {took:?}, {} API requests, faults injected {}",
        h.request_count(),
        injected(&h)
    );
    assert!(
        out.status.success(),
        "destroy under faults failed:\n{}",
        text(&out)
    );
    faults_off(&h);
    let left = harbor_inventory(&h, &prefix);
    assert_eq!(left.counts(), [0; 4], "left behind after destroy: {left:?}");
}

#[test]
fn without_retries_the_apply_fails_clearly_and_a_clean_apply_converges() {
    let tf = newest();
    eprintln!("=== {tf}");
    let h = Harbor::emulator_because(
        "injects faults through the emulator's control endpoints",
        harbor_emulator::Config::default(),
    );
    let remote = Harbor::emulator(harbor_emulator::Config::default());
    let prefix = unique("nor");
    let fleet = Fleet::HUNDRED;
    let wd = Workdir::new(tf);
    wd.write_config(&config(&h, &remote, &prefix, fleet, "  max_retries = 0\n"));

    set_faults(&h, issue_faults(11));
    h.call("POST", "/_emulator/reset", None);
    let (out, took) = run_guarded(&wd, wd.command(APPLY), "apply");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let in_state = std::fs::read(wd.path().join("terraform.tfstate"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .map(|s| s["resources"].as_array().map_or(0, |r| r.len()))
        .unwrap_or(0);
    eprintln!(
        "apply with max_retries = 0: {:?}, exit {}, {} errors, {} resource blocks in state, {} API requests, faults {}",
        took,
        out.status,
        count_errors(&out),
        in_state,
        h.request_count(),
        injected(&h)
    );
    for line in stderr.lines().filter(|l| l.starts_with("Error: ")) {
        eprintln!("  {line}");
    }
    for line in stderr
        .lines()
        .filter(|l| l.contains("Harbor answered") || l.contains("transport error"))
    {
        eprintln!("    {line}");
    }
    assert!(!out.status.success(), "apply should fail:\n{}", text(&out));
    // Every error names the call and what Harbor (or the network) did.
    assert!(
        stderr.contains("Harbor answered HTTP 503")
            || stderr.contains("Harbor answered HTTP 429")
            || stderr.contains("transport error"),
        "errors should say what failed:\n{stderr}"
    );
    for line in stderr.lines().filter(|l| l.contains("Error: ")) {
        assert!(
            !line.trim_end().ends_with("Error:"),
            "an error without a summary: {stderr}"
        );
    }

    faults_off(&h);
    let (out, took) = run_guarded(&wd, wd.command(APPLY), "apply2");
    eprintln!("second apply, faults off: {took:?}");
    assert!(out.status.success(), "second apply failed:\n{}", text(&out));
    assert_converged(&h, &wd, &prefix, fleet, "after the second apply");
    wd.assert_plan_empty("plan after the second apply");
}

#[test]
fn ctrl_c_mid_apply_stops_gracefully_saves_state_and_the_next_apply_converges() {
    let tf = newest();
    eprintln!("=== {tf}");
    let h = Harbor::emulator_because(
        "injects faults through the emulator's control endpoints",
        harbor_emulator::Config::default(),
    );
    let remote = Harbor::emulator(harbor_emulator::Config::default());
    let prefix = unique("int");
    let fleet = Fleet::TWO_HUNDRED;
    let mut wd = Workdir::new(tf);
    // The provider's INFO log shows whether StopProvider reached it.
    wd.env("TF_LOG_PROVIDER", "INFO");
    wd.write_config(&config(&h, &remote, &prefix, fleet, ""));

    // ~50 ms per request makes the apply take far longer than the moment we interrupt it.
    set_faults(&h, json!({"latency_ms": 50}));
    h.call("POST", "/_emulator/reset", None);
    let mut cmd = wd.command(APPLY);
    let child = spawn_logged(&wd, &mut cmd, "apply");
    let pid = child.id();
    let started = Instant::now();
    // Interrupt once Harbor has seen a good part of the creates, not all of them.
    loop {
        let created = h.get("/_emulator/requests")["by_route"]["POST /api/v2.0/projects"]
            .as_u64()
            .unwrap_or(0);
        if created >= 30 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "apply never got going"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // As a terminal's Ctrl-C would, but to terraform alone: the provider ignores SIGINT
    // anyway and hears about it from Terraform's StopProvider.
    let kill = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let interrupted_at = started.elapsed();
    let (out, _) = wait_guarded(&wd, child, "apply", HANG_GUARD);
    let took = started.elapsed();
    let all = text(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let refused = stderr.matches("this operation was not started").count();
    eprintln!(
        "SIGINT after {interrupted_at:?}; terraform exited {} after {took:?} in all, {:?} after the signal, {} API requests, {refused} operations refused after StopProvider",
        out.status,
        took.saturating_sub(interrupted_at),
        h.request_count()
    );
    assert!(
        stderr.contains("Terraform asked the provider to stop"),
        "the provider should have received StopProvider:\n{all}"
    );
    assert!(
        !out.status.success(),
        "an interrupted apply reports failure:\n{all}"
    );
    assert!(
        all.contains("Interrupt received") && all.contains("Gracefully shutting down"),
        "Terraform should shut down gracefully:\n{all}"
    );
    assert!(
        !all.contains("panic") && !all.contains("plugin crashed") && !all.contains("did not exit"),
        "neither Terraform nor the provider should crash:\n{all}"
    );

    faults_off(&h);
    // The state was saved with what was created before the interrupt: not nothing, not all.
    let saved = state_inventory(&wd);
    let saved_total: usize = saved.counts().iter().sum();
    eprintln!(
        "state after the interrupt: {:?} (projects, robots, registries, policies)",
        saved.counts()
    );
    assert!(
        saved_total > 0 && saved_total < fleet.total(),
        "expected a partial state, got {saved_total} of {}",
        fleet.total()
    );
    // Nothing in Harbor that the state does not know about.
    assert_eq!(
        harbor_inventory(&h, &prefix),
        saved,
        "after the interrupt, Harbor should hold exactly the saved state"
    );

    let (out, took) = run_guarded(&wd, wd.command(APPLY), "apply2");
    eprintln!("apply after the interrupt: {took:?}");
    assert!(
        out.status.success(),
        "apply after the interrupt failed:\n{}",
        text(&out)
    );
    assert_converged(
        &h,
        &wd,
        &prefix,
        fleet,
        "after the apply that followed Ctrl-C",
    );
    wd.assert_plan_empty("plan after the converging apply");
}

/// An address where nothing listens: bound to get a free port, then closed.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[test]
fn unreachable_harbor_fails_the_refresh_clearly_within_timeout_and_retries() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "stops the Harbor under test to make it unreachable",
            harbor_emulator::Config::default(),
        );
        let name = unique("unr");
        let wd = Workdir::new(tf);
        let resources = format!("resource \"harbor_project\" \"p\" {{\n  name = \"{name}\"\n}}\n");
        let settings = "  request_timeout = 5\n  max_retries     = 2\n";
        wd.write_config(&format!(
            "{}{}{resources}",
            required_providers(),
            provider_block(&h.url, &h, settings)
        ));
        wd.apply();

        // Refused: nothing listens on the port.
        wd.write_config(&format!(
            "{}{}{resources}",
            required_providers(),
            provider_block(&closed_port(), &h, settings)
        ));
        let (out, took) = fail_guarded(&wd, PLAN, "refused");
        let all = text(&out);
        show_errors("refused", &out);
        eprintln!("refused port: plan failed after {took:?}");
        assert!(!out.status.success(), "plan should fail:\n{all}");
        assert!(
            all.contains("Harbor is unreachable") && all.contains("connection failed"),
            "the error should say Harbor cannot be reached:\n{all}"
        );

        // Silent: a listener that accepts into its backlog but never answers, so every
        // request runs into `request_timeout`.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", silent.local_addr().unwrap());
        wd.write_config(&format!(
            "{}{}{resources}",
            required_providers(),
            provider_block(&url, &h, settings)
        ));
        let (out, took) = fail_guarded(&wd, PLAN, "silent");
        let all = text(&out);
        show_errors("silent", &out);
        eprintln!("silent port: plan failed after {took:?}");
        assert!(!out.status.success(), "plan should fail:\n{all}");
        assert!(
            all.contains("Harbor is unreachable") && all.contains("timed out"),
            "the error should say Harbor did not answer in time:\n{all}"
        );
        // `request_timeout` (5 s) bounds the whole operation, retries included: the plan
        // waited for it (not less), and not once per attempt (3 x 5 s). Not a performance
        // figure: the two bounds are 10 s apart to leave room for Terraform itself.
        assert!(
            took >= Duration::from_secs(5) && took < Duration::from_secs(15),
            "the silent Harbor should end the plan after request_timeout (5 s), took {took:?}"
        );
        drop(silent);

        // Harbor's address answers TCP but every connection is dropped (Harbor dying behind
        // its load balancer): the same URL as the apply, so the failure is in the refresh.
        wd.write_config(&format!(
            "{}{}{resources}",
            required_providers(),
            provider_block(&h.url, &h, settings)
        ));
        set_faults(&h, json!({"reset_rate": 1.0}));
        h.call("POST", "/_emulator/reset", None);
        let (out, took) = fail_guarded(&wd, PLAN, "dropped");
        faults_off(&h);
        // The ping is an idempotent read: sent once and retried `max_retries` (2) times.
        let pings = h.get("/_emulator/requests")["by_route"]["GET /api/v2.0/ping"].clone();
        eprintln!("every connection dropped: {pings} GET /ping");
        assert_eq!(pings, 3, "GET /ping should be sent 1 + max_retries times");
        let all = text(&out);
        show_errors("dropped", &out);
        eprintln!("every connection dropped: plan failed after {took:?}");
        assert!(!out.status.success(), "plan should fail:\n{all}");
        assert!(
            all.contains("transport error") && all.contains("connection closed"),
            "the error should say the connection to Harbor broke:\n{all}"
        );

        // The state is untouched: back on the emulator, nothing to do.
        wd.write_config(&format!(
            "{}{}{resources}",
            required_providers(),
            provider_block(&h.url, &h, settings)
        ));
        wd.assert_plan_empty("plan once Harbor is back");
    });
}

/// A small fleet for running the fault scenario over many seeds: every kind, few of each.
const SMALL: Fleet = Fleet {
    projects: 6,
    project_robots: 3,
    system_robots: 2,
    registries: 2,
    policies: 3,
};

/// The provider settings the seeds cycle through (seed % 4): `max_retries` 0 and the default,
/// `request_timeout` 1 s and the default.
const SETTINGS: [(&str, &str); 4] = [
    (
        "max_retries=0 request_timeout=1",
        "  max_retries     = 0\n  request_timeout = 1\n",
    ),
    (
        "max_retries=0 request_timeout=default",
        "  max_retries = 0\n",
    ),
    (
        "max_retries=default request_timeout=1",
        "  request_timeout = 1\n",
    ),
    ("max_retries=default request_timeout=default", ""),
];

/// The seeds to run: `FAULT_SEEDS` as `a-b` or `a,b,c`; by default one seed per setting.
fn fault_seeds() -> Vec<u64> {
    let Ok(spec) = std::env::var("FAULT_SEEDS") else {
        return vec![1, 2, 3, 4];
    };
    if let Some((a, b)) = spec.split_once('-') {
        let (a, b): (u64, u64) = (a.trim().parse().unwrap(), b.trim().parse().unwrap());
        return (a..=b).collect();
    }
    spec.split(',').map(|s| s.trim().parse().unwrap()).collect()
}

/// One object in state: its Harbor name (`full_name` for robots), its id (null for a create
/// left unsettled) and whether Terraform tainted it.
#[derive(Debug)]
struct Known {
    kind: &'static str,
    name: String,
    id: Option<i64>,
    tainted: bool,
}

fn known_objects(wd: &Workdir) -> Vec<Known> {
    let state = wd.state_json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let id = |v: &Value| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    resources
        .iter()
        .filter(|r| r["mode"] == "managed")
        .filter_map(|r| {
            let v = &r["values"];
            let (kind, name, id) = match r["type"].as_str()? {
                "harbor_project" => ("project", v["name"].clone(), id(&v["project_id"])),
                "harbor_robot_account" => {
                    // An unsettled robot has no full name yet: the default prefix makes it.
                    let full = v["full_name"]
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| {
                            let name = v["name"].as_str().unwrap_or_default();
                            match v["permissions"][0]["namespace"].as_str() {
                                Some(ns) if v["level"] == "project" => format!("robot${ns}+{name}"),
                                _ => format!("robot${name}"),
                            }
                        });
                    ("robot", Value::from(full), id(&v["robot_id"]))
                }
                "harbor_registry" => ("registry", v["name"].clone(), id(&v["registry_id"])),
                "harbor_replication" => {
                    ("policy", v["name"].clone(), id(&v["replication_policy_id"]))
                }
                _ => return None,
            };
            Some(Known {
                kind,
                name: name.as_str().unwrap_or_default().to_owned(),
                id,
                tainted: r["tainted"] == true,
            })
        })
        .collect()
}

/// Orphans (in Harbor, unknown to the state) and duplicates (one name twice in Harbor).
/// An object in state without an id (a create left unsettled) knows the Harbor object of
/// that name: the next refresh finds it by name.
fn orphans_and_duplicates(h: &Harbor, wd: &Workdir, prefix: &str) -> (Vec<String>, Vec<String>) {
    let inv = harbor_inventory(h, prefix);
    let known = known_objects(wd);
    let mut orphans = Vec::new();
    let mut duplicates = Vec::new();
    for (kind, objects) in [
        ("project", &inv.projects),
        ("robot", &inv.robots),
        ("registry", &inv.registries),
        ("policy", &inv.policies),
    ] {
        for (name, id) in objects {
            let in_state = known.iter().any(|k| {
                k.kind == kind && (k.id == Some(*id) || (k.id.is_none() && &k.name == name))
            });
            if !in_state {
                orphans.push(format!("{kind} {name} ({id})"));
            }
            if objects.iter().filter(|(n, _)| n == name).count() > 1 {
                duplicates.push(format!("{kind} {name} ({id})"));
            }
        }
    }
    (orphans, duplicates)
}

/// One seed: an apply of [`SMALL`] under the issue's faults with the seed's settings must
/// succeed or fail clearly, leave no orphan or duplicate, and a clean apply must converge.
/// Prints one `fault-seed` line with the figures (scripts/soak.sh collects them).
fn run_fault_seed(tf: &Terraform, seed: u64) -> Result<usize, String> {
    let (label, settings) = SETTINGS[(seed % 4) as usize];
    let h = Harbor::emulator(harbor_emulator::Config::default());
    let remote = Harbor::emulator(harbor_emulator::Config::default());
    // Not `unique()`: the names are part of each request the fault draw hashes, so a fixed
    // prefix (each seed has its own emulator) gives the same faults from run to run.
    let prefix = format!("seed{seed}");
    let wd = Workdir::new(tf);
    wd.write_config(&config(&h, &remote, &prefix, SMALL, settings));

    // The provider's connection check (configure) is spared: faulted, it ends the apply
    // before any create with max_retries 0 or request_timeout 1 in most seeds, and the
    // unit tests and the unreachable-Harbor test cover it. Everything after it is faulted.
    let mut faults = issue_faults(seed);
    faults["spare"] = json!([
        "GET /api/v2.0/ping",
        "GET /api/v2.0/users/current",
        "GET /api/v2.0/systeminfo",
        "GET /api/v2.0/configurations",
    ]);
    set_faults(&h, faults);
    let (out, took) = run_guarded(&wd, wd.command(APPLY), "apply");
    let faults = injected(&h);
    faults_off(&h);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let errors = count_errors(&out);
    let mut problems = Vec::new();
    if !out.status.success() {
        // Failing clearly: every error has a summary naming the object, and says what Harbor
        // (or the network) did.
        if errors == 0 {
            problems.push("the apply failed without an error".to_owned());
        }
        for line in stderr.lines().filter(|l| l.starts_with("Error: ")) {
            if line.trim_end() == "Error:" {
                problems.push("an error without a summary".to_owned());
            }
        }
        let said_why = [
            "Harbor answered HTTP",
            "transport error",
            "timed out",
            "may exist in Harbor",
        ];
        if !said_why.iter().any(|w| stderr.contains(w)) {
            problems.push("the errors do not say what Harbor did".to_owned());
        }
        if stderr.contains("panic") || stderr.contains("plugin crashed") {
            problems.push("a crash".to_owned());
        }
    }
    let known = known_objects(&wd);
    let unsettled = known.iter().filter(|k| k.id.is_none()).count();
    let tainted = known.iter().filter(|k| k.tainted).count();
    let (orphans, duplicates) = orphans_and_duplicates(&h, &wd, &prefix);

    let (out2, took2) = run_guarded(&wd, wd.command(APPLY), "apply2");
    let converged = if !out2.status.success() {
        problems.push(format!("the clean apply failed:\n{}", text(&out2)));
        false
    } else {
        let in_harbor = harbor_inventory(&h, &prefix);
        let in_state = state_inventory(&wd);
        if in_harbor != in_state {
            problems.push(format!(
                "after the clean apply Harbor and state differ:\n harbor {in_harbor:?}\n state {in_state:?}"
            ));
        }
        let want = [
            SMALL.projects,
            SMALL.project_robots + SMALL.system_robots,
            SMALL.registries,
            SMALL.policies,
        ];
        if in_state.counts() != want {
            problems.push(format!("not every object exists: {:?}", in_state.counts()));
        }
        problems.is_empty()
    };
    if !orphans.is_empty() {
        problems.push(format!("orphans after the faulty apply: {orphans:?}"));
    }
    if !duplicates.is_empty() {
        problems.push(format!("duplicates after the faulty apply: {duplicates:?}"));
    }
    eprintln!(
        "fault-seed seed={seed} {label} apply={} errors={errors} unsettled={unsettled} tainted={tainted} faults={} injected={} orphans={} duplicates={} clean_apply={} converged={converged} took={:.1}s+{:.1}s",
        if out.status.success() { "ok" } else { "failed" },
        faults["total"],
        faults["injected"],
        orphans.len(),
        duplicates.len(),
        if out2.status.success() {
            "ok"
        } else {
            "failed"
        },
        took.as_secs_f64(),
        took2.as_secs_f64(),
    );
    for f in faults["log"].as_array().into_iter().flatten() {
        eprintln!(
            "  seed {seed}: fault {} {} #{} {}",
            f["fault"].as_str().unwrap_or_default(),
            f["method"].as_str().unwrap_or_default(),
            f["occurrence"],
            f["target"].as_str().unwrap_or_default()
        );
    }
    for line in stderr.lines().filter(|l| l.starts_with("Error: ")) {
        eprintln!("  seed {seed}: {line}");
    }
    if problems.is_empty() {
        Ok(unsettled)
    } else {
        Err(format!("seed {seed} ({label}): {}", problems.join("\n")))
    }
}

/// The fault scenario over several seeds (`FAULT_SEEDS`, default 1-4, one per setting):
/// scripts/soak.sh runs it over 100. Every seed runs even when one fails, so one run shows them all.
#[test]
fn fault_seeds_leave_no_orphan_and_a_clean_apply_converges() {
    let tf = newest();
    eprintln!("=== {tf}");
    let mut failures = Vec::new();
    let mut unsettled = 0;
    for seed in fault_seeds() {
        match run_fault_seed(tf, seed) {
            Ok(n) => unsettled += n,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The default seeds must reach the path that keeps an unsettled create in state (seed 4
    // does), or CI would not exercise it.
    if std::env::var_os("FAULT_SEEDS").is_none() {
        assert!(unsettled > 0, "no default seed left a create unsettled");
    }
}
