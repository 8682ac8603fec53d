//! Authentication settings of `/configurations` and Harbor's LDAP conversations: the auth-mode
//! rule, type checks and defaults of the auth items, secrets never answered, local users refused
//! outside database mode, and `/ldap/ping`, `/ldap/users/search`, `/ldap/groups/search` and the
//! LDAP user group DN check against a real slapd (Harbor v2.15.2 controller/config/controller.go,
//! lib/config/metadata/metadatalist.go, pkg/ldap/ldap.go, controller/usergroup/controller.go).

use harbor_emulator::slapd::{self, Slapd};
use serde_json::{Value, json};

use crate::support::Harbor;

async fn configurations(h: &Harbor) -> Value {
    let r = h.admin().get("/configurations").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

async fn add_user(h: &Harbor, name: &str) -> i64 {
    let r = h
        .admin()
        .post(
            "/users",
            json!({"username": name, "email": format!("{name}@example.com"), "realname": "R", "password": "Passw0rd!"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.location_id()
}

// controller/config/controller.go `validateCfg` → `authModeCanBeModified`: once a user other
// than the admin exists (pkg/user/manager.go `Count` excludes the default admin), a request that
// changes `auth_mode` is refused with 400; `ConvertForGet` answers `auth_mode.editable` false.
// Re-sending the current mode is no change and passes; deleting the user allows it again.
#[tokio::test]
async fn auth_mode_cannot_change_once_users_other_than_admin_exist() {
    let h = Harbor::start().await;
    let c = configurations(&h).await;
    assert_eq!(
        c["auth_mode"],
        json!({"value": "db_auth", "editable": true})
    );
    let id = add_user(&h, "jo").await;
    assert_eq!(configurations(&h).await["auth_mode"]["editable"], false);
    let r = h
        .admin()
        .put("/configurations", json!({"auth_mode": "oidc_auth"}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        r.message(),
        "the auth mode cannot be modified as new users have been inserted into database"
    );
    let r = h
        .admin()
        .put("/configurations", json!({"auth_mode": "db_auth"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(h.admin().delete(&format!("/users/{id}")).await.status, 200);
    let r = h
        .admin()
        .put("/configurations", json!({"auth_mode": "oidc_auth"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(configurations(&h).await["auth_mode"]["value"], "oidc_auth");
}

// lib/config/metadata/metadatalist.go: before anything is set, `GET /configurations` answers each
// auth item at its default (`GetUserCfgs`: strings without one as ""), and never the password
// items (`ConvertForGet` deletes `PasswordType` values), also after they are set.
#[tokio::test]
async fn auth_settings_answer_defaults_and_never_secrets() {
    let h = Harbor::start().await;
    let c = configurations(&h).await;
    for (key, want) in [
        ("primary_auth_mode", json!(false)),
        ("self_registration", json!(false)),
        ("ldap_uid", json!("cn")),
        ("ldap_scope", json!(2)),
        ("ldap_group_search_scope", json!(2)),
        ("ldap_timeout", json!(5)),
        ("ldap_verify_cert", json!(true)),
        ("ldap_group_membership_attribute", json!("memberof")),
        ("ldap_url", json!("")),
        ("oidc_verify_cert", json!(true)),
        ("oidc_extra_redirect_parms", json!("{}")),
        ("http_authproxy_verify_cert", json!(true)),
        ("http_authproxy_endpoint", json!("")),
    ] {
        assert_eq!(c[key]["value"], want, "{key}");
    }
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"ldap_search_password": "s3cret", "oidc_client_secret": "s3cret",
                   "oidc_extra_redirect_parms": "{\"b\": \"2\", \"a\": \"1\"}"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let c = configurations(&h).await;
    assert!(c.get("ldap_search_password").is_none(), "{c}");
    assert!(c.get("oidc_client_secret").is_none(), "{c}");
    assert!(!c.to_string().contains("s3cret"));
    // A StringToStringMapType is answered as Go's `json.Marshal` writes the map.
    assert_eq!(
        c["oidc_extra_redirect_parms"]["value"],
        "{\"a\":\"1\",\"b\":\"2\"}"
    );
}

// metadata/type.go: `AuthModeType`, `NonEmptyStringType` and `LdapScopeType` refuse values, each
// wrapped by `CfgManager.ValidateCfg` as "item name <key>: ..." (400); validate/ldapgroup.go
// refuses a group filter without a group name attribute.
#[tokio::test]
async fn auth_settings_are_type_checked() {
    let h = Harbor::start().await;
    for (body, message) in [
        (
            json!({"auth_mode": "uaa"}),
            "item name auth_mode: invalid auth_mode, shoud be one of db_auth, ldap_auth, uaa_auth, http_auth, oidc_auth",
        ),
        (
            json!({"ldap_url": " "}),
            "item name ldap_url: the configure value can not be empty",
        ),
        (
            json!({"ldap_scope": 3}),
            "item name ldap_scope: invalid scope, should be 0, 1 or 2",
        ),
        (
            json!({"ldap_group_search_filter": "objectclass=groupOfNames"}),
            "ldap group name attribute can not be empty",
        ),
    ] {
        let r = h.admin().put("/configurations", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.message(), message, "{body}");
    }
    assert_eq!(configurations(&h).await["ldap_scope"]["value"], 2);
}

// handler/user.go `requireCreatable`: outside database mode no local user can be created, 403
// "creating local user is not allowed under auth mode: <mode>", before any permission check.
#[tokio::test]
async fn local_users_are_refused_outside_database_mode() {
    let h = Harbor::start().await;
    let r = h
        .admin()
        .put("/configurations", json!({"auth_mode": "http_auth"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = h
        .admin()
        .post(
            "/users",
            json!({"username": "jo", "email": "jo@example.com", "realname": "R", "password": "Passw0rd!"}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(
        r.message(),
        "creating local user is not allowed under auth mode: http_auth"
    );
}

async fn ldap_mode(h: &Harbor, s: &Slapd) {
    let r = h
        .admin()
        .put(
            "/configurations",
            json!({"auth_mode": "ldap_auth", "ldap_url": s.url(), "ldap_base_dn": slapd::BASE_DN,
                   "ldap_search_dn": slapd::ADMIN_DN, "ldap_search_password": slapd::ADMIN_PASSWORD,
                   "ldap_uid": "uid", "ldap_group_base_dn": slapd::GROUP_BASE_DN,
                   "ldap_group_attribute_name": "cn"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

// controller/usergroup/controller.go `Create`: in LDAP mode an LDAP group's DN is searched in the
// LDAP server (core/auth/ldap `SearchGroup` → pkg/ldap `SearchGroupByDN`); a DN the server does
// not have, or one it has outside the group base DN, is 400 "LDAP Group DN is not found: DN:<dn>". In
// database mode no server is asked and every LDAP group is refused the same way.
#[tokio::test]
async fn ldap_group_dn_is_checked_against_the_ldap_server() {
    let Some(s) = Slapd::start_or_skip("ldap_group_dn_is_checked_against_the_ldap_server") else {
        return;
    };
    let h = Harbor::start().await;
    let group = |dn: &str| json!({"group_name": "devs", "group_type": 1, "ldap_group_dn": dn});
    let r = h.admin().post("/usergroups", group(slapd::GROUP_DN)).await;
    assert_eq!(r.status, 400, "database mode: {}", r.text);
    ldap_mode(&h, &s).await;
    // A DN the directory lacks; one it has outside the group base DN (Alice's entry, which the
    // group search's `(cn=*)` would match); one that does not parse.
    for dn in [
        "cn=nobody,ou=groups,dc=example,dc=org",
        slapd::USER_DN,
        "not a dn",
    ] {
        let r = h.admin().post("/usergroups", group(dn)).await;
        assert_eq!(r.status, 400, "{dn}: {}", r.text);
        assert_eq!(r.message(), format!("LDAP Group DN is not found: DN:{dn}"));
    }
    let r = h.admin().post("/usergroups", group(slapd::GROUP_DN)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let got = h
        .admin()
        .get(&format!("/usergroups/{}", r.location_id()))
        .await
        .json();
    assert_eq!(got["ldap_group_dn"], slapd::GROUP_DN);
    // The same check with the server gone: nothing can be found.
    drop(s);
    let r = h
        .admin()
        .post(
            "/usergroups",
            json!({"group_name": "devs2", "group_type": 1, "ldap_group_dn": slapd::GROUP_DN}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
}

// handler/ldap.go `PingLdap` → pkg/ldap `TestConfig`: always 200; a bind with a wrong password is
// "error: invalid credential", a port nobody listens on "error: ldap server network timeout", an
// empty password outside LDAP mode "error: empty password" (controller/ldap `defaultPassword`).
#[tokio::test]
async fn ldap_ping_binds_to_the_server() {
    let Some(s) = Slapd::start_or_skip("ldap_ping_binds_to_the_server") else {
        return;
    };
    let h = Harbor::start().await;
    let ping = |url: String, password: &str| {
        json!({"ldap_url": url, "ldap_search_dn": slapd::ADMIN_DN, "ldap_search_password": password,
               "ldap_base_dn": slapd::BASE_DN, "ldap_uid": "uid", "ldap_scope": 2})
    };
    let r = h
        .admin()
        .post("/ldap/ping", ping(s.url(), slapd::ADMIN_PASSWORD))
        .await;
    assert_eq!((r.status, r.json()), (200, json!({"success": true})));
    let r = h.admin().post("/ldap/ping", ping(s.url(), "wrong")).await;
    assert_eq!(
        r.json(),
        json!({"success": false, "message": "error: invalid credential"})
    );
    let r = h.admin().post("/ldap/ping", ping(s.url(), "")).await;
    assert_eq!(
        r.json(),
        json!({"success": false, "message": "error: empty password"})
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = h
        .admin()
        .post(
            "/ldap/ping",
            ping(format!("ldap://127.0.0.1:{closed}"), "x"),
        )
        .await;
    assert_eq!(
        r.json(),
        json!({"success": false, "message": "error: ldap server network timeout"})
    );
    // In LDAP mode an empty password is the stored one.
    ldap_mode(&h, &s).await;
    let r = h.admin().post("/ldap/ping", ping(s.url(), "")).await;
    assert_eq!(r.json(), json!({"success": true}));
}

// handler/ldap.go `SearchLdapUser` / `SearchLdapGroup` → pkg/ldap `SearchUser`,
// `SearchGroupByName`, `SearchGroupByDN`: users by the configured uid attribute (cn is the real
// name, mail the email); groups by name under the group base DN or by DN; nothing found is 404
// "group name:<name>, group DN:<dn>".
#[tokio::test]
async fn ldap_searches_read_the_directory() {
    let Some(s) = Slapd::start_or_skip("ldap_searches_read_the_directory") else {
        return;
    };
    let h = Harbor::start().await;
    ldap_mode(&h, &s).await;
    let r = h.admin().get("/ldap/users/search?username=alice").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json(),
        json!([{"username": "alice", "realname": "Alice Liddell", "email": "alice@example.org"}])
    );
    let r = h.admin().get("/ldap/users/search?username=bob").await;
    assert_eq!(r.json(), json!([]));
    for query in [
        "groupname=developers".to_string(),
        format!("groupdn={}", slapd::GROUP_DN),
    ] {
        let r = h.admin().get(&format!("/ldap/groups/search?{query}")).await;
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        assert_eq!(
            r.json(),
            json!([{"group_name": "developers", "ldap_group_dn": slapd::GROUP_DN}])
        );
    }
    let r = h.admin().get("/ldap/groups/search?groupname=nobody").await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.message(), "group name:nobody, group DN:");
}
