//! `data "harbor_groups"`: Harbor's user groups, optionally one name or LDAP DN, with
//! goharbor/harbor's attribute names. Needs an administrator (Harbor's `GET /usergroups`).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Block, Diagnostics, Nesting, Schema, Value};

pub struct GroupsDataSource;

#[derive(Debug, Serialize, Deserialize)]
pub struct GroupItem {
    pub id: i64,
    pub group_name: String,
    pub group_type: i64,
    pub ldap_group_dn: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct GroupsModel {
    pub id: Known<Option<String>>,
    pub group_name: Option<String>,
    pub ldap_group_dn: Option<String>,
    pub groups: Known<Option<Vec<GroupItem>>>,
}

#[async_trait]
impl DataSource<HarborContext> for GroupsDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_groups"
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<GroupsModel>(&self.schema().ty()))
    }

    fn schema(&self) -> Schema {
        let group = vec![
            Attribute::number("id").computed().describe("Harbor's numeric id of the group (goharbor's name for it; `harbor_group.group_id`)."),
            Attribute::string("group_name").computed().describe("The group's name."),
            Attribute::number("group_type").computed().describe("`1` LDAP, `2` HTTP, `3` OIDC."),
            Attribute::string("ldap_group_dn").computed().describe("The LDAP DN (lower-case, as Harbor stores it); empty for other types."),
        ];
        Schema::new(
            0,
            Block::new("Lists Harbor's user groups (admins only), every page; `group_name` and `ldap_group_dn` keep exact matches. No match gives an empty list.")
                .attr(Attribute::string("id").computed().describe("An identifier of this query, as goharbor/harbor sets one."))
                .attr(Attribute::string("group_name").optional().describe("Only groups with this name."))
                .attr(Attribute::string("ldap_group_dn").optional().describe("Only groups with this LDAP DN (compared as Harbor stores it: trimmed, lower-case)."))
                .attr(Attribute::nested("groups", Nesting::List, group).computed().describe("The matching groups, by id.")),
        )
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let config: GroupsModel = model::from_value(config)?;
        let name = config.group_name.as_deref().filter(|s| !s.is_empty());
        let dn = config
            .ldap_group_dn
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|d| d.trim().to_lowercase());
        let mut groups = h
            .client
            .list_usergroups(name)
            .await
            .map_err(|e| api_diag("Could not list", "Harbor's user groups", &e))?;
        groups.sort_by_key(|g| g.id);
        let found = GroupsModel {
            id: Some("harbor-user-groups".to_string()).into(),
            groups: Some(
                groups
                    .into_iter()
                    .filter(|g| dn.as_deref().is_none_or(|d| g.ldap_group_dn == d))
                    .map(|g| GroupItem {
                        id: g.id,
                        group_name: g.group_name,
                        group_type: g.group_type,
                        ldap_group_dn: g.ldap_group_dn,
                    })
                    .collect(),
            )
            .into(),
            ..config
        };
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
