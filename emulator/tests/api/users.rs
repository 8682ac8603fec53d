//! Local users and user groups: validation, uniqueness, passwords, the admin flag, login with
//! basic auth, and the `/usergroups` type rules (Harbor v2.15.2 handler/user.go, usergroup.go).

use serde_json::json;

use crate::support::Harbor;

fn user_body(name: &str, email: &str) -> serde_json::Value {
    json!({"username": name, "email": email, "realname": "Jo Doe", "password": "Passw0rd!", "comment": "c"})
}

/// Creates a user as admin and returns its id.
async fn user(h: &Harbor, name: &str) -> i64 {
    let r = h
        .admin()
        .post("/users", user_body(name, &format!("{name}@example.com")))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.location_id()
}

// handler/user.go `CreateUser`: 201 with `Location: /api/v2.0/users/{id}`; the admin is user 1,
// so the first created user is 2 (`make/migrations/.../0001_initial_schema.up.sql`).
#[tokio::test]
async fn user_create_returns_location_and_reads_back_without_password() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post("/users", user_body("jo", "jo@example.com"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("location").as_deref(), Some("/api/v2.0/users/2"));
    let j = h.admin().get("/users/2").await.json();
    assert_eq!(j["username"], "jo");
    assert_eq!(j["email"], "jo@example.com");
    assert_eq!(j["realname"], "Jo Doe");
    assert_eq!(j["comment"], "c");
    assert_eq!(j["sysadmin_flag"], false);
    assert!(j.get("password").is_none());
    let admin = h.admin().get("/users/1").await.json();
    assert_eq!(admin["username"], "admin");
    assert_eq!(admin["sysadmin_flag"], true);
}

// handler/user.go `requireValidSecret`: 8-128 characters with an upper, a lower case letter and
// a digit, else 400 with one fixed message.
#[tokio::test]
async fn user_password_policy_is_enforced_on_create() {
    let h = Harbor::start().await;
    for bad in ["short1A", "alllower1", "ALLUPPER1", "NoDigitsHere", ""] {
        let mut body = user_body("jo", "jo@example.com");
        body["password"] = json!(bad);
        let r = h.admin().post("/users", body).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert_eq!(
            r.message(),
            "the password or secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 lowercase letter and 1 number"
        );
    }
}

// handler/user.go `validateUserProfile`: email required and well-formed, realname 1-255 without
// `,"~#%$`, comment at most 30, username 1-255 without those characters.
#[tokio::test]
async fn user_profile_validation_messages() {
    let h = Harbor::start().await;
    let cases = [
        (json!({"email": ""}), "email can't be empty"),
        (
            json!({"email": "not-an-email"}),
            "email with illegal format",
        ),
        (json!({"realname": ""}), "realname with illegal length"),
        (
            json!({"realname": "a#b"}),
            "realname contains illegal characters",
        ),
        (
            json!({"comment": "x".repeat(31)}),
            "comment with illegal length",
        ),
        (
            json!({"username": "a,b"}),
            "username contains illegal characters",
        ),
        (
            json!({"username": "a$b"}),
            "username contains illegal characters",
        ),
        (json!({"username": ""}), "username with illegal length"),
    ];
    for (patch, message) in cases {
        let mut body = user_body("jo", "jo@example.com");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = h.admin().post("/users", body).await;
        assert_eq!(r.status, 400, "{patch}: {}", r.text);
        assert_eq!(r.message(), message, "{patch}");
    }
}

// pkg/user/dao `Create`: the unique username and email become 409 "user %s or email %s already
// exists".
#[tokio::test]
async fn user_username_and_email_are_unique() {
    let h = Harbor::start().await;
    user(&h, "jo").await;
    let same_name = h
        .admin()
        .post("/users", user_body("jo", "other@example.com"))
        .await;
    assert_eq!(same_name.status, 409);
    assert_eq!(
        same_name.message(),
        "user jo or email other@example.com already exists"
    );
    let same_email = h
        .admin()
        .post("/users", user_body("kim", "jo@example.com"))
        .await;
    assert_eq!(same_email.status, 409);
}

// handler/user.go `requireCreatable`: with self-registration off only a system admin creates
// users; anonymous callers get 401.
#[tokio::test]
async fn user_create_needs_an_admin() {
    let h = Harbor::start().await;
    user(&h, "jo").await;
    let r = h
        .user("jo", "Passw0rd!")
        .post("/users", user_body("kim", "kim@example.com"))
        .await;
    assert_eq!(r.status, 403);
    let r = h
        .anon()
        .post("/users", user_body("kim", "kim@example.com"))
        .await;
    assert_eq!(r.status, 401);
}

// security/basic: a local user logs in with basic auth; `GET /users/current` answers it; a wrong
// password is anonymous (401).
#[tokio::test]
async fn user_logs_in_with_basic_auth() {
    let h = Harbor::start().await;
    let id = user(&h, "jo").await;
    let me = h.user("jo", "Passw0rd!").get("/users/current").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["user_id"], id);
    assert_eq!(me.json()["username"], "jo");
    let wrong = h.user("jo", "Passw0rd?").get("/users/current").await;
    assert_eq!(wrong.status, 401);
}

// handler/user.go `UpdateUserProfile`: email, realname and comment are all written; the
// username cannot change.
#[tokio::test]
async fn user_profile_update_writes_email_realname_and_comment() {
    let h = Harbor::start().await;
    let id = user(&h, "jo").await;
    let r = h
        .admin()
        .put(
            &format!("/users/{id}"),
            json!({"email": "new@example.com", "realname": "New Name", "username": "renamed"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let j = h.admin().get(&format!("/users/{id}")).await.json();
    assert_eq!(j["email"], "new@example.com");
    assert_eq!(j["realname"], "New Name");
    // Cleared; go-swagger's `UserResp` omits an empty comment (a real Harbor v2.15.2 did).
    assert!(j.get("comment").is_none(), "{j}");
    assert_eq!(j["username"], "jo");
}

// handler/user.go `UpdateUserPassword`: the admin sets another user's password without the old
// one; the same password again is 400; a user changing its own needs the current one (403).
#[tokio::test]
async fn user_password_change_rules() {
    let h = Harbor::start().await;
    let id = user(&h, "jo").await;
    let path = format!("/users/{id}/password");
    let r = h
        .admin()
        .put(&path, json!({"new_password": "Changed123"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        h.user("jo", "Passw0rd!").get("/users/current").await.status,
        401
    );
    assert_eq!(
        h.user("jo", "Changed123")
            .get("/users/current")
            .await
            .status,
        200
    );
    let same = h
        .admin()
        .put(&path, json!({"new_password": "Changed123"}))
        .await;
    assert_eq!(same.status, 400);
    assert_eq!(same.message(), "New password is identical to old password");
    let weak = h.admin().put(&path, json!({"new_password": "weak"})).await;
    assert_eq!(weak.status, 400);
    let own_wrong = h
        .user("jo", "Changed123")
        .put(
            &path,
            json!({"old_password": "nope", "new_password": "Another123"}),
        )
        .await;
    assert_eq!(own_wrong.status, 403);
    assert_eq!(own_wrong.message(), "Current password is incorrect");
    let own = h
        .user("jo", "Changed123")
        .put(
            &path,
            json!({"old_password": "Changed123", "new_password": "Another123"}),
        )
        .await;
    assert_eq!(own.status, 200);
}

// handler/user.go `SetUserSysAdmin`: the flag makes the user a system admin (it may then list
// users); 404 "user with id %d not found" for an unknown id.
#[tokio::test]
async fn user_sysadmin_flag_grants_system_access() {
    let h = Harbor::start().await;
    let id = user(&h, "jo").await;
    assert_eq!(h.user("jo", "Passw0rd!").get("/users").await.status, 403);
    let r = h
        .admin()
        .put(
            &format!("/users/{id}/sysadmin"),
            json!({"sysadmin_flag": true}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        h.admin().get(&format!("/users/{id}")).await.json()["sysadmin_flag"],
        true
    );
    assert_eq!(h.user("jo", "Passw0rd!").get("/users").await.status, 200);
    let missing = h
        .admin()
        .put("/users/99/sysadmin", json!({"sysadmin_flag": true}))
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.message(), "user with id 99 not found");
}

// handler/user.go `requireDeletable` and pkg/user `Delete`: user 1 and oneself cannot be deleted
// (403); a deleted user is 404 and its name is free again (the row is renamed `name#id`).
#[tokio::test]
async fn user_delete_rules_and_name_reuse() {
    let h = Harbor::start().await;
    let r = h.admin().delete("/users/1").await;
    assert_eq!(r.status, 403);
    assert_eq!(r.message(), "User with ID 1 cannot be deleted");
    let id = user(&h, "jo").await;
    assert_eq!(h.admin().delete(&format!("/users/{id}")).await.status, 200);
    let gone = h.admin().get(&format!("/users/{id}")).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.message(), format!("user {id} not found"));
    assert_eq!(h.admin().delete(&format!("/users/{id}")).await.status, 404);
    let again = user(&h, "jo").await;
    assert!(again > id);
}

// handler/user.go `ListUsers`: `username` and `email` parameters match fuzzily, as does `q`;
// `SearchUsers` answers `{user_id, username}` to any authenticated caller.
#[tokio::test]
async fn user_list_filters_and_search() {
    let h = Harbor::start().await;
    user(&h, "alice").await;
    user(&h, "alicia").await;
    user(&h, "bob").await;
    let r = h.admin().get("/users?username=ali").await;
    assert_eq!(r.header("x-total-count").as_deref(), Some("2"));
    let r = h.admin().get("/users?q=username%3D~bo").await;
    assert_eq!(r.json()[0]["username"], "bob");
    let r = h.admin().get("/users?q=email%3Dbob%40example.com").await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let s = h
        .user("bob", "Passw0rd!")
        .get("/users/search?username=ali")
        .await;
    assert_eq!(s.status, 200);
    let items = s.json();
    assert_eq!(items[0]["username"], "alice");
    assert!(items[0].get("email").is_none());
}

// handler/usergroup.go `CreateUserGroup`: 201 + Location; `GetUserGroup` answers without `id`;
// an empty name is a bare 400.
#[tokio::test]
async fn usergroup_create_and_read() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/usergroups",
            json!({"group_name": "devs", "group_type": 3}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v2.0/usergroups/1")
    );
    let j = h.admin().get("/usergroups/1").await.json();
    assert_eq!(j["group_name"], "devs");
    assert_eq!(j["group_type"], 3);
    assert!(j.get("id").is_none());
    let listed = h.admin().get("/usergroups").await.json();
    assert_eq!(listed[0]["id"], 1);
    let empty = h
        .admin()
        .post("/usergroups", json!({"group_name": "", "group_type": 3}))
        .await;
    assert_eq!(empty.status, 400);
    assert_eq!(empty.text, "");
    let missing = h.admin().get("/usergroups/9").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.message(), "the user group with id 9 is not found");
}

// controller/usergroup `Create`: an LDAP group's DN must be found by the authenticator; in
// database auth mode it never is (`DefaultAuthenticateHelper.SearchGroup`), so 400.
#[tokio::test]
async fn usergroup_ldap_group_needs_the_dn_found_in_ldap() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/usergroups",
            json!({"group_name": "ops", "group_type": 1, "ldap_group_dn": "cn=ops,dc=example,dc=com"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.message(),
        "LDAP Group DN is not found: DN:cn=ops,dc=example,dc=com"
    );
}

// pkg/usergroup `Create` and dao `Add`: the same name and type is 409 "duplicate user group...";
// any name an HTTP group holds is 409 "duplicated user group name".
#[tokio::test]
async fn usergroup_duplicate_rules() {
    let h = Harbor::start().await;
    let ok = h
        .admin()
        .post("/usergroups", json!({"group_name": "web", "group_type": 2}))
        .await;
    assert_eq!(ok.status, 201);
    let dup = h
        .admin()
        .post("/usergroups", json!({"group_name": "web", "group_type": 2}))
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(
        dup.message(),
        "duplicate user group, group name:web, group type: 2, ldap group DN: "
    );
    let oidc_same_name = h
        .admin()
        .post("/usergroups", json!({"group_name": "web", "group_type": 3}))
        .await;
    assert_eq!(oidc_same_name.status, 409);
    assert_eq!(oidc_same_name.message(), "duplicated user group name");
}

// handler/usergroup.go `UpdateUserGroup` → controller `Update`: only the name changes.
#[tokio::test]
async fn usergroup_update_changes_only_the_name() {
    let h = Harbor::start().await;
    h.admin()
        .post("/usergroups", json!({"group_name": "a", "group_type": 3}))
        .await;
    let r = h
        .admin()
        .put("/usergroups/1", json!({"group_name": "b", "group_type": 2}))
        .await;
    assert_eq!(r.status, 200);
    let j = h.admin().get("/usergroups/1").await.json();
    assert_eq!(j["group_name"], "b");
    assert_eq!(j["group_type"], 3);
}

// pkg/usergroup/dao `Delete`: deletes the group and its member rows; an unknown id is still 200.
#[tokio::test]
async fn usergroup_delete_removes_members_and_ignores_unknown_ids() {
    let h = Harbor::start().await;
    let pid = h.project("p", false).await;
    h.admin()
        .post("/usergroups", json!({"group_name": "g", "group_type": 3}))
        .await;
    let m = h
        .admin()
        .post(
            &format!("/projects/{pid}/members"),
            json!({"role_id": 2, "member_group": {"id": 1}}),
        )
        .await;
    assert_eq!(m.status, 201, "{}", m.text);
    assert_eq!(h.admin().delete("/usergroups/1").await.status, 200);
    let members = h
        .admin()
        .get(&format!("/projects/{pid}/members"))
        .await
        .json();
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["entity_type"] == "u")
    );
    assert_eq!(h.admin().delete("/usergroups/42").await.status, 200);
}

/// go-swagger omits empty optional strings: a user's `comment` (`UserResp`), an HTTP group's
/// `ldap_group_dn` (`UserGroup`, in the list and by id) and a preheat instance's `description`
/// (`Instance`, handler/preheat.go `convertInstanceToPayload`). A real Harbor v2.15.2 answered so
/// (FIDELITY.md, 2026-11-30).
#[tokio::test]
async fn empty_comment_group_dn_and_preheat_description_are_omitted() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .post(
            "/users",
            json!({"username": "nc", "email": "nc@example.com", "realname": "N C", "password": "Passw0rd1"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let users = h.admin().get("/users?q=username%3Dnc").await.json();
    assert!(users[0].get("comment").is_none(), "{users}");

    let r = h
        .admin()
        .post("/usergroups", json!({"group_name": "g", "group_type": 2}))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let path = r
        .header("location")
        .unwrap()
        .trim_start_matches("/api/v2.0")
        .to_string();
    let one = h.admin().get(&path).await.json();
    assert!(one.get("ldap_group_dn").is_none(), "{one}");
    let list = h.admin().get("/usergroups?group_name=g").await.json();
    assert!(list[0].get("ldap_group_dn").is_none(), "{list}");

    let r = h
        .admin()
        .post(
            "/p2p/preheat/instances",
            json!({"name": "df", "vendor": "dragonfly", "endpoint": "http://127.0.0.1:9", "auth_mode": "NONE"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let got = h.admin().get("/p2p/preheat/instances/df").await.json();
    assert!(got.get("description").is_none(), "{got}");
}
