//! Adopting a Harbor that already exists, through the real binaries: `import` blocks with
//! `plan -generate-config-out` (Terraform 1.5+, OpenTofu 1.5+) must give a configuration that
//! is valid, applies, and then plans empty; and `import { identity = { ... } }` (resource
//! identity: OpenTofu 1.12+, Terraform 1.12+) must find the same objects and record their
//! identities in state.
//!
//! The objects are made by one configuration (standing in for whatever made them: the UI, a
//! script, another team) and adopted by fresh working directories that know only their ids.

use serde_json::Value;

use crate::harness::{Terraform, Workdir, for_these, required_providers, terraforms};
use crate::target::{Harbor, unique};

/// Binaries with `import` blocks and `-generate-config-out`.
fn can_generate_config(tf: &Terraform) -> bool {
    tf.at_least(&[1, 5])
}

/// Binaries that import by identity: OpenTofu 1.12 and Terraform 1.12 (protocol 6.9).
fn can_import_by_identity(tf: &Terraform) -> bool {
    tf.at_least(&[1, 12])
}

/// One object of every resource type: what an existing Harbor holds.
fn world(h: &Harbor, remote: &Harbor, n: &str) -> String {
    format!(
        r#"{req}{provider}
resource "harbor_project" "apps" {{
  name          = "{n}"
  public        = true
  storage_quota = 5
  cve_allowlist = ["CVE-2024-0001"]
}}

resource "harbor_project_quota" "other" {{
  project       = "{n}-other"
  storage_quota = 7
}}

resource "harbor_robot_account" "ci" {{
  name        = "{n}-ci"
  description = "CI pushes"
  level       = "project"
  permissions {{
    kind      = "project"
    namespace = harbor_project.apps.name
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

resource "harbor_registry" "dr" {{
  provider_name = "harbor"
  name          = "{n}-dr"
  endpoint_url  = "{remote}"
  access_id     = "admin"
}}

resource "harbor_replication" "to_dr" {{
  name        = "{n}-to-dr"
  action      = "push"
  registry_id = harbor_registry.dr.registry_id
  schedule    = "0 0 2 * * *"
  filters {{
    name = "{n}/**"
  }}
}}
"#,
        req = required_providers(),
        provider = h.provider_block(),
        remote = remote.url,
    )
}

/// `(address, id)` of every managed resource in a `show -json` state.
fn addresses_and_ids(state: &Value) -> Vec<(String, String)> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources in state")
        .iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_string(),
                r["values"]["id"]
                    .as_str()
                    .expect("every type has an id")
                    .to_string(),
            )
        })
        .collect()
}

/// The identity an id path names, as HCL: the numbers of `/projects/5` or
/// `/replication/policies/3`, under each type's identity attribute.
fn identity_hcl(address: &str, id: &str) -> String {
    let attr = match address.split('.').next().unwrap() {
        "harbor_project" => "project_id",
        "harbor_project_quota" => "quota_id",
        "harbor_robot_account" => "robot_id",
        "harbor_registry" => "registry_id",
        "harbor_replication" => "policy_id",
        other => panic!("{other}: no identity attribute known to this test; add it"),
    };
    let n = id.rsplit('/').next().unwrap();
    format!("{{ {attr} = {n} }}")
}

/// The resources of a local state file, with each instance's identity (if any).
fn state_identities(wd: &Workdir) -> Vec<(String, Value)> {
    let raw = std::fs::read_to_string(wd.path().join("terraform.tfstate")).expect("state file");
    let state: Value = serde_json::from_str(&raw).expect("state JSON");
    state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| {
            (
                format!(
                    "{}.{}",
                    r["type"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ),
                r["instances"][0]["identity"].clone(),
            )
        })
        .collect()
}

#[test]
fn adopting_an_existing_harbor_with_generated_configuration_and_by_identity_plans_empty() {
    let capable: Vec<_> = terraforms()
        .iter()
        .filter(|t| can_generate_config(t))
        .collect();
    assert!(
        !capable.is_empty(),
        "no binary with -generate-config-out (Terraform or OpenTofu 1.5+); run scripts/install-tools.sh"
    );
    for_these(capable.into_iter(), |tf| {
        let h = Harbor::start();
        let remote = Harbor::emulator_because("the replication target", Default::default());
        let n = unique("adopt");
        // The other team's project, whose quota the world manages.
        let r = h.call(
            "POST",
            "/projects",
            Some(serde_json::json!({"project_name": format!("{n}-other")})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let made = Workdir::new(tf);
        made.write_config(&world(&h, &remote, &n));
        made.apply();
        let objects = addresses_and_ids(&made.state_json());
        assert_eq!(objects.len(), 5, "{objects:?}");

        // Import blocks only; the configuration is generated.
        let adopt = Workdir::new(tf);
        let mut hcl = format!("{}{}", required_providers(), h.provider_block());
        for (address, id) in &objects {
            hcl.push_str(&format!(
                "import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"
            ));
        }
        adopt.write_config(&hcl);
        adopt.run(&[
            "plan",
            "-input=false",
            "-no-color",
            "-generate-config-out=generated.tf",
        ]);
        let generated = std::fs::read_to_string(adopt.path().join("generated.tf")).unwrap();
        for (address, _) in &objects {
            let (ty, name) = address.split_once('.').unwrap();
            assert!(
                generated.contains(&format!("resource \"{ty}\" \"{name}\"")),
                "{address} missing from the generated configuration:\n{generated}"
            );
        }
        adopt.validate();
        adopt.apply();
        adopt.assert_plan_empty("plan after adopting with generated configuration");

        // The generated configuration names the registry by its number, so Terraform does not
        // know the policy depends on it and would destroy both at once (Harbor refuses to delete
        // a registry a policy uses). The guide's last step: put the reference back.
        let generated: String = generated
            .lines()
            .map(|l| match l.split_once('=') {
                Some((k, v)) if k.trim() == "registry_id" && v.trim().parse::<i64>().is_ok() => {
                    format!("{k}= harbor_registry.dr.registry_id\n")
                }
                _ => format!("{l}\n"),
            })
            .collect();
        assert!(
            generated.contains("harbor_registry.dr.registry_id"),
            "{generated}"
        );
        adopt.write_file("generated.tf", &generated);
        adopt.assert_plan_empty("plan after referencing the registry");

        // By identity, into another fresh state with the generated configuration.
        if can_import_by_identity(tf) {
            let by_identity = Workdir::new(tf);
            let mut hcl = format!("{}{}", required_providers(), h.provider_block());
            for (address, id) in &objects {
                hcl.push_str(&format!(
                    "import {{\n  to       = {address}\n  identity = {}\n}}\n",
                    identity_hcl(address, id)
                ));
            }
            by_identity.write_config(&hcl);
            by_identity.write_file("generated.tf", &generated);
            by_identity.apply();
            by_identity.assert_plan_empty("plan after importing by identity");
            let identities = state_identities(&by_identity);
            assert_eq!(identities.len(), 5, "{identities:?}");
            for (address, identity) in identities {
                let id = &objects.iter().find(|(a, _)| *a == address).unwrap().1;
                let n: i64 = id.rsplit('/').next().unwrap().parse().unwrap();
                let values: Vec<_> = identity
                    .as_object()
                    .map(|o| o.values().cloned().collect())
                    .unwrap_or_default();
                assert_eq!(
                    values,
                    vec![Value::from(n)],
                    "{address}: identity {identity} for id {id}"
                );
            }
        }

        // Whoever adopted it can now destroy it.
        adopt.destroy();
        assert_eq!(h.status(&format!("/projects/{n}")), 404);
        made.run(&[
            "state",
            "rm",
            "harbor_project.apps",
            "harbor_project_quota.other",
            "harbor_robot_account.ci",
            "harbor_registry.dr",
            "harbor_replication.to_dr",
        ]);
    });
}
