//! The provider framework: types, values, paths, diagnostics, schemas and the plan pipeline.
