//! `terraform query` (Terraform 1.14+, protocol 6.10) through the real binary: a `list` block
//! finds the projects a Harbor holds, filtered as configured, and `query
//! -generate-config-out` writes import blocks and configuration that apply and then plan empty:
//! adopting a Harbor with no hand-written import block. OpenTofu 1.12 has no `query` command.

use crate::harness::{Terraform, Workdir, for_these, required_providers, terraforms};
use crate::target::{Harbor, unique};
use serde_json::json;

/// Binaries with `terraform query`.
fn can_query(tf: &Terraform) -> bool {
    !tf.is_opentofu() && tf.at_least(&[1, 14])
}

/// The binaries with `terraform query`; there must be one (CI fails rather than skips).
fn query_capable() -> Vec<&'static Terraform> {
    let capable: Vec<_> = terraforms().iter().filter(|t| can_query(t)).collect();
    assert!(
        !capable.is_empty(),
        "no binary here has `terraform query` (Terraform 1.14+); scripts/install-tools.sh builds one"
    );
    capable
}

#[test]
fn query_lists_projects_by_filter_and_its_generated_configuration_adopts_them() {
    for_these(query_capable().into_iter(), |tf| {
        let h = Harbor::start();
        let n = unique("query");
        let made = |name: &str, public: bool| {
            let r = h.call(
                "POST",
                "/projects",
                Some(serde_json::json!({
                    "project_name": name,
                    "metadata": {"public": public.to_string()},
                })),
            );
            assert_eq!(r.status, 201, "{}", r.text);
        };
        made(&format!("{n}-pub"), true);
        made(&format!("{n}-priv"), false);
        let stranger = unique("stranger");
        made(&stranger, true);

        let wd = Workdir::new(tf);
        wd.write_config(&format!("{}{}", required_providers(), h.provider_block()));
        wd.write_file(
            "find.tfquery.hcl",
            &format!(
                r#"list "harbor_project" "mine" {{
  provider = harbor
  config {{
    name = "{n}"
  }}
}}

list "harbor_project" "mine_public" {{
  provider = harbor
  config {{
    name   = "{n}"
    public = true
  }}
}}
"#
            ),
        );
        let out = wd.run(&["query", "-no-color"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines_of = |list: &str| -> Vec<String> {
            stdout
                .lines()
                .filter(|l| l.starts_with(&format!("list.harbor_project.{list} ")))
                .map(str::to_owned)
                .collect()
        };
        let mine = lines_of("mine");
        let public = lines_of("mine_public");
        assert_eq!(mine.len(), 2, "both projects named {n}:\n{stdout}");
        assert_eq!(public.len(), 1, "the public one only:\n{stdout}");
        assert!(public[0].contains(&format!("{n}-pub")), "{stdout}");
        assert!(
            !stdout.contains(&stranger),
            "the filter keeps {stranger} out:\n{stdout}"
        );

        // The generated configuration imports both, by identity, and then plans empty.
        std::fs::remove_file(wd.path().join("find.tfquery.hcl")).unwrap();
        wd.write_file(
            "find.tfquery.hcl",
            &format!(
                "list \"harbor_project\" \"mine\" {{\n  provider = harbor\n  config {{\n    name = \"{n}\"\n  }}\n}}\n"
            ),
        );
        wd.run(&["query", "-no-color", "-generate-config-out=generated.tf"]);
        let generated = std::fs::read_to_string(wd.path().join("generated.tf")).unwrap();
        assert_eq!(
            generated.matches("import {").count(),
            2,
            "one import block per project:\n{generated}"
        );
        assert!(
            generated.contains("identity"),
            "imports by identity:\n{generated}"
        );
        for name in [format!("{n}-pub"), format!("{n}-priv")] {
            assert!(
                generated.contains(&format!("name = \"{name}\""))
                    || generated.contains(&format!("\"{name}\"")),
                "{name} is in the generated configuration:\n{generated}"
            );
        }
        let out = wd.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("2 imported, 0 added, 0 changed, 0 destroyed"),
            "{stdout}"
        );
        wd.assert_plan_empty("plan after adopting what `terraform query` found");
        // Harbor still has both, untouched, and the stranger was never imported.
        for name in [format!("{n}-pub"), format!("{n}-priv"), stranger.clone()] {
            assert_eq!(h.status(&format!("/projects/{name}")), 200, "{name}");
        }
        let state = wd.state_json();
        let addresses: Vec<_> = state["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["values"]["name"].as_str())
            .collect();
        assert!(!addresses.contains(&stranger.as_str()), "{addresses:?}");
        assert_eq!(addresses.len(), 2, "{addresses:?}");
    });
}

/// Every committed `examples/list-resources/*/list-resource.tfquery.hcl` (they feed the docs)
/// runs through `terraform query` against a Harbor holding what it looks for, and each `list`
/// block finds it. The examples' names are swapped for unique ones, nothing else.
#[test]
fn every_list_resource_example_finds_what_it_names() {
    for_these(query_capable().into_iter(), |tf| {
        let h = Harbor::start();
        let n = unique("ex");
        let (apps, replica, developers) = (
            format!("{n}-apps"),
            format!("{n}-to-replica"),
            format!("{n}-developers"),
        );
        let ok = |method: &str, path: &str, body: serde_json::Value| {
            let r = h.call(method, path, Some(body));
            assert!(
                r.status / 100 == 2,
                "{method} {path}: {} {}",
                r.status,
                r.text
            );
        };
        ok(
            "POST",
            "/projects",
            json!({"project_name": apps, "metadata": {"public": "true"}}),
        );
        ok(
            "POST",
            "/robots",
            json!({"name": format!("{n}-ci"), "level": "project", "duration": -1,
                   "permissions": [{"kind": "project", "namespace": apps,
                                    "access": [{"resource": "repository", "action": "pull"}]}]}),
        );
        let registry = format!("{n}-hub");
        ok(
            "POST",
            "/registries",
            json!({"name": registry, "type": "docker-hub", "url": "https://hub.docker.com"}),
        );
        let rid = h
            .get(&format!("/registries?q=name={registry}"))
            .as_array()
            .and_then(|r| r.first().cloned())
            .and_then(|r| r["id"].as_i64())
            .expect("the registry just made");
        ok(
            "POST",
            "/replication/policies",
            json!({"name": replica, "dest_registry": {"id": rid},
                   "trigger": {"type": "manual"}, "enabled": true}),
        );
        ok(
            "POST",
            "/usergroups",
            json!({"group_name": developers, "group_type": 2}),
        );
        let gid = h
            .get(&format!("/usergroups?q=group_name={developers}"))
            .as_array()
            .and_then(|g| g.first().cloned())
            .and_then(|g| g["id"].as_i64())
            .expect("the group just made");
        ok(
            "POST",
            &format!("/projects/{apps}/members"),
            json!({"role_id": 2, "member_group": {"id": gid}}),
        );

        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/list-resources");
        let mut types: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        types.sort();
        assert_eq!(types.len(), 6, "one example per list resource: {types:?}");
        let wd = Workdir::new(tf);
        wd.write_config(&format!("{}{}", required_providers(), h.provider_block()));
        for t in &types {
            let example =
                std::fs::read_to_string(root.join(t).join("list-resource.tfquery.hcl")).unwrap();
            let example = example
                .replace("\"to-replica\"", &format!("\"{replica}\""))
                .replace("\"developers\"", &format!("\"{developers}\""))
                .replace("\"apps\"", &format!("\"{apps}\""));
            wd.write_file(&format!("{t}.tfquery.hcl"), &example);
        }
        let out = wd.run(&["query", "-no-color"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        for (t, expect) in [
            ("harbor_project", apps.clone()),
            ("harbor_robot_account", format!("{n}-ci")),
            ("harbor_registry", registry.clone()),
            ("harbor_replication", replica.clone()),
            // Harbor makes the project's creator (the admin) its first member.
            ("harbor_project_member_user", "admin".to_string()),
            ("harbor_project_member_group", developers.clone()),
        ] {
            assert!(
                stdout
                    .lines()
                    .any(|l| l.starts_with(&format!("list.{t}.")) && l.contains(&expect)),
                "the example of list \"{t}\" finds {expect}:\n{stdout}"
            );
        }
    });
}
