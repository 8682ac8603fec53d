//! `harbor_user`, `harbor_group`, `harbor_project_member_user` and `harbor_project_member_group`
//! through the real `terraform`: the full lifecycle of each, plan-time errors, and what Harbor
//! lets a user with each role do once Terraform has made it a member.

use serde_json::json;

use crate::harness::{
    Terraform, Workdir, for_each_terraform, for_these, required_providers, terraforms,
};
use crate::target::{Harbor, unique};

fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

fn user_hcl(name: &str, password: &str, extra: &str) -> String {
    format!(
        "resource \"harbor_user\" \"u\" {{\n  username  = \"{name}\"\n{password}  full_name = \"Jo Doe\"\n  email     = \"{name}@example.com\"\n{extra}}}\n"
    )
}

fn pw(p: &str) -> String {
    format!("  password  = \"{p}\"\n")
}

/// Whether Harbor lets `user` in with `password` (basic auth on `GET /users/current`).
fn logs_in(h: &Harbor, user: &str, password: &str) -> bool {
    h.call_as(user, password, "GET", "/users/current", None)
        .status
        == 200
}

fn user_lifecycle(tf: &Terraform) {
    let h = Harbor::start();
    let name = unique("jo").replace('-', "");
    let wd = Workdir::new(tf);
    wd.write_config(&config(&h, &user_hcl(&name, &pw("Passw0rd1"), "")));
    wd.apply();

    // Harbor has the user; it logs in with the configured password.
    let v = wd.resource_values("harbor_user.u");
    let id = v["user_id"].as_i64().unwrap();
    assert_eq!(v["id"], format!("/users/{id}"));
    let u = h.get(&format!("/users/{id}"));
    assert_eq!(
        (
            u["username"].as_str(),
            u["realname"].as_str(),
            u["sysadmin_flag"].as_bool()
        ),
        (Some(name.as_str()), Some("Jo Doe"), Some(false))
    );
    assert!(logs_in(&h, &name, "Passw0rd1"));
    wd.assert_plan_empty("re-plan after create");

    // In place: profile, admin flag and password in one update.
    let changed = user_hcl(
        &name,
        &pw("Changed99"),
        "  admin     = true\n  comment   = \"ops\"\n",
    )
    .replace("Jo Doe", "Jo Smith");
    wd.write_config(&config(&h, &changed));
    assert_eq!(wd.planned_actions("harbor_user.u"), ["update"]);
    wd.apply();
    let u = h.get(&format!("/users/{id}"));
    assert_eq!(u["realname"], "Jo Smith");
    assert_eq!(u["comment"], "ops");
    assert_eq!(u["sysadmin_flag"], true);
    assert!(logs_in(&h, &name, "Changed99"));
    assert!(!logs_in(&h, &name, "Passw0rd1"));
    wd.assert_plan_empty("re-plan after update");

    // Drift made in Harbor shows in the plan and apply puts it back.
    let r = h.call(
        "PUT",
        &format!("/users/{id}"),
        Some(json!({"email": format!("{name}@drift.example.com"), "realname": "Someone", "comment": ""})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let r = h.call(
        "PUT",
        &format!("/users/{id}/sysadmin"),
        Some(json!({"sysadmin_flag": false})),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(wd.planned_actions("harbor_user.u"), ["update"]);
    wd.apply();
    let u = h.get(&format!("/users/{id}"));
    assert_eq!(u["email"], format!("{name}@example.com"));
    assert_eq!(u["realname"], "Jo Smith");
    assert_eq!(u["sysadmin_flag"], true);

    // Import by the Go provider's path and by id. Without a password in the configuration the
    // plan is empty; with one, the unknown password is one in-place update (Harbor changes
    // nothing when the user already has it).
    let no_password = changed.replace(&pw("Changed99"), "");
    for import_id in [format!("/users/{id}"), id.to_string()] {
        let wd2 = Workdir::new(tf);
        wd2.write_config(&config(&h, &no_password));
        wd2.import("harbor_user.u", &import_id);
        assert_eq!(
            wd2.resource_values("harbor_user.u")["password"],
            serde_json::Value::Null
        );
        wd2.assert_plan_empty(&format!("plan after import {import_id}"));
        wd2.write_config(&config(&h, &changed));
        assert_eq!(wd2.planned_actions("harbor_user.u"), ["update"]);
        wd2.apply();
        assert!(logs_in(&h, &name, "Changed99"));
        wd2.assert_plan_empty(&format!("plan after import {import_id} and apply"));
        wd2.run(&["state", "rm", "harbor_user.u"]);
    }

    // Deleted outside Terraform: planned again and re-created under a new id.
    assert_eq!(h.call("DELETE", &format!("/users/{id}"), None).status, 200);
    assert_eq!(wd.planned_actions("harbor_user.u"), ["create"]);
    wd.apply();
    let new_id = wd.resource_values("harbor_user.u")["user_id"]
        .as_i64()
        .unwrap();
    assert_ne!(new_id, id);
    assert!(logs_in(&h, &name, "Changed99"));

    // Write-only password where the binary has it: nothing in state, a version bump sets it.
    if tf.supports_write_only() {
        let wo = |p: &str, v: i64| {
            changed.replace(
                &pw("Changed99"),
                &format!("  password_wo = \"{p}\"\n  password_wo_version = {v}\n"),
            )
        };
        wd.write_config(&config(&h, &wo("WriteOnly1", 1)));
        assert_eq!(wd.planned_actions("harbor_user.u"), ["update"]);
        wd.apply();
        assert!(logs_in(&h, &name, "WriteOnly1"));
        let v = wd.resource_values("harbor_user.u");
        assert_eq!(v["password"], serde_json::Value::Null);
        assert!(!wd.state_json().to_string().contains("WriteOnly1"));
        wd.assert_plan_empty("re-plan with password_wo");
        wd.write_config(&config(&h, &wo("WriteOnly2", 2)));
        wd.apply();
        assert!(logs_in(&h, &name, "WriteOnly2"));
    }

    // Destroy: Harbor no longer has the user.
    wd.destroy();
    assert_eq!(h.status(&format!("/users/{new_id}")), 404);
}

#[test]
fn user_lifecycle_create_replan_update_drift_import_delete_destroy() {
    for_each_terraform(user_lifecycle);
}

fn members_hcl(
    project: &str,
    user: &str,
    group: &str,
    user_role: &str,
    group_role: &str,
) -> String {
    format!(
        r#"resource "harbor_project" "p" {{
  name = "{project}"
}}

resource "harbor_user" "u" {{
  username  = "{user}"
  password  = "Passw0rd1"
  full_name = "Member"
  email     = "{user}@example.com"
}}

resource "harbor_group" "g" {{
  group_name = "{group}"
  group_type = 3
}}

resource "harbor_project_member_user" "mu" {{
  project_id = harbor_project.p.id
  user_name  = harbor_user.u.username
  role       = "{user_role}"
}}

resource "harbor_project_member_group" "mg" {{
  project_id = harbor_project.p.id
  group_name = harbor_group.g.group_name
  type       = "oidc"
  role       = "{group_role}"
}}
"#
    )
}

fn members_lifecycle(tf: &Terraform) {
    let h = Harbor::start();
    let project = unique("team");
    let user = unique("dev").replace('-', "");
    let group = unique("devs");
    let wd = Workdir::new(tf);
    wd.write_config(&config(
        &h,
        &members_hcl(&project, &user, &group, "developer", "guest"),
    ));
    wd.apply();

    let pid = h.get(&format!("/projects/{project}"))["project_id"]
        .as_i64()
        .unwrap();
    let mu = wd.resource_values("harbor_project_member_user.mu");
    let mg = wd.resource_values("harbor_project_member_group.mg");
    let g = wd.resource_values("harbor_group.g");
    let (mu_id, mg_id, gid) = (
        mu["member_id"].as_i64().unwrap(),
        mg["member_id"].as_i64().unwrap(),
        g["group_id"].as_i64().unwrap(),
    );
    assert_eq!(mu["id"], format!("/projects/{pid}/members/{mu_id}"));
    assert_eq!(mg["group_id"], gid);
    let m = h.get(&format!("/projects/{pid}/members/{mu_id}"));
    assert_eq!(
        (m["entity_name"].as_str(), m["role_id"].as_i64()),
        (Some(user.as_str()), Some(2))
    );
    let m = h.get(&format!("/projects/{pid}/members/{mg_id}"));
    assert_eq!(
        (m["entity_type"].as_str(), m["role_id"].as_i64()),
        (Some("g"), Some(3))
    );
    assert_eq!(h.get(&format!("/usergroups/{gid}"))["group_type"], 3);
    wd.assert_plan_empty("re-plan after create");

    // In place: both roles, and the group's name (Harbor renames groups).
    let renamed = format!("{group}-x");
    wd.write_config(&config(
        &h,
        &members_hcl(&project, &user, &renamed, "maintainer", "developer"),
    ));
    for address in ["harbor_project_member_user.mu", "harbor_group.g"] {
        assert_eq!(wd.planned_actions(address), ["update"], "{address}");
    }
    wd.apply();
    assert_eq!(
        h.get(&format!("/projects/{pid}/members/{mu_id}"))["role_name"],
        "maintainer"
    );
    assert_eq!(h.get(&format!("/usergroups/{gid}"))["group_name"], renamed);
    let mg = wd.resource_values("harbor_project_member_group.mg");
    let mg_id = mg["member_id"].as_i64().unwrap();
    assert_eq!(
        h.get(&format!("/projects/{pid}/members/{mg_id}"))["role_name"],
        "developer"
    );
    wd.assert_plan_empty("re-plan after update");

    // Drift: roles changed in Harbor are put back.
    for mid in [mu_id, mg_id] {
        let r = h.call(
            "PUT",
            &format!("/projects/{pid}/members/{mid}"),
            Some(json!({"role_id": 5})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(
        wd.planned_actions("harbor_project_member_user.mu"),
        ["update"]
    );
    assert_eq!(
        wd.planned_actions("harbor_project_member_group.mg"),
        ["update"]
    );
    wd.apply();
    assert_eq!(
        h.get(&format!("/projects/{pid}/members/{mu_id}"))["role_id"],
        4
    );
    assert_eq!(
        h.get(&format!("/projects/{pid}/members/{mg_id}"))["role_id"],
        2
    );

    // Import by goharbor's id forms into a fresh state: nothing to change.
    let wd2 = Workdir::new(tf);
    wd2.write_config(&config(
        &h,
        &members_hcl(&project, &user, &renamed, "maintainer", "developer"),
    ));
    wd2.import("harbor_project.p", &format!("/projects/{pid}"));
    let uid = h.get(&format!("/projects/{pid}/members/{mu_id}"))["entity_id"]
        .as_i64()
        .unwrap();
    wd2.import("harbor_user.u", &format!("/users/{uid}"));
    wd2.import("harbor_group.g", &format!("/usergroups/{gid}"));
    wd2.import(
        "harbor_project_member_user.mu",
        &format!("/projects/{pid}/members/{mu_id}"),
    );
    wd2.import(
        "harbor_project_member_group.mg",
        &format!("/projects/{pid}/members/{mg_id}"),
    );
    let actions: Vec<_> = [
        "harbor_project_member_user.mu",
        "harbor_project_member_group.mg",
        "harbor_group.g",
    ]
    .iter()
    .map(|a| (a.to_string(), wd2.planned_actions(a)))
    .collect();
    for (a, act) in &actions {
        assert_eq!(act, &["no-op"], "{a} after import");
    }
    // The group by its bare id as well.
    let wd3 = Workdir::new(tf);
    wd3.write_config(&config(&h, &format!("resource \"harbor_group\" \"g\" {{\n  group_name = \"{renamed}\"\n  group_type = 3\n}}\n")));
    wd3.import("harbor_group.g", &gid.to_string());
    wd3.assert_plan_empty("group imported by bare id");

    // Deleted outside Terraform: the memberships are planned again and re-created.
    for mid in [mu_id, mg_id] {
        assert_eq!(
            h.call("DELETE", &format!("/projects/{pid}/members/{mid}"), None)
                .status,
            200
        );
    }
    assert_eq!(
        wd.planned_actions("harbor_project_member_user.mu"),
        ["create"]
    );
    assert_eq!(
        wd.planned_actions("harbor_project_member_group.mg"),
        ["create"]
    );
    wd.apply();
    let members = h.get(&format!("/projects/{pid}/members"));
    assert_eq!(
        members.as_array().unwrap().len(),
        3,
        "admin, user and group: {members}"
    );
    // The group deleted outside Terraform (its membership goes with it in Harbor).
    assert_eq!(
        h.call("DELETE", &format!("/usergroups/{gid}"), None).status,
        200
    );
    assert_eq!(wd.planned_actions("harbor_group.g"), ["create"]);
    wd.apply();
    wd.assert_plan_empty("re-plan after re-creating the group");

    // Destroy: Harbor has none of them.
    let gid = wd.resource_values("harbor_group.g")["group_id"]
        .as_i64()
        .unwrap();
    wd.destroy();
    assert_eq!(h.status(&format!("/usergroups/{gid}")), 404);
    assert_eq!(h.status(&format!("/users/{uid}")), 404);
    assert_eq!(h.status(&format!("/projects/{pid}")), 404);
}

#[test]
fn members_and_groups_lifecycle_create_replan_update_drift_import_delete_destroy() {
    for_each_terraform(members_lifecycle);
}

#[test]
fn people_plan_time_errors_name_the_attribute() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let wd = Workdir::new(tf);
        let cases: &[(&str, &str, &str)] = &[
            (
                "resource \"harbor_user\" \"u\" {\n  username = \"jo\"\n  password = \"weak\"\n  full_name = \"J\"\n  email = \"jo@example.com\"\n}\n",
                "password",
                "Password does not meet Harbor's rules",
            ),
            (
                "resource \"harbor_user\" \"u\" {\n  username = \"jo\"\n  password = \"Passw0rd1\"\n  full_name = \"J\"\n  email = \"not-an-email\"\n}\n",
                "email",
                "Invalid email",
            ),
            (
                "resource \"harbor_user\" \"u\" {\n  username = \"jo$\"\n  password = \"Passw0rd1\"\n  full_name = \"J\"\n  email = \"jo@example.com\"\n}\n",
                "username",
                "Invalid username",
            ),
            (
                "resource \"harbor_project_member_user\" \"m\" {\n  project_id = \"/projects/1\"\n  user_name = \"jo\"\n  role = \"owner\"\n}\n",
                "role",
                "projectadmin",
            ),
            (
                "resource \"harbor_group\" \"g\" {\n  group_name = \"g\"\n  group_type = 4\n}\n",
                "group_type",
                "group_type",
            ),
            (
                "resource \"harbor_group\" \"g\" {\n  group_name = \"g\"\n  group_type = 1\n}\n",
                "group_type",
                "An LDAP group needs ldap_group_dn",
            ),
            (
                "resource \"harbor_project_member_group\" \"m\" {\n  project_id = \"/projects/1\"\n  group_name = \"g\"\n  type = \"ad\"\n  role = \"guest\"\n}\n",
                "type",
                "ldap",
            ),
        ];
        for (body, attr, message) in cases {
            wd.write_config(&config(&h, body));
            let err = wd.expect_failure(&["plan", "-no-color"]);
            assert!(
                err.contains(message),
                "{body}: message {message:?} missing in:\n{err}"
            );
            // Terraform quotes the configuration line the diagnostic is attached to; an attribute
            // left out of the configuration has no line to quote.
            assert!(
                attr.is_empty() || err.contains(&format!(":   {attr} ")),
                "{body}: attribute {attr} not named:\n{err}"
            );
        }
        // No password: refused when the user would be created (an imported one may do without).
        wd.write_config(&config(&h, "resource \"harbor_user\" \"u\" {\n  username = \"nopw\"\n  full_name = \"J\"\n  email = \"nopw@example.com\"\n}\n"));
        let err = wd.expect_failure(&["apply", "-auto-approve", "-no-color"]);
        assert!(
            err.contains("harbor_user needs a password to create the user"),
            "{err}"
        );
        assert!(h.get("/users?username=nopw").as_array().unwrap().is_empty());
    });
}

/// Users made members by Terraform, one per role, log in to Harbor's API with basic auth: each
/// gets what `rbac_role.go` grants. One binary is enough: this shows Harbor's behaviour, not
/// the provider's.
#[test]
fn each_role_logs_in_and_gets_what_harbor_grants_and_data_sources_list_them() {
    let newest = terraforms().last().into_iter();
    for_these(newest, |tf| {
        let h = Harbor::start();
        if !h.is_emulator() {
            return;
        }
        let project = unique("rbac");
        let roles = [
            "projectadmin",
            "maintainer",
            "developer",
            "guest",
            "limitedguest",
        ];
        let mut hcl = format!("resource \"harbor_project\" \"p\" {{\n  name = \"{project}\"\n}}\n");
        for role in roles {
            hcl.push_str(&format!(
                "resource \"harbor_user\" \"{role}\" {{\n  username = \"{project}-{role}\"\n  password = \"Passw0rd1\"\n  full_name = \"{role}\"\n  email = \"{role}@{project}.example.com\"\n}}\n\
                 resource \"harbor_project_member_user\" \"{role}\" {{\n  project_id = harbor_project.p.id\n  user_name = harbor_user.{role}.username\n  role = \"{role}\"\n}}\n"
            ));
        }
        // A group member too, and the four data sources reading it all back.
        hcl.push_str(&format!(
            r#"resource "harbor_group" "g" {{
  group_name = "{project}-g"
  group_type = 2
}}
resource "harbor_project_member_group" "g" {{
  project_id = harbor_project.p.id
  group_id   = harbor_group.g.group_id
  type       = "internal"
  role       = "guest"
}}
data "harbor_users" "dev" {{
  username   = harbor_user.developer.username
  depends_on = [harbor_project_member_user.developer]
}}
data "harbor_groups" "g" {{
  group_name = harbor_group.g.group_name
}}
data "harbor_project_member_users" "p" {{
  project_id = harbor_project.p.id
  depends_on = [harbor_project_member_user.projectadmin, harbor_project_member_user.maintainer, harbor_project_member_user.developer, harbor_project_member_user.guest, harbor_project_member_user.limitedguest]
}}
data "harbor_project_member_groups" "p" {{
  project_id = harbor_project.p.id
  depends_on = [harbor_project_member_group.g]
}}
output "users" {{ value = data.harbor_users.dev.users }}
output "groups" {{ value = data.harbor_groups.g.groups }}
output "member_users" {{ value = data.harbor_project_member_users.p.project_member_users }}
output "member_groups" {{ value = data.harbor_project_member_groups.p.project_member_groups }}
"#
        ));
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, &hcl));
        wd.apply();
        let pid = h.get(&format!("/projects/{project}"))["project_id"]
            .as_i64()
            .unwrap();
        let out = wd.run_json(&["output", "-json"]);
        let users = &out["users"]["value"];
        assert_eq!(users.as_array().unwrap().len(), 1, "{users}");
        assert_eq!(users[0]["username"], format!("{project}-developer"));
        assert_eq!(
            users[0]["email"],
            format!("developer@{project}.example.com")
        );
        let groups = &out["groups"]["value"];
        assert_eq!(groups[0]["group_name"], format!("{project}-g"));
        assert_eq!(groups[0]["group_type"], 2);
        let member_users = out["member_users"]["value"].as_array().unwrap().clone();
        let pairs: Vec<(String, String)> = member_users
            .iter()
            .map(|m| {
                (
                    m["user_name"].as_str().unwrap().to_string(),
                    m["role"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            pairs.contains(&("admin".into(), "projectadmin".into())),
            "{pairs:?}"
        );
        for role in roles {
            assert!(
                pairs.contains(&(format!("{project}-{role}"), role.to_string())),
                "{role}: {pairs:?}"
            );
        }
        assert!(
            member_users
                .iter()
                .all(|m| m["project_id"] == format!("/projects/{pid}"))
        );
        let member_groups = &out["member_groups"]["value"];
        assert_eq!(member_groups[0]["group_name"], format!("{project}-g"));
        assert_eq!(member_groups[0]["role"], "guest");
        let mut seen = Vec::new();
        for role in roles {
            // Each role starts from the same repository (a role that may delete it did).
            let _ = h.call(
                "POST",
                &format!("/_emulator/projects/{project}/repositories"),
                Some(json!({"name": "web"})),
            );
            let user = format!("{project}-{role}");
            let as_user = |method: &str, path: &str, body: Option<serde_json::Value>| {
                h.call_as(&user, "Passw0rd1", method, path, body).status
            };
            let perms = h
                .call_as(
                    &user,
                    "Passw0rd1",
                    "GET",
                    &format!("/users/current/permissions?scope=/project/{pid}&relative=true"),
                    None,
                )
                .body;
            let can = |resource: &str, action: &str| {
                perms
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["resource"] == resource && p["action"] == action)
            };
            seen.push((
                role,
                [
                    as_user("GET", &format!("/projects/{pid}"), None),
                    as_user("GET", &format!("/projects/{project}/repositories"), None),
                    as_user("GET", &format!("/projects/{pid}/members"), None),
                    as_user(
                        "PUT",
                        &format!("/projects/{pid}"),
                        Some(json!({"metadata": {"auto_scan": "true"}})),
                    ),
                    as_user(
                        "DELETE",
                        &format!("/projects/{project}/repositories/web"),
                        None,
                    ),
                ],
                [
                    can("repository", "pull"),
                    can("repository", "push"),
                    can(".", "delete"),
                ],
            ));
        }
        eprintln!(
            "what each role may do (get project, list repos, list members, update project, delete repo; pull, push, delete project): {seen:?}"
        );
        assert_eq!(
            seen,
            vec![
                (
                    "projectadmin",
                    [200, 200, 200, 200, 200],
                    [true, true, true]
                ),
                ("maintainer", [200, 200, 200, 403, 200], [true, true, false]),
                ("developer", [200, 200, 200, 403, 403], [true, true, false]),
                ("guest", [200, 200, 200, 403, 403], [true, false, false]),
                (
                    "limitedguest",
                    [200, 200, 403, 403, 403],
                    [true, false, false]
                ),
            ]
        );
        // The seeded repository would keep Harbor from deleting the project.
        let _ = h.call(
            "DELETE",
            &format!("/projects/{project}/repositories/web"),
            None,
        );
        wd.destroy();
    });
}

fn members_list_hcl(project: &str, user: &str, group: &str, user_role: &str) -> String {
    format!(
        r#"resource "harbor_project" "p" {{
  name = "{project}"
}}

resource "harbor_user" "u" {{
  username  = "{user}"
  password  = "Passw0rd1"
  full_name = "Member"
  email     = "{user}@example.com"
}}

resource "harbor_group" "g" {{
  group_name = "{group}"
  group_type = 3
}}

resource "harbor_project_members" "all" {{
  project_id = harbor_project.p.id
  member {{
    user_name = "admin"
    role      = "projectadmin"
  }}
  member {{
    user_name = harbor_user.u.username
    role      = "{user_role}"
  }}
  member {{
    group_name = harbor_group.g.group_name
    type       = "oidc"
    role       = "guest"
  }}
}}
"#
    )
}

/// `harbor_project_members` owns the whole list: a member added by hand is removed, a role
/// changed by hand is put back, roles change in place, import gives an empty plan, destroy
/// removes the listed members.
#[test]
fn project_members_list_is_authoritative() {
    for_each_terraform(|tf| {
        let h = Harbor::start();
        let project = unique("owned");
        let user = unique("dev").replace('-', "");
        let group = unique("readers");
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &members_list_hcl(&project, &user, &group, "developer"),
        ));
        wd.apply();
        let pid = h.get(&format!("/projects/{project}"))["project_id"]
            .as_i64()
            .unwrap();
        let roles = || {
            let mut v: Vec<(String, String)> = h
                .get(&format!("/projects/{pid}/members"))
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m["entity_name"].as_str().unwrap().to_string(),
                        m["role_name"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        let mut want = vec![
            ("admin".to_string(), "projectAdmin".to_string()),
            (user.clone(), "developer".to_string()),
            (group.clone(), "guest".to_string()),
        ];
        want.sort();
        assert_eq!(roles(), want);
        wd.assert_plan_empty("re-plan after create");

        // Click-ops: someone adds a member and changes a role by hand; apply undoes both.
        let r = h.call("POST", "/users", Some(json!({"username": format!("{user}x"), "email": format!("{user}x@example.com"), "realname": "X", "password": "Passw0rd1"})));
        assert_eq!(r.status, 201, "{}", r.text);
        let r = h.call(
            "POST",
            &format!("/projects/{pid}/members"),
            Some(json!({"role_id": 1, "member_user": {"username": format!("{user}x")}})),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let dev_mid = h.get(&format!("/projects/{pid}/members?entityname={user}"))[0]["id"]
            .as_i64()
            .unwrap();
        let r = h.call(
            "PUT",
            &format!("/projects/{pid}/members/{dev_mid}"),
            Some(json!({"role_id": 1})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_project_members.all"), ["update"]);
        wd.apply();
        assert_eq!(roles(), want);

        // A role changes in place.
        wd.write_config(&config(
            &h,
            &members_list_hcl(&project, &user, &group, "maintainer"),
        ));
        assert_eq!(wd.planned_actions("harbor_project_members.all"), ["update"]);
        wd.apply();
        assert!(roles().contains(&(user.clone(), "maintainer".to_string())));
        wd.assert_plan_empty("re-plan after the role change");

        // Import by the project's id: the same list, nothing to change.
        let wd2 = Workdir::new(tf);
        let alone = members_list_hcl(&project, &user, &group, "maintainer");
        let alone = &alone[alone.find("resource \"harbor_project_members\"").unwrap()..];
        let alone = alone
            .replace("harbor_project.p.id", &format!("\"/projects/{pid}\""))
            .replace("harbor_user.u.username", &format!("\"{user}\""))
            .replace("harbor_group.g.group_name", &format!("\"{group}\""));
        wd2.write_config(&config(&h, &alone));
        wd2.import(
            "harbor_project_members.all",
            &format!("/projects/{pid}/members"),
        );
        assert_eq!(wd2.planned_actions("harbor_project_members.all"), ["no-op"]);

        // Destroy removes the listed members (and the project with them).
        wd.destroy();
        assert_eq!(h.status(&format!("/projects/{pid}")), 404);
    });
}
