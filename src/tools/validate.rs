//! `stackauth validate`: every finding about a configuration, auth groups
//! included (oslo-config-validator skips `[keystone_authtoken]` because its
//! options depend on `auth_type`; stackauth validates it with the plugin's
//! schema).

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use crate::auth::{PluginRegistry, load_from_inputs};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::opt::normalize_group;
use crate::resolve::Loader;
use crate::source::Inputs;
use crate::source::Origin;

/// oslo-config-validator's default `--exclude-options`: options whose
/// value is expected to differ from the sample's (`--check-defaults`).
pub const DEFAULT_EXCLUDE_OPTIONS: &[&str] = &[
    ".*_ur(i|l)",
    ".*connection",
    "password",
    "username",
    "my_ip",
    "host(name)?",
    "glance_api_servers",
    "osapi_volume_listen",
    "osapi_compute_listen",
];

/// What to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidateOptions {
    /// Groups whose findings are dropped.
    pub exclude_groups: Vec<String>,
    /// The schema is a whole service's (`--opt-data`): a group it does not
    /// know is an error, and a required option without a value is a note,
    /// as oslo.config does not check those on load (services register them
    /// late or set their defaults in code). Otherwise (stackauth's own
    /// namespaces, a Rust application's registry) groups outside the schema
    /// are left alone, and a missing required option is an error, since
    /// the library fails on it.
    pub complete_schema: bool,
    /// Warn about every value that differs from the schema's default
    /// (oslo-config-validator's `--check-defaults`).
    pub check_defaults: bool,
    /// Regular expressions (matching a whole option name) of options that
    /// `check_defaults` skips.
    pub exclude_options: Vec<String>,
}

impl Default for ValidateOptions {
    fn default() -> ValidateOptions {
        ValidateOptions {
            exclude_groups: Vec::new(),
            complete_schema: false,
            check_defaults: false,
            exclude_options: DEFAULT_EXCLUDE_OPTIONS.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// Every finding, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// The findings.
    pub findings: Vec<Diagnostic>,
    /// The files that were read.
    pub files: Vec<PathBuf>,
    /// The schema the files were checked against (auth groups' plugin
    /// options included).
    pub registry: crate::opt::Registry,
}

impl Report {
    /// How many errors.
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// How many warnings.
    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// How many notes.
    pub fn notes(&self) -> usize {
        self.findings.iter().filter(|d| d.severity == Severity::Note).count()
    }

    /// The command's exit code: 0 clean (warnings allowed unless
    /// `fatal_warnings`), 1 errors, 2 a file could not be read.
    pub fn exit_code(&self, fatal_warnings: bool) -> u8 {
        if self.findings.iter().any(|d| d.is_error() && d.code == Code::Io) {
            2
        } else if self.errors() > 0 || (fatal_warnings && self.warnings() > 0) {
            1
        } else {
            0
        }
    }
}

/// The value the strongest layer gives `key` in `group`, as text.
fn raw(inputs: &Inputs, group: &str, keys: &[&str]) -> Option<String> {
    let layers: Vec<&crate::source::Layer> = inputs.layers().collect();
    layers
        .into_iter()
        .rev()
        .flat_map(|s| s.entries.iter().rev())
        .find(|e| {
            normalize_group(&e.group) == normalize_group(group) && keys.contains(&e.key.replace('-', "_").as_str())
        })
        .and_then(|e| e.value.scalar_text())
        .filter(|v| !v.is_empty())
}

/// Best effort: an option the plugin cannot add here is reported by the
/// auth load itself.
fn add_missing(reg: &mut crate::opt::Registry, group: &str, opts: Vec<crate::opt::Opt>) {
    let _ = reg.register_opts_if_absent(group, opts);
}

/// The registry with each written auth group's plugin options added (the
/// plugin read from the files' own `auth_type`, after `auth_section`), so
/// one resolution types and checks plugin options like any other, even
/// when something else in the configuration is broken.
fn with_plugin_options(
    registry: &crate::opt::Registry,
    sources: &Inputs,
    plugins: &PluginRegistry,
) -> (crate::opt::Registry, Vec<String>, Vec<(String, String)>) {
    use crate::auth::schema;
    let mut reg = registry.clone();
    let mut chosen = Vec::new();
    let written: BTreeSet<String> =
        sources.layers().flat_map(|s| s.groups.iter().map(|(g, _)| normalize_group(g))).collect();
    let auth_groups: Vec<String> = registry
        .groups()
        .filter(|g| g.opt("auth_type").is_some() && written.contains(&normalize_group(g.name())))
        .map(|g| g.name().to_owned())
        .collect();
    for g in &auth_groups {
        add_missing(&mut reg, g, schema::loading_opts());
        add_missing(&mut reg, g, schema::session_opts());
        add_missing(&mut reg, g, schema::adapter_opts());
        let target = raw(sources, g, &["auth_section"]).unwrap_or_else(|| g.clone());
        add_missing(&mut reg, &target, schema::loading_opts());
        let Some(ptype) = raw(sources, &target, &["auth_type", "auth_plugin"]).and_then(|n| plugins.get(&n).cloned())
        else {
            continue;
        };
        let mut options = ptype.options().to_vec();
        if ptype.name() == "v3multifactor" {
            let methods: Vec<String> = raw(sources, &target, &["auth_methods"])
                .map(|m| m.split(',').map(|x| x.trim().to_owned()).collect())
                .unwrap_or_default();
            let refs: Vec<&str> = methods.iter().map(String::as_str).collect();
            options = schema::v3multifactor_with(&refs).unwrap_or(options);
        }
        add_missing(&mut reg, &target, options);
        chosen.push((normalize_group(&target), ptype.name().to_owned()));
    }
    (reg, auth_groups, chosen)
}

/// The loader's registry plus the options of the auth plugins `inputs`
/// select (each auth group's `auth_type`, after `auth_section`), as the
/// service registers them when it loads its plugin: what `show` resolves
/// with, so a plugin's `username` and `password` are shown as the service
/// reads them instead of as unknown options. Reads nothing: resolve the
/// same `inputs` with it.
pub fn registry_with_auth_plugins(
    loader: &Loader<'_>,
    inputs: &Inputs,
    plugins: &PluginRegistry,
) -> crate::opt::Registry {
    with_plugin_options(loader.registry(), inputs, plugins).0
}

/// Findings only an auth load makes.
fn auth_level(d: &Diagnostic) -> bool {
    matches!(
        d.code,
        Code::MissingAuthType
            | Code::UnknownAuthType
            | Code::UnsupportedAuthType
            | Code::AuthSection
            | Code::AuthOption
            | Code::AdapterConflict
            | Code::LegacyAuth
            | Code::MissingRequired
    )
}

/// Validates the configuration `loader` reads against its registry, and
/// every auth group (a group whose schema has `auth_type`) against the
/// plugin `auth_type` selects.
///
/// Each source is read once: the plain resolution, every auth group's
/// load and the checks below all use the same [`Inputs`].
pub fn validate(loader: &Loader<'_>, plugins: &PluginRegistry, opts: &ValidateOptions) -> Report {
    let inputs = loader.read();
    let files = inputs.files().to_vec();
    let sources = &*inputs;
    let original = loader.registry();
    let (registry, auth_groups, chosen) = with_plugin_options(original, sources, plugins);
    let scoped = loader.with_registry(&registry);
    let loader = &scoped;
    let (snapshot, mut findings) = loader.resolve_lenient(&inputs);
    let broken = findings.iter().any(Diagnostic::is_error);
    if broken {
        // The auth load would stop at the same errors: build each plugin
        // from what did resolve, for its own checks (scope, domains...).
        for (target, name) in &chosen {
            let Some(ptype) = plugins.get(name) else { continue };
            let opts = crate::auth::PluginOptions::new(name, target, snapshot.group(target));
            if let Err(e) = ptype.build(&opts) {
                let mut d = crate::auth::load::plugin_error(e, &opts);
                if !ptype.is_supported() {
                    d.code = Code::UnsupportedAuthType;
                }
                // A missing value that failed to parse is already reported.
                if !findings
                    .iter()
                    .any(|x| x.is_error() && x.option == d.option && in_groups(x, std::slice::from_ref(target)))
                {
                    findings.push(d);
                }
            }
        }
    }
    for g in auth_groups.into_iter().filter(|_| !broken) {
        let auth_findings: Vec<Diagnostic> = match load_from_inputs(loader, &inputs, plugins, &g) {
            Ok(l) => l.snapshot.warnings().to_vec(),
            Err(e) => e.diagnostics().to_vec(),
        };
        for d in auth_findings.into_iter().filter(auth_level) {
            // The auth load's word on an option replaces the plain one
            // (it names the plugin that needs it).
            findings.retain(|x| !(x.code == d.code && x.group == d.group && x.option == d.option));
            findings.push(d);
        }
    }
    // The auth_token layer's own checks (a security strategy without its
    // key, memcached TLS or SASL), where keystonemiddleware's options are
    // in the schema.
    let km = crate::namespace::keystonemiddleware::GROUP;
    if !broken && registry.find(km, "memcache_security_strategy").is_some() {
        match crate::auth_token::AuthTokenConfig::from_snapshot(&snapshot, km) {
            Ok(c) => findings.extend(c.warnings),
            Err(e) => findings.extend(e.diagnostics().iter().cloned()),
        }
    }
    for d in findings.iter_mut().filter(|d| d.code == Code::MissingRequired) {
        let plugin = d.group.as_deref().and_then(|g| chosen.iter().find(|(cg, _)| *cg == normalize_group(g)));
        if let Some((_, name)) = plugin {
            d.message = format!("the {name} auth plugin needs this option, and it has no value");
        }
    }
    apply_schema_policy(&mut findings, loader.registry(), original, opts.complete_schema);
    if opts.check_defaults {
        findings.extend(non_defaults(sources, original, &opts.exclude_options));
    }
    findings.retain(|d| !in_groups(d, &opts.exclude_groups));
    let mut seen = HashSet::new();
    findings.retain(|d| seen.insert((d.code, d.origin.clone(), d.message.clone(), d.option.clone())));
    findings.sort_by_key(|d| match &d.origin {
        Some(Origin::File(l)) => {
            (0, files.iter().position(|f| f.as_path() == &*l.path).unwrap_or(usize::MAX), l.line, l.column)
        }
        Some(_) => (1, 0, 0, 0),
        None => (2, 0, 0, 0),
    });
    drop(scoped);
    Report { findings, files, registry }
}

fn in_groups(d: &Diagnostic, groups: &[String]) -> bool {
    d.group.as_deref().is_some_and(|g| groups.iter().any(|x| normalize_group(x) == normalize_group(g)))
}

/// What a finding means for the Python service, given how complete the
/// schema is (see [`ValidateOptions::complete_schema`]).
///
/// - An unknown option in a file, in a group the schema has, is an error:
///   the service ignores it, and oslo-config-validator fails on it.
/// - An unknown group is an error with a complete schema; with a partial
///   one it is none of the schema's business, unless it is a near miss of
///   a group the schema has (a warning).
/// - A required option of a complete schema without a value is a note.
pub fn apply_schema_policy(
    findings: &mut Vec<Diagnostic>,
    checked: &crate::opt::Registry,
    schema: &crate::opt::Registry,
    complete: bool,
) {
    findings.retain(|d| complete || d.code != Code::UnknownGroup || d.suggestion.is_some());
    if complete {
        required_as_notes(findings, schema);
    }
    for d in findings.iter_mut() {
        let in_file = matches!(d.origin, Some(Origin::File(_)));
        match d.code {
            Code::UnknownOption if in_file => {
                let known = d.group.as_deref().is_some_and(|g| checked.group(&normalize_group(g)).is_some());
                if known {
                    d.severity = Severity::Error;
                }
            }
            Code::UnknownGroup if complete && in_file => d.severity = Severity::Error,
            _ => {}
        }
    }
}

/// A required option of a service's opt-data (`schema`) that nothing sets
/// becomes a note: oslo.config checks required options only when they are
/// registered before the files are loaded, and services register such
/// options later or set their defaults in code (oslo.middleware's
/// `[oslo_middleware_tracing] service_name`). An auth plugin's required
/// option stays an error: keystoneauth fails on it.
pub fn required_as_notes(findings: &mut [Diagnostic], schema: &crate::opt::Registry) {
    for d in findings.iter_mut().filter(|d| d.code == Code::MissingRequired && d.is_error()) {
        let of_schema = match (&d.group, &d.option) {
            (Some(g), Some(o)) => schema.find(g, o).is_some_and(crate::opt::Opt::is_required),
            _ => false,
        };
        if of_schema && !d.message.contains("auth plugin") {
            *d = required_note(d);
        }
    }
}

/// The note for a required option of a service's opt-data that no source
/// sets.
fn required_note(d: &Diagnostic) -> Diagnostic {
    let mut n = Diagnostic::note(
        Code::MissingRequired,
        "required, and not set: oslo.config does not check this when it loads files (nor does \
         oslo-config-validator); the service sets it in code, or fails when it reads it",
    );
    n.group = d.group.clone();
    n.option = d.option.clone();
    n.origin = d.origin.clone();
    n.suggestion = d.suggestion.clone();
    n
}

/// oslo-config-validator's `--check-defaults`: a warning for each file
/// value of a registered option that differs from its default (compared as
/// typed values, not as text: `True` and `true` agree), except options
/// whose name matches one of `exclude` as a whole.
fn non_defaults(sources: &Inputs, schema: &crate::opt::Registry, exclude: &[String]) -> Vec<Diagnostic> {
    let patterns: Vec<regex_lite::Regex> =
        exclude.iter().filter_map(|p| regex_lite::Regex::new(&format!("^(?:{p})$")).ok()).collect();
    let mut out = Vec::new();
    for e in sources.file_layers.iter().flat_map(|s| s.entries.iter()) {
        let Some(opt) = schema.group(&normalize_group(&e.group)).and_then(|g| g.opt(&e.key)) else { continue };
        if opt.dest() != e.key || patterns.iter().any(|r| r.is_match(&e.key)) {
            continue;
        }
        let default = opt.default_text().map(|t| opt.parse(&crate::opt::RawValue::Str(t.to_owned())));
        let found = opt.parse(&e.value);
        let message = match (&default, &found) {
            (None, _) => "the schema has no default, and the file sets a value".to_owned(),
            (Some(Ok(d)), Ok(f)) if d == f => continue,
            (Some(_), Err(_)) => continue, // reported as invalid-value
            (Some(_), Ok(_)) if opt.is_secret() => "differs from the default".to_owned(),
            (Some(_), Ok(_)) => format!("differs from the default ({:?})", opt.default_text().unwrap_or_default()),
        };
        out.push(
            Diagnostic::warning(Code::NonDefault, message)
                .at(e.key_origin.clone())
                .option(&e.group, &e.key)
                .suggest("--exclude-options NAME_REGEX skips options meant to differ"),
        );
    }
    out
}
