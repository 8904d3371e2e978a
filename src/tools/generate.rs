//! `stackauth generate`: a commented sample configuration.
//!
//! Placeholder: the generator is being written.

use crate::opt::Registry;

/// The sample's format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SampleFormat {
    /// oslo-config-generator's INI layout.
    #[default]
    Ini,
    /// TOML.
    Toml,
    /// YAML, as `oslo-config-generator --format yaml`.
    Yaml,
    /// JSON, as `oslo-config-generator --format json`.
    Json,
}

/// What to generate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenerateOptions {
    /// The format.
    pub format: SampleFormat,
    /// Only required options and options without a default.
    pub minimal: bool,
    /// The `#:schema` URL or path written at the top of a TOML sample.
    pub schema_url: Option<String>,
}

/// A sample configuration for every option of `registry`.
pub fn sample(registry: &Registry, opts: &GenerateOptions) -> String {
    let _ = (registry, opts);
    String::new()
}
