//! `harbor_scanner` and `data "harbor_scanners"` through the real `terraform` against adapters
//! the test starts (Harbor asks each for its metadata before registering it). One body walks the
//! whole cycle; one more holds the plan-time errors.

use serde_json::{Value, json};

use crate::harness::{Workdir, for_each_terraform};
use crate::lifecycle_support::{assert_plan_error, config};
use crate::scanner_adapter::ScannerAdapter;
use crate::target::Harbor;

const ADDRESS: &str = "harbor_scanner.s";

/// The registration named `name` as Harbor lists it, if any.
fn registration(h: &Harbor, name: &str) -> Option<Value> {
    h.get("/scanners?page_size=100")
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .cloned()
}

fn scanner(h: &Harbor, body: &str) -> String {
    config(
        h,
        &format!(
            "resource \"harbor_scanner\" \"s\" {{\n{body}}}\n\ndata \"harbor_scanners\" \"found\" {{\n  name       = \"grype\"\n  depends_on = [harbor_scanner.s]\n}}\n\noutput \"found\" {{\n  value = data.harbor_scanners.found.scanners\n}}\n\noutput \"default_scanner\" {{\n  value = data.harbor_scanners.found.default_scanner\n}}\n"
        ),
    )
}

#[test]
fn scanner_lifecycle() {
    for_each_terraform(|tf| {
        let h = Harbor::reaching_this_machine(
            "registers scanner adapters that listen on this machine's loopback",
        );
        let a = ScannerAdapter::start("Grype");
        let b = ScannerAdapter::start("Grype");
        let name = crate::target::unique("grype");
        let wd = Workdir::new(tf);
        let v1 = format!(
            "  name              = \"{name}\"\n  url               = \"{}/\"\n  auth              = \"Bearer\"\n  access_credential = \"token-1\"\n  default           = true\n",
            a.url
        );
        wd.write_config(&scanner(&h, &v1));
        wd.apply();
        let r = registration(&h, &name).expect("registered");
        assert_eq!(
            (&r["url"], &r["auth"], &r["is_default"], &r["disabled"]),
            (&json!(a.url), &json!("Bearer"), &json!(true), &json!(false)),
            "{r:#}"
        );
        assert!(a.metadata_calls() >= 1, "Harbor asked the adapter first");
        let uuid = r["uuid"].as_str().unwrap().to_string();
        let values = wd.resource_values(ADDRESS);
        assert_eq!(values["id"], format!("/scanners/{uuid}"));
        assert_eq!(values["url"], format!("{}/", a.url), "kept as written");
        let out = wd.run_json(&["output", "-json"]);
        assert_eq!(out["default_scanner"]["value"], name.as_str());
        assert_eq!(out["found"]["value"][0]["uuid"], uuid.as_str());
        assert_eq!(out["found"]["value"][0]["auth"], "Bearer");
        wd.assert_plan_empty("re-plan after create");

        // In place: another adapter, another auth type and credential, a description.
        let v2 = format!(
            "  name              = \"{name}\"\n  description       = \"second adapter\"\n  url               = \"{}\"\n  auth              = \"APIKey\"\n  access_credential = \"key-1\"\n  skip_cert_verify  = true\n  default           = true\n",
            b.url
        );
        wd.write_config(&scanner(&h, &v2));
        assert_eq!(wd.planned_actions(ADDRESS), ["update"]);
        wd.apply();
        let r = registration(&h, &name).unwrap();
        assert_eq!(
            (
                &r["url"],
                &r["auth"],
                &r["description"],
                &r["skip_certVerify"],
                &r["uuid"]
            ),
            (
                &json!(b.url),
                &json!("APIKey"),
                &json!("second adapter"),
                &json!(true),
                &json!(uuid)
            ),
            "{r:#}"
        );
        wd.assert_plan_empty("re-plan after update");

        // Write-only credential: sent, never stored.
        if tf.supports_write_only() {
            crate::harness::note_write_only(tf);
            let v3 = v2.replace(
                "  access_credential = \"key-1\"\n",
                "  access_credential_wo         = \"key-2-write-only\"\n  access_credential_wo_version = 1\n",
            );
            wd.write_config(&scanner(&h, &v3));
            assert_eq!(wd.planned_actions(ADDRESS), ["update"]);
            wd.apply();
            let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
            assert!(!state.contains("key-2-write-only") && !state.contains("key-1"));
            wd.assert_plan_empty("re-plan after the write-only credential");
        }

        // No auth at all: the credential goes.
        let v4 = format!(
            "  name        = \"{name}\"\n  description = \"second adapter\"\n  url         = \"{}\"\n  default     = true\n",
            b.url
        );
        wd.write_config(&scanner(&h, &v4));
        wd.apply();
        assert_eq!(registration(&h, &name).unwrap()["auth"], "");
        wd.assert_plan_empty("re-plan after removing the auth");

        // Drift: another scanner made the default, and the description edited, are put back.
        // The other is the built-in Trivy, or, on a Harbor installed without Trivy (as the real
        // one of FIDELITY.md), one registered by hand for the purpose and removed at the end.
        let other_name = crate::target::unique("other");
        let other = match registration(&h, "Trivy") {
            Some(t) => t,
            None => {
                let r = h.call(
                    "POST",
                    "/scanners",
                    Some(json!({"name": other_name, "url": a.url})),
                );
                assert_eq!(r.status, 201, "{}", r.text);
                registration(&h, &other_name).expect("the other scanner")
            }
        };
        let trivy = other["uuid"].as_str().unwrap().to_string();
        let r = h.call(
            "PATCH",
            &format!("/scanners/{trivy}"),
            Some(json!({"is_default": true})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let r = h.call(
            "PUT",
            &format!("/scanners/{uuid}"),
            Some(json!({"name": name, "url": b.url, "description": "edited by hand"})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions(ADDRESS), ["update"]);
        wd.apply();
        let r = registration(&h, &name).unwrap();
        assert_eq!(
            (&r["is_default"], &r["description"]),
            (&json!(true), &json!("second adapter"))
        );

        // Harbor cannot unset its default: asking it fails at plan time, naming the attribute.
        wd.write_config(&scanner(
            &h,
            &v4.replace("default     = true", "default     = false"),
        ));
        let err = wd.expect_failure(&["plan", "-no-color"]);
        assert!(
            err.contains("is Harbor's default scanner") && err.contains("default     = false"),
            "{err}"
        );
        wd.write_config(&scanner(&h, &v4));

        // Import by its path: nothing to change.
        let wd2 = Workdir::new(tf);
        wd2.write_config(&scanner(&h, &v4));
        wd2.import(ADDRESS, &format!("/scanners/{uuid}"));
        wd2.assert_plan_empty("plan after import");

        // Deleted outside Terraform: planned again, and registered again.
        let r = h.call("DELETE", &format!("/scanners/{uuid}"), None);
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions(ADDRESS), ["create"]);
        wd.apply();
        let again = registration(&h, &name).expect("registered again");
        assert_eq!(again["is_default"], true);

        wd.destroy();
        assert!(registration(&h, &name).is_none(), "destroyed in Harbor");
        if other["name"] == json!(other_name) {
            let r = h.call("DELETE", &format!("/scanners/{trivy}"), None);
            assert_eq!(r.status, 200, "{}", r.text);
        }

        // An adapter nobody runs: Harbor's check fails, and the error names `url`.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        let wd3 = Workdir::new(tf);
        wd3.write_config(&scanner(
            &h,
            &format!("  name = \"{name}\"\n  url  = \"{closed}\"\n"),
        ));
        let err = wd3.expect_failure(&["apply", "-auto-approve", "-no-color"]);
        assert!(
            err.contains("Harbor could not check the scanner adapter") && err.contains("url  ="),
            "{err}"
        );
        assert!(registration(&h, &name).is_none());
    });
}

/// What Harbor would refuse, or the provider could not keep, fails at plan time naming the
/// attribute.
#[test]
fn scanner_plan_time_errors_name_the_attribute() {
    let s = |body: &str| format!("resource \"harbor_scanner\" \"s\" {{\n{body}}}\n");
    let url = "  url = \"http://adapter:8080\"\n";
    let cases: Vec<(String, &str, &str)> = vec![
        (
            s(&format!("  name = \"Trivy\"\n{url}")),
            "name",
            "The scanner name \"Trivy\" is reserved",
        ),
        (
            s("  name = \"x\"\n  url = \"ftp://adapter\"\n"),
            "url",
            "Invalid scanner url",
        ),
        (
            s(&format!("  name = \"x\"\n{url}  auth = \"Digest\"\n")),
            "auth",
            "Digest",
        ),
        (
            s(&format!("  name = \"x\"\n{url}  auth = \"Basic\"\n")),
            "auth",
            "auth \"Basic\" needs a credential",
        ),
        (
            s(&format!(
                "  name = \"x\"\n{url}  access_credential = \"t\"\n"
            )),
            "access_credential",
            "access_credential is not used with auth \"None\"",
        ),
        (
            s(&format!(
                "  name = \"x\"\n{url}  default = true\n  disabled = true\n"
            )),
            "disabled",
            "The default scanner cannot be disabled",
        ),
        (
            s(&format!(
                "  name = \"x\"\n{url}  auth = \"Bearer\"\n  access_credential_wo_version = 1\n  access_credential = \"t\"\n"
            )),
            "access_credential_wo_version",
            "access_credential_wo is missing",
        ),
    ];
    for_each_terraform(|tf| {
        let h = Harbor::start();
        for (body, attr, message) in &cases {
            assert_plan_error(tf, &h, body, attr, message);
        }
    });
}
