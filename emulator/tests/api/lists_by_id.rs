//! Lists that select objects by id (`q=id={a b}`), and list items that carry what the single
//! GET returns: what batched reads of robots, registries and replication policies rely on.

use serde_json::{Value, json};

use crate::support::Harbor;

/// `q=<key>={ids}` percent-encoded, after `scope` terms (already encoded, ending in `%2C`).
fn by_ids(path: &str, scope: &str, key: &str, ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("{path}?q={scope}{key}%3D%7B{}%7D", list.join("+"))
}

/// The list's items by id, each next to what `GET {path}/{id}` returns for it.
async fn items_and_gets(h: &Harbor, path: &str, list: &str) -> Vec<(i64, Value, Value)> {
    let r = h.admin().get(list).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut out = Vec::new();
    for item in r.json().as_array().unwrap() {
        let id = item["id"].as_i64().unwrap();
        let got = h.admin().get(&format!("{path}/{id}")).await.json();
        out.push((id, item.clone(), got));
    }
    out.sort_by_key(|(id, _, _)| *id);
    out
}

/// `handler/robot.go` `ListRobot`: without `Level` it lists system robots (`ProjectID` is set
/// to 0), with `Level=project,ProjectID=N` that project's; other keys reach `lib/orm/query.go`
/// `setFilters`, which takes `id` or `ID` (`pkg/robot/model/model.go` `Robot.ID`) and turns
/// `{a b}` into `IN`. Both list and GET populate `WithPermission: true` and render with
/// `model.NewRobot(r).ToSwagger()`, so list items carry the permissions.
#[tokio::test]
async fn robot_lists_select_ids_within_their_level_and_carry_permissions() {
    let h = Harbor::start().await;
    let p = h.project("p", false).await;
    let (s1, _, _) = h.system_robot("s1", &[("project", "list")]).await;
    let (s2, _, _) = h.system_robot("s2", &[("registry", "list")]).await;
    let (s3, _, _) = h.system_robot("s3", &[("registry", "read")]).await;
    let (r1, _, _) = h.project_robot("p", "ci", &[("repository", "pull")]).await;
    let (r2, _, _) = h.project_robot("p", "cd", &[("repository", "push")]).await;

    let system = items_and_gets(&h, "/robots", &by_ids("/robots", "", "id", &[s1, s3, r1])).await;
    let ids: Vec<i64> = system.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids, [s1, s3], "system robots only, and only those named");
    for (_, item, got) in &system {
        assert_eq!(item, got);
        assert!(!item["permissions"].as_array().unwrap().is_empty());
    }
    let upper = items_and_gets(&h, "/robots", &by_ids("/robots", "", "ID", &[s2])).await;
    assert_eq!(upper.len(), 1);
    assert_eq!(upper[0].0, s2);

    let scope = format!("Level%3Dproject%2CProjectID%3D{p}%2C");
    let project = items_and_gets(&h, "/robots", &by_ids("/robots", &scope, "id", &[r2, s1])).await;
    assert_eq!(project.len(), 1, "{project:?}");
    let (id, item, got) = &project[0];
    assert_eq!(*id, r2);
    assert_eq!(item, got);
    assert_eq!(item["permissions"][0]["namespace"], "p");
}

/// `pkg/reg/dao/model.go` `Registry.ID` is filterable as `id` or `ID` (`lib/orm/query.go`
/// `setFilters`); `ListRegistries` and `GetRegistry` (`handler/registry.go`) both convert with
/// `fromDaoModel` (`pkg/reg/manager.go`) and `convertRegistry` (`handler/replication.go`):
/// status, CA certificate and credential alike, the secret masked as `*****` in both.
#[tokio::test]
async fn registry_list_selects_ids_and_its_items_equal_the_get() {
    let h = Harbor::start().await;
    let a = h.registry("a").await;
    let b = h.registry("b").await;
    let r = h
        .admin()
        .post(
            "/registries",
            json!({"name": "c", "type": "docker-hub", "url": "https://hub.docker.com",
                "description": "with a credential", "insecure": true,
                "credential": {"type": "basic", "access_key": "me", "access_secret": "s3cret"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let c = r.location_id();
    let listed = items_and_gets(
        &h,
        "/registries",
        &by_ids("/registries", "", "id", &[a, c, 999]),
    )
    .await;
    let ids: Vec<i64> = listed.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids, [a, c]);
    for (_, item, got) in &listed {
        assert_eq!(item, got);
    }
    assert_eq!(listed[1].1["credential"]["access_secret"], "*****");
    assert_eq!(listed[1].1["credential"]["access_key"], "me");
    assert!(listed[1].1["status"].is_string());
    let upper = items_and_gets(&h, "/registries", &by_ids("/registries", "", "ID", &[b])).await;
    assert_eq!(upper.len(), 1);
    assert_eq!(upper[0].0, b);
}

/// `pkg/replication/model/model.go` `Policy.ID` is filterable as `id` or `ID`;
/// `ListPolicies` and `GetPolicy` (`controller/replication/policy.go`) both go through
/// `populateRegistry`, and `handler/replication.go` renders both with
/// `convertReplicationPolicy`: filters, trigger and both registries in every list item.
#[tokio::test]
async fn replication_policy_list_selects_ids_and_its_items_equal_the_get() {
    let h = Harbor::start().await;
    let reg = h.registry("remote").await;
    let mut ids = Vec::new();
    for (i, trigger) in [
        json!({"type": "manual"}),
        json!({"type": "scheduled", "trigger_settings": {"cron": "0 0 */2 * * *"}}),
        json!({"type": "event_based"}),
    ]
    .into_iter()
    .enumerate()
    {
        let r = h
            .admin()
            .post(
                "/replication/policies",
                json!({"name": format!("p{i}"), "dest_registry": {"id": reg}, "enabled": true,
                    "trigger": trigger, "dest_namespace": "mirror",
                    "filters": [{"type": "name", "value": "lib/**"},
                                {"type": "tag", "value": "v*", "decoration": "matches"}]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.location_id());
    }
    let path = "/replication/policies";
    let listed = items_and_gets(&h, path, &by_ids(path, "", "id", &[ids[0], ids[1]])).await;
    let got: Vec<i64> = listed.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(got, [ids[0], ids[1]]);
    for (_, item, get) in &listed {
        assert_eq!(item, get);
        assert_eq!(item["filters"].as_array().unwrap().len(), 2);
        assert_eq!(item["dest_registry"]["id"], reg);
        assert!(item["trigger"]["type"].is_string());
    }
    assert_eq!(
        listed[1].1["trigger"]["trigger_settings"]["cron"],
        "0 0 */2 * * *"
    );
    let upper = items_and_gets(&h, path, &by_ids(path, "", "ID", &[ids[2]])).await;
    assert_eq!(upper.len(), 1);
    assert_eq!(upper[0].0, ids[2]);
}
