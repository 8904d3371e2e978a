//! YAML as PyYAML reads it, into [`Node`]s with their positions: the
//! opt-data files of `oslo-config-generator` and openstacksdk's
//! `clouds.yaml`.
//!
//! `oslo-config-generator --format yaml` writes with PyYAML's `safe_dump`,
//! which follows YAML 1.1: a plain scalar is a string unless PyYAML's
//! YAML 1.1 rules make it something else. A YAML 1.2 reader would take
//! plain `1e3` or `0o17` (strings to PyYAML, written unquoted) for numbers,
//! so scalars are resolved here with PyYAML's own rules (`yaml/resolver.py`,
//! `yaml/constructor.py`): `yes`/`on` are booleans, `010` is octal, `1:30`
//! is base 60, and a float needs a dot.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};

/// A YAML or JSON value with its position (line 0 when unknown, as for
/// JSON).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: NodeValue,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum NodeValue {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub(crate) fn from_json(value: serde_json::Value) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => NodeValue::Null,
            J::Bool(b) => NodeValue::Bool(b),
            J::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => NodeValue::Int(i.into()),
                (None, Some(u)) => NodeValue::Int(u.into()),
                _ => NodeValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => NodeValue::Str(s),
            J::Array(items) => NodeValue::Seq(items.into_iter().map(Node::from_json).collect()),
            J::Object(map) => NodeValue::Map(map.into_iter().map(|(k, v)| (k, Node::from_json(v))).collect()),
        };
        Node { value, line: 0, column: 0 }
    }

    /// How many nodes this one holds, itself included.
    pub(crate) fn count(&self) -> usize {
        1 + match &self.value {
            NodeValue::Seq(items) => items.iter().map(Node::count).sum(),
            NodeValue::Map(entries) => entries.iter().map(|(_, v)| v.count()).sum(),
            _ => 0,
        }
    }

    /// A scalar as text (a mapping key, a choice); `None` for null and
    /// collections.
    pub(crate) fn key_text(&self) -> Option<String> {
        match &self.value {
            NodeValue::Str(s) => Some(s.clone()),
            NodeValue::Bool(b) => Some(b.to_string()),
            NodeValue::Int(i) => Some(i.to_string()),
            NodeValue::Float(f) => Some(crate::opt::python_float(*f)),
            NodeValue::Null | NodeValue::Seq(_) | NodeValue::Map(_) => None,
        }
    }

    /// [`Node::key_text`], taking the text rather than copying it.
    fn into_key_text(self) -> Option<String> {
        match self.value {
            NodeValue::Str(s) => Some(s),
            _ => self.key_text(),
        }
    }

    pub(crate) fn kind(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Int(_) => "an integer",
            NodeValue::Float(_) => "a float",
            NodeValue::Str(_) => "a string",
            NodeValue::Seq(_) => "a list",
            NodeValue::Map(_) => "a mapping",
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        self.value == NodeValue::Null
    }

    #[cfg(test)]
    pub(crate) fn into_map(self) -> Vec<(String, Node)> {
        match self.value {
            NodeValue::Map(m) => m,
            _ => panic!("not a mapping"),
        }
    }
}

/// How many nodes aliases may copy in all: a guard against "billion
/// laughs" documents (nested anchors that expand exponentially).
const ALIAS_BUDGET: usize = 1_000_000;

/// A syntax error: message, 1-based line and column.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

enum Frame {
    Seq { anchor: usize, at: (u32, u32), items: Vec<Node> },
    Map { anchor: usize, at: (u32, u32), entries: Vec<(String, Node)>, key: Option<String> },
}

/// Reads the single document of `text`.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut docs: Vec<Node> = Vec::new();
    let mut budget = ALIAS_BUDGET;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(scan_error)?;
        let at = position(&span);
        let node = match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd => {
                continue;
            }
            Event::Alias(id) => {
                let node = anchors.get(&id).cloned().ok_or_else(|| error("unknown alias", at))?;
                budget =
                    budget.checked_sub(node.count()).ok_or_else(|| error("aliases expand to too many nodes", at))?;
                node
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(text, style, tag.as_deref()).map_err(|m| error(&m, at))?;
                let node = Node { value, line: at.0, column: at.1 };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::SequenceStart(anchor, tag) => {
                collection_tag(tag.as_deref(), "seq").map_err(|m| error(&m, at))?;
                stack.push(Frame::Seq { anchor, at, items: Vec::new() });
                continue;
            }
            Event::MappingStart(anchor, tag) => {
                collection_tag(tag.as_deref(), "map").map_err(|m| error(&m, at))?;
                stack.push(Frame::Map { anchor, at, entries: Vec::new(), key: None });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, node) = match stack.pop() {
                    Some(Frame::Seq { anchor, at, items }) => {
                        (anchor, Node { value: NodeValue::Seq(items), line: at.0, column: at.1 })
                    }
                    Some(Frame::Map { anchor, at, entries, .. }) => {
                        (anchor, Node { value: NodeValue::Map(entries), line: at.0, column: at.1 })
                    }
                    None => return Err(error("unbalanced collection end", at)),
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
        };
        match stack.last_mut() {
            None => docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let (line, column) = (node.line, node.column);
                    let text =
                        node.into_key_text().ok_or_else(|| error("a mapping key must be a scalar", (line, column)))?;
                    if entries.iter().any(|(k, _)| *k == text) {
                        return Err(error(&format!("duplicate key {text:?}"), (line, column)));
                    }
                    *key = Some(text);
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }
    match docs.len() {
        1 => Ok(docs.pop().expect("one document")),
        0 => Err(SyntaxError { message: "the file holds no YAML document".into(), line: 0, column: 0 }),
        n => Err(SyntaxError { message: format!("expected one YAML document, found {n}"), line: 0, column: 0 }),
    }
}

fn position(span: &Span) -> (u32, u32) {
    (span.start.line() as u32, span.start.col() as u32 + 1)
}

fn error(message: &str, at: (u32, u32)) -> SyntaxError {
    SyntaxError { message: message.to_owned(), line: at.0, column: at.1 }
}

fn scan_error(e: ScanError) -> SyntaxError {
    let m = e.marker();
    SyntaxError { message: e.info().to_owned(), line: m.line() as u32, column: m.col() as u32 + 1 }
}

/// `!!seq` and `!!map` are fine on collections; other tags (`!!set`,
/// `!!omap`, `!!python/tuple`...) are not what `safe_dump` writes here.
fn collection_tag(tag: Option<&Tag>, own: &str) -> Result<(), String> {
    match tag {
        None => Ok(()),
        Some(t) if t.is_yaml_core_schema() && t.suffix == own => Ok(()),
        Some(t) => Err(format!("unsupported tag {}", tag_text(t))),
    }
}

fn tag_text(t: &Tag) -> String {
    if t.is_yaml_core_schema() { format!("!!{}", t.suffix) } else { format!("{}{}", t.handle, t.suffix) }
}

/// A scalar as PyYAML's `safe_load` reads it.
fn scalar(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Result<NodeValue, String> {
    if let Some(t) = tag {
        if !t.is_yaml_core_schema() {
            return Err(format!("unsupported tag {}", tag_text(t)));
        }
        if t.suffix == "str" {
            return Ok(NodeValue::Str(text.into_owned()));
        }
        let bad = || format!("{text:?} is not a valid !!{}", t.suffix);
        return match t.suffix.as_str() {
            "null" => Ok(NodeValue::Null),
            "bool" => bool_word(&text).map(NodeValue::Bool).ok_or_else(bad),
            "int" => int_value(&text).ok_or_else(bad),
            "float" => float_value(&text).or_else(|| int_value(&text)).ok_or_else(bad),
            _ => Err(format!("unsupported tag {}", tag_text(t))),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(NodeValue::Str(text.into_owned()));
    }
    Ok(resolve_plain(text))
}

/// PyYAML's implicit resolvers (`yaml/resolver.py`), written out by hand:
/// the patterns in the tests below are PyYAML's, and a test checks these
/// functions against them on every short string over the characters that
/// matter. A regex engine here cost more than scanning the YAML (every
/// `name`, `opts`, `null` and number of an opt-data file went through one).
fn resolve_plain(text: Cow<'_, str>) -> NodeValue {
    if is_null(&text) {
        return NodeValue::Null;
    }
    if let Some(b) = bool_word(&text) {
        return NodeValue::Bool(b);
    }
    if is_int(&text) {
        if let Some(v) = int_value(&text) {
            return v;
        }
    }
    if is_float(&text) {
        if let Some(v) = float_value(&text) {
            return v;
        }
    }
    NodeValue::Str(text.into_owned())
}

/// `~|null|Null|NULL|` (the empty scalar).
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// PyYAML's boolean words and their values.
fn bool_word(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn digits_or_underscores(s: &[u8], digit: fn(&u8) -> bool) -> bool {
    s.iter().all(|c| *c == b'_' || digit(c))
}

fn decimal(s: &[u8]) -> bool {
    digits_or_underscores(s, u8::is_ascii_digit)
}

/// The part after a number's optional sign.
fn unsigned(text: &str) -> (bool, &[u8]) {
    match text.as_bytes() {
        [b'-' | b'+', rest @ ..] => (true, rest),
        b => (false, b),
    }
}

/// `(?::[0-5]?[0-9])+` after a base-60 number's first part: `rest` is
/// what follows the first `:`.
fn base60_tail(rest: &[u8]) -> bool {
    rest.split(|c| *c == b':').all(|d| match d {
        [a] => a.is_ascii_digit(),
        [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
        _ => false,
    })
}

/// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) |
/// [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
fn is_int(text: &str) -> bool {
    let (_, body) = unsigned(text);
    match body {
        [b'0', b'b', rest @ ..] => !rest.is_empty() && digits_or_underscores(rest, |c| matches!(c, b'0' | b'1')),
        [b'0', b'x', rest @ ..] => !rest.is_empty() && digits_or_underscores(rest, u8::is_ascii_hexdigit),
        [b'0'] => true,
        [b'0', rest @ ..] => digits_or_underscores(rest, |c| (b'0'..=b'7').contains(c)),
        [b'1'..=b'9', rest @ ..] => match rest.iter().position(|c| *c == b':') {
            None => decimal(rest),
            Some(colon) => decimal(&rest[..colon]) && base60_tail(&rest[colon + 1..]),
        },
        _ => false,
    }
}

/// `[0-9_]*(?:[eE][-+][0-9]+)?`: a fraction and an optional exponent
/// (whose sign PyYAML requires).
fn fraction_and_exponent(s: &[u8]) -> bool {
    match s.iter().position(|c| matches!(c, b'e' | b'E')) {
        None => decimal(s),
        Some(e) => {
            decimal(&s[..e])
                && matches!(&s[e + 1..], [b'-' | b'+', exp @ ..] if !exp.is_empty() && exp.iter().all(u8::is_ascii_digit))
        }
    }
}

/// `[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)? |
/// \.[0-9][0-9_]*(?:[eE][-+][0-9]+)? | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* |
/// [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
fn is_float(text: &str) -> bool {
    let (signed, body) = unsigned(text);
    match body {
        [b'.', rest @ ..] => match rest {
            b"inf" | b"Inf" | b"INF" => true,
            b"nan" | b"NaN" | b"NAN" => !signed,
            [b'0'..=b'9', ..] => !signed && fraction_and_exponent(rest),
            _ => false,
        },
        [b'0'..=b'9', ..] => {
            let Some(dot) = body.iter().position(|c| *c == b'.') else { return false };
            let (head, fraction) = (&body[..dot], &body[dot + 1..]);
            match head.iter().position(|c| *c == b':') {
                None => decimal(head) && fraction_and_exponent(fraction),
                Some(colon) => decimal(&head[..colon]) && base60_tail(&head[colon + 1..]) && decimal(fraction),
            }
        }
        _ => false,
    }
}

/// PyYAML's `construct_yaml_int`: `_` dropped, `0b`, `0x`, leading-`0`
/// octal, and `:`-separated base 60.
fn int_value(text: &str) -> Option<NodeValue> {
    let clean = text.replace('_', "");
    let (negative, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let magnitude: i128 = if body == "0" {
        0
    } else if let Some(bin) = body.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()?
    } else if let Some(hex) = body.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if body.starts_with('0') {
        i128::from_str_radix(body, 8).ok()?
    } else if body.contains(':') {
        body.split(':').try_fold(0i128, |acc, d| acc.checked_mul(60)?.checked_add(d.parse::<i128>().ok()?))?
    } else {
        body.parse().ok()?
    };
    Some(NodeValue::Int(if negative { -magnitude } else { magnitude }))
}

/// PyYAML's `construct_yaml_float`.
fn float_value(text: &str) -> Option<NodeValue> {
    let clean = text.replace('_', "").to_ascii_lowercase();
    let (sign, body) = match clean.as_bytes().first() {
        Some(b'-') => (-1.0, &clean[1..]),
        Some(b'+') => (1.0, &clean[1..]),
        _ => (1.0, clean.as_str()),
    };
    let magnitude = match body {
        ".inf" => f64::INFINITY,
        ".nan" => f64::NAN,
        b if b.contains(':') => b.split(':').try_fold(0.0f64, |acc, d| Some(acc * 60.0 + d.parse::<f64>().ok()?))?,
        b => b.parse().ok()?,
    };
    Some(NodeValue::Float(sign * magnitude))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> NodeValue {
        parse(&format!("k: {text}\n")).unwrap_or_else(|e| panic!("{text}: {}", e.message)).into_map().remove(0).1.value
    }

    #[test]
    fn plain_scalars_resolve_as_pyyaml_does() {
        assert_eq!(value("~"), NodeValue::Null);
        assert_eq!(value(""), NodeValue::Null);
        assert_eq!(value("null"), NodeValue::Null);
        assert_eq!(value("yes"), NodeValue::Bool(true));
        assert_eq!(value("Off"), NodeValue::Bool(false));
        assert_eq!(value("true"), NodeValue::Bool(true));
        assert_eq!(value("42"), NodeValue::Int(42));
        assert_eq!(value("-1_000"), NodeValue::Int(-1000));
        assert_eq!(value("010"), NodeValue::Int(8));
        assert_eq!(value("0x1F"), NodeValue::Int(31));
        assert_eq!(value("0b101"), NodeValue::Int(5));
        assert_eq!(value("1:30"), NodeValue::Int(90));
        assert_eq!(value("1.5"), NodeValue::Float(1.5));
        assert_eq!(value("1.0e+20"), NodeValue::Float(1e20));
        assert_eq!(value("-.inf"), NodeValue::Float(f64::NEG_INFINITY));
        assert!(matches!(value(".nan"), NodeValue::Float(f) if f.is_nan()));
        // Strings to PyYAML (a YAML 1.2 reader would see numbers).
        assert_eq!(value("1e3"), NodeValue::Str("1e3".into()));
        assert_eq!(value("0o17"), NodeValue::Str("0o17".into()));
        assert_eq!(value("None"), NodeValue::Str("None".into()));
        assert_eq!(value("2001-12-14"), NodeValue::Str("2001-12-14".into()));
        // Quoted and tagged.
        assert_eq!(value("'yes'"), NodeValue::Str("yes".into()));
        assert_eq!(value("\"42\""), NodeValue::Str("42".into()));
        assert_eq!(value("!!str 42"), NodeValue::Str("42".into()));
        assert_eq!(value("!!int '42'"), NodeValue::Int(42));
    }

    /// PyYAML's own patterns (`yaml/resolver.py`, YAML 1.1), which the
    /// hand-written checks replace.
    const PYYAML: [(&str, &str); 4] = [
        ("null", r"^(?:~|null|Null|NULL|)$"),
        ("bool", r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
        (
            "int",
            concat!(
                r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)",
                r"|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"
            ),
        ),
        (
            "float",
            concat!(
                r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?",
                r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
            ),
        ),
    ];

    fn hand_check(kind: &str, text: &str) -> bool {
        match kind {
            "null" => is_null(text),
            "bool" => bool_word(text).is_some(),
            "int" => is_int(text),
            _ => is_float(text),
        }
    }

    /// Every string of up to 4 characters over the characters the patterns
    /// turn on, of 5 and 6 over the ones base 60 and exponents need, and
    /// the words, against PyYAML's patterns.
    #[test]
    fn hand_checks_match_pyyaml_patterns() {
        let patterns: Vec<(&str, regex_lite::Regex)> =
            PYYAML.iter().map(|(k, p)| (*k, regex_lite::Regex::new(p).expect("a valid pattern"))).collect();
        let check = |text: &str| {
            for (kind, re) in &patterns {
                assert_eq!(hand_check(kind, text), re.is_match(text), "{kind} {text:?}");
            }
        };
        fn all(alphabet: &[u8], text: &mut String, lengths: (usize, usize), check: &dyn Fn(&str)) {
            if text.len() >= lengths.0 {
                check(text);
            }
            if text.len() == lengths.1 {
                return;
            }
            for c in alphabet {
                text.push(char::from(*c));
                all(alphabet, text, lengths, check);
                text.pop();
            }
        }
        all(b"0156789_:.eE+-xbaf~", &mut String::new(), (0, 4), &check);
        all(b"06_:.e+", &mut String::new(), (5, 6), &check);
        for word in [
            "yes",
            "Yes",
            "YES",
            "yEs",
            "no",
            "NO",
            "nO",
            "true",
            "TRUE",
            "tRUE",
            "false",
            "on",
            "ON",
            "oN",
            "off",
            "OFF",
            "oFF",
            "y",
            "n",
            "null",
            "Null",
            "NULL",
            "nULL",
            "~",
            "~~",
            "none",
            ".inf",
            "-.Inf",
            "+.INF",
            ".iNf",
            ".nan",
            ".NaN",
            ".NAN",
            "-.nan",
            "+.nan",
            ".Nan",
            "1_000:59.5e+3",
            "190:20:30.15",
            "1:60",
            "1:5:9",
            "0x1F_ff",
            "0xg",
            "-0b1_0",
            "685_230.15",
            "6.8523015e+5",
            "1.0e20",
            "1.0e+",
        ] {
            check(word);
        }
    }

    #[test]
    fn positions_anchors_and_errors() {
        let doc = parse("a:\n  - &x [1, 2]\n  - *x\nb: {c: d}\n").unwrap();
        let map = doc.into_map();
        assert_eq!(map[0].0, "a");
        let NodeValue::Seq(items) = &map[0].1.value else { panic!("a sequence") };
        assert_eq!(items[0].value, items[1].value);
        // A node with an anchor starts at its anchor.
        assert_eq!((items[0].line, items[0].column), (2, 5));
        assert_eq!((map[1].1.line, map[1].1.column), (4, 4));

        let e = parse("a: [1, 2\nb: 3\n").expect_err("an error");
        assert!(e.line >= 1, "{}", e.message);
        let e = parse("a: 1\na: 2\n").expect_err("an error");
        assert_eq!((e.line, e.message.as_str()), (2, "duplicate key \"a\""));
        assert!(parse("a: !!python/tuple [1, 2]\n").is_err());
        assert!(parse("").is_err());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
    }
}
