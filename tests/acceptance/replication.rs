//! `harbor_registry` and `harbor_replication` through the real `terraform`: the full lifecycle,
//! in-place updates of every updatable attribute, drift, out-of-band deletion, import, health-check
//! and in-use failures, execute-on-change, and plan-time errors.

use serde_json::{Value, json};

use crate::harness::{Workdir, for_each_terraform, required_providers};
use crate::target::{Harbor, unique};

fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

fn registry_hcl(body: &str) -> String {
    format!("resource \"harbor_registry\" \"r\" {{\n{body}}}\n")
}

fn policy_hcl(body: &str) -> String {
    format!("resource \"harbor_replication\" \"p\" {{\n{body}}}\n")
}

/// Write-only attributes need Terraform 1.11 or later.
fn supports_write_only(wd: &Workdir) -> bool {
    let v: Vec<u64> = wd
        .terraform()
        .version
        .split('.')
        .filter_map(|p| p.parse().ok())
        .collect();
    v >= vec![1, 11]
}

/// How many requests of `key` (e.g. `PUT /api/v2.0/registries/{id}`) the emulator has served.
fn served(h: &Harbor, key: &str) -> u64 {
    let counts = h.get("/_emulator/requests");
    counts["by_route"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.as_str() == key)
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

fn clear_exchanges(h: &Harbor) {
    assert_eq!(h.call("DELETE", "/_emulator/exchanges", None).status, 200);
}

/// The `access_secret` each `PUT /registries/{id}` since the last [`clear_exchanges`] sent.
fn registry_put_secrets(h: &Harbor) -> Vec<Option<String>> {
    let log = h.get("/_emulator/exchanges");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|x| x["method"] == "PUT" && x["route"] == "/api/v2.0/registries/{id}")
        .map(|x| {
            x["request_body"]["access_secret"]
                .as_str()
                .or(x["request_body"]["credential"]["access_secret"].as_str())
                .map(str::to_owned)
        })
        .collect()
}

fn registry_id_by_name(h: &Harbor, name: &str) -> Option<i64> {
    h.get(&format!("/registries?q=name%3D{name}"))
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .and_then(|r| r["id"].as_i64())
}

/// A registry endpoint made through the API, pointing at `remote`.
fn api_registry(h: &Harbor, remote: &Harbor, name: &str) -> i64 {
    let r = h.call(
        "POST",
        "/registries",
        Some(json!({"name": name, "type": "harbor", "url": remote.url,
            "credential": {"type": "basic", "access_key": "admin", "access_secret": remote.password}})),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    registry_id_by_name(h, name).unwrap()
}

fn policy_id_by_name(h: &Harbor, name: &str) -> Option<i64> {
    h.get("/replication/policies?page_size=100")
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["id"].as_i64())
}

/// Harbor's filters as sorted `type=value/decoration` strings.
fn filters_of(p: &Value) -> Vec<String> {
    let mut fs: Vec<String> = p["filters"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    format!(
                        "{}={}/{}",
                        f["type"].as_str().unwrap_or(""),
                        f["value"],
                        f["decoration"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    fs.sort();
    fs
}

#[test]
fn registry_lifecycle_create_replan_import_update_drift_delete_replace_destroy() {
    for_each_terraform(|tf| {
        // The exchange log shows what each PUT carried: Harbor masks secrets on read.
        let h = Harbor::emulator_because(
            "registers emulators as remote registries and reads the exchange log",
            harbor_emulator::Config {
                record_exchanges: true,
                ..Default::default()
            },
        );
        let (remote1, remote2) = (
            Harbor::emulator(Default::default()),
            Harbor::emulator(Default::default()),
        );
        let name = unique("replica");
        let wd = Workdir::new(tf);
        // The trailing `/` is Harbor-normalised away; it must never show as a change.
        let url1 = format!("{}/", remote1.url);
        let first = format!(
            "  provider_name = \"harbor\"\n  name = \"{name}\"\n  endpoint_url = \"{url1}\"\n  description = \"d1\"\n  access_id = \"admin\"\n"
        );
        wd.write_config(&config(&h, &registry_hcl(&first)));
        wd.apply();
        let id = registry_id_by_name(&h, &name).expect("registry created");
        let r = h.get(&format!("/registries/{id}"));
        assert_eq!(r["type"], "harbor");
        assert_eq!(r["url"], remote1.url.as_str());
        assert_eq!(r["description"], "d1");
        assert_eq!(r["credential"]["access_key"], "admin");
        let v = wd.resource_values("harbor_registry.r");
        assert_eq!(v["registry_id"], id);
        assert_eq!(v["id"], format!("/registries/{id}"));
        assert_eq!(v["status"], "healthy");
        assert_eq!(v["endpoint_url"], url1.as_str());
        wd.assert_plan_empty("re-plan after create");

        // Import by id and by the Go provider's path: with Harbor's spelling of the URL nothing
        // changes; with another spelling the plan is an update that sends nothing to Harbor.
        let normalised = first.replace(&url1, &remote1.url);
        for import_id in [id.to_string(), format!("/registries/{id}")] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&config(&h, &registry_hcl(&normalised)));
            wd2.import("harbor_registry.r", &import_id);
            wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        }
        let wd2 = Workdir::new(tf);
        wd2.write_config(&config(&h, &registry_hcl(&first)));
        wd2.import("harbor_registry.r", &id.to_string());
        let puts = served(&h, "PUT /api/v2.0/registries/{id}");
        wd2.apply();
        assert_eq!(
            served(&h, "PUT /api/v2.0/registries/{id}"),
            puts,
            "a URL spelling change sends nothing"
        );
        wd2.assert_plan_empty("plan after adopting the configured URL spelling");
        drop(wd2);

        // Each updatable attribute updates in place. The secret first: Harbor masks it, so the
        // proof is the PUT.
        let step = first.replace(
            "  access_id = \"admin\"\n",
            "  access_id = \"admin\"\n  access_secret = \"s3cret\"\n",
        );
        wd.write_config(&config(&h, &registry_hcl(&step)));
        assert_eq!(wd.planned_actions("harbor_registry.r"), ["update"]);
        clear_exchanges(&h);
        wd.apply();
        assert_eq!(
            registry_put_secrets(&h),
            [Some("s3cret".to_owned())],
            "one PUT carrying the new secret"
        );
        assert_eq!(
            h.get(&format!("/registries/{id}"))["credential"]["access_secret"],
            "*****"
        );
        wd.assert_plan_empty("re-plan after the secret changed");

        let renamed = format!("{name}-b");
        let step = format!(
            "  provider_name = \"harbor\"\n  name = \"{renamed}\"\n  endpoint_url = \"{}\"\n  description = \"d2\"\n  access_id = \"robot$sync\"\n  access_secret = \"s3cret\"\n  insecure = true\n",
            remote2.url
        );
        wd.write_config(&config(&h, &registry_hcl(&step)));
        assert_eq!(wd.planned_actions("harbor_registry.r"), ["update"]);
        wd.apply();
        let r = h.get(&format!("/registries/{id}"));
        assert_eq!(
            (
                r["name"].as_str(),
                r["url"].as_str(),
                r["description"].as_str(),
                r["credential"]["access_key"].as_str(),
                r["insecure"].as_bool()
            ),
            (
                Some(renamed.as_str()),
                Some(remote2.url.as_str()),
                Some("d2"),
                Some("robot$sync"),
                Some(true)
            )
        );
        assert_eq!(r["credential"]["access_secret"], "*****", "secret kept");
        wd.assert_plan_empty("re-plan after update");

        // The write-only secret (Terraform 1.11+): bumping the version sends it, state never holds it.
        if supports_write_only(&wd) {
            let wo = |version: u32| {
                step.replace(
                    "  access_secret = \"s3cret\"\n",
                    &format!("  access_secret_wo = \"wo-secret\"\n  access_secret_wo_version = {version}\n"),
                )
            };
            wd.write_config(&config(&h, &registry_hcl(&wo(1))));
            assert_eq!(wd.planned_actions("harbor_registry.r"), ["update"]);
            wd.apply();
            wd.assert_plan_empty("re-plan with the write-only secret");
            wd.write_config(&config(&h, &registry_hcl(&wo(2))));
            assert_eq!(wd.planned_actions("harbor_registry.r"), ["update"]);
            clear_exchanges(&h);
            wd.apply();
            assert_eq!(
                registry_put_secrets(&h),
                [Some("wo-secret".to_owned())],
                "one PUT carrying the write-only secret"
            );
            let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
            assert!(!state.contains("wo-secret"), "write-only secret in state");
            wd.write_config(&config(&h, &registry_hcl(&step)));
            wd.apply();
            crate::harness::note_write_only(tf);
        }

        // Drift made in Harbor shows in the plan, and apply puts it back.
        let r = h.call(
            "PUT",
            &format!("/registries/{id}"),
            Some(json!({"description": "changed in the UI", "insecure": false, "access_key": "someone"})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_registry.r"), ["update"]);
        wd.apply();
        let r = h.get(&format!("/registries/{id}"));
        assert_eq!(
            (
                r["description"].as_str(),
                r["insecure"].as_bool(),
                r["credential"]["access_key"].as_str()
            ),
            (Some("d2"), Some(true), Some("robot$sync"))
        );

        // Deleted behind Terraform's back: the plan re-creates it.
        assert_eq!(
            h.call("DELETE", &format!("/registries/{id}"), None).status,
            200
        );
        assert_eq!(wd.planned_actions("harbor_registry.r"), ["create"]);
        wd.apply();
        let id = registry_id_by_name(&h, &renamed).expect("re-created");
        wd.assert_plan_empty("re-plan after re-create");

        // A new kind of registry replaces it; Docker Hub's URL is fixed, so it may be left out.
        let hub = format!("  provider_name = \"docker-hub\"\n  name = \"{renamed}\"\n");
        wd.write_config(&config(&h, &registry_hcl(&hub)));
        assert_eq!(
            wd.planned_actions("harbor_registry.r"),
            ["delete", "create"]
        );
        wd.apply();
        assert_eq!(h.status(&format!("/registries/{id}")), 404);
        let id = registry_id_by_name(&h, &renamed).expect("replacement");
        let r = h.get(&format!("/registries/{id}"));
        assert_eq!(
            (r["type"].as_str(), r["url"].as_str()),
            (Some("docker-hub"), Some("https://hub.docker.com"))
        );
        assert_eq!(
            wd.resource_values("harbor_registry.r")["endpoint_url"],
            "https://hub.docker.com"
        );
        wd.assert_plan_empty("re-plan of a Docker Hub endpoint without endpoint_url");

        // Destroy, confirmed by asking Harbor.
        wd.destroy();
        assert_eq!(h.status(&format!("/registries/{id}")), 404);
        assert_eq!(h.get("/registries"), json!([]));
    });
}

#[test]
fn registry_health_check_failure_names_the_endpoint() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "makes health checks fail on demand through the emulator",
            Default::default(),
        );
        let wd = Workdir::new(tf);
        // Nothing listens on the discard port.
        let url = "http://127.0.0.1:9";
        wd.write_config(&config(
            &h,
            &registry_hcl(&format!(
                "  provider_name = \"harbor\"\n  name = \"down\"\n  endpoint_url = \"{url}\"\n"
            )),
        ));
        let err = wd.expect_failure(&["apply", "-auto-approve", "-no-color"]);
        assert!(
            err.contains(&format!("Harbor cannot reach the registry at {url}")),
            "{err}"
        );
        assert!(err.contains("endpoint_url"), "{err}");
        assert_eq!(h.get("/registries"), json!([]), "nothing created");

        // The same check guards an endpoint change: Harbor keeps the old URL, and so does the state.
        let remote = Harbor::emulator(Default::default());
        let hcl = |endpoint: &str| {
            config(
                &h,
                &registry_hcl(&format!(
                    "  provider_name = \"harbor\"\n  name = \"moving\"\n  endpoint_url = \"{endpoint}\"\n"
                )),
            )
        };
        wd.write_config(&hcl(&remote.url));
        wd.apply();
        let id = registry_id_by_name(&h, "moving").unwrap();
        wd.write_config(&hcl(url));
        let err = wd.expect_failure(&["apply", "-auto-approve", "-no-color"]);
        assert!(
            err.contains(&format!("Harbor cannot reach the registry at {url}")),
            "{err}"
        );
        assert_eq!(
            h.get(&format!("/registries/{id}"))["url"],
            remote.url.as_str()
        );
        assert_eq!(
            wd.resource_values("harbor_registry.r")["endpoint_url"],
            remote.url.as_str()
        );
        wd.write_config(&hcl(&remote.url));
        wd.assert_plan_empty("back to the reachable endpoint");
        wd.destroy();
    });
}

/// goharbor/harbor's registry and replication examples apply unchanged and re-plan empty.
#[test]
fn go_provider_registry_and_replication_examples_apply_unchanged() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "applies the Go provider's examples, whose registries point at the internet",
            Default::default(),
        );
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            r#"
resource "harbor_registry" "main" {
  provider_name = "docker-hub"
  name          = "test_docker_harbor"
  endpoint_url  = "https://hub.docker.com"
}

resource "harbor_replication" "push" {
  name        = "test_push"
  action      = "push"
  registry_id = harbor_registry.main.registry_id
}

resource "harbor_replication" "alpine" {
  name           = "alpine"
  action         = "pull"
  registry_id    = harbor_registry.main.registry_id
  schedule       = "0 0/15 * * * *"
  dest_namespace = "nice"
  filters {
    name = "library/alpine"
  }
  filters {
    tag = "3.*.*"
  }
  filters {
    resource = "artifact"
  }
  filters {
    labels = ["qa"]
  }
}

resource "harbor_replication" "events" {
  name        = "events"
  action      = "push"
  registry_id = harbor_registry.main.registry_id
  schedule    = "event_based"
  deletion    = true
}
"#,
        ));
        wd.apply();
        wd.assert_plan_empty("re-plan of the Go provider's examples");
        let alpine = h
            .get("/replication/policies?page_size=100")
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "alpine")
            .cloned()
            .unwrap();
        assert_eq!(alpine["filters"].as_array().unwrap().len(), 4, "{alpine:#}");
        wd.destroy();
        assert_eq!(h.get("/replication/policies"), json!([]));
        assert_eq!(h.get("/registries"), json!([]));
    });
}

#[test]
fn registry_in_use_cannot_be_deleted_and_the_error_names_the_users() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "registers emulators as remote registries under fixed names",
            Default::default(),
        );
        let remote = Harbor::emulator(Default::default());
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &registry_hcl(&format!(
                "  provider_name = \"harbor\"\n  name = \"used\"\n  endpoint_url = \"{}\"\n",
                remote.url
            )),
        ));
        wd.apply();
        let id = registry_id_by_name(&h, "used").unwrap();
        let r = h.call(
            "POST",
            "/replication/policies",
            Some(
                json!({"name": "nightly", "dest_registry": {"id": id}, "enabled": true,
                "trigger": {"type": "manual"}, "deletion": false, "override": true}),
            ),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let r = h.call(
            "POST",
            "/projects",
            Some(json!({"project_name": "cache", "registry_id": id, "metadata": {"public": "false"}})),
        );
        assert_eq!(r.status, 201, "{}", r.text);

        let err = wd.expect_failure(&["destroy", "-auto-approve", "-no-color"]);
        assert!(err.contains("Registry used is still in use"), "{err}");
        assert!(err.contains("replication policy \"nightly\""), "{err}");
        assert!(err.contains("proxy-cache project \"cache\""), "{err}");
        assert_eq!(
            h.status(&format!("/registries/{id}")),
            200,
            "nothing deleted"
        );

        let pid = policy_id_by_name(&h, "nightly").unwrap();
        assert_eq!(
            h.call("DELETE", &format!("/replication/policies/{pid}"), None)
                .status,
            200
        );
        assert_eq!(h.call("DELETE", "/projects/cache", None).status, 200);
        wd.destroy();
        assert_eq!(h.status(&format!("/registries/{id}")), 404);
    });
}

/// Everything Harbor would reject (or silently ignore) is refused at plan time, naming the attribute.
#[test]
fn registry_plan_time_errors_name_the_attribute() {
    // (body, attribute quoted by Terraform or "" when it is not in the configuration, message)
    let cases: &[(&str, &str, &str)] = &[
        (
            "provider_name = \"helm\"\n  name = \"x\"\n  endpoint_url = \"https://charts.example.com\"",
            "provider_name",
            "Unknown provider_name \"helm\"",
        ),
        (
            "provider_name = \"nexus\"\n  name = \"x\"\n  endpoint_url = \"https://nexus.example.com\"",
            "provider_name",
            "Harbor supports these registry providers: alibaba",
        ),
        (
            "provider_name = \"harbor\"\n  name = \"x\"\n  endpoint_url = \"ftp://files.example.com\"",
            "endpoint_url",
            "Invalid endpoint_url",
        ),
        (
            "provider_name = \"harbor\"\n  name = \"x\"",
            "",
            "Missing endpoint_url",
        ),
        (
            "provider_name = \"harbor\"\n  name = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n  endpoint_url = \"https://r.example.com\"",
            "name",
            "Invalid registry name",
        ), // Harbor refuses a CA that is not PEM (`ValidateCACertificate`), for every type.
        (
            "provider_name = \"docker-hub\"\n  name = \"x\"\n  ca_certificate = \"CA-ONE\"",
            "ca_certificate",
            "ca_certificate is not a PEM certificate",
        ),
        // Harbor drops a secret without an access key (`pkg/reg/manager.go`).
        (
            "provider_name = \"docker-hub\"\n  name = \"x\"\n  access_secret = \"s3cret\"",
            "access_secret",
            "access_secret needs access_id",
        ),
    ];
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "pins an older Harbor version for the ca_certificate case",
            Default::default(),
        );
        let mut all: Vec<(String, &str, &str)> = cases
            .iter()
            .map(|(b, a, m)| (b.to_string(), *a, *m))
            .collect();
        if supports_write_only(&Workdir::new(tf)) {
            all.push((
                "provider_name = \"docker-hub\"\n  name = \"x\"\n  access_secret = \"a\"\n  access_secret_wo = \"b\"".into(),
                "access_secret_wo",
                "access_secret and access_secret_wo conflict",
            ));
        }
        for (body, attr, message) in &all {
            let wd = Workdir::new(tf);
            wd.write_config(&config(
                &h,
                &format!("resource \"harbor_registry\" \"r\" {{\n  {body}\n}}\n"),
            ));
            let err = wd.expect_failure(&["plan", "-no-color"]);
            assert!(
                err.contains(message),
                "{body}: message {message:?} missing in:\n{err}"
            );
            if !attr.is_empty() {
                assert!(
                    err.contains(&format!(":   {attr} =")),
                    "{body}: attribute {attr} not named:\n{err}"
                );
            }
        }

        // A CA certificate on a Harbor that cannot store one (before 2.15).
        let old = Harbor::emulator(harbor_emulator::Config {
            harbor_version: "2.14.0".into(),
            ..Default::default()
        });
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &old,
            &registry_hcl(&format!(
                "  provider_name = \"docker-hub\"\n  name = \"hub\"\n  ca_certificate = \"{}\"\n",
                ca_pem_hcl()
            )),
        ));
        let err = wd.expect_failure(&["plan", "-no-color"]);
        assert!(
            err.contains("ca_certificate needs Harbor 2.15 or later"),
            "{err}"
        );
        assert!(err.contains(":   ca_certificate ="), "{err}");
        assert_eq!(old.get("/registries"), json!([]));
    });
}

/// A self-signed CA certificate in PEM, written as an HCL string (newlines escaped).
fn ca_pem_hcl() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    rcgen::CertificateParams::new(vec!["ca.test".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap()
        .pem()
        .replace('\n', "\\n")
}

fn full_policy(name: &str, registry: i64) -> String {
    format!(
        r#"  name = "{name}"
  action = "push"
  registry_id = {registry}
  schedule = "0 0 2 * * *"
  override = false
  deletion = true
  copy_by_chunk = true
  single_active_replication = true
  dest_namespace = "mirror"
  dest_namespace_replace = 1
  speed = 1024
  description = "d1"

  filters {{
    name = "library/**"
  }}
  filters {{
    tag = "v*"
    decoration = "excludes"
  }}
  filters {{
    labels = ["prod", "signed"]
  }}
  filters {{
    resource = "image"
  }}
"#
    )
}

#[test]
fn replication_lifecycle_create_replan_import_update_drift_delete_replace_destroy() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "registers emulators as remote registries and counts their health checks",
            Default::default(),
        );
        let remote = Harbor::emulator(Default::default());
        let r1 = api_registry(&h, &remote, &unique("r1"));
        let r2 = api_registry(&h, &remote, &unique("r2"));
        let name = unique("policy");
        let wd = Workdir::new(tf);
        let first = full_policy(&name, r1);
        wd.write_config(&config(&h, &policy_hcl(&first)));
        wd.apply();
        let id = policy_id_by_name(&h, &name).expect("policy created");
        let p = h.get(&format!("/replication/policies/{id}"));
        assert_eq!(p["dest_registry"]["id"], r1);
        assert_eq!(p["src_registry"]["id"], 0);
        assert_eq!(p["trigger"]["type"], "scheduled");
        assert_eq!(p["trigger"]["trigger_settings"]["cron"], "0 0 2 * * *");
        assert_eq!(
            (p["deletion"].as_bool(), p["replicate_deletion"].as_bool()),
            (Some(true), Some(true))
        );
        // Harbor leaves a false `override` out (go-swagger's `omitempty`).
        assert!(!p["override"].as_bool().unwrap_or(false));
        assert_eq!(p["enabled"], true);
        assert_eq!(p["copy_by_chunk"], true);
        assert_eq!(p["single_active_replication"], true);
        assert_eq!(p["dest_namespace"], "mirror");
        assert_eq!(p["dest_namespace_replace_count"], 1);
        assert_eq!(p["speed"], 1024);
        assert_eq!(p["description"], "d1");
        let fs = filters_of(&p);
        assert_eq!(fs.len(), 4, "{fs:?}");
        for want in [
            "name=\"library/**\"/",
            "resource=\"image\"/",
            "tag=\"v*\"/excludes",
        ] {
            assert!(fs.contains(&want.to_string()), "{want} not in {fs:?}");
        }
        assert!(
            fs.iter()
                .any(|f| f.starts_with("label=[\"prod\",\"signed\"]/")),
            "{fs:?}"
        );
        let v = wd.resource_values("harbor_replication.p");
        assert_eq!(v["replication_policy_id"], id);
        assert_eq!(v["id"], format!("/replication/policies/{id}"));
        wd.assert_plan_empty("re-plan after create");

        // Import by id and by the Go provider's path: nothing to change.
        for import_id in [id.to_string(), format!("/replication/policies/{id}")] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&config(&h, &policy_hcl(&first)));
            wd2.import("harbor_replication.p", &import_id);
            wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        }

        // Update in place, first half: name, registry, event-based trigger (read back, with
        // deletion, without a perpetual diff), enabled, override, copy_by_chunk,
        // single_active_replication, dest_namespace, dest_namespace_replace, speed, description, filters.
        let renamed = format!("{name}-b");
        let second = format!(
            r#"  name = "{renamed}"
  action = "push"
  registry_id = {r2}
  schedule = "event_based"
  enabled = false
  override = true
  deletion = true
  description = "d2"

  filters {{
    name = "apps/**"
  }}
"#
        );
        wd.write_config(&config(&h, &policy_hcl(&second)));
        assert_eq!(wd.planned_actions("harbor_replication.p"), ["update"]);
        wd.apply();
        let p = h.get(&format!("/replication/policies/{id}"));
        assert_eq!(p["name"], renamed.as_str());
        assert_eq!(p["dest_registry"]["id"], r2);
        assert_eq!(p["trigger"]["type"], "event_based");
        // False booleans and empty strings are left out of Harbor's answer (`omitempty`).
        let flag = |k: &str| p[k].as_bool().unwrap_or(false);
        assert_eq!(
            (flag("enabled"), flag("override"), flag("deletion")),
            (false, true, true)
        );
        assert_eq!(
            (
                p["copy_by_chunk"].as_bool(),
                p["single_active_replication"].as_bool()
            ),
            (Some(false), Some(false))
        );
        assert_eq!(p["dest_namespace"].as_str().unwrap_or(""), "");
        assert_eq!(p["dest_namespace_replace_count"], 0);
        assert_eq!(p["speed"], 0, "unlimited");
        assert_eq!(p["description"], "d2");
        assert_eq!(filters_of(&p), ["name=\"apps/**\"/"]);
        wd.assert_plan_empty("re-plan after event_based with deletion");

        // Second half: back to manual, deletion off, the last-component namespace rewrite.
        let third = second
            .replace("event_based", "manual")
            .replace(
                "  deletion = true\n",
                "  deletion = false\n  dest_namespace = \"dr\"\n  dest_namespace_replace = -1\n",
            )
            .replace("  enabled = false\n", "");
        wd.write_config(&config(&h, &policy_hcl(&third)));
        assert_eq!(wd.planned_actions("harbor_replication.p"), ["update"]);
        wd.apply();
        let p = h.get(&format!("/replication/policies/{id}"));
        assert_eq!(p["trigger"]["type"], "manual");
        let flag = |k: &str| p[k].as_bool().unwrap_or(false);
        assert_eq!(
            (
                flag("deletion"),
                flag("replicate_deletion"),
                flag("enabled")
            ),
            (false, false, true)
        );
        assert_eq!(
            (
                p["dest_namespace"].as_str(),
                p["dest_namespace_replace_count"].as_i64()
            ),
            (Some("dr"), Some(-1))
        );
        wd.assert_plan_empty("re-plan after the second update");

        // Drift made in Harbor (PUT replaces the whole policy, as the UI does) is put back.
        let mut drifted = p.clone();
        drifted["enabled"] = json!(false);
        drifted["description"] = json!("changed in the UI");
        drifted["filters"] = json!([{"type": "tag", "value": "latest"}]);
        drifted["speed"] = json!(10);
        let r = h.call("PUT", &format!("/replication/policies/{id}"), Some(drifted));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_replication.p"), ["update"]);
        wd.apply();
        let p = h.get(&format!("/replication/policies/{id}"));
        assert_eq!(
            (
                p["enabled"].as_bool(),
                p["description"].as_str(),
                p["speed"].as_i64()
            ),
            (Some(true), Some("d2"), Some(0))
        );
        assert_eq!(filters_of(&p), ["name=\"apps/**\"/"]);

        // Deleted behind Terraform's back: the plan re-creates it.
        assert_eq!(
            h.call("DELETE", &format!("/replication/policies/{id}"), None)
                .status,
            200
        );
        assert_eq!(wd.planned_actions("harbor_replication.p"), ["create"]);
        wd.apply();
        let id = policy_id_by_name(&h, &renamed).expect("re-created");
        wd.assert_plan_empty("re-plan after re-create");

        // Changing the direction replaces the policy.
        wd.write_config(&config(
            &h,
            &policy_hcl(&third.replace("\"push\"", "\"pull\"")),
        ));
        assert_eq!(
            wd.planned_actions("harbor_replication.p"),
            ["delete", "create"]
        );
        wd.apply();
        assert_eq!(h.status(&format!("/replication/policies/{id}")), 404);
        let id = policy_id_by_name(&h, &renamed).expect("replacement");
        let p = h.get(&format!("/replication/policies/{id}"));
        assert_eq!(
            (
                p["src_registry"]["id"].as_i64(),
                p["dest_registry"]["id"].as_i64()
            ),
            (Some(r2), Some(0))
        );
        wd.assert_plan_empty("re-plan of the pull policy");

        // Destroy, confirmed by asking Harbor.
        wd.destroy();
        assert_eq!(h.status(&format!("/replication/policies/{id}")), 404);
        assert_eq!(h.get("/replication/policies"), json!([]));
    });
}

/// Several keys in one `filters` block all reach Harbor. Import yields one key per block (as
/// goharbor/harbor does), so the grouped configuration then plans an update that sends nothing.
#[test]
fn replication_grouped_filter_keys_all_apply_and_regrouping_sends_nothing() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "counts requests with the emulator's request counters",
            Default::default(),
        );
        let remote = Harbor::emulator(Default::default());
        let reg = api_registry(&h, &remote, "remote");
        let name = unique("grouped");
        let body = format!(
            "  name = \"{name}\"\n  action = \"push\"\n  registry_id = {reg}\n\n  filters {{\n    name = \"library/**\"\n    tag = \"v*\"\n    labels = [\"prod\"]\n    resource = \"image\"\n    decoration = \"excludes\"\n  }}\n"
        );
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &policy_hcl(&body)));
        wd.apply();
        let id = policy_id_by_name(&h, &name).unwrap();
        let p = h.get(&format!("/replication/policies/{id}"));
        assert_eq!(
            filters_of(&p),
            [
                "label=[\"prod\"]/excludes",
                "name=\"library/**\"/",
                "resource=\"image\"/",
                "tag=\"v*\"/excludes"
            ]
        );
        wd.assert_plan_empty("re-plan of grouped filter keys");

        let wd2 = Workdir::new(tf);
        wd2.write_config(&config(&h, &policy_hcl(&body)));
        wd2.import("harbor_replication.p", &id.to_string());
        assert_eq!(wd2.planned_actions("harbor_replication.p"), ["update"]);
        let puts = served(&h, "PUT /api/v2.0/replication/policies/{id}");
        wd2.apply();
        assert_eq!(
            served(&h, "PUT /api/v2.0/replication/policies/{id}"),
            puts,
            "regrouping sends nothing"
        );
        wd2.assert_plan_empty("plan after regrouping");
        assert_eq!(
            filters_of(&h.get(&format!("/replication/policies/{id}"))),
            filters_of(&p)
        );
        wd.destroy();
        assert_eq!(h.status(&format!("/replication/policies/{id}")), 404);
    });
}

#[test]
fn replication_execute_on_changed_reports_the_execution() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "starts executions, which need a jobservice and a registry on a real Harbor",
            Default::default(),
        );
        let remote = Harbor::emulator(Default::default());
        let reg = api_registry(&h, &remote, "remote");
        let name = unique("run");
        let hcl = |description: &str| {
            config(
                &h,
                &policy_hcl(&format!(
                    "  name = \"{name}\"\n  action = \"push\"\n  registry_id = {reg}\n  description = \"{description}\"\n  execute_on_changed = true\n\n  filters {{\n    name = \"apps/**\"\n  }}\n"
                )),
            )
        };
        let wd = Workdir::new(tf);
        wd.write_config(&hcl("first"));
        wd.apply();
        let id = policy_id_by_name(&h, &name).unwrap();
        let exec1 = wd.resource_values("harbor_replication.p")["execution_id"]
            .as_i64()
            .expect("execution_id after create");
        assert_eq!(
            h.get(&format!("/replication/executions/{exec1}"))["policy_id"],
            id
        );
        wd.assert_plan_empty("re-plan after an execution");

        wd.write_config(&hcl("second"));
        assert_eq!(wd.planned_actions("harbor_replication.p"), ["update"]);
        wd.apply();
        let exec2 = wd.resource_values("harbor_replication.p")["execution_id"]
            .as_i64()
            .expect("execution_id after update");
        assert_ne!(exec1, exec2, "a new execution per change");
        assert_eq!(
            h.get(&format!("/replication/executions/{exec2}"))["policy_id"],
            id
        );
        let runs = h.get(&format!("/replication/executions?policy_id={id}"));
        assert_eq!(runs.as_array().unwrap().len(), 2);
        wd.assert_plan_empty("re-plan after the second execution");
        wd.destroy();
        assert_eq!(h.status(&format!("/replication/policies/{id}")), 404);
    });
}

/// Everything Harbor would reject, or accept and never run, is refused at plan time, naming the attribute.
#[test]
fn replication_plan_time_errors_name_the_attribute() {
    let base = "name = \"p\"\n  registry_id = 1";
    // A body naming `name` replaces the base.
    let cases: &[(&str, &str, &str)] = &[
        (
            "name = \" \"\n  registry_id = 1\n  action = \"push\"",
            "name",
            "Empty value for name",
        ),
        (
            "name = \"p\"\n  registry_id = 0\n  action = \"push\"",
            "registry_id",
            "out of range",
        ),
        ("action = \"sync\"", "action", "Use one of: push, pull"),
        (
            "action = \"push\"\n  schedule = \"0 0 2 * *\"",
            "schedule",
            "has 5 fields; Harbor wants six",
        ),
        (
            "action = \"push\"\n  schedule = \"30 0 2 * * *\"",
            "schedule",
            "must start with `0`",
        ),
        (
            "action = \"push\"\n  schedule = \"0 * * * * *\"",
            "schedule",
            "Harbor refuses `*` in the minutes field",
        ),
        (
            "action = \"push\"\n  schedule = \"daily\"",
            "schedule",
            "Invalid schedule \"daily\"",
        ),
        // Harbor's cron parser checks ranges: minute 99, hour 24 and weekday 7 do not exist.
        (
            "action = \"push\"\n  schedule = \"0 99 * * * *\"",
            "schedule",
            "minutes field: end of range (99)",
        ),
        (
            "action = \"push\"\n  schedule = \"0 0 24 * * *\"",
            "schedule",
            "not a cron Harbor accepts",
        ),
        (
            "action = \"push\"\n  schedule = \"0 0 2 * * 7\"",
            "schedule",
            "not a cron Harbor accepts",
        ),
        (
            "action = \"pull\"\n  schedule = \"event_based\"",
            "schedule",
            "event_based does not work for pull policies",
        ),
        (
            "action = \"push\"\n  schedule = \"event_based\"\n  single_active_replication = true",
            "single_active_replication",
            "single_active_replication cannot be combined with event_based",
        ),
        (
            "action = \"push\"\n  dest_namespace_replace = 4",
            "dest_namespace_replace",
            "use a whole number from -1 to 3",
        ),
        (
            "action = \"push\"\n  dest_namespace_replace = -2",
            "dest_namespace_replace",
            "use a whole number from -1 to 3",
        ),
        ("action = \"push\"\n  speed = -5", "speed", "out of range"),
        (
            "action = \"push\"\n  enabled = false\n  execute_on_changed = true",
            "execute_on_changed",
            "A disabled policy cannot run",
        ),
        (
            "action = \"push\"\n  filters {\n    name = \"apps/**\"\n    decoration = \"excludes\"\n  }",
            "decoration",
            "decoration needs tag or labels",
        ),
        (
            "action = \"push\"\n  filters {\n    resource = \"helm\"\n  }",
            "resource",
            "Use one of: image, artifact",
        ),
        (
            "action = \"push\"\n  filters {\n    tag = \"v*\"\n    decoration = \"without\"\n  }",
            "decoration",
            "Use one of: matches, excludes",
        ),
    ];
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "pins an older Harbor version for the single_active_replication case",
            Default::default(),
        );
        for (body, attr, message) in cases {
            let wd = Workdir::new(tf);
            wd.write_config(&config(
                &h,
                &if body.starts_with("name") {
                    format!("resource \"harbor_replication\" \"p\" {{\n  {body}\n}}\n")
                } else {
                    format!("resource \"harbor_replication\" \"p\" {{\n  {base}\n  {body}\n}}\n")
                },
            ));
            let err = wd.expect_failure(&["plan", "-no-color"]);
            assert!(
                err.contains(message),
                "{body}: message {message:?} missing in:\n{err}"
            );
            assert!(
                err.contains(&format!(":   {attr} =")) || err.contains(&format!(":     {attr} =")),
                "{body}: attribute {attr} not named:\n{err}"
            );
        }

        // A setting the connected Harbor lacks: single_active_replication before 2.14.
        let old = Harbor::emulator(harbor_emulator::Config {
            harbor_version: "2.13.0".into(),
            ..Default::default()
        });
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &old,
            &policy_hcl(&format!(
                "  {base}\n  action = \"push\"\n  single_active_replication = true\n"
            )),
        ));
        let err = wd.expect_failure(&["plan", "-no-color"]);
        assert!(
            err.contains("single_active_replication needs Harbor 2.14 or later"),
            "{err}"
        );
        assert!(err.contains(":   single_active_replication ="), "{err}");
    });
}

/// `ca_certificate` (Harbor 2.15+) is stored, read back, changed in place and removed.
#[test]
fn registry_ca_certificate_updates_in_place() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "registers a github registry, which a real Harbor health-checks by calling the internet",
            Default::default(),
        );
        let hcl = |ca: Option<&str>| {
            let ca = ca
                .map(|c| format!("  ca_certificate = \"{c}\"\n"))
                .unwrap_or_default();
            config(
                &h,
                &registry_hcl(&format!(
                    "  provider_name = \"github\"\n  name = \"ghcr\"\n{ca}"
                )),
            )
        };
        let (one, two) = (ca_pem_hcl(), ca_pem_hcl());
        let unescape = |c: &str| c.replace("\\n", "\n");
        let wd = Workdir::new(tf);
        wd.write_config(&hcl(Some(&one)));
        wd.apply();
        let id = registry_id_by_name(&h, "ghcr").unwrap();
        let r = h.get(&format!("/registries/{id}"));
        assert_eq!(
            (r["url"].as_str(), r["ca_certificate"].as_str()),
            (Some("https://ghcr.io"), Some(unescape(&one).as_str()))
        );
        wd.assert_plan_empty("re-plan with a CA certificate");

        wd.write_config(&hcl(Some(&two)));
        assert_eq!(wd.planned_actions("harbor_registry.r"), ["update"]);
        wd.apply();
        assert_eq!(
            h.get(&format!("/registries/{id}"))["ca_certificate"],
            unescape(&two).as_str()
        );

        wd.write_config(&hcl(None));
        assert_eq!(wd.planned_actions("harbor_registry.r"), ["update"]);
        wd.apply();
        let ca = h.get(&format!("/registries/{id}"))["ca_certificate"].clone();
        assert!(ca.is_null() || ca == "", "CA removed: {ca}");
        wd.assert_plan_empty("re-plan without a CA certificate");
        wd.destroy();
        assert_eq!(h.status(&format!("/registries/{id}")), 404);
    });
}

/// Registry credentials as Harbor stores them (`pkg/reg/manager.go`): with an access id the
/// credential is `basic`; removing the access id (and secret) clears the whole credential in
/// place, and either way the next plan is empty.
#[test]
fn registry_credential_is_cleared_with_its_access_id() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let hcl = |cred: &str| {
            config(
                &h,
                &registry_hcl(&format!(
                    "  provider_name = \"docker-hub\"\n  name = \"hub\"\n{cred}"
                )),
            )
        };
        let wd = Workdir::new(tf);
        wd.write_config(&hcl("  access_id = \"me\"\n  access_secret = \"s3cret\"\n"));
        wd.apply();
        let id = registry_id_by_name(&h, "hub").unwrap();
        assert_eq!(
            h.get(&format!("/registries/{id}"))["credential"],
            json!({"type": "basic", "access_key": "me", "access_secret": "*****"})
        );
        wd.assert_plan_empty("re-plan with a credential");

        wd.write_config(&hcl(""));
        assert_eq!(wd.planned_actions("harbor_registry.r"), ["update"]);
        wd.apply();
        assert_eq!(h.get(&format!("/registries/{id}"))["credential"], json!({}));
        wd.assert_plan_empty("re-plan after clearing the credential");
        wd.destroy();
    });
}

/// A `docker-registry` endpoint at a second emulator, as at a second Harbor: Harbor's health
/// check pings its `/v2/` (challenge, token service, 200 with the credential), so the registry
/// applies, re-plans empty, imports with nothing to change, and destroys.
#[test]
fn registry_docker_registry_at_a_second_emulator_applies_imports_and_destroys() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let remote = Harbor::emulator(Default::default());
        let hcl = config(
            &h,
            &registry_hcl(&format!(
                "  provider_name = \"docker-registry\"\n  name = \"second\"\n  endpoint_url = \"{}\"\n  access_id = \"admin\"\n  access_secret = \"{}\"\n",
                remote.url, remote.password
            )),
        );
        let wd = Workdir::new(tf);
        wd.write_config(&hcl);
        wd.apply();
        let id = registry_id_by_name(&h, "second").expect("registry created");
        let r = h.get(&format!("/registries/{id}"));
        assert_eq!(
            (r["type"].as_str(), r["status"].as_str()),
            (Some("docker-registry"), Some("healthy"))
        );
        wd.assert_plan_empty("re-plan of a docker-registry endpoint");

        let wd2 = Workdir::new(tf);
        wd2.write_config(&hcl);
        wd2.import("harbor_registry.r", &id.to_string());
        // Harbor never returns the secret: an import plans only writing it (in place).
        let actions = wd2.planned_actions("harbor_registry.r");
        assert!(actions.is_empty() || actions == ["update"], "{actions:?}");

        wd.destroy();
        assert_eq!(h.status(&format!("/registries/{id}")), 404);
    });
}
