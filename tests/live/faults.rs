//! The identity service failing under a running Session, with a real
//! Keystone of each test's own: stopped mid-run and served again, and
//! restarted with rotated fernet keys. (Clock skew between the identity
//! service and the local clock: tests/auth/session_clock.rs.)

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::keystone::{ADMIN_PASSWORD, Keystone, TOKEN_LIFETIME_SECS, private_keystone};
use common::server::{Recorded, Reply, TestServer};
use common::*;
use reqwest::Method;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::{self, PluginRegistry};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Request, Session};

fn admin_session(ks: &Keystone) -> Session {
    let d = Dir::new();
    let p = d.write(
        "svc.conf",
        format!(
            "[service_user]\nauth_type = password\nauth_url = {}\nusername = admin\npassword = {ADMIN_PASSWORD}\n\
             user_domain_id = default\nproject_name = admin\nproject_domain_id = default\n",
            ks.url
        ),
    );
    let reg = Registry::new();
    let loaded = auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"));
    Session::from_loaded(&loaded).expect("session")
}

fn fetches(s: &Session) -> u64 {
    s.auth_state().map_or(0, |a| a.fetches())
}

/// A service of our own that answers with the token it got, and refuses
/// (401) the tokens in its list.
async fn service(refused: Arc<Mutex<Vec<String>>>) -> TestServer {
    TestServer::start(move |r: &Recorded| {
        let token = r.header("x-auth-token").unwrap_or("").to_owned();
        if refused.lock().expect("lock").contains(&token) {
            return Reply::json(401, json!({"error": {"message": "token not valid"}}));
        }
        Reply::json(200, json!({"token": token}))
    })
    .await
}

async fn call(s: &Session, svc: &TestServer) -> Result<String, String> {
    let r = s.send(Request::get(format!("{}/v2/images", svc.url())).authenticated(true)).await;
    let r = r.map_err(|e| e.to_string())?;
    Ok(r.json::<serde_json::Value>().expect("json")["token"].as_str().unwrap_or("").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keystone_stopped_mid_run_then_back() {
    let Some(ks) = private_keystone() else { return };
    let refused = Arc::new(Mutex::new(Vec::new()));
    let svc = service(refused.clone()).await;
    let s = admin_session(&ks);
    let t1 = call(&s, &svc).await.expect("first call");
    assert!(t1.starts_with("gAAAA"), "a fernet token: {}…", &t1[..8.min(t1.len())]);
    assert_eq!(fetches(&s), 1);

    ks.stop();
    // The token is valid: the service goes on being served.
    for _ in 0..3 {
        assert_eq!(call(&s, &svc).await.as_deref(), Ok(t1.as_str()));
    }
    assert_eq!(fetches(&s), 1, "nothing asked of Keystone");
    // Past half its life the token is due for replacement; Keystone is
    // down, so the token, still valid, is kept (keystoneauth would fail
    // every request from here on).
    tokio::time::sleep(Duration::from_secs(TOKEN_LIFETIME_SECS / 2 + 1)).await;
    assert_eq!(call(&s, &svc).await.as_deref(), Ok(t1.as_str()));
    assert_eq!(fetches(&s), 2, "one refresh tried");
    // The service refuses the token now: a new one is needed, and the error
    // says Keystone cannot be reached, where.
    refused.lock().expect("lock").push(t1.clone());
    let e = call(&s, &svc).await.expect_err("no token to be had");
    let token_url = format!("{}/auth/tokens", ks.url);
    assert!(e.contains("cannot reach the identity service") && e.contains(&token_url), "{e}");

    ks.serve_again();
    let t2 = call(&s, &svc).await.expect("re-authenticated once Keystone is back");
    assert!(t2.starts_with("gAAAA") && t2 != t1);
    assert_eq!(call(&s, &svc).await.as_deref(), Ok(t2.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keystone_restarted_with_rotated_keys() {
    let Some(ks) = private_keystone() else { return };
    let s = admin_session(&ks);
    let identity = Adapter::new(&s).service_type("identity");
    assert_eq!(identity.get("/auth/projects").await.expect("projects").status, 200);
    let old = s.credentials().await.expect("token").access().expect("token").token.expose().to_owned();
    assert_eq!(fetches(&s), 1);

    ks.stop();
    // Key 1 signed the token; two rotations with three keys at most drop it.
    assert_eq!(ks.rotate_fernet_keys(2), ["0", "2", "3"]);
    ks.serve_again();
    let (status, body) = ks.api_with(&old, Method::GET, "/auth/projects", None).await;
    assert_eq!(status, 401, "the old token is refused: {body}");

    let r = identity.get("/auth/projects").await.expect("re-authenticated");
    assert_eq!(r.status, 200);
    assert_eq!(fetches(&s), 2, "exactly one re-authentication");
    let new = s.credentials().await.expect("token").access().expect("token").token.expose().to_owned();
    assert_ne!(new, old);
    assert_eq!(identity.get("/auth/projects").await.expect("again").status, 200);
    assert_eq!(fetches(&s), 2);
}
