//! `stackauth validate`: every finding about a configuration, auth groups
//! included (oslo-config-validator skips `[keystone_authtoken]` because its
//! options depend on `auth_type`; stackauth validates it with the plugin's
//! schema).

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use crate::auth::{PluginRegistry, load_from_group};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::opt::normalize_group;
use crate::resolve::Loader;
use crate::source::Origin;

/// What to check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidateOptions {
    /// Groups whose findings are dropped.
    pub exclude_groups: Vec<String>,
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

/// The last value each file gives `key` in `group`, as text.
fn raw(sources: &[crate::source::FileSource], group: &str, keys: &[&str]) -> Option<String> {
    sources
        .iter()
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
    sources: &[crate::source::FileSource],
    plugins: &PluginRegistry,
) -> (crate::opt::Registry, Vec<String>, Vec<(String, String)>) {
    use crate::auth::schema;
    let mut reg = registry.clone();
    let mut chosen = Vec::new();
    let written: BTreeSet<String> =
        sources.iter().flat_map(|s| s.groups.iter().map(|(g, _)| normalize_group(g))).collect();
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
pub fn validate(loader: &Loader<'_>, plugins: &PluginRegistry, opts: &ValidateOptions) -> Report {
    let files = loader.config_files();
    let sources: Vec<crate::source::FileSource> = files.iter().filter_map(|f| crate::source::read(f).ok()).collect();
    let (registry, auth_groups, chosen) = with_plugin_options(loader.registry(), &sources, plugins);
    let scoped = loader.with_registry(&registry);
    let loader = &scoped;
    let (snapshot, mut findings) = loader.load_lenient();
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
        let auth_findings: Vec<Diagnostic> = match load_from_group(loader, plugins, &g) {
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
        if let Err(e) = crate::auth_token::AuthTokenConfig::from_snapshot(&snapshot, km) {
            findings.extend(e.diagnostics().iter().cloned());
        }
    }
    for d in findings.iter_mut().filter(|d| d.code == Code::MissingRequired) {
        let plugin = d.group.as_deref().and_then(|g| chosen.iter().find(|(cg, _)| *cg == normalize_group(g)));
        if let Some((_, name)) = plugin {
            d.message = format!("the {name} auth plugin needs this option, and it has no value");
        }
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
