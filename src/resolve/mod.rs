//! Resolution: sources stacked by precedence, deprecated names, compound
//! legacy options, interpolation and typing, into one [`Snapshot`].
//!
//! Precedence, strongest first: `set_override` > command line >
//! environment > files (later beats earlier) > `set_default` > declared
//! default. Within one source an option's current name beats its deprecated
//! names; across sources the stronger source wins whichever name it used,
//! as in oslo.config (an old name in a later file beats the new name in an
//! earlier one; tests/tools/oslo_differential.rs checks it).

#[cfg(feature = "config-args")]
pub mod args;
mod build;
mod config_source;
mod finish;
mod interpolate;
mod layers;
mod plan;
mod suggest;

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use config_source::SourceDriver;
pub use suggest::did_you_mean;

use crate::diagnostic::{Diagnostic, Severity};
use crate::opt::{RawValue, Registry};
use crate::snapshot::Snapshot;
use crate::source::{CliOverride, ConfigDir, ConfigFile, Env, Inputs, Origin, Source};

/// A config file or config dir to read, in the order given.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigPath {
    /// One file.
    File(PathBuf),
    /// A directory whose `*.conf` and `*.toml` files are read in name order.
    Dir(PathBuf),
}

/// An override or default set by the application.
#[derive(Clone, PartialEq)]
pub(crate) struct Programmatic {
    pub group: String,
    pub key: String,
    pub value: RawValue,
}

/// Builds snapshots from a registry and a list of sources.
///
/// A load is two steps: [`read`](Loader::read) reads each source once into
/// [`Inputs`], and [`resolve`](Loader::resolve) builds the snapshot from
/// them, in memory, as often as a schema needs (auth loading resolves
/// again once `auth_type` says which plugin options exist). A loader can
/// be kept and asked to [`load`](Loader::load) again (a reload reads the
/// sources anew); deprecation warnings are logged once per loader and its
/// copies.
///
/// ```no_run
/// use stackauth::{Loader, opt::{Opt, OptType, Registry}, source::Env};
/// let mut registry = Registry::new();
/// registry.register_opt("DEFAULT", Opt::new("bind_port", OptType::port()).default("9292")).unwrap();
/// let snapshot = Loader::new(&registry)
///     .config_file("/etc/glance/glance-api.conf")
///     .config_dir("/etc/glance/glance-api.conf.d")
///     .env(Env::from_process())
///     .load()?;
/// let port: Option<u16> = snapshot.get_as("DEFAULT", "bind_port")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Loader<'r> {
    registry: RegistryRef<'r>,
    paths: Vec<ConfigPath>,
    /// Sources the application added, after the config paths.
    sources: Vec<Arc<dyn Source>>,
    /// Drivers for `[DEFAULT] config_source` groups, by name.
    drivers: Vec<Arc<dyn SourceDriver>>,
    env: Env,
    cli: Vec<CliOverride>,
    /// Values an application read itself (`--os-password`, `OS_PASSWORD`),
    /// each with its origin, at command-line precedence.
    sourced: Vec<(Programmatic, Origin)>,
    defaults: Vec<Programmatic>,
    overrides: Vec<Programmatic>,
    /// Shared with copies: one deprecated name warns once, however many
    /// resolutions see it.
    warned: Arc<Mutex<HashSet<(String, String)>>>,
}

/// A borrowed registry, or a shared one that a long-lived loader owns.
#[derive(Clone)]
enum RegistryRef<'r> {
    Borrowed(&'r Registry),
    Shared(std::sync::Arc<Registry>),
}

impl Loader<'static> {
    /// A loader that shares ownership of `registry`: one that can live as
    /// long as a daemon (a reloading config keeps one).
    pub fn shared(registry: std::sync::Arc<Registry>) -> Loader<'static> {
        Loader::with_ref(RegistryRef::Shared(registry))
    }
}

impl<'r> Loader<'r> {
    /// A loader for the options of `registry`, with no sources yet and an
    /// empty environment.
    pub fn new(registry: &'r Registry) -> Loader<'r> {
        Loader::with_ref(RegistryRef::Borrowed(registry))
    }

    fn with_ref(registry: RegistryRef<'r>) -> Loader<'r> {
        Loader {
            registry,
            paths: Vec::new(),
            sources: Vec::new(),
            drivers: Vec::new(),
            env: Env::empty(),
            cli: Vec::new(),
            sourced: Vec::new(),
            defaults: Vec::new(),
            overrides: Vec::new(),
            warned: Arc::default(),
        }
    }

    /// Adds a config file (INI, or TOML if it ends in `.toml`).
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.paths.push(ConfigPath::File(path.into()));
        self
    }

    /// Adds a config dir: its `*.conf` and `*.toml` files in name order.
    pub fn config_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.paths.push(ConfigPath::Dir(path.into()));
        self
    }

    /// Adds files and dirs in the order given.
    pub fn config_paths(mut self, paths: impl IntoIterator<Item = ConfigPath>) -> Self {
        self.paths.extend(paths);
        self
    }

    /// The config files and dirs as oslo.config takes them from a command
    /// line: `given` are the `--config-file`/`--config-dir` arguments in
    /// their order. With no `--config-file`, the search's default files
    /// are read first; with no `--config-dir`, its default dirs (those that
    /// exist) next; then `given`, in order: oslo.config's
    /// `_parse_config_files`.
    ///
    /// ```
    /// # use stackauth::{Loader, opt::Registry, resolve::ConfigPath, source::ConfigSearch};
    /// # let registry = Registry::new();
    /// let search = ConfigSearch::new(Some("glance"), &ConfigSearch::prog_name());
    /// let given: Vec<ConfigPath> = Vec::new(); // from --config-file / --config-dir
    /// let loader = Loader::new(&registry).oslo_config_paths(&search, given);
    /// ```
    pub fn oslo_config_paths(
        mut self,
        search: &crate::source::ConfigSearch,
        given: impl IntoIterator<Item = ConfigPath>,
    ) -> Self {
        let given: Vec<ConfigPath> = given.into_iter().collect();
        if !given.iter().any(|p| matches!(p, ConfigPath::File(_))) {
            self.paths.extend(search.config_files().into_iter().map(ConfigPath::File));
        }
        if !given.iter().any(|p| matches!(p, ConfigPath::Dir(_))) {
            self.paths.extend(search.config_dirs().into_iter().map(ConfigPath::Dir));
        }
        self.paths.extend(given);
        self
    }

    /// Adds a source: a secret store, a remote file, values the
    /// application holds. Sources of [`Precedence::File`](crate::source::Precedence)
    /// come after every config file and dir, in the order added; the
    /// others stand with the environment or the command line. Each load
    /// reads it once.
    pub fn source(mut self, source: impl Source + 'static) -> Self {
        self.sources.push(Arc::new(source));
        self
    }

    /// Adds a driver for oslo.config's `config_source`: a group named in
    /// `[DEFAULT] config_source` whose `driver` is `driver.name()` becomes
    /// a source, read after the files and standing below them
    /// ([`Precedence::Fallback`](crate::source::Precedence)), the first
    /// named winning. `stackauth::auth::RemoteFile` (feature `auth`) is
    /// oslo's `remote_file`. A group naming a driver the loader does not
    /// have, or a source that cannot be read, is an error finding.
    pub fn config_source_driver(mut self, driver: impl SourceDriver + 'static) -> Self {
        self.drivers.push(Arc::new(driver));
        self
    }

    /// Reads `OS_<GROUP>__<OPT>` variables from `env`.
    pub fn env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// Adds a command-line override (repeat it for multi-valued options).
    pub fn cli(mut self, o: CliOverride) -> Self {
        self.cli.push(o);
        self
    }

    /// Adds a value that the application read itself, with the origin it
    /// came from, at command-line precedence (it beats the environment and
    /// files, and loses to [`set_override`](Loader::set_override)).
    ///
    /// For front ends with their own flags: `stackauth::auth::cli` (feature `cli-loading`) gives
    /// `--os-password` as `Origin::Cli { flag: "--os-password" }` and
    /// `OS_PASSWORD` as `Origin::Env { var: "OS_PASSWORD" }`, so that every
    /// finding and explanation names the flag or variable actually used.
    ///
    /// ```
    /// use stackauth::{Loader, opt::{Opt, Registry}, source::Origin};
    /// let mut registry = Registry::new();
    /// registry.register_opt("cli", Opt::string("auth_url")).unwrap();
    /// let snap = Loader::new(&registry)
    ///     .value_from("cli", "auth_url", "http://k:5000/v3", Origin::Env { var: "OS_AUTH_URL".into() })
    ///     .load()
    ///     .unwrap();
    /// assert_eq!(snap.get("cli", "auth_url").unwrap().origin.to_string(), "environment variable OS_AUTH_URL");
    /// ```
    pub fn value_from(mut self, group: &str, key: &str, value: impl Into<String>, origin: Origin) -> Self {
        self.sourced.push((
            Programmatic { group: group.to_owned(), key: key.to_owned(), value: RawValue::Str(value.into()) },
            origin,
        ));
        self
    }

    /// Sets a default that beats the declared one but loses to every source.
    pub fn set_default(mut self, group: &str, key: &str, value: impl Into<String>) -> Self {
        self.defaults.push(Programmatic {
            group: group.to_owned(),
            key: key.to_owned(),
            value: RawValue::Str(value.into()),
        });
        self
    }

    /// Sets an override that beats every source.
    pub fn set_override(mut self, group: &str, key: &str, value: impl Into<String>) -> Self {
        self.overrides.push(Programmatic {
            group: group.to_owned(),
            key: key.to_owned(),
            value: RawValue::Str(value.into()),
        });
        self
    }

    /// The same sources, overrides and environment over another registry
    /// (auth loading adds a plugin's options once `auth_type` is known).
    pub fn with_registry<'s>(&self, registry: &'s Registry) -> Loader<'s> {
        self.copy_over(RegistryRef::Borrowed(registry))
    }

    /// Everything but the registry, copied.
    fn copy_over<'s>(&self, registry: RegistryRef<'s>) -> Loader<'s> {
        Loader {
            registry,
            paths: self.paths.clone(),
            sources: self.sources.clone(),
            drivers: self.drivers.clone(),
            env: self.env.clone(),
            cli: self.cli.clone(),
            sourced: self.sourced.clone(),
            defaults: self.defaults.clone(),
            overrides: self.overrides.clone(),
            warned: self.warned.clone(),
        }
    }

    /// The registry this loader resolves.
    pub fn registry(&self) -> &Registry {
        match &self.registry {
            RegistryRef::Borrowed(r) => r,
            RegistryRef::Shared(r) => r,
        }
    }

    /// A copy of this loader (sources, environment, overrides, registry).
    pub fn duplicate(&self) -> Loader<'r> {
        self.copy_over(self.registry.clone())
    }

    /// The files this loader reads, config dirs expanded, in order (a dir
    /// that cannot be listed adds nothing; `load` reports it).
    pub fn config_files(&self) -> Vec<PathBuf> {
        build::expand(&self.paths, &mut Vec::new()).0
    }

    /// The files and dirs this loader reads, in order.
    pub fn paths(&self) -> &[ConfigPath] {
        &self.paths
    }

    /// Reads every source and builds a snapshot. Every problem is found
    /// here, not on first access, and all of them come back at once.
    pub fn load(&self) -> Result<Snapshot, LoadError> {
        self.resolve(&self.read())
    }

    /// Reads every source and builds a snapshot even when there are
    /// errors (values that failed are unset), with every finding: for tools
    /// that must go on checking what they can, such as `validate`. A daemon
    /// wants [`Loader::load`].
    pub fn load_lenient(&self) -> (Snapshot, Vec<Diagnostic>) {
        self.resolve_lenient(&self.read())
    }

    /// Reads each source once: config files and dirs in order, then the
    /// added sources, then the sources `[DEFAULT] config_source` names
    /// ([`config_source_driver`](Loader::config_source_driver)). Nothing
    /// is resolved yet.
    pub fn read(&self) -> Arc<Inputs> {
        let paths: Vec<Box<dyn Source>> = self
            .paths
            .iter()
            .map(|p| -> Box<dyn Source> {
                match p {
                    ConfigPath::File(f) => Box::new(ConfigFile(f.clone())),
                    ConfigPath::Dir(d) => Box::new(ConfigDir(d.clone())),
                }
            })
            .collect();
        let mut inputs = Inputs::read(paths.iter().map(|b| &**b).chain(self.sources.iter().map(|s| &**s)));
        config_source::read_into(self, &mut inputs);
        inputs
    }

    /// Builds a snapshot from what [`read`](Loader::read) gave, with this
    /// loader's registry, environment and overrides: a pure function of
    /// them, so resolving the same inputs again gives the same snapshot.
    /// The snapshot keeps `inputs` ([`Snapshot::inputs`]).
    pub fn resolve(&self, inputs: &Arc<Inputs>) -> Result<Snapshot, LoadError> {
        let (snapshot, diags) = self.resolve_lenient(inputs);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(LoadError { diagnostics: diags });
        }
        Ok(snapshot)
    }

    /// [`resolve`](Loader::resolve), keeping going through errors, as
    /// [`load_lenient`](Loader::load_lenient).
    pub fn resolve_lenient(&self, inputs: &Arc<Inputs>) -> (Snapshot, Vec<Diagnostic>) {
        build::build_lenient(self, inputs)
    }

    /// Logs a deprecation warning unless this loader already has.
    fn warn_once(&self, key: (String, String), message: &str) {
        let first = self.warned.lock().map(|mut set| set.insert(key.clone())).unwrap_or(true);
        if first {
            tracing::warn!(group = %key.0, option = %key.1, "{message}");
        }
    }
}

/// Loading failed: every error found, with the warnings beside them.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    /// A failed load with these findings (at least one should be an error).
    pub fn new(diagnostics: Vec<Diagnostic>) -> LoadError {
        LoadError { diagnostics }
    }

    /// Errors and warnings, in the order found.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<&Diagnostic> = self.errors().collect();
        write!(f, "configuration has {} error{}", errors.len(), if errors.len() == 1 { "" } else { "s" })?;
        for e in errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}
