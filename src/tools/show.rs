//! `stackauth show`: every option's effective value and where it came from.

use std::fmt::Write;

use crate::opt::MASK;
use crate::snapshot::{Resolved, Snapshot};
use crate::source::Origin;

/// What to print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShowOptions {
    /// Print secrets in clear text instead of `****`.
    pub reveal_secrets: bool,
    /// Also print options that have no value.
    pub all: bool,
}

fn value_text(r: &Resolved, reveal: bool) -> Option<String> {
    let v = r.value.as_ref()?;
    Some(if r.secret && !reveal { MASK.to_owned() } else { v.to_plain_string().replace('\n', "\n    ") })
}

fn provenance(r: &Resolved) -> String {
    let mut out = r.origin.to_string();
    if let Some(d) = &r.deprecated {
        let _ = write!(out, ", deprecated name [{}] {}", d.group, d.name);
    }
    if !r.compound.is_empty() {
        let parts: Vec<String> = r
            .compound
            .iter()
            .map(|(name, origin)| match origin {
                Origin::Default => format!("{name} (legacy default)"),
                o => format!("{name} ({o})"),
            })
            .collect();
        out = format!("built from legacy {}", parts.join(", "));
    }
    out
}

/// The snapshot as INI-like text: each group, each option with its value
/// and, as a trailing comment, where the value came from; then what no
/// schema claims.
pub fn render_text(snapshot: &Snapshot, opts: ShowOptions) -> String {
    let mut out = String::new();
    for g in snapshot.groups() {
        let rows: Vec<(&str, &Resolved)> = g.iter().filter(|(_, r)| opts.all || r.value.is_some()).collect();
        if rows.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "[{}]", g.name());
        for (name, r) in rows {
            match value_text(r, opts.reveal_secrets) {
                Some(v) => {
                    let _ = writeln!(out, "{name} = {v}  # {}", provenance(r));
                }
                None => {
                    let _ = writeln!(out, "#{name} =  # unset");
                }
            }
        }
    }
    let unknown: Vec<_> = snapshot.unknown().iter().filter(|u| u.key.is_some()).collect();
    if !unknown.is_empty() {
        let _ = writeln!(out, "\n# Not in any registered schema (kept, not typed):");
        for u in unknown {
            let line = format!("#   [{}] {}  # {}", u.group, u.key.as_deref().unwrap_or(""), u.origin);
            let _ = writeln!(out, "{}", crate::diagnostic::printable(&line));
        }
    }
    out
}

/// The snapshot as JSON: `{"groups": {group: {option: {value, origin,
/// deprecated_name, built_from, secret}}}, "unknown": [...]}`.
pub fn render_json(snapshot: &Snapshot, opts: ShowOptions) -> serde_json::Value {
    use serde_json::{Map, Value as J, json};
    let mut groups = Map::new();
    for g in snapshot.groups() {
        let mut o = Map::new();
        for (name, r) in g.iter() {
            if !opts.all && r.value.is_none() {
                continue;
            }
            let value = r.value.as_ref().map_or(J::Null, |v| v.to_json(opts.reveal_secrets || !r.secret));
            let value =
                if r.secret && !opts.reveal_secrets && !value.is_null() { J::String(MASK.into()) } else { value };
            o.insert(
                name.to_owned(),
                json!({
                    "value": value,
                    "origin": r.origin.to_string(),
                    "deprecated_name": r.deprecated.as_ref().map(|d| format!("[{}] {}", d.group, d.name)),
                    "built_from": r.compound.iter().map(|(n, o)| json!({"option": n, "origin": o.to_string()})).collect::<Vec<_>>(),
                    "secret": r.secret,
                }),
            );
        }
        if !o.is_empty() {
            groups.insert(g.name().to_owned(), J::Object(o));
        }
    }
    let unknown: Vec<J> = snapshot
        .unknown()
        .iter()
        .map(|u| json!({"group": u.group, "option": u.key, "origin": u.origin.to_string()}))
        .collect();
    json!({"groups": groups, "unknown": unknown})
}

fn toml_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn toml_value(v: &crate::opt::Value, secret: bool) -> String {
    use crate::opt::Value;
    if secret {
        return toml_str(MASK);
    }
    match v {
        Value::Str(s) => toml_str(s),
        Value::Secret(_) => toml_str(MASK),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_finite() => format!("{f:?}"),
        Value::Float(f) => toml_str(&f.to_string()),
        Value::Bool(b) => b.to_string(),
        Value::List(l) => format!("[{}]", l.iter().map(|x| toml_value(x, false)).collect::<Vec<_>>().join(", ")),
        Value::Dict(d) => format!(
            "{{ {} }}",
            d.iter().map(|(k, x)| format!("{} = {}", toml_str(k), toml_value(x, false))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The snapshot as TOML: each group a table, each option with its value
/// and a comment saying where it came from.
pub fn render_toml(snapshot: &Snapshot, opts: ShowOptions) -> String {
    let mut out = String::new();
    for g in snapshot.groups() {
        let rows: Vec<(&str, &Resolved)> = g.iter().filter(|(_, r)| r.value.is_some()).collect();
        if rows.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "[{}]", crate::tools::text::toml_key(g.name()));
        for (name, r) in rows {
            if let Some(v) = &r.value {
                let _ = writeln!(out, "{}", crate::tools::text::comment_safe(&format!("# {}", provenance(r))));
                let _ = writeln!(out, "{name} = {}", toml_value(v, r.secret && !opts.reveal_secrets));
            }
        }
    }
    out
}
