//! `data "harbor_system_info"`: facts about the connected Harbor that modules branch on.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::schema::model::{self, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Block, Diagnostics, Schema, Value};

pub struct SystemInfoDataSource;

/// What the data source reports. Every attribute is computed; any may be null.
#[derive(Debug, Serialize, Deserialize)]
pub struct SystemInfoModel {
    pub harbor_version: Option<String>,
    pub external_url: Option<String>,
    pub robot_name_prefix: Option<String>,
    pub quota_per_project_enable: Option<bool>,
    pub project_creation_restriction: Option<String>,
}

#[async_trait]
impl DataSource<HarborContext> for SystemInfoDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_system_info"
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<SystemInfoModel>(&self.schema().ty()))
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
                .and_then(|i| i.value.as_bool()),
            Err(e) if e.is_forbidden() || e.is_unauthorized() => None,
            Err(e) => return Err(api_diag("Could not read", "Harbor's configuration", &e)),
        };
        let found = SystemInfoModel {
            harbor_version: info.harbor_version,
            external_url: info.external_url,
            robot_name_prefix: Some(h.robot_prefix.clone()),
            quota_per_project_enable: quotas,
            project_creation_restriction: info.project_creation_restriction,
        };
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
