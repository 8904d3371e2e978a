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
    /// [`Precedence::Fallback`] layers, in the order read (the first
    /// wins).
    pub(crate) fallback_layers: Vec<Layer>,
    pub(crate) file_layers: Vec<Layer>,
    /// The groups `[DEFAULT] config_source` named (normalized): their
    /// options are the loader's, never unknown.
    pub(crate) source_groups: Vec<String>,
    pub(crate) env_layers: Vec<Layer>,
    pub(crate) cli_layers: Vec<Layer>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl Inputs {
    /// Reads each source once, in order.
    pub fn read<'a>(sources: impl IntoIterator<Item = &'a dyn Source>) -> Arc<Inputs> {
        let mut inputs = Inputs::default();
        for s in sources {
            inputs.add(s);
        }
        Arc::new(inputs)
    }

    /// Reads one more source into these inputs (once).
    pub(crate) fn add(&mut self, s: &dyn Source) {
        self.add_at(s, s.precedence());
    }

    /// Reads one more source (once), at `precedence` whatever it says.
    pub(crate) fn add_at(&mut self, s: &dyn Source, precedence: Precedence) {
        let read = s.read();
        self.dirs.extend(read.dirs);
        self.diagnostics.extend(read.diagnostics);
        let to = match precedence {
            Precedence::Fallback => &mut self.fallback_layers,
            Precedence::File => &mut self.file_layers,
            Precedence::Environment => &mut self.env_layers,
            Precedence::CommandLine => &mut self.cli_layers,
        };
        for layer in read.layers {
            if let Some(f) = &layer.file {
                self.files.push(f.clone());
            }
            to.push(layer);
        }
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

    /// Every layer, weakest first: fallback sources (the last added
    /// first), files and file-precedence sources, then
    /// environment-precedence, then command-line-precedence sources.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.fallback_layers.iter().rev().chain(&self.file_layers).chain(&self.env_layers).chain(&self.cli_layers)
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
