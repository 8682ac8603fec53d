//! The body of `PUT /configurations` as go-swagger binds it: into the swagger `Configurations`
//! model of Harbor v2.15.2 (`UpdateConfigurations` in server/v2.0/handler/config.go), whose
//! fields are optional pointers. Keys the model lacks vanish, `null` is the same as absent, and
//! a value of the wrong JSON type fails the binding with 422 before the handler runs.

use serde_json::{Map, Value};

use crate::error::{ApiError, ApiResult};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Str,
    Bool,
    Int,
}

/// Every property of the swagger `Configurations` definition with its Go type (`integer`
/// without a format is `int64` in go-swagger's models).
const FIELDS: &[(&str, Field)] = &[
    ("audit_log_forward_endpoint", Field::Str),
    ("auth_mode", Field::Str),
    ("banner_message", Field::Str),
    ("disabled_audit_log_event_types", Field::Str),
    ("http_authproxy_admin_groups", Field::Str),
    ("http_authproxy_admin_usernames", Field::Str),
    ("http_authproxy_endpoint", Field::Str),
    ("http_authproxy_server_certificate", Field::Str),
    ("http_authproxy_skip_search", Field::Bool),
    ("http_authproxy_tokenreview_endpoint", Field::Str),
    ("http_authproxy_verify_cert", Field::Bool),
    ("ldap_base_dn", Field::Str),
    ("ldap_filter", Field::Str),
    ("ldap_group_admin_dn", Field::Str),
    ("ldap_group_attach_parallel", Field::Bool),
    ("ldap_group_attribute_name", Field::Str),
    ("ldap_group_base_dn", Field::Str),
    ("ldap_group_membership_attribute", Field::Str),
    ("ldap_group_search_filter", Field::Str),
    ("ldap_group_search_scope", Field::Int),
    ("ldap_scope", Field::Int),
    ("ldap_search_dn", Field::Str),
    ("ldap_search_password", Field::Str),
    ("ldap_timeout", Field::Int),
    ("ldap_uid", Field::Str),
    ("ldap_url", Field::Str),
    ("ldap_verify_cert", Field::Bool),
    ("notification_enable", Field::Bool),
    ("oidc_admin_group", Field::Str),
    ("oidc_auto_onboard", Field::Bool),
    ("oidc_client_id", Field::Str),
    ("oidc_client_secret", Field::Str),
    ("oidc_endpoint", Field::Str),
    ("oidc_extra_redirect_parms", Field::Str),
    ("oidc_group_filter", Field::Str),
    ("oidc_groups_claim", Field::Str),
    ("oidc_logout", Field::Bool),
    ("oidc_name", Field::Str),
    ("oidc_scope", Field::Str),
    ("oidc_user_claim", Field::Str),
    ("oidc_verify_cert", Field::Bool),
    ("primary_auth_mode", Field::Bool),
    ("project_creation_restriction", Field::Str),
    ("quota_per_project_enable", Field::Bool),
    ("read_only", Field::Bool),
    ("robot_name_prefix", Field::Str),
    ("robot_token_duration", Field::Int),
    ("scanner_skip_update_pulltime", Field::Bool),
    ("self_registration", Field::Bool),
    ("session_timeout", Field::Int),
    ("skip_audit_log_database", Field::Bool),
    ("storage_per_project", Field::Int),
    ("token_expiration", Field::Int),
    ("uaa_client_id", Field::Str),
    ("uaa_client_secret", Field::Str),
    ("uaa_endpoint", Field::Str),
    ("uaa_verify_cert", Field::Bool),
];

/// What `UpdateConfigurations` hands the controller (`toCfgMap`: the bound model marshalled
/// back, its nil pointers omitted): the known, non-null keys of the body. A type mismatch is
/// encoding/json's `UnmarshalTypeError` in go-swagger's parse error, as Harbor 2.15.2 answered
/// `{"robot_name_prefix": 5}`: 422 "validation failure list:\nparsing configurations body from
/// \"\" failed, because json: cannot unmarshal number into Go struct field
/// Configurations.robot_name_prefix of type string".
pub fn bind(body: Map<String, Value>) -> ApiResult<Map<String, Value>> {
    let mut bound = Map::new();
    for (key, value) in body {
        let Some((_, field)) = FIELDS.iter().find(|(k, _)| *k == key) else {
            continue;
        };
        if value.is_null() {
            continue;
        }
        let fits = match field {
            Field::Str => value.is_string(),
            Field::Bool => value.is_boolean(),
            Field::Int => value.is_i64(),
        };
        if !fits {
            let json_type = match &value {
                Value::String(_) => "string".to_string(),
                Value::Bool(_) => "bool".to_string(),
                Value::Array(_) => "array".to_string(),
                Value::Object(_) => "object".to_string(),
                // encoding/json names the literal when a number does not fit an integer.
                Value::Number(n) if *field == Field::Int => format!("number {n}"),
                _ => "number".to_string(),
            };
            let go_type = match field {
                Field::Str => "string",
                Field::Bool => "bool",
                Field::Int => "int64",
            };
            return Err(ApiError::unprocessable(format!(
                "parsing configurations body from \"\" failed, because json: cannot unmarshal \
                 {json_type} into Go struct field Configurations.{key} of type {go_type}"
            )));
        }
        bound.insert(key, value);
    }
    Ok(bound)
}
