//! The shared validation cache against a real memcached: shared by
//! independent layers (as by the processes of one service), keystonemiddleware's
//! keys, MAC and ENCRYPT protection, and degrading to validating every
//! request when memcached is down.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use base64::Engine as _;
use common::memcached::Memcached;
use sha2::{Digest, Sha256};
use stackauth::auth_token::fixture::{FixtureTokens, V3Token};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, MemcacheConfig, Protection};
use stackauth::opt::Secret;
use tower::ServiceExt;

const TOKEN: &str = "gAAAAABn-alice-fernet-token";

fn source() -> Arc<FixtureTokens> {
    let t = FixtureTokens::new();
    t.add(TOKEN, V3Token::new("alice-id").project("proj-id", "demo").role("member"));
    Arc::new(t)
}

/// One "process" of the service: its own layer, validator and token source,
/// sharing only memcached.
struct Process {
    app: Router,
    source: Arc<FixtureTokens>,
}

fn process(m: &Memcached, protection: Option<(Protection, &str)>) -> Process {
    let source = source();
    let config = {
        let mut built = AuthTokenConfig::default();
        built.memcache = Some(MemcacheConfig {
            servers: vec![m.addr()],
            protection: protection.map(|(p, k)| (p, Secret::new(k))),
            socket_timeout: Duration::from_secs(1),
            dead_retry: Duration::ZERO,
            max_idle: 4,
        });
        built
    };
    let layer = AuthTokenLayer::with_source(source.clone(), config).expect("layer");
    let app = Router::new().route("/x", get(|| async { "ok" })).layer(layer);
    Process { app, source }
}

async fn status(p: &Process, token: &str) -> StatusCode {
    let req = Request::builder().uri("/x").header("X-Auth-Token", token).body(Body::empty()).expect("request");
    p.app.clone().oneshot(req).await.expect("infallible").status()
}

fn plain_key(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    format!("tokens/{}", d.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn decoded_payload(entry: &[u8]) -> Vec<u8> {
    // keystonemiddleware: base64(HMAC-SHA384) (64 bytes) then base64(payload).
    base64::engine::general_purpose::STANDARD.decode(&entry[64..]).expect("base64 payload")
}

#[tokio::test]
async fn two_processes_share_one_validation() {
    let Some(m) = Memcached::start() else { return };
    let a = process(&m, None);
    let b = process(&m, None);
    assert_eq!(status(&a, TOKEN).await, StatusCode::OK);
    assert_eq!(status(&b, TOKEN).await, StatusCode::OK);
    assert_eq!(a.source.calls(), 1);
    assert_eq!(b.source.calls(), 0, "the second process found the first one's validation in memcached");
    // keystonemiddleware's key: tokens/ + SHA-256 of the token; never the token itself.
    let keys = m.keys();
    assert_eq!(keys, vec![plain_key(TOKEN)]);
    assert!(keys.iter().all(|k| !k.contains(TOKEN)));
    let entry = m.get(&plain_key(TOKEN)).expect("entry");
    let body: serde_json::Value = serde_json::from_slice(&entry).expect("the identity service's body");
    assert_eq!(body["token"]["user"]["id"], "alice-id");
}

#[tokio::test]
async fn mac_entries_cannot_be_altered_and_encrypt_entries_cannot_be_read() {
    for (p, readable) in [(Protection::Mac, true), (Protection::Encrypt, false)] {
        let Some(m) = Memcached::start() else { return };
        let token = format!("{TOKEN}-{p:?}");
        let a = process(&m, Some((p, "shared-secret")));
        a.source.add(&token, V3Token::new("alice-id").project("proj-id", "demo"));
        assert_eq!(status(&a, &token).await, StatusCode::OK);
        // The key is derived from the secret: neither the token nor its plain hash.
        let keys = m.keys();
        assert_eq!(keys.len(), 1, "{keys:?}");
        let key = keys[0].clone();
        assert!(!key.contains(&token) && key != plain_key(&token), "{key}");
        assert_eq!(key.len(), "tokens/".len() + 24, "tokens/ + base64 of 16 derived bytes: {key}");
        let entry = m.get(&key).expect("entry");
        let payload = decoded_payload(&entry);
        assert_eq!(
            String::from_utf8_lossy(&payload).contains("alice-id"),
            readable,
            "{p:?}: MAC leaves the body readable, ENCRYPT does not"
        );
        // Same key in another process: a hit.
        let b = process(&m, Some((p, "shared-secret")));
        b.source.add(&token, V3Token::new("alice-id").project("proj-id", "demo"));
        assert_eq!(status(&b, &token).await, StatusCode::OK);
        assert_eq!(b.source.calls(), 0, "{p:?}: shared");
        // Another key: cannot use the entry; validates itself.
        let c = process(&m, Some((p, "another-secret")));
        c.source.add(&token, V3Token::new("alice-id").project("proj-id", "demo"));
        assert_eq!(status(&c, &token).await, StatusCode::OK);
        assert_eq!(c.source.calls(), 1, "{p:?}: another key is a miss");
        // Tampered: one byte of the payload changed. A miss (validated again), never trusted.
        let mut bad = entry.clone();
        let last = bad.len() - 3;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        m.set(&key, &bad);
        let d = process(&m, Some((p, "shared-secret")));
        d.source.add(&token, V3Token::new("alice-id").project("proj-id", "demo"));
        assert_eq!(status(&d, &token).await, StatusCode::OK);
        assert_eq!(d.source.calls(), 1, "{p:?}: a tampered entry is a miss");
        // A forged, unprotected entry for a token the identity service has
        // revoked: refused (the entry fails its check; validation says no).
        m.set(&key, br#"{"token": {"user": {"id": "root"}, "expires_at": "2099-01-01T00:00:00Z"}}"#);
        let e = process(&m, Some((p, "shared-secret")));
        assert_eq!(status(&e, &token).await, StatusCode::UNAUTHORIZED, "{p:?}: forged entry trusted");
        assert_eq!(e.source.calls(), 1);
    }
}

#[tokio::test]
async fn memcached_down_degrades_to_validating_every_request() {
    let Some(mut m) = Memcached::start() else { return };
    let a = process(&m, None);
    assert_eq!(status(&a, TOKEN).await, StatusCode::OK);
    assert_eq!(status(&a, TOKEN).await, StatusCode::OK);
    assert_eq!(a.source.calls(), 1);
    m.stop();
    for _ in 0..3 {
        assert_eq!(status(&a, TOKEN).await, StatusCode::OK, "memcached down is never an error for the user");
    }
    assert_eq!(a.source.calls(), 4, "every request validated while memcached is down");
    m.restart();
    assert_eq!(status(&a, TOKEN).await, StatusCode::OK);
    let b = process(&m, None);
    assert_eq!(status(&b, TOKEN).await, StatusCode::OK);
    assert_eq!(b.source.calls(), 0, "shared again once memcached is back");
}
