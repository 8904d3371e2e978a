//! `stackauth token` and `stackauth endpoint` with `--os-*` arguments,
//! `OS_*` variables and `--os-cloud`, without an identity service: help,
//! usage errors, loading errors, and which environment counts. (Against a
//! real Keystone: tests/live/os_cli.rs.)

use crate::common;

use common::Dir;
use common::process::{Out, isolated};

const SECRET: &str = "T0ken-cmd-secret";

/// Runs `stackauth` in `home` (HOME and current dir) with only `env` set.
fn stackauth(home: &Dir, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut c = isolated(env!("CARGO_BIN_EXE_stackauth"), home);
    c.args(args).envs(env.iter().copied());
    Out::of(c, SECRET)
}

#[test]
fn token_and_endpoint_help_list_the_plugins_flags() {
    let d = Dir::new();
    for sub in ["token", "endpoint"] {
        let r = stackauth(&d, &[sub, "--help"], &[]);
        assert_eq!(r.code, 0, "{}", r.err);
        for flag in [
            "--group",
            "--os-cloud",
            "--os-auth-type",
            "--os-auth-url",
            "--os-password",
            "[env: OS_PASSWORD]",
            "--insecure",
            "--os-cacert",
            "--os-cert",
            "--os-key",
            "--timeout",
            "Options of the password auth plugin:",
        ] {
            assert!(r.out.contains(flag), "{sub}: {flag} missing:\n{}", r.out);
        }
    }
    let r = stackauth(&d, &["token", "--os-auth-type", "v3applicationcredential", "--help"], &[]);
    assert!(r.out.contains("--os-application-credential-secret") && !r.out.contains("--os-password"), "{}", r.out);
    let r = stackauth(&d, &["token", "--help"], &[("OS_AUTH_TYPE", "v3token")]);
    assert!(r.out.contains("Options of the v3token auth plugin:"), "{}", r.out);
    let r = stackauth(&d, &["show", "--help"], &[]);
    assert!(!r.out.contains("--os-"), "only token and endpoint take them:\n{}", r.out);
}

#[test]
fn group_and_command_line_credentials_do_not_combine() {
    let d = Dir::new();
    let conf = d.write("svc.conf", "[service_user]\nauth_type = password\n");
    let c = conf.to_str().expect("utf-8");
    let r =
        stackauth(&d, &["token", "--config-file", c, "--group", "service_user", "--os-cloud", "x", "--insecure"], &[]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(
        r.err.contains(
            "--group takes the credentials from config files; --insecure, --os-cloud cannot be combined with it"
        ),
        "{}",
        r.err
    );
    let r = stackauth(&d, &["endpoint", "--service-type", "identity", "--config-file", c], &[]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("--config-file, --config-dir, --set, --namespace and --opt-data need --group"), "{}", r.err);
    // Variables do not count as given: a shell with OS_* set can still use --group.
    let r = stackauth(&d, &["token", "--config-file", c, "--group", "service_user"], &[("OS_CLOUD", "x")]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("[service_user] auth_url"), "{}", r.err);
}

#[test]
fn loading_errors_name_the_flag_variable_or_file() {
    let d = Dir::new();
    let r = stackauth(&d, &["token", "--os-user-id", "u1"], &[("OS_PASSWORD", SECRET)]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("[cli] auth_url: the password auth plugin needs this option"), "{}", r.err);
    assert!(r.err.contains("(pass --os-auth-url or set OS_AUTH_URL)"), "{}", r.err);

    let r = stackauth(&d, &["token", "--os-cloud", "c"], &[]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("cloud \"c\" was asked for, but no clouds.yaml was found"), "{}", r.err);

    let clouds = d.write(".config/openstack/clouds.yaml", "clouds:\n  c:\n    verify: maybe\n");
    let r = stackauth(&d, &["endpoint", "--service-type", "identity"], &[("OS_CLOUD", "c")]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains(&format!("{}:3:13", clouds.display())), "{}", r.err);
    assert!(r.err.contains("verify must be true or false"), "{}", r.err);
}

#[test]
fn no_env_ignores_the_os_variables() {
    let d = Dir::new();
    let env = [("OS_AUTH_URL", "http://127.0.0.1:9/v3"), ("OS_USER_ID", "u1"), ("OS_PASSWORD", SECRET)];
    // With the variables: loaded, then the (absent) identity service is tried.
    let r = stackauth(&d, &["token"], &env);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("cannot reach the identity service at http://127.0.0.1:9/v3"), "{}", r.err);
    // Without: nothing to load from.
    let r = stackauth(&d, &["token", "--no-env"], &env);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("pass --os-auth-url or set OS_AUTH_URL"), "{}", r.err);
}

#[test]
fn a_secret_argument_is_warned_about() {
    let d = Dir::new();
    let r = stackauth(
        &d,
        &["token", "--os-auth-url", "http://127.0.0.1:9/v3", "--os-user-id", "u", "--os-password", SECRET],
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("warning[auth-option]: command line --os-password"), "{}", r.err);
    assert!(r.err.contains("process list: set OS_PASSWORD instead"), "{}", r.err);
    // Also when loading fails.
    let r = stackauth(&d, &["token", "--os-user-id", "u", "--os-password", SECRET], &[]);
    assert_eq!(r.code, 1, "{}", r.err);
    assert!(r.err.contains("warning[auth-option]: command line --os-password"), "{}", r.err);
    assert!(r.err.contains("error[missing-required]"), "{}", r.err);
}

#[test]
fn endpoint_refuses_an_unknown_interface() {
    let d = Dir::new();
    let env = [("OS_AUTH_URL", "http://127.0.0.1:9/v3"), ("OS_USER_ID", "u1"), ("OS_PASSWORD", SECRET)];
    let r = stackauth(&d, &["endpoint", "--service-type", "identity", "--interface", "publik"], &env);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("\"publik\" is not an interface (public, internal, admin)"), "{}", r.err);
}

#[test]
fn endpoint_takes_the_clouds_per_service_override_through_an_alias() {
    let d = Dir::new();
    std::fs::write(
        d.path().join("clouds.yaml"),
        "clouds:\n  c:\n    auth: {auth_url: 'http://127.0.0.1:9/v3', user_id: u, password: p}\n\
         \x20   volumev3_endpoint_override: http://cinder.example:8776/v3/\n",
    )
    .expect("write");
    // No identity service answers at 127.0.0.1:9: the override needs none.
    for st in ["block-storage", "volume", "volumev3"] {
        let r = stackauth(&d, &["endpoint", "--os-cloud", "c", "--service-type", st], &[]);
        assert_eq!(r.code, 0, "{st}: {}", r.err);
        assert_eq!(r.out.trim(), "http://cinder.example:8776/v3/", "{st}");
    }
    let r = stackauth(&d, &["endpoint", "--os-cloud", "c", "--service-type", "image"], &[]);
    assert_ne!(r.code, 0, "image has no override: the catalog is needed, and no identity service answers");
}
