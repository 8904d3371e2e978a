//! The Session and Adapter against a real Keystone.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::keystone::{ADMIN_PASSWORD, TOKEN_LIFETIME_SECS, keystone};
use common::*;
use reqwest::Method;
use stackauth::Loader;
use stackauth::auth::{self, AuthPlugin, Interface, PluginRegistry};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session};

fn load(ks_url: &str, user: &str, password: &str, project: &str) -> auth::LoadedAuth {
    let d = Dir::new();
    let p = d.write(
        "svc.conf",
        format!(
            "[service_user]\nauth_type = password\nauth_url = {ks_url}\nusername = {user}\npassword = {password}\n\
             user_domain_id = default\nproject_name = {project}\nproject_domain_id = default\n\
             valid_interfaces = internal,public\n"
        ),
    );
    let reg = Registry::new();
    auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"))
}

fn identity(s: &Session) -> Adapter {
    Adapter::new(s).service_type("identity").interfaces([Interface::Internal, Interface::Public])
}

fn names(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn two_adapters_share_one_session_and_one_token() {
    let Some(ks) = keystone() else { return };
    let loaded = load(&ks.url, "admin", ADMIN_PASSWORD, "admin");
    let s = Session::from_loaded(&loaded).expect("session");
    let projects = identity(&s);
    let users = Adapter::from_options(&s, &loaded.adapter).service_type("identity");
    let p: serde_json::Value = projects.get("/projects").await.expect("projects").json().expect("json");
    let u: serde_json::Value = users.get("/users").await.expect("users").json().expect("json");
    assert!(names(&p, "projects").contains(&"admin".to_owned()), "{p}");
    assert!(names(&u, "users").contains(&"admin".to_owned()), "{u}");
    assert_eq!(s.auth_state().map(|a| a.fetches()), Some(1));
    assert_eq!(projects.endpoint().await.expect("endpoint"), ks.url, "from the catalog");
}

#[tokio::test]
async fn per_adapter_auth_for_two_users() {
    let Some(ks) = keystone() else { return };
    let (_, _, b_project) = ks.user_with_project("tenant-b", "b-pass").await;
    let s = Session::from_loaded(&load(&ks.url, "admin", ADMIN_PASSWORD, "admin")).expect("session");
    let as_b: Arc<dyn AuthPlugin> = load(&ks.url, "tenant-b", "b-pass", &b_project).plugin;
    let admin_view: serde_json::Value = identity(&s).get("/auth/projects").await.expect("admin").json().expect("json");
    let b_view: serde_json::Value =
        identity(&s).auth(as_b).get("/auth/projects").await.expect("b").json().expect("json");
    assert!(names(&admin_view, "projects").contains(&"admin".to_owned()));
    assert_eq!(names(&b_view, "projects"), [b_project]);
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once() {
    let Some(ks) = keystone() else { return };
    let s = Session::from_loaded(&load(&ks.url, "admin", ADMIN_PASSWORD, "admin")).expect("session");
    let creds = s.credentials().await.expect("token");
    let token = creds.access().expect("token").token.expose().to_owned();
    let admin = ks.admin_token().await;
    let status = reqwest::Client::new()
        .request(Method::DELETE, format!("{}/auth/tokens", ks.url))
        .header("X-Auth-Token", &admin)
        .header("X-Subject-Token", &token)
        .send()
        .await
        .expect("revoke")
        .status();
    assert_eq!(status.as_u16(), 204);
    let r = identity(&s).get("/projects").await.expect("re-authenticated");
    assert_eq!(r.status, 200);
    assert_eq!(s.auth_state().map(|a| a.fetches()), Some(2));
    let now = s.credentials().await.expect("token");
    assert_ne!(now.access().expect("token").token.expose(), token);
}

#[tokio::test]
async fn tokens_are_replaced_before_they_expire() {
    let Some(ks) = keystone() else { return };
    let s = Session::from_loaded(&load(&ks.url, "admin", ADMIN_PASSWORD, "admin")).expect("session");
    identity(&s).get("/projects").await.expect("first");
    let first = s.credentials().await.expect("token").access().expect("token").token.expose().to_owned();
    // Keystone's tokens live TOKEN_LIFETIME_SECS; the session replaces a
    // token half-way through a life shorter than its 120 s margin.
    tokio::time::sleep(Duration::from_secs(TOKEN_LIFETIME_SECS / 2 + 1)).await;
    identity(&s).get("/projects").await.expect("second");
    let second = s.credentials().await.expect("token").access().expect("token").token.expose().to_owned();
    assert_ne!(first, second, "replaced before expiry");
    assert_eq!(s.auth_state().map(|a| a.fetches()), Some(2), "no 401 was needed");
}

#[tokio::test]
async fn the_example_daemon_finds_identity_through_the_catalog() {
    let Some(ks) = keystone() else { return };
    let d = Dir::new();
    let conf = d.write(
        "daemon.conf",
        format!(
            "[service_user]\nauth_type = v3password\nauth_url = {}\nusername = admin\npassword = {ADMIN_PASSWORD}\n\
             user_domain_name = Default\nproject_name = admin\nproject_domain_name = Default\n",
            ks.url
        ),
    );
    let exe = std::env::current_exe().expect("test exe");
    let daemon = exe.parent().and_then(|deps| deps.parent()).expect("target dir").join("examples/identity_daemon");
    assert!(daemon.exists(), "cargo test builds the examples: {}", daemon.display());
    let out = tokio::process::Command::new(&daemon)
        .arg("--config-file")
        .arg(&conf)
        .arg("--once")
        .output()
        .await
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(v["endpoint"], ks.url);
    assert!(v["projects"].as_array().is_some_and(|p| p.iter().any(|n| n == "admin")), "{v}");
    // The admin may list users too.
    assert!(v["users"].as_array().is_some_and(|u| u.iter().any(|n| n == "admin")), "{v}");
}
