//! Loading auth from `--os-*` arguments and `OS_*` variables, as
//! keystoneauth's `loading/cli.py`: always with an explicit environment.

use stackauth::LoadError;
use stackauth::auth::{LoadedAuth, PluginRegistry, cli};
use stackauth::diagnostic::Code;
use stackauth::source::{Env, Origin};

const SECRET: &str = "S3cr3t-pw-never-shown";

fn args(list: &[&str]) -> Vec<String> {
    std::iter::once("prog").chain(list.iter().copied()).map(str::to_owned).collect()
}

fn command(args: &[String], env: &Env) -> (clap::Command, Option<String>) {
    let plugins = PluginRegistry::builtin();
    let auth_type = cli::auth_type_from(args, env).map(|(t, _)| t);
    (cli::register(clap::Command::new("prog"), &plugins, auth_type.as_deref(), None), auth_type)
}

fn load(list: &[&str], env: &Env) -> Result<LoadedAuth, LoadError> {
    let argv = args(list);
    let (cmd, auth_type) = command(&argv, env);
    let m = cmd.try_get_matches_from(&argv).expect("arguments parse");
    cli::load_from_matches(&m, &PluginRegistry::builtin(), auth_type.as_deref().expect("an auth type"), env)
}

const FULL: &[&str] = &[
    "--os-auth-type",
    "v3password",
    "--os-auth-url",
    "http://keystone:5000/v3",
    "--os-username",
    "u",
    "--os-user-domain-name",
    "Default",
    "--os-password",
    SECRET,
    "--os-project-name",
    "x",
    "--os-project-domain-name",
    "Default",
];

fn origin(l: &LoadedAuth, dest: &str) -> Origin {
    l.snapshot.get(cli::GROUP, dest).expect("a value").origin.clone()
}

fn full_env() -> Env {
    Env::from_pairs([
        ("OS_AUTH_TYPE", "v3password"),
        ("OS_AUTH_URL", "http://env-keystone:5000/v3"),
        ("OS_USERNAME", "u"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PASSWORD", SECRET),
        ("OS_PROJECT_NAME", "x"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
    ])
}

#[test]
fn arguments_load_v3password() {
    let l = load(FULL, &Env::empty()).expect("loads");
    assert_eq!(l.plugin_name, "v3password");
    assert_eq!(l.plugin.auth_url(), Some("http://keystone:5000/v3"));
    assert_eq!(origin(&l, "password"), Origin::Cli { flag: "--os-password".into() });
    assert_eq!(origin(&l, "auth_type"), Origin::Cli { flag: "--os-auth-type".into() });
    assert_eq!(l.group, cli::GROUP);
    assert!(!l.session.insecure);
}

#[test]
fn environment_alone_loads() {
    let env = full_env();
    let l = load(&[], &env).expect("loads");
    assert_eq!(l.plugin_name, "v3password");
    assert_eq!(l.plugin.auth_url(), Some("http://env-keystone:5000/v3"));
    assert_eq!(origin(&l, "auth_url"), Origin::Env { var: "OS_AUTH_URL".into() });
    assert_eq!(origin(&l, "auth_type"), Origin::Env { var: "OS_AUTH_TYPE".into() });
}

#[test]
fn arguments_beat_environment() {
    let l = load(&["--os-auth-url", "http://arg-keystone:5000/v3"], &full_env()).expect("loads");
    assert_eq!(l.plugin.auth_url(), Some("http://arg-keystone:5000/v3"));
    assert_eq!(origin(&l, "auth_url"), Origin::Cli { flag: "--os-auth-url".into() });
    assert_eq!(origin(&l, "username"), Origin::Env { var: "OS_USERNAME".into() });
}

#[test]
fn auth_type_from_arguments_then_environment() {
    let env = Env::from_pairs([("OS_AUTH_TYPE", "v3token")]);
    assert_eq!(
        cli::auth_type_from(&args(&["--os-auth-type=password"]), &env),
        Some(("password".into(), Origin::Cli { flag: "--os-auth-type".into() }))
    );
    assert_eq!(
        cli::auth_type_from(&args(&["--os-auth-plugin", "v2password"]), &env),
        Some(("v2password".into(), Origin::Cli { flag: "--os-auth-plugin".into() }))
    );
    assert_eq!(
        cli::auth_type_from(&args(&[]), &env),
        Some(("v3token".into(), Origin::Env { var: "OS_AUTH_TYPE".into() }))
    );
    assert_eq!(
        cli::auth_type_from(&args(&[]), &Env::from_pairs([("OS_AUTH_PLUGIN", "token")])),
        Some(("token".into(), Origin::Env { var: "OS_AUTH_PLUGIN".into() }))
    );
    assert_eq!(cli::auth_type_from(&args(&["--", "--os-auth-type", "x"]), &Env::empty()), None);
}

#[test]
fn deprecated_names_as_flags_and_variables() {
    // The generic `password` plugin has tenant-name as an old name of project-name, and every v3 user has
    // user-name as an old name of username.
    let base = [
        "--os-auth-type",
        "password",
        "--os-auth-url",
        "http://keystone:5000/v3",
        "--os-user-name",
        "u",
        "--os-user-domain-name",
        "Default",
        "--os-tenant-name",
        "x",
        "--os-project-domain-name",
        "Default",
    ];
    let env = Env::from_pairs([("OS_PASSWORD", SECRET)]);
    let l = load(&base, &env).expect("loads");
    assert_eq!(l.plugin_name, "password");
    assert_eq!(l.snapshot.value(cli::GROUP, "project_name").and_then(|v| v.as_str()), Some("x"));
    assert_eq!(l.snapshot.value(cli::GROUP, "username").and_then(|v| v.as_str()), Some("u"));

    let env = Env::from_pairs([
        ("OS_AUTH_TYPE", "password"),
        ("OS_AUTH_URL", "http://keystone:5000/v3"),
        ("OS_USERNAME", "u"),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_PASSWORD", SECRET),
        ("OS_TENANT_NAME", "legacy"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
    ]);
    let l = load(&[], &env).expect("loads");
    assert_eq!(l.snapshot.value(cli::GROUP, "project_name").and_then(|v| v.as_str()), Some("legacy"));
    assert_eq!(origin(&l, "project_name"), Origin::Env { var: "OS_TENANT_NAME".into() });
}

#[test]
fn session_flags() {
    let mut list = FULL.to_vec();
    list.extend(["--insecure", "--os-cacert", "/etc/ssl/ca.pem", "--timeout", "30"]);
    let l = load(&list, &Env::empty()).expect("loads");
    assert!(l.session.insecure);
    assert_eq!(l.session.cafile.as_deref().map(|p| p.to_string_lossy().into_owned()), Some("/etc/ssl/ca.pem".into()));
    assert_eq!(origin(&l, "cafile"), Origin::Cli { flag: "--os-cacert".into() });
    assert_eq!(origin(&l, "timeout"), Origin::Cli { flag: "--timeout".into() });

    let l = load(FULL, &Env::from_pairs([("OS_CACERT", "/env/ca.pem")])).expect("loads");
    assert_eq!(origin(&l, "cafile"), Origin::Env { var: "OS_CACERT".into() });
    assert_eq!(origin(&l, "timeout"), Origin::SetDefault);
}

#[test]
fn help_lists_the_chosen_plugin_only() {
    let (mut cmd, _) = command(&args(&["--os-auth-type", "v3password"]), &Env::empty());
    let help = cmd.render_help().to_string();
    for flag in [
        "--os-auth-url",
        "--os-password",
        "--os-user-domain-name",
        "--os-auth-type",
        "--os-cacert",
        "--insecure",
        "--os-cloud",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    assert!(help.contains("OS_PASSWORD"), "{help}");
    // v3applicationcredential's options, and hidden aliases, are not there.
    assert!(!help.contains("--os-application-credential-secret"), "{help}");
    assert!(!help.contains("--os-auth-plugin"), "{help}");

    let (mut cmd, _) = command(&args(&["--os-auth-type", "v3applicationcredential"]), &Env::empty());
    let help = cmd.render_help().to_string();
    assert!(help.contains("--os-application-credential-secret"), "{help}");
    assert!(!help.contains("--os-password"), "{help}");
}

#[test]
fn default_plugin_when_none_given() {
    let plugins = PluginRegistry::builtin();
    let mut cmd = cli::register(clap::Command::new("prog"), &plugins, None, Some("v3token"));
    let help = cmd.render_help().to_string();
    assert!(help.contains("--os-token"), "{help}");
}

#[test]
fn missing_auth_url_names_flag_and_variable() {
    let list: Vec<&str> = FULL.iter().copied().filter(|a| !a.contains("keystone") && *a != "--os-auth-url").collect();
    let e = load(&list, &Env::empty()).expect_err("no auth url");
    let errs: Vec<_> = e.errors().collect();
    assert_eq!(errs.len(), 1, "{e}");
    assert_eq!(errs[0].code, Code::MissingRequired);
    let text = e.to_string();
    assert!(text.contains("--os-auth-url") && text.contains("OS_AUTH_URL"), "{text}");
    assert!(!text.contains(SECRET) && !format!("{e:?}").contains(SECRET), "{text}");
}

#[test]
fn unknown_auth_type_is_reported() {
    let argv = args(&["--os-auth-type", "v3pasword"]);
    let (cmd, _) = command(&argv, &Env::empty());
    let m = cmd.try_get_matches_from(&argv).expect("parses");
    let e = cli::load_from_matches(&m, &PluginRegistry::builtin(), "v3pasword", &Env::empty()).expect_err("unknown");
    let text = e.to_string();
    assert!(text.contains("v3password") && text.contains("--os-auth-type"), "{text}");
}

#[test]
fn secret_never_in_debug_or_errors() {
    let l = load(FULL, &Env::empty()).expect("loads");
    assert!(!format!("{l:?}").contains(SECRET));
    assert!(!format!("{:?}", l.snapshot).contains(SECRET));
    // A plugin error (a user name without its domain) with the password given.
    let list = [
        "--os-auth-type",
        "v3password",
        "--os-auth-url",
        "http://keystone:5000/v3",
        "--os-username",
        "u",
        "--os-password",
        SECRET,
    ];
    let e = load(&list, &Env::empty()).expect_err("no user domain");
    assert!(e.errors().any(|d| d.code == Code::AuthOption), "{e}");
    assert!(!e.to_string().contains(SECRET) && !format!("{e:?}").contains(SECRET), "{e}");
}

#[test]
fn cli_auth_uses_the_tools_default_plugin_when_none_is_named() {
    use stackauth::auth::cli::{CliAuth, Dirs};
    let argv = args(&["--os-auth-url", "http://k:5000/v3", "--os-token", SECRET]);
    let auth = CliAuth::scan(&argv, Env::empty(), &Dirs::default(), PluginRegistry::builtin(), Some("v3token"));
    assert_eq!(auth.auth_type(), "v3token");
    assert_eq!(auth.auth_type_origin(), None);
    let mut cmd = auth.register(clap::Command::new("prog"));
    let help = cmd.render_help().to_string();
    assert!(help.contains("default v3token") && help.contains("Options of the v3token auth plugin:"), "{help}");
    let l = auth.load(&cmd.try_get_matches_from(&argv).expect("parses")).expect("loads");
    assert_eq!(l.plugin_name, "v3token");
    assert_eq!(origin(&l, "auth_type"), Origin::SetDefault);
    assert!(!format!("{l:?}").contains(SECRET));
    // A named plugin wins over the default.
    let env = Env::from_pairs([("OS_AUTH_TYPE", "token")]);
    let auth = CliAuth::scan(&argv, env, &Dirs::default(), PluginRegistry::builtin(), Some("v3token"));
    assert_eq!(auth.auth_type(), "token");
    assert_eq!(auth.auth_type_origin(), Some(&Origin::Env { var: "OS_AUTH_TYPE".into() }));
}
