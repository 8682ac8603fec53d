//! `harbor_label` through the real `terraform`: the whole cycle on a project label beside a global
//! one, and goharbor's state (its examples and the plan-time errors are in `lifecycle_support`).

use serde_json::json;

use crate::harness::{Workdir, for_each_terraform};
use crate::lifecycle_support::{config, migrate_from_goharbor, project};
use crate::target::{Harbor, unique};

fn labels(pid: i64, color: &str, description: &str) -> String {
    format!(
        r#"
resource "harbor_label" "global" {{
  name = "{pid}-global"
}}

resource "harbor_label" "l" {{
  name        = "reviewed"
  color       = "{color}"
  description = "{description}"
  project_id  = "/projects/{pid}"
}}
"#
    )
}

#[test]
fn label_lifecycle_create_replan_update_drift_delete_import_migrate_destroy() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let pid = project(&h, &unique("labels"));
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &labels(pid, "#FF0000", "first")));
        wd.apply();
        let id = wd.resource_values("harbor_label.l")["label_id"]
            .as_i64()
            .unwrap();
        let got = h.get(&format!("/labels/{id}"));
        assert_eq!(
            (
                got["name"].as_str(),
                got["color"].as_str(),
                got["scope"].as_str(),
                got["project_id"].as_i64()
            ),
            (Some("reviewed"), Some("#FF0000"), Some("p"), Some(pid))
        );
        let gid = wd.resource_values("harbor_label.global")["label_id"]
            .as_i64()
            .unwrap();
        let global = h.get(&format!("/labels/{gid}"));
        assert_eq!(global["scope"], "g");
        // goharbor/harbor sent the colour "false" when none was set; nothing is sent here.
        assert!(global.get("color").is_none(), "{global}");
        wd.assert_plan_empty("re-plan after create");

        // In-place update of colour and description.
        wd.write_config(&config(&h, &labels(pid, "#00FF00", "second")));
        assert_eq!(wd.planned_actions("harbor_label.l"), ["update"]);
        wd.apply();
        let got = h.get(&format!("/labels/{id}"));
        assert_eq!(
            (got["color"].as_str(), got["description"].as_str()),
            (Some("#00FF00"), Some("second"))
        );
        wd.assert_plan_empty("re-plan after update");

        // Drift made in Harbor is put back.
        let r = h.call(
            "PUT",
            &format!("/labels/{id}"),
            Some(json!({"name": "renamed", "color": "#000000"})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_label.l"), ["update"]);
        wd.apply();
        let got = h.get(&format!("/labels/{id}"));
        assert_eq!(
            (got["name"].as_str(), got["color"].as_str()),
            (Some("reviewed"), Some("#00FF00"))
        );

        // Deleted behind Terraform's back: re-created.
        assert_eq!(h.call("DELETE", &format!("/labels/{id}"), None).status, 200);
        assert_eq!(wd.planned_actions("harbor_label.l"), ["create"]);
        wd.apply();
        let id = wd.resource_values("harbor_label.l")["label_id"]
            .as_i64()
            .unwrap();
        assert_eq!(h.get(&format!("/labels/{id}"))["name"], "reviewed");

        // Import by goharbor's path and by number: nothing to change.
        for import_id in [format!("/labels/{id}"), id.to_string()] {
            let wd2 = Workdir::new(tf);
            wd2.write_config(&config(&h, &labels(pid, "#00FF00", "second")));
            wd2.import("harbor_label.l", &import_id);
            wd2.import("harbor_label.global", &format!("/labels/{gid}"));
            wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        }

        // goharbor/harbor's state: `project_id` as it wrote it, `""` for unset, no `label_id`.
        migrate_from_goharbor(
            tf,
            &wd,
            "harbor_label.l",
            json!({
                "id": format!("/labels/{id}"), "name": "reviewed", "color": "#00FF00",
                "description": "second", "project_id": format!("/projects/{pid}"), "scope": "p"
            }),
        );
        migrate_from_goharbor(
            tf,
            &wd,
            "harbor_label.global",
            json!({
                "id": format!("/labels/{gid}"), "name": format!("{pid}-global"), "color": "",
                "description": "", "project_id": "", "scope": "g"
            }),
        );

        // Destroy, confirmed by asking Harbor.
        wd.destroy();
        assert_eq!(h.status(&format!("/labels/{id}")), 404);
        assert_eq!(h.status(&format!("/labels/{gid}")), 404);
    });
}
