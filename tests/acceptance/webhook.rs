//! `harbor_project_webhook` and `harbor_preheat_instance` through the real `terraform`: the full
//! cycle, goharbor's documentation examples and state, plan-time errors, a webhook delivered to
//! a real HTTP listener this test starts, and a preheat instance's credentials reaching a real
//! health endpoint this test starts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::harness::{Workdir, flat, for_each_terraform, required_providers};
use crate::target::{Harbor, unique};

fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

/// One request a [`Listener`] received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A real HTTP/1.1 server on a loopback port that answers 200 to everything and keeps each
/// request, for Harbor (the emulator) to deliver webhooks to or to health-check.
struct Listener {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Listener {
    fn start() -> Listener {
        let socket = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", socket.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for stream in socket.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or("").to_string(),
                    parts.next().unwrap_or("").to_string(),
                );
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.trim_end().split_once(':') {
                        headers.push((k.trim().to_string(), v.trim().to_string()));
                    }
                }
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                sink.lock().unwrap().push(Received {
                    method,
                    path,
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Listener { url, received }
    }

    /// Waits up to 10 s for the `n`th request (1-based): delivery is asynchronous, as in Harbor.
    fn wait_for(&self, n: usize) -> Received {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(r) = self.received.lock().unwrap().get(n - 1) {
                return r.clone();
            }
            assert!(Instant::now() < deadline, "the listener got no request {n}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

fn project(h: &Harbor, name: &str) -> i64 {
    let r = h.call(
        "POST",
        "/projects",
        Some(json!({"project_name": name, "metadata": {"public": "false"}})),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    h.get(&format!("/projects/{name}"))["project_id"]
        .as_i64()
        .unwrap()
}

fn webhook_hcl(pid: i64, extra: &str) -> String {
    format!(
        "resource \"harbor_project_webhook\" \"w\" {{\n  name = \"ci\"\n  project_id = \"/projects/{pid}\"\n  notify_type = \"http\"\n  address = \"https://hooks.example.com/in\"\n{extra}}}\n"
    )
}

#[test]
fn project_webhook_lifecycle_create_replan_import_update_drift_delete_destroy() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let pid = project(&h, &unique("hooks"));
        let wd = Workdir::new(tf);
        let v1 = "  events_types = [\"PUSH_ARTIFACT\", \"DELETE_ARTIFACT\"]\n  auth_header = \"Bearer one\"\n";
        wd.write_config(&config(&h, &webhook_hcl(pid, v1)));

        // Create: Harbor has it as configured, with Harbor's default payload format.
        wd.apply();
        let list = h.get(&format!("/projects/{pid}/webhook/policies"));
        let id = list[0]["id"].as_i64().unwrap();
        let path = format!("/projects/{pid}/webhook/policies/{id}");
        let got = h.get(&path);
        assert_eq!(
            got["event_types"],
            json!(["PUSH_ARTIFACT", "DELETE_ARTIFACT"])
        );
        assert_eq!(got["targets"][0]["auth_header"], "Bearer one");
        assert_eq!(got["targets"][0]["payload_format"], "Default");
        assert_eq!(got["targets"][0]["skip_cert_verify"], true);
        assert_eq!(got["enabled"], true);
        let v = wd.resource_values("harbor_project_webhook.w");
        assert_eq!(v["id"], path);
        assert_eq!(v["payload_format"], "Default");
        wd.assert_plan_empty("re-plan after create");
        // auth_header is sensitive: the plan output never shows it.
        let out = wd.run(&["plan", "-no-color"]);
        assert!(!String::from_utf8_lossy(&out.stdout).contains("Bearer one"));

        // Import by goharbor's id and by `<project>/<id>`: nothing to change.
        for import_id in [path.clone(), format!("{pid}/{id}")] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&config(&h, &webhook_hcl(pid, v1)));
            wd2.import("harbor_project_webhook.w", &import_id);
            wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        }

        // In-place update of every updatable attribute.
        let v2 = "  name = \"ci-events\"\n  description = \"to CI\"\n  enabled = false\n  skip_cert_verify = false\n  payload_format = \"CloudEvents\"\n  events_types = [\"QUOTA_EXCEED\", \"REPLICATION\", \"SCANNING_FAILED\"]\n  auth_header = \"Bearer two\"\n";
        let v2_hcl = webhook_hcl(pid, v2).replacen("  name = \"ci\"\n", "", 1);
        wd.write_config(&config(&h, &v2_hcl));
        assert_eq!(wd.planned_actions("harbor_project_webhook.w"), ["update"]);
        wd.apply();
        let got = h.get(&path);
        assert_eq!(
            (
                &got["name"],
                &got["description"],
                &got["enabled"],
                // go-swagger omits a false `skip_cert_verify`.
                &got["targets"][0]["skip_cert_verify"],
                &got["targets"][0]["payload_format"],
                &got["targets"][0]["auth_header"],
            ),
            (
                &json!("ci-events"),
                &json!("to CI"),
                &json!(false),
                &Value::Null,
                &json!("CloudEvents"),
                &json!("Bearer two")
            )
        );
        assert_eq!(
            got["event_types"],
            json!(["QUOTA_EXCEED", "REPLICATION", "SCANNING_FAILED"])
        );
        wd.assert_plan_empty("re-plan after update");

        // Drift in Harbor shows and is put back: the events alone (goharbor never read them
        // back, so it could not see this), then the auth header alone.
        let mut drifted = got.clone();
        drifted["event_types"] = json!(["PULL_ARTIFACT"]);
        let r = h.call("PUT", &path, Some(drifted));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_project_webhook.w"), ["update"]);
        wd.apply();
        let got = h.get(&path);
        assert_eq!(
            got["event_types"],
            json!(["QUOTA_EXCEED", "REPLICATION", "SCANNING_FAILED"])
        );
        let mut drifted = got.clone();
        drifted["targets"][0]["auth_header"] = json!("Bearer evil");
        let r = h.call("PUT", &path, Some(drifted));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_project_webhook.w"), ["update"]);
        wd.apply();
        assert_eq!(h.get(&path)["targets"][0]["auth_header"], "Bearer two");

        // Deleted behind Terraform's back: re-created, never an error.
        assert_eq!(h.call("DELETE", &path, None).status, 200);
        assert_eq!(wd.planned_actions("harbor_project_webhook.w"), ["create"]);
        wd.apply();
        let list = h.get(&format!("/projects/{pid}/webhook/policies"));
        assert_eq!(list.as_array().unwrap().len(), 1);
        let new_path = format!(
            "/projects/{pid}/webhook/policies/{}",
            list[0]["id"].as_i64().unwrap()
        );
        wd.assert_plan_empty("re-plan after re-create");

        // Destroy, confirmed by asking Harbor.
        wd.destroy();
        assert_eq!(h.status(&new_path), 404);
        assert_eq!(
            h.get(&format!("/projects/{pid}/webhook/policies"))
                .as_array()
                .map(Vec::len),
            Some(0)
        );
    });
}

/// goharbor's documentation example applies unchanged; state as goharbor writes it (schema
/// version 0, `events_types` never read back, `""` for unset strings) migrates with an empty plan.
#[test]
fn project_webhook_goharbor_example_and_state() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let name = unique("test-project");
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!(
                r#"
resource "harbor_project_webhook" "main" {{
  name        = "test_webhook"
  address     = "https://webhook.domain.com"
  project_id  = harbor_project.main.id
  notify_type = "http"

  events_types = [
    "DELETE_ARTIFACT",
    "PULL_ARTIFACT",
    "PUSH_ARTIFACT",
    "QUOTA_EXCEED",
    "QUOTA_WARNING",
    "REPLICATION",
    "SCANNING_FAILED",
    "SCANNING_COMPLETED",
    "TAG_RETENTION"
  ]

}}

resource "harbor_project" "main" {{
  name = "{name}"
}}
"#
            ),
        ));
        wd.apply();
        wd.assert_plan_empty("re-plan of goharbor's example");

        // The webhook's state as goharbor/harbor writes it.
        let path = wd.path().join("terraform.tfstate");
        let mut state: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let host = tf.product.registry_host();
        for res in state["resources"].as_array_mut().unwrap() {
            res["provider"] = json!(format!("provider[\"{host}/goharbor/harbor\"]"));
            if res["type"] == "harbor_project_webhook" {
                let a = res["instances"][0]["attributes"].clone();
                res["instances"][0]["schema_version"] = json!(0);
                res["instances"][0]["attributes"] = json!({
                    "id": a["id"], "name": "test_webhook", "project_id": a["project_id"],
                    "address": "https://webhook.domain.com", "description": "", "enabled": true,
                    "events_types": a["events_types"], "notify_type": "http",
                    "auth_header": "", "skip_cert_verify": true, "payload_format": ""
                });
                res["instances"][0]["sensitive_attributes"] = json!([]);
            }
        }
        state["serial"] = json!(state["serial"].as_i64().unwrap() + 1);
        std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
        wd.run(&[
            "state",
            "replace-provider",
            "-auto-approve",
            &format!("{host}/goharbor/harbor"),
            &tf.address(),
        ]);
        wd.assert_plan_empty("plan after migrating goharbor's webhook state");
        wd.destroy();
    });
}

/// A push through the emulator's control endpoint reaches a real listener this test starts:
/// Harbor's Default payload, with the auth header as `Authorization`. On Terraform 1.11+ the
/// header is write-only (`auth_header_wo`) and never lands in state.
#[test]
fn project_webhook_delivers_a_push_to_a_real_listener() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "pushes through the control endpoint and delivers to a listener on this machine",
            Default::default(),
        );
        let listener = Listener::start();
        let name = unique("shop");
        project(&h, &name);
        let header = if tf.supports_write_only() {
            "  auth_header_wo = \"Bearer wo-secret\"\n  auth_header_wo_version = 1\n"
        } else {
            "  auth_header = \"Bearer wo-secret\"\n"
        };
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!(
                "resource \"harbor_project_webhook\" \"w\" {{\n  name = \"ci\"\n  project_id = \"{name}\"\n  notify_type = \"http\"\n  address = \"{}/hook\"\n  events_types = [\"PUSH_ARTIFACT\"]\n{header}}}\n",
                listener.url
            ),
        ));
        wd.apply();
        wd.assert_plan_empty("re-plan after create");
        if tf.supports_write_only() {
            let raw = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
            assert!(
                !raw.contains("wo-secret"),
                "state holds the write-only header"
            );
            crate::harness::note_write_only(tf);
        }

        h.seed_repository(&name, "web");
        let r = listener.wait_for(1);
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/hook"));
        assert_eq!(r.header("authorization"), Some("Bearer wo-secret"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let payload: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(payload["type"], "PUSH_ARTIFACT");
        assert_eq!(
            payload["event_data"]["repository"]["repo_full_name"],
            format!("{name}/web")
        );
        assert_eq!(payload["event_data"]["repository"]["namespace"], name);
        assert!(
            payload["event_data"]["resources"][0]["digest"]
                .as_str()
                .is_some_and(|d| d.starts_with("sha256:"))
        );

        // Destroyed: the next push reaches nobody.
        wd.destroy();
        h.seed_repository(&name, "api");
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(listener.count(), 1);
    });
}

fn preheat_hcl(name: &str, endpoint: &str, extra: &str) -> String {
    format!(
        "resource \"harbor_preheat_instance\" \"p\" {{\n  name = \"{name}\"\n  vendor = \"dragonfly\"\n  endpoint = \"{endpoint}\"\n{extra}}}\n"
    )
}

/// Pings the instance through Harbor, which calls its health endpoint with the stored
/// credentials (`PingInstances` → `CheckHealth`); the listener records what arrived.
fn ping(h: &Harbor, name: &str) {
    let id = h.get(&format!("/p2p/preheat/instances/{name}"))["id"].clone();
    let r = h.call(
        "POST",
        "/p2p/preheat/instances/ping",
        Some(json!({"id": id})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn preheat_instance_lifecycle_create_replan_import_update_drift_delete_destroy() {
    for_each_terraform(|tf| {
        let h = Harbor::reaching_this_machine(
            "pings the instance, whose health endpoint is a listener on this machine",
        );
        let health = Listener::start();
        let name = unique("df");
        let wd = Workdir::new(tf);
        let v0 = "  insecure = true\n";
        wd.write_config(&config(&h, &preheat_hcl(&name, &health.url, v0)));

        // Create (no credentials yet): Harbor has it as configured.
        wd.apply();
        let path = format!("/p2p/preheat/instances/{name}");
        let got = h.get(&path);
        assert_eq!(
            (
                &got["vendor"],
                &got["auth_mode"],
                &got["insecure"],
                &got["enabled"],
                &got["default"]
            ),
            (
                &json!("dragonfly"),
                &json!("NONE"),
                &json!(true),
                &json!(true),
                &json!(false)
            )
        );
        let v = wd.resource_values("harbor_preheat_instance.p");
        assert_eq!(v["id"], path);
        assert_eq!(v["status"], "Unknown");
        wd.assert_plan_empty("re-plan after create");

        // Import by goharbor's id and by name: nothing to change.
        for import_id in [path.clone(), name.clone()] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&config(&h, &preheat_hcl(&name, &health.url, v0)));
            wd2.import("harbor_preheat_instance.p", &import_id);
            wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        }

        // In place: OAUTH with a token. Harbor never shows the token, but its health check
        // sends it, so the listener sees what Harbor stored.
        let v1 = "  auth_mode = \"OAUTH\"\n  token = \"tok-1\"\n  insecure = true\n";
        wd.write_config(&config(&h, &preheat_hcl(&name, &health.url, v1)));
        assert_eq!(wd.planned_actions("harbor_preheat_instance.p"), ["update"]);
        wd.apply();
        ping(&h, &name);
        let r = health.wait_for(1);
        assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/healthy"));
        assert_eq!(r.header("authorization"), Some("Bearer tok-1"));
        wd.assert_plan_empty("re-plan after adding the token");
        let out = wd.run(&["plan", "-no-color"]);
        assert!(!String::from_utf8_lossy(&out.stdout).contains("tok-1"));
        // An import cannot know a credential: with one configured, the first plan sends it.
        let wd2 = Workdir::new(tf);
        wd2.write_config(&config(&h, &preheat_hcl(&name, &health.url, v1)));
        wd2.import("harbor_preheat_instance.p", &path);
        assert_eq!(wd2.planned_actions("harbor_preheat_instance.p"), ["update"]);

        // In-place update: a new token (sent to Harbor), description, default, insecure off.
        let v2 = "  auth_mode = \"OAUTH\"\n  token = \"tok-2\"\n  description = \"p2p\"\n  default = true\n";
        wd.write_config(&config(&h, &preheat_hcl(&name, &health.url, v2)));
        assert_eq!(wd.planned_actions("harbor_preheat_instance.p"), ["update"]);
        wd.apply();
        let got = h.get(&path);
        assert_eq!(
            (&got["description"], &got["default"], &got["insecure"]),
            (&json!("p2p"), &json!(true), &json!(false))
        );
        ping(&h, &name);
        assert_eq!(
            health.wait_for(2).header("authorization"),
            Some("Bearer tok-2")
        );
        wd.assert_plan_empty("re-plan after update");

        // Drift in Harbor shows and is put back; the stored token is kept.
        let mut drifted = got.clone();
        drifted["description"] = json!("changed in the UI");
        drifted["enabled"] = json!(false);
        let r = h.call("PUT", &path, Some(drifted));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_preheat_instance.p"), ["update"]);
        wd.apply();
        let got = h.get(&path);
        assert_eq!(
            (&got["description"], &got["enabled"]),
            (&json!("p2p"), &json!(true))
        );
        ping(&h, &name);
        assert_eq!(
            health.wait_for(3).header("authorization"),
            Some("Bearer tok-2")
        );

        // Deleted behind Terraform's back: re-created, with its token.
        assert_eq!(h.call("DELETE", &path, None).status, 200);
        assert_eq!(wd.planned_actions("harbor_preheat_instance.p"), ["create"]);
        wd.apply();
        ping(&h, &name);
        assert_eq!(
            health.wait_for(4).header("authorization"),
            Some("Bearer tok-2")
        );
        wd.assert_plan_empty("re-plan after re-create");

        // Write-only token (Terraform 1.11+): sent when its version moves, never stored.
        if tf.supports_write_only() {
            let wo = |version: u32| {
                preheat_hcl(
                    &name,
                    &health.url,
                    &format!(
                        "  auth_mode = \"OAUTH\"\n  token_wo = \"tok-wo-{version}\"\n  token_wo_version = {version}\n  description = \"p2p\"\n  default = true\n"
                    ),
                )
            };
            wd.write_config(&config(&h, &wo(1)));
            assert_eq!(wd.planned_actions("harbor_preheat_instance.p"), ["update"]);
            wd.apply();
            wd.assert_plan_empty("re-plan with a write-only token");
            ping(&h, &name);
            assert_eq!(
                health.wait_for(5).header("authorization"),
                Some("Bearer tok-wo-1")
            );
            wd.write_config(&config(&h, &wo(2)));
            assert_eq!(wd.planned_actions("harbor_preheat_instance.p"), ["update"]);
            wd.apply();
            ping(&h, &name);
            assert_eq!(
                health.wait_for(6).header("authorization"),
                Some("Bearer tok-wo-2")
            );
            let raw = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
            assert!(!raw.contains("tok-wo"), "state holds the write-only token");
            crate::harness::note_write_only(tf);
        }

        // Changing the vendor replaces (Harbor refuses to change it).
        let kraken = preheat_hcl(&name, &health.url, v2).replace("dragonfly", "kraken");
        wd.write_config(&config(&h, &kraken));
        assert_eq!(
            wd.planned_actions("harbor_preheat_instance.p"),
            ["delete", "create"]
        );

        // Destroy, confirmed by asking Harbor.
        wd.write_config(&config(&h, &preheat_hcl(&name, &health.url, v2)));
        wd.destroy();
        assert_eq!(h.status(&path), 404);
    });
}

/// Harbor v2.15.2 refuses a second preheat instance on an endpoint already in use with a 500
/// (`CreateInstance`'s `ErrorConflict` has no error code), which a create would otherwise treat
/// as "maybe made" and settle by looking the name up. The apply must neither adopt the instance
/// that was there before it (same name and endpoint: a real Harbor run did adopt it) nor end on
/// a bare "internal server error" (another name): it fails naming the instance that holds the
/// endpoint, on the `endpoint` attribute.
#[test]
fn preheat_instance_on_a_taken_endpoint_is_refused_naming_the_holder() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let endpoint = format!("http://{}.example.com", unique("taken"));
        let holder = unique("holder");
        let r = h.call(
            "POST",
            "/p2p/preheat/instances",
            Some(
                json!({"name": holder, "vendor": "dragonfly", "endpoint": endpoint,
                        "auth_mode": "NONE", "enabled": true}),
            ),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let refused = format!("preheat instance \"{holder}\" already uses endpoint {endpoint}");

        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &preheat_hcl(&unique("df"), &endpoint, "")));
        let err = flat(&wd.expect_failure(&["apply", "-auto-approve", "-no-color"]));
        assert!(err.contains(&refused), "{err}");
        assert!(
            err.contains("Another preheat instance has this name or endpoint"),
            "{err}"
        );

        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &preheat_hcl(&holder, &endpoint, "")));
        let err = flat(&wd.expect_failure(&["apply", "-auto-approve", "-no-color"]));
        assert!(err.contains(&refused), "{err}");
        let listed = wd.run(&["state", "list"]);
        assert!(listed.stdout.is_empty(), "adopted: {listed:?}");

        let path = format!("/p2p/preheat/instances/{holder}");
        assert_eq!(h.call("DELETE", &path, None).status, 200);
    });
}

/// goharbor's two documentation examples apply unchanged (one after the other: Harbor allows
/// one instance per endpoint), and goharbor's state (version 0, `""` for unset credentials)
/// migrates with an empty plan.
#[test]
fn preheat_instance_goharbor_examples_and_state() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        let basic = r#"
resource "harbor_preheat_instance" "example" {
  name     = "example-preheat-instance"
  vendor   = "dragonfly"
  endpoint = "http://example.com"
}
"#;
        let auth = r#"
resource "harbor_preheat_instance" "example" {
  name       = "example-preheat-instance"
  vendor     = "dragonfly"
  endpoint   = "http://example.com"
  auth_mode  = "BASIC"
  username   = "example-user"
  password   = "example-password"
}
"#;
        for example in [basic, auth] {
            wd.write_config(&config(&h, example));
            wd.apply();
            wd.assert_plan_empty("re-plan of goharbor's example");
        }
        assert_eq!(
            h.get("/p2p/preheat/instances/example-preheat-instance")["auth_mode"],
            "BASIC"
        );

        // The state as goharbor/harbor writes it.
        let path = wd.path().join("terraform.tfstate");
        let mut state: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let host = tf.product.registry_host();
        let res = &mut state["resources"][0];
        res["provider"] = json!(format!("provider[\"{host}/goharbor/harbor\"]"));
        res["instances"][0]["schema_version"] = json!(0);
        res["instances"][0]["attributes"] = json!({
            "id": "/p2p/preheat/instances/example-preheat-instance",
            "name": "example-preheat-instance", "vendor": "dragonfly",
            "endpoint": "http://example.com", "description": "", "auth_mode": "BASIC",
            "username": "example-user", "password": "example-password", "token": "",
            "default": false, "enabled": true, "insecure": false
        });
        res["instances"][0]["sensitive_attributes"] = json!([]);
        state["serial"] = json!(state["serial"].as_i64().unwrap() + 1);
        std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
        wd.run(&[
            "state",
            "replace-provider",
            "-auto-approve",
            &format!("{host}/goharbor/harbor"),
            &tf.address(),
        ]);
        wd.assert_plan_empty("plan after migrating goharbor's preheat state");
        wd.destroy();
        assert_eq!(
            h.status("/p2p/preheat/instances/example-preheat-instance"),
            404
        );
    });
}

/// What Harbor would refuse (or goharbor silently dropped) is refused at plan time, naming the
/// attribute.
#[test]
fn webhook_and_preheat_plan_time_errors_name_the_attribute() {
    let hook = |body: &str| {
        format!(
            "resource \"harbor_project_webhook\" \"w\" {{\n  name = \"ci\"\n  project_id = \"/projects/1\"\n  address = \"https://h.example.com\"\n  {body}\n}}\n"
        )
    };
    let preheat = |body: &str| {
        format!(
            "resource \"harbor_preheat_instance\" \"p\" {{\n  name = \"df\"\n  endpoint = \"http://df\"\n  {body}\n}}\n"
        )
    };
    let cases: Vec<(String, &str, &str)> = vec![
        (
            hook("notify_type = \"http\"\n  events_types = [\"PUSH_IMAGE\"]"),
            "events_types",
            "Unsupported event type \"PUSH_IMAGE\" in events_types",
        ),
        (
            hook("notify_type = \"http\"\n  events_types = []"),
            "events_types",
            "events_types is empty",
        ),
        (
            hook("notify_type = \"email\"\n  events_types = [\"PUSH_ARTIFACT\"]"),
            "notify_type",
            "Invalid value for notify_type",
        ),
        (
            hook(
                "notify_type = \"slack\"\n  events_types = [\"PUSH_ARTIFACT\"]\n  payload_format = \"Default\"",
            ),
            "payload_format",
            "payload_format is not allowed for slack",
        ),
        (
            hook(
                "notify_type = \"http\"\n  events_types = [\"PUSH_ARTIFACT\"]\n  payload_format = \"Xml\"",
            ),
            "payload_format",
            "Invalid value for payload_format",
        ),
        (
            hook(
                "notify_type = \"http\"\n  events_types = [\"PUSH_ARTIFACT\"]\n  auth_header_wo_version = 1",
            ),
            "auth_header_wo_version",
            "auth_header_wo_version needs auth_header_wo",
        ),
        (
            hook("notify_type = \"http\"\n  events_types = [\"PUSH_ARTIFACT\"]")
                .replace("https://h.example.com", "ftp://h.example.com"),
            "address",
            "Invalid address scheme \"ftp\"",
        ),
        (
            preheat("vendor = \"nydus\""),
            "vendor",
            "Invalid value for vendor",
        ),
        (
            preheat("vendor = \"dragonfly\"\n  auth_mode = \"TOKEN\""),
            "auth_mode",
            "Invalid value for auth_mode",
        ),
        (
            preheat("vendor = \"dragonfly\"\n  auth_mode = \"BASIC\"\n  username = \"u\""),
            "auth_mode",
            "auth_mode \"BASIC\" needs password",
        ),
        (
            preheat("vendor = \"dragonfly\"\n  token = \"t\""),
            "token",
            "token is not used with auth_mode \"NONE\"",
        ),
        (
            preheat(
                "vendor = \"dragonfly\"\n  auth_mode = \"OAUTH\"\n  token = \"t\"\n  token_wo_version = 2",
            ),
            "token_wo_version",
            "token_wo_version needs token_wo",
        ),
    ];
    for_each_terraform(|tf| {
        let h = Harbor::start();
        for (body, attr, message) in &cases {
            let wd = Workdir::new(tf);
            wd.write_config(&config(&h, body));
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
    });
}
