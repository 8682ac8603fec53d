//! The authentication settings of `/configurations` (auth mode, database self-registration,
//! LDAP, OIDC and HTTP auth proxy): their types and defaults from Harbor v2.15.2's
//! `lib/config/metadata/metadatalist.go`, the checks `controller/config/controller.go`
//! `validateCfg` runs before saving them, and the rule that the auth mode cannot change once
//! users other than the admin exist.

use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::state::{ADMIN_USER_ID, Store};

/// A metadata item's `ItemType`, as far as the auth settings use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `AuthModeType`: one of Harbor's five modes.
    AuthMode,
    /// `StringType`.
    Str,
    /// `NonEmptyStringType`: refuses an empty (or blank) value.
    NonEmpty,
    /// `PasswordType`: stored, never answered by `GET /configurations` (`ConvertForGet`).
    Password,
    Bool,
    Int,
    /// `LdapScopeType`: 0 base, 1 one level, 2 subtree.
    LdapScope,
    /// `StringToStringMapType`: a JSON object of strings, answered as its JSON text.
    StringMap,
}

/// `(key, type, default as GET shows it before anyone sets it)`. Items without a
/// `DefaultValue` that are strings answer `""` (`GetUserCfgs`). Password items have no default
/// to show.
pub const AUTH_ITEMS: &[(&str, Kind, fn() -> Value)] = &[
    ("auth_mode", Kind::AuthMode, || json!("db_auth")),
    ("primary_auth_mode", Kind::Bool, || json!(false)),
    ("self_registration", Kind::Bool, || json!(false)),
    ("ldap_url", Kind::NonEmpty, || json!("")),
    ("ldap_search_dn", Kind::Str, || json!("")),
    ("ldap_search_password", Kind::Password, || Value::Null),
    ("ldap_base_dn", Kind::NonEmpty, || json!("")),
    ("ldap_filter", Kind::Str, || json!("")),
    ("ldap_uid", Kind::NonEmpty, || json!("cn")),
    ("ldap_scope", Kind::LdapScope, || json!(2)),
    ("ldap_timeout", Kind::Int, || json!(5)),
    ("ldap_verify_cert", Kind::Bool, || json!(true)),
    ("ldap_group_base_dn", Kind::Str, || json!("")),
    ("ldap_group_search_filter", Kind::Str, || json!("")),
    ("ldap_group_attribute_name", Kind::Str, || json!("")),
    ("ldap_group_search_scope", Kind::LdapScope, || json!(2)),
    ("ldap_group_admin_dn", Kind::Str, || json!("")),
    ("ldap_group_membership_attribute", Kind::Str, || {
        json!("memberof")
    }),
    ("ldap_group_attach_parallel", Kind::Bool, || json!(false)),
    ("oidc_name", Kind::Str, || json!("")),
    ("oidc_endpoint", Kind::Str, || json!("")),
    ("oidc_client_id", Kind::Str, || json!("")),
    ("oidc_client_secret", Kind::Password, || Value::Null),
    ("oidc_groups_claim", Kind::Str, || json!("")),
    ("oidc_admin_group", Kind::Str, || json!("")),
    ("oidc_group_filter", Kind::Str, || json!("")),
    ("oidc_scope", Kind::Str, || json!("")),
    ("oidc_user_claim", Kind::Str, || json!("")),
    ("oidc_verify_cert", Kind::Bool, || json!(true)),
    ("oidc_auto_onboard", Kind::Bool, || json!(false)),
    ("oidc_extra_redirect_parms", Kind::StringMap, || json!("{}")),
    ("oidc_logout", Kind::Bool, || json!(false)),
    ("http_authproxy_endpoint", Kind::Str, || json!("")),
    ("http_authproxy_tokenreview_endpoint", Kind::Str, || {
        json!("")
    }),
    ("http_authproxy_admin_groups", Kind::Str, || json!("")),
    ("http_authproxy_admin_usernames", Kind::Str, || json!("")),
    ("http_authproxy_verify_cert", Kind::Bool, || json!(true)),
    ("http_authproxy_skip_search", Kind::Bool, || json!(false)),
    ("http_authproxy_server_certificate", Kind::Str, || json!("")),
];

pub fn kind_of(key: &str) -> Option<Kind> {
    AUTH_ITEMS.iter().find(|(k, _, _)| *k == key).map(|i| i.1)
}

/// Whether `GET /configurations` leaves the key out (`ConvertForGet` deletes password items).
pub fn is_password(key: &str) -> bool {
    kind_of(key) == Some(Kind::Password)
}

/// The stored value of an auth setting, else its default.
pub fn value(store: &Store, key: &str) -> Value {
    store.settings.others.get(key).cloned().unwrap_or_else(|| {
        AUTH_ITEMS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or(Value::Null, |i| (i.2)())
    })
}

pub fn str_value(store: &Store, key: &str) -> String {
    value(store, key).as_str().unwrap_or_default().to_string()
}

pub fn auth_mode(store: &Store) -> String {
    str_value(store, "auth_mode")
}

/// `authModeCanBeModified` (controller/config/controller.go): `userManager.Count` with an
/// empty query, which leaves out the default admin (`excludeDefaultAdmin` in pkg/user/manager.go)
/// and deleted users, must be 0.
pub fn auth_mode_can_be_modified(store: &Store) -> bool {
    store.users.keys().all(|id| *id == ADMIN_USER_ID)
}

/// `metadata.NewCfgValue` → each `ItemType.validate` on the value as a string, wrapped as
/// `errors.Wrap(err, "item name "+key)` by `CfgManager.ValidateCfg`; a value of the wrong JSON
/// type is refused as the others in `put_configurations` are. Returns the value to store.
pub fn check_item(key: &str, kind: Kind, value: &Value) -> ApiResult<Value> {
    let wrong = || ApiError::bad_request(format!("invalid value {value} for configuration {key}"));
    let item = |msg: &str| ApiError::bad_request(format!("item name {key}: {msg}"));
    match kind {
        Kind::AuthMode => {
            let s = value.as_str().ok_or_else(wrong)?;
            if !matches!(
                s,
                "db_auth" | "ldap_auth" | "uaa_auth" | "http_auth" | "oidc_auth"
            ) {
                return Err(item(
                    "invalid auth_mode, shoud be one of db_auth, ldap_auth, uaa_auth, http_auth, oidc_auth",
                ));
            }
        }
        Kind::Str | Kind::Password => {
            value.as_str().ok_or_else(wrong)?;
        }
        Kind::NonEmpty => {
            if value.as_str().ok_or_else(wrong)?.trim().is_empty() {
                return Err(item("the configure value can not be empty"));
            }
        }
        Kind::Bool => {
            value.as_bool().ok_or_else(wrong)?;
        }
        Kind::Int => {
            value.as_i64().ok_or_else(wrong)?;
        }
        Kind::LdapScope => {
            let n = value.as_i64().ok_or_else(wrong)?;
            if !(0..=2).contains(&n) {
                return Err(item("invalid scope, should be 0, 1 or 2"));
            }
        }
        Kind::StringMap => {
            let text = value.as_str().ok_or_else(wrong)?;
            // Harbor keeps the map and answers it re-marshalled by Go's `json.Marshal`:
            // keys sorted, no spaces, which serde_json's map writes too.
            let map: std::collections::BTreeMap<String, String> = serde_json::from_str(text)
                .map_err(|e| item(&format!("failed to unmarshal {text}: {e}")))?;
            return Ok(json!(serde_json::to_string(&map).unwrap_or_default()));
        }
    }
    Ok(value.clone())
}

/// The auth-mode rule of `validateCfg`: a request that changes `auth_mode` is refused with 400
/// "the auth mode cannot be modified as new users have been inserted into database" while any
/// user other than the admin exists. Sending the current mode again is allowed.
pub fn check_auth_mode_change(store: &Store, req: &Map<String, Value>) -> ApiResult<()> {
    if let Some(next) = req.get("auth_mode").and_then(Value::as_str)
        && next != auth_mode(store)
        && !auth_mode_can_be_modified(store)
    {
        return Err(ApiError::bad_request(
            "the auth mode cannot be modified as new users have been inserted into database",
        ));
    }
    Ok(())
}

/// `LdapGroupValidateRule` (pkg/config/validate/ldapgroup.go): when a request sets any of the
/// group filter, group name attribute or membership attribute, the merged result with a
/// non-empty filter needs the other two non-empty. Its errors are plain (`errors.New`), wrapped
/// by `validateCfg` as a 400.
pub fn check_ldap_group(store: &Store, req: &Map<String, Value>) -> ApiResult<()> {
    let keys = [
        "ldap_group_search_filter",
        "ldap_group_attribute_name",
        "ldap_group_membership_attribute",
    ];
    if !keys.iter().any(|k| req.contains_key(*k)) {
        return Ok(());
    }
    let merged = |k: &str| {
        req.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| str_value(store, k))
    };
    if merged(keys[0]).is_empty() {
        return Ok(());
    }
    if merged(keys[1]).is_empty() {
        return Err(ApiError::bad_request(
            "ldap group name attribute can not be empty",
        ));
    }
    if merged(keys[2]).is_empty() {
        return Err(ApiError::bad_request(
            "ldap group membership attribute can not be empty",
        ));
    }
    Ok(())
}
