//! Typed models: a serde bridge between Terraform [`Value`]s and plain Rust structs, so a
//! resource names each attribute once, in a `#[derive(Serialize, Deserialize)]` struct, instead
//! of in string keys scattered through its code.
//!
//! The three states Terraform gives every attribute stay apart in the types:
//! - `T`: known and not null. Null or unknown there is an error naming the attribute.
//! - `Option<T>`: null is `None`. Unknown is still an error.
//! - [`Known<T>`]: unknown is `Known::Unknown`. `Known<Option<T>>` holds all three states.
//!
//! So "not yet known" can never be read as "absent": code that reads a planned value which may
//! be unknown has to say so in its model's types.
//!
//! Reading ([`from_value`]) accepts lists, sets and tuples as sequences, and maps and objects as
//! maps. Writing ([`to_value`]) first serialises the model loosely, then shapes the result by the
//! schema's [`Type`]: a sequence becomes a list or a set as the schema says, and a model field the
//! schema lacks is an error. [`check_model`] holds a model against its schema both ways; every
//! registered type runs it in `tests/models.rs`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::ser::{self, Serialize};
use serde::{Deserialize, Deserializer};

use super::path::{AttributePath, Step};
use super::value::{Number, Type, Value};

/// The struct name through which [`Known`] and this bridge recognise each other. Other
/// serde formats see an ordinary newtype struct (and, for `Known::Unknown`, a unit struct).
const KNOWN_TOKEN: &str = "$terraform_provider_harbor::Known";
const UNKNOWN_TOKEN: &str = "$terraform_provider_harbor::Unknown";

/// A value that may not be known until apply ("known after apply").
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Known<T> {
    #[default]
    Unknown,
    Value(T),
}

impl<T> Known<T> {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Known::Unknown)
    }
    /// The value, or `None` while it is unknown.
    pub fn known(&self) -> Option<&T> {
        match self {
            Known::Value(v) => Some(v),
            Known::Unknown => None,
        }
    }
    pub fn into_known(self) -> Option<T> {
        match self {
            Known::Value(v) => Some(v),
            Known::Unknown => None,
        }
    }
}

impl<T> Known<Option<T>> {
    /// The value when it is known and not null.
    pub fn value(&self) -> Option<&T> {
        self.known().and_then(Option::as_ref)
    }
    /// True when the value is known to be null.
    pub fn is_null(&self) -> bool {
        matches!(self, Known::Value(None))
    }
}

impl<T> From<T> for Known<T> {
    fn from(v: T) -> Self {
        Known::Value(v)
    }
}

impl<T: Serialize> Serialize for Known<T> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Known::Unknown => s.serialize_unit_struct(UNKNOWN_TOKEN),
            Known::Value(v) => v.serialize(s),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Known<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KnownVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for KnownVisitor<T> {
            type Value = Known<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value that may be unknown")
            }
            // This bridge says "unknown" as none, and hands over the value as some.
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Known::Unknown)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                T::deserialize(d).map(Known::Value)
            }
            // Other formats have no unknown: their newtype is the value itself.
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                T::deserialize(d).map(Known::Value)
            }
        }
        d.deserialize_newtype_struct(KNOWN_TOKEN, KnownVisitor(std::marker::PhantomData))
    }
}

/// Why a value and a model did not fit, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    pub path: Option<AttributePath>,
    pub message: String,
}

impl ModelError {
    fn at(path: &AttributePath, message: impl Into<String>) -> Self {
        ModelError {
            path: Some(path.clone()),
            message: message.into(),
        }
    }
    /// Gives an error raised without a location (serde's "missing field") the one it arose at.
    fn located(mut self, path: &AttributePath) -> Self {
        if self.path.is_none() {
            self.path = Some(path.clone());
        }
        self
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) if !p.is_root() => write!(f, "{p}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ModelError {}

/// A value that does not fit its model is the provider's fault, never the user's: the
/// diagnostic says so and points at the attribute.
impl From<ModelError> for super::diag::Diagnostics {
    fn from(e: ModelError) -> Self {
        let summary = "Provider bug: a value does not fit the resource's model";
        let detail = format!(
            "{e}. Please report this to the provider's maintainers with the configuration that caused it."
        );
        let mut d = super::diag::Diagnostics::new();
        match e.path {
            Some(p) if !p.is_root() => d.attr_error(p, summary, detail),
            _ => d.error(summary, detail),
        }
        d
    }
}

impl From<ModelError> for super::resource::ApplyError {
    fn from(e: ModelError) -> Self {
        super::diag::Diagnostics::from(e).into()
    }
}

impl de::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError {
            path: None,
            message: msg.to_string(),
        }
    }
}

impl ser::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError {
            path: None,
            message: msg.to_string(),
        }
    }
}

/// Reads a model from a value. Attributes the model does not name are ignored.
pub fn from_value<T: DeserializeOwned>(v: &Value) -> Result<T, ModelError> {
    let unused = RefCell::new(Vec::new());
    T::deserialize(ValueDe::new(v, AttributePath::root(), &unused))
}

/// Reads a model from a value, and fails when the value has an attribute the model does not
/// name: the schema and the model disagree.
pub fn from_value_strict<T: DeserializeOwned>(v: &Value) -> Result<T, ModelError> {
    let unused = RefCell::new(Vec::new());
    let model = T::deserialize(ValueDe::new(v, AttributePath::root(), &unused))?;
    let unused = unused.into_inner();
    match unused.first() {
        None => Ok(model),
        Some(first) => Err(ModelError::at(
            first,
            format!(
                "the schema has this attribute but the model has no field for it ({} such in all: {})",
                unused.len(),
                unused
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Writes a model as a value of the schema type `ty`. Object attributes the model leaves out
/// become null; a model field the type lacks is an error.
pub fn to_value<T: Serialize>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    let loose = model.serialize(LooseSer)?;
    conform(loose, ty, &AttributePath::root(), false)
}

/// As [`to_value`], but every object attribute of the type must come from the model.
pub fn to_value_strict<T: Serialize>(model: &T, ty: &Type) -> Result<Value, ModelError> {
    let loose = model.serialize(LooseSer)?;
    conform(loose, ty, &AttributePath::root(), true)
}

/// Holds a model against a schema type both ways: a value with every attribute set reads into
/// the model with nothing left over, and writes back equal, with every attribute coming from a
/// model field. Fails naming the first attribute where they disagree.
pub fn check_model<T: Serialize + DeserializeOwned>(ty: &Type) -> Result<(), ModelError> {
    let sample = sample_value(ty);
    let model: T = from_value_strict(&sample)?;
    let back = to_value_strict(&model, ty)?;
    if back == sample {
        Ok(())
    } else {
        Err(ModelError::at(
            &AttributePath::root(),
            format!("the model does not write back what it read: read {sample:?}, wrote {back:?}"),
        ))
    }
}

/// Holds a view against a schema type: a partial model that reads only some attributes (for
/// `validate` and `modify_plan`, which see configurations where anything may still be unknown).
/// Every field of the view must be an attribute of the type, with a type that agrees; attributes
/// the view leaves out are fine. Fails naming the first field that disagrees.
pub fn check_view<T: Serialize + DeserializeOwned>(ty: &Type) -> Result<(), ModelError> {
    let model: T = from_value(&sample_value(ty))?;
    to_value(&model, ty).map(|_| ())
}

/// Reads a view (see [`check_view`]) for a hook that reports through diagnostics rather than a
/// `Result`: `None`, with the error added to `diags`, when the value does not fit. A value that
/// is not an object (a null prior state, as in a create's plan) is `None` with no error: there is
/// nothing to look at.
pub fn read_view<T: DeserializeOwned>(
    v: &Value,
    diags: &mut super::diag::Diagnostics,
) -> Option<T> {
    if !matches!(v, Value::Object(_)) {
        return None;
    }
    match from_value(v) {
        Ok(view) => Some(view),
        Err(e) => {
            diags.extend(e.into());
            None
        }
    }
}

/// Writes a view's fields into an object value of the schema type `ty` (a plan that
/// `modify_plan` adjusts), leaving the attributes the view does not name, and those it names
/// but did not change, as they are. A field
/// written is written whole: a nested object in it must name every attribute (else this errs),
/// so a view can never blank an attribute it did not read.
pub fn write_view<T: Serialize>(view: &T, ty: &Type, into: &mut Value) -> Result<(), ModelError> {
    let root = AttributePath::root();
    let Value::Object(named) = view.serialize(LooseSer)? else {
        return Err(ModelError::at(&root, "a view must be a struct"));
    };
    let Type::Object(attrs) = ty else {
        return Err(ModelError::at(&root, "the schema type is not an object"));
    };
    let Value::Object(target) = into else {
        return Err(ModelError::at(
            &root,
            "the value to write into is not an object",
        ));
    };
    for (name, v) in named {
        let path = AttributePath::attr(&name);
        let Some(t) = attrs.get(&name) else {
            return Err(ModelError::at(
                &path,
                "the view has this field but the schema has no such attribute",
            ));
        };
        let shaped = conform(v, t, &path, true)?;
        // Only what changed: a number the view read as `f64` keeps the spelling it came in.
        if target.get(&name) != Some(&shaped) {
            target.insert(name, shaped);
        }
    }
    Ok(())
}

/// `#[serde(default = "model::null")]`: for a view shared by schemas of which some lack the
/// attribute, which then reads as null (never as unknown, `Known`'s own default).
pub fn null<T>() -> Known<Option<T>> {
    Known::Value(None)
}

/// A wholly known value of `ty` with every attribute set and one element in each collection.
pub fn sample_value(ty: &Type) -> Value {
    match ty {
        Type::String | Type::Dynamic => Value::from("s"),
        Type::Number => Value::int(1),
        Type::Bool => Value::Bool(true),
        Type::List(t) => Value::List(vec![sample_value(t)]),
        Type::Set(t) => Value::Set(vec![sample_value(t)]),
        Type::Map(t) => Value::Map(BTreeMap::from([("k".to_owned(), sample_value(t))])),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), sample_value(t)))
                .collect(),
        ),
        Type::Tuple(ts) => Value::Tuple(ts.iter().map(sample_value).collect()),
    }
}

fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Number => "a number",
        Type::Bool => "a bool",
        Type::Dynamic => "a dynamic value",
        Type::List(_) => "a list",
        Type::Set(_) => "a set",
        Type::Map(_) => "a map",
        Type::Object(_) => "an object",
        Type::Tuple(_) => "a tuple",
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "an unknown value",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a bool",
        Value::List(_) | Value::Set(_) | Value::Tuple(_) => "a sequence",
        Value::Map(_) | Value::Object(_) => "a struct or map",
        Value::Dynamic(..) => "a dynamic value",
    }
}

/// Shapes a loosely serialised value (sequences as `List`, structs as `Object`) by the schema type.
fn conform(v: Value, ty: &Type, path: &AttributePath, strict: bool) -> Result<Value, ModelError> {
    let mismatch = |v: &Value| {
        ModelError::at(
            path,
            format!(
                "the schema says {} but the model gives {}",
                type_name(ty),
                value_kind(v)
            ),
        )
    };
    match (ty, v) {
        (_, v @ (Value::Null | Value::Unknown)) => Ok(v),
        (Type::String, v @ Value::String(_))
        | (Type::Number, v @ Value::Number(_))
        | (Type::Bool, v @ Value::Bool(_)) => Ok(v),
        (Type::List(t) | Type::Set(t), Value::List(items)) => {
            let items = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| conform(item, t, &path.join_index(i), strict))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        (Type::Tuple(ts), Value::List(items)) if ts.len() == items.len() => Ok(Value::Tuple(
            items
                .into_iter()
                .zip(ts)
                .enumerate()
                .map(|(i, (item, t))| conform(item, t, &path.join_index(i), strict))
                .collect::<Result<_, _>>()?,
        )),
        (Type::Map(t), Value::Object(m)) => Ok(Value::Map(
            m.into_iter()
                .map(|(k, item)| {
                    let p = path.join_key(&k);
                    conform(item, t, &p, strict).map(|item| (k, item))
                })
                .collect::<Result<_, _>>()?,
        )),
        (Type::Object(attrs), Value::Object(mut m)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(ModelError::at(
                    &path.join_attr(extra),
                    "the model has this field but the schema has no such attribute",
                ));
            }
            let mut out = BTreeMap::new();
            for (name, t) in attrs {
                let p = path.join_attr(name);
                let item = match m.remove(name) {
                    Some(item) => conform(item, t, &p, strict)?,
                    None if strict => {
                        return Err(ModelError::at(
                            &p,
                            "the schema has this attribute but the model wrote nothing for it",
                        ));
                    }
                    None => Value::Null,
                };
                out.insert(name.clone(), item);
            }
            Ok(Value::Object(out))
        }
        (Type::Dynamic, v) => Err(ModelError::at(
            path,
            format!(
                "dynamic attributes have no model representation (got {})",
                value_kind(&v)
            ),
        )),
        (_, v) => Err(mismatch(&v)),
    }
}

/// Deserialises from a borrowed [`Value`], tracking the attribute path for errors and, for
/// [`from_value_strict`], the attributes no model field asked for.
struct ValueDe<'a> {
    v: &'a Value,
    path: AttributePath,
    unused: &'a RefCell<Vec<AttributePath>>,
}

impl<'a> ValueDe<'a> {
    fn new(v: &'a Value, path: AttributePath, unused: &'a RefCell<Vec<AttributePath>>) -> Self {
        ValueDe { v, path, unused }
    }
    fn child(&self, v: &'a Value, step: Step) -> ValueDe<'a> {
        let mut path = self.path.clone();
        path.0.push(step);
        ValueDe::new(v, path, self.unused)
    }
    fn err(&self, message: impl Into<String>) -> ModelError {
        ModelError::at(&self.path, message)
    }
    /// The value with null and unknown refused: those need `Option` or `Known` in the model.
    fn present(&self, wanted: &str) -> Result<&'a Value, ModelError> {
        match self.v {
            Value::Null => Err(self.err(format!(
                "is null where the model needs {wanted}; make the field an Option"
            ))),
            Value::Unknown => Err(self.err(format!(
                "is unknown where the model needs {wanted}; make the field Known<...>"
            ))),
            Value::Dynamic(_, inner) => Ok(inner),
            v => Ok(v),
        }
    }
    fn number(&self) -> Result<&'a Number, ModelError> {
        match self.present("a number")? {
            Value::Number(n) => Ok(n),
            other => Err(self.err(format!(
                "is {} where the model needs a number",
                value_kind(other)
            ))),
        }
    }
    fn integer(&self) -> Result<i64, ModelError> {
        let n = self.number()?;
        n.as_i64()
            .ok_or_else(|| self.err(format!("is {n}, where the model needs a whole number")))
    }
}

macro_rules! deserialize_integer {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
            let i = self.integer()?;
            let path = self.path.clone();
            visitor.visit_i64(i).map_err(|e: ModelError| e.located(&path))
        }
    )*};
}

impl<'de, 'a> Deserializer<'de> for ValueDe<'a> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.v {
            Value::Null => visitor.visit_unit(),
            Value::Unknown => Err(self
                .err("is unknown where the model needs a known value; make the field Known<...>")),
            Value::String(s) => visitor.visit_str(s),
            Value::Number(Number::Int(i)) => visitor.visit_i64(*i),
            Value::Number(n) => visitor.visit_f64(n.as_f64()),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::List(_) | Value::Set(_) | Value::Tuple(_) => self.deserialize_seq(visitor),
            Value::Map(_) | Value::Object(_) => self.deserialize_map(visitor),
            Value::Dynamic(_, inner) => {
                let path = self.path.clone();
                ValueDe::new(inner, path, self.unused).deserialize_any(visitor)
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.present("a bool")? {
            Value::Bool(b) => visitor.visit_bool(*b),
            other => Err(self.err(format!(
                "is {} where the model needs a bool",
                value_kind(other)
            ))),
        }
    }

    deserialize_integer!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_f64(visitor)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        let f = self.number()?.as_f64();
        visitor.visit_f64(f)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.present("a string")? {
            Value::String(s) => visitor.visit_str(s),
            other => Err(self.err(format!(
                "is {} where the model needs a string",
                value_kind(other)
            ))),
        }
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.v {
            Value::Null => visitor.visit_none(),
            Value::Unknown => Err(self.err(
                "is unknown where the model can only take a value or null; make the field Known<Option<...>>",
            )),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        if name == KNOWN_TOKEN {
            match self.v {
                Value::Unknown => visitor.visit_none(),
                _ => visitor.visit_some(self),
            }
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.present("a list or set")? {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                let path = self.path.clone();
                visitor
                    .visit_seq(SeqDe {
                        parent: &self,
                        items: items.iter().enumerate(),
                    })
                    .map_err(|e| e.located(&path))
            }
            other => Err(self.err(format!(
                "is {} where the model needs a list or set",
                value_kind(other)
            ))),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.present("a map or object")? {
            Value::Map(m) | Value::Object(m) => {
                let path = self.path.clone();
                let object = matches!(self.v, Value::Object(_));
                visitor
                    .visit_map(MapDe {
                        parent: &self,
                        entries: m.iter(),
                        pending: None,
                        object,
                    })
                    .map_err(|e| e.located(&path))
            }
            other => Err(self.err(format!(
                "is {} where the model needs a map or object",
                value_kind(other)
            ))),
        }
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        self.deserialize_map(visitor)
    }

    /// Enums with unit variants read from strings, e.g. a `level` of `system` or `project`.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match self.present("one of the allowed strings")? {
            Value::String(s) => {
                let path = self.path.clone();
                visitor
                    .visit_enum(s.as_str().into_deserializer())
                    .map_err(|e: ModelError| e.located(&path))
            }
            other => Err(self.err(format!(
                "is {} where the model needs one of the allowed strings",
                value_kind(other)
            ))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }

    /// Reached for an attribute no model field names: the strict reader reports it.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.unused.borrow_mut().push(self.path.clone());
        visitor.visit_unit()
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        visitor.visit_unit()
    }
}

struct SeqDe<'p, 'a> {
    parent: &'p ValueDe<'a>,
    items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
}

impl<'de, 'p, 'a> de::SeqAccess<'de> for SeqDe<'p, 'a> {
    type Error = ModelError;
    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ModelError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, item)) => {
                let child = self.parent.child(item, Step::Index(i as i64));
                let path = child.path.clone();
                seed.deserialize(child)
                    .map(Some)
                    .map_err(|e| e.located(&path))
            }
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'p, 'a> {
    parent: &'p ValueDe<'a>,
    entries: std::collections::btree_map::Iter<'a, String, Value>,
    pending: Option<(&'a String, &'a Value)>,
    /// Object attributes are path steps `.name`; map elements are `["key"]`.
    object: bool,
}

impl<'de, 'p, 'a> de::MapAccess<'de> for MapDe<'p, 'a> {
    type Error = ModelError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ModelError> {
        match self.entries.next() {
            None => Ok(None),
            Some((k, v)) => {
                self.pending = Some((k, v));
                seed.deserialize(k.as_str().into_deserializer()).map(Some)
            }
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ModelError> {
        let (k, v) = self
            .pending
            .take()
            .expect("serde asks for a value only after its key");
        let step = if self.object {
            Step::Attr(k.clone())
        } else {
            Step::Key(k.clone())
        };
        let child = self.parent.child(v, step);
        let path = child.path.clone();
        seed.deserialize(child).map_err(|e| e.located(&path))
    }
}

/// Serialises a model into a loose [`Value`]: every sequence a `List`, every struct or map an
/// `Object`. [`conform`] then gives it the schema's shape.
struct LooseSer;

macro_rules! serialize_int {
    ($($method:ident: $t:ty)*) => {$(
        fn $method(self, v: $t) -> Result<Value, ModelError> {
            Ok(Value::int(v as i64))
        }
    )*};
}

impl ser::Serializer for LooseSer {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = ser::Impossible<Value, ModelError>;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = ser::Impossible<Value, ModelError>;

    fn serialize_bool(self, v: bool) -> Result<Value, ModelError> {
        Ok(Value::Bool(v))
    }
    serialize_int!(serialize_i8: i8 serialize_i16: i16 serialize_i32: i32 serialize_i64: i64
        serialize_u8: u8 serialize_u16: u16 serialize_u32: u32);
    fn serialize_u64(self, v: u64) -> Result<Value, ModelError> {
        Ok(match i64::try_from(v) {
            Ok(i) => Value::int(i),
            Err(_) => Value::Number(Number::Decimal(v.to_string())),
        })
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ModelError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ModelError> {
        if !v.is_finite() {
            return Err(ser::Error::custom(format!(
                "{v} is not a number Terraform can hold"
            )));
        }
        Ok(Value::Number(Number::Float(v)))
    }
    fn serialize_char(self, v: char) -> Result<Value, ModelError> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ModelError> {
        Ok(Value::from(v))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Value, ModelError> {
        Err(ser::Error::custom(
            "bytes have no Terraform type; use a String",
        ))
    }
    fn serialize_none(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result<Value, ModelError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<Value, ModelError> {
        Ok(if name == UNKNOWN_TOKEN {
            Value::Unknown
        } else {
            Value::Null
        })
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ModelError> {
        Ok(Value::from(variant))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        v: &T,
    ) -> Result<Value, ModelError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _v: &T,
    ) -> Result<Value, ModelError> {
        Err(ser::Error::custom(format!(
            "{name}::{variant}: enum variants with data have no Terraform type"
        )))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer, ModelError> {
        Ok(SeqSer(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer, ModelError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer, ModelError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ModelError> {
        Err(ser::Error::custom(format!(
            "{name}::{variant}: enum variants with data have no Terraform type"
        )))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer, ModelError> {
        Ok(MapSer::default())
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<MapSer, ModelError> {
        Ok(MapSer::default())
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ModelError> {
        Err(ser::Error::custom(format!(
            "{name}::{variant}: enum variants with data have no Terraform type"
        )))
    }
}

struct SeqSer(Vec<Value>);

impl ser::SerializeSeq for SeqSer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), ModelError> {
        let at = AttributePath::root().join_index(self.0.len());
        self.0
            .push(v.serialize(LooseSer).map_err(|e| e.located(&at))?);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::List(self.0))
    }
}

impl ser::SerializeTuple for SeqSer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, ModelError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqSer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), ModelError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, ModelError> {
        ser::SerializeSeq::end(self)
    }
}

#[derive(Default)]
struct MapSer {
    entries: BTreeMap<String, Value>,
    key: Option<String>,
}

impl ser::SerializeMap for MapSer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), ModelError> {
        match key.serialize(LooseSer)? {
            Value::String(s) => {
                self.key = Some(s);
                Ok(())
            }
            other => Err(ser::Error::custom(format!(
                "map keys must be strings, not {}",
                value_kind(&other)
            ))),
        }
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), ModelError> {
        let key = self
            .key
            .take()
            .expect("serde gives a map value only after its key");
        let value = v
            .serialize(LooseSer)
            .map_err(|e| e.located(&AttributePath::root().join_key(&key)))?;
        self.entries.insert(key, value);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Object(self.entries))
    }
}

impl ser::SerializeStruct for MapSer {
    type Ok = Value;
    type Error = ModelError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), ModelError> {
        let value = v
            .serialize(LooseSer)
            .map_err(|e| e.located(&AttributePath::attr(key)))?;
        self.entries.insert(key.to_owned(), value);
        Ok(())
    }
    fn end(self) -> Result<Value, ModelError> {
        Ok(Value::Object(self.entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Permission {
        kind: String,
        namespace: String,
        access: Vec<Access>,
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Access {
        action: String,
        resource: String,
        effect: Option<String>,
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq, Clone, Copy)]
    #[serde(rename_all = "lowercase")]
    enum Level {
        System,
        Project,
    }

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Robot {
        id: Known<Option<String>>,
        name: String,
        // A String, not `Level`: the schema's validator owns the allowed values, and
        // `check_model` samples every string attribute with the same placeholder.
        level: String,
        duration: i64,
        ratio: f64,
        disable: Option<bool>,
        secret: Known<Option<String>>,
        permissions: Vec<Permission>,
        labels: BTreeMap<String, String>,
    }

    fn robot_type() -> Type {
        let access = Type::Object(BTreeMap::from([
            ("action".into(), Type::String),
            ("resource".into(), Type::String),
            ("effect".into(), Type::String),
        ]));
        let permission = Type::Object(BTreeMap::from([
            ("kind".into(), Type::String),
            ("namespace".into(), Type::String),
            ("access".into(), Type::set(access)),
        ]));
        Type::Object(BTreeMap::from([
            ("id".into(), Type::String),
            ("name".into(), Type::String),
            ("level".into(), Type::String),
            ("duration".into(), Type::Number),
            ("ratio".into(), Type::Number),
            ("disable".into(), Type::Bool),
            ("secret".into(), Type::String),
            ("permissions".into(), Type::list(permission)),
            ("labels".into(), Type::map(Type::String)),
        ]))
    }

    fn planned_robot() -> Value {
        Value::object([
            ("id", Value::Unknown),
            ("name", Value::from("ci")),
            ("level", Value::from("project")),
            ("duration", Value::int(30)),
            ("ratio", Value::Number(Number::Float(0.5))),
            ("disable", Value::Null),
            ("secret", Value::Null),
            (
                "permissions",
                Value::List(vec![Value::object([
                    ("kind", Value::from("project")),
                    ("namespace", Value::from("apps")),
                    (
                        "access",
                        Value::Set(vec![Value::object([
                            ("action", Value::from("pull")),
                            ("resource", Value::from("repository")),
                            ("effect", Value::Null),
                        ])]),
                    ),
                ])]),
            ),
            (
                "labels",
                Value::Map(BTreeMap::from([("team".into(), Value::from("ci"))])),
            ),
        ])
    }

    #[test]
    fn a_planned_value_reads_into_the_model_with_unknown_and_null_apart() {
        let r: Robot = from_value(&planned_robot()).unwrap();
        assert_eq!(r.id, Known::Unknown);
        assert_eq!(r.secret, Known::Value(None));
        assert!(r.secret.is_null());
        assert_eq!(r.disable, None);
        assert_eq!(r.level, "project");
        assert_eq!(r.duration, 30);
        assert_eq!(r.ratio, 0.5);
        assert_eq!(r.permissions[0].access[0].effect, None);
        assert_eq!(r.labels["team"], "ci");
    }

    #[test]
    fn the_model_writes_back_the_same_value_shaped_by_the_schema() {
        let r: Robot = from_value(&planned_robot()).unwrap();
        let back = to_value_strict(&r, &robot_type()).unwrap();
        assert_eq!(back, planned_robot());
        // The schema, not the model's Vec, decides list against set.
        assert!(matches!(back.get("permissions"), Value::List(_)));
        assert!(matches!(
            back.get("permissions").elements()[0].get("access"),
            Value::Set(_)
        ));
        assert!(matches!(back.get("labels"), Value::Map(_)));
    }

    #[test]
    fn unknown_where_the_model_cannot_hold_it_names_the_attribute() {
        let mut v = planned_robot();
        v.set("name", Value::Unknown);
        let e = from_value::<Robot>(&v).unwrap_err();
        assert_eq!(e.path, Some(AttributePath::attr("name")));
        assert!(e.message.contains("unknown"), "{e}");

        let mut v = planned_robot();
        v.set("disable", Value::Unknown);
        let e = from_value::<Robot>(&v).unwrap_err();
        assert_eq!(e.to_string().split(':').next(), Some("disable"), "{e}");
    }

    #[test]
    fn null_where_the_model_needs_a_value_names_the_nested_path() {
        let mut v = planned_robot();
        let mut perms = v.get("permissions").clone();
        if let Value::List(items) = &mut perms {
            items[0].set("namespace", Value::Null);
        }
        v.set("permissions", perms);
        let e = from_value::<Robot>(&v).unwrap_err();
        assert_eq!(
            e.to_string(),
            "permissions[0].namespace: is null where the model needs a string; make the field an Option"
        );
    }

    #[test]
    fn a_missing_attribute_is_reported_where_it_is_missing() {
        let mut v = planned_robot();
        if let Value::Object(m) = &mut v {
            m.remove("duration");
        }
        let e = from_value::<Robot>(&v).unwrap_err();
        assert_eq!(e.to_string(), "missing field `duration`");
        assert_eq!(e.path, Some(AttributePath::root()));
    }

    #[test]
    fn wrong_types_and_fractions_are_refused_with_the_path() {
        let mut v = planned_robot();
        v.set("duration", Value::Number(Number::Float(1.5)));
        let e = from_value::<Robot>(&v).unwrap_err();
        assert_eq!(
            e.to_string(),
            "duration: is 1.5, where the model needs a whole number"
        );
    }

    #[test]
    fn unit_enums_read_from_and_write_as_strings() {
        #[derive(Debug, Serialize, Deserialize, PartialEq)]
        struct Scoped {
            level: Level,
        }
        let ty = Type::Object(BTreeMap::from([("level".into(), Type::String)]));
        let v = Value::object([("level", Value::from("system"))]);
        let m: Scoped = from_value(&v).unwrap();
        assert_eq!(m.level, Level::System);
        assert_eq!(to_value(&m, &ty).unwrap(), v);
        let e =
            from_value::<Scoped>(&Value::object([("level", Value::from("galaxy"))])).unwrap_err();
        assert!(
            e.to_string().starts_with("level: unknown variant `galaxy`"),
            "{e}"
        );
        let _ = Level::Project;
    }

    #[test]
    fn strict_reading_names_an_attribute_the_model_lacks() {
        let mut v = planned_robot();
        v.set("description", Value::from("x"));
        assert!(from_value::<Robot>(&v).is_ok());
        let e = from_value_strict::<Robot>(&v).unwrap_err();
        assert_eq!(e.path, Some(AttributePath::attr("description")));
    }

    #[test]
    fn writing_names_a_field_the_schema_lacks_and_an_attribute_the_model_lacks() {
        let r: Robot = from_value(&planned_robot()).unwrap();
        let mut ty = robot_type();
        if let Type::Object(attrs) = &mut ty {
            attrs.remove("ratio");
        }
        let e = to_value(&r, &ty).unwrap_err();
        assert_eq!(e.path, Some(AttributePath::attr("ratio")));

        let mut ty = robot_type();
        if let Type::Object(attrs) = &mut ty {
            attrs.insert("description".into(), Type::String);
        }
        assert_eq!(to_value(&r, &ty).unwrap().get("description"), &Value::Null);
        let e = to_value_strict(&r, &ty).unwrap_err();
        assert_eq!(e.path, Some(AttributePath::attr("description")));
    }

    #[test]
    fn check_model_catches_a_rename_on_either_side() {
        check_model::<Robot>(&robot_type()).unwrap();

        #[derive(Serialize, Deserialize)]
        struct Renamed {
            kind: String,
            namespace: String,
            accesses: Vec<Access>,
        }
        let ty = Type::Object(BTreeMap::from([
            ("kind".into(), Type::String),
            ("namespace".into(), Type::String),
            ("access".into(), Type::list(Type::String)),
        ]));
        let e = check_model::<Renamed>(&ty).unwrap_err();
        assert!(e.to_string().contains("access"), "{e}");

        #[derive(Serialize, Deserialize)]
        struct WrongType {
            count: String,
        }
        let ty = Type::Object(BTreeMap::from([("count".into(), Type::Number)]));
        let e = check_model::<WrongType>(&ty).unwrap_err();
        assert_eq!(
            e.to_string(),
            "count: is a number where the model needs a string"
        );
    }

    #[test]
    fn check_view_accepts_a_subset_and_names_a_field_the_schema_lacks() {
        #[derive(Serialize, Deserialize)]
        struct LevelView {
            level: Known<Option<String>>,
            permissions: Known<Option<Vec<PermissionView>>>,
        }
        #[derive(Serialize, Deserialize)]
        struct PermissionView {
            kind: Known<Option<String>>,
        }
        check_view::<LevelView>(&robot_type()).unwrap();

        #[derive(Serialize, Deserialize)]
        struct Misspelt {
            levle: Known<Option<String>>,
        }
        let e = check_view::<Misspelt>(&robot_type()).unwrap_err();
        assert!(e.to_string().contains("levle"), "{e}");

        #[derive(Serialize, Deserialize)]
        struct WrongType {
            duration: Known<Option<String>>,
        }
        let e = check_view::<WrongType>(&robot_type()).unwrap_err();
        assert_eq!(e.path, Some(AttributePath::attr("duration")), "{e}");
    }

    #[test]
    fn write_view_changes_only_the_fields_it_names() {
        #[derive(Serialize, Deserialize)]
        struct SecretView {
            secret: Known<Option<String>>,
            duration: Known<Option<i64>>,
        }
        let mut v = planned_robot();
        let mut view: SecretView = from_value(&v).unwrap();
        assert_eq!(view.duration, Known::Value(Some(30)));
        view.secret = Known::Unknown;
        view.duration = Some(7).into();
        write_view(&view, &robot_type(), &mut v).unwrap();
        assert_eq!(v.get("secret"), &Value::Unknown);
        assert_eq!(v.get("duration"), &Value::int(7));
        assert_eq!(v.get("name"), &Value::from("ci"));
        assert_eq!(v.get("id"), &Value::Unknown, "untouched");

        // A nested object written back must be whole: a view that read only part of each
        // permission would otherwise blank the rest.
        #[derive(Serialize, Deserialize)]
        struct PartialPermissions {
            permissions: Vec<KindOnly>,
        }
        #[derive(Serialize, Deserialize)]
        struct KindOnly {
            kind: String,
        }
        let view: PartialPermissions = from_value(&v).unwrap();
        let e = write_view(&view, &robot_type(), &mut v).unwrap_err();
        assert_eq!(
            e.to_string().split(':').next(),
            Some("permissions[0].access"),
            "{e}"
        );
        assert_eq!(v, {
            let mut p = planned_robot();
            p.set("secret", Value::Unknown);
            p.set("duration", Value::int(7));
            p
        });
    }

    #[test]
    fn known_round_trips_through_other_formats_as_its_value() {
        let k: Known<Option<String>> = serde_json::from_str("\"x\"").unwrap();
        assert_eq!(k.value().map(String::as_str), Some("x"));
        assert_eq!(serde_json::to_string(&Known::Value(3)).unwrap(), "3");
    }
}
