//! Sources stacked by precedence, and the lookup of an option's names in
//! them.

use std::borrow::Cow;

use crate::fxhash::FxHashMap;
use crate::opt::normalize_group;
use crate::source::Entry;

/// How strong a source is; a stronger one wins whatever name it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Rank {
    /// The option's declared default.
    Default,
    /// `set_default`.
    SetDefault,
    /// A fallback source (oslo.config's `config_source`): the n-th from
    /// the weakest, so the first one added is the strongest.
    Source(usize),
    /// The n-th config file read (later files are stronger).
    File(usize),
    /// The environment.
    Env,
    /// The command line.
    Cli,
    /// `set_override`.
    Override,
}

/// One source's entries at its rank: borrowed from the load's inputs, or
/// made for this resolution (the environment, overrides).
pub(crate) struct Layer<'a> {
    pub rank: Rank,
    pub entries: Cow<'a, [Entry]>,
}

/// A (normalized group, normalized key) name.
pub(crate) type Name = (String, String);

/// A key from the command line or the application (`--set log-file=...`):
/// `-` and `_` are the same there, as on oslo.config's command line.
pub(crate) fn normalize_key(key: &str) -> String {
    key.replace('-', "_")
}

/// A key as a source wrote it, as oslo.config looks it up: files by the
/// option's dest exactly (`log-file = x` is not `log_file`, the service
/// ignores it), and so a `config_source` body, other sources with `-` as `_`.
pub(crate) fn source_key(rank: Rank, key: &str) -> String {
    if matches!(rank, Rank::File(_) | Rank::Source(_)) { key.to_owned() } else { normalize_key(key) }
}

/// Every entry of every layer, by name.
pub(crate) struct Layers<'a> {
    pub layers: Vec<Layer<'a>>,
    index: FxHashMap<Name, Vec<(usize, usize)>>,
}

impl<'a> Layers<'a> {
    /// Indexes `layers`, which must be in ascending rank order.
    pub fn new(layers: Vec<Layer<'a>>) -> Layers<'a> {
        let mut index: FxHashMap<Name, Vec<(usize, usize)>> = FxHashMap::default();
        for (li, layer) in layers.iter().enumerate() {
            for (ei, e) in layer.entries.iter().enumerate() {
                index.entry((normalize_group(&e.group), source_key(layer.rank, &e.key))).or_default().push((li, ei));
            }
        }
        Layers { layers, index }
    }

    /// Every name some entry has.
    pub fn names(&self) -> impl Iterator<Item = &Name> {
        self.index.keys()
    }

    /// The positions of every entry for `name`, weakest layer first, file
    /// order within a layer.
    pub fn positions(&self, name: &Name) -> &[(usize, usize)] {
        self.index.get(name).map_or(&[], Vec::as_slice)
    }

    /// The entries for `name` in layer `li`.
    pub fn in_layer<'s>(&'s self, name: &Name, li: usize) -> impl Iterator<Item = (usize, &'s Entry)> + 's {
        self.positions(name).iter().filter(move |(l, _)| *l == li).map(move |(l, e)| (*e, &self.layers[*l].entries[*e]))
    }

    /// The entry at a position.
    pub fn entry(&self, pos: (usize, usize)) -> &Entry {
        &self.layers[pos.0].entries[pos.1]
    }
}
