//! The multi-region scenario (`examples/multi-region/`) through the real `terraform` against two
//! emulated Harbors: the primary's registry health check really reaches the replica. Apply,
//! re-plan to empty, change a filter in place, destroy, and ask both Harbors that nothing is left.

use serde_json::{Value, json};

use crate::harness::{Workdir, for_each_terraform};
use crate::target::Harbor;

fn copy_example(wd: &Workdir) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/multi-region");
    for f in ["main.tf", "variables.tf", "outputs.tf"] {
        let text = std::fs::read_to_string(dir.join(f)).expect("example file");
        wd.write_file(f, &text);
    }
    std::fs::read_to_string(dir.join("main.tf")).unwrap()
}

fn policy(h: &Harbor, name: &str) -> Value {
    h.get("/replication/policies?page_size=100")
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no replication policy {name}"))
}

fn names(h: &Harbor, path: &str, key: &str) -> Vec<String> {
    h.get(path)
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o[key].as_str().map(str::to_string))
        .collect()
}

#[test]
fn multi_region_example_applies_replans_empty_updates_a_filter_and_destroys() {
    for_each_terraform(|tf| {
        let primary = Harbor::emulator_because(
            "needs two Harbors with their own admin passwords",
            harbor_emulator::Config {
                admin_password: "Primary-Admin-1".into(),
                ..Default::default()
            },
        );
        let replica = Harbor::emulator(harbor_emulator::Config {
            admin_password: "Replica-Admin-1".into(),
            ..Default::default()
        });
        let mut wd = Workdir::new(tf);
        wd.env("TF_VAR_primary_url", &primary.url)
            .env("TF_VAR_primary_password", &primary.password)
            .env("TF_VAR_replica_url", &replica.url)
            .env("TF_VAR_replica_password", &replica.password);
        let main_tf = copy_example(&wd);

        wd.apply();

        // The primary: projects, the registry pointing at the replica, two push policies.
        let mut projects = names(&primary, "/projects?page_size=100", "name");
        projects.sort();
        assert_eq!(
            projects,
            ["apps", "base", "library"],
            "Harbor's own `library` and the example's"
        );
        let regs = primary.get("/registries");
        assert_eq!(regs.as_array().unwrap().len(), 1, "{regs:#}");
        assert_eq!(regs[0]["name"], "replica");
        assert_eq!(regs[0]["url"], replica.url.as_str());
        assert_eq!(regs[0]["status"], "healthy");
        assert!(
            regs[0]["credential"]["access_key"]
                .as_str()
                .unwrap()
                .contains("replica-sync"),
            "the replica's robot logs in: {regs:#}"
        );
        let replica_reg = regs[0]["id"].as_i64().unwrap();
        let apps = policy(&primary, "apps-to-replica");
        assert_eq!(apps["dest_registry"]["id"], replica_reg);
        assert_eq!(apps["trigger"]["type"], "event_based");
        assert_eq!(apps["filters"].as_array().unwrap().len(), 1, "{apps:#}");
        assert_eq!(
            (
                apps["filters"][0]["type"].as_str(),
                apps["filters"][0]["value"].as_str()
            ),
            (Some("name"), Some("apps/**"))
        );
        let base = policy(&primary, "base-nightly");
        assert_eq!(base["trigger"]["trigger_settings"]["cron"], "0 0 2 * * *");
        assert_eq!(base["filters"].as_array().unwrap().len(), 3, "{base:#}");

        // The replica: projects, the sync robot, the registry pointing back, the pull policy.
        let mut projects = names(&replica, "/projects?page_size=100", "name");
        projects.sort();
        assert_eq!(
            projects,
            ["apps", "base", "library"],
            "Harbor's own `library` and the example's"
        );
        let regs = replica.get("/registries");
        assert_eq!(regs[0]["url"], primary.url.as_str());
        let hotfix = policy(&replica, "hotfix-pull");
        assert_eq!(hotfix["src_registry"]["id"], regs[0]["id"]);
        assert_eq!(hotfix["dest_namespace"], "apps");
        assert_eq!(
            hotfix["trigger"]["trigger_settings"]["cron"],
            "0 */30 * * * *"
        );

        wd.assert_plan_empty("re-plan of the multi-region example");

        // Change a filter: the policy is updated in place, not replaced.
        let changed = main_tf.replace("name = \"apps/**\"", "name = \"apps/release-*\"");
        assert_ne!(
            changed, main_tf,
            "the example has the filter this test changes"
        );
        wd.write_config(&changed);
        assert_eq!(
            wd.planned_actions("harbor_replication.apps_to_replica"),
            ["update"]
        );
        wd.apply();
        let after = policy(&primary, "apps-to-replica");
        assert_eq!(after["id"], apps["id"], "updated in place");
        assert_eq!(after["filters"][0]["value"], "apps/release-*");
        wd.assert_plan_empty("re-plan after the filter change");

        // Destroy; both Harbors confirm nothing is left.
        wd.destroy();
        for (h, which) in [(&primary, "primary"), (&replica, "replica")] {
            assert_eq!(
                names(h, "/projects?page_size=100", "name"),
                ["library"],
                "{which} projects: only Harbor's own is left"
            );
            assert_eq!(h.get("/registries"), json!([]), "{which} registries");
            assert_eq!(
                h.get("/replication/policies"),
                json!([]),
                "{which} policies"
            );
            assert_eq!(h.get("/robots?page_size=100"), json!([]), "{which} robots");
        }
    });
}
