//! Benchmarks through the real `terraform` against the emulator: apply, re-plan and destroy of
//! N = 10, 100 and 1000 resources (projects with quotas, robots, registries and replication
//! policies in realistic proportions), with 0 ms and injected latency; requests per resource from
//! the emulator's counters, provider peak RSS and CPU time, start-to-handshake time, the
//! no-serialisation check at 50 ms latency, and the emulator's own throughput.
//!
//! Run: `cargo bench --bench terraform` (all), `cargo bench --bench terraform -- --quick`
//! (N = 10 and 100, no latency runs), `cargo bench --bench terraform -- --refresh` (the
//! handshake and refresh-only plans, of projects and of the mixed configuration, against
//! `terraform_data` only; add `--quick` for N = 100, or `--n=20,50 --latency=0` for chosen rows). Results are printed as markdown; BENCHMARKS.md records them.
//! The provider runs in reattach mode (`--debug`) so one process serves every command and its
//! memory and CPU can be read from /proc.

#[path = "../tests/acceptance/harness.rs"]
mod harness;
#[path = "../tests/acceptance/target.rs"]
mod target;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{DebugProvider, Workdir, required_providers, terraforms};
use target::Harbor;

/// Resource mix: 40% projects (each with a quota), 30% project robots, 10% registries, 20% push
/// policies. Returns the HCL and the number of resources it declares.
fn config(h: &Harbor, replica_url: &str, n: usize) -> (String, usize) {
    let projects = (n * 4 / 10).max(1);
    let robots = n * 3 / 10;
    let registries = (n / 10).max(1);
    let policies = n - projects - robots - registries;
    let mut hcl = format!("{}{}", required_providers(), h.provider_block());
    for i in 0..projects {
        hcl += &format!(
            "resource \"harbor_project\" \"p{i}\" {{\n  name = \"bench-{i}\"\n  storage_quota = {}\n}}\n",
            1 + i % 50
        );
    }
    for i in 0..robots {
        hcl += &format!(
            "resource \"harbor_robot_account\" \"r{i}\" {{\n  name = \"ci-{i}\"\n  level = \"project\"\n  permissions {{\n    kind = \"project\"\n    namespace = harbor_project.p{}.name\n    access {{\n      action = \"push\"\n      resource = \"repository\"\n    }}\n  }}\n}}\n",
            i % projects
        );
    }
    for i in 0..registries {
        hcl += &format!(
            "resource \"harbor_registry\" \"g{i}\" {{\n  name = \"replica-{i}\"\n  provider_name = \"harbor\"\n  endpoint_url = \"{replica_url}\"\n}}\n"
        );
    }
    for i in 0..policies {
        hcl += &format!(
            "resource \"harbor_replication\" \"x{i}\" {{\n  name = \"push-{i}\"\n  action = \"push\"\n  registry_id = harbor_registry.g{}.registry_id\n  filters {{\n    name = \"bench-{}/**\"\n  }}\n}}\n",
            i % registries,
            i % projects
        );
    }
    (hcl, projects + robots + registries + policies)
}

/// Peak resident set (VmHWM) in KiB and CPU seconds (user + system) of a process.
fn proc_stats(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields
        .get(11)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
    (hwm, ticks / 100.0)
}

struct Phase {
    name: &'static str,
    wall: Duration,
    requests: u64,
    cpu: f64,
}

fn run_phase(wd: &Workdir, h: &Harbor, pid: u32, name: &'static str, args: &[&str]) -> Phase {
    let (r0, (_, c0)) = (h.request_count(), proc_stats(pid));
    let t = Instant::now();
    wd.run(args);
    let wall = t.elapsed();
    let (r1, (_, c1)) = (h.request_count(), proc_stats(pid));
    Phase {
        name,
        wall,
        requests: r1 - r0,
        cpu: c1 - c0,
    }
}

fn bench_n(n: usize, latency_ms: u64) {
    let tf = terraforms().last().expect("a terraform");
    let h = Harbor::emulator(harbor_emulator::Config {
        latency_ms,
        ..Default::default()
    });
    let replica = Harbor::emulator(Default::default());
    let provider = DebugProvider::start();
    let mut wd = Workdir::new(tf);
    wd.reattach(&provider);
    let (hcl, count) = config(&h, &replica.url, n);
    wd.write_config(&hcl);
    let phases = [
        run_phase(
            &wd,
            &h,
            provider.pid(),
            "apply",
            &["apply", "-auto-approve", "-no-color"],
        ),
        run_phase(
            &wd,
            &h,
            provider.pid(),
            "re-plan",
            &["plan", "-no-color", "-detailed-exitcode"],
        ),
        run_phase(
            &wd,
            &h,
            provider.pid(),
            "destroy",
            &["destroy", "-auto-approve", "-no-color", "-refresh=false"],
        ),
    ];
    let (rss, _) = proc_stats(provider.pid());
    for p in phases {
        println!(
            "| {count} | {latency_ms} | {} | {:.2} | {:.2} | {:.2} | {:.1} |",
            p.name,
            p.wall.as_secs_f64(),
            p.requests as f64 / count as f64,
            p.cpu,
            rss as f64 / 1024.0
        );
    }
}

/// Apply of `n` projects at `latency_ms`, against the floor: requests × latency ÷ parallelism.
fn serialisation(n: usize, latency_ms: u64, parallelism: usize) {
    let tf = terraforms().last().expect("a terraform");
    let h = Harbor::emulator(harbor_emulator::Config {
        latency_ms,
        ..Default::default()
    });
    let provider = DebugProvider::start();
    let mut wd = Workdir::new(tf);
    wd.reattach(&provider);
    let mut hcl = format!("{}{}", required_providers(), h.provider_block());
    for i in 0..n {
        hcl += &format!("resource \"harbor_project\" \"p{i}\" {{\n  name = \"load-{i}\"\n}}\n");
    }
    wd.write_config(&hcl);
    let par = format!("-parallelism={parallelism}");
    let phase = run_phase(
        &wd,
        &h,
        provider.pid(),
        "apply",
        &["apply", "-auto-approve", "-no-color", &par],
    );
    let floor = phase.requests as f64 * latency_ms as f64 / 1000.0 / parallelism as f64;
    println!(
        "| {n} | {latency_ms} | {parallelism} | {} | {:.2} | {:.2} | {:.2} |",
        phase.requests,
        phase.wall.as_secs_f64(),
        floor,
        phase.wall.as_secs_f64() / floor
    );
}

/// What a refresh-only row manages: projects only, or the mix of [`config`].
#[derive(Clone, Copy, PartialEq)]
enum Refreshed {
    Projects,
    Mixed,
}

/// The emulator's request counts since its start, by route.
fn requests_by_route(h: &Harbor) -> std::collections::BTreeMap<String, u64> {
    let j = h.get("/_emulator/requests");
    j["by_route"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.replace("/api/v2.0", ""), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
}

/// Requests between two counts, by the type they read: `projects 12, robots 30, ...`.
fn by_type(
    before: &std::collections::BTreeMap<String, u64>,
    after: &std::collections::BTreeMap<String, u64>,
) -> String {
    let kinds = [
        ("projects", &["/projects", "/quotas"][..]),
        ("robots", &["/robots"][..]),
        ("registries", &["/registries"][..]),
        ("policies", &["/replication/policies"][..]),
    ];
    let mut sums = vec![0u64; kinds.len() + 1];
    for (route, n) in after {
        let n = n - before.get(route).copied().unwrap_or(0);
        let path = route.split_once(' ').map_or(route.as_str(), |(_, p)| p);
        let kind = kinds
            .iter()
            .position(|(_, prefixes)| prefixes.iter().any(|p| path.starts_with(p)))
            .unwrap_or(kinds.len());
        sums[kind] += n;
    }
    let mut parts: Vec<String> = kinds
        .iter()
        .zip(&sums)
        .filter(|(_, n)| **n > 0)
        .map(|((name, _), n)| format!("{name} {n}"))
        .collect();
    parts.push(format!("configure {}", sums[kinds.len()]));
    parts.join(", ")
}

/// Refresh-only plan of `n` objects at `latency_ms` (projects each with a quota, or the mixed
/// configuration), against a refresh-only plan of as many `terraform_data` resources by the
/// same Terraform: the floor no provider goes below.
fn refresh(what: Refreshed, n: usize, latency_ms: u64) {
    let tf = terraforms().last().expect("a terraform");
    let h = Harbor::emulator(harbor_emulator::Config {
        latency_ms,
        ..Default::default()
    });
    let replica = Harbor::emulator(Default::default());
    let provider = DebugProvider::start();
    let mut wd = Workdir::new(tf);
    wd.reattach(&provider);
    let (hcl, count) = match what {
        Refreshed::Mixed => config(&h, &replica.url, n),
        Refreshed::Projects => {
            let mut hcl = format!("{}{}", required_providers(), h.provider_block());
            for i in 0..n {
                hcl += &format!(
                    "resource \"harbor_project\" \"p{i}\" {{\n  name = \"refresh-{i}\"\n  storage_quota = {}\n}}\n",
                    1 + i % 50
                );
            }
            (hcl, n)
        }
    };
    wd.write_config(&hcl);
    let t = Instant::now();
    wd.run(&["apply", "-auto-approve", "-no-color", "-parallelism=20"]);
    let apply = t.elapsed();
    let before = requests_by_route(&h);
    // Not `-detailed-exitcode`: Terraform 1.11 exits 2 on a refresh-only plan that found
    // nothing. The check that nothing drifted is the text below.
    let phase = run_phase(
        &wd,
        &h,
        provider.pid(),
        "refresh",
        &["plan", "-refresh-only", "-no-color"],
    );
    let split = by_type(&before, &requests_by_route(&h));
    // The provider process served the apply of all N and the refresh: its peak resident set.
    let (peak_kib, _) = proc_stats(provider.pid());
    let out = wd.run(&["plan", "-refresh-only", "-no-color"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No changes."),
        "the refresh found drift"
    );
    let data = Workdir::new(tf);
    let mut hcl = String::new();
    for i in 0..count {
        hcl += &format!("resource \"terraform_data\" \"d{i}\" {{\n  input = \"refresh-{i}\"\n}}\n");
    }
    data.write_config(&hcl);
    let t = Instant::now();
    data.run(&["apply", "-auto-approve", "-no-color", "-parallelism=20"]);
    let data_apply = t.elapsed();
    // The apply's floor: terraform_data's apply plus one create round trip per object, 20 at a time.
    let apply_floor = data_apply.as_secs_f64() + count as f64 * latency_ms as f64 / 1000.0 / 20.0;
    let t = Instant::now();
    data.run(&["plan", "-refresh-only", "-no-color"]);
    let floor = t.elapsed();
    let label = match what {
        Refreshed::Projects => "projects",
        Refreshed::Mixed => "mixed",
    };
    println!(
        "| {label} | {count} | {latency_ms} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {:.3} | {:.1} | {split} |",
        apply.as_secs_f64(),
        apply_floor,
        apply.as_secs_f64() / apply_floor,
        phase.wall.as_secs_f64(),
        floor.as_secs_f64(),
        phase.wall.as_secs_f64() / floor.as_secs_f64(),
        phase.requests,
        phase.requests as f64 / count as f64,
        peak_kib as f64 / 1024.0
    );
}

/// Median time from starting the provider (with AutoMTLS, as Terraform starts it) to its handshake line.
fn handshake(runs: usize) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap().pem();
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let mut child = Command::new(harness::provider_binary())
            .env(
                "TF_PLUGIN_MAGIC_COOKIE",
                "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
            )
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env("PLUGIN_CLIENT_CERT", &cert)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        times.push(t.elapsed());
        assert!(line.starts_with("1|6|"), "handshake: {line}");
        let _ = child.kill();
        let _ = child.wait();
    }
    times.sort();
    println!(
        "start-to-handshake over {runs} runs: median {:.2} ms, min {:.2} ms, max {:.2} ms",
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Requests per second the emulator answers on loopback: 32 concurrent clients, 3 seconds.
fn emulator_throughput() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let emu = harbor_emulator::start(Default::default()).await.unwrap();
        let url = format!("{}/api/v2.0/projects/1", emu.base_url());
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(3);
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let r = client.get(&url).basic_auth("admin", Some("Harbor12345")).send().await.unwrap();
                    assert!(r.status().is_success());
                    let _ = r.bytes().await;
                    n += 1;
                }
                n
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        println!("emulator throughput: {:.0} requests/s (GET /projects/{{id}} with basic auth, 32 clients, 3 s)", total as f64 / 3.0);
    });
}

fn refresh_table(rows: &[(Refreshed, usize, u64)]) {
    println!(
        "\n| objects | N | latency ms | apply s | apply floor s | apply ratio | refresh-only plan s | terraform_data plan s | refresh ratio | requests | requests/object | provider peak RSS MiB | requests by type |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for &(what, n, latency_ms) in rows {
        refresh(what, n, latency_ms);
    }
}

/// The refresh-only rows: projects at N = 100, 500 and 2,000 and the mixed configuration at
/// N = 100 and 500, each at 0, 50 and 150 ms; `--quick`: N = 100 at 0 and 50 ms only.
/// `--n=20,50` and `--latency=0` keep only those rows (a quick debug-profile look at counts).
fn refresh_rows(quick: bool) -> Vec<(Refreshed, usize, u64)> {
    let list = |flag: &str| -> Option<Vec<u64>> {
        std::env::args()
            .find_map(|a| a.strip_prefix(flag).map(str::to_owned))
            .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
    };
    let (sizes, mixed_sizes, latencies): (Vec<u64>, Vec<u64>, Vec<u64>) = if quick {
        (vec![100], vec![100], vec![0, 50])
    } else {
        (vec![100, 500, 2000], vec![100, 500], vec![0, 50, 150])
    };
    let (sizes, mixed_sizes) = match list("--n=") {
        Some(n) => (n.clone(), n),
        None => (sizes, mixed_sizes),
    };
    let latencies = list("--latency=").unwrap_or(latencies);
    let mut rows = Vec::new();
    for (what, sizes) in [
        (Refreshed::Projects, &sizes),
        (Refreshed::Mixed, &mixed_sizes),
    ] {
        for &n in sizes {
            for &l in &latencies {
                rows.push((what, n as usize, l));
            }
        }
    }
    rows
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // `--refresh`: only the handshake and the refresh-only rows (a few minutes).
    if std::env::args().any(|a| a == "--refresh") {
        handshake(21);
        refresh_table(&refresh_rows(quick));
        return;
    }
    let tf = terraforms().last().expect("a terraform");
    println!(
        "Terraform {} at {}; provider {}",
        tf.version,
        tf.path.display(),
        harness::provider_binary().display()
    );
    handshake(21);
    emulator_throughput();
    println!(
        "\n| resources | latency ms | phase | wall s | requests/resource | provider CPU s | provider peak RSS MiB |\n|---|---|---|---|---|---|---|"
    );
    let sizes: &[usize] = if quick { &[10, 100] } else { &[10, 100, 1000] };
    for &n in sizes {
        bench_n(n, 0);
    }
    if !quick {
        bench_n(100, 20);
        println!(
            "\n| projects | latency ms | parallelism | requests | wall s | floor s | wall / floor |\n|---|---|---|---|---|---|---|"
        );
        serialisation(500, 50, 10);
        serialisation(500, 50, 20);
        refresh_table(&refresh_rows(false));
    }
}
