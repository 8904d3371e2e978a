//! Command-line overrides: `--set GROUP.OPT=VALUE`.

use std::fmt;

/// One command-line override of an option.
#[derive(Clone, PartialEq, Eq)]
pub struct CliOverride {
    /// The group (`DEFAULT` when not given).
    pub group: String,
    /// The option.
    pub key: String,
    /// The value, read with the option type's text rules.
    pub value: String,
}

impl CliOverride {
    /// Parses `GROUP.OPT=VALUE` (or `OPT=VALUE` for `[DEFAULT]`).
    ///
    /// ```
    /// use stackauth::source::CliOverride;
    /// let o = CliOverride::parse("keystone_authtoken.auth_url=http://k:5000").unwrap();
    /// assert_eq!((o.group.as_str(), o.key.as_str(), o.value.as_str()),
    ///            ("keystone_authtoken", "auth_url", "http://k:5000"));
    /// assert!(CliOverride::parse("no-equals-sign").is_err());
    /// ```
    pub fn parse(arg: &str) -> Result<CliOverride, String> {
        let (name, value) = arg
            .split_once('=')
            .ok_or_else(|| "expected GROUP.OPTION=VALUE (or OPTION=VALUE for [DEFAULT])".to_owned())?;
        let name = name.trim();
        let (group, key) = match name.rsplit_once('.') {
            Some((g, k)) => (g, k),
            None => (crate::opt::DEFAULT_GROUP, name),
        };
        if group.is_empty() || key.is_empty() {
            return Err("expected GROUP.OPTION=VALUE: the group and the option cannot be empty".to_owned());
        }
        Ok(CliOverride { group: group.to_owned(), key: key.to_owned(), value: value.to_owned() })
    }

    /// The flag as shown in provenance, without the value.
    pub fn flag(&self) -> String {
        format!("--set {}.{}", self.group, self.key)
    }
}

// The value may be a secret.
impl fmt::Debug for CliOverride {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CliOverride({}.{} = ****)", self.group, self.key)
    }
}
