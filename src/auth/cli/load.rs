//! From parsed arguments, `OS_*` variables and a cloud to the plugin,
//! session and adapter settings: each value becomes a source of a
//! [`Loader`] with its origin, in the group [`GROUP`], and the group is
//! loaded as a config group is.

use clap::ArgMatches;
use clap::parser::ValueSource;
use indexmap::IndexMap;

use super::GROUP;
use super::clouds::Cloud;
use super::flags::{self, Flag, INSECURE_ID};
use super::scan::{env_value, split_list};
use crate::auth::load::{LoadedAuth, load_from_group};
use crate::auth::plugin::{PluginRegistry, PluginType};
use crate::auth::schema;
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{DeprecatedName, Opt, Registry};
use crate::resolve::{LoadError, Loader};
use crate::source::{Env, Origin};
use crate::source::{InMemory, Precedence};

/// The plugin to load and where its name came from (`None`: a default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Choice {
    pub name: String,
    pub origin: Option<Origin>,
}

/// The value of `id` if it was given on the command line (not by clap's
/// own env fallback or a default); `None` for an id `m` does not know.
pub(super) fn given(m: &ArgMatches, id: &str) -> Option<String> {
    let v = m.try_get_one::<String>(id).ok().flatten()?;
    (m.value_source(id) == Some(ValueSource::CommandLine)).then(|| v.clone())
}

/// Whether `--insecure` was given.
fn insecure_given(m: &ArgMatches) -> bool {
    m.try_get_one::<bool>(INSECURE_ID).ok().flatten() == Some(&true)
        && m.value_source(INSECURE_ID) == Some(ValueSource::CommandLine)
}

/// `v3multifactor`'s methods: from the argument, else `OS_AUTH_METHODS`,
/// else the cloud.
pub(super) fn methods(arg: Option<String>, env: &Env, cloud: Option<&Cloud>) -> Vec<String> {
    arg.or_else(|| env_value(env, &["OS_AUTH_METHODS"]).map(|(v, _)| v))
        .or_else(|| cloud.and_then(|c| c.value("auth_methods")).map(str::to_owned))
        .map(|v| split_list(&v))
        .unwrap_or_default()
}

/// The plugin's options; `v3multifactor`'s with its methods' merged in, as
/// keystoneauth's `MultiFactor.get_options` once the methods are known.
pub(super) fn plugin_options(ptype: &PluginType, methods: &[String]) -> Vec<Opt> {
    if ptype.name() == "v3multifactor" && !methods.is_empty() {
        let refs: Vec<&str> = methods.iter().map(String::as_str).collect();
        if let Some(opts) = schema::v3multifactor_with(&refs) {
            return opts;
        }
    }
    ptype.options().to_vec()
}

/// `opts` with the old names an application gives them (`renames` pairs an
/// option's name with an old name).
pub(super) fn renamed(opts: Vec<Opt>, renames: &[(String, DeprecatedName)]) -> Vec<Opt> {
    opts.into_iter()
        .map(|mut o| {
            let dest = o.dest().to_owned();
            for (_, n) in renames.iter().filter(|(target, _)| target.replace('-', "_") == dest) {
                if !o.deprecated_names().contains(n) {
                    o = o.deprecated_name(n.clone());
                }
            }
            o
        })
        .collect()
}

/// The session, adapter and loading options, with the application's old
/// names.
pub(super) fn group_options(renames: &[(String, DeprecatedName)]) -> Vec<Opt> {
    let all = [schema::loading_opts(), schema::session_opts(), schema::adapter_opts()].concat();
    renamed(all, renames)
}

/// A value from the command line: the flag, else the first of its old
/// names given (with a warning); `None` when neither was given.
fn from_args(m: &ArgMatches, f: &Flag, warnings: &mut Vec<Diagnostic>) -> Option<(String, Origin)> {
    let current = given(m, &f.long).map(|v| (v, format!("--{}", f.long)));
    let mut found = current.clone();
    for old in &f.old {
        let Some(v) = given(m, old) else { continue };
        let origin = Origin::Cli { flag: format!("--{old}") };
        let (code, message) = match &current {
            Some(_) => (Code::ShadowedDeprecatedName, format!("--{old} is ignored: --{} is given", f.long)),
            None => (Code::DeprecatedName, format!("--{old} is deprecated: use --{}", f.long)),
        };
        warnings.push(Diagnostic::warning(code, message).group(GROUP).at(origin));
        if found.is_none() {
            found = Some((v, format!("--{old}")));
        }
    }
    let (v, flag) = found?;
    if f.secret {
        let var = f.var.as_deref().unwrap_or("its environment variable");
        warnings.push(
            Diagnostic::warning(
                Code::AuthOption,
                format!(
                    "a secret given as a command-line argument is visible to other users in the process list: \
                     set {var} instead"
                ),
            )
            .group(GROUP)
            .at(Origin::Cli { flag: flag.clone() }),
        );
    }
    Some((v, Origin::Cli { flag }))
}

fn register_error(e: impl std::fmt::Display) -> LoadError {
    LoadError::new(vec![
        Diagnostic::error(Code::AuthOption, format!("cannot register the command-line auth options: {e}")).group(GROUP),
    ])
}

/// The option of [`GROUP`] a cloud's key sets: the option itself, one it
/// is an old name of (`tenant_name`), or its v2/v3 counterpart as
/// openstacksdk maps them (`project_name` for a v2 plugin's `tenant_name`,
/// `auth_token` for `token`).
fn dest_of(key: &str, reg: &Registry, opts: &[Opt]) -> Option<String> {
    if let Some(o) = reg.find(GROUP, key) {
        return Some(o.dest().to_owned());
    }
    let old = |o: &&Opt| {
        o.deprecated_names()
            .iter()
            .any(|d| d.group.is_none() && d.name.as_deref().map(|n| n.replace('-', "_")).as_deref() == Some(key))
    };
    if let Some(o) = opts.iter().find(old) {
        return Some(o.dest().to_owned());
    }
    const COUNTERPARTS: [(&str, &str); 5] = [
        ("tenant_id", "project_id"),
        ("tenant_name", "project_name"),
        ("project_id", "tenant_id"),
        ("project_name", "tenant_name"),
        ("auth_token", "token"),
    ];
    COUNTERPARTS.iter().find(|(from, to)| *from == key && reg.find(GROUP, to).is_some()).map(|(_, to)| (*to).to_owned())
}

/// The values found, by option dest, and what is worth a warning.
#[derive(Default)]
struct Found {
    values: IndexMap<String, (String, Origin)>,
    warnings: Vec<Diagnostic>,
}

impl Found {
    fn set(&mut self, dest: &str, value: String, origin: Origin) {
        self.values.insert(dest.to_owned(), (value, origin));
    }

    fn warn(&mut self, code: Code, message: impl Into<String>, origin: Origin) {
        self.warnings.push(Diagnostic::warning(code, message).group(GROUP).at(origin));
    }

    /// The cloud's values; `auth:` keys the plugin lacks are warned about.
    fn cloud(&mut self, c: &Cloud, reg: &Registry, opts: &[Opt], plugin: &str) {
        for (k, v, o) in &c.loose {
            match dest_of(k, reg, opts) {
                Some(dest) => self.set(&dest, v.clone(), o.clone()),
                None if !super::clouds::known_key(k) => self.warn(
                    Code::UnknownOption,
                    format!(
                        "{k} is neither a key openstacksdk reads nor an option of the {plugin} auth plugin: ignored"
                    ),
                    o.clone(),
                ),
                None => {}
            }
        }
        for (k, v, o) in &c.values {
            match dest_of(k, reg, opts) {
                Some(dest) => self.set(&dest, v.clone(), o.clone()),
                None => self.warn(
                    Code::UnknownOption,
                    format!("the {plugin} auth plugin has no option {k}: skipped"),
                    o.clone(),
                ),
            }
        }
        self.warnings.extend(c.warnings().iter().cloned());
    }

    /// The flags' variables, then their old ones (warned about).
    fn env(&mut self, env: &Env, flags: &[Flag]) {
        for f in flags {
            if let Some((v, origin)) = f.var.as_deref().and_then(|var| env_value(env, &[var])) {
                self.set(&f.dest, v, origin);
                continue;
            }
            let old: Vec<&str> = f.old_vars.iter().map(String::as_str).collect();
            if let Some((v, origin)) = env_value(env, &old) {
                let instead = f.var.clone().unwrap_or_else(|| format!("--{}", f.long));
                let var = match &origin {
                    Origin::Env { var } => var.clone(),
                    o => o.to_string(),
                };
                self.warn(Code::DeprecatedName, format!("{var} is deprecated: use {instead}"), origin.clone());
                self.set(&f.dest, v, origin);
            }
        }
    }

    /// The arguments given (see [`from_args`]).
    fn args(&mut self, m: &ArgMatches, flags: &[Flag]) {
        if insecure_given(m) {
            self.set("insecure", "true".into(), Origin::Cli { flag: format!("--{INSECURE_ID}") });
        }
        for f in flags {
            if let Some((v, origin)) = from_args(m, f, &mut self.warnings) {
                self.set(&f.dest, v, origin);
            }
        }
    }

    /// `--os-auth-plugin` and `OS_AUTH_PLUGIN` are old names.
    fn auth_type(&mut self, choice: &Choice) {
        let message = match &choice.origin {
            Some(Origin::Cli { flag }) if flag == "--os-auth-plugin" => {
                "--os-auth-plugin is deprecated: use --os-auth-type"
            }
            Some(Origin::Env { var }) if var == "OS_AUTH_PLUGIN" => "OS_AUTH_PLUGIN is deprecated: use OS_AUTH_TYPE",
            _ => return,
        };
        if let Some(origin) = &choice.origin {
            self.warn(Code::DeprecatedName, message, origin.clone());
        }
    }
}

/// Loads the plugin `choice` with the values of `m`, `env` and `cloud`,
/// arguments over variables over the cloud. Warnings are logged, and kept
/// in the snapshot (or in the error).
pub(super) fn load(
    m: &ArgMatches,
    plugins: &PluginRegistry,
    choice: &Choice,
    env: &Env,
    cloud: Option<&Cloud>,
    renames: &[(String, DeprecatedName)],
) -> Result<LoadedAuth, LoadError> {
    let ptype = plugins.get(&choice.name);
    let opts = ptype.map(|p| plugin_options(p, &methods(given(m, "os-auth-methods"), env, cloud))).unwrap_or_default();
    let opts = renamed(opts, renames);
    let group = group_options(renames);
    let mut reg = Registry::new();
    for list in [group.clone(), opts.clone()] {
        reg.register_opts_if_absent(GROUP, list).map_err(register_error)?;
    }
    let all: Vec<Flag> = flags::session_flags(&group).into_iter().chain(flags::plugin_flags(&opts)).collect();

    // Weakest first: the cloud, the variables, the arguments.
    let mut found = Found::default();
    found.auth_type(choice);
    if let (Some(c), Some(_)) = (cloud, ptype) {
        found.cloud(c, &reg, &opts, &choice.name);
    }
    found.env(env, &all);
    found.args(m, &all);

    let mut loader = Loader::new(&reg).set_default(GROUP, "timeout", "600");
    loader = match &choice.origin {
        Some(origin) => loader.value_from(GROUP, "auth_type", &choice.name, origin.clone()),
        None => loader.set_default(GROUP, "auth_type", &choice.name),
    };
    // One source: what the arguments, variables and clouds.yaml gave, each
    // value with the flag, variable or clouds.yaml line it came from.
    let mut given =
        InMemory::new("--os-* arguments, OS_* variables and clouds.yaml").precedence(Precedence::CommandLine);
    for (dest, (v, origin)) in found.values {
        given = given.set(GROUP, &dest, v, origin);
    }
    loader = loader.source(given);
    for w in &found.warnings {
        tracing::warn!("{w}");
    }
    match load_from_group(&loader, plugins, GROUP) {
        Ok(mut loaded) => {
            for w in found.warnings {
                loaded.snapshot.push_warning(w);
            }
            Ok(loaded)
        }
        Err(e) => {
            let e = explain(e, &choice.name, &all, cloud);
            Err(LoadError::new(found.warnings.into_iter().chain(e.diagnostics().iter().cloned()).collect()))
        }
    }
}

/// `user_domain_name` as `--os-user-domain-name (OS_USER_DOMAIN_NAME)` in a
/// suggestion meant for a config group, and `in [cli]` dropped: there is no
/// file to set it in.
fn in_flags(s: &str, flags: &[Flag]) -> String {
    let s = s.replace(&format!(" in [{GROUP}]"), "");
    let mut out = String::with_capacity(s.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match flags.iter().find(|f| f.dest == *word) {
            Some(f) => match &f.var {
                Some(var) => out.push_str(&format!("--{} ({var})", f.long)),
                None => out.push_str(&format!("--{}", f.long)),
            },
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Findings say which flag or variable (or cloud key) sets an option,
/// since there is no config group to set it in.
fn explain(e: LoadError, plugin: &str, flags: &[Flag], cloud: Option<&Cloud>) -> LoadError {
    let in_cloud =
        |dest: &str| cloud.map(|c| format!(", or {dest} under auth: of cloud {:?}", c.name)).unwrap_or_default();
    let diags = e
        .diagnostics()
        .iter()
        .cloned()
        .map(|mut d| {
            if d.group.as_deref() != Some(GROUP) {
                return d;
            }
            let flag = d.option.as_deref().and_then(|o| flags.iter().find(|f| f.dest == o));
            match (d.code, flag) {
                (Code::MissingRequired, Some(f)) => {
                    d.message = format!("the {plugin} auth plugin needs this option, and it has no value");
                    d.suggestion = Some(format!("{}{}", f.how_to_set(), in_cloud(&f.dest)));
                }
                (Code::UnknownAuthType, _) => {
                    let s = d.suggestion.take().unwrap_or_default();
                    d.suggestion = Some(format!("pass --os-auth-type or set OS_AUTH_TYPE; {s}"));
                }
                (Code::AuthOption, _) => d.suggestion = d.suggestion.map(|s| in_flags(&s, flags)),
                _ => {}
            }
            d
        })
        .collect();
    LoadError::new(diags)
}
