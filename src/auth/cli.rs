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
//! Not done: `clouds.yaml` (`--os-cloud`), and the methods' own options of
//! `v3multifactor` (only `--os-auth-methods` and the common options are
//! registered for it).

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};

use super::load::{LoadedAuth, load_from_group};
use super::plugin::PluginRegistry;
use super::schema;
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{Opt, Registry};
use crate::resolve::{LoadError, Loader};
use crate::source::{Env, Origin};

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
fn add_value<'r>(loader: Loader<'r>, m: &ArgMatches, f: &Flag, env: &Env) -> Loader<'r> {
    if let Some(v) = given(m, &f.long) {
        let flag = format!("--{}", f.long);
        if f.secret {
            let var = f.envs.first().map(String::as_str).unwrap_or("its environment variable");
            tracing::warn!(
                flag = %flag,
                "a secret given as a command-line argument is visible to other users in the process list: set {var} instead"
            );
        }
        return loader.value_from(GROUP, &f.dest, v, Origin::Cli { flag });
    }
    for (i, var) in f.envs.iter().enumerate() {
        if let Some(v) = env.get(var) {
            if i > 0 {
                tracing::warn!(var = %var, "{var} is deprecated: use {}", f.envs[0]);
            }
            return loader.value_from(GROUP, &f.dest, v, Origin::Env { var: var.clone() });
        }
    }
    loader
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
    };
    loader = match type_origin {
        Some(origin) => loader.value_from(GROUP, "auth_type", auth_type, origin),
        None => loader.set_default(GROUP, "auth_type", auth_type),
    };
    if m.value_source("insecure") == Some(ValueSource::CommandLine)
        && m.try_get_one::<bool>("insecure").ok().flatten() == Some(&true)
    {
        loader = loader.value_from(GROUP, "insecure", "true", Origin::Cli { flag: "--insecure".into() });
    }
    for f in session_flags().iter().chain(&flags) {
        loader = add_value(loader, m, f, env);
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
