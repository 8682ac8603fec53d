//! The data sources through the real `terraform`: lookups that find their object (by name and by
//! id), lookups that find nothing (an error naming what was searched for), list filters, empty
//! lists, and lists longer than one Harbor page.

use serde_json::{Value, json};

use crate::harness::{Workdir, for_each_terraform, required_providers};
use crate::target::{Harbor, unique};

fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

/// Creates a project through the API; its id.
fn create_project(h: &Harbor, body: Value) -> i64 {
    let name = body["project_name"].as_str().unwrap().to_string();
    let r = h.call("POST", "/projects", Some(body));
    assert_eq!(r.status, 201, "create project {name}: {}", r.text);
    h.get(&format!("/projects/{name}"))["project_id"]
        .as_i64()
        .unwrap()
}

/// Creates a registry endpoint of a type Harbor does not health-check; its id.
fn create_registry(h: &Harbor, name: &str) -> i64 {
    let r = h.call(
        "POST",
        "/registries",
        Some(json!({
            "name": name,
            "type": "docker-hub",
            "url": "https://hub.docker.com",
            "description": "upstream for the proxy cache",
            "insecure": false,
            "credential": {"type": "basic", "access_key": "", "access_secret": ""},
        })),
    );
    assert_eq!(r.status, 201, "create registry {name}: {}", r.text);
    let all = h.get(&format!("/registries?q=name={name}"));
    all.as_array()
        .and_then(|a| a.iter().find(|r| r["name"] == name))
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("registry {name} not listed: {all}"))
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn project_and_projects_data_sources_find_filter_and_fail_clearly() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let stem = unique("ds");
        let (public, private, proxy) = (
            format!("{stem}-pub"),
            format!("{stem}-priv"),
            format!("{stem}-proxy"),
        );
        let public_id = create_project(
            &h,
            json!({"project_name": public, "storage_limit": 3 * 1024 * 1024 * 1024i64,
                   "metadata": {"public": "true", "auto_scan": "true", "severity": "high", "prevent_vul": "true"}}),
        );
        create_project(
            &h,
            json!({"project_name": private, "metadata": {"public": "false", "auto_scan": "false"}}),
        );
        let registry_id = create_registry(&h, &format!("{stem}-hub"));
        create_project(
            &h,
            json!({"project_name": proxy, "registry_id": registry_id, "metadata": {"public": "false", "auto_scan": "false"}}),
        );

        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!(
                r#"
data "harbor_project" "by_name" {{
  name = "{public}"
}}
data "harbor_project" "by_id" {{
  project_id = {public_id}
}}
data "harbor_project" "proxy" {{
  name = "{proxy}"
}}
data "harbor_projects" "mine" {{
  name = "{stem}"
}}
data "harbor_projects" "public" {{
  name   = "{stem}"
  public = true
}}
data "harbor_projects" "private" {{
  name   = "{stem}"
  public = false
}}
data "harbor_projects" "proxies" {{
  name = "{stem}"
  type = "proxy_cache"
}}
data "harbor_projects" "regular" {{
  name = "{stem}"
  type = "project"
}}
data "harbor_projects" "proxies_go_spelling" {{
  name = "{stem}"
  type = "ProxyCache"
}}
data "harbor_projects" "scanned" {{
  name                   = "{stem}"
  vulnerability_scanning = true
}}
data "harbor_projects" "none" {{
  name = "{stem}-matches-nothing"
}}
"#
            ),
        ));
        wd.apply();

        // By name and by id: the same project, every attribute the resource has.
        let by_name = wd.resource_values("data.harbor_project.by_name");
        let by_id = wd.resource_values("data.harbor_project.by_id");
        assert_eq!(by_name, by_id, "by name and by id disagree");
        assert_eq!(by_name["name"], public.as_str());
        assert_eq!(by_name["project_id"], public_id);
        assert_eq!(by_name["public"], true);
        assert_eq!(by_name["vulnerability_scanning"], true);
        assert_eq!(by_name["deployment_security"], "high");
        assert_eq!(by_name["storage_quota"], 3);
        assert_eq!(by_name["type"], "Project");
        assert_eq!(by_name["vulnerability_scanner"], "Trivy");
        let proxy_ds = wd.resource_values("data.harbor_project.proxy");
        assert_eq!(proxy_ds["type"], "ProxyCache");
        assert_eq!(proxy_ds["registry_id"], registry_id);

        // Every attribute of the resource is in the data source, except what only configures.
        let schema = wd.providers_schema_json();
        let p = &schema["provider_schemas"][tf.address().as_str()];
        let ds_attrs = p["data_source_schemas"]["harbor_project"]["block"]["attributes"]
            .as_object()
            .unwrap();
        for (name, a) in p["resource_schemas"]["harbor_project"]["block"]["attributes"]
            .as_object()
            .unwrap()
        {
            if name == "force_destroy" || a["write_only"] == true {
                continue;
            }
            assert!(
                ds_attrs.contains_key(name),
                "data harbor_project lacks {name}"
            );
        }

        let list =
            |n: &str| names(&wd.resource_values(&format!("data.harbor_projects.{n}"))["projects"]);
        assert_eq!(
            list("mine"),
            [private.as_str(), proxy.as_str(), public.as_str()]
        );
        assert_eq!(list("public"), [public.as_str()]);
        assert_eq!(list("private"), [private.as_str(), proxy.as_str()]);
        assert_eq!(list("proxies"), [proxy.as_str()]);
        assert_eq!(list("proxies_go_spelling"), [proxy.as_str()]);
        assert_eq!(list("regular"), [private.as_str(), public.as_str()]);
        assert_eq!(list("scanned"), [public.as_str()]);
        assert!(
            list("none").is_empty(),
            "a filter matching nothing is an empty list"
        );
        let proxies = wd.resource_values("data.harbor_projects.proxies");
        let item = &proxies["projects"][0];
        assert_eq!(item["type"], "ProxyCache");
        assert_eq!(item["proxy_cache_registry_id"], registry_id);
        assert_eq!(item["public"], false);
        assert_eq!(item["vulnerability_scanning"], false);
        wd.assert_plan_empty("re-plan with only data sources");

        // Not found: an error naming what was searched for, by name and by id.
        let missing = format!("{stem}-missing");
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!("data \"harbor_project\" \"x\" {{\n  name = \"{missing}\"\n}}\n"),
        ));
        let err = wd.expect_failure(&["plan", "-no-color", "-input=false"]);
        assert!(
            err.contains(&format!("Error: No project named \"{missing}\"")),
            "{err}"
        );
        wd.write_config(&config(
            &h,
            "data \"harbor_project\" \"x\" {\n  project_id = 987654\n}\n",
        ));
        let err = wd.expect_failure(&["plan", "-no-color", "-input=false"]);
        assert!(err.contains("Error: No project with id 987654"), "{err}");

        // A robot gets 403 from Harbor for a project that does not exist: still "no project".
        let r = h.call(
            "POST",
            "/robots",
            Some(json!({
                "name": format!("{stem}-reader"), "level": "system", "duration": -1,
                "permissions": [{"kind": "project", "namespace": "*",
                                 "access": [{"resource": "repository", "action": "pull"}]}],
            })),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        wd.write_config(&format!(
            "{}provider \"harbor\" {{\n  url      = \"{}\"\n  username = \"{}\"\n  password = \"{}\"\n}}\ndata \"harbor_project\" \"x\" {{\n  name = \"{missing}\"\n}}\n",
            required_providers(),
            h.url,
            r.body["name"].as_str().unwrap(),
            r.body["secret"].as_str().unwrap(),
        ));
        let err = wd.expect_failure(&["plan", "-no-color", "-input=false"]);
        assert!(
            err.contains(&format!("Error: No project named \"{missing}\"")),
            "{err}"
        );
    });
}

#[test]
fn projects_data_source_walks_every_page() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let stem = unique("many");
        for i in 0..105 {
            create_project(&h, json!({"project_name": format!("{stem}-{i:03}")}));
        }
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, "data \"harbor_projects\" \"all\" {}\n"));
        assert_eq!(h.call("POST", "/_emulator/reset", None).status, 200);
        wd.run(&["plan", "-no-color", "-input=false", "-out=tfplan"]);
        // 106 projects (with `library`) at page_size 100 are two pages; Harbor's default
        // page size of 10 would take eleven requests.
        let counts = h.get("/_emulator/requests");
        assert_eq!(
            counts["by_route"]["GET /api/v2.0/projects"], 2,
            "project list requests: {counts:#}"
        );
        wd.run(&["apply", "-no-color", "-input=false", "tfplan"]);
        let all = names(&wd.resource_values("data.harbor_projects.all")["projects"]);
        assert_eq!(all.len(), 106, "{all:?}");
        assert!(all.contains(&"library".to_string()));
        for i in 0..105 {
            assert!(
                all.contains(&format!("{stem}-{i:03}")),
                "{stem}-{i:03} missing"
            );
        }
    });
}

#[test]
fn registry_data_source_finds_by_name_and_fails_clearly() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let name = unique("hub");
        let id = create_registry(&h, &name);
        // A registry whose name merely contains the one searched for is not a match.
        create_registry(&h, &format!("{name}-other"));
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!("data \"harbor_registry\" \"r\" {{\n  name = \"{name}\"\n}}\n"),
        ));
        wd.apply();
        let r = wd.resource_values("data.harbor_registry.r");
        assert_eq!(r["name"], name.as_str());
        assert_eq!(r["registry_id"], id);
        assert_eq!(r["type"], "docker-hub");
        assert_eq!(r["endpoint_url"], "https://hub.docker.com");
        // The Go provider's name for the endpoint.
        assert_eq!(r["url"], "https://hub.docker.com");
        assert_eq!(r["description"], "upstream for the proxy cache");
        assert_eq!(r["insecure"], false);
        assert!(r["status"].is_string(), "{r}");
        assert!(
            r.get("access_secret").is_none(),
            "the data source has no secret"
        );

        let missing = format!("{name}-missing");
        wd.write_config(&config(
            &h,
            &format!("data \"harbor_registry\" \"r\" {{\n  name = \"{missing}\"\n}}\n"),
        ));
        let err = wd.expect_failure(&["plan", "-no-color", "-input=false"]);
        assert!(
            err.contains(&format!("Error: No registry named \"{missing}\"")),
            "{err}"
        );
    });
}

fn create_robot(h: &Harbor, name: &str, level: &str, namespace: &str) {
    let r = h.call(
        "POST",
        "/robots",
        Some(json!({
            "name": name,
            "level": level,
            "duration": -1,
            "description": format!("{level} robot {name}"),
            "permissions": [{"kind": "project", "namespace": namespace,
                             "access": [{"resource": "repository", "action": "pull"}]}],
        })),
    );
    assert_eq!(r.status, 201, "create robot {name}: {}", r.text);
}

#[test]
fn robot_accounts_data_source_filters_by_name_level_and_project() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(Default::default());
        let project = unique("bots");
        let project_id = create_project(&h, json!({"project_name": project}));
        create_robot(&h, "ci-push", "system", "*");
        create_robot(&h, "ci-pull", "system", "*");
        create_robot(&h, "backup", "system", "*");
        create_robot(&h, "deploy", "project", &project);
        let wd = Workdir::new(tf);
        wd.write_config(&config(
            &h,
            &format!(
                r#"
data "harbor_robot_accounts" "system" {{
  level = "system"
}}
data "harbor_robot_accounts" "ci" {{
  name = "ci-"
}}
data "harbor_robot_accounts" "project" {{
  project_id = {project_id}
}}
data "harbor_robot_accounts" "project_level" {{
  project_id = {project_id}
  level      = "project"
}}
data "harbor_robot_accounts" "none" {{
  name = "no-such-robot"
}}
"#
            ),
        ));
        wd.apply();
        let list = |n: &str| {
            names(&wd.resource_values(&format!("data.harbor_robot_accounts.{n}"))["robot_accounts"])
        };
        assert_eq!(
            list("system"),
            ["robot$backup", "robot$ci-pull", "robot$ci-push"]
        );
        assert_eq!(list("ci"), ["robot$ci-pull", "robot$ci-push"]);
        let deploy = format!("robot${project}+deploy");
        assert_eq!(list("project"), [deploy.as_str()]);
        assert_eq!(list("project_level"), [deploy.as_str()]);
        assert!(list("none").is_empty());
        let item = &wd.resource_values("data.harbor_robot_accounts.project")["robot_accounts"][0];
        assert_eq!(item["level"], "project");
        assert_eq!(item["description"], "project robot deploy");
        assert_eq!(item["disable"], false);
        assert_eq!(item["duration"], -1);
        assert!(item["id"].as_i64().is_some_and(|i| i > 0), "{item}");

        // Project robots of no project: Harbor cannot list them, so it is a plan-time error.
        wd.write_config(&config(
            &h,
            "data \"harbor_robot_accounts\" \"x\" {\n  level = \"project\"\n}\n",
        ));
        let err = wd.expect_failure(&["plan", "-no-color", "-input=false"]);
        assert!(err.contains("project_id"), "{err}");
    });
}

#[test]
fn system_info_data_source_reports_version_url_prefix_and_quotas() {
    for_each_terraform(|tf| {
        let h = Harbor::emulator(harbor_emulator::Config {
            harbor_version: "2.13.1".into(),
            ..Default::default()
        });
        let wd = Workdir::new(tf);
        wd.write_config(&config(&h, "data \"harbor_system_info\" \"i\" {}\n"));
        wd.apply();
        let i = wd.resource_values("data.harbor_system_info.i");
        let info = h.get("/systeminfo");
        assert!(
            i["harbor_version"]
                .as_str()
                .is_some_and(|v| v.starts_with("v2.13.1")),
            "{i}"
        );
        assert_eq!(i["harbor_version"], info["harbor_version"]);
        assert_eq!(i["external_url"], info["external_url"]);
        assert_eq!(i["robot_name_prefix"], "robot$");
        assert_eq!(i["quota_per_project_enable"], true);

        // Harbor's settings, changed, are what the data source reports.
        let r = h.call(
            "PUT",
            "/configurations",
            Some(json!({"robot_name_prefix": "bot_", "quota_per_project_enable": false})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        wd.apply();
        let i = wd.resource_values("data.harbor_system_info.i");
        assert_eq!(i["robot_name_prefix"], "bot_");
        assert_eq!(i["quota_per_project_enable"], false);

        // A robot may not read Harbor's configuration: the quota setting is then null, the
        // prefix the one given in the provider block, and the read does not fail.
        let r = h.call(
            "POST",
            "/robots",
            Some(json!({
                "name": "reader", "level": "system", "duration": -1,
                "permissions": [{"kind": "project", "namespace": "*",
                                 "access": [{"resource": "repository", "action": "pull"}]}],
            })),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let wd = Workdir::new(tf);
        wd.write_config(&format!(
            "{}provider \"harbor\" {{\n  url          = \"{}\"\n  username     = \"{}\"\n  password     = \"{}\"\n  robot_prefix = \"bot_\"\n}}\ndata \"harbor_system_info\" \"i\" {{}}\n",
            required_providers(),
            h.url,
            r.body["name"].as_str().unwrap(),
            r.body["secret"].as_str().unwrap(),
        ));
        wd.apply();
        let i = wd.resource_values("data.harbor_system_info.i");
        assert!(
            i["harbor_version"]
                .as_str()
                .is_some_and(|v| v.starts_with("v2.13.1")),
            "{i}"
        );
        assert_eq!(i["robot_name_prefix"], "bot_");
        assert_eq!(i["quota_per_project_enable"], Value::Null);
    });
}
