//! The result of loading: one immutable, typed, explainable snapshot.

#[cfg(feature = "config-rs")]
mod config_rs;
mod de;
mod sourced;

pub use de::Mismatch;
pub use sourced::Sourced;

use std::fmt;
use std::path::PathBuf;

use indexmap::IndexMap;

use crate::fxhash::FxBuild;
use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::opt::{MASK, Value, normalize_group};
use crate::source::Origin;

/// One option's resolved value and how it got there.
#[derive(Clone, PartialEq)]
pub struct Resolved {
    /// The typed value; `None` when the option has no default and no source
    /// set it (or set it to an empty number).
    pub value: Option<Value>,
    /// Where the value came from. For a multi-valued option read from
    /// several places, the last of them.
    pub origin: Origin,
    /// The deprecated name that supplied the value, if one did.
    pub deprecated: Option<DeprecatedUse>,
    /// For a value built from legacy options (`auth_host` + `auth_port` ...
    /// -> `identity_uri`): each part and where its value came from.
    pub compound: Vec<(String, Origin)>,
    /// Whether the option is secret (or the value interpolates a secret).
    pub secret: bool,
}

impl Resolved {
    /// The value for display: `****` for secrets, empty when unset.
    pub fn display_value(&self) -> String {
        match &self.value {
            None => String::new(),
            Some(_) if self.secret => MASK.to_owned(),
            Some(v) => v.to_string(),
        }
    }
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.secret && self.value.is_some() { &MASK } else { &self.value };
        f.debug_struct("Resolved")
            .field("value", value)
            .field("origin", &self.origin)
            .field("deprecated", &self.deprecated)
            .field("compound", &self.compound)
            .finish()
    }
}

/// A deprecated group/name that supplied a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeprecatedUse {
    /// The group it was written in.
    pub group: String,
    /// The name it was written as.
    pub name: String,
}

/// An assignment that no registered option claims. Kept (later tools
/// validate it, an auth plugin may claim it) and reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// The group as written.
    pub group: String,
    /// The key as written; `None` for an unknown group header.
    pub key: Option<String>,
    /// Where the key (or group header) is.
    pub origin: Origin,
}

/// The values of one group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupValues {
    name: String,
    opts: IndexMap<String, Resolved, FxBuild>,
}

impl GroupValues {
    /// The group's name as registered.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Each option's dest and resolved value, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Resolved)> {
        self.opts.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// One option, by dest or name.
    pub fn get(&self, name: &str) -> Option<&Resolved> {
        self.opts.get(name).or_else(|| self.opts.get(&name.replace('-', "_")))
    }
}

/// Why typed access failed. Never holds a secret's value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// No such group is registered.
    #[error("no group \"{0}\" is registered")]
    NoSuchGroup(String),
    /// No such option is registered in the group.
    #[error("no option \"{option}\" is registered in group \"{group}\"")]
    NoSuchOpt {
        /// The group.
        group: String,
        /// The option.
        option: String,
    },
    /// The group does not fit the requested Rust type, in a way no one
    /// option explains (a `deny_unknown_fields` struct, say).
    #[error("group \"{group}\": {message}")]
    Type {
        /// The group.
        group: String,
        /// What did not fit (secrets masked).
        message: String,
    },
    /// An option's value does not fit the requested Rust type: names the
    /// option, where its value came from, what was expected and found.
    #[error("{0}")]
    Mismatch(Box<Mismatch>),
    /// A struct field that is neither an `Option` nor `#[serde(default)]`
    /// names an option that has no value.
    #[error(
        "[{group}] {option}: not set (no default, and no source sets it); make the field an Option or #[serde(default)]"
    )]
    Unset {
        /// The group.
        group: String,
        /// The option's dest.
        option: String,
    },
}

/// Every registered option's typed value with its provenance, the
/// assignments nothing claimed, and the warnings found while loading.
///
/// A snapshot never changes; a reload builds a new one.
#[derive(Clone, Default, PartialEq)]
pub struct Snapshot {
    pub(crate) groups: IndexMap<String, GroupValues, FxBuild>,
    pub(crate) unknown: Vec<Unknown>,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) files: Vec<PathBuf>,
    pub(crate) dirs: Vec<PathBuf>,
    /// Every group any source wrote (normalized names).
    pub(crate) seen_groups: std::collections::BTreeSet<String>,
    /// What the load read, to resolve again without reading.
    pub(crate) inputs: KeptInputs,
}

/// The inputs a snapshot was resolved from. Not part of its value: two
/// snapshots with the same values, origins and findings are equal
/// whichever reads they came from.
#[derive(Clone, Default)]
pub(crate) struct KeptInputs(pub(crate) Option<std::sync::Arc<crate::source::Inputs>>);

impl PartialEq for KeptInputs {
    fn eq(&self, _: &KeptInputs) -> bool {
        true
    }
}

impl Snapshot {
    /// Inserts into the group whose normalized name is `norm` (no
    /// normalizing, and no allocation for the group once it exists).
    /// `size` is the number of options the group will hold.
    pub(crate) fn insert_normalized(&mut self, norm: &str, group: &str, dest: &str, resolved: Resolved, size: usize) {
        match self.groups.get_mut(norm) {
            Some(g) => {
                g.opts.insert(dest.to_owned(), resolved);
            }
            None => {
                let mut opts = IndexMap::with_capacity_and_hasher(size, FxBuild::default());
                opts.insert(dest.to_owned(), resolved);
                self.groups.insert(norm.to_owned(), GroupValues { name: group.to_owned(), opts });
            }
        }
    }

    #[cfg(feature = "reload")]
    pub(crate) fn insert(&mut self, group: &str, dest: &str, resolved: Resolved) {
        self.groups
            .entry(normalize_group(group))
            .or_insert_with(|| GroupValues { name: group.to_owned(), opts: IndexMap::default() })
            .opts
            .insert(dest.to_owned(), resolved);
    }

    /// A group's values.
    pub fn group(&self, name: &str) -> Option<&GroupValues> {
        // Most callers pass the registered spelling: skip the allocation
        // that normalizing costs.
        self.groups.get(name).or_else(|| self.groups.get(&normalize_group(name)))
    }

    /// Every group, in registration order.
    pub fn groups(&self) -> impl Iterator<Item = &GroupValues> {
        self.groups.values()
    }

    /// One option's resolved value and provenance.
    pub fn get(&self, group: &str, name: &str) -> Option<&Resolved> {
        self.group(group)?.get(name)
    }

    /// One option's typed value (`None` if unset or not registered).
    pub fn value(&self, group: &str, name: &str) -> Option<&Value> {
        self.get(group, name)?.value.as_ref()
    }

    /// One option's value as a Rust type, through serde:
    /// `snapshot.get_as::<u16>("DEFAULT", "bind_port")`. `Ok(None)` when
    /// the option is unset. An error names the option and where its value
    /// came from ([`AccessError::Mismatch`]); [`Sourced<T>`] keeps the
    /// origin of a value that fits.
    pub fn get_as<T: DeserializeOwned>(&self, group: &str, name: &str) -> Result<Option<T>, AccessError> {
        let g = self.group(group).ok_or_else(|| AccessError::NoSuchGroup(group.to_owned()))?;
        let r =
            g.get(name).ok_or_else(|| AccessError::NoSuchOpt { group: group.to_owned(), option: name.to_owned() })?;
        de::option_as(g, name, r).transpose()
    }

    /// A whole group as a `#[derive(Deserialize)]` struct: each field is an
    /// option's dest; unset options are absent (use `Option` or
    /// `#[serde(default)]`; a field that is neither gives
    /// [`AccessError::Unset`]); options the struct does not name are
    /// ignored. Secrets deserialize into [`crate::opt::Secret`] (or
    /// `String`, if the caller insists). No JSON in between: a value that
    /// does not fit gives [`AccessError::Mismatch`], naming the option and
    /// its origin, and a [`Sourced<T>`] field keeps its value's origin.
    ///
    /// ```
    /// use serde::Deserialize;
    /// use stackauth::opt::{Opt, OptType, Registry, Secret};
    /// use stackauth::{Loader, snapshot::AccessError};
    ///
    /// let mut registry = Registry::new();
    /// registry.register_opts("db", [
    ///     Opt::string("password").secret(),
    ///     Opt::new("pool_size", OptType::integer()).default("300"),
    ///     Opt::new("mode", OptType::string_choices(["fast", "safe"])).default("safe"),
    /// ]).unwrap();
    /// let snapshot = Loader::new(&registry).set_override("db", "password", "s3cr3t").load().unwrap();
    ///
    /// #[derive(Deserialize, Debug, PartialEq)]
    /// #[serde(rename_all = "lowercase")]
    /// enum Mode { Fast, Safe }
    /// #[derive(Deserialize)]
    /// struct Db { password: Secret, mode: Mode, #[serde(default)] timeout: Option<u32> }
    /// let db: Db = snapshot.group_as("db").unwrap();
    /// assert_eq!((db.password.expose(), db.mode, db.timeout), ("s3cr3t", Mode::Safe, None));
    ///
    /// #[derive(Deserialize, Debug)]
    /// struct Small { #[allow(dead_code)] pool_size: u8 }
    /// let err = snapshot.group_as::<Small>("db").unwrap_err();
    /// assert_eq!(err.to_string(), "default: [db] pool_size: expected u8 (0 to 255), found integer `300`");
    /// assert!(matches!(err, AccessError::Mismatch(_)));
    /// ```
    pub fn group_as<T: DeserializeOwned>(&self, group: &str) -> Result<T, AccessError> {
        de::group_as(self.group(group).ok_or_else(|| AccessError::NoSuchGroup(group.to_owned()))?)
    }

    /// Assignments that no registered option claims, in source order.
    pub fn unknown(&self) -> &[Unknown] {
        &self.unknown
    }

    /// Warnings found while loading (deprecated names, unknown options...).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The config files read, in order (config dirs expanded).
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Whether any source (a file's group header, an environment variable,
    /// an override) wrote group `name`.
    pub fn has_source_group(&self, name: &str) -> bool {
        self.seen_groups.contains(&normalize_group(name))
    }

    /// Keeps only the named groups (for display).
    #[cfg(feature = "tools")]
    pub(crate) fn retain_groups(&mut self, names: &[String]) {
        let keep: Vec<String> = names.iter().map(|n| normalize_group(n)).collect();
        self.groups.retain(|k, _| keep.contains(k));
        self.unknown.retain(|u| keep.contains(&normalize_group(&u.group)));
    }

    /// Adds findings (used by loaders built on this one, such as auth).
    #[cfg(feature = "auth")]
    pub(crate) fn push_warning(&mut self, d: Diagnostic) {
        self.warnings.push(d);
    }

    /// The config dirs read, in order.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// What the load that built this snapshot read, each source once: give
    /// it to [`crate::Loader::resolve`] (or auth's `load_from_inputs`) to
    /// resolve another schema from the very same versions of the files.
    /// `None` for a snapshot built by hand.
    pub fn inputs(&self) -> Option<&std::sync::Arc<crate::source::Inputs>> {
        self.inputs.0.as_ref()
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("groups", &self.groups)
            .field("unknown", &self.unknown)
            .field("warnings", &self.warnings.len())
            .finish()
    }
}
