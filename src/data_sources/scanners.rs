//! `data "harbor_scanners"`: the scanner adapters registered in Harbor, the default first
//! (Harbor's order), optionally only those whose name contains a text.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::context::HarborContext;
use crate::resources::api_diag;
use crate::schema::model::{self, ModelError};
use crate::schema::resource::DataSource;
use crate::schema::{Attribute, Block, Diagnostics, Nesting, Schema, Value};

pub struct ScannersDataSource;

/// The query (its optional filter) and what it found.
#[derive(Debug, Serialize, Deserialize)]
pub struct ScannersModel {
    pub id: Option<String>,
    pub name: Option<String>,
    pub default_scanner: Option<String>,
    pub scanners: Option<Vec<ScannersItem>>,
}

/// One registration found.
#[derive(Debug, Serialize, Deserialize)]
pub struct ScannersItem {
    pub id: String,
    pub uuid: String,
    pub name: String,
    pub description: String,
    pub url: String,
    pub auth: String,
    pub skip_cert_verify: bool,
    pub use_internal_addr: bool,
    pub disabled: bool,
    pub default: bool,
}

#[async_trait]
impl DataSource<HarborContext> for ScannersDataSource {
    fn type_name(&self) -> &'static str {
        "harbor_scanners"
    }

    fn schema(&self) -> Schema {
        let scanner = vec![
            Attribute::string("id")
                .computed()
                .describe("The registration's API path, `/scanners/<uuid>`: the import id of `harbor_scanner`."),
            Attribute::string("uuid").computed().describe("Harbor's id of the registration."),
            Attribute::string("name").computed().describe("The registration's name."),
            Attribute::string("description").computed().describe("The description."),
            Attribute::string("url").computed().describe("The adapter's base URL."),
            Attribute::string("auth")
                .computed()
                .describe("`None`, `Basic`, `Bearer` or `APIKey`. Harbor never returns the credential."),
            Attribute::bool("skip_cert_verify").computed().describe("Whether Harbor skips verifying the adapter's TLS certificate."),
            Attribute::bool("use_internal_addr").computed().describe("Whether the adapter pulls through Harbor's internal registry address."),
            Attribute::bool("disabled").computed().describe("Whether the registration is disabled."),
            Attribute::bool("default").computed().describe("Whether this is Harbor's default scanner."),
        ];
        Schema::new(
            0,
            Block::new("Lists Harbor's scanner registrations, the built-in `Trivy` included, the default first and then the newest (Harbor's order). Walks every page; no match gives an empty list.")
                .attr(Attribute::string("id").computed().describe("An identifier of this query (its filter)."))
                .attr(Attribute::string("name").optional().describe("Only registrations whose name contains this text."))
                .attr(Attribute::string("default_scanner").computed().describe("The name of Harbor's default scanner, whether or not it matches `name`; null when Harbor has none."))
                .attr(Attribute::nested("scanners", Nesting::List, scanner).computed().describe("The matching registrations.")),
        )
    }

    fn check_model(&self) -> Option<Result<(), ModelError>> {
        Some(model::check_model::<ScannersModel>(&self.schema().ty()))
    }

    async fn read(&self, h: &HarborContext, config: &Value) -> Result<Value, Diagnostics> {
        let query: ScannersModel = model::from_value(config)?;
        let all = h
            .client
            .list_scanners()
            .await
            .map_err(|e| api_diag("Could not list scanners", "", &e))?;
        let name = query.name.as_deref();
        let items = all
            .iter()
            .filter(|s| name.is_none_or(|n| s.name.contains(n)))
            .map(|s| ScannersItem {
                id: format!("/scanners/{}", s.uuid),
                uuid: s.uuid.clone(),
                name: s.name.clone(),
                description: s.description.clone().unwrap_or_default(),
                url: s.url.clone(),
                auth: match s.auth.as_deref().unwrap_or("") {
                    "" => "None".to_string(),
                    a => a.to_string(),
                },
                skip_cert_verify: s.skip_cert_verify,
                use_internal_addr: s.use_internal_addr,
                disabled: s.disabled,
                default: s.is_default,
            })
            .collect();
        let found = ScannersModel {
            id: Some(format!("scanners?name={}", name.unwrap_or_default())),
            name: query.name.clone(),
            default_scanner: all.iter().find(|s| s.is_default).map(|s| s.name.clone()),
            scanners: Some(items),
        };
        Ok(model::to_value(&found, &self.schema().ty())?)
    }
}
