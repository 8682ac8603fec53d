//! The tfplugin6 `Provider` gRPC service: each handler decodes, calls into the framework, encodes,
//! and answers `Ok` with diagnostics inside. A gRPC `Status` is reserved for transport-level
//! failures (terraform-plugin-framework's proto6server / fwserver split).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::codec::{self, UnknownAttributes};
use super::convert::{decode, diagnostics_to_proto, encode, path_to_proto, schema_to_proto};
use super::proto::tfplugin6 as pb;
use crate::schema::Schema;
use crate::schema::diag::Diagnostics;
use crate::schema::identity::{IdentityKind, IdentityTemplate};
use crate::schema::plan;
use crate::schema::resource::{
    self, ClientCaps, DataSource, EphemeralResource, ListResource, Provider, Resource,
};
use crate::schema::value::{Type, Value};

struct ResourceEntry<D> {
    resource: Arc<dyn Resource<D>>,
    schema: Schema,
    ty: Type,
    identity: Option<IdentityTemplate>,
}

impl<D> ResourceEntry<D> {
    /// The identity Terraform should record beside `state`, when the resource has one and the
    /// state's id is known. Terraform 1.0.3 to 1.11 drop the field unread.
    fn identity_of(&self, state: &Value) -> Option<pb::ResourceIdentityData> {
        let t = self.identity.as_ref()?;
        let v = t.from_state(state)?;
        Some(pb::ResourceIdentityData {
            identity_data: Some(encode(&t.ty(), &v)),
        })
    }
}

struct DataSourceEntry<D> {
    data_source: Arc<dyn DataSource<D>>,
    schema: Schema,
    ty: Type,
}

struct ListEntry<D> {
    list: Arc<dyn ListResource<D>>,
    schema: Schema,
    ty: Type,
}

struct EphemeralEntry<D> {
    ephemeral: Arc<dyn EphemeralResource<D>>,
    schema: Schema,
    ty: Type,
}

/// The provider as Terraform sees it: schemas computed once, the configured data once configured.
pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    provider_schema: Schema,
    resources: BTreeMap<&'static str, ResourceEntry<P::Data>>,
    data_sources: BTreeMap<&'static str, DataSourceEntry<P::Data>>,
    ephemerals: BTreeMap<&'static str, EphemeralEntry<P::Data>>,
    lists: BTreeMap<&'static str, ListEntry<P::Data>>,
    /// Ephemeral resources opened and not yet closed, by type name and private data. Terraform
    /// does not close them when a run is interrupted, so `StopProvider` closes what is left.
    open_ephemerals: std::sync::Mutex<Vec<(String, Option<Vec<u8>>)>>,
    data: RwLock<Option<Arc<P::Data>>>,
    /// Cancelled by `StopProvider` (Ctrl-C in Terraform): new work is refused from then on.
    stop: CancellationToken,
}

type Rpc<T> = Result<Response<T>, Status>;

/// Resource or data source schemas by type name.
pub type NamedSchemas = Vec<(&'static str, Schema)>;

fn caps(c: Option<&pb::ClientCapabilities>) -> ClientCaps {
    ClientCaps {
        write_only_attributes: c.is_some_and(|c| c.write_only_attributes_allowed),
    }
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> Self {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = r.schema();
                let ty = schema.ty();
                let identity = r.identity();
                (
                    r.type_name(),
                    ResourceEntry {
                        resource: r,
                        schema,
                        ty,
                        identity,
                    },
                )
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = d.schema();
                let ty = schema.ty();
                (
                    d.type_name(),
                    DataSourceEntry {
                        data_source: d,
                        schema,
                        ty,
                    },
                )
            })
            .collect();
        let ephemerals = provider
            .ephemeral_resources()
            .into_iter()
            .map(|e| {
                let schema = e.schema();
                let ty = schema.ty();
                (
                    e.type_name(),
                    EphemeralEntry {
                        ephemeral: e,
                        schema,
                        ty,
                    },
                )
            })
            .collect();
        let lists = provider
            .list_resources()
            .into_iter()
            .map(|l| {
                let schema = l.schema();
                let ty = schema.ty();
                (
                    l.type_name(),
                    ListEntry {
                        list: l,
                        schema,
                        ty,
                    },
                )
            })
            .collect();
        ProviderService {
            provider_schema: provider.schema(),
            lists,
            provider: Arc::new(provider),
            resources,
            data_sources,
            ephemerals,
            open_ephemerals: std::sync::Mutex::new(Vec::new()),
            data: RwLock::new(None),
            stop: CancellationToken::new(),
        }
    }

    /// Every schema the provider serves, by kind and name (for rule checks and docs).
    pub fn schemas(&self) -> (Schema, NamedSchemas, NamedSchemas) {
        (
            self.provider_schema.clone(),
            self.resources
                .iter()
                .map(|(n, e)| (*n, e.schema.clone()))
                .collect(),
            self.data_sources
                .iter()
                .map(|(n, e)| (*n, e.schema.clone()))
                .collect(),
        )
    }

    /// Ephemeral resource schemas by type name.
    pub fn ephemeral_schemas(&self) -> NamedSchemas {
        self.ephemerals
            .iter()
            .map(|(n, e)| (*n, e.schema.clone()))
            .collect()
    }

    /// List resource schemas by type name (the `config` block of `list` blocks).
    pub fn list_schemas(&self) -> NamedSchemas {
        self.lists
            .iter()
            .map(|(n, e)| (*n, e.schema.clone()))
            .collect()
    }

    fn ephemeral(&self, name: &str) -> Result<&EphemeralEntry<P::Data>, Diagnostics> {
        self.ephemerals.get(name).ok_or_else(|| {
            let mut d = Diagnostics::new();
            d.error(
                format!("Unknown ephemeral resource type {name}"),
                "This provider does not implement this ephemeral resource type.",
            );
            d
        })
    }

    fn list(&self, name: &str) -> Result<&ListEntry<P::Data>, Diagnostics> {
        self.lists.get(name).ok_or_else(|| {
            let mut d = Diagnostics::new();
            d.error(
                format!("Unknown list resource type {name}"),
                "This provider cannot list this resource type.",
            );
            d
        })
    }

    fn resource(&self, name: &str) -> Result<&ResourceEntry<P::Data>, Diagnostics> {
        self.resources.get(name).ok_or_else(|| {
            let mut d = Diagnostics::new();
            d.error(
                format!("Unknown resource type {name}"),
                "This provider does not implement this resource type.",
            );
            d
        })
    }

    fn data_source(&self, name: &str) -> Result<&DataSourceEntry<P::Data>, Diagnostics> {
        self.data_sources.get(name).ok_or_else(|| {
            let mut d = Diagnostics::new();
            d.error(
                format!("Unknown data source {name}"),
                "This provider does not implement this data source.",
            );
            d
        })
    }

    fn configured(&self) -> Option<Arc<P::Data>> {
        self.data.read().expect("provider data lock").clone()
    }

    fn require_configured(&self) -> Result<Arc<P::Data>, Diagnostics> {
        self.configured().ok_or_else(|| {
            let mut d = Diagnostics::new();
            d.error(
                "The Harbor provider is not configured",
                "The provider block's arguments were not known when Terraform configured the provider, or \
                 configuration failed. Make the provider's arguments known at plan time (they cannot depend on \
                 resources created in the same run).",
            );
            d
        })
    }

    fn check_stopped(&self) -> Result<(), Diagnostics> {
        if self.stop.is_cancelled() {
            let mut d = Diagnostics::new();
            d.error(
                "Interrupted",
                "Terraform asked the provider to stop; this operation was not started.",
            );
            return Err(d);
        }
        Ok(())
    }
}

/// The import path an identity names, or an error naming the identity attribute at fault.
fn import_id_from_identity<D>(
    type_name: &str,
    e: &ResourceEntry<D>,
    identity: &pb::ResourceIdentityData,
) -> Result<String, Diagnostics> {
    let mut d = Diagnostics::new();
    let Some(t) = e.identity.as_ref() else {
        d.error(
            format!("{type_name} cannot be imported by identity"),
            "This resource type has no identity; use `id = \"...\"` in the import block.",
        );
        return Err(d);
    };
    let v = decode(&t.ty(), identity.identity_data.as_ref(), "import identity")?;
    t.to_path(&v).map_err(|msg| {
        d.error(
            format!("Invalid identity for {type_name}"),
            format!("{msg} Check the `identity` of the import block."),
        );
        d
    })
}

fn diags_only<T>(r: Result<T, Diagnostics>) -> (Option<T>, Diagnostics) {
    match r {
        Ok(v) => (Some(v), Diagnostics::new()),
        Err(d) => (None, d),
    }
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Rpc<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            resources: self
                .resources
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            data_sources: self
                .data_sources
                .keys()
                .map(|n| pb::get_metadata::DataSourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            ephemeral_resources: self
                .ephemerals
                .keys()
                .map(|n| pb::get_metadata::EphemeralMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            list_resources: self
                .lists
                .keys()
                .map(|n| pb::get_metadata::ListResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Rpc<pb::get_provider_schema::Response> {
        tracing::debug!(
            resources = self.resources.len(),
            data_sources = self.data_sources.len(),
            "serving provider schema"
        );
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(n, e)| (n.to_string(), schema_to_proto(&e.schema)))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(n, e)| (n.to_string(), schema_to_proto(&e.schema)))
                .collect(),
            ephemeral_resource_schemas: self
                .ephemerals
                .iter()
                .map(|(n, e)| (n.to_string(), schema_to_proto(&e.schema)))
                .collect(),
            list_resource_schemas: self
                .lists
                .iter()
                .map(|(n, e)| (n.to_string(), schema_to_proto(&e.schema)))
                .collect(),
            server_capabilities: Some(server_capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Rpc<pb::validate_provider_config::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        match decode(
            &self.provider_schema.ty(),
            req.config.as_ref(),
            "provider configuration",
        ) {
            Ok(config) => {
                resource::validate_config(&self.provider_schema, &config, &mut diags);
                self.provider.validate(&config, &mut diags);
            }
            Err(d) => diags.extend(d),
        }
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Rpc<pb::validate_resource_config::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let r = self
            .resource(&req.type_name)
            .and_then(|e| Ok((e, decode(&e.ty, req.config.as_ref(), "configuration")?)));
        match r {
            Ok((e, config)) => {
                let caps = caps(req.client_capabilities.as_ref());
                resource::validate_config(&e.schema, &config, &mut diags);
                resource::check_write_only(&e.schema, &config, caps, &mut diags);
                e.resource.validate(&config, caps, &mut diags);
            }
            Err(d) => diags.extend(d),
        }
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Rpc<pb::validate_data_resource_config::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let r = self
            .data_source(&req.type_name)
            .and_then(|e| Ok((e, decode(&e.ty, req.config.as_ref(), "configuration")?)));
        match r {
            Ok((e, config)) => {
                resource::validate_config(&e.schema, &config, &mut diags);
                e.data_source.validate(&config, &mut diags);
            }
            Err(d) => diags.extend(d),
        }
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Rpc<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let result = (|| {
            let e = self.resource(&req.type_name)?;
            let mut d = Diagnostics::new();
            if req.version > e.schema.version {
                d.error(
                    format!("State of {} is from a newer provider", req.type_name),
                    format!(
                        "The state was written with schema version {}, but this provider knows only up to {}. Use the newer provider version.",
                        req.version, e.schema.version
                    ),
                );
                return Err(d);
            }
            let raw = req.raw_state.unwrap_or_default();
            if raw.json.is_empty() {
                if !raw.flatmap.is_empty() {
                    d.error("Unsupported state format", "This state is in the pre-0.12 flatmap format; upgrade it with Terraform 0.12 first.");
                    return Err(d);
                }
                return Ok(encode(&e.ty, &Value::Null));
            }
            let json: serde_json::Value = serde_json::from_slice(&raw.json).map_err(|err| {
                let mut d = Diagnostics::new();
                d.error("Could not read the stored state", err.to_string());
                d
            })?;
            let upgraded = e.resource.upgrade_state(req.version, json)?;
            let v =
                codec::from_json(&e.ty, &upgraded, UnknownAttributes::Ignore).map_err(|err| {
                    let mut d = Diagnostics::new();
                    d.error(
                        format!("Could not upgrade the stored state of {}", req.type_name),
                        err.to_string(),
                    );
                    d
                })?;
            Ok(encode(&e.ty, &v))
        })();
        let (state, diags) = diags_only(result);
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: state,
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Rpc<pb::get_resource_identity_schemas::Response> {
        let identity_schemas = self
            .resources
            .iter()
            .filter_map(|(name, e)| {
                let t = e.identity.as_ref()?;
                let attrs = t
                    .attributes()
                    .iter()
                    .map(|a| pb::resource_identity_schema::IdentityAttribute {
                        name: a.name.clone(),
                        r#type: match a.kind {
                            IdentityKind::Number => Type::Number,
                            IdentityKind::String => Type::String,
                        }
                        .to_json()
                        .to_string()
                        .into_bytes(),
                        required_for_import: true,
                        optional_for_import: false,
                        description: a.description.clone(),
                    })
                    .collect();
                Some((
                    name.to_string(),
                    pb::ResourceIdentitySchema {
                        version: t.version,
                        identity_attributes: attrs,
                    },
                ))
            })
            .collect();
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas,
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Rpc<pb::upgrade_resource_identity::Response> {
        let req = req.into_inner();
        let result = (|| {
            let e = self.resource(&req.type_name)?;
            let mut d = Diagnostics::new();
            let Some(t) = e.identity.as_ref() else {
                d.error(
                    format!("{} has no resource identity", req.type_name),
                    "This provider declares no identity for this type; remove the identity from the state by re-importing it with a string id.",
                );
                return Err(d);
            };
            // Every identity is still at version 0, so an upgrade only re-reads what is stored.
            if req.version != t.version {
                d.error(
                    format!("Identity of {} is from another provider version", req.type_name),
                    format!(
                        "The stored identity has version {}, this provider knows version {}. Use the provider version that wrote it.",
                        req.version, t.version
                    ),
                );
                return Err(d);
            }
            let raw = req.raw_identity.map(|r| r.json).unwrap_or_default();
            let json: serde_json::Value = serde_json::from_slice(&raw).map_err(|err| {
                let mut d = Diagnostics::new();
                d.error("Could not read the stored identity", err.to_string());
                d
            })?;
            let v = codec::from_json(&t.ty(), &json, UnknownAttributes::Reject).map_err(|err| {
                let mut d = Diagnostics::new();
                d.error(
                    format!("Could not read the stored identity of {}", req.type_name),
                    err.to_string(),
                );
                d
            })?;
            Ok(pb::ResourceIdentityData {
                identity_data: Some(encode(&t.ty(), &v)),
            })
        })();
        let (upgraded_identity, diags) = diags_only(result);
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity,
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Rpc<pb::configure_provider::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        match decode(
            &self.provider_schema.ty(),
            req.config.as_ref(),
            "provider configuration",
        ) {
            // Arguments that depend on other resources are unknown during plan: stay unconfigured
            // and let reads keep prior state instead of failing the plan.
            Ok(config) if !config.is_wholly_known() => {
                tracing::debug!(
                    "provider configuration has unknown values; deferring configuration"
                );
            }
            Ok(config) => match self
                .provider
                .configure(&config, &req.terraform_version)
                .await
            {
                Ok(data) => *self.data.write().expect("provider data lock") = Some(Arc::new(data)),
                Err(d) => diags.extend(d),
            },
            Err(d) => diags.extend(d),
        }
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Rpc<pb::read_resource::Response> {
        let req = req.into_inner();
        let result = async {
            let e = self.resource(&req.type_name)?;
            let state = decode(&e.ty, req.current_state.as_ref(), "current state")?;
            if state.is_null() {
                return Ok((encode(&e.ty, &Value::Null), None));
            }
            let Some(data) = self.configured() else {
                return Ok((encode(&e.ty, &state), e.identity_of(&state)));
            };
            let fresh = e.resource.read(&data, &state).await?.unwrap_or(Value::Null);
            Ok((encode(&e.ty, &fresh), e.identity_of(&fresh)))
        }
        .await;
        let (read, diags) = diags_only(result);
        let (state, identity) = read.map_or((None, None), |(s, i)| (Some(s), i));
        Ok(Response::new(pb::read_resource::Response {
            new_state: state,
            diagnostics: diagnostics_to_proto(&diags),
            private: req.private,
            new_identity: identity,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Rpc<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        let result = (|| {
            let e = self.resource(&req.type_name)?;
            let prior = decode(&e.ty, req.prior_state.as_ref(), "prior state")?;
            let proposed = decode(&e.ty, req.proposed_new_state.as_ref(), "proposed new state")?;
            let config = decode(&e.ty, req.config.as_ref(), "configuration")?;
            let data = self.configured();
            let planned = plan::plan(
                &e.schema,
                data.as_deref(),
                &prior,
                &proposed,
                &config,
                |ctx| e.resource.modify_plan(ctx),
            );
            Ok((e, planned))
        })();
        let resp = match result {
            Ok((e, p)) => pb::plan_resource_change::Response {
                planned_state: Some(encode(&e.ty, &p.planned)),
                // Known once the object exists; a create plans none (the id is not known yet).
                planned_identity: e.identity_of(&p.planned),
                requires_replace: p.requires_replace.iter().map(path_to_proto).collect(),
                planned_private: req.prior_private,
                diagnostics: diagnostics_to_proto(&p.diags),
                ..Default::default()
            },
            Err(d) => pb::plan_resource_change::Response {
                diagnostics: diagnostics_to_proto(&d),
                ..Default::default()
            },
        };
        Ok(Response::new(resp))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Rpc<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let new_state = async {
            let e = self.resource(&req.type_name)?;
            let prior = decode(&e.ty, req.prior_state.as_ref(), "prior state")?;
            let planned = decode(&e.ty, req.planned_state.as_ref(), "planned state")?;
            let config = decode(&e.ty, req.config.as_ref(), "configuration")?;
            let data = self.require_configured()?;
            self.check_stopped()?;
            let outcome = if planned.is_null() {
                e.resource
                    .delete(&data, &prior)
                    .await
                    .map(|()| Value::Null)
                    .map_err(resource::ApplyError::from)
            } else if prior.is_null() {
                e.resource.create(&data, &planned, &config).await
            } else {
                e.resource.update(&data, &prior, &planned, &config).await
            };
            let state = match outcome {
                Ok(v) => v,
                Err(err) => {
                    let mut d = err.diags;
                    if let Some(partial) = err.partial_state {
                        // Terraform records the partial object (tainted) alongside the error.
                        return Ok::<_, Diagnostics>((e, clean_new_state(&e.schema, partial), d));
                    }
                    // Nothing changed: keep the prior object in state.
                    if !d.has_errors() {
                        d.error("Apply failed", "The operation failed without details.");
                    }
                    return Ok((e, prior, d));
                }
            };
            Ok((e, clean_new_state(&e.schema, state), Diagnostics::new()))
        }
        .await;
        let (state, identity) = match new_state {
            Ok((e, v, d)) => {
                diags.extend(d);
                (Some(encode(&e.ty, &v)), e.identity_of(&v))
            }
            Err(d) => {
                diags.extend(d);
                (None, None)
            }
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: state,
            new_identity: identity,
            private: req.planned_private,
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Rpc<pb::import_resource_state::Response> {
        let req = req.into_inner();
        let result = async {
            let e = self.resource(&req.type_name)?;
            let data = self.require_configured()?;
            let id = match &req.identity {
                // `import { identity = { ... } }`: the identity names the same path a string id
                // would, so both forms go through one import.
                Some(identity) if req.id.is_empty() => {
                    import_id_from_identity(&req.type_name, e, identity)?
                }
                _ => req.id.clone(),
            };
            let state = clean_new_state(&e.schema, e.resource.import(&data, &id).await?);
            Ok(pb::import_resource_state::ImportedResource {
                type_name: req.type_name.clone(),
                state: Some(encode(&e.ty, &state)),
                identity: e.identity_of(&state),
                ..Default::default()
            })
        }
        .await;
        let (imported, diags) = diags_only(result);
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported.into_iter().collect(),
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Rpc<pb::read_data_source::Response> {
        let req = req.into_inner();
        let result = async {
            let e = self.data_source(&req.type_name)?;
            let config = decode(&e.ty, req.config.as_ref(), "configuration")?;
            let data = self.require_configured()?;
            let v = e.data_source.read(&data, &config).await?;
            Ok(encode(&e.ty, &v))
        }
        .await;
        let (state, diags) = diags_only(result);
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diagnostics_to_proto(&diags),
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Rpc<pb::validate_ephemeral_resource_config::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        let r = self
            .ephemeral(&req.type_name)
            .and_then(|e| Ok((e, decode(&e.ty, req.config.as_ref(), "configuration")?)));
        match r {
            Ok((e, config)) => {
                resource::validate_config(&e.schema, &config, &mut diags);
                e.ephemeral.validate(&config, &mut diags);
            }
            Err(d) => diags.extend(d),
        }
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diagnostics_to_proto(&diags),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Rpc<pb::open_ephemeral_resource::Response> {
        let req = req.into_inner();
        let result = async {
            self.check_stopped()?;
            let e = self.ephemeral(&req.type_name)?;
            let config = decode(&e.ty, req.config.as_ref(), "configuration")?;
            let data = self.require_configured()?;
            let opened = e.ephemeral.open(&data, &config).await?;
            self.open_ephemerals
                .lock()
                .expect("open ephemerals lock")
                .push((req.type_name.clone(), opened.private.clone()));
            Ok((encode(&e.ty, &opened.result), opened))
        }
        .await;
        let (opened, diags) = diags_only(result);
        let (result, private, renew_at) = match opened {
            Some((result, o)) => (Some(result), o.private, o.renew_at.map(timestamp)),
            None => (None, None, None),
        };
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: diagnostics_to_proto(&diags),
            renew_at,
            result,
            private,
            deferred: None,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Rpc<pb::renew_ephemeral_resource::Response> {
        let req = req.into_inner();
        let result = async {
            let e = self.ephemeral(&req.type_name)?;
            let data = self.require_configured()?;
            e.ephemeral.renew(&data, req.private.as_deref()).await
        }
        .await;
        let (renew_at, diags) = diags_only(result);
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: diagnostics_to_proto(&diags),
            renew_at: renew_at.flatten().map(timestamp),
            private: req.private,
        }))
    }

    /// Runs even after `StopProvider`: closing undoes what open made, and an interrupted run
    /// must still clean up.
    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Rpc<pb::close_ephemeral_resource::Response> {
        let req = req.into_inner();
        {
            let mut open = self.open_ephemerals.lock().expect("open ephemerals lock");
            if let Some(i) = open
                .iter()
                .position(|(t, p)| *t == req.type_name && *p == req.private)
            {
                open.remove(i);
            }
        }
        let result = async {
            let e = self.ephemeral(&req.type_name)?;
            let data = self.require_configured()?;
            e.ephemeral.close(&data, req.private.as_deref()).await
        }
        .await;
        let (_, diags) = diags_only(result);
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Rpc<pb::get_functions::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Rpc<pb::validate_list_resource_config::Response> {
        let req = req.into_inner();
        let mut diags = Diagnostics::new();
        match self
            .list(&req.type_name)
            .and_then(|e| Ok((e, decode(&e.ty, req.config.as_ref(), "list configuration")?)))
        {
            Ok((e, config)) => {
                resource::validate_config(&e.schema, &config, &mut diags);
                e.list.validate(&config, &mut diags);
            }
            Err(d) => diags.extend(d),
        }
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diagnostics_to_proto(&diags),
        }))
    }

    /// Every result is found before the first is sent: Harbor's lists are paged by the client,
    /// and a failure half-way must not look like a short list.
    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Rpc<tonic::codegen::BoxStream<pb::list_resource::Event>> {
        let req = req.into_inner();
        let events = async {
            let l = self.list(&req.type_name)?;
            let r = self.resource(&req.type_name)?;
            let config = decode(&l.ty, req.config.as_ref(), "list configuration")?;
            let data = self.require_configured()?;
            self.check_stopped()?;
            let limit = usize::try_from(req.limit)
                .ok()
                .filter(|n| *n > 0)
                .unwrap_or(usize::MAX);
            let found = l.list.list(&data, &config).await?;
            let mut events = Vec::with_capacity(found.len());
            for item in found.into_iter().take(limit) {
                let mut event = pb::list_resource::Event {
                    display_name: item.display_name,
                    identity: r.identity.as_ref().and_then(|t| {
                        Some(pb::ResourceIdentityData {
                            identity_data: Some(encode(&t.ty(), &t.from_path(&item.id)?)),
                        })
                    }),
                    ..Default::default()
                };
                if req.include_resource_object {
                    // The object as an import of the same id gives it: one GET per result,
                    // spent only when Terraform asks for objects.
                    match r.resource.import(&data, &item.id).await {
                        Ok(state) => {
                            event.resource_object =
                                Some(encode(&r.ty, &clean_new_state(&r.schema, state)))
                        }
                        Err(d) => event.diagnostic = diagnostics_to_proto(&d),
                    }
                }
                events.push(Ok(event));
            }
            Ok::<_, Diagnostics>(events)
        }
        .await
        .unwrap_or_else(|d| {
            vec![Ok(pb::list_resource::Event {
                diagnostic: diagnostics_to_proto(&d),
                ..Default::default()
            })]
        });
        Ok(Response::new(Box::pin(tokio_stream::iter(events))))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Rpc<pb::stop_provider::Response> {
        tracing::info!("Terraform asked the provider to stop; refusing new operations");
        self.stop.cancel();
        // An interrupted run ends without closing what it opened: close it here, so nothing an
        // ephemeral resource made outlives the run.
        let left: Vec<_> =
            std::mem::take(&mut *self.open_ephemerals.lock().expect("open ephemerals lock"));
        if let Some(data) = self.configured() {
            for (type_name, private) in left {
                let Some(e) = self.ephemerals.get(type_name.as_str()) else {
                    continue;
                };
                tracing::info!(type_name = %type_name, "closing an ephemeral resource the interrupted run left open");
                if let Err(d) = e.ephemeral.close(&data, private.as_deref()).await {
                    for diag in d.iter() {
                        tracing::error!(type_name = %type_name, summary = %diag.summary, detail = %diag.detail, "could not close an ephemeral resource");
                    }
                }
            }
        }
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

fn timestamp(t: std::time::SystemTime) -> prost_types::Timestamp {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos() as i32,
    }
}

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: false,
        move_resource_state: false,
    }
}

/// A new state must be wholly known and hold no write-only value: unknowns left by a resource
/// become null (Terraform would do the same, with an error), write-only attributes are nulled.
fn clean_new_state(schema: &Schema, mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        for a in &schema.block.attributes {
            if let Some(x) = m.get_mut(&a.name)
                && (a.write_only || !x.is_wholly_known())
            {
                if !a.write_only {
                    tracing::error!(attribute = %a.name, "resource left an unknown value after apply; storing null");
                }
                *x = Value::Null;
            }
        }
    }
    v
}
