//! The machine-readable sample of `oslo-config-generator --format
//! yaml|json` (`_generate_machine_readable_data`): `generator_options`,
//! `options` by group and `deprecated_options`, with every option's
//! fields as oslo writes them.

use serde_json::{Map, Value as J, json};

use super::{GenerateOptions, SampleFormat, SampleGroup, Source, deprecated_spellings};
use crate::opt::{Opt, OptType, RawValue};

/// An option's default as a typed JSON value, as oslo writes the Python
/// default: a number, a boolean, a list, an object; text that
/// interpolates (`$name`) stays text; `null` when there is none.
fn typed_default(opt: &Opt) -> J {
    let Some(text) = opt.default_text() else { return J::Null };
    if text.contains('$') {
        return if opt.is_multi() { json!([text]) } else { J::String(text.to_owned()) };
    }
    match opt.parse(&RawValue::Str(text.to_owned())) {
        Ok(Some(v)) => v.to_json(true),
        Ok(None) => J::Null,
        Err(_) => J::String(text.to_owned()),
    }
}

fn float_json(f: f64) -> J {
    serde_json::Number::from_f64(f).map_or_else(|| J::String(super::python_float(f)), J::Number)
}

/// `min`, `max` and `choices` of a type, as `_build_entry` writes them.
fn bounds(t: &OptType) -> (J, J, J) {
    let described = |d: &Option<String>| d.clone().map_or(J::Null, J::String);
    match t {
        OptType::Integer(n) | OptType::Port(n) => (
            n.min.map_or(J::Null, J::from),
            n.max.map_or(J::Null, J::from),
            J::Array(n.choices.iter().flatten().map(|(v, d)| json!([v, described(d)])).collect()),
        ),
        OptType::Float(n) => (
            n.min.map_or(J::Null, float_json),
            n.max.map_or(J::Null, float_json),
            J::Array(n.choices.iter().flatten().map(|(v, d)| json!([float_json(*v), described(d)])).collect()),
        ),
        OptType::String(s) => {
            (J::Null, J::Null, J::Array(s.choices.iter().flatten().map(|(v, d)| json!([v, described(d)])).collect()))
        }
        _ => (J::Null, J::Null, json!([])),
    }
}

/// One option, as `_build_entry` writes it.
fn entry(opt: &Opt, group: &str, namespace: Option<&str>) -> J {
    let (min, max, choices) = bounds(opt.opt_type());
    let deprecated: Vec<J> =
        deprecated_spellings(opt, group).into_iter().map(|(g, n)| json!({ "group": g, "name": n })).collect();
    let removal = opt.removal();
    json!({
        "advanced": opt.is_advanced(),
        "choices": choices,
        "default": typed_default(opt),
        "deprecated_for_removal": removal.is_some(),
        "deprecated_opts": deprecated,
        "deprecated_reason": removal.and_then(|r| r.reason.clone()),
        "deprecated_since": removal.and_then(|r| r.since.clone()),
        "dest": opt.dest(),
        "help": opt.help_text(),
        "max": max,
        "metavar": null,
        "min": min,
        "mutable": opt.is_mutable(),
        "name": opt.name(),
        "namespace": namespace,
        "positional": false,
        "required": opt.is_required(),
        "sample_default": opt.sample_default_text(),
        "secret": opt.is_secret(),
        "short": null,
        "type": opt.type_name(),
    })
}

/// The whole data structure.
pub(super) fn data(groups: &[SampleGroup<'_>], sources: &[Source<'_>], opts: &GenerateOptions) -> J {
    let mut options = Map::new();
    let mut deprecated_options: Map<String, J> = Map::new();
    for group in groups {
        let mut out = Map::new();
        out.insert("help".into(), J::String(group.help.to_owned()));
        let mut entries = Vec::new();
        // Registration order: oslo sorts advanced options last only in the
        // INI sample.
        for (namespace, g) in &group.parts {
            let namespace = *namespace;
            for opt in g.opts().filter(|o| super::included(o, opts.minimal)) {
                entries.push(entry(opt, &group.name, namespace));
                for (g, n) in deprecated_spellings(opt, &group.name) {
                    let list = deprecated_options.entry(g).or_insert_with(|| json!([]));
                    if let J::Array(list) = list {
                        list.push(json!({
                            "name": n,
                            "replacement_group": group.name,
                            "replacement_name": opt.name(),
                        }));
                    }
                }
            }
        }
        if !entries.is_empty() {
            out.insert("driver_option".into(), json!(""));
            out.insert("driver_opts".into(), json!({}));
            out.insert("dynamic_group_owner".into(), json!(""));
        }
        let names: Vec<J> = entries.iter().map(|e| e["name"].clone()).collect();
        out.insert("opts".into(), J::Array(entries));
        out.insert("standard_opts".into(), J::Array(names));
        options.insert(group.name.clone(), J::Object(out));
    }
    let format = match opts.format {
        SampleFormat::Json => "json",
        _ => "yaml",
    };
    let namespaces: Vec<&str> = sources.iter().filter_map(|s| s.namespace).collect();
    let generator_options = json!({
        "config_dir": [],
        "config_file": [],
        "config_source": [],
        "format_": format,
        "minimal": opts.minimal,
        "namespace": namespaces,
        "output_file": null,
        "shell_completion": null,
        "summarize": opts.summarize,
        "wrap_width": opts.width(),
    });
    sort_keys(json!({
        "deprecated_options": deprecated_options,
        "generator_options": generator_options,
        "options": options,
    }))
}

/// Objects with their keys in order (`json.dumps(..., sort_keys=True)`),
/// whether or not serde_json keeps insertion order.
pub(crate) fn sort_keys(v: J) -> J {
    match v {
        J::Object(m) => {
            let mut entries: Vec<(String, J)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            J::Object(entries.into_iter().map(|(k, v)| (k, sort_keys(v))).collect())
        }
        J::Array(a) => J::Array(a.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// Python's `json.dumps` separators (`", "` and `": "`), ASCII only.
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(&mut self, w: &mut W, fragment: &str) -> std::io::Result<()> {
        let mut buf = [0u16; 2];
        for c in fragment.chars() {
            if c.is_ascii() {
                w.write_all(&[c as u8])?;
            } else {
                for unit in c.encode_utf16(&mut buf) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

/// The data as `oslo-config-generator --format json` writes it: one line,
/// keys sorted, non-ASCII escaped, then a newline.
pub(super) fn to_json(data: &J) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    serde::Serialize::serialize(data, &mut ser).expect("serializing a JSON value into memory cannot fail");
    let mut text = String::from_utf8(out).expect("serde_json writes UTF-8");
    text.push('\n');
    text
}
