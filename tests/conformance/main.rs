//! Conformance: the emulator's answers, and the requests the provider's Harbor client sends,
//! checked against Harbor's own swagger spec (`../shared/reference/harbor-swagger-v2.15.2.yaml`).
//! The emulator records every exchange; each one is validated and every violation reported at
//! once. Where the spec disagrees with how Harbor really behaves, [`ALLOWED`] says so, with why.

#[path = "../acceptance/harness.rs"]
mod harness;
mod spec;
#[path = "../acceptance/target.rs"]
mod target;

use serde_json::{Value, json};
use terraform_provider_harbor::harbor::models::{
    CveAllowlist, CveAllowlistItem, ProjectMetadata, ProjectReq, Registry, RegistryCredential,
    RegistryPing, RegistryUpdate, ReplicationFilter, ReplicationPolicy, ReplicationTrigger,
    ReplicationTriggerSettings, Robot, RobotCreate, RobotPermission,
};
use terraform_provider_harbor::harbor::{
    Client, ClientConfig, ProjectListFilter, ProjectRef, Secret,
};

use spec::{Exchange, Side, Spec, Violation};

/// The `X-Request-Id` of requests the test makes invalid on purpose.
const DELIBERATELY_INVALID: &str = "deliberately-invalid";

/// One known, explained disagreement between the spec and Harbor as it really answers.
struct Allowed {
    /// `METHOD /spec/path`.
    operation: &'static str,
    status: u16,
    side: Side,
    /// A JSON pointer, `""` for the body itself.
    pointer: &'static str,
    /// How the violation's message starts.
    message: &'static str,
    /// Why the spec is wrong here, with the source.
    reason: &'static str,
}

/// Short on purpose: each entry is a place where the spec is wrong, not the emulator or client.
/// All are statuses Harbor answers but the 2.15.2 spec leaves out (goharbor/harbor `main`
/// documents more of them); their bodies are still checked against `Errors`.
const ALLOWED: &[Allowed] = &[
    Allowed {
        operation: "GET /system/gc/schedule",
        status: 200,
        side: Side::Response,
        pointer: "",
        message: "the spec documents a body for this status, none was sent",
        reason: "with no schedule set Harbor answers 200 with no payload (handler/gc.go GetGCSchedule), which \
                 go-swagger sends as an empty body",
    },
    Allowed {
        operation: "GET /system/purgeaudit/schedule",
        status: 200,
        side: Side::Response,
        pointer: "",
        message: "the spec documents a body for this status, none was sent",
        reason: "with no schedule set Harbor answers 200 with no payload (handler/purge.go GetPurgeSchedule), which \
                 go-swagger sends as an empty body",
    },
    Allowed {
        operation: "GET /system/scanAll/schedule",
        status: 200,
        side: Side::Response,
        pointer: "",
        message: "the spec documents a body for this status, none was sent",
        reason: "with no schedule set Harbor answers 200 with no payload (handler/scan_all.go GetScanAllSchedule (a nil `Schedule.ToSwagger()`)), which \
                 go-swagger sends as an empty body",
    },
    Allowed {
        operation: "GET /projects/{project_name_or_id}",
        status: 404,
        side: Side::Response,
        pointer: "",
        message: "status 404 is not documented",
        reason: "Harbor answers 404 NOT_FOUND to an admin asking for a project that does not \
                 exist (harbor-api.md section 2; handler/project.go); the spec lists 200/401/500",
    },
    Allowed {
        operation: "GET /projects/{project_name_or_id}",
        status: 403,
        side: Side::Response,
        pointer: "",
        message: "status 403 is not documented",
        reason: "a non-admin asking for a project that does not exist gets 403, because the \
                 permission check runs first with project id 0 (harbor-api.md section 2; \
                 handler/base.go HasProjectPermission)",
    },
    Allowed {
        operation: "POST /projects",
        status: 403,
        side: Side::Response,
        pointer: "",
        message: "status 403 is not documented",
        reason: "a project robot gets 403 \"Only system level robot can create project\" \
                 (handler/project.go CreateProject); the spec lists 201/400/401/409/500",
    },
    Allowed {
        operation: "GET /projects",
        status: 422,
        side: Side::Response,
        pointer: "",
        message: "status 422 is not documented",
        reason: "binding errors such as page_size > 100 are 422 UNPROCESSABLE_ENTITY \
                 (harbor-api.md sections 2 and 3; handler/handler.go serveError); only main's spec \
                 documents 422 here",
    },
    Allowed {
        operation: "POST /scanners",
        status: 409,
        side: Side::Response,
        pointer: "",
        message: "status 409 is not documented",
        reason: "a duplicate scanner name or URL is 409 CONFLICT (harbor-api.md section 9); the \
                 spec omits 409",
    },
    Allowed {
        operation: "POST /system/gc/schedule",
        status: 412,
        side: Side::Response,
        pointer: "",
        message: "status 412 is not documented",
        reason: "creating a schedule when one exists is 412 \"fail to set schedule as always had \
                 one\" (handler/gc.go); the spec omits 412 here but documents it for scanAll",
    },
    Allowed {
        operation: "POST /system/purgeaudit/schedule",
        status: 412,
        side: Side::Response,
        pointer: "",
        message: "status 412 is not documented",
        reason: "the same precondition as GC: a second schedule is 412 (handler/purge.go shares \
                 gc.go's scheduling); the spec omits 412",
    },
    Allowed {
        operation: "POST /system/scanAll/schedule",
        status: 201,
        side: Side::Response,
        pointer: "",
        message: "the spec declares a Location header",
        reason: "POST /system/scanAll/schedule answers 201 with no Location (harbor-api.md \
                 section 2; handler/scan_all.go), though the spec declares one",
    },
    Allowed {
        operation: "POST /robots",
        status: 409,
        side: Side::Response,
        pointer: "",
        message: "status 409 is not documented",
        reason: "a duplicate robot name is 409 CONFLICT \"robot account ... already exists\" \
                 (harbor-api.md section 6; pkg/robot/dao/dao.go); the spec omits 409",
    },
    Allowed {
        operation: "POST /replication/executions",
        status: 412,
        side: Side::Response,
        pointer: "",
        message: "status 412 is not documented",
        reason: "starting a disabled policy is 412 PRECONDITION \"the policy N is disabled\" \
                 (harbor-api.md section 8); the spec omits 412",
    },
    Allowed {
        operation: "POST /projects/{project_name_or_id}/immutabletagrules",
        status: 201,
        side: Side::Response,
        pointer: "",
        message: "Location `/api/v2.0/projects/",
        reason: "CreateImmuRule (handler/immutable.go) sets Location to the request path plus the \
                 new id, but the API has no GET of a single immutable rule: it is read from the list",
    },
    Allowed {
        operation: "POST /retentions/{id}/executions",
        status: 201,
        side: Side::Response,
        pointer: "",
        message: "Location `/api/v2.0/retentions/",
        reason: "TriggerRetentionExecution (handler/retention.go) sets Location to the request path \
                 plus the execution id, and the API has no GET of a single retention execution",
    },
];

fn allowed(v: &Violation) -> Option<&'static Allowed> {
    ALLOWED.iter().find(|a| {
        a.operation == v.operation
            && a.status == v.status
            && a.side == v.side
            && a.pointer == v.pointer
            && v.message.starts_with(a.message)
    })
}

/// Validates every exchange; panics once, listing every violation not on the allow-list (and,
/// with `all_allowances_used`, every allow-list entry nothing needed any more).
fn assert_conforms(spec: &Spec, exchanges: &[Exchange], what: &str, all_allowances_used: bool) {
    assert!(
        !exchanges.is_empty(),
        "{what}: the emulator recorded nothing"
    );
    let mut failures = Vec::new();
    let mut excused = 0;
    let mut covered = std::collections::BTreeSet::new();
    let mut used = std::collections::BTreeSet::new();
    for ex in exchanges {
        let query: Vec<_> = ex
            .query
            .iter()
            .flat_map(|q| q.split('&'))
            .map(|pair| pair.split('=').next().unwrap_or(""))
            .collect();
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        covered.insert(format!(
            "{} {}{query} -> {}",
            ex.method, ex.route, ex.status
        ));
        // A request the test makes invalid on purpose, to see the error, is not the client's.
        let deliberate = ex.request_headers.get("x-request-id").map(String::as_str)
            == Some(DELIBERATELY_INVALID);
        for v in spec.check(ex) {
            if deliberate && v.side == Side::Request {
                continue;
            }
            match allowed(&v) {
                Some(a) => {
                    excused += 1;
                    used.insert(a.reason);
                    eprintln!("allowed: {v}\n  because {}", a.reason);
                }
                None => failures.push(v.to_string()),
            }
        }
    }
    eprintln!(
        "{what}: covered\n  {}",
        Vec::from_iter(covered).join("\n  ")
    );
    failures.sort();
    failures.dedup();
    if all_allowances_used {
        for a in ALLOWED.iter().filter(|a| !used.contains(a.reason)) {
            failures.push(format!(
                "allow-list entry for {} -> {} matched nothing; remove it",
                a.operation, a.status
            ));
        }
    }
    eprintln!(
        "{what}: {} exchanges checked, {excused} allow-listed violations, {} failures",
        exchanges.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{what}: {} violations of the Harbor v2.15.2 spec:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

/// The exchanges recorded so far, and the operations they cover (`METHOD /route`).
async fn exchanges(http: &reqwest::Client, base_url: &str) -> Vec<Exchange> {
    http.get(format!("{base_url}/_emulator/exchanges"))
        .send()
        .await
        .expect("exchange log")
        .json()
        .await
        .expect("exchange log is JSON")
}

fn admin_client(url: &str) -> Client {
    let mut config = ClientConfig::new(url).with_basic_auth("admin", "Harbor12345");
    // Errors are part of the test; retrying them only adds noise to the log.
    config.max_retries = 0;
    Client::new(config).expect("client")
}

fn project_permission(project: &str) -> RobotPermission {
    serde_json::from_value(json!({"kind": "project", "namespace": project, "access": [
        {"resource": "repository", "action": "pull", "effect": "allow"},
        {"resource": "repository", "action": "push", "effect": "allow"}]}))
    .unwrap()
}

fn status_of<T: std::fmt::Debug>(r: Result<T, terraform_provider_harbor::harbor::Error>) -> u16 {
    r.expect_err("this call must fail").status().unwrap_or(0)
}

/// One call as the admin; the status, the JSON body (or null) and the Location header.
async fn raw(
    http: &reqwest::Client,
    url: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value, Option<String>) {
    raw_with_id(http, url, method, path, body, "conformance").await
}

async fn raw_with_id(
    http: &reqwest::Client,
    url: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    request_id: &str,
) -> (u16, Value, Option<String>) {
    let mut req = http
        .request(method.parse().unwrap(), format!("{url}/api/v2.0{path}"))
        .basic_auth("admin", Some("Harbor12345"))
        .header("X-Request-Id", request_id);
    if path.starts_with("/projects/") {
        req = req.header("X-Is-Resource-Name", "true");
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("emulator answers");
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body, location)
}

/// Routes the typed client never calls: metadata, system jobs, scanner registrations, registry
/// info, execution stop and tasks, health; each answer is checked like the rest.
async fn raw_sweep(http: &reqwest::Client, url: &str, project: &str, remote: &str, execution: i64) {
    let expect = |call: (u16, Value, Option<String>), status: u16, what: &str| {
        assert_eq!(call.0, status, "{what}: {}", call.1);
        call
    };
    expect(raw(http, url, "GET", "/health", None).await, 200, "health");
    let meta = format!("/projects/{project}/metadatas");
    expect(
        raw(http, url, "GET", &format!("{meta}/"), None).await,
        200,
        "metadata",
    );
    expect(
        raw(
            http,
            url,
            "POST",
            &format!("{meta}/"),
            Some(json!({"auto_scan": "true"})),
        )
        .await,
        200,
        "add metadata",
    );
    expect(
        raw(http, url, "GET", &format!("{meta}/auto_scan"), None).await,
        200,
        "get key",
    );
    expect(
        raw(
            http,
            url,
            "PUT",
            &format!("{meta}/auto_scan"),
            Some(json!({"auto_scan": "false"})),
        )
        .await,
        200,
        "put key",
    );
    expect(
        raw(http, url, "DELETE", &format!("{meta}/auto_scan"), None).await,
        200,
        "delete key",
    );
    // `manager.Get` of a key with no row: 200 `{}` (handler/project_metadata.go).
    expect(
        raw(http, url, "GET", &format!("{meta}/nope"), None).await,
        200,
        "missing key",
    );

    expect(
        raw(http, url, "GET", "/system/CVEAllowlist", None).await,
        200,
        "allowlist",
    );
    expect(
        raw(
            http,
            url,
            "PUT",
            "/system/CVEAllowlist",
            Some(json!({"items": [{"cve_id": "CVE-2024-0001"}], "expires_at": 4102444800i64})),
        )
        .await,
        200,
        "put allowlist",
    );
    let cron = json!({"type": "Custom", "cron": "0 0 3 * * *"});
    for (job, parameters) in [
        ("scanAll", None),
        ("gc", Some(json!({"delete_untagged": true, "workers": 1}))),
        (
            "purgeaudit",
            Some(
                json!({"audit_retention_hour": 24, "include_event_types": "create_artifact", "dry_run": false}),
            ),
        ),
    ] {
        let path = format!("/system/{job}/schedule");
        let mut body = json!({"schedule": cron});
        if let Some(p) = parameters {
            body["parameters"] = p;
        }
        expect(
            raw(http, url, "GET", &path, None).await,
            200,
            "no schedule yet",
        );
        let created = raw(http, url, "POST", &path, Some(body.clone())).await;
        assert!(created.0 == 201 || created.0 == 200, "{job}: {}", created.1);
        expect(
            raw(http, url, "POST", &path, Some(body.clone())).await,
            412,
            "schedule exists",
        );
        expect(
            raw(http, url, "PUT", &path, Some(body)).await,
            200,
            "update schedule",
        );
        expect(raw(http, url, "GET", &path, None).await, 200, "schedule");
    }

    // Harbor asks a scanner's adapter for its metadata before registering it: a real listener.
    let scanner =
        json!({"name": "other", "url": scanner_adapter().await, "description": "d", "auth": ""});
    let (_, _, location) = expect(
        raw(http, url, "POST", "/scanners", Some(scanner.clone())).await,
        201,
        "scanner",
    );
    let uuid = location
        .expect("Location")
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    expect(
        raw(http, url, "POST", "/scanners", Some(scanner)).await,
        409,
        "duplicate scanner",
    );
    let one = format!("/scanners/{uuid}");
    expect(raw(http, url, "GET", &one, None).await, 200, "get scanner");
    expect(
        raw(
            http,
            url,
            "PUT",
            &one,
            Some(json!({"name": "other", "url": "http://127.0.0.1:10"})),
        )
        .await,
        200,
        "update scanner",
    );
    expect(
        raw(http, url, "PATCH", &one, Some(json!({"is_default": true}))).await,
        200,
        "default",
    );
    let trivy = harbor_emulator::state::TRIVY_UUID;
    expect(
        raw(
            http,
            url,
            "PATCH",
            &format!("/scanners/{trivy}"),
            Some(json!({"is_default": true})),
        )
        .await,
        200,
        "back",
    );
    expect(
        raw(http, url, "DELETE", &format!("/scanners/{trivy}"), None).await,
        403,
        "immutable",
    );
    expect(
        raw(http, url, "DELETE", &one, None).await,
        200,
        "delete scanner",
    );

    let registry = json!({"name": "info", "type": "harbor", "url": remote, "insecure": false,
        "credential": {"type": "basic", "access_key": "admin", "access_secret": "Harbor12345"}});
    let (_, _, location) = expect(
        raw(http, url, "POST", "/registries", Some(registry)).await,
        201,
        "registry",
    );
    let id = location
        .expect("Location")
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    expect(
        raw(http, url, "GET", &format!("/registries/{id}/info"), None).await,
        200,
        "info",
    );
    expect(
        raw(
            http,
            url,
            "POST",
            "/registries/ping",
            Some(json!({"type": "harbor", "url": "http://10.0.0.1"})),
        )
        .await,
        400,
        "unhealthy",
    );
    expect(
        raw(http, url, "DELETE", &format!("/registries/{id}"), None).await,
        200,
        "delete",
    );

    let run = format!("/replication/executions/{execution}");
    expect(
        raw(http, url, "GET", &format!("{run}/tasks"), None).await,
        200,
        "tasks",
    );
    expect(raw(http, url, "PUT", &run, None).await, 200, "stop");
    expect(
        raw(
            http,
            url,
            "GET",
            "/projects?with_detail=false&public=false&page=1&page_size=100",
            None,
        )
        .await,
        200,
        "list",
    );
    expect(
        raw_with_id(
            http,
            url,
            "GET",
            "/projects?page_size=101",
            None,
            DELIBERATELY_INVALID,
        )
        .await,
        422,
        "page size",
    );
    // Webhook policies and their event list, preheat instances and providers.
    let hooks = format!("/projects/{project}/webhook/policies");
    let created = expect(
        raw(
            http,
            url,
            "POST",
            &hooks,
            Some(json!({"name": "sweep", "enabled": true, "event_types": ["PUSH_ARTIFACT"],
                "targets": [{"type": "http", "address": "http://127.0.0.1:9/hook", "skip_cert_verify": true}]})),
        )
        .await,
        201,
        "webhook create",
    );
    let hook = created
        .2
        .expect("Location")
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    expect(
        raw(http, url, "GET", &hooks, None).await,
        200,
        "webhook list",
    );
    expect(
        raw(http, url, "GET", &format!("{hooks}/{hook}"), None).await,
        200,
        "webhook get",
    );
    expect(
        raw(
            http,
            url,
            "GET",
            &format!("/projects/{project}/webhook/events"),
            None,
        )
        .await,
        200,
        "webhook events",
    );
    expect(
        raw(http, url, "DELETE", &format!("{hooks}/{hook}"), None).await,
        200,
        "webhook delete",
    );
    expect(
        raw(http, url, "GET", "/p2p/preheat/providers", None).await,
        200,
        "preheat providers",
    );
    expect(
        raw(
            http,
            url,
            "POST",
            "/p2p/preheat/instances",
            Some(
                json!({"name": "sweep", "vendor": "kraken", "endpoint": "http://127.0.0.1:9",
                "auth_mode": "NONE", "enabled": true}),
            ),
        )
        .await,
        201,
        "preheat create",
    );
    expect(
        raw(http, url, "GET", "/p2p/preheat/instances", None).await,
        200,
        "preheat list",
    );
    expect(
        raw(http, url, "GET", "/p2p/preheat/instances/sweep", None).await,
        200,
        "preheat get",
    );
    expect(
        raw(http, url, "DELETE", "/p2p/preheat/instances/sweep", None).await,
        200,
        "preheat delete",
    );
    // Immutable rules and retention answer 201 with a Location that has no GET (allow-listed).
    let rule = json!({"action": "immutable", "template": "immutable_template",
        "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "v*"}],
        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}});
    expect(
        raw(
            http,
            url,
            "POST",
            &format!("/projects/{project}/immutabletagrules"),
            Some(rule),
        )
        .await,
        201,
        "immutable rule",
    );
    let (_, p, _) = raw(http, url, "GET", &format!("/projects/{project}"), None).await;
    let policy = json!({"algorithm": "or", "rules": [], "trigger": {"kind": "Schedule", "settings": {"cron": ""}},
        "scope": {"level": "project", "ref": p["project_id"]}});
    let (status, _, location) = raw(http, url, "POST", "/retentions", Some(policy)).await;
    assert_eq!(status, 201, "retention policy");
    let id = location.unwrap().rsplit('/').next().unwrap().to_owned();
    expect(
        raw(
            http,
            url,
            "POST",
            &format!("/retentions/{id}/executions"),
            Some(json!({"dry_run": true})),
        )
        .await,
        201,
        "retention dry run",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_responses_conform_to_the_spec() {
    let spec = Spec::load();
    let harbor = harbor_emulator::start(harbor_emulator::Config {
        record_exchanges: true,
        ..Default::default()
    })
    .await
    .expect("emulator");
    // The remote end of a registry, so its health check passes.
    let remote = harbor_emulator::start(harbor_emulator::Config::default())
        .await
        .expect("remote emulator");
    let url = harbor.base_url().to_string();
    let c = admin_client(&url);
    let http = reqwest::Client::new();

    // System.
    c.connect().await.expect("connect");
    c.ping().await.expect("ping");
    c.systeminfo().await.expect("systeminfo");
    c.current_user().await.expect("current user");
    c.get_configurations().await.expect("configurations");
    let mut settings = serde_json::Map::new();
    settings.insert("robot_token_duration".into(), json!(30));
    settings.insert("project_creation_restriction".into(), json!("everyone"));
    c.update_configurations(&settings)
        .await
        .expect("put configurations");
    c.permissions().await.expect("permissions");
    let anonymous = Client::new(ClientConfig::new(&url)).unwrap();
    assert_eq!(status_of(anonymous.current_user().await), 401);

    // Projects.
    let name = "apps";
    let by_name = ProjectRef::from(name);
    let req = ProjectReq {
        project_name: Some(name.into()),
        metadata: Some(ProjectMetadata {
            public: Some("false".into()),
            auto_scan: Some("true".into()),
            severity: Some("high".into()),
            prevent_vul: Some("true".into()),
            ..Default::default()
        }),
        cve_allowlist: Some(CveAllowlist {
            items: vec![CveAllowlistItem {
                cve_id: "CVE-2024-0001".into(),
            }],
            expires_at: Some(4_102_444_800),
            ..Default::default()
        }),
        storage_limit: Some(10 * 1024 * 1024 * 1024),
        ..Default::default()
    };
    let id = c.create_project(&req).await.expect("create project");
    assert_eq!(status_of(c.create_project(&req).await), 409);
    let bad = ProjectReq {
        project_name: Some("Not Valid".into()),
        ..Default::default()
    };
    assert_eq!(status_of(c.create_project(&bad).await), 400);
    c.get_project(&by_name).await.expect("get by name");
    let project = c.get_project(&ProjectRef::Id(id)).await.expect("get by id");
    assert_eq!(
        status_of(c.get_project(&ProjectRef::from("missing")).await),
        404
    );
    c.list_projects(&ProjectListFilter::default())
        .await
        .unwrap();
    c.find_project(name).await.unwrap().expect("found");
    assert!(c.project_exists(name).await.unwrap());
    assert!(!c.project_exists("missing").await.unwrap());
    let update = ProjectReq {
        metadata: Some(ProjectMetadata {
            public: Some("true".into()),
            ..project.metadata.clone()
        }),
        cve_allowlist: Some(project.cve_allowlist.clone()),
        ..Default::default()
    };
    c.update_project(&by_name, &update).await.expect("update");
    c.delete_project_metadata(&by_name, "auto_scan")
        .await
        .expect("delete metadata");
    c.project_summary(&by_name).await.expect("summary");
    c.project_deletable(&by_name).await.expect("deletable");

    // Quotas.
    let quotas = c.list_project_quotas(id).await.expect("quotas");
    let quota_id = quotas[0].id;
    c.get_quota(quota_id).await.expect("quota");
    c.update_quota_storage(quota_id, 20 * 1024 * 1024 * 1024)
        .await
        .expect("update quota");
    assert_eq!(status_of(c.update_quota_storage(quota_id, 0).await), 400);
    assert_eq!(status_of(c.get_quota(999_999).await), 404);

    // Robots: a system robot with a project permission, and a project robot.
    let system_robot = RobotCreate {
        name: "ci".into(),
        description: Some("conformance".into()),
        duration: Some(30),
        level: "system".into(),
        permissions: vec![
            serde_json::from_value(json!({"kind": "system", "namespace": "/", "access": [
                {"resource": "project", "action": "list", "effect": "allow"}]}))
            .unwrap(),
            project_permission(name),
        ],
        ..Default::default()
    };
    let created = c.create_robot(&system_robot).await.expect("system robot");
    assert_eq!(status_of(c.create_robot(&system_robot).await), 409);
    let project_robot = RobotCreate {
        name: "push".into(),
        duration: Some(-1),
        level: "project".into(),
        permissions: vec![project_permission(name)],
        ..Default::default()
    };
    let project_robot_created = c.create_robot(&project_robot).await.expect("robot");
    let project_robot_id = project_robot_created.id;
    let invalid = RobotCreate {
        name: "bad".into(),
        duration: Some(-1),
        level: "system".into(),
        permissions: vec![
            serde_json::from_value(json!({"kind": "system", "namespace": "/", "access": [
                {"resource": "no-such-thing", "action": "list", "effect": "allow"}]}))
            .unwrap(),
        ],
        ..Default::default()
    };
    assert_eq!(status_of(c.create_robot(&invalid).await), 400);
    let robot: Robot = c.get_robot(created.id).await.expect("get robot");
    // What a robot and an anonymous caller may not do.
    let as_robot = Client::new(
        ClientConfig::new(&url).with_basic_auth(created.name.clone(), created.secret.clone()),
    )
    .unwrap();
    assert_eq!(status_of(as_robot.get_quota(quota_id).await), 403);
    // In `everyone` mode any system robot passes `CreateProject`'s checks (the name is taken:
    // 409); a project robot never does (403 "Only system level robot can create project").
    assert_eq!(status_of(as_robot.create_project(&req).await), 409);
    let as_project_robot = Client::new(ClientConfig::new(&url).with_basic_auth(
        project_robot_created.name.clone(),
        project_robot_created.secret.clone(),
    ))
    .unwrap();
    assert_eq!(status_of(as_project_robot.create_project(&req).await), 403);
    assert_eq!(
        status_of(as_robot.get_project(&ProjectRef::from("missing")).await),
        403
    );
    assert_eq!(status_of(anonymous.create_project(&req).await), 401);
    c.list_system_robots().await.expect("system robots");
    c.list_project_robots(id).await.expect("project robots");
    let mut changed = robot.clone();
    changed.description = "changed".into();
    changed.disable = true;
    c.update_robot(created.id, &changed)
        .await
        .expect("update robot");
    c.refresh_robot_secret(created.id, None)
        .await
        .expect("refresh");
    c.refresh_robot_secret(created.id, Some(Secret::new("Sup3rSecretValue")))
        .await
        .expect("set secret");
    c.delete_robot(project_robot_id)
        .await
        .expect("delete robot");
    assert_eq!(status_of(c.get_robot(project_robot_id).await), 404);

    // Registries, pointing at the second emulator.
    let registry = Registry {
        name: "remote".into(),
        url: remote.base_url().into(),
        registry_type: "harbor".into(),
        credential: Some(RegistryCredential {
            credential_type: Some("basic".into()),
            access_key: Some("admin".into()),
            access_secret: Some(Secret::new("Harbor12345")),
        }),
        description: Some("conformance".into()),
        ..Default::default()
    };
    let registry_id = c.create_registry(&registry).await.expect("registry");
    assert_eq!(status_of(c.create_registry(&registry).await), 409);
    c.get_registry(registry_id).await.expect("get registry");
    c.list_registries(None).await.expect("registries");
    c.find_registry("remote").await.unwrap().expect("found");
    c.update_registry(
        registry_id,
        &RegistryUpdate {
            description: Some("changed".into()),
            insecure: Some(true),
            ..Default::default()
        },
    )
    .await
    .expect("update registry");
    assert!(
        c.ping_registry(&RegistryPing {
            id: Some(registry_id),
            ..Default::default()
        })
        .await
        .expect("ping registry")
    );
    c.registry_adapters().await.expect("adapters");
    c.registry_adapter_infos().await.expect("adapter infos");
    assert_eq!(status_of(c.get_registry(999_999).await), 404);

    // Replication: a scheduled push with filters, and a manual pull that runs.
    let push = ReplicationPolicy {
        name: "push".into(),
        description: Some("conformance".into()),
        dest_registry: Some(Registry::reference(registry_id)),
        dest_namespace: Some("mirror".into()),
        dest_namespace_replace_count: Some(1),
        trigger: Some(ReplicationTrigger {
            trigger_type: "scheduled".into(),
            trigger_settings: Some(ReplicationTriggerSettings {
                cron: "0 0 2 * * *".into(),
            }),
        }),
        filters: vec![
            ReplicationFilter {
                filter_type: "name".into(),
                value: json!("apps/**"),
                decoration: None,
            },
            ReplicationFilter {
                filter_type: "tag".into(),
                value: json!("v*"),
                decoration: Some("matches".into()),
            },
            ReplicationFilter {
                filter_type: "label".into(),
                value: json!(["release"]),
                decoration: Some("excludes".into()),
            },
            ReplicationFilter {
                filter_type: "resource".into(),
                value: json!("image"),
                decoration: None,
            },
        ],
        deletion: true,
        replicate_deletion: true,
        override_: true,
        enabled: true,
        speed: Some(1024),
        copy_by_chunk: Some(false),
        single_active_replication: Some(false),
        ..Default::default()
    };
    let push_id = c
        .create_replication_policy(&push)
        .await
        .expect("push policy");
    assert_eq!(status_of(c.create_replication_policy(&push).await), 409);
    let pull = ReplicationPolicy {
        name: "pull".into(),
        src_registry: Some(Registry::reference(registry_id)),
        trigger: Some(ReplicationTrigger {
            trigger_type: "manual".into(),
            trigger_settings: None,
        }),
        enabled: true,
        ..Default::default()
    };
    let pull_id = c.create_replication_policy(&pull).await.expect("pull");
    let mut fetched = c.get_replication_policy(push_id).await.expect("policy");
    c.list_replication_policies(None).await.expect("policies");
    c.find_replication_policy("push")
        .await
        .unwrap()
        .expect("found");
    fetched.description = Some("changed".into());
    fetched.enabled = false;
    c.update_replication_policy(push_id, &fetched)
        .await
        .expect("update policy");
    assert_eq!(status_of(c.start_replication(push_id).await), 412);
    let execution = c.start_replication(pull_id).await.expect("execution");
    c.get_replication_execution(execution)
        .await
        .expect("get execution");
    c.list_replication_executions(pull_id)
        .await
        .expect("executions");
    assert_eq!(status_of(c.get_replication_execution(999_999).await), 404);
    // The rest of the emulator's routes, which the client does not use, over plain HTTP.
    raw_sweep(&http, &url, name, remote.base_url(), execution).await;
    assert_eq!(status_of(c.delete_registry(registry_id).await), 412);
    c.delete_replication_policy(push_id).await.expect("delete");
    c.delete_replication_policy(pull_id).await.expect("delete");
    c.delete_registry(registry_id)
        .await
        .expect("delete registry");

    // Scanners.
    let scanners = c.list_scanners().await.expect("scanners");
    c.get_project_scanner(&by_name)
        .await
        .expect("project scanner");
    c.set_project_scanner(&by_name, &scanners[0].uuid)
        .await
        .expect("set scanner");

    // Repositories: a seeded one blocks the project's deletion until it is gone.
    let seeded = http
        .post(format!("{url}/_emulator/projects/{name}/repositories"))
        .json(&json!({"name": "web"}))
        .send()
        .await
        .unwrap();
    assert_eq!(seeded.status(), 201);
    c.list_repositories(name).await.expect("repositories");
    assert_eq!(status_of(c.delete_project(&by_name).await), 412);
    c.delete_repository(name, "web").await.expect("delete repo");
    c.delete_robot(created.id).await.expect("delete robot");
    c.delete_project(&by_name).await.expect("delete project");

    let log = exchanges(&http, &url).await;
    remote.shutdown().await;
    harbor.shutdown().await;
    assert_conforms(&spec, &log, "client against the emulator", true);
}

#[test]
fn provider_requests_during_terraform_apply_conform() {
    let spec = Spec::load();
    let tf = harness::terraforms()
        .last()
        .expect("a Terraform binary")
        .clone();
    let h = target::Harbor::emulator(harbor_emulator::Config {
        record_exchanges: true,
        ..Default::default()
    });
    // The registry's remote end, so Harbor's health check passes.
    let remote = harbor_emulator::spawn_background(harbor_emulator::Config::default())
        .expect("remote emulator");
    // A project made outside Terraform, for `harbor_project_quota`.
    let r = h.call(
        "POST",
        "/projects",
        Some(json!({"project_name": "team-a", "metadata": {"public": "false"}})),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let config = format!(
        r#"{required}{provider}
resource "harbor_project" "apps" {{
  name                   = "apps"
  public                 = false
  vulnerability_scanning = true
  storage_quota          = 10
  deployment_security    = "high"
  cve_allowlist          = ["CVE-2024-0001", "CVE-2024-0002"]
  force_destroy          = true
}}

resource "harbor_project_quota" "team_a" {{
  project       = "team-a"
  storage_quota = 5
}}

resource "harbor_robot_account" "system" {{
  name        = "replicator"
  description = "system robot"
  level       = "system"
  duration    = 30
  permissions {{
    kind      = "system"
    namespace = "/"
    access {{
      action   = "list"
      resource = "project"
    }}
  }}
  permissions {{
    kind      = "project"
    namespace = harbor_project.apps.name
    access {{
      action   = "pull"
      resource = "repository"
    }}
  }}
}}

resource "harbor_robot_account" "project" {{
  name     = "ci"
  level    = "project"
  duration = -1
  permissions {{
    kind      = "project"
    namespace = harbor_project.apps.name
    access {{
      action   = "push"
      resource = "repository"
    }}
    access {{
      action   = "pull"
      resource = "repository"
    }}
  }}
}}

resource "harbor_registry" "remote" {{
  provider_name = "harbor"
  name          = "remote"
  description   = "the other emulator"
  endpoint_url  = "{remote_url}"
  access_id     = "admin"
  access_secret = "Harbor12345"
}}

resource "harbor_project" "proxy" {{
  name           = "proxy"
  registry_id    = harbor_registry.remote.registry_id
  proxy_speed_kb = 1024
}}

resource "harbor_replication" "push" {{
  name           = "push"
  action         = "push"
  registry_id    = harbor_registry.remote.registry_id
  schedule       = "0 0 2 * * *"
  dest_namespace = "mirror"
  speed          = 1024
  deletion       = true
  filters {{
    name = "apps/**"
  }}
  filters {{
    tag        = "v*"
    decoration = "matches"
  }}
  filters {{
    labels     = ["release"]
    decoration = "excludes"
  }}
  filters {{
    resource = "image"
  }}
}}

resource "harbor_replication" "pull" {{
  name               = "pull"
  action             = "pull"
  registry_id        = harbor_registry.remote.registry_id
  schedule           = "manual"
  execute_on_changed = true
  filters {{
    name = "library/**"
  }}
}}

resource "harbor_project_webhook" "ci" {{
  name         = "ci"
  project_id   = harbor_project.apps.id
  notify_type  = "http"
  address      = "http://127.0.0.1:9/hook"
  events_types = ["PUSH_ARTIFACT"]
  auth_header  = "Bearer conformance"
}}

resource "harbor_preheat_instance" "df" {{
  name      = "df"
  vendor    = "dragonfly"
  endpoint  = "http://127.0.0.1:9"
  auth_mode = "OAUTH"
  token     = "conformance"
}}
"#,
        required = harness::required_providers(),
        provider = h.provider_block(),
        remote_url = remote.base_url(),
    );
    let wd = harness::Workdir::new(&tf);
    wd.write_config(&config);
    wd.apply();
    wd.assert_plan_empty("re-plan after apply");
    // Updates in place, so the provider's PUT and PATCH bodies are checked too.
    let updated = config
        .replace(
            "deployment_security    = \"high\"",
            "deployment_security    = \"critical\"\n  auto_sbom_generation   = true",
        )
        .replace(
            "public                 = false",
            "public                 = true",
        )
        .replace("storage_quota = 5", "storage_quota = 6")
        .replace(
            "description = \"system robot\"",
            "description = \"system robot, changed\"\n  rotation_triggers = { q = \"2\" }",
        )
        .replace("duration = -1", "duration = -1\n  disable  = true")
        .replace(
            "description   = \"the other emulator\"",
            "description   = \"changed\"\n  insecure      = true",
        )
        .replace("tag        = \"v*\"", "tag        = \"release-*\"")
        .replace("proxy_speed_kb = 1024", "proxy_speed_kb = 2048")
        .replace(
            "events_types = [\"PUSH_ARTIFACT\"]",
            "events_types = [\"PUSH_ARTIFACT\", \"DELETE_ARTIFACT\"]\n  payload_format = \"CloudEvents\"",
        )
        .replace(
            "token     = \"conformance\"",
            "token     = \"conformance-2\"\n  description = \"changed\"",
        );
    assert_ne!(updated, config);
    wd.write_config(&updated);
    wd.apply();
    wd.assert_plan_empty("re-plan after update");
    wd.destroy();
    let log: Vec<Exchange> =
        serde_json::from_value(h.get("/_emulator/exchanges")).expect("exchange log");
    // The seeding call above is the test's own, not the provider's.
    let log: Vec<Exchange> = log
        .into_iter()
        .filter(|e| {
            !(e.method == "POST"
                && e.path == "/api/v2.0/projects"
                && e.request_body.as_ref().and_then(|b| b.get("project_name"))
                    == Some(&Value::from("team-a")))
        })
        .collect();
    assert_conforms(&spec, &log, &format!("terraform apply on {tf}"), false);
}

/// `harbor_label`, `harbor_immutable_tag_rule` and `harbor_retention_policy`: every request of a
/// `terraform apply`, update and destroy, and of a retention dry run through the client, with the
/// emulator's answers, against the spec.
#[test]
fn lifecycle_requests_conform() {
    let spec = Spec::load();
    let tf = harness::terraforms()
        .last()
        .expect("a Terraform binary")
        .clone();
    let h = target::Harbor::emulator(harbor_emulator::Config {
        record_exchanges: true,
        ..Default::default()
    });
    let r = h.call(
        "POST",
        "/_emulator/projects/library/artifacts",
        Some(json!({"repository": "web", "tags": ["v1"], "pushed_days_ago": 3})),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let config = format!(
        r##"{required}{provider}
resource "harbor_label" "global" {{
  name  = "release"
  color = "#0065AB"
}}

resource "harbor_label" "project" {{
  name        = "reviewed"
  description = "checked"
  project_id  = "/projects/1"
}}

resource "harbor_immutable_tag_rule" "r" {{
  project_id    = "/projects/1"
  repo_matching = "**"
  tag_matching  = "v*"
  disabled      = true
}}

resource "harbor_retention_policy" "r" {{
  scope    = "/projects/1"
  schedule = "Daily"
  rule {{
    most_recently_pushed = 1
    repo_matching        = "**"
    tag_matching         = "**"
  }}
}}
"##,
        required = harness::required_providers(),
        provider = h.provider_block(),
    );
    let wd = harness::Workdir::new(&tf);
    wd.write_config(&config);
    wd.apply();
    wd.assert_plan_empty("re-plan after apply");
    let updated = config
        .replace("#0065AB", "#00AA00")
        .replace("disabled      = true", "disabled      = false")
        .replace("tag_matching  = \"v*\"", "tag_excluding = \"dev\"")
        .replace("\"Daily\"", "\"0 30 2 * * *\"");
    wd.write_config(&updated);
    wd.apply();
    let id = wd.resource_values("harbor_retention_policy.r")["retention_id"]
        .as_i64()
        .unwrap();
    let client = admin_client(&h.url);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let outcome = rt.block_on(async {
        let eid = client.run_retention(id, true).await.expect("dry run");
        client
            .list_retention_executions(id)
            .await
            .expect("executions");
        client.retention_outcome(id, eid).await.expect("outcome")
    });
    assert_eq!(outcome.len(), 1, "{outcome:?}");
    wd.destroy();
    let log: Vec<Exchange> =
        serde_json::from_value(h.get("/_emulator/exchanges")).expect("exchange log");
    assert_conforms(&spec, &log, &format!("lifecycle types on {tf}"), false);
}

/// A listener speaking the metadata part of Harbor's pluggable scanner API
/// (`GET /api/v1/metadata`), which Harbor (and the emulator) ask on registration.
async fn scanner_adapter() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let body = json!({
        "scanner": {"name": "Adapter", "vendor": "Tests", "version": "1.0"},
        "capabilities": [{
            "consumes_mime_types": ["application/vnd.docker.distribution.manifest.v2+json"],
            "produces_mime_types": ["application/vnd.security.vulnerability.report; version=1.1"]
        }]
    })
    .to_string();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    url
}
