//! Loading auth from the command line, `OS_*` variables and `clouds.yaml`,
//! as keystoneauth's `loading/cli.py` and `Session.register_cli_options`
//! do, with openstacksdk's `clouds.yaml` under them.
//!
//! [`CliAuth`] is the whole path for a tool:
//!
//! ```no_run
//! use stackauth::auth::{PluginRegistry, cli::{CliAuth, Dirs}};
//! use stackauth::session::Session;
//! use stackauth::source::Env;
//! let args: Vec<String> = std::env::args().collect();
//! // 1. --os-auth-type, --os-cloud (and the cloud's auth_type) decide which flags exist.
//! let auth = CliAuth::scan(&args, Env::from_process(), &Dirs::from_process(), PluginRegistry::builtin(), Some("password"));
//! // 2. The session flags and that plugin's --os-* flags, each with its OS_* variable.
//! let matches = auth.register(clap::Command::new("mytool")).get_matches_from(&args);
//! // 3. Arguments over variables over clouds.yaml, every value with where it came from.
//! let loaded = auth.load(&matches)?;
//! let session = Session::from_loaded(&loaded)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - The flags are keystoneauth's: `--insecure`, `--os-cacert`, `--os-cert`,
//!   `--os-key`, `--timeout`, `--os-region-name`, `--os-interface`,
//!   `--os-auth-type` (hidden alias `--os-auth-plugin`), `--os-cloud`,
//!   `--os-identity-api-version`, and one `--os-<option>` per option of the
//!   plugin, its deprecated names as hidden aliases (`--os-tenant-name`,
//!   `--os-user-name`), each with its `OS_<OPTION>` variable (and the old
//!   ones: `OS_TENANT_NAME`). `v3multifactor` also gets the options of its
//!   methods once they are known (`--os-auth-methods`, `OS_AUTH_METHODS`
//!   or the cloud), which keystoneauth's command line never offers.
//! - Values are loaded in the synthetic config group [`GROUP`] through a
//!   [`crate::resolve::Loader`], so the plugin, session and adapter settings are
//!   exactly those a config group gives ([`super::load_from_group`]), typed
//!   and checked the same way, and each keeps its origin (`command line
//!   --os-password`, `environment variable OS_PASSWORD`, `clouds.yaml:7:17`).
//!   Findings name the flag and variable to use.
//! - Variables are read from the [`Env`] given, not from clap's own `env`
//!   fallback (which only shows the variable's name in the help), so that a
//!   test or a tool decides which environment counts. Empty variables are
//!   skipped, as keystoneauth does.
//! - A secret given as an argument is warned about (other users see it in
//!   the process list); secrets are never echoed.
//!
//! [`find_cloud`] says how `clouds.yaml` is read: search path,
//! `secure.yaml`, `clouds-public.yaml` profiles, and what each key sets.
//!
//! The lower-level [`register`], [`load_from_matches`] and
//! [`load_with_cloud`] do one step each, for tools that choose the plugin
//! themselves.

mod clouds;
mod flags;
mod load;
mod scan;
mod tool;
mod vendors_data;

use clap::{ArgMatches, Command};

pub use clouds::{Cloud, CloudFiles, Dirs, find_cloud, find_cloud_region};
pub use scan::{auth_type_from, cloud_from};
pub use tool::CliAuth;

use super::load::LoadedAuth;
use super::plugin::PluginRegistry;
use crate::resolve::LoadError;
use crate::source::{Env, Origin};

/// The synthetic config group that command-line, `OS_*` and cloud values
/// are loaded in; findings about them name this group.
pub const GROUP: &str = "cli";

/// Adds to `cmd` the session flags, `--os-cloud`, `--os-auth-type`,
/// `--os-identity-api-version` and one `--os-<option>` flag per option of
/// the plugin `auth_type` (or `default_plugin` when it is `None`), with its
/// `OS_<OPTION>` variable and help, and its deprecated names as hidden
/// aliases (`--os-tenant-name` for `--os-project-name`).
///
/// An unknown plugin adds no plugin flags ([`load_from_matches`] then
/// reports it). Flags `cmd` already has are left as they are.
pub fn register(
    cmd: Command,
    plugins: &PluginRegistry,
    auth_type: Option<&str>,
    default_plugin: Option<&str>,
) -> Command {
    let ptype = auth_type.or(default_plugin).and_then(|n| plugins.get(n));
    let plan = flags::Plan {
        plugin_names: plugins.names().collect(),
        plugin: ptype.map(|p| p.name()),
        default_plugin,
        flags: ptype.map(|p| flags::plugin_flags(p.options())).unwrap_or_default(),
        hidden: false,
        session: flags::session_flags(&[]),
    };
    flags::add_flags(cmd, &plan)
}

/// Loads the plugin `auth_type` with the values of `m` (parsed by a command
/// that [`register`] prepared) and of `env`, arguments beating variables:
/// the same plugin, session and adapter settings as
/// [`super::load_from_group`] gives for a config group, in the group
/// [`GROUP`].
///
/// Every value keeps its origin (`command line --os-password`,
/// `environment variable OS_PASSWORD`); a missing required option names
/// its flag and variable (`pass --os-auth-url or set OS_AUTH_URL`). A
/// secret given as an argument is warned about (without the value).
pub fn load_from_matches(
    m: &ArgMatches,
    plugins: &PluginRegistry,
    auth_type: &str,
    env: &Env,
) -> Result<LoadedAuth, LoadError> {
    load_with_cloud(m, plugins, auth_type, env, None)
}

/// [`load_from_matches`] with the values of a cloud (see [`find_cloud`])
/// under the arguments and variables: arguments beat `OS_*` variables,
/// which beat the cloud's values. `auth_type` is the caller's choice (see
/// [`CliAuth`] for openstacksdk's); its origin is the argument's, the
/// variable's or the cloud's when one of them names it. Cloud `auth` keys
/// the plugin does not have are skipped with a warning.
pub fn load_with_cloud(
    m: &ArgMatches,
    plugins: &PluginRegistry,
    auth_type: &str,
    env: &Env,
    cloud: Option<&Cloud>,
) -> Result<LoadedAuth, LoadError> {
    let from_arg = load::given(m, flags::AUTH_TYPE_ID)
        .filter(|t| t == auth_type)
        .map(|_| Origin::Cli { flag: format!("--{}", flags::AUTH_TYPE_ID) });
    let origin = from_arg
        .or_else(|| {
            scan::env_value(env, &["OS_AUTH_TYPE", "OS_AUTH_PLUGIN"]).filter(|(t, _)| t == auth_type).map(|(_, o)| o)
        })
        .or_else(|| cloud.and_then(|c| c.auth_type.as_ref()).filter(|(t, _)| t == auth_type).map(|(_, o)| o.clone()));
    load::load(m, plugins, &load::Choice { name: auth_type.to_owned(), origin }, env, cloud, &[])
}
