//! The environment: `OS_<GROUP>__<OPT>` variables.

use std::collections::BTreeMap;
use std::fmt;

/// A set of environment variables to read options from.
///
/// oslo.config reads `OS_<GROUP>__<DEST>` (upper case; `DEFAULT` for the
/// default group). Tests and tools pass their own set; daemons use
/// [`Env::from_process`].
///
/// ```
/// use stackauth::source::Env;
/// let env = Env::from_pairs([("OS_KEYSTONE_AUTHTOKEN__AUTH_URL", "http://k:5000")]);
/// assert_eq!(Env::var_name("keystone_authtoken", "auth_url"), "OS_KEYSTONE_AUTHTOKEN__AUTH_URL");
/// assert_eq!(env.get("OS_KEYSTONE_AUTHTOKEN__AUTH_URL"), Some("http://k:5000"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// No variables.
    pub fn empty() -> Env {
        Env::default()
    }

    /// The process environment's `OS_*` variables (others are not kept;
    /// variables that are not valid UTF-8 are skipped).
    pub fn from_process() -> Env {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("OS_"))
            .collect();
        Env { vars }
    }

    /// The given variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Env {
        Env { vars: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }

    /// The variable that sets `dest` in `group`.
    pub fn var_name(group: &str, dest: &str) -> String {
        format!("OS_{}__{}", group.to_uppercase(), dest.to_uppercase())
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Every variable, as (name, value), by name.
    #[cfg_attr(not(feature = "cli-loading"), allow(dead_code))]
    pub(crate) fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every `OS_<GROUP>__<OPT>`-shaped variable, as (group, option, name)
    /// in upper case as written.
    pub fn option_vars(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.vars.keys().filter_map(|k| {
            let rest = k.strip_prefix("OS_")?;
            let (g, o) = rest.split_once("__")?;
            (!g.is_empty() && !o.is_empty()).then_some((g, o, k.as_str()))
        })
    }
}

// Values may be secrets: print names only.
impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}
