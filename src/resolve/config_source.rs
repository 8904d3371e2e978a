//! oslo.config's `config_source`: `[DEFAULT] config_source` lists groups;
//! each group's `driver` option picks a [`SourceDriver`], which opens a
//! source from the group's other options. Those sources stand below every
//! file, variable and argument ([`Precedence::Fallback`]), the first named
//! winning, as in `ConfigOpts._load_alternative_sources` and `_do_get`.
//!
//! Where oslo.config logs a source that cannot be opened and goes on
//! without it, stackauth reports an error finding naming the group (and
//! the URL): a daemon must not start on half its configuration.

use std::collections::HashSet;
use std::sync::Arc;

use super::Loader;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::opt::{Opt, OptType, Registry, normalize_group};
use crate::snapshot::Snapshot;
use crate::source::{Inputs, Origin, Precedence, Source};

/// A `config_source` driver, as oslo.config's `ConfigurationSourceDriver`
/// (entry points in `oslo.config.driver`): `driver = NAME` in a group
/// named by `[DEFAULT] config_source` selects it. Register one with
/// [`Loader::config_source_driver`].
pub trait SourceDriver: Send + Sync {
    /// The name `driver = NAME` selects (`remote_file`).
    fn name(&self) -> &str;

    /// The options it reads from its group (oslo's
    /// `list_options_for_discovery`), `driver` aside.
    fn opts(&self) -> Vec<Opt>;

    /// A source from the group's resolved options (`values` has them in
    /// `group`), not read yet; or the finding that says why not, with no
    /// secret in it.
    fn open(&self, group: &str, values: &Snapshot) -> Result<Box<dyn Source>, Box<Diagnostic>>;
}

/// The option that lists the groups, as oslo.config registers it.
const OPTION: &str = "config_source";

/// Opens and reads every source `[DEFAULT] config_source` names, once each,
/// into `inputs` as fallback layers; every problem becomes a finding.
pub(super) fn read_into(loader: &Loader<'_>, inputs: &mut Arc<Inputs>) {
    if !mentioned(loader, inputs) {
        return;
    }
    let mut registry = Registry::new();
    let list = Opt::new(OPTION, OptType::list()).default("");
    // Cannot fail: a fresh registry.
    let _ = registry.register_opt("DEFAULT", list);
    let snap = loader.with_registry(&registry).resolve_lenient(inputs).0;
    let groups: Vec<String> = snap.get_as("DEFAULT", OPTION).ok().flatten().unwrap_or_default();
    let listed_at = snap.get("DEFAULT", OPTION).map(|r| r.origin.clone());
    drop(snap);
    if groups.is_empty() {
        return;
    }
    Arc::make_mut(inputs).source_groups = groups.iter().map(|g| normalize_group(g)).collect();
    // Each named group's `driver`, then each driver's own options.
    let mut with_driver = registry.clone();
    for g in &groups {
        let _ = with_driver.register_opt(g, Opt::string("driver"));
    }
    let drivers = loader.with_registry(&with_driver).resolve_lenient(inputs).0;
    let mut full = with_driver.clone();
    let mut chosen = Vec::new();
    let mut found = Vec::new();
    for g in &groups {
        let at = drivers.get(g, "driver").map(|r| r.origin.clone()).filter(|o| *o != Origin::Default);
        let name = drivers.get(g, "driver").and_then(|r| r.value.as_ref()).and_then(|v| v.as_str()).map(str::to_owned);
        let Some(name) = name else {
            found.push(
                Diagnostic::error(Code::InvalidValue, format!("config_source group [{g}] has no driver"))
                    .at(listed_at.clone().unwrap_or(Origin::Default))
                    .option(g, "driver")
                    .suggest(format!("set driver in [{g}] (one of: {})", known(loader))),
            );
            continue;
        };
        let Some(driver) = loader.drivers.iter().find(|d| d.name() == name) else {
            let mut d = Diagnostic::error(
                Code::InvalidValue,
                format!("config_source group [{g}]: no driver \"{name}\" in this program"),
            )
            .option(g, "driver")
            .suggest(format!("one of: {}", known(loader)));
            if let Some(o) = &at {
                d = d.at(o.clone());
            }
            found.push(d);
            continue;
        };
        let _ = full.register_opts(g, driver.opts());
        chosen.push((g.clone(), driver.clone()));
    }
    drop(drivers);
    if !chosen.is_empty() {
        let (values, diags) = loader.with_registry(&full).resolve_lenient(inputs);
        // Only what concerns the drivers' own options: everything else is
        // the main resolution's to report.
        let ours: HashSet<(String, String)> = chosen
            .iter()
            .flat_map(|(g, d)| d.opts().into_iter().map(move |o| (normalize_group(g), o.dest().to_owned())))
            .collect();
        // One error per option: a uri that is not http is not also
        // reported as missing.
        let mut seen = HashSet::new();
        found.extend(diags.into_iter().filter(|d| {
            d.severity == Severity::Error
                && match (&d.group, &d.option) {
                    (Some(g), Some(o)) => {
                        let key = (normalize_group(g), o.clone());
                        ours.contains(&key) && seen.insert(key)
                    }
                    _ => false,
                }
        }));
        // A group whose options are wrong is reported once, not opened.
        let wrong: HashSet<String> = found.iter().filter_map(|d| d.group.as_deref().map(normalize_group)).collect();
        let opened: Vec<Box<dyn Source>> = chosen
            .iter()
            .filter(|(g, _)| !wrong.contains(&normalize_group(g)))
            .filter_map(|(g, driver)| match driver.open(g, &values) {
                Ok(s) => Some(s),
                Err(d) => {
                    found.push(*d);
                    None
                }
            })
            .collect();
        drop(values);
        let inputs = Arc::make_mut(inputs);
        for s in &opened {
            inputs.add_at(&**s, Precedence::Fallback);
        }
    }
    if !found.is_empty() {
        Arc::make_mut(inputs).diagnostics.extend(found);
    }
}

/// The drivers registered, for messages.
fn known(loader: &Loader<'_>) -> String {
    if loader.drivers.is_empty() {
        return "none registered (Loader::config_source_driver)".to_owned();
    }
    loader.drivers.iter().map(|d| d.name().to_owned()).collect::<Vec<_>>().join(", ")
}

/// Whether anything sets `[DEFAULT] config_source`: most configs do not,
/// and then a load costs no resolution more.
fn mentioned(loader: &Loader<'_>, inputs: &Inputs) -> bool {
    let is = |group: &str, key: &str| key == OPTION && normalize_group(group) == "DEFAULT";
    inputs.layers().any(|l| l.entries.iter().any(|e| is(&e.group, &e.key)))
        || loader.env.get(&crate::source::Env::var_name("DEFAULT", OPTION)).is_some()
        || loader.cli.iter().any(|o| is(&o.group, &o.key))
        || loader
            .sourced
            .iter()
            .map(|(p, _)| p)
            .chain(&loader.overrides)
            .chain(&loader.defaults)
            .any(|p| is(&p.group, &p.key))
}
