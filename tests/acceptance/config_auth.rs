//! `harbor_config_auth` through the real `terraform`: one body walks create, empty re-plan,
//! in-place update, drift put back, a mode change, import with an empty plan, Harbor's refusal
//! to change the mode once users exist (at plan time after a refresh, at apply on a create), and
//! destroy back to Harbor's default; one holds the plan-time errors; one applies LDAP mode
//! against a real slapd and creates an LDAP group whose DN Harbor checks there.

use serde_json::{Value, json};

use crate::harness::{Workdir, flat, for_each_terraform, note_write_only, required_providers};
use crate::target::Harbor;

fn config(h: &Harbor, body: &str) -> String {
    format!("{}{}{body}", required_providers(), h.provider_block())
}

fn auth(h: &Harbor, body: &str) -> String {
    config(
        h,
        &format!("resource \"harbor_config_auth\" \"a\" {{\n{body}}}\n"),
    )
}

fn setting(h: &Harbor, key: &str) -> Value {
    h.get("/configurations")[key]["value"].clone()
}

/// Changing the auth mode of a whole Harbor needs one without users other than admin, which a
/// shared real Harbor cannot promise.
fn fresh_harbor() -> Harbor {
    Harbor::emulator_because(
        "changes the auth mode of the whole Harbor, which Harbor refuses once users other than admin exist",
        harbor_emulator::Config::default(),
    )
}

#[test]
fn config_auth_lifecycle() {
    for_each_terraform(|tf| {
        let h = fresh_harbor();
        let wd = Workdir::new(tf);
        let oidc = |client: &str, scope: &str| {
            format!(
                "  auth_mode          = \"oidc_auth\"\n  primary_auth_mode  = true\n  oidc_name          = \"corp\"\n  oidc_endpoint      = \"https://idp.example.com/realms/corp\"\n  oidc_client_id     = \"{client}\"\n  oidc_client_secret = \"s3cret\"\n  oidc_scope         = \"{scope}\"\n  oidc_user_claim    = \"preferred_username\"\n  oidc_auto_onboard  = true\n  oidc_extra_redirect_parms = {{ prompt = \"login\" }}\n"
            )
        };
        wd.write_config(&auth(&h, &oidc("harbor", "openid,email")));
        wd.apply();
        assert_eq!(setting(&h, "auth_mode"), "oidc_auth");
        assert_eq!(setting(&h, "primary_auth_mode"), true);
        assert_eq!(setting(&h, "oidc_client_id"), "harbor");
        assert_eq!(
            setting(&h, "oidc_extra_redirect_parms"),
            "{\"prompt\":\"login\"}"
        );
        let st = wd.resource_values("harbor_config_auth.a");
        assert_eq!(st["id"], "/configurations");
        assert_eq!(st["auth_mode_editable"], true);
        // Settings of this mode not configured are read back as Harbor has them; those of the
        // other modes are not read (Harbor keeps them unused, and a configuration may not set
        // them, so adoption's generated configuration must not hold them).
        assert_eq!(st["oidc_verify_cert"], true);
        assert_eq!(st["ldap_scope"], serde_json::Value::Null);
        assert_eq!(
            setting(&h, "ldap_scope"),
            2,
            "Harbor still has its LDAP scope"
        );
        wd.assert_plan_empty("re-plan after create");

        // In place.
        wd.write_config(&auth(&h, &oidc("harbor-2", "openid,email,profile")));
        assert_eq!(wd.planned_actions("harbor_config_auth.a"), ["update"]);
        wd.apply();
        assert_eq!(setting(&h, "oidc_client_id"), "harbor-2");
        assert_eq!(setting(&h, "oidc_scope"), "openid,email,profile");
        wd.assert_plan_empty("re-plan after update");

        // Drift in a managed setting is put back; an unmanaged one is only read.
        let r = h.call(
            "PUT",
            "/configurations",
            Some(json!({"oidc_name": "other", "oidc_groups_claim": "groups"})),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(wd.planned_actions("harbor_config_auth.a"), ["update"]);
        wd.apply();
        assert_eq!(setting(&h, "oidc_name"), "corp");
        assert_eq!(setting(&h, "oidc_groups_claim"), "groups");
        wd.assert_plan_empty("re-plan after drift put back");

        // Another mode, in place; goharbor's scope words become Harbor's numbers.
        let ldap = "  auth_mode        = \"ldap_auth\"\n  ldap_url         = \"ldaps://ldap.example.com\"\n  ldap_base_dn     = \"dc=example,dc=com\"\n  ldap_search_dn   = \"cn=admin,dc=example,dc=com\"\n  ldap_uid         = \"uid\"\n  ldap_scope       = \"onelevel\"\n  ldap_group_filter = \"objectclass=groupOfNames\"\n  ldap_group_gid   = \"cn\"\n";
        wd.write_config(&auth(&h, ldap));
        assert_eq!(wd.planned_actions("harbor_config_auth.a"), ["update"]);
        wd.apply();
        assert_eq!(setting(&h, "auth_mode"), "ldap_auth");
        assert_eq!(setting(&h, "ldap_scope"), 1);
        assert_eq!(
            setting(&h, "ldap_group_search_filter"),
            "objectclass=groupOfNames"
        );
        wd.assert_plan_empty("re-plan after the mode change");

        // Import (any id, as goharbor): nothing to change.
        let wd2 = Workdir::new(tf);
        wd2.write_config(&auth(&h, ldap));
        wd2.import("harbor_config_auth.a", "/configurations");
        wd2.assert_plan_empty("plan after import");

        // Back to the database; then a local user makes Harbor refuse any other mode.
        wd.write_config(&auth(
            &h,
            "  auth_mode = \"db_auth\"\n  self_registration = true\n",
        ));
        wd.apply();
        assert_eq!(setting(&h, "auth_mode"), "db_auth");
        assert_eq!(setting(&h, "self_registration"), true);
        let r = h.call("POST", "/users", Some(json!({"username": "jo", "email": "jo@example.com", "realname": "Jo", "password": "Passw0rd!"})));
        assert_eq!(r.status, 201, "{}", r.text);
        wd.write_config(&auth(&h, &oidc("harbor", "openid")));
        let err = flat(&wd.expect_failure(&["plan", "-no-color"]));
        assert!(
            err.contains("Harbor will refuse to change the auth mode")
                && err.contains("keep auth_mode = \"db_auth\"")
                && err.contains(": auth_mode = \"oidc_auth\""),
            "{err}"
        );
        // A new resource cannot know before it asks: Harbor's refusal is explained at apply.
        let wd3 = Workdir::new(tf);
        wd3.write_config(&auth(&h, &oidc("harbor", "openid")));
        let err = flat(&wd3.expect_failure(&["apply", "-auto-approve", "-no-color"]));
        assert!(
            err.contains(
                "the auth mode cannot be modified as new users have been inserted into database"
            ) && err.contains("Harbor refuses to change the auth mode from \"db_auth\"")
                && err.contains("Delete those users"),
            "{err}"
        );
        assert_eq!(setting(&h, "auth_mode"), "db_auth");

        // Destroy: the database mode, and the managed settings at Harbor's defaults.
        wd.write_config(&auth(
            &h,
            "  auth_mode = \"db_auth\"\n  self_registration = true\n",
        ));
        wd.destroy();
        assert_eq!(setting(&h, "auth_mode"), "db_auth");
        assert_eq!(setting(&h, "self_registration"), false);
    });
}

/// What the configuration alone shows Harbor would refuse, or ignore, is refused at plan time,
/// naming the attribute.
#[test]
fn config_auth_plan_time_errors_name_the_attribute() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "  auth_mode = \"db_auth\"\n  ldap_url = \"ldap://ldap.example.com\"\n",
            "ldap_url",
            "ldap_url is a setting of auth_mode \"ldap_auth\"",
        ),
        (
            "  auth_mode = \"ldap_auth\"\n  ldap_url = \"http://ldap.example.com\"\n  ldap_base_dn = \"dc=x\"\n",
            "ldap_url",
            "Invalid LDAP URL",
        ),
        (
            "  auth_mode = \"ldap_auth\"\n  ldap_url = \"ldap.example.com:389\"\n  ldap_base_dn = \"dc=x\"\n  ldap_scope = \"deep\"\n",
            "ldap_scope",
            "is not accepted",
        ),
        (
            "  auth_mode = \"oidc_auth\"\n  oidc_name = \"x\"\n  oidc_endpoint = \"idp.example.com\"\n  oidc_client_id = \"c\"\n  oidc_client_secret = \"s\"\n  oidc_scope = \"openid\"\n",
            "oidc_endpoint",
            "Invalid OIDC endpoint",
        ),
        (
            "  auth_mode = \"oidc_auth\"\n  oidc_name = \"x\"\n  oidc_endpoint = \"https://idp.example.com\"\n  oidc_client_id = \"c\"\n  oidc_client_secret = \"s\"\n  oidc_scope = \"email\"\n",
            "oidc_scope",
            "oidc_scope lacks openid",
        ),
        (
            "  auth_mode = \"uaa_auth\"\n",
            "auth_mode",
            "is not accepted",
        ),
        (
            "  auth_mode = \"http_auth\"\n  http_authproxy_endpoint = \"https://proxy.example.com/auth\"\n  oidc_name = \"x\"\n",
            "oidc_name",
            "oidc_name is a setting of auth_mode \"oidc_auth\"",
        ),
    ];
    for_each_terraform(|tf| {
        let h = Harbor::start();
        for (body, attr, message) in cases {
            let wd = Workdir::new(tf);
            wd.write_config(&auth(&h, body));
            let err = wd.expect_failure(&["plan", "-no-color"]);
            assert!(
                err.contains(message),
                "{body}: message {message:?} missing in:\n{err}"
            );
            assert!(
                err.contains(&format!(":   {attr} ")),
                "{body}: attribute {attr} not named:\n{err}"
            );
        }
        // A mode without what it needs names the missing attribute.
        let wd = Workdir::new(tf);
        wd.write_config(&auth(
            &h,
            "  auth_mode = \"ldap_auth\"\n  ldap_url = \"ldap://ldap.example.com\"\n",
        ));
        let err = wd.expect_failure(&["plan", "-no-color"]);
        assert!(err.contains("ldap_base_dn is missing"), "{err}");
    });
}

/// LDAP mode against a real slapd: `harbor_config_auth` points Harbor at it (the search password
/// write-only where the binary has write-only attributes), and an LDAP `harbor_group` is created
/// only because Harbor found its DN there; a DN the directory lacks is refused with Harbor's
/// message.
#[test]
fn ldap_group_is_checked_in_a_real_directory() {
    use harbor_emulator::slapd::{self, Slapd};
    let Some(s) = Slapd::start_or_skip("ldap_group_is_checked_in_a_real_directory") else {
        return;
    };
    for_each_terraform(|tf| {
        let h = Harbor::emulator_because(
            "talks to a slapd on this machine's loopback, which a remote Harbor cannot reach",
            harbor_emulator::Config::default(),
        );
        let wd = Workdir::new(tf);
        let password = if tf.supports_write_only() {
            note_write_only(tf);
            format!(
                "  ldap_search_password_wo = \"{}\"\n  ldap_search_password_wo_version = 1\n",
                slapd::ADMIN_PASSWORD
            )
        } else {
            format!("  ldap_search_password = \"{}\"\n", slapd::ADMIN_PASSWORD)
        };
        let ldap = format!(
            "  auth_mode = \"ldap_auth\"\n  ldap_url = \"{}\"\n  ldap_base_dn = \"{}\"\n  ldap_search_dn = \"{}\"\n{password}  ldap_uid = \"uid\"\n  ldap_group_base_dn = \"{}\"\n  ldap_group_gid = \"cn\"\n",
            s.url(),
            slapd::BASE_DN,
            slapd::ADMIN_DN,
            slapd::GROUP_BASE_DN
        );
        let group = |dn: &str| {
            format!(
                "resource \"harbor_group\" \"g\" {{\n  group_name = \"developers\"\n  group_type = 1\n  ldap_group_dn = \"{dn}\"\n  depends_on = [harbor_config_auth.a]\n}}\n"
            )
        };
        wd.write_config(&format!("{}{}", auth(&h, &ldap), group(slapd::GROUP_DN)));
        wd.apply();
        let g = wd.resource_values("harbor_group.g");
        let got = h.get(&format!("/usergroups/{}", g["group_id"]));
        assert_eq!(got["ldap_group_dn"], slapd::GROUP_DN, "{got}");
        wd.assert_plan_empty("re-plan in LDAP mode");

        let missing = "cn=nobody,ou=groups,dc=example,dc=org";
        wd.write_config(&format!("{}{}", auth(&h, &ldap), group(missing)));
        let err = flat(&wd.expect_failure(&["apply", "-auto-approve", "-no-color"]));
        assert!(
            err.contains(&format!("LDAP Group DN is not found: DN:{missing}")),
            "{err}"
        );
        wd.write_config(&format!("{}{}", auth(&h, &ldap), group(slapd::GROUP_DN)));
        wd.destroy();
        assert_eq!(setting(&h, "auth_mode"), "db_auth");
        assert_eq!(setting(&h, "ldap_group_base_dn"), "");
    });
}

/// goharbor/harbor's documentation examples of `harbor_config_auth` (OIDC, then LDAP, each in
/// its own working directory since both manage Harbor's one set of settings) apply unchanged
/// and re-plan empty.
#[test]
fn go_provider_config_auth_examples_apply_unchanged() {
    let oidc = r#"
resource "harbor_config_auth" "oidc" {
  auth_mode          = "oidc_auth"
  primary_auth_mode  = true
  oidc_name          = "azure"
  oidc_endpoint      = "https://login.microsoftonline.com/{GUID goes here}/v2.0"
  oidc_client_id     = "OIDC Client ID goes here"
  oidc_client_secret = "ODDC Client Secret goes here"
  oidc_scope         = "openid,email"
  oidc_verify_cert   = true
  oidc_auto_onboard  = true
  oidc_user_claim    = "name"
  oidc_admin_group   = "administrators"
}
"#;
    let ldap = r#"
resource "harbor_config_auth" "ldap" {
  auth_mode            = "ldap_auth"
  primary_auth_mode    = true
  ldap_url             = "openldap.default.svc.cluster.local:389"
  ldap_search_dn       = "cn=admin,dc=example,dc=org"
  ldap_search_password = "Not@SecurePassw0rd"
  ldap_base_dn         = "dc=example,dc=org"
  ldap_uid             = "email"
  ldap_verify_cert     = false
}
"#;
    for_each_terraform(|tf| {
        let h = fresh_harbor();
        for (example, mode) in [(oidc, "oidc_auth"), (ldap, "ldap_auth")] {
            let wd = Workdir::new(tf);
            wd.write_config(&config(&h, example));
            wd.apply();
            assert_eq!(setting(&h, "auth_mode"), mode);
            wd.assert_plan_empty("re-plan of goharbor's example");
            wd.destroy();
            assert_eq!(setting(&h, "auth_mode"), "db_auth");
        }
    });
}
