//! The platform module (`examples/platform/`: its root configuration and `region/` module) through
//! the real `terraform` against two emulated Harbors, with real peers the test starts: a Trivy-
//! speaking scanner adapter per region (Harbor asks each for its metadata) and one syslog
//! receiver both regions forward audit logs to. Apply, ask both Harbors what they hold, re-plan
//! to empty, destroy, and ask both that nothing of it is left.

use serde_json::{Value, json};

use crate::harness::{Workdir, for_each_terraform};
use crate::scanner_adapter::ScannerAdapter;
use crate::target::Harbor;

/// Copies the example with its module folder into the working directory, then installs the
/// local module (`get` needs no registry).
fn copy_example(wd: &Workdir) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/platform");
    for sub in ["", "region"] {
        let from = dir.join(sub);
        std::fs::create_dir_all(wd.path().join(sub)).unwrap();
        for e in std::fs::read_dir(&from).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "tf") {
                let name = std::path::Path::new(sub).join(p.file_name().unwrap());
                wd.write_file(
                    name.to_str().unwrap(),
                    &std::fs::read_to_string(&p).unwrap(),
                );
            }
        }
    }
    wd.run(&["get", "-no-color"]);
}

fn names(h: &Harbor, path: &str, key: &str) -> Vec<String> {
    let mut v: Vec<String> = h
        .get(path)
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o[key].as_str().map(str::to_string))
        .collect();
    v.sort();
    v
}

fn schedule(h: &Harbor, path: &str) -> Value {
    h.get(path)
}

#[test]
fn platform_module_applies_in_two_regions_replans_empty_and_destroys() {
    for_each_terraform(|tf| {
        let primary = Harbor::emulator_because(
            "needs two Harbors, and scanner adapters and a syslog receiver on this machine",
            harbor_emulator::Config {
                admin_password: "Primary-Admin-1".into(),
                ..Default::default()
            },
        );
        let replica = Harbor::emulator(harbor_emulator::Config {
            admin_password: "Replica-Admin-1".into(),
            ..Default::default()
        });
        let primary_trivy = ScannerAdapter::start("Trivy");
        let replica_trivy = ScannerAdapter::start("Trivy");
        let (syslog, received) = crate::system_settings::syslog_receiver();
        let mut wd = Workdir::new(tf);
        wd.env("TF_VAR_primary_url", &primary.url)
            .env("TF_VAR_primary_password", &primary.password)
            .env("TF_VAR_replica_url", &replica.url)
            .env("TF_VAR_replica_password", &replica.password)
            .env("TF_VAR_primary_scanner_url", &primary_trivy.url)
            .env("TF_VAR_replica_scanner_url", &replica_trivy.url)
            .env("TF_VAR_audit_log_endpoint", &syslog);
        copy_example(&wd);

        wd.apply();

        for (h, which, adapter) in [
            (&primary, "primary", &primary_trivy),
            (&replica, "replica", &replica_trivy),
        ] {
            // Trivy is the default scanner, asked for its metadata, and scans every night.
            let scanners = h.get("/scanners");
            let default: Vec<&Value> = scanners
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["is_default"] == true)
                .collect();
            assert_eq!(default.len(), 1, "{which}: {scanners:#}");
            assert_eq!(
                (&default[0]["name"], &default[0]["url"]),
                (&json!("trivy-adapter"), &json!(adapter.url)),
                "{which}"
            );
            assert!(adapter.metadata_calls() >= 1, "{which}: adapter asked");
            assert_eq!(
                schedule(h, "/system/scanAll/schedule")["schedule"]["cron"],
                "0 0 2 * * *",
                "{which}"
            );
            // Projects: critical CVEs blocked on production ones only; quotas.
            assert_eq!(
                names(h, "/projects?page_size=100", "name"),
                ["apps", "base", "library", "sandbox"],
                "{which}"
            );
            for (p, severity, gib) in [
                ("apps", Some("critical"), 100_i64),
                ("base", Some("critical"), 20),
                ("sandbox", None, 10),
            ] {
                let project = h.get(&format!("/projects/{p}"));
                let meta = &project["metadata"];
                assert_eq!(meta["auto_scan"], "true", "{which} {p}");
                assert_eq!(
                    meta["prevent_vul"].as_str() == Some("true"),
                    severity.is_some(),
                    "{which} {p}: {meta:#}"
                );
                if let Some(s) = severity {
                    assert_eq!(meta["severity"], s, "{which} {p}");
                }
                let id = project["project_id"].as_i64().unwrap();
                let quota = h.get(&format!("/quotas?reference=project&reference_id={id}"));
                assert_eq!(
                    quota[0]["hard"]["storage"],
                    gib * 1024 * 1024 * 1024,
                    "{which} {p}"
                );
            }
            // Weekly GC, audit forwarding and 90 days of audit records.
            assert_eq!(
                schedule(h, "/system/gc/schedule")["schedule"]["cron"],
                "0 0 3 * * 0",
                "{which}"
            );
            let purge = schedule(h, "/system/purgeaudit/schedule");
            let params: Value =
                serde_json::from_str(purge["job_parameters"].as_str().unwrap()).unwrap();
            assert_eq!(params["audit_retention_hour"], 2160, "{which}: {params}");
            assert_eq!(
                h.get("/configurations")["audit_log_forward_endpoint"]["value"],
                syslog.as_str(),
                "{which}"
            );
        }

        // One robot per CI pipeline on the primary, each on its own project.
        let project_robots = |h: &Harbor, project: &str| {
            let id = h.get(&format!("/projects/{project}"))["project_id"]
                .as_i64()
                .unwrap();
            names(
                h,
                &format!("/robots?q=Level%3Dproject%2CProjectID%3D{id}&page_size=100"),
                "name",
            )
        };
        for (project, pipelines) in [
            ("apps", vec!["api", "web"]),
            ("base", vec!["images"]),
            ("sandbox", vec!["scratch"]),
        ] {
            let robots = project_robots(&primary, project);
            assert_eq!(robots.len(), pipelines.len(), "{project}: {robots:?}");
            for (robot, pipeline) in robots.iter().zip(&pipelines) {
                assert!(
                    robot.ends_with(&format!("{project}+ci-{pipeline}")),
                    "{project}: {robots:?}"
                );
            }
            assert!(
                project_robots(&replica, project).is_empty(),
                "CI pipelines push to the primary only"
            );
        }

        // Replication: the primary pushes each project to the replica, logging in with the
        // replica's robot; the replica pushes nothing back.
        let regs = primary.get("/registries");
        assert_eq!(regs.as_array().unwrap().len(), 1, "{regs:#}");
        assert_eq!(regs[0]["url"], replica.url.as_str());
        assert!(
            regs[0]["credential"]["access_key"]
                .as_str()
                .unwrap()
                .contains("replication-inbound"),
            "{regs:#}"
        );
        assert_eq!(
            names(&primary, "/replication/policies", "name"),
            ["apps-to-peer", "base-to-peer", "sandbox-to-peer"]
        );
        assert!(
            replica
                .get("/replication/policies")
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert!(replica.get("/registries").as_array().unwrap().is_empty());

        wd.assert_plan_empty("re-plan of the platform");

        wd.destroy();
        for (h, which) in [(&primary, "primary"), (&replica, "replica")] {
            assert_eq!(
                names(h, "/projects?page_size=100", "name"),
                ["library"],
                "{which}"
            );
            assert_eq!(names(h, "/scanners", "name"), ["Trivy"], "{which}");
            assert!(h.get("/robots").as_array().unwrap().is_empty(), "{which}");
            assert!(
                h.get("/registries").as_array().unwrap().is_empty(),
                "{which}"
            );
            assert!(
                h.get("/replication/policies")
                    .as_array()
                    .unwrap()
                    .is_empty(),
                "{which}"
            );
        }
        // Both regions forwarded audit records of the apply.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let lines = received.lock().unwrap().clone();
        for action in ["create", "delete"] {
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains(&format!("action:{action}, resource:apps"))),
                "{action} of apps not forwarded: {lines:?}"
            );
        }
    });
}
