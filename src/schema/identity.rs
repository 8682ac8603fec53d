//! Resource identity (protocol 6.9, Terraform 1.12+, OpenTofu 1.12+): the few attributes that
//! name one remote object, so `import` blocks can say `identity = { ... }` instead of a string id
//! and Terraform can follow an object across moves.
//!
//! Every resource here keeps an API path in its `id` attribute (`/projects/5/members/3`), so an
//! identity is declared as that path's template, `/projects/{project_id}/members/{member_id}`:
//! the placeholders are the identity's attributes, the identity of a state is read off its `id`,
//! and an identity given to import becomes the same path, which the resource's import already
//! accepts. One template, so the two directions cannot disagree.

use std::collections::BTreeMap;

use super::value::{Type, Value};

/// The type of one identity attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    /// A whole number (Harbor's numeric ids).
    Number,
    /// A string (UUIDs, names).
    String,
}

/// One placeholder of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityAttribute {
    pub name: String,
    pub kind: IdentityKind,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Slot(usize),
}

/// A resource's identity, as the template of its `id` path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityTemplate {
    parts: Vec<Part>,
    attributes: Vec<IdentityAttribute>,
    /// Bumped when the identity's shape changes; Terraform then asks for an upgrade.
    pub version: i64,
}

impl IdentityTemplate {
    /// Parses `"/projects/{project_id}"`. A placeholder is a number unless written
    /// `{name:string}`. Panics on a malformed template: templates are constants in the code,
    /// and a unit test per resource parses each one.
    pub fn path(template: &str) -> IdentityTemplate {
        let mut parts = Vec::new();
        let mut attributes: Vec<IdentityAttribute> = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .unwrap_or_else(|| panic!("identity template {template:?}: unclosed '{{'"));
            let slot = &rest[open + 1..close];
            let (name, kind) = match slot.split_once(':') {
                Some((n, "string")) => (n, IdentityKind::String),
                Some((n, "number")) => (n, IdentityKind::Number),
                Some(_) => panic!("identity template {template:?}: bad placeholder {slot:?}"),
                None => (slot, IdentityKind::Number),
            };
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "identity template {template:?}: attribute names are [a-z0-9_]"
            );
            assert!(
                !attributes.iter().any(|a| a.name == name),
                "identity template {template:?}: {name} appears twice"
            );
            assert!(
                !matches!(parts.last(), Some(Part::Slot(_))),
                "identity template {template:?}: two placeholders need a literal between them"
            );
            parts.push(Part::Slot(attributes.len()));
            attributes.push(IdentityAttribute {
                name: name.to_string(),
                kind,
                description: String::new(),
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        assert!(
            !attributes.is_empty(),
            "identity template {template:?} has no placeholder"
        );
        IdentityTemplate {
            parts,
            attributes,
            version: 0,
        }
    }

    /// Describes an attribute (markdown, shown in the docs and by Terraform).
    pub fn describe(mut self, name: &str, description: &str) -> Self {
        let a = self
            .attributes
            .iter_mut()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("identity has no attribute {name}"));
        a.description = description.to_string();
        self
    }

    pub fn attributes(&self) -> &[IdentityAttribute] {
        &self.attributes
    }

    /// The identity's object type.
    pub fn ty(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| {
                    let t = match a.kind {
                        IdentityKind::Number => Type::Number,
                        IdentityKind::String => Type::String,
                    };
                    (a.name.clone(), t)
                })
                .collect::<BTreeMap<_, _>>(),
        )
    }

    /// The identity of an object whose `id` is `path`, or `None` when the path does not fit
    /// the template (an object whose id is not known yet, or an older state's form).
    pub fn from_path(&self, path: &str) -> Option<Value> {
        let mut values: Vec<Option<Value>> = vec![None; self.attributes.len()];
        let mut rest = path;
        for (i, part) in self.parts.iter().enumerate() {
            match part {
                Part::Literal(l) => rest = rest.strip_prefix(l.as_str())?,
                Part::Slot(s) => {
                    // A slot runs to the next literal, or to the end.
                    let end = match self.parts.get(i + 1) {
                        Some(Part::Literal(l)) => rest.find(l.as_str())?,
                        _ => rest.len(),
                    };
                    let raw = &rest[..end];
                    if raw.is_empty() {
                        return None;
                    }
                    values[*s] = Some(match self.attributes[*s].kind {
                        IdentityKind::Number => {
                            let n: i64 = raw.parse().ok()?;
                            Value::from(n)
                        }
                        IdentityKind::String => {
                            if raw.contains('/') {
                                return None;
                            }
                            Value::from(raw)
                        }
                    });
                    rest = &rest[end..];
                }
            }
        }
        if !rest.is_empty() {
            return None;
        }
        Some(Value::object(
            self.attributes
                .iter()
                .zip(values)
                .map(|(a, v)| (a.name.clone(), v.unwrap_or(Value::Null))),
        ))
    }

    /// The `id` path an identity names, or an error naming the attribute that is missing or
    /// not of its type.
    pub fn to_path(&self, identity: &Value) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(l) => out.push_str(l),
                Part::Slot(s) => {
                    let a = &self.attributes[*s];
                    let v = identity.get(&a.name);
                    match a.kind {
                        IdentityKind::Number => match v.as_i64() {
                            Some(n) if n > 0 => out.push_str(&n.to_string()),
                            _ => {
                                return Err(format!(
                                    "`{}` must be a positive whole number (Harbor's id).",
                                    a.name
                                ));
                            }
                        },
                        IdentityKind::String => match v.as_str() {
                            Some(s) if !s.is_empty() && !s.contains('/') => out.push_str(s),
                            _ => {
                                return Err(format!(
                                    "`{}` must be a non-empty string without '/'.",
                                    a.name
                                ));
                            }
                        },
                    }
                }
            }
        }
        Ok(out)
    }

    /// The identity of a resource state, read off its `id` attribute.
    pub fn from_state(&self, state: &Value) -> Option<Value> {
        self.from_path(state.get("id").as_str()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_part_template_round_trips() {
        let t = IdentityTemplate::path("/projects/{project_id}/members/{member_id}");
        let id = t.from_path("/projects/5/members/31").unwrap();
        assert_eq!(id.get("project_id").as_i64(), Some(5));
        assert_eq!(id.get("member_id").as_i64(), Some(31));
        assert_eq!(t.to_path(&id).unwrap(), "/projects/5/members/31");
    }

    #[test]
    fn paths_that_do_not_fit_have_no_identity() {
        let t = IdentityTemplate::path("/projects/{project_id}");
        assert_eq!(t.from_path("/projects/"), None);
        assert_eq!(t.from_path("/projects/x"), None);
        assert_eq!(t.from_path("/projects/5/members/3"), None);
        assert_eq!(t.from_path("/robots/5"), None);
        assert_eq!(t.from_path("ci"), None);
    }

    #[test]
    fn string_slots_take_anything_but_a_slash() {
        let t = IdentityTemplate::path("/scanners/{registration_id:string}");
        let id = t.from_path("/scanners/0c7a-11").unwrap();
        assert_eq!(id.get("registration_id").as_str(), Some("0c7a-11"));
        assert_eq!(t.to_path(&id).unwrap(), "/scanners/0c7a-11");
        assert_eq!(t.from_path("/scanners/a/b"), None);
    }

    #[test]
    fn to_path_names_the_attribute_that_is_wrong() {
        let t = IdentityTemplate::path("/projects/{project_id}/members/{member_id}");
        let id = Value::object([("project_id", Value::from(5)), ("member_id", Value::Null)]);
        let err = t.to_path(&id).unwrap_err();
        assert!(err.contains("`member_id`"), "{err}");
        let id = Value::object([
            ("project_id", Value::from(0)),
            ("member_id", Value::from(1)),
        ]);
        assert!(t.to_path(&id).unwrap_err().contains("`project_id`"));
    }

    #[test]
    fn the_type_has_one_attribute_per_placeholder() {
        let t = IdentityTemplate::path("/a/{x}/b/{y:string}");
        let Type::Object(attrs) = t.ty() else {
            panic!("not an object")
        };
        assert_eq!(attrs.get("x"), Some(&Type::Number));
        assert_eq!(attrs.get("y"), Some(&Type::String));
        assert_eq!(attrs.len(), 2);
    }

    #[test]
    #[should_panic(expected = "no placeholder")]
    fn a_template_without_placeholders_is_refused() {
        IdentityTemplate::path("/system/gc");
    }
}
