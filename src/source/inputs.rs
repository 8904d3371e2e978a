//! What one load read: every source's layers, each source read once.
//! Kept with the snapshot built from it, so that schemas that depend on a
//! value (the auth plugin's options depend on `auth_type`) resolve again
//! from the same text, never from a newer version of a file.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Layer, Precedence, Source};
use crate::diagnostic::Diagnostic;

/// Every layer one load read, by precedence, and the problems reading
/// found. Immutable: shared between the snapshots resolved from it.
#[derive(Clone, Default, PartialEq)]
pub struct Inputs {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) dirs: Vec<PathBuf>,
    pub(crate) file_layers: Vec<Layer>,
    pub(crate) env_layers: Vec<Layer>,
    pub(crate) cli_layers: Vec<Layer>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Inputs {
    /// Reads each source once, in order.
    pub fn read<'a>(sources: impl IntoIterator<Item = &'a dyn Source>) -> Arc<Inputs> {
        let mut inputs = Inputs::default();
        for s in sources {
            let read = s.read();
            inputs.dirs.extend(read.dirs);
            inputs.diagnostics.extend(read.diagnostics);
            let to = match s.precedence() {
                Precedence::File => &mut inputs.file_layers,
                Precedence::Environment => &mut inputs.env_layers,
                Precedence::CommandLine => &mut inputs.cli_layers,
            };
            for layer in read.layers {
                if let Some(f) = &layer.file {
                    inputs.files.push(f.clone());
                }
                to.push(layer);
            }
        }
        Arc::new(inputs)
    }

    /// The files read, in order (config dirs expanded), including those
    /// that could not be read.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The config dirs read, in order.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Every layer, weakest first: files and file-precedence sources, then
    /// environment-precedence, then command-line-precedence sources.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.file_layers.iter().chain(&self.env_layers).chain(&self.cli_layers)
    }

    /// Problems found while reading (a file that could not be read, a
    /// syntax error), each with its position.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

// Values may be secrets: counts only.
impl fmt::Debug for Inputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inputs")
            .field("files", &self.files)
            .field("dirs", &self.dirs)
            .field("layers", &self.layers().count())
            .field("diagnostics", &self.diagnostics.len())
            .finish()
    }
}
