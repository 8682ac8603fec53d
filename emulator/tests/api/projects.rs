//! Projects: creation rules, addressing, update merge, delete rules, lists, metadata, quotas, proxy cache.

use serde_json::json;

use crate::support::Harbor;

#[tokio::test]
async fn project_create_returns_201_with_relative_location_and_empty_body() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post("/projects", json!({"project_name": "p1"}))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v2.0/projects/2")
    );
    assert_eq!(r.text, "");
}

#[tokio::test]
async fn project_location_uses_name_when_asked() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .header("X-Resource-Name-In-Location", "true")
        .post("/projects", json!({"project_name": "p1"}))
        .await;
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v2.0/projects/p1")
    );
}

#[tokio::test]
async fn project_name_must_match_the_harbor_regex() {
    let h = Harbor::start().await;
    for bad in ["Upper", "a..b", "-x", "a b", ""] {
        let r = h
            .admin()
            .post("/projects", json!({"project_name": bad}))
            .await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(
            r.message(),
            "project name is not in lower case or contains illegal characters"
        );
    }
}

/// The swagger's `ProjectReq.project_name` `maxLength: 255`: go-swagger refuses it while binding
/// with 422 (`lib/http/error.go` `apiError` keeps the openapi error's code and text).
#[tokio::test]
async fn project_name_longer_than_255_is_rejected() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post("/projects", json!({"project_name": "a".repeat(256)}))
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.code(), "UNPROCESSABLE_ENTITY");
    assert_eq!(
        h.admin()
            .post("/projects", json!({"project_name": "a".repeat(255)}))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn project_duplicate_name_conflicts() {
    let h = Harbor::start().await;
    h.project("dup", false).await;
    let r = h
        .admin()
        .post("/projects", json!({"project_name": "dup"}))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json(),
        json!({"errors": [{"code": "CONFLICT", "message": "The project named dup already exists"}]})
    );
}

#[tokio::test]
async fn project_create_requires_authentication() {
    let h = Harbor::start().await;
    assert_eq!(
        h.anon()
            .post("/projects", json!({"project_name": "x"}))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn project_level_robot_cannot_create_projects() {
    let h = Harbor::start().await;
    h.project("home", false).await;
    let (_, name, secret) = h
        .project_robot("home", "bot", &[("repository", "pull")])
        .await;
    assert_eq!(
        h.user(&name, &secret)
            .post("/projects", json!({"project_name": "x"}))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn project_metadata_values_are_strings() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "m", "metadata": {"auto_scan": true}}),
        )
        .await;
    assert_eq!(r.status, 400);
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "m", "metadata": {"auto_scan": "true", "prevent_vul": "false"}}),
        )
        .await;
    let md = h.admin().get("/projects/m").await.json()["metadata"].clone();
    assert_eq!(
        md,
        json!({"auto_scan": "true", "prevent_vul": "false", "public": "false"})
    );
}

#[tokio::test]
async fn project_public_flag_is_used_only_when_metadata_public_is_empty() {
    let h = Harbor::start().await;
    h.admin()
        .post("/projects", json!({"project_name": "a", "public": true}))
        .await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "b", "public": true, "metadata": {"public": "false"}}),
        )
        .await;
    h.admin()
        .post("/projects", json!({"project_name": "c"}))
        .await;
    assert_eq!(
        h.admin().get("/projects/a").await.json()["metadata"]["public"],
        "true"
    );
    assert_eq!(
        h.admin().get("/projects/b").await.json()["metadata"]["public"],
        "false"
    );
    assert_eq!(
        h.admin().get("/projects/c").await.json()["metadata"]["public"],
        "false"
    );
}

#[tokio::test]
async fn project_create_rejects_non_boolean_public() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "a", "metadata": {"public": "yes"}}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn project_create_rejects_retention_id() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "a", "metadata": {"retention_id": "7"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    let ok = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "b", "metadata": {"retention_id": ""}}),
        )
        .await;
    assert_eq!(ok.status, 201);
}

#[tokio::test]
async fn project_unknown_metadata_keys_are_dropped() {
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "a", "metadata": {"colour": "blue"}}),
        )
        .await;
    assert!(
        h.admin().get("/projects/a").await.json()["metadata"]
            .get("colour")
            .is_none()
    );
}

#[tokio::test]
async fn project_is_addressed_by_id_or_name() {
    let h = Harbor::start().await;
    let id = h.project("named", false).await;
    assert_eq!(
        h.admin().get(&format!("/projects/{id}")).await.json()["name"],
        "named"
    );
    assert_eq!(
        h.admin().get("/projects/named").await.json()["project_id"],
        id
    );
}

#[tokio::test]
async fn x_is_resource_name_forces_name_lookup() {
    let h = Harbor::start().await;
    let id = h.project("123", false).await;
    assert_eq!(h.admin().get("/projects/123").await.status, 404);
    let r = h
        .admin()
        .header("X-Is-Resource-Name", "true")
        .get("/projects/123")
        .await;
    assert_eq!(r.json()["project_id"], id);
}

#[tokio::test]
async fn project_severity_is_normalised_on_read() {
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "a", "metadata": {"severity": "negligible"}}),
        )
        .await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "b", "metadata": {"severity": "bogus"}}),
        )
        .await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "c", "metadata": {"severity": "High"}}),
        )
        .await;
    assert_eq!(
        h.admin().get("/projects/a").await.json()["metadata"]["severity"],
        "none"
    );
    assert_eq!(
        h.admin().get("/projects/b").await.json()["metadata"]["severity"],
        "unknown"
    );
    assert_eq!(
        h.admin().get("/projects/c").await.json()["metadata"]["severity"],
        "high"
    );
}

#[tokio::test]
async fn project_response_has_every_documented_field() {
    let h = Harbor::start().await;
    h.project("full", true).await;
    let j = h.admin().get("/projects/full").await.json();
    for key in [
        "project_id",
        "owner_id",
        "name",
        "creation_time",
        "update_time",
        "owner_name",
        "repo_count",
        "metadata",
        "cve_allowlist",
    ] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    assert!(j.get("registry_id").is_none());
    assert!(j.get("chart_count").is_none());
    // Seen on Harbor 2.15.2: `ToSwagger` (server/v2.0/handler/model/project.go) never sets
    // `deleted` or `togglable`, and omitempty drops them.
    assert!(
        j.get("deleted").is_none() && j.get("togglable").is_none(),
        "{j}"
    );
    assert!(j["cve_allowlist"].get("expires_at").is_none(), "{j}");
    let t = j["creation_time"].as_str().unwrap();
    assert!(
        t.len() == 24 && t.ends_with('Z') && t.as_bytes()[10] == b'T',
        "{t}"
    );
}

/// Seen on Harbor 2.15.2 built from its source (FIDELITY.md): a caller who is no member of the
/// project, anonymous or a robot, reads `"current_user_role_ids": null` and no
/// `current_user_role_id` (`server/v2.0/handler/model/project.go` `ToSwagger`: a nil slice and
/// a zero role, omitempty); the admin reads role 1.
#[tokio::test]
async fn project_roles_are_null_for_callers_who_are_not_members() {
    let h = Harbor::start().await;
    h.project("open", true).await;
    let (_, name, secret) = h.system_robot("reader", &[("project", "list")]).await;
    for (who, j) in [
        ("anonymous", h.anon().get("/projects/open").await.json()),
        (
            "robot",
            h.user(&name, &secret).get("/projects/open").await.json(),
        ),
    ] {
        assert_eq!(j["name"], "open", "{who}: {j}");
        assert!(
            j.get("current_user_role_ids").is_some_and(|v| v.is_null()),
            "{who}: {j}"
        );
        assert!(j.get("current_user_role_id").is_none(), "{who}: {j}");
    }
    let j = h.admin().get("/projects/open").await.json();
    assert_eq!(
        (
            j["current_user_role_id"].clone(),
            j["current_user_role_ids"].clone()
        ),
        (json!(1), json!([1]))
    );
}

#[tokio::test]
async fn project_put_merges_metadata() {
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "m", "metadata": {"auto_scan": "true"}}),
        )
        .await;
    let r = h
        .admin()
        .put("/projects/m", json!({"metadata": {"prevent_vul": "true"}}))
        .await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    let md = h.admin().get("/projects/m").await.json()["metadata"].clone();
    assert_eq!(
        md,
        json!({"auto_scan": "true", "prevent_vul": "true", "public": "false"})
    );
}

#[tokio::test]
async fn project_put_ignores_name_public_storage_limit_and_registry() {
    let h = Harbor::start().await;
    let id = h.project("keep", false).await;
    let r = h.admin().put("/projects/keep", json!({"project_name": "renamed", "public": true, "storage_limit": 5, "registry_id": 9})).await;
    assert_eq!(r.status, 200);
    let j = h.admin().get(&format!("/projects/{id}")).await.json();
    assert_eq!(j["name"], "keep");
    assert_eq!(j["metadata"]["public"], "false");
    assert!(j.get("registry_id").is_none());
    let q = h
        .admin()
        .get(&format!("/quotas?reference=project&reference_id={id}"))
        .await
        .json();
    assert_eq!(q[0]["hard"]["storage"], -1);
}

#[tokio::test]
async fn project_put_does_not_validate_metadata_values() {
    let h = Harbor::start().await;
    h.project("loose", false).await;
    assert_eq!(
        h.admin()
            .put("/projects/loose", json!({"metadata": {"public": "maybe"}}))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn project_put_allows_only_the_current_retention_id() {
    let h = Harbor::start().await;
    h.project("r", false).await;
    assert_eq!(
        h.admin()
            .put("/projects/r", json!({"metadata": {"retention_id": "99"}}))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn project_put_replaces_the_cve_allowlist() {
    let h = Harbor::start().await;
    let id = h.project("cve", false).await;
    let r = h.admin().put("/projects/cve", json!({"cve_allowlist": {"project_id": id, "expires_at": 1900000000, "items": [{"cve_id": "CVE-1"}]}})).await;
    assert_eq!(r.status, 200);
    let a = h.admin().get("/projects/cve").await.json()["cve_allowlist"].clone();
    assert_eq!(a["items"], json!([{"cve_id": "CVE-1"}]));
    assert_eq!(a["expires_at"], 1900000000);
    assert_eq!(a["project_id"], id);
}

#[tokio::test]
async fn project_put_rejects_a_foreign_allowlist_project_id() {
    let h = Harbor::start().await;
    h.project("cve", false).await;
    let r = h
        .admin()
        .put(
            "/projects/cve",
            json!({"cve_allowlist": {"project_id": 1, "items": []}}),
        )
        .await;
    assert_eq!(r.status, 400);
}

/// Harbor `src/server/v2.0/handler/project.go` `CreateProject` builds the project from name,
/// owner, registry id and metadata only, and `src/controller/project/controller.go` `Create`
/// calls `allowlistMgr.CreateEmpty`: an allowlist in the POST is dropped, the metadata kept.
#[tokio::test]
async fn project_create_ignores_the_cve_allowlist_but_keeps_reuse_metadata() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "cve", "metadata": {"reuse_sys_cve_allowlist": "false"},
                   "cve_allowlist": {"expires_at": 1900000000, "items": [{"cve_id": "CVE-2"}]}}),
        )
        .await;
    assert_eq!(r.status, 201);
    let p = h.admin().get("/projects/cve").await.json();
    assert_eq!(p["cve_allowlist"]["items"], json!([]));
    assert_eq!(p["cve_allowlist"]["expires_at"], json!(null));
    assert_eq!(p["metadata"]["reuse_sys_cve_allowlist"], "false");
}

#[tokio::test]
async fn project_delete_returns_200_and_frees_the_name_at_once() {
    let h = Harbor::start().await;
    let first = h.project("gone", false).await;
    let r = h.admin().delete("/projects/gone").await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    assert_eq!(
        h.admin().get(&format!("/projects/{first}")).await.status,
        404
    );
    let second = h.project("gone", false).await;
    assert!(second > first);
}

#[tokio::test]
async fn project_delete_refused_while_repositories_exist() {
    let h = Harbor::start().await;
    h.project("busy", false).await;
    h.seed_repo("busy", "app").await;
    let r = h.admin().delete("/projects/busy").await;
    assert_eq!(r.status, 412);
    assert_eq!(
        r.json(),
        json!({"errors": [{"code": "PRECONDITION", "message": "the project contains repositories, can not be deleted"}]})
    );
    h.admin().delete("/projects/busy/repositories/app").await;
    assert_eq!(h.admin().delete("/projects/busy").await.status, 200);
}

#[tokio::test]
async fn project_delete_is_not_blocked_by_replication_policies() {
    let h = Harbor::start().await;
    h.project("src", false).await;
    let reg = h.registry("remote").await;
    let r = h.admin().post("/replication/policies", json!({"name": "p", "dest_registry": {"id": reg}, "filters": [{"type": "name", "value": "src/**"}]})).await;
    assert_eq!(r.status, 201);
    assert_eq!(h.admin().delete("/projects/src").await.status, 200);
}

#[tokio::test]
async fn project_delete_removes_its_robots_and_quota() {
    let h = Harbor::start().await;
    let id = h.project("doomed", false).await;
    let (robot_id, _, _) = h
        .project_robot("doomed", "bot", &[("repository", "pull")])
        .await;
    let quota_id = h
        .admin()
        .get(&format!("/quotas?reference=project&reference_id={id}"))
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();
    h.admin().delete("/projects/doomed").await;
    assert_eq!(
        h.admin().get(&format!("/robots/{robot_id}")).await.status,
        404
    );
    assert_eq!(
        h.admin().get(&format!("/quotas/{quota_id}")).await.status,
        404
    );
}

#[tokio::test]
async fn project_deletable_reports_repositories() {
    let h = Harbor::start().await;
    h.project("d", false).await;
    assert_eq!(
        h.admin().get("/projects/d/_deletable").await.json()["deletable"],
        true
    );
    h.seed_repo("d", "x").await;
    let j = h.admin().get("/projects/d/_deletable").await.json();
    assert_eq!(
        j,
        json!({"deletable": false, "message": "the project contains repositories, can not be deleted"})
    );
}

#[tokio::test]
async fn project_summary_includes_repo_count_and_quota() {
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "s", "storage_limit": 2048}),
        )
        .await;
    h.seed_repo("s", "a").await;
    let j = h.admin().get("/projects/s/summary").await.json();
    assert_eq!(j["repo_count"], 1);
    assert_eq!(
        j["quota"],
        json!({"hard": {"storage": 2048}, "used": {"storage": 0}})
    );
    // Seen on Harbor 2.15.2 built from its source (FIDELITY.md): member counts that are 0 are
    // absent (the ProjectSummary model's int64 counts are omitempty; `handler/project.go`
    // `GetProjectSummary` fills them from the member list, where only the admin sits).
    assert_eq!(j["project_admin_count"], 1);
    for count in [
        "maintainer_count",
        "developer_count",
        "guest_count",
        "limited_guest_count",
    ] {
        assert!(j.get(count).is_none(), "{count}: {j}");
    }
}

#[tokio::test]
async fn project_list_supports_exact_and_fuzzy_q() {
    let h = Harbor::start().await;
    h.project("alpha", false).await;
    h.project("alphabet", false).await;
    let names = |v: serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(h.admin().get("/projects?q=name%3Dalpha").await.json()),
        vec!["alpha"]
    );
    assert_eq!(
        names(h.admin().get("/projects?q=name%3D~alpha").await.json()),
        vec!["alpha", "alphabet"]
    );
}

#[tokio::test]
async fn project_list_name_parameter_is_fuzzy() {
    let h = Harbor::start().await;
    h.project("team-a", false).await;
    h.project("team-b", false).await;
    h.project("other", false).await;
    let r = h.admin().get("/projects?name=team").await;
    assert_eq!(r.header("x-total-count").as_deref(), Some("2"));
}

#[tokio::test]
async fn project_list_filters_by_public() {
    let h = Harbor::start().await;
    h.project("open", true).await;
    h.project("closed", false).await;
    let r = h.admin().get("/projects?public=false").await.json();
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["name"], "closed");
}

#[tokio::test]
async fn anonymous_sees_only_public_projects() {
    let h = Harbor::start().await;
    h.project("open", true).await;
    h.project("closed", false).await;
    let r = h.anon().get("/projects").await;
    assert_eq!(r.header("x-total-count").as_deref(), Some("2"));
    let names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["library", "open"]);
    assert_eq!(h.anon().get("/projects/open").await.status, 200);
}

#[tokio::test]
async fn project_head_reports_existence() {
    let h = Harbor::start().await;
    h.project("here", false).await;
    assert_eq!(
        h.admin().head("/projects?project_name=here").await.status,
        200
    );
    assert_eq!(
        h.admin()
            .head("/projects?project_name=nothere")
            .await
            .status,
        404
    );
    assert_eq!(
        h.anon().head("/projects?project_name=here").await.status,
        401
    );
}

#[tokio::test]
async fn non_admins_get_403_for_missing_projects_and_admins_404() {
    let h = Harbor::start().await;
    let (_, name, secret) = h.system_robot("bot", &[("project", "list")]).await;
    assert_eq!(
        h.user(&name, &secret).get("/projects/missing").await.status,
        403
    );
    assert_eq!(h.admin().get("/projects/missing").await.status, 404);
    assert_eq!(h.anon().get("/projects/missing").await.status, 401);
}

#[tokio::test]
async fn anonymous_gets_401_for_private_projects() {
    let h = Harbor::start().await;
    h.project("private", false).await;
    assert_eq!(h.anon().get("/projects/private").await.status, 401);
}

#[tokio::test]
async fn project_storage_limit_becomes_the_quota() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "q", "storage_limit": 1073741824}),
        )
        .await;
    let id = r.location_id();
    let q = h
        .admin()
        .get(&format!("/quotas?reference=project&reference_id={id}"))
        .await
        .json();
    assert_eq!(q[0]["hard"]["storage"], 1073741824_i64);
}

#[tokio::test]
async fn project_zero_or_null_storage_limit_uses_storage_per_project() {
    let h = Harbor::start().await;
    h.admin()
        .put("/configurations", json!({"storage_per_project": 4096}))
        .await;
    let a = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "a", "storage_limit": 0}),
        )
        .await
        .location_id();
    let b = h
        .admin()
        .post("/projects", json!({"project_name": "b"}))
        .await
        .location_id();
    for id in [a, b] {
        let q = h
            .admin()
            .get(&format!("/quotas?reference=project&reference_id={id}"))
            .await
            .json();
        assert_eq!(q[0]["hard"]["storage"], 4096);
    }
}

/// `CreateProject` (handler/project.go): `storage_limit` is honoured only with `isSysAdmin`
/// (system access to `project:create`); from anyone else the default `storage_per_project` applies.
#[tokio::test]
async fn project_storage_limit_needs_system_project_create() {
    let h = Harbor::start().await;
    for (robot, access, want) in [("maker", "create", 10), ("lister", "list", -1)] {
        let (_, name, secret) = h.system_robot(robot, &[("project", access)]).await;
        let r = h
            .user(&name, &secret)
            .post(
                "/projects",
                json!({"project_name": robot, "storage_limit": 10}),
            )
            .await;
        assert_eq!(r.status, 201);
        let q = h
            .admin()
            .get(&format!(
                "/quotas?reference=project&reference_id={}",
                r.location_id()
            ))
            .await
            .json();
        assert_eq!(q[0]["hard"]["storage"], want, "{robot}");
    }
}

#[tokio::test]
async fn project_invalid_storage_limit_is_rejected() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "q", "storage_limit": -5}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn no_quota_is_created_when_per_project_quota_is_disabled() {
    let h = Harbor::start().await;
    h.admin()
        .put(
            "/configurations",
            json!({"quota_per_project_enable": false}),
        )
        .await;
    let id = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "nq", "storage_limit": 100}),
        )
        .await
        .location_id();
    let q = h
        .admin()
        .get(&format!("/quotas?reference=project&reference_id={id}"))
        .await;
    assert_eq!(q.json(), json!([]));
    assert!(
        h.admin()
            .get("/projects/nq/summary")
            .await
            .json()
            .get("quota")
            .is_none()
    );
}

/// `CreateProject` (handler/project.go): a `registry_id` needs `isSysAdmin`, system access to
/// `project:create`; without it 403 "Only system admin can create proxy cache project".
#[tokio::test]
async fn proxy_cache_project_requires_system_project_create() {
    let h = Harbor::start().await;
    let reg = h.registry("hub").await;
    let (_, name, secret) = h.system_robot("lister", &[("project", "list")]).await;
    let r = h
        .user(&name, &secret)
        .post(
            "/projects",
            json!({"project_name": "proxy", "registry_id": reg}),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            403,
            "Only system admin can create proxy cache project".to_string()
        )
    );
    let (_, name, secret) = h.system_robot("maker", &[("project", "create")]).await;
    let r = h
        .user(&name, &secret)
        .post(
            "/projects",
            json!({"project_name": "proxy", "registry_id": reg}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn proxy_cache_with_a_nonexistent_registry_is_a_500() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "proxy", "registry_id": 77}),
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(
        r.json(),
        json!({"errors": [{"code": "UNKNOWN", "message": "internal server error"}]})
    );
}

#[tokio::test]
async fn proxy_cache_registry_type_must_be_permitted() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "q", "type": "quay", "url": "https://quay.io"}),
        )
        .await;
    let reg = r.location_id();
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "proxy", "registry_id": reg}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn proxy_project_gets_retention_and_proxy_settings() {
    let h = Harbor::start().await;
    let reg = h.registry("hub").await;
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "proxy", "registry_id": reg, "metadata": {
        "enable_content_trust": "true", "proxy_speed_kb": "100", "max_upstream_conn": "-1"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let j = h.admin().get("/projects/proxy").await.json();
    assert_eq!(j["registry_id"], reg);
    assert!(
        j["metadata"]["retention_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(j["metadata"].get("enable_content_trust").is_none());
    assert_eq!(j["metadata"]["proxy_speed_kb"], "100");
    assert_eq!(j["metadata"]["max_upstream_conn"], "-1");
    let bad = h.admin().post("/projects", json!({"project_name": "proxy2", "registry_id": reg, "metadata": {"proxy_speed_kb": "fast"}})).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn proxy_settings_are_dropped_for_ordinary_projects() {
    let h = Harbor::start().await;
    h.admin().post("/projects", json!({"project_name": "plain", "metadata": {"proxy_speed_kb": "100", "max_upstream_conn": "3"}})).await;
    let md = h.admin().get("/projects/plain").await.json()["metadata"].clone();
    assert!(md.get("proxy_speed_kb").is_none() && md.get("max_upstream_conn").is_none());
}

#[tokio::test]
async fn newer_metadata_keys_follow_the_emulated_version() {
    let old = Harbor::version("2.14.0").await;
    let reg = old.registry("hub").await;
    old.admin().post("/projects", json!({"project_name": "p", "registry_id": reg, "metadata": {"max_upstream_conn": "5", "proxy_cache_local_on_not_found": "true"}})).await;
    let md = old.admin().get("/projects/p").await.json()["metadata"].clone();
    assert!(md.get("max_upstream_conn").is_none());
    assert!(md.get("proxy_cache_local_on_not_found").is_none());
    let v2151 = Harbor::version("2.15.1").await;
    v2151
        .admin()
        .post(
            "/projects",
            json!({"project_name": "p", "metadata": {"proxy_cache_local_on_not_found": "true"}}),
        )
        .await;
    assert_eq!(
        v2151.admin().get("/projects/p").await.json()["metadata"]["proxy_cache_local_on_not_found"],
        "true"
    );
    let v2150 = Harbor::version("2.15.0").await;
    v2150
        .admin()
        .post(
            "/projects",
            json!({"project_name": "p", "metadata": {"proxy_cache_local_on_not_found": "true"}}),
        )
        .await;
    assert!(
        v2150.admin().get("/projects/p").await.json()["metadata"]
            .get("proxy_cache_local_on_not_found")
            .is_none()
    );
}

#[tokio::test]
async fn metadata_endpoints_list_get_and_add() {
    let h = Harbor::start().await;
    h.project("m", false).await;
    assert_eq!(
        h.admin()
            .post("/projects/m/metadatas/", json!({"auto_scan": "TRUE"}))
            .await
            .status,
        200
    );
    assert_eq!(
        h.admin().get("/projects/m/metadatas/").await.json(),
        json!({"public": "false", "auto_scan": "true"})
    );
    assert_eq!(
        h.admin()
            .get("/projects/m/metadatas/auto_scan")
            .await
            .json(),
        json!({"auto_scan": "true"})
    );
    // `manager.Get` of a key with no row (project_metadata.go `GetProjectMetadata`): 200 `{}`.
    let missing = h.admin().get("/projects/m/metadatas/prevent_vul").await;
    assert_eq!((missing.status, missing.json()), (200, json!({})));
}

#[tokio::test]
async fn metadata_put_validates_booleans_and_severity() {
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "m", "metadata": {"severity": "low", "auto_scan": "false"}}),
        )
        .await;
    assert_eq!(
        h.admin()
            .put(
                "/projects/m/metadatas/auto_scan",
                json!({"auto_scan": "maybe"})
            )
            .await
            .status,
        400
    );
    assert_eq!(
        h.admin()
            .put(
                "/projects/m/metadatas/severity",
                json!({"severity": "extreme"})
            )
            .await
            .status,
        400
    );
    assert_eq!(
        h.admin()
            .put(
                "/projects/m/metadatas/severity",
                json!({"severity": "Critical"})
            )
            .await
            .status,
        200
    );
    assert_eq!(
        h.admin().get("/projects/m/metadatas/severity").await.json(),
        json!({"severity": "critical"})
    );
}

#[tokio::test]
async fn metadata_put_key_must_match_the_path() {
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "m", "metadata": {"auto_scan": "false"}}),
        )
        .await;
    assert_eq!(
        h.admin()
            .put(
                "/projects/m/metadatas/auto_scan",
                json!({"prevent_vul": "true"})
            )
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn metadata_delete_removes_the_key() {
    let h = Harbor::start().await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "m", "metadata": {"auto_scan": "true"}}),
        )
        .await;
    assert_eq!(
        h.admin()
            .delete("/projects/m/metadatas/auto_scan")
            .await
            .status,
        200
    );
    assert!(
        h.admin().get("/projects/m").await.json()["metadata"]
            .get("auto_scan")
            .is_none()
    );
    // `dao.Delete` deletes whatever matches, nothing included: 200 again.
    assert_eq!(
        h.admin()
            .delete("/projects/m/metadatas/auto_scan")
            .await
            .status,
        200
    );
}

/// `AddProjectMetadatas`, `UpdateProjectMetadata` and `validate` (handler/project_metadata.go),
/// `dao.Create`/`dao.Update` (pkg/project/metadata/dao/dao.go): a second POST of a key is 409
/// "metadata %s already exists for project %d"; PUT takes only the path's key from the body and
/// updates a row only if there is one (a missing key answers 200 and stays missing); the proxy
/// keys are int32 strings; Harbor's texts for the refusals.
#[tokio::test]
async fn metadata_endpoints_follow_harbors_rows_and_texts() {
    let h = Harbor::start().await;
    let id = h.project("m", false).await;
    let post = |body| async { h.admin().post("/projects/m/metadatas/", body).await };
    assert_eq!(post(json!({"auto_scan": "true"})).await.status, 200);
    let again = post(json!({"auto_scan": "false"})).await;
    assert_eq!(
        (again.status, again.message()),
        (
            409,
            format!("metadata auto_scan already exists for project {id}")
        )
    );
    assert_eq!(post(json!({"proxy_speed_kb": "100"})).await.status, 200);
    for (body, message) in [
        (json!({"a": "1", "b": "2"}), "only allow one key/value pair"),
        (json!({"colour": "red"}), "invalid key: colour"),
        (json!({"retention_id": "3"}), "invalid key: retention_id"),
        (
            json!({"max_upstream_conn": "9999999999"}),
            "invalid value: 9999999999",
        ),
        (json!({"prevent_vul": "yes"}), "invalid value: yes"),
    ] {
        let r = post(body).await;
        assert_eq!((r.status, r.message()), (400, message.to_string()));
    }
    // PUT of a key with no row: 200, nothing stored; extra body keys are ignored.
    let r = h
        .admin()
        .put(
            "/projects/m/metadatas/prevent_vul",
            json!({"prevent_vul": "true", "auto_scan": "false"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let all = h.admin().get("/projects/m/metadatas/").await.json();
    assert_eq!(
        all,
        json!({"public": "false", "auto_scan": "true", "proxy_speed_kb": "100"})
    );
    // The path's key missing from the body is validated as "".
    let r = h
        .admin()
        .put(
            "/projects/m/metadatas/auto_scan",
            json!({"prevent_vul": "true"}),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (400, "invalid value: ".to_string())
    );
}

#[tokio::test]
async fn project_list_is_sorted_by_name_unless_sort_is_given() {
    let h = Harbor::start().await;
    h.project("zeta", false).await;
    h.project("alpha", false).await;
    let names = |v: serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(h.admin().get("/projects").await.json()),
        vec!["alpha", "library", "zeta"]
    );
    assert_eq!(
        names(h.admin().get("/projects?sort=-project_id").await.json()),
        vec!["alpha", "zeta", "library"]
    );
}

#[tokio::test]
async fn project_list_filters_by_owner() {
    let h = Harbor::start().await;
    h.project("mine", false).await;
    assert_eq!(
        h.admin()
            .get("/projects?owner=admin")
            .await
            .header("x-total-count")
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        h.admin().get("/projects?owner=someone").await.json(),
        json!([])
    );
}

/// Harbor `src/pkg/allowlist/validator.go` `Validate` (run by `manager.go` `Set` from
/// `controller/project/controller.go` `Update`): blank or whitespace-only and repeated CVE ids are
/// refused with a plain error, which `lib/http/error.go` `SendError` turns into a 500.
#[tokio::test]
async fn project_allowlist_with_blank_or_duplicate_ids_is_a_500() {
    let h = Harbor::start().await;
    h.project("cve", false).await;
    for items in [
        json!([{"cve_id": "CVE-1"}, {"cve_id": "CVE-1"}]),
        json!([{"cve_id": "  "}]),
        json!([{"cve_id": ""}]),
    ] {
        let r = h
            .admin()
            .put("/projects/cve", json!({"cve_allowlist": {"items": items}}))
            .await;
        assert_eq!(
            (r.status, r.message()),
            (500, "internal server error".into()),
            "{items}"
        );
    }
    let a = h.admin().get("/projects/cve").await.json()["cve_allowlist"].clone();
    assert_eq!(a["items"], json!([]), "nothing stored");
    let r = h
        .admin()
        .put(
            "/system/CVEAllowlist",
            json!({"items": [{"cve_id": "CVE-1"}, {"cve_id": "CVE-1"}]}),
        )
        .await;
    assert_eq!(
        r.status, 500,
        "the system allowlist goes through the same Set"
    );
}

/// `ListProjects` (handler/project.go): a robot with system `project:list` is `isSysAdmin` and sees
/// every project; any other robot sees the projects its permissions name, whatever the access
/// (here only `repository:pull`), plus the public ones.
#[tokio::test]
async fn robots_list_the_projects_their_permissions_name() {
    let h = Harbor::start().await;
    h.project("named", false).await;
    h.project("hidden", false).await;
    let names = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, name, secret) = h
        .project_robot("named", "puller", &[("repository", "pull")])
        .await;
    let seen = h.user(&name, &secret).get("/projects").await.json();
    assert_eq!(names(seen), vec!["library", "named"]);
    let (_, name, secret) = h.system_robot("lister", &[("project", "list")]).await;
    let seen = h.user(&name, &secret).get("/projects").await.json();
    assert_eq!(names(seen), vec!["hidden", "library", "named"]);
}

/// `getProjectRegistrySummary` (handler/project.go) sets the registry's `Credential` to nil before
/// copying it into the summary, so a proxy project's summary shows its registry without
/// `credential` (and, the swagger field being `omitempty`, without an empty `description`).
#[tokio::test]
async fn project_summary_registry_has_no_credential() {
    let h = Harbor::start().await;
    let reg = h
        .admin()
        .post(
            "/registries",
            json!({"name": "hub", "type": "docker-hub", "url": "https://hub.docker.com",
                "credential": {"type": "basic", "access_key": "u", "access_secret": "s"}}),
        )
        .await
        .location_id();
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "proxy", "registry_id": reg}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let registry = h.admin().get("/projects/proxy/summary").await.json()["registry"].clone();
    assert_eq!(registry["name"], "hub");
    assert!(registry.get("credential").is_none(), "{registry}");
    assert!(registry.get("description").is_none(), "{registry}");
}

/// `validateProjectReq` (handler/project.go) checks `proxy_speed_kb` and `max_upstream_conn` as
/// int32 only when a proxy project is created, with its texts and Go's `strconv` error;
/// `UpdateProject` copies the metadata without that check. Its retention_id texts, and the
/// registry_id one with Harbor's spelling.
#[tokio::test]
async fn proxy_settings_are_checked_on_create_only_with_harbors_texts() {
    let h = Harbor::start().await;
    let reg = h.registry("hub").await;
    let create = |name: &str, metadata: serde_json::Value, registry: i64| json!({"project_name": name, "registry_id": registry, "metadata": metadata});
    let r = h
        .admin()
        .post(
            "/projects",
            create("a", json!({"proxy_speed_kb": "fast"}), reg),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "metadata.proxy_speed_kb should by an int32, but got: 'fast', err: strconv.ParseInt: parsing \"fast\": invalid syntax".to_string()
        )
    );
    let r = h
        .admin()
        .post(
            "/projects",
            create("a", json!({"max_upstream_conn": "99999999999"}), reg),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "metadata.max_upstream_conn should be an int, but got '99999999999', err: strconv.ParseInt: parsing \"99999999999\": value out of range".to_string()
        )
    );
    let r = h.admin().post("/projects", create("a", json!({}), 0)).await;
    assert_eq!(
        r.message(),
        "0 is invalid value of registry_id, it should be geater than 0"
    );
    let r = h
        .admin()
        .post(
            "/projects",
            create("a", json!({"proxy_speed_kb": "10"}), reg),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = h
        .admin()
        .put(
            "/projects/a",
            json!({"metadata": {"proxy_speed_kb": "fast"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        h.admin().get("/projects/a").await.json()["metadata"]["proxy_speed_kb"],
        "fast"
    );
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "b", "metadata": {"retention_id": "7"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "the retention_id in the request's payload when creating a project should be omitted, alternatively passing an empty string".to_string()
        )
    );
    let r = h
        .admin()
        .put("/projects/a", json!({"metadata": {"retention_id": "99"}}))
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "the retention_id in the request's payload when updating a project should be omitted, alternatively passing the one that has already been associated to this project".to_string()
        )
    );
}

/// `controller/registry` `validate` and `Delete` (controller/registry/controller.go), the
/// replication policy DAO (pkg/replication/dao/dao.go), and `CreateProject`'s `metadata.public`
/// check (handler/project.go): Harbor's texts.
#[tokio::test]
async fn registry_policy_and_public_refusals_say_what_harbor_says() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "", "type": "docker-hub", "url": "https://hub.docker.com"}),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (400, "name cannot be empty".to_string())
    );
    let reg = h.registry("hub").await;
    let policy = json!({"name": "p", "src_registry": {"id": reg}, "dest_registry": {"id": 0}});
    assert_eq!(
        h.admin()
            .post("/replication/policies", policy.clone())
            .await
            .status,
        201
    );
    let r = h.admin().post("/replication/policies", policy).await;
    assert_eq!(
        (r.status, r.message()),
        (409, "replication policy p already exists".to_string())
    );
    let r = h.admin().get("/replication/policies/77").await;
    assert_eq!(
        (r.status, r.message()),
        (404, "replication policy 77 not found".to_string())
    );
    let r = h.admin().delete(&format!("/registries/{reg}")).await;
    assert_eq!(
        (r.status, r.message()),
        (
            412,
            format!("the registry {reg} is referenced by replication policies, cannot delete it")
        )
    );
    h.admin().delete("/replication/policies/1").await;
    h.admin()
        .post(
            "/projects",
            json!({"project_name": "cache", "registry_id": reg}),
        )
        .await;
    let r = h.admin().delete(&format!("/registries/{reg}")).await;
    assert_eq!(
        (r.status, r.message()),
        (
            412,
            format!("the registry {reg} is referenced by proxy cache project, cannot delete it")
        )
    );
    let r = h
        .admin()
        .post(
            "/projects",
            json!({"project_name": "x", "metadata": {"public": "yes"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.message()),
        (
            400,
            "metadata.public should only be 'true' or 'false', but got: 'yes'".to_string()
        )
    );
}

fn listed_ids(r: &crate::support::Resp) -> Vec<i64> {
    let mut ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// Batched reads select projects by id with an OR-list. Harbor `src/lib/q/builder.go`
/// `parseKeywords`/`parseOrList` turn `q=project_id={a b}` into a `q.OrList`, and
/// `src/lib/orm/query.go` `setFilters` into `project_id IN (a, b)`: `project_id` is a column of
/// `src/pkg/project/models/project.go` `Project`, so it is filterable. An id that does not
/// exist is simply not listed; `X-Total-Count` counts the matches (`ListProjects` `Count`).
#[tokio::test]
async fn project_list_selects_ids_with_an_or_list_in_q() {
    let h = Harbor::start().await;
    let a = h.project("or-a", false).await;
    h.project("or-b", false).await;
    let c = h.project("or-c", true).await;
    let r = h
        .admin()
        .get(&format!("/projects?q=project_id%3D%7B{a}+{c}%7D"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-total-count").as_deref(), Some("2"));
    assert_eq!(listed_ids(&r), vec![a, c]);
    let r = h
        .admin()
        .get(&format!("/projects?q=project_id%3D%7B{a}+99999%7D"))
        .await;
    assert_eq!(listed_ids(&r), vec![a]);
}

/// Harbor `src/server/v2.0/handler/project.go`: `ListProjects` calls the project controller's
/// `List` with `project.Detail(with_detail)` (swagger default `true`), `WithCVEAllowlist()` and
/// `WithOwner()`; `GetProject` calls `Get` with the same two options; metadata is loaded by
/// default (`src/controller/project/options.go` `newOptions`), and both answers are rendered by
/// `model.NewProject(p).ToSwagger()`. So a list item carries the metadata, CVE allowlist,
/// owner and registry of the single GET, which is what lets a list answer a read.
#[tokio::test]
async fn project_list_items_carry_the_metadata_allowlist_and_owner_of_the_single_get() {
    let h = Harbor::start().await;
    let id = h.project("detail", true).await;
    let r = h
        .admin()
        .put(
            "/projects/detail",
            json!({
                "metadata": {"auto_scan": "true", "prevent_vul": "true", "severity": "high"},
                "cve_allowlist": {"items": [{"cve_id": "CVE-2024-1"}]}
            }),
        )
        .await;
    assert_eq!(r.status, 200);
    let single = h.admin().get(&format!("/projects/{id}")).await.json();
    let listed = h
        .admin()
        .get(&format!(
            "/projects?q=project_id%3D%7B{id}%7D&with_detail=true"
        ))
        .await
        .json()[0]
        .clone();
    for key in [
        "project_id",
        "name",
        "owner_id",
        "owner_name",
        "metadata",
        "cve_allowlist",
        "registry_id",
        "creation_time",
        "update_time",
    ] {
        assert_eq!(listed.get(key), single.get(key), "{key}");
    }
    assert_eq!(listed["metadata"]["severity"], "high");
    assert_eq!(listed["cve_allowlist"]["items"][0]["cve_id"], "CVE-2024-1");
}
