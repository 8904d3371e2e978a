//! Sources of option values: files (oslo-dialect INI, TOML), config dirs,
//! the environment, the command line, and any [`Source`] an application
//! adds. Every value keeps its [`Origin`]; each source is read once per
//! load into a [`Layer`], and a load's layers are its [`Inputs`].

mod cli;
mod env;
mod file;
pub mod ini;
mod inputs;
mod layer;
pub mod read;
mod search;
mod toml;
pub(crate) mod yaml;

use std::fmt;

pub use cli::CliOverride;
pub use env::Env;
pub use file::{FileSource, Format, dir_files, load_text, parse_ini, read};
pub use inputs::Inputs;
pub use layer::{ConfigDir, ConfigFile, InMemory, Layer, Precedence, Source, SourceRead};
pub use search::ConfigSearch;

/// Re-exported: every entry a source yields carries its origin.
pub use crate::origin::{Location, Origin};

use crate::opt::RawValue;

/// One assignment found in a source: group and key as written, the raw
/// value, and where the value and the key stand.
#[derive(Clone, PartialEq)]
pub struct Entry {
    /// The group as written.
    pub group: String,
    /// The key as written.
    pub key: String,
    /// The value, untyped.
    pub value: RawValue,
    /// Where the value is.
    pub origin: Origin,
    /// Where the key is (for "unknown option" findings).
    pub key_origin: Origin,
}

// The value may be a secret.
impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Entry([{}] {} = **** at {})", self.group, self.key, self.origin)
    }
}
