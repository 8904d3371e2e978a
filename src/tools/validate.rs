//! `stackauth validate`: every finding about a configuration, auth groups
//! included (oslo-config-validator skips `[keystone_authtoken]` because its
//! options depend on `auth_type`; stackauth validates it with the plugin's
//! schema).

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use crate::auth::{PluginRegistry, load_from_group};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::opt::normalize_group;
use crate::resolve::{ConfigPath, Loader};
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

/// The files a loader reads, config dirs expanded, in order.
fn config_files(loader: &Loader<'_>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for p in loader.paths() {
        match p {
            ConfigPath::File(f) => files.push(f.clone()),
            ConfigPath::Dir(d) => files.extend(crate::source::dir_files(d).unwrap_or_default()),
        }
    }
    files
}

/// The groups that some file writes (normalized names).
fn written_groups(files: &[PathBuf]) -> BTreeSet<String> {
    files
        .iter()
        .filter_map(|f| crate::source::read(f).ok())
        .flat_map(|s| s.groups.into_iter().map(|(g, _)| normalize_group(&g)))
        .collect()
}

fn in_groups(d: &Diagnostic, groups: &[String]) -> bool {
    d.group.as_deref().is_some_and(|g| groups.iter().any(|x| normalize_group(x) == normalize_group(g)))
}

/// Validates the configuration `loader` reads against its registry, and
/// every auth group (a group whose schema has `auth_type`) against the
/// plugin `auth_type` selects.
pub fn validate(loader: &Loader<'_>, plugins: &PluginRegistry, opts: &ValidateOptions) -> Report {
    let files = config_files(loader);
    let mut findings = match loader.load() {
        Ok(s) => s.warnings().to_vec(),
        Err(e) => e.diagnostics().to_vec(),
    };
    let written = written_groups(&files);
    let auth_groups: Vec<String> = loader
        .registry()
        .groups()
        .filter(|g| g.opt("auth_type").is_some() && written.contains(&normalize_group(g.name())))
        .map(|g| g.name().to_owned())
        .collect();
    let syntax_broken = findings.iter().any(|d| d.is_error() && matches!(d.code, Code::Io | Code::IniSyntax | Code::TomlSyntax));
    if !syntax_broken {
        for g in auth_groups {
            let (auth_findings, scope) = match load_from_group(loader, plugins, &g) {
                Ok(l) => (l.snapshot.warnings().to_vec(), vec![g.clone(), l.auth_group.clone()]),
                Err(e) => (e.diagnostics().to_vec(), vec![g.clone()]),
            };
            // The plugin's options looked unknown before the plugin was
            // known: the auth load's findings replace the base ones there.
            findings.retain(|d| !in_groups(d, &scope));
            findings.extend(auth_findings.into_iter().filter(|d| in_groups(d, &scope) || d.group.is_none() && d.code != Code::Io));
        }
    }
    findings.retain(|d| !in_groups(d, &opts.exclude_groups));
    let mut seen = HashSet::new();
    findings.retain(|d| seen.insert((d.code, d.origin.clone(), d.message.clone(), d.option.clone())));
    findings.sort_by_key(|d| match &d.origin {
        Some(Origin::File(l)) => (0, files.iter().position(|f| f.as_path() == &*l.path).unwrap_or(usize::MAX), l.line, l.column),
        Some(_) => (1, 0, 0, 0),
        None => (2, 0, 0, 0),
    });
    Report { findings, files }
}
