//! The example command-line tool (examples/os_token.rs) run as a process,
//! with arguments, variables and clouds.yaml files in a temporary HOME (and
//! current directory), nothing from the host's environment: `--help` per
//! plugin, precedence, aliases, renames, and every message the loading
//! path can give, each checked for its text, its file and line where it has
//! one, and for the secret never appearing. `--dry-run` shows what was
//! loaded and from where without authenticating.
//!
//! `cargo test` builds the examples; `cargo test --test auth cli_os_token::` does
//! not: run `cargo build --examples` first.

use crate::common;

use common::Dir;
use common::process::{Out, example, isolated};

const SECRET: &str = "Pw-N3ver-Printed";

/// Arguments that make a complete `password` plugin, with the password
/// from the environment.
const FULL: &[&str] = &[
    "--os-auth-url",
    "http://127.0.0.1:9/v3",
    "--os-username",
    "u",
    "--os-user-domain-name",
    "Default",
    "--os-project-name",
    "p",
    "--os-project-domain-name",
    "Default",
];

/// Runs the tool in `home` (HOME and current dir) with only `env` set.
fn run(home: &Dir, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut c = isolated(example("os_token"), home);
    c.args(args).envs(env.iter().copied());
    Out::of(c, SECRET)
}

fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    FULL.iter().chain(extra).copied().collect()
}

/// A v3password command line with a user id, and `extra`.
fn v3_user<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    ["--os-auth-type", "v3password", "--os-auth-url", "http://k/v3", "--os-user-id", "u1"]
        .iter()
        .chain(extra)
        .copied()
        .collect()
}

fn pw() -> [(&'static str, &'static str); 1] {
    [("OS_PASSWORD", SECRET)]
}

/// A dry run's line for `option`.
fn line<'a>(out: &'a str, option: &str) -> &'a str {
    out.lines().find(|l| l.starts_with(&format!("{option} = "))).unwrap_or_else(|| panic!("no {option} in:\n{out}"))
}

fn has_all(text: &str, want: &[&str]) {
    for w in want {
        assert!(text.contains(w), "{w:?} missing from:\n{text}");
    }
}

fn has_none(text: &str, unwanted: &[&str]) {
    for w in unwanted {
        assert!(!text.contains(w), "{w:?} should not be in:\n{text}");
    }
}

const SESSION_FLAGS: &[&str] = &[
    "--insecure",
    "--os-cacert <CAFILE>",
    "--os-cert <CERTFILE>",
    "--os-key <KEYFILE>",
    "--timeout <TIMEOUT>",
    "--os-region-name",
    "--os-interface",
    "--os-cloud <CLOUD>",
    "--os-auth-type <AUTH_TYPE>",
    "--os-identity-api-version",
];

// ---------------------------------------------------------------------------------------------------------
// --help per plugin
// ---------------------------------------------------------------------------------------------------------

fn help(args: &[&str], env: &[(&str, &str)]) -> String {
    let d = Dir::new();
    let mut all = args.to_vec();
    all.push("--help");
    run(&d, &all, env).ok().to_owned()
}

#[test]
fn help_password_the_default() {
    let h = help(&[], &[]);
    has_all(&h, SESSION_FLAGS);
    has_all(
        &h,
        &[
            "Options of the password auth plugin:",
            "--os-auth-url <AUTH_URL>",
            "[env: OS_AUTH_URL]",
            "--os-password <PASSWORD>",
            "[env: OS_PASSWORD]",
            "--os-username",
            "--os-project-name",
            "--os-default-domain-id",
            "default password",
            "--dry-run",
        ],
    );
    // Old names and other plugins' options are not listed.
    has_none(&h, &["--os-tenant-name", "--os-user-name", "--os-auth-plugin", "--os-admin-user", "--os-token "]);
}

#[test]
fn help_v3applicationcredential() {
    let h = help(&["--os-auth-type", "v3applicationcredential"], &[]);
    has_all(
        &h,
        &[
            "Options of the v3applicationcredential auth plugin:",
            "--os-application-credential-secret",
            "[env: OS_APPLICATION_CREDENTIAL_SECRET]",
            "--os-application-credential-id",
            "--os-application-credential-name",
        ],
    );
    has_none(&h, &["--os-password", "--os-default-domain-id"]);
}

#[test]
fn help_token_and_v3totp() {
    let h = help(&["--os-auth-type=token"], &[]);
    has_all(&h, &["Options of the token auth plugin:", "--os-token <TOKEN>", "[env: OS_TOKEN]", "--os-auth-url"]);
    has_none(&h, &["--os-password", "--os-username"]);
    let h = help(&[], &[("OS_AUTH_TYPE", "v3totp")]);
    has_all(&h, &["Options of the v3totp auth plugin:", "--os-passcode", "--os-username", "--os-user-domain-name"]);
    has_none(&h, &["--os-password "]);
}

#[test]
fn help_none_admin_token_and_http_basic() {
    let h = help(&["--os-auth-type", "none"], &[]);
    has_all(&h, &["Options of the none auth plugin:", "--os-endpoint <ENDPOINT>"]);
    has_none(&h, &["--os-auth-url", "--os-token"]);
    let h = help(&["--os-auth-type", "admin_token"], &[]);
    has_all(&h, &["Options of the admin_token auth plugin:", "--os-endpoint", "--os-token"]);
    has_none(&h, &["--os-auth-url", "--os-url"]);
    let h = help(&["--os-auth-type", "http_basic"], &[]);
    has_all(&h, &["--os-username", "--os-password", "--os-endpoint"]);
}

#[test]
fn help_v2password_lists_tenant_flags() {
    let h = help(&["--os-auth-type", "v2password"], &[]);
    has_all(&h, &["Options of the v2password auth plugin:", "--os-tenant-name", "--os-tenant-id", "--os-trust-id"]);
    has_none(&h, &["--os-project-name", "--os-user-domain-name"]);
}

#[test]
fn help_v3multifactor_with_its_methods() {
    let h = help(&["--os-auth-type", "v3multifactor"], &[]);
    has_all(&h, &["--os-auth-methods"]);
    has_none(&h, &["--os-passcode", "--os-password "]);
    let h = help(&["--os-auth-type", "v3multifactor", "--os-auth-methods", "v3password,v3totp"], &[]);
    has_all(&h, &["--os-auth-methods", "--os-password", "--os-passcode", "--os-username"]);
    let h = help(&["--os-auth-type", "v3multifactor"], &[("OS_AUTH_METHODS", "v3applicationcredential")]);
    has_all(&h, &["--os-application-credential-secret"]);
}

#[test]
fn help_follows_the_clouds_auth_type() {
    let d = Dir::new();
    d.write("clouds.yaml", "clouds:\n  c:\n    auth_type: v3token\n");
    let h = run(&d, &["--os-cloud", "c", "--help"], &[]).ok().to_owned();
    has_all(&h, &["Options of the v3token auth plugin:", "--os-token"]);
}

#[test]
fn help_with_an_unknown_plugin_lists_no_plugin_options() {
    let h = help(&["--os-auth-type", "nope"], &[]);
    has_all(&h, SESSION_FLAGS);
    has_none(&h, &["auth plugin:", "--os-auth-url", "--os-password"]);
}

// ---------------------------------------------------------------------------------------------------------
// Precedence
// ---------------------------------------------------------------------------------------------------------

#[test]
fn arguments_over_variables_over_secure_over_clouds_over_profile() {
    let d = Dir::new();
    d.write(
        ".config/openstack/clouds-public.yaml",
        "public-clouds:\n  acme:\n    auth:\n      auth_url: http://profile:5000/v3\n      username: p-user\n\
         \x20     user_domain_name: p-domain\n      project_name: p-project\n      project_domain_name: p-pd\n    region_name: P-1\n",
    );
    d.write(
        ".config/openstack/clouds.yaml",
        "clouds:\n  c:\n    profile: acme\n    auth:\n      username: c-user\n      user_domain_name: c-domain\n\
         \x20     project_name: c-project\n      project_domain_name: c-pd\n",
    );
    d.write(
        ".config/openstack/secure.yaml",
        format!("clouds:\n  c:\n    auth:\n      user_domain_name: s-domain\n      project_name: s-project\n      project_domain_name: s-pd\n      password: {SECRET}\n"),
    );
    let env = [("OS_PROJECT_NAME", "e-project"), ("OS_PROJECT_DOMAIN_NAME", "e-pd"), ("OS_CLOUD", "c")];
    let r = run(&d, &["--os-project-domain-name", "a-pd", "--dry-run"], &env);
    let out = r.ok();
    let home = d.path().join(".config/openstack");
    assert_eq!(line(out, "project_domain_name"), "project_domain_name = a-pd  # command line --os-project-domain-name");
    assert_eq!(line(out, "project_name"), "project_name = e-project  # environment variable OS_PROJECT_NAME");
    assert_eq!(
        line(out, "user_domain_name"),
        format!("user_domain_name = s-domain  # {}:4:25", home.join("secure.yaml").display())
    );
    assert_eq!(line(out, "username"), format!("username = c-user  # {}:5:17", home.join("clouds.yaml").display()));
    assert_eq!(
        line(out, "auth_url"),
        format!("auth_url = http://profile:5000/v3  # {}:4:17", home.join("clouds-public.yaml").display())
    );
    assert_eq!(line(out, "password"), format!("password = ****  # {}:7:17", home.join("secure.yaml").display()));
    assert!(line(out, "region_name").starts_with("region_name = P-1  # "), "{out}");
}

#[test]
fn the_plugin_from_argument_variable_cloud_or_identity_api_version() {
    let d = Dir::new();
    d.write(
        "clouds.yaml",
        "clouds:\n  c:\n    auth_type: v3token\n  v:\n    identity_api_version: 3\n    auth:\n      username: u\n",
    );
    // Credentials for whichever plugin is chosen: each reads its own.
    let creds = [
        ("OS_AUTH_URL", "http://k/v3"),
        ("OS_USER_ID", "u1"),
        ("OS_PASSWORD", SECRET),
        ("OS_PASSCODE", SECRET),
        ("OS_TOKEN", SECRET),
    ];
    let auth_type = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = args.to_vec();
        all.push("--dry-run");
        let env: Vec<(&str, &str)> = creds.iter().chain(env).copied().collect();
        let r = run(&d, &all, &env);
        line(r.ok(), "auth_type").to_owned()
    };
    let env = [("OS_AUTH_TYPE", "v3password"), ("OS_CLOUD", "c")];
    assert_eq!(auth_type(&["--os-auth-type", "v3totp"], &env), "auth_type = v3totp  # command line --os-auth-type");
    assert_eq!(auth_type(&[], &env), "auth_type = v3password  # environment variable OS_AUTH_TYPE");
    let clouds = d.path().join("clouds.yaml");
    assert_eq!(auth_type(&[], &[("OS_CLOUD", "c")]), format!("auth_type = v3token  # {}:3:16", clouds.display()));
    assert_eq!(auth_type(&["--os-cloud", "v"], &[]), "auth_type = v3password  # set_default");
    assert_eq!(auth_type(&["--os-identity-api-version", "2"], &[]), "auth_type = v2password  # set_default");
    assert_eq!(auth_type(&[], &[]), "auth_type = password  # set_default");
}

#[test]
fn session_flags_variables_and_cloud_keys() {
    let d = Dir::new();
    d.write(
        "clouds.yaml",
        "clouds:\n  c:\n    auth: {auth_url: 'http://k/v3', user_id: u1}\n    cacert: ~/ca.pem\n    cert: ~/c.pem\n\
         \x20   key: ~/c.key\n    api_timeout: 9\n    verify: false\n    regions: [R, ER]\n    interface: internal\n",
    );
    let r = run(&d, &["--os-cloud", "c", "--dry-run"], &pw());
    let out = r.ok();
    let home = d.path().display().to_string();
    assert!(line(out, "cafile").starts_with(&format!("cafile = {home}/ca.pem  # ")), "{out}");
    assert!(line(out, "certfile").starts_with(&format!("certfile = {home}/c.pem  # ")), "{out}");
    assert!(line(out, "keyfile").starts_with(&format!("keyfile = {home}/c.key  # ")), "{out}");
    assert!(line(out, "timeout").starts_with("timeout = 9"), "{out}");
    assert!(line(out, "insecure").starts_with("insecure = true  # "), "{out}");
    assert!(line(out, "region_name").starts_with("region_name = R  # "), "{out}");
    assert!(line(out, "valid_interfaces").starts_with("valid_interfaces = internal  # "), "{out}");

    let env = [("OS_PASSWORD", SECRET), ("OS_CACERT", "/env/ca.pem"), ("OS_KEY", "/env/k"), ("OS_REGION_NAME", "ER")];
    let args = ["--os-cloud", "c", "--insecure", "--os-cert", "/a/c.pem", "--timeout", "2", "--os-interface", "admin"];
    let r = run(&d, &[&args[..], &["--dry-run"]].concat(), &env);
    let out = r.ok();
    assert_eq!(line(out, "cafile"), "cafile = /env/ca.pem  # environment variable OS_CACERT");
    assert_eq!(line(out, "keyfile"), "keyfile = /env/k  # environment variable OS_KEY");
    assert_eq!(line(out, "certfile"), "certfile = /a/c.pem  # command line --os-cert");
    assert_eq!(line(out, "timeout"), "timeout = 2  # command line --timeout");
    assert_eq!(line(out, "insecure"), "insecure = true  # command line --insecure");
    assert_eq!(line(out, "region_name"), "region_name = ER  # environment variable OS_REGION_NAME");
    assert_eq!(line(out, "valid_interfaces"), "valid_interfaces = admin  # command line --os-interface");
    assert!(r.err.contains("cacert is set but verify is false"), "{}", r.err);
}

#[test]
fn the_timeout_defaults_to_600() {
    let r = run(&Dir::new(), &with(&["--dry-run"]), &pw());
    assert_eq!(line(r.ok(), "timeout"), "timeout = 600  # set_default");
}

// ---------------------------------------------------------------------------------------------------------
// Aliases (keystoneauth's old names) and renames (the tool's own old names)
// ---------------------------------------------------------------------------------------------------------

#[test]
fn old_flag_names_work_and_are_warned_about() {
    let args = [
        "--os-auth-plugin",
        "password",
        "--os-auth-url",
        "http://k/v3",
        "--os-user-name",
        "u",
        "--os-user-domain-name",
        "D",
        "--os-tenant-name",
        "t",
        "--os-project-domain-name",
        "D",
        "--dry-run",
    ];
    let r = run(&Dir::new(), &args, &pw());
    let out = r.ok();
    assert_eq!(line(out, "auth_type"), "auth_type = password  # command line --os-auth-plugin");
    assert_eq!(line(out, "username"), "username = u  # command line --os-user-name");
    assert_eq!(line(out, "project_name"), "project_name = t  # command line --os-tenant-name");
    has_all(
        &r.err,
        &[
            "--os-auth-plugin is deprecated: use --os-auth-type",
            "--os-user-name is deprecated: use --os-username",
            "--os-tenant-name is deprecated: use --os-project-name",
        ],
    );
}

#[test]
fn old_variable_names_work_and_are_warned_about() {
    let env = [
        ("OS_AUTH_PLUGIN", "password"),
        ("OS_AUTH_URL", "http://k/v3"),
        ("OS_USER_NAME", "u"),
        ("OS_USER_DOMAIN_NAME", "D"),
        ("OS_TENANT_NAME", "t"),
        ("OS_PROJECT_DOMAIN_NAME", "D"),
        ("OS_PASSWORD", SECRET),
    ];
    let r = run(&Dir::new(), &["--dry-run"], &env);
    let out = r.ok();
    assert_eq!(line(out, "auth_type"), "auth_type = password  # environment variable OS_AUTH_PLUGIN");
    assert_eq!(line(out, "project_name"), "project_name = t  # environment variable OS_TENANT_NAME");
    has_all(
        &r.err,
        &[
            "OS_AUTH_PLUGIN is deprecated: use OS_AUTH_TYPE",
            "OS_TENANT_NAME is deprecated: use OS_PROJECT_NAME",
            "OS_USER_NAME is deprecated: use OS_USERNAME",
        ],
    );
}

#[test]
fn the_current_name_beats_an_old_one_and_empty_variables_count_as_unset() {
    let args = with(&["--os-tenant-name", "old", "--dry-run"]);
    let r = run(&Dir::new(), &args, &[("OS_PASSWORD", SECRET), ("OS_PROJECT_ID", "")]);
    let out = r.ok();
    assert_eq!(line(out, "project_name"), "project_name = p  # command line --os-project-name");
    assert!(!out.contains("project_id ="), "{out}");
    has_all(&r.err, &["--os-tenant-name is ignored: --os-project-name is given"]);
}

#[test]
fn keystoneauth_underscore_spelling() {
    let args = [
        "--os-auth-type",
        "v3applicationcredential",
        "--os-auth-url",
        "http://k/v3",
        "--os-application_credential_id",
        "ac1",
        "--dry-run",
    ];
    let r = run(&Dir::new(), &args, &[("OS_APPLICATION_CREDENTIAL_SECRET", SECRET)]);
    assert_eq!(
        line(r.ok(), "application_credential_id"),
        "application_credential_id = ac1  # command line --os-application-credential-id"
    );
}

#[test]
fn the_tools_own_old_names_map_onto_the_plugins() {
    let args = [
        "--os-auth-url",
        "http://k/v3",
        "--os-admin-user",
        "u",
        "--os-user-domain-name",
        "D",
        "--os-admin-tenant-name",
        "t",
        "--os-project-domain-name",
        "D",
        "--dry-run",
    ];
    let r = run(&Dir::new(), &args, &[("OS_ADMIN_PASSWORD", SECRET), ("OS_HTTP_TIMEOUT", "4")]);
    let out = r.ok();
    assert_eq!(line(out, "username"), "username = u  # command line --os-admin-user");
    assert_eq!(line(out, "project_name"), "project_name = t  # command line --os-admin-tenant-name");
    assert_eq!(line(out, "password"), "password = ****  # environment variable OS_ADMIN_PASSWORD");
    assert_eq!(line(out, "timeout"), "timeout = 4  # environment variable OS_HTTP_TIMEOUT");
    has_all(
        &r.err,
        &[
            "--os-admin-user is deprecated: use --os-username",
            "--os-admin-tenant-name is deprecated: use --os-project-name",
            "OS_ADMIN_PASSWORD is deprecated: use OS_PASSWORD",
            "OS_HTTP_TIMEOUT is deprecated: use --timeout",
        ],
    );
}

#[test]
fn renamed_keys_in_a_cloud_and_a_renamed_secret_argument() {
    let d = Dir::new();
    d.write(
        "clouds.yaml",
        "clouds:\n  c:\n    auth:\n      auth_url: http://k/v3\n      admin_user: u\n      user_domain_name: D\n",
    );
    let r = run(&d, &["--os-cloud", "c", "--os-admin-password", SECRET, "--dry-run"], &[]);
    let out = r.ok();
    assert_eq!(line(out, "username"), format!("username = u  # {}:5:19", d.path().join("clouds.yaml").display()));
    assert_eq!(line(out, "password"), "password = ****  # command line --os-admin-password");
    has_all(&r.err, &["--os-admin-password", "process list", "set OS_PASSWORD instead"]);
    has_none(&r.err, &["no option admin_user"]);
}

#[test]
fn a_renamed_option_is_typed_as_the_option() {
    let r = run(&Dir::new(), &with(&["--os-http-timeout", "soon", "--dry-run"]), &pw());
    let e = r.error();
    has_all(e, &["error[invalid-value]: command line --os-http-timeout: [cli] timeout:", "soon"]);
}

// ---------------------------------------------------------------------------------------------------------
// Every error and warning of the loading path
// ---------------------------------------------------------------------------------------------------------

/// Runs with a clouds.yaml in the current dir and `--os-cloud c`.
fn cloud_error(clouds: &str) -> (Dir, String) {
    let d = Dir::new();
    d.write("clouds.yaml", clouds);
    let r = run(&d, &["--os-cloud", "c", "--dry-run"], &pw());
    let e = r.error().to_owned();
    (d, e)
}

fn at(d: &Dir, file: &str, line: u32, column: u32) -> String {
    format!("{}:{line}:{column}: ", d.path().join(file).display())
}

/// Asserts that `clouds` (as ./clouds.yaml, with `--os-cloud c`) fails
/// with `message` at `line`:`column`.
fn cloud_error_at(clouds: &str, line: u32, column: u32, message: &str) {
    let (d, e) = cloud_error(clouds);
    has_all(&e, &[&at(&d, "clouds.yaml", line, column), message]);
}

#[test]
fn error_no_clouds_yaml() {
    let r = run(&Dir::new(), &["--os-cloud", "c"], &pw());
    has_all(
        r.error(),
        &[
            "error[auth-option]: [cli]: cloud \"c\" was asked for, but no clouds.yaml was found",
            "~/.config/openstack/clouds.yaml",
        ],
    );
}

#[test]
fn error_unknown_cloud_did_you_mean() {
    let d = Dir::new();
    d.write(".config/openstack/clouds.yaml", "clouds:\n  mycloud: {}\n  other: {}\n");
    let r = run(&d, &[], &[("OS_CLOUD", "mycluod"), ("OS_PASSWORD", SECRET)]);
    let path = d.path().join(".config/openstack/clouds.yaml");
    has_all(r.error(), &[&format!("cloud \"mycluod\" is not in {}", path.display()), "(did you mean \"mycloud\"?)"]);
}

#[test]
fn error_unknown_cloud_lists_the_clouds() {
    let (_, e) = cloud_error("clouds:\n  alpha: {}\n  beta: {}\n");
    has_all(&e, &["cloud \"c\" is not in", "(known clouds: alpha, beta)"]);
}

#[test]
fn error_clouds_yaml_unreadable() {
    let d = Dir::new();
    d.write("clouds.yaml", b"clouds:\n  c: \xff\xfe\n".as_slice());
    let r = run(&d, &["--os-cloud", "c"], &pw());
    has_all(
        r.error(),
        &[&format!(
            "error[io]: {}:2:6: invalid UTF-8: the file must be UTF-8 text",
            d.path().join("clouds.yaml").display()
        )],
    );
}

#[test]
fn error_clouds_yaml_not_yaml() {
    let (d, e) = cloud_error("clouds:\n  c:\n    auth: {auth_url: [\n");
    has_all(&e, &["error[auth-option]: ", &d.path().join("clouds.yaml").display().to_string(), "not valid YAML"]);
    assert!(e.contains("clouds.yaml:4:") || e.contains("clouds.yaml:3:"), "{e}");
}

#[test]
fn error_clouds_yaml_not_a_mapping() {
    cloud_error_at("- c\n- d\n", 1, 1, "the file holds a list, not a mapping");
}

#[test]
fn error_clouds_not_a_mapping() {
    cloud_error_at("clouds:\n  - c\n", 2, 3, "clouds is a list, not a mapping");
}

#[test]
fn error_cloud_not_a_mapping() {
    cloud_error_at("clouds:\n  c: mycloud\n", 2, 6, "cloud \"c\" is a string, not a mapping");
}

#[test]
fn error_auth_not_a_mapping() {
    cloud_error_at("clouds:\n  c:\n    auth: [a, b]\n", 3, 11, "cloud \"c\": auth is a list, not a mapping");
}

#[test]
fn error_auth_value_is_a_mapping() {
    cloud_error_at(
        &format!("clouds:\n  c:\n    auth:\n      password: {SECRET}\n      username:\n        name: u\n"),
        6,
        9,
        "auth: username is a mapping, not a value",
    );
}

#[test]
fn error_auth_list_of_mappings() {
    cloud_error_at(
        "clouds:\n  c:\n    auth:\n      auth_methods:\n        - {a: 1}\n",
        5,
        9,
        "auth: auth_methods must be a list of values",
    );
}

#[test]
fn error_profile_not_a_name() {
    cloud_error_at("clouds:\n  c:\n    profile: {a: 1}\n", 3, 14, "profile is a mapping, not the name of a profile");
}

#[test]
fn error_profile_without_clouds_public_yaml() {
    let (d, e) = cloud_error("clouds:\n  c:\n    profile: vexxhost\n");
    has_all(
        &e,
        &[
            &at(&d, "clouds.yaml", 3, 14),
            // openstacksdk's vendors/vexxhost.json points to the vendor's
            // well-known document, which stackauth does not fetch.
            "profile \"vexxhost\" is a remote profile (https://vexxhost.com)",
            "define the profile under public-clouds:",
        ],
    );
}

#[test]
fn error_profile_not_in_clouds_public_yaml() {
    let d = Dir::new();
    d.write("clouds-public.yaml", "public-clouds:\n  acme: {}\n");
    d.write("clouds.yaml", "clouds:\n  c:\n    profile: acmee\n");
    let r = run(&d, &["--os-cloud", "c"], &pw());
    let public = d.path().join("clouds-public.yaml");
    has_all(
        r.error(),
        &[
            &at(&d, "clouds.yaml", 3, 14),
            &format!("profile \"acmee\" is not under public-clouds: in {}", public.display()),
            "(did you mean \"acme\"?)",
        ],
    );
}

#[test]
fn error_public_clouds_not_a_mapping() {
    let d = Dir::new();
    d.write("clouds-public.yaml", "public-clouds: [acme]\n");
    d.write("clouds.yaml", "clouds:\n  c:\n    profile: acme\n");
    let r = run(&d, &["--os-cloud", "c"], &pw());
    has_all(r.error(), &[&at(&d, "clouds-public.yaml", 1, 16), "public-clouds is a list, not a mapping"]);
}

#[test]
fn error_profile_shut_down_and_warning_deprecated() {
    let d = Dir::new();
    d.write(
        "clouds-public.yaml",
        "public-clouds:\n  gone:\n    status: shutdown\n    message: moved to acme\n  old:\n    status: deprecated\n    message: use acme\n",
    );
    d.write(
        "clouds.yaml",
        "clouds:\n  c:\n    profile: gone\n  o:\n    cloud: old\n    auth: {auth_url: 'http://k/v3', user_id: u1}\n",
    );
    let r = run(&d, &["--os-cloud", "c"], &pw());
    has_all(
        r.error(),
        &[&at(&d, "clouds-public.yaml", 3, 5), "profile \"gone\" is a cloud that no longer exists: moved to acme"],
    );
    let r = run(&d, &["--os-cloud", "o", "--dry-run"], &pw());
    r.ok();
    has_all(
        &r.err,
        &[
            &at(&d, "clouds-public.yaml", 6, 5),
            "profile \"old\" is deprecated: use acme",
            &at(&d, "clouds.yaml", 5, 12),
            "the key cloud: is deprecated: use profile:",
        ],
    );
}

#[test]
fn error_verify_and_insecure_not_booleans() {
    cloud_error_at(
        "clouds:\n  c:\n    verify: sometimes\n",
        3,
        13,
        "verify must be true or false, not a string (verify: false)",
    );
    cloud_error_at("clouds:\n  c:\n    insecure: 1\n", 3, 15, "insecure must be true or false, not an integer");
}

#[test]
fn error_regions() {
    cloud_error_at("clouds:\n  c:\n    regions: R1\n", 3, 14, "regions is a string, not a list");
    cloud_error_at(
        "clouds:\n  c:\n    regions:\n      - values: {}\n",
        4,
        9,
        "a region is a name, or a mapping with name:",
    );
}

#[test]
fn warning_a_cloud_key_the_plugin_does_not_have() {
    let d = Dir::new();
    d.write(
        "clouds.yaml",
        "clouds:\n  c:\n    auth_type: v3token\n    auth:\n      auth_url: http://k/v3\n      username: u\n",
    );
    let r = run(&d, &["--os-cloud", "c", "--dry-run"], &[("OS_TOKEN", SECRET)]);
    r.ok();
    has_all(&r.err, &[&at(&d, "clouds.yaml", 6, 17), "the v3token auth plugin has no option username: skipped"]);
}

#[test]
fn error_unknown_plugin_did_you_mean() {
    let r = run(&Dir::new(), &with(&["--os-auth-type", "v3pasword", "--os-password", SECRET]), &[]);
    has_all(
        r.error(),
        &[
            "error[unknown-auth-type]: command line --os-auth-type: [cli] auth_type: auth_type \"v3pasword\" names no auth plugin",
            "pass --os-auth-type or set OS_AUTH_TYPE; did you mean \"v3password\"?",
        ],
    );
}

#[test]
fn error_unknown_plugin_from_a_cloud() {
    // (`kerberos` is now near keystoneauth's `v3kerberos`: a name near none.)
    let (d, e) = cloud_error("clouds:\n  c:\n    auth_type: quantum-keys\n");
    has_all(
        &e,
        &[&at(&d, "clouds.yaml", 3, 16), "auth_type \"quantum-keys\" names no auth plugin", "known plugins: password"],
    );
}

#[test]
fn error_missing_required_names_flag_variable_and_cloud() {
    let r = run(&Dir::new(), &FULL[2..], &pw());
    has_all(
        r.error(),
        &[
            "error[missing-required]: [cli] auth_url: the password auth plugin needs this option, and it has no value",
            "(pass --os-auth-url or set OS_AUTH_URL)",
        ],
    );
    let (_, e) = cloud_error("clouds:\n  c:\n    auth: {username: u}\n");
    has_all(&e, &["(pass --os-auth-url or set OS_AUTH_URL, or auth_url under auth: of cloud \"c\")"]);
}

#[test]
fn error_invalid_value_names_the_flag_variable_or_line() {
    let r = run(&Dir::new(), &with(&["--timeout", "soon"]), &pw());
    has_all(r.error(), &["error[invalid-value]: command line --timeout: [cli] timeout:", "soon"]);
    let r = run(&Dir::new(), FULL, &[("OS_PASSWORD", SECRET), ("OS_INTERFACE", "publik")]);
    has_all(r.error(), &["environment variable OS_INTERFACE", "\"publik\" is not a valid interface"]);
    cloud_error_at(
        "clouds:\n  c:\n    api_timeout: soon\n    auth: {auth_url: 'http://k/v3', user_id: u}\n",
        3,
        18,
        "[cli] timeout: invalid floating point value: expected a float (found \"soon\")",
    );
}

#[test]
fn error_plugin_needs_a_user() {
    let r = run(&Dir::new(), &["--os-auth-type", "v3password", "--os-auth-url", "http://k/v3"], &pw());
    has_all(
        r.error(),
        &[
            "error[auth-option]: [cli] username: the v3password auth plugin needs username or user_id",
            "(set --os-username (OS_USERNAME) (with --os-user-domain-name (OS_USER_DOMAIN_NAME)) or --os-user-id (OS_USER_ID))",
        ],
    );
}

#[test]
fn error_plugin_needs_the_password() {
    let r = run(&Dir::new(), &with(&["--os-auth-type", "v3password"]), &[]);
    has_all(
        r.error(),
        &["[cli] password: the v3password auth plugin needs password", "(set --os-password (OS_PASSWORD))"],
    );
}

#[test]
fn error_user_name_needs_its_domain() {
    let r = run(
        &Dir::new(),
        &["--os-auth-type", "v3password", "--os-auth-url", "http://k/v3", "--os-username", "u"],
        &pw(),
    );
    has_all(
        r.error(),
        &[
            "command line --os-username: [cli] username: username \"u\" needs its domain",
            "(set --os-user-domain-name (OS_USER_DOMAIN_NAME) (or --os-user-domain-id (OS_USER_DOMAIN_ID)))",
        ],
    );
}

#[test]
fn error_project_name_needs_its_domain() {
    let r = run(&Dir::new(), &v3_user(&["--os-project-name", "p"]), &pw());
    has_all(r.error(), &["command line --os-project-name: [cli] project_name: project_name \"p\" needs its domain"]);
}

#[test]
fn error_two_scopes() {
    let r = run(&Dir::new(), &with(&["--os-auth-type", "v3password", "--os-domain-id", "d"]), &pw());
    has_all(r.error(), &["a token can be scoped to one target only, but domain and project are set"]);
}

#[test]
fn error_system_scope() {
    let r = run(&Dir::new(), &v3_user(&["--os-system-scope", "some"]), &pw());
    has_all(r.error(), &["system_scope \"some\" is not supported: the only system scope is \"all\""]);
}

#[test]
fn error_application_credential_needs_an_id_or_name() {
    let args = ["--os-auth-type", "v3applicationcredential", "--os-auth-url", "http://k/v3"];
    let r = run(&Dir::new(), &args, &[("OS_APPLICATION_CREDENTIAL_SECRET", SECRET)]);
    has_all(
        r.error(),
        &[
            "an application credential needs application_credential_id, or application_credential_name and its user",
            "(set --os-application-credential-id (OS_APPLICATION_CREDENTIAL_ID))",
        ],
    );
}

#[test]
fn error_application_credential_name_needs_its_owner() {
    let args = [
        "--os-auth-type",
        "v3applicationcredential",
        "--os-auth-url",
        "http://k/v3",
        "--os-application-credential-name",
        "ac",
    ];
    let r = run(&Dir::new(), &args, &[("OS_APPLICATION_CREDENTIAL_SECRET", SECRET)]);
    has_all(r.error(), &["application credential \"ac\" is named, so its owner is needed too"]);
}

#[test]
fn error_application_credential_needs_its_secret() {
    let args = [
        "--os-auth-type",
        "v3applicationcredential",
        "--os-auth-url",
        "http://k/v3",
        "--os-application-credential-id",
        "ac",
    ];
    let r = run(&Dir::new(), &args, &[]);
    has_all(
        r.error(),
        &[
            "[cli] application_credential_secret: the v3applicationcredential auth plugin needs this option, and it has no value",
            "(pass --os-application-credential-secret or set OS_APPLICATION_CREDENTIAL_SECRET)",
        ],
    );
}

#[test]
fn error_multifactor_method_that_is_not_one() {
    let args =
        ["--os-auth-type", "v3multifactor", "--os-auth-url", "http://k/v3", "--os-auth-methods", "v3password,oidc"];
    let r = run(&Dir::new(), &args, &pw());
    has_all(r.error(), &["auth_methods [\"v3password\", \"oidc\"] names a plugin that cannot be a method"]);
}

#[test]
fn error_fixed_endpoint_plugin_needs_its_endpoint() {
    let r = run(&Dir::new(), &["--os-auth-type", "admin_token"], &[("OS_TOKEN", SECRET)]);
    has_all(
        r.error(),
        &["[cli] endpoint: the admin_token auth plugin needs endpoint", "(set --os-endpoint (OS_ENDPOINT))"],
    );
}

#[test]
fn error_tls_files_name_where_they_were_set() {
    let d = Dir::new();
    let r = run(&d, &with(&["--os-cacert", "/nonexistent/ca.pem"]), &pw());
    has_all(r.error(), &["error: cannot read cafile /nonexistent/ca.pem", "(cafile from command line --os-cacert)"]);
    let r = run(&d, FULL, &[("OS_PASSWORD", SECRET), ("OS_KEY", "/k.pem")]);
    has_all(r.error(), &["keyfile /k.pem is set without certfile", "(keyfile from environment variable OS_KEY)"]);
    let empty = d.write("empty.pem", "not a certificate\n");
    let empty = empty.to_str().expect("utf-8");
    let r = run(&d, &with(&["--os-cacert", empty]), &pw());
    has_all(r.error(), &[&format!("cafile {empty} holds no certificate")]);
    d.write("clouds.yaml", "clouds:\n  c:\n    cert: ~/empty.pem\n    auth: {auth_url: 'http://k/v3', user_id: u1}\n");
    let r = run(&d, &["--os-cloud", "c"], &pw());
    has_all(
        r.error(),
        &[
            &format!("certfile {empty} (with keyfile) is not a usable client identity"),
            &format!("(certfile from {}", at(&d, "clouds.yaml", 3, 11).trim_end_matches(": ")),
        ],
    );
}

#[test]
fn error_unknown_flag_is_a_usage_error() {
    let r = run(&Dir::new(), &with(&["--os-passwrd", SECRET]), &[]);
    assert_eq!(r.code, 2, "{}", r.err);
    has_all(&r.err, &["unexpected argument '--os-passwrd'", "--os-password"]);
}

#[test]
fn warning_a_secret_argument() {
    let r = run(&Dir::new(), &with(&["--os-password", SECRET, "--dry-run"]), &[]);
    r.ok();
    has_all(
        &r.err,
        &["command line --os-password", "visible to other users in the process list: set OS_PASSWORD instead"],
    );
}
