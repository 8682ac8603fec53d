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
    for kind in ["resources", "data-sources"] {
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
        if p.is_dir() && !["provider", "resources", "data-sources"].contains(&name.as_str()) {
            let files = tf_files(&p);
            assert!(!files.is_empty(), "{} has no .tf file", p.display());
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
    let v: Vec<u64> = tf
        .version
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect();
    v >= vec![1, 11]
}

/// `terraform validate` of `(file name, contents)` in a fresh directory: `Err` says why it is
/// wrong. With write-only attributes on a Terraform before 1.11, success is a clear failure
/// naming the version needed.
fn validate(tf: &Terraform, sources: &[(String, String)]) -> Result<(), String> {
    let wd = Workdir::new(tf);
    for (name, text) in sources {
        wd.write_file(name, text);
    }
    let out = wd.try_run(&["validate", "-no-color"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if needs_write_only(sources) && !supports_write_only(tf) {
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

fn read_all(files: &[PathBuf]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().to_string(),
                std::fs::read_to_string(f).unwrap(),
            )
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
