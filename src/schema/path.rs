//! Attribute paths: where in a resource's value a diagnostic or a replacement applies.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Attr(String),
    /// An element of a map, by key.
    Key(String),
    /// An element of a list or tuple, by index.
    Index(i64),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttributePath(pub Vec<Step>);

impl AttributePath {
    pub fn root() -> Self {
        AttributePath(Vec::new())
    }
    pub fn attr(name: &str) -> Self {
        AttributePath(vec![Step::Attr(name.to_string())])
    }
    pub fn join_attr(&self, name: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Attr(name.to_string()));
        p
    }
    pub fn join_index(&self, i: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Index(i as i64));
        p
    }
    pub fn join_key(&self, k: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Step::Key(k.to_string()));
        p
    }
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

/// Rendered as HCL would address it: `permissions[0].access`, `headers["x"]`.
impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}
