//! `stackauth show`: every option's effective value and where it came from.

use std::collections::HashMap;
use std::fmt::Write;

use crate::diagnostic::Diagnostic;
use crate::opt::{MASK, normalize_group};
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

/// The first error about each option, by (normalized group, dest).
fn failures(findings: &[Diagnostic]) -> HashMap<(String, String), &Diagnostic> {
    let mut out = HashMap::new();
    for d in findings.iter().filter(|d| d.is_error()) {
        if let (Some(g), Some(o)) = (&d.group, &d.option) {
            out.entry((normalize_group(g), o.clone())).or_insert(d);
        }
    }
    out
}

/// A copy of `snapshot` with only the named groups (and the unknown
/// assignments in them), for `show --group`: the snapshot itself never
/// changes.
pub fn only_groups(snapshot: &Snapshot, names: &[String]) -> Snapshot {
    let mut s = snapshot.clone();
    s.retain_groups(names);
    s
}

/// The snapshot as INI-like text: each group, each option with its value
/// and, as a trailing comment, where the value came from; then what no
/// schema claims. Options that failed are marked with the snapshot's own
/// errors (a lenient load's).
pub fn render_text(snapshot: &Snapshot, opts: ShowOptions) -> String {
    render_text_with(snapshot, opts, snapshot.warnings())
}

/// [`render_text`], marking the options that `findings` has errors about
/// as `#name =  # error[code]: message`.
pub fn render_text_with(snapshot: &Snapshot, opts: ShowOptions, findings: &[Diagnostic]) -> String {
    let failed = failures(findings);
    let mut out = String::new();
    for g in snapshot.groups() {
        let gname = normalize_group(g.name());
        let failed_here = |name: &str| failed.get(&(gname.clone(), name.to_owned())).copied();
        let rows: Vec<(&str, &Resolved)> =
            g.iter().filter(|(n, r)| opts.all || r.value.is_some() || failed_here(n).is_some()).collect();
        if rows.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "[{}]", g.name());
        for (name, r) in rows {
            if let Some(d) = failed_here(name) {
                let line = format!("#{name} =  # error[{}]: {}", d.code, d.message);
                let _ = writeln!(out, "{}", crate::diagnostic::printable(&line).replace('\n', " "));
                continue;
            }
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
/// deprecated_name, built_from, secret, error}}}, "unknown": [...]}`;
/// `error` is `{code, message}` for an option that failed, else null;
/// `findings` lists every finding (errors, warnings and notes).
pub fn render_json(snapshot: &Snapshot, opts: ShowOptions) -> serde_json::Value {
    render_json_with(snapshot, opts, snapshot.warnings())
}

/// [`render_json`], with the errors of `findings`.
pub fn render_json_with(snapshot: &Snapshot, opts: ShowOptions, findings: &[Diagnostic]) -> serde_json::Value {
    use serde_json::{Map, Value as J, json};
    let failed = failures(findings);
    let mut groups = Map::new();
    for g in snapshot.groups() {
        let gname = normalize_group(g.name());
        let mut o = Map::new();
        for (name, r) in g.iter() {
            let error = failed.get(&(gname.clone(), name.to_owned())).copied();
            if !opts.all && r.value.is_none() && error.is_none() {
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
                    "error": error.map(|d| json!({"code": d.code.as_str(), "message": d.message})),
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
    let findings: Vec<J> = findings
        .iter()
        .map(|d| {
            json!({"severity": d.severity.as_str(), "code": d.code.as_str(), "group": d.group,
                   "option": d.option, "origin": d.origin.as_ref().map(ToString::to_string), "message": d.message})
        })
        .collect();
    json!({"groups": groups, "unknown": unknown, "findings": findings})
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
    render_toml_with(snapshot, opts, snapshot.warnings())
}

/// [`render_toml`], with the options `findings` has errors about as
/// comments.
pub fn render_toml_with(snapshot: &Snapshot, opts: ShowOptions, findings: &[Diagnostic]) -> String {
    let failed = failures(findings);
    let mut out = String::new();
    for g in snapshot.groups() {
        let gname = normalize_group(g.name());
        let failed_here = |name: &str| failed.get(&(gname.clone(), name.to_owned())).copied();
        let rows: Vec<(&str, &Resolved)> =
            g.iter().filter(|(n, r)| r.value.is_some() || failed_here(n).is_some()).collect();
        if rows.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(out, "[{}]", crate::tools::text::toml_key(g.name()));
        for (name, r) in rows {
            if let Some(d) = failed_here(name) {
                let line = format!("# {name}: error[{}]: {}", d.code, d.message);
                let _ = writeln!(out, "{}", crate::tools::text::comment_safe(&line));
                continue;
            }
            if let Some(v) = &r.value {
                let _ = writeln!(out, "{}", crate::tools::text::comment_safe(&format!("# {}", provenance(r))));
                let _ = writeln!(out, "{name} = {}", toml_value(v, r.secret && !opts.reveal_secrets));
            }
        }
    }
    out
}
