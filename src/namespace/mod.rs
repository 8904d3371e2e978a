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

/// The registry of a built-in namespace, by name.
///
/// ```
/// let reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").unwrap();
/// assert!(reg.find("keystone_authtoken", "www_authenticate_uri").is_some());
/// assert!(stackauth::namespace::by_name("nope").is_none());
/// let ka = stackauth::namespace::by_name("keystoneauth:keystoneclient").unwrap();
/// assert!(ka.find("keystoneclient", "auth_type").is_some());
/// ```
pub fn by_name(name: &str) -> Option<Registry> {
    match name.split_once(':') {
        Some(("keystoneauth", group)) if !group.is_empty() => Some(keystoneauth(group)),
        _ => match name {
            keystonemiddleware::NAMESPACE => Some(keystonemiddleware::registry()),
            "keystoneauth" => Some(keystoneauth("service_user")),
            _ => None,
        },
    }
}
