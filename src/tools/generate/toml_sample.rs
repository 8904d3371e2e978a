//! The TOML sample: the same groups as tables, every option as a commented
//! `# name = value` line with native TOML values.

use super::{GenerateOptions, SampleGroup, describe};
use crate::opt::{Opt, RawValue, Value};

pub(super) use crate::tools::text::{comment_safe, toml_key, toml_string};

/// A float as TOML writes it: always with a `.` or an exponent.
fn toml_float(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        let s = format!("{f:?}");
        if s.contains(['.', 'e', 'E']) { s } else { format!("{s}.0") }
    }
}

/// A typed value as a TOML value. Defaults are shown as they are, secret
/// or not: they are part of the declaration, not of anyone's configuration.
pub(super) fn toml_value(v: &Value) -> String {
    match v {
        Value::Str(s) => toml_string(s),
        Value::Secret(s) => toml_string(s.expose()),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => toml_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::List(items) => format!("[{}]", items.iter().map(toml_value).collect::<Vec<_>>().join(", ")),
        Value::Dict(d) if d.is_empty() => "{}".into(),
        Value::Dict(d) => format!(
            "{{ {} }}",
            d.iter().map(|(k, v)| format!("{} = {}", toml_key(k), toml_value(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Config-file text as this option's TOML value: typed when the option's
/// type reads it, a string when it interpolates (`$name`) or is not
/// readable; `None` for "no value" (an empty number).
pub(super) fn text_as_toml(opt: &Opt, text: &str) -> Option<String> {
    if text.contains('$') {
        return Some(if opt.is_multi() { format!("[{}]", toml_string(text)) } else { toml_string(text) });
    }
    match opt.parse(&RawValue::Str(text.to_owned())) {
        Ok(Some(v)) => Some(toml_value(&v)),
        Ok(None) => None,
        Err(_) => Some(toml_string(text)),
    }
}

/// The value shown for an option: its sample default, its default, or
/// `<None>` when it has neither (not valid TOML: a value must be written
/// before the line is uncommented).
fn shown_value(opt: &Opt) -> Option<String> {
    opt.sample_default_text().or(opt.default_text()).and_then(|t| text_as_toml(opt, t))
}

/// The whole TOML sample.
pub(super) fn write(groups: &[SampleGroup<'_>], opts: &GenerateOptions) -> String {
    let minimal = opts.minimal;
    let mut out = String::new();
    if let Some(url) = &opts.schema_url {
        out.push_str(&comment_safe(&format!("#:schema {}\n", url.replace(['\n', '\r'], " "))));
    }
    for (i, group) in groups.iter().filter(|g| g.has_shown(minimal)).enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        } else if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("[{}]\n", toml_key(&group.name)));
        if !group.help.is_empty() {
            out.push_str(&comment_safe(&super::comment_block(group.help, opts.width())));
        }
        for (namespace, g, shown) in group.shown(minimal) {
            if let Some(ns) = namespace {
                out.push_str(&format!("\n#\n# From {ns}\n#\n"));
            }
            for opt in shown {
                out.push('\n');
                out.push_str(&comment_safe(&describe(opt, &group.name, g, None, opts)));
                match shown_value(opt) {
                    Some(v) if minimal && opt.is_required() => out.push_str(&format!("{} = {v}\n", opt.dest())),
                    Some(v) => out.push_str(&format!("# {} = {v}\n", opt.dest())),
                    None => out.push_str(&format!("# {} = <None>\n", opt.dest())),
                }
            }
        }
    }
    out
}
