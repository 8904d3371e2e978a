//! The `stackauth` binary on real files: output, exit codes, secrets.

use crate::common;

use std::process::{Command, Output};

use common::Dir;

fn stackauth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("OS_KEYSTONE_AUTHTOKEN__AUTH_TYPE")
        .output()
        .expect("runs")
}

fn out(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn show_the_legacy_example_with_provenance() {
    let o = stackauth(&["show", "--config-file", "examples/conf/glance-api.conf"]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("[keystone_authtoken]"), "{stdout}");
    assert!(
        stdout.contains("www_authenticate_uri = http://controller:5000/v2.0  # examples/conf/glance-api.conf:"),
        "{stdout}"
    );
    assert!(stdout.contains("deprecated name [keystone_authtoken] auth_uri"), "{stdout}");
    assert!(stdout.contains("identity_uri = http://controller:35357  # built from legacy auth_protocol"), "{stdout}");
    assert!(stdout.contains("admin_password = ****"), "{stdout}");
    assert!(!stdout.contains("GLANCE_PASS") && !stderr.contains("GLANCE_PASS"));
    assert!(stderr.contains("warning[deprecated-name]"), "{stderr}");
    assert!(stderr.contains("Option \"auth_uri\" from group \"keystone_authtoken\" is deprecated."), "{stderr}");
}

#[test]
fn show_json_and_reveal() {
    let o =
        stackauth(&["show", "--config-file", "examples/conf/glance-api.conf", "--format", "json", "--reveal-secrets"]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let ka = &v["groups"]["keystone_authtoken"];
    assert_eq!(ka["admin_password"]["value"], "GLANCE_PASS");
    assert_eq!(ka["admin_password"]["secret"], true);
    assert_eq!(ka["identity_uri"]["built_from"].as_array().map(Vec::len), Some(4));
    assert!(v["unknown"].as_array().is_some_and(|u| !u.is_empty()));
}

#[test]
fn toml_example_loads_with_modern_names() {
    let o = stackauth(&["show", "--config-file", "examples/conf/glance-api.toml", "--format", "json"]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let ka = &v["groups"]["keystone_authtoken"];
    assert!(ka["www_authenticate_uri"]["deprecated_name"].is_null());
    assert!(ka["www_authenticate_uri"]["origin"].as_str().is_some_and(|o| o.contains("glance-api.toml:")));
    assert!(!stderr.contains("deprecated-name"), "{stderr}");
}

#[test]
fn set_overrides_and_env() {
    let o = Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args([
            "show",
            "--config-file",
            "examples/conf/keystone_authtoken-modern.conf",
            "--set",
            "keystone_authtoken.token_cache_time=60",
        ])
        .env("OS_KEYSTONE_AUTHTOKEN__REGION_NAME", "RegionTwo")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains("token_cache_time = 60  # command line --set keystone_authtoken.token_cache_time"),
        "{stdout}"
    );
    assert!(
        stdout.contains("region_name = RegionTwo  # environment variable OS_KEYSTONE_AUTHTOKEN__REGION_NAME"),
        "{stdout}"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(["show", "--no-env", "--config-file", "examples/conf/keystone_authtoken-modern.conf"])
        .env("OS_KEYSTONE_AUTHTOKEN__REGION_NAME", "RegionTwo")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(!out(&o).0.contains("RegionTwo"));
}

#[test]
fn config_files_and_dirs_keep_their_order() {
    let d = Dir::new();
    let a = d.write("a.conf", "[keystone_authtoken]\nregion_name = from-a\n");
    d.write("d/1.conf", "[keystone_authtoken]\nregion_name = from-dir\n");
    let dir = d.path().join("d");
    let run = |args: &[&str]| out(&stackauth(args)).0;
    let file_then_dir = run(&[
        "show",
        "--no-env",
        "--config-file",
        a.to_str().expect("utf-8"),
        "--config-dir",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(file_then_dir.contains("region_name = from-dir"), "{file_then_dir}");
    let dir_then_file = run(&[
        "show",
        "--no-env",
        "--config-dir",
        dir.to_str().expect("utf-8"),
        "--config-file",
        a.to_str().expect("utf-8"),
    ]);
    assert!(dir_then_file.contains("region_name = from-a"), "{dir_then_file}");
}

#[test]
fn exit_codes() {
    let d = Dir::new();
    let bad = d.write("bad.conf", "[keystone_authtoken]\ntoken_cache_time = soon\n");
    let o = stackauth(&["show", "--config-file", bad.to_str().expect("utf-8")]);
    let (_, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[invalid-value]") && stderr.contains("bad.conf:2:20"), "{stderr}");
    let o = stackauth(&["show", "--config-file", "/nonexistent/x.conf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).1.contains("/nonexistent/x.conf: file not found"));
    let o = stackauth(&["show", "--set", "no-equals"]);
    assert_eq!(o.status.code(), Some(2));
    let o = stackauth(&["show", "--namespace", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).1.contains("unknown namespace"));
}

#[test]
fn show_as_toml_for_one_group() {
    let o = stackauth(&[
        "show",
        "--no-env",
        "--config-file",
        "examples/conf/glance-api.conf",
        "--format",
        "toml",
        "--group",
        "keystone_authtoken",
    ]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with("[keystone_authtoken]\n"), "{stdout}");
    assert!(stdout.contains("token_cache_time = 300\n") && stdout.contains("admin_password = \"****\"\n"), "{stdout}");
    assert!(!stdout.contains("[DEFAULT]"));
    stdout.parse::<toml::Table>().unwrap_or_else(|e| panic!("{e}\n{stdout}"));
}

/// The service registers its auth plugin's options when it loads the
/// plugin: `show` prints them as the service reads them, not as unknown.
#[test]
fn show_prints_the_auth_plugins_options_of_the_group() {
    let d = Dir::new();
    let f = d.write(
        "glance-api.conf",
        "[keystone_authtoken]\nauth_type = password\nauth_url = http://k:5000/v3\nusername = glance\n\
         password = s3cret\nuser_domain_name = Default\nproject_name = service\nproject_domain_name = Default\n",
    );
    let o = stackauth(&["show", "--config-file", f.to_str().expect("utf-8"), "--group", "keystone_authtoken"]);
    let (stdout, stderr) = out(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("unknown-option"), "{stderr}");
    assert!(stdout.contains("username = glance  # "), "{stdout}");
    assert!(stdout.contains("password = ****  # "), "{stdout}");
    assert!(!stdout.contains("s3cret"), "{stdout}");
}
