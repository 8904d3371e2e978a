//! One load: read sources, pick each option's value, interpolate, type,
//! check, and report.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::layers::{Layer, Layers, Name, Rank, normalize_key};
use super::plan::Plan;
use super::suggest::did_you_mean;
use super::{ConfigPath, Loader};
use crate::diagnostic::{Code, Diagnostic};
use crate::fxhash::FxHashSet;
use crate::opt::{Compound, Opt, RawValue, Registry, normalize_group};
use crate::snapshot::{DeprecatedUse, KeptInputs, Snapshot, Unknown};
use crate::source::{self, Entry, Env, Inputs, Origin};

/// The value chosen for one option before interpolation and typing.
#[derive(Clone)]
pub(super) struct Pick {
    /// Each raw value with its origin (one, unless multi-valued).
    pub(super) items: Vec<(RawValue, Origin)>,
    pub(super) rank: Rank,
    pub(super) deprecated: Option<DeprecatedUse>,
    pub(super) compound: Vec<(String, Origin)>,
}

/// A registered option and where its pick is.
pub(super) struct Slot<'a> {
    pub(super) group: &'a str,
    pub(super) opt: &'a Opt,
    pub(super) pick: Option<Arc<Pick>>,
}

pub(super) struct Build<'a> {
    pub(super) loader: &'a Loader<'a>,
    pub(super) registry: &'a Registry,
    pub(super) layers: Layers<'a>,
    pub(super) diags: Vec<Diagnostic>,
    /// What the registry alone decides (names, index, variables).
    pub(super) plan: Arc<Plan>,
    /// What the load read.
    pub(super) inputs: &'a Inputs,
    /// Entries that some option, deprecated name or legacy part claimed.
    pub(super) claimed: FxHashSet<(usize, usize)>,
    pub(super) slots: Vec<Slot<'a>>,
    /// Every group header of every file, for unknown-group findings.
    pub(super) headers: Vec<(String, Origin)>,
    pub(super) unknown: Vec<Unknown>,
}

/// How many unknown groups and options of one load get a "did you mean".
const MAX_SUGGESTIONS: usize = 1000;

/// Builds a snapshot from `inputs` whatever the errors (a value that
/// failed is unset) and returns it with every finding; the snapshot's own
/// warnings are the findings. Reads nothing.
pub(super) fn build_lenient(loader: &Loader<'_>, inputs: &Arc<Inputs>) -> (Snapshot, Vec<Diagnostic>) {
    let diags = inputs.diagnostics.clone();
    let headers: Vec<(String, Origin)> = inputs.layers().flat_map(|l| l.groups.iter().cloned()).collect();
    let mut seen_groups: std::collections::BTreeSet<String> = headers.iter().map(|(g, _)| normalize_group(g)).collect();
    let plan = Plan::of(loader.registry());
    let layers = make_layers(loader, &plan, inputs);
    let mut b = Build {
        loader,
        registry: loader.registry(),
        plan,
        inputs,
        layers: Layers::new(layers),
        diags,
        claimed: FxHashSet::default(),
        slots: Vec::with_capacity(loader.registry().len()),
        headers,
        unknown: Vec::new(),
    };
    b.diags.extend(env_differences(&b.layers.layers));
    seen_groups.extend(b.layers.layers.iter().flat_map(|l| l.entries.iter().map(|e| normalize_group(&e.group))));
    b.pick_all();
    b.report_unknown();
    let mut snapshot = Snapshot {
        files: inputs.files.clone(),
        dirs: inputs.dirs.clone(),
        seen_groups,
        inputs: KeptInputs(Some(inputs.clone())),
        ..Snapshot::default()
    };
    b.finish(&mut snapshot);
    snapshot.unknown = std::mem::take(&mut b.unknown);
    // Report in the order a reader meets things: file by file, line by line;
    // then the environment and the command line.
    let files_order: HashMap<&std::path::Path, usize> =
        snapshot.files.iter().enumerate().map(|(i, f)| (f.as_path(), i)).collect();
    b.diags.sort_by_key(|d| match d.origin.as_ref() {
        Some(Origin::File(loc)) => {
            (0, files_order.get(&*loc.path).copied().unwrap_or(usize::MAX), loc.line, loc.column)
        }
        Some(_) => (1, 0, 0, 0),
        None => (2, 0, 0, 0),
    });
    snapshot.warnings = b.diags.clone();
    (snapshot, b.diags)
}

/// The files to read, config dirs expanded in place, and the dirs; a dir
/// that cannot be listed is a finding in `diags`.
pub(super) fn expand(paths: &[ConfigPath], diags: &mut Vec<Diagnostic>) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for p in paths {
        match p {
            ConfigPath::File(f) => files.push(f.clone()),
            ConfigPath::Dir(d) => {
                dirs.push(d.clone());
                match source::dir_files(d) {
                    Ok(found) => files.extend(found),
                    Err(e) => diags.extend(e),
                }
            }
        }
    }
    (files, dirs)
}

/// Stacks the sources weakest first: the read layers borrowed, the
/// environment and the application's values made here.
fn make_layers<'a>(loader: &Loader<'_>, plan: &Plan, inputs: &'a Inputs) -> Vec<Layer<'a>> {
    let programmatic = |list: &[super::Programmatic], origin: Origin| -> Cow<'a, [Entry]> {
        list.iter()
            .map(|p| Entry {
                group: p.group.clone(),
                key: p.key.clone(),
                value: p.value.clone(),
                origin: origin.clone(),
                key_origin: origin.clone(),
            })
            .collect::<Vec<_>>()
            .into()
    };
    let mut layers =
        vec![Layer { rank: Rank::SetDefault, entries: programmatic(&loader.defaults, Origin::SetDefault) }];
    // Weakest first: the last fallback source added is the weakest.
    for (i, l) in inputs.fallback_layers.iter().rev().enumerate() {
        layers.push(Layer { rank: Rank::Source(i), entries: Cow::Borrowed(&l.entries) });
    }
    for (i, f) in inputs.file_layers.iter().enumerate() {
        layers.push(Layer { rank: Rank::File(i), entries: Cow::Borrowed(&f.entries) });
    }
    layers.push(Layer { rank: Rank::Env, entries: env_entries(loader.registry(), plan, &loader.env).into() });
    for l in &inputs.env_layers {
        layers.push(Layer { rank: Rank::Env, entries: Cow::Borrowed(&l.entries) });
    }
    let cli: Vec<Entry> = loader
        .cli
        .iter()
        .map(|o| {
            let origin = Origin::Cli { flag: o.flag() };
            Entry {
                group: o.group.clone(),
                key: o.key.clone(),
                value: RawValue::Str(o.value.clone()),
                origin: origin.clone(),
                key_origin: origin,
            }
        })
        .chain(loader.sourced.iter().map(|(p, origin)| Entry {
            group: p.group.clone(),
            key: p.key.clone(),
            value: p.value.clone(),
            origin: origin.clone(),
            key_origin: origin.clone(),
        }))
        .collect();
    for l in &inputs.cli_layers {
        layers.push(Layer { rank: Rank::Cli, entries: Cow::Borrowed(&l.entries) });
    }
    layers.push(Layer { rank: Rank::Cli, entries: cli.into() });
    layers.push(Layer { rank: Rank::Override, entries: programmatic(&loader.overrides, Origin::Override) });
    layers
}

/// A finding for each multi-valued option set from the environment: a
/// deliberate difference (README.md), since oslo.config splits such a
/// variable into characters.
fn env_differences(layers: &[Layer<'_>]) -> Vec<Diagnostic> {
    layers
        .iter()
        .filter(|l| l.rank == Rank::Env)
        .flat_map(|l| l.entries.iter())
        .filter(|e| matches!(e.value, RawValue::Array(_)))
        .map(|e| {
            Diagnostic::warning(
                Code::OsloDifference,
                "oslo.config splits a multi-valued option's environment variable into single characters; \
                 stackauth splits it at commas, so the Python service reads another value",
            )
            .at(e.origin.clone())
            .option(&e.group, &e.key)
            .suggest("set a multi-valued option in a config file for a Python service")
        })
        .collect()
}

/// `OS_<GROUP>__<DEST>` for every registered option, in registration
/// order. A multi-valued option takes a comma-separated list (oslo.config
/// splits it into characters).
fn env_entries(registry: &Registry, plan: &Plan, env: &Env) -> Vec<Entry> {
    let mut found: Vec<(usize, &str, &str)> = env
        .option_vars()
        .filter_map(|(_, _, var)| Some((plan.env.get(var)?, var, env.get(var)?)))
        .flat_map(|(slots, var, v)| slots.iter().map(move |s| (*s, var, v)))
        .collect();
    found.sort_unstable_by_key(|(slot, _, _)| *slot);
    let mut out = Vec::with_capacity(found.len());
    for (slot, var, v) in found {
        let dest = &plan.names[slot][0].1;
        let Some(g) = registry.group(&plan.group[slot]) else { continue };
        let Some(o) = g.opt(dest) else { continue };
        let value = if o.is_multi() {
            RawValue::Array(v.split(',').map(|s| RawValue::Str(s.trim().to_owned())).collect())
        } else {
            RawValue::Str(v.to_owned())
        };
        let origin = Origin::Env { var: var.to_owned() };
        out.push(Entry {
            group: g.name().to_owned(),
            key: dest.clone(),
            value,
            origin: origin.clone(),
            key_origin: origin,
        });
    }
    out
}

fn deprecation_message(old: &Name, new_group: &str, new: &str) -> String {
    format!(
        "Option \"{}\" from group \"{}\" is deprecated. Use option \"{new}\" from group \"{new_group}\".",
        old.1, old.0
    )
}

impl<'a> Build<'a> {
    /// Picks a value for every registered option.
    fn pick_all(&mut self) {
        let registry = self.registry;
        let plan = self.plan.clone();
        // The options some entry names: the others take their declared
        // default without a look at the layers (the cost follows the
        // entries, not the options registered).
        let mut written = vec![false; plan.names.len()];
        for name in self.layers.names() {
            for &slot in plan.by_any_name.get(name).into_iter().flatten() {
                written[slot] = true;
            }
        }
        for g in registry.groups() {
            for opt in g.opts() {
                let slot = self.slots.len();
                let picked = if written[slot] { self.pick(g.name(), opt, &plan.names[slot]) } else { None };
                let pick = match picked {
                    Some(p) => Some(Arc::new(p)),
                    // The declared default: the same for every load.
                    None => plan.default_pick[slot].clone(),
                };
                self.slots.push(Slot { group: g.name(), opt, pick });
            }
            for c in g.compounds() {
                self.apply_compound(g.name(), c);
            }
        }
    }

    fn pick(&mut self, group: &str, opt: &Opt, names: &[Name]) -> Option<Pick> {
        // Claim every entry under any of the names, and warn for every use
        // of a deprecated one. Most options are set nowhere: this one
        // lookup per name finds that.
        let mut written = false;
        for (ni, name) in names.iter().enumerate() {
            for &pos in self.layers.positions(name) {
                written = true;
                self.claimed.insert(pos);
                if ni > 0 {
                    let e = self.layers.entry(pos);
                    let msg = deprecation_message(name, group, opt.dest());
                    self.loader.warn_once(name.clone(), &msg);
                    self.diags.push(
                        Diagnostic::warning(Code::DeprecatedName, msg)
                            .at(e.key_origin.clone())
                            .option(&e.group, &e.key)
                            .suggest(format!("rename it to \"{}\" in group [{group}]", opt.dest())),
                    );
                }
            }
        }
        let mut pick: Option<Pick> = None;
        for li in (0..self.layers.layers.len()).rev().filter(|_| written) {
            let rank = self.layers.layers[li].rank;
            let Some(ni) = names.iter().position(|n| self.layers.in_layer(n, li).next().is_some()) else {
                continue;
            };
            // oslo.config asks a config_source for the option's dest only.
            if ni > 0 && matches!(rank, Rank::Source(_)) {
                continue;
            }
            if ni == 0 {
                self.warn_shadowed(names, li, opt.dest());
            }
            if !opt.is_multi() && matches!(rank, Rank::File(_)) {
                self.warn_overwritten(group, opt.dest(), &names[ni], li);
            }
            let deprecated = (ni > 0).then(|| DeprecatedUse { group: names[ni].0.clone(), name: names[ni].1.clone() });
            // A single-valued option takes the last; only that is copied
            // (a file may set it a million times).
            let found = self.layers.in_layer(&names[ni], li).map(|(_, e)| (e.value.clone(), e.origin.clone()));
            let items: Vec<(RawValue, Origin)> =
                if opt.is_multi() { found.collect() } else { found.last().into_iter().collect() };
            match (&mut pick, rank) {
                // Multi-valued options gather every file, as oslo.config.
                (Some(p), Rank::File(_)) if opt.is_multi() && matches!(p.rank, Rank::File(_)) => {
                    let mut all = items;
                    all.append(&mut p.items);
                    p.items = all;
                }
                (Some(_), _) => break,
                (None, _) => {
                    pick = Some(Pick { items, rank, deprecated, compound: Vec::new() });
                    if !opt.is_multi() || !matches!(rank, Rank::File(_)) {
                        break;
                    }
                }
            }
        }
        if let (Some(p), Some(removal)) = (&pick, opt.removal()) {
            if p.rank > Rank::Default {
                let mut msg = format!("option \"{}\" is deprecated for removal", opt.dest());
                if let Some(since) = &removal.since {
                    msg.push_str(&format!(" since {since}"));
                }
                let d = Diagnostic::warning(Code::DeprecatedForRemoval, msg)
                    .at(p.items.last().map_or(Origin::Default, |i| i.1.clone()))
                    .option(group, opt.dest());
                self.diags.push(match &removal.reason {
                    Some(r) => d.suggest(r.clone()),
                    None => d,
                });
            }
        }
        pick
    }

    /// Warns about earlier assignments of a single-valued option in one
    /// file that a later one with a different value overrides (a group
    /// repeated further down, say): legal, as in oslo.config, but rarely
    /// meant.
    fn warn_overwritten(&mut self, group: &str, dest: &str, name: &Name, li: usize) {
        let found: Vec<&Entry> = self.layers.in_layer(name, li).map(|(_, e)| e).collect();
        let Some(last) = found.last() else { return };
        let line = last.origin.location().map_or(0, |l| l.line);
        let mut warnings = Vec::new();
        for e in &found[..found.len() - 1] {
            if e.value != last.value {
                warnings.push(
                    Diagnostic::warning(
                        Code::DuplicateOption,
                        format!("ignored: set again with another value at line {line} of the same file, which wins"),
                    )
                    .at(e.origin.clone())
                    .option(group, dest)
                    .suggest("keep one assignment".to_owned()),
                );
            }
        }
        self.diags.extend(warnings);
    }

    /// Warns about deprecated names that the current name shadows in the
    /// same source.
    fn warn_shadowed(&mut self, names: &[Name], li: usize, dest: &str) {
        for old in &names[1..] {
            let shadowed: Vec<Origin> = self.layers.in_layer(old, li).map(|(_, e)| e.key_origin.clone()).collect();
            for origin in shadowed {
                self.diags.push(
                    Diagnostic::warning(
                        Code::ShadowedDeprecatedName,
                        format!("ignored: \"{dest}\" is also set in the same source and takes precedence"),
                    )
                    .at(origin)
                    .option(&old.0, &old.1)
                    .suggest(format!("remove \"{}\"", old.1)),
                );
            }
        }
    }

    /// Builds a compound option's value from its legacy parts when a part
    /// comes from a stronger source than the option itself.
    fn apply_compound(&mut self, group: &str, c: &Compound) {
        let g = normalize_group(group);
        let Some(&slot) = self.plan.by_name.get(&(g.clone(), normalize_key(&c.target))) else { return };
        let target_rank = self.slots[slot].pick.as_ref().map_or(Rank::Default, |p| p.rank);
        let mut found: HashMap<&str, (Rank, Entry)> = HashMap::new();
        for part in &c.parts {
            let name = (g.clone(), normalize_key(&part.name));
            let positions: Vec<(usize, usize)> = self.layers.positions(&name).to_vec();
            for pos in positions {
                self.claimed.insert(pos);
                let e = self.layers.entry(pos).clone();
                let msg = deprecation_message(&name, group, &c.target);
                self.loader.warn_once(name.clone(), &msg);
                let mut d =
                    Diagnostic::warning(Code::DeprecatedName, msg).at(e.key_origin.clone()).option(&e.group, &e.key);
                if let Some(r) = &c.reason {
                    d = d.suggest(r.clone());
                }
                self.diags.push(d);
                found.insert(&part.name, (self.layers.layers[pos.0].rank, e));
            }
        }
        let Some(parts_rank) = found.values().map(|(r, _)| *r).max() else { return };
        if parts_rank <= target_rank {
            return;
        }
        let mut ok = true;
        let mut texts: HashMap<&str, String> = HashMap::new();
        let mut provenance = Vec::new();
        for part in &c.parts {
            let (text, origin) = match found.get(part.name.as_str()) {
                Some((_, e)) => (e.value.scalar_text().unwrap_or_default(), e.origin.clone()),
                None => (part.default.clone(), Origin::Default),
            };
            if let Err(why) = part.opt_type.parse_str(&text) {
                ok = false;
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("invalid {}: {why} (found {text:?})", part.opt_type.type_name()),
                    )
                    .at(origin.clone())
                    .option(group, &part.name),
                );
            }
            texts.insert(&part.name, text);
            provenance.push((part.name.clone(), origin));
        }
        if !ok {
            return;
        }
        let value = c.render(|name| texts.get(name).cloned().unwrap_or_default());
        let origin = found.values().max_by_key(|(r, _)| *r).map_or(Origin::Default, |(_, e)| e.origin.clone());
        self.slots[slot].pick = Some(Arc::new(Pick {
            items: vec![(RawValue::Str(value), origin)],
            rank: parts_rank,
            deprecated: None,
            compound: provenance,
        }));
    }

    /// Reports what nothing claimed: an unknown group once per header, an
    /// unknown option once per assignment, an override of an unknown option
    /// as an error.
    fn report_unknown(&mut self) {
        let registry = self.registry;
        // Groups whose options are known (by their own or a deprecated
        // group name): an option in any other group (`[DEFAULT]` too, when
        // no option of it is registered) is none of this schema's business.
        // Known groups: those, and [DEFAULT], which always exists, as in
        // oslo.config.
        let plan = self.plan.clone();
        let (registered, known_groups) = (&plan.registered, &plan.known_groups);
        let group_names: Vec<&str> = registry.groups().map(|g| g.name()).collect();
        // Suggestions for the first MAX_SUGGESTIONS unknown names only: a
        // file with a hundred thousand of them is not a typo, and each
        // suggestion compares the name with every option of the group.
        let suggestions = std::cell::Cell::new(0usize);
        let suggest = |word: &str, candidates: &mut dyn Iterator<Item = &str>| {
            suggestions.set(suggestions.get() + 1);
            if suggestions.get() > MAX_SUGGESTIONS { None } else { did_you_mean(word, candidates).map(str::to_owned) }
        };
        let suggest_group =
            |g: &str| suggest(g, &mut group_names.iter().copied()).map(|s| format!("did you mean [{s}]?"));
        // config_source and its groups are the loader's own options.
        let consumed = |group: &str, key: Option<&str>| {
            let g = normalize_group(group);
            self.inputs.source_groups.contains(&g) || (g == "DEFAULT" && key == Some("config_source"))
        };
        for (group, origin) in std::mem::take(&mut self.headers) {
            if !known_groups.contains(&normalize_group(&group)) && !consumed(&group, None) {
                let mut d = Diagnostic::warning(Code::UnknownGroup, format!("unknown group \"{group}\""))
                    .group(&group)
                    .at(origin.clone());
                if let Some(s) = suggest_group(&normalize_group(&group)) {
                    d = d.suggest(s);
                }
                self.diags.push(d);
                self.unknown.push(Unknown { group, key: None, origin });
            }
        }
        let mut unclaimed = Vec::new();
        for (li, layer) in self.layers.layers.iter().enumerate() {
            for (ei, e) in layer.entries.iter().enumerate() {
                if !self.claimed.contains(&(li, ei)) && !consumed(&e.group, Some(&e.key)) {
                    unclaimed.push((layer.rank, e.clone()));
                }
            }
        }
        for (rank, e) in unclaimed {
            let g = normalize_group(&e.group);
            let strong = matches!(rank, Rank::Cli | Rank::Override | Rank::SetDefault);
            self.unknown.push(Unknown {
                group: e.group.clone(),
                key: Some(e.key.clone()),
                origin: e.key_origin.clone(),
            });
            if !known_groups.contains(&g) || (!strong && !registered.contains(&g)) {
                if strong {
                    let mut d = Diagnostic::error(Code::BadOverride, format!("unknown group \"{}\"", e.group))
                        .option(&e.group, &e.key)
                        .at(e.key_origin.clone());
                    if let Some(s) = suggest_group(&g) {
                        d = d.suggest(s);
                    }
                    self.diags.push(d);
                }
                continue;
            }
            let candidates: Vec<&str> =
                registry.group(&g).map(|gr| gr.opts().map(Opt::dest).collect()).unwrap_or_default();
            let (severity, code) = if strong {
                (crate::diagnostic::Severity::Error, Code::BadOverride)
            } else {
                (crate::diagnostic::Severity::Warning, Code::UnknownOption)
            };
            let mut d =
                Diagnostic::new(severity, code, format!("unknown option \"{}\" in group \"{}\"", e.key, e.group))
                    .option(&e.group, &e.key)
                    .at(e.key_origin.clone());
            let dest = normalize_key(&e.key);
            if matches!(rank, Rank::File(_))
                && dest != e.key
                && self.plan.by_name.contains_key(&(g.clone(), dest.clone()))
            {
                // oslo.config reads files by dest: the service never sees it.
                d.message = format!(
                    "\"{}\" is not read: oslo.config looks options up in files by their dest, so the service \
                     ignores this spelling",
                    e.key
                );
                d = d.suggest(format!("write \"{dest}\""));
            } else if let Some(s) = suggest(&dest, &mut candidates.iter().copied()) {
                d = d.suggest(format!("did you mean \"{s}\"?"));
            }
            self.diags.push(d);
        }
        self.report_unknown_env();
    }

    /// `OS_<GROUP>__<OPT>` variables for a registered group but no option
    /// of it: most likely a typo. Variables for other groups are left alone
    /// (they may belong to another program).
    fn report_unknown_env(&mut self) {
        let registry = self.registry;
        for (g, o, var) in self.loader.env.option_vars() {
            let Some(group) = registry.groups().find(|gr| gr.name().to_uppercase() == g) else { continue };
            if group.opts().any(|opt| opt.dest().to_uppercase() == o) {
                continue;
            }
            let names: Vec<String> = group.opts().map(|opt| Env::var_name(group.name(), opt.dest())).collect();
            let mut d = Diagnostic::warning(
                Code::UnknownOption,
                format!("unknown option \"{}\" in group \"{}\"", o.to_lowercase(), group.name()),
            )
            .option(group.name(), &o.to_lowercase())
            .at(Origin::Env { var: var.to_owned() });
            if let Some(s) = did_you_mean(var, names.iter().map(String::as_str)) {
                d = d.suggest(format!("did you mean {s}?"));
            }
            self.diags.push(d);
        }
    }
}
