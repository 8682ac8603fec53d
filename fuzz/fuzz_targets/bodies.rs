//! The bodies of the fuzz targets, shared with `tests/fuzz_regressions.rs`, which replays the
//! committed corpus and every past crash through exactly the same code.

#![allow(dead_code)] // Each fuzz binary uses one body.

use std::sync::OnceLock;

use prost::Message;
use terraform_provider_harbor::protocol::codec::{self, UnknownAttributes};
use terraform_provider_harbor::protocol::proto::tfplugin6 as pb;
use terraform_provider_harbor::protocol::proto::tfplugin6::provider_server::Provider as _;
use terraform_provider_harbor::protocol::service::ProviderService;
use terraform_provider_harbor::provider::HarborProvider;
use terraform_provider_harbor::schema::Type;
use tonic::Request;

fn service() -> &'static ProviderService<HarborProvider> {
    static SVC: OnceLock<ProviderService<HarborProvider>> = OnceLock::new();
    SVC.get_or_init(|| ProviderService::new(HarborProvider))
}

/// The provider's, every resource's and every data source's object type, plus two others.
fn types() -> &'static [Type] {
    static TYPES: OnceLock<Vec<Type>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let (provider, resources, data_sources) = service().schemas();
        let mut v = vec![provider.ty(), Type::Dynamic, Type::list(Type::Number)];
        v.extend(
            resources
                .iter()
                .chain(data_sources.iter())
                .map(|(_, s)| s.ty()),
        );
        v
    })
}

/// msgpack decoding never panics, and what decodes re-encodes and decodes to the same value.
pub fn msgpack(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let ty = &types()[pick as usize % types().len()];
    if let Ok(v) = codec::from_msgpack(ty, bytes) {
        let back =
            codec::from_msgpack(ty, &codec::to_msgpack(ty, &v)).expect("re-encoded value decodes");
        assert_eq!(back, v, "round trip");
    }
}

/// JSON decoding (stored state, `DynamicValue.json`) never panics and round-trips through msgpack.
pub fn json(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    let ty = &types()[pick as usize % types().len()];
    let mode = if pick & 0x80 == 0 {
        UnknownAttributes::Reject
    } else {
        UnknownAttributes::Ignore
    };
    if let Ok(v) = codec::from_json(ty, &json, mode) {
        let back =
            codec::from_msgpack(ty, &codec::to_msgpack(ty, &v)).expect("encoded value decodes");
        assert_eq!(back, v, "round trip");
    }
}

macro_rules! call {
    ($rt:expr, $bytes:expr, $method:ident, $msg:ty) => {
        if let Ok(req) = <$msg>::decode($bytes) {
            let _ = $rt.block_on(service().$method(Request::new(req)));
        }
    };
}

/// Arbitrary bytes as the request of the RPC the first byte picks, handled in-process: answers
/// carry diagnostics, never a panic. `ConfigureProvider` is left out: it would connect to whatever
/// URL the input names, and tests send traffic only to this machine.
pub fn rpc(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    match pick % 11 {
        0 => call!(
            rt,
            bytes,
            get_provider_schema,
            pb::get_provider_schema::Request
        ),
        1 => call!(
            rt,
            bytes,
            validate_provider_config,
            pb::validate_provider_config::Request
        ),
        2 => call!(
            rt,
            bytes,
            validate_resource_config,
            pb::validate_resource_config::Request
        ),
        3 => call!(
            rt,
            bytes,
            validate_data_resource_config,
            pb::validate_data_resource_config::Request
        ),
        4 => call!(
            rt,
            bytes,
            upgrade_resource_state,
            pb::upgrade_resource_state::Request
        ),
        5 => call!(rt, bytes, read_resource, pb::read_resource::Request),
        6 => call!(
            rt,
            bytes,
            plan_resource_change,
            pb::plan_resource_change::Request
        ),
        7 => call!(
            rt,
            bytes,
            apply_resource_change,
            pb::apply_resource_change::Request
        ),
        8 => call!(
            rt,
            bytes,
            import_resource_state,
            pb::import_resource_state::Request
        ),
        9 => call!(rt, bytes, read_data_source, pb::read_data_source::Request),
        _ => call!(rt, bytes, get_metadata, pb::get_metadata::Request),
    }
}
