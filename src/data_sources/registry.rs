//! `data "harbor_registry"`: a registry endpoint by name.

use async_trait::async_trait;

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::resources::registry::{RegistryResource, to_state};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Diagnostics, Schema, Value};

use super::{computed_copy, not_found};

pub struct RegistryDataSource;

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

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let name = config.str_attr("name").unwrap_or_default();
        let found = h
            .client
            .find_registry(name)
            .await
            .map_err(|e| api_diag("Could not look up registry", name, &e))?;
        let Some(r) = found.filter(|r| r.name == name) else {
            return Err(not_found("registry named", &format!("{name:?}")));
        };
        let mut v = to_state(&r, &Value::Null);
        if let Value::Object(m) = &mut v {
            m.remove("access_secret");
            m.remove("access_secret_wo_version");
        }
        v.set("type", Value::from(r.registry_type.as_str()));
        let url = v.get("endpoint_url").clone();
        v.set("url", url);
        Ok(v)
    }
}
