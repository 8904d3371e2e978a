//! `stackauth token` and `stackauth endpoint` against a real Keystone.

use crate::common;

use std::process::Command;

use common::Dir;
use common::keystone::{ADMIN_PASSWORD, keystone};

fn run(args: &[&str]) -> (String, String, i32) {
    let o = Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(args)
        .env_remove("OS_SERVICE_USER__PASSWORD")
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
        o.status.code().unwrap_or(-1),
    )
}

#[test]
fn token_and_endpoint_authenticate_for_real() {
    let Some(ks) = keystone() else { return };
    let d = Dir::new();
    let conf = d.write(
        "svc.conf",
        format!(
            "[service_user]\nauth_type = password\nauth_url = {}\nusername = admin\npassword = {ADMIN_PASSWORD}\n\
             user_domain_name = Default\nproject_name = admin\nproject_domain_name = Default\n",
            ks.url
        ),
    );
    let c = conf.to_str().expect("utf-8");
    let (out, err, code) = run(&["token", "--no-env", "--config-file", c, "--group", "service_user", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["user"]["name"], "admin");
    assert_eq!(v["project"]["name"], "admin");
    assert!(v["roles"].as_array().is_some_and(|r| r.iter().any(|x| x == "admin")), "{v}");
    assert!(v["token"].as_str().is_some_and(|t| t.starts_with("{SHA256}")), "{v}");
    assert!(!out.contains(ADMIN_PASSWORD) && !err.contains(ADMIN_PASSWORD));
    let (out, _, code) =
        run(&["token", "--no-env", "--config-file", c, "--group", "service_user", "--json", "--reveal"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(v["token"].as_str().is_some_and(|t| t.starts_with("gAAAA")), "a fernet token: {v}");

    let (out, err, code) = run(&[
        "endpoint",
        "--no-env",
        "--config-file",
        c,
        "--group",
        "service_user",
        "--service-type",
        "identity",
        "--interface",
        "internal,public",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), ks.url);
    let (_, err, code) =
        run(&["endpoint", "--no-env", "--config-file", c, "--group", "service_user", "--service-type", "image"]);
    assert_eq!(code, 1);
    assert!(err.contains("no endpoint in the service catalog for service_type \"image\""), "{err}");

    let bad = d.write(
        "bad.conf",
        format!("[service_user]\nauth_type = v3password\nauth_url = {}\nuser_id = nobody\npassword = nope\n", ks.url),
    );
    let (_, err, code) =
        run(&["token", "--no-env", "--config-file", bad.to_str().expect("utf-8"), "--group", "service_user"]);
    assert_eq!(code, 1);
    assert!(err.contains("HTTP 401"), "{err}");
}
