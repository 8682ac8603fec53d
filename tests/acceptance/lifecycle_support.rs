//! Helpers shared by the acceptance tests of `harbor_label`, `harbor_immutable_tag_rule` and
//! `harbor_retention_policy`: configurations, a project made outside Terraform, and goharbor state.

use serde_json::{Value, json};

use crate::harness::{Terraform, Workdir, required_providers};
use crate::target::Harbor;

pub fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

/// A project made through the API (owned by no Terraform configuration); its id.
pub fn project(h: &Harbor, name: &str) -> i64 {
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

/// Rewrites the state's resource `address` as goharbor/harbor stores it (its provider address,
/// schema version 0, `attributes`), moves it with `state replace-provider`, and checks the
/// unchanged configuration plans nothing.
pub fn migrate_from_goharbor(tf: &Terraform, wd: &Workdir, address: &str, attributes: Value) {
    let path = wd.path().join("terraform.tfstate");
    let mut state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (kind, name) = address.split_once('.').unwrap();
    let res = state["resources"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["type"] == kind && r["name"] == name)
        .unwrap_or_else(|| panic!("{address} not in state"));
    res["provider"] = json!(format!(
        "provider[\"{}/goharbor/harbor\"]",
        tf.product.registry_host()
    ));
    res["instances"][0]["schema_version"] = json!(0);
    res["instances"][0]["attributes"] = attributes;
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
    wd.assert_plan_empty(&format!(
        "plan after migrating {address} from goharbor/harbor"
    ));
}

/// `terraform plan` of `body` must fail with `message`, quoting the line of `attr`.
pub fn assert_plan_error(tf: &Terraform, h: &Harbor, body: &str, attr: &str, message: &str) {
    let wd = Workdir::new(tf);
    wd.write_config(&config(h, body));
    let err = wd.expect_failure(&["plan", "-no-color"]);
    assert!(
        err.contains(message),
        "{body}: message {message:?} missing on {tf}:\n{err}"
    );
    // Terraform quotes the configuration line the diagnostic is attached to: `  3:   name = ...`.
    // An attribute that is missing has no line: then the message must name it.
    let named = if body.contains(&format!("{attr} =")) {
        err.contains(&format!(":   {attr} =")) || err.contains(&format!(":     {attr} ="))
    } else {
        err.contains(&format!("`{attr}`"))
    };
    assert!(named, "{body}: attribute {attr} not named on {tf}:\n{err}");
}

/// goharbor/harbor's documentation examples of the three types (`docs/resources/label.md`,
/// `immutable_tag_rule.md`, `retention_policy.md`), with unique names, applied and re-planned.
/// Its immutable-rule example sets both `tag_matching` and `tag_excluding`; goharbor silently
/// kept only the second, this provider refuses the pair at plan time, so that example is checked
/// to fail naming the attribute, and applies once `tag_matching` is removed.
#[test]
fn lifecycle_go_provider_examples() {
    crate::harness::for_each_terraform(|tf| {
        let h = Harbor::start();
        let (a, b) = (
            crate::target::unique("accTest"),
            crate::target::unique("acctest"),
        );
        let project = format!("resource \"harbor_project\" \"main\" {{\n  name = \"{b}\"\n}}\n");
        let label = format!(
            r##"
resource "harbor_label" "global" {{
  name      = "{a}"
  color     = "#FF0000"
  description   = "Description to for acceptance test"
}}

resource "harbor_label" "main" {{
  name      = "accTest"
  color     = "#FFFFFF"
  description = "Description for acceptance test"
  project_id  = harbor_project.main.id
}}

resource "harbor_retention_policy" "main" {{
  scope = harbor_project.main.id
  schedule = "Daily"
  rule {{
    n_days_since_last_pull = 5
    repo_matching = "**"
    tag_matching = "latest"
  }}
  rule {{
    n_days_since_last_push = 10
    repo_matching = "**"
    tag_matching = "{{latest,snapshot}}"
  }}
}}
"##
        );
        let immutable = |tag_matching: &str| {
            format!(
                "\nresource \"harbor_immutable_tag_rule\" \"main\" {{\n  disabled = true\n  project_id = harbor_project.main.id\n  repo_matching = \"**\"\n{tag_matching}  tag_excluding = \"latest\"\n}}\n"
            )
        };
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &(project.clone() + &label + &immutable("  tag_matching = \"v2.*\"\n")),
        ));
        let err = wd.expect_failure(&["plan", "-no-color"]);
        assert!(
            err.contains("only one of `tag_matching`, `tag_excluding` can be set"),
            "{err}"
        );
        wd.write_config(&config(&h, &(project + &label + &immutable(""))));
        wd.apply();
        wd.assert_plan_empty("re-plan of goharbor's examples");
        wd.destroy();
    });
}

/// Everything these types would have Harbor refuse, or silently misread, fails at plan time
/// naming the attribute (for rules, the attribute inside its `rule` block).
#[test]
fn lifecycle_plan_time_errors_name_the_attribute() {
    let rule = |body: &str| {
        format!(
            "resource \"harbor_retention_policy\" \"r\" {{\n  scope = \"/projects/1\"\n  rule {{\n    {body}\n  }}\n}}\n"
        )
    };
    let immutable = |body: &str| {
        format!(
            "resource \"harbor_immutable_tag_rule\" \"r\" {{\n  project_id = \"1\"\n  {body}\n}}\n"
        )
    };
    let cases: Vec<(String, &str, &str)> = vec![
        ("resource \"harbor_label\" \"l\" {\n  name = \"\"\n}\n".into(), "name", "Invalid label name"),
        (
            "resource \"harbor_label\" \"l\" {\n  name = \"x\"\n  color = \"#0123456789ABCDEF0\"\n}\n".into(),
            "color",
            "Invalid label color",
        ),
        (
            immutable("repo_matching = \"**\"\n  tag_matching = \"v*\"\n  tag_excluding = \"latest\""),
            "tag_excluding",
            "only one of `tag_matching`, `tag_excluding` can be set",
        ),
        (
            immutable("tag_matching = \"v*\""),
            "repo_matching",
            "one of `repo_matching`, `repo_excluding` is required",
        ),
        (
            rule("most_recently_pushed = 3\n    always_retain = true\n    repo_matching = \"**\"\n    tag_matching = \"**\""),
            "most_recently_pushed",
            "only one of `always_retain`",
        ),
        (
            rule("repo_matching = \"**\"\n    tag_matching = \"**\""),
            "always_retain",
            "one of `always_retain`",
        ),
        (
            rule("always_retain = true\n    repo_matching = \"**\""),
            "tag_matching",
            "one of `tag_matching`, `tag_excluding` is required",
        ),
        (
            rule("most_recently_pulled = -1\n    repo_matching = \"**\"\n    tag_matching = \"**\""),
            "most_recently_pulled",
            "Invalid most_recently_pulled -1",
        ),
        (
            "resource \"harbor_retention_policy\" \"r\" {\n  scope = \"1\"\n  schedule = \"5 0 0 * * *\"\n  rule {\n    always_retain = true\n    repo_matching = \"**\"\n    tag_matching = \"**\"\n  }\n}\n".into(),
            "schedule",
            "Invalid schedule",
        ),
    ];
    crate::harness::for_each_terraform(|tf| {
        let h = Harbor::start();
        for (body, attr, message) in &cases {
            assert_plan_error(tf, &h, body, attr, message);
        }
    });
}
