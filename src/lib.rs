//! terraform-provider-harbor: a Terraform / OpenTofu provider for Harbor, speaking plugin protocol v6.
//!
//! Map of the modules, from the wire inwards:
//! - [`protocol`]: the only code that knows the wire: go-plugin handshake, AutoMTLS,
//!   the gRPC services and the msgpack/JSON value codec.
//! - [`schema`]: the framework: types, values with unknown as a real variant, attribute
//!   paths, diagnostics, schemas and the ordered plan pipeline.
//! - [`provider`]: the provider's own schema and its configure step, which yields a [`harbor::Client`].
//! - [`context`]: what resources get from a configured provider (the client, Harbor's version).
//! - [`resources`], [`data_sources`] and [`ephemeral_resources`]: one file per `harbor_*` type;
//!   [`list_resources`]: the lists `terraform query` uses.
//! - [`harbor`]: a typed Harbor REST client that knows nothing of Terraform.

pub mod context;
pub mod data_sources;
pub mod docs;
pub mod ephemeral_resources;
pub mod harbor;
pub mod list_resources;
pub mod protocol;
pub mod provider;
pub mod resources;
pub mod schema;
