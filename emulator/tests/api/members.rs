//! Project members and what each role may do (Harbor v2.15.2 handler/member.go,
//! controller/member, common/rbac/project/rbac_role.go).

use serde_json::json;

use crate::support::Harbor;

async fn user(h: &Harbor, name: &str) -> i64 {
    let r = h
        .admin()
        .post(
            "/users",
            json!({"username": name, "email": format!("{name}@example.com"), "realname": name, "password": "Passw0rd!"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.location_id()
}

async fn add_member(h: &Harbor, project: i64, username: &str, role: i64) -> i64 {
    let r = h
        .admin()
        .post(
            &format!("/projects/{project}/members"),
            json!({"role_id": role, "member_user": {"username": username}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.location_id()
}

// pkg/project/dao `Create`: the creator becomes projectAdmin of a new project, so a new
// project's member list already holds the admin.
#[tokio::test]
async fn member_project_creator_is_project_admin() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let r = h.admin().get(&format!("/projects/{pid}/members")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-total-count").as_deref(), Some("1"));
    let m = &r.json()[0];
    assert_eq!(m["entity_name"], "admin");
    assert_eq!(m["entity_type"], "u");
    assert_eq!(m["role_id"], 1);
    assert_eq!(m["role_name"], "projectAdmin");
}

// handler/member.go `CreateProjectMember`: 201 with a Location that repeats the project as the
// caller wrote it; `GetProjectMember` answers `ProjectMemberEntity`.
#[tokio::test]
async fn member_create_by_username_and_read() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let uid = user(&h, "jo").await;
    let r = h
        .admin()
        .post(
            "/projects/p/members",
            json!({"role_id": 2, "member_user": {"username": "jo"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mid = r.location_id();
    assert_eq!(
        r.header("location").unwrap(),
        format!("/api/v2.0/projects/p/members/{mid}")
    );
    let j = h
        .admin()
        .get(&format!("/projects/{pid}/members/{mid}"))
        .await
        .json();
    assert_eq!(j["entity_id"], uid);
    assert_eq!(j["entity_name"], "jo");
    assert_eq!(j["role_name"], "developer");
    assert_eq!(j["project_id"], pid);
}

// controller/member `Create`: 409 for the same entity twice, 400 for a role outside 1-5, 400
// "User %d not found"-style for an unknown id, and 404 "<name> not found" for an unknown name
// (database mode cannot onboard it).
#[tokio::test]
async fn member_create_errors() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    user(&h, "jo").await;
    add_member(&h, pid, "jo", 3).await;
    let path = format!("/projects/{pid}/members");
    let dup = h
        .admin()
        .post(
            &path,
            json!({"role_id": 2, "member_user": {"username": "jo"}}),
        )
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.message(), "The project member specified already exist");
    user(&h, "kim").await;
    let bad_role = h
        .admin()
        .post(
            &path,
            json!({"role_id": 9, "member_user": {"username": "kim"}}),
        )
        .await;
    assert_eq!(bad_role.status, 400);
    assert_eq!(
        bad_role.message(),
        "Failed to update project member, role is not in 1,2,3"
    );
    let unknown = h
        .admin()
        .post(
            &path,
            json!({"role_id": 2, "member_user": {"username": "ghost"}}),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.message(), "ghost not found");
    let unknown_group = h
        .admin()
        .post(&path, json!({"role_id": 2, "member_group": {"id": 77}}))
        .await;
    assert_eq!(unknown_group.status, 400);
    assert_eq!(unknown_group.message(), "Group 77 not found");
}

// handler/member.go `UpdateProjectMember` changes the role; pkg/member/dao updates without
// checking, so an unknown member id is 200 too.
#[tokio::test]
async fn member_role_update_and_delete() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    user(&h, "jo").await;
    let mid = add_member(&h, pid, "jo", 3).await;
    let path = format!("/projects/{pid}/members/{mid}");
    assert_eq!(
        h.admin().put(&path, json!({"role_id": 4})).await.status,
        200
    );
    assert_eq!(h.admin().get(&path).await.json()["role_name"], "maintainer");
    assert_eq!(
        h.admin()
            .put(
                &format!("/projects/{pid}/members/999"),
                json!({"role_id": 4})
            )
            .await
            .status,
        200
    );
    assert_eq!(h.admin().delete(&path).await.status, 200);
    let gone = h.admin().get(&path).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.message(),
        format!("the project member is not found, project id {pid}, member id {mid}")
    );
    assert_eq!(h.admin().delete(&path).await.status, 200);
}

// controller/user `Delete` removes the user's member rows first.
#[tokio::test]
async fn member_rows_go_with_a_deleted_user() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    let uid = user(&h, "jo").await;
    let mid = add_member(&h, pid, "jo", 2).await;
    assert_eq!(h.admin().delete(&format!("/users/{uid}")).await.status, 200);
    assert_eq!(
        h.admin()
            .get(&format!("/projects/{pid}/members/{mid}"))
            .await
            .status,
        404
    );
}

/// What one role may do in a private project, through the APIs the emulator serves.
async fn abilities(h: &Harbor, name: &str, pid: i64) -> Vec<(&'static str, u16)> {
    let who = h.user(name, "Passw0rd!");
    vec![
        (
            "get project",
            who.get(&format!("/projects/{pid}")).await.status,
        ),
        (
            "list repositories",
            who.get("/projects/p/repositories").await.status,
        ),
        (
            "list members",
            who.get(&format!("/projects/{pid}/members")).await.status,
        ),
        (
            "update project",
            who.put(
                &format!("/projects/{pid}"),
                json!({"metadata": {"auto_scan": "true"}}),
            )
            .await
            .status,
        ),
        (
            "delete repository",
            who.delete("/projects/p/repositories/one").await.status,
        ),
    ]
}

// common/rbac/project/rbac_role.go `rolePoliciesMap`: projectAdmin may update the project and
// delete repositories; maintainer may delete repositories but not update the project; developer
// and guest may read, list repositories and members; limitedGuest lists repositories but not
// members. A user who is no member of a private project gets 403.
#[tokio::test]
async fn member_role_permissions_on_project_apis() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    for (name, role) in [
        ("padmin", 1),
        ("maint", 4),
        ("dev", 2),
        ("guest", 3),
        ("limited", 5),
    ] {
        user(&h, name).await;
        add_member(&h, pid, name, role).await;
    }
    user(&h, "stranger").await;
    let mut seen = Vec::new();
    for name in ["padmin", "maint", "dev", "guest", "limited", "stranger"] {
        // Re-seeded after each role that could delete it; 409 when it is still there.
        h.anon()
            .post("/_emulator/projects/p/repositories", json!({"name": "one"}))
            .await;
        seen.push((name, abilities(&h, name, pid).await));
    }
    let expect = |get, list_repos, list_members, update, delete_repo| {
        vec![
            ("get project", get),
            ("list repositories", list_repos),
            ("list members", list_members),
            ("update project", update),
            ("delete repository", delete_repo),
        ]
    };
    assert_eq!(seen[0], ("padmin", expect(200, 200, 200, 200, 200)));
    assert_eq!(seen[1], ("maint", expect(200, 200, 200, 403, 200)));
    assert_eq!(seen[2], ("dev", expect(200, 200, 200, 403, 403)));
    assert_eq!(seen[3], ("guest", expect(200, 200, 200, 403, 403)));
    assert_eq!(seen[4], ("limited", expect(200, 200, 403, 403, 403)));
    assert_eq!(seen[5], ("stranger", expect(403, 403, 403, 403, 403)));
}

// handler/user.go `GetCurrentUserPermissions`: the project policies the caller holds; a
// developer may push and pull but not delete the project, a guest only pull.
#[tokio::test]
async fn member_current_user_permissions_follow_the_role() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    user(&h, "dev").await;
    user(&h, "guest").await;
    add_member(&h, pid, "dev", 2).await;
    add_member(&h, pid, "guest", 3).await;
    let perms = |name: &'static str| {
        let h = &h;
        async move {
            let r = h
                .user(name, "Passw0rd!")
                .get(&format!(
                    "/users/current/permissions?scope=/project/{pid}&relative=true"
                ))
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    format!(
                        "{}:{}",
                        p["resource"].as_str().unwrap(),
                        p["action"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let dev = perms("dev").await;
    assert!(dev.contains(&"repository:push".to_string()));
    assert!(dev.contains(&"repository:pull".to_string()));
    assert!(!dev.contains(&".:delete".to_string()));
    let guest = perms("guest").await;
    assert!(guest.contains(&"repository:pull".to_string()));
    assert!(!guest.contains(&"repository:push".to_string()));
    let absolute = h
        .user("dev", "Passw0rd!")
        .get(&format!("/users/current/permissions?scope=/project/{pid}"))
        .await
        .json();
    assert!(
        absolute
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["resource"] == format!("/project/{pid}/repository") && p["action"] == "push")
    );
}

// A developer cannot delete the project (rbac_role.go: only projectAdmin has `delete` on the
// project itself); the project admin can.
#[tokio::test]
async fn member_only_project_admin_deletes_the_project() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    user(&h, "dev").await;
    user(&h, "boss").await;
    add_member(&h, pid, "dev", 2).await;
    add_member(&h, pid, "boss", 1).await;
    let path = format!("/projects/{pid}");
    assert_eq!(h.user("dev", "Passw0rd!").delete(&path).await.status, 403);
    assert_eq!(h.user("boss", "Passw0rd!").delete(&path).await.status, 200);
}
