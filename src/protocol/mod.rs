//! The wire: go-plugin handshake, AutoMTLS, gRPC services and the value codec.

pub mod handshake;
pub mod logging;
pub mod server;
pub mod tls;

/// Code generated from `proto/` by `build.rs`.
pub mod proto {
    /// Terraform plugin protocol 6.
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    /// go-plugin's controller, stdio and broker services.
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}

pub mod codec;
pub mod convert;
pub mod service;
