//! `harbor_robot_account` through the real `terraform`: the full lifecycle of system and project
//! robots, secrets that log in (and stop logging in after a rotation), write-only secrets, a custom
//! robot name prefix, robots creating robots, expiry, import and plan-time errors.

use serde_json::{Value, json};

use crate::harness::{Terraform, Workdir, for_each_terraform, required_providers};
use crate::target::{Harbor, unique};

fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

/// A provider block logging in as someone other than the admin.
fn config_as(h: &Harbor, user: &str, password: &str, body: &str) -> String {
    format!(
        "{}provider \"harbor\" {{\n  url      = \"{}\"\n  username = \"{}\"\n  password = \"{}\"\n}}\n{body}",
        required_providers(),
        h.url,
        user,
        password
    )
}

/// One `permissions` block.
fn perm(kind: &str, namespace: &str, access: &[(&str, &str)]) -> String {
    let mut s =
        format!("  permissions {{\n    kind      = \"{kind}\"\n    namespace = \"{namespace}\"\n");
    for (resource, action) in access {
        s.push_str(&format!(
            "    access {{\n      resource = \"{resource}\"\n      action   = \"{action}\"\n    }}\n"
        ));
    }
    s.push_str("  }\n");
    s
}

/// A robot `r` plus a sensitive output of its secret.
fn robot_hcl(name: &str, level: &str, extra: &str, perms: &str) -> String {
    format!(
        "resource \"harbor_robot_account\" \"r\" {{\n  name  = \"{name}\"\n  level = \"{level}\"\n{extra}{perms}}}\n\
         output \"secret\" {{\n  value     = harbor_robot_account.r.secret\n  sensitive = true\n}}\n"
    )
}

fn private_project(h: &Harbor, prefix: &str) -> String {
    let name = unique(prefix);
    let r = h.call(
        "POST",
        "/projects",
        Some(json!({"project_name": name, "metadata": {"public": "false"}})),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    name
}

fn output_secret(wd: &Workdir) -> String {
    let out = wd.run(&["output", "-raw", "secret"]);
    String::from_utf8(out.stdout).unwrap()
}

/// The status of listing a project's repositories as a robot.
fn list_repos_as(h: &Harbor, user: &str, secret: &str, project: &str) -> u16 {
    h.call_as(
        user,
        secret,
        "GET",
        &format!("/projects/{project}/repositories"),
        None,
    )
    .status
}

fn is_at_least_1_11(tf: &Terraform) -> bool {
    let v: Vec<u64> = tf
        .version
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect();
    v >= vec![1, 11]
}

/// Runs a plan and returns its human output, failing if the secret shows in it.
fn plan_text_without(wd: &Workdir, secret: &str) -> String {
    let out = wd.run(&["plan", "-no-color"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!secret.is_empty());
    assert!(!text.contains(secret), "the secret is printed:\n{text}");
    text
}

/// Everything issue 6 asks of one robot level: create, empty re-plan, import, in-place updates,
/// rotation, drift, out-of-band deletion, replacement on rename, destroy.
fn lifecycle(tf: &Terraform, level: &str) {
    let h = Harbor::start();
    let own = private_project(&h, "own");
    let other = private_project(&h, "other");
    if h.is_emulator() {
        h.seed_repository(&own, "web");
        h.seed_repository(&other, "web");
    }
    let name = unique("ci").replace('-', "");
    let base_perms = |extra: &[(&str, &str)]| {
        let mut access = vec![("repository", "pull"), ("repository", "list")];
        access.extend_from_slice(extra);
        let project = perm("project", &own, &access);
        if level == "system" {
            format!("{}{project}", perm("system", "/", &[("project", "list")]))
        } else {
            project
        }
    };
    let full = if level == "system" {
        format!("robot${name}")
    } else {
        format!("robot${own}+{name}")
    };
    let wd = Workdir::new(tf);
    let hcl = |name: &str, extra: &str, more: &[(&str, &str)]| {
        config(&h, &robot_hcl(name, level, extra, &base_perms(more)))
    };
    wd.write_config(&hcl(&name, "  description = \"ci\"\n", &[]));
    let out = wd.apply();

    // Harbor has it as configured; the state has its id, full name and generated secret.
    let v = wd.resource_values("harbor_robot_account.r");
    let id = v["robot_id"].as_str().unwrap().to_string();
    assert_eq!(v["id"], format!("/robots/{id}"));
    assert_eq!(v["full_name"], full);
    assert_eq!(v["expires_at"], -1);
    let secret = output_secret(&wd);
    assert_eq!(v["secret"], secret.as_str());
    let state = wd.state_json();
    let entry = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "harbor_robot_account.r")
        .unwrap();
    if is_at_least_1_11(tf) {
        assert_eq!(entry["sensitive_values"]["secret"], true, "{entry:#}");
    } else {
        // Terraform 1.0's `show -json` lists only configuration-derived marks; the schema says it.
        let schema = wd.providers_schema_json();
        let attr = &schema["provider_schemas"][tf.address().as_str()]["resource_schemas"]["harbor_robot_account"]
            ["block"]["attributes"]["secret"];
        assert_eq!(attr["sensitive"], true, "{attr:#}");
    }
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(&secret),
        "apply printed the secret"
    );
    let robot = h.get(&format!("/robots/{id}"));
    assert_eq!(robot["name"], full);
    assert_eq!(robot["level"], level);
    assert_eq!(robot["description"], "ci");

    // The secret logs in and its permissions hold: its project yes, another project no.
    if h.is_emulator() {
        assert_eq!(list_repos_as(&h, &full, &secret, &own), 200);
        assert_eq!(list_repos_as(&h, &full, &secret, &other), 403);
    }
    plan_text_without(&wd, &secret);
    wd.assert_plan_empty("re-plan after create");

    // Import by id and by the Go provider's path: same config, empty plan, secret null.
    for import_id in [id.clone(), format!("/robots/{id}")] {
        let wd2 = Workdir::new(tf);
        wd2.write_config(&hcl(&name, "  description = \"ci\"\n", &[]));
        wd2.import("harbor_robot_account.r", &import_id);
        let imported = wd2.resource_values("harbor_robot_account.r");
        assert_eq!(imported["secret"], Value::Null, "import {import_id}");
        assert_eq!(imported["full_name"], full);
        wd2.assert_plan_empty(&format!("plan after import {import_id}"));
    }

    // In place: description, disable, duration and permissions in one update; the secret stays.
    wd.write_config(&hcl(
        &name,
        "  description = \"ci, pushing\"\n  disable = true\n  duration = 30\n",
        &[("repository", "push")],
    ));
    assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["update"]);
    wd.apply();
    let robot = h.get(&format!("/robots/{id}"));
    assert_eq!(robot["description"], "ci, pushing");
    assert_eq!(robot["disable"], true);
    assert_eq!(robot["duration"], 30);
    let perms = robot["permissions"].to_string();
    assert!(perms.contains("push"), "{perms}");
    let v = wd.resource_values("harbor_robot_account.r");
    assert_eq!(v["expires_at"], robot["expires_at"]);
    assert!(v["expires_at"].as_i64().unwrap() > 0);
    assert_eq!(v["secret"], secret.as_str(), "the secret survives updates");
    if h.is_emulator() {
        assert_eq!(
            list_repos_as(&h, &full, &secret, &own),
            401,
            "disabled robots cannot log in"
        );
    }
    wd.assert_plan_empty("re-plan after update");

    // Enabled again and never expiring.
    wd.write_config(&hcl(
        &name,
        "  description = \"ci, pushing\"\n",
        &[("repository", "push")],
    ));
    assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["update"]);
    wd.apply();
    assert_eq!(h.get(&format!("/robots/{id}"))["expires_at"], -1);
    assert_eq!(
        wd.resource_values("harbor_robot_account.r")["expires_at"],
        -1
    );
    if h.is_emulator() {
        assert_eq!(list_repos_as(&h, &full, &secret, &own), 200);
    }

    // rotation_triggers: a new secret in place, stored; the old one is refused.
    wd.write_config(&hcl(
        &name,
        "  description = \"ci, pushing\"\n  rotation_triggers = { month = \"2026-11\" }\n",
        &[("repository", "push")],
    ));
    assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["update"]);
    wd.apply();
    let rotated = output_secret(&wd);
    assert_ne!(rotated, secret);
    assert_eq!(
        wd.resource_values("harbor_robot_account.r")["robot_id"],
        id.as_str()
    );
    if h.is_emulator() {
        assert_eq!(list_repos_as(&h, &full, &secret, &own), 401, "old secret");
        assert_eq!(list_repos_as(&h, &full, &rotated, &own), 200, "new secret");
    }
    wd.assert_plan_empty("re-plan after rotation");

    // A chosen secret, set in place and never printed.
    let chosen = "Chosen5ecretValue";
    wd.write_config(&hcl(
        &name,
        &format!("  description = \"ci, pushing\"\n  rotation_triggers = {{ month = \"2026-11\" }}\n  secret = \"{chosen}\"\n"),
        &[("repository", "push")],
    ));
    assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["update"]);
    plan_text_without(&wd, chosen);
    wd.apply();
    assert_eq!(output_secret(&wd), chosen);
    if h.is_emulator() {
        assert_eq!(list_repos_as(&h, &full, &rotated, &own), 401);
        assert_eq!(list_repos_as(&h, &full, chosen, &own), 200);
    }
    wd.assert_plan_empty("re-plan after setting the secret");
    let hcl_now = |n: &str| {
        hcl(
            n,
            &format!(
                "  description = \"ci, pushing\"\n  rotation_triggers = {{ month = \"2026-11\" }}\n  secret = \"{chosen}\"\n"
            ),
            &[("repository", "push")],
        )
    };

    // Drift made in Harbor shows in the plan and apply puts it back.
    let mut drifted = h.get(&format!("/robots/{id}"));
    drifted["description"] = json!("changed in the UI");
    drifted["permissions"] = json!([{"kind": "project", "namespace": own,
        "access": [{"resource": "repository", "action": "pull", "effect": "allow"}]}]);
    if level == "system" {
        drifted["permissions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"kind": "system", "namespace": "/",
            "access": [{"resource": "project", "action": "list", "effect": "allow"}]}));
    }
    let r = h.call("PUT", &format!("/robots/{id}"), Some(drifted));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["update"]);
    wd.apply();
    let robot = h.get(&format!("/robots/{id}"));
    assert_eq!(robot["description"], "ci, pushing");
    assert!(robot["permissions"].to_string().contains("push"));
    wd.assert_plan_empty("re-plan after fixing drift");

    // Deleted behind Terraform's back: the plan creates it again, with the chosen secret.
    assert_eq!(h.call("DELETE", &format!("/robots/{id}"), None).status, 200);
    assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["create"]);
    wd.apply();
    let id = wd.resource_values("harbor_robot_account.r")["robot_id"]
        .as_str()
        .unwrap()
        .to_string();
    if h.is_emulator() {
        assert_eq!(list_repos_as(&h, &full, chosen, &own), 200);
    }
    wd.assert_plan_empty("re-plan after re-creating");

    // Renaming replaces.
    let renamed = format!("{name}b");
    wd.write_config(&hcl_now(&renamed));
    assert_eq!(
        wd.planned_actions("harbor_robot_account.r"),
        ["delete", "create"]
    );
    wd.apply();
    assert_eq!(h.status(&format!("/robots/{id}")), 404);
    let v = wd.resource_values("harbor_robot_account.r");
    assert!(v["full_name"].as_str().unwrap().ends_with(&renamed));
    let id = v["robot_id"].as_str().unwrap().to_string();
    wd.assert_plan_empty("re-plan after replacement");

    // Changing the level replaces too (a system robot may hold just the project permission).
    let other_level = if level == "system" {
        "project"
    } else {
        "system"
    };
    wd.write_config(&config(
        &h,
        &robot_hcl(
            &renamed,
            other_level,
            "  description = \"ci, pushing\"\n",
            &perm(
                "project",
                &own,
                &[("repository", "pull"), ("repository", "list")],
            ),
        ),
    ));
    assert_eq!(
        wd.planned_actions("harbor_robot_account.r"),
        ["delete", "create"]
    );
    wd.apply();
    assert_eq!(h.status(&format!("/robots/{id}")), 404);
    let id = wd.resource_values("harbor_robot_account.r")["robot_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(h.get(&format!("/robots/{id}"))["level"], other_level);
    wd.assert_plan_empty("re-plan after changing the level");

    // Destroy, confirmed by Harbor.
    wd.destroy();
    assert_eq!(h.status(&format!("/robots/{id}")), 404);
    for p in [&own, &other] {
        if h.is_emulator() {
            h.call("DELETE", &format!("/projects/{p}/repositories/web"), None);
        }
        h.call("DELETE", &format!("/projects/{p}"), None);
    }
}

#[test]
fn robot_system_lifecycle() {
    for_each_terraform(|tf| lifecycle(tf, "system"));
}

#[test]
fn robot_project_lifecycle() {
    for_each_terraform(|tf| lifecycle(tf, "project"));
}

/// The Go provider's documented examples apply unchanged and re-plan empty, `effect` included.
#[test]
fn go_provider_robot_examples_apply_unchanged() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let project = unique("main");
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!(
                r#"
resource "harbor_project" "main" {{
  name = "{project}"
}}

resource "harbor_robot_account" "system" {{
  name        = "example-system"
  description = "system level robot account"
  level       = "system"
  secret      = "Sup3rSecretValue"
  permissions {{
    access {{
      action   = "create"
      resource = "label"
    }}
    kind      = "system"
    namespace = "/"
  }}
  permissions {{
    access {{
      action   = "push"
      resource = "repository"
    }}
    access {{
      action   = "read"
      resource = "artifact"
      effect   = "allow"
    }}
    kind      = "project"
    namespace = harbor_project.main.name
  }}
  permissions {{
    access {{
      action   = "pull"
      resource = "repository"
    }}
    kind      = "project"
    namespace = "*"
  }}
}}

resource "harbor_robot_account" "project" {{
  name        = "example-project"
  description = "project level robot account"
  level       = "project"
  duration    = 30
  permissions {{
    access {{
      action   = "pull"
      resource = "repository"
    }}
    access {{
      action   = "push"
      resource = "repository"
    }}
    kind      = "project"
    namespace = harbor_project.main.name
  }}
}}
"#
            ),
        ));
        wd.apply();
        let v = wd.resource_values("harbor_robot_account.project");
        assert_eq!(v["full_name"], format!("robot${project}+example-project"));
        assert!(v["secret"].as_str().is_some_and(|s| !s.is_empty()));
        assert_eq!(
            wd.resource_values("harbor_robot_account.system")["full_name"],
            "robot$example-system"
        );
        wd.assert_plan_empty("re-plan of the Go provider's examples");
        wd.destroy();
        assert_eq!(h.get("/robots").as_array().map(Vec::len), Some(0));
    });
}

/// Deleting the project deletes its robots; the plan then creates the robot again.
#[test]
fn robot_deleted_with_its_project_plans_a_create() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let project = private_project(&h, "gone");
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &robot_hcl(
                "ci",
                "project",
                "",
                &perm("project", &project, &[("repository", "pull")]),
            ),
        ));
        wd.apply();
        let id = wd.resource_values("harbor_robot_account.r")["robot_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            h.call("DELETE", &format!("/projects/{project}"), None)
                .status,
            200
        );
        assert_eq!(h.status(&format!("/robots/{id}")), 404);
        // The project comes back (as another team's config would make it): the robot is created.
        let r = h.call(
            "POST",
            "/projects",
            Some(json!({"project_name": project, "metadata": {"public": "false"}})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["create"]);
        wd.apply();
        wd.assert_plan_empty("re-plan after re-creating");
        wd.destroy();
        h.call("DELETE", &format!("/projects/{project}"), None);
    });
}

/// With `robot_name_prefix = "bot_"` set in Harbor before the provider configures, full names
/// follow it, the secret logs in under it, and plans stay empty (also after import).
#[test]
fn robot_custom_name_prefix_has_no_diff() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let r = h.call(
            "PUT",
            "/configurations",
            Some(json!({"robot_name_prefix": "bot_"})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let project = private_project(&h, "pfx");
        h.seed_repository(&project, "web");
        let wd = Workdir::new(tf);
        let hcl = format!(
            "{}resource \"harbor_robot_account\" \"s\" {{\n  name  = \"sys\"\n  level = \"system\"\n{}}}\n",
            robot_hcl(
                "ci",
                "project",
                "",
                &perm("project", &project, &[("repository", "list")])
            ),
            perm("project", &project, &[("repository", "list")])
        );
        wd.write_config(&config(&h, &hcl));
        wd.apply();
        let p = wd.resource_values("harbor_robot_account.r");
        assert_eq!(p["full_name"], format!("bot_{project}+ci"));
        assert_eq!(p["name"], "ci");
        let s = wd.resource_values("harbor_robot_account.s");
        assert_eq!(s["full_name"], "bot_sys");
        assert_eq!(s["name"], "sys");
        let secret = output_secret(&wd);
        assert_eq!(
            list_repos_as(&h, &format!("bot_{project}+ci"), &secret, &project),
            200
        );
        wd.assert_plan_empty("re-plan with a custom prefix");

        let wd2 = Workdir::new(tf);
        wd2.write_config(&config(&h, &hcl));
        wd2.import("harbor_robot_account.r", p["id"].as_str().unwrap());
        wd2.import("harbor_robot_account.s", s["robot_id"].as_str().unwrap());
        wd2.assert_plan_empty("plan after import with a custom prefix");
        wd.destroy();
    });
}

/// `secret_wo`: on Terraform 1.11+ the secret is applied but never stored, and bumping
/// `secret_wo_version` applies a new one in place; older Terraform is refused, naming the attribute.
#[test]
fn robot_write_only_secret() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let project = private_project(&h, "wo");
        h.seed_repository(&project, "web");
        let wd = Workdir::new(tf);
        let hcl = |secret: &str, version: u32| {
            config(
                &h,
                &robot_hcl(
                    "ci",
                    "project",
                    &format!("  secret_wo = \"{secret}\"\n  secret_wo_version = {version}\n"),
                    &perm("project", &project, &[("repository", "list")]),
                ),
            )
        };
        wd.write_config(&hcl("WriteOnly1Secret", 1));
        if !is_at_least_1_11(tf) {
            let err = wd.expect_failure(&["plan", "-no-color"]);
            assert!(
                err.contains("secret_wo needs Terraform 1.11 or later"),
                "{err}"
            );
            assert!(err.contains(":   secret_wo = "), "{err}");
            // Terraform quotes the configuration line itself; the provider adds nothing more.
            assert_eq!(err.matches("WriteOnly1Secret").count(), 1, "{err}");
            assert_eq!(h.get("/robots").as_array().map(Vec::len), Some(0));
            return;
        }
        let full = format!("robot${project}+ci");
        let out = wd.apply();
        assert!(!String::from_utf8_lossy(&out.stdout).contains("WriteOnly1Secret"));
        let v = wd.resource_values("harbor_robot_account.r");
        assert_eq!(v["secret"], Value::Null);
        assert_eq!(v["secret_wo"], Value::Null);
        assert_eq!(v["secret_wo_version"], 1);
        let raw = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
        assert!(!raw.contains("WriteOnly1Secret"), "state holds the secret");
        assert_eq!(list_repos_as(&h, &full, "WriteOnly1Secret", &project), 200);
        wd.assert_plan_empty("re-plan with a write-only secret");

        // A new value without a new version is not applied; with one it is, in place.
        wd.write_config(&hcl("WriteOnly2Secret", 1));
        wd.assert_plan_empty("a new write-only value alone");
        wd.write_config(&hcl("WriteOnly2Secret", 2));
        assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["update"]);
        wd.apply();
        let raw = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
        assert!(!raw.contains("WriteOnly2Secret"), "state holds the secret");
        assert_eq!(list_repos_as(&h, &full, "WriteOnly1Secret", &project), 401);
        assert_eq!(list_repos_as(&h, &full, "WriteOnly2Secret", &project), 200);
        wd.assert_plan_empty("re-plan after a new write-only version");
        wd.destroy();
        crate::harness::note_write_only(tf);
    });
}

/// A system robot holding robot permissions (Harbor 2.12+) manages robots through Terraform; a
/// permission it lacks is named in the error.
#[test]
fn robot_created_by_a_system_robot() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let project = private_project(&h, "team");
        h.seed_repository(&project, "web");
        let robot_access = json!(
            ["create", "read", "list", "delete"].map(|a| json!({"resource": "robot", "action": a}))
        );
        let r = h.call(
            "POST",
            "/robots",
            Some(json!({
                "name": "creator", "level": "system", "duration": -1,
                "permissions": [
                    {"kind": "system", "namespace": "/", "access": robot_access},
                    {"kind": "project", "namespace": project, "access": [
                        {"resource": "repository", "action": "pull"},
                        {"resource": "repository", "action": "list"},
                        {"resource": "robot", "action": "create"},
                        {"resource": "robot", "action": "read"},
                        {"resource": "robot", "action": "list"},
                        {"resource": "robot", "action": "delete"}
                    ]}
                ]
            })),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let (user, secret) = (
            r.body["name"].as_str().unwrap().to_string(),
            r.body["secret"].as_str().unwrap().to_string(),
        );
        let wd = Workdir::new(tf);
        let hcl = |access: &[(&str, &str)]| {
            config_as(
                &h,
                &user,
                &secret,
                &robot_hcl("ci", "project", "", &perm("project", &project, access)),
            )
        };
        wd.write_config(&hcl(&[("repository", "pull"), ("repository", "list")]));
        wd.apply();
        let v = wd.resource_values("harbor_robot_account.r");
        let id = v["robot_id"].as_str().unwrap().to_string();
        let robot = h.get(&format!("/robots/{id}"));
        assert_eq!(robot["creator_type"], "robot");
        let ci_secret = output_secret(&wd);
        assert_eq!(
            list_repos_as(&h, &format!("robot${project}+ci"), &ci_secret, &project),
            200
        );
        wd.assert_plan_empty("re-plan as a robot");

        // Asking for a permission the creator does not hold names it.
        let wd2 = Workdir::new(tf);
        wd2.write_config(
            &hcl(&[("repository", "pull"), ("repository", "push")]).replace("\"ci\"", "\"ci2\""),
        );
        let err = wd2.expect_failure(&["apply", "-auto-approve", "-no-color"]);
        assert!(
            err.contains("lacks permissions it would grant: repository:push in project"),
            "{err}"
        );
        assert!(!err.contains(&secret), "{err}");

        // Changing a robot needs robot:update, which Harbor never grants to robots: said so.
        wd.write_config(
            &hcl(&[("repository", "pull"), ("repository", "list")]).replace(
                "  level = \"project\"\n",
                "  level = \"project\"\n  description = \"new\"\n",
            ),
        );
        let err = wd.expect_failure(&["apply", "-auto-approve", "-no-color"]);
        assert!(err.contains("Robots cannot change robots"), "{err}");
        wd.write_config(&hcl(&[("repository", "pull"), ("repository", "list")]));

        wd.destroy();
        assert_eq!(h.status(&format!("/robots/{id}")), 404);
    });
}

/// Secrets never reach the provider's log, even at TRACE: generated, chosen and rotated ones.
#[test]
fn robot_secrets_never_reach_the_log() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let project = private_project(&h, "log");
        let mut wd = Workdir::new(tf);
        wd.env("TF_LOG_PROVIDER", "TRACE");
        let hcl = |extra: &str| {
            config(
                &h,
                &robot_hcl(
                    "ci",
                    "project",
                    extra,
                    &perm("project", &project, &[("repository", "pull")]),
                ),
            )
        };
        let mut logs = String::new();
        let mut run = |wd: &Workdir, args: &[&str]| {
            let out = wd.run(args);
            logs.push_str(&String::from_utf8_lossy(&out.stderr));
            logs.push_str(&String::from_utf8_lossy(&out.stdout));
        };
        wd.write_config(&hcl(""));
        run(&wd, &["apply", "-auto-approve", "-no-color"]);
        let generated = output_secret(&wd);
        wd.write_config(&hcl("  rotation_triggers = { n = \"1\" }\n"));
        run(&wd, &["apply", "-auto-approve", "-no-color"]);
        let rotated = output_secret(&wd);
        wd.write_config(&hcl("  secret = \"Chosen5ecretValue\"\n"));
        run(&wd, &["apply", "-auto-approve", "-no-color"]);
        run(&wd, &["plan", "-no-color"]);
        run(&wd, &["destroy", "-auto-approve", "-no-color"]);
        assert!(
            logs.contains("[TRACE]") || logs.contains("DEBUG"),
            "no provider log captured"
        );
        for secret in [generated.as_str(), rotated.as_str(), "Chosen5ecretValue"] {
            assert!(!logs.contains(secret), "a secret reached the log");
        }
    });
}

/// An expired robot shows its expiry in state and the plan warns about it.
#[test]
fn robot_expired_warns_in_plan() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &robot_hcl(
                "old",
                "system",
                "  duration = 1\n",
                &perm("system", "/", &[("robot", "list")]),
            ),
        ));
        wd.apply();
        let id = wd.resource_values("harbor_robot_account.r")["robot_id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = h.call("POST", &format!("/_emulator/robots/{id}/expire"), None);
        assert_eq!(r.status, 200, "{}", r.text);
        let secret = output_secret(&wd);
        assert_eq!(
            h.call_as("robot$old", &secret, "GET", "/robots", None)
                .status,
            401,
            "expired robots cannot log in"
        );
        let expires = h.get(&format!("/robots/{id}"))["expires_at"]
            .as_i64()
            .unwrap();
        let out = wd.run(&["plan", "-no-color"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Robot robot$old has expired"), "{text}");
        wd.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
        assert_eq!(
            wd.resource_values("harbor_robot_account.r")["expires_at"],
            expires
        );

        // Extending it in place is the fix: no warning, and the robot logs in again.
        wd.write_config(&config(
            &h,
            &robot_hcl(
                "old",
                "system",
                "",
                &perm("system", "/", &[("robot", "list")]),
            ),
        ));
        let out = wd.run(&["plan", "-no-color"]);
        assert!(!String::from_utf8_lossy(&out.stdout).contains("has expired"));
        assert_eq!(wd.planned_actions("harbor_robot_account.r"), ["update"]);
        wd.apply();
        assert_eq!(h.get(&format!("/robots/{id}"))["expires_at"], -1);
        assert_eq!(
            wd.resource_values("harbor_robot_account.r")["expires_at"],
            -1
        );
        let secret = output_secret(&wd);
        assert_eq!(
            h.call_as("robot$old", &secret, "GET", "/robots", None)
                .status,
            200
        );
        wd.destroy();
    });
}

/// Everything Harbor would reject at apply time is refused at plan time, naming the attribute.
#[test]
fn robot_plan_time_errors_name_the_attribute() {
    let pull = perm("project", "p1", &[("repository", "pull")]);
    let cases: Vec<(String, &str, &str)> = vec![
        (
            format!("name = \"Bad Name\"\n  level = \"system\"\n{pull}"),
            "name =",
            "Invalid robot name",
        ),
        (
            format!("name = \"robot$ci\"\n  level = \"system\"\n{pull}"),
            "name =",
            "Invalid robot name",
        ),
        (
            format!("name = \"ci\"\n  level = \"global\"\n{pull}"),
            "level =",
            "level",
        ),
        (
            format!("name = \"ci\"\n  level = \"system\"\n  duration = 0\n{pull}"),
            "duration = 0",
            "duration 0 is not accepted",
        ),
        (
            format!("name = \"ci\"\n  level = \"system\"\n  duration = -2\n{pull}"),
            "duration = -2",
            "Invalid duration",
        ),
        (
            format!("name = \"ci\"\n  level = \"system\"\n  secret = \"weak\"\n{pull}"),
            "secret =",
            "Robot secret does not meet Harbor's rules",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"project\"\n{pull}{}",
                perm("project", "p2", &[("repository", "pull")])
            ),
            "namespace =",
            "A project robot needs exactly one project permission",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"project\"\n{}",
                perm("system", "/", &[("project", "list")])
            ),
            "kind      =",
            "A project robot needs exactly one project permission",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"project\"\n{}",
                perm("project", "*", &[("repository", "pull")])
            ),
            "namespace = \"*\"",
            "A project robot needs exactly one project permission",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n{}",
                perm("system", "p1", &[("project", "list")])
            ),
            "namespace =",
            "Invalid namespace \"p1\" for a system permission",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n{}",
                perm("project", "Bad/NS", &[("repository", "pull")])
            ),
            "namespace =",
            "Invalid namespace",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n{}",
                perm("project", "p1", &[("repository", "*")])
            ),
            "access {",
            "Harbor has no project permission repository:*",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n{}",
                perm("project", "p1", &[("*", "pull")])
            ),
            "access {",
            "Harbor has no project permission *:pull",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n{}",
                perm("system", "/", &[("repository", "pull")])
            ),
            "access {",
            "Harbor has no system permission repository:pull",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n{}{}",
                perm("system", "/", &[("project", "list")]),
                perm("system", "/", &[("project", "create")])
            ),
            "kind      = \"system\"",
            "More than one system permission block",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n{}",
                perm("project", "p1", &[("repository", "pull")]).replace(
                    "action   = \"pull\"\n",
                    "action   = \"pull\"\n      effect   = \"maybe\"\n"
                )
            ),
            "effect   =",
            "effect",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n  secret = \"Abcdefgh1\"\n  secret_wo = \"Abcdefgh1\"\n{pull}"
            ),
            "secret_wo =",
            "secret and secret_wo conflict",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n  secret_wo = \"weak\"\n  secret_wo_version = 1\n{pull}"
            ),
            "secret_wo =",
            "Robot secret does not meet Harbor's rules",
        ),
        (
            format!(
                "name = \"ci\"\n  level = \"system\"\n{}",
                perm("system", "*", &[("project", "list")])
            ),
            "namespace =",
            "Invalid namespace \"*\" for a system permission",
        ),
        (
            format!("name = \"ci\"\n  level = \"system\"\n  secret_wo_version = 1\n{pull}"),
            "secret_wo_version =",
            "secret_wo_version needs secret_wo",
        ),
    ];
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let mut failures = Vec::new();
        for (body, line, message) in &cases {
            let wd = Workdir::new(tf);
            wd.write_config(&config(
                &h,
                &format!("resource \"harbor_robot_account\" \"r\" {{\n  {body}}}\n"),
            ));
            let err = wd.expect_failure(&["plan", "-no-color"]);
            // Terraform quotes the configuration line the diagnostic is attached to, whatever
            // its indentation: `  14:       action   = "*"`.
            let quoted = err.lines().any(|l| {
                l.split_once(": ").is_some_and(|(n, code)| {
                    n.trim().parse::<u32>().is_ok() && code.trim_start().starts_with(line)
                })
            });
            if !err.contains(message) || !quoted {
                failures.push(format!("{body}: want {message:?} on {line:?}, got:\n{err}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n-----\n"));
        assert_eq!(h.get("/robots").as_array().map(Vec::len), Some(0));
    });
}

/// State written by goharbor/harbor (schema version 0, SDKv2 zero values, an empty `effect`)
/// migrates with `terraform state replace-provider`, and the unchanged configuration plans nothing.
#[test]
fn go_provider_robot_state_migrates_with_no_changes() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let project = private_project(&h, "legacy");
        let wd = Workdir::new(tf);
        let hcl = config(
            &h,
            &robot_hcl(
                "ci",
                "project",
                "  description = \"legacy\"\n",
                &perm(
                    "project",
                    &project,
                    &[("repository", "pull"), ("repository", "push")],
                ),
            ),
        );
        wd.write_config(&hcl);
        wd.apply();
        let v = wd.resource_values("harbor_robot_account.r");
        let (id, full, secret) = (
            v["robot_id"].as_str().unwrap().to_string(),
            v["full_name"].as_str().unwrap().to_string(),
            v["secret"].as_str().unwrap().to_string(),
        );

        let path = wd.path().join("terraform.tfstate");
        let mut state: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let res = state["resources"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|r| r["type"] == "harbor_robot_account")
            .unwrap();
        res["provider"] = json!(format!(
            "provider[\"{}/goharbor/harbor\"]",
            tf.product.registry_host()
        ));
        res["instances"][0]["schema_version"] = json!(0);
        res["instances"][0]["attributes"] = json!({
            "id": format!("/robots/{id}"), "robot_id": id, "name": "ci", "full_name": full,
            "description": "legacy", "level": "project", "duration": -1, "disable": false,
            "secret": secret, "secret_wo": null, "secret_wo_version": 0,
            "permissions": [{"kind": "project", "namespace": project, "access": [
                {"action": "pull", "resource": "repository", "effect": ""},
                {"action": "push", "resource": "repository", "effect": ""}
            ]}]
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
        assert_eq!(output_secret(&wd), secret, "the secret survives migration");
        wd.destroy();
        assert_eq!(h.status(&format!("/robots/{id}")), 404);
        h.call("DELETE", &format!("/projects/{project}"), None);
    });
}

/// Import ids that cannot name a robot, or name one Harbor does not have, fail clearly.
#[test]
fn robot_import_errors_are_clear() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &robot_hcl(
                "ci",
                "system",
                "",
                &perm("system", "/", &[("project", "list")]),
            ),
        ));
        let err = wd.expect_failure(&[
            "import",
            "-input=false",
            "-no-color",
            "harbor_robot_account.r",
            "robot$ci",
        ]);
        assert!(
            err.contains("Invalid import id for harbor_robot_account"),
            "{err}"
        );
        let err = wd.expect_failure(&[
            "import",
            "-input=false",
            "-no-color",
            "harbor_robot_account.r",
            "/robots/987654",
        ]);
        assert!(err.contains("Cannot import robot /robots/987654"), "{err}");
        assert!(err.contains("Harbor has no robot with this id"), "{err}");
    });
}

/// A robot-credentialed provider cannot read Harbor's robot name prefix; with the Go provider's
/// `robot_prefix` it still imports system robots under a custom prefix with an empty plan.
#[test]
fn robot_prefix_setting_serves_providers_that_log_in_as_robots() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let r = h.call(
            "PUT",
            "/configurations",
            Some(json!({"robot_name_prefix": "bot_"})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let access =
            ["create", "read", "list", "delete"].map(|a| json!({"resource": "robot", "action": a}));
        let r = h.call(
            "POST",
            "/robots",
            Some(json!({"name": "creator", "level": "system", "duration": -1,
                "permissions": [{"kind": "system", "namespace": "/", "access": access}]})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let (user, secret) = (
            r.body["name"].as_str().unwrap().to_string(),
            r.body["secret"].as_str().unwrap().to_string(),
        );
        assert_eq!(user, "bot_creator");
        let hcl = format!(
            "{}provider \"harbor\" {{\n  url          = \"{}\"\n  username     = \"{user}\"\n  password     = \"{secret}\"\n  robot_prefix = \"bot_\"\n}}\n{}",
            required_providers(),
            h.url,
            robot_hcl(
                "sys",
                "system",
                "",
                &perm("system", "/", &[("robot", "list")])
            )
        );
        let wd = Workdir::new(tf);
        wd.write_config(&hcl);
        wd.apply();
        let v = wd.resource_values("harbor_robot_account.r");
        assert_eq!(v["full_name"], "bot_sys");
        wd.assert_plan_empty("re-plan as a robot under a custom prefix");

        let wd2 = Workdir::new(tf);
        wd2.write_config(&hcl);
        wd2.import("harbor_robot_account.r", v["id"].as_str().unwrap());
        assert_eq!(wd2.resource_values("harbor_robot_account.r")["name"], "sys");
        wd2.assert_plan_empty("plan after import as a robot under a custom prefix");
        wd.destroy();
    });
}
