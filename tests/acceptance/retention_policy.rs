//! `harbor_retention_policy` through the real `terraform`: the whole cycle, goharbor's state, and a
//! dry run over seeded artifacts that shows exactly which tags the policy would delete.

use serde_json::{Value, json};

use crate::harness::{Workdir, for_each_terraform};
use crate::lifecycle_support::{config, migrate_from_goharbor, project};
use crate::target::{Harbor, unique};

fn policy_hcl(pid: i64, schedule: &str, rules: &str) -> String {
    format!(
        "resource \"harbor_retention_policy\" \"r\" {{\n  scope    = \"/projects/{pid}\"\n  schedule = \"{schedule}\"\n{rules}}}\n"
    )
}

const RULES: &str = r#"
  rule {
    most_recently_pushed = 3
    repo_matching        = "**"
    tag_matching         = "v*"
  }
  rule {
    n_days_since_last_pull = 7
    repo_excluding         = "tmp/**"
    tag_matching           = "{latest,stable}"
    untagged_artifacts     = false
  }
"#;

const RULES_2: &str = r#"
  rule {
    always_retain  = true
    repo_matching  = "**"
    tag_excluding  = "dev-*"
    disabled       = true
  }
"#;

fn project_retention_id(h: &Harbor, pid: i64) -> Option<String> {
    h.get(&format!("/projects/{pid}"))["metadata"]["retention_id"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn retention_policy_lifecycle_create_replan_update_drift_delete_import_migrate_destroy() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let pid = project(&h, &unique("retention"));
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &policy_hcl(pid, "Daily", RULES)));
        wd.apply();
        let id = wd.resource_values("harbor_retention_policy.r")["retention_id"]
            .as_i64()
            .unwrap();
        assert_eq!(project_retention_id(&h, pid), Some(id.to_string()));
        let got = h.get(&format!("/retentions/{id}"));
        assert_eq!(got["trigger"]["settings"]["cron"], "0 0 0 * * *");
        assert_eq!(got["rules"][0]["template"], "latestPushedK");
        assert_eq!(got["rules"][0]["params"]["latestPushedK"], 3);
        assert_eq!(
            got["rules"][1]["scope_selectors"]["repository"][0]["decoration"],
            "repoExcludes"
        );
        assert_eq!(
            got["rules"][1]["tag_selectors"][0]["extras"],
            "{\"untagged\":false}"
        );
        wd.assert_plan_empty("re-plan after create");

        // Update schedule and rules in place.
        let updated = policy_hcl(pid, "0 30 2 * * *", RULES_2);
        wd.write_config(&config(&h, &updated));
        assert_eq!(wd.planned_actions("harbor_retention_policy.r"), ["update"]);
        wd.apply();
        let got = h.get(&format!("/retentions/{id}"));
        assert_eq!(got["trigger"]["settings"]["cron"], "0 30 2 * * *");
        assert_eq!(
            (
                got["rules"][0]["template"].as_str(),
                got["rules"][0]["disabled"].as_bool()
            ),
            (Some("always"), Some(true))
        );
        assert_eq!(got["rules"].as_array().unwrap().len(), 1);
        wd.assert_plan_empty("re-plan after update");

        // Drift: the rule changed in Harbor is put back.
        let mut body = got.clone();
        body["rules"][0]["tag_selectors"][0]["pattern"] = json!("other");
        let r = h.call("PUT", &format!("/retentions/{id}"), Some(body));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_retention_policy.r"), ["update"]);
        wd.apply();
        assert_eq!(
            h.get(&format!("/retentions/{id}"))["rules"][0]["tag_selectors"][0]["pattern"],
            "dev-*"
        );

        // Deleted behind Terraform's back (Harbor then answers 500 for it): re-created.
        assert_eq!(
            h.call("DELETE", &format!("/retentions/{id}"), None).status,
            200
        );
        assert_eq!(wd.planned_actions("harbor_retention_policy.r"), ["create"]);
        wd.apply();
        let id = wd.resource_values("harbor_retention_policy.r")["retention_id"]
            .as_i64()
            .unwrap();
        assert_eq!(project_retention_id(&h, pid), Some(id.to_string()));

        for import_id in [format!("/retentions/{id}"), id.to_string()] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&config(&h, &updated));
            wd2.import("harbor_retention_policy.r", &import_id);
            wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        }

        // goharbor/harbor's state: SDK zero values for the unset choices, its schedule form.
        let rule: Value = json!({
            "disabled": true, "always_retain": true, "most_recently_pulled": 0, "most_recently_pushed": 0,
            "n_days_since_last_pull": 0, "n_days_since_last_push": 0, "repo_matching": "**",
            "repo_excluding": "", "tag_matching": "", "tag_excluding": "dev-*", "untagged_artifacts": true
        });
        migrate_from_goharbor(
            tf,
            &wd,
            "harbor_retention_policy.r",
            json!({
                "id": format!("/retentions/{id}"), "scope": format!("/projects/{pid}"),
                "schedule": "0 30 2 * * *", "rule": [rule]
            }),
        );

        wd.destroy();
        assert_eq!(project_retention_id(&h, pid), None);
        assert_eq!(
            h.call("GET", &format!("/retentions/{id}"), None).status,
            500,
            "Harbor's answer for a deleted policy"
        );
    });
}

/// A dry run of the applied policy over a seeded repository: exactly the tags no rule keeps are
/// marked for deletion, and nothing is deleted.
#[test]
fn retention_policy_dry_run_shows_exactly_which_tags_would_go() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "pushes artifacts through the emulator's control endpoint",
            Default::default(),
        );
        let name = unique("dryrun");
        let pid = project(&h, &name);
        for (tags, pushed, pulled) in [
            (vec!["v1"], 50, None),
            (vec!["v2"], 40, None),
            (vec!["v3"], 30, None),
            (vec!["v4"], 20, None),
            (vec!["v5"], 10, None),
            (vec!["latest"], 60, Some(1)),
            (vec!["stable"], 60, Some(30)),
            (vec![], 5, None),
        ] {
            let r = h.call(
                "POST",
                &format!("/_emulator/projects/{name}/artifacts"),
                Some(json!({"repository": "web", "tags": tags, "pushed_days_ago": pushed, "pulled_days_ago": pulled})),
            );
            assert_eq!(r.status, 201, "{}", r.text);
        }
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &policy_hcl(pid, "Daily", RULES)));
        wd.apply();
        let id = wd.resource_values("harbor_retention_policy.r")["retention_id"]
            .as_i64()
            .unwrap();

        let r = h.call(
            "POST",
            &format!("/retentions/{id}/executions"),
            Some(json!({"dry_run": true})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let execution = h.get(&format!("/retentions/{id}/executions"))[0].clone();
        assert_eq!(
            (execution["dry_run"].as_bool(), execution["status"].as_str()),
            (Some(true), Some("Succeed"))
        );
        let eid = execution["id"].as_i64().unwrap();
        let tasks = h.get(&format!("/retentions/{id}/executions/{eid}/tasks"));
        assert_eq!(tasks[0]["repository"], "web");
        let tid = tasks[0]["id"].as_i64().unwrap();
        let log = h
            .call(
                "GET",
                &format!("/retentions/{id}/executions/{eid}/tasks/{tid}"),
                None,
            )
            .text;
        let marked = |mark: &str| {
            let mut tags: Vec<String> = log
                .lines()
                .filter(|l| l.trim_end_matches(['|', ' ']).ends_with(mark))
                .map(|l| l.split('|').nth(2).unwrap().trim().to_owned())
                .collect();
            tags.sort();
            tags
        };
        // Rule 1 keeps the three most recently pushed among the `v*` tags and, with
        // `untagged_artifacts` (default true), the untagged artifact: that one (5 days), v5 and v4.
        // Rule 2 keeps latest or stable pulled within 7 days: latest. v1, v2, v3 and stable go.
        assert_eq!(marked("DEL"), ["stable", "v1", "v2", "v3"], "log:\n{log}");
        assert_eq!(marked("RETAIN"), ["", "latest", "v4", "v5"], "log:\n{log}");
        assert_eq!(
            (tasks[0]["total"].as_i64(), tasks[0]["retained"].as_i64()),
            (Some(8), Some(4))
        );
        let left = h.get(&format!(
            "/projects/{name}/repositories/web/artifacts?page_size=100"
        ));
        assert_eq!(
            left.as_array().unwrap().len(),
            8,
            "a dry run deletes nothing"
        );
        wd.destroy();
    });
}

/// The same question through Terraform: `data "harbor_retention_dry_run"` reports the tags the
/// policy would delete, per repository, and deletes nothing.
#[test]
fn retention_dry_run_data_source_lists_the_tags_that_would_go() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "pushes artifacts through the emulator's control endpoint",
            Default::default(),
        );
        let name = unique("dryrunds");
        let pid = project(&h, &name);
        for (tag, pushed) in [("v1", 30), ("v2", 20), ("v3", 10)] {
            let r = h.call(
                "POST",
                &format!("/_emulator/projects/{name}/artifacts"),
                Some(json!({"repository": "api", "tags": [tag], "pushed_days_ago": pushed})),
            );
            assert_eq!(r.status, 201, "{}", r.text);
        }
        let rules = "  rule {\n    most_recently_pushed = 1\n    repo_matching = \"**\"\n    tag_matching = \"**\"\n  }\n";
        let hcl = policy_hcl(pid, "Daily", rules)
            + "\ndata \"harbor_retention_dry_run\" \"d\" {\n  retention_id = harbor_retention_policy.r.retention_id\n}\n";
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &hcl));
        wd.apply();
        let d = wd.resource_values("data.harbor_retention_dry_run.d");
        assert_eq!(d["status"], "Succeed");
        let repo = &d["repositories"][0];
        assert_eq!(repo["repository"], "api");
        assert_eq!(repo["deleted_tags"], json!(["v1", "v2"]), "{d}");
        assert_eq!(repo["retained_tags"], json!(["v3"]), "{d}");
        let left = h.get(&format!("/projects/{name}/repositories/api/artifacts"));
        assert_eq!(
            left.as_array().unwrap().len(),
            3,
            "a dry run deletes nothing"
        );
        wd.destroy();
    });
}
