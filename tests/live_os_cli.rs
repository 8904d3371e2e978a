//! The example command-line tool (examples/os_token.rs) against a real
//! Keystone: the same user and project through `--os-*` arguments, through
//! `OS_*` variables alone, and through `--os-cloud` with clouds.yaml and the
//! password only in secure.yaml.

mod common;

use common::Dir;
use common::keystone::{ADMIN_PASSWORD, keystone};

fn tool() -> std::process::Command {
    let exe = std::env::current_exe().expect("exe");
    let path = exe.parent().and_then(|p| p.parent()).expect("target").join("examples/os_token");
    assert!(path.exists(), "cargo test builds the examples: {}", path.display());
    let mut c = std::process::Command::new(path);
    // Nothing from the host: no OS_* variables, no clouds.yaml.
    for (k, _) in std::env::vars() {
        if k.starts_with("OS_") {
            c.env_remove(k);
        }
    }
    c
}

fn run(mut c: std::process::Command, home: &Dir) -> serde_json::Value {
    let o = c.env("HOME", home.path()).current_dir(home.path()).output().expect("runs");
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    assert!(!out.contains(ADMIN_PASSWORD) && !err.contains(ADMIN_PASSWORD), "{out}\n{err}");
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn the_same_token_from_arguments_environment_and_clouds_yaml() {
    let Some(ks) = keystone() else { return };
    let home = Dir::new();
    let want = |v: &serde_json::Value| {
        assert_eq!(v["user"], "admin", "{v}");
        assert_eq!(v["project"], "admin", "{v}");
        assert_eq!(v["identity"], ks.url, "{v}");
    };

    let mut c = tool();
    c.args(["--os-auth-type", "password", "--os-auth-url", &ks.url, "--os-username", "admin"])
        .args(["--os-user-domain-name", "Default", "--os-password", ADMIN_PASSWORD])
        .args(["--os-project-name", "admin", "--os-project-domain-name", "Default"]);
    want(&run(c, &home));

    let mut c = tool();
    for (k, v) in [
        ("OS_AUTH_URL", ks.url.as_str()),
        ("OS_USERNAME", "admin"),
        ("OS_PASSWORD", ADMIN_PASSWORD),
        ("OS_USER_DOMAIN_NAME", "Default"),
        ("OS_TENANT_NAME", "admin"),
        ("OS_PROJECT_DOMAIN_NAME", "Default"),
    ] {
        c.env(k, v);
    }
    want(&run(c, &home));

    home.write(
        ".config/openstack/clouds.yaml",
        format!(
            "clouds:\n  test:\n    auth:\n      auth_url: {}\n      username: admin\n      project_name: admin\n      \
             user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n",
            ks.url
        ),
    );
    home.write(
        ".config/openstack/secure.yaml",
        format!("clouds:\n  test:\n    auth:\n      password: {ADMIN_PASSWORD}\n"),
    );
    let mut c = tool();
    c.args(["--os-cloud", "test"]);
    want(&run(c, &home));
    let mut c = tool();
    c.env("OS_CLOUD", "test");
    want(&run(c, &home));
}
