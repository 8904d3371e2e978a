//! The options of keystonemiddleware's `auth_token` middleware: the
//! `[keystone_authtoken]` group, as `oslo-config-generator --namespace
//! keystonemiddleware.auth_token` lists it.
//!
//! Transcribed from keystonemiddleware 13.0.0 (commit
//! `39ae6caf883a93e8dddbeb73e2b0ff11628429cd`),
//! `keystonemiddleware/auth_token/_opts.py`, plus the loading options that
//! keystoneauth1's `loading/conf.py` registers in the same group
//! (`auth_type`, `auth_section`).
//!
//! Legacy options that 13.0.0 removed are kept as deprecations so that old
//! configuration files still load, taken from the last release that had
//! them (10.12.0 + 2, commit `6549c93e3ce78bb1a2d660edf58cbec7c75a8af9`):
//!
//! - `auth_uri` is an older name of `www_authenticate_uri`;
//! - `identity_uri`, `admin_token`, `admin_user`, `admin_password` and
//!   `admin_tenant_name` (from `auth_token/_auth.py`, the `AuthTokenPlugin`
//!   deprecated in Mitaka) are options deprecated for removal;
//! - `auth_protocol`, `auth_host`, `auth_port` and `auth_admin_prefix` are
//!   not options of their own: a [`Compound`] deprecation builds
//!   `identity_uri` from them, as `AuthTokenPlugin` did.
//!
//! keystoneauth plugin options (`auth_url`, `username`, `password`...) are
//! not part of this namespace: they depend on `auth_type` and are added by
//! the plugin that is loaded.

use crate::opt::{Compound, CompoundPart, DeprecatedName, Opt, OptType, Registry, StringType};

/// The namespace name, as oslo-config-generator calls it.
pub const NAMESPACE: &str = "keystonemiddleware.auth_token";

/// The group.
pub const GROUP: &str = "keystone_authtoken";

const GROUP_HELP: &str = "Options of keystonemiddleware's auth_token middleware: how it reaches the Identity \
                          service, authenticates itself, and caches the tokens it validates.";

const STATIC: &str = "static keystonemiddleware schema is valid";

/// Why the `AuthTokenPlugin` options are deprecated.
const AUTH_TOKEN_PLUGIN_REASON: &str = "Used only by the legacy AuthTokenPlugin, deprecated in the Mitaka release \
                                        and removed in keystonemiddleware 13.0.0. Set auth_type (e.g. password) \
                                        and the options of that plugin (auth_url, username, password, \
                                        project_name, user_domain_name, project_domain_name) instead.";

/// The options of keystonemiddleware's `auth_token/_opts.py`, in source
/// order.
fn middleware_opts() -> Vec<Opt> {
    vec![
        Opt::string("www_authenticate_uri").deprecated_name(DeprecatedName::name("auth_uri")).help(
            "Complete \"public\" Identity API endpoint. This endpoint should not be an \"admin\" endpoint, \
                 as it should be accessible by all end users. Unauthenticated clients are redirected to this \
                 endpoint to authenticate. Although this endpoint should ideally be unversioned, client support \
                 in the wild varies.",
        ),
        Opt::string("auth_version").help("API version of the Identity API endpoint."),
        Opt::string("interface").default("internal").help(
            "Interface to use for the Identity API endpoint. Valid values are \"public\", \"internal\" \
             (default) or \"admin\".",
        ),
        Opt::new("delay_auth_decision", OptType::boolean()).default("false").help(
            "Do not handle authorization requests within the middleware, but delegate the authorization \
             decision to downstream WSGI components.",
        ),
        Opt::new("http_connect_timeout", OptType::integer())
            .help("Request timeout value for communicating with Identity API server."),
        Opt::new("http_request_max_retries", OptType::integer())
            .default("3")
            .help("How many times are we trying to reconnect when communicating with Identity API Server."),
        Opt::string("cache").help(
            "Request environment key where the Swift cache object is stored. When auth_token middleware is \
             deployed with a Swift cache, use this option to have the middleware share a caching backend with \
             swift. Otherwise, use the ``memcached_servers`` option instead.",
        ),
        Opt::string("certfile").help("Required if identity server requires client certificate"),
        Opt::string("keyfile").help("Required if identity server requires client certificate"),
        Opt::string("cafile").help(
            "A PEM encoded Certificate Authority to use when verifying HTTPs connections. Defaults to system \
             CAs.",
        ),
        Opt::new("insecure", OptType::boolean()).default("false").help("Verify HTTPS connections."),
        Opt::string("region_name").help("The region in which the identity server can be found."),
        Opt::new("memcached_servers", OptType::list()).deprecated_name(DeprecatedName::name("memcache_servers")).help(
            "Optionally specify a list of memcached server(s) to use for caching. If left undefined, tokens \
                 will instead be cached in-process.",
        ),
        Opt::new("token_cache_time", OptType::integer()).default("300").help(
            "In order to prevent excessive effort spent validating tokens, the middleware caches \
             previously-seen tokens for a configurable duration (in seconds). Set to -1 to disable caching \
             completely.",
        ),
        Opt::new(
            "memcache_security_strategy",
            OptType::String(StringType {
                choices: Some(vec![("None".into(), None), ("MAC".into(), None), ("ENCRYPT".into(), None)]),
                ignore_case: true,
                ..StringType::default()
            }),
        )
        .default("None")
        .help(
            "(Optional) If defined, indicate whether token data should be authenticated or authenticated and \
             encrypted. If MAC, token data is authenticated (with HMAC) in the cache. If ENCRYPT, token data is \
             encrypted and authenticated in the cache. If the value is not one of these options or empty, \
             auth_token will raise an exception on initialization.",
        ),
        Opt::string("memcache_secret_key").secret().help(
            "(Optional, mandatory if memcache_security_strategy is defined) This string is used for key \
             derivation.",
        ),
        Opt::new("memcache_tls_enabled", OptType::boolean())
            .default("false")
            .help("(Optional) Global toggle for TLS usage when comunicating with the caching servers."),
        Opt::string("memcache_tls_cafile").help(
            "(Optional) Path to a file of concatenated CA certificates in PEM format necessary to establish the \
             caching server's authenticity. If tls_enabled is False, this option is ignored.",
        ),
        Opt::string("memcache_tls_certfile").help(
            "(Optional) Path to a single file in PEM format containing the client's certificate as well as any \
             number of CA certificates needed to establish the certificate's authenticity. This file is only \
             required when client side authentication is necessary. If tls_enabled is False, this option is \
             ignored.",
        ),
        Opt::string("memcache_tls_keyfile").help(
            "(Optional) Path to a single file containing the client's private key in. Otherwhise the private \
             key will be taken from the file specified in tls_certfile. If tls_enabled is False, this option \
             is ignored.",
        ),
        Opt::string("memcache_tls_allowed_ciphers").help(
            "(Optional) Set the available ciphers for sockets created with the TLS context. It should be a \
             string in the OpenSSL cipher list format. If not specified, all OpenSSL enabled ciphers will be \
             available.",
        ),
        Opt::new("memcache_pool_dead_retry", OptType::integer())
            .default("300")
            .help("(Optional) Number of seconds memcached server is considered dead before it is tried again."),
        Opt::new("memcache_pool_maxsize", OptType::integer())
            .default("10")
            .help("(Optional) Maximum total number of open connections to every memcached server."),
        Opt::new("memcache_pool_socket_timeout", OptType::integer())
            .default("3")
            .help("(Optional) Socket timeout in seconds for communicating with a memcached server."),
        Opt::new("memcache_pool_unused_timeout", OptType::integer()).default("60").help(
            "(Optional) Number of seconds a connection to memcached is held unused in the pool before it is \
             closed.",
        ),
        Opt::new("memcache_pool_conn_get_timeout", OptType::integer()).default("10").help(
            "(Optional) Number of seconds that an operation will wait to get a memcached client connection \
             from the pool.",
        ),
        Opt::new("memcache_use_advanced_pool", OptType::boolean())
            .default("true")
            .help("(Optional) Use the advanced (eventlet safe) memcached client pool."),
        Opt::new("include_service_catalog", OptType::boolean()).default("true").help(
            "(Optional) Indicate whether to set the X-Service-Catalog header. If False, middleware will not \
             ask for service catalog on token validation and will not set the X-Service-Catalog header.",
        ),
        Opt::string("enforce_token_bind").default("permissive").help(
            "Used to control the use and type of token binding. Can be set to: \"disabled\" to not check token \
             binding. \"permissive\" (default) to validate binding information if the bind type is of a form \
             known to the server and ignore it if not. \"strict\" like \"permissive\" but if the bind type is \
             unknown the token will be rejected. \"required\" any form of token binding is needed to be \
             allowed. Finally the name of a binding method that must be present in tokens.",
        ),
        Opt::new("service_token_roles", OptType::list()).default("service").help(
            "A choice of roles that must be present in a service token. Service tokens are allowed to request \
             that an expired token can be used and so this check should tightly control that only actual \
             services should be sending this token. Roles here are applied as an ANY check so any role in \
             this list must be present. For backwards compatibility reasons this currently only affects the \
             allow_expired check.",
        ),
        Opt::new("service_token_roles_required", OptType::boolean()).default("true").help(
            "When set to True, service tokens must contain a role from the service_token_roles list to be \
             considered valid. This prevents end-user tokens from being used as service tokens and ensures \
             proper service-to-service authentication. Setting this to False is NOT RECOMMENDED as it allows \
             any valid token to be used as a service token, which can bypass access-rule checks and weaken \
             composite-auth protections.",
        ),
        Opt::string("service_type").help(
            "The name or type of the service as it appears in the service catalog. This is used to validate \
             tokens that have restricted access rules.",
        ),
        Opt::new("memcache_sasl_enabled", OptType::boolean()).default("false").help(
            "Enable the SASL(Simple Authentication and Security Layer) if the SASL_enable is true, else \
             disable.",
        ),
        Opt::string("memcache_username").default("").help("the user name for the SASL"),
        // Not secret=True in keystonemiddleware; masked here all the same,
        // since it is a password.
        Opt::string("memcache_password").default("").secret().help("the username password for SASL"),
    ]
}

/// The options of the removed `AuthTokenPlugin` (`auth_token/_auth.py`)
/// that are not parts of the `identity_uri` compound.
fn legacy_opts() -> Vec<Opt> {
    vec![
        Opt::string("identity_uri")
            .help(
                "Complete admin Identity API endpoint. This should specify the unversioned root endpoint e.g. \
                 https://localhost:35357/",
            )
            .deprecated_for_removal(Some(AUTH_TOKEN_PLUGIN_REASON), Some("Mitaka")),
        Opt::string("admin_token")
            .secret()
            .help(
                "This option is deprecated and may be removed in a future release. Single shared secret with \
                 the Keystone configuration used for bootstrapping a Keystone installation, or otherwise \
                 bypassing the normal authentication process. This option should not be used, use `admin_user` \
                 and `admin_password` instead.",
            )
            .deprecated_for_removal(
                Some(
                    "The admin_token option in auth_token middleware was deprecated in the Kilo release and \
                     removed in keystonemiddleware 13.0.0. Use a service user instead: set auth_type = password \
                     and its options (auth_url, username, password, project_name...).",
                ),
                Some("Kilo"),
            ),
        Opt::string("admin_user")
            .help("Service username.")
            .deprecated_for_removal(Some(AUTH_TOKEN_PLUGIN_REASON), Some("Mitaka")),
        Opt::string("admin_password")
            .secret()
            .help("Service user password.")
            .deprecated_for_removal(Some(AUTH_TOKEN_PLUGIN_REASON), Some("Mitaka")),
        Opt::string("admin_tenant_name")
            .default("admin")
            .help("Service tenant name.")
            .deprecated_for_removal(Some(AUTH_TOKEN_PLUGIN_REASON), Some("Mitaka")),
    ]
}

/// keystoneauth1's common loading options (`loading/conf.py`), which
/// keystonemiddleware registers in its group.
fn loading_opts() -> Vec<Opt> {
    vec![
        Opt::string("auth_type")
            .deprecated_name(DeprecatedName::name("auth_plugin"))
            .help("Authentication type to load"),
        Opt::string("auth_section").help("Config Section from which to load plugin specific options"),
    ]
}

/// The legacy admin-URI fragments that `AuthTokenPlugin` combined into
/// `identity_uri` when `identity_uri` was not set, with their legacy types
/// and defaults.
fn identity_uri_compound() -> Compound {
    Compound {
        target: "identity_uri".into(),
        parts: vec![
            CompoundPart {
                name: "auth_protocol".into(),
                opt_type: OptType::string_choices(["http", "https"]),
                default: "https".into(),
            },
            CompoundPart { name: "auth_host".into(), opt_type: OptType::host_address(), default: "127.0.0.1".into() },
            CompoundPart { name: "auth_port".into(), opt_type: OptType::port(), default: "35357".into() },
            CompoundPart { name: "auth_admin_prefix".into(), opt_type: OptType::string(), default: String::new() },
        ],
        template: Compound::parse_template("{auth_protocol}://{auth_host:host}:{auth_port}{auth_admin_prefix:path}")
            .expect(STATIC),
        reason: Some(
            "Configuring the admin URI with auth_protocol, auth_host, auth_port and auth_admin_prefix was \
             deprecated in the Kilo release; write the whole URI instead, e.g. identity_uri = \
             https://keystone.example.com:35357 (identity_uri itself was removed in keystonemiddleware 13.0.0: \
             prefer auth_type = password with auth_url and the service user's credentials)."
                .into(),
        ),
    }
}

/// The `[keystone_authtoken]` options of keystonemiddleware's `auth_token`
/// middleware: its own options, keystoneauth1's `auth_type` and
/// `auth_section`, the legacy options kept as deprecations, and the
/// compound deprecation that builds `identity_uri` from `auth_protocol`,
/// `auth_host`, `auth_port` and `auth_admin_prefix`.
pub fn registry() -> Registry {
    let mut reg = Registry::new();
    reg.register_group(GROUP, GROUP_HELP);
    reg.register_opts(GROUP, middleware_opts()).expect(STATIC);
    reg.register_opts(GROUP, legacy_opts()).expect(STATIC);
    reg.register_opts(GROUP, loading_opts()).expect(STATIC);
    reg.register_compound(GROUP, identity_uri_compound()).expect(STATIC);
    reg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compound() -> Compound {
        let reg = registry();
        let group = reg.group(GROUP).expect("group registered");
        assert_eq!(group.compounds().len(), 1);
        group.compounds()[0].clone()
    }

    #[test]
    fn registry_builds() {
        let reg = registry();
        assert_eq!(reg.groups().len(), 1);
        let group = reg.group(GROUP).expect("group registered");
        assert_eq!(group.name(), GROUP);
        assert!(!group.help().is_empty());
        assert!(reg.len() > 30);
        for opt in group.opts() {
            assert!(!opt.help_text().is_empty(), "{} has no help", opt.name());
            assert!(!opt.help_text().contains("  "), "{} help has doubled spaces", opt.name());
        }
    }

    #[test]
    fn www_authenticate_uri_was_auth_uri() {
        let reg = registry();
        let opt = reg.find(GROUP, "www_authenticate_uri").expect("registered");
        assert_eq!(opt.deprecated_names(), &[DeprecatedName::name("auth_uri")]);
        assert!(reg.find(GROUP, "auth_uri").is_none());
    }

    #[test]
    fn renames() {
        let reg = registry();
        let memcached = reg.find(GROUP, "memcached_servers").expect("registered");
        assert_eq!(memcached.deprecated_names(), &[DeprecatedName::name("memcache_servers")]);
        let auth_type = reg.find(GROUP, "auth_type").expect("registered");
        assert_eq!(auth_type.deprecated_names(), &[DeprecatedName::name("auth_plugin")]);
        assert!(reg.find(GROUP, "auth_section").is_some());
    }

    #[test]
    fn secrets() {
        let reg = registry();
        for name in ["memcache_secret_key", "admin_password", "admin_token", "memcache_password"] {
            assert!(reg.find(GROUP, name).expect("registered").is_secret(), "{name} is not secret");
        }
        for name in ["admin_user", "www_authenticate_uri", "memcache_username"] {
            assert!(!reg.find(GROUP, name).expect("registered").is_secret(), "{name} is secret");
        }
    }

    #[test]
    fn legacy_options() {
        let reg = registry();
        let tenant = reg.find(GROUP, "admin_tenant_name").expect("registered");
        assert_eq!(tenant.default_text(), Some("admin"));
        for name in ["identity_uri", "admin_token", "admin_user", "admin_password", "admin_tenant_name"] {
            let opt = reg.find(GROUP, name).expect("registered");
            assert!(opt.removal().is_some(), "{name} not deprecated for removal");
        }
        for part in ["auth_protocol", "auth_host", "auth_port", "auth_admin_prefix"] {
            assert!(reg.find(GROUP, part).is_none(), "{part} registered as an option");
        }
        for plugin_opt in ["auth_url", "username", "password", "project_name"] {
            assert!(reg.find(GROUP, plugin_opt).is_none(), "{plugin_opt} registered");
        }
    }

    #[test]
    fn defaults_parse() {
        let reg = registry();
        let strategy = reg.find(GROUP, "memcache_security_strategy").expect("registered");
        assert_eq!(strategy.default_text(), Some("None"));
        assert!(strategy.opt_type().parse_str("encrypt").is_ok());
        assert!(strategy.opt_type().parse_str("bogus").is_err());
        let roles = reg.find(GROUP, "service_token_roles").expect("registered");
        assert_eq!(roles.default_text(), Some("service"));
        let required = reg.find(GROUP, "service_token_roles_required").expect("registered");
        assert_eq!(required.default_text(), Some("true"));
    }

    #[test]
    fn compound_defaults() {
        let c = compound();
        assert_eq!(c.target, "identity_uri");
        let rendered = c.render(|name| c.part(name).map(|p| p.default.clone()).unwrap_or_default());
        assert_eq!(rendered, "https://127.0.0.1:35357");
    }

    #[test]
    fn compound_ipv6_and_prefix() {
        let c = compound();
        let rendered = c.render(|name| match name {
            "auth_protocol" => "http".to_owned(),
            "auth_host" => "::1".to_owned(),
            "auth_port" => "5000".to_owned(),
            "auth_admin_prefix" => "/identity/".to_owned(),
            _ => String::new(),
        });
        assert_eq!(rendered, "http://[::1]:5000/identity");
    }
}
