//! A value as a source delivered it, before an option type reads it.

/// What a source found for an option, before typing.
///
/// INI files, the environment and the command line only ever give strings;
/// TOML also gives native integers, floats, booleans, arrays and tables,
/// which an option type accepts where they fit.
#[derive(Clone, Debug, PartialEq)]
pub enum RawValue {
    /// Text, read with oslo.config's rules for the option's type.
    Str(String),
    /// A TOML integer.
    Int(i64),
    /// A TOML float.
    Float(f64),
    /// A TOML boolean.
    Bool(bool),
    /// A TOML date or time, kept as written.
    Datetime(String),
    /// A TOML array.
    Array(Vec<RawValue>),
    /// A TOML table (inline or not), in the order written.
    Table(Vec<(String, RawValue)>),
}

impl RawValue {
    /// The name of this kind of value, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            RawValue::Str(_) => "a string",
            RawValue::Int(_) => "an integer",
            RawValue::Float(_) => "a float",
            RawValue::Bool(_) => "a boolean",
            RawValue::Datetime(_) => "a date-time",
            RawValue::Array(_) => "an array",
            RawValue::Table(_) => "a table",
        }
    }

    /// The value as text, as it would be written in an INI file; `None` for
    /// arrays and tables, which have no single INI spelling.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            RawValue::Str(s) | RawValue::Datetime(s) => Some(s.clone()),
            RawValue::Int(i) => Some(i.to_string()),
            RawValue::Float(f) => Some(f.to_string()),
            RawValue::Bool(b) => Some(b.to_string()),
            RawValue::Array(_) | RawValue::Table(_) => None,
        }
    }

    /// A short rendering for error messages (arrays and tables included).
    pub fn display_text(&self) -> String {
        match self {
            RawValue::Array(items) => {
                let inner: Vec<String> = items.iter().map(RawValue::display_text).collect();
                format!("[{}]", inner.join(", "))
            }
            RawValue::Table(entries) => {
                let inner: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {}", v.display_text())).collect();
                format!("{{{}}}", inner.join(", "))
            }
            other => other.scalar_text().unwrap_or_default(),
        }
    }
}
