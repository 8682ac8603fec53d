//! Drives real Terraform and OpenTofu binaries against the provider through `dev_overrides`.
//!
//! Every binary found is used, keyed by product and version (OpenTofu 1.11 and Terraform 1.11
//! are two runs): `.tools/terraform-*/terraform` and `.tools/tofu-*/tofu` (from
//! `scripts/install-tools.sh`), `terraform` and `tofu` on PATH, and `TF_ACC_TERRAFORM_PATH` /
//! `TF_ACC_TOFU_PATH` (each a `:`-separated list). Finding none is a failure, never a skip: a
//! green run must mean a binary ran. `TF_ACC_BINARIES` narrows the set (see [`terraforms`]).
//! dev_overrides needs no `init` (the binary prints a warning
//! about it instead).
//!
//! With `HARBOR_ACC_REPORT` set to a file, every run of a test body on a binary appends one line
//! `product<TAB>version<TAB>test<TAB>passed|failed`, and every write-only check appends
//! `product<TAB>version<TAB>test<TAB>write-only`; `scripts/test.sh` prints the counts per binary
//! from it and fails unless a write-only-capable binary ran the write-only checks.

#![allow(dead_code)] // Not every test binary uses every helper.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// The provider's short source address, as used in `required_providers` and `dev_overrides`.
pub const PROVIDER_SOURCE: &str = "openova/harbor";
/// Where Terraform files the provider's schema and state entries (see [`Terraform::address`]).
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/openova/harbor";

/// Which command-line tool a binary is.
/// OpenTofu sorts first, so `terraforms().last()` (the one binary the heavy fault tests use)
/// stays the newest Terraform, on which RELIABILITY.md's figures were measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Product {
    OpenTofu,
    Terraform,
}

impl Product {
    /// The name the product uses for itself (`OpenTofu`, not `Tofu` or `opentofu`).
    pub fn name(self) -> &'static str {
        match self {
            Product::Terraform => "Terraform",
            Product::OpenTofu => "OpenTofu",
        }
    }

    /// The registry host a short source address (`openova/harbor`) resolves to.
    pub fn registry_host(self) -> &'static str {
        match self {
            Product::Terraform => "registry.terraform.io",
            Product::OpenTofu => "registry.opentofu.org",
        }
    }
}

/// One Terraform or OpenTofu binary. (Named `Terraform` because most tests only need "the
/// binary under test"; `product` says which it is.)
#[derive(Debug, Clone)]
pub struct Terraform {
    pub path: PathBuf,
    pub product: Product,
    /// e.g. `1.0.3`.
    pub version: String,
}

impl std::fmt::Display for Terraform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({})",
            self.product.name(),
            self.version,
            self.path.display()
        )
    }
}

impl Terraform {
    /// `Terraform 1.0.3`, `OpenTofu 1.12.6`: the key of a run.
    pub fn label(&self) -> String {
        format!("{} {}", self.product.name(), self.version)
    }

    pub fn is_opentofu(&self) -> bool {
        self.product == Product::OpenTofu
    }

    /// Whether the version is at least `min` (e.g. `[1, 11]`).
    pub fn at_least(&self, min: &[u64]) -> bool {
        version_key(&self.version).as_slice() >= min
    }

    /// Write-only attributes came in Terraform 1.11 and OpenTofu 1.11.
    pub fn supports_write_only(&self) -> bool {
        self.at_least(&[1, 11])
    }

    /// The full provider address this binary files state and schemas under.
    pub fn address(&self) -> String {
        format!("{}/{PROVIDER_SOURCE}", self.product.registry_host())
    }
}

/// Product and version from the line of `version` that names them: `Terraform v1.0.3` or
/// `OpenTofu v1.12.6`. Not necessarily the first: OpenTofu prints warnings about its CLI
/// configuration first, so the caller's `TF_CLI_CONFIG_FILE` is also kept away.
fn identify(path: &Path) -> Option<(Product, String)> {
    let out = Command::new(path)
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_CLI_CONFIG_FILE")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().map(str::trim).find_map(|line| {
        let (product, rest) = if let Some(rest) = line.strip_prefix("OpenTofu v") {
            (Product::OpenTofu, rest)
        } else {
            (Product::Terraform, line.strip_prefix("Terraform v")?)
        };
        Some((product, rest.split_whitespace().next()?.to_owned()))
    })
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `.tools/<prefix>*/<name>` for every version the install script put there.
fn in_tools(prefix: &str, name: &str) -> Vec<PathBuf> {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools");
    let Ok(entries) = std::fs::read_dir(&tools) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path().join(name))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found
}

/// Every Terraform and OpenTofu available, OpenTofu before Terraform, oldest first within each.
/// Panics when there is none.
pub fn terraforms() -> &'static [Terraform] {
    static FOUND: OnceLock<Vec<Terraform>> = OnceLock::new();
    FOUND.get_or_init(|| {
        let mut candidates = in_tools("terraform-", "terraform");
        candidates.extend(in_tools("tofu-", "tofu"));
        candidates.extend(on_path("terraform"));
        candidates.extend(on_path("tofu"));
        for var in ["TF_ACC_TERRAFORM_PATH", "TF_ACC_TOFU_PATH"] {
            if let Some(list) = std::env::var_os(var) {
                candidates.extend(std::env::split_paths(&list));
            }
        }

        let mut found: Vec<Terraform> = Vec::new();
        for path in candidates.into_iter().filter(|p| p.is_file()) {
            let Some((product, version)) = identify(&path) else {
                eprintln!("ignoring {}: `version` did not run", path.display());
                continue;
            };
            if !found
                .iter()
                .any(|t| t.product == product && t.version == version)
            {
                found.push(Terraform {
                    path,
                    product,
                    version,
                });
            }
        }
        // TF_ACC_BINARIES=OpenTofu (or "Terraform 1.0.3,OpenTofu") narrows the run to binaries
        // whose label contains one of the entries: for reproducing one binary's failure.
        if let Ok(only) = std::env::var("TF_ACC_BINARIES") {
            let wanted: Vec<&str> = only.split(',').map(str::trim).collect();
            found.retain(|t| wanted.iter().any(|w| t.label().contains(w)));
            eprintln!(
                "TF_ACC_BINARIES={only}: running on {}",
                found
                    .iter()
                    .map(Terraform::label)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        assert!(
            !found.is_empty(),
            "no Terraform or OpenTofu found for the acceptance tests. Run scripts/install-tools.sh \
             (installs them into .tools/), put `terraform` or `tofu` on PATH, or set \
             TF_ACC_TERRAFORM_PATH / TF_ACC_TOFU_PATH."
        );
        found.sort_by_key(|t| (t.product, version_key(&t.version)));
        found
    })
}

/// The newest binary of each product found: where a heavy test runs once per product instead
/// of once per binary.
pub fn newest_of_each_product() -> Vec<&'static Terraform> {
    let all = terraforms();
    all.iter()
        .enumerate()
        .filter(|(i, t)| all.get(i + 1).is_none_or(|next| next.product != t.product))
        .map(|(_, t)| t)
        .collect()
}

/// The binaries that support write-only attributes. Panics when there is none: the write-only
/// tests must run somewhere, or the suite is not allowed to pass.
pub fn write_only_capable() -> Vec<&'static Terraform> {
    let capable: Vec<_> = terraforms()
        .iter()
        .filter(|t| t.supports_write_only())
        .collect();
    assert!(
        !capable.is_empty(),
        "no binary here supports write-only attributes (Terraform or OpenTofu 1.11+); found: {}. \
         Run scripts/install-tools.sh (needs Go) or set TF_ACC_TERRAFORM_PATH / TF_ACC_TOFU_PATH.",
        terraforms()
            .iter()
            .map(Terraform::label)
            .collect::<Vec<_>>()
            .join(", ")
    );
    capable
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Appends one line to the `HARBOR_ACC_REPORT` file, if set. The test's name is its thread's
/// (libtest names each test's thread after it).
fn report(tf: &Terraform, what: &str) {
    let Some(file) = std::env::var_os("HARBOR_ACC_REPORT") else {
        return;
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned();
    let line = format!("{}\t{}\t{test}\t{what}\n", tf.product.name(), tf.version);
    // One write per line with O_APPEND: lines from parallel tests do not interleave.
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .unwrap_or_else(|e| panic!("HARBOR_ACC_REPORT {}: {e}", Path::new(&file).display()));
}

/// Records that the calling test exercised write-only attributes on `tf`. Panics if `tf`
/// cannot: a test must only call it where the write-only path really ran.
pub fn note_write_only(tf: &Terraform) {
    assert!(
        tf.supports_write_only(),
        "{tf} has no write-only attributes"
    );
    report(tf, "write-only");
}

/// Runs `body` against every binary found, then fails naming each one that failed.
pub fn for_each_terraform(body: impl Fn(&Terraform)) {
    for_these(terraforms().iter(), body)
}

/// Runs `body` against the newest binary of each product (for heavy tests; see
/// [`newest_of_each_product`]).
pub fn for_newest_of_each_product(body: impl Fn(&Terraform)) {
    for_these(newest_of_each_product().into_iter(), body)
}

/// Runs `body` against every binary that supports write-only attributes, recording each as a
/// write-only run; fails when there is none.
pub fn for_each_write_only_capable(body: impl Fn(&Terraform)) {
    for_these(write_only_capable().into_iter(), |tf| {
        body(tf);
        note_write_only(tf);
    })
}

/// Runs `body` on each binary of `these`, records each outcome, and fails naming every binary
/// that failed.
pub fn for_these<'a>(these: impl Iterator<Item = &'a Terraform>, body: impl Fn(&Terraform)) {
    let mut failed = Vec::new();
    for tf in these {
        eprintln!("=== {tf}");
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(tf)));
        if let Err(panic) = result {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            eprintln!("--- FAILED on {tf}: {msg}");
            report(tf, "failed");
            failed.push(tf.to_string());
        } else {
            report(tf, "passed");
        }
    }
    assert!(failed.is_empty(), "failed on: {}", failed.join(", "));
}

/// The provider binary cargo built for this test run.
pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-harbor"))
}

/// A directory holding only the provider (as a symlink named as Terraform expects) and the
/// CLI config pointing `dev_overrides` at it. Cargo's target dir also holds files such as
/// `terraform-provider-harbor.d`, so it is not used directly.
fn cli_config() -> &'static Path {
    static CONFIG: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &CONFIG
        .get_or_init(|| {
            let dir = tempfile::Builder::new()
                .prefix("tf-harbor-provider-")
                .tempdir()
                .expect("temp dir for the provider");
            let plugins = dir.path().join("plugins");
            std::fs::create_dir(&plugins).unwrap();
            std::os::unix::fs::symlink(
                provider_binary(),
                plugins.join("terraform-provider-harbor"),
            )
            .unwrap();
            let config = dir.path().join("dev.tfrc");
            std::fs::write(
                &config,
                format!(
                    "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                    plugins.display()
                ),
            )
            .unwrap();
            (dir, config)
        })
        .1
}

/// Environment variables that would make runs depend on the caller's shell.
const SCRUBBED_ENV: &[&str] = &[
    "TF_LOG",
    "TF_LOG_CORE",
    "TF_LOG_PROVIDER",
    "TF_LOG_PATH",
    "TF_REATTACH_PROVIDERS",
    "TF_PLUGIN_CACHE_DIR",
    "TF_DATA_DIR",
    "TF_WORKSPACE",
    "TF_CLI_ARGS",
    "TF_DISABLE_PLUGIN_TLS",
];

/// A temporary Terraform working directory bound to one Terraform binary.
pub struct Workdir {
    dir: tempfile::TempDir,
    tf: Terraform,
    env: Vec<(String, String)>,
}

impl Workdir {
    pub fn new(tf: &Terraform) -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("tf-harbor-acc-")
                .tempdir()
                .expect("temp working dir"),
            tf: tf.clone(),
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn terraform(&self) -> &Terraform {
        &self.tf
    }

    /// Sets an environment variable for every later command (e.g. `TF_LOG_PROVIDER`).
    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Replaces `main.tf`.
    pub fn write_config(&self, hcl: &str) {
        self.write_file("main.tf", hcl);
    }

    pub fn write_file(&self, name: &str, contents: &str) {
        std::fs::write(self.path().join(name), contents).expect("write config");
    }

    /// The terraform command with this directory's environment, not yet started (for tests
    /// that must signal or time the process themselves).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.tf.path);
        cmd.args(args).current_dir(self.path());
        for k in SCRUBBED_ENV {
            cmd.env_remove(k);
        }
        cmd.env("TF_CLI_CONFIG_FILE", cli_config())
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0")
            .env("NO_COLOR", "1");
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs terraform with `args`, whatever the outcome.
    pub fn try_run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", self.tf))
    }

    /// Runs terraform with `args` and panics, showing stdout and stderr, unless it succeeds.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.try_run(args);
        assert!(
            out.status.success(),
            "`{} {}` failed on {} ({}):\n--- stdout\n{}\n--- stderr\n{}",
            self.tf.product.name().to_lowercase(),
            args.join(" "),
            self.tf,
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        out
    }

    /// Runs terraform and parses its stdout as JSON.
    pub fn run_json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "`{} {}` printed no JSON ({e}):\n{}",
                self.tf.product.name().to_lowercase(),
                args.join(" "),
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    pub fn validate(&self) -> Output {
        self.run(&["validate", "-no-color"])
    }

    pub fn apply(&self) -> Output {
        self.run(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    pub fn destroy(&self) -> Output {
        self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    pub fn import(&self, address: &str, id: &str) -> Output {
        self.run(&["import", "-input=false", "-no-color", address, id])
    }

    /// `plan -out`, then `show -json` of the saved plan: what Terraform would do, as data.
    pub fn plan_json(&self) -> Value {
        self.run(&["plan", "-input=false", "-no-color", "-out=tfplan"]);
        self.run_json(&["show", "-json", "tfplan"])
    }

    /// `show -json` of the state.
    pub fn state_json(&self) -> Value {
        self.run_json(&["show", "-json"])
    }

    /// `providers schema -json`.
    pub fn providers_schema_json(&self) -> Value {
        self.run_json(&["providers", "schema", "-json"])
    }
}

/// The `terraform` block every configuration needs to use this provider.
pub fn required_providers() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    harbor = {{\n      source = \"{PROVIDER_SOURCE}\"\n    }}\n  }}\n}}\n"
    )
}

/// The provider started by hand with `--debug`, for Terraform to reattach to: one long-lived
/// process serving many commands, as under a debugger.
pub struct DebugProvider {
    child: std::process::Child,
    /// The `TF_REATTACH_PROVIDERS` value it printed.
    pub reattach: String,
}

impl DebugProvider {
    pub fn start() -> Self {
        use std::io::BufRead;
        let mut child = Command::new(provider_binary())
            .arg("--debug")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("provider starts in debug mode");
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let prefix = "TF_REATTACH_PROVIDERS='";
        let mut reattach = None;
        for line in stdout.lines() {
            let line = line.expect("read the debug-mode hint");
            if let Some(start) = line.find(prefix) {
                let rest = &line[start + prefix.len()..];
                reattach = Some(rest.trim_end().trim_end_matches('\'').to_owned());
                break;
            }
        }
        let reattach = reattach.expect("debug mode prints TF_REATTACH_PROVIDERS");
        Self { child, reattach }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for DebugProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Workdir {
    /// Makes Terraform use `provider` instead of starting its own (reattach mode).
    pub fn reattach(&mut self, provider: &DebugProvider) -> &mut Self {
        self.env("TF_REATTACH_PROVIDERS", &provider.reattach)
    }
}

/// The planned action of every resource in a `show -json` plan: `(address, ["create"])`,
/// `(address, ["delete", "create"])` for a replacement, `["no-op"]` when nothing changes.
pub fn plan_actions(plan: &Value) -> Vec<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .map(|changes| {
            changes
                .iter()
                .map(|c| {
                    let actions = c["change"]["actions"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (
                        c["address"].as_str().unwrap_or_default().to_string(),
                        actions,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

impl Workdir {
    /// Plans and fails unless every resource is a no-op.
    pub fn assert_plan_empty(&self, why: &str) {
        let plan = self.plan_json();
        let busy: Vec<_> = plan_actions(&plan)
            .into_iter()
            .filter(|(_, a)| a != &["no-op"])
            .collect();
        assert!(
            busy.is_empty(),
            "{why} on {}: expected no changes, got {busy:?}\n{plan:#}",
            self.terraform()
        );
    }

    /// The planned actions for one resource address.
    pub fn planned_actions(&self, address: &str) -> Vec<String> {
        let plan = self.plan_json();
        plan_actions(&plan)
            .into_iter()
            .find(|(a, _)| a == address)
            .map(|(_, actions)| actions)
            .unwrap_or_else(|| panic!("{address} is not in the plan: {plan:#}"))
    }

    /// Runs a command that must fail; its stderr and stdout, for checking the diagnostic.
    pub fn expect_failure(&self, args: &[&str]) -> String {
        let out = self.try_run(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            !out.status.success(),
            "`{} {}` should fail on {}:\n{text}",
            self.tf.product.name().to_lowercase(),
            args.join(" "),
            self.terraform()
        );
        text
    }

    /// The attributes of one resource in `show -json` state.
    pub fn resource_values(&self, address: &str) -> Value {
        let state = self.state_json();
        state["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
            .map(|r| r["values"].clone())
            .unwrap_or_else(|| panic!("{address} is not in the state: {state:#}"))
    }
}

/// The suite's guarantee that write-only attributes were tested: without a Terraform or
/// OpenTofu 1.11+ the write-only tests would only check the refusal on older binaries.
#[test]
fn a_write_only_capable_binary_is_present() {
    let capable = write_only_capable();
    eprintln!(
        "write-only tests run on: {}",
        capable
            .iter()
            .map(|t| t.label())
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// Terraform wraps diagnostics at 80 columns: compare words, not lines.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
