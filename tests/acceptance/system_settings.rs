//! Harbor-wide settings through the real `terraform`: `harbor_garbage_collection`,
//! `harbor_purge_audit_log`, `harbor_config_security` and `harbor_config_system`. Each is one
//! per Harbor, so each test starts its own Harbor. One body per type walks create, empty re-plan,
//! in-place update, drift put back, out-of-band removal re-created, import with an empty plan and
//! destroy (checked through Harbor); one more holds the plan-time errors, one goharbor's examples
//! and state.

use serde_json::{Value, json};

use crate::harness::{Workdir, for_each_terraform, required_providers};
use crate::target::Harbor;

fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

/// `GET` of a schedule: `None` when Harbor has none (200 with an empty body).
fn schedule(h: &Harbor, path: &str) -> Option<Value> {
    let r = h.call("GET", path, None);
    assert_eq!(r.status, 200, "{}", r.text);
    if r.text.trim().is_empty() {
        return None;
    }
    let v: Value = serde_json::from_str(&r.text).unwrap();
    v["schedule"]["type"].as_str().filter(|t| *t != "None")?;
    Some(v)
}

fn job_parameters(v: &Value) -> Value {
    serde_json::from_str(v["job_parameters"].as_str().unwrap()).unwrap()
}

fn setting(h: &Harbor, key: &str) -> Value {
    h.get("/configurations")[key]["value"].clone()
}

#[test]
fn garbage_collection_lifecycle() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        let gc = |body: &str| {
            config(
                &h,
                &format!("resource \"harbor_garbage_collection\" \"gc\" {{\n{body}}}\n"),
            )
        };
        // Create adopts whatever schedule Harbor has.
        let r = h.call(
            "PUT",
            "/system/gc/schedule",
            Some(json!({"schedule": {"type": "Hourly", "cron": "0 0 * * * *"}})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        wd.write_config(&gc("  schedule = \"daily\"\n  delete_untagged = true\n"));
        wd.apply();
        let s = schedule(&h, "/system/gc/schedule").expect("a schedule");
        assert_eq!(s["schedule"]["type"], "Daily");
        assert_eq!(
            job_parameters(&s),
            // Harbor keeps `delete_tag` too, false when not sent.
            json!({"delete_tag": false, "delete_untagged": true, "workers": 1})
        );
        wd.assert_plan_empty("re-plan after create (`daily` is Harbor's `Daily`)");

        // Update in place: a custom cron and more workers.
        wd.write_config(&gc(
            "  schedule = \"0 5 4 * * *\"\n  delete_untagged = true\n  workers = 3\n",
        ));
        assert_eq!(
            wd.planned_actions("harbor_garbage_collection.gc"),
            ["update"]
        );
        wd.apply();
        let s = schedule(&h, "/system/gc/schedule").unwrap();
        // A real Harbor adds `next_scheduled_time` (the emulator does not).
        assert_eq!(
            (&s["schedule"]["type"], &s["schedule"]["cron"]),
            (&json!("Custom"), &json!("0 5 4 * * *"))
        );
        assert_eq!(job_parameters(&s)["workers"], 3);
        wd.assert_plan_empty("re-plan after update");

        // Drift put back.
        let r = h.call("PUT", "/system/gc/schedule", Some(json!({"schedule": {"type": "Weekly", "cron": "0 0 0 * * 0"}, "parameters": {"workers": 1}})));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            wd.planned_actions("harbor_garbage_collection.gc"),
            ["update"]
        );
        wd.apply();
        assert_eq!(
            schedule(&h, "/system/gc/schedule").unwrap()["schedule"]["cron"],
            "0 5 4 * * *"
        );

        // Removed behind Terraform's back: planned again as a create.
        let r = h.call(
            "PUT",
            "/system/gc/schedule",
            Some(json!({"schedule": {"type": "None"}})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            wd.planned_actions("harbor_garbage_collection.gc"),
            ["create"]
        );
        wd.apply();

        // Import by the schedule's path into a fresh state: nothing to change.
        let wd2 = Workdir::new(tf);
        wd2.write_config(&gc(
            "  schedule = \"0 5 4 * * *\"\n  delete_untagged = true\n  workers = 3\n",
        ));
        wd2.import("harbor_garbage_collection.gc", "/system/gc/schedule");
        wd2.assert_plan_empty("plan after import");

        // Destroy: Harbor's default, no schedule.
        wd.destroy();
        assert!(schedule(&h, "/system/gc/schedule").is_none());
    });
}

#[test]
fn purge_audit_log_lifecycle() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        let purge = |body: &str| {
            config(
                &h,
                &format!("resource \"harbor_purge_audit_log\" \"p\" {{\n{body}}}\n"),
            )
        };
        let v1 = "  schedule = \"Daily\"\n  audit_retention_hour = 24\n  include_event_types = \"create_artifact,pull\"\n";
        wd.write_config(&purge(v1));
        wd.apply();
        let s = schedule(&h, "/system/purgeaudit/schedule").unwrap();
        assert_eq!(s["schedule"]["type"], "Daily");
        assert_eq!(
            job_parameters(&s)["include_event_types"],
            "create_artifact,pull"
        );
        assert_eq!(job_parameters(&s)["audit_retention_hour"], 24);
        wd.assert_plan_empty("re-plan after create");

        let v2 = "  schedule = \"Weekly\"\n  audit_retention_hour = 2160\n  include_event_types = \"create_artifact,delete_artifact,pull_artifact\"\n";
        wd.write_config(&purge(v2));
        assert_eq!(wd.planned_actions("harbor_purge_audit_log.p"), ["update"]);
        wd.apply();
        let s = schedule(&h, "/system/purgeaudit/schedule").unwrap();
        assert_eq!(job_parameters(&s)["audit_retention_hour"], 2160);
        wd.assert_plan_empty("re-plan after update");

        let r = h.call("PUT", "/system/purgeaudit/schedule", Some(json!({"schedule": {"type": "Daily", "cron": "0 0 0 * * *"}, "parameters": {"audit_retention_hour": 1, "include_event_types": "other"}})));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_purge_audit_log.p"), ["update"]);
        wd.apply();
        assert_eq!(
            job_parameters(&schedule(&h, "/system/purgeaudit/schedule").unwrap())["audit_retention_hour"],
            2160
        );

        let r = h.call("PUT", "/system/purgeaudit/schedule", Some(json!({"schedule": {"type": "None"}, "parameters": {"audit_retention_hour": 1, "include_event_types": ""}})));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_purge_audit_log.p"), ["create"]);
        wd.apply();

        let wd2 = Workdir::new(tf);
        wd2.write_config(&purge(v2));
        wd2.import("harbor_purge_audit_log.p", "/system/purgeaudit/schedule");
        wd2.assert_plan_empty("plan after import");

        wd.destroy();
        assert!(schedule(&h, "/system/purgeaudit/schedule").is_none());
    });
}

/// Harbor 2.13 renamed the purge list and raised the GC worker limit: against a 2.12 Harbor,
/// the list goes out as `include_operations` whichever attribute holds it, event types 2.12
/// cannot purge by are refused at plan time, and so are more than 5 GC workers.
#[test]
fn purge_and_gc_follow_the_harbor_version() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "pins Harbor 2.12, whose purge and GC parameters differ from 2.15's",
            harbor_emulator::Config {
                harbor_version: "2.12.0".into(),
                ..Default::default()
            },
        );
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, "resource \"harbor_purge_audit_log\" \"p\" {\n  schedule = \"Daily\"\n  audit_retention_hour = 24\n  include_event_types = \"create,pull\"\n}\n"));
        wd.apply();
        let p = job_parameters(&schedule(&h, "/system/purgeaudit/schedule").unwrap());
        assert_eq!(p["include_operations"], "create,pull", "{p}");
        wd.assert_plan_empty("re-plan on 2.12");

        wd.write_config(&config(&h, "resource \"harbor_purge_audit_log\" \"p\" {\n  schedule = \"Daily\"\n  audit_retention_hour = 24\n  include_event_types = \"create_artifact\"\n}\nresource \"harbor_garbage_collection\" \"gc\" {\n  schedule = \"Daily\"\n  workers = 8\n}\n"));
        let err = wd.expect_failure(&["plan", "-no-color"]);
        assert!(
            err.contains("Harbor 2.12.0 cannot purge by create_artifact"),
            "{err}"
        );
        assert!(err.contains("include_event_types ="), "{err}");
        assert!(
            err.contains("Too many garbage collection workers for Harbor 2.12.0"),
            "{err}"
        );
        assert!(err.contains("workers ="), "{err}");
        wd.write_config(&config(&h, "resource \"harbor_purge_audit_log\" \"p\" {\n  schedule = \"Daily\"\n  audit_retention_hour = 24\n  include_event_types = \"create,pull\"\n}\n"));
        wd.destroy();
        assert!(schedule(&h, "/system/purgeaudit/schedule").is_none());
    });
}

#[test]
fn config_security_lifecycle() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        let sec = |body: &str| {
            config(
                &h,
                &format!("resource \"harbor_config_security\" \"s\" {{\n{body}}}\n"),
            )
        };
        let v1 = "  cve_allowlist = [\"CVE-2024-0001\", \"CVE-2024-0002\"]\n";
        wd.write_config(&sec(v1));
        wd.apply();
        let a = h.get("/system/CVEAllowlist");
        assert_eq!(
            a["items"],
            json!([{"cve_id": "CVE-2024-0001"}, {"cve_id": "CVE-2024-0002"}])
        );
        assert!(a["expires_at"].is_null());
        wd.assert_plan_empty("re-plan after create");

        let v2 = "  cve_allowlist = [\"CVE-2024-0003\"]\n  expires_at = 4102444800\n";
        wd.write_config(&sec(v2));
        assert_eq!(wd.planned_actions("harbor_config_security.s"), ["update"]);
        wd.apply();
        let a = h.get("/system/CVEAllowlist");
        assert_eq!(
            (a["items"].clone(), a["expires_at"].clone()),
            (json!([{"cve_id": "CVE-2024-0003"}]), json!(4102444800i64))
        );
        wd.assert_plan_empty("re-plan after update");

        // Drift put back; emptying the list in Harbor is the nearest thing to deleting it.
        let r = h.call("PUT", "/system/CVEAllowlist", Some(json!({"items": []})));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_config_security.s"), ["update"]);
        wd.apply();
        assert_eq!(
            h.get("/system/CVEAllowlist")["items"][0]["cve_id"],
            "CVE-2024-0003"
        );

        // Import with goharbor's documented id and with the path: nothing to change.
        for id in ["7", "/system/CVEAllowlist"] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&sec(v2));
            wd2.import("harbor_config_security.s", id);
            wd2.assert_plan_empty(&format!("plan after import {id}"));
        }

        // Destroy: Harbor's default, an empty list that never expires.
        wd.destroy();
        let a = h.get("/system/CVEAllowlist");
        assert_eq!(
            (a["items"].clone(), a["expires_at"].clone()),
            (json!([]), Value::Null)
        );
    });
}

#[test]
fn config_system_writes_only_what_is_configured() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        // Settings made elsewhere, which this configuration does not write.
        let r = h.call(
            "PUT",
            "/configurations",
            Some(json!({"session_timeout": 90, "robot_name_prefix": "bot+"})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let wd = Workdir::new(tf);
        let sys = |body: &str| {
            config(
                &h,
                &format!("resource \"harbor_config_system\" \"s\" {{\n{body}}}\n"),
            )
        };
        let v1 = "  project_creation_restriction = \"adminonly\"\n  robot_token_expiration = 10\n  storage_per_project = 50\n  banner_message {\n    message = \"Maintenance on Sunday\"\n    type = \"warning\"\n  }\n";
        wd.write_config(&sys(v1));
        wd.apply();
        assert_eq!(setting(&h, "project_creation_restriction"), "adminonly");
        assert_eq!(setting(&h, "robot_token_duration"), 10);
        assert_eq!(
            setting(&h, "storage_per_project"),
            50 * 1024 * 1024 * 1024i64
        );
        let banner: Value =
            serde_json::from_str(setting(&h, "banner_message").as_str().unwrap()).unwrap();
        assert_eq!(
            (banner["message"].as_str(), banner["type"].as_str()),
            (Some("Maintenance on Sunday"), Some("warning"))
        );
        // Left alone, and read into state.
        assert_eq!(setting(&h, "session_timeout"), 90);
        assert_eq!(setting(&h, "robot_name_prefix"), "bot+");
        let st = wd.resource_values("harbor_config_system.s");
        assert_eq!(
            (
                st["session_timeout"].clone(),
                st["robot_name_prefix"].clone()
            ),
            (json!(90), json!("bot+"))
        );
        assert_eq!(
            st["managed_settings"],
            json!([
                "project_creation_restriction",
                "robot_token_expiration",
                "storage_per_project",
                "banner_message"
            ])
        );
        wd.assert_plan_empty("re-plan after create");

        let v2 = "  project_creation_restriction = \"adminonly\"\n  robot_token_expiration = 10\n  storage_per_project = 50\n  notification_enable = false\n  banner_message {\n    message = \"Maintenance on Monday\"\n    type = \"warning\"\n  }\n";
        wd.write_config(&sys(v2));
        assert_eq!(wd.planned_actions("harbor_config_system.s"), ["update"]);
        wd.apply();
        assert_eq!(setting(&h, "notification_enable"), false);
        assert!(
            setting(&h, "banner_message")
                .as_str()
                .unwrap()
                .contains("Monday")
        );
        assert_eq!(setting(&h, "session_timeout"), 90);
        wd.assert_plan_empty("re-plan after update");

        // Drift in a managed setting is put back; drift in an unmanaged one is only read.
        let r = h.call(
            "PUT",
            "/configurations",
            Some(json!({"project_creation_restriction": "everyone", "session_timeout": 45})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_config_system.s"), ["update"]);
        wd.apply();
        assert_eq!(setting(&h, "project_creation_restriction"), "adminonly");
        assert_eq!(setting(&h, "session_timeout"), 45);
        wd.assert_plan_empty("re-plan after drift put back");

        // Import (any id, as goharbor): nothing to change.
        let wd2 = Workdir::new(tf);
        wd2.write_config(&sys(v2));
        wd2.import("harbor_config_system.s", "configuration/system");
        wd2.assert_plan_empty("plan after import");

        // Destroy sets the managed settings back to Harbor's defaults, and only those.
        wd.destroy();
        assert_eq!(setting(&h, "project_creation_restriction"), "everyone");
        assert_eq!(setting(&h, "robot_token_duration"), 30);
        assert_eq!(setting(&h, "storage_per_project"), -1);
        assert_eq!(setting(&h, "notification_enable"), true);
        assert_eq!(setting(&h, "banner_message"), "");
        assert_eq!(setting(&h, "session_timeout"), 45);
        assert_eq!(setting(&h, "robot_name_prefix"), "bot+");
    });
}

/// Everything Harbor would refuse at apply is refused at plan time, naming the attribute.
#[test]
fn system_settings_plan_time_errors_name_the_attribute() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "resource \"harbor_garbage_collection\" \"x\" {\n  schedule = \"0 0 * * *\"\n}",
            "schedule",
            "Invalid schedule",
        ),
        (
            "resource \"harbor_garbage_collection\" \"x\" {\n  schedule = \"5 0 0 * * *\"\n}",
            "schedule",
            "seconds) must be 0",
        ),
        (
            "resource \"harbor_garbage_collection\" \"x\" {\n  schedule = \"\"\n}",
            "schedule",
            "Empty schedule",
        ),
        (
            "resource \"harbor_garbage_collection\" \"x\" {\n  schedule = \"Daily\"\n  workers = 11\n}",
            "workers",
            "out of range",
        ),
        (
            "resource \"harbor_purge_audit_log\" \"x\" {\n  schedule = \"Daily\"\n  audit_retention_hour = 240001\n  include_event_types = \"pull\"\n}",
            "audit_retention_hour",
            "out of range",
        ),
        (
            "resource \"harbor_purge_audit_log\" \"x\" {\n  schedule = \"Daily\"\n  audit_retention_hour = 24\n  include_event_types = \"pull,bogus\"\n}",
            "include_event_types",
            "Invalid value \"bogus\"",
        ),
        (
            "resource \"harbor_purge_audit_log\" \"x\" {\n  schedule = \"Daily\"\n  audit_retention_hour = 24\n  include_operations = \"push\"\n}",
            "include_operations",
            "Invalid value \"push\"",
        ),
        (
            "resource \"harbor_config_security\" \"x\" {\n  cve_allowlist = [\"CVE-1\", \"CVE-1\"]\n}",
            "cve_allowlist",
            "CVE-1 appears twice",
        ),
        (
            "resource \"harbor_config_system\" \"x\" {\n  project_creation_restriction = \"admins\"\n}",
            "project_creation_restriction",
            "is not accepted",
        ),
        (
            "resource \"harbor_config_system\" \"x\" {\n  session_timeout = 0\n}",
            "session_timeout",
            "out of range",
        ),
        (
            "resource \"harbor_config_system\" \"x\" {\n  storage_per_project = 0\n}",
            "storage_per_project",
            "Invalid storage quota",
        ),
        (
            "resource \"harbor_config_system\" \"x\" {\n  skip_audit_log_database = true\n  audit_log_forward_endpoint = \"\"\n}",
            "skip_audit_log_database",
            "Audit records would be kept nowhere",
        ),
    ];
    for_each_terraform(|tf| {
        let h = Harbor::start();
        for (body, attr, message) in cases {
            let wd = Workdir::new(tf);
            wd.write_config(&config(&h, &format!("{body}\n")));
            let err = wd.expect_failure(&["plan", "-no-color"]);
            assert!(
                err.contains(message),
                "{body}: message {message:?} missing in:\n{err}"
            );
            assert!(
                err.contains(&format!(":   {attr} =")),
                "{body}: attribute {attr} not named:\n{err}"
            );
        }
        // A purge with no list at all is refused, pointing at the list to add.
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, "resource \"harbor_purge_audit_log\" \"x\" {\n  schedule = \"Daily\"\n  audit_retention_hour = 24\n}\n"));
        let err = wd.expect_failure(&["plan", "-no-color"]);
        assert!(
            err.contains("Nothing to purge") && err.contains("include_event_types"),
            "{err}"
        );
    });
}

/// goharbor/harbor's documentation examples of these types apply unchanged and re-plan empty.
#[test]
fn go_provider_system_settings_examples_apply_unchanged() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            r#"
resource "harbor_config_system" "main" {
  project_creation_restriction     = "adminonly"
  session_timeout                  = 60
  token_expiration                 = 30
  robot_token_expiration           = 30
  robot_name_prefix                = "harbor@"
  storage_per_project              = 100
  notification_enable              = true
  disabled_audit_log_event_types   = "create_artifact,delete_artifact"
}

resource "harbor_config_security" "main" {
  cve_allowlist = ["CVE-456", "CVE-123"]
  expires_at = "1701167767"
}

resource "harbor_garbage_collection" "main" {
  schedule        = "Daily"
  delete_untagged = true
  workers         = 1
}

resource "harbor_purge_audit_log" "main" {
  schedule              = "Daily"
  audit_retention_hour  = 24
  include_operations    = "create,pull"
}
"#,
        ));
        wd.apply();
        // On Harbor 2.15 the example's operations are sent as the event types Harbor reads.
        assert_eq!(
            job_parameters(&schedule(&h, "/system/purgeaudit/schedule").unwrap())["include_event_types"],
            "create,pull"
        );
        assert_eq!(setting(&h, "robot_name_prefix"), "harbor@");
        wd.assert_plan_empty("re-plan of the Go provider's examples");
        wd.destroy();
    });
}

/// State written by goharbor/harbor (schema version 0, its provider address) migrates with
/// `terraform state replace-provider`, and the unchanged configuration plans nothing.
#[test]
fn go_provider_system_settings_state_migrates_with_no_changes() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        let hcl = config(
            &h,
            "resource \"harbor_config_system\" \"s\" {\n  robot_token_expiration = 10\n}\nresource \"harbor_garbage_collection\" \"gc\" {\n  schedule = \"Daily\"\n}\nresource \"harbor_config_security\" \"c\" {\n  cve_allowlist = [\"CVE-2024-1\"]\n}\n",
        );
        wd.write_config(&hcl);
        wd.apply();
        let path = wd.path().join("terraform.tfstate");
        let mut state: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for res in state["resources"].as_array_mut().unwrap() {
            res["provider"] = json!(format!(
                "provider[\"{}/goharbor/harbor\"]",
                tf.product.registry_host()
            ));
            let is_security = res["type"] == "harbor_config_security";
            let inst = &mut res["instances"][0];
            inst["schema_version"] = json!(0);
            let attrs = inst["attributes"].as_object_mut().unwrap();
            // goharbor's shapes: no `managed_settings`, `expires_at = 0` for "never".
            attrs.remove("managed_settings");
            if is_security {
                attrs.insert("expires_at".into(), json!(0));
            }
        }
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

/// The name of Harbor's default scanner.
fn default_scanner(h: &Harbor) -> String {
    h.get("/scanners")
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["is_default"] == true)
        .map(|s| s["name"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn interrogation_services_lifecycle() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "hands the default back to the built-in Trivy scanner, which a Harbor installed without Trivy lacks (and registers an adapter on this machine's loopback)",
            Default::default(),
        );
        let adapter = crate::scanner_adapter::ScannerAdapter::start("Grype");
        let r = h.call(
            "POST",
            "/scanners",
            Some(json!({"name": "Grype", "url": adapter.url})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(
            adapter.metadata_calls(),
            1,
            "Harbor asks the adapter before registering it"
        );
        let wd = Workdir::new(tf);
        let svc = |body: &str| {
            config(
                &h,
                &format!("resource \"harbor_interrogation_services\" \"s\" {{\n{body}}}\n"),
            )
        };
        wd.write_config(&svc(
            "  default_scanner = \"Grype\"\n  vulnerability_scan_policy = \"daily\"\n",
        ));
        wd.apply();
        assert_eq!(default_scanner(&h), "Grype");
        assert_eq!(
            schedule(&h, "/system/scanAll/schedule").unwrap()["schedule"]["type"],
            "Daily"
        );
        wd.assert_plan_empty("re-plan after create");

        let v2 = "  default_scanner = \"Trivy\"\n  vulnerability_scan_policy = \"0 0 2 * * *\"\n";
        wd.write_config(&svc(v2));
        assert_eq!(
            wd.planned_actions("harbor_interrogation_services.s"),
            ["update"]
        );
        wd.apply();
        assert_eq!(default_scanner(&h), "Trivy");
        assert_eq!(
            schedule(&h, "/system/scanAll/schedule").unwrap()["schedule"],
            json!({"type": "Custom", "cron": "0 0 2 * * *"})
        );
        wd.assert_plan_empty("re-plan after update");

        // Drift: another default scanner chosen in Harbor is put back.
        let grype = h
            .get("/scanners")
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "Grype")
            .unwrap()["uuid"]
            .as_str()
            .unwrap()
            .to_string();
        let r = h.call(
            "PATCH",
            &format!("/scanners/{grype}"),
            Some(json!({"is_default": true})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            wd.planned_actions("harbor_interrogation_services.s"),
            ["update"]
        );
        wd.apply();
        assert_eq!(default_scanner(&h), "Trivy");

        // Schedule removed in Harbor: planned again as a create.
        let r = h.call(
            "PUT",
            "/system/scanAll/schedule",
            Some(json!({"schedule": {"type": "None"}})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            wd.planned_actions("harbor_interrogation_services.s"),
            ["create"]
        );
        wd.apply();

        let wd2 = Workdir::new(tf);
        wd2.write_config(&svc(v2));
        wd2.import(
            "harbor_interrogation_services.s",
            "/system/scanAll/schedule",
        );
        wd2.assert_plan_empty("plan after import");

        wd.destroy();
        assert!(schedule(&h, "/system/scanAll/schedule").is_none());
        assert_eq!(
            default_scanner(&h),
            "Trivy",
            "the default scanner is left as it is"
        );

        // goharbor/harbor's documentation example, unchanged. It names a scanner "Clair", which
        // its users registered in Harbor beforehand: here a real adapter listener under that name.
        let clair = crate::scanner_adapter::ScannerAdapter::start("Clair");
        let r = h.call(
            "POST",
            "/scanners",
            Some(json!({"name": "Clair", "url": clair.url})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let wd3 = Workdir::new(tf);
        wd3.write_config(&config(
            &h,
            r#"
resource "harbor_interrogation_services" "main" {
  default_scanner = "Clair"
  vulnerability_scan_policy = "Daily"
}
"#,
        ));
        wd3.apply();
        assert_eq!(default_scanner(&h), "Clair");
        assert_eq!(
            schedule(&h, "/system/scanAll/schedule").unwrap()["schedule"]["type"],
            "Daily"
        );
        wd3.assert_plan_empty("re-plan of the Go provider's example");
        wd3.destroy();
        assert!(schedule(&h, "/system/scanAll/schedule").is_none());
    });
}

/// goharbor's deprecated `harbor_tasks` still works, and every plan says what replaces it.
#[test]
fn tasks_is_accepted_with_a_deprecation_warning() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        let tasks = |p: &str| {
            config(
                &h,
                &format!(
                    "resource \"harbor_tasks\" \"main\" {{\n  vulnerability_scan_policy = \"{p}\"\n}}\n"
                ),
            )
        };
        wd.write_config(&tasks("daily"));
        let out = wd.apply();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            text.contains("harbor_tasks is deprecated")
                && text.contains("harbor_interrogation_services"),
            "{text}"
        );
        assert_eq!(
            schedule(&h, "/system/scanAll/schedule").unwrap()["schedule"]["type"],
            "Daily"
        );
        wd.assert_plan_empty("re-plan after create");
        wd.write_config(&tasks("weekly"));
        assert_eq!(wd.planned_actions("harbor_tasks.main"), ["update"]);
        wd.apply();
        assert_eq!(
            schedule(&h, "/system/scanAll/schedule").unwrap()["schedule"]["type"],
            "Weekly"
        );
        let r = h.call(
            "PUT",
            "/system/scanAll/schedule",
            Some(json!({"schedule": {"type": "Hourly", "cron": "0 0 * * * *"}})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_tasks.main"), ["update"]);
        wd.apply();
        // Import knows Harbor's spelling only (`Weekly`), so the configuration imported into uses it.
        let wd2 = Workdir::new(tf);
        wd2.write_config(&tasks("Weekly"));
        wd2.import("harbor_tasks.main", "/system/scanAll/schedule");
        wd2.assert_plan_empty("plan after import");
        wd.destroy();
        assert!(schedule(&h, "/system/scanAll/schedule").is_none());
    });
}

/// A syslog receiver the test starts: a TCP listener keeping what each connection sends.
pub fn syslog_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::BufRead;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let sink = sink.clone();
            // Record by record as they arrive: a real Harbor keeps its syslog connection open
            // (`pkg/audit/forward.go` dials once per logger and never closes it), and Go's
            // `log/syslog` ends each record with a newline over TCP.
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if !line.is_empty() {
                        sink.lock().unwrap().push(line);
                    }
                }
            });
        }
    });
    (addr, got)
}

/// `terraform apply` turns audit forwarding on and creates a project: the receiver gets Harbor's
/// syslog records of both, and of the project's deletion on destroy. Harbor's reachability check
/// refuses an endpoint nobody listens on.
#[test]
fn audit_logs_of_an_apply_reach_the_syslog_receiver() {
    for_each_terraform(|tf| {
        let h = Harbor::reaching_this_machine(
            "reads what the forwarded audit records say at a receiver on this machine",
        );
        let (endpoint, got) = syslog_receiver();
        let name = crate::target::unique("audited");
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!(
                "resource \"harbor_config_system\" \"s\" {{\n  audit_log_forward_endpoint = \"{endpoint}\"\n}}\nresource \"harbor_project\" \"p\" {{\n  name = \"{name}\"\n  depends_on = [harbor_config_system.s]\n}}\n"
            ),
        ));
        wd.apply();
        wd.destroy();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let lines = got.lock().unwrap().clone();
        let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
        assert!(has("action:update, resource:configuration"), "{lines:?}");
        assert!(
            has(&format!(
                "action:create, resource:{name}, operation_description:create project: {name}"
            )),
            "{lines:?}"
        );
        assert!(has(&format!("action:delete, resource:{name}")), "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with("<6>") && l.contains(" audit[")),
            "{lines:?}"
        );

        // An endpoint nobody listens on: Harbor's check refuses it, naming it.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().to_string()
        };
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &format!("resource \"harbor_config_system\" \"s\" {{\n  audit_log_forward_endpoint = \"{closed}\"\n}}\n")));
        let err = wd.expect_failure(&["apply", "-auto-approve", "-no-color"]);
        let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(err.contains("audit_log_forward_endpoint ="), "{err}");
        assert!(
            err.contains(&format!(
                "could not connect to the audit endpoint: {closed}"
            )),
            "{err}"
        );
    });
}
