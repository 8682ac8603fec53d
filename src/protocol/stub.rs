//! A placeholder `tfplugin6.Provider`: an empty provider schema and no resources, so the
//! transport and the acceptance harness can be exercised before the real service exists.
//!
//! Every RPC it does not override answers Unimplemented (tonic's default stubs).

use tonic::{Request, Response, Status};

use super::proto::tfplugin6::{
    self, Schema, configure_provider, get_provider_schema, schema, stop_provider,
    validate_provider_config,
};

/// The log message GetProviderSchema emits at DEBUG; the acceptance tests look for it in
/// Terraform's log to prove provider logs reach it.
pub const SCHEMA_LOG_MESSAGE: &str = "served the stub provider schema";

/// Answers the RPCs every Terraform command makes, and nothing else.
#[derive(Debug, Default, Clone)]
pub struct StubProvider;

#[tonic::async_trait]
impl tfplugin6::provider_server::Provider for StubProvider {
    async fn get_provider_schema(
        &self,
        _request: Request<get_provider_schema::Request>,
    ) -> Result<Response<get_provider_schema::Response>, Status> {
        tracing::debug!(rpc = "GetProviderSchema", "{SCHEMA_LOG_MESSAGE}");
        // Terraform rejects a response without a provider schema ("missing provider schema"),
        // so the block is present even though it has no attributes.
        Ok(Response::new(get_provider_schema::Response {
            provider: Some(Schema {
                version: 0,
                block: Some(schema::Block::default()),
            }),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        _request: Request<validate_provider_config::Request>,
    ) -> Result<Response<validate_provider_config::Response>, Status> {
        Ok(Response::new(Default::default()))
    }

    async fn configure_provider(
        &self,
        _request: Request<configure_provider::Request>,
    ) -> Result<Response<configure_provider::Response>, Status> {
        Ok(Response::new(Default::default()))
    }

    async fn stop_provider(
        &self,
        _request: Request<stop_provider::Request>,
    ) -> Result<Response<stop_provider::Response>, Status> {
        Ok(Response::new(Default::default()))
    }
}
