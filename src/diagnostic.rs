//! Findings about a configuration: errors and warnings with a stable code,
//! the option they concern and where it was written.

use std::fmt;

use crate::origin::Origin;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing, never a failure (not even with `--fatal-warnings`):
    /// a required option that oslo.config itself does not check on load.
    Note,
    /// The configuration still loads.
    Warning,
    /// The configuration cannot be used.
    Error,
}

impl Severity {
    /// As printed: `note`, `warning`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A stable code for each kind of finding, for CI filters and docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// A file could not be read (missing, unreadable, a directory...).
    Io,
    /// An INI file breaks oslo.config's syntax.
    IniSyntax,
    /// A TOML file is not valid TOML, or not shaped as groups of options.
    TomlSyntax,
    /// A value that the option's type rejects.
    InvalidValue,
    /// A required option has no value.
    MissingRequired,
    /// A group that no schema registers.
    UnknownGroup,
    /// An option that its group does not register.
    UnknownOption,
    /// A value given under an option's deprecated name or group.
    DeprecatedName,
    /// An option that is deprecated for removal.
    DeprecatedForRemoval,
    /// A `$reference` that cannot be resolved.
    Interpolation,
    /// `$references` that refer to each other in a loop.
    InterpolationCycle,
    /// A command-line or programmatic override that does not parse.
    BadOverride,
    /// The same option set under both its current and a deprecated name in
    /// one source: the current name wins.
    ShadowedDeprecatedName,
    /// An auth group without `auth_type`.
    MissingAuthType,
    /// An `auth_type` that names no registered plugin.
    UnknownAuthType,
    /// An `auth_type` that names a real keystoneauth plugin stackauth does
    /// not implement (its options are still checked).
    UnsupportedAuthType,
    /// An `auth_section` that names a missing group, or chains further.
    AuthSection,
    /// Plugin options that do not make a usable plugin (a user name
    /// without its domain, two scopes...).
    AuthOption,
    /// Adapter options that exclude each other.
    AdapterConflict,
    /// A legacy keystonemiddleware group loaded as a modern plugin.
    LegacyAuth,
    /// An `oslo-config-generator --format yaml|json` file that is not valid
    /// YAML or JSON, is not shaped as that output, or (as a warning) holds
    /// something that was imported only in part.
    OptData,
    /// A file that holds a secret is readable by every user.
    InsecureFile,
    /// `[keystone_authtoken]` settings the auth_token layer cannot use
    /// (a security strategy without its key, memcached TLS or SASL).
    AuthToken,
    /// A single-valued option set twice in one file with different values
    /// (the last wins).
    DuplicateOption,
    /// A `$reference` in a secret option: oslo.config substitutes it (a
    /// literal `$` is written `$$`).
    InterpolatedSecret,
    /// A value that differs from the schema's default (`validate
    /// --check-defaults`, as oslo-config-validator's).
    NonDefault,
    /// A configuration that oslo.config reads differently from stackauth
    /// (README.md, "Deliberate differences"): what the Python service does.
    OsloDifference,
}

impl Code {
    /// The code's stable name, as printed (`invalid-value`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "io",
            Code::IniSyntax => "ini-syntax",
            Code::TomlSyntax => "toml-syntax",
            Code::InvalidValue => "invalid-value",
            Code::MissingRequired => "missing-required",
            Code::UnknownGroup => "unknown-group",
            Code::UnknownOption => "unknown-option",
            Code::DeprecatedName => "deprecated-name",
            Code::DeprecatedForRemoval => "deprecated-for-removal",
            Code::Interpolation => "interpolation",
            Code::InterpolationCycle => "interpolation-cycle",
            Code::BadOverride => "bad-override",
            Code::ShadowedDeprecatedName => "shadowed-deprecated-name",
            Code::MissingAuthType => "missing-auth-type",
            Code::UnknownAuthType => "unknown-auth-type",
            Code::UnsupportedAuthType => "unsupported-auth-type",
            Code::AuthSection => "auth-section",
            Code::AuthOption => "auth-option",
            Code::AdapterConflict => "adapter-conflict",
            Code::LegacyAuth => "legacy-auth",
            Code::InsecureFile => "insecure-file",
            Code::OptData => "opt-data",
            Code::AuthToken => "auth-token",
            Code::DuplicateOption => "duplicate-option",
            Code::InterpolatedSecret => "interpolated-secret",
            Code::NonDefault => "non-default",
            Code::OsloDifference => "oslo-difference",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. Its message never contains a secret's value.
///
/// `Display` gives one line in the form compilers use:
/// `error[invalid-value]: glance-api.conf:12:11: [keystone_authtoken] auth_port: ...`
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of finding.
    pub code: Code,
    /// What is wrong: expected and found (secrets masked).
    pub message: String,
    /// Where: a file position, an environment variable, a flag.
    pub origin: Option<Origin>,
    /// The group concerned.
    pub group: Option<String>,
    /// The option concerned.
    pub option: Option<String>,
    /// A fix to try ("did you mean ...", "use ... instead").
    pub suggestion: Option<String>,
}

impl Diagnostic {
    /// A new finding with no place, group or option yet.
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            origin: None,
            group: None,
            option: None,
            suggestion: None,
        }
    }

    /// An error.
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A note.
    pub fn note(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Note, code, message)
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// Sets where.
    pub fn at(mut self, origin: Origin) -> Diagnostic {
        self.origin = Some(origin);
        self
    }

    /// Sets the group and option.
    pub fn option(mut self, group: &str, option: &str) -> Diagnostic {
        self.group = Some(group.to_owned());
        self.option = Some(option.to_owned());
        self
    }

    /// Sets the group.
    pub fn group(mut self, group: &str) -> Diagnostic {
        self.group = Some(group.to_owned());
        self
    }

    /// Sets the suggestion.
    pub fn suggest(mut self, suggestion: impl Into<String>) -> Diagnostic {
        self.suggestion = Some(suggestion.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = self.severity.as_str();
        let mut out = format!("{sev}[{}]: ", self.code);
        if let Some(o) = &self.origin {
            out.push_str(&format!("{o}: "));
        }
        match (&self.group, &self.option) {
            (Some(g), Some(o)) => out.push_str(&format!("[{g}] {o}: ")),
            (Some(g), None) => out.push_str(&format!("[{g}]: ")),
            _ => {}
        }
        out.push_str(&self.message);
        if let Some(s) = &self.suggestion {
            out.push_str(&format!(" ({s})"));
        }
        f.write_str(&printable(&out))
    }
}

/// `text` safe to print on a terminal: control characters other than
/// newline and tab (which a file's group or option name may hold, an
/// escape sequence among them) written as `\u{1b}`.
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { c.escape_unicode().to_string() } else { c.to_string() })
        .collect::<String>()
        .into()
}
