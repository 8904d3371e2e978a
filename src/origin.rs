//! Where a value came from: a first-class part of every value.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A place in a file: 1-based line and column (columns count characters,
/// not bytes; a UTF-8 byte order mark is not counted). Line 0 means the
/// whole file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file.
    pub path: Arc<Path>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // The whole file (it could not be read, say).
            write!(f, "{}", self.path.display())
        } else {
            write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
        }
    }
}

/// Where a value came from, in precedence order from weakest to strongest:
/// a declared default, `set_default`, a file, the environment, the command
/// line, `set_override`.
///
/// ```
/// use stackauth::source::Origin;
/// let o = Origin::Env { var: "OS_KEYSTONE_AUTHTOKEN__AUTH_URL".into() };
/// assert_eq!(o.to_string(), "environment variable OS_KEYSTONE_AUTHTOKEN__AUTH_URL");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// The option's declared default.
    Default,
    /// A default set by the application at run time.
    SetDefault,
    /// A file, at the value's position.
    File(Location),
    /// An environment variable.
    Env {
        /// The variable's name.
        var: String,
    },
    /// A command-line argument.
    Cli {
        /// The argument as given, without its value (`--set g.o`).
        flag: String,
    },
    /// An override set by the application at run time.
    Override,
    /// A source an application added ([`crate::source::Source`]): a
    /// secret store, a remote file, a map of its own.
    Source {
        /// Where in that source, as the source describes it
        /// (`vault kv/glance password`, `etcd /glance/DEFAULT/debug`).
        name: String,
    },
    /// A secret store's value (OpenBao, a key manager): a secret whatever
    /// the option it sets is declared as, masked in `show` and in change
    /// logs, held as a [`crate::opt::Secret`].
    SecretStore {
        /// Where in that store (`openbao secret/glance key password,
        /// version 3`).
        name: String,
    },
}

impl Origin {
    /// The file location, when the value came from a file.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Origin::File(loc) => Some(loc),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::SetDefault => f.write_str("set_default"),
            Origin::File(loc) => loc.fmt(f),
            Origin::Env { var } => write!(f, "environment variable {var}"),
            Origin::Cli { flag } => write!(f, "command line {flag}"),
            Origin::Override => f.write_str("set_override"),
            Origin::Source { name } | Origin::SecretStore { name } => f.write_str(name),
        }
    }
}
