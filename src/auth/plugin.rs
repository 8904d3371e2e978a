//! Auth plugins: what they are, how they are registered, and the typed
//! view of a group's values they are built from.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;

use super::access::AccessInfo;
use super::transport::{BoxFuture, Transport, TransportError};
use crate::opt::{Opt, Secret, Value};
use crate::snapshot::GroupValues;
use crate::source::Origin;

/// What authenticating gave: a token with its body, or fixed headers.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// A token from the identity service.
    Token(std::sync::Arc<AccessInfo>),
    /// Headers to send as they are (`admin_token`, `http_basic`, `none`).
    Headers(Vec<(&'static str, Secret)>),
    /// A caller's token with the calling service's own token as
    /// `X-Service-Token` (a service acting on its caller's behalf).
    OnBehalf {
        /// The caller's token: its catalog finds endpoints.
        user: std::sync::Arc<AccessInfo>,
        /// The service's own token.
        service: std::sync::Arc<AccessInfo>,
    },
}

impl Credentials {
    /// The headers that authenticate a request.
    pub fn headers(&self) -> Vec<(&'static str, Secret)> {
        match self {
            Credentials::Token(a) => {
                let mut h = vec![("X-Auth-Token", a.token.clone())];
                if let Some(bearer) = &a.oauth2_access_token {
                    h.push(("Authorization", Secret::new(format!("Bearer {}", bearer.expose()))));
                }
                h
            }
            Credentials::Headers(h) => h.clone(),
            Credentials::OnBehalf { user, service } => {
                vec![("X-Auth-Token", user.token.clone()), ("X-Service-Token", service.token.clone())]
            }
        }
    }

    /// The token's access info, for token-based plugins.
    pub fn access(&self) -> Option<&AccessInfo> {
        match self {
            Credentials::Token(a) | Credentials::OnBehalf { user: a, .. } => Some(a),
            Credentials::Headers(_) => None,
        }
    }

    /// The token whose expiry says when to fetch again: the token itself,
    /// or for [`Credentials::OnBehalf`] the service's (the caller's cannot be
    /// renewed).
    pub fn renewable(&self) -> Option<&AccessInfo> {
        match self {
            Credentials::Token(a) | Credentials::OnBehalf { service: a, .. } => Some(a),
            Credentials::Headers(_) => None,
        }
    }
}

/// Authentication failed. Messages never contain a credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The identity service could not be reached.
    #[error("cannot reach the identity service at {url}: {source}")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// Why.
        source: TransportError,
    },
    /// The identity service refused the credentials.
    #[error("the identity service at {url} refused the credentials (HTTP 401): {message}")]
    Unauthorized {
        /// The URL.
        url: String,
        /// The service's explanation.
        message: String,
    },
    /// The identity service answered with another error status.
    #[error("the identity service at {url} answered HTTP {status}: {message}")]
    Http {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The service's explanation.
        message: String,
    },
    /// The answer was not a token.
    #[error("the identity service at {url} sent a response that is not a token: {reason}")]
    InvalidResponse {
        /// The URL.
        url: String,
        /// What was wrong with it.
        reason: String,
    },
    /// No usable identity API version was found.
    #[error("cannot find a usable identity API version at {url}: {reason}")]
    Discovery {
        /// The auth URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The plugin cannot do this (a v2 token with a domain scope, say).
    #[error("{0}")]
    Unsupported(String),
}

/// An auth plugin: something that can authenticate requests.
///
/// Identity plugins fetch a token; fixed plugins (`admin_token`,
/// `http_basic`, `none`) give headers and a fixed endpoint.
pub trait AuthPlugin: Send + Sync + fmt::Debug {
    /// The plugin type's name (`password`, `v3applicationcredential`...).
    fn plugin_name(&self) -> &str;

    /// Authenticates, through `transport`.
    fn authenticate<'a>(&'a self, transport: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>>;

    /// The identity service's URL, for identity plugins.
    fn auth_url(&self) -> Option<&str> {
        None
    }

    /// A fixed endpoint that every request goes to, for plugins that have
    /// one (`admin_token`, `none`, `http_basic`).
    fn endpoint(&self) -> Option<&str> {
        None
    }

    /// Whether `authenticate` asks the identity service for a new token,
    /// whose `issued_at` is then the moment it was asked for (by the
    /// service's clock): the Session counts such a token's life on the
    /// local clock from that moment, whatever the clocks' difference. A
    /// plugin that hands out a token it was given says `false`, and its
    /// `expires_at` is taken as it stands.
    fn issues_fresh_tokens(&self) -> bool {
        true
    }
}

/// A problem with a plugin's options, found when the plugin is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginError {
    /// The option concerned (its dest), if one is.
    pub option: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The fix.
    pub suggestion: Option<String>,
}

impl PluginError {
    /// A problem with `option`.
    pub fn option(option: &str, message: impl Into<String>) -> PluginError {
        PluginError { option: Some(option.to_owned()), message: message.into(), suggestion: None }
    }

    /// A problem with no single option.
    pub fn general(message: impl Into<String>) -> PluginError {
        PluginError { option: None, message: message.into(), suggestion: None }
    }

    /// Adds a suggestion.
    pub fn suggest(mut self, s: impl Into<String>) -> PluginError {
        self.suggestion = Some(s.into());
        self
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(o) = &self.option {
            write!(f, "{o}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, " ({s})")?;
        }
        Ok(())
    }
}

impl std::error::Error for PluginError {}

/// A plugin type registered under a name that is already taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an auth plugin named {name:?} is already registered")]
pub struct DuplicatePlugin {
    /// The name.
    pub name: String,
}

/// The typed values a plugin is built from: one group of a snapshot, seen
/// through the plugin's option names. Empty strings count as unset, as in
/// keystoneauth.
#[derive(Clone, Copy)]
pub struct PluginOptions<'a> {
    plugin: &'a str,
    group: &'a str,
    values: Option<&'a GroupValues>,
}

impl<'a> PluginOptions<'a> {
    /// A view of `values` (the group `group`) for plugin `plugin`.
    pub fn new(plugin: &'a str, group: &'a str, values: Option<&'a GroupValues>) -> PluginOptions<'a> {
        PluginOptions { plugin, group, values }
    }

    /// The plugin's name.
    pub fn plugin(&self) -> &str {
        self.plugin
    }

    /// The group's name.
    pub fn group(&self) -> &str {
        self.group
    }

    /// The raw value of option `dest`.
    pub fn value(&self, dest: &str) -> Option<&'a Value> {
        self.values?.get(dest)?.value.as_ref()
    }

    /// Where option `dest` came from.
    pub fn origin(&self, dest: &str) -> Option<&'a Origin> {
        self.values?.get(dest).map(|r| &r.origin)
    }

    /// A non-empty string option.
    pub fn str(&self, dest: &str) -> Option<String> {
        self.value(dest).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
    }

    /// A non-empty secret option.
    pub fn secret(&self, dest: &str) -> Option<Secret> {
        self.str(dest).map(Secret::new)
    }

    /// A boolean option (`false` when unset).
    pub fn flag(&self, dest: &str) -> bool {
        self.value(dest).and_then(Value::as_bool).unwrap_or(false)
    }

    /// A list option's items as strings (empty when unset).
    pub fn list(&self, dest: &str) -> Vec<String> {
        match self.value(dest) {
            Some(Value::List(items)) => items.iter().map(Value::to_plain_string).collect(),
            Some(v) => vec![v.to_plain_string()],
            None => Vec::new(),
        }
    }

    /// A required non-empty string: an error naming the option otherwise.
    pub fn need(&self, dest: &str) -> Result<String, PluginError> {
        self.str(dest).ok_or_else(|| self.missing(dest))
    }

    /// A required secret.
    pub fn need_secret(&self, dest: &str) -> Result<Secret, PluginError> {
        self.secret(dest).ok_or_else(|| self.missing(dest))
    }

    fn missing(&self, dest: &str) -> PluginError {
        PluginError::option(dest, format!("the {} auth plugin needs {dest}", self.plugin))
            .suggest(format!("set {dest} in [{}]", self.group))
    }
}

/// Builds a plugin from its options.
pub type BuildFn = dyn Fn(&PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> + Send + Sync;

/// A plugin type: a name, its option schema, and how to build it.
#[derive(Clone)]
pub struct PluginType {
    name: String,
    help: String,
    options: Vec<Opt>,
    build: Arc<BuildFn>,
    supported: bool,
}

impl PluginType {
    /// A plugin type named `name` with options `options`, built by `build`.
    pub fn new(
        name: impl Into<String>,
        help: impl Into<String>,
        options: Vec<Opt>,
        build: impl Fn(&PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> + Send + Sync + 'static,
    ) -> PluginType {
        PluginType { name: name.into(), help: help.into(), options, build: Arc::new(build), supported: true }
    }

    /// A plugin type stackauth knows the options of but cannot build (a
    /// keystoneauth plugin it does not implement): its options are
    /// registered and checked, and loading it is refused with an
    /// `unsupported-auth-type` error that names it.
    pub fn unsupported(name: impl Into<String>, help: impl Into<String>, options: Vec<Opt>) -> PluginType {
        let name = name.into();
        let message = unsupported_message(&name);
        let mut t = PluginType::new(name, help, options, move |_| Err(PluginError::general(message.clone())));
        t.supported = false;
        t
    }

    /// Whether it can be built ([`PluginType::unsupported`] says not).
    pub fn is_supported(&self) -> bool {
        self.supported
    }

    /// The name `auth_type` selects it by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What it does.
    pub fn help(&self) -> &str {
        &self.help
    }

    /// Its options (keystoneauth's names, with dashes).
    pub fn options(&self) -> &[Opt] {
        &self.options
    }

    /// Builds a plugin.
    pub fn build(&self, opts: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        (self.build)(opts)
    }
}

/// Why a plugin of keystoneauth's that stackauth does not implement is
/// refused.
pub(crate) fn unsupported_message(name: &str) -> String {
    format!("auth_type {name:?} is a keystoneauth plugin that is not supported by stackauth")
}

impl fmt::Debug for PluginType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginType").field("name", &self.name).field("options", &self.options.len()).finish()
    }
}

/// The plugin types `auth_type` can name.
///
/// ```
/// let plugins = stackauth::auth::PluginRegistry::builtin();
/// assert!(plugins.get("v3password").is_some());
/// assert!(plugins.names().any(|n| n == "v3applicationcredential"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct PluginRegistry {
    types: IndexMap<String, PluginType>,
}

impl PluginRegistry {
    /// No plugins.
    pub fn empty() -> PluginRegistry {
        PluginRegistry::default()
    }

    /// keystoneauth1's plugins: `password`, `v2password`, `v3password`,
    /// `token`, `v2token`, `v3token`, `v3applicationcredential`, `v3totp`,
    /// `v3multifactor`, `admin_token`, `none`, `http_basic`,
    /// `v3oauth2clientcredential`, `v3oauth2mtlsclientcredential`,
    /// `v3tokenlessauth`, `v3oidcclientcredentials`, `v3oidcpassword`,
    /// `v3oidcauthcode`, `v3oidcaccesstoken`; and, known by their options
    /// but [unsupported](PluginType::unsupported), the rest of
    /// keystoneauth's: the device authorization flow, OAuth 1.0, SAML,
    /// Kerberos and web SSO.
    pub fn builtin() -> PluginRegistry {
        let mut r = PluginRegistry::empty();
        for t in super::builtin::types() {
            r.types.insert(t.name.clone(), t);
        }
        r
    }

    /// Registers a plugin type; a name already taken is refused.
    pub fn register(&mut self, t: PluginType) -> Result<(), DuplicatePlugin> {
        if self.types.contains_key(&t.name) {
            return Err(DuplicatePlugin { name: t.name.clone() });
        }
        self.types.insert(t.name.clone(), t);
        Ok(())
    }

    /// The plugin type called `name`; `-` and `_` are the same.
    pub fn get(&self, name: &str) -> Option<&PluginType> {
        self.types
            .get(name)
            .or_else(|| self.types.values().find(|t| t.name.replace('-', "_") == name.replace('-', "_")))
    }

    /// Every name, in registration order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }

    /// The names of the plugins that can be built (not
    /// [unsupported](PluginType::unsupported)), in registration order.
    pub fn supported_names(&self) -> impl Iterator<Item = &str> {
        self.types.values().filter(|t| t.supported).map(|t| t.name.as_str())
    }
}
