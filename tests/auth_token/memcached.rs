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
use common::memcached::{Memcached, TlsFiles};
use common::tls::Ca;
use sha2::{Digest, Sha256};
use stackauth::auth_token::fixture::{FixtureTokens, V3Token};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, MemcacheConfig, MemcacheTls, Protection};
use stackauth::opt::Secret;
use std::path::PathBuf;
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
        let mut mc = MemcacheConfig::new(vec![m.addr()]);
        mc.protection = protection.map(|(p, k)| (p, Secret::new(k)));
        mc.socket_timeout = Duration::from_secs(1);
        mc.dead_retry = Duration::ZERO;
        mc.max_connections = 4;
        built.memcache = Some(mc);
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

/// A process whose cache is `mc` (built from the memcached's address).
fn process_with(mc: MemcacheConfig) -> Process {
    let source = source();
    let mut config = AuthTokenConfig::default();
    config.memcache = Some(mc);
    let layer = AuthTokenLayer::with_source(source.clone(), config).expect("layer");
    let app = Router::new().route("/x", get(|| async { "ok" })).layer(layer);
    Process { app, source }
}

fn stat(m: &Memcached, name: &str) -> u64 {
    m.stats().get(name).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no stat {name}"))
}

/// `total_connections` once every earlier connection is counted: memcached
/// counts one when a worker thread takes it up, so a read just after a
/// connect (`Memcached::start`'s readiness probe) can miss it on a loaded
/// machine. Each read is a connection of its own: two reads one apart mean
/// the count has caught up (the second is returned).
fn settled_total(m: &Memcached) -> u64 {
    let mut last = stat(m, "total_connections");
    for _ in 0..100 {
        let next = stat(m, "total_connections");
        if next == last + 1 {
            return next;
        }
        last = next;
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("memcached's total_connections never settled");
}

#[tokio::test]
async fn the_pool_caps_connections_and_closes_idle_ones() {
    let Some(m) = Memcached::start() else { return };
    let mut mc = MemcacheConfig::new(vec![m.addr()]);
    mc.max_connections = 2;
    mc.unused_timeout = Duration::from_millis(700);
    mc.dead_retry = Duration::ZERO;
    let p = Arc::new(process_with(mc));
    let tokens: Vec<String> = (0..40).map(|i| format!("{TOKEN}-{i}")).collect();
    for t in &tokens {
        p.source.add(t, V3Token::new("alice-id").project("proj-id", "demo"));
    }
    // `stats` itself is a connection: counted before and after.
    let before = settled_total(&m);
    let mut tasks = Vec::new();
    for t in tokens.clone() {
        let p = p.clone();
        tasks.push(tokio::spawn(async move { status(&p, &t).await }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), StatusCode::OK);
    }
    let opened = stat(&m, "total_connections") - before - 1;
    assert!((1..=2).contains(&opened), "memcache_pool_maxsize = 2, but {opened} connections were opened");
    assert_eq!(m.keys().len(), 40, "every validation was stored");
    // Idle past memcache_pool_unused_timeout: closed, and a new one opened.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let before = stat(&m, "total_connections");
    p.source.add("late-token", V3Token::new("alice-id").project("proj-id", "demo"));
    assert_eq!(status(&p, "late-token").await, StatusCode::OK);
    assert_eq!(stat(&m, "total_connections") - before - 1, 1, "the stale connections were not reused");
    // Within the timeout, the pooled one is reused.
    let before = stat(&m, "total_connections");
    assert_eq!(status(&p, TOKEN).await, StatusCode::OK);
    assert_eq!(stat(&m, "total_connections") - before - 1, 0, "a fresh idle connection is reused");
}

/// Files for memcached's TLS: a CA, the server's certificate for
/// 127.0.0.1 and its key, and a client certificate (with its key) from
/// another CA when `client_ca` is set.
struct TlsSetup {
    dir: common::Dir,
    ca: PathBuf,
    client_cert: PathBuf,
    files: TlsFiles,
}

fn tls_setup(require_client_cert: bool) -> TlsSetup {
    let dir = common::Dir::new();
    let ca = Ca::new("memcached test CA");
    let (cert, _, key) = ca.leaf(&["127.0.0.1"]);
    let client_ca = Ca::new("memcached clients CA");
    let (ccert, _, ckey) = client_ca.leaf(&["glance"]);
    let files = TlsFiles {
        cert: dir.write("server.pem", cert),
        key: dir.write("server.key", key.serialize_pem()),
        client_ca: require_client_cert.then(|| dir.write("clients-ca.pem", client_ca.pem())),
    };
    TlsSetup {
        ca: dir.write("ca.pem", ca.pem()),
        // Certificate and key in one file, as memcache_tls_certfile allows.
        client_cert: dir.write("client.pem", format!("{ccert}{}", ckey.serialize_pem())),
        files,
        dir,
    }
}

fn tls_config(m: &Memcached, ca: Option<&PathBuf>, cert: Option<&PathBuf>) -> MemcacheConfig {
    let mut tls = MemcacheTls::new();
    tls.cafile = ca.cloned();
    tls.certfile = cert.cloned();
    let mut mc = MemcacheConfig::new(vec![m.addr()]);
    mc.socket_timeout = Duration::from_secs(2);
    mc.dead_retry = Duration::ZERO;
    mc.tls = Some(tls);
    mc
}

#[tokio::test]
async fn tls_to_memcached_shares_validations_and_checks_the_server() {
    let t = tls_setup(false);
    let Some(m) = Memcached::start_tls(t.files.clone()) else { return };
    let a = process_with(tls_config(&m, Some(&t.ca), None));
    let b = process_with(tls_config(&m, Some(&t.ca), None));
    assert_eq!(status(&a, TOKEN).await, StatusCode::OK);
    assert_eq!(status(&b, TOKEN).await, StatusCode::OK);
    assert_eq!((a.source.calls(), b.source.calls()), (1, 0), "shared over TLS");
    assert_eq!(m.keys(), vec![plain_key(TOKEN)], "stored through the TLS port");
    // A server whose certificate does not chain to the CA given: not used.
    let other = Ca::new("another CA");
    let wrong_ca = t.dir.write("wrong-ca.pem", other.pem());
    let c = process_with(tls_config(&m, Some(&wrong_ca), None));
    assert_eq!(status(&c, TOKEN).await, StatusCode::OK);
    assert_eq!(c.source.calls(), 1, "the entry cannot be read from an unverified server");
    // Plain text to the TLS port: not a memcached conversation either.
    let mut plain = MemcacheConfig::new(vec![m.addr()]);
    plain.socket_timeout = Duration::from_millis(500);
    plain.dead_retry = Duration::ZERO;
    let d = process_with(plain);
    assert_eq!(status(&d, TOKEN).await, StatusCode::OK);
    assert_eq!(d.source.calls(), 1);
}

#[tokio::test]
async fn tls_with_a_client_certificate_when_memcached_requires_one() {
    let t = tls_setup(true);
    let Some(m) = Memcached::start_tls(t.files.clone()) else { return };
    let a = process_with(tls_config(&m, Some(&t.ca), Some(&t.client_cert)));
    assert_eq!(status(&a, TOKEN).await, StatusCode::OK);
    let b = process_with(tls_config(&m, Some(&t.ca), Some(&t.client_cert)));
    assert_eq!(status(&b, TOKEN).await, StatusCode::OK);
    assert_eq!((a.source.calls(), b.source.calls()), (1, 0), "shared with a client certificate");
    let c = process_with(tls_config(&m, Some(&t.ca), None));
    assert_eq!(status(&c, TOKEN).await, StatusCode::OK);
    assert_eq!(c.source.calls(), 1, "refused without a client certificate: a miss");
}

#[test]
fn an_unreadable_tls_file_is_an_error_when_the_layer_is_built() {
    let d = common::Dir::new();
    let not_pem = d.write("ca.pem", "not a certificate");
    let mut tls = MemcacheTls::new();
    tls.cafile = Some(not_pem);
    let mut mc = MemcacheConfig::new(vec!["127.0.0.1:11211".into()]);
    mc.tls = Some(tls);
    let mut config = AuthTokenConfig::default();
    config.memcache = Some(mc);
    let e = AuthTokenLayer::with_source(source(), config).expect_err("no certificate");
    assert!(e.to_string().contains("memcache_tls_cafile") && e.to_string().contains("ca.pem"), "{e}");
}
