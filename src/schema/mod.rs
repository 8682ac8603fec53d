//! The provider framework: types, values, paths, diagnostics, schemas and the plan pipeline.
//! It knows neither the wire (see `protocol`) nor Harbor (see `harbor`).

pub mod def;
pub mod diag;
pub mod identity;
pub mod model;
pub mod path;
pub mod plan;
pub mod resource;
pub mod value;

pub use def::{Attribute, Block, Nesting, Schema};
pub use diag::{Diagnostic, Diagnostics};
pub use path::AttributePath;
pub use value::{Type, Value};
