//! Option sets ("namespaces" in oslo-config-generator's words): the
//! built-in ones, and any service's from its opt-data ([`optdata`]).

pub mod keystoneauth;
pub mod keystonemiddleware;
pub mod optdata;
pub mod optdata_cache;

use crate::opt::Registry;

/// The names of the built-in namespaces (`keystoneauth` stands for
/// `keystoneauth:service_user`).
pub const BUILTIN: &[&str] = &[keystonemiddleware::NAMESPACE, "keystoneauth"];

/// keystoneauth's loading, session and adapter options in `group`: what an
/// application registers for a group it loads an auth plugin from. The
/// plugin's own options depend on `auth_type` and are added when it is
/// known.
pub fn keystoneauth(group: &str) -> Registry {
    let mut r = Registry::new();
    r.register_group(group, "Options for loading an auth plugin, a session and an adapter (keystoneauth1).");
    for o in
        keystoneauth::loading_opts().into_iter().chain(keystoneauth::session_opts()).chain(keystoneauth::adapter_opts())
    {
        // Static data: a duplicate here is a bug caught by the tests.
        let _ = r.register_opt(group, o);
    }
    r
}

/// [`keystoneauth`] with the options of keystoneauth plugin `plugin` (its
/// entry-point name, `v3password`, `v3oidcpassword`...) in `group`, as
/// keystoneauth's `get_auth_plugin_conf_options(plugin)` gives them;
/// `None` for a name keystoneauth does not have.
pub fn keystoneauth_plugin(group: &str, plugin: &str) -> Option<Registry> {
    let (_, opts) =
        keystoneauth::builtin().into_iter().chain(keystoneauth::federation()).find(|(n, _)| *n == plugin)?;
    let mut r = keystoneauth(group);
    for o in opts() {
        // Static data: a plugin option never shares a dest with the
        // loading, session or adapter options (tests/tools checks it).
        let _ = r.register_opt(group, o);
    }
    Some(r)
}

/// The registry of a built-in namespace, by name: `keystonemiddleware.auth_token`,
/// `keystoneauth[:GROUP]`, or `keystoneauth:GROUP:PLUGIN` with a plugin's
/// options too.
///
/// ```
/// let reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").unwrap();
/// assert!(reg.find("keystone_authtoken", "www_authenticate_uri").is_some());
/// assert!(stackauth::namespace::by_name("nope").is_none());
/// let ka = stackauth::namespace::by_name("keystoneauth:keystoneclient").unwrap();
/// assert!(ka.find("keystoneclient", "auth_type").is_some());
/// let oidc = stackauth::namespace::by_name("keystoneauth:service_user:v3oidcpassword").unwrap();
/// assert!(oidc.find("service_user", "client_secret").is_some());
/// assert!(stackauth::namespace::by_name("keystoneauth:service_user:nope").is_none());
/// ```
pub fn by_name(name: &str) -> Option<Registry> {
    match name.split_once(':') {
        Some(("keystoneauth", rest)) if !rest.is_empty() => match rest.split_once(':') {
            Some((group, plugin)) if !group.is_empty() => keystoneauth_plugin(group, plugin),
            Some(_) => None,
            None => Some(keystoneauth(rest)),
        },
        _ => match name {
            keystonemiddleware::NAMESPACE => Some(keystonemiddleware::registry()),
            "keystoneauth" => Some(keystoneauth("service_user")),
            _ => None,
        },
    }
}
