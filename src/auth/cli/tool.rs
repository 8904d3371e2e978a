//! [`CliAuth`]: the whole command-line loading path for a tool, in three
//! calls (scan, register, load).

use clap::{ArgMatches, Command};

use super::clouds::{Cloud, CloudFiles, Dirs, default_cloud, find_cloud_region};
use super::flags::{self, Plan};
use super::load::{self, Choice, group_options, methods, plugin_options, renamed};
use super::scan::{auth_type_from, cloud_from, scan};
use crate::auth::load::LoadedAuth;
use crate::auth::plugin::PluginRegistry;
use crate::opt::DeprecatedName;
use crate::resolve::LoadError;
use crate::source::{Env, Origin};

/// A command line's auth, found in three steps:
///
/// 1. [`CliAuth::scan`] reads the arguments and variables that decide which
///    flags exist (`--os-auth-type`, `--os-cloud` and the cloud's
///    `auth_type`, `--os-identity-api-version`, `--os-auth-methods`);
/// 2. [`CliAuth::register`] adds those flags to the tool's `clap::Command`;
/// 3. [`CliAuth::load`] loads the plugin, session and adapter settings from
///    the parsed arguments, the `OS_*` variables and the cloud, in that
///    order of precedence, each value with where it came from.
///
/// The plugin is, as openstacksdk and OpenStackClient choose it:
/// `--os-auth-type`, else `OS_AUTH_TYPE`, else the cloud's `auth_type`,
/// else, when an identity API version is given (`--os-identity-api-version`,
/// `OS_IDENTITY_API_VERSION`, the cloud's `identity_api_version`), the
/// versioned plugin for the credentials given (`v3password` or `v3token`,
/// `v2password` or `v2token`), else the tool's default, else `password`.
///
/// Every problem (an unknown plugin, a broken `clouds.yaml`) is reported by
/// [`CliAuth::load`]: a tool that is asked for `--help`, or that does not
/// use the command-line path this time, is not stopped by it.
///
/// ```
/// use stackauth::auth::{PluginRegistry, cli::{CliAuth, Dirs}};
/// use stackauth::source::Env;
/// let args: Vec<String> = ["mytool", "--os-auth-url", "http://k:5000/v3", "--os-user-id", "u1"]
///     .iter().map(|s| s.to_string()).collect();
/// let env = Env::from_pairs([("OS_PASSWORD", "secret")]);
/// let auth = CliAuth::scan(&args, env, &Dirs::default(), PluginRegistry::builtin(), Some("v3password"));
/// let m = auth.register(clap::Command::new("mytool")).try_get_matches_from(&args).unwrap();
/// let loaded = auth.load(&m).unwrap();
/// assert_eq!(loaded.plugin_name, "v3password");
/// ```
pub struct CliAuth {
    plugins: PluginRegistry,
    env: Env,
    default_plugin: Option<String>,
    choice: Choice,
    methods: Vec<String>,
    cloud: Result<Option<Cloud>, LoadError>,
    renames: Vec<(String, DeprecatedName)>,
}

impl std::fmt::Debug for CliAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CliAuth")
            .field("auth_type", &self.choice.name)
            .field("methods", &self.methods)
            .field("cloud", &self.cloud)
            .finish()
    }
}

/// Whether the credentials given are a user's or a token (for the
/// versioned plugin choice).
fn credentials(args: &[String], env: &Env, cloud: Option<&Cloud>) -> (bool, bool) {
    let any = |flags: &[&str], vars: &[&str], keys: &[&str]| {
        scan(args, env, flags, vars).is_some() || cloud.is_some_and(|c| keys.iter().any(|k| c.value(k).is_some()))
    };
    let user = any(
        &["--os-username", "--os-user-name", "--os-user-id"],
        &["OS_USERNAME", "OS_USER_NAME", "OS_USER_ID"],
        &["username", "user_name", "user_id"],
    );
    let token = any(&["--os-token"], &["OS_TOKEN"], &["token", "auth_token"]);
    (user, token)
}

fn choose(
    args: &[String],
    env: &Env,
    cloud: Option<&Cloud>,
    plugins: &PluginRegistry,
    default: Option<&str>,
) -> Choice {
    let named = auth_type_from(args, env).or_else(|| cloud.and_then(|c| c.auth_type.clone()));
    if let Some((name, origin)) = named {
        return Choice { name, origin: Some(origin) };
    }
    let version = scan(args, env, &["--os-identity-api-version"], &["OS_IDENTITY_API_VERSION"])
        .or_else(|| cloud.and_then(|c| c.identity_api_version.clone()));
    if let Some((v, _)) = version {
        let (user, token) = credentials(args, env, cloud);
        let family = if v.starts_with('3') {
            Some("v3")
        } else if v.starts_with('2') {
            Some("v2")
        } else {
            None
        };
        let kind = if user {
            Some("password")
        } else if token {
            Some("token")
        } else {
            None
        };
        if let (Some(f), Some(k)) = (family, kind) {
            let name = format!("{f}{k}");
            if plugins.get(&name).is_some() {
                return Choice { name, origin: None };
            }
        }
    }
    Choice { name: default.unwrap_or("password").to_owned(), origin: None }
}

impl CliAuth {
    /// Reads what decides the flags from `args` (the whole command line,
    /// program name first), `env` and, with `--os-cloud`/`OS_CLOUD`, the
    /// cloud's files (looked for in `dirs`); `default_plugin` is the plugin
    /// when nothing names one.
    pub fn scan(
        args: &[String],
        env: Env,
        dirs: &Dirs,
        plugins: PluginRegistry,
        default_plugin: Option<&str>,
    ) -> CliAuth {
        let files = CloudFiles::search(&env, dirs);
        // As openstacksdk: the cloud named, else the only one in the files.
        let cloud = match cloud_from(args, &env).map(|(name, _)| name).or_else(|| default_cloud(&files, &env)) {
            Some(name) => {
                let region = scan(args, &env, &["--os-region-name"], &["OS_REGION_NAME"]).map(|(r, _)| r);
                find_cloud_region(&name, region.as_deref(), &files, Some(&env)).map(Some)
            }
            None => Ok(None),
        };
        let ok_cloud = cloud.as_ref().ok().and_then(Option::as_ref);
        let choice = choose(args, &env, ok_cloud, &plugins, default_plugin);
        let arg_methods = scan(args, &env, &["--os-auth-methods"], &[]).map(|(v, _)| v);
        let methods = methods(arg_methods, &env, ok_cloud);
        CliAuth {
            plugins,
            env,
            default_plugin: default_plugin.map(str::to_owned),
            choice,
            methods,
            cloud,
            renames: Vec::new(),
        }
    }

    /// Maps the tool's own old option names onto keystoneauth's, as
    /// [`crate::auth::register_conf_options`] does for a config group:
    /// each pair is an option (`username`, `password`, `cafile`...) and a
    /// name it used to have (`admin_user`), which becomes a hidden
    /// `--os-admin-user` flag, an `OS_ADMIN_USER` variable and a key of a
    /// cloud's `auth:`, read as the option (typed, checked, secret if it
    /// is) with a deprecation warning, as keystoneauth's deprecated names
    /// (`--os-tenant-name`) are.
    pub fn with_renames(mut self, renames: &[(&str, DeprecatedName)]) -> CliAuth {
        self.renames.extend(renames.iter().map(|(t, n)| ((*t).to_owned(), n.clone())));
        self
    }

    /// The plugin that will be loaded.
    pub fn auth_type(&self) -> &str {
        &self.choice.name
    }

    /// Where the plugin's name came from (`None`: a default, or the
    /// identity API version's choice).
    pub fn auth_type_origin(&self) -> Option<&Origin> {
        self.choice.origin.as_ref()
    }

    /// The cloud named by `--os-cloud`/`OS_CLOUD`, if one is and it was
    /// read.
    pub fn cloud(&self) -> Option<&Cloud> {
        self.cloud.as_ref().ok().and_then(Option::as_ref)
    }

    /// Adds the session flags, `--os-cloud`, `--os-auth-type`,
    /// `--os-identity-api-version` and the plugin's flags to `cmd` (see
    /// [`super::register`]). When the plugin is not known (a typo, or a
    /// cloud that could not be read), every plugin's flags are accepted,
    /// hidden, so that [`CliAuth::load`] can say what is wrong.
    pub fn register(&self, cmd: Command) -> Command {
        flags::add_flags(cmd, &self.plan())
    }

    fn plan(&self) -> Plan<'_> {
        let plugin_names: Vec<&str> = self.plugins.names().collect();
        let default_plugin = Some(self.default_plugin.as_deref().unwrap_or("password"));
        let session = flags::session_flags(&group_options(&self.renames));
        match self.plugins.get(&self.choice.name).filter(|_| self.cloud.is_ok()) {
            Some(p) => Plan {
                plugin_names,
                plugin: Some(p.name()),
                default_plugin,
                flags: flags::plugin_flags(&renamed(plugin_options(p, &self.methods), &self.renames)),
                hidden: false,
                session,
            },
            None => {
                let all: Vec<flags::Flag> = plugin_names
                    .iter()
                    .filter_map(|n| self.plugins.get(n))
                    .flat_map(|p| flags::plugin_flags(&renamed(p.options().to_vec(), &self.renames)))
                    .collect();
                Plan { plugin_names, plugin: None, default_plugin, flags: flags::unique(all), hidden: true, session }
            }
        }
    }

    /// The flags of [`CliAuth::register`] that `m` got on the command line,
    /// as written (`--os-cloud`): for a tool that takes either these or a
    /// config file, and must refuse both at once.
    pub fn given(&self, m: &ArgMatches) -> Vec<String> {
        let plan = self.plan();
        flags::ids(&plan)
            .into_iter()
            .filter(|id| {
                let bool_given = m.try_get_one::<bool>(id).ok().flatten() == Some(&true);
                (load::given(m, id).is_some() || bool_given)
                    && m.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
            })
            .map(|id| format!("--{id}"))
            .collect()
    }

    /// Loads the plugin, session and adapter settings from `m` (parsed by a
    /// command [`CliAuth::register`] prepared), the variables and the
    /// cloud; or every problem found, the cloud's first.
    pub fn load(&self, m: &ArgMatches) -> Result<LoadedAuth, LoadError> {
        let cloud = self.cloud.clone()?;
        load::load(m, &self.plugins, &self.choice, &self.env, cloud.as_ref(), &self.renames)
    }
}
