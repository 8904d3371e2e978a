//! Tokens whose times disagree with the local clock, and an identity
//! service that fails while the current token is still valid: a local
//! HTTP server plays the identity service and a service behind it.
//!
//! keystoneauth compares `expires_at` with the local clock: when the local
//! clock is ahead by more than a token's life, every request fetches a new
//! token. The Session counts a new token's life (`expires_at` less
//! `issued_at`, both by the identity service's clock) from when it asked.

use crate::common;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::server::{Recorded, Reply, TestServer, v3_token_body};
use serde_json::json;
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::opt::Secret;
use stackauth::session::{Request, Session};

/// How the identity service stamps the tokens it issues.
#[derive(Clone, Copy)]
struct Stamp {
    /// Its clock less the local one.
    skew: i64,
    /// How long its tokens live.
    life: u64,
    /// Whether `issued_at` is sent.
    issued_at: bool,
}

/// An identity service (`/v3/auth/tokens`, tokens `tok-1`, `tok-2`...) and
/// a service (`/svc`) that refuses the tokens listed in `refused`; token
/// requests fail with 503 while `down` is set.
struct Cloud {
    server: TestServer,
    down: Arc<AtomicBool>,
    refused: Arc<Mutex<Vec<String>>>,
}

fn at(offset: i64) -> String {
    let now = SystemTime::now();
    let t = if offset >= 0 {
        now + Duration::from_secs(offset as u64)
    } else {
        now - Duration::from_secs(offset.unsigned_abs())
    };
    common::iso8601(t)
}

async fn cloud(stamp: Stamp) -> Cloud {
    let (down, refused) = (Arc::new(AtomicBool::new(false)), Arc::new(Mutex::new(Vec::<String>::new())));
    let issued = Arc::new(AtomicU32::new(0));
    let (d, r) = (down.clone(), refused.clone());
    let server = TestServer::start(move |req: &Recorded| {
        if req.method == "POST" && req.path.starts_with("/v3/auth/tokens") {
            if d.load(Ordering::SeqCst) {
                return Reply::json(503, json!({"error": {"message": "identity is down"}}));
            }
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            let mut body = v3_token_body(&at(stamp.skew + stamp.life as i64), "http://unused");
            body["token"]["issued_at"] = if stamp.issued_at { at(stamp.skew).into() } else { serde_json::Value::Null };
            return Reply::json(201, body).header("X-Subject-Token", &format!("tok-{n}"));
        }
        let token = req.header("x-auth-token").unwrap_or("").to_owned();
        if r.lock().expect("lock").contains(&token) {
            return Reply::json(401, json!({"error": {"message": "token not valid"}}));
        }
        Reply::json(200, json!({"token": token}))
    })
    .await;
    Cloud { server, down, refused }
}

impl Cloud {
    fn session(&self) -> Session {
        let m = AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new("pw") };
        let plugin = V3Auth::new("v3password", &format!("{}/v3", self.server.url()), vec![m], Scope::Default);
        Session::builder().auth(plugin.into_plugin()).build().expect("session")
    }

    /// A request to the service; the token it was sent with.
    async fn call(&self, s: &Session) -> Result<String, String> {
        let r = s
            .send(Request::get(format!("{}/svc", self.server.url())).authenticated(true))
            .await
            .map_err(|e| e.to_string())?;
        Ok(r.json::<serde_json::Value>().expect("json")["token"].as_str().unwrap_or("").to_owned())
    }

    fn token_requests(&self) -> usize {
        self.server.requests().iter().filter(|r| r.method == "POST").count()
    }
}

const HOURS_2: i64 = 2 * 3600;

#[tokio::test]
async fn a_token_already_expired_by_the_local_clock_lives_its_life() {
    // The identity service's clock is two hours behind: its 4 s tokens
    // have "expired" on arrival by the local clock.
    let c = cloud(Stamp { skew: -HOURS_2, life: 4, issued_at: true }).await;
    let s = c.session();
    for _ in 0..3 {
        assert_eq!(c.call(&s).await.as_deref(), Ok("tok-1"));
    }
    assert_eq!(c.token_requests(), 1, "not one fetch per request");
    // Replaced half-way through its 4 s life, as any short-lived token.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-2"));
    assert_eq!(c.token_requests(), 2);
}

#[tokio::test]
async fn a_token_expiring_far_ahead_by_the_local_clock_is_still_replaced_in_time() {
    // Two hours ahead: by the local clock its tokens expire in 2 h 4 s,
    // but they live 4 s.
    let c = cloud(Stamp { skew: HOURS_2, life: 4, issued_at: true }).await;
    let s = c.session();
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-1"));
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-1"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-2"), "replaced before it expires for the service");
    assert_eq!(c.token_requests(), 2);
}

#[tokio::test]
async fn without_issued_at_an_expired_token_is_used_until_refused() {
    // No issue time to measure by, and "expired" on arrival: fetching again
    // would give the same; it is used until the service refuses it.
    let c = cloud(Stamp { skew: -HOURS_2, life: 3600, issued_at: false }).await;
    let s = c.session();
    for _ in 0..3 {
        assert_eq!(c.call(&s).await.as_deref(), Ok("tok-1"));
    }
    assert_eq!(c.token_requests(), 1);
    c.refused.lock().expect("lock").push("tok-1".into());
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-2"), "one re-authentication after the 401");
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-2"));
    assert_eq!(c.token_requests(), 2);
}

#[tokio::test]
async fn while_identity_is_down_a_valid_token_is_kept_until_it_expires() {
    let c = cloud(Stamp { skew: 0, life: 6, issued_at: true }).await;
    let s = c.session();
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-1"));
    c.down.store(true, Ordering::SeqCst);
    // Past half its life the token is due for replacement; the identity
    // service fails, and the token, still valid, goes on being used.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-1"));
    assert_eq!(c.token_requests(), 2, "one refresh tried");
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-1"));
    assert_eq!(c.token_requests(), 2, "not again at once");
    // Expired: now the error says why.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let e = c.call(&s).await.expect_err("no valid token");
    assert!(e.contains("/v3/auth/tokens") && e.contains("HTTP 503") && e.contains("identity is down"), "{e}");
    // Back: a new token.
    c.down.store(false, Ordering::SeqCst);
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-2"));
}

#[tokio::test]
async fn a_token_refused_while_identity_is_down_is_an_error_at_once() {
    let c = cloud(Stamp { skew: 0, life: 3600, issued_at: true }).await;
    let s = c.session();
    assert_eq!(c.call(&s).await.as_deref(), Ok("tok-1"));
    c.down.store(true, Ordering::SeqCst);
    c.refused.lock().expect("lock").push("tok-1".into());
    let e = c.call(&s).await.expect_err("refused, and no new token");
    assert!(e.contains("HTTP 503") && e.contains("identity is down"), "{e}");
    assert_eq!(c.token_requests(), 2);
}
