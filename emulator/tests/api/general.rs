//! Cross-cutting behaviour: ping, health, systeminfo, auth, errors, headers, pagination, configurations.

use serde_json::json;

use crate::support::Harbor;

#[tokio::test]
async fn ping_answers_pong_without_auth() {
    let h = Harbor::start().await;
    let r = h.anon().get("/ping").await;
    assert_eq!((r.status, r.text.as_str()), (200, "Pong"));
}

/// Seen on Harbor 2.15.2 built from its source: `/ping` produces `text/plain` and
/// `application/json` (`api/v2.0/swagger.yaml`: `produces: [text/plain]` plus the global
/// `application/json`), and go-swagger's content negotiation picks by the `Accept` header, ties
/// going to `text/plain`. The `"Pong"` payload of `server/v2.0/handler/ping.go` `GetPing` is
/// therefore the bare word for no Accept, `*/*`, `text/plain` or `application/json, text/plain`,
/// the JSON string `"Pong"` for `application/json` alone, and a 422 for `text/html`.
#[tokio::test]
async fn ping_negotiates_text_or_json_by_accept_header() {
    let h = Harbor::start().await;
    for (accept, text, content_type) in [
        ("*/*", "Pong", "text/plain"),
        ("text/plain", "Pong", "text/plain"),
        ("application/json, text/plain", "Pong", "text/plain"),
        ("application/json", "\"Pong\"\n", "application/json"),
    ] {
        let r = h.anon().header("Accept", accept).get("/ping").await;
        assert_eq!((r.status, r.text.as_str()), (200, text), "{accept}");
        assert!(
            r.header("content-type").unwrap().starts_with(content_type),
            "{accept}: {:?}",
            r.header("content-type")
        );
    }
    let r = h.anon().header("Accept", "text/html").get("/ping").await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.message(),
        "validation failure list:\nunsupported media type requested, only [text/plain application/json] are available"
    );
}

#[tokio::test]
async fn health_is_public() {
    let h = Harbor::start().await;
    let r = h.anon().get("/health").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "healthy");
}

#[tokio::test]
async fn api_version_is_v2() {
    let h = Harbor::start().await;
    let r = h.anon().get("/api/version").await;
    assert_eq!(r.json(), json!({"version": "v2.0"}));
}

#[tokio::test]
async fn systeminfo_hides_version_from_anonymous() {
    let h = Harbor::start().await;
    let r = h.anon().get("/systeminfo").await;
    assert_eq!(r.status, 200);
    let j = r.json();
    assert!(j.get("harbor_version").is_none());
    assert!(j.get("external_url").is_none());
    assert!(j.get("project_creation_restriction").is_none());
    assert_eq!(j["auth_mode"], "db_auth");
}

/// `convertInfo` (handler/systeminfo.go): `has_ca_root` and `current_time` come from `Protected`,
/// which only authenticated callers get; `oidc_provider_name` is a pointer, so it is always there.
#[tokio::test]
async fn anonymous_systeminfo_omits_has_ca_root_and_current_time_and_has_oidc_provider_name() {
    let h = Harbor::start().await;
    let anon = h.anon().get("/systeminfo").await.json();
    assert!(anon.get("has_ca_root").is_none(), "{anon}");
    assert!(anon.get("current_time").is_none(), "{anon}");
    assert_eq!(anon["oidc_provider_name"], "");
    let admin = h.admin().get("/systeminfo").await.json();
    assert_eq!(admin["has_ca_root"], false);
    assert!(admin["current_time"].is_string());
    assert_eq!(admin["oidc_provider_name"], "");
}

#[tokio::test]
async fn systeminfo_shows_version_to_authenticated_callers() {
    let h = Harbor::version("2.13.1").await;
    let j = h.admin().get("/systeminfo").await.json();
    assert_eq!(j["harbor_version"], "v2.13.1-emulator");
    assert_eq!(j["external_url"], h.url());
    assert_eq!(j["project_creation_restriction"], "everyone");
    assert_eq!(j["read_only"], false);
}

#[tokio::test]
async fn bad_credentials_are_treated_as_anonymous() {
    let h = Harbor::start().await;
    h.project("secret", false).await;
    let wrong = h.user("admin", "wrong");
    let r = wrong.get("/projects").await;
    assert_eq!(r.status, 200);
    let names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().into())
        .collect();
    assert_eq!(names, vec!["library"]);
    assert!(
        wrong
            .get("/systeminfo")
            .await
            .json()
            .get("harbor_version")
            .is_none()
    );
    assert_eq!(wrong.get("/users/current").await.status, 401);
    assert_eq!(
        wrong
            .clone()
            .header("X-Is-Resource-Name", "true")
            .get("/projects/secret")
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn current_user_requires_authentication() {
    let h = Harbor::start().await;
    let r = h.anon().get("/users/current").await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json(),
        json!({"errors": [{"code": "UNAUTHORIZED", "message": "unauthorized"}]})
    );
    let admin = h.admin().get("/users/current").await.json();
    assert_eq!(
        (admin["username"].as_str(), admin["sysadmin_flag"].as_bool()),
        (Some("admin"), Some(true))
    );
}

#[tokio::test]
async fn current_user_for_robot_is_precondition_failed() {
    let h = Harbor::start().await;
    let (_, name, secret) = h.system_robot("bot", &[("project", "list")]).await;
    let r = h.user(&name, &secret).get("/users/current").await;
    assert_eq!(r.status, 412);
    assert_eq!(r.code(), "PRECONDITION");
}

#[tokio::test]
async fn request_id_is_echoed() {
    let h = Harbor::start().await;
    let r = h
        .anon()
        .header("X-Request-Id", "abc-123")
        .get("/ping")
        .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("abc-123"));
}

#[tokio::test]
async fn request_id_is_generated_when_absent() {
    let h = Harbor::start().await;
    let a = h.anon().get("/ping").await.header("x-request-id").unwrap();
    let b = h.anon().get("/ping").await.header("x-request-id").unwrap();
    assert_eq!(a.len(), 36);
    assert_ne!(a, b);
}

#[tokio::test]
async fn errors_use_the_harbor_envelope() {
    let h = Harbor::start().await;
    let r = h.admin().get("/projects/4242").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({"errors": [{"code": "NOT_FOUND", "message": "project 4242 not found"}]})
    );
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
}

#[tokio::test]
async fn page_size_over_100_is_unprocessable() {
    let h = Harbor::start().await;
    let r = h.admin().get("/projects?page_size=101").await;
    assert_eq!(r.status, 422);
    assert_eq!(r.code(), "UNPROCESSABLE_ENTITY");
    // Seen on Harbor 2.15.2 built from its source (FIDELITY.md): go-swagger's binding errors
    // arrive as a CompositeError, whose text opens with "validation failure list:".
    assert_eq!(
        r.message(),
        "validation failure list:\npage_size in query should be less than or equal to 100"
    );
    assert_eq!(h.admin().get("/projects?page_size=100").await.status, 200);
}

/// Seen on Harbor 2.15.2 built from its source: an `/api/v2.0` path no route matches is
/// go-swagger's router 404 (`go-openapi/runtime` `middleware/router.go`: "path %s was not found").
#[tokio::test]
async fn unknown_api_path_is_a_404_naming_the_path() {
    let h = Harbor::start().await;
    let r = h.admin().get("/nope").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), "NOT_FOUND");
    assert_eq!(r.message(), "path /api/v2.0/nope was not found");
}

#[tokio::test]
async fn non_integer_page_is_unprocessable() {
    let h = Harbor::start().await;
    assert_eq!(h.admin().get("/projects?page=x").await.status, 422);
}

#[tokio::test]
async fn lists_carry_total_count_and_relative_links() {
    let h = Harbor::start().await;
    for i in 0..4 {
        h.project(&format!("p{i}"), false).await;
    }
    let r = h.admin().get("/projects?page=2&page_size=2").await;
    assert_eq!(r.header("x-total-count").as_deref(), Some("5"));
    assert_eq!(
        r.header("link").as_deref(),
        Some(
            r#"</api/v2.0/projects?page=1&page_size=2>; rel="prev" , </api/v2.0/projects?page=3&page_size=2>; rel="next""#
        )
    );
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let last = h.admin().get("/projects?page=3&page_size=2").await;
    assert_eq!(
        last.header("link").as_deref(),
        Some(r#"</api/v2.0/projects?page=2&page_size=2>; rel="prev""#)
    );
}

/// `lib/orm/query.go` limits only for `PageSize > 0` and offsets only for `PageNumber > 0`, and
/// `BaseAPI.Links` (handler/base.go) gives no links without a page size and `prev` only while
/// `(page-1)*size < total`: `page_size=0` is every row without `Link`, `page=0` is the first page
/// (with `next` to page 1), a page past the end has neither. Query booleans go through go-swagger's
/// `swag.ConvertBool`: `yes` is true, an unknown word false, never an error.
#[tokio::test]
async fn page_size_zero_is_everything_and_page_zero_the_first_page() {
    let h = Harbor::start().await;
    for i in 0..11 {
        h.project(&format!("p{i}"), false).await;
    }
    let all = h.admin().get("/projects?page_size=0").await;
    assert_eq!(all.json().as_array().unwrap().len(), 12);
    assert_eq!(all.header("link"), None);
    let zero = h.admin().get("/projects?page=0&page_size=5").await;
    assert_eq!(zero.status, 200);
    assert_eq!(zero.json()[0]["name"], "library");
    assert_eq!(
        zero.header("link").as_deref(),
        Some(r#"</api/v2.0/projects?page=1&page_size=5>; rel="next""#)
    );
    let past = h.admin().get("/projects?page=9&page_size=5").await;
    assert_eq!(past.json(), serde_json::json!([]));
    assert_eq!(past.header("link"), None);
    let public = h.admin().get("/projects?public=yes").await.json();
    assert_eq!(public.as_array().unwrap().len(), 1);
    let word = h.admin().get("/projects?public=maybe&page_size=0").await;
    assert_eq!(word.status, 200);
    assert_eq!(word.json().as_array().unwrap().len(), 11);
}

#[tokio::test]
async fn default_page_size_is_ten() {
    let h = Harbor::start().await;
    for i in 0..11 {
        h.project(&format!("p{i}"), false).await;
    }
    let r = h.admin().get("/projects").await;
    assert_eq!(r.json().as_array().unwrap().len(), 10);
    assert_eq!(r.header("x-total-count").as_deref(), Some("12"));
}

#[tokio::test]
async fn configurations_require_sysadmin() {
    let h = Harbor::start().await;
    assert_eq!(h.anon().get("/configurations").await.status, 401);
    let (_, name, secret) = h.system_robot("bot", &[("project", "list")]).await;
    assert_eq!(
        h.user(&name, &secret).get("/configurations").await.status,
        403
    );
    assert_eq!(
        h.user(&name, &secret)
            .put("/configurations", json!({"robot_token_duration": 5}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn configurations_get_wraps_values_and_put_is_flat() {
    let h = Harbor::start().await;
    let j = h.admin().get("/configurations").await.json();
    assert_eq!(
        j["robot_name_prefix"],
        json!({"value": "robot$", "editable": true})
    );
    assert_eq!(j["quota_per_project_enable"]["value"], true);
    assert_eq!(j["storage_per_project"]["value"], -1);
    assert_eq!(j["robot_token_duration"]["value"], 30);
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"storage_per_project": 1024, "project_creation_restriction": "adminonly"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let j = h.admin().get("/configurations").await.json();
    assert_eq!(j["storage_per_project"]["value"], 1024);
    assert_eq!(j["project_creation_restriction"]["value"], "adminonly");
}

/// `ProjectCreationRestrictionType.validate` (lib/config/metadata/type.go), wrapped "item name
/// <key>" by `CfgManager.ValidateCfg` (pkg/config/manager.go), is 400; `storage_per_project` goes
/// through `lib.ValidateQuotaLimit` unwrapped. A value of the wrong JSON type never reaches them:
/// go-swagger's binding into the `Configurations` model refuses it with 422 (seen on Harbor
/// 2.15.2 for a number as `robot_name_prefix` and a string as `robot_token_duration`).
#[tokio::test]
async fn configuration_rejects_bad_values() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"project_creation_restriction": "nobody"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.message(),
        "item name project_creation_restriction: invalid project_creation_restriction, should be adminonly or everyone"
    );
    let r = h
        .admin()
        .put("/configurations", json!({"storage_per_project": 0}))
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "invalid non-positive value for quota limit, value=0".to_string()
        )
    );
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"quota_per_project_enable": "yes"}),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.message(),
        "validation failure list:\nparsing configurations body from \"\" failed, because json: cannot unmarshal string into Go struct field Configurations.quota_per_project_enable of type bool"
    );
    let r = h
        .admin()
        .put("/configurations", json!({"robot_name_prefix": 5}))
        .await;
    assert_eq!(
        r.message(),
        "validation failure list:\nparsing configurations body from \"\" failed, because json: cannot unmarshal number into Go struct field Configurations.robot_name_prefix of type string"
    );
    let r = h
        .admin()
        .put("/configurations", json!({"robot_token_duration": "x"}))
        .await;
    assert_eq!(
        r.message(),
        "validation failure list:\nparsing configurations body from \"\" failed, because json: cannot unmarshal string into Go struct field Configurations.robot_token_duration of type int64"
    );
}

/// `CreateProject` (handler/project.go): in `adminonly` mode the check is `isSysAdmin`, system
/// access to `project:create`, which a system robot holding it passes and one without it fails
/// ("Only system admin can create project"); in `everyone` mode any system robot may create,
/// `project:create` or not; a project robot never may ("Only system level robot can create project").
#[tokio::test]
async fn adminonly_restriction_blocks_robots_without_system_project_create() {
    async fn create(who: &crate::support::Call<'_>, project: &str) -> crate::support::Resp {
        who.post("/projects", json!({"project_name": project}))
            .await
    }
    let h = Harbor::start().await;
    let (_, name, secret) = h.system_robot("maker", &[("project", "create")]).await;
    let maker = h.user(&name, &secret);
    let (_, name, secret) = h.system_robot("lister", &[("project", "list")]).await;
    let lister = h.user(&name, &secret);
    assert_eq!(create(&maker, "a").await.status, 201);
    assert_eq!(create(&lister, "b").await.status, 201);
    h.project("p", false).await;
    let (_, name, secret) = h
        .project_robot("p", "local", &[("repository", "pull")])
        .await;
    let r = create(&h.user(&name, &secret), "c").await;
    assert_eq!(
        (r.status, r.message()),
        (
            403,
            "Only system level robot can create project".to_string()
        )
    );
    h.admin()
        .put(
            "/configurations",
            json!({"project_creation_restriction": "adminonly"}),
        )
        .await;
    assert_eq!(create(&maker, "d").await.status, 201);
    let r = create(&lister, "e").await;
    assert_eq!(
        (r.status, r.message()),
        (403, "Only system admin can create project".to_string())
    );
    assert_eq!(
        h.admin()
            .post("/projects", json!({"project_name": "f"}))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn missing_body_is_unprocessable_and_bad_json_is_bad_request() {
    let h = Harbor::start().await;
    let empty = h
        .admin()
        .send(reqwest::Method::POST, "/projects", None)
        .await;
    assert_eq!(empty.status, 422);
    let wrong_type = h
        .admin()
        .post("/projects", json!({"project_name": 5}))
        .await;
    assert_eq!(wrong_type.status, 400);
}

#[test]
fn spawn_background_serves_and_stops_on_drop() {
    let bg = harbor_emulator::spawn_background(harbor_emulator::Config::default()).unwrap();
    let url = bg.base_url().to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = rt.block_on(async {
        reqwest::get(format!("{url}/api/v2.0/ping"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert_eq!(body, "Pong");
    drop(bg);
    let after = rt.block_on(async { reqwest::get(format!("{url}/api/v2.0/ping")).await });
    assert!(after.is_err());
}

#[tokio::test]
async fn versions_outside_2_11_to_2_15_are_refused() {
    for version in ["2.10.3", "2.16.0", "banana"] {
        let config = harbor_emulator::Config {
            harbor_version: version.into(),
            ..Default::default()
        };
        assert!(harbor_emulator::start(config).await.is_err(), "{version}");
    }
}

/// `verifySkipAuditLogCfg` (src/controller/config/controller.go): skipping the audit database
/// needs an endpoint, judged on the sent value or else the stored one, with Harbor's message.
#[tokio::test]
async fn skipping_the_audit_database_needs_a_forward_endpoint() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .put("/configurations", json!({"skip_audit_log_database": true}))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text
            .contains("audit log forward endpoint should be configured before enable skip audit log in database"),
        "{}",
        r.text
    );
    // With an endpoint stored and skipping on, clearing the endpoint alone is refused too.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = listener.local_addr().unwrap().to_string();
    let ok = h
        .admin()
        .put(
            "/configurations",
            json!({"audit_log_forward_endpoint": endpoint, "skip_audit_log_database": true}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let r = h
        .admin()
        .put("/configurations", json!({"audit_log_forward_endpoint": ""}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // And with the endpoint stored, turning skipping off and on again alone is accepted.
    for skip in [false, true] {
        let r = h
            .admin()
            .put("/configurations", json!({"skip_audit_log_database": skip}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

/// `updateLogEndpoint` (src/controller/config/controller.go) runs after `mgr.UpdateConfig`: the
/// endpoint is dialled with `audit.CheckEndpointActive` (src/pkg/audit/forward.go, syslog over
/// TCP); an unreachable one answers 400 "could not connect to the audit endpoint", yet it is
/// already saved. `ConvertForGet` answers `editable: true` for every item.
#[tokio::test]
async fn audit_forward_endpoint_must_be_reachable_but_is_saved_first() {
    let h = Harbor::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = listener.local_addr().unwrap().to_string();
    let ok = h
        .admin()
        .put(
            "/configurations",
            json!({"audit_log_forward_endpoint": endpoint, "skip_audit_log_database": true}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let j = h.admin().get("/configurations").await.json();
    assert_eq!(
        j["audit_log_forward_endpoint"],
        json!({"value": endpoint, "editable": true})
    );
    drop(listener);
    let far = h
        .admin()
        .put(
            "/configurations",
            json!({"audit_log_forward_endpoint": "syslog.example.com:514"}),
        )
        .await;
    assert_eq!(far.status, 400);
    assert!(
        far.text
            .contains("could not connect to the audit endpoint: syslog.example.com:514"),
        "{}",
        far.text
    );
    let j = h.admin().get("/configurations").await.json();
    assert_eq!(
        j["audit_log_forward_endpoint"]["value"],
        "syslog.example.com:514"
    );
}

/// `GET /configurations` lists every user-scope item of `metadatalist.go` at its default until
/// set (`UserConfigs` -> `GetUserCfgs`), e.g. `token_expiration` 30, `session_timeout` 60,
/// `notification_enable` true, `banner_message` "".
#[tokio::test]
async fn configurations_show_system_defaults_until_set() {
    let h = Harbor::start().await;
    let j = h.admin().get("/configurations").await.json();
    assert_eq!(j["token_expiration"]["value"], 30);
    assert_eq!(j["session_timeout"]["value"], 60);
    assert_eq!(j["notification_enable"]["value"], true);
    assert_eq!(j["banner_message"]["value"], "");
    assert_eq!(j["project_creation_restriction"]["value"], "everyone");
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"session_timeout": 120, "read_only": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = h.admin().get("/configurations").await.json();
    assert_eq!(j["session_timeout"]["value"], 120);
    assert_eq!(j["read_only"]["value"], true);
}

/// `verifyValueLengthCfg` (src/controller/config/controller.go): `token_expiration`,
/// `robot_token_duration` and `session_timeout` must be positive.
#[tokio::test]
async fn token_and_session_durations_must_be_positive() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .put("/configurations", json!({"session_timeout": 0}))
        .await;
    assert_eq!(r.status, 400);
    assert!(
        r.text
            .contains("the session_timeout value must be positive"),
        "{}",
        r.text
    );
}

/// A listener collecting what syslog clients send, one string per connection.
async fn syslog_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = got.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let mut text = String::new();
                let _ = stream.read_to_string(&mut text).await;
                if !text.is_empty() {
                    sink.lock().unwrap().push(text);
                }
            });
        }
    });
    (addr, got)
}

/// With `audit_log_forward_endpoint` set, Harbor writes each audit record to it over TCP as
/// syslog (`auditext.manager.Create`, src/pkg/auditext/manager.go; `audit.LogMgr`,
/// src/pkg/audit/forward.go): `<6>` (LOG_INFO), tag `audit`, then `action:<op>, resource:<name>,
/// operation_description:<desc>` with the operator and resource type as fields. Project
/// creation and deletion (src/controller/event/topic.go) and configuration updates
/// (src/pkg/auditext/event/config/config.go) are audited; reads are not.
#[tokio::test]
async fn audit_records_are_forwarded_as_syslog_over_tcp() {
    let h = Harbor::start().await;
    let (endpoint, got) = syslog_receiver().await;
    h.project("before", false).await;
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"audit_log_forward_endpoint": endpoint}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    h.project("audited", false).await;
    let _ = h.admin().get("/projects/audited").await;
    assert_eq!(h.admin().delete("/projects/audited").await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let lines = got.lock().unwrap().clone();
    let find = |needle: &str| lines.iter().find(|l| l.contains(needle)).cloned();
    let update =
        find("action:update, resource:configuration").expect("configuration update forwarded");
    assert!(
        update.starts_with("<6>") && update.contains(" audit["),
        "{update}"
    );
    assert!(
        update.contains("operator=\"admin\"") && update.contains("resourceType=\"configuration\""),
        "{update}"
    );
    assert!(
        find("action:create, resource:audited, operation_description:create project: audited")
            .is_some(),
        "{lines:?}"
    );
    assert!(
        find("action:delete, resource:audited, operation_description:delete project: audited")
            .is_some(),
        "{lines:?}"
    );
    assert!(
        find("resource:before").is_none(),
        "nothing is forwarded before the endpoint is set: {lines:?}"
    );
    assert_eq!(lines.len(), 3, "reads are not audited: {lines:?}");
}
