//! `data "harbor_registry"`: a registry endpoint by name.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::resources::registry::{RegistryResource, to_state};
use crate::schema::model::{self, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Diagnostics, Schema, Value};

use super::{computed_copy, not_found};

pub struct RegistryDataSource;

/// What the data source reports: the resource's attributes but the secrets, all computed but
/// `name`, plus Harbor's `type` and goharbor/harbor's `url`.
#[derive(Debug, Serialize, Deserialize)]
pub struct RegistryDataModel {
    pub id: Option<String>,
    pub registry_id: Option<i64>,
    pub provider_name: Option<String>,
    pub name: String,
    pub endpoint_url: Option<String>,
    pub description: Option<String>,
    pub access_id: Option<String>,
    pub insecure: Option<bool>,
    pub ca_certificate: Option<String>,
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub registry_type: Option<String>,
    pub url: Option<String>,
}

#[async_trait]
impl DataSource<HarborContext> for RegistryDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_registry"
    }

    fn schema(&self) -> Schema {
        let mut block = computed_copy(
            &RegistryResource::schema(),
            "Looks up a registry endpoint by name.",
            &[],
            &["access_secret", "access_secret_wo_version"],
        );
        for a in block.attributes.iter_mut().filter(|a| a.name == "name") {
            *a = Attribute::string("name")
                .required()
                .describe("The endpoint's name in Harbor.");
        }
        Schema::new(
            0,
            block
                .attr(
                    Attribute::string("type")
                        .computed()
                        .describe("Harbor's type name of the registry, e.g. `github-ghcr`."),
                )
                .attr(
                    Attribute::string("url")
                        .computed()
                        .describe("The same as `endpoint_url`: goharbor/harbor's name for it."),
                ),
        )
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<RegistryDataModel>(&self.schema().ty()))
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let config: RegistryDataModel = model::from_value(config)?;
        let name = config.name.as_str();
        let found = h
            .client
            .find_registry(name)
            .await
            .map_err(|e| api_diag("Could not look up registry", name, &e))?;
        let Some(r) = found.filter(|r| r.name == name) else {
            return Err(not_found("registry named", &format!("{name:?}")));
        };
        let s = to_state(&r, None);
        let url = s.endpoint_url.into_known().flatten();
        let found = RegistryDataModel {
            id: s.id.into_known().flatten(),
            registry_id: s.registry_id.into_known().flatten(),
            provider_name: Some(s.provider_name),
            name: s.name,
            endpoint_url: url.clone(),
            description: s.description,
            access_id: s.access_id,
            insecure: s.insecure,
            ca_certificate: s.ca_certificate,
            status: s.status.into_known().flatten(),
            registry_type: Some(r.registry_type.clone()),
            url,
        };
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
