//! Reading `oslo-config-generator --format yaml|json` output into a registry.
//!
//! Placeholder: the importer is being written.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::opt::Registry;

/// Reads an opt-data file (YAML or JSON) into a registry.
pub fn read(path: &Path) -> Result<Registry, Vec<Diagnostic>> {
    let _ = path;
    Ok(Registry::new())
}
