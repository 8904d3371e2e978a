//! Python's `str()` and `repr()` of the values an opt-data file holds, and
//! the two ways oslo-config-generator turns an option's default into text:
//! its type's `format_defaults` (the INI sample) and the generator's own
//! `_format_defaults` (the RST reference), which differ (`True` against
//! `true`, `['a', 'b']` against `a,b`).

use crate::opt::{Opt, OptType, RawValue, Value};
use crate::source::yaml::{Node, NodeValue};
use crate::tools::text::python_float;

/// Python's `str(value)`.
pub(super) fn py_str(node: &Node) -> String {
    match &node.value {
        NodeValue::Str(s) => s.clone(),
        _ => py_repr(node),
    }
}

/// Python's `repr(value)`.
pub(super) fn py_repr(node: &Node) -> String {
    match &node.value {
        NodeValue::Null => "None".to_owned(),
        NodeValue::Bool(true) => "True".to_owned(),
        NodeValue::Bool(false) => "False".to_owned(),
        NodeValue::Int(i) => i.to_string(),
        NodeValue::Float(f) => python_float(*f),
        NodeValue::Str(s) => str_repr(s),
        NodeValue::Seq(items) => format!("[{}]", items.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        NodeValue::Map(entries) => format!(
            "{{{}}}",
            entries.iter().map(|(k, v)| format!("{}: {}", str_repr(k), py_repr(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Python's `repr()` of a string: single quotes unless the text has a
/// single quote and no double quote; backslashes, the quote and control
/// characters escaped.
pub(super) fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if ('\u{80}'..='\u{a0}').contains(&c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// oslo.config's `quote_trailing_and_leading_space`.
pub(super) fn quote_spaces(s: String) -> String {
    if s.trim() != s { format!("\"{s}\"") } else { s }
}

/// The items Python iterates in `value`: a list's items, a string's
/// characters (oslo.config iterates a multi-valued sample default given as
/// one string character by character, and so does this).
fn iterate(node: &Node) -> Vec<Node> {
    match &node.value {
        NodeValue::Seq(items) => items.clone(),
        NodeValue::Str(s) => s
            .chars()
            .map(|c| Node { value: NodeValue::Str(c.to_string()), line: node.line, column: node.column })
            .collect(),
        NodeValue::Map(entries) => entries
            .iter()
            .map(|(k, _)| Node { value: NodeValue::Str(k.clone()), line: node.line, column: node.column })
            .collect(),
        _ => vec![node.clone()],
    }
}

/// Python's truth value.
fn truthy(node: &Node) -> bool {
    match &node.value {
        NodeValue::Null => false,
        NodeValue::Bool(b) => *b,
        NodeValue::Int(i) => *i != 0,
        NodeValue::Float(f) => *f != 0.0,
        NodeValue::Str(s) => !s.is_empty(),
        NodeValue::Seq(items) => !items.is_empty(),
        NodeValue::Map(entries) => !entries.is_empty(),
    }
}

fn present(node: Option<&Node>) -> Option<&Node> {
    node.filter(|n| !n.is_null())
}

/// The option's type's `_formatter` applied to a value.
fn type_formatter(t: &OptType, value: &Node) -> String {
    match t {
        OptType::Boolean => py_str(value).to_lowercase(),
        OptType::Integer(_) | OptType::Port(_) | OptType::Float(_) => py_str(value),
        OptType::List(_) => match &value.value {
            NodeValue::Seq(items) => items.iter().map(|v| quote_spaces(py_str(v))).collect::<Vec<_>>().join(","),
            _ => py_str(value),
        },
        OptType::Dict(_) => match &value.value {
            NodeValue::Map(entries) => {
                let mut sorted: Vec<&(String, Node)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                sorted.iter().map(|(k, v)| format!("{k}:{}", py_str(v))).collect::<Vec<_>>().join(",")
            }
            _ => py_str(value),
        },
        OptType::String(_) => quote_spaces(py_str(value)),
        _ => py_str(value),
    }
}

/// The INI sample's default texts from the file's Python values: the
/// type's `format_defaults(default, sample_default)`.
pub(super) fn ini_defaults(opt: &Opt, default: Option<&Node>, sample: Option<&Node>) -> Vec<String> {
    let (default, sample) = (present(default), present(sample));
    if opt.is_multi() {
        return match (sample, default) {
            (Some(s), _) => iterate(s).iter().map(|v| quote_spaces(py_str(v))).collect(),
            (None, Some(d)) if truthy(d) => iterate(d).iter().map(|v| quote_spaces(py_str(v))).collect(),
            _ => vec![String::new()],
        };
    }
    vec![match (sample, default) {
        (Some(Node { value: NodeValue::Str(s), .. }), _) => s.clone(),
        (Some(s), _) => type_formatter(opt.opt_type(), s),
        (None, None) => "<None>".to_owned(),
        (None, Some(d)) => type_formatter(opt.opt_type(), d),
    }]
}

/// The RST reference's default texts from the file's Python values:
/// oslo-config-generator's `_format_defaults`, which takes `str()` of the
/// default whatever its type.
pub(super) fn rst_defaults(opt: &Opt, default: Option<&Node>, sample: Option<&Node>) -> Vec<String> {
    let (default, sample) = (present(default), present(sample));
    let texts: Vec<String> = if opt.is_multi() {
        match (sample, default) {
            (Some(s), _) => iterate(s).iter().map(py_str).collect(),
            (None, Some(d)) if truthy(d) => iterate(d).iter().map(py_str).collect(),
            _ => vec![String::new()],
        }
    } else {
        vec![match (sample, default) {
            (Some(s), _) => py_str(s),
            (None, None) => "<None>".to_owned(),
            (None, Some(d)) => py_str(d),
        }]
    };
    texts.into_iter().map(quote_spaces).collect()
}

/// The RST reference's default texts for an option known only by its
/// registry entry: the Python value a declaration with this config-file
/// text as its default would hold (a boolean as `True`, a list as
/// `['a', 'b']`, a dict as `{'k': 'v'}`).
pub(super) fn rst_defaults_of(opt: &Opt) -> Vec<String> {
    let as_str = |s: &str| Node { value: NodeValue::Str(s.to_owned()), line: 0, column: 0 };
    let sample = opt.sample_default_text().map(as_str);
    let default = opt.default_text().map(|d| match opt.opt_type() {
        _ if opt.is_multi() => Node { value: NodeValue::Seq(vec![as_str(d)]), line: 0, column: 0 },
        OptType::Boolean => match opt.opt_type().parse(&RawValue::Str(d.to_owned())) {
            Ok(Some(Value::Bool(b))) => Node { value: NodeValue::Bool(b), line: 0, column: 0 },
            _ => as_str(d),
        },
        OptType::List(_) => Node {
            value: NodeValue::Seq(if d.is_empty() { Vec::new() } else { d.split(',').map(as_str).collect() }),
            line: 0,
            column: 0,
        },
        OptType::Dict(_) => Node {
            value: NodeValue::Map(
                d.split(',')
                    .filter(|kv| !kv.is_empty())
                    .map(|kv| {
                        let (k, v) = kv.split_once(':').unwrap_or((kv, ""));
                        (k.to_owned(), as_str(v))
                    })
                    .collect(),
            ),
            line: 0,
            column: 0,
        },
        _ => as_str(d),
    });
    rst_defaults(opt, default.as_ref(), sample.as_ref())
}

/// Python's truth value.
pub(super) fn is_truthy(node: Option<&Node>) -> bool {
    node.is_some_and(truthy)
}

/// What oslo's RST writer shows for an option's help:
/// `help % {'default': 'the value above'}`, or `None` where Python raises
/// (an unknown key, a conversion a dict cannot take, a stray `%`), in
/// which case the help is shown as written.
pub(super) fn percent_default(help: &str) -> Option<String> {
    const VALUE: &str = "the value above";
    const MAPPING: &str = "{'default': 'the value above'}";
    let chars: Vec<char> = help.chars().collect();
    let mut out = String::with_capacity(help.len());
    let mut i = 0;
    let mut unkeyed = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let key = if chars.get(i) == Some(&'(') {
            // Python counts nested parentheses in the key.
            let mut depth = 1;
            let start = i + 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return None;
            }
            Some(chars[start..i - 1].iter().collect::<String>())
        } else {
            None
        };
        let mut left = false;
        while let Some(&c) = chars.get(i) {
            match c {
                '-' => left = true,
                '#' | '0' | ' ' | '+' => {}
                _ => break,
            }
            i += 1;
        }
        let number = |i: &mut usize| -> Option<usize> {
            let start = *i;
            while chars.get(*i).is_some_and(char::is_ascii_digit) {
                *i += 1;
            }
            (*i > start).then(|| chars[start..*i].iter().collect::<String>().parse().unwrap_or(usize::MAX))
        };
        if chars.get(i) == Some(&'*') {
            return None;
        }
        let width = number(&mut i).unwrap_or(0);
        let precision = if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                return None;
            }
            Some(number(&mut i).unwrap_or(0))
        } else {
            None
        };
        // Length modifiers are accepted and ignored.
        while chars.get(i).is_some_and(|c| matches!(c, 'h' | 'l' | 'L')) {
            i += 1;
        }
        let conversion = *chars.get(i)?;
        i += 1;
        let text = match (key.as_deref(), conversion) {
            (_, '%') => "%".to_owned(),
            (Some("default"), 's') => VALUE.to_owned(),
            (Some("default"), 'r' | 'a') => format!("'{VALUE}'"),
            (Some(_), _) => return None,
            (None, 's') | (None, 'r' | 'a') => {
                unkeyed += 1;
                MAPPING.to_owned()
            }
            (None, _) => return None,
        };
        if conversion == '%' {
            out.push('%');
            continue;
        }
        let text: String = match precision {
            Some(p) => text.chars().take(p).collect(),
            None => text,
        };
        let pad = width.saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    // A mapping is one argument: a second unkeyed conversion has none.
    (unkeyed <= 1).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(value: NodeValue) -> Node {
        Node { value, line: 0, column: 0 }
    }

    fn s(text: &str) -> Node {
        n(NodeValue::Str(text.to_owned()))
    }

    #[test]
    fn repr_like_python() {
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'\"b"), "'a\\'\"b'");
        assert_eq!(str_repr("a\\b\n"), "'a\\\\b\\n'");
        assert_eq!(
            py_repr(&n(NodeValue::Seq(vec![s("a"), n(NodeValue::Int(2)), n(NodeValue::Null)]))),
            "['a', 2, None]"
        );
        assert_eq!(py_repr(&n(NodeValue::Map(vec![("k".into(), n(NodeValue::Bool(true)))]))), "{'k': True}");
        assert_eq!(py_str(&n(NodeValue::Float(1.0))), "1.0");
    }

    #[test]
    fn percent_like_python() {
        assert_eq!(percent_default("Default: %(default)s ."), Some("Default: the value above .".into()));
        assert_eq!(percent_default("for %%(asctime)s in"), Some("for %(asctime)s in".into()));
        assert_eq!(percent_default("%(asctime)s"), None);
        assert_eq!(percent_default("100%"), None);
        assert_eq!(percent_default("%(default)d"), None);
        assert_eq!(percent_default("100% sure"), Some("100{'default': 'the value above'}ure".into()));
        assert_eq!(percent_default("%s and %s"), None);
        assert_eq!(percent_default("[%(default)-5.3r]"), Some("['th  ]".into()));
        assert_eq!(percent_default("plain"), Some("plain".into()));
    }

    #[test]
    fn defaults_per_type() {
        let list = Opt::new("l", OptType::list()).default("a,b");
        let seq = n(NodeValue::Seq(vec![s("a"), s(" b")]));
        assert_eq!(ini_defaults(&list, Some(&seq), None), ["a,\" b\""]);
        assert_eq!(rst_defaults(&list, Some(&seq), None), ["['a', ' b']"]);
        assert_eq!(rst_defaults_of(&list), ["['a', 'b']"]);
        let flag = Opt::new("f", OptType::boolean()).default("true");
        assert_eq!(ini_defaults(&flag, Some(&n(NodeValue::Bool(true))), None), ["true"]);
        assert_eq!(rst_defaults_of(&flag), ["True"]);
        let multi = Opt::multi_string("m");
        assert_eq!(ini_defaults(&multi, Some(&n(NodeValue::Seq(vec![s("x"), s("y")]))), None), ["x", "y"]);
        assert_eq!(ini_defaults(&multi, None, None), [""]);
        assert_eq!(rst_defaults(&multi, Some(&n(NodeValue::Seq(vec![]))), None), [""]);
        let dict = Opt::new("d", OptType::dict());
        let map = n(NodeValue::Map(vec![("b".into(), n(NodeValue::Int(2))), ("a".into(), s("x"))]));
        assert_eq!(ini_defaults(&dict, Some(&map), None), ["a:x,b:2"]);
        assert_eq!(rst_defaults(&dict, Some(&map), None), ["{'b': 2, 'a': 'x'}"]);
        let plain = Opt::string("p");
        assert_eq!(ini_defaults(&plain, Some(&s(" x")), Some(&s("y"))), ["y"]);
        assert_eq!(ini_defaults(&plain, Some(&s(" x")), None), ["\" x\""]);
        assert_eq!(ini_defaults(&plain, None, None), ["<None>"]);
    }
}
