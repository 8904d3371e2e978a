//! The INI sample: oslo-config-generator's layout.

use super::{Entries, GenerateOptions, SampleGroup, describe, python};
use crate::opt::{Opt, OptType, RawValue, Value};

/// oslo.config's `quote_trailing_and_leading_space`.
fn quote_spaces(s: &str) -> String {
    if s.trim() != s { format!("\"{s}\"") } else { s.to_owned() }
}

/// The value texts of an option's sample line(s), as oslo.config's
/// `format_defaults`: the sample default if set, else the default, else
/// `<None>` (an empty value for multi-valued options).
pub(super) fn default_texts(opt: &Opt) -> Vec<String> {
    if let Some(sample) = opt.sample_default_text() {
        return vec![if opt.is_multi() { quote_spaces(sample) } else { sample.to_owned() }];
    }
    match opt.default_text() {
        None if opt.is_multi() => vec![String::new()],
        None => vec!["<None>".to_owned()],
        Some(d) if matches!(opt.opt_type(), OptType::Boolean) && !opt.is_multi() => {
            match opt.opt_type().parse(&RawValue::Str(d.to_owned())) {
                Ok(Some(Value::Bool(b))) => vec![b.to_string()],
                _ => vec![quote_spaces(d)],
            }
        }
        Some(d) => vec![quote_spaces(d)],
    }
}

/// The `#name = value` lines; in a minimal sample, required options are
/// written as assignments (`name = value`), as oslo's `--minimal` does.
fn value_lines(opt: &Opt, entry: Option<&crate::tools::optdata::OptEntry>, minimal: bool) -> String {
    let mut out = String::new();
    let texts = match entry {
        Some(e) => python::ini_defaults(opt, e.default.as_ref(), e.sample_default.as_ref()),
        None => default_texts(opt),
    };
    for text in texts {
        let value = if text.is_empty() { String::new() } else { format!(" {}", text.replace('\n', "\n#    ")) };
        if minimal && opt.is_required() {
            out.push_str(&format!("{} ={value}\n", opt.dest()));
        } else {
            out.push_str(&format!("#{} ={value}\n", opt.dest()));
        }
    }
    out
}

/// The whole INI sample.
pub(super) fn write(groups: &[SampleGroup<'_>], entries: Entries<'_>, opts: &GenerateOptions) -> String {
    let minimal = opts.minimal;
    let mut out = String::new();
    let mut first = true;
    for group in groups {
        if minimal && group.name != crate::opt::DEFAULT_GROUP && !group.has_shown(minimal) {
            continue;
        }
        if !first {
            out.push_str("\n\n");
        }
        first = false;
        out.push_str(&format!("[{}]\n", group.name));
        if !group.help.is_empty() {
            out.push_str(&super::comment_block(group.help, opts.width()));
        }
        for (namespace, g, shown) in group.shown(minimal) {
            if let Some(ns) = namespace {
                out.push_str(&format!("\n#\n# From {ns}\n#\n"));
            }
            for opt in shown {
                out.push('\n');
                let entry = entries.and_then(|e| e.get(&(group.name.clone(), opt.dest().to_owned())));
                out.push_str(&describe(opt, &group.name, g, entry, opts));
                out.push_str(&value_lines(opt, entry, minimal));
            }
        }
    }
    out
}
