//! What the auth_token layer logs, at TRACE: never a token (only
//! `{SHA256}<hex>`), never the memcache secret key; a tampered memcached
//! entry and memcached being down are warned about; an unreachable
//! identity service says so; an identity service whose error bodies quote
//! the token (`Could not find token: <id>`) never gets them into the log.
//! Alone in its test binary (the subscriber is process-wide).

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use common::memcached::Memcached;
use common::server::{Recorded, Reply, TestServer, v3_token_body};
use stackauth::auth::Interface;
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::auth_token::IdentityServer;
use stackauth::auth_token::fixture::{FixtureTokens, V3Token};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, MemcacheConfig, Protection};
use stackauth::opt::Secret;
use stackauth::session::Session;
use tower::ServiceExt;

const TOKEN: &str = "gAAAAABn-secret-user-token";
const SERVICE_TOKEN: &str = "gAAAAABn-secret-service-token";
const KEY: &str = "memcache-secret-key-value";

async fn status(app: &Router, headers: &[(&str, &str)]) -> StatusCode {
    let mut b = Request::builder().uri("/x");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    app.clone().oneshot(b.body(Body::empty()).expect("request")).await.expect("infallible").status()
}

#[tokio::test]
async fn logs_show_what_happened_and_no_secret() {
    let buf = common::logs::capture(tracing::Level::TRACE);
    let Some(mut m) = Memcached::start() else { return };
    let tokens = Arc::new(FixtureTokens::new());
    tokens.add(TOKEN, V3Token::new("alice-id").project("p", "demo").role("member"));
    tokens.add(SERVICE_TOKEN, V3Token::new("nova-id").project("s", "service").role("service"));
    let config = {
        let mut built = AuthTokenConfig::default();
        let mut mc = MemcacheConfig::new(vec![m.addr()]);
        mc.protection = Some((Protection::Encrypt, Secret::new(KEY)));
        mc.socket_timeout = Duration::from_secs(1);
        mc.dead_retry = Duration::ZERO;
        mc.max_connections = 2;
        built.memcache = Some(mc);
        built
    };
    let layer = AuthTokenLayer::with_source(tokens.clone(), config).expect("layer");
    let app = Router::new().route("/x", get(|| async { "ok" })).layer(layer);

    assert_eq!(status(&app, &[("X-Auth-Token", TOKEN), ("X-Service-Token", SERVICE_TOKEN)]).await, StatusCode::OK);
    assert_eq!(status(&app, &[("X-Auth-Token", "wrong-secret-token")]).await, StatusCode::UNAUTHORIZED);
    // Tamper with the user token's entry.
    let keys = m.keys();
    assert_eq!(keys.len(), 2, "{keys:?}");
    for k in &keys {
        let mut e = m.get(k).expect("entry");
        e[70] ^= 1;
        m.set(k, &e);
    }
    assert_eq!(status(&app, &[("X-Auth-Token", TOKEN)]).await, StatusCode::OK);
    // memcached down, then the identity service too.
    m.stop();
    assert_eq!(status(&app, &[("X-Auth-Token", TOKEN)]).await, StatusCode::OK);
    tokens.set_unavailable(true);
    assert_eq!(status(&app, &[("X-Auth-Token", "another-secret-token")]).await, StatusCode::SERVICE_UNAVAILABLE);
    // An outage is one ERROR line, not one per request (20 on the old code).
    for i in 0..20 {
        let t = format!("outage-token-{i}");
        assert_eq!(status(&app, &[("X-Auth-Token", &t)]).await, StatusCode::SERVICE_UNAVAILABLE);
    }
    let errors =
        buf.text().lines().filter(|l| l.contains("ERROR") && l.contains("identity service is unavailable")).count();
    assert!((1..=2).contains(&errors), "{errors} ERROR lines for 21 failed validations");

    // An identity service that quotes the token in its 404 and 500 bodies.
    let identity = TestServer::start(|r: &Recorded| {
        let base = format!("http://{}", r.header("host").unwrap_or(""));
        let subject = r.header("x-subject-token").unwrap_or("").to_owned();
        match (r.method.as_str(), r.path.split('?').next().unwrap_or("")) {
            ("POST", "/v3/auth/tokens") => {
                Reply::json(201, v3_token_body("2099-01-01T00:00:00Z", &format!("{base}/v3")))
                    .header("X-Subject-Token", "service-own-token")
            }
            ("GET", "/v3/auth/tokens") if subject.starts_with("gone") => Reply::json(
                404,
                serde_json::json!({"error": {"code": 404, "message": format!("Could not find token: {subject}")}}),
            ),
            ("GET", "/v3/auth/tokens") => {
                Reply::json(500, serde_json::json!({"error": {"code": 500, "message": format!("failed on {subject}")}}))
            }
            _ => Reply::json(404, serde_json::json!({"error": {"message": "not here"}})),
        }
    })
    .await;
    let m = AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new("pw") };
    let plugin = V3Auth::new("v3password", &format!("{}/v3", identity.url()), vec![m], Scope::ProjectId("p1".into()))
        .into_plugin();
    let session = Session::builder().auth(plugin).build().expect("session");
    let source = IdentityServer::new(&session, Interface::Public, None, 0);
    let layer = AuthTokenLayer::with_source(Arc::new(source), AuthTokenConfig::default()).expect("layer");
    let quoting = Router::new().route("/x", get(|| async { "ok" })).layer(layer.clone());
    assert_eq!(status(&quoting, &[("X-Auth-Token", "gone-secret-token-1")]).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(&quoting, &[("X-Auth-Token", "gone-secret-token-1")]).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(&quoting, &[("X-Auth-Token", "broken-secret-token-2")]).await, StatusCode::SERVICE_UNAVAILABLE);
    tracing::info!(layer = ?layer, "the layer's Debug");

    // memcached without a security strategy: anyone who can write to it
    // can forge identities; said once, at start.
    let unprotected = {
        let mut built = AuthTokenConfig::default();
        let mut mc = MemcacheConfig::new(vec!["127.0.0.1:1".into()]);
        mc.protection = None;
        mc.socket_timeout = Duration::from_secs(1);
        mc.dead_retry = Duration::ZERO;
        mc.max_connections = 2;
        built.memcache = Some(mc);
        built
    };
    let _ = AuthTokenLayer::with_source(tokens.clone(), unprotected).expect("layer");

    let log = buf.text();
    assert_eq!(
        log.matches("memcache_security_strategy is not set").count(),
        1,
        "warned once, for the unprotected layer:\n{log}"
    );
    for secret in [
        TOKEN,
        SERVICE_TOKEN,
        "wrong-secret-token",
        "another-secret-token",
        KEY,
        "gone-secret-token-1",
        "broken-secret-token-2",
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
    assert!(log.contains(&common::token_hash("wrong-secret-token")), "invalid tokens by hash:\n{log}");
    assert!(log.contains("memcached token entry refused"), "tampered entry warned:\n{log}");
    assert!(log.contains("memcached unavailable"), "memcached down warned:\n{log}");
    assert!(log.contains("the identity service is unavailable"), "unreachable identity service:\n{log}");
    assert!(log.contains("request authenticated") && log.contains("alice-id"), "who called, at debug:\n{log}");
}
