//! The auth_token layer against a real Keystone: examples/my_projects_service
//! (an axum service behind the layer, loading `[keystone_authtoken]` from a
//! config file) accepts real user tokens, rejects wrong, revoked and
//! expired ones with 401 and `WWW-Authenticate`, validates service tokens
//! with and without the service role, and lists the caller's projects
//! through the caller's own catalog.

use crate::common;

use std::time::Duration;

use common::keystone::{Keystone, TOKEN_LIFETIME_SECS, keystone};
use common::process::Listening;
use serde_json::Value as J;

struct Service {
    url: String,
    _process: Listening,
    _dir: common::Dir,
}

/// The service user (with the `service` role), and the example service
/// started with it.
async fn service(k: &Keystone, name: &str) -> Service {
    let (uid, pid, project) = k.user_with_project(name, "svc-pass").await;
    k.grant(&uid, &pid, "service").await;
    let dir = common::Dir::new();
    let conf = dir.write(
        "service.conf",
        format!(
            "[keystone_authtoken]\nwww_authenticate_uri = {url}\nauth_type = password\nauth_url = {url}\n\
             username = {name}\npassword = svc-pass\nproject_name = {project}\nuser_domain_id = default\n\
             project_domain_id = default\n",
            url = k.url
        ),
    );
    let process = Listening::start("my_projects_service", &["--config-file".as_ref(), conf.as_os_str()]);
    Service { url: process.url.clone(), _process: process, _dir: dir }
}

async fn call(s: &Service, path: &str, headers: &[(&str, &str)]) -> (u16, Option<String>, J) {
    let mut req = reqwest::Client::new().get(format!("{}{path}", s.url));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("service answers");
    let status = resp.status().as_u16();
    let www = resp.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, www, resp.json().await.unwrap_or(J::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_lists_their_projects_through_their_own_catalog() {
    let Some(k) = keystone() else { return };
    let svc = service(k, "ksm-svc-1").await;
    let (uid, pid, project) = k.user_with_project("ksm-alice", "alice-pass").await;
    let token = k.user_token("ksm-alice", "alice-pass", &pid).await;
    let (status, _, body) = call(&svc, "/my-projects", &[("X-Auth-Token", &token)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_id"], uid.as_str());
    let names: Vec<&str> =
        body["projects"].as_array().expect("projects").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, vec![project.as_str()], "the caller's projects, not the service user's");
    let (status, _, who) = call(&svc, "/whoami", &[("X-Auth-Token", &token)]).await;
    assert_eq!(status, 200);
    assert_eq!(who["project_id"], pid.as_str());
    assert_eq!(who["user_name"], "ksm-alice");
    assert!(who["roles"].as_array().expect("roles").iter().any(|r| r == "member"), "{who}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_and_revoked_tokens_get_401_with_where_to_authenticate() {
    let Some(k) = keystone() else { return };
    let svc = service(k, "ksm-svc-2").await;
    let expected = format!("Keystone uri=\"{}\"", k.url);
    for headers in [vec![], vec![("X-Auth-Token", "gAAAAAB-not-a-token")]] {
        let (status, www, body) = call(&svc, "/whoami", &headers).await;
        assert_eq!(status, 401, "{headers:?}: {body}");
        assert_eq!(www.as_deref(), Some(expected.as_str()));
    }
    let (_, pid, _) = k.user_with_project("ksm-bob", "bob-pass").await;
    let token = k.user_token("ksm-bob", "bob-pass", &pid).await;
    let resp = reqwest::Client::new()
        .delete(format!("{}/auth/tokens", k.url))
        .header("X-Auth-Token", &token)
        .header("X-Subject-Token", &token)
        .send()
        .await
        .expect("revoke");
    assert_eq!(resp.status().as_u16(), 204, "revoked");
    let (status, www, _) = call(&svc, "/whoami", &[("X-Auth-Token", &token)]).await;
    assert_eq!(status, 401, "a revoked token");
    assert_eq!(www.as_deref(), Some(expected.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_tokens_with_and_without_the_service_role_and_expired_user_tokens() {
    let Some(k) = keystone() else { return };
    let svc = service(k, "ksm-svc-3").await;
    // Another service's user, with the service role: its token is a service token.
    let (nova_uid, nova_pid, _) = k.user_with_project("ksm-nova", "nova-pass").await;
    k.grant(&nova_uid, &nova_pid, "service").await;
    let nova = k.user_token("ksm-nova", "nova-pass", &nova_pid).await;
    let (_, pid, _) = k.user_with_project("ksm-carol", "carol-pass").await;
    let carol = k.user_token("ksm-carol", "carol-pass", &pid).await;
    let (status, _, who) = call(&svc, "/whoami", &[("X-Auth-Token", &carol), ("X-Service-Token", &nova)]).await;
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["service_status"], "Confirmed");
    assert_eq!(who["service"]["user_id"], nova_uid.as_str());
    // A user's token (member only) as a service token: refused.
    let (status, _, _) = call(&svc, "/whoami", &[("X-Auth-Token", &carol), ("X-Service-Token", &carol)]).await;
    assert_eq!(status, 401, "a service token without the service role");

    // Expired: Keystone's tokens live TOKEN_LIFETIME_SECS here.
    tokio::time::sleep(Duration::from_secs(TOKEN_LIFETIME_SECS + 2)).await;
    let (status, _, _) = call(&svc, "/whoami", &[("X-Auth-Token", &carol)]).await;
    assert_eq!(status, 401, "an expired token (the cached validation ended with the token)");
    // With a valid service token that has the role, an expired user token is
    // accepted (allow_expired), as keystonemiddleware does.
    let nova = k.user_token("ksm-nova", "nova-pass", &nova_pid).await;
    let (status, _, who) = call(&svc, "/whoami", &[("X-Auth-Token", &carol), ("X-Service-Token", &nova)]).await;
    assert_eq!(status, 200, "expired user token with a service token: {who}");
    assert_eq!(who["project_id"], pid.as_str());
}

/// The caller's `X-OpenStack-Request-ID` goes through the example service
/// (the auth_token layer, then `UserContext::adapter`) into the identity
/// call it makes on the caller's behalf: Keystone's own log names it as
/// the global request id of that call (oslo.log's default format), beside
/// Keystone's own request id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_request_id_reaches_keystones_log_through_the_service() {
    let Some(k) = keystone() else { return };
    let svc = service(k, "ksm-svc-rid").await;
    let (_, pid, _) = k.user_with_project("ksm-rid", "rid-pass").await;
    let token = k.user_token("ksm-rid", "rid-pass", &pid).await;
    let rid = "req-5f3c9e1e-2d7b-4c55-9a7e-3b0f4d2a6c11";
    // Control: Keystone logs a global request id sent to it directly.
    let control = "req-0c0c0c0c-2d7b-4c55-9a7e-3b0f4d2a6c11";
    let r = reqwest::Client::new()
        .get(format!("{}/auth/projects", k.url))
        .header("X-Auth-Token", &token)
        .header("X-OpenStack-Request-ID", control)
        .send()
        .await
        .expect("keystone answers");
    assert_eq!(r.status().as_u16(), 200);
    let log = std::fs::read_to_string(k.dir.join("keystone.log")).expect("Keystone's log");
    assert!(
        log.lines().any(|l| l.contains(control) && l.contains("PATH_INFO: `/v3/auth/projects`")),
        "Keystone did not log the control's id; last lines: {:#?}",
        log.lines().rev().take(5).collect::<Vec<_>>()
    );
    let (status, _, body) =
        call(&svc, "/my-projects", &[("X-Auth-Token", &token), ("X-OpenStack-Request-ID", rid)]).await;
    assert_eq!(status, 200, "{body}");
    let log = std::fs::read_to_string(k.dir.join("keystone.log")).expect("Keystone's log");
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(rid)).collect();
    assert!(
        lines.iter().any(|l| l.contains("PATH_INFO: `/v3/auth/projects`")),
        "Keystone logged no /auth/projects call with {rid}; its lines with the id: {lines:#?}; last lines: {:#?}",
        log.lines().rev().take(15).collect::<Vec<_>>()
    );
    // A request without one: the id does not stick to the next call.
    let (status, _, _) = call(&svc, "/my-projects", &[("X-Auth-Token", &token)]).await;
    assert_eq!(status, 200);
    let after = std::fs::read_to_string(k.dir.join("keystone.log")).expect("Keystone's log");
    assert_eq!(after.lines().filter(|l| l.contains(rid)).count(), lines.len(), "the id was carried on");
}
