//! A small YAML writer for JSON values, in the block style of PyYAML's
//! `safe_dump(default_flow_style=False)`: mappings in key order, sequences
//! inside mappings not indented, `[]` and `{}` for empty collections.
//!
//! Strings are written plain only when no YAML 1.1 or 1.2 reader could take
//! them for anything but a string; all others are double-quoted with
//! escapes, so any text round-trips.

use serde_json::Value as J;

/// Words that YAML 1.1 (PyYAML) or 1.2 read as booleans or null.
const RESERVED: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"];

fn plain_ok(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else { return false };
    first.is_ascii_alphabetic()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '(' | ')'))
        && !s.ends_with(' ')
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

/// A double-quoted YAML scalar; everything YAML does not allow raw (or
/// would fold) is escaped.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        let u = c as u32;
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ if u < 0x20 || (0x7f..=0x9f).contains(&u) => out.push_str(&format!("\\x{u:02X}")),
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => out.push_str(&format!("\\u{u:04X}")),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn string(s: &str) -> String {
    if plain_ok(s) { s.to_owned() } else { quoted(s) }
}

/// A float that YAML 1.1 and 1.2 both read as a float: with a `.`, never
/// with an exponent.
fn float(f: f64) -> String {
    if f.is_nan() {
        ".nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf".into() } else { "-.inf".into() }
    } else {
        let s = format!("{f}");
        if s.contains('.') { s } else { format!("{s}.0") }
    }
}

fn scalar(v: &J) -> String {
    match v {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        J::Number(n) => float(n.as_f64().unwrap_or(f64::NAN)),
        J::String(s) => string(s),
        J::Array(a) if a.is_empty() => "[]".into(),
        J::Object(m) if m.is_empty() => "{}".into(),
        _ => unreachable!("collections are written as blocks"),
    }
}

fn is_block(v: &J) -> bool {
    match v {
        J::Array(a) => !a.is_empty(),
        J::Object(m) => !m.is_empty(),
        _ => false,
    }
}

fn mapping(out: &mut String, m: &serde_json::Map<String, J>, indent: usize, inline_first: bool) {
    for (i, (k, v)) in m.iter().enumerate() {
        if !(i == 0 && inline_first) {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&string(k));
        out.push(':');
        match v {
            J::Object(inner) if is_block(v) => {
                out.push('\n');
                mapping(out, inner, indent + 2, false);
            }
            J::Array(inner) if is_block(v) => {
                out.push('\n');
                sequence(out, inner, indent, false);
            }
            _ => {
                out.push(' ');
                out.push_str(&scalar(v));
                out.push('\n');
            }
        }
    }
}

fn sequence(out: &mut String, a: &[J], indent: usize, inline_first: bool) {
    for (i, item) in a.iter().enumerate() {
        if !(i == 0 && inline_first) {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str("- ");
        match item {
            J::Object(inner) if is_block(item) => mapping(out, inner, indent + 2, true),
            J::Array(inner) if is_block(item) => sequence(out, inner, indent + 2, true),
            _ => {
                out.push_str(&scalar(item));
                out.push('\n');
            }
        }
    }
}

/// `value` as a YAML document.
pub(super) fn to_yaml(value: &J) -> String {
    let mut out = String::new();
    match value {
        J::Object(m) if !m.is_empty() => mapping(&mut out, m, 0, false),
        J::Array(a) if !a.is_empty() => sequence(&mut out, a, 0, false),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn block_layout() {
        let v = json!({
            "a": [], "b": {}, "c": [{"x": 1, "y": [[ "None", null ]]}],
            "d": {"e": "plain text", "f": "yes", "g": "a: b", "h": "", "i": 1.0, "j": "line\nbreak"}
        });
        assert_eq!(
            to_yaml(&v),
            "a: []\nb: {}\nc:\n- x: 1\n  \"y\":\n  - - None\n    - null\nd:\n  e: plain text\n  f: \"yes\"\n  \
             g: \"a: b\"\n  h: \"\"\n  i: 1.0\n  j: \"line\\nbreak\"\n"
        );
    }

    #[test]
    fn quoting() {
        for s in ["", "true", "No", "~", "1", "-1", ".inf", "a #b", "x: y", "- a", "é", "trailing ", "[x]", "{x}"] {
            assert!(!plain_ok(s), "{s:?} would be plain");
        }
        assert_eq!(quoted("\u{7f}\u{85}\"\\"), "\"\\x7F\\x85\\\"\\\\\"");
    }
}
