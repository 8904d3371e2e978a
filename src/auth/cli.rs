//! Loading auth from the command line and `OS_*` variables, as
//! keystoneauth's `loading/cli.py` and `Session.register_cli_options` do.
//!
//! 1. [`auth_type_from`] finds the plugin before the full parse
//!    (`--os-auth-type`, `OS_AUTH_TYPE`, or their old `auth-plugin` names),
//!    because the plugin decides which flags exist.
//! 2. [`register`] adds the session flags, `--os-auth-type` and one
//!    `--os-<option>` flag per option of that plugin (deprecated names as
//!    hidden aliases), each showing its `OS_<OPTION>` variable in the help.
//! 3. [`load_from_matches`] turns every value given into a source of a
//!    [`Loader`] that keeps where it came from (`command line
//!    --os-password`, `environment variable OS_PASSWORD`), in the synthetic
//!    group [`GROUP`], and loads it with [`load_from_group`]: the plugin,
//!    session and adapter settings are exactly those a config group gives.
//!
//! Arguments beat variables. Variables are read from the [`Env`] given to
//! [`load_from_matches`], not from clap's own `env` fallback (which is only
//! used to show the variable's name in the help), so that a test or a tool
//! decides which environment counts.
//!
//! ```
//! use stackauth::auth::{PluginRegistry, cli};
//! use stackauth::source::Env;
//! let plugins = PluginRegistry::builtin();
//! let args: Vec<String> = ["prog", "--os-auth-type", "v3password", "--os-auth-url", "http://k:5000/v3",
//!     "--os-username", "u", "--os-user-domain-name", "Default", "--os-project-name", "p",
//!     "--os-project-domain-name", "Default"].iter().map(|s| s.to_string()).collect();
//! let env = Env::from_pairs([("OS_PASSWORD", "secret")]);
//! let (auth_type, _) = cli::auth_type_from(&args, &env).unwrap();
//! let cmd = cli::register(clap::Command::new("prog"), &plugins, Some(&auth_type), None);
//! let m = cmd.try_get_matches_from(&args).unwrap();
//! let loaded = cli::load_from_matches(&m, &plugins, &auth_type, &env).unwrap();
//! assert_eq!(loaded.plugin.auth_url(), Some("http://k:5000/v3"));
//! ```
//!
//! With `--os-cloud`/`OS_CLOUD`, [`find_cloud`] reads that cloud from
//! `clouds.yaml` (and `secure.yaml`) and [`load_with_cloud`] puts its values
//! under the arguments and variables.
//!
//! Not done: the methods' own options of `v3multifactor` (only
//! `--os-auth-methods` and the common options are registered for it); of a
//! cloud, only `auth`, `auth_type`, `region_name`, `interface`, `verify` and
//! `cacert` are read (no profiles, no `cert`/`key`, no `clouds-public.yaml`).

use std::path::PathBuf;
use std::sync::Arc;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};

use super::load::{LoadedAuth, load_from_group};
use super::plugin::PluginRegistry;
use super::schema;
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{Opt, Registry};
use crate::resolve::{LoadError, Loader, did_you_mean};
use crate::source::{Env, Location, Origin};
use crate::tools::optdata::yaml;
use crate::tools::optdata::{Node, NodeValue};

/// The synthetic config group that command-line and `OS_*` values are
/// loaded in; findings about them name this group.
pub const GROUP: &str = "cli";

const AUTH_TYPE_ID: &str = "os-auth-type";
const AUTH_HEADING: &str = "Authentication Options";
const SESSION_HEADING: &str = "API Connection Options";

/// One flag and the option it sets.
struct Flag {
    /// The long name without dashes; also the clap argument id.
    long: String,
    /// Hidden aliases (deprecated names), without dashes.
    aliases: Vec<String>,
    /// The variable, then the deprecated ones, read in that order.
    envs: Vec<String>,
    /// The option's dest in [`GROUP`].
    dest: String,
    help: String,
    secret: bool,
}

/// `auth-url` or `application_credential_secret` as a flag name.
fn flag_name(name: &str) -> String {
    format!("os-{}", name.replace('_', "-"))
}

/// `auth-url` as `OS_AUTH_URL`.
fn env_name(name: &str) -> String {
    format!("OS_{}", name.replace('-', "_").to_uppercase())
}

fn plugin_flags(opts: &[Opt]) -> Vec<Flag> {
    opts.iter()
        .map(|o| {
            let old: Vec<&str> =
                o.deprecated_names().iter().filter(|d| d.group.is_none()).filter_map(|d| d.name.as_deref()).collect();
            Flag {
                long: flag_name(o.name()),
                aliases: old.iter().map(|n| flag_name(n)).collect(),
                envs: std::iter::once(o.name()).chain(old.iter().copied()).map(env_name).collect(),
                dest: o.dest().to_owned(),
                help: o.help_text().to_owned(),
                secret: o.is_secret(),
            }
        })
        .collect()
}

/// The session flags of keystoneauth's `Session.register_cli_options`
/// (`--insecure`, a switch, is handled apart).
fn session_flags() -> Vec<Flag> {
    let f = |long: &str, env: Option<&str>, dest: &str, help: &str| Flag {
        long: long.to_owned(),
        aliases: Vec::new(),
        envs: env.into_iter().map(str::to_owned).collect(),
        dest: dest.to_owned(),
        help: help.to_owned(),
        secret: false,
    };
    vec![
        f(
            "os-cacert",
            Some("OS_CACERT"),
            "cafile",
            "Specify a CA bundle file to use in verifying a TLS (https) server certificate.",
        ),
        f(
            "os-cert",
            Some("OS_CERT"),
            "certfile",
            "The location for the keystore (PEM formatted) containing the public key of this client.",
        ),
        f(
            "os-key",
            Some("OS_KEY"),
            "keyfile",
            "The location for the keystore (PEM formatted) containing the private key of this client.",
        ),
        f("timeout", None, "timeout", "Set request timeout (in seconds). Defaults to 600."),
    ]
}

/// The plugin named by `--os-auth-type X`, `--os-auth-type=X` (or the
/// deprecated `--os-auth-plugin`) in `args`, the last one winning, else by
/// `OS_AUTH_TYPE` (else `OS_AUTH_PLUGIN`) in `env`; with where it came from.
///
/// Call it before [`register`]: the plugin decides which flags exist.
/// Arguments after `--` are not looked at.
pub fn auth_type_from(args: &[String], env: &Env) -> Option<(String, Origin)> {
    let mut found = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        for flag in ["--os-auth-type", "--os-auth-plugin"] {
            if a == flag {
                if let Some(v) = it.next() {
                    found = Some((v.clone(), Origin::Cli { flag: flag.to_owned() }));
                }
            } else if let Some(v) = a.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                found = Some((v.to_owned(), Origin::Cli { flag: flag.to_owned() }));
            }
        }
    }
    found.or_else(|| {
        ["OS_AUTH_TYPE", "OS_AUTH_PLUGIN"]
            .into_iter()
            .find_map(|var| env.get(var).map(|v| (v.to_owned(), Origin::Env { var: var.to_owned() })))
    })
}

fn value_arg(f: &Flag, heading: &str) -> Arg {
    let mut a = Arg::new(f.long.clone())
        .long(f.long.clone())
        .value_name(f.dest.to_uppercase())
        .action(ArgAction::Set)
        .help(f.help.clone())
        .help_heading(heading.to_owned())
        .hide_env_values(true);
    if let Some(env) = f.envs.first() {
        a = a.env(env.clone());
    }
    for alias in &f.aliases {
        a = a.alias(alias.clone());
    }
    a
}

fn has_arg(cmd: &Command, id: &str) -> bool {
    cmd.get_arguments().any(|a| a.get_id() == id)
}

/// Adds to `cmd` the session flags (`--insecure`, `--os-cacert`,
/// `--os-cert`, `--os-key`, `--timeout`), `--os-auth-type` (hidden alias
/// `--os-auth-plugin`) and one `--os-<option>` flag per option of the
/// plugin `auth_type` (or `default_plugin` when it is `None`), with its
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
    let mut cmd = cmd;
    let add = |cmd: Command, a: Arg| if has_arg(&cmd, a.get_id().as_str()) { cmd } else { cmd.arg(a) };
    cmd = add(
        cmd,
        Arg::new("insecure")
            .long("insecure")
            .action(ArgAction::SetTrue)
            .help("Explicitly allow client to perform \"insecure\" TLS (https) requests. The server's certificate will not be verified against any certificate authorities. This option should be used with caution.")
            .help_heading(SESSION_HEADING),
    );
    for f in session_flags() {
        cmd = add(cmd, value_arg(&f, SESSION_HEADING));
    }
    cmd = add(
        cmd,
        Arg::new("os-cloud")
            .long("os-cloud")
            .env("OS_CLOUD")
            .value_name("CLOUD")
            .action(ArgAction::Set)
            .help("Named cloud to connect to (in clouds.yaml)")
            .help_heading(AUTH_HEADING),
    );
    let names: Vec<&str> = plugins.names().collect();
    let mut help = format!("Authentication type to use (one of: {})", names.join(", "));
    if let Some(d) = default_plugin {
        help.push_str(&format!("; default {d}"));
    }
    cmd = add(
        cmd,
        Arg::new(AUTH_TYPE_ID)
            .long(AUTH_TYPE_ID)
            .alias("os-auth-plugin")
            .env("OS_AUTH_TYPE")
            .hide_env_values(true)
            .value_name("AUTH_TYPE")
            .action(ArgAction::Set)
            .help(help)
            .help_heading(AUTH_HEADING),
    );
    if let Some(ptype) = auth_type.or(default_plugin).and_then(|n| plugins.get(n)) {
        for f in plugin_flags(ptype.options()) {
            cmd = add(cmd, value_arg(&f, AUTH_HEADING));
        }
    }
    cmd
}

/// The value of `id` if it was given on the command line (not by clap's
/// own env fallback or a default).
fn given(m: &ArgMatches, id: &str) -> Option<String> {
    if m.value_source(id) != Some(ValueSource::CommandLine) {
        return None;
    }
    m.try_get_one::<String>(id).ok().flatten().cloned()
}

fn register_error(e: impl std::fmt::Display) -> LoadError {
    LoadError::new(vec![
        Diagnostic::error(Code::AuthOption, format!("cannot register the command-line auth options: {e}")).group(GROUP),
    ])
}

/// Adds the flag's value to `loader`: the argument, else the first of its
/// variables that is set. A secret given as an argument is warned about.
fn add_value<'r>(loader: Loader<'r>, m: &ArgMatches, f: &Flag, env: &Env) -> (Loader<'r>, bool) {
    if let Some(v) = given(m, &f.long) {
        let flag = format!("--{}", f.long);
        if f.secret {
            let var = f.envs.first().map(String::as_str).unwrap_or("its environment variable");
            tracing::warn!(
                flag = %flag,
                "a secret given as a command-line argument is visible to other users in the process list: set {var} instead"
            );
        }
        return (loader.value_from(GROUP, &f.dest, v, Origin::Cli { flag }), true);
    }
    for (i, var) in f.envs.iter().enumerate() {
        if let Some(v) = env.get(var) {
            if i > 0 {
                tracing::warn!(var = %var, "{var} is deprecated: use {}", f.envs[0]);
            }
            return (loader.value_from(GROUP, &f.dest, v, Origin::Env { var: var.clone() }), true);
        }
    }
    (loader, false)
}

/// Loads the plugin `auth_type` with the values of `m` (parsed by a command
/// that [`register`] prepared) and of `env`, arguments beating variables:
/// the same plugin, session and adapter settings as
/// [`load_from_group`] gives for a config group, in the group [`GROUP`].
///
/// Every value keeps its origin (`command line --os-password`,
/// `environment variable OS_PASSWORD`); a missing required option names
/// its flag and variable (`pass --os-auth-url or set OS_AUTH_URL`). A
/// secret given as an argument logs a warning (without the value).
pub fn load_from_matches(
    m: &ArgMatches,
    plugins: &PluginRegistry,
    auth_type: &str,
    env: &Env,
) -> Result<LoadedAuth, LoadError> {
    load_with_cloud(m, plugins, auth_type, env, None)
}

/// [`load_from_matches`] with the values of a `clouds.yaml` cloud (see
/// [`find_cloud`]) under the arguments and variables: arguments beat
/// `OS_*` variables, which beat the cloud's values. Each cloud value keeps
/// its file and line as origin. `auth_type` is the caller's choice
/// (openstacksdk takes `--os-auth-type`, else `OS_AUTH_TYPE`, else the
/// cloud's `auth_type`, else `password`); its origin is the cloud's when
/// they agree. Cloud `auth` keys that the plugin does not have are skipped
/// with a warning.
pub fn load_with_cloud(
    m: &ArgMatches,
    plugins: &PluginRegistry,
    auth_type: &str,
    env: &Env,
    cloud: Option<&Cloud>,
) -> Result<LoadedAuth, LoadError> {
    let ptype = plugins.get(auth_type);
    let mut reg = Registry::new();
    reg.register_opts(GROUP, schema::loading_opts()).map_err(register_error)?;
    reg.register_opts(GROUP, schema::session_opts()).map_err(register_error)?;
    reg.register_opts(GROUP, schema::adapter_opts()).map_err(register_error)?;
    let flags = ptype.map(|p| plugin_flags(p.options())).unwrap_or_default();
    if let Some(p) = ptype {
        reg.register_opts(GROUP, p.options().to_vec()).map_err(register_error)?;
    }

    let mut loader = Loader::new(&reg).set_default(GROUP, "timeout", "600");
    let type_origin = if given(m, AUTH_TYPE_ID).as_deref() == Some(auth_type) {
        Some(Origin::Cli { flag: format!("--{AUTH_TYPE_ID}") })
    } else {
        ["OS_AUTH_TYPE", "OS_AUTH_PLUGIN"]
            .into_iter()
            .find(|var| env.get(var) == Some(auth_type))
            .map(|var| Origin::Env { var: var.to_owned() })
            .or_else(|| {
                cloud.and_then(|c| c.auth_type.as_ref()).filter(|(t, _)| t == auth_type).map(|(_, o)| o.clone())
            })
    };
    loader = match type_origin {
        Some(origin) => loader.value_from(GROUP, "auth_type", auth_type, origin),
        None => loader.set_default(GROUP, "auth_type", auth_type),
    };
    let mut done = std::collections::HashSet::new();
    if m.value_source("insecure") == Some(ValueSource::CommandLine)
        && m.try_get_one::<bool>("insecure").ok().flatten() == Some(&true)
    {
        loader = loader.value_from(GROUP, "insecure", "true", Origin::Cli { flag: "--insecure".into() });
        done.insert("insecure".to_owned());
    }
    for f in session_flags().iter().chain(&flags) {
        let (next, set) = add_value(loader, m, f, env);
        loader = next;
        if set {
            done.insert(f.dest.clone());
        }
    }
    for (key, value, origin) in cloud.map(|c| c.values.as_slice()).unwrap_or_default() {
        // A deprecated name (tenant_name) sets its option (project_name).
        let dest = flags
            .iter()
            .find(|f| f.aliases.iter().any(|a| a.trim_start_matches("os-").replace('-', "_") == *key))
            .map_or(key.as_str(), |f| f.dest.as_str());
        if done.contains(dest) {
            continue;
        }
        if reg.find(GROUP, dest).is_none() {
            tracing::warn!(option = %key, at = %origin, "the {auth_type} auth plugin has no option {key}: skipped");
            continue;
        }
        loader = loader.value_from(GROUP, dest, value.clone(), origin.clone());
        done.insert(dest.to_owned());
    }

    load_from_group(&loader, plugins, GROUP).map_err(|e| name_flags(e, &flags))
}

/// Findings about a missing option say which flag or variable sets it,
/// since there is no file to set it in.
fn name_flags(e: LoadError, flags: &[Flag]) -> LoadError {
    let diags = e
        .diagnostics()
        .iter()
        .cloned()
        .map(|mut d| {
            let ours = d.group.as_deref() == Some(GROUP);
            let flag = d.option.as_deref().and_then(|o| flags.iter().find(|f| f.dest == o));
            match (ours, d.code, flag) {
                (true, Code::MissingRequired, Some(f)) => {
                    d.suggestion = Some(match f.envs.first() {
                        Some(var) => format!("pass --{} or set {var}", f.long),
                        None => format!("pass --{}", f.long),
                    });
                }
                (true, Code::UnknownAuthType | Code::MissingAuthType, _) => {
                    let s = d.suggestion.take().unwrap_or_default();
                    d.suggestion = Some(format!("pass --{AUTH_TYPE_ID} or set OS_AUTH_TYPE; {s}"));
                }
                _ => {}
            }
            d
        })
        .collect();
    LoadError::new(diags)
}

// ---------------------------------------------------------------------------------------------------------
// clouds.yaml
// ---------------------------------------------------------------------------------------------------------

/// One cloud of a `clouds.yaml` (with `secure.yaml` merged over it): its
/// `auth_type` and its values as options of [`GROUP`], each with its place
/// in the file.
#[derive(Clone)]
pub struct Cloud {
    /// The cloud's name.
    pub name: String,
    /// `auth_type`, if the cloud sets one.
    pub auth_type: Option<(String, Origin)>,
    /// (option, value, origin): the `auth` mapping's entries, `region_name`,
    /// `interface` (as `valid_interfaces`), `verify` (false as `insecure`)
    /// and `cacert` (as `cafile`).
    values: Vec<(String, String, Origin)>,
}

// Values may be secrets: names only.
impl std::fmt::Debug for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.values.iter().map(|(k, _, _)| k.as_str()).collect();
        f.debug_struct("Cloud")
            .field("name", &self.name)
            .field("auth_type", &self.auth_type)
            .field("options", &keys)
            .finish()
    }
}

impl Cloud {
    /// The options the cloud sets, with where (values left out: they may be
    /// secrets).
    pub fn options(&self) -> impl Iterator<Item = (&str, &Origin)> {
        self.values.iter().map(|(k, _, o)| (k.as_str(), o))
    }
}

/// The cloud named by `--os-cloud X` / `--os-cloud=X` in `args` (the last
/// one winning), else by `OS_CLOUD` in `env`.
pub fn cloud_from(args: &[String], env: &Env) -> Option<(String, Origin)> {
    let mut found = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--os-cloud" {
            if let Some(v) = it.next() {
                found = Some(v.clone());
            }
        } else if let Some(v) = a.strip_prefix("--os-cloud=") {
            found = Some(v.to_owned());
        }
    }
    match found {
        Some(v) => Some((v, Origin::Cli { flag: "--os-cloud".into() })),
        None => env.get("OS_CLOUD").map(|v| (v.to_owned(), Origin::Env { var: "OS_CLOUD".into() })),
    }
}

/// Where `file` (`clouds` or `secure`) is looked for, in order, as
/// openstacksdk does: the file named by `var` (`OS_CLIENT_CONFIG_FILE` or
/// `OS_CLIENT_SECURE_FILE`) in `env`, then `<file>.yaml` and `<file>.yml` in
/// `cwd`, in `<home>/.config/openstack` and in `/etc/openstack`.
fn search_path(
    file: &str,
    var: &str,
    env: &Env,
    cwd: &std::path::Path,
    home: Option<&std::path::Path>,
) -> Vec<PathBuf> {
    let mut dirs = vec![cwd.to_path_buf()];
    if let Some(h) = home {
        dirs.push(h.join(".config").join("openstack"));
    }
    dirs.push(PathBuf::from("/etc/openstack"));
    let mut out: Vec<PathBuf> = env.get(var).map(PathBuf::from).into_iter().collect();
    for d in dirs {
        out.push(d.join(format!("{file}.yaml")));
        out.push(d.join(format!("{file}.yml")));
    }
    out
}

/// The `clouds.yaml` search path: `OS_CLIENT_CONFIG_FILE`, then the
/// current dir `cwd`, `<home>/.config/openstack`, `/etc/openstack`.
pub fn clouds_search_path(env: &Env, cwd: &std::path::Path, home: Option<&std::path::Path>) -> Vec<PathBuf> {
    search_path("clouds", "OS_CLIENT_CONFIG_FILE", env, cwd, home)
}

/// The `secure.yaml` search path: `OS_CLIENT_SECURE_FILE`, then the same
/// dirs as [`clouds_search_path`].
pub fn secure_search_path(env: &Env, cwd: &std::path::Path, home: Option<&std::path::Path>) -> Vec<PathBuf> {
    search_path("secure", "OS_CLIENT_SECURE_FILE", env, cwd, home)
}

fn cloud_error(path: Option<&std::path::Path>, at: (u32, u32), message: impl Into<String>) -> Diagnostic {
    let mut d = Diagnostic::error(Code::AuthOption, message).group(GROUP);
    if let Some(p) = path {
        d.origin = Some(Origin::File(Location { path: Arc::from(p), line: at.0, column: at.1 }));
    }
    d
}

/// The named cloud's mapping in the file, if it has one.
fn read_cloud(path: &std::path::Path, name: &str) -> Result<(Option<Node>, Vec<String>), LoadError> {
    let text = crate::source::load_text(path).map_err(LoadError::new)?;
    let doc = yaml::parse(&text).map_err(|e| {
        LoadError::new(vec![cloud_error(Some(path), (e.line, e.column), format!("not valid YAML: {}", e.message))])
    })?;
    let clouds = match &doc.value {
        NodeValue::Map(entries) => entries.iter().find(|(k, _)| k == "clouds").map(|(_, v)| v),
        _ => None,
    };
    let Some(Node { value: NodeValue::Map(clouds), .. }) = clouds else {
        return Ok((None, Vec::new()));
    };
    let names = clouds.iter().map(|(k, _)| k.clone()).collect();
    Ok((clouds.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()), names))
}

fn scalar(n: &Node) -> Option<String> {
    match &n.value {
        NodeValue::Str(s) => Some(s.clone()),
        NodeValue::Bool(b) => Some(b.to_string()),
        NodeValue::Int(i) => Some(i.to_string()),
        NodeValue::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// Adds the entries of a cloud mapping to `cloud`, later files replacing
/// earlier values (`secure.yaml` over `clouds.yaml`).
fn collect(cloud: &mut Cloud, path: &std::path::Path, node: &Node) {
    let origin = |n: &Node| Origin::File(Location { path: Arc::from(path), line: n.line, column: n.column });
    let set = |cloud: &mut Cloud, key: &str, value: String, o: Origin| {
        cloud.values.retain(|(k, _, _)| k != key);
        cloud.values.push((key.to_owned(), value, o));
    };
    let NodeValue::Map(entries) = &node.value else { return };
    for (k, v) in entries {
        match (k.as_str(), &v.value) {
            ("auth", NodeValue::Map(auth)) => {
                for (ak, av) in auth {
                    if let Some(s) = scalar(av) {
                        set(cloud, &ak.replace('-', "_"), s, origin(av));
                    }
                }
            }
            ("auth_type", _) => {
                if let Some(s) = scalar(v) {
                    cloud.auth_type = Some((s, origin(v)));
                }
            }
            ("region_name", _) => {
                if let Some(s) = scalar(v) {
                    set(cloud, "region_name", s, origin(v));
                }
            }
            ("interface", _) => {
                if let Some(s) = scalar(v) {
                    set(cloud, "valid_interfaces", s, origin(v));
                }
            }
            ("cacert", _) => {
                if let Some(s) = scalar(v) {
                    set(cloud, "cafile", s, origin(v));
                }
            }
            ("verify", NodeValue::Bool(b)) => set(cloud, "insecure", (!b).to_string(), origin(v)),
            _ => {}
        }
    }
}

/// Reads cloud `name` from the first file of `clouds` that exists, with the
/// same cloud of the first file of `secure` that exists merged over it
/// (see [`clouds_search_path`] and [`secure_search_path`]).
///
/// A cloud that is in neither file is an error listing the clouds there
/// are.
pub fn find_cloud(name: &str, clouds: &[PathBuf], secure: &[PathBuf]) -> Result<Cloud, LoadError> {
    let mut cloud = Cloud { name: name.to_owned(), auth_type: None, values: Vec::new() };
    let mut found = false;
    let mut known = Vec::new();
    let mut looked = Vec::new();
    for list in [clouds, secure] {
        if let Some(path) = list.iter().find(|p| p.is_file()) {
            let (node, names) = read_cloud(path, name)?;
            known.extend(names);
            looked.push(path.display().to_string());
            if let Some(node) = node {
                found = true;
                collect(&mut cloud, path, &node);
            }
        }
    }
    if !found {
        let where_ = if looked.is_empty() { "no clouds.yaml was found".to_owned() } else { looked.join(", ") };
        let mut d = Diagnostic::error(Code::AuthOption, format!("cloud {name:?} is not in {where_}")).group(GROUP);
        d = match did_you_mean(name, known.iter().map(String::as_str)) {
            Some(s) => d.suggest(format!("did you mean {s:?}?")),
            None if known.is_empty() => {
                d.suggest("write it under clouds: in ./clouds.yaml, ~/.config/openstack/clouds.yaml or /etc/openstack/clouds.yaml")
            }
            None => d.suggest(format!("known clouds: {}", known.join(", "))),
        };
        return Err(LoadError::new(vec![d]));
    }
    Ok(cloud)
}
