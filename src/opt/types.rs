//! Option types: how text (or a native TOML value) becomes a typed [`Value`].
//!
//! Each type accepts exactly what oslo.config's `oslo_config.types` accepts,
//! with the differences called out on the type. Parse errors describe what
//! was expected and never repeat the value: the caller decides whether the
//! value may be shown (it may be a secret).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use indexmap::IndexMap;

use super::raw::RawValue;
use super::value::Value;

/// An option's type, with its bounds.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum OptType {
    /// Text; see [`StringType`].
    String(StringType),
    /// A whole number, with optional bounds or choices.
    Integer(NumberType<i64>),
    /// A floating point number, with optional bounds or choices.
    Float(NumberType<f64>),
    /// `true`/`1`/`on`/`yes` or `false`/`0`/`off`/`no`, any case.
    Boolean,
    /// A TCP/UDP port: an integer within 0..=65535 (narrower if asked).
    Port(NumberType<i64>),
    /// Comma-separated items of another type.
    List(ListType),
    /// Comma-separated `key:value` pairs.
    Dict(DictType),
    /// An IPv4 or IPv6 address (or only one version).
    IpAddress(Option<IpVersion>),
    /// An IP address or a host name (RFC 1123).
    HostAddress(Option<IpVersion>),
    /// Like `HostAddress`, also allowing `_` in names (SRV-style records).
    HostDomain(Option<IpVersion>),
    /// A host name (RFC 1123), not an address.
    Hostname,
    /// An absolute URI with a host; see [`UriType`].
    Uri(UriType),
}

/// Which IP version an address type accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpVersion {
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

/// A list of allowed values, each with an optional description.
pub type Choices<T> = Vec<(T, Option<String>)>;

/// Text with optional checks. oslo.config's `types.String`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StringType {
    /// Allowed values (with descriptions for the sample file).
    pub choices: Option<Choices<String>>,
    /// A pattern the value must match somewhere (an unanchored search).
    pub regex: Option<Pattern>,
    /// Compare choices and the pattern without regard to case.
    pub ignore_case: bool,
    /// Longest allowed value, in characters; 0 means no limit.
    pub max_length: usize,
    /// Strip one pair of surrounding quotes; an unclosed quote is an error.
    pub quotes: bool,
}

/// A regular expression that does not compile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid regex {source_text:?}: {reason}")]
pub struct PatternError {
    /// The pattern as written.
    pub source_text: String,
    /// What the regex compiler said.
    pub reason: String,
}

/// A compiled regular expression that compares by its source text.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    compiled: Arc<regex_lite::Regex>,
}

impl Pattern {
    /// Compiles `source`; `ignore_case` adds the `(?i)` flag.
    pub fn new(source: &str, ignore_case: bool) -> Result<Pattern, PatternError> {
        let full = if ignore_case { format!("(?i){source}") } else { source.to_owned() };
        let compiled = regex_lite::Regex::new(&full)
            .map_err(|e| PatternError { source_text: source.to_owned(), reason: e.to_string() })?;
        Ok(Pattern { source: source.to_owned(), compiled: Arc::new(compiled) })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn is_match(&self, text: &str) -> bool {
        self.compiled.is_match(text)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.compiled.as_str() == other.compiled.as_str()
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

/// Bounds or choices for a number. oslo.config's `types.Number`.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberType<T> {
    /// Smallest allowed value.
    pub min: Option<T>,
    /// Largest allowed value.
    pub max: Option<T>,
    /// Allowed values; when set, bounds are not checked (as oslo.config).
    pub choices: Option<Choices<T>>,
}

impl<T> Default for NumberType<T> {
    fn default() -> Self {
        NumberType { min: None, max: None, choices: None }
    }
}

/// Items of another type separated by commas. oslo.config's `types.List`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListType {
    /// The type of each item.
    pub item: Box<OptType>,
    /// Require the value to be wrapped in `[` and `]`.
    pub bounds: bool,
    /// Fewest items allowed.
    pub min_length: usize,
}

/// `key:value` pairs separated by commas. oslo.config's `types.Dict`.
#[derive(Clone, Debug, PartialEq)]
pub struct DictType {
    /// The type of each value (keys are strings).
    pub value: Box<OptType>,
    /// Require the value to be wrapped in `{` and `}`.
    pub bounds: bool,
    /// The separator between a key and its value; `:` unless set.
    pub separator: char,
    /// Fewest pairs allowed.
    pub min_length: usize,
}

/// An absolute URI with a scheme and a host. oslo.config's `types.URI`.
///
/// Unlike oslo.config, `schemes` are compared without regard to case, as
/// RFC 3986 says schemes are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UriType {
    /// Allowed schemes (any if empty).
    pub schemes: Vec<String>,
    /// Longest allowed value in characters.
    pub max_length: Option<usize>,
}

impl OptType {
    /// Plain text.
    pub fn string() -> OptType {
        OptType::String(StringType::default())
    }

    /// Text that must be one of `choices`.
    pub fn string_choices<I, S>(choices: I) -> OptType
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        OptType::String(StringType {
            choices: Some(choices.into_iter().map(|c| (c.into(), None)).collect()),
            ..StringType::default()
        })
    }

    /// A whole number.
    pub fn integer() -> OptType {
        OptType::Integer(NumberType::default())
    }

    /// A whole number within `min..=max` (either bound optional).
    pub fn integer_range(min: Option<i64>, max: Option<i64>) -> OptType {
        OptType::Integer(NumberType { min, max, choices: None })
    }

    /// A floating point number.
    pub fn float() -> OptType {
        OptType::Float(NumberType::default())
    }

    /// A boolean.
    pub fn boolean() -> OptType {
        OptType::Boolean
    }

    /// A port, 0..=65535.
    pub fn port() -> OptType {
        OptType::Port(NumberType { min: Some(0), max: Some(65535), choices: None })
    }

    /// A list of strings.
    pub fn list() -> OptType {
        OptType::list_of(OptType::string())
    }

    /// A list of items of type `item`.
    pub fn list_of(item: OptType) -> OptType {
        OptType::List(ListType { item: Box::new(item), bounds: false, min_length: 0 })
    }

    /// A dict of string values.
    pub fn dict() -> OptType {
        OptType::dict_of(OptType::string())
    }

    /// A dict whose values are of type `value`.
    pub fn dict_of(value: OptType) -> OptType {
        OptType::Dict(DictType { value: Box::new(value), bounds: false, separator: ':', min_length: 0 })
    }

    /// An IPv4 or IPv6 address.
    pub fn ip_address() -> OptType {
        OptType::IpAddress(None)
    }

    /// An IP address or host name.
    pub fn host_address() -> OptType {
        OptType::HostAddress(None)
    }

    /// An IP address or host name that may contain `_`.
    pub fn host_domain() -> OptType {
        OptType::HostDomain(None)
    }

    /// A URI with a scheme and a host.
    pub fn uri() -> OptType {
        OptType::Uri(UriType::default())
    }

    /// oslo.config's name for this type, as in sample files and
    /// `oslo-config-generator --format yaml` (`string value`, `port value`...).
    pub fn type_name(&self) -> &'static str {
        match self {
            OptType::String(_) => "string value",
            OptType::Integer(_) => "integer value",
            OptType::Float(_) => "floating point value",
            OptType::Boolean => "boolean value",
            OptType::Port(_) => "port value",
            OptType::List(_) => "list value",
            OptType::Dict(_) => "dict value",
            OptType::IpAddress(_) => "IP address value",
            OptType::HostAddress(_) => "host address value",
            OptType::HostDomain(_) => "host domain value",
            OptType::Hostname => "hostname value",
            OptType::Uri(_) => "uri value",
        }
    }

    /// Checks that the type's own bounds make sense (min <= max, choices
    /// within bounds, the port range within 0..=65535, a dict separator
    /// other than `,`).
    pub fn check_definition(&self) -> Result<(), String> {
        fn number<T: PartialOrd + fmt::Display + Copy>(n: &NumberType<T>) -> Result<(), String> {
            if let (Some(lo), Some(hi)) = (n.min, n.max) {
                if hi < lo {
                    return Err(format!("max {hi} is less than min {lo}"));
                }
            }
            for (c, _) in n.choices.iter().flatten() {
                if n.min.is_some_and(|lo| *c < lo) || n.max.is_some_and(|hi| *c > hi) {
                    return Err(format!("choice {c} is out of bounds"));
                }
            }
            Ok(())
        }
        match self {
            OptType::Integer(n) => number(n),
            OptType::Float(n) => number(n),
            OptType::Port(n) => {
                if n.min.is_some_and(|v| v < 0) || n.max.is_some_and(|v| v > 65535) {
                    return Err("port bounds must lie within 0..=65535".into());
                }
                number(n)
            }
            OptType::String(s) => {
                if s.choices.is_some() && s.regex.is_some() {
                    return Err("choices and regex cannot both be given".into());
                }
                Ok(())
            }
            OptType::List(l) => l.item.check_definition(),
            OptType::Dict(d) => {
                if d.separator == ',' {
                    return Err("a dict's key/value separator cannot be ','".into());
                }
                d.value.check_definition()
            }
            _ => Ok(()),
        }
    }

    /// Reads `raw` as this type. `Ok(None)` means "no value": an empty
    /// number, as oslo.config reads `timeout =` (the option is unset).
    pub fn parse(&self, raw: &RawValue) -> Result<Option<Value>, String> {
        match raw {
            RawValue::Str(s) => self.parse_str(s),
            RawValue::Int(i) => match self {
                OptType::Integer(n) | OptType::Port(n) => check_number(n, *i).map(|v| Some(Value::Int(v))),
                OptType::Float(n) => check_number(n, *i as f64).map(|v| Some(Value::Float(v))),
                _ => self.parse_scalar_as_text(raw),
            },
            RawValue::Float(f) => match self {
                OptType::Float(n) => check_number(n, *f).map(|v| Some(Value::Float(v))),
                OptType::Integer(_) | OptType::Port(_) => Err(format!("expected {}, found a float", self.expected())),
                _ => self.parse_scalar_as_text(raw),
            },
            RawValue::Bool(b) => match self {
                OptType::Boolean => Ok(Some(Value::Bool(*b))),
                OptType::String(_) => self.parse_scalar_as_text(raw),
                _ => Err(format!("expected {}, found a boolean", self.expected())),
            },
            RawValue::Datetime(_) => self.parse_scalar_as_text(raw),
            RawValue::Array(items) => match self {
                OptType::List(l) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        match l.item.parse(item) {
                            Ok(Some(v)) => out.push(v),
                            Ok(None) => return Err(format!("item {}: empty value", i + 1)),
                            Err(e) => return Err(format!("item {}: {e}", i + 1)),
                        }
                    }
                    check_length(out.len(), l.min_length)?;
                    Ok(Some(Value::List(out)))
                }
                _ => Err(format!("expected {}, found an array", self.expected())),
            },
            RawValue::Table(entries) => match self {
                OptType::Dict(d) => {
                    let mut out = IndexMap::new();
                    for (k, v) in entries {
                        match d.value.parse(v) {
                            Ok(Some(val)) => {
                                out.insert(k.clone(), val);
                            }
                            Ok(None) => return Err(format!("key {k:?}: empty value")),
                            Err(e) => return Err(format!("key {k:?}: {e}")),
                        }
                    }
                    check_length(out.len(), d.min_length)?;
                    Ok(Some(Value::Dict(out)))
                }
                _ => Err(format!("expected {}, found a table", self.expected())),
            },
        }
    }

    /// A native TOML scalar given where text is expected: read its text.
    fn parse_scalar_as_text(&self, raw: &RawValue) -> Result<Option<Value>, String> {
        match raw.scalar_text() {
            Some(text) => self.parse_str(&text),
            None => Err(format!("expected {}, found {}", self.expected(), raw.kind())),
        }
    }

    /// Reads text with oslo.config's rules.
    pub fn parse_str(&self, s: &str) -> Result<Option<Value>, String> {
        match self {
            OptType::String(t) => t.parse(s).map(|v| Some(Value::Str(v))),
            OptType::Integer(n) | OptType::Port(n) => match parse_python_int(s)? {
                None => Ok(None),
                Some(i) => check_number(n, i).map(|v| Some(Value::Int(v))),
            },
            OptType::Float(n) => match parse_python_float(s)? {
                None => Ok(None),
                Some(f) => check_number(n, f).map(|v| Some(Value::Float(v))),
            },
            OptType::Boolean => parse_bool(s).map(|b| Some(Value::Bool(b))),
            OptType::List(l) => l.parse(s).map(|v| Some(Value::List(v))),
            OptType::Dict(d) => d.parse(s).map(|v| Some(Value::Dict(v))),
            OptType::IpAddress(v) => check_ip(s, *v).map(|()| Some(Value::Str(s.to_owned()))),
            OptType::HostAddress(v) => check_host(s, *v, false).map(|h| Some(Value::Str(h))),
            OptType::HostDomain(v) => check_host(s, *v, true).map(|h| Some(Value::Str(h))),
            OptType::Hostname => check_hostname(s, false).map(|h| Some(Value::Str(h))),
            OptType::Uri(u) => u.check(s).map(|()| Some(Value::Str(s.to_owned()))),
        }
    }

    /// What this type accepts, for "expected ..." in error messages.
    pub fn expected(&self) -> String {
        match self {
            OptType::String(s) => match &s.choices {
                Some(c) => format!("one of [{}]", c.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>().join(", ")),
                None => "a string".into(),
            },
            OptType::Integer(n) => format!("an integer{}", bounds_text(n)),
            OptType::Float(n) => format!("a float{}", bounds_text(n)),
            OptType::Port(n) => format!("a port{}", bounds_text(n)),
            OptType::Boolean => "a boolean (true/false, yes/no, on/off, 1/0)".into(),
            OptType::List(l) => format!("a comma-separated list of {}", l.item.expected()),
            OptType::Dict(d) => format!("comma-separated key{}value pairs", d.separator),
            OptType::IpAddress(None) => "an IPv4 or IPv6 address".into(),
            OptType::IpAddress(Some(IpVersion::V4)) => "an IPv4 address".into(),
            OptType::IpAddress(Some(IpVersion::V6)) => "an IPv6 address".into(),
            OptType::HostAddress(_) | OptType::HostDomain(_) => "an IP address or host name".into(),
            OptType::Hostname => "a host name".into(),
            OptType::Uri(u) if !u.schemes.is_empty() => format!("a URI with scheme {}", u.schemes.join(" or ")),
            OptType::Uri(_) => "a URI with a scheme and a host".into(),
        }
    }
}

fn bounds_text<T: fmt::Display>(n: &NumberType<T>) -> String {
    if let Some(c) = &n.choices {
        return format!(" in [{}]", c.iter().map(|(v, _)| v.to_string()).collect::<Vec<_>>().join(", "));
    }
    match (&n.min, &n.max) {
        (Some(lo), Some(hi)) => format!(" in {lo}..={hi}"),
        (Some(lo), None) => format!(" >= {lo}"),
        (None, Some(hi)) => format!(" <= {hi}"),
        (None, None) => String::new(),
    }
}

fn check_length(len: usize, min: usize) -> Result<(), String> {
    if len < min {
        return Err(format!("should have at least {min} items, found {len}"));
    }
    Ok(())
}

fn check_number<T: PartialOrd + fmt::Display + Copy>(n: &NumberType<T>, v: T) -> Result<T, String> {
    match &n.choices {
        Some(choices) => {
            if choices.iter().any(|(c, _)| *c == v) {
                Ok(v)
            } else {
                let list: Vec<String> = choices.iter().map(|(c, _)| c.to_string()).collect();
                Err(format!("valid values are [{}]", list.join(", ")))
            }
        }
        None => {
            if let Some(lo) = n.min {
                if v < lo {
                    return Err(format!("should be greater than or equal to {lo}"));
                }
            }
            if let Some(hi) = n.max {
                if v > hi {
                    return Err(format!("should be less than or equal to {hi}"));
                }
            }
            Ok(v)
        }
    }
}

impl StringType {
    fn parse(&self, s: &str) -> Result<String, String> {
        let mut value = s;
        if self.quotes && !value.is_empty() {
            let first = value.chars().next().unwrap_or(' ');
            if first == '"' || first == '\'' {
                if value.chars().count() == 1 || !value.ends_with(first) {
                    return Err("non-closed quote".into());
                }
                value = &value[1..value.len() - 1];
            }
        }
        if self.max_length > 0 && value.chars().count() > self.max_length {
            return Err(format!("exceeds maximum length {}", self.max_length));
        }
        if let Some(re) = &self.regex {
            if !re.is_match(value) {
                return Err(format!("does not match regex {:?}", re.as_str()));
            }
        }
        if let Some(choices) = &self.choices {
            let found = if self.ignore_case {
                let lower = value.to_lowercase();
                choices.iter().any(|(c, _)| c.to_lowercase() == lower)
            } else {
                choices.iter().any(|(c, _)| c == value)
            };
            if !found {
                let list: Vec<&str> = choices.iter().map(|(c, _)| c.as_str()).collect();
                return Err(format!("valid values are [{}]", list.join(", ")));
            }
        }
        Ok(value.to_owned())
    }
}

/// Python's `int()` on text: surrounding white space, a sign, digits with
/// single `_` between them. Empty text is "no value", as oslo.config.
fn parse_python_int(s: &str) -> Result<Option<i64>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = python_digits(t.strip_prefix(['+', '-']).unwrap_or(t)).ok_or("expected an integer")?;
    let signed = if t.starts_with('-') { format!("-{digits}") } else { digits };
    signed.parse::<i64>().map(Some).map_err(|_| "integer out of range (64-bit)".into())
}

/// `1_000` -> `1000`; `None` unless the text is digits with single
/// underscores between them.
fn python_digits(t: &str) -> Option<String> {
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    if !t.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    Some(t.replace('_', ""))
}

/// A float as Python's `str()` writes the usual ones (`1.0`, `0.5`, `inf`,
/// `nan`): how oslo.config's generator writes defaults and PyYAML reads
/// floats back.
pub(crate) fn python_float(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{f:?}")
    }
}

/// Python's `float()` on text: decimals, exponents, `inf`, `nan`, digit
/// groups with `_`. Empty text is "no value".
fn parse_python_float(s: &str) -> Result<Option<f64>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = body.to_ascii_lowercase();
    let special = matches!(lower.as_str(), "inf" | "infinity" | "nan");
    let ok_chars = body.chars().all(|c| c.is_ascii_digit() || matches!(c, '_' | '.' | 'e' | 'E' | '+' | '-'));
    // Underscores only between digits, as Python allows.
    let b = body.as_bytes();
    let underscores_ok = b.iter().enumerate().all(|(i, c)| {
        *c != b'_' || (i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
    });
    let numeric = ok_chars && underscores_ok && body.chars().any(|c| c.is_ascii_digit());
    if !(special || numeric) {
        return Err("expected a float".into());
    }
    t.replace('_', "").parse::<f64>().map(Some).map_err(|_| "expected a float".into())
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.to_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" => Ok(false),
        _ => Err("expected a boolean (true/false, yes/no, on/off, 1/0)".into()),
    }
}

fn check_ip(s: &str, version: Option<IpVersion>) -> Result<(), String> {
    if s.is_empty() {
        return Err("an IP address cannot be empty".into());
    }
    let v4 = s.parse::<Ipv4Addr>().is_ok();
    let v6 = s.parse::<Ipv6Addr>().is_ok();
    match version {
        None if v4 || v6 => Ok(()),
        Some(IpVersion::V4) if v4 => Ok(()),
        Some(IpVersion::V6) if v6 => Ok(()),
        None => Err("expected an IPv4 or IPv6 address".into()),
        Some(IpVersion::V4) => Err("expected an IPv4 address".into()),
        Some(IpVersion::V6) => Err("expected an IPv6 address".into()),
    }
}

fn check_host(s: &str, version: Option<IpVersion>, underscore: bool) -> Result<String, String> {
    if check_ip(s, version).is_ok() {
        return Ok(s.to_owned());
    }
    check_hostname(s, underscore).map_err(|_| "expected an IP address or host name".to_owned())
}

/// RFC 1123 host names as oslo.config checks them: at most 253 characters,
/// labels of 1-63 letters, digits and `-` (and `_` for host domains) that
/// neither start nor end with `-`, a top-level label that is not all
/// digits; one trailing `.` is dropped.
fn check_hostname(s: &str, underscore: bool) -> Result<String, String> {
    if s.is_empty() {
        return Err("a host name cannot be empty".into());
    }
    if s.chars().count() > 253 {
        return Err("a host name cannot be longer than 253 characters".into());
    }
    let name = s.strip_suffix('.').unwrap_or(s);
    let tld = name.rsplit('.').next().unwrap_or("");
    if !tld.chars().any(|c| c.is_ascii_alphabetic() || c == '-') {
        return Err("the top-level label of a host name must not be all digits".into());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || (underscore && c == '_'))
    };
    if name.split('.').all(label_ok) { Ok(name.to_owned()) } else { Err("invalid host name".into()) }
}

impl ListType {
    fn parse(&self, s: &str) -> Result<Vec<Value>, String> {
        let mut s = s.trim().trim_end_matches(',');
        if self.bounds {
            s = s
                .strip_prefix('[')
                .ok_or("value should start with \"[\"")?
                .strip_suffix(']')
                .ok_or("value should end with \"]\"")?;
        }
        let mut parts: std::collections::VecDeque<&str> =
            if s.is_empty() { Default::default() } else { s.split(',').collect() };
        let mut out = Vec::new();
        // An item that fails to parse may itself contain commas: join the
        // next part and try again, as oslo.config does.
        while let Some(first) = parts.pop_front() {
            let mut item = first.to_owned();
            loop {
                let first_error = match self.item.parse_str(item.trim()) {
                    Ok(Some(v)) => {
                        out.push(v);
                        break;
                    }
                    Ok(None) => {
                        // An empty number item: oslo.config keeps None.
                        break;
                    }
                    Err(e) => e,
                };
                match parts.pop_front() {
                    Some(next) => {
                        item.push(',');
                        item.push_str(next);
                    }
                    None => return Err(format!("item {}: {first_error}", out.len() + 1)),
                }
            }
        }
        check_length(out.len(), self.min_length)?;
        Ok(out)
    }
}

impl DictType {
    fn parse(&self, s: &str) -> Result<IndexMap<String, Value>, String> {
        let mut s = s.trim();
        if self.bounds {
            s = s
                .strip_prefix('{')
                .ok_or("value should start with \"{\"")?
                .strip_suffix('}')
                .ok_or("value should end with \"}\"")?;
        }
        let mut out = IndexMap::new();
        if s.is_empty() {
            check_length(0, self.min_length)?;
            return Ok(out);
        }
        let mut parts: std::collections::VecDeque<&str> = s.split(',').collect();
        while let Some(first) = parts.pop_front() {
            let mut pair = first.to_owned();
            let (key, value) = loop {
                let attempt = match pair.split_once(self.separator) {
                    None => Err(format!("expected NAME{}VALUE pairs separated by \",\"", self.separator)),
                    Some((k, v)) => match self.value.parse_str(v.trim()) {
                        Ok(val) => Ok((k.trim().to_owned(), val)),
                        Err(e) => Err(e),
                    },
                };
                match attempt {
                    Ok(kv) => break kv,
                    Err(e) => match parts.pop_front() {
                        Some(next) => {
                            pair.push(',');
                            pair.push_str(next);
                        }
                        None => return Err(e),
                    },
                }
            };
            if key.is_empty() {
                return Err("a key name should not be empty".into());
            }
            if out.contains_key(&key) {
                return Err(format!("duplicate key {key:?}"));
            }
            let value = value.unwrap_or_else(|| Value::Str(String::new()));
            out.insert(key, value);
        }
        check_length(out.len(), self.min_length)?;
        Ok(out)
    }
}

impl UriType {
    fn check(&self, s: &str) -> Result<(), String> {
        let (scheme, rest) = s.split_once(':').ok_or("expected a URI with a scheme (such as https://)")?;
        let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return Err("invalid URI scheme".into());
        }
        if !self.schemes.is_empty() && !self.schemes.iter().any(|w| w.eq_ignore_ascii_case(scheme)) {
            return Err(format!("URI scheme must be one of [{}]", self.schemes.join(", ")));
        }
        let after = rest.strip_prefix("//").ok_or("expected a URI with a host (scheme://host)")?;
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, tail) = after.split_at(end);
        let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = if let Some(v6) = hostport.strip_prefix('[') {
            let (inside, after_bracket) = v6.split_once(']').ok_or("unclosed '[' in URI host")?;
            if inside.parse::<Ipv6Addr>().is_err() && !inside.starts_with(['v', 'V']) {
                return Err("invalid IPv6 address in URI host".into());
            }
            check_port(after_bracket)?;
            inside
        } else {
            let (h, port) = match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            };
            if let Some(p) = port {
                check_port(&format!(":{p}"))?;
            }
            h
        };
        if host.is_empty() {
            return Err("expected a URI with a host (scheme://host)".into());
        }
        let reg_name_ok = |c: char| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=".contains(c) || !c.is_ascii();
        if !hostport.starts_with('[') && !host.chars().all(reg_name_ok) {
            return Err("invalid character in URI host".into());
        }
        let path_ok = |c: char| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:@/?#[]".contains(c) || !c.is_ascii();
        if !tail.chars().all(path_ok) {
            return Err("invalid character in URI path".into());
        }
        if let Some(max) = self.max_length {
            if s.chars().count() > max {
                return Err(format!("exceeds maximum length {max}"));
            }
        }
        Ok(())
    }
}

fn check_port(after_host: &str) -> Result<(), String> {
    match after_host.strip_prefix(':') {
        None if after_host.is_empty() => Ok(()),
        None => Err("unexpected text after URI host".into()),
        Some(p) if p.chars().all(|c| c.is_ascii_digit()) => Ok(()),
        Some(_) => Err("invalid port in URI".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(t: &OptType, s: &str) -> Value {
        t.parse_str(s).unwrap_or_else(|e| panic!("{s:?} rejected: {e}")).expect("a value")
    }

    #[test]
    fn python_int_spellings() {
        let t = OptType::integer();
        assert_eq!(ok(&t, " 42 "), Value::Int(42));
        assert_eq!(ok(&t, "+7"), Value::Int(7));
        assert_eq!(ok(&t, "-7"), Value::Int(-7));
        assert_eq!(ok(&t, "1_000"), Value::Int(1000));
        assert_eq!(ok(&t, "007"), Value::Int(7));
        assert_eq!(t.parse_str("  ").unwrap(), None);
        for bad in ["1.5", "1__0", "_1", "1_", "0x10", "ten", "9223372036854775808", "- 1"] {
            assert!(t.parse_str(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn python_float_spellings() {
        let t = OptType::float();
        assert_eq!(ok(&t, "1.5"), Value::Float(1.5));
        assert_eq!(ok(&t, ".5"), Value::Float(0.5));
        assert_eq!(ok(&t, "5."), Value::Float(5.0));
        assert_eq!(ok(&t, "1e3"), Value::Float(1000.0));
        assert_eq!(ok(&t, "1_0.5"), Value::Float(10.5));
        assert!(ok(&t, "-inf").as_float().is_some_and(f64::is_infinite));
        for bad in ["", "abc", "1._5", "e5", "1.5x"] {
            if bad.is_empty() {
                assert_eq!(t.parse_str(bad).unwrap(), None);
            } else {
                assert!(t.parse_str(bad).is_err(), "{bad:?} accepted");
            }
        }
    }
}
