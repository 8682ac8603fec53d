//! Every example under `examples/` passes `terraform validate` on every Terraform found:
//! resource and data-source examples beside `examples/provider/provider.tf` (they leave out
//! `required_providers`, as registry docs do), whole scenarios as they are.

use std::path::{Path, PathBuf};

use crate::harness::{Terraform, Workdir, for_each_terraform};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    files
}

/// Every directory holding an example: `(name, files to put in one working directory)`.
fn examples() -> Vec<(String, Vec<PathBuf>)> {
    let root = examples_dir();
    let provider = root.join("provider/provider.tf");
    let mut found = vec![("provider".to_string(), vec![provider.clone()])];
    for kind in ["resources", "data-sources", "ephemeral-resources"] {
        let mut dirs: Vec<_> = std::fs::read_dir(root.join(kind))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for d in dirs {
            let mut files = tf_files(&d);
            assert!(!files.is_empty(), "{} has no .tf file", d.display());
            files.push(provider.clone());
            found.push((
                format!("{kind}/{}", d.file_name().unwrap().to_string_lossy()),
                files,
            ));
        }
    }
    // Whole scenarios: any other directory with .tf files, used as it is.
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir()
            && ![
                "provider",
                "resources",
                "data-sources",
                "ephemeral-resources",
                // `.tfquery.hcl` files, for `terraform query` (1.14+): query.rs runs each one.
                "list-resources",
            ]
            .contains(&name.as_str())
        {
            let files = tf_files(&p);
            assert!(!files.is_empty(), "{} has no .tf file", p.display());
            // A scenario's local modules, one folder down (`platform/region/`), go with it.
            let mut files = files;
            let mut subdirs: Vec<_> = std::fs::read_dir(&p)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|d| d.is_dir())
                .collect();
            subdirs.sort();
            for d in subdirs {
                files.extend(tf_files(&d));
            }
            found.push((name, files));
        }
    }
    found
}

/// Write-only attributes (`*_wo`) need Terraform 1.11.
fn needs_write_only(sources: &[(String, String)]) -> bool {
    sources.iter().any(|(_, text)| {
        text.lines().any(|l| {
            let l = l.trim_start();
            !l.starts_with('#')
                && l.split(['=', ' '])
                    .next()
                    .is_some_and(|name| name.ends_with("_wo"))
        })
    })
}

fn supports_write_only(tf: &Terraform) -> bool {
    version_at_least(tf, &[1, 11])
}

/// `ephemeral` blocks need Terraform 1.10.
fn needs_ephemeral(sources: &[(String, String)]) -> bool {
    sources
        .iter()
        .any(|(_, text)| text.lines().any(|l| l.starts_with("ephemeral \"")))
}

fn version_at_least(tf: &Terraform, min: &[u64]) -> bool {
    let v: Vec<u64> = tf
        .version
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect();
    v.as_slice() >= min
}

/// `terraform validate` of `(file name, contents)` in a fresh directory: `Err` says why it is
/// wrong. With write-only attributes on a Terraform before 1.11, success is a clear failure
/// naming the version needed.
fn validate(tf: &Terraform, sources: &[(String, String)]) -> Result<(), String> {
    let wd = Workdir::new(tf);
    for (name, text) in sources {
        if let Some(dir) = Path::new(name).parent() {
            std::fs::create_dir_all(wd.path().join(dir)).unwrap();
        }
        wd.write_file(name, text);
    }
    // Local modules are installed by `get` (no registry involved) before validate can see them.
    if sources.iter().any(|(name, _)| name.contains('/')) {
        wd.run(&["get", "-no-color"]);
    }
    let out = wd.try_run(&["validate", "-no-color"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if needs_ephemeral(sources) && !version_at_least(tf, &[1, 10]) {
        // Terraform itself refuses the block; nothing of ours is involved.
        if out.status.success() {
            return Err(format!("an ephemeral block validated on {tf}:\n{text}"));
        }
    } else if needs_write_only(sources) && !supports_write_only(tf) {
        if out.status.success() || !text.contains("needs Terraform 1.11") {
            return Err(format!(
                "write-only attributes on {tf} should fail clearly:\n{text}"
            ));
        }
    } else if !out.status.success() {
        return Err(text);
    }
    Ok(())
}

/// `(name, contents)`: a file's name, or `<folder>/<name>` for a scenario's local module.
fn read_all(files: &[PathBuf]) -> Vec<(String, String)> {
    let root = examples_dir();
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&root).unwrap_or(f);
            let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
            // examples/<scenario>/<module>/<file>: keep `<module>/<file>`.
            let name = if parts.len() == 4
                && !["resources", "data-sources", "ephemeral-resources"]
                    .contains(&parts[0].as_ref())
            {
                format!("{}/{}", parts[2], parts[3])
            } else {
                f.file_name().unwrap().to_string_lossy().to_string()
            };
            (name, std::fs::read_to_string(f).unwrap())
        })
        .collect()
}

#[test]
fn every_example_passes_terraform_validate() {
    let all = examples();
    assert!(
        all.len() >= 12,
        "expected the provider, 5 resource, 5 data-source and 1 scenario examples: {:?}",
        all.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for_each_terraform(|tf| {
        let failures: Vec<String> = all
            .iter()
            .filter_map(|(name, files)| {
                validate(tf, &read_all(files))
                    .err()
                    .map(|e| format!("{name}: {e}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    });
}

/// What the examples test does with a write-only attribute, shown on one: valid on 1.11+,
/// refused with a clear message before.
#[test]
fn write_only_configuration_validates_on_1_11_and_is_refused_clearly_before() {
    let provider = std::fs::read_to_string(examples_dir().join("provider/provider.tf")).unwrap();
    let registry = r#"
resource "harbor_registry" "hub" {
  provider_name            = "docker-hub"
  name                     = "hub"
  access_id                = "someone"
  access_secret_wo         = "not-in-state"
  access_secret_wo_version = 1
}
"#;
    let sources = vec![
        ("provider.tf".to_string(), provider),
        ("main.tf".to_string(), registry.to_string()),
    ];
    assert!(needs_write_only(&sources));
    for_each_terraform(|tf| {
        validate(tf, &sources).unwrap_or_else(|e| panic!("{e}"));
        if supports_write_only(tf) {
            crate::harness::note_write_only(tf);
        }
    });
}

/// Examples are written as `terraform fmt` writes them, checked with the harness's Terraform
/// (the oldest found: `.tools/terraform-1.0.3` in CI), so the check never skips.
#[test]
fn examples_are_terraform_fmt_clean() {
    let tf = crate::harness::terraforms()
        .first()
        .expect("at least one Terraform");
    let out = std::process::Command::new(&tf.path)
        .args(["fmt", "-check", "-recursive", "-list=true"])
        .arg(examples_dir())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| panic!("{tf}: {e}"));
    assert!(
        out.status.success(),
        "run `terraform fmt -recursive examples` ({tf}); these files differ:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The base URLs the demo printed (`primary region: http://...`).
fn demo_urls(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            l.split_once(" region: ")
                .map(|(_, url)| url.trim().to_owned())
        })
        .collect()
}

fn listening(url: &str) -> bool {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    std::net::TcpStream::connect(addr).is_ok()
}

/// `scripts/demo.sh` stops the two emulators it started whether it succeeds, fails at a step,
/// or is interrupted with Ctrl-C (SIGINT to its whole process group, as a terminal sends it;
/// background jobs of a script ignore SIGINT, so only the demo's own cleanup can stop them).
#[test]
fn demo_stops_its_harbors_on_success_failure_and_ctrl_c() {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let emulator = root.join("target/debug/harbor-emulator");
    assert!(
        emulator.is_file(),
        "{} is missing: `cargo build -p harbor-emulator` (cargo test --workspace builds it)",
        emulator.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    // A stand-in terraform for the failure and Ctrl-C runs: it installs the example's local
    // module (`get`) as the real one does, then its apply fails or hangs.
    let fake = tmp.path().join("terraform");
    std::fs::write(
        &fake,
        "#!/bin/sh\ncase \"$1\" in\n  version) echo 'Terraform v1.0.3' ;;\n  get) exit 0 ;;\n  apply) if [ \"$FAKE_TF\" = hang ]; then touch \"$FAKE_TF_MARK\"; exec sleep 60; fi; exit 1 ;;\n  *) exit 1 ;;\nesac\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mark = tmp.path().join("apply-started");

    let demo = |tf: &Path, mode: &str| {
        let mut cmd = Command::new(root.join("scripts/demo.sh"));
        cmd.env("HARBOR_DEMO_NO_BUILD", "1")
            .env("TF_ACC_TERRAFORM_PATH", tf)
            .env("FAKE_TF", mode)
            .env("FAKE_TF_MARK", &mark)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        cmd
    };

    // Success, with the harness's Terraform.
    let tf = &crate::harness::terraforms()
        .last()
        .expect("a Terraform")
        .path;
    let out = demo(tf, "").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let urls = demo_urls(&stdout);
    assert_eq!(urls.len(), 2, "{stdout}");
    let left: Vec<_> = urls.iter().filter(|u| listening(u)).collect();
    assert!(left.is_empty(), "after success, still listening: {left:?}");

    // A failed step (the fake apply fails, then a read of what it should have made fails).
    let out = demo(&fake, "fail").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success(), "the demo should fail:\n{stdout}");
    let urls = demo_urls(&stdout);
    assert_eq!(urls.len(), 2, "{stdout}");
    let left: Vec<_> = urls.iter().filter(|u| listening(u)).collect();
    assert!(
        left.is_empty(),
        "after a failure, still listening: {left:?}"
    );

    // Ctrl-C while terraform apply runs.
    let out_file = tmp.path().join("ctrl-c.out");
    let mut child = demo(&fake, "hang")
        .stdout(std::fs::File::create(&out_file).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !mark.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "apply never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let group = format!("-{}", child.id());
    assert!(
        Command::new("kill")
            .args(["-INT", "--", &group])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    let stdout = std::fs::read_to_string(&out_file).unwrap();
    assert!(!status.success(), "an interrupted demo reports failure");
    let urls = demo_urls(&stdout);
    assert_eq!(urls.len(), 2, "{stdout}");
    let left: Vec<_> = urls.iter().filter(|u| listening(u)).collect();
    assert!(left.is_empty(), "after Ctrl-C, still listening: {left:?}");
}
