//! The adversarial review's findings on the auth_token layer (issue 17),
//! one test each, through the layer in front of an axum service: access
//! rule matching that must stay linear, single-flight entries that must
//! not outlive cancelled requests, access rules that a merely present
//! service token must not switch off, a context that must not hand out an
//! unconfirmed caller, and a Debug that must not print cached tokens.

use crate::common;

use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Waker};

use axum::Router;
use axum::body::Body;
use axum::extract::Extension;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::any;
use common::server::{Recorded, Reply, TestServer};
use http_body_util::BodyExt;
use serde_json::{Value as J, json};
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::auth::transport::BoxFuture;
use stackauth::auth::{AuthPlugin, Interface};
use stackauth::auth_token::fixture::{FixtureTokens, V3Token};
use stackauth::auth_token::{
    AuthTokenConfig, AuthTokenLayer, IdentityServer, SourceError, TokenSource, UserContext, ValidateTokenOptions,
    Validated,
};
use stackauth::opt::Secret;
use stackauth::session::Session;
use tower::ServiceExt;

/// What the handler was given: the identity status header and the context.
async fn echo(headers: HeaderMap, ctx: Option<Extension<UserContext>>) -> axum::Json<J> {
    let status = headers.get("x-identity-status").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let ctx = ctx.map(|Extension(c)| {
        json!({
            "authenticated": c.is_authenticated(),
            "user_id": c.user_id(),
            "admin": c.has_role("admin"),
            "roles": c.roles(),
            "plugin": c.auth_plugin().is_some(),
        })
    });
    let names: Vec<&str> = headers.keys().map(|k| k.as_str()).collect();
    let connection = headers.get("connection").and_then(|v| v.to_str().ok());
    axum::Json(json!({"status": status, "context": ctx, "names": names, "connection": connection}))
}

fn app(layer: &AuthTokenLayer) -> Router {
    Router::new().route("/{*path}", any(echo)).layer(layer.clone())
}

async fn send(app: &Router, path: &str, headers: &[(&str, &str)]) -> (StatusCode, J) {
    let mut b = Request::builder().uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let resp = app.clone().oneshot(b.body(Body::empty()).expect("request")).await.expect("infallible");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(J::Null))
}

fn appcred(rules: &[(&str, &str, &str)]) -> V3Token {
    V3Token::new("frank-id").project("p", "p").application_credential("ac-id", rules).service(
        "image",
        "glance",
        [("public", "http://glance.example/")],
    )
}

fn image_config() -> AuthTokenConfig {
    {
        let mut built = AuthTokenConfig::default();
        built.service_type = Some("image".into());
        built
    }
}

// 1. Access rules: a pattern of several `**` against a long path made the
// backtracking matcher exponential (minutes of CPU on a tokio worker). This
// test did not finish on the old matcher; the benchmark row
// "access rules, worst case" in benches/auth_token.rs measures the new one.
#[tokio::test]
async fn the_worst_access_rule_pattern_answers_on_a_long_path() {
    let t = FixtureTokens::new();
    t.add("worst-token", appcred(&[("image", "GET", "/**/**/**/**/**/**/**/x")]));
    t.add("wide-token", appcred(&[("image", "GET", "/v2/**")]));
    let layer = AuthTokenLayer::with_source(Arc::new(t), image_config()).expect("layer");
    let app = app(&layer);
    // 4,000 bytes: under the length cap, so the matcher itself is tested.
    let long = "/a".repeat(2_000);
    let (status, _) = send(&app, &long, &[("X-Auth-Token", "worst-token")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no rule allows it");
    let (status, _) = send(&app, &format!("{long}/x"), &[("X-Auth-Token", "worst-token")]).await;
    assert_eq!(status, StatusCode::OK, "the rule allows it");
    // Over the cap: refused whatever the rules say.
    let too_long = format!("/v2/{}", "b/".repeat(5_000));
    let (status, _) = send(&app, &too_long, &[("X-Auth-Token", "wide-token")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a path over the cap is not matched");
    let (status, _) = send(&app, "/v2/images/abc/file", &[("X-Auth-Token", "wide-token")]).await;
    assert_eq!(status, StatusCode::OK);
}

/// A source that never answers: every validation waits until cancelled.
#[derive(Debug)]
struct Hang;

impl TokenSource for Hang {
    fn validate<'a>(&'a self, _: &'a Secret, _: ValidateTokenOptions) -> BoxFuture<'a, Result<Validated, SourceError>> {
        Box::pin(std::future::pending())
    }
}

fn request(token: &str) -> Request<Body> {
    Request::builder().uri("/x").header("X-Auth-Token", token).body(Body::empty()).expect("request")
}

// 2. A request dropped while its token was being validated (a client that
// disconnects, a timeout layer) left its single-flight entry behind for
// good: 100,000 random tokens, 100,000 entries on the old code.
#[tokio::test]
async fn cancelled_validations_leave_no_single_flight_entry() {
    let layer = AuthTokenLayer::with_source(Arc::new(Hang), AuthTokenConfig::default()).expect("layer");
    let app = app(&layer);
    let mut cx = Context::from_waker(Waker::noop());
    for i in 0..100_000u32 {
        let mut fut = pin!(app.clone().oneshot(request(&format!("random-token-{i}"))));
        assert!(fut.as_mut().poll(&mut cx).is_pending(), "the source never answers");
        if i == 0 {
            assert_eq!(layer.validator().in_flight(), 1, "the validation under way is in the map");
        }
    }
    assert_eq!(layer.validator().in_flight(), 0, "every cancelled validation removed its entry");
}

// 2. The map is bounded: requests over the bound are validated without
// being joined (the source is still asked once per request).
#[tokio::test]
async fn the_single_flight_map_is_bounded() {
    let layer = AuthTokenLayer::with_source(Arc::new(Hang), AuthTokenConfig::default()).expect("layer");
    let app = app(&layer);
    let mut cx = Context::from_waker(Waker::noop());
    let mut waiting = Vec::new();
    for i in 0..6_000u32 {
        let mut fut = Box::pin(app.clone().oneshot(request(&format!("random-token-{i}"))));
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        waiting.push(fut);
    }
    let n = layer.validator().in_flight();
    assert!(n > 0 && n <= stackauth::auth_token::MAX_IN_FLIGHT, "{n} entries");
    drop(waiting);
    assert_eq!(layer.validator().in_flight(), 0);
}

// 4. A token restricted by access rules, with any X-Service-Token at all
// (here one that is not valid), was treated as unrestricted under
// delay_auth_decision: the service saw a confirmed caller.
#[tokio::test]
async fn access_rules_apply_unless_the_service_token_is_confirmed() {
    let t = FixtureTokens::new();
    t.add("appcred-token", appcred(&[("image", "GET", "/v2/images")]));
    t.add("nova-token", V3Token::new("nova-id").project("service-proj", "service").role("service"));
    let config = {
        let mut built = image_config();
        built.delay_auth_decision = true;
        built
    };
    let layer = AuthTokenLayer::with_source(Arc::new(t), config).expect("layer");
    let app = app(&layer);
    let (_, body) =
        send(&app, "/v2/images/abc/file", &[("X-Auth-Token", "appcred-token"), ("X-Service-Token", "x")]).await;
    assert_eq!(body["status"], "Invalid", "{body}");
    assert_eq!(body["context"]["user_id"], J::Null, "{body}");
    // A confirmed service token: a service acting for the user.
    let (_, body) =
        send(&app, "/v2/images/abc/file", &[("X-Auth-Token", "appcred-token"), ("X-Service-Token", "nova-token")])
            .await;
    assert_eq!(body["status"], "Confirmed", "{body}");
    assert_eq!(body["context"]["authenticated"], true, "{body}");
}

// 4. A valid user token with an invalid service token is not an
// authenticated request: the context's accessors must not answer as if it
// were (a handler checking `has_role("admin")` alone let it through).
#[tokio::test]
async fn the_context_hands_out_no_identity_of_an_unauthenticated_request() {
    let t = FixtureTokens::new();
    t.add("admin-token", V3Token::new("root-id").project("p", "p").role("admin"));
    let config = {
        let mut built = AuthTokenConfig::default();
        built.delay_auth_decision = true;
        built
    };
    let layer = AuthTokenLayer::with_source(Arc::new(t), config).expect("layer");
    let app = app(&layer);
    let (_, body) = send(&app, "/x", &[("X-Auth-Token", "admin-token"), ("X-Service-Token", "forged")]).await;
    let ctx = &body["context"];
    assert_eq!(ctx["authenticated"], false, "{body}");
    assert_eq!(ctx["admin"], false, "{body}");
    assert_eq!(ctx["user_id"], J::Null, "{body}");
    assert_eq!(ctx["roles"], json!([]), "{body}");
    assert_eq!(ctx["plugin"], false, "{body}");
    let (_, body) = send(&app, "/x", &[("X-Auth-Token", "admin-token")]).await;
    assert_eq!(body["context"]["admin"], true, "{body}");
}

// 5. Debug of the layer printed the cached validations (who, roles,
// catalog) and the negative cache's reasons.
#[tokio::test]
async fn debug_prints_counts_not_cached_tokens() {
    let t = FixtureTokens::new();
    t.add("alice-token", V3Token::new("alice-id").project("secret-project-id", "demo").role("member"));
    let layer = AuthTokenLayer::with_source(Arc::new(t), AuthTokenConfig::default()).expect("layer");
    let app = app(&layer);
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "alice-token")]).await.0, StatusCode::OK);
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "bad-token")]).await.0, StatusCode::UNAUTHORIZED);
    let debug = format!("{layer:?} {:?}", layer.validator());
    for leak in ["alice-id", "secret-project-id", "alice-token", "bad-token", "member"] {
        assert!(!debug.contains(leak), "{leak} in {debug}");
    }
    assert!(debug.contains("cached: 1") && debug.contains("rejected: 1"), "{debug}");
}

/// An identity service whose token-validation answers quote the token, as
/// some Keystone paths do (`Could not find token: <id>`).
/// The service's own Session, authenticating as `u1` at `server`'s `/v3`.
fn service_session(server: &TestServer) -> Session {
    let m = AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new("pw") };
    let plugin: Arc<dyn AuthPlugin> =
        V3Auth::new("v3password", &format!("{}/v3", server.url()), vec![m], Scope::ProjectId("p1".into()))
            .into_plugin();
    Session::builder().auth(plugin).build().expect("session")
}

async fn quoting_identity() -> (TestServer, IdentityServer) {
    let server = TestServer::start(|r: &Recorded| {
        let base = format!("http://{}", r.header("host").unwrap_or(""));
        let subject = r.header("x-subject-token").unwrap_or("").to_owned();
        match (r.method.as_str(), r.path.split('?').next().unwrap_or("")) {
            ("POST", "/v3/auth/tokens") => {
                Reply::json(201, common::server::v3_token_body("2099-01-01T00:00:00Z", &format!("{base}/v3")))
                    .header("X-Subject-Token", "service-own-token")
            }
            ("GET", "/v3/auth/tokens") if subject.starts_with("gone") => {
                Reply::json(404, json!({"error": {"code": 404, "message": format!("Could not find token: {subject}")}}))
            }
            ("GET", "/v3/auth/tokens") => {
                Reply::json(500, json!({"error": {"code": 500, "message": format!("failed on {subject}")}}))
            }
            _ => Reply::json(404, json!({"error": {"message": "not here"}})),
        }
    })
    .await;
    let session = service_session(&server);
    let source = IdentityServer::new(&session, Interface::Public, None, 0);
    (server, source)
}

// 5. A 404 reason quoting the token went into the INFO log, the negative
// cache and SourceError's Display; so did any other error body.
#[tokio::test]
async fn identity_service_bodies_never_reach_errors() {
    let (_server, source) = quoting_identity().await;
    let options = {
        let mut built = ValidateTokenOptions::default();
        built.allow_expired = false;
        built.include_catalog = true;
        built
    };
    let gone = Secret::new("gone-secret-token-1");
    let e = source.validate(&gone, options).await.expect_err("404");
    assert!(matches!(e, SourceError::Invalid(_)), "{e:?}");
    assert!(!e.to_string().contains("gone-secret-token-1"), "{e}");
    let broken = Secret::new("broken-secret-token-2");
    let e = source.validate(&broken, options).await.expect_err("500");
    assert!(matches!(e, SourceError::Unavailable(_)), "{e:?}");
    assert!(!e.to_string().contains("broken-secret-token-2") && e.to_string().contains("500"), "{e}");
}

// 10. The identity service accepts the connection and never answers: with
// no http_connect_timeout every request waited with it, for good (on the
// old code this test reached its 120 s bound). Now the default timeout
// (10 s) answers 503.
#[tokio::test]
async fn a_hung_identity_service_is_503_by_default() {
    let server = TestServer::start(|r: &Recorded| {
        let base = format!("http://{}", r.header("host").unwrap_or(""));
        let body = common::server::v3_token_body("2099-01-01T00:00:00Z", &format!("{base}/v3"));
        match (r.method.as_str(), r.path.split('?').next().unwrap_or("")) {
            ("POST", "/v3/auth/tokens") => Reply::json(201, body).header("X-Subject-Token", "service-own-token"),
            ("GET", "/v3/auth/tokens") => Reply::json(200, body).after(std::time::Duration::from_secs(3600)),
            _ => Reply::json(404, json!({"error": {"message": "not here"}})),
        }
    })
    .await;
    let session = service_session(&server);
    let config = {
        let mut built = AuthTokenConfig::default();
        built.interface = Interface::Public;
        built
    };
    let layer = AuthTokenLayer::from_session(&session, config).expect("layer");
    let app = app(&layer);
    let bound = std::time::Duration::from_secs(120);
    let (status, _) = tokio::time::timeout(bound, send(&app, "/x", &[("X-Auth-Token", "some-user-token")]))
        .await
        .expect("a hung identity service must not hang the request");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

// 6. A token over 8 KiB went to the identity service, whose front end
// answers 400, which became a 503 and an ERROR log line per request. Now
// it is refused locally (the source is never asked: 1 call on the old code).
#[tokio::test]
async fn an_oversized_token_is_refused_without_asking() {
    let t = Arc::new(FixtureTokens::new());
    let big = "g".repeat(8 * 1024 + 1);
    t.add(&big, V3Token::new("big-id").project("p", "p"));
    let layer = AuthTokenLayer::with_source(t.clone(), AuthTokenConfig::default()).expect("layer");
    let app = app(&layer);
    let (status, _) = send(&app, "/x", &[("X-Auth-Token", &big)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(&app, "/x", &[("X-Auth-Token", "alice-token"), ("X-Service-Token", &big)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(t.calls(), 1, "only alice-token was asked about");
}

// 6. 400, 413 and 431 from the identity service are about the token (too
// long, malformed): Invalid and 401, not "unavailable" and 503 (the old
// code answered 503 to all three).
#[tokio::test]
async fn a_400_413_or_431_from_the_identity_service_is_an_invalid_token() {
    let server = TestServer::start(|r: &Recorded| {
        let base = format!("http://{}", r.header("host").unwrap_or(""));
        let subject = r.header("x-subject-token").unwrap_or("").to_owned();
        match (r.method.as_str(), r.path.split('?').next().unwrap_or("")) {
            ("POST", "/v3/auth/tokens") => {
                Reply::json(201, common::server::v3_token_body("2099-01-01T00:00:00Z", &format!("{base}/v3")))
                    .header("X-Subject-Token", "service-own-token")
            }
            ("GET", "/v3/auth/tokens") => Reply::empty(subject.parse().unwrap_or(500)),
            _ => Reply::json(404, json!({"error": {"message": "not here"}})),
        }
    })
    .await;
    let session = service_session(&server);
    let config = {
        let mut built = AuthTokenConfig::default();
        built.interface = Interface::Public;
        built
    };
    let app = app(&AuthTokenLayer::from_session(&session, config).expect("layer"));
    for code in ["400", "413", "431"] {
        assert_eq!(send(&app, "/x", &[("X-Auth-Token", code)]).await.0, StatusCode::UNAUTHORIZED, "{code}");
    }
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "500")]).await.0, StatusCode::SERVICE_UNAVAILABLE);
}

fn alice() -> Arc<FixtureTokens> {
    let t = FixtureTokens::new();
    t.add("alice-token", V3Token::new("alice-id").project("p", "p").role("member"));
    t.add("bob-token", V3Token::new("bob-id").project("p", "p").role("member"));
    Arc::new(t)
}

// 7. Two different token values: the old code took the first, so a proxy
// that logs or checks the last one saw another token than the service.
#[tokio::test]
async fn a_token_header_sent_twice_with_different_values_is_refused() {
    let app = app(&AuthTokenLayer::with_source(alice(), AuthTokenConfig::default()).expect("layer"));
    let twice = [("X-Auth-Token", "alice-token"), ("X-Auth-Token", "bob-token")];
    assert_eq!(send(&app, "/x", &twice).await.0, StatusCode::UNAUTHORIZED);
    let both = [("X-Auth-Token", "alice-token"), ("X-Storage-Token", "bob-token")];
    assert_eq!(send(&app, "/x", &both).await.0, StatusCode::UNAUTHORIZED);
    let same = [("X-Auth-Token", "alice-token"), ("X-Auth-Token", "alice-token")];
    assert_eq!(send(&app, "/x", &same).await.0, StatusCode::OK, "the same value twice is one token");
    let service = [("X-Auth-Token", "alice-token"), ("X-Service-Token", "bob-token"), ("X-Service-Token", "x")];
    assert_eq!(send(&app, "/x", &service).await.0, StatusCode::UNAUTHORIZED);
}

// 7. A WSGI or CGI backend maps `X_Roles` and `X-Roles` to the same
// HTTP_X_ROLES: the old code removed only the dashed spelling, so a client's
// `X_Roles: admin` reached such a backend. And a `Connection` header naming
// an identity header lets a hop-by-hop proxy behind the layer drop the one
// the layer set.
#[tokio::test]
async fn underscore_spellings_and_connection_tokens_of_identity_headers_are_removed() {
    let app = app(&AuthTokenLayer::with_source(alice(), AuthTokenConfig::default()).expect("layer"));
    let forged = [
        ("X-Auth-Token", "alice-token"),
        ("X_Roles", "admin"),
        ("X_User_Id", "root-id"),
        ("x_identity_status", "Confirmed"),
        ("X_Service_Roles", "service"),
        ("Connection", "keep-alive, X-Roles, x_identity_status, X-Service-Token"),
    ];
    let (status, body) = send(&app, "/x", &forged).await;
    assert_eq!(status, StatusCode::OK);
    let names = body["names"].as_array().cloned().unwrap_or_default();
    for forged in ["x_roles", "x_user_id", "x_identity_status", "x_service_roles"] {
        assert!(!names.contains(&json!(forged)), "{forged} reached the service: {body}");
    }
    assert!(names.contains(&json!("x-roles")), "the layer's own: {body}");
    assert_eq!(body["connection"], "keep-alive, X-Service-Token", "{body}");
}

fn memcache_config(m: &common::memcached::Memcached) -> AuthTokenConfig {
    {
        let mut built = AuthTokenConfig::default();
        let mut mc = stackauth::auth_token::MemcacheConfig::new(vec![m.addr()]);
        mc.protection = None;
        mc.socket_timeout = std::time::Duration::from_secs(2);
        mc.dead_retry = std::time::Duration::from_secs(300);
        mc.max_connections = 2;
        built.memcache = Some(mc);
        built
    }
}

fn plain_key(token: &str) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(token.as_bytes());
    format!("tokens/{}", d.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

// 9. memcached refuses one item (over its 1 MiB item limit): the old code
// took that for a dead server and skipped memcached for dead_retry (300 s),
// so the next, ordinary token was not shared with other processes.
#[tokio::test]
async fn an_item_memcached_refuses_is_a_failed_store_not_a_dead_server() {
    let Some(m) = common::memcached::Memcached::start() else { return };
    let t = FixtureTokens::new();
    let mut big = V3Token::new("big-id").project("p", "p");
    for i in 0..4_000 {
        let url = format!("http://service-{i}.example/{}", "v".repeat(200));
        big = big.service(&format!("type-{i}"), "name", [("public", url.as_str())]);
    }
    t.add("big-token", big);
    t.add("small-token", V3Token::new("small-id").project("p", "p"));
    let layer = AuthTokenLayer::with_source(Arc::new(t), memcache_config(&m)).expect("layer");
    let app = app(&layer);
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "big-token")]).await.0, StatusCode::OK);
    assert!(m.get(&plain_key("big-token")).is_none(), "over the item limit: not stored");
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "small-token")]).await.0, StatusCode::OK);
    assert!(m.get(&plain_key("small-token")).is_some(), "memcached is still in use: {:?}", m.keys());
}

// 9. The layer validates with v3 only, so a v2 body in memcached was put
// there by someone else (anyone who can write to an unprotected memcached):
// the old code accepted it as a validation.
#[tokio::test]
async fn a_v2_body_in_memcached_is_not_a_validation() {
    let Some(m) = common::memcached::Memcached::start() else { return };
    let t = Arc::new(FixtureTokens::new());
    let planted =
        stackauth::auth_token::fixture::V2Token::new("planted-token", "mallory-id", "tenant-id").role("admin");
    m.set(&plain_key("planted-token"), planted.body().to_string().as_bytes());
    let layer = AuthTokenLayer::with_source(t.clone(), memcache_config(&m)).expect("layer");
    let app = app(&layer);
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", "planted-token")]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(t.calls(), 1, "validated with the source instead");
}

// 11. `*` matches one segment as the layer sees the path; a router that
// decodes `%2F` or resolves `..` afterwards routes elsewhere. The old code
// allowed all of these under GET /v2/images/*.
#[tokio::test]
async fn dot_segments_and_encoded_slashes_cannot_leave_an_access_rule() {
    let t = FixtureTokens::new();
    t.add("appcred-token", appcred(&[("image", "GET", "/v2/images/*"), ("image", "GET", "/v2/**")]));
    t.add("narrow-token", appcred(&[("image", "GET", "/v2/images/*")]));
    let app = app(&AuthTokenLayer::with_source(Arc::new(t), image_config()).expect("layer"));
    for path in [
        "/v2/images/..",
        "/v2/images/.",
        "/v2/images/%2e%2E",
        "/v2/images/..%2Fadmin",
        "/v2/images/a%2fb",
        "/v2/images/a%5Cb",
    ] {
        let (status, _) = send(&app, path, &[("X-Auth-Token", "narrow-token")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(send(&app, "/v2/images/abc", &[("X-Auth-Token", "narrow-token")]).await.0, StatusCode::OK);
    assert_eq!(send(&app, "/v2/images/a%20b..c", &[("X-Auth-Token", "narrow-token")]).await.0, StatusCode::OK);
    // Even under `**`: the path is refused, not matched.
    assert_eq!(send(&app, "/v2/x/../images", &[("X-Auth-Token", "appcred-token")]).await.0, StatusCode::UNAUTHORIZED);
}

/// A source that holds every validation until released, and counts how
/// many it holds at once.
#[derive(Debug)]
struct Gate {
    active: std::sync::atomic::AtomicUsize,
    max: std::sync::atomic::AtomicUsize,
    calls: std::sync::atomic::AtomicUsize,
    release: tokio::sync::Semaphore,
}

impl TokenSource for Gate {
    fn validate<'a>(&'a self, _: &'a Secret, _: ValidateTokenOptions) -> BoxFuture<'a, Result<Validated, SourceError>> {
        use std::sync::atomic::Ordering::SeqCst;
        Box::pin(async move {
            self.calls.fetch_add(1, SeqCst);
            let now = self.active.fetch_add(1, SeqCst) + 1;
            self.max.fetch_max(now, SeqCst);
            if let Ok(p) = self.release.acquire().await {
                p.forget();
            }
            self.active.fetch_sub(1, SeqCst);
            Err(SourceError::Invalid("held, then refused".into()))
        })
    }
}

// 8. A flood of random tokens: every one was an identity-service call, all
// at once (150 concurrent calls on the old code, which never answered 503).
// Now at most max_concurrent_validations calls are under way; the excess
// waits validation_queue_wait, then gets 503.
#[tokio::test]
async fn concurrent_validation_calls_are_capped() {
    use std::sync::atomic::Ordering::SeqCst;
    let gate = Arc::new(Gate {
        active: Default::default(),
        max: Default::default(),
        calls: Default::default(),
        release: tokio::sync::Semaphore::new(0),
    });
    let config = {
        let mut built = AuthTokenConfig::default();
        built.max_concurrent_validations = 100;
        built.validation_queue_wait = std::time::Duration::from_millis(200);
        built
    };
    let app = app(&AuthTokenLayer::with_source(gate.clone(), config).expect("layer"));
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..150 {
        let (app, refused) = (app.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let token = format!("flood-token-{i}");
            let status = send(&app, "/x", &[("X-Auth-Token", &token)]).await.0;
            if status == StatusCode::SERVICE_UNAVAILABLE {
                refused.fetch_add(1, SeqCst);
            }
            status
        }));
    }
    let settled = async {
        while gate.calls.load(SeqCst) < 100 || refused.load(SeqCst) < 50 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    };
    let bound = std::time::Duration::from_secs(60);
    tokio::time::timeout(bound, settled).await.expect("100 calls under way and 50 refused");
    assert_eq!(gate.max.load(SeqCst), 100, "never more than the cap at once");
    gate.release.add_permits(1_000);
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(), 100);
    assert_eq!(gate.calls.load(SeqCst), 100);
}

// 8. A token that cannot be one (not base64url, JWS or a UUID's alphabet)
// is refused without a call (the old code asked the source).
#[tokio::test]
async fn a_token_of_the_wrong_shape_is_refused_without_asking() {
    let t = alice();
    let app = app(&AuthTokenLayer::with_source(t.clone(), AuthTokenConfig::default()).expect("layer"));
    for token in ["{\"token\": 1}", "a b", "tok;en", "<script>", "t%6Fken"] {
        assert_eq!(send(&app, "/x", &[("X-Auth-Token", token)]).await.0, StatusCode::UNAUTHORIZED, "{token}");
    }
    assert_eq!(t.calls(), 0);
    let jws = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    assert_eq!(send(&app, "/x", &[("X-Auth-Token", jws)]).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(t.calls(), 1, "a JWS-shaped token is asked about");
}
