//! Schema definitions: attributes, nested attributes and blocks, with the behaviour attached to
//! them (defaults, validators, replacement), and a check of Terraform's own schema rules.
//!
//! Descriptions are markdown; they are sent to Terraform and become the generated docs.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::diag::Diagnostics;
use super::path::AttributePath;
use super::value::{Type, Value};

/// A check on a known, non-null value; it reports problems against the given path.
pub type Validator = Arc<dyn Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Required,
    Optional,
    Computed,
    OptionalComputed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
    /// Blocks only: always present, as an object whose attributes may all be null.
    Group,
}

#[derive(Clone)]
pub enum AttrType {
    Plain(Type),
    /// A nested attribute (protocol 6): its own attributes with their own flags.
    Nested(Nesting, Vec<Attribute>),
}

#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: AttrType,
    pub mode: Mode,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecated: bool,
    pub description: String,
    /// Planned when the configuration leaves the attribute null (needs `OptionalComputed`).
    pub default: Option<Value>,
    /// A change of this attribute's value can only be made by destroying and re-creating.
    pub requires_replace: bool,
    /// A computed value that does not change on update: keep the prior value instead of
    /// planning "known after apply".
    pub use_state_for_unknown: bool,
    pub validators: Vec<Validator>,
}

impl Attribute {
    /// The description Terraform is sent (and the docs print): the written description as one
    /// sentence-terminated run of text, then what the schema says but Terraform's schema JSON
    /// cannot: the default, and that a change forces replacement. Putting them in the served
    /// description makes `terraform providers schema -json`, an editor's hover, our docs and
    /// HashiCorp's tfplugindocs all say the same thing.
    pub fn served_description(&self) -> String {
        let mut text = sentence(&self.description);
        if let Some(d) = &self.default {
            push_sentence(&mut text, &format!("Defaults to `{}`.", hcl_literal(d)));
        }
        if self.requires_replace {
            push_sentence(&mut text, "Changing this forces a new resource.");
        }
        text
    }

    fn new(name: &str, ty: AttrType) -> Self {
        Attribute {
            name: name.to_string(),
            ty,
            mode: Mode::Optional,
            sensitive: false,
            write_only: false,
            deprecated: false,
            description: String::new(),
            default: None,
            requires_replace: false,
            use_state_for_unknown: false,
            validators: Vec::new(),
        }
    }
    pub fn string(name: &str) -> Self {
        Self::new(name, AttrType::Plain(Type::String))
    }
    pub fn number(name: &str) -> Self {
        Self::new(name, AttrType::Plain(Type::Number))
    }
    pub fn bool(name: &str) -> Self {
        Self::new(name, AttrType::Plain(Type::Bool))
    }
    pub fn typed(name: &str, ty: Type) -> Self {
        Self::new(name, AttrType::Plain(ty))
    }
    pub fn nested(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Self {
        Self::new(name, AttrType::Nested(nesting, attributes))
    }
    pub fn required(mut self) -> Self {
        self.mode = Mode::Required;
        self
    }
    pub fn optional(mut self) -> Self {
        self.mode = Mode::Optional;
        self
    }
    pub fn computed(mut self) -> Self {
        self.mode = Mode::Computed;
        self
    }
    pub fn optional_computed(mut self) -> Self {
        self.mode = Mode::OptionalComputed;
        self
    }
    /// Optional, with the value planned when the configuration leaves it out.
    pub fn default(mut self, v: impl Into<Value>) -> Self {
        self.mode = Mode::OptionalComputed;
        self.default = Some(v.into());
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }
    pub fn describe(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }
    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }
    pub fn validate(mut self, v: Validator) -> Self {
        self.validators.push(v);
        self
    }

    pub fn is_computed(&self) -> bool {
        matches!(self.mode, Mode::Computed | Mode::OptionalComputed)
    }
    pub fn is_required(&self) -> bool {
        self.mode == Mode::Required
    }

    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttrType::Plain(t) => t.clone(),
            AttrType::Nested(nesting, attrs) => {
                let obj = object_type(attrs, &[]);
                match nesting {
                    Nesting::Single | Nesting::Group => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                    Nesting::Map => Type::map(obj),
                }
            }
        }
    }
}

#[derive(Clone)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

#[derive(Clone, Default)]
pub struct Block {
    pub description: String,
    pub deprecated: bool,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
}

impl Block {
    pub fn new(description: impl Into<String>) -> Self {
        Block {
            description: description.into(),
            ..Default::default()
        }
    }
    pub fn attr(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }
    pub fn block(mut self, name: &str, nesting: Nesting, block: Block) -> Self {
        self.blocks.push(NestedBlock {
            name: name.to_string(),
            nesting,
            block,
            min_items: 0,
            max_items: 0,
        });
        self
    }
    /// A block with item-count bounds (Terraform enforces them on the configuration).
    pub fn block_bounded(
        mut self,
        name: &str,
        nesting: Nesting,
        block: Block,
        min: i64,
        max: i64,
    ) -> Self {
        self.blocks.push(NestedBlock {
            name: name.to_string(),
            nesting,
            block,
            min_items: min,
            max_items: max,
        });
        self
    }
    pub fn ty(&self) -> Type {
        object_type(&self.attributes, &self.blocks)
    }
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

impl NestedBlock {
    pub fn value_type(&self) -> Type {
        let obj = self.block.ty();
        match self.nesting {
            Nesting::Single | Nesting::Group => obj,
            Nesting::List => Type::list(obj),
            Nesting::Set => Type::set(obj),
            Nesting::Map => Type::map(obj),
        }
    }
}

fn object_type(attrs: &[Attribute], blocks: &[NestedBlock]) -> Type {
    let mut m = BTreeMap::new();
    for a in attrs {
        m.insert(a.name.clone(), a.value_type());
    }
    for b in blocks {
        m.insert(b.name.clone(), b.value_type());
    }
    Type::Object(m)
}

/// A resource's, data source's or the provider's schema.
#[derive(Clone)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(version: i64, block: Block) -> Self {
        Schema { version, block }
    }
    pub fn ty(&self) -> Type {
        self.block.ty()
    }

    /// Checks the schema against the rules Terraform enforces on provider schemas
    /// (`configschema.Block.InternalValidate`, and 1.0.3's decoder panics), so that a schema
    /// mistake fails our unit tests instead of a user's `terraform plan`.
    pub fn check_rules(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.version < 0 {
            problems.push("schema version must not be negative".into());
        }
        check_block(&self.block, "", &mut problems);
        problems
    }
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn contains_dynamic(t: &Type) -> bool {
    match t {
        Type::Dynamic => true,
        Type::List(e) | Type::Set(e) | Type::Map(e) => contains_dynamic(e),
        Type::Object(m) => m.values().any(contains_dynamic),
        Type::Tuple(v) => v.iter().any(contains_dynamic),
        _ => false,
    }
}

fn check_attrs(attrs: &[Attribute], prefix: &str, in_set: bool, problems: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    for a in attrs {
        let at = format!("{prefix}{}", a.name);
        if !valid_name(&a.name) {
            problems.push(format!("{at}: name must match [a-z0-9_]+"));
        }
        if !seen.insert(a.name.clone()) {
            problems.push(format!("{at}: defined twice"));
        }
        if a.default.is_some() && a.mode != Mode::OptionalComputed {
            problems.push(format!("{at}: a default needs optional+computed"));
        }
        if a.write_only && (a.is_computed() || a.default.is_some()) {
            problems.push(format!("{at}: write-only attributes cannot be computed"));
        }
        if a.description.is_empty() {
            problems.push(format!("{at}: needs a description (it becomes the docs)"));
        }
        if a.default.is_some() && a.description.contains("Defaults to") {
            problems.push(format!(
                "{at}: the description states the default, which the served description adds from the schema; remove it"
            ));
        }
        match &a.ty {
            AttrType::Plain(t) => {
                if in_set && contains_dynamic(t) {
                    problems.push(format!("{at}: sets cannot contain dynamic values"));
                }
            }
            AttrType::Nested(nesting, inner) => {
                if *nesting == Nesting::Group {
                    problems.push(format!("{at}: nested attributes cannot use GROUP nesting"));
                }
                check_attrs(
                    inner,
                    &format!("{at}."),
                    in_set || *nesting == Nesting::Set,
                    problems,
                );
            }
        }
    }
}

fn check_block(b: &Block, prefix: &str, problems: &mut Vec<String>) {
    check_attrs(&b.attributes, prefix, false, problems);
    for nb in &b.blocks {
        let at = format!("{prefix}{}", nb.name);
        if !valid_name(&nb.name) {
            problems.push(format!("{at}: name must match [a-z0-9_]+"));
        }
        if b.attributes.iter().any(|a| a.name == nb.name) {
            problems.push(format!("{at}: both an attribute and a block"));
        }
        match nb.nesting {
            Nesting::Single
                if !(nb.min_items == nb.max_items && (0..=1).contains(&nb.min_items)) =>
            {
                problems.push(format!(
                    "{at}: single blocks need min_items = max_items = 0 or 1"
                ))
            }
            Nesting::Group | Nesting::Map if nb.min_items != 0 || nb.max_items != 0 => problems
                .push(format!(
                    "{at}: group and map blocks cannot bound their items"
                )),
            Nesting::List | Nesting::Set if nb.max_items != 0 && nb.min_items > nb.max_items => {
                problems.push(format!("{at}: min_items exceeds max_items"))
            }
            _ => {}
        }
        if nb.nesting == Nesting::Set && contains_dynamic(&nb.block.ty()) {
            problems.push(format!("{at}: set blocks cannot contain dynamic values"));
        }
        check_block(&nb.block, &format!("{at}."), problems);
    }
}

/// Ready-made validators. Each reports the attribute's path and says what is accepted.
/// A description as one sentence-terminated run of text (markdown kept as written).
pub fn sentence(description: &str) -> String {
    let d = description.split_whitespace().collect::<Vec<_>>().join(" ");
    if d.is_empty() || d.ends_with(['.', '!', '?', ')', '`']) {
        d
    } else {
        format!("{d}.")
    }
}

fn push_sentence(text: &mut String, more: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// A default as it would be written in HCL: strings quoted, numbers and booleans bare.
pub fn hcl_literal(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(hcl_literal).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Map(m) | Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k} = {}", hcl_literal(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        Value::Dynamic(_, v) => hcl_literal(v),
        Value::Unknown => "(known after apply)".into(),
    }
}

pub mod validators {
    use super::*;

    pub fn one_of(allowed: &'static [&'static str]) -> Validator {
        Arc::new(move |v, path, diags| {
            if let Some(s) = v.as_str()
                && !allowed.contains(&s)
            {
                diags.attr_error(
                    path.clone(),
                    format!("Invalid value for {path}"),
                    format!("{s:?} is not accepted. Use one of: {}.", allowed.join(", ")),
                );
            }
        })
    }

    pub fn int_between(min: i64, max: i64) -> Validator {
        Arc::new(move |v, path, diags| {
            if let Value::Number(n) = v {
                match n.as_i64() {
                    Some(i) if (min..=max).contains(&i) => {}
                    _ => diags.attr_error(
                        path.clone(),
                        format!("Invalid value for {path}"),
                        format!("{n} is out of range: use a whole number from {min} to {max}."),
                    ),
                }
            }
        })
    }

    /// A whole number, and not below `min`.
    pub fn int_at_least(min: i64) -> Validator {
        int_between(min, i64::MAX)
    }

    /// A string a Terraform user cannot leave empty by accident.
    pub fn not_empty() -> Validator {
        Arc::new(|v, path, diags| {
            if v.as_str().is_some_and(|s| s.trim().is_empty()) {
                diags.attr_error(
                    path.clone(),
                    format!("Empty value for {path}"),
                    "Set a non-empty value or leave the attribute out.",
                );
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the schema knows beyond the text reaches Terraform in the description, so every
    /// renderer of `providers schema -json` shows it.
    #[test]
    fn served_description_names_default_and_replacement() {
        let a = Attribute::string("name")
            .required()
            .describe("The name")
            .requires_replace();
        assert_eq!(
            a.served_description(),
            "The name. Changing this forces a new resource."
        );
        let d = Attribute::number("duration")
            .optional_computed()
            .default(Value::int(-1))
            .describe("Days.\n  Counted from creation.");
        assert_eq!(
            d.served_description(),
            "Days. Counted from creation. Defaults to `-1`."
        );
        assert_eq!(Attribute::string("x").optional().served_description(), "");
    }

    #[test]
    fn rule_checks_catch_schema_mistakes() {
        let bad = Schema::new(
            0,
            Block::new("x")
                .attr(Attribute::string("Bad-Name").required().describe("d"))
                .attr(Attribute::string("d").default("x").required().describe("d"))
                .attr(Attribute::string("w").computed().write_only().describe("d"))
                .block("one", Nesting::Single, Block::new("b"))
                .block_bounded("g", Nesting::Group, Block::new("b"), 1, 1)
                .block(
                    "s",
                    Nesting::Set,
                    Block::new("b").attr(
                        Attribute::typed("dyn", Type::Dynamic)
                            .optional()
                            .describe("d"),
                    ),
                ),
        );
        let problems = bad.check_rules();
        for needle in [
            "Bad-Name: name",
            "d: a default",
            "w: write-only",
            "g: group",
            "s: set blocks",
        ] {
            assert!(
                problems.iter().any(|p| p.contains(needle)),
                "missing {needle:?} in {problems:?}"
            );
        }
    }

    #[test]
    fn types_of_nested_attributes_and_blocks() {
        let b = Block::new("x")
            .attr(
                Attribute::nested(
                    "n",
                    Nesting::List,
                    vec![Attribute::string("a").optional().describe("d")],
                )
                .optional()
                .describe("d"),
            )
            .block(
                "blk",
                Nesting::Set,
                Block::new("b").attr(Attribute::bool("on").optional().describe("d")),
            );
        assert_eq!(
            b.ty().to_json().to_string(),
            r#"["object",{"blk":["set",["object",{"on":"bool"}]],"n":["list",["object",{"a":"string"}]]}]"#
        );
    }
}
