//! Drives real `terraform` binaries against the provider through `dev_overrides`.
//!
//! Every Terraform found is used: `.tools/terraform-1.0.3/terraform` (from
//! `scripts/install-terraform.sh`), `terraform` on PATH and `TF_ACC_TERRAFORM_PATH`, deduplicated
//! by version. Finding none is a failure, never a skip: a green run must mean Terraform ran.
//! dev_overrides needs no `terraform init` (Terraform prints a warning about it instead).

#![allow(dead_code)] // Not every test binary uses every helper.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// The provider's short source address, as used in `required_providers` and `dev_overrides`.
pub const PROVIDER_SOURCE: &str = "openova/harbor";
/// Where Terraform files the provider's schema and state entries.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/openova/harbor";

/// One Terraform binary.
#[derive(Debug, Clone)]
pub struct Terraform {
    pub path: PathBuf,
    /// e.g. `1.0.3`.
    pub version: String,
}

impl std::fmt::Display for Terraform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Terraform {} ({})", self.version, self.path.display())
    }
}

/// The version a binary reports, from `version -json` (0.13+), else the first line of `version`.
fn version_of(path: &Path) -> Option<String> {
    let out = Command::new(path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    if out.status.success()
        && let Ok(v) = serde_json::from_slice::<Value>(&out.stdout)
        && let Some(s) = v["terraform_version"].as_str()
    {
        return Some(s.to_owned());
    }
    let out = Command::new(path)
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next()?;
    Some(first.trim_start_matches("Terraform v").trim().to_owned())
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Every Terraform available, oldest first. Panics when there is none.
pub fn terraforms() -> &'static [Terraform] {
    static FOUND: OnceLock<Vec<Terraform>> = OnceLock::new();
    FOUND.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut candidates = vec![root.join(".tools/terraform-1.0.3/terraform")];
        candidates.extend(on_path("terraform"));
        candidates.extend(std::env::var_os("TF_ACC_TERRAFORM_PATH").map(PathBuf::from));

        let mut found: Vec<Terraform> = Vec::new();
        for path in candidates.into_iter().filter(|p| p.is_file()) {
            let Some(version) = version_of(&path) else {
                eprintln!("ignoring {}: `version` did not run", path.display());
                continue;
            };
            if !found.iter().any(|t| t.version == version) {
                found.push(Terraform { path, version });
            }
        }
        assert!(
            !found.is_empty(),
            "no Terraform found for the acceptance tests. Run scripts/install-terraform.sh \
             (installs 1.0.3 into .tools/), put `terraform` on PATH, or set TF_ACC_TERRAFORM_PATH."
        );
        found.sort_by_key(|t| version_key(&t.version));
        found
    })
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Runs `body` against every Terraform found, then fails naming each version that failed.
pub fn for_each_terraform(body: impl Fn(&Terraform)) {
    let mut failed = Vec::new();
    for tf in terraforms() {
        eprintln!("=== {tf}");
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(tf)));
        if let Err(panic) = result {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            eprintln!("--- FAILED on {tf}: {msg}");
            failed.push(tf.to_string());
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
            "`terraform {}` failed on {} ({}):\n--- stdout\n{}\n--- stderr\n{}",
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
                "`terraform {}` printed no JSON ({e}):\n{}",
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
            "`terraform {}` should fail on {}:\n{text}",
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
