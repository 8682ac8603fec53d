//! The contracts a provider, its resources and its data sources implement, and the
//! configuration walk that runs every attribute's validators.
//!
//! Nothing here knows the wire or Harbor: `D` is whatever the provider's configure step yields.

use std::sync::Arc;

use async_trait::async_trait;

use super::def::{AttrType, Block, Nesting, Schema};
use super::diag::Diagnostics;
use super::identity::IdentityTemplate;
use super::model::ModelError;
use super::path::AttributePath;
use super::plan::PlanContext;
use super::value::Value;

/// What a failed create or update leaves behind: the diagnostics, and the object as far as it
/// got, so Terraform records (and taints) what exists instead of forgetting it.
#[derive(Debug)]
pub struct ApplyError {
    pub diags: Diagnostics,
    pub partial_state: Option<Value>,
}

impl From<Diagnostics> for ApplyError {
    fn from(diags: Diagnostics) -> Self {
        ApplyError {
            diags,
            partial_state: None,
        }
    }
}

/// Facts about the calling Terraform that change what a resource may do.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientCaps {
    /// Terraform 1.11+ keeps write-only attributes out of plan and state.
    pub write_only_attributes: bool,
}

#[async_trait]
pub trait Resource<D: Send + Sync>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Rules across attributes (pairs, conflicts). Attribute validators have already run.
    fn validate(&self, _config: &Value, _caps: ClientCaps, _diags: &mut Diagnostics) {}
    /// Resource-specific planning, after the generic pipeline steps.
    fn modify_plan(&self, _ctx: &mut PlanContext<'_, D>) {}
    /// The object as Harbor has it now, or `None` when it is gone (Terraform then plans a create).
    async fn read(&self, data: &D, state: &Value) -> Result<Option<Value>, Diagnostics>;
    async fn create(&self, data: &D, planned: &Value, config: &Value) -> Result<Value, ApplyError>;
    async fn update(
        &self,
        data: &D,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, ApplyError>;
    async fn delete(&self, data: &D, prior: &Value) -> Result<(), Diagnostics>;
    /// The full state of an existing object named by the user's import id.
    async fn import(&self, data: &D, id: &str) -> Result<Value, Diagnostics>;
    /// Rewrites stored state JSON from an older schema version (or another provider's layout)
    /// into the current shape. The default keeps it as it is.
    fn upgrade_state(
        &self,
        _version: i64,
        raw: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        Ok(raw)
    }
    /// Holds the resource's model struct against its schema: `Some(check_model::<M>(..))` for a
    /// resource with a model (see `schema::model`), `None` for one that still reads its values by
    /// attribute name. `tests/models.rs` runs it for every registered type.
    fn check_model(&self) -> Option<Result<(), ModelError>> {
        None
    }
    /// The resource's identity as the template of its `id` path (see `schema::identity`), or
    /// `None` for one without (a singleton setting has nothing to tell apart). Import by
    /// identity fills the template and calls [`Resource::import`] with the path.
    fn identity(&self) -> Option<IdentityTemplate> {
        None
    }
}

#[async_trait]
pub trait DataSource<D: Send + Sync>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn read(&self, data: &D, config: &Value) -> Result<Value, Diagnostics>;
    /// As [`Resource::check_model`].
    fn check_model(&self) -> Option<Result<(), ModelError>> {
        None
    }
}

/// What opening an ephemeral resource yields: the result Terraform hands to other
/// configuration (never stored in plan or state), and the provider's own note for renew and
/// close (Terraform keeps it in memory for this run only).
#[derive(Debug)]
pub struct EphemeralOpened {
    pub result: Value,
    pub private: Option<Vec<u8>>,
    /// When Terraform should call renew, if the result lapses during a long run.
    pub renew_at: Option<std::time::SystemTime>,
}

/// A value that exists for one Terraform run: opened when the run needs it, closed when it ends
/// (Terraform 1.10+, OpenTofu 1.11+). Close must undo whatever open made.
#[async_trait]
pub trait EphemeralResource<D: Send + Sync>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn open(&self, data: &D, config: &Value) -> Result<EphemeralOpened, Diagnostics>;
    async fn renew(
        &self,
        _data: &D,
        _private: Option<&[u8]>,
    ) -> Result<Option<std::time::SystemTime>, Diagnostics> {
        Ok(None)
    }
    async fn close(&self, _data: &D, _private: Option<&[u8]>) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// One object a list resource found: the path its managed resource's import takes (and its
/// identity is read from), and a name for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub display_name: String,
}

/// Finds the objects of one managed resource type for `terraform query` (protocol 6.10,
/// Terraform 1.14+): each result's identity, and its full state when Terraform asks for it,
/// come from the managed resource of the same name, so a listed object imports exactly as an
/// `import` block would.
#[async_trait]
pub trait ListResource<D: Send + Sync>: Send + Sync {
    /// The managed resource type it lists; list and managed types share the name.
    fn type_name(&self) -> &'static str;
    /// The schema of the `config` block of a `list` block: its filters.
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Every object matching `config`, in Harbor's order. The service stops at Terraform's
    /// limit, so lists do not truncate.
    async fn list(&self, data: &D, config: &Value) -> Result<Vec<Listed>, Diagnostics>;
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    type Data: Send + Sync + 'static;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
    ) -> Result<Self::Data, Diagnostics>;
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Data>>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Data>>>;
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<Self::Data>>> {
        Vec::new()
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource<Self::Data>>> {
        Vec::new()
    }
}

/// Runs every attribute validator on the known, non-null parts of a configuration.
/// Unknown values are skipped: they are checked again when they become known at apply.
pub fn validate_config(schema: &Schema, config: &Value, diags: &mut Diagnostics) {
    walk_block(&schema.block, config, &AttributePath::root(), diags);
}

fn walk_block(block: &Block, v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if v.is_null() || v.is_unknown() {
        return;
    }
    for a in &block.attributes {
        let av = v.get(&a.name);
        let p = path.join_attr(&a.name);
        if av.is_null() || av.is_unknown() {
            continue;
        }
        for check in &a.validators {
            check(av, &p, diags);
        }
        if let AttrType::Nested(nesting, inner) = &a.ty {
            let inner_block = Block {
                attributes: inner.clone(),
                ..Default::default()
            };
            walk_collection(&inner_block, *nesting, av, &p, diags);
        }
    }
    for nb in &block.blocks {
        walk_collection(
            &nb.block,
            nb.nesting,
            v.get(&nb.name),
            &path.join_attr(&nb.name),
            diags,
        );
    }
}

fn walk_collection(
    block: &Block,
    nesting: Nesting,
    v: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    match (nesting, v) {
        (Nesting::Single | Nesting::Group, _) => walk_block(block, v, path, diags),
        (Nesting::Map, Value::Map(m)) => {
            for (k, item) in m {
                walk_block(block, item, &path.join_key(k), diags);
            }
        }
        (_, Value::List(items) | Value::Set(items)) => {
            for (i, item) in items.iter().enumerate() {
                walk_block(block, item, &path.join_index(i), diags);
            }
        }
        _ => {}
    }
}

/// Write-only attributes set in a configuration sent by a Terraform that cannot keep them out
/// of state (before 1.11) are refused, naming the attribute, instead of leaking the value.
pub fn check_write_only(
    schema: &Schema,
    config: &Value,
    caps: ClientCaps,
    diags: &mut Diagnostics,
) {
    if caps.write_only_attributes {
        return;
    }
    for a in schema.block.attributes.iter().filter(|a| a.write_only) {
        if !config.get(&a.name).is_null() {
            let p = AttributePath::attr(&a.name);
            diags.attr_error(
                p,
                format!("{} needs Terraform 1.11 or later", a.name),
                format!(
                    "`{}` is a write-only attribute: Terraform 1.11 and later (or OpenTofu 1.11) keep its value out of \
                     the plan and state. This Terraform would store it in state, so it is refused. Upgrade Terraform, or \
                     use the attribute without the `_wo` suffix, which is stored in state as a sensitive value.",
                    a.name
                ),
            );
        }
    }
}
