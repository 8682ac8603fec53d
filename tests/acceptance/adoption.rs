//! Adopting a Harbor that already exists, through the real binaries: `import` blocks with
//! `plan -generate-config-out` (Terraform 1.5+, OpenTofu 1.5+) must give a configuration that
//! is valid, applies, and then plans empty; and `import { identity = { ... } }` (resource
//! identity: OpenTofu 1.12+, Terraform 1.12+) must find the same objects and record their
//! identities in state.
//!
//! One object of every resource type the provider registers is made through Harbor's API, as
//! a user's clicks in the UI or a script would make it, and adopted by fresh working
//! directories that know only the ids. All of it is one configuration per binary, so adding a
//! type costs no extra Terraform run.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use terraform_provider_harbor::schema::identity::{IdentityKind, IdentityTemplate};

use crate::harness::{Terraform, Workdir, for_these, required_providers, terraforms};
use crate::scanner_adapter::ScannerAdapter;
use crate::target::{Harbor, Resp, unique};

/// Binaries with `import` blocks and `-generate-config-out`.
fn can_generate_config(tf: &Terraform) -> bool {
    tf.at_least(&[1, 5])
}

/// Binaries that import by identity: OpenTofu 1.12 and Terraform 1.12 (protocol 6.9).
fn can_import_by_identity(tf: &Terraform) -> bool {
    tf.at_least(&[1, 12])
}

const GIB: i64 = 1024 * 1024 * 1024;

fn ok(r: Resp, what: &str) -> Value {
    assert!(r.status < 300, "{what}: {} {}", r.status, r.text);
    r.body
}

/// The `key` number of the item of a list answer whose `field` is `value`.
fn id_in(list: &Value, field: &str, value: &str, key: &str) -> i64 {
    list.as_array()
        .and_then(|items| items.iter().find(|i| i[field] == value))
        .and_then(|i| i[key].as_i64())
        .unwrap_or_else(|| panic!("no {field} = {value} with a numeric {key} in {list:#}"))
}

/// What an existing Harbor holds: one object of every resource type, made through the API
/// (none by Terraform). Returns `(address, import id)` pairs; the ids are the objects' API
/// paths, the form every resource's `id` takes.
fn made_by_hand(h: &Harbor, remote: &Harbor, n: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut adopt = |address: &str, id: String| out.push((address.to_string(), id));
    let project = |name: &str, body: Value| -> i64 {
        let mut body = body;
        body["project_name"] = json!(name);
        ok(h.call("POST", "/projects", Some(body)), "create project");
        h.get(&format!("/projects/{name}"))["project_id"]
            .as_i64()
            .unwrap()
    };

    let pid = project(
        n,
        json!({"metadata": {"public": "true"}, "storage_limit": 5 * GIB}),
    );
    // Harbor takes a project's CVE allowlist on update only (`UpdateProject`).
    ok(
        h.call(
            "PUT",
            &format!("/projects/{pid}"),
            Some(json!({"cve_allowlist": {"items": [{"cve_id": "CVE-2024-0001"}]}})),
        ),
        "set the project's CVE allowlist",
    );
    adopt("harbor_project.apps", format!("/projects/{pid}"));

    // Another team's project, whose quota alone is adopted.
    let other = project(&format!("{n}-other"), json!({}));
    let qid = h.get(&format!("/quotas?reference=project&reference_id={other}"))[0]["id"]
        .as_i64()
        .unwrap();
    ok(
        h.call(
            "PUT",
            &format!("/quotas/{qid}"),
            Some(json!({"hard": {"storage": 7 * GIB}})),
        ),
        "set quota",
    );
    adopt("harbor_project_quota.other", format!("/quotas/{qid}"));

    let robot = ok(
        h.call(
            "POST",
            "/robots",
            Some(json!({
                "name": format!("{n}-ci"), "description": "CI pushes", "level": "project",
                "duration": -1,
                "permissions": [{"kind": "project", "namespace": n, "access": [
                    {"resource": "repository", "action": "push"},
                    {"resource": "repository", "action": "pull"}]}]
            })),
        ),
        "create robot",
    );
    adopt(
        "harbor_robot_account.ci",
        format!("/robots/{}", robot["id"].as_i64().unwrap()),
    );

    ok(
        h.call(
            "POST",
            "/registries",
            Some(json!({
                "name": format!("{n}-dr"), "type": "harbor", "url": remote.url,
                "insecure": false, "description": "disaster recovery",
                "credential": {"type": "basic", "access_key": remote.username,
                               "access_secret": remote.password}
            })),
        ),
        "create registry",
    );
    let rid = id_in(&h.get("/registries"), "name", &format!("{n}-dr"), "id");
    adopt("harbor_registry.dr", format!("/registries/{rid}"));

    ok(
        h.call(
            "POST",
            "/replication/policies",
            Some(json!({
                "name": format!("{n}-to-dr"), "dest_registry": {"id": rid},
                "trigger": {"type": "scheduled", "trigger_settings": {"cron": "0 0 2 * * *"}},
                "filters": [{"type": "name", "value": format!("{n}/**")}],
                "enabled": true, "deletion": false, "override": true, "speed": -1
            })),
        ),
        "create replication policy",
    );
    let policy = id_in(
        &h.get("/replication/policies"),
        "name",
        &format!("{n}-to-dr"),
        "id",
    );
    adopt(
        "harbor_replication.to_dr",
        format!("/replication/policies/{policy}"),
    );

    ok(
        h.call(
            "POST",
            &format!("/projects/{pid}/webhook/policies"),
            Some(json!({
                "name": format!("{n}-hook"), "description": "deploys", "enabled": true,
                "event_types": ["PUSH_ARTIFACT"],
                "targets": [{"type": "http", "address": "http://127.0.0.1:9/hook",
                             "skip_cert_verify": true, "payload_format": "Default"}]
            })),
        ),
        "create webhook",
    );
    let hook = id_in(
        &h.get(&format!("/projects/{pid}/webhook/policies")),
        "name",
        &format!("{n}-hook"),
        "id",
    );
    adopt(
        "harbor_project_webhook.deploys",
        format!("/projects/{pid}/webhook/policies/{hook}"),
    );

    let instance = format!("{n}-p2p");
    ok(
        h.call(
            "POST",
            "/p2p/preheat/instances",
            Some(json!({
                "name": instance, "vendor": "dragonfly", "endpoint": "http://127.0.0.1:9/df",
                "auth_mode": "NONE", "enabled": true, "default": false, "insecure": false,
                "description": "edge cache"
            })),
        ),
        "create preheat instance",
    );
    adopt(
        "harbor_preheat_instance.edge",
        format!("/p2p/preheat/instances/{instance}"),
    );

    ok(
        h.call(
            "POST",
            "/labels",
            Some(json!({"name": format!("{n}-release"), "color": "#61717D",
                        "description": "released", "scope": "g"})),
        ),
        "create label",
    );
    let label = id_in(
        &h.get("/labels?scope=g&page_size=100"),
        "name",
        &format!("{n}-release"),
        "id",
    );
    adopt("harbor_label.release", format!("/labels/{label}"));

    let repos = json!({"repository": [
        {"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]});
    ok(
        h.call(
            "POST",
            &format!("/projects/{pid}/immutabletagrules"),
            Some(json!({
                "disabled": false, "action": "immutable", "template": "immutable_template",
                "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "v*"}],
                "scope_selectors": repos
            })),
        ),
        "create immutable tag rule",
    );
    let rule = h.get(&format!("/projects/{pid}/immutabletagrules"))[0]["id"]
        .as_i64()
        .unwrap();
    adopt(
        "harbor_immutable_tag_rule.releases",
        format!("/projects/{pid}/immutabletagrules/{rule}"),
    );

    ok(
        h.call(
            "POST",
            "/retentions",
            Some(json!({
                "algorithm": "or",
                "rules": [{
                    "disabled": false, "action": "retain", "template": "latestPushedK",
                    "params": {"latestPushedK": 10},
                    "tag_selectors": [{"kind": "doublestar", "decoration": "matches",
                                       "pattern": "**", "extras": "{\"untagged\":true}"}],
                    "scope_selectors": repos
                }],
                "trigger": {"kind": "Schedule", "settings": {"cron": "0 0 0 * * *"}},
                "scope": {"level": "project", "ref": pid}
            })),
        ),
        "create retention policy",
    );
    let retention: i64 = h.get(&format!("/projects/{pid}/metadatas/retention_id"))["retention_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("the project names its retention policy");
    adopt(
        "harbor_retention_policy.keep",
        format!("/retentions/{retention}"),
    );

    let user = format!("{n}-dev");
    ok(
        h.call(
            "POST",
            "/users",
            Some(
                json!({"username": user, "email": format!("{user}@example.com"),
                        "realname": "A developer", "password": "Harbor12345x",
                        "comment": "made in the UI"}),
            ),
        ),
        "create user",
    );
    let uid = id_in(&h.get("/users?page_size=100"), "username", &user, "user_id");
    adopt("harbor_user.dev", format!("/users/{uid}"));

    ok(
        h.call(
            "POST",
            &format!("/projects/{pid}/members"),
            Some(json!({"role_id": 2, "member_user": {"username": user}})),
        ),
        "add user member",
    );
    let members = h.get(&format!("/projects/{pid}/members"));
    let mid = id_in(&members, "entity_name", &user, "id");
    adopt(
        "harbor_project_member_user.dev",
        format!("/projects/{pid}/members/{mid}"),
    );

    let group = format!("{n}-ops");
    ok(
        h.call(
            "POST",
            "/usergroups",
            Some(json!({"group_name": group, "group_type": 2})),
        ),
        "create group",
    );
    let gid = id_in(
        &h.get("/usergroups?page_size=100"),
        "group_name",
        &group,
        "id",
    );
    adopt("harbor_group.ops", format!("/usergroups/{gid}"));

    ok(
        h.call(
            "POST",
            &format!("/projects/{pid}/members"),
            Some(json!({"role_id": 3, "member_group": {"id": gid}})),
        ),
        "add group member",
    );
    let members = h.get(&format!("/projects/{pid}/members"));
    let gmid = id_in(&members, "entity_name", &group, "id");
    adopt(
        "harbor_project_member_group.ops",
        format!("/projects/{pid}/members/{gmid}"),
    );

    // A third project whose whole member list is adopted (its creator, admin, and the user).
    let team = project(&format!("{n}-team"), json!({}));
    ok(
        h.call(
            "POST",
            &format!("/projects/{team}/members"),
            Some(json!({"role_id": 4, "member_user": {"username": user}})),
        ),
        "add team member",
    );
    adopt(
        "harbor_project_members.team",
        format!("/projects/{team}/members"),
    );

    // Harbor's system-wide settings and schedules: one of each per Harbor.
    ok(
        h.call(
            "POST",
            "/system/gc/schedule",
            Some(
                json!({"schedule": {"type": "Custom", "cron": "0 0 3 * * *"},
                        "parameters": {"delete_untagged": true, "workers": 2}}),
            ),
        ),
        "schedule garbage collection",
    );
    adopt(
        "harbor_garbage_collection.main",
        "/system/gc/schedule".into(),
    );
    ok(
        h.call(
            "POST",
            "/system/purgeaudit/schedule",
            Some(
                json!({"schedule": {"type": "Custom", "cron": "0 0 4 * * *"},
                        "parameters": {"audit_retention_hour": 168,
                                       "include_event_types": "create,delete,pull",
                                       "dry_run": false}}),
            ),
        ),
        "schedule audit log purge",
    );
    adopt(
        "harbor_purge_audit_log.main",
        "/system/purgeaudit/schedule".into(),
    );
    // A scanner adapter registered by hand; Harbor asks the adapter (a real listener) first. It comes before the
    // scan-all schedule: a Harbor without Trivy has no scanner until then, and refuses to
    // schedule a scan (412 "no scanner is configured"), as a real Harbor v2.15.2 did.
    let adapter = ScannerAdapter::start("Grype");
    let scanner = format!("{n}-grype");
    ok(
        h.call(
            "POST",
            "/scanners",
            Some(json!({"name": scanner, "url": adapter.url, "auth": ""})),
        ),
        "register a scanner",
    );
    let scanners = h.get("/scanners");
    let uuid = scanners
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == json!(scanner)))
        .and_then(|s| s["uuid"].as_str())
        .unwrap_or_else(|| panic!("no scanner {scanner} in {scanners:#}"));
    adopt("harbor_scanner.grype", format!("/scanners/{uuid}"));
    ok(
        h.call(
            "POST",
            "/system/scanAll/schedule",
            Some(json!({"schedule": {"type": "Custom", "cron": "0 0 5 * * *"}})),
        ),
        "schedule scan all",
    );
    adopt(
        "harbor_interrogation_services.main",
        "/system/scanAll/schedule".into(),
    );
    adopt("harbor_tasks.main", "/system/scanAll/schedule".into());
    ok(
        h.call(
            "PUT",
            "/system/CVEAllowlist",
            Some(json!({"items": [{"cve_id": "CVE-2024-0002"}], "expires_at": 4102444800_i64})),
        ),
        "set the system CVE allowlist",
    );
    adopt("harbor_config_security.main", "/system/CVEAllowlist".into());
    ok(
        h.call(
            "PUT",
            "/configurations",
            Some(json!({"robot_name_prefix": "bot$", "session_timeout": 120,
                        "project_creation_restriction": "adminonly"})),
        ),
        "change system settings",
    );
    adopt("harbor_config_system.main", "configuration/system".into());

    // How people sign in: the database mode Harbor starts with (a change of mode is refused
    // once users exist, and the objects above include users).
    adopt("harbor_config_auth.main", "configuration/auth".into());
    out
}

/// The identity template of resource type `ty`, as the provider declares it (`None` for the
/// types Harbor has one of, which have no identity). Read from the provider itself, so the
/// test follows the templates instead of repeating each type's attribute names.
fn identity_template(ty: &str) -> Option<IdentityTemplate> {
    terraform_provider_harbor::resources::all()
        .into_iter()
        .find(|r| r.type_name() == ty)
        .unwrap_or_else(|| panic!("{ty} is not a resource type of the provider"))
        .identity()
}

/// The identity an id path names, as JSON (what state records) and as HCL (what an
/// `import` block says), from the type's template.
fn identity_of(template: &IdentityTemplate, id: &str) -> (Value, String) {
    let identity = template
        .from_path(id)
        .unwrap_or_else(|| panic!("{id} does not fit the identity template"));
    let mut json = Map::new();
    let mut hcl = Vec::new();
    for a in template.attributes() {
        let v = identity.get(&a.name);
        match a.kind {
            IdentityKind::Number => {
                let n = v.as_i64().unwrap();
                json.insert(a.name.clone(), json!(n));
                hcl.push(format!("{} = {n}", a.name));
            }
            IdentityKind::String => {
                let s = v.as_str().unwrap();
                json.insert(a.name.clone(), json!(s));
                hcl.push(format!("{} = {s:?}", a.name));
            }
        }
    }
    (Value::Object(json), format!("{{ {} }}", hcl.join(", ")))
}

/// The resources of a local state file, with each instance's identity (if any).
fn state_identities(wd: &Workdir) -> Vec<(String, Value)> {
    let raw = std::fs::read_to_string(wd.path().join("terraform.tfstate")).expect("state file");
    let state: Value = serde_json::from_str(&raw).expect("state JSON");
    state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["mode"] == "managed")
        .map(|r| {
            (
                format!(
                    "{}.{}",
                    r["type"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ),
                r["instances"][0]["identity"].clone(),
            )
        })
        .collect()
}

/// The guide's "Secrets" section: Harbor never returns a secret, so the generated
/// configuration has none (and plans empty without it). To manage one from now on, set the
/// write-only form and its version in the generated block, here the registry's.
fn add_registry_secret(generated: &str, secret: &str) -> String {
    // Terraform writes `null # sensitive`, OpenTofu `null # sensitive write-only`: the whole
    // line is replaced.
    let out: String = generated
        .lines()
        .map(|l| match l.split_once('=') {
            Some((k, _)) if k.trim() == "access_secret_wo" => format!("{k}= {secret:?}\n"),
            Some((k, _)) if k.trim() == "access_secret_wo_version" => format!("{k}= 1\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    assert!(
        out.contains(&format!("= {secret:?}")),
        "the generated registry block changed shape:\n{generated}"
    );
    out
}

/// The guide's last step ("Put the references back"): the generated configuration names the
/// registry of the replication policy by its number, so Terraform does not know the policy
/// depends on it and would destroy both at once (Harbor refuses to delete a registry a policy
/// uses). Replace the number with a reference.
fn put_references_back(generated: &str) -> String {
    generated
        .lines()
        .map(|l| match l.split_once('=') {
            Some((k, v)) if k.trim() == "registry_id" && v.trim().parse::<i64>().is_ok() => {
                format!("{k}= harbor_registry.dr.registry_id\n")
            }
            _ => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn adopting_an_existing_harbor_with_generated_configuration_and_by_identity_plans_empty() {
    let capable: Vec<_> = terraforms()
        .iter()
        .filter(|t| can_generate_config(t))
        .collect();
    assert!(
        !capable.is_empty(),
        "no binary with -generate-config-out (Terraform or OpenTofu 1.5+); run scripts/install-tools.sh"
    );
    for_these(capable.into_iter(), |tf| {
        let h = Harbor::start();
        let remote = Harbor::emulator_because("the replication target", Default::default());
        let n = unique("adopt");
        let objects = made_by_hand(&h, &remote, &n);

        // Every type the provider registers is adopted here: a new type fails this until it
        // is added above.
        let registered: BTreeSet<String> = terraform_provider_harbor::resources::all()
            .iter()
            .map(|r| r.type_name().to_string())
            .collect();
        let adopted: BTreeSet<String> = objects
            .iter()
            .map(|(a, _)| a.split('.').next().unwrap().to_string())
            .collect();
        let missing: Vec<_> = registered.difference(&adopted).collect();
        assert!(
            missing.is_empty(),
            "every resource type must be adopted by this test; add one object of {missing:?} to `made_by_hand`"
        );

        // Import blocks only; the configuration is generated.
        let adopt = Workdir::new(tf);
        let mut hcl = format!("{}{}", required_providers(), h.provider_block());
        for (address, id) in &objects {
            hcl.push_str(&format!(
                "import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"
            ));
        }
        adopt.write_config(&hcl);
        adopt.run(&[
            "plan",
            "-input=false",
            "-no-color",
            "-generate-config-out=generated.tf",
        ]);
        let generated = std::fs::read_to_string(adopt.path().join("generated.tf")).unwrap();
        for (address, _) in &objects {
            let (ty, name) = address.split_once('.').unwrap();
            assert!(
                generated.contains(&format!("resource \"{ty}\" \"{name}\"")),
                "{address} missing from the generated configuration:\n{generated}"
            );
        }
        adopt.validate();
        adopt.apply();
        adopt.assert_plan_empty("plan after adopting with generated configuration");

        let generated = put_references_back(&generated);
        assert!(
            generated.contains("harbor_registry.dr.registry_id"),
            "{generated}"
        );
        adopt.write_file("generated.tf", &generated);
        adopt.assert_plan_empty("plan after putting the references back");

        // A secret added by hand is an in-place update that sends it, then nothing.
        if tf.supports_write_only() {
            let with_secret = add_registry_secret(&generated, &remote.password);
            adopt.write_file("generated.tf", &with_secret);
            assert_eq!(adopt.planned_actions("harbor_registry.dr"), ["update"]);
            adopt.apply();
            adopt.assert_plan_empty("plan after adding the registry's secret");
        }

        // By identity, into another fresh state with the generated configuration. The types
        // Harbor has one of have no identity; they are imported by id as before.
        if can_import_by_identity(tf) {
            let by_identity = Workdir::new(tf);
            let mut hcl = format!("{}{}", required_providers(), h.provider_block());
            let mut expected = Vec::new();
            for (address, id) in &objects {
                match identity_template(address.split('.').next().unwrap()) {
                    Some(t) => {
                        let (json, identity) = identity_of(&t, id);
                        hcl.push_str(&format!(
                            "import {{\n  to       = {address}\n  identity = {identity}\n}}\n"
                        ));
                        expected.push((address.clone(), json));
                    }
                    None => hcl.push_str(&format!(
                        "import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"
                    )),
                }
            }
            by_identity.write_config(&hcl);
            by_identity.write_file("generated.tf", &generated);
            by_identity.apply();
            by_identity.assert_plan_empty("plan after importing by identity");
            let identities = state_identities(&by_identity);
            assert_eq!(identities.len(), objects.len(), "{identities:?}");
            for (address, json) in expected {
                let (_, got) = identities
                    .iter()
                    .find(|(a, _)| *a == address)
                    .unwrap_or_else(|| panic!("{address} not in state"));
                assert_eq!(got, &json, "{address}: identity in state");
            }
        }

        // Whoever adopted it can now destroy it.
        adopt.destroy();
        for (address, id) in &objects {
            let ty = address.split('.').next().unwrap();
            if [
                "harbor_project",
                "harbor_robot_account",
                "harbor_registry",
                "harbor_replication",
                "harbor_preheat_instance",
                "harbor_label",
                "harbor_user",
                "harbor_group",
            ]
            .contains(&ty)
            {
                assert_eq!(h.status(id), 404, "{address} ({id}) after destroy");
            }
        }
    });
}
