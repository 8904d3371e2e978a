//! `stackauth schema`: JSON Schema (draft 2020-12) for the TOML form.
//!
//! Placeholder: the schema writer is being written.

use crate::opt::Registry;

/// The JSON Schema of a registry's TOML form.
pub fn json_schema(registry: &Registry, title: &str) -> serde_json::Value {
    let _ = registry;
    serde_json::json!({ "title": title })
}
