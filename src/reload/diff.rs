//! What changed between two snapshots, and what of it may be applied.

use std::fmt;

use crate::opt::{MASK, Registry, Value};
use crate::snapshot::Snapshot;

/// One option whose value changed.
#[derive(Clone, PartialEq)]
pub struct Change {
    /// The group.
    pub group: String,
    /// The option (dest).
    pub option: String,
    /// The value before.
    pub old: Option<Value>,
    /// The value after.
    pub new: Option<Value>,
    /// Whether the values are secret (then `Display` shows `****`).
    pub secret: bool,
}

fn shown(v: &Option<Value>, secret: bool) -> String {
    match v {
        None => String::new(),
        Some(_) if secret => MASK.to_owned(),
        Some(v) => v.to_string(),
    }
}

/// `Option g.o changed from [old] to [new]`, secrets as `****` (oslo.config
/// logs them in clear text).
impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Option {}.{} changed from [{}] to [{}]",
            self.group,
            self.option,
            shown(&self.old, self.secret),
            shown(&self.new, self.secret)
        )
    }
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Compares `old` and `new`: mutable options' changes are kept; an
/// immutable option keeps its old value (and provenance) in `new`, and is
/// returned as ignored (`group.option`).
pub(crate) fn reconcile(old: &Snapshot, new: &mut Snapshot, registry: &Registry) -> (Vec<Change>, Vec<String>) {
    let mut changes = Vec::new();
    let mut ignored = Vec::new();
    let mut restore = Vec::new();
    for g in new.groups() {
        for (dest, r) in g.iter() {
            let before = old.get(g.name(), dest);
            let old_value = before.and_then(|b| b.value.clone());
            if old_value == r.value {
                continue;
            }
            let mutable = registry.find(g.name(), dest).is_some_and(|o| o.is_mutable());
            if mutable {
                changes.push(Change {
                    group: g.name().to_owned(),
                    option: dest.to_owned(),
                    old: old_value,
                    new: r.value.clone(),
                    secret: r.secret || before.is_some_and(|b| b.secret),
                });
            } else {
                ignored.push(format!("{}.{dest}", g.name()));
                if let Some(b) = before {
                    restore.push((g.name().to_owned(), dest.to_owned(), b.clone()));
                }
            }
        }
    }
    for (g, d, r) in restore {
        new.insert(&g, &d, r);
    }
    (changes, ignored)
}
