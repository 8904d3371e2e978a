//! Sources behind one trait, each read once per load into an immutable
//! [`Layer`]: config files and dirs are implementations, and so is
//! anything an application adds (a secret store, a remote file, a map).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Entry, Origin};
use crate::diagnostic::Diagnostic;
use crate::opt::RawValue;

/// Where a source's values stand among the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Precedence {
    /// Below every config file, the environment and the command line, above
    /// `set_default`: where oslo.config's `config_source` drivers stand
    /// (`ConfigOpts._do_get` asks them only when no file, variable or
    /// argument set the option). Among several, the one added first wins,
    /// whole: a multi-valued option is not gathered across them.
    Fallback,
    /// With the config files, after every `--config-file` and
    /// `--config-dir`, in the order the sources were added: a later one
    /// beats an earlier one, and multi-valued options gather from all.
    File,
    /// With the `OS_<GROUP>__<OPT>` environment: above every file.
    Environment,
    /// With the command line: above the environment, below
    /// `set_override`.
    CommandLine,
}

/// What one read of one source gave: its assignments, in order, and the
/// group headers it has (an empty group still exists for `auth_section`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layer {
    /// The file this layer was read from, if any: listed by
    /// [`crate::snapshot::Snapshot::files`].
    pub file: Option<PathBuf>,
    /// Every group header, in order, with its position.
    pub groups: Vec<(String, Origin)>,
    /// Every assignment, in order.
    pub entries: Vec<Entry>,
    /// The file's permission bits (`0o640`) when it was read, on unix: a
    /// secret in a file every user can read is reported.
    pub mode: Option<u32>,
}

impl Layer {
    /// A layer of these entries, from no file.
    pub fn new(entries: Vec<Entry>) -> Layer {
        Layer { entries, ..Layer::default() }
    }
}

impl From<super::FileSource> for Layer {
    fn from(f: super::FileSource) -> Layer {
        Layer { file: Some(f.path.to_path_buf()), groups: f.groups, entries: f.entries, mode: None }
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode(_: &Path) -> Option<u32> {
    None
}

/// What reading a source gave: its layers (a config dir gives one per
/// file, weakest first) and every problem found. A source that could be
/// read in part gives both: what it read is used and the problems are
/// reported, so that one load finds every error.
#[derive(Clone, Debug, Default)]
pub struct SourceRead {
    /// The layers, weakest first.
    pub layers: Vec<Layer>,
    /// Config dirs read (listed by [`crate::snapshot::Snapshot::dirs`]).
    pub dirs: Vec<PathBuf>,
    /// Problems, each with its position.
    pub diagnostics: Vec<Diagnostic>,
}

impl SourceRead {
    /// One layer and no problem.
    pub fn layer(layer: Layer) -> SourceRead {
        SourceRead { layers: vec![layer], ..SourceRead::default() }
    }

    /// Nothing read, for these reasons.
    pub fn failed(diagnostics: Vec<Diagnostic>) -> SourceRead {
        SourceRead { diagnostics, ..SourceRead::default() }
    }
}

/// A source of option values. [`crate::Loader::source`] adds one; each
/// load calls [`read`](Source::read) exactly once and resolves every
/// option (the auth plugin's too, whose schema depends on `auth_type`)
/// from what that one read gave, so one snapshot never mixes two versions
/// of a source.
///
/// ```
/// use stackauth::{Loader, opt::{Opt, Registry}};
/// use stackauth::source::{Entry, Layer, Origin, Source, SourceRead};
///
/// /// Values an application holds itself (here: fixed).
/// struct Vault;
/// impl Source for Vault {
///     fn describe(&self) -> String { "vault kv/glance".into() }
///     fn read(&self) -> SourceRead {
///         let origin = Origin::Source { name: "vault kv/glance password".into() };
///         SourceRead::layer(Layer::new(vec![Entry::new("keystone_authtoken", "password", "s3cret", origin)]))
///     }
/// }
///
/// let mut registry = Registry::new();
/// registry.register_opt("keystone_authtoken", Opt::string("password").secret()).unwrap();
/// let snapshot = Loader::new(&registry).source(Vault).load().unwrap();
/// let password = snapshot.get("keystone_authtoken", "password").unwrap();
/// assert_eq!(password.origin.to_string(), "vault kv/glance password");
/// ```
pub trait Source: Send + Sync {
    /// What this source is, for messages (`config file /etc/x.conf`).
    fn describe(&self) -> String;

    /// Where its values stand (files by default).
    fn precedence(&self) -> Precedence {
        Precedence::File
    }

    /// Reads the source, once per load. Problems go in the result, each
    /// with its position and no secret.
    fn read(&self) -> SourceRead;
}

impl fmt::Debug for dyn Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Source({})", self.describe())
    }
}

/// One config file: INI, or TOML if its name ends in `.toml`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigFile(pub PathBuf);

impl Source for ConfigFile {
    fn describe(&self) -> String {
        format!("config file {}", self.0.display())
    }

    fn read(&self) -> SourceRead {
        match super::read(&self.0) {
            Ok(f) => SourceRead::layer(Layer { mode: mode(&self.0), ..f.into() }),
            Err(diagnostics) => SourceRead { layers: vec![Layer::file_only(&self.0)], diagnostics, dirs: Vec::new() },
        }
    }
}

impl Layer {
    /// A file that could not be read: no entries, but the file is listed.
    fn file_only(path: &Path) -> Layer {
        Layer { file: Some(path.to_path_buf()), ..Layer::default() }
    }
}

/// A config dir: its `*.conf` and `*.toml` files in name order, later ones
/// stronger, as oslo.config's `--config-dir`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigDir(pub PathBuf);

impl Source for ConfigDir {
    fn describe(&self) -> String {
        format!("config dir {}", self.0.display())
    }

    fn read(&self) -> SourceRead {
        let mut out = SourceRead { dirs: vec![self.0.clone()], ..SourceRead::default() };
        match super::dir_files(&self.0) {
            Ok(files) => {
                for f in files {
                    let mut one = ConfigFile(f).read();
                    out.layers.append(&mut one.layers);
                    out.diagnostics.append(&mut one.diagnostics);
                }
            }
            Err(e) => out.diagnostics.extend(e),
        }
        out
    }
}

/// Values an application holds itself, each with its origin: a map from
/// its own settings, values read from a store it already talks to.
#[derive(Clone, Default)]
pub struct InMemory {
    description: String,
    precedence: Option<Precedence>,
    entries: Arc<Vec<Entry>>,
}

impl InMemory {
    /// An empty source described as `description` in messages.
    pub fn new(description: impl Into<String>) -> InMemory {
        InMemory { description: description.into(), precedence: None, entries: Arc::default() }
    }

    /// Sets `group`.`key` to `value`, from `origin`.
    pub fn set(mut self, group: &str, key: &str, value: impl Into<String>, origin: Origin) -> InMemory {
        Arc::make_mut(&mut self.entries).push(Entry::new(group, key, value, origin));
        self
    }

    /// Puts these values at another precedence than the files'.
    pub fn precedence(mut self, p: Precedence) -> InMemory {
        self.precedence = Some(p);
        self
    }
}

// The values may be secrets.
impl fmt::Debug for InMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InMemory({}, {} values)", self.description, self.entries.len())
    }
}

impl Source for InMemory {
    fn describe(&self) -> String {
        self.description.clone()
    }

    fn precedence(&self) -> Precedence {
        self.precedence.unwrap_or(Precedence::File)
    }

    fn read(&self) -> SourceRead {
        SourceRead::layer(Layer::new(self.entries.to_vec()))
    }
}

impl Entry {
    /// An assignment of a text value, its key and value at `origin`.
    pub fn new(group: &str, key: &str, value: impl Into<String>, origin: Origin) -> Entry {
        Entry {
            group: group.to_owned(),
            key: key.to_owned(),
            value: RawValue::Str(value.into()),
            key_origin: origin.clone(),
            origin,
        }
    }
}
