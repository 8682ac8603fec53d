//! In-process service tests: the tfplugin6 handlers, driven the way Terraform drives them
//! (validate, configure, plan with Terraform's proposed state, apply, read, import), against the
//! emulator, counting the Harbor requests each operation costs.
//!
//! These are fast and precise; the acceptance tier proves the same paths through the real
//! `terraform` binary.

use terraform_provider_harbor::protocol::codec;
use terraform_provider_harbor::protocol::proto::tfplugin6 as pb;
use terraform_provider_harbor::protocol::proto::tfplugin6::provider_server::Provider as _;
use terraform_provider_harbor::protocol::service::ProviderService;
use terraform_provider_harbor::provider::HarborProvider;
use terraform_provider_harbor::schema::{Schema, Type, Value};
use tonic::Request;

struct Harness {
    svc: ProviderService<HarborProvider>,
    emulator: harbor_emulator::Running,
    http: reqwest::Client,
}

fn dv(ty: &Type, v: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: codec::to_msgpack(ty, v),
        json: vec![],
    })
}

fn errors(diags: &[pb::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

impl Harness {
    async fn new() -> Harness {
        let emulator = harbor_emulator::start(harbor_emulator::Config::default())
            .await
            .expect("emulator");
        let svc = ProviderService::new(HarborProvider);
        let h = Harness {
            svc,
            emulator,
            http: reqwest::Client::new(),
        };
        let pschema = h.provider_schema();
        let mut config = Value::null_object(&pschema.ty());
        config.set("url", Value::from(h.emulator.base_url()));
        config.set("username", Value::from("admin"));
        config.set("password", Value::from("Harbor12345"));
        let resp = h
            .svc
            .configure_provider(Request::new(pb::configure_provider::Request {
                terraform_version: "1.11.4".into(),
                config: dv(&pschema.ty(), &config),
                client_capabilities: None,
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&resp.diagnostics).is_empty(),
            "{:?}",
            errors(&resp.diagnostics)
        );
        h
    }

    fn provider_schema(&self) -> Schema {
        self.svc.schemas().0
    }

    fn schema(&self, type_name: &str) -> Schema {
        self.svc
            .schemas()
            .1
            .into_iter()
            .find(|(n, _)| *n == type_name)
            .expect("resource type")
            .1
    }

    /// A configuration object for `type_name` with the given attributes set.
    fn config(&self, type_name: &str, attrs: &[(&str, Value)]) -> Value {
        let s = self.schema(type_name);
        let mut v = Value::null_object(&s.ty());
        for nb in &s.block.blocks {
            v.set(&nb.name, Value::Set(vec![]));
        }
        for (k, x) in attrs {
            v.set(k, x.clone());
        }
        v
    }

    async fn requests(&self) -> u64 {
        let url = format!("{}/_emulator/requests", self.emulator.base_url());
        let j: serde_json::Value = self
            .http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        j["total"].as_u64().unwrap()
    }

    async fn validate(&self, type_name: &str, config: &Value) -> Vec<pb::Diagnostic> {
        let ty = self.schema(type_name).ty();
        self.svc
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: type_name.into(),
                config: dv(&ty, config),
                client_capabilities: Some(pb::ClientCapabilities {
                    deferral_allowed: false,
                    write_only_attributes_allowed: true,
                }),
            }))
            .await
            .unwrap()
            .into_inner()
            .diagnostics
    }

    /// Plans like Terraform: the proposed state is the config with computed attributes the
    /// config leaves null taken from the prior state.
    async fn plan(&self, type_name: &str, prior: &Value, config: &Value) -> (Value, Vec<String>) {
        let s = self.schema(type_name);
        let ty = s.ty();
        let mut proposed = config.clone();
        if !prior.is_null() {
            for a in &s.block.attributes {
                if a.is_computed() && config.get(&a.name).is_null() {
                    proposed.set(&a.name, prior.get(&a.name).clone());
                }
            }
        }
        let r = self
            .svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(&ty, prior),
                proposed_new_state: dv(&ty, &proposed),
                config: dv(&ty, config),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&r.diagnostics).is_empty(),
            "plan of {type_name}: {:?}",
            errors(&r.diagnostics)
        );
        let planned = codec::from_msgpack(&ty, &r.planned_state.unwrap().msgpack).unwrap();
        let replace = r
            .requires_replace
            .iter()
            .map(|p| match &p.steps[0].selector {
                Some(pb::attribute_path::step::Selector::AttributeName(n)) => n.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        (planned, replace)
    }

    async fn apply(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Vec<String>> {
        let ty = self.schema(type_name).ty();
        let r = self
            .svc
            .apply_resource_change(Request::new(pb::apply_resource_change::Request {
                type_name: type_name.into(),
                prior_state: dv(&ty, prior),
                planned_state: dv(&ty, planned),
                config: dv(&ty, config),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        let errs = errors(&r.diagnostics);
        if !errs.is_empty() {
            return Err(errs);
        }
        let state = codec::from_msgpack(&ty, &r.new_state.unwrap().msgpack).unwrap();
        assert!(state.is_wholly_known(), "apply left unknowns: {state:?}");
        Ok(state)
    }

    async fn read(&self, type_name: &str, state: &Value) -> Value {
        let ty = self.schema(type_name).ty();
        let r = self
            .svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: type_name.into(),
                current_state: dv(&ty, state),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&r.diagnostics).is_empty(),
            "read of {type_name}: {:?}",
            errors(&r.diagnostics)
        );
        codec::from_msgpack(&ty, &r.new_state.unwrap().msgpack).unwrap()
    }

    async fn import(&self, type_name: &str, id: &str) -> Value {
        let ty = self.schema(type_name).ty();
        let r = self
            .svc
            .import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: type_name.into(),
                id: id.into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&r.diagnostics).is_empty(),
            "import of {type_name} {id}: {:?}",
            errors(&r.diagnostics)
        );
        codec::from_msgpack(
            &ty,
            &r.imported_resources[0].state.as_ref().unwrap().msgpack,
        )
        .unwrap()
    }

    /// Plan then apply; the state after apply, checking that a re-read plans nothing.
    async fn converge(&self, type_name: &str, prior: &Value, config: &Value) -> Value {
        let (planned, _) = self.plan(type_name, prior, config).await;
        let state = self
            .apply(type_name, prior, &planned, config)
            .await
            .unwrap_or_else(|e| panic!("apply {type_name}: {e:?}"));
        let fresh = self.read(type_name, &state).await;
        let (again, replace) = self.plan(type_name, &fresh, config).await;
        assert_eq!(
            again, fresh,
            "{type_name}: a plan right after apply must be empty"
        );
        assert!(replace.is_empty());
        fresh
    }
}

#[tokio::test]
async fn project_lifecycle_with_request_budget() {
    let h = Harness::new().await;
    let t = "harbor_project";
    let config = h.config(
        t,
        &[
            ("name", "apps".into()),
            ("storage_quota", Value::int(10)),
            ("deployment_security", "high".into()),
            ("cve_allowlist", Value::List(vec!["CVE-2024-1".into()])),
        ],
    );
    assert!(errors(&h.validate(t, &config).await).is_empty());

    let before = h.requests().await;
    let (planned, _) = h.plan(t, &Value::Null, &config).await;
    let state = h.apply(t, &Value::Null, &planned, &config).await.unwrap();
    let create_cost = h.requests().await - before;
    assert!(create_cost <= 3, "create cost {create_cost} requests");

    let before = h.requests().await;
    let fresh = h.read(t, &state).await;
    let read_cost = h.requests().await - before;
    assert!(read_cost <= 2, "refresh cost {read_cost} requests");
    assert_eq!(fresh, state, "read back equals what was applied");
    assert_eq!(fresh.i64_attr("storage_quota"), Some(10));

    // Update in place: quota and deployment security.
    let mut config2 = config.clone();
    config2.set("storage_quota", Value::int(20));
    config2.set("deployment_security", Value::Null);
    let (planned, replace) = h.plan(t, &fresh, &config2).await;
    assert!(replace.is_empty(), "in place, not replace: {replace:?}");
    let before = h.requests().await;
    let updated = h.apply(t, &fresh, &planned, &config2).await.unwrap();
    let update_cost = h.requests().await - before;
    assert!(update_cost <= 4, "update cost {update_cost}");
    let fresh = h.read(t, &updated).await;
    assert_eq!(fresh.i64_attr("storage_quota"), Some(20));
    assert!(fresh.get("deployment_security").is_null());
    let (again, _) = h.plan(t, &fresh, &config2).await;
    assert_eq!(again, fresh);

    // Import by name and by the Go provider's path: same state as managed, modulo local-only fields.
    let pid = fresh.i64_attr("project_id").unwrap();
    for id in [
        "apps".to_string(),
        pid.to_string(),
        format!("/projects/{pid}"),
    ] {
        let imported = h.import(t, &id).await;
        let imported = h.read(t, &imported).await;
        let (plan_after_import, _) = h.plan(t, &imported, &config2).await;
        assert_eq!(
            plan_after_import, imported,
            "import {id} then plan must be empty"
        );
    }

    // Rename forces replacement.
    let mut renamed = config2.clone();
    renamed.set("name", "apps2".into());
    let (_, replace) = h.plan(t, &fresh, &renamed).await;
    assert_eq!(replace, vec!["name".to_string()]);

    // Destroy.
    let before = h.requests().await;
    h.apply(t, &fresh, &Value::Null, &Value::Null)
        .await
        .unwrap();
    assert_eq!(h.requests().await - before, 1, "delete costs one request");
    assert!(h.read(t, &fresh).await.is_null(), "gone after destroy");
}

#[tokio::test]
async fn robot_lifecycle_rotation_and_secret_in_place() {
    let h = Harness::new().await;
    h.converge(
        "harbor_project",
        &Value::Null,
        &h.config("harbor_project", &[("name", "team".into())]),
    )
    .await;
    let t = "harbor_robot_account";
    let access = |action: &str, resource: &str| {
        Value::object([
            ("action", action.into()),
            ("resource", resource.into()),
            ("effect", Value::Null),
        ])
    };
    let perms = Value::Set(vec![Value::object([
        ("kind", "project".into()),
        ("namespace", "team".into()),
        (
            "access",
            Value::Set(vec![
                access("push", "repository"),
                access("pull", "repository"),
            ]),
        ),
    ])]);
    let config = h.config(
        t,
        &[
            ("name", "ci".into()),
            ("level", "project".into()),
            ("permissions", perms.clone()),
        ],
    );
    assert!(errors(&h.validate(t, &config).await).is_empty());
    let state = h.converge(t, &Value::Null, &config).await;
    assert_eq!(state.str_attr("full_name"), Some("robot$team+ci"));
    let secret = state
        .str_attr("secret")
        .expect("generated secret stored")
        .to_string();

    // Rotation: a trigger change plans an unknown secret, in place.
    let mut rotated = config.clone();
    rotated.set(
        "rotation_triggers",
        Value::Map([("when".to_string(), Value::from("2026-11"))].into()),
    );
    let (planned, replace) = h.plan(t, &state, &rotated).await;
    assert!(replace.is_empty());
    assert!(planned.get("secret").is_unknown());
    let after = h.apply(t, &state, &planned, &rotated).await.unwrap();
    let new_secret = after.str_attr("secret").unwrap();
    assert_ne!(new_secret, secret, "rotation issues a new secret");

    // Description and permissions update in place.
    let mut changed = rotated.clone();
    changed.set("description", "pushes".into());
    let state = h.converge(t, &h.read(t, &after).await, &changed).await;
    assert_eq!(state.str_attr("description"), Some("pushes"));

    // A bad permission is refused at plan time, naming the attribute.
    let bad = h.config(
        t,
        &[
            ("name", "bad".into()),
            ("level", "project".into()),
            (
                "permissions",
                Value::Set(vec![Value::object([
                    ("kind", "project".into()),
                    ("namespace", "team".into()),
                    ("access", Value::Set(vec![access("*", "repository")])),
                ])]),
            ),
        ],
    );
    let d = h.validate(t, &bad).await;
    assert!(
        errors(&d).iter().any(|e| e.contains("repository:*")),
        "{:?}",
        errors(&d)
    );
}

#[tokio::test]
async fn registry_and_replication_lifecycle() {
    let h = Harness::new().await;
    let replica = harbor_emulator::start(harbor_emulator::Config::default())
        .await
        .unwrap();
    let reg = h.config(
        "harbor_registry",
        &[
            ("name", "replica".into()),
            ("provider_name", "harbor".into()),
            (
                "endpoint_url",
                Value::from(format!("{}/", replica.base_url())),
            ),
        ],
    );
    let reg_state = h.converge("harbor_registry", &Value::Null, &reg).await;
    assert_eq!(reg_state.str_attr("status"), Some("healthy"));
    let registry_id = reg_state.i64_attr("registry_id").unwrap();

    let filters = Value::Set(vec![Value::object([
        ("name", "apps/**".into()),
        ("tag", "v*".into()),
        ("labels", Value::Null),
        ("resource", Value::Null),
        ("decoration", Value::Null),
    ])]);
    let pol = h.config(
        "harbor_replication",
        &[
            ("name", "to-replica".into()),
            ("action", "push".into()),
            ("registry_id", Value::int(registry_id)),
            ("schedule", "event_based".into()),
            ("filters", filters),
        ],
    );
    let state = h.converge("harbor_replication", &Value::Null, &pol).await;
    let import_id = format!(
        "/replication/policies/{}",
        state.i64_attr("replication_policy_id").unwrap()
    );

    // Imported filters come back one key per block (goharbor/harbor's style): such a config plans nothing.
    let one_key = |k: &str, v: &str| {
        let mut b = Value::object([
            ("name", Value::Null),
            ("tag", Value::Null),
            ("labels", Value::Null),
            ("resource", Value::Null),
            ("decoration", Value::Null),
        ]);
        b.set(k, v.into());
        b
    };
    let mut go_style = pol.clone();
    go_style.set(
        "filters",
        Value::Set(vec![one_key("name", "apps/**"), one_key("tag", "v*")]),
    );
    let imported = h.import("harbor_replication", &import_id).await;
    let (p, _) = h.plan("harbor_replication", &imported, &go_style).await;
    assert_eq!(p, imported, "import then plan is empty");

    // A config that groups the same filters in one block plans an update that costs no request.
    let (p, _) = h.plan("harbor_replication", &imported, &pol).await;
    assert_ne!(p, imported);
    let before = h.requests().await;
    h.apply("harbor_replication", &imported, &p, &pol)
        .await
        .unwrap();
    assert_eq!(
        h.requests().await,
        before,
        "regrouping filters sends nothing to Harbor"
    );

    let mut cron = pol.clone();
    cron.set("schedule", "0 0 2 * * *".into());
    h.converge("harbor_replication", &state, &cron).await;
}

impl Harness {
    async fn upgrade(&self, type_name: &str, version: i64, raw: serde_json::Value) -> Value {
        let ty = self.schema(type_name).ty();
        let r = self
            .svc
            .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: type_name.into(),
                version,
                raw_state: Some(pb::RawState {
                    json: serde_json::to_vec(&raw).unwrap(),
                    flatmap: Default::default(),
                }),
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(
            errors(&r.diagnostics).is_empty(),
            "upgrade: {:?}",
            errors(&r.diagnostics)
        );
        codec::from_msgpack(&ty, &r.upgraded_state.unwrap().msgpack).unwrap()
    }
}

/// State written by goharbor/harbor (SDKv2, schema version 0: zero values for unset attributes,
/// `project_id` as it stored it) upgrades, refreshes and plans nothing for the same configuration.
#[tokio::test]
async fn go_provider_project_state_migrates_without_changes() {
    let h = Harness::new().await;
    let t = "harbor_project";
    let config = h.config(
        t,
        &[
            ("name", "main".into()),
            ("public", true.into()),
            ("storage_quota", Value::int(5)),
        ],
    );
    let created = h.converge(t, &Value::Null, &config).await;
    let id = created.i64_attr("project_id").unwrap();
    let go_state = serde_json::json!({
        "id": format!("/projects/{id}"),
        "name": "main",
        "project_id": id,
        "registry_id": 0,
        "public": true,
        "vulnerability_scanning": true,
        "vulnerability_scanner": "",
        "storage_quota": 5,
        "cve_allowlist": [],
        "enable_content_trust": false,
        "enable_content_trust_cosign": false,
        "auto_sbom_generation": false,
        "deployment_security": "",
        "force_destroy": false,
        "proxy_speed_kb": -1,
        "proxy_cache_local_on_not_found": false
    });
    let upgraded = h.upgrade(t, 0, go_state).await;
    let fresh = h.read(t, &upgraded).await;
    let (planned, replace) = h.plan(t, &fresh, &config).await;
    assert!(replace.is_empty());
    assert_eq!(
        planned, fresh,
        "an unchanged configuration plans no changes after migrating"
    );
}

/// Resource types that declare no identity, and why. Every other type must have one.
const WITHOUT_IDENTITY: &[(&str, &str)] = &[
    ("harbor_config_system", SINGLETON),
    ("harbor_config_security", SINGLETON),
    ("harbor_garbage_collection", SINGLETON),
    ("harbor_purge_audit_log", SINGLETON),
    ("harbor_interrogation_services", SINGLETON),
    ("harbor_tasks", SINGLETON),
    ("harbor_config_auth", SINGLETON),
];

/// One per Harbor: there is nothing to tell apart, and its import id is a fixed path.
const SINGLETON: &str = "a Harbor-wide setting";

#[tokio::test]
async fn every_resource_declares_an_identity_and_import_by_identity_equals_import_by_path() {
    let h = Harness::new().await;
    let schemas = h
        .svc
        .get_resource_identity_schemas(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert!(schemas.diagnostics.is_empty());
    for (name, _) in h.svc.schemas().1 {
        let declared = schemas.identity_schemas.get(name);
        let exempt = WITHOUT_IDENTITY.iter().any(|(n, _)| *n == name);
        assert_eq!(
            declared.is_some(),
            !exempt,
            "{name}: identity declared = {}, exempt = {exempt}",
            declared.is_some()
        );
        if let Some(s) = declared {
            assert!(!s.identity_attributes.is_empty(), "{name}");
            for a in &s.identity_attributes {
                assert!(
                    a.required_for_import && !a.description.is_empty(),
                    "{name}.{}",
                    a.name
                );
            }
        }
    }

    // A project: its identity comes back on apply and read, and names it for import.
    let t = "harbor_project";
    let ity = Type::Object([("project_id".to_string(), Type::Number)].into());
    let config = h.config(t, &[("name", "ident".into())]);
    let state = h.converge(t, &Value::Null, &config).await;
    let pid = state.i64_attr("project_id").unwrap();
    let read = h
        .svc
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: t.into(),
            current_state: dv(&h.schema(t).ty(), &state),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let identity = read.new_identity.expect("read returns the identity");
    let got = codec::from_msgpack(&ity, &identity.identity_data.as_ref().unwrap().msgpack).unwrap();
    assert_eq!(got.get("project_id").as_i64(), Some(pid));

    let svc = &h.svc;
    let import = |v: Value| {
        let ity = ity.clone();
        async move {
            svc.import_resource_state(Request::new(pb::import_resource_state::Request {
                type_name: t.into(),
                identity: Some(pb::ResourceIdentityData {
                    identity_data: dv(&ity, &v),
                }),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner()
        }
    };
    let r = import(Value::object([("project_id", Value::from(pid))])).await;
    assert!(
        errors(&r.diagnostics).is_empty(),
        "{:?}",
        errors(&r.diagnostics)
    );
    let by_identity = codec::from_msgpack(
        &h.schema(t).ty(),
        &r.imported_resources[0].state.as_ref().unwrap().msgpack,
    )
    .unwrap();
    assert_eq!(by_identity, h.import(t, &format!("/projects/{pid}")).await);
    assert!(r.imported_resources[0].identity.is_some());

    // A wrong identity is refused naming the attribute.
    let r = import(Value::object([("project_id", Value::from(0))])).await;
    let errs = errors(&r.diagnostics);
    assert!(
        errs.len() == 1 && errs[0].contains("`project_id`"),
        "{errs:?}"
    );

    // A stored identity at version 0 reads back as it is.
    let up = h
        .svc
        .upgrade_resource_identity(Request::new(pb::upgrade_resource_identity::Request {
            type_name: t.into(),
            version: 0,
            raw_identity: Some(pb::RawState {
                json: format!("{{\"project_id\":{pid}}}").into_bytes(),
                ..Default::default()
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(up.diagnostics.is_empty());
    let got = codec::from_msgpack(
        &ity,
        &up.upgraded_identity.unwrap().identity_data.unwrap().msgpack,
    )
    .unwrap();
    assert_eq!(got.get("project_id").as_i64(), Some(pid));
}

/// `ListResource` (protocol 6.10, `terraform query`): no binary here calls it (Terraform 1.14 is
/// not buildable from the Go module proxy, OpenTofu 1.12 has no `query`), so it is proven here.
#[tokio::test]
async fn list_resources_find_projects_by_filter_with_identity_and_importable_objects() {
    use futures_util::StreamExt;
    let h = Harness::new().await;
    let t = "harbor_project";
    let mut made = Vec::new();
    for name in ["query-a", "query-b", "other"] {
        let state = h
            .converge(t, &Value::Null, &h.config(t, &[("name", name.into())]))
            .await;
        made.push((name, state.i64_attr("project_id").unwrap()));
    }

    let meta = h
        .svc
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let listed: Vec<_> = meta
        .list_resources
        .iter()
        .map(|l| l.type_name.as_str())
        .collect();
    assert_eq!(
        listed,
        [
            "harbor_project",
            "harbor_project_member_group",
            "harbor_project_member_user",
            "harbor_registry",
            "harbor_replication",
            "harbor_robot_account"
        ]
    );
    let schemas = h
        .svc
        .get_provider_schema(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(schemas.list_resource_schemas.len(), listed.len());

    let lty = Type::Object(
        [
            ("name".to_string(), Type::String),
            ("public".to_string(), Type::Bool),
        ]
        .into(),
    );
    let list = |filter: &str, include: bool, limit: i64| {
        let config = Value::object([("name", Value::from(filter)), ("public", Value::Null)]);
        let req = pb::list_resource::Request {
            type_name: t.into(),
            config: dv(&lty, &config),
            include_resource_object: include,
            limit,
        };
        async {
            h.svc
                .list_resource(Request::new(req))
                .await
                .unwrap()
                .into_inner()
                .map(|e| e.unwrap())
                .collect::<Vec<_>>()
                .await
        }
    };

    let events = list("query-", false, 0).await;
    let names: Vec<_> = events.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["query-a", "query-b"]);
    let ity = Type::Object([("project_id".to_string(), Type::Number)].into());
    for (e, (_, pid)) in events.iter().zip(&made) {
        assert!(e.diagnostic.is_empty() && e.resource_object.is_none());
        let id = codec::from_msgpack(
            &ity,
            &e.identity
                .as_ref()
                .unwrap()
                .identity_data
                .as_ref()
                .unwrap()
                .msgpack,
        )
        .unwrap();
        assert_eq!(id.get("project_id").as_i64(), Some(*pid));
    }

    // Objects when asked for: each the state an import of the same project gives.
    let events = list("query-", true, 1).await;
    assert_eq!(events.len(), 1, "limit 1");
    let object = codec::from_msgpack(
        &h.schema(t).ty(),
        &events[0].resource_object.as_ref().unwrap().msgpack,
    )
    .unwrap();
    assert_eq!(
        object,
        h.import(t, &format!("/projects/{}", made[0].1)).await
    );

    // A filter that matches nothing is an empty stream, not an error.
    assert!(list("nothing-matches", false, 0).await.is_empty());

    // Filters are validated like any configuration, naming the attribute.
    let bad = h
        .svc
        .validate_list_resource_config(Request::new(pb::validate_list_resource_config::Request {
            type_name: "harbor_registry".into(),
            config: dv(
                &Type::Object([("name".to_string(), Type::String)].into()),
                &Value::object([("name", Value::from(""))]),
            ),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let errs = errors(&bad.diagnostics);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        bad.diagnostics[0].attribute.is_some(),
        "the error names `name`"
    );
}

/// The member lists (`harbor_project_member_user`, `harbor_project_member_group`): one project's
/// members of the list's entity type, filtered by name, each with its identity and, when asked,
/// the state an import of the same membership gives. In-process for the reason above.
#[tokio::test]
async fn list_resources_find_the_members_of_a_project_by_entity_type_and_name() {
    use futures_util::StreamExt;
    let h = Harness::new().await;
    // Made through Harbor's API, as someone clicking in the UI would.
    let api = |method: reqwest::Method, path: &str, body: serde_json::Value| {
        let url = format!("{}/api/v2.0{path}", h.emulator.base_url());
        let req = h
            .http
            .request(method, url)
            .basic_auth("admin", Some("Harbor12345"))
            .json(&body);
        let path = path.to_string();
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {text}");
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default()
        }
    };
    let post = reqwest::Method::POST;
    api(
        post.clone(),
        "/projects",
        serde_json::json!({"project_name": "crew"}),
    )
    .await;
    for u in ["alice", "albert", "bob"] {
        api(
            post.clone(),
            "/users",
            serde_json::json!({"username": u, "email": format!("{u}@example.com"),
                               "realname": u, "password": "Harbor12345x"}),
        )
        .await;
        api(
            post.clone(),
            "/projects/crew/members",
            serde_json::json!({"role_id": 2, "member_user": {"username": u}}),
        )
        .await;
    }
    api(
        post.clone(),
        "/usergroups",
        serde_json::json!({"group_name": "alpha-ops", "group_type": 2}),
    )
    .await;
    let groups = api(reqwest::Method::GET, "/usergroups", serde_json::json!(null)).await;
    let gid = groups[0]["id"].as_i64().unwrap();
    api(
        post.clone(),
        "/projects/crew/members",
        serde_json::json!({"role_id": 3, "member_group": {"id": gid}}),
    )
    .await;
    let project = api(
        reqwest::Method::GET,
        "/projects/crew",
        serde_json::json!(null),
    )
    .await;
    let pid = project["project_id"].as_i64().unwrap();
    let members = api(
        reqwest::Method::GET,
        &format!("/projects/{pid}/members"),
        serde_json::json!(null),
    )
    .await;
    let member_id = |name: &str| {
        members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["entity_name"] == name)
            .and_then(|m| m["id"].as_i64())
            .unwrap()
    };

    let lty = Type::Object(
        [
            ("project".to_string(), Type::String),
            ("name".to_string(), Type::String),
        ]
        .into(),
    );
    let list = |t: &'static str, project: &str, name: Option<&str>, include: bool| {
        let config = Value::object([
            ("project", Value::from(project)),
            ("name", name.map(Value::from).unwrap_or(Value::Null)),
        ]);
        let req = pb::list_resource::Request {
            type_name: t.into(),
            config: dv(&lty, &config),
            include_resource_object: include,
            limit: 0,
        };
        async {
            h.svc
                .list_resource(Request::new(req))
                .await
                .unwrap()
                .into_inner()
                .map(|e| e.unwrap())
                .collect::<Vec<_>>()
                .await
        }
    };
    let ity = Type::Object(
        [
            ("project_id".to_string(), Type::Number),
            ("member_id".to_string(), Type::Number),
        ]
        .into(),
    );
    let identity = |e: &pb::list_resource::Event| {
        let v = codec::from_msgpack(
            &ity,
            &e.identity
                .as_ref()
                .unwrap()
                .identity_data
                .as_ref()
                .unwrap()
                .msgpack,
        )
        .unwrap();
        (
            v.get("project_id").as_i64().unwrap(),
            v.get("member_id").as_i64().unwrap(),
        )
    };

    // Users only (the creator, admin, is a user member too), in Harbor's order: by name.
    let users = list("harbor_project_member_user", "crew", None, false).await;
    let names: Vec<_> = users.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["admin", "albert", "alice", "bob"]);
    for e in &users {
        assert!(e.diagnostic.is_empty(), "{:?}", e.diagnostic);
        assert_eq!(identity(e), (pid, member_id(&e.display_name)));
    }

    // `name` keeps the members whose name contains it; the project may be named by id path.
    let al = list(
        "harbor_project_member_user",
        &format!("/projects/{pid}"),
        Some("al"),
        true,
    )
    .await;
    let names: Vec<_> = al.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["albert", "alice"]);
    let object = codec::from_msgpack(
        &h.schema("harbor_project_member_user").ty(),
        &al[1].resource_object.as_ref().unwrap().msgpack,
    )
    .unwrap();
    assert_eq!(
        object,
        h.import(
            "harbor_project_member_user",
            &format!("/projects/{pid}/members/{}", member_id("alice"))
        )
        .await
    );

    // Groups only, even where a user's name matches too.
    let groups = list("harbor_project_member_group", "crew", Some("al"), true).await;
    let names: Vec<_> = groups.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(names, ["alpha-ops"]);
    assert_eq!(identity(&groups[0]), (pid, member_id("alpha-ops")));
    assert!(
        groups[0].resource_object.is_some(),
        "{:?}",
        groups[0].diagnostic
    );

    // A project that does not exist is an error naming `project`, not an empty list.
    let missing = list("harbor_project_member_user", "nowhere", None, false).await;
    assert_eq!(missing.len(), 1);
    let d = &missing[0].diagnostic;
    assert_eq!(errors(d).len(), 1, "{d:?}");
    assert!(errors(d)[0].contains("Project nowhere not found"), "{d:?}");
    assert!(d[0].attribute.is_some(), "the error names `project`");
}

/// Harbor allows an empty `robot_name_prefix` (a `StringType` configuration item, which the
/// emulator now stores too), so `harbor_config_system` must not refuse it at plan time.
#[tokio::test]
async fn config_system_accepts_an_empty_robot_name_prefix() {
    let h = Harness::new().await;
    let t = "harbor_config_system";
    let config = h.config(t, &[("robot_name_prefix", Value::from(""))]);
    assert_eq!(errors(&h.validate(t, &config).await), Vec::<String>::new());
}

/// Terraform destroys `harbor_tasks` and `harbor_interrogation_services` in parallel, and both
/// remove Harbor's one scan-all schedule. A real Harbor v2.15.2 answered the later removal 404
/// "execution N not found" (`UpdateScanAllSchedule` read the schedule, then `UnScheduleByID`
/// found the other removal had got there first; FIDELITY.md, 2026-11-30). The emulator takes
/// one request at a time, so the race is staged: the schedule is already gone, and fault
/// injection answers the removal's PUT 404. The provider re-reads, finds nothing scheduled, and
/// the destroy succeeds.
#[tokio::test]
async fn removing_a_scan_all_schedule_another_removal_beat_is_not_an_error() {
    let h = Harness::new().await;
    let t = "harbor_interrogation_services";
    let config = h.config(t, &[("vulnerability_scan_policy", "daily".into())]);
    let state = h.converge(t, &Value::Null, &config).await;
    let base = h.emulator.base_url().to_string();
    let put_none = h
        .http
        .put(format!("{base}/api/v2.0/system/scanAll/schedule"))
        .basic_auth("admin", Some("Harbor12345"))
        .json(&serde_json::json!({"schedule": {"type": "None"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(put_none.status(), 200, "the other removal");
    let faults = h
        .http
        .post(format!("{base}/_emulator/faults"))
        .json(&serde_json::json!({
            "error_rate": 1.0,
            "error_status": 404,
            "spare": ["GET /api/v2.0/system/scanAll/schedule", "GET /api/v2.0/scanners"],
        }))
        .send()
        .await
        .unwrap();
    assert!(faults.status().is_success());
    let destroyed = h.apply(t, &state, &Value::Null, &Value::Null).await;
    assert!(destroyed.is_ok(), "{destroyed:?}");
}
