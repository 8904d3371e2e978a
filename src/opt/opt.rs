//! One option's declaration.

use super::deprecation::{DeprecatedName, Removal};
use super::raw::RawValue;
use super::types::OptType;
use super::value::Value;

/// An option declaration: its name, type, default and the facts tools need
/// (help, secret, required, mutable, deprecations).
///
/// Build one with the chained setters:
///
/// ```
/// use stackauth::opt::{Opt, OptType, DeprecatedName};
/// let opt = Opt::new("www_authenticate_uri", OptType::string())
///     .help("Complete public Identity API endpoint.")
///     .deprecated_name(DeprecatedName::name("auth_uri"));
/// assert_eq!(opt.dest(), "www_authenticate_uri");
/// ```
#[derive(Clone, PartialEq)]
pub struct Opt {
    name: String,
    dest: String,
    opt_type: OptType,
    multi: bool,
    default: Option<String>,
    help: String,
    secret: bool,
    literal: bool,
    required: bool,
    mutable: bool,
    advanced: bool,
    sample_default: Option<String>,
    deprecated: Vec<DeprecatedName>,
    removal: Option<Removal>,
}

// A secret option's default (and sample default) may be a real secret.
impl std::fmt::Debug for Opt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mask = |v: &Option<String>| {
            v.as_ref().map(|d| if self.secret { super::secret::MASK.to_owned() } else { d.clone() })
        };
        f.debug_struct("Opt")
            .field("name", &self.name)
            .field("type", &self.opt_type)
            .field("multi", &self.multi)
            .field("default", &mask(&self.default))
            .field("secret", &self.secret)
            .field("required", &self.required)
            .field("mutable", &self.mutable)
            .field("advanced", &self.advanced)
            .field("sample_default", &mask(&self.sample_default))
            .field("deprecated", &self.deprecated)
            .field("removal", &self.removal)
            .finish()
    }
}

impl Opt {
    /// A new option named `name` of type `opt_type`, with no default.
    pub fn new(name: impl Into<String>, opt_type: OptType) -> Opt {
        let name = name.into();
        let dest = name.replace('-', "_");
        Opt {
            name,
            dest,
            opt_type,
            multi: false,
            default: None,
            help: String::new(),
            secret: false,
            literal: false,
            required: false,
            mutable: false,
            advanced: false,
            sample_default: None,
            deprecated: Vec::new(),
            removal: None,
        }
    }

    /// A string option.
    pub fn string(name: impl Into<String>) -> Opt {
        Opt::new(name, OptType::string())
    }

    /// A string option that may be given many times (oslo.config's
    /// `MultiStrOpt`): every value is kept, in order.
    pub fn multi_string(name: impl Into<String>) -> Opt {
        Opt::new(name, OptType::string()).multi()
    }

    /// Sets the default, written as it would be in a config file
    /// (`"9292"`, `"a,b"`, `"$state_path/lock"`).
    pub fn default(mut self, text: impl Into<String>) -> Opt {
        self.default = Some(text.into());
        self
    }

    /// Sets the dest, the name files and the snapshot know the option by,
    /// when it is not the name with `_` for `-` (keystoneauth's
    /// `openid-scope` is read as `scope`, as oslo.config's `dest=`).
    pub fn with_dest(mut self, dest: impl Into<String>) -> Opt {
        self.dest = dest.into();
        self
    }

    /// Sets the help text.
    pub fn help(mut self, text: impl Into<String>) -> Opt {
        self.help = text.into();
        self
    }

    /// Marks the option secret: masked in output, logs and errors. Its
    /// value is still interpolated, as oslo.config does (`$$` for a `$`).
    pub fn secret(mut self) -> Opt {
        self.secret = true;
        self
    }

    /// Takes the option's value literally: no `$reference` is substituted.
    /// For a Rust application's own options only (a password with `$` in
    /// it, say): oslo.config interpolates every string option, so an option
    /// that a Python service also reads must not be literal.
    pub fn literal(mut self) -> Opt {
        self.literal = true;
        self
    }

    /// Marks the option required: a snapshot without a value is an error.
    pub fn required(mut self) -> Opt {
        self.required = true;
        self
    }

    /// Marks the option mutable: a reload applies a change to it live.
    pub fn mutable(mut self) -> Opt {
        self.mutable = true;
        self
    }

    /// Marks the option advanced (sample files put it last).
    pub fn advanced(mut self) -> Opt {
        self.advanced = true;
        self
    }

    /// Makes the option multi-valued: repeated keys are all kept.
    pub fn multi(mut self) -> Opt {
        self.multi = true;
        self
    }

    /// What a sample file shows instead of the real default (for defaults
    /// computed from the host, say).
    pub fn sample_default(mut self, text: impl Into<String>) -> Opt {
        self.sample_default = Some(text.into());
        self
    }

    /// Adds an older name and/or group; several may be added, earlier ones
    /// take priority when a source uses more than one.
    pub fn deprecated_name(mut self, old: DeprecatedName) -> Opt {
        self.deprecated.push(old);
        self
    }

    /// Marks the option deprecated for removal.
    pub fn deprecated_for_removal(mut self, reason: Option<&str>, since: Option<&str>) -> Opt {
        self.removal = Some(Removal { reason: reason.map(str::to_owned), since: since.map(str::to_owned) });
        self
    }

    /// The option's name as declared (may contain `-`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name with `-` as `_`: the key in files and the environment.
    pub fn dest(&self) -> &str {
        &self.dest
    }

    /// The option's type.
    pub fn opt_type(&self) -> &OptType {
        &self.opt_type
    }

    /// Whether the option is multi-valued.
    pub fn is_multi(&self) -> bool {
        self.multi
    }

    /// The default as written.
    pub fn default_text(&self) -> Option<&str> {
        self.default.as_deref()
    }

    /// The help text.
    pub fn help_text(&self) -> &str {
        &self.help
    }

    /// Whether the option is secret.
    pub fn is_secret(&self) -> bool {
        self.secret
    }

    /// Whether the option's value is taken literally (no interpolation).
    pub fn is_literal(&self) -> bool {
        self.literal
    }

    /// Whether the option is required.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// Whether the option can change on reload.
    pub fn is_mutable(&self) -> bool {
        self.mutable
    }

    /// Whether the option is advanced.
    pub fn is_advanced(&self) -> bool {
        self.advanced
    }

    /// The sample default, if any.
    pub fn sample_default_text(&self) -> Option<&str> {
        self.sample_default.as_deref()
    }

    /// The older names and groups.
    pub fn deprecated_names(&self) -> &[DeprecatedName] {
        &self.deprecated
    }

    /// The removal notice, if the option is deprecated for removal.
    pub fn removal(&self) -> Option<&Removal> {
        self.removal.as_ref()
    }

    /// oslo.config's type name for sample files (`multi valued` for
    /// multi-valued options).
    pub fn type_name(&self) -> &'static str {
        if self.multi { "multi valued" } else { self.opt_type.type_name() }
    }

    /// Reads a raw value as this option's type; multi-valued options take
    /// each item. Secret options come back as secrets.
    pub fn parse(&self, raw: &RawValue) -> Result<Option<Value>, String> {
        let value = if self.multi {
            let items: Vec<&RawValue> = match raw {
                RawValue::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match self.opt_type.parse(item) {
                    Ok(Some(v)) => out.push(v),
                    Ok(None) => {}
                    Err(e) if matches!(raw, RawValue::Array(_)) => return Err(format!("item {}: {e}", i + 1)),
                    Err(e) => return Err(e),
                }
            }
            Some(Value::List(out))
        } else {
            self.opt_type.parse(raw)?
        };
        Ok(if self.secret { value.map(Value::into_secret) } else { value })
    }

    /// Checks the declaration itself: a valid name, type bounds that make
    /// sense, and a default the type accepts (unless it interpolates).
    pub fn check(&self) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("an option name cannot be empty".into());
        }
        if !self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(format!("option name {:?} may only hold letters, digits, '_' and '-'", self.name));
        }
        self.opt_type.check_definition()?;
        if let Some(d) = &self.default {
            if !d.contains('$') {
                self.parse(&RawValue::Str(d.clone())).map_err(|e| {
                    let shown = if self.secret { super::secret::MASK.to_owned() } else { format!("{d:?}") };
                    format!("default {shown} is not valid: {e}")
                })?;
            }
        }
        Ok(())
    }
}
