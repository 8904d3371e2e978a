//! Registering a group's auth options, with the names an application used
//! before it moved to keystoneauth's (keystoneauth's `deprecated_opts`).

use super::schema;
use crate::opt::{DeprecatedName, Registry, RegistryError};

/// Registers in `group` the options every auth group has (`auth_type`,
/// `auth_section`, the session and the adapter options), and maps an
/// application's own old option names onto these and onto the plugin's
/// options: `renames` pairs an option of keystoneauth (`username`,
/// `password`, `project_name`, `cafile`...) with a name it used to be read
/// under (`admin_user` in the same group, or in another group).
///
/// The plugin's options are registered only once `auth_type` is known (by
/// [`super::load_from_group`], or `validate`); the old names are kept in
/// the registry and given to them then. A value under an old name is read
/// as the new option's, typed and checked as it is, and reported as a
/// `deprecated-name` finding with its file and line, as oslo.config's
/// deprecated names are.
///
/// ```
/// use stackauth::auth::{self, PluginRegistry};
/// use stackauth::opt::{DeprecatedName, Registry};
/// let mut reg = Registry::new();
/// auth::register_conf_options(&mut reg, "myapp", &[
///     ("username", DeprecatedName::name("admin_user")),
///     ("password", DeprecatedName::name("admin_password")),
///     ("project_name", DeprecatedName::name("admin_tenant_name")),
/// ]).unwrap();
/// assert!(reg.find("myapp", "auth_type").is_some());
/// ```
pub fn register_conf_options(
    reg: &mut Registry,
    group: &str,
    renames: &[(&str, DeprecatedName)],
) -> Result<(), RegistryError> {
    reg.register_opts_if_absent(group, schema::loading_opts())?;
    reg.register_opts_if_absent(group, schema::session_opts())?;
    reg.register_opts_if_absent(group, schema::adapter_opts())?;
    for (option, old) in renames {
        reg.add_deprecated_names(group, option, [old.clone()])?;
    }
    Ok(())
}
