//! The value codec: Terraform's `DynamicValue` in msgpack (both directions) and JSON (decoding,
//! for state upgrades), driven by the schema's type.
//!
//! Decoding is total: malformed input of any kind becomes a [`CodecError`], never a panic, and
//! nesting and allocation are bounded by the input's length so a hostile message cannot blow
//! the stack or the heap.

use std::collections::BTreeMap;

use crate::schema::value::{Number, Type, Value};

/// How deep values may nest before the decoder gives up (Terraform's own values nest a few levels).
const MAX_DEPTH: usize = 128;

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{path}: {message}")]
pub struct CodecError {
    /// Where in the value the problem is, as `.attr[0]["key"]`.
    pub path: String,
    pub message: String,
}

fn err(path: &str, message: impl Into<String>) -> CodecError {
    CodecError {
        path: if path.is_empty() {
            "value".into()
        } else {
            path.to_string()
        },
        message: message.into(),
    }
}

/// Encodes `value` of type `ty` as msgpack. Objects are always written complete: every
/// attribute of the type is present, with nil for those the value lacks.
pub fn to_msgpack(ty: &Type, value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    write_value(&mut out, ty, value);
    out
}

fn write_value(out: &mut Vec<u8>, ty: &Type, value: &Value) {
    match value {
        Value::Null => return out.push(0xc0),
        Value::Unknown => return out.extend_from_slice(&[0xd4, 0, 0]),
        _ => {}
    }
    match (ty, value) {
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) => {
            out.push(0x92);
            write_bin(out, inner_ty.to_json().to_string().as_bytes());
            write_value(out, inner_ty, inner);
        }
        (Type::Dynamic, v) => {
            let inner_ty = infer_type(v);
            out.push(0x92);
            write_bin(out, inner_ty.to_json().to_string().as_bytes());
            write_value(out, &inner_ty, v);
        }
        (_, Value::Dynamic(_, inner)) => write_value(out, ty, inner),
        (_, Value::String(s)) => write_str(out, s),
        (_, Value::Bool(b)) => out.push(if *b { 0xc3 } else { 0xc2 }),
        (_, Value::Number(n)) => write_number(out, n),
        (
            Type::List(et) | Type::Set(et),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => {
            write_array_len(out, items.len());
            for item in items {
                write_value(out, et, item);
            }
        }
        (Type::Tuple(ets), Value::List(items) | Value::Tuple(items)) => {
            write_array_len(out, ets.len());
            for (i, et) in ets.iter().enumerate() {
                write_value(out, et, items.get(i).unwrap_or(&Value::Null));
            }
        }
        (Type::Map(et), Value::Map(m) | Value::Object(m)) => {
            write_map_len(out, m.len());
            for (k, v) in m {
                write_str(out, k);
                write_value(out, et, v);
            }
        }
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => {
            write_map_len(out, attrs.len());
            for (name, at) in attrs {
                write_str(out, name);
                write_value(out, at, m.get(name).unwrap_or(&Value::Null));
            }
        }
        // A value that does not fit its type is a provider bug; null keeps the message decodable
        // and Terraform then reports the attribute instead of failing to parse the whole reply.
        _ => out.push(0xc0),
    }
}

/// The type a value would have if it arrived without one (used for `dynamic` attributes).
pub fn infer_type(v: &Value) -> Type {
    match v {
        Value::String(_) => Type::String,
        Value::Number(_) => Type::Number,
        Value::Bool(_) => Type::Bool,
        Value::List(items) => Type::list(items.first().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Set(items) => Type::set(items.first().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer_type).collect()),
        Value::Map(m) => Type::map(m.values().next().map(infer_type).unwrap_or(Type::Dynamic)),
        Value::Object(m) => {
            Type::Object(m.iter().map(|(k, v)| (k.clone(), infer_type(v))).collect())
        }
        Value::Dynamic(t, _) => t.clone(),
        Value::Null | Value::Unknown => Type::Dynamic,
    }
}

fn write_number(out: &mut Vec<u8>, n: &Number) {
    match n {
        Number::Int(i) => write_int(out, *i),
        // cty writes an integer when the float is exactly one.
        Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => write_int(out, *f as i64),
        Number::Float(f) => {
            out.push(0xcb);
            out.extend_from_slice(&f.to_be_bytes());
        }
        Number::Decimal(s) => write_str(out, s),
    }
}

fn write_int(out: &mut Vec<u8>, i: i64) {
    if (0..=0x7f).contains(&i) {
        out.push(i as u8);
    } else if (-32..0).contains(&i) {
        out.push(i as i8 as u8);
    } else if i >= 0 {
        if i <= u8::MAX as i64 {
            out.extend_from_slice(&[0xcc, i as u8]);
        } else if i <= u16::MAX as i64 {
            out.push(0xcd);
            out.extend_from_slice(&(i as u16).to_be_bytes());
        } else if i <= u32::MAX as i64 {
            out.push(0xce);
            out.extend_from_slice(&(i as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(i as u64).to_be_bytes());
        }
    } else if i >= i8::MIN as i64 {
        out.extend_from_slice(&[0xd0, i as i8 as u8]);
    } else if i >= i16::MIN as i64 {
        out.push(0xd1);
        out.extend_from_slice(&(i as i16).to_be_bytes());
    } else if i >= i32::MIN as i64 {
        out.push(0xd2);
        out.extend_from_slice(&(i as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    let n = s.len();
    if n < 32 {
        out.push(0xa0 | n as u8);
    } else if n <= u8::MAX as usize {
        out.extend_from_slice(&[0xd9, n as u8]);
    } else if n <= u16::MAX as usize {
        out.push(0xda);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
    out.extend_from_slice(s.as_bytes());
}

fn write_bin(out: &mut Vec<u8>, b: &[u8]) {
    let n = b.len();
    if n <= u8::MAX as usize {
        out.extend_from_slice(&[0xc4, n as u8]);
    } else if n <= u16::MAX as usize {
        out.push(0xc5);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(0xc6);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
    out.extend_from_slice(b);
}

fn write_array_len(out: &mut Vec<u8>, n: usize) {
    if n < 16 {
        out.push(0x90 | n as u8);
    } else if n <= u16::MAX as usize {
        out.push(0xdc);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(0xdd);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

fn write_map_len(out: &mut Vec<u8>, n: usize) {
    if n < 16 {
        out.push(0x80 | n as u8);
    } else if n <= u16::MAX as usize {
        out.push(0xde);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(0xdf);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

/// Decodes a msgpack `DynamicValue` of type `ty`. Any extension value is an unknown (newer
/// Terraform sends refined unknowns as extension 12); trailing bytes are an error.
pub fn from_msgpack(ty: &Type, bytes: &[u8]) -> Result<Value, CodecError> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let v = r.value(ty, "", 0)?;
    if r.pos != bytes.len() {
        return Err(err(
            "",
            format!("{} trailing bytes after the value", bytes.len() - r.pos),
        ));
    }
    Ok(v)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// One msgpack item header, read before the type tells us what to make of it.
enum Head {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(usize),
    Bin(usize),
    Array(usize),
    Map(usize),
    Ext(usize),
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, path: &str) -> Result<&'a [u8], CodecError> {
        if self.buf.len() - self.pos < n {
            return Err(err(path, "unexpected end of msgpack data"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self, path: &str) -> Result<u8, CodecError> {
        Ok(self.take(1, path)?[0])
    }
    fn be(&mut self, n: usize, path: &str) -> Result<u64, CodecError> {
        Ok(self
            .take(n, path)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | *b as u64))
    }

    fn head(&mut self, path: &str) -> Result<Head, CodecError> {
        let b = self.u8(path)?;
        Ok(match b {
            0x00..=0x7f => Head::Int(b as i64),
            0x80..=0x8f => Head::Map((b & 0x0f) as usize),
            0x90..=0x9f => Head::Array((b & 0x0f) as usize),
            0xa0..=0xbf => Head::Str((b & 0x1f) as usize),
            0xc0 => Head::Nil,
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => Head::Bin(self.be(1, path)? as usize),
            0xc5 => Head::Bin(self.be(2, path)? as usize),
            0xc6 => Head::Bin(self.be(4, path)? as usize),
            0xc7 => Head::Ext(self.be(1, path)? as usize + 1),
            0xc8 => Head::Ext(self.be(2, path)? as usize + 1),
            0xc9 => Head::Ext(self.be(4, path)? as usize + 1),
            0xca => Head::Float(f32::from_bits(self.be(4, path)? as u32) as f64),
            0xcb => Head::Float(f64::from_bits(self.be(8, path)?)),
            0xcc => Head::UInt(self.be(1, path)?),
            0xcd => Head::UInt(self.be(2, path)?),
            0xce => Head::UInt(self.be(4, path)?),
            0xcf => Head::UInt(self.be(8, path)?),
            0xd0 => Head::Int(self.be(1, path)? as u8 as i8 as i64),
            0xd1 => Head::Int(self.be(2, path)? as u16 as i16 as i64),
            0xd2 => Head::Int(self.be(4, path)? as u32 as i32 as i64),
            0xd3 => Head::Int(self.be(8, path)? as i64),
            0xd4 => Head::Ext(2),
            0xd5 => Head::Ext(3),
            0xd6 => Head::Ext(5),
            0xd7 => Head::Ext(9),
            0xd8 => Head::Ext(17),
            0xd9 => Head::Str(self.be(1, path)? as usize),
            0xda => Head::Str(self.be(2, path)? as usize),
            0xdb => Head::Str(self.be(4, path)? as usize),
            0xdc => Head::Array(self.be(2, path)? as usize),
            0xdd => Head::Array(self.be(4, path)? as usize),
            0xde => Head::Map(self.be(2, path)? as usize),
            0xdf => Head::Map(self.be(4, path)? as usize),
            0xe0..=0xff => Head::Int(b as i8 as i64),
            0xc1 => return Err(err(path, "invalid msgpack byte 0xc1")),
        })
    }

    fn string(&mut self, n: usize, path: &str) -> Result<String, CodecError> {
        let bytes = self.take(n, path)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| err(path, "string is not valid UTF-8"))
    }

    /// Every element needs at least one byte, so a count larger than what is left is a lie.
    fn check_count(&self, n: usize, per_item: usize, path: &str) -> Result<(), CodecError> {
        if n.saturating_mul(per_item) > self.buf.len() - self.pos {
            return Err(err(path, "collection length exceeds the data"));
        }
        Ok(())
    }

    fn value(&mut self, ty: &Type, path: &str, depth: usize) -> Result<Value, CodecError> {
        if depth > MAX_DEPTH {
            return Err(err(path, "value nests too deeply"));
        }
        let head = self.head(path)?;
        match head {
            Head::Nil => return Ok(Value::Null),
            Head::Ext(n) => {
                self.take(n, path)?;
                return Ok(Value::Unknown);
            }
            _ => {}
        }
        match ty {
            Type::Dynamic => {
                let Head::Array(2) = head else {
                    return Err(err(path, "a dynamic value must be a [type, value] pair"));
                };
                let (Head::Bin(n) | Head::Str(n)) = self.head(path)? else {
                    return Err(err(path, "a dynamic value's type must be JSON bytes"));
                };
                let raw = self.take(n, path)?;
                let tj: serde_json::Value = serde_json::from_slice(raw)
                    .map_err(|e| err(path, format!("bad type JSON: {e}")))?;
                let inner_ty = Type::from_json(&tj).map_err(|e| err(path, e))?;
                let inner = self.value(&inner_ty, path, depth + 1)?;
                Ok(match inner {
                    Value::Null | Value::Unknown => inner,
                    v => Value::Dynamic(inner_ty, Box::new(v)),
                })
            }
            Type::String => match head {
                Head::Str(n) => Ok(Value::String(self.string(n, path)?)),
                _ => Err(err(path, "expected a string")),
            },
            Type::Bool => match head {
                Head::Bool(b) => Ok(Value::Bool(b)),
                _ => Err(err(path, "expected a bool")),
            },
            Type::Number => match head {
                Head::Int(i) => Ok(Value::Number(Number::Int(i))),
                Head::UInt(u) => Ok(Value::Number(match i64::try_from(u) {
                    Ok(i) => Number::Int(i),
                    Err(_) => Number::Decimal(u.to_string()),
                })),
                Head::Float(f) if f.is_finite() => Ok(Value::Number(Number::Float(f))),
                Head::Str(n) => {
                    let s = self.string(n, path)?;
                    Number::parse(&s)
                        .map(Value::Number)
                        .ok_or_else(|| err(path, format!("{s:?} is not a number")))
                }
                _ => Err(err(path, "expected a number")),
            },
            Type::List(et) | Type::Set(et) => {
                let Head::Array(n) = head else {
                    return Err(err(path, "expected an array"));
                };
                self.check_count(n, 1, path)?;
                let mut items = Vec::with_capacity(n);
                for i in 0..n {
                    items.push(self.value(et, &format!("{path}[{i}]"), depth + 1)?);
                }
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::Set(items)
                } else {
                    Value::List(items)
                })
            }
            Type::Tuple(ets) => {
                let Head::Array(n) = head else {
                    return Err(err(path, "expected an array"));
                };
                if n != ets.len() {
                    return Err(err(
                        path,
                        format!("a tuple of {} elements is required ({n} given)", ets.len()),
                    ));
                }
                let mut items = Vec::with_capacity(n);
                for (i, et) in ets.iter().enumerate() {
                    items.push(self.value(et, &format!("{path}[{i}]"), depth + 1)?);
                }
                Ok(Value::Tuple(items))
            }
            Type::Map(et) => {
                let Head::Map(n) = head else {
                    return Err(err(path, "expected a map"));
                };
                self.check_count(n, 2, path)?;
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let key = self.key(path)?;
                    let v = self.value(et, &format!("{path}[{key:?}]"), depth + 1)?;
                    m.insert(key, v);
                }
                Ok(Value::Map(m))
            }
            Type::Object(attrs) => {
                let Head::Map(n) = head else {
                    return Err(err(path, "expected an object"));
                };
                self.check_count(n, 2, path)?;
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let key = self.key(path)?;
                    let Some(at) = attrs.get(&key) else {
                        return Err(err(path, format!("unsupported attribute {key:?}")));
                    };
                    let v = self.value(at, &format!("{path}.{key}"), depth + 1)?;
                    m.insert(key, v);
                }
                for name in attrs.keys() {
                    m.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(m))
            }
        }
    }

    fn key(&mut self, path: &str) -> Result<String, CodecError> {
        match self.head(path)? {
            Head::Str(n) => self.string(n, path),
            _ => Err(err(path, "map keys must be strings")),
        }
    }
}

/// How strictly [`from_json`] treats object attributes the type does not have.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum UnknownAttributes {
    Reject,
    /// Drop them: used for stored state written by an older schema or another provider.
    Ignore,
}

/// Decodes a JSON value (Terraform's stored state, or `DynamicValue.json`) of type `ty`.
/// JSON cannot express unknowns, so the result is wholly known.
pub fn from_json(
    ty: &Type,
    j: &serde_json::Value,
    unknown: UnknownAttributes,
) -> Result<Value, CodecError> {
    json_value(ty, j, "", unknown, 0)
}

fn json_value(
    ty: &Type,
    j: &serde_json::Value,
    path: &str,
    unknown: UnknownAttributes,
    depth: usize,
) -> Result<Value, CodecError> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(err(path, "value nests too deeply"));
    }
    if j.is_null() {
        return Ok(Value::Null);
    }
    match (ty, j) {
        (Type::String, J::String(s)) => Ok(Value::String(s.clone())),
        // Legacy state may hold primitives in their string form.
        (Type::String, J::Number(n)) => Ok(Value::String(n.to_string())),
        (Type::String, J::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, J::String(s)) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        (Type::Number, J::Number(n)) => Ok(Value::Number(if let Some(i) = n.as_i64() {
            Number::Int(i)
        } else if let Some(f) = n.as_f64() {
            Number::Float(f)
        } else {
            Number::Decimal(n.to_string())
        })),
        (Type::Number, J::String(s)) => Number::parse(s)
            .map(Value::Number)
            .ok_or_else(|| err(path, format!("{s:?} is not a number"))),
        (Type::List(et) | Type::Set(et), J::Array(items)) => {
            let vals = items
                .iter()
                .enumerate()
                .map(|(i, x)| json_value(et, x, &format!("{path}[{i}]"), unknown, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(vals)
            } else {
                Value::List(vals)
            })
        }
        (Type::Tuple(ets), J::Array(items)) if ets.len() == items.len() => Ok(Value::Tuple(
            ets.iter()
                .zip(items)
                .enumerate()
                .map(|(i, (et, x))| json_value(et, x, &format!("{path}[{i}]"), unknown, depth + 1))
                .collect::<Result<_, _>>()?,
        )),
        (Type::Map(et), J::Object(m)) => Ok(Value::Map(
            m.iter()
                .map(|(k, x)| {
                    Ok((
                        k.clone(),
                        json_value(et, x, &format!("{path}[{k:?}]"), unknown, depth + 1)?,
                    ))
                })
                .collect::<Result<_, CodecError>>()?,
        )),
        (Type::Object(attrs), J::Object(m)) => {
            let mut out = BTreeMap::new();
            for (k, x) in m {
                match attrs.get(k) {
                    Some(at) => {
                        out.insert(
                            k.clone(),
                            json_value(at, x, &format!("{path}.{k}"), unknown, depth + 1)?,
                        );
                    }
                    None if unknown == UnknownAttributes::Ignore => {}
                    None => return Err(err(path, format!("unsupported attribute {k:?}"))),
                }
            }
            for name in attrs.keys() {
                out.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(out))
        }
        (Type::Dynamic, J::Object(m)) if m.contains_key("type") && m.contains_key("value") => {
            let inner_ty = Type::from_json(&m["type"]).map_err(|e| err(path, e))?;
            let inner = json_value(&inner_ty, &m["value"], path, unknown, depth + 1)?;
            Ok(if inner.is_null() {
                inner
            } else {
                Value::Dynamic(inner_ty, Box::new(inner))
            })
        }
        (t, other) => Err(err(
            path,
            format!("expected {}, found {other}", t.to_json()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_type() -> Type {
        Type::Object(BTreeMap::from([
            ("name".into(), Type::String),
            ("count".into(), Type::Number),
            ("on".into(), Type::Bool),
            ("tags".into(), Type::set(Type::String)),
            ("labels".into(), Type::map(Type::String)),
        ]))
    }

    #[test]
    fn golden_bytes_for_a_complete_object() {
        let v = Value::object([
            ("name", Value::from("ci")),
            ("count", Value::int(300)),
            ("on", Value::Bool(true)),
            ("tags", Value::Set(vec![Value::from("a")])),
        ]);
        let bytes = to_msgpack(&obj_type(), &v);
        // Attributes in sorted order; the missing `labels` is written as nil.
        let expected: Vec<u8> = [
            &[0x85][..],
            &[0xa5],
            b"count",
            &[0xcd, 0x01, 0x2c],
            &[0xa6],
            b"labels",
            &[0xc0],
            &[0xa4],
            b"name",
            &[0xa2],
            b"ci",
            &[0xa2],
            b"on",
            &[0xc3],
            &[0xa4],
            b"tags",
            &[0x91, 0xa1],
            b"a",
        ]
        .concat();
        assert_eq!(bytes, expected);
        let back = from_msgpack(&obj_type(), &bytes).unwrap();
        let mut want = v.clone();
        want.set("labels", Value::Null);
        assert_eq!(back, want);
    }

    #[test]
    fn unknown_is_written_as_fixext_zero_and_any_extension_reads_as_unknown() {
        assert_eq!(
            to_msgpack(&Type::String, &Value::Unknown),
            vec![0xd4, 0x00, 0x00]
        );
        // Refined unknown (extension 12 with a map payload), as Terraform 1.6+ sends.
        let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(
            from_msgpack(&Type::String, &refined).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            from_msgpack(&Type::Number, &[0xd4, 0x00, 0x00]).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn numbers_decode_from_ints_floats_and_decimal_strings() {
        assert_eq!(
            from_msgpack(&Type::Number, &[0xd0, 0xff]).unwrap(),
            Value::int(-1)
        );
        assert_eq!(
            from_msgpack(
                &Type::Number,
                &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
            )
            .unwrap(),
            Value::Number(Number::Decimal("18446744073709551615".into()))
        );
        let mut f = vec![0xcb];
        f.extend_from_slice(&1.5f64.to_be_bytes());
        assert_eq!(
            from_msgpack(&Type::Number, &f).unwrap(),
            Value::Number(Number::Float(1.5))
        );
        let s = [&[0xa4][..], b"1e30"].concat();
        assert_eq!(from_msgpack(&Type::Number, &s).unwrap().as_i64(), None);
        assert_eq!(
            to_msgpack(&Type::Number, &Value::Number(Number::Float(2.0))),
            vec![0x02]
        );
        for i in [
            0i64,
            1,
            127,
            128,
            255,
            256,
            65535,
            65536,
            -1,
            -32,
            -33,
            -128,
            -129,
            -32768,
            -32769,
            i64::MIN,
            i64::MAX,
        ] {
            let b = to_msgpack(&Type::Number, &Value::int(i));
            assert_eq!(
                from_msgpack(&Type::Number, &b).unwrap(),
                Value::int(i),
                "{i}"
            );
        }
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::Dynamic(
            Type::list(Type::String),
            Box::new(Value::List(vec![Value::from("x")])),
        );
        let bytes = to_msgpack(&Type::Dynamic, &v);
        let expected = [
            &[0x92, 0xc4, 17][..],
            br#"["list","string"]"#,
            &[0x91, 0xa1],
            b"x",
        ]
        .concat();
        assert_eq!(bytes, expected);
        assert_eq!(from_msgpack(&Type::Dynamic, &bytes).unwrap(), v);
    }

    #[test]
    fn objects_with_extra_attributes_or_bad_types_are_errors() {
        let extra = [&[0x81, 0xa3][..], b"bad", &[0xc0]].concat();
        assert!(
            from_msgpack(&obj_type(), &extra)
                .unwrap_err()
                .message
                .contains("unsupported attribute")
        );
        let wrong = [&[0x81, 0xa4][..], b"name", &[0x01]].concat();
        assert_eq!(from_msgpack(&obj_type(), &wrong).unwrap_err().path, ".name");
    }

    #[test]
    fn truncated_and_lying_lengths_are_errors_not_panics() {
        for bad in [
            &[0xdd, 0xff, 0xff, 0xff, 0xff][..],
            &[0xdb, 0, 0, 0, 9, b'a'],
            &[0xc1],
            &[],
            &[0x92, 0xc4],
        ] {
            assert!(from_msgpack(&Type::list(Type::String), bad).is_err());
        }
        let deep: Vec<u8> = std::iter::repeat_n(0x91, 10_000).collect();
        let mut t = Type::String;
        for _ in 0..200 {
            t = Type::list(t);
        }
        assert!(from_msgpack(&t, &deep).is_err());
        assert!(
            from_msgpack(&Type::String, &[0xa0, 0x00])
                .unwrap_err()
                .message
                .contains("trailing")
        );
    }

    #[test]
    fn json_state_decodes_with_missing_attributes_as_null() {
        let j = serde_json::json!({"name": "p", "count": 3, "tags": ["a"], "legacy_id": "x"});
        assert!(from_json(&obj_type(), &j, UnknownAttributes::Reject).is_err());
        let v = from_json(&obj_type(), &j, UnknownAttributes::Ignore).unwrap();
        assert_eq!(v.get("on"), &Value::Null);
        assert_eq!(v.get("count"), &Value::int(3));
        assert_eq!(v.get("tags"), &Value::Set(vec![Value::from("a")]));
    }
}
