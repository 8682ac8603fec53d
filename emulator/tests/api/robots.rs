//! Robot accounts: creation rules, secrets, list semantics, update rules, authentication and access.

use serde_json::{Value, json};

use crate::support::{Harbor, access_list};

fn project_robot_body(project: &str, name: &str) -> Value {
    json!({"name": name, "level": "project", "duration": 30, "permissions": [
        {"kind": "project", "namespace": project, "access": access_list(&[("repository", "pull"), ("repository", "push"), ("repository", "list")])}
    ]})
}

#[tokio::test]
async fn robot_create_returns_location_prefixed_name_and_secret() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let r = h
        .admin()
        .post("/robots", project_robot_body("p", "ci"))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.header("location").as_deref(), Some("/api/v2.0/robots/1"));
    let j = r.json();
    assert_eq!(j["name"], "robot$p+ci");
    assert_eq!(j["id"], 1);
    assert!(j["secret"].as_str().unwrap().len() >= 8);
    assert!(j["creation_time"].is_string() && j["expires_at"].is_i64());
}

#[tokio::test]
async fn robot_secret_is_returned_only_on_create_and_refresh() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let got = h.admin().get(&format!("/robots/{id}")).await.json();
    assert!(got.get("secret").is_none());
    let listed = h
        .admin()
        .get("/robots?q=Level%3Dproject%2CProjectID%3D2")
        .await
        .json();
    assert!(listed[0].get("secret").is_none());
    let refreshed = h.admin().patch(&format!("/robots/{id}"), json!({})).await;
    assert_eq!(refreshed.status, 200);
    assert!(
        refreshed.json()["secret"]
            .as_str()
            .is_some_and(|s| s.len() >= 8)
    );
}

#[tokio::test]
async fn robot_name_must_match_the_regex() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    for bad in ["CI", "a+b", "", "x..y"] {
        let r = h
            .admin()
            .post("/robots", project_robot_body("p", bad))
            .await;
        assert_eq!(r.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn robot_level_must_be_system_or_project() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let mut body = project_robot_body("p", "ci");
    body["level"] = json!("global");
    assert_eq!(h.admin().post("/robots", body).await.status, 400);
}

#[tokio::test]
async fn robot_duration_zero_is_rejected_since_2_11() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let mut body = project_robot_body("p", "ci");
    body["duration"] = json!(0);
    assert_eq!(h.admin().post("/robots", body.clone()).await.status, 400);
    body.as_object_mut().unwrap().remove("duration");
    assert_eq!(h.admin().post("/robots", body.clone()).await.status, 400);
    body["duration"] = json!(-2);
    assert_eq!(h.admin().post("/robots", body.clone()).await.status, 400);
    body["duration"] = json!(2147483647_i64);
    assert_eq!(h.admin().post("/robots", body).await.status, 400);
}

#[tokio::test]
async fn robot_duration_minus_one_never_expires() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let mut body = project_robot_body("p", "ci");
    body["duration"] = json!(-1);
    let r = h.admin().post("/robots", body).await.json();
    assert_eq!(r["expires_at"], -1);
}

#[tokio::test]
async fn robot_duration_sets_expires_at_in_days() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let r = h
        .admin()
        .post("/robots", project_robot_body("p", "ci"))
        .await
        .json();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expires = r["expires_at"].as_i64().unwrap();
    assert!((expires - (now + 30 * 86_400)).abs() <= 2, "{expires}");
}

#[tokio::test]
async fn robot_duplicate_name_conflicts() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.robot(project_robot_body("p", "ci")).await;
    let r = h
        .admin()
        .post("/robots", project_robot_body("p", "ci"))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.message(), "robot account 2:p+ci already exists");
}

#[tokio::test]
async fn robot_permission_outside_the_catalog_is_rejected() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let body = json!({"name": "ci", "level": "project", "duration": 1, "permissions": [
        {"kind": "project", "namespace": "p", "access": access_list(&[("repository", "*")])}]});
    let r = h.admin().post("/robots", body).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.message(), "bad request permission: repository:*");
}

#[tokio::test]
async fn robot_empty_permissions_or_access_are_rejected() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let none = json!({"name": "a", "level": "system", "duration": 1, "permissions": []});
    assert_eq!(h.admin().post("/robots", none).await.status, 400);
    let empty = json!({"name": "a", "level": "project", "duration": 1, "permissions": [{"kind": "project", "namespace": "p", "access": []}]});
    assert_eq!(h.admin().post("/robots", empty).await.status, 400);
}

#[tokio::test]
async fn project_robot_needs_exactly_one_project_permission() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.project("q", false).await;
    let two = json!({"name": "a", "level": "project", "duration": 1, "permissions": [
        {"kind": "project", "namespace": "p", "access": access_list(&[("repository", "pull")])},
        {"kind": "project", "namespace": "q", "access": access_list(&[("repository", "pull")])}]});
    assert_eq!(h.admin().post("/robots", two).await.status, 400);
    let system = json!({"name": "a", "level": "project", "duration": 1, "permissions": [
        {"kind": "system", "namespace": "/", "access": access_list(&[("project", "list")])}]});
    assert_eq!(h.admin().post("/robots", system).await.status, 400);
}

#[tokio::test]
async fn system_robot_combines_system_and_project_permissions() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let body = json!({"name": "multi", "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": "/", "access": access_list(&[("project", "list")])},
        {"kind": "project", "namespace": "p", "access": access_list(&[("repository", "pull")])},
        {"kind": "project", "namespace": "*", "access": access_list(&[("repository", "list")])}]});
    let (id, name, _) = h.robot(body).await;
    assert_eq!(name, "robot$multi");
    let j = h.admin().get(&format!("/robots/{id}")).await.json();
    assert_eq!(j["level"], "system");
    let mut namespaces: Vec<&str> = j["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["namespace"].as_str().unwrap())
        .collect();
    // Harbor's block order is a Go map's (random): compare as a set.
    namespaces.sort();
    assert_eq!(namespaces, vec!["*", "/", "p"]);
}

#[tokio::test]
async fn robot_create_ignores_disable_and_secret() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let mut body = project_robot_body("p", "ci");
    body["disable"] = json!(true);
    body["secret"] = json!("Given12345");
    let r = h.admin().post("/robots", body).await.json();
    assert_ne!(r["secret"], "Given12345");
    assert_eq!(
        h.admin().get(&format!("/robots/{}", r["id"])).await.json()["disable"],
        false
    );
    assert_eq!(
        h.user("robot$p+ci", "Given12345")
            .get("/projects/p")
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn robot_list_defaults_to_system_robots() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.robot(project_robot_body("p", "ci")).await;
    h.system_robot("sys", &[("project", "list")]).await;
    let r = h.admin().get("/robots").await;
    let names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().into())
        .collect();
    assert_eq!(names, vec!["robot$sys"]);
    assert_eq!(r.header("x-total-count").as_deref(), Some("1"));
}

#[tokio::test]
async fn robot_list_returns_project_robots_with_level_and_project_id() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    h.project("other", false).await;
    h.robot(project_robot_body("p", "ci")).await;
    h.robot(project_robot_body("other", "ci")).await;
    let r = h
        .admin()
        .get(&format!("/robots?q=Level%3Dproject%2CProjectID%3D{pid}"))
        .await
        .json();
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["name"], "robot$p+ci");
    assert_eq!(r[0]["level"], "project");
    assert_eq!(r[0]["permissions"][0]["namespace"], "p");
}

#[tokio::test]
async fn robot_read_has_the_documented_fields() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let j = h.admin().get(&format!("/robots/{id}")).await.json();
    for key in [
        "id",
        "name",
        "level",
        "duration",
        "editable",
        "disable",
        "expires_at",
        "permissions",
        "creator_type",
        "creator_ref",
        "creation_time",
        "update_time",
    ] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
    assert_eq!(
        (
            j["editable"].as_bool(),
            j["creator_type"].as_str(),
            j["duration"].as_i64()
        ),
        (Some(true), Some("local"), Some(30))
    );
}

#[tokio::test]
async fn robot_creator_fields_appear_from_2_12() {
    let h = Harbor::version("2.11.2").await;
    let (id, _, _) = h.system_robot("sys", &[("project", "list")]).await;
    let j = h.admin().get(&format!("/robots/{id}")).await.json();
    assert!(j.get("creator_type").is_none() && j.get("creator_ref").is_none());
}

fn put_body(name: &str, level: &str, project: &str) -> Value {
    json!({"name": name, "level": level, "permissions": [
        {"kind": "project", "namespace": project, "access": access_list(&[("repository", "pull")])}]})
}

#[tokio::test]
async fn robot_put_requires_the_full_prefixed_name_and_the_same_level() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let path = format!("/robots/{id}");
    let r = h.admin().put(&path, put_body("ci", "project", "p")).await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (400, "cannot update the level or name of robot")
    );
    assert_eq!(
        h.admin()
            .put(&path, put_body("robot$p+ci", "system", "p"))
            .await
            .status,
        400
    );
    assert_eq!(
        h.admin()
            .put(&path, put_body("robot$p+ci", "project", "p"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn robot_put_cannot_move_a_robot_to_another_project() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    h.project("q", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let r = h
        .admin()
        .put(
            &format!("/robots/{id}"),
            put_body("robot$p+ci", "project", "q"),
        )
        .await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (400, "cannot update the project id of robot")
    );
}

#[tokio::test]
async fn robot_put_needs_permissions() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let r = h
        .admin()
        .put(
            &format!("/robots/{id}"),
            json!({"name": "robot$p+ci", "level": "project"}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn robot_put_replaces_permissions_and_overwrites_description_and_disable() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let mut body = project_robot_body("p", "ci");
    body["description"] = json!("build bot");
    let (id, _, _) = h.robot(body).await;
    let path = format!("/robots/{id}");
    let mut update = put_body("robot$p+ci", "project", "p");
    update["disable"] = json!(true);
    h.admin().put(&path, update).await;
    let j = h.admin().get(&path).await.json();
    // Overwritten with "", which the `omitempty` field then leaves out.
    assert!(j.get("description").is_none(), "{j}");
    assert_eq!(j["disable"], true);
    assert_eq!(
        j["permissions"][0]["access"],
        access_list(&[("repository", "pull")])
    );
    h.admin()
        .put(&path, put_body("robot$p+ci", "project", "p"))
        .await;
    assert_eq!(h.admin().get(&path).await.json()["disable"], false);
}

#[tokio::test]
async fn robot_put_duration_recomputes_expiry_from_creation_time() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let created = h
        .admin()
        .post("/robots", project_robot_body("p", "ci"))
        .await
        .json();
    let id = created["id"].as_i64().unwrap();
    let first_expiry = created["expires_at"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut body = put_body("robot$p+ci", "project", "p");
    body["duration"] = json!(31);
    assert_eq!(
        h.admin().put(&format!("/robots/{id}"), body).await.status,
        200
    );
    let j = h.admin().get(&format!("/robots/{id}")).await.json();
    assert_eq!(j["duration"], 31);
    assert_eq!(j["expires_at"].as_i64().unwrap(), first_expiry + 86_400);
}

#[tokio::test]
async fn robot_put_keeps_duration_when_omitted() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let created = h
        .admin()
        .post("/robots", project_robot_body("p", "ci"))
        .await
        .json();
    let id = created["id"].as_i64().unwrap();
    h.admin()
        .put(
            &format!("/robots/{id}"),
            put_body("robot$p+ci", "project", "p"),
        )
        .await;
    let j = h.admin().get(&format!("/robots/{id}")).await.json();
    assert_eq!(
        (j["duration"].clone(), j["expires_at"].clone()),
        (json!(30), created["expires_at"].clone())
    );
}

#[tokio::test]
async fn robot_put_rejects_duration_zero() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let mut body = put_body("robot$p+ci", "project", "p");
    body["duration"] = json!(0);
    assert_eq!(
        h.admin().put(&format!("/robots/{id}"), body).await.status,
        400
    );
}

#[tokio::test]
async fn robot_patch_with_a_given_secret_checks_complexity() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let path = format!("/robots/{id}");
    for weak in [
        "short1A",
        "alllowercase1",
        "ALLUPPER123",
        "NoDigitsHere",
        &format!("Aa1{}", "x".repeat(126)),
    ] {
        assert_eq!(
            h.admin().patch(&path, json!({"secret": weak})).await.status,
            400,
            "{weak}"
        );
    }
    let r = h
        .admin()
        .patch(&path, json!({"secret": "Str0ngSecret"}))
        .await;
    assert_eq!(r.status, 200);
    assert!(r.json().get("secret").is_none_or(|s| s == ""));
    assert_eq!(
        h.user("robot$p+ci", "Str0ngSecret")
            .get("/projects/p")
            .await
            .status,
        403
    );
    assert_eq!(
        h.user("robot$p+ci", "Str0ngSecret")
            .get("/projects/p/repositories")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn robot_patch_needs_a_body() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let r = h
        .admin()
        .send(reqwest::Method::PATCH, &format!("/robots/{id}"), None)
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn refreshed_secret_replaces_the_old_one() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, name, old) = h.robot(project_robot_body("p", "ci")).await;
    let new = h
        .admin()
        .patch(&format!("/robots/{id}"), json!({"secret": ""}))
        .await
        .json()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        h.user(&name, &old)
            .get("/projects/p/repositories")
            .await
            .status,
        401
    );
    assert_eq!(
        h.user(&name, &new)
            .get("/projects/p/repositories")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn robot_delete_returns_200() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h.robot(project_robot_body("p", "ci")).await;
    let r = h.admin().delete(&format!("/robots/{id}")).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    assert_eq!(h.admin().get(&format!("/robots/{id}")).await.status, 404);
}

#[tokio::test]
async fn robots_get_exactly_the_access_their_permissions_grant() {
    let h = Harbor::start().await;
    h.project("mine", false).await;
    h.project("theirs", false).await;
    let (_, name, secret) = h
        .project_robot(
            "mine",
            "bot",
            &[("repository", "list"), ("project", "read")],
        )
        .await;
    let robot = h.user(&name, &secret);
    assert_eq!(robot.get("/projects/mine").await.status, 200);
    assert_eq!(robot.get("/projects/mine/repositories").await.status, 200);
    assert_eq!(robot.get("/projects/theirs").await.status, 403);
    assert_eq!(robot.get("/projects/theirs/repositories").await.status, 403);
    assert_eq!(robot.delete("/projects/mine").await.status, 403);
    assert_eq!(robot.get("/registries").await.status, 403);
    let visible = robot.get("/projects").await.json();
    let names: Vec<&str> = visible
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["library", "mine"]);
}

#[tokio::test]
async fn wildcard_namespace_grants_every_project() {
    let h = Harbor::start().await;
    h.project("a", false).await;
    let body = json!({"name": "all", "level": "system", "duration": -1, "permissions": [
        {"kind": "project", "namespace": "*", "access": access_list(&[("project", "read")])}]});
    let (_, name, secret) = h.robot(body).await;
    h.project("b", false).await;
    assert_eq!(h.user(&name, &secret).get("/projects/a").await.status, 200);
    assert_eq!(h.user(&name, &secret).get("/projects/b").await.status, 200);
}

#[tokio::test]
async fn disabled_robots_are_anonymous() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, name, secret) = h.project_robot("p", "bot", &[("project", "read")]).await;
    let mut body = put_body("robot$p+bot", "project", "p");
    body["permissions"][0]["access"] = access_list(&[("project", "read")]);
    body["disable"] = json!(true);
    assert_eq!(
        h.admin().put(&format!("/robots/{id}"), body).await.status,
        200
    );
    assert_eq!(h.user(&name, &secret).get("/projects/p").await.status, 401);
}

#[tokio::test]
async fn robot_login_follows_a_changed_name_prefix() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, secret) = h.project_robot("p", "bot", &[("project", "read")]).await;
    h.admin()
        .put("/configurations", json!({"robot_name_prefix": "bot_"}))
        .await;
    assert_eq!(
        h.user("robot$p+bot", &secret)
            .get("/projects/p")
            .await
            .status,
        401
    );
    assert_eq!(
        h.user("bot_p+bot", &secret).get("/projects/p").await.status,
        200
    );
    assert_eq!(
        h.admin().get(&format!("/robots/{id}")).await.json()["name"],
        "bot_p+bot"
    );
}

#[tokio::test]
async fn robot_cannot_create_a_robot_with_wider_permissions() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (_, name, secret) = h
        .system_robot("boss", &[("robot", "create"), ("project", "list")])
        .await;
    let wider = json!({"name": "minion", "level": "system", "duration": 1, "permissions": [
        {"kind": "system", "namespace": "/", "access": access_list(&[("registry", "list")])}]});
    let r = h.user(&name, &secret).post("/robots", wider).await;
    assert_eq!((r.status, r.code().as_str()), (403, "DENIED"));
    let narrower = json!({"name": "minion", "level": "system", "duration": 1, "permissions": [
        {"kind": "system", "namespace": "/", "access": access_list(&[("project", "list")])}]});
    let r = h.user(&name, &secret).post("/robots", narrower).await;
    assert_eq!(r.status, 201);
    let id = r.json()["id"].as_i64().unwrap();
    let j = h.admin().get(&format!("/robots/{id}")).await.json();
    assert_eq!(j["creator_type"], "robot");
}

#[tokio::test]
async fn robots_cannot_create_robots_before_2_12() {
    let h = Harbor::version("2.11.0").await;
    let body = json!({"name": "boss", "level": "system", "duration": 1, "permissions": [
        {"kind": "system", "namespace": "/", "access": access_list(&[("robot", "create")])}]});
    let r = h.admin().post("/robots", body).await;
    assert_eq!(
        (r.status, r.message().as_str()),
        (400, "bad request permission: robot:create")
    );
}

#[tokio::test]
async fn project_robot_without_robot_permission_cannot_create_robots() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (_, name, secret) = h.project_robot("p", "bot", &[("repository", "pull")]).await;
    let r = h
        .user(&name, &secret)
        .post("/robots", project_robot_body("p", "other"))
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        h.anon()
            .post("/robots", project_robot_body("p", "x"))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn permissions_endpoint_shows_the_system_scope_only_to_admins() {
    let h = Harbor::start().await;
    let admin = h.admin().get("/permissions").await.json();
    let system = admin["system"].as_array().unwrap();
    assert!(system.contains(&json!({"resource": "registry", "action": "create"})));
    assert!(
        admin["project"]
            .as_array()
            .unwrap()
            .contains(&json!({"resource": "repository", "action": "push"}))
    );
    let (_, name, secret) = h.system_robot("bot", &[("project", "list")]).await;
    let robot = h.user(&name, &secret).get("/permissions").await.json();
    assert!(robot.get("system").is_none());
    assert_eq!(h.anon().get("/permissions").await.status, 401);
}

#[tokio::test]
async fn robot_permissions_on_deleted_projects_are_dropped() {
    let h = Harbor::start().await;
    h.project("keep", false).await;
    h.project("drop", false).await;
    let body = json!({"name": "multi", "level": "system", "duration": -1, "permissions": [
        {"kind": "project", "namespace": "keep", "access": access_list(&[("repository", "pull")])},
        {"kind": "project", "namespace": "drop", "access": access_list(&[("repository", "pull")])}]});
    let (id, _, _) = h.robot(body).await;
    h.admin().delete("/projects/drop").await;
    let j = h.admin().get(&format!("/robots/{id}")).await.json();
    assert_eq!(j["permissions"].as_array().unwrap().len(), 1);
    assert_eq!(j["permissions"][0]["namespace"], "keep");
}

#[tokio::test]
async fn robot_for_an_unknown_project_is_404_for_admins() {
    let h = Harbor::start().await;
    assert_eq!(
        h.admin()
            .post("/robots", project_robot_body("ghost", "ci"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn robot_list_q_is_unescaped_twice_so_plus_needs_double_encoding() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    h.robot(project_robot_body("p", "ci")).await;
    let q = |name: &str| format!("/robots?q=Level%3Dproject%2CProjectID%3D{pid}%2Cname%3D{name}");
    assert_eq!(
        h.admin()
            .get(&q("p%252Bci"))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        h.admin()
            .get(&q("p%2Bci"))
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn admin_listing_robots_of_an_unknown_project_gets_an_empty_list() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .get("/robots?q=Level%3Dproject%2CProjectID%3D999")
        .await;
    assert_eq!((r.status, r.json()), (200, json!([])));
}

/// Harbor `src/controller/robot/controller.go` `populatePermissions` groups the robot's rows by
/// scope in a Go map, and `src/pkg/rbac/dao/dao.go` `CreateRbacPolicy`/`CreatePermission` store
/// each (scope, resource, action, effect) once: two blocks for one namespace read back as one,
/// a repeated access once, and the block order is not the order written.
#[tokio::test]
async fn robot_permissions_come_back_merged_by_scope_and_deduplicated() {
    let h = Harbor::start().await;
    h.project("a", false).await;
    let (id, _, _) = h
        .robot(json!({"name": "m", "level": "system", "duration": -1, "permissions": [
            {"kind": "project", "namespace": "a", "access": access_list(&[("repository", "pull")])},
            {"kind": "system", "namespace": "/", "access": access_list(&[("project", "list")])},
            {"kind": "project", "namespace": "a", "access": access_list(&[("repository", "pull"), ("repository", "push")])},
            {"kind": "system", "namespace": "/", "access": access_list(&[("project", "list")])}
        ]}))
        .await;
    let perms = h.admin().get(&format!("/robots/{id}")).await.json()["permissions"].clone();
    let perms = perms.as_array().unwrap();
    assert_eq!(perms.len(), 2, "{perms:?}");
    let block = |ns: &str| perms.iter().find(|p| p["namespace"] == ns).unwrap().clone();
    let a = block("a");
    let actions: Vec<&str> = a["access"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["pull", "push"]);
    assert_eq!(block("/")["access"].as_array().unwrap().len(), 1);
    assert_eq!(perms[0]["namespace"], "/", "not the order written");
}

/// Harbor `src/server/v2.0/handler/robot.go` `isValidPermissionScope`: a creating robot's block is
/// matched by exact kind and namespace first (only then `kind:*`), and accesses must agree on
/// resource, action and effect.
#[tokio::test]
async fn robot_creating_robots_matches_the_exact_namespace_and_the_effect() {
    let h = Harbor::start().await;
    h.project("a", false).await;
    let (_, creator, secret) = h
        .robot(json!({"name": "maker", "level": "system", "duration": -1, "permissions": [
            {"kind": "system", "namespace": "/", "access": access_list(&[("robot", "create")])},
            {"kind": "project", "namespace": "a", "access": access_list(&[("repository", "pull"), ("robot", "create")])},
            {"kind": "project", "namespace": "*", "access": access_list(&[("repository", "push")])}
        ]}))
        .await;
    let as_creator = h.user(&creator, &secret);
    let child = |access: Value| {
        json!({"name": "child", "level": "project", "duration": -1, "permissions": [
            {"kind": "project", "namespace": "a", "access": access}
        ]})
    };
    // `a` has its own block, so the `*` block's push is not consulted.
    let r = as_creator
        .post("/robots", child(access_list(&[("repository", "push")])))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(
        r.message().starts_with("permission scope is invalid"),
        "{}",
        r.text
    );
    // Same pair with another effect is not covered.
    let r = as_creator
        .post(
            "/robots",
            child(json!([{"resource": "repository", "action": "pull", "effect": "deny"}])),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = as_creator
        .post("/robots", child(access_list(&[("repository", "pull")])))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// Harbor `src/server/v2.0/handler/robot.go` `requireAccess`: a project robot is checked with
/// `RequireProjectAccess` on the project's `robot` resource, which a system-scope `robot:create`
/// does not grant (`src/common/security/robot/context.go` `Can` keeps system and project
/// policies in separate evaluators).
#[tokio::test]
async fn robot_system_robot_create_does_not_grant_project_robot_create() {
    let h = Harbor::start().await;
    h.project("a", false).await;
    let (_, creator, secret) = h.system_robot("sysmaker", &[("robot", "create")]).await;
    let r = h
        .user(&creator, &secret)
        .post("/robots", project_robot_body("a", "child"))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

/// Harbor `src/pkg/robot/model/model.go`: `Name` carries `sort:"default"`, so `GET /robots`
/// lists by the stored name (without the prefix), not by id.
#[tokio::test]
async fn robot_list_is_sorted_by_name() {
    let h = Harbor::start().await;
    for name in ["zeta", "alpha", "mid"] {
        h.system_robot(name, &[("project", "list")]).await;
    }
    let names: Vec<String> = h
        .admin()
        .get("/robots")
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["robot$alpha", "robot$mid", "robot$zeta"]);
}

/// go-swagger gives every swagger property that is neither required, `x-nullable` nor
/// `x-omitempty: false` an `omitempty` Go tag: an empty robot `description` and an empty access
/// `effect` are left out (seen on Harbor 2.15.2, FIDELITY.md item 16), as are an empty registry
/// `description`, `insecure: false`, and a replication policy's false `deletion`,
/// `replicate_deletion`, `override` and `enabled`; `editable`/`disable` (`x-omitempty: false`) and
/// the `x-isnullable` pointers (`dest_namespace_replace_count`, `speed`) stay.
#[tokio::test]
async fn empty_optional_fields_are_omitted_as_go_swagger_does() {
    let h = Harbor::start().await;
    h.project("p", false).await;
    let (id, _, _) = h
        .robot(
            json!({"name": "ci", "level": "project", "duration": -1, "permissions": [
            {"kind": "project", "namespace": "p",
             "access": [{"resource": "repository", "action": "pull"}]}]}),
        )
        .await;
    let j = h.admin().get(&format!("/robots/{id}")).await.json();
    assert!(j.get("description").is_none(), "{j}");
    assert!(
        j["permissions"][0]["access"][0].get("effect").is_none(),
        "{j}"
    );
    assert_eq!(j["disable"], false);
    let reg = h.registry("hub").await;
    let r = h.admin().get(&format!("/registries/{reg}")).await.json();
    assert!(
        r.get("description").is_none() && r.get("insecure").is_none(),
        "{r}"
    );
    assert_eq!(r["id"], reg);
    let body = json!({"name": "rp", "dest_registry": {"id": reg}});
    assert_eq!(
        h.admin().post("/replication/policies", body).await.status,
        201
    );
    let p = h.admin().get("/replication/policies/1").await.json();
    for key in [
        "description",
        "deletion",
        "replicate_deletion",
        "override",
        "enabled",
    ] {
        assert!(p.get(key).is_none(), "{key} in {p}");
    }
    assert_eq!(p["dest_namespace_replace_count"], -1);
    assert_eq!(p["speed"], 0);
    // The local registry of the policy's source side carries no empty description either.
    assert!(p["src_registry"].get("description").is_none(), "{p}");
    assert_eq!(p["src_registry"]["id"], 0);
}
