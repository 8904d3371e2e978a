//! Credential rotation without restart, against a real Keystone: the
//! example daemon's password is changed in Keystone and then in its config
//! file; a wrong password in the file is reported and the old token kept.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Dir;
use common::keystone::keystone;
use reqwest::Method;
use serde_json::json;

fn conf(url: &str, password: &str, project: &str) -> String {
    format!(
        "[service_user]\nauth_type = v3password\nauth_url = {url}\nusername = rotating\npassword = {password}\n\
         user_domain_id = default\nproject_name = {project}\nproject_domain_id = default\n"
    )
}

/// Waits (up to 60 s) for a line of `lines` after index `from` that
/// satisfies `f`; on a timeout shows both of the daemon's streams.
async fn expect_line(
    lines: &Arc<Mutex<Vec<String>>>,
    other: &Arc<Mutex<Vec<String>>>,
    from: usize,
    what: &str,
    f: impl Fn(&str) -> bool,
) -> (usize, String) {
    for _ in 0..600 {
        {
            let l = lines.lock().expect("lock");
            if let Some((i, s)) = l.iter().enumerate().skip(from).find(|(_, s)| f(s)) {
                return (i, s.clone());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "timed out waiting for {what}; lines: {:?}\nthe other stream: {:?}",
        lines.lock().expect("lock"),
        other.lock().expect("lock")
    );
}

fn audit(line: &str) -> String {
    serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v["token_audit_id"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[tokio::test]
async fn the_daemon_rotates_its_password_without_restart() {
    let Some(ks) = keystone() else { return };
    let (uid, _, project) = ks.user_with_project("rotating", "first-pass").await;
    let d = Dir::new();
    let path = d.write("daemon.conf", conf(&ks.url, "first-pass", &project));
    let exe = std::env::current_exe().expect("exe");
    let daemon = exe.parent().and_then(|p| p.parent()).expect("target").join("examples/identity_daemon");
    let mut child = tokio::process::Command::new(&daemon)
        .args(["--watch", "--interval", "1", "--config-file"])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("daemon starts");
    let stdout = common::process::collect_lines(child.stdout.take().expect("stdout"));
    let stderr = common::process::collect_lines(child.stderr.take().expect("stderr"));
    let is_listing = |s: &str| s.starts_with('{') && !audit(s).is_empty();

    let (i, first) = expect_line(&stdout, &stderr, 0, "a first listing", is_listing).await;
    let first_audit = audit(&first);

    // Rotate: in Keystone first, then in the file the daemon watches.
    let (s, body) =
        ks.api(Method::PATCH, &format!("/users/{uid}"), Some(json!({"user": {"password": "second-pass"}}))).await;
    assert_eq!(s, 200, "{body}");
    // Keystone revokes the user's tokens with one-second granularity: a
    // token issued in the same second as the change counts as revoked.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    std::fs::write(&path, conf(&ks.url, "second-pass", &project)).expect("rewrite");
    let (j, rotated) = expect_line(&stdout, &stderr, i + 1, "a listing with a new token", |s| {
        is_listing(s) && audit(s) != first_audit
    })
    .await;
    let second_audit = audit(&rotated);
    expect_line(&stderr, &stdout, 0, "the rotation logged", |s| s.contains("credentials changed")).await;

    // A wrong password is reported, and the daemon goes on with its token.
    let errors_before = stderr.lock().expect("lock").len();
    std::fs::write(&path, conf(&ks.url, "wrong-pass", &project)).expect("rewrite");
    expect_line(&stderr, &stdout, errors_before, "the refused credentials reported", |s| {
        s.contains("the new credentials failed, keeping the old ones")
    })
    .await;
    let (k, _) = expect_line(&stdout, &stderr, j + 1, "a listing after the wrong password", is_listing).await;
    let (_, later) = expect_line(&stdout, &stderr, k + 1, "another listing", is_listing).await;
    assert_eq!(audit(&later), second_audit, "still the token from the second password");
    assert!(child.try_wait().expect("status").is_none(), "the daemon is still running");
    let all: String = stderr.lock().expect("lock").join("\n") + &stdout.lock().expect("lock").join("\n");
    for secret in ["first-pass", "second-pass", "wrong-pass"] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }
    child.kill().await.expect("stop");
}
