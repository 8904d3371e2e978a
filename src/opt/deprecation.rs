//! Deprecation as data: renamed options, moved groups, options on their way
//! out, and legacy options that combine into one new value.

use super::types::OptType;

/// An older name (and/or group) an option used to have. oslo.config's
/// `DeprecatedOpt`: a missing name means "the option's own name", a missing
/// group means "the option's own group".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeprecatedName {
    /// The old option name, or `None` for the option's current name.
    pub name: Option<String>,
    /// The old group, or `None` for the option's current group.
    pub group: Option<String>,
}

impl DeprecatedName {
    /// An old name in the option's own group.
    pub fn name(name: impl Into<String>) -> Self {
        DeprecatedName { name: Some(name.into()), group: None }
    }

    /// The option's own name in an old group.
    pub fn group(group: impl Into<String>) -> Self {
        DeprecatedName { name: None, group: Some(group.into()) }
    }

    /// An old name in an old group.
    pub fn name_in_group(name: impl Into<String>, group: impl Into<String>) -> Self {
        DeprecatedName { name: Some(name.into()), group: Some(group.into()) }
    }
}

/// An option that will be removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removal {
    /// Why, and what to use instead.
    pub reason: Option<String>,
    /// The release that deprecated it.
    pub since: Option<String>,
}

/// Several legacy options that together make one new option's value.
///
/// keystonemiddleware's `auth_protocol`, `auth_host`, `auth_port` and
/// `auth_admin_prefix` became `identity_uri`; the template
/// `"{auth_protocol}://{auth_host:host}:{auth_port}{auth_admin_prefix:path}"`
/// says how, and each part keeps its legacy default, so a file that set only
/// `auth_host` still gets `https://<host>:35357`.
#[derive(Clone, Debug, PartialEq)]
pub struct Compound {
    /// The option (in the same group) that the parts make.
    pub target: String,
    /// The legacy options, with their types and legacy defaults.
    pub parts: Vec<CompoundPart>,
    /// How the parts' values are put together.
    pub template: Vec<Segment>,
    /// Why it changed, for the warning and for `migrate`.
    pub reason: Option<String>,
}

/// One legacy option of a [`Compound`].
#[derive(Clone, Debug, PartialEq)]
pub struct CompoundPart {
    /// The legacy option name.
    pub name: String,
    /// Its type: a bad legacy value is reported like any other.
    pub opt_type: OptType,
    /// Its legacy default, used when a file sets some parts but not all.
    pub default: String,
}

/// A piece of a [`Compound`] template.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// Text copied as is.
    Literal(String),
    /// A part's value, formatted.
    Part {
        /// The part's name.
        name: String,
        /// How to format it.
        format: PartFormat,
    },
}

/// How a part's value goes into a compound value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartFormat {
    /// As written.
    Plain,
    /// A host: an IPv6 address is put in brackets.
    Host,
    /// A path prefix: surrounding `/` stripped, then `/` put in front;
    /// nothing when empty.
    PathPrefix,
}

impl Compound {
    /// Parses a template such as
    /// `"{auth_protocol}://{auth_host:host}:{auth_port}{auth_admin_prefix:path}"`.
    /// `{{` and `}}` stand for literal braces.
    pub fn parse_template(template: &str) -> Result<Vec<Segment>, String> {
        let mut out = Vec::new();
        let mut lit = String::new();
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut spec = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(ch) => spec.push(ch),
                            None => return Err(format!("unclosed '{{' in template {template:?}")),
                        }
                    }
                    if !lit.is_empty() {
                        out.push(Segment::Literal(std::mem::take(&mut lit)));
                    }
                    let (name, format) = match spec.split_once(':') {
                        None => (spec.as_str(), PartFormat::Plain),
                        Some((n, "host")) => (n, PartFormat::Host),
                        Some((n, "path")) => (n, PartFormat::PathPrefix),
                        Some((_, f)) => return Err(format!("unknown format {f:?} in template {template:?}")),
                    };
                    out.push(Segment::Part { name: name.to_owned(), format });
                }
                '}' => return Err(format!("unmatched '}}' in template {template:?}")),
                other => lit.push(other),
            }
        }
        if !lit.is_empty() {
            out.push(Segment::Literal(lit));
        }
        Ok(out)
    }

    /// Builds the new value from each part's text.
    pub fn render(&self, value_of: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        for seg in &self.template {
            match seg {
                Segment::Literal(l) => out.push_str(l),
                Segment::Part { name, format } => {
                    let v = value_of(name);
                    match format {
                        PartFormat::Plain => out.push_str(&v),
                        PartFormat::Host if v.contains(':') && !v.starts_with('[') => {
                            out.push('[');
                            out.push_str(&v);
                            out.push(']');
                        }
                        PartFormat::Host => out.push_str(&v),
                        PartFormat::PathPrefix => {
                            let trimmed = v.trim_matches('/');
                            if !trimmed.is_empty() {
                                out.push('/');
                                out.push_str(trimmed);
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The part with this name.
    pub fn part(&self, name: &str) -> Option<&CompoundPart> {
        self.parts.iter().find(|p| p.name == name)
    }
}
