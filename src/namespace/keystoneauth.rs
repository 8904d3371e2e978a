//! keystoneauth1's loading options, per plugin, as data.
//!
//! Transcribed from openstack/keystoneauth commit
//! `9c28aa6eb6b2f62b7c3946bf02b90413f57db6bf` (`git describe`: 5.14.0-11-g9c28aa6):
//!
//! - `keystoneauth1/loading/conf.py`: `auth_type` and `auth_section`;
//! - `keystoneauth1/loading/session.py`: `Session.get_conf_options()`;
//! - `keystoneauth1/loading/adapter.py`: `Adapter.get_conf_options()`;
//! - `keystoneauth1/loading/identity.py`: the `BaseIdentityLoader`, `BaseV2Loader`, `BaseV3Loader` and
//!   `BaseGenericLoader` options;
//! - `keystoneauth1/loading/_plugins/identity/{generic,v2,v3}.py`, `admin_token.py`, `noauth.py` and
//!   `http_basic.py`: the built-in plugins' own options.
//!
//! The plugin names are the `keystoneauth1.plugin` entry points of its `pyproject.toml`. The federation,
//! OpenID Connect, OAuth, Kerberos, SAML, web SSO and tokenless plugins are in `keystoneauth/federation.rs`.
//!
//! Names are kept exactly as keystoneauth writes them, dashes or underscores (`auth-url`, but
//! `application_credential_secret` and `auth_methods`); the option model derives the dest (dashes as
//! underscores), which is also what keystoneauth's `Opt` does when no `dest=` is given. None of the
//! options here has a `dest=` override, and none has a `default=`.
//!
//! Types follow keystoneauth's `type=` (`str` unless said otherwise; none of the plugin options here says
//! otherwise). keystoneauth's `prompt=` (for `password` and `passcode`) and `metavar=` have no place in the
//! option model and are left out.

use crate::opt::{DeprecatedName, Opt, OptType};

mod federation;

pub use federation::*;

// ---------------------------------------------------------------------------------------------------------
// Group-level options
// ---------------------------------------------------------------------------------------------------------

/// The auth-type loading options of a group (`keystoneauth1.loading.conf`): `auth_type` (deprecated name
/// `auth_plugin`) and `auth_section`.
///
/// keystoneauth registers `auth_section` in the group itself and `auth_type` in the group `auth_section`
/// names (or the group itself when it is unset).
pub fn loading_opts() -> Vec<Opt> {
    vec![
        Opt::string("auth_type")
            .help("Authentication type to load")
            .deprecated_name(DeprecatedName::name("auth_plugin")),
        Opt::string("auth_section").help("Config Section from which to load plugin specific options"),
    ]
}

/// The session options, as keystoneauth's `Session.get_conf_options()`: `cafile`, `certfile`, `keyfile`,
/// `insecure`, `timeout`, `collect-timing` and `split-loggers`.
///
/// keystoneauth declares no deprecated names of its own (callers may pass some); `cacert` is added here as
/// a deprecated name of `cafile`.
pub fn session_opts() -> Vec<Opt> {
    vec![
        Opt::string("cafile")
            .help("PEM encoded Certificate Authority to use when verifying HTTPs connections.")
            // Not in keystoneauth: the older `[keystoneclient]`-style groups (keystoneclient's session
            // options, and keystoneauth's own CLI flag `--os-cacert`) call the CA bundle `cacert`, and
            // the seed configurations use it, so it is accepted as an older name of `cafile`.
            .deprecated_name(DeprecatedName::name("cacert")),
        Opt::string("certfile").help("PEM encoded client certificate cert file"),
        Opt::string("keyfile").help("PEM encoded client certificate key file"),
        // keystoneauth's help text says "Verify", though setting it true turns verification off.
        Opt::new("insecure", OptType::boolean()).default("false").help("Verify HTTPS connections."),
        // No default in the config options (the CLI's `--timeout` defaults to 600).
        Opt::new("timeout", OptType::float()).help("Timeout value for http requests"),
        Opt::new("collect-timing", OptType::boolean())
            .default("false")
            .help("Collect per-API call timing information."),
        Opt::new("split-loggers", OptType::boolean()).default("false").help("Log requests to multiple loggers."),
    ]
}

/// The adapter options, as keystoneauth's `Adapter.get_conf_options()` with `include_deprecated=True` (its
/// default): the service and endpoint selection options, the retry options, and last the deprecated
/// `interface` option.
pub fn adapter_opts() -> Vec<Opt> {
    vec![
        Opt::string("service-type").help("The default service_type for endpoint URL discovery."),
        Opt::string("service-name").help("The default service_name for endpoint URL discovery."),
        Opt::new("valid-interfaces", OptType::list_of(OptType::string()))
            .help("List of interfaces, in order of preference, for endpoint URL."),
        Opt::string("region-name").help("The default region_name for endpoint URL discovery."),
        Opt::string("endpoint-override").help(
            "Always use this endpoint URL for requests for this client. NOTE: The unversioned endpoint should \
             be specified here; to request a particular API version, use the `version`, `min-version`, \
             and/or `max-version` options.",
        ),
        Opt::string("version").help(
            "Minimum Major API version within a given Major API version for endpoint URL discovery. Mutually \
             exclusive with min_version and max_version",
        ),
        Opt::string("min-version").help(
            "The minimum major version of a given API, intended to be used as the lower bound of a range with \
             max_version. Mutually exclusive with version. If min_version is given with no max_version it is \
             as if max version is \"latest\".",
        ),
        Opt::string("max-version").help(
            "The maximum major version of a given API, intended to be used as the upper bound of a range with \
             min_version. Mutually exclusive with version.",
        ),
        Opt::new("connect-retries", OptType::integer())
            .help("The maximum number of retries that should be attempted for connection errors."),
        Opt::new("connect-retry-delay", OptType::float()).help(
            "Delay (in seconds) between two retries for connection errors. If not set, exponential retry \
             starting with 0.5 seconds up to a maximum of 60 seconds is used.",
        ),
        Opt::new("status-code-retries", OptType::integer())
            .help("The maximum number of retries that should be attempted for retriable HTTP status codes."),
        Opt::new("status-code-retry-delay", OptType::float()).help(
            "Delay (in seconds) between two retries for retriable status codes. If not set, exponential retry \
             starting with 0.5 seconds up to a maximum of 60 seconds is used.",
        ),
        Opt::new("retriable-status-codes", OptType::list_of(OptType::integer()))
            .help("List of retriable HTTP status codes that should be retried. If not set default to  [503]"),
        // keystoneauth sets deprecated_for_removal and deprecated_reason but no deprecated_since (the
        // option was deprecated in keystoneauth 3.0.0, commit 98b7292).
        Opt::string("interface").help("The default interface for endpoint URL discovery.").deprecated_for_removal(
            Some(
                "Using valid-interfaces is preferrable because it is capable of accepting a list of possible \
                 interfaces.",
            ),
            None,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------------------
// Base loaders (keystoneauth1/loading/identity.py)
// ---------------------------------------------------------------------------------------------------------

/// `BaseIdentityLoader`: every identity plugin needs `auth-url`.
fn identity_base() -> Vec<Opt> {
    vec![Opt::string("auth-url").required().help("Authentication URL")]
}

fn trust_id() -> Opt {
    Opt::string("trust-id").help("ID of the trust to use as a trustee use")
}

/// `BaseV2Loader`: the identity options plus v2 tenant scoping.
fn v2_base() -> Vec<Opt> {
    let mut opts = identity_base();
    opts.extend([
        Opt::string("tenant-id").help("Tenant ID"),
        Opt::string("tenant-name").help("Tenant Name"),
        trust_id(),
    ]);
    opts
}

/// `BaseV3Loader`: the identity options plus v3 scoping.
fn v3_base() -> Vec<Opt> {
    let mut opts = identity_base();
    opts.extend([
        Opt::string("system-scope").help("Scope for system operations"),
        Opt::string("domain-id").help("Domain ID to scope to"),
        Opt::string("domain-name").help("Domain name to scope to"),
        Opt::string("project-id").help("Project ID to scope to"),
        Opt::string("project-name").help("Project name to scope to"),
        Opt::string("project-domain-id").help("Domain ID containing project"),
        Opt::string("project-domain-name").help("Domain name containing project"),
        trust_id(),
    ]);
    opts
}

/// `BaseGenericLoader`: the v3 scoping options (the project ones also under their v2 `tenant-` names) plus
/// the default domain.
fn generic_base() -> Vec<Opt> {
    let mut opts = identity_base();
    opts.extend([
        Opt::string("system-scope").help("Scope for system operations"),
        Opt::string("domain-id").help("Domain ID to scope to"),
        Opt::string("domain-name").help("Domain name to scope to"),
        Opt::string("project-id").help("Project ID to scope to").deprecated_name(DeprecatedName::name("tenant-id")),
        Opt::string("project-name")
            .help("Project name to scope to")
            .deprecated_name(DeprecatedName::name("tenant-name")),
        Opt::string("project-domain-id").help("Domain ID containing project"),
        Opt::string("project-domain-name").help("Domain name containing project"),
        trust_id(),
        Opt::string("default-domain-id").help(
            "Optional domain ID to use with v3 and v2 parameters. It will be used for both the user and project \
             domain in v3 and ignored in v2 authentication.",
        ),
        Opt::string("default-domain-name").help(
            "Optional domain name to use with v3 API and v2 parameters. It will be used for both the user and \
             project domain in v3 and ignored in v2 authentication.",
        ),
    ]);
    opts
}

/// `_add_common_identity_options` of the v3 plugins: who the user is.
fn v3_user() -> [Opt; 4] {
    [
        Opt::string("user-id").help("User's user ID"),
        Opt::string("username").help("User's username").deprecated_name(DeprecatedName::name("user-name")),
        Opt::string("user-domain-id").help("User's domain ID"),
        Opt::string("user-domain-name").help("User's domain name"),
    ]
}

// ---------------------------------------------------------------------------------------------------------
// Built-in plugins
// ---------------------------------------------------------------------------------------------------------

/// `password` (`identity.generic.Password`): the version-independent password plugin. The generic base
/// options, then `user-id`, `username` (deprecated name `user-name`), `user-domain-id`, `user-domain-name`
/// and the secret `password`.
pub fn password() -> Vec<Opt> {
    let mut opts = generic_base();
    opts.extend([
        Opt::string("user-id").help("User id"),
        Opt::string("username").help("Username").deprecated_name(DeprecatedName::name("user-name")),
        Opt::string("user-domain-id").help("User's domain id"),
        Opt::string("user-domain-name").help("User's domain name"),
        Opt::string("password").secret().help("User's password"),
    ]);
    opts
}

/// `v2password` (`identity.v2.Password`): the v2 base options, then `username` (deprecated name
/// `user-name`), `user-id` and the secret `password`.
pub fn v2password() -> Vec<Opt> {
    let mut opts = v2_base();
    opts.extend([
        Opt::string("username").help("Username to login with").deprecated_name(DeprecatedName::name("user-name")),
        Opt::string("user-id").help("User ID to login with"),
        Opt::string("password").secret().help("Password to use"),
    ]);
    opts
}

/// `v3password` (`identity.v3.Password`): the v3 base options, the user options and the secret `password`.
pub fn v3password() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.extend(v3_user());
    opts.push(Opt::string("password").secret().help("User's password"));
    opts
}

/// `token` (`identity.generic.Token`): the generic base options and the secret `token`.
pub fn token() -> Vec<Opt> {
    let mut opts = generic_base();
    opts.push(Opt::string("token").secret().help("Token to authenticate with"));
    opts
}

/// `v2token` (`identity.v2.Token`): the v2 base options and the secret `token`.
pub fn v2token() -> Vec<Opt> {
    let mut opts = v2_base();
    opts.push(Opt::string("token").secret().help("Token"));
    opts
}

/// `v3token` (`identity.v3.Token`): the v3 base options and the secret `token`.
pub fn v3token() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.push(Opt::string("token").secret().help("Token to authenticate with"));
    opts
}

/// `v3applicationcredential` (`identity.v3.ApplicationCredential`): the v3 base options, the user options,
/// then the required secret `application_credential_secret`, `application_credential_id` and
/// `application_credential_name` (keystoneauth spells these three with underscores).
pub fn v3applicationcredential() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.extend(v3_user());
    opts.extend([
        Opt::string("application_credential_secret").secret().required().help("Application credential auth secret"),
        Opt::string("application_credential_id").help("Application credential ID"),
        Opt::string("application_credential_name").help("Application credential name"),
    ]);
    opts
}

/// `v3totp` (`identity.v3.TOTP`): the v3 base options, the user options and the secret `passcode`.
pub fn v3totp() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.extend(v3_user());
    opts.push(Opt::string("passcode").secret().help("User's TOTP passcode"));
    opts
}

/// `v3multifactor` (`identity.v3.MultiFactor`) as it declares itself: the v3 base options and the required
/// `auth_methods` (spelled with an underscore in keystoneauth).
///
/// How keystoneauth combines the methods' options: once `load_from_options` has seen `auth_methods` (a
/// list of plugin names such as `v3password`, `v3totp`), `get_options` puts this list in a dict keyed by
/// option name and, for each method in order, sets every option of that method's plugin into it (an
/// option already there is replaced where it stands, a new one is appended). The plugin then gives each
/// method the values of its own parameters, so a `username` is shared by `v3password` and `v3totp`.
/// [`v3multifactor_with`] does the same with the built-in plugins.
///
/// keystoneauth declares `auth_methods` as a plain string (no `type=`), although the plugin iterates it as
/// a list of names: loaded from oslo.config, keystoneauth iterates the string's characters, and because its
/// conf loading asks for the options before `auth_methods` is known, it never reads the methods' own
/// options from the file. stackauth declares it a list and loads the methods' options (see
/// `auth::load`).
pub fn v3multifactor() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.push(Opt::new("auth_methods", OptType::list()).required().help("Methods to authenticate with."));
    opts
}

/// The options of `v3multifactor` once its `auth_methods` are known: [`v3multifactor`]'s options with each
/// method's options merged in by name, as keystoneauth's `MultiFactor.get_options` does. `None` when a
/// method is not a built-in plugin.
pub fn v3multifactor_with(methods: &[&str]) -> Option<Vec<Opt>> {
    let mut opts = v3multifactor();
    for method in methods {
        let (_, method_opts) = builtin().into_iter().find(|(name, _)| name == method)?;
        for opt in method_opts() {
            match opts.iter_mut().find(|o| o.name() == opt.name()) {
                Some(slot) => *slot = opt,
                None => opts.push(opt),
            }
        }
    }
    Some(opts)
}

/// `admin_token` (`token_endpoint.Token`): `endpoint` (deprecated name `url`) and the secret `token`. Not
/// an identity plugin: no `auth-url`.
pub fn admin_token() -> Vec<Opt> {
    vec![
        Opt::string("endpoint")
            .help("The endpoint that will always be used")
            .deprecated_name(DeprecatedName::name("url")),
        Opt::string("token").secret().help("The token that will always be used"),
    ]
}

/// `none` (`noauth.NoAuth`): only `endpoint`.
pub fn none() -> Vec<Opt> {
    vec![Opt::string("endpoint").help("The endpoint that will always be used")]
}

/// `http_basic` (`http_basic.HTTPBasicAuth`): `username` (deprecated name `user-name`), the secret
/// `password` and `endpoint`.
pub fn http_basic() -> Vec<Opt> {
    vec![
        Opt::string("username").help("Username").deprecated_name(DeprecatedName::name("user-name")),
        Opt::string("password").secret().help("User's password"),
        Opt::string("endpoint").help("The endpoint that will always be used"),
    ]
}

/// A function returning a plugin's option list (`fn() -> Vec<Opt>`).
pub type PluginOpts = fn() -> Vec<Opt>;

/// The built-in plugins by their keystoneauth entry-point names, each with its option function, in the
/// order the names are usually listed (generic identity, v2, v3, then the non-identity plugins).
pub fn builtin() -> Vec<(&'static str, PluginOpts)> {
    vec![
        ("password", password),
        ("v2password", v2password),
        ("v3password", v3password),
        ("token", token),
        ("v2token", v2token),
        ("v3token", v3token),
        ("v3applicationcredential", v3applicationcredential),
        ("v3totp", v3totp),
        ("v3multifactor", v3multifactor),
        ("admin_token", admin_token),
        ("none", none),
        ("http_basic", http_basic),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opt::Registry;

    fn find<'a>(opts: &'a [Opt], name: &str) -> &'a Opt {
        opts.iter().find(|o| o.name() == name).unwrap_or_else(|| panic!("no option {name}"))
    }

    fn names(opts: &[Opt]) -> Vec<&str> {
        opts.iter().map(Opt::name).collect()
    }

    #[test]
    fn every_builtin_registers() {
        for (name, f) in builtin() {
            let mut reg = Registry::new();
            reg.register_opts("g", f()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(reg.len(), f().len(), "{name}: two options share a dest");
        }
    }

    #[test]
    fn group_options_register_together() {
        let mut reg = Registry::new();
        reg.register_opts("g", loading_opts()).unwrap();
        reg.register_opts("g", session_opts()).unwrap();
        reg.register_opts("g", adapter_opts()).unwrap();
        // Plugin options share the group with the session and loading options in keystoneauth's usual setup.
        reg.register_opts("g", password()).unwrap();
        assert_eq!(reg.len(), loading_opts().len() + session_opts().len() + adapter_opts().len() + password().len());
    }

    #[test]
    fn identity_plugins_require_auth_url() {
        let non_identity = ["admin_token", "none", "http_basic"];
        for (name, f) in builtin() {
            let opts = f();
            let auth_url = opts.iter().find(|o| o.name() == "auth-url");
            if non_identity.contains(&name) {
                assert!(auth_url.is_none(), "{name}");
            } else {
                assert_eq!(opts[0].name(), "auth-url", "{name}: base options come first");
                assert!(auth_url.unwrap().is_required(), "{name}");
                assert_eq!(auth_url.unwrap().dest(), "auth_url");
            }
        }
    }

    #[test]
    fn secrets() {
        assert!(find(&v3password(), "password").is_secret());
        assert!(find(&password(), "password").is_secret());
        assert!(find(&v2password(), "password").is_secret());
        assert!(find(&http_basic(), "password").is_secret());
        assert!(find(&token(), "token").is_secret());
        assert!(find(&admin_token(), "token").is_secret());
        assert!(find(&v3totp(), "passcode").is_secret());
        let ac = v3applicationcredential();
        assert!(find(&ac, "application_credential_secret").is_secret());
        assert!(find(&ac, "application_credential_secret").is_required());
        assert!(!find(&v3password(), "username").is_secret());
    }

    #[test]
    fn deprecated_names() {
        let generic = password();
        assert_eq!(find(&generic, "project-id").deprecated_names(), [DeprecatedName::name("tenant-id")]);
        assert_eq!(find(&generic, "project-name").deprecated_names(), [DeprecatedName::name("tenant-name")]);
        assert_eq!(find(&generic, "username").deprecated_names(), [DeprecatedName::name("user-name")]);
        // The v3 plugins have no tenant names.
        assert!(find(&v3password(), "project-id").deprecated_names().is_empty());
        assert_eq!(find(&admin_token(), "endpoint").deprecated_names(), [DeprecatedName::name("url")]);
        assert_eq!(find(&loading_opts(), "auth_type").deprecated_names(), [DeprecatedName::name("auth_plugin")]);
        assert_eq!(find(&session_opts(), "cafile").deprecated_names(), [DeprecatedName::name("cacert")]);
        let adapter = adapter_opts();
        let interface = find(&adapter, "interface");
        assert!(interface.removal().unwrap().reason.as_deref().unwrap().contains("valid-interfaces"));
    }

    #[test]
    fn plugin_order_follows_keystoneauth() {
        assert_eq!(
            names(&v3password()),
            [
                "auth-url",
                "system-scope",
                "domain-id",
                "domain-name",
                "project-id",
                "project-name",
                "project-domain-id",
                "project-domain-name",
                "trust-id",
                "user-id",
                "username",
                "user-domain-id",
                "user-domain-name",
                "password",
            ]
        );
        assert_eq!(names(&v2token()), ["auth-url", "tenant-id", "tenant-name", "trust-id", "token"]);
    }

    #[test]
    fn multifactor_merges_method_options() {
        let opts = v3multifactor_with(&["v3password", "v3totp"]).unwrap();
        let n = names(&opts);
        assert!(n.contains(&"auth_methods") && n.contains(&"password") && n.contains(&"passcode"));
        assert_eq!(n.iter().filter(|x| **x == "username").count(), 1);
        assert_eq!(n[0], "auth-url");
        let mut reg = Registry::new();
        reg.register_opts("g", opts).unwrap();
        assert!(v3multifactor_with(&["nope"]).is_none());
    }
}
