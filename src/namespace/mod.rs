//! Built-in option sets ("namespaces" in oslo-config-generator's words).

pub mod keystonemiddleware;

use crate::opt::Registry;

/// The names of the built-in namespaces.
pub const BUILTIN: &[&str] = &[keystonemiddleware::NAMESPACE];

/// The registry of a built-in namespace, by name.
///
/// ```
/// let reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").unwrap();
/// assert!(reg.find("keystone_authtoken", "www_authenticate_uri").is_some());
/// assert!(stackauth::namespace::by_name("nope").is_none());
/// ```
pub fn by_name(name: &str) -> Option<Registry> {
    match name {
        keystonemiddleware::NAMESPACE => Some(keystonemiddleware::registry()),
        _ => None,
    }
}
