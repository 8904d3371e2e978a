//! What resolution derives from a registry alone, computed once per
//! version of the registry (kept by it) instead of once per load: each
//! option's names, its environment variable, the index by name, the
//! groups that are known, the declared defaults picked and typed.

use std::sync::Arc;

use super::build::Pick;
use super::interpolate::has_template;
use super::layers::{Name, Rank, normalize_key};
use crate::fxhash::{FxHashMap, FxHashSet};
use crate::opt::{DEFAULT_GROUP, Opt, RawValue, Registry, Value, normalize_group};
use crate::source::{Env, Origin};

/// The per-registry part of resolution. Slots are the registry's options
/// in registration order.
pub(super) struct Plan {
    /// Each slot's names: current first, then the deprecated ones.
    pub names: Vec<Vec<Name>>,
    /// Each slot's group, normalized.
    pub group: Vec<String>,
    /// How many options each slot's group has (to size its map once).
    pub group_len: Vec<usize>,
    /// How many groups have options.
    pub groups: usize,
    /// Current names to slots.
    pub by_name: FxHashMap<Name, usize>,
    /// Every name (current and deprecated) to the slots it may set.
    pub by_any_name: FxHashMap<Name, Vec<usize>>,
    /// `OS_<GROUP>__<DEST>` to slots (several when dests differ only in
    /// case: the variable sets each, as oslo.config reads it for each).
    pub env: FxHashMap<String, Vec<usize>>,
    /// Each slot's declared default as a pick (shared by every load).
    pub default_pick: Vec<Option<Arc<Pick>>>,
    /// Each slot's declared default typed, when it holds no `$reference`
    /// (a load uses it as it is).
    pub default_value: Vec<Option<Value>>,
    /// Groups whose options are known, by their own or a deprecated name.
    pub registered: FxHashSet<String>,
    /// Those and `[DEFAULT]`.
    pub known_groups: FxHashSet<String>,
}

impl Plan {
    /// The plan of `registry`, kept by it until it changes.
    pub fn of(registry: &Registry) -> Arc<Plan> {
        registry.derived(Plan::new)
    }

    fn new(registry: &Registry) -> Plan {
        let mut plan = Plan {
            names: Vec::new(),
            group: Vec::new(),
            group_len: Vec::new(),
            groups: 0,
            by_name: FxHashMap::default(),
            by_any_name: FxHashMap::default(),
            env: FxHashMap::default(),
            default_pick: Vec::new(),
            default_value: Vec::new(),
            registered: FxHashSet::default(),
            known_groups: FxHashSet::default(),
        };
        for g in registry.groups() {
            let norm = normalize_group(g.name());
            plan.groups += 1;
            plan.registered.insert(norm.clone());
            for opt in g.opts() {
                let slot = plan.names.len();
                let names = names(g.name(), opt);
                plan.by_name.insert(names[0].clone(), slot);
                for n in &names {
                    plan.by_any_name.entry(n.clone()).or_default().push(slot);
                }
                plan.env.entry(Env::var_name(g.name(), opt.dest())).or_default().push(slot);
                for d in opt.deprecated_names() {
                    if let Some(old) = &d.group {
                        plan.registered.insert(normalize_group(old));
                    }
                }
                plan.names.push(names);
                plan.default_pick.push(opt.default_text().map(|d| {
                    Arc::new(Pick {
                        items: vec![(RawValue::Str(d.to_owned()), Origin::Default)],
                        rank: Rank::Default,
                        deprecated: None,
                        compound: Vec::new(),
                    })
                }));
                plan.default_value.push(plain_default(opt));
                plan.group.push(norm.clone());
                plan.group_len.push(g.opts().len());
            }
        }
        plan.known_groups = plan.registered.clone();
        plan.known_groups.insert(DEFAULT_GROUP.to_owned());
        plan
    }
}

/// A single-valued option's default typed, if it is a plain text (no
/// `$reference`, or a literal option) that types without error (an error is reported by
/// each load, as for any value).
fn plain_default(opt: &Opt) -> Option<Value> {
    let d = opt.default_text()?;
    if opt.is_multi() || (has_template(d) && !opt.is_literal()) {
        return None;
    }
    opt.parse(&RawValue::Str(d.to_owned())).ok().flatten()
}

/// The names an option may be written as: current first, then the
/// deprecated ones in declaration order.
fn names(group: &str, opt: &Opt) -> Vec<Name> {
    let current = (normalize_group(group), opt.dest().to_owned());
    let mut names = vec![current.clone()];
    // As oslo.config's Opt: each deprecated name as written, then the
    // dashed ones again with `_` for `-` (a file may use either).
    let written = opt.deprecated_names().iter().map(|d| (d, false));
    let dashed = opt.deprecated_names().iter().filter(|d| d.name.as_deref().is_some_and(|n| n.contains('-')));
    for (d, underscored) in written.chain(dashed.map(|d| (d, true))) {
        let name = d
            .name
            .as_deref()
            .map_or_else(|| current.1.clone(), |n| if underscored { normalize_key(n) } else { n.to_owned() });
        let n = (d.group.as_deref().map_or_else(|| current.0.clone(), normalize_group), name);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names
}
