//! The command-line loading path against a real Keystone: the example tool
//! (examples/os_token.rs) and `stackauth token`/`endpoint` get a token for
//! the same user and project (by id) through `--os-*` arguments, through
//! `OS_*` variables alone, and through `--os-cloud` with a clouds.yaml and
//! the password only in secure.yaml (and through a clouds-public.yaml
//! profile).

use crate::common;

use std::process::Command;

use common::Dir;
use common::keystone::{ADMIN_PASSWORD, keystone};
use common::process::{Out, example, isolated};

fn os_token(home: &Dir) -> Command {
    isolated(example("os_token"), home)
}

fn stackauth(home: &Dir) -> Command {
    isolated(env!("CARGO_BIN_EXE_stackauth"), home)
}

/// Standard output of a run that must succeed, checked for the password.
fn run(c: Command) -> String {
    Out::of(c, ADMIN_PASSWORD).ok().to_owned()
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// (user id, project id) of the example's output.
fn ids(v: &serde_json::Value) -> (String, String) {
    assert_eq!((v["user"].as_str(), v["project"].as_str()), (Some("admin"), Some("admin")), "{v}");
    (v["user_id"].as_str().expect("a user id").to_owned(), v["project_id"].as_str().expect("a project id").to_owned())
}

/// (user id, project id) as the example prints them.
fn example_ids(c: Command) -> (String, String) {
    ids(&json(&run(c)))
}

/// (user id, project id) as `stackauth token --json` prints them.
fn token_ids(c: Command) -> (String, String) {
    let v = json(&run(c));
    assert_eq!((v["user"]["name"].as_str(), v["project"]["name"].as_str()), (Some("admin"), Some("admin")), "{v}");
    assert!(v["token"].as_str().is_some_and(|t| t.starts_with("{SHA256}")), "{v}");
    (v["user"]["id"].as_str().expect("id").to_owned(), v["project"]["id"].as_str().expect("id").to_owned())
}

const NAMES: [&str; 8] = [
    "--os-username",
    "admin",
    "--os-user-domain-name",
    "Default",
    "--os-project-name",
    "admin",
    "--os-project-domain-name",
    "Default",
];

fn env_vars(url: &str) -> Vec<(&'static str, String)> {
    [
        ("OS_AUTH_URL", url),
        ("OS_USERNAME", "admin"),
        ("OS_PASSWORD", ADMIN_PASSWORD),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_TENANT_NAME", "admin"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
    ]
    .map(|(k, v)| (k, v.to_owned()))
    .to_vec()
}

fn write_clouds(home: &Dir, url: &str) {
    home.write(
        ".config/openstack/clouds.yaml",
        format!(
            "clouds:\n  test:\n    auth:\n      auth_url: {url}\n      username: admin\n      project_name: admin\n\
             \x20     user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n\
             \x20 profiled:\n    profile: fixture\n    auth:\n      username: admin\n      project_name: admin\n\
             \x20     domain_name: Default\n"
        ),
    );
    home.write(
        ".config/openstack/secure.yaml",
        format!("clouds:\n  test:\n    auth:\n      password: {ADMIN_PASSWORD}\n  profiled:\n    auth:\n      password: {ADMIN_PASSWORD}\n"),
    );
    home.write(
        ".config/openstack/clouds-public.yaml",
        format!("public-clouds:\n  fixture:\n    auth:\n      auth_url: {url}\n    identity_api_version: 3\n    interface: internal\n"),
    );
}

#[test]
fn the_example_gets_the_same_user_and_project_every_way() {
    let Some(ks) = keystone() else { return };
    let home = Dir::new();
    write_clouds(&home, &ks.url);

    let mut c = os_token(&home);
    c.args(["--os-auth-url", &ks.url, "--os-password", ADMIN_PASSWORD]).args(NAMES);
    let want = example_ids(c);

    let mut c = os_token(&home);
    c.envs(env_vars(&ks.url));
    assert_eq!(example_ids(c), want, "OS_* variables alone");

    let mut c = os_token(&home);
    c.args(["--os-cloud", "test"]);
    assert_eq!(example_ids(c), want, "--os-cloud, the password in secure.yaml");

    let mut c = os_token(&home);
    c.env("OS_CLOUD", "test");
    assert_eq!(example_ids(c), want, "OS_CLOUD");

    let mut c = os_token(&home);
    c.args(["--os-cloud", "profiled"]);
    let v = json(&run(c));
    assert_eq!(v["plugin"], "v3password", "identity_api_version 3 from the profile, and a user name: {v}");
    assert_eq!(ids(&v), want, "a clouds-public.yaml profile, the domains from domain_name");
}

#[test]
fn stackauth_token_gets_the_same_user_and_project_every_way() {
    let Some(ks) = keystone() else { return };
    let home = Dir::new();
    write_clouds(&home, &ks.url);

    let mut c = os_token(&home);
    c.args(["--os-cloud", "test"]);
    let want = example_ids(c);

    let mut c = stackauth(&home);
    c.args(["token", "--json", "--os-auth-url", &ks.url]).args(NAMES).env("OS_PASSWORD", ADMIN_PASSWORD);
    assert_eq!(token_ids(c), want, "--os-* arguments");

    let mut c = stackauth(&home);
    c.args(["token", "--json"]).envs(env_vars(&ks.url));
    assert_eq!(token_ids(c), want, "OS_* variables alone");

    let mut c = stackauth(&home);
    c.args(["token", "--json", "--os-cloud", "test"]);
    assert_eq!(token_ids(c), want, "--os-cloud");

    // A config group still works beside them.
    let conf = home.write(
        "svc.conf",
        format!(
            "[service_user]\nauth_type = password\nauth_url = {}\nusername = admin\npassword = {ADMIN_PASSWORD}\n\
             user_domain_name = Default\nproject_name = admin\nproject_domain_name = Default\n",
            ks.url
        ),
    );
    let mut c = stackauth(&home);
    c.args(["token", "--json", "--group", "service_user", "--config-file"]).arg(&conf).env("OS_CLOUD", "test");
    assert_eq!(token_ids(c), want, "--group, with OS_CLOUD set and ignored");
}

#[test]
fn stackauth_endpoint_uses_the_clouds_region_and_interface() {
    let Some(ks) = keystone() else { return };
    let home = Dir::new();
    write_clouds(&home, &ks.url);

    let mut c = stackauth(&home);
    c.args(["endpoint", "--service-type", "identity", "--os-cloud", "profiled"]);
    assert_eq!(run(c).trim(), ks.url, "internal, from the profile");

    let mut c = stackauth(&home);
    c.args(["endpoint", "--service-type", "identity", "--os-cloud", "test", "--os-region-name", "RegionTwo"]);
    let r = Out::of(c, ADMIN_PASSWORD);
    assert!(r.error().contains("RegionTwo"), "the argument beats the cloud's RegionOne: {}", r.err);

    let mut c = stackauth(&home);
    c.args(["endpoint", "--service-type", "identity", "--version", "3", "--os-cloud", "test"]);
    let v = json(&run(c));
    assert_eq!(v["region"], "RegionOne", "{v}");
    assert!(v["api_version"].as_str().is_some_and(|a| a.starts_with("3.")), "{v}");
}
