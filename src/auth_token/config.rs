//! The layer's settings: keystonemiddleware's `[keystone_authtoken]`
//! options, typed, read from a loaded group or set by a builder.

use std::path::PathBuf;
use std::time::Duration;

use super::crypt::Protection;
use crate::auth::Interface;
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{Secret, Value};
use crate::resolve::LoadError;
use crate::snapshot::Snapshot;
use crate::source::Origin;

/// How `enforce_token_bind` treats a token's `bind` (keystonemiddleware's
/// semantics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BindMode {
    /// Bind information is not looked at.
    Disabled,
    /// Checked when it is of a known kind (kerberos); unknown kinds pass.
    Permissive,
    /// As permissive, but an unknown bind kind rejects the token.
    Strict,
    /// A bind of a known kind is required.
    Required,
    /// A bind of this kind (`kerberos`, `x509`...) is required.
    Named(String),
}

impl BindMode {
    /// Reads `enforce_token_bind`'s value.
    pub fn parse(s: &str) -> BindMode {
        match s {
            "disabled" => BindMode::Disabled,
            "permissive" => BindMode::Permissive,
            "strict" => BindMode::Strict,
            "required" => BindMode::Required,
            other => BindMode::Named(other.to_owned()),
        }
    }
}

/// The shared cache's settings (`memcached_servers` and the `memcache_*`
/// options). `#[non_exhaustive]`: start from [`MemcacheConfig::new`] (or
/// [`AuthTokenConfig::from_snapshot`]) and set fields.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MemcacheConfig {
    /// `host:port` of each server.
    pub servers: Vec<String>,
    /// `memcache_security_strategy` with `memcache_secret_key`: entries are
    /// authenticated (`MAC`) or authenticated and encrypted (`ENCRYPT`).
    pub protection: Option<(Protection, Secret)>,
    /// Connect, read and write timeout (`memcache_pool_socket_timeout`).
    pub socket_timeout: Duration,
    /// How long a failed server is skipped (`memcache_pool_dead_retry`).
    pub dead_retry: Duration,
    /// Connections per server at most, busy and idle
    /// (`memcache_pool_maxsize`, as keystonemiddleware's pool).
    pub max_connections: usize,
    /// How long an idle connection is kept open
    /// (`memcache_pool_unused_timeout`).
    pub unused_timeout: Duration,
    /// How long an operation waits for a connection when all
    /// `max_connections` are busy (`memcache_pool_conn_get_timeout`); then
    /// it is a cache miss.
    pub conn_get_timeout: Duration,
    /// TLS to the servers (`memcache_tls_enabled`), if on.
    pub tls: Option<MemcacheTls>,
}

impl MemcacheConfig {
    /// `servers` with keystonemiddleware's defaults: no protection, 3 s
    /// socket timeout, 300 s dead retry, 10 connections per server, idle
    /// ones closed after 60 s, 10 s to wait for one, no TLS.
    pub fn new(servers: Vec<String>) -> MemcacheConfig {
        MemcacheConfig {
            servers,
            protection: None,
            socket_timeout: Duration::from_secs(3),
            dead_retry: Duration::from_secs(300),
            max_connections: 10,
            unused_timeout: Duration::from_secs(60),
            conn_get_timeout: Duration::from_secs(10),
            tls: None,
        }
    }
}

/// TLS to memcached (`memcache_tls_cafile`, `memcache_tls_certfile`,
/// `memcache_tls_keyfile`). The server's certificate must name the host of
/// its `memcached_servers` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemcacheTls {
    /// The CA bundle the servers' certificates must chain to (PEM); the
    /// system's roots when `None`.
    pub cafile: Option<PathBuf>,
    /// A client certificate (PEM), for servers that ask for one.
    pub certfile: Option<PathBuf>,
    /// Its private key (PEM); in `certfile` when `None`.
    pub keyfile: Option<PathBuf>,
}

impl MemcacheTls {
    /// TLS with the system's roots and no client certificate.
    pub fn new() -> MemcacheTls {
        MemcacheTls::default()
    }
}

/// Everything the layer needs besides the service's own Session.
///
/// ```
/// use std::time::Duration;
/// use stackauth::auth_token::AuthTokenConfig;
///
/// // `#[non_exhaustive]`: start from the defaults (or
/// // `AuthTokenConfig::from_snapshot`) and set fields.
/// let mut config = AuthTokenConfig::default();
/// config.www_authenticate_uri = Some("https://keystone.example/v3".into());
/// config.token_cache_time = Duration::from_secs(60);
/// assert!(config.service_token_roles_required);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AuthTokenConfig {
    /// Where clients authenticate: sent in `WWW-Authenticate` with a 401
    /// (`www_authenticate_uri`, once `auth_uri`). Defaults to the service's
    /// own plugin's `auth_url`.
    pub www_authenticate_uri: Option<String>,
    /// Pass requests without a valid token on, marked `Invalid`, and let
    /// the service decide (`delay_auth_decision`).
    pub delay_auth_decision: bool,
    /// Ask for the caller's catalog and hand it on
    /// (`include_service_catalog`).
    pub include_service_catalog: bool,
    /// The identity endpoint's interface in the service's own catalog
    /// (`interface`).
    pub interface: Interface,
    /// The identity endpoint's region (`region_name`).
    pub region_name: Option<String>,
    /// How long a validation is cached (`token_cache_time`; never past the
    /// token's expiry). Zero disables the cache (keystonemiddleware: -1).
    pub token_cache_time: Duration,
    /// How long a token the identity service rejected stays rejected without
    /// asking again, so a flood of bad tokens does not reach it. Not a
    /// keystonemiddleware option.
    pub negative_cache_time: Duration,
    /// Most validations kept by the in-process cache.
    pub cache_capacity: usize,
    /// `enforce_token_bind`.
    pub enforce_token_bind: BindMode,
    /// Roles that make a service token a service token
    /// (`service_token_roles`).
    pub service_token_roles: Vec<String>,
    /// Whether a service token without those roles is refused
    /// (`service_token_roles_required`).
    pub service_token_roles_required: bool,
    /// This service's type, for application credentials' access rules
    /// (`service_type`).
    pub service_type: Option<String>,
    /// The shared cache; `None` for the in-process cache.
    pub memcache: Option<MemcacheConfig>,
    /// Connection retries when asking the identity service
    /// (`http_request_max_retries`).
    pub http_request_max_retries: u32,
    /// How long one validation may take, retries and the service's own
    /// token included (`http_connect_timeout`; 10 s when unset, where
    /// keystonemiddleware waits for ever): a hung identity service gets
    /// 503s, not every request hung with it.
    pub identity_timeout: Duration,
    /// The most identity-service validation calls under way at once (100;
    /// 0 for no cap): a flood of random tokens cannot turn into as many
    /// concurrent calls. Not a keystonemiddleware option.
    pub max_concurrent_validations: usize,
    /// How long a validation waits for one of those when all are taken
    /// (1 s); then the identity service is unavailable (503).
    pub validation_queue_wait: Duration,
    /// Set the `X-Identity-Status`, `X-User-Id`, `X-Roles`... headers for
    /// the service (on by default, as keystonemiddleware). A Rust service
    /// that reads only the typed [`super::UserContext`] can turn them off:
    /// about 17 fewer header insertions per request. Client-sent identity
    /// headers are removed either way. Not a keystonemiddleware option.
    pub identity_headers: bool,
    /// What is worth a warning in the group it was read from
    /// ([`AuthTokenConfig::from_snapshot`]): options set that have no
    /// effect here, each with where it was set. The layer logs them when it
    /// is built.
    pub warnings: Vec<Diagnostic>,
}

/// [`AuthTokenConfig::identity_timeout`] when `http_connect_timeout` is
/// unset: well above a validation's usual tens of milliseconds.
pub const DEFAULT_IDENTITY_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for AuthTokenConfig {
    /// keystonemiddleware's defaults.
    fn default() -> Self {
        AuthTokenConfig {
            www_authenticate_uri: None,
            delay_auth_decision: false,
            include_service_catalog: true,
            interface: Interface::Internal,
            region_name: None,
            token_cache_time: Duration::from_secs(300),
            negative_cache_time: Duration::from_secs(10),
            cache_capacity: 10_000,
            enforce_token_bind: BindMode::Permissive,
            service_token_roles: vec!["service".into()],
            service_token_roles_required: true,
            service_type: None,
            memcache: None,
            http_request_max_retries: 3,
            identity_timeout: DEFAULT_IDENTITY_TIMEOUT,
            max_concurrent_validations: 100,
            validation_queue_wait: Duration::from_secs(1),
            identity_headers: true,
            warnings: Vec::new(),
        }
    }
}

struct Group<'a> {
    snapshot: &'a Snapshot,
    group: &'a str,
}

impl Group<'_> {
    fn value(&self, name: &str) -> Option<&Value> {
        self.snapshot.value(self.group, name)
    }
    fn str(&self, name: &str) -> Option<String> {
        self.value(name).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
    }
    fn flag(&self, name: &str, default: bool) -> bool {
        self.value(name).and_then(Value::as_bool).unwrap_or(default)
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.value(name).and_then(Value::as_int)
    }
    fn secs(&self, name: &str, default: u64) -> Duration {
        Duration::from_secs(self.int(name).map_or(default, |i| u64::try_from(i).unwrap_or(0)))
    }
    fn list(&self, name: &str) -> Option<Vec<String>> {
        self.value(name).and_then(Value::as_list).map(|l| l.iter().map(Value::to_plain_string).collect())
    }
    fn error(&self, name: &str, message: String, suggestion: &str) -> Diagnostic {
        let mut d = Diagnostic::error(Code::AuthToken, message).option(self.group, name).suggest(suggestion);
        d.origin = self.snapshot.get(self.group, name).map(|r| r.origin.clone());
        d
    }
}

impl AuthTokenConfig {
    /// Reads `group` (normally `keystone_authtoken`) of a snapshot whose
    /// registry has keystonemiddleware's options
    /// ([`crate::namespace::keystonemiddleware`]).
    ///
    /// Refused, with the option and where it was set: a security strategy
    /// without `memcache_secret_key` (as keystonemiddleware), and memcached
    /// SASL, which this layer does not speak (rather than silently talking
    /// to the cache without it), and `memcache_tls_allowed_ciphers` (an
    /// OpenSSL cipher list; this layer's TLS is rustls, whose cipher
    /// suites are all current ones). `memcache_use_advanced_pool` and
    /// `cache` are warned about in [`AuthTokenConfig::warnings`] where a
    /// source sets them: they have no meaning here.
    pub fn from_snapshot(snapshot: &Snapshot, group: &str) -> Result<AuthTokenConfig, LoadError> {
        let g = Group { snapshot, group };
        let d = AuthTokenConfig::default();
        let mut errors = Vec::new();
        let interface = match g.str("interface") {
            None => d.interface,
            Some(i) => Interface::parse(&i).unwrap_or_else(|| {
                errors.push(g.error(
                    "interface",
                    format!("interface {i:?} is not an interface"),
                    "use public, internal or admin",
                ));
                d.interface
            }),
        };
        let cache_time = g.int("token_cache_time").unwrap_or(300);
        let servers = g.list("memcached_servers").unwrap_or_default();
        let mut protection = None;
        if let Some(strategy) = g.str("memcache_security_strategy") {
            let p = match strategy.to_ascii_lowercase().as_str() {
                "mac" => Some(Protection::Mac),
                "encrypt" => Some(Protection::Encrypt),
                _ => None,
            };
            if let Some(p) = p {
                let key = match g.value("memcache_secret_key") {
                    Some(Value::Secret(s)) => Some(s.clone()),
                    Some(v) => v.as_str().map(Secret::new),
                    None => None,
                };
                match key.filter(|k| !k.is_empty()) {
                    Some(key) => protection = Some((p, key.clone())),
                    None => errors.push(g.error(
                        "memcache_security_strategy",
                        format!("memcache_security_strategy is {strategy} but memcache_secret_key is not set"),
                        "set memcache_secret_key (the same in every process that shares the cache)",
                    )),
                }
            }
        }
        if !servers.is_empty() && g.flag("memcache_sasl_enabled", false) {
            errors.push(g.error(
                "memcache_sasl_enabled",
                "memcached SASL is not supported by stackauth's auth_token layer".to_owned(),
                "use memcache_tls_enabled with a client certificate, or memcache_security_strategy = ENCRYPT",
            ));
        }
        let tls_on = !servers.is_empty() && g.flag("memcache_tls_enabled", false);
        if tls_on && g.str("memcache_tls_allowed_ciphers").is_some() {
            errors.push(
                g.error(
                    "memcache_tls_allowed_ciphers",
                    "memcache_tls_allowed_ciphers is an OpenSSL cipher list, which stackauth's TLS (rustls) cannot \
                 take"
                        .to_owned(),
                    "remove it: rustls offers only current cipher suites (TLS 1.2 with forward secrecy, TLS 1.3)",
                ),
            );
        }
        let path = |name: &str| g.str(name).map(PathBuf::from);
        let tls = tls_on.then(|| MemcacheTls {
            cafile: path("memcache_tls_cafile"),
            certfile: path("memcache_tls_certfile"),
            keyfile: path("memcache_tls_keyfile"),
        });
        if let Some(t) = &tls {
            if t.keyfile.is_some() && t.certfile.is_none() {
                errors.push(g.error(
                    "memcache_tls_keyfile",
                    "memcache_tls_keyfile is set without memcache_tls_certfile".to_owned(),
                    "set memcache_tls_certfile to the client certificate",
                ));
            }
        }
        let mut warnings = Vec::new();
        for (name, why) in [
            (
                "memcache_use_advanced_pool",
                "has no effect: stackauth always uses its own pool (memcache_pool_maxsize connections per server, \
                 memcache_pool_unused_timeout, memcache_pool_conn_get_timeout)",
            ),
            (
                "cache",
                "has no effect: it names the WSGI environment key of Swift's cache, which a Rust service does not \
                 have; use memcached_servers",
            ),
        ] {
            if let Some(r) = snapshot.get(group, name).filter(|r| r.value.is_some() && r.origin != Origin::Default) {
                let mut d = Diagnostic::warning(Code::AuthToken, format!("{name} {why}")).option(group, name);
                d.origin = Some(r.origin.clone());
                warnings.push(d);
            }
        }
        if !errors.is_empty() {
            return Err(LoadError::new(errors.into_iter().chain(warnings).collect()));
        }
        let memcache = (!servers.is_empty()).then(|| MemcacheConfig {
            servers,
            protection,
            socket_timeout: g.secs("memcache_pool_socket_timeout", 3).max(Duration::from_millis(100)),
            dead_retry: g.secs("memcache_pool_dead_retry", 300),
            max_connections: g.int("memcache_pool_maxsize").map_or(10, |i| usize::try_from(i).unwrap_or(0)).max(1),
            unused_timeout: g.secs("memcache_pool_unused_timeout", 60),
            conn_get_timeout: g.secs("memcache_pool_conn_get_timeout", 10),
            tls,
        });
        Ok(AuthTokenConfig {
            www_authenticate_uri: g.str("www_authenticate_uri"),
            delay_auth_decision: g.flag("delay_auth_decision", d.delay_auth_decision),
            include_service_catalog: g.flag("include_service_catalog", d.include_service_catalog),
            interface,
            region_name: g.str("region_name"),
            token_cache_time: Duration::from_secs(u64::try_from(cache_time).unwrap_or(0)),
            enforce_token_bind: g.str("enforce_token_bind").map_or(d.enforce_token_bind, |s| BindMode::parse(&s)),
            service_token_roles: g.list("service_token_roles").unwrap_or(d.service_token_roles),
            service_token_roles_required: g.flag("service_token_roles_required", d.service_token_roles_required),
            service_type: g.str("service_type"),
            memcache,
            http_request_max_retries: g.int("http_request_max_retries").map_or(3, |i| u32::try_from(i).unwrap_or(0)),
            warnings,
            identity_timeout: g
                .int("http_connect_timeout")
                .filter(|t| *t > 0)
                .map_or(DEFAULT_IDENTITY_TIMEOUT, |t| Duration::from_secs(t.unsigned_abs())),
            ..d
        })
    }
}
