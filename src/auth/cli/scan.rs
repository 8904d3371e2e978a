//! Reading a few flags before the full parse: the plugin, the cloud and
//! the methods decide which flags exist, so they are found first, as
//! keystoneauth's `register_argparse_arguments` does with a small parser of
//! its own.

use crate::source::{Env, Origin};

/// The value of the last of `flags` in `args` (`--flag value` or
/// `--flag=value`), else of the first of `vars` set (and not empty, as
/// keystoneauth skips empty variables) in `env`; with where it came from.
/// Arguments after `--` are not looked at.
pub(crate) fn scan(args: &[String], env: &Env, flags: &[&str], vars: &[&str]) -> Option<(String, Origin)> {
    let mut found = None;
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        for flag in flags {
            if a == flag {
                if let Some(v) = it.next() {
                    found = Some((v.clone(), Origin::Cli { flag: (*flag).to_owned() }));
                }
                break;
            } else if let Some(v) = a.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                found = Some((v.to_owned(), Origin::Cli { flag: (*flag).to_owned() }));
                break;
            }
        }
    }
    found.or_else(|| env_value(env, vars))
}

/// The first of `vars` that is set and not empty.
pub(crate) fn env_value(env: &Env, vars: &[&str]) -> Option<(String, Origin)> {
    vars.iter().find_map(|var| {
        env.get(var).filter(|v| !v.is_empty()).map(|v| (v.to_owned(), Origin::Env { var: (*var).to_owned() }))
    })
}

/// The plugin named by `--os-auth-type X`, `--os-auth-type=X` (or the
/// deprecated `--os-auth-plugin`) in `args`, the last one winning, else by
/// `OS_AUTH_TYPE` (else `OS_AUTH_PLUGIN`) in `env`; with where it came from.
///
/// Call it before [`super::register`]: the plugin decides which flags
/// exist. `args` starts with the program's name; arguments after `--` are
/// not looked at.
pub fn auth_type_from(args: &[String], env: &Env) -> Option<(String, Origin)> {
    scan(args, env, &["--os-auth-type", "--os-auth-plugin"], &["OS_AUTH_TYPE", "OS_AUTH_PLUGIN"])
}

/// The cloud named by `--os-cloud X` / `--os-cloud=X` in `args` (the last
/// one winning), else by `OS_CLOUD` in `env`.
pub fn cloud_from(args: &[String], env: &Env) -> Option<(String, Origin)> {
    scan(args, env, &["--os-cloud"], &["OS_CLOUD"])
}

/// `v3password,v3totp` as a list of names.
pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|m| !m.is_empty()).map(str::to_owned).collect()
}
