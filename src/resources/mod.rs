//! One file per `harbor_*` resource type, plus the small helpers they share.

use std::sync::Arc;

use crate::context::HarborContext;
use crate::harbor;
use crate::schema::resource::{ApplyError, Resource};
use crate::schema::{Diagnostics, Value};

pub mod config_auth;
pub mod config_security;
pub mod config_system;
pub mod garbage_collection;
pub mod group;
pub mod immutable_tag_rule;
pub mod interrogation_services;
pub mod label;
pub mod lifecycle;
pub mod preheat_instance;
pub mod project;
pub mod project_member_group;
pub mod project_member_user;
pub mod project_members;
pub mod project_quota;
pub mod project_webhook;
pub mod purge_audit_log;
pub mod registry;
pub mod replication;
pub mod retention_policy;
pub mod robot_account;
pub mod scanner;
pub(crate) mod shared_members;
mod shared_write_only;
pub mod system_schedule;
pub mod user;

/// Every resource type the provider serves.
pub fn all() -> Vec<Arc<dyn Resource<HarborContext>>> {
    vec![
        Arc::new(project::ProjectResource),
        Arc::new(project_quota::ProjectQuotaResource),
        Arc::new(robot_account::RobotAccountResource),
        Arc::new(registry::RegistryResource),
        Arc::new(replication::ReplicationResource),
        Arc::new(project_webhook::ProjectWebhookResource),
        Arc::new(preheat_instance::PreheatInstanceResource),
        Arc::new(label::LabelResource),
        Arc::new(immutable_tag_rule::ImmutableTagRuleResource),
        Arc::new(retention_policy::RetentionPolicyResource),
        Arc::new(user::UserResource),
        Arc::new(project_member_user::ProjectMemberUserResource),
        Arc::new(group::GroupResource),
        Arc::new(project_member_group::ProjectMemberGroupResource),
        Arc::new(project_members::ProjectMembersResource),
        Arc::new(garbage_collection::GarbageCollectionResource),
        Arc::new(purge_audit_log::PurgeAuditLogResource),
        Arc::new(config_security::ConfigSecurityResource),
        Arc::new(config_system::ConfigSystemResource),
        Arc::new(interrogation_services::InterrogationServicesResource),
        Arc::new(interrogation_services::TasksResource),
        Arc::new(scanner::ScannerResource),
        Arc::new(config_auth::ConfigAuthResource),
    ]
}

/// Bytes in a GiB: `storage_quota` attributes are in GiB, Harbor's quotas in bytes.
pub(crate) const GIB: i64 = 1024 * 1024 * 1024;

/// GiB to bytes; -1 (unlimited) stays -1.
pub(crate) fn gib_to_bytes(gib: i64) -> i64 {
    if gib < 0 { -1 } else { gib * GIB }
}

/// Bytes to whole GiB, rounding up so a quota set elsewhere in bytes still shows as a change; -1 stays -1.
pub(crate) fn bytes_to_gib(bytes: i64) -> i64 {
    if bytes < 0 {
        -1
    } else {
        (bytes + GIB - 1) / GIB
    }
}

/// `storage_quota`: a positive number of GiB up to Harbor's maximum of 1 PiB, or -1.
pub(crate) fn storage_quota_validator() -> crate::schema::def::Validator {
    std::sync::Arc::new(|v, path, diags| {
        if let crate::schema::Value::Number(n) = v {
            match n.as_i64() {
                Some(q) if q == -1 || (1..=1024 * 1024).contains(&q) => {}
                _ => diags.attr_error(
                    path.clone(),
                    format!("Invalid storage quota {n}"),
                    "`storage_quota` is in GiB: a whole number from 1 to 1048576 (1 PiB, Harbor's maximum), or -1 for unlimited.",
                ),
            }
        }
    })
}

/// The schema version of resources that goharbor/harbor also has. Its SDKv2 schemas declare no
/// version, so state at version 0 is the Go provider's (after `terraform state replace-provider`).
pub(crate) const SCHEMA_VERSION_AFTER_GO: i64 = 1;

/// Rewrites SDKv2's zero values, which stand for "unset" in the Go provider's state, into the
/// nulls this provider stores, so an unchanged configuration plans nothing after migrating:
/// `""` strings, `0` numbers and `[]` lists among `keys` become null, recursively into `nested`
/// set/list blocks.
pub(crate) fn go_zero_values_to_null(
    v: &mut serde_json::Value,
    keys: &[&str],
    nested: &[(&str, &[&str])],
) {
    let Some(obj) = v.as_object_mut() else { return };
    for k in keys {
        if let Some(x) = obj.get_mut(*k) {
            let unset = match x {
                serde_json::Value::String(s) => s.is_empty(),
                serde_json::Value::Number(n) => n.as_f64() == Some(0.0),
                serde_json::Value::Array(a) => a.is_empty(),
                _ => false,
            };
            if unset {
                *x = serde_json::Value::Null;
            }
        }
    }
    for (block, inner) in nested {
        if let Some(serde_json::Value::Array(items)) = obj.get_mut(*block) {
            for item in items {
                go_zero_values_to_null(item, inner, &[]);
            }
        }
    }
}

/// A Harbor error as a diagnostic naming the object: "Could not read project ci: ...".
pub(crate) fn api_diag(what: &str, object: &str, e: &harbor::Error) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(format!("{what} {object}"), e.to_string());
    d
}

/// A create Harbor may or may not have carried out ([`harbor::Error::is_unsettled`]).
///
/// The rule: an apply that ends in an error never leaves an object in Harbor that the state
/// does not know. So the planned object goes back as partial state, its Harbor ids (unknown
/// until Harbor answers) null. Terraform records it tainted. The next refresh finds it by its
/// unique name and what was sent (each resource's `read` handles a state without an id), and
/// the next apply replaces it when Harbor has it, or creates it when Harbor does not.
pub(crate) fn unsettled_create(mut diags: Diagnostics, noun: &str, planned: &Value) -> ApplyError {
    diags.error(
        format!("The {noun} may exist in Harbor: kept in state as tainted"),
        format!(
            "Harbor's answer to the create was lost, so it is not known whether the {noun} was made. \
             It is recorded in state as tainted with no id. The next `terraform apply` looks it up by name: \
             if Harbor has it, it is replaced; if not, it is created. Nothing needs importing."
        ),
    );
    let mut state = planned.clone();
    if let Value::Object(attrs) = &mut state {
        for v in attrs.values_mut().filter(|v| !v.is_wholly_known()) {
            *v = Value::Null;
        }
    }
    ApplyError {
        diags,
        partial_state: Some(state),
    }
}

/// Reads treat "not found" as "gone", never as an error, so Terraform plans a re-create.
pub(crate) fn not_found_is_none<T>(
    r: Result<T, harbor::Error>,
) -> Result<Option<T>, harbor::Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// An import id: a numeric id, the Go provider's API-path form (`/projects/5`), or a name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ImportRef {
    Id(i64),
    Name(String),
}

/// An import id that must name an object by number: `5` or the Go provider's `/things/5`.
/// `noun` is what the user imports ("robot"), for the message.
pub(crate) fn numeric_import_id(
    id: &str,
    path_prefix: &str,
    type_name: &str,
    noun: &str,
) -> Result<i64, Diagnostics> {
    match parse_import_id(id, path_prefix) {
        Ok(ImportRef::Id(n)) => Ok(n),
        _ => {
            let mut d = Diagnostics::new();
            d.error(
                format!("Invalid import id for {type_name}"),
                format!("{id:?}: use the {noun}'s numeric id or `{path_prefix}<id>`."),
            );
            Err(d)
        }
    }
}

/// Import of an id Harbor does not know.
pub(crate) fn import_not_found(noun: &str, id: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    d.error(
        format!("Cannot import {noun} {id}"),
        format!("Harbor has no {noun} with this id."),
    );
    d
}

pub(crate) fn parse_import_id(id: &str, path_prefix: &str) -> Result<ImportRef, String> {
    let id = id.trim();
    if id.is_empty() {
        return Err("The import id is empty.".into());
    }
    if let Some(rest) = id.strip_prefix(path_prefix) {
        return rest
            .parse()
            .map(ImportRef::Id)
            .map_err(|_| format!("{id:?} does not end in a numeric id."));
    }
    if id.starts_with('/') {
        return Err(format!("{id:?} is not a {path_prefix}<id> path."));
    }
    Ok(match id.parse() {
        Ok(n) => ImportRef::Id(n),
        Err(_) => ImportRef::Name(id.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_accept_names_numbers_and_go_paths() {
        assert_eq!(
            parse_import_id("ci", "/projects/"),
            Ok(ImportRef::Name("ci".into()))
        );
        assert_eq!(parse_import_id("12", "/projects/"), Ok(ImportRef::Id(12)));
        assert_eq!(
            parse_import_id("/projects/12", "/projects/"),
            Ok(ImportRef::Id(12))
        );
        assert!(parse_import_id("/projects/x", "/projects/").is_err());
        assert!(parse_import_id("/robots/1", "/projects/").is_err());
        assert!(parse_import_id(" ", "/projects/").is_err());
    }
}
