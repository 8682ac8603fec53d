//! `data "harbor_system_info"`: facts about the connected Harbor that modules branch on.

use async_trait::async_trait;

use crate::provider::HarborContext;
use crate::resources::api_diag;
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Block, Diagnostics, Schema, Value};

pub struct SystemInfoDataSource;

#[async_trait]
impl DataSource<HarborContext> for SystemInfoDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_system_info"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Facts about the connected Harbor. `quota_per_project_enable` needs an admin to read Harbor's configuration; it is null otherwise.")
                .attr(Attribute::string("harbor_version").computed().describe("Harbor's version as it reports it, e.g. `v2.15.2-1a2b3c4d`."))
                .attr(Attribute::string("external_url").computed().describe("Harbor's external URL."))
                .attr(Attribute::string("robot_name_prefix").computed().describe("The prefix of robot account names (`robot$` by default)."))
                .attr(Attribute::bool("quota_per_project_enable").computed().describe("Whether projects get storage quotas."))
                .attr(Attribute::string("project_creation_restriction").computed().describe("`everyone` or `adminonly`.")),
        )
    }

    async fn read(&self, h: &HarborContext, _config: &Value) -> Result<Value, Diagnostics> {
        let info = h
            .client
            .systeminfo()
            .await
            .map_err(|e| api_diag("Could not read", "Harbor's system information", &e))?;
        // Only admins may read the configuration; others get null rather than an error.
        let quotas = match h.client.get_configurations().await {
            Ok(c) => c
                .get("quota_per_project_enable")
                .and_then(|i| i.value.as_bool())
                .map(Value::Bool)
                .unwrap_or(Value::Null),
            Err(e) if e.is_forbidden() || e.is_unauthorized() => Value::Null,
            Err(e) => return Err(api_diag("Could not read", "Harbor's configuration", &e)),
        };
        Ok(Value::object([
            ("harbor_version", Value::opt_string(info.harbor_version)),
            ("external_url", Value::opt_string(info.external_url)),
            ("robot_name_prefix", Value::from(h.robot_prefix.as_str())),
            ("quota_per_project_enable", quotas),
            (
                "project_creation_restriction",
                Value::opt_string(info.project_creation_restriction),
            ),
        ]))
    }
}
