//! Typed option values.

use std::fmt;

use indexmap::IndexMap;

use super::secret::{MASK, Secret};

/// The typed value of an option, after its type has parsed it.
///
/// `Display` gives the form oslo.config writes in a sample file
/// (`a,b`, `k:v,k2:v2`, `true`), with secrets as `****`.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// A string, host, IP address or URI.
    Str(String),
    /// A secret string; see [`Secret`].
    Secret(Secret),
    /// An integer or a port.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A list, or the values of a multi-valued option, in order.
    List(Vec<Value>),
    /// A dict, in the order its keys were written.
    Dict(IndexMap<String, Value>),
}

impl Value {
    /// The string inside a `Str` or `Secret` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Secret(s) => Some(s.expose()),
            _ => None,
        }
    }

    /// The integer inside an `Int` value.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number inside a `Float` or `Int` value.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The boolean inside a `Bool` value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The items of a `List` value.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The entries of a `Dict` value.
    pub fn as_dict(&self) -> Option<&IndexMap<String, Value>> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// Whether this value is, or holds, a secret.
    pub fn has_secret(&self) -> bool {
        match self {
            Value::Secret(_) => true,
            Value::List(l) => l.iter().any(Value::has_secret),
            Value::Dict(d) => d.values().any(Value::has_secret),
            _ => false,
        }
    }

    /// The same value with every string turned into a [`Secret`].
    pub fn into_secret(self) -> Value {
        match self {
            Value::Str(s) => Value::Secret(Secret::new(s)),
            Value::List(l) => Value::List(l.into_iter().map(Value::into_secret).collect()),
            Value::Dict(d) => Value::Dict(d.into_iter().map(|(k, v)| (k, v.into_secret())).collect()),
            other => other,
        }
    }

    /// The text form with secrets revealed: what interpolation substitutes
    /// and what `--reveal-secrets` prints. Keep it out of logs.
    pub fn to_plain_string(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, true);
        out
    }

    /// The value as JSON, secrets revealed only if `reveal` is set.
    pub fn to_json(&self, reveal: bool) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Str(s) => J::String(s.clone()),
            Value::Secret(s) => J::String(if reveal { s.expose().to_owned() } else { MASK.to_owned() }),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or_else(|| J::String(f.to_string()), J::Number),
            Value::Bool(b) => J::Bool(*b),
            Value::List(l) => J::Array(l.iter().map(|v| v.to_json(reveal)).collect()),
            Value::Dict(d) => J::Object(d.iter().map(|(k, v)| (k.clone(), v.to_json(reveal))).collect()),
        }
    }

    fn write(&self, out: &mut String, reveal: bool) {
        use std::fmt::Write;
        match self {
            Value::Str(s) => out.push_str(s),
            Value::Secret(s) => out.push_str(if reveal { s.expose() } else { MASK }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => {
                let _ = write!(out, "{f}");
            }
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::List(l) => {
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out, reveal);
                }
            }
            Value::Dict(d) => {
                for (i, (k, v)) in d.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(k);
                    out.push(':');
                    v.write(out, reveal);
                }
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out, false);
        f.write_str(&out)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "Str({s:?})"),
            Value::Secret(_) => write!(f, "Secret({MASK})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::List(l) => f.debug_tuple("List").field(l).finish(),
            Value::Dict(d) => f.debug_tuple("Dict").field(d).finish(),
        }
    }
}
