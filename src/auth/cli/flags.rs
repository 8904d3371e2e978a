//! The `--os-*` flags: which exist, their variables and help, and adding
//! them to a `clap::Command`.

use clap::{Arg, ArgAction, Command};

use crate::opt::Opt;

pub(super) const AUTH_TYPE_ID: &str = "os-auth-type";
pub(super) const CLOUD_ID: &str = "os-cloud";
pub(super) const IDENTITY_API_VERSION_ID: &str = "os-identity-api-version";
pub(super) const INSECURE_ID: &str = "insecure";
const AUTH_HEADING: &str = "Authentication Options";
const SESSION_HEADING: &str = "API Connection Options";

/// One flag and the option it sets.
#[derive(Clone)]
pub(super) struct Flag {
    /// The long name without dashes; also the clap argument id.
    pub long: String,
    /// Hidden aliases of the same standing (keystoneauth's underscore
    /// spellings), without dashes.
    pub aliases: Vec<String>,
    /// Deprecated names (`os-tenant-name`), without dashes: each a hidden
    /// flag of its own, so that using one can be warned about.
    pub old: Vec<String>,
    /// The variable, if the flag has one.
    pub var: Option<String>,
    /// The deprecated variables (`OS_TENANT_NAME`), read after it.
    pub old_vars: Vec<String>,
    /// The option's dest in the command-line group.
    pub dest: String,
    pub help: String,
    pub secret: bool,
}

impl Flag {
    /// `pass --os-auth-url or set OS_AUTH_URL`.
    pub fn how_to_set(&self) -> String {
        match &self.var {
            Some(var) => format!("pass --{} or set {var}", self.long),
            None => format!("pass --{}", self.long),
        }
    }
}

/// `auth-url` or `application_credential_secret` as a flag name.
fn flag_name(name: &str) -> String {
    format!("os-{}", name.replace('_', "-"))
}

/// `auth-url` as `OS_AUTH_URL`.
fn env_name(name: &str) -> String {
    format!("OS_{}", name.replace('-', "_").to_uppercase())
}

/// The old names of `o` that a command line can use (not those in another
/// group).
fn old_names(o: &Opt) -> Vec<&str> {
    o.deprecated_names().iter().filter(|d| d.group.is_none()).filter_map(|d| d.name.as_deref()).collect()
}

/// The flags of a plugin's options, as keystoneauth's `Opt.argparse_args`
/// and `argparse_envvars`: `--os-<name>` and `OS_<NAME>`, then the same for
/// each deprecated name (`--os-tenant-name`, `OS_TENANT_NAME`). A name
/// keystoneauth spells with underscores keeps that spelling as an alias
/// (`--os-application_credential_secret`).
pub(super) fn plugin_flags(opts: &[Opt]) -> Vec<Flag> {
    opts.iter()
        .map(|o| {
            let old = old_names(o);
            let aliases = if o.name().contains('_') { vec![format!("os-{}", o.name())] } else { Vec::new() };
            Flag {
                long: flag_name(o.name()),
                aliases,
                old: old.iter().map(|n| flag_name(n)).collect(),
                var: Some(env_name(o.name())),
                old_vars: old.iter().map(|n| env_name(n)).collect(),
                dest: o.dest().to_owned(),
                help: o.help_text().to_owned(),
                secret: o.is_secret(),
            }
        })
        .collect()
}

fn flag(long: &str, env: Option<&str>, dest: &str, help: &str) -> Flag {
    Flag {
        long: long.to_owned(),
        aliases: Vec::new(),
        old: Vec::new(),
        var: env.map(str::to_owned),
        old_vars: Vec::new(),
        dest: dest.to_owned(),
        help: help.to_owned(),
        secret: false,
    }
}

/// The session flags of keystoneauth's `Session.register_argparse_arguments`
/// (`--insecure`, a switch, is added apart), and the region and interface
/// of its adapter flags; with the old names `renamed` gives their options
/// (as `--os-<old>` and `OS_<OLD>`).
pub(super) fn session_flags(renamed: &[Opt]) -> Vec<Flag> {
    let mut flags = fixed_session_flags();
    for f in &mut flags {
        if let Some(o) = renamed.iter().find(|o| o.dest() == f.dest) {
            for n in old_names(o) {
                f.old.push(flag_name(n));
                f.old_vars.push(env_name(n));
            }
        }
    }
    flags
}

fn fixed_session_flags() -> Vec<Flag> {
    vec![
        flag(
            "os-cacert",
            Some("OS_CACERT"),
            "cafile",
            "Specify a CA bundle file to use in verifying a TLS (https) server certificate.",
        ),
        flag(
            "os-cert",
            Some("OS_CERT"),
            "certfile",
            "The location for the keystore (PEM formatted) containing the public key of this client.",
        ),
        flag(
            "os-key",
            Some("OS_KEY"),
            "keyfile",
            "The location for the keystore (PEM formatted) containing the private key of this client.",
        ),
        flag("timeout", None, "timeout", "Set request timeout (in seconds). Defaults to 600."),
        flag("os-region-name", Some("OS_REGION_NAME"), "region_name", "The region of the services to use."),
        flag(
            "os-interface",
            Some("OS_INTERFACE"),
            "valid_interfaces",
            "The interface of the endpoints to use: public, internal or admin (a comma list, in order of preference).",
        ),
    ]
}

/// The old-name flag `old` of `f`: hidden, with its own id.
fn old_arg(f: &Flag, old: &str) -> Arg {
    Arg::new(old.to_owned())
        .long(old.to_owned())
        .value_name(f.dest.to_uppercase())
        .action(ArgAction::Set)
        .help(format!("Deprecated: use --{}", f.long))
        .hide(true)
}

fn value_arg(f: &Flag, heading: &str, hidden: bool) -> Arg {
    let mut a = Arg::new(f.long.clone())
        .long(f.long.clone())
        .value_name(f.dest.to_uppercase())
        .action(ArgAction::Set)
        .help(f.help.clone())
        .help_heading(heading.to_owned())
        .hide_env_values(true)
        .hide(hidden);
    if let Some(env) = &f.var {
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

fn add(cmd: Command, a: Arg) -> Command {
    if has_arg(&cmd, a.get_id().as_str()) { cmd } else { cmd.arg(a) }
}

/// What [`add_flags`] adds beside the session flags.
pub(super) struct Plan<'a> {
    /// Every plugin name, for the help of `--os-auth-type`.
    pub plugin_names: Vec<&'a str>,
    /// The plugin in effect (for the help), if it is known.
    pub plugin: Option<&'a str>,
    /// The default plugin, for the help.
    pub default_plugin: Option<&'a str>,
    /// The plugin's flags.
    pub flags: Vec<Flag>,
    /// Whether the plugin flags are hidden (the plugin is not known: every
    /// plugin's flags are accepted so that loading can say what is wrong).
    pub hidden: bool,
    /// The session flags.
    pub session: Vec<Flag>,
}

/// Adds the session flags, `--os-cloud`, `--os-auth-type` (hidden alias
/// `--os-auth-plugin`), `--os-identity-api-version` and the plugin flags;
/// flags `cmd` already has are left as they are.
pub(super) fn add_flags(mut cmd: Command, plan: &Plan<'_>) -> Command {
    cmd = add(
        cmd,
        Arg::new(INSECURE_ID)
            .long(INSECURE_ID)
            .action(ArgAction::SetTrue)
            .help("Explicitly allow client to perform \"insecure\" TLS (https) requests. The server's certificate will not be verified against any certificate authorities. This option should be used with caution.")
            .help_heading(SESSION_HEADING),
    );
    for f in &plan.session {
        cmd = add(cmd, value_arg(f, SESSION_HEADING, false));
        for old in &f.old {
            cmd = add(cmd, old_arg(f, old));
        }
    }
    cmd = add(
        cmd,
        Arg::new(CLOUD_ID)
            .long(CLOUD_ID)
            .env("OS_CLOUD")
            .hide_env_values(true)
            .value_name("CLOUD")
            .action(ArgAction::Set)
            .help("Named cloud to connect to (in clouds.yaml)")
            .help_heading(AUTH_HEADING),
    );
    let mut help = format!("Authentication type to use (one of: {})", plan.plugin_names.join(", "));
    if let Some(d) = plan.default_plugin {
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
    cmd = add(
        cmd,
        Arg::new(IDENTITY_API_VERSION_ID)
            .long(IDENTITY_API_VERSION_ID)
            .env("OS_IDENTITY_API_VERSION")
            .hide_env_values(true)
            .value_name("VERSION")
            .action(ArgAction::Set)
            .help("Identity API version (3 or 2.0): picks v3password or v2password (v3token, v2token) when no authentication type is named")
            .help_heading(AUTH_HEADING),
    );
    let heading = match plan.plugin {
        Some(p) => format!("Options of the {p} auth plugin"),
        None => AUTH_HEADING.to_owned(),
    };
    for f in &plan.flags {
        cmd = add(cmd, value_arg(f, &heading, plan.hidden));
        for old in &f.old {
            cmd = add(cmd, old_arg(f, old));
        }
    }
    cmd
}

/// The ids of the value flags and switches [`add_flags`] adds for `plan`.
pub(super) fn ids(plan: &Plan<'_>) -> Vec<String> {
    let fixed = [INSECURE_ID, CLOUD_ID, AUTH_TYPE_ID, IDENTITY_API_VERSION_ID].map(str::to_owned);
    let flags = plan.session.iter().chain(&plan.flags);
    fixed.into_iter().chain(flags.flat_map(|f| std::iter::once(f.long.clone()).chain(f.old.iter().cloned()))).collect()
}

/// Each name once: a flag whose name is taken is dropped, an alias or old
/// name that is taken is left out (v2's `--os-tenant-id` is the generic
/// plugins' old name of `--os-project-id`).
pub(super) fn unique(flags: impl IntoIterator<Item = Flag>) -> Vec<Flag> {
    let mut taken = std::collections::HashSet::new();
    let mut out = Vec::new();
    for mut f in flags {
        if !taken.insert(f.long.clone()) {
            continue;
        }
        f.aliases.retain(|a| taken.insert(a.clone()));
        f.old.retain(|a| taken.insert(a.clone()));
        out.push(f);
    }
    out
}
