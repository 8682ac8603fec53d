//! `harbor_config_security`: the system CVE allowlist, the vulnerabilities every project's
//! deployment security ignores, and when the list expires. One per Harbor.
//!
//! Requests: read = `GET /system/CVEAllowlist`; create and update = `PUT /system/CVEAllowlist`
//! (the whole list: create adopts Harbor's list and replaces it); delete = `PUT` of an empty
//! list with no expiry, Harbor's default. Import: any id (goharbor passes the id through; its
//! documentation's `"7"` works), conventionally `/system/CVEAllowlist`.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::harbor::{CveAllowlistItem, SystemAllowlist};
use crate::schema::model::{self, Known, ModelError};
use crate::schema::resource::{ApplyError, ClientCaps, Resource};
use crate::schema::{Attribute, AttributePath, Block, Diagnostics, Schema, Type, Value};

use super::{SCHEMA_VERSION_AFTER_GO, api_diag};

pub struct ConfigSecurityResource;

const ID: &str = "/system/CVEAllowlist";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigSecurityModel {
    pub id: Known<Option<String>>,
    pub cve_allowlist: Vec<String>,
    pub expires_at: Option<i64>,
    pub creation_time: Known<Option<String>>,
    pub update_time: Known<Option<String>>,
}

impl ConfigSecurityModel {
    fn from_harbor(a: &SystemAllowlist) -> Self {
        ConfigSecurityModel {
            id: Some(ID.to_string()).into(),
            cve_allowlist: a.items.iter().map(|i| i.cve_id.clone()).collect(),
            // Harbor stores "no expiry" as null; goharbor's state holds 0 for it.
            expires_at: a.expires_at.filter(|e| *e != 0),
            creation_time: a.creation_time.clone().into(),
            update_time: a.update_time.clone().into(),
        }
    }

    fn to_value(&self) -> Result<Value, ModelError> {
        model::to_value(self, &ConfigSecurityResource::schema().ty())
    }
}

impl ConfigSecurityResource {
    pub fn schema() -> Schema {
        Schema::new(
            SCHEMA_VERSION_AFTER_GO,
            Block::new(
                "The system CVE allowlist: vulnerabilities that deployment security ignores in every project that uses \
                 the system list. Harbor has one: creating this resource replaces whatever list Harbor has; destroying it \
                 empties the list and removes its expiry (Harbor's default). Import with any id, e.g. `/system/CVEAllowlist`.",
            )
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("Always `/system/CVEAllowlist`."))
            .attr(
                Attribute::typed("cve_allowlist", Type::List(Box::new(Type::String)))
                    .required()
                    .describe("CVE ids to ignore, such as `[\"CVE-2024-0001\"]`; each once."),
            )
            .attr(
                Attribute::number("expires_at")
                    .optional()
                    .describe("When the list stops applying, in seconds since the epoch. Unset: it never expires."),
            )
            .attr(Attribute::string("creation_time").computed().describe("When Harbor last wrote the list: Harbor stamps it anew on every change."))
            .attr(Attribute::string("update_time").computed().describe("When Harbor last changed the list.")),
        )
    }

    async fn put(
        &self,
        h: &HarborContext,
        items: &[String],
        expires_at: Option<i64>,
    ) -> Result<ConfigSecurityModel, Diagnostics> {
        let body = SystemAllowlist {
            expires_at,
            items: items
                .iter()
                .map(|c| CveAllowlistItem { cve_id: c.clone() })
                .collect(),
            ..Default::default()
        };
        h.client
            .put_system_allowlist(&body)
            .await
            .map_err(|e| api_diag("Could not set the system CVE allowlist", "", &e))?;
        self.get(h).await
    }

    async fn get(&self, h: &HarborContext) -> Result<ConfigSecurityModel, Diagnostics> {
        let a = h
            .client
            .get_system_allowlist()
            .await
            .map_err(|e| api_diag("Could not read the system CVE allowlist", "", &e))?;
        Ok(ConfigSecurityModel::from_harbor(&a))
    }
}

#[async_trait]
impl Resource<HarborContext> for ConfigSecurityResource {
    fn type_name(&self) -> &'static str {
        "harbor_config_security"
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ConfigSecurityModel>(
            &Self::schema().ty(),
        ))
    }

    /// Harbor's allowlist validator refuses a blank or repeated id (`pkg/allowlist/validator.go`).
    fn validate(&self, config: &Value, _caps: ClientCaps, diags: &mut Diagnostics) {
        let Value::List(items) = config.get("cve_allowlist") else {
            return;
        };
        let mut seen = std::collections::BTreeSet::new();
        for item in items {
            let Some(id) = item.as_str() else { continue };
            if id.trim().is_empty() {
                diags.attr_error(
                    AttributePath::attr("cve_allowlist"),
                    "Blank CVE id in cve_allowlist",
                    "Remove the empty entry: Harbor refuses blank ids.",
                );
            } else if !seen.insert(id.to_string()) {
                diags.attr_error(
                    AttributePath::attr("cve_allowlist"),
                    format!("{id} appears twice in cve_allowlist"),
                    "List each CVE id once: Harbor refuses repeated ids.",
                );
            }
        }
    }

    async fn read(&self, h: &HarborContext, _state: &Value) -> Result<Option<Value>, Diagnostics> {
        Ok(Some(self.get(h).await?.to_value()?))
    }

    async fn create(
        &self,
        h: &HarborContext,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, ApplyError> {
        let planned: ConfigSecurityModel = model::from_value(planned)?;
        let state = self
            .put(h, &planned.cve_allowlist, planned.expires_at)
            .await?;
        Ok(ConfigSecurityModel {
            cve_allowlist: planned.cve_allowlist,
            expires_at: planned.expires_at,
            ..state
        }
        .to_value()?)
    }

    async fn update(
        &self,
        h: &HarborContext,
        _prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError> {
        self.create(h, planned, config).await
    }

    async fn delete(&self, h: &HarborContext, _prior: &Value) -> Result<(), Diagnostics> {
        self.put(h, &[], None).await.map(|_| ())
    }

    async fn import(&self, h: &HarborContext, _id: &str) -> Result<Value, Diagnostics> {
        Ok(self.get(h).await?.to_value()?)
    }

    /// goharbor's state holds `expires_at = 0` for "never".
    fn upgrade_state(
        &self,
        version: i64,
        mut raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        if version == 0 {
            super::go_zero_values_to_null(&mut raw, &["expires_at"], &[]);
        }
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_follows_terraform_rules() {
        assert_eq!(
            ConfigSecurityResource::schema().check_rules(),
            Vec::<String>::new()
        );
    }
}
