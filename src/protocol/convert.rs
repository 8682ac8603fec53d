//! Conversions between the framework's types and the generated tfplugin6 messages.

use super::codec::{self, UnknownAttributes};
use super::proto::tfplugin6 as pb;
use crate::schema::def::{AttrType, Attribute, Block, Mode, Nesting, Schema};
use crate::schema::diag::{Diagnostic, Diagnostics, Severity};
use crate::schema::path::{AttributePath, Step};
use crate::schema::value::{Type, Value};

pub fn schema_to_proto(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block_to_proto(&s.block, s.version)),
    }
}

fn block_to_proto(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute_to_proto).collect(),
        block_types: b
            .blocks
            .iter()
            .map(|nb| pb::schema::NestedBlock {
                type_name: nb.name.clone(),
                block: Some(block_to_proto(&nb.block, 0)),
                nesting: match nb.nesting {
                    Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                    Nesting::List => pb::schema::nested_block::NestingMode::List,
                    Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                    Nesting::Map => pb::schema::nested_block::NestingMode::Map,
                    Nesting::Group => pb::schema::nested_block::NestingMode::Group,
                } as i32,
                min_items: nb.min_items,
                max_items: nb.max_items,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecated,
    }
}

fn attribute_to_proto(a: &Attribute) -> pb::schema::Attribute {
    // Exactly one of `type` and `nested_type`: Terraform 1.0.3 panics when both are set.
    let (ty, nested_type) = match &a.ty {
        AttrType::Plain(t) => (t.to_json().to_string().into_bytes(), None),
        AttrType::Nested(nesting, inner) => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: inner.iter().map(attribute_to_proto).collect(),
                nesting: match nesting {
                    Nesting::Single | Nesting::Group => pb::schema::object::NestingMode::Single,
                    Nesting::List => pb::schema::object::NestingMode::List,
                    Nesting::Set => pb::schema::object::NestingMode::Set,
                    Nesting::Map => pb::schema::object::NestingMode::Map,
                } as i32,
                ..Default::default()
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: a.served_description(),
        required: a.mode == Mode::Required,
        optional: matches!(a.mode, Mode::Optional | Mode::OptionalComputed),
        computed: matches!(a.mode, Mode::Computed | Mode::OptionalComputed),
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecated,
        write_only: a.write_only,
    }
}

pub fn path_to_proto(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    Step::Attr(a) => Selector::AttributeName(a.clone()),
                    Step::Key(k) => Selector::ElementKeyString(k.clone()),
                    Step::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub fn diagnostics_to_proto(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter().map(diagnostic_to_proto).collect()
}

fn diagnostic_to_proto(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        } as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.path.as_ref().filter(|p| !p.is_root()).map(path_to_proto),
    }
}

/// Decodes a `DynamicValue`: msgpack when present, else JSON; an absent value is null.
pub fn decode(ty: &Type, dv: Option<&pb::DynamicValue>, what: &str) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let result = if !dv.msgpack.is_empty() {
        codec::from_msgpack(ty, &dv.msgpack)
    } else if !dv.json.is_empty() {
        serde_json::from_slice::<serde_json::Value>(&dv.json)
            .map_err(|e| codec::CodecError {
                path: "value".into(),
                message: e.to_string(),
            })
            .and_then(|j| codec::from_json(ty, &j, UnknownAttributes::Reject))
    } else {
        Ok(Value::Null)
    };
    result.map_err(|e| {
        let mut d = Diagnostics::new();
        d.error(
            format!("Could not decode the {what} sent by Terraform"),
            e.to_string(),
        );
        d
    })
}

pub fn encode(ty: &Type, v: &Value) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: codec::to_msgpack(ty, v),
        json: Vec::new(),
    }
}
