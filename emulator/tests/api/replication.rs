//! Replication policies and executions.

use serde_json::{Value, json};

use crate::support::Harbor;

async fn setup() -> (Harbor, i64) {
    let h = Harbor::start().await;
    let reg = h.registry("remote").await;
    (h, reg)
}

fn push(reg: i64, name: &str) -> Value {
    json!({"name": name, "dest_registry": {"id": reg}, "enabled": true, "trigger": {"type": "manual"}})
}

#[tokio::test]
async fn policy_create_returns_location_and_reads_back_both_sides() {
    let (h, reg) = setup().await;
    let r = h
        .admin()
        .post("/replication/policies", push(reg, "p"))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v2.0/replication/policies/1")
    );
    let j = h.admin().get("/replication/policies/1").await.json();
    assert_eq!(j["src_registry"]["id"], 0);
    assert_eq!(j["src_registry"]["name"], "Local");
    // The policy carries the same `getLocalRegistry` as `GET /registries/0`.
    assert_eq!(j["src_registry"]["insecure"], true);
    assert_eq!(j["src_registry"]["credential"]["type"], "secret");
    assert_eq!(
        j["src_registry"]["creation_time"],
        "0001-01-01T00:00:00.000Z"
    );
    assert_eq!(j["dest_registry"]["id"], reg);
    assert_eq!(j["dest_namespace_replace_count"], -1);
    assert_eq!(j["single_active_replication"], false);
}

#[tokio::test]
async fn policy_needs_exactly_one_remote_side() {
    let (h, reg) = setup().await;
    let both = json!({"name": "p", "src_registry": {"id": reg}, "dest_registry": {"id": reg}});
    assert_eq!(
        h.admin().post("/replication/policies", both).await.status,
        400
    );
    let neither = json!({"name": "p", "src_registry": {"id": 0}});
    assert_eq!(
        h.admin()
            .post("/replication/policies", neither)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn policy_with_an_unknown_registry_is_404() {
    let (h, _) = setup().await;
    assert_eq!(
        h.admin()
            .post("/replication/policies", push(99, "p"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn policy_duplicate_name_conflicts() {
    let (h, reg) = setup().await;
    h.admin()
        .post("/replication/policies", push(reg, "p"))
        .await;
    assert_eq!(
        h.admin()
            .post("/replication/policies", push(reg, "p"))
            .await
            .status,
        409
    );
}

#[tokio::test]
async fn scheduled_trigger_needs_a_six_field_cron_with_zero_seconds() {
    let (h, reg) = setup().await;
    let with_cron = |cron: &str| {
        let mut b = push(reg, &format!("p{}", cron.len()));
        b["trigger"] = json!({"type": "scheduled", "trigger_settings": {"cron": cron}});
        b
    };
    for bad in ["0 */2 * * *", "5 0 * * * *", "0 * * * * *", ""] {
        assert_eq!(
            h.admin()
                .post("/replication/policies", with_cron(bad))
                .await
                .status,
            400,
            "{bad}"
        );
    }
    assert_eq!(
        h.admin()
            .post("/replication/policies", with_cron("0 0 */2 * * *"))
            .await
            .status,
        201
    );
    assert_eq!(
        h.admin().get("/replication/policies/1").await.json()["trigger"]["trigger_settings"]["cron"],
        "0 0 */2 * * *"
    );
}

#[tokio::test]
async fn unknown_trigger_type_is_rejected() {
    let (h, reg) = setup().await;
    let mut b = push(reg, "p");
    b["trigger"] = json!({"type": "sometimes"});
    assert_eq!(h.admin().post("/replication/policies", b).await.status, 400);
}

#[tokio::test]
async fn filters_follow_harbor_rules() {
    let (h, reg) = setup().await;
    let with = |filters: Value| {
        let mut b = push(reg, "p");
        b["filters"] = filters;
        b
    };
    let good = json!([
        {"type": "name", "value": "library/**"},
        {"type": "tag", "value": "v*", "decoration": "excludes"},
        {"type": "resource", "value": "image"},
        {"type": "label", "value": ["a", "b"], "decoration": "matches"}
    ]);
    assert_eq!(
        h.admin()
            .post("/replication/policies", with(good.clone()))
            .await
            .status,
        201
    );
    assert_eq!(
        h.admin().get("/replication/policies/1").await.json()["filters"],
        good
    );
    for bad in [
        json!([{"type": "label", "value": "a"}]),
        json!([{"type": "resource", "value": "chart"}]),
        json!([{"type": "name", "value": "x", "decoration": "matches"}]),
        json!([{"type": "tag", "value": "x", "decoration": "sometimes"}]),
        json!([{"type": "size", "value": "1"}]),
    ] {
        assert_eq!(
            h.admin()
                .post("/replication/policies", with(bad.clone()))
                .await
                .status,
            400,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn dest_namespace_must_be_a_repository_path() {
    let (h, reg) = setup().await;
    let mut b = push(reg, "p");
    b["dest_namespace"] = json!("Bad Name");
    assert_eq!(h.admin().post("/replication/policies", b).await.status, 400);
}

#[tokio::test]
async fn policy_reads_deletion_and_ignores_replicate_deletion() {
    let (h, reg) = setup().await;
    let mut a = push(reg, "a");
    a["replicate_deletion"] = json!(true);
    h.admin().post("/replication/policies", a).await;
    let j = h.admin().get("/replication/policies/1").await.json();
    // false, hence left out: the swagger fields are `omitempty` (FIDELITY.md item 16).
    assert_eq!(
        (j["deletion"].as_bool(), j["replicate_deletion"].as_bool()),
        (None, None)
    );
    let mut b = push(reg, "b");
    b["deletion"] = json!(true);
    h.admin().post("/replication/policies", b).await;
    let j = h.admin().get("/replication/policies/2").await.json();
    assert_eq!(
        (j["deletion"].as_bool(), j["replicate_deletion"].as_bool()),
        (Some(true), Some(true))
    );
}

#[tokio::test]
async fn policy_put_replaces_the_whole_policy() {
    let (h, reg) = setup().await;
    let mut b = push(reg, "p");
    b["override"] = json!(true);
    b["dest_namespace_replace_count"] = json!(1);
    b["speed"] = json!(100);
    h.admin().post("/replication/policies", b).await;
    let r = h
        .admin()
        .put(
            "/replication/policies/1",
            json!({"name": "p", "dest_registry": {"id": reg}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let j = h.admin().get("/replication/policies/1").await.json();
    // false, hence left out (go-swagger's `omitempty`).
    assert_eq!(
        (j["override"].as_bool(), j["enabled"].as_bool()),
        (None, None)
    );
    assert_eq!(j["dest_namespace_replace_count"], -1);
    assert_eq!(j["speed"], 0);
}

#[tokio::test]
async fn negative_speed_becomes_unlimited() {
    let (h, reg) = setup().await;
    let mut b = push(reg, "p");
    b["speed"] = json!(-5);
    h.admin().post("/replication/policies", b).await;
    assert_eq!(
        h.admin().get("/replication/policies/1").await.json()["speed"],
        0
    );
}

#[tokio::test]
async fn single_active_replication_with_event_based_trigger_is_a_500() {
    let (h, reg) = setup().await;
    let mut b = push(reg, "p");
    b["single_active_replication"] = json!(true);
    b["trigger"] = json!({"type": "event_based"});
    assert_eq!(h.admin().post("/replication/policies", b).await.status, 500);
}

#[tokio::test]
async fn single_active_replication_exists_only_from_2_14() {
    let h = Harbor::version("2.13.2").await;
    let reg = h.registry("remote").await;
    let mut b = push(reg, "p");
    b["single_active_replication"] = json!(true);
    b["trigger"] = json!({"type": "event_based"});
    assert_eq!(h.admin().post("/replication/policies", b).await.status, 201);
    assert!(
        h.admin()
            .get("/replication/policies/1")
            .await
            .json()
            .get("single_active_replication")
            .is_none()
    );
}

#[tokio::test]
async fn execution_of_a_disabled_policy_is_412() {
    let (h, reg) = setup().await;
    let mut b = push(reg, "p");
    b["enabled"] = json!(false);
    h.admin().post("/replication/policies", b).await;
    let r = h
        .admin()
        .post("/replication/executions", json!({"policy_id": 1}))
        .await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (412, "the policy 1 is disabled")
    );
}

#[tokio::test]
async fn executions_finish_as_succeed_and_list_by_policy() {
    let (h, reg) = setup().await;
    h.admin()
        .post("/replication/policies", push(reg, "a"))
        .await;
    h.admin()
        .post("/replication/policies", push(reg, "b"))
        .await;
    let r = h
        .admin()
        .post("/replication/executions", json!({"policy_id": 1}))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v2.0/replication/executions/1")
    );
    h.admin()
        .post("/replication/executions", json!({"policy_id": 2}))
        .await;
    let e = h.admin().get("/replication/executions/1").await.json();
    assert_eq!(
        (
            e["status"].as_str(),
            e["policy_id"].as_i64(),
            e["trigger"].as_str()
        ),
        (Some("Succeed"), Some(1), Some("manual"))
    );
    let list = h
        .admin()
        .get("/replication/executions?policy_id=2")
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], 2);
}

#[tokio::test]
async fn policy_delete_removes_its_executions() {
    let (h, reg) = setup().await;
    h.admin()
        .post("/replication/policies", push(reg, "a"))
        .await;
    h.admin()
        .post("/replication/executions", json!({"policy_id": 1}))
        .await;
    assert_eq!(
        h.admin().delete("/replication/policies/1").await.status,
        200
    );
    assert_eq!(h.admin().get("/replication/executions/1").await.status, 404);
    assert_eq!(h.admin().get("/replication/policies/1").await.status, 404);
}

#[tokio::test]
async fn replication_needs_system_access() {
    let (h, reg) = setup().await;
    assert_eq!(h.anon().get("/replication/policies").await.status, 401);
    let (_, name, secret) = h
        .system_robot(
            "rep",
            &[
                ("replication-policy", "create"),
                ("replication-policy", "list"),
            ],
        )
        .await;
    let robot = h.user(&name, &secret);
    assert_eq!(
        robot
            .post("/replication/policies", push(reg, "p"))
            .await
            .status,
        201
    );
    assert_eq!(robot.get("/replication/policies").await.status, 200);
    assert_eq!(robot.delete("/replication/policies/1").await.status, 403);
}

/// Harbor `src/controller/replication/model/model.go` `Validate`: the cron goes through
/// `utils.CronParser()` (robfig/cron v3, six fields with their ranges), so `0 99 * * * *` is 400;
/// an empty trigger type is "invalid trigger type"; and `CreateReplicationPolicy`
/// (handler/replication.go) copies `trigger_settings` only when sent, so it comes back as sent.
#[tokio::test]
async fn trigger_cron_is_range_checked_and_settings_are_kept_as_sent() {
    let h = Harbor::start().await;
    let reg = h.registry("r").await;
    for (i, cron) in [
        "0 99 * * * *",
        "0 0 24 * * *",
        "0 0 0 0 * *",
        "0 0 0 * * 7",
        "0 0 */0 * * *",
    ]
    .iter()
    .enumerate()
    {
        let mut b = push(reg, &format!("bad{i}"));
        b["trigger"] = json!({"type": "scheduled", "trigger_settings": {"cron": cron}});
        let r = h.admin().post("/replication/policies", b).await;
        assert_eq!(r.status, 400, "{cron}: {}", r.text);
        assert_eq!(
            r.message(),
            format!("invalid cron string for scheduled trigger: {cron}")
        );
    }
    let mut b = push(reg, "empty-type");
    b["trigger"] = json!({"type": ""});
    let r = h.admin().post("/replication/policies", b).await;
    assert_eq!(
        (r.status, r.message()),
        (400, "invalid trigger type".to_string())
    );

    let mut b = push(reg, "bare");
    b["trigger"] = json!({"type": "manual"});
    let bare = h
        .admin()
        .post("/replication/policies", b)
        .await
        .location_id();
    let t = h
        .admin()
        .get(&format!("/replication/policies/{bare}"))
        .await
        .json()["trigger"]
        .clone();
    assert_eq!(t, json!({"type": "manual"}));
    let mut b = push(reg, "with-settings");
    b["trigger"] = json!({"type": "event_based", "trigger_settings": {"cron": ""}});
    let id = h
        .admin()
        .post("/replication/policies", b)
        .await
        .location_id();
    let t = h
        .admin()
        .get(&format!("/replication/policies/{id}"))
        .await
        .json()["trigger"]
        .clone();
    assert_eq!(t, json!({"type": "event_based", "trigger_settings": {}}));
}

/// Harbor `src/pkg/replication/model/model.go` (`creation_time ... sort:"default:desc"`) and
/// `src/pkg/quota/dao/util.go` `listOrderBy` (`creation_time DESC`): both lists come newest first.
#[tokio::test]
async fn policies_and_quotas_are_listed_newest_first() {
    let (h, reg) = setup().await;
    for name in ["first", "second", "third"] {
        let r = h
            .admin()
            .post("/replication/policies", push(reg, name))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        h.project(name, false).await;
    }
    let names: Vec<String> = h
        .admin()
        .get("/replication/policies")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["third", "second", "first"]);
    let refs: Vec<i64> = h
        .admin()
        .get("/quotas")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["ref"]["id"].as_i64().unwrap())
        .collect();
    let mut sorted = refs.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(refs, sorted, "newest project's quota first");
}

/// `Validate` (controller/replication/model/model.go) checks `dest_namespace` with
/// `lib.RepositoryNameRe`, distribution's `reference.NameRegexp` anchored: double underscores,
/// dash runs, nested paths and a `host:port/` prefix pass, upper case and `*` do not; the replace
/// count is any int8 (negative: the legacy flattening).
#[tokio::test]
async fn dest_namespace_follows_the_reference_name_rule_and_replace_count_is_any_int8() {
    let (h, reg) = setup().await;
    for (i, ns) in [
        "a__b",
        "a--b",
        "team/sub",
        "registry.local:5000/team",
        "a.b_c",
    ]
    .iter()
    .enumerate()
    {
        let mut b = push(reg, &format!("ok{i}"));
        b["dest_namespace"] = json!(ns);
        let r = h.admin().post("/replication/policies", b).await;
        assert_eq!(r.status, 201, "{ns}: {}", r.text);
    }
    for ns in ["Team", "a/*", "-a", "a_"] {
        let mut b = push(reg, "bad");
        b["dest_namespace"] = json!(ns);
        let r = h.admin().post("/replication/policies", b).await;
        assert_eq!(
            (r.status, r.message()),
            (400, format!("invalid destination namespace: {ns}")),
            "{ns}"
        );
    }
    let mut b = push(reg, "flat");
    b["dest_namespace_replace_count"] = json!(-5);
    let r = h.admin().post("/replication/policies", b).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.location_id();
    assert_eq!(
        h.admin()
            .get(&format!("/replication/policies/{id}"))
            .await
            .json()["dest_namespace_replace_count"],
        -5
    );
}
