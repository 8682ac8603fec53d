//! `harbor_group`: a Harbor user group (LDAP, HTTP or OIDC). goharbor/harbor's HCL, import ids
//! (`/usergroups/<id>`) and state work unchanged. Unlike goharbor (whose update does nothing),
//! the name changes in place, and the type and LDAP DN, which Harbor cannot change, replace.
//!
//! Requests: read = `GET /usergroups/{id}`; create = `POST /usergroups`; update =
//! `PUT /usergroups/{id}` (name only); delete = `DELETE /usergroups/{id}`.

use crate::schema::identity::IdentityTemplate;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::UserGroup;
use crate::schema::def::validators;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Value};

use super::{api_diag, import_not_found, not_found_is_none, numeric_import_id, unsettled_create};

pub struct GroupResource;

/// The resource's state and plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupModel {
    pub id: Known<Option<String>>,
    pub group_id: Known<Option<i64>>,
    pub group_name: String,
    pub group_type: i64,
    pub ldap_group_dn: Option<String>,
}

impl GroupModel {
    /// The state for a group as Harbor returns it. Harbor stores the DN trimmed and lower-case;
    /// the prior spelling is kept when it is the same DN, so `CN=Ops` does not plan a change.
    fn from_harbor(g: &UserGroup, prior_dn: Option<&str>) -> Self {
        let dn = match prior_dn {
            Some(p) if p.trim().to_lowercase() == g.ldap_group_dn => Some(p.to_string()),
            _ if g.ldap_group_dn.is_empty() => None,
            _ => Some(g.ldap_group_dn.clone()),
        };
        GroupModel {
            id: Some(format!("/usergroups/{}", g.id)).into(),
            group_id: Some(g.id).into(),
            group_name: g.group_name.clone(),
            group_type: g.group_type,
            ldap_group_dn: dn,
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &GroupResource::schema().ty())
    }
}

fn group_diag(what: &str, name: &str, e: &crate::harbor::Error) -> Diagnostics {
    let mut d = api_diag(what, name, e);
    if e.is_forbidden() || e.is_unauthorized() {
        d.error(
            "Managing user groups needs a Harbor administrator",
            "Configure the provider with an admin account.",
        );
    }
    d
}

fn state_id(m: &GroupModel) -> Option<i64> {
    m.group_id.value().copied().or_else(|| {
        m.id.value()
            .and_then(|p| p.strip_prefix("/usergroups/"))
            .and_then(|n| n.parse().ok())
    })
}

impl GroupResource {
    pub fn schema() -> Schema {
        Schema::new(
            super::SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "A Harbor user group, to make a whole LDAP, HTTP-auth or OIDC group a project member. The name changes \
                 in place; the type and LDAP DN replace the group (Harbor cannot change them). Harbor checks an LDAP \
                 group's DN against its LDAP server on create, so LDAP groups need Harbor in LDAP auth mode.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The group's API path, `/usergroups/<group_id>`."))
            .attr(Attribute::number("group_id").computed().use_state_for_unknown().describe("Harbor's numeric id of the group."))
            .attr(
                Attribute::string("group_name")
                    .required()
                    .describe("The group's name. Changed in place.")
                    .validate(validators::not_empty()),
            )
            .attr(
                Attribute::number("group_type")
                    .required()
                    .requires_replace()
                    .describe("`1` LDAP, `2` HTTP (goharbor calls it internal), `3` OIDC. Changing it replaces the group.")
                    .validate(validators::int_between(1, 3)),
            )
            .attr(
                Attribute::string("ldap_group_dn")
                    .optional()
                    .requires_replace()
                    .describe("The group's distinguished name in LDAP; required for type 1. Changing it replaces the group."),
            ),
        )
    }
}

#[async_trait]
impl Resource<HarborContext> for GroupResource {
    fn identity(&self) -> Option<IdentityTemplate> {
        Some(
            IdentityTemplate::path("/usergroups/{group_id}")
                .describe("group_id", "The group's numeric id in Harbor."),
        )
    }

    fn type_name(&self) -> &'static str {
        "harbor_group"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<GroupModel>(&Self::schema().ty()))
    }

    fn validate(
        &self,
        config: &Value,
        _caps: crate::schema::resource::ClientCaps,
        diags: &mut Diagnostics,
    ) {
        if config.i64_attr("group_type") == Some(1) && config.get("ldap_group_dn").is_null() {
            // Attached to `group_type`, the line the configuration has (the DN is missing).
            diags.attr_error(
                AttributePath::attr("group_type"),
                "An LDAP group needs ldap_group_dn",
                "Harbor looks an LDAP group (`group_type = 1`) up by its DN; set `ldap_group_dn`, e.g. `cn=ops,ou=groups,dc=example,dc=com`.",
            );
        }
    }

    /// goharbor/harbor's state (version 0): `""` DN is unset; `group_id` comes from the id.
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(&mut raw, &["ldap_group_dn"], &[]);
            if let Some(obj) = raw.as_object_mut() {
                let id = obj
                    .get("id")
                    .and_then(|v| v.as_str())
                    .and_then(|p| p.strip_prefix("/usergroups/"))
                    .and_then(|n| n.parse::<i64>().ok());
                obj.insert("group_id".into(), id.into());
            }
        }
        Ok(raw)
    }

    async fn read(&self, h: &HarborContext, state: &Value) -> Result<Option<Value>, Diagnostics> {
        let state: GroupModel = model::from_value(state)?;
        let id = match state_id(&state) {
            Some(id) => id,
            // A create whose answer was lost: find the group by name and type.
            None => {
                let found = h
                    .client
                    .list_usergroups(Some(&state.group_name))
                    .await
                    .map_err(|e| group_diag("Could not look up group", &state.group_name, &e))?;
                match found.into_iter().find(|g| g.group_type == state.group_type) {
                    Some(g) => g.id,
                    None => return Ok(None),
                }
            }
        };
        let found = not_found_is_none(h.client.get_usergroup(id).await)
            .map_err(|e| group_diag("Could not read group", &state.group_name, &e))?;
        Ok(match found {
            Some(g) => {
                Some(GroupModel::from_harbor(&g, state.ldap_group_dn.as_deref()).to_value()?)
            }
            None => None,
        })
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned_model: GroupModel = model::from_value(planned)?;
        let name = planned_model.group_name.clone();
        let req = UserGroup {
            id: 0,
            group_name: name.clone(),
            group_type: planned_model.group_type,
            ldap_group_dn: planned_model.ldap_group_dn.clone().unwrap_or_default(),
        };
        let id = match h.client.create_usergroup(&req).await {
            Ok(id) => id,
            Err(e) if e.is_unsettled() => {
                return Err(unsettled_create(
                    group_diag("Could not create group", &name, &e),
                    "group",
                    planned,
                ));
            }
            Err(e) => {
                let mut d = group_diag("Could not create group", &name, &e);
                if e.is_conflict() {
                    d.attr_error(AttributePath::attr("group_name"), format!("Group {name} already exists"), "Harbor refuses a second group with the same name and type, and any name an HTTP group has. Import the existing group with `terraform import <address> /usergroups/<id>`.");
                } else if e.status() == Some(400) && planned_model.group_type == 1 {
                    d.attr_error(AttributePath::attr("ldap_group_dn"), "Harbor did not find the LDAP group", "Harbor searches its LDAP server for the DN when an LDAP group is created: Harbor must be in LDAP auth mode, and the DN must exist there.");
                }
                return Err(d.into());
            }
        };
        let state = GroupModel {
            id: Some(format!("/usergroups/{id}")).into(),
            group_id: Some(id).into(),
            ..planned_model
        };
        Ok(state.to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let prior: GroupModel = model::from_value(prior)?;
        let planned: GroupModel = model::from_value(planned)?;
        let id = state_id(&prior).unwrap_or_default();
        if planned.group_name != prior.group_name {
            h.client
                .rename_usergroup(id, &planned.group_name)
                .await
                .map_err(|e| group_diag("Could not rename group", &prior.group_name, &e))?;
        }
        let state = GroupModel {
            id: prior.id,
            group_id: Some(id).into(),
            ..planned
        };
        Ok(state.to_value()?)
    }

    async fn delete(&self, h: &HarborContext, prior: &Value) -> Result<(), Diagnostics> {
        let prior: GroupModel = model::from_value(prior)?;
        let Some(id) = state_id(&prior) else {
            return Ok(());
        };
        h.client
            .delete_usergroup(id)
            .await
            .map_err(|e| group_diag("Could not delete group", &prior.group_name, &e))
    }

    async fn import(&self, h: &HarborContext, id: &str) -> Result<Value, Diagnostics> {
        let gid = numeric_import_id(id, "/usergroups/", "harbor_group", "group")?;
        let found = not_found_is_none(h.client.get_usergroup(gid).await)
            .map_err(|e| group_diag("Could not read group", id, &e))?;
        match found {
            Some(g) => Ok(GroupModel::from_harbor(&g, None).to_value()?),
            None => Err(import_not_found("group", id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(GroupResource::schema().check_rules(), Vec::<String>::new());
    }

    #[test]
    fn dn_spelling_is_kept_when_harbor_lowercases_it() {
        let g = UserGroup {
            id: 1,
            group_name: "ops".into(),
            group_type: 1,
            ldap_group_dn: "cn=ops,dc=example,dc=com".into(),
        };
        let m = GroupModel::from_harbor(&g, Some("CN=Ops,dc=example,dc=com"));
        assert_eq!(m.ldap_group_dn.as_deref(), Some("CN=Ops,dc=example,dc=com"));
        let m = GroupModel::from_harbor(&g, Some("cn=other"));
        assert_eq!(m.ldap_group_dn.as_deref(), Some("cn=ops,dc=example,dc=com"));
    }
}
