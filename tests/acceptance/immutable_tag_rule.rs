//! `harbor_immutable_tag_rule` through the real `terraform`: the whole cycle, goharbor's state, and
//! the protection the rule gives: a matching tag can be neither deleted nor pushed over.

use serde_json::{Value, json};

use crate::harness::{Workdir, for_each_terraform};
use crate::lifecycle_support::{config, migrate_from_goharbor, project};
use crate::target::{Harbor, unique};

fn rule_hcl(pid: i64, extra: &str) -> String {
    format!(
        "resource \"harbor_immutable_tag_rule\" \"r\" {{\n  project_id    = \"/projects/{pid}\"\n  repo_matching = \"**\"\n{extra}}}\n"
    )
}

fn rules(h: &Harbor, pid: i64) -> Vec<Value> {
    h.get(&format!("/projects/{pid}/immutabletagrules"))
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn immutable_tag_rule_lifecycle_create_replan_update_drift_delete_import_migrate_destroy() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let pid = project(&h, &unique("immutable"));
        let wd = Workdir::new(tf);
        // Created disabled: Harbor stores new rules enabled, so this takes the second request.
        wd.write_config(&config(
            &h,
            &rule_hcl(pid, "  tag_matching = \"v*\"\n  disabled = true\n"),
        ));
        wd.apply();
        let id = wd.resource_values("harbor_immutable_tag_rule.r")["rule_id"]
            .as_i64()
            .unwrap();
        let got = rules(&h, pid);
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0]["id"].as_i64(), got[0]["disabled"].as_bool()),
            (Some(id), Some(true))
        );
        assert_eq!(got[0]["tag_selectors"][0]["pattern"], "v*");
        wd.assert_plan_empty("re-plan after create");

        // Update both the pattern and the flag (two requests to Harbor).
        let updated = rule_hcl(pid, "  tag_excluding = \"dev-*\"\n");
        wd.write_config(&config(&h, &updated));
        assert_eq!(
            wd.planned_actions("harbor_immutable_tag_rule.r"),
            ["update"]
        );
        wd.apply();
        let got = rules(&h, pid);
        assert!(got[0].get("disabled").is_none(), "enabled again: {got:?}");
        assert_eq!(
            (
                got[0]["tag_selectors"][0]["decoration"].as_str(),
                got[0]["tag_selectors"][0]["pattern"].as_str()
            ),
            (Some("excludes"), Some("dev-*"))
        );
        wd.assert_plan_empty("re-plan after update");

        // Drift: switched off in Harbor, switched back on by apply.
        let mut body = got[0].clone();
        body["disabled"] = json!(true);
        let r = h.call(
            "PUT",
            &format!("/projects/{pid}/immutabletagrules/{id}"),
            Some(body),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            wd.planned_actions("harbor_immutable_tag_rule.r"),
            ["update"]
        );
        wd.apply();
        assert!(rules(&h, pid)[0].get("disabled").is_none());

        // Deleted behind Terraform's back: re-created.
        assert_eq!(
            h.call(
                "DELETE",
                &format!("/projects/{pid}/immutabletagrules/{id}"),
                None
            )
            .status,
            200
        );
        assert_eq!(
            wd.planned_actions("harbor_immutable_tag_rule.r"),
            ["create"]
        );
        wd.apply();
        let id = wd.resource_values("harbor_immutable_tag_rule.r")["rule_id"]
            .as_i64()
            .unwrap();
        assert_eq!(rules(&h, pid).len(), 1);

        // Import by goharbor's path and by `<project>/<rule>`.
        for import_id in [
            format!("/projects/{pid}/immutabletagrules/{id}"),
            format!("{pid}/{id}"),
        ] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&config(&h, &updated));
            wd2.import("harbor_immutable_tag_rule.r", &import_id);
            wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        }

        migrate_from_goharbor(
            tf,
            &wd,
            "harbor_immutable_tag_rule.r",
            json!({
                "id": format!("/projects/{pid}/immutabletagrules/{id}"),
                "project_id": format!("/projects/{pid}"), "disabled": false,
                "repo_matching": "**", "repo_excluding": "", "tag_matching": "", "tag_excluding": "dev-*"
            }),
        );

        wd.destroy();
        assert!(rules(&h, pid).is_empty());
    });
}

/// What the rule is for: with it applied, the emulator (as Harbor's tag controller and registry
/// middleware) refuses to delete a protected tag or push over it; others stay deletable.
#[test]
fn immutable_tag_rule_protects_tags_from_delete_and_overwrite() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "pushes artifacts through the emulator's control endpoint",
            Default::default(),
        );
        let name = unique("protected");
        let pid = project(&h, &name);
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &rule_hcl(pid, "  tag_matching = \"v*\"\n")));
        wd.apply();
        let push = |tag: &str| {
            h.call(
                "POST",
                &format!("/_emulator/projects/{name}/artifacts"),
                Some(json!({"repository": "app", "tags": [tag]})),
            )
        };
        assert_eq!(push("v1.0").status, 201);
        assert_eq!(push("dev").status, 201);
        let del = h.call(
            "DELETE",
            &format!("/projects/{name}/repositories/app/artifacts/v1.0/tags/v1.0"),
            None,
        );
        assert_eq!(del.status, 412, "{}", del.text);
        assert!(
            del.text
                .contains("the tag v1.0 configured as immutable, cannot be deleted"),
            "{}",
            del.text
        );
        let art = h.call(
            "DELETE",
            &format!("/projects/{name}/repositories/app/artifacts/v1.0"),
            None,
        );
        assert_eq!(art.status, 412, "{}", art.text);
        let over = push("v1.0");
        assert_eq!(over.status, 412, "{}", over.text);
        assert!(
            over.text.contains("'app:v1.0' configured as immutable"),
            "{}",
            over.text
        );
        assert_eq!(
            h.call(
                "DELETE",
                &format!("/projects/{name}/repositories/app/artifacts/dev"),
                None
            )
            .status,
            200
        );
        // Once the rule is destroyed the tag is an ordinary tag again.
        wd.destroy();
        assert_eq!(push("v1.0").status, 201);
    });
}

/// Harbor has no single-rule GET, so a rule is refreshed from its project's whole list. A rule
/// someone made there without tag selectors reads `"tag_selectors": null` on Harbor v2.15.2
/// (no `omitempty` in the generated model); it must not break the refresh of the managed one.
#[test]
fn a_rule_without_tag_selectors_beside_the_managed_one_does_not_break_the_refresh() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let pid = project(&h, &unique("immutable-null"));
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &rule_hcl(pid, "  tag_matching = \"v*\"\n")));
        wd.apply();
        let r = h.call(
            "POST",
            &format!("/projects/{pid}/immutabletagrules"),
            Some(json!({"action": "immutable", "template": "immutable_template"})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let bare = rules(&h, pid)
            .into_iter()
            .find(|r| r["tag_selectors"].is_null())
            .expect("the rule without selectors reads tag_selectors null");
        wd.assert_plan_empty("plan with a selector-less rule beside the managed one");
        let path = format!("/projects/{pid}/immutabletagrules/{}", bare["id"]);
        assert_eq!(h.call("DELETE", &path, None).status, 200);
        wd.destroy();
        assert!(rules(&h, pid).is_empty());
    });
}
