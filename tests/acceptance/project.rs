//! `harbor_project` and `harbor_project_quota` through the real `terraform`: the full lifecycle,
//! drift, out-of-band deletion, import, the Go provider's HCL and state, and plan-time errors.

use serde_json::json;

use crate::harness::{Workdir, for_each_terraform, required_providers};
use crate::target::{Harbor, unique};

fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

fn project_hcl(name: &str, extra: &str) -> String {
    format!("resource \"harbor_project\" \"p\" {{\n  name = \"{name}\"\n{extra}}}\n")
}

#[test]
fn project_lifecycle_create_replan_import_update_drift_delete_replace_destroy() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let name = unique("apps");
        let wd = Workdir::new(tf);
        let settings = "  storage_quota = 10\n  deployment_security = \"high\"\n  cve_allowlist = [\"CVE-2024-0001\"]\n  public = true\n";
        wd.write_config(&config(&h, &project_hcl(&name, settings)));

        // Create, then Harbor has it as configured, quota included.
        wd.apply();
        let p = h.get(&format!("/projects/{name}"));
        assert_eq!(p["metadata"]["public"], "true");
        assert_eq!(p["metadata"]["severity"], "high");
        assert_eq!(p["metadata"]["prevent_vul"], "true");
        assert_eq!(p["cve_allowlist"]["items"][0]["cve_id"], "CVE-2024-0001");
        let id = p["project_id"].as_i64().unwrap();
        let summary = h.get(&format!("/projects/{id}/summary"));
        assert_eq!(
            summary["quota"]["hard"]["storage"],
            10 * 1024 * 1024 * 1024i64
        );
        wd.assert_plan_empty("re-plan after create");

        // Import into a fresh state by name, by id and by the Go provider's path: nothing to change.
        for import_id in [name.clone(), id.to_string(), format!("/projects/{id}")] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&config(&h, &project_hcl(&name, settings)));
            wd2.import("harbor_project.p", &import_id);
            wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        }

        // Update in place: quota, visibility, and removing deployment_security turns prevent_vul off.
        wd.write_config(&config(
            &h,
            &project_hcl(
                &name,
                "  storage_quota = 20\n  public = false\n  cve_allowlist = [\"CVE-2024-0001\"]\n",
            ),
        ));
        assert_eq!(wd.planned_actions("harbor_project.p"), ["update"]);
        wd.apply();
        let p = h.get(&format!("/projects/{id}"));
        assert_eq!(p["metadata"]["public"], "false");
        assert_eq!(p["metadata"]["prevent_vul"], "false");
        assert_eq!(
            h.get(&format!("/projects/{id}/summary"))["quota"]["hard"]["storage"],
            20 * 1024 * 1024 * 1024i64
        );
        wd.assert_plan_empty("re-plan after update");

        // Drift made in Harbor (as in its UI) shows in the plan, and apply puts it back.
        let r = h.call(
            "PUT",
            &format!("/projects/{id}"),
            Some(json!({"metadata": {"public": "true", "auto_scan": "false"}})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let quota_id = h.get(&format!("/quotas?reference=project&reference_id={id}"))[0]["id"]
            .as_i64()
            .unwrap();
        let r = h.call(
            "PUT",
            &format!("/quotas/{quota_id}"),
            Some(json!({"hard": {"storage": 5 * 1024 * 1024 * 1024i64}})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_project.p"), ["update"]);
        wd.apply();
        let p = h.get(&format!("/projects/{id}"));
        assert_eq!(
            (
                p["metadata"]["public"].as_str(),
                p["metadata"]["auto_scan"].as_str()
            ),
            (Some("false"), Some("true"))
        );
        assert_eq!(
            h.get(&format!("/projects/{id}/summary"))["quota"]["hard"]["storage"],
            20 * 1024 * 1024 * 1024i64
        );

        // Deleted behind Terraform's back: the plan re-creates it, never fails.
        assert_eq!(
            h.call("DELETE", &format!("/projects/{id}"), None).status,
            200
        );
        assert_eq!(wd.planned_actions("harbor_project.p"), ["create"]);
        wd.apply();
        let id = h.get(&format!("/projects/{name}"))["project_id"]
            .as_i64()
            .unwrap();

        // Renaming replaces.
        let renamed = format!("{name}-b");
        wd.write_config(&config(
            &h,
            &project_hcl(&renamed, "  storage_quota = 20\n"),
        ));
        assert_eq!(wd.planned_actions("harbor_project.p"), ["delete", "create"]);
        wd.apply();
        assert_eq!(h.status(&format!("/projects/{id}")), 404);

        // Destroy, confirmed by asking Harbor.
        wd.destroy();
        assert_eq!(h.status(&format!("/projects/{renamed}")), 404);
        assert_eq!(h.status(&format!("/projects/{name}")), 404);
    });
}

#[test]
fn project_with_repositories_needs_force_destroy() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &project_hcl("images", "")));
        wd.apply();
        h.seed_repository("images", "web");
        let err = wd.expect_failure(&["destroy", "-auto-approve", "-no-color"]);
        assert!(err.contains("force_destroy"), "{err}");
        assert_eq!(h.status("/projects/images"), 200, "nothing deleted");
        wd.write_config(&config(
            &h,
            &project_hcl("images", "  force_destroy = true\n"),
        ));
        wd.apply();
        wd.destroy();
        assert_eq!(h.status("/projects/images"), 404);
    });
}

/// The project examples from goharbor/harbor's documentation apply unchanged and re-plan empty.
#[test]
fn go_provider_project_examples_apply_unchanged() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let (a, b) = (unique("main"), unique("acctest"));
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!(
                r#"
resource "harbor_project" "main" {{
  name                        = "{a}"
  public                      = false
  vulnerability_scanning      = true
  enable_content_trust        = true
  enable_content_trust_cosign = false
  auto_sbom_generation        = true
}}

resource "harbor_project" "quota" {{
  name                   = "{b}"
  storage_quota          = 10
  deployment_security    = "critical"
  cve_allowlist          = ["CVE-2023-12345", "CVE-2024-6789"]
  force_destroy          = true
}}
"#
            ),
        ));
        wd.apply();
        wd.assert_plan_empty("re-plan of the Go provider's examples");
        wd.destroy();
    });
}

/// State written by goharbor/harbor migrates with `terraform state replace-provider` and an
/// unchanged configuration plans no changes.
#[test]
fn go_provider_state_migrates_with_no_changes() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let name = unique("legacy");
        let wd = Workdir::new(tf);
        let hcl = config(
            &h,
            &project_hcl(&name, "  public = true\n  storage_quota = 5\n"),
        );
        wd.write_config(&hcl);
        wd.apply();
        let id = h.get(&format!("/projects/{name}"))["project_id"]
            .as_i64()
            .unwrap();

        // Rewrite the state as goharbor/harbor stores it: its provider address, schema version 0,
        // and SDKv2's zero values for everything unset.
        let path = wd.path().join("terraform.tfstate");
        let mut state: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let res = &mut state["resources"][0];
        res["provider"] = json!(format!(
            "provider[\"{}/goharbor/harbor\"]",
            tf.product.registry_host()
        ));
        res["instances"][0]["schema_version"] = json!(0);
        res["instances"][0]["attributes"] = json!({
            "id": format!("/projects/{id}"), "name": name, "project_id": id, "registry_id": 0,
            "public": true, "vulnerability_scanning": true, "vulnerability_scanner": "",
            "storage_quota": 5, "cve_allowlist": [], "enable_content_trust": false,
            "enable_content_trust_cosign": false, "auto_sbom_generation": false,
            "deployment_security": "", "force_destroy": false, "proxy_speed_kb": -1,
            "proxy_cache_local_on_not_found": false
        });
        res["instances"][0]["sensitive_attributes"] = json!([]);
        state["serial"] = json!(state["serial"].as_i64().unwrap() + 1);
        std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();

        wd.run(&[
            "state",
            "replace-provider",
            "-auto-approve",
            &format!("{}/goharbor/harbor", tf.product.registry_host()),
            &tf.address(),
        ]);
        wd.assert_plan_empty("plan after migrating from goharbor/harbor");
        wd.destroy();
    });
}

/// Everything Harbor would reject at apply time is refused at plan time, naming the attribute.
#[test]
fn project_plan_time_errors_name_the_attribute() {
    let cases: &[(&str, &str, &str)] = &[
        ("name = \"Bad_Name\"", "name", "Invalid project name"),
        (
            "name = \"ok\"\n  deployment_security = \"severe\"",
            "deployment_security",
            "Invalid deployment_security",
        ),
        (
            "name = \"ok\"\n  storage_quota = 0",
            "storage_quota",
            "Invalid storage quota",
        ),
        (
            "name = \"ok\"\n  storage_quota = -5",
            "storage_quota",
            "Invalid storage quota",
        ),
        (
            "name = \"ok\"\n  proxy_speed_kb = 100",
            "proxy_speed_kb",
            "needs registry_id",
        ),
        (
            "name = \"ok\"\n  proxy_cache_local_on_not_found = true",
            "proxy_cache_local_on_not_found",
            "needs registry_id",
        ),
    ];
    for_each_terraform(|tf| {
        let h = Harbor::start();
        for (body, attr, message) in cases {
            let wd = Workdir::new(tf);
            wd.write_config(&config(
                &h,
                &format!("resource \"harbor_project\" \"p\" {{\n  {body}\n}}\n"),
            ));
            let err = wd.expect_failure(&["plan", "-no-color"]);
            assert!(
                err.contains(message),
                "{body}: message {message:?} missing in:\n{err}"
            );
            // Terraform quotes the configuration line the diagnostic is attached to: `  3:   name = ...`.
            assert!(
                err.contains(&format!(":   {attr} =")),
                "{body}: attribute {attr} not named:\n{err}"
            );
        }
    });
}

#[test]
fn project_quota_lifecycle_on_a_project_owned_elsewhere() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let name = unique("team");
        let r = h.call(
            "POST",
            "/projects",
            Some(json!({"project_name": name, "metadata": {"public": "false"}})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let quota = |h: &Harbor| {
            let id = h.get(&format!("/projects/{name}"))["project_id"]
                .as_i64()
                .unwrap();
            h.get(&format!("/quotas?reference=project&reference_id={id}"))[0]["hard"]["storage"]
                .as_i64()
                .unwrap()
        };
        let hcl = |gib: i64| {
            config(
                &h,
                &format!(
                    "resource \"harbor_project_quota\" \"q\" {{\n  project = \"{name}\"\n  storage_quota = {gib}\n}}\n"
                ),
            )
        };
        let wd = Workdir::new(tf);
        wd.write_config(&hcl(3));
        wd.apply();
        assert_eq!(quota(&h), 3 * 1024 * 1024 * 1024);
        wd.assert_plan_empty("re-plan after create");

        let wd2 = Workdir::new(tf);
        wd2.write_config(&hcl(3));
        wd2.import("harbor_project_quota.q", &name);
        wd2.assert_plan_empty("plan after import");

        wd.write_config(&hcl(7));
        assert_eq!(wd.planned_actions("harbor_project_quota.q"), ["update"]);
        wd.apply();
        assert_eq!(quota(&h), 7 * 1024 * 1024 * 1024);

        // Drift in Harbor is put back.
        let id = h.get(&format!("/projects/{name}"))["project_id"]
            .as_i64()
            .unwrap();
        let qid = h.get(&format!("/quotas?reference=project&reference_id={id}"))[0]["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            h.call(
                "PUT",
                &format!("/quotas/{qid}"),
                Some(json!({"hard": {"storage": -1}}))
            )
            .status,
            200
        );
        assert_eq!(wd.planned_actions("harbor_project_quota.q"), ["update"]);
        wd.apply();
        assert_eq!(quota(&h), 7 * 1024 * 1024 * 1024);

        // Destroy sets the quota back to unlimited and leaves the project alone.
        wd.destroy();
        assert_eq!(quota(&h), -1);
        assert_eq!(h.status(&format!("/projects/{name}")), 200);
        h.call("DELETE", &format!("/projects/{name}"), None);
    });
}

/// Settings the connected Harbor lacks are refused at plan time, naming the attribute and the
/// version that has them.
#[test]
fn project_settings_newer_than_the_connected_harbor_are_refused_at_plan_time() {
    for_each_terraform(|tf| {
        for (version, attr, setting, needs) in [
            ("2.11.0", "proxy_speed_kb", "proxy_speed_kb = 512", "2.12.0"),
            (
                "2.15.0",
                "proxy_cache_local_on_not_found",
                "proxy_cache_local_on_not_found = true",
                "2.15.1",
            ),
        ] {
            let h = Harbor::emulator(harbor_emulator::Config {
                harbor_version: version.into(),
                ..Default::default()
            });
            let r = h.call(
                "POST",
                "/registries",
                Some(json!({"name": "hub", "type": "docker-hub", "url": "https://hub.docker.com"})),
            );
            assert_eq!(r.status, 201, "{}", r.text);
            let registry_id: i64 = h.get("/registries")[0]["id"].as_i64().unwrap();
            let wd = Workdir::new(tf);
            wd.write_config(&config(
                &h,
                &project_hcl(
                    "proxy",
                    &format!("  registry_id = {registry_id}\n  {setting}\n"),
                ),
            ));
            let err = wd.expect_failure(&["plan", "-no-color"]);
            assert!(
                err.contains(&format!("{attr} needs Harbor {needs} or later")),
                "{version}: {err}"
            );
            assert!(
                err.contains(&version.to_string()),
                "names the connected version: {err}"
            );
            assert_eq!(
                h.get("/projects").as_array().unwrap().len(),
                1,
                "nothing created"
            );
        }
    });
}

/// `harbor_project_quota` works with a system robot holding quota permissions, not only the admin.
#[test]
fn project_quota_works_with_a_system_robot() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let name = unique("shared");
        assert_eq!(
            h.call("POST", "/projects", Some(json!({"project_name": name})))
                .status,
            201
        );
        let r = h.call(
            "POST",
            "/robots",
            Some(json!({"name": "quota-bot", "level": "system", "duration": -1, "permissions": [
                {"kind": "system", "namespace": "/", "access": [
                    {"resource": "quota", "action": "read"}, {"resource": "quota", "action": "list"}, {"resource": "quota", "action": "update"}]},
                {"kind": "project", "namespace": "*", "access": [{"resource": "project", "action": "read"}]}
            ]})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let (user, secret) = (
            r.body["name"].as_str().unwrap().to_string(),
            r.body["secret"].as_str().unwrap().to_string(),
        );
        let wd = Workdir::new(tf);
        wd.write_config(&format!(
            "{}provider \"harbor\" {{\n  url      = \"{}\"\n  username = \"{user}\"\n  password = \"{secret}\"\n}}\nresource \"harbor_project_quota\" \"q\" {{\n  project = \"{name}\"\n  storage_quota = 4\n}}\n",
            required_providers(),
            h.url
        ));
        wd.apply();
        let id = h.get(&format!("/projects/{name}"))["project_id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            h.get(&format!("/quotas?reference=project&reference_id={id}"))[0]["hard"]["storage"],
            4 * 1024 * 1024 * 1024i64
        );
        wd.assert_plan_empty("re-plan as a robot");
        wd.destroy();
        assert_eq!(
            h.get(&format!("/quotas?reference=project&reference_id={id}"))[0]["hard"]["storage"],
            -1
        );
    });
}
