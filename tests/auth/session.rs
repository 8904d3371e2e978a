//! The Session against a real local HTTP server: single flight, refresh,
//! 401 re-auth, catalog, retries, timeouts, redirects, malformed tokens.
//! Each test asserts the exact requests sent and the error text.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::server::{Recorded, Reply, TestServer};
use reqwest::Method;
use serde_json::json;
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::auth::{AuthPlugin, EndpointFilter, Interface};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Request, RetryPolicy, Session, SessionError};

/// A token issued now and valid until `expires`, for user `user`, with a
/// catalog of `compute` and `identity` endpoints on `base`.
fn token_body(expires: &str, user: &str, base: &str) -> serde_json::Value {
    let issued = common::iso8601(std::time::SystemTime::now());
    json!({"token": {
        "methods": ["password"], "expires_at": expires, "issued_at": issued,
        "user": {"id": user, "name": user, "domain": {"id": "default"}},
        "project": {"id": "p1", "name": "service", "domain": {"id": "default"}},
        "roles": [{"name": "member"}], "audit_ids": ["a"],
        "catalog": [
            {"type": "compute", "name": "nova", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": format!("{base}/compute-public")},
                {"interface": "internal", "region_id": "RegionOne", "region": "RegionOne", "url": format!("{base}/compute")}
            ]},
            {"type": "identity", "name": "keystone", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "url": format!("{base}/v3")}
            ]}
        ]
    }})
}

const FAR: &str = "2099-01-01T00:00:00Z";

/// Tokens are `tok-1`, `tok-2`... in order of issue; a service under
/// `/compute` answers by path, and `tok-1` is refused after `revoke` is set.
struct Cloud {
    server: TestServer,
    issued: Arc<AtomicU32>,
}

async fn cloud(expires: &'static str) -> Cloud {
    let issued = Arc::new(AtomicU32::new(0));
    let counter = Arc::new(AtomicU32::new(0));
    let i = issued.clone();
    let server = TestServer::start(move |r: &Recorded| {
        let host = format!("http://{}", r.header("host").unwrap_or(""));
        let path = r.path.as_str();
        if r.method == "POST" && path.starts_with("/v3/auth/tokens") {
            let n = i.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(201, token_body(expires, "u1", &host))
                .header("X-Subject-Token", &format!("tok-{n}"))
                .after(Duration::from_millis(50));
        }
        let token = r.header("x-auth-token").unwrap_or("");
        let n = counter.fetch_add(1, Ordering::SeqCst);
        match path {
            "/compute/servers" => {
                Reply::json(200, json!({"servers": [], "token": token})).header("x-openstack-request-id", "req-1")
            }
            "/compute/flaky" if n % 2 == 0 => Reply::json(503, json!({"error": {"message": "busy"}})),
            "/compute/flaky" => Reply::json(200, json!({"ok": true})),
            "/compute/always503" => Reply::json(503, json!({"error": {"message": "down for maintenance"}})),
            "/compute/limited" if n % 2 == 0 => Reply::empty(429).header("Retry-After", "1"),
            "/compute/limited" => Reply::json(200, json!({"ok": true})),
            "/compute/slow" => Reply::json(200, json!({})).after(Duration::from_secs(3)),
            "/compute/hop" => Reply::empty(302).header("Location", "/compute/servers"),
            "/compute/secure" if token == "tok-1" => Reply::json(401, json!({"error": {"message": "token revoked"}})),
            "/compute/secure" => Reply::json(200, json!({"token": token})),
            "/compute/never" => Reply::json(401, json!({"error": {"message": "go away"}})),
            _ => Reply::json(404, json!({"error": {"message": format!("no {path}")}})),
        }
    })
    .await;
    Cloud { server, issued }
}

fn plugin(url: &str) -> Arc<dyn AuthPlugin> {
    let m = AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new("pw") };
    V3Auth::new("v3password", &format!("{url}/v3"), vec![m], Scope::ProjectId("p1".into())).into_plugin()
}

fn session(c: &Cloud) -> Session {
    Session::builder().auth(plugin(&c.server.url())).app("glance", "30.0.0").build().expect("session")
}

fn compute(s: &Session) -> Adapter {
    Adapter::new(s).service_type("compute").interfaces([Interface::Internal, Interface::Public])
}

fn count(c: &Cloud, method: &str, path: &str) -> usize {
    c.server.requests().iter().filter(|r| r.method == method && r.path == path).count()
}

#[tokio::test]
async fn catalog_endpoint_token_and_user_agent() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let r = compute(&s).client("novaclient", "18.0").get("/servers").await.expect("ok");
    assert_eq!(r.status, 200);
    assert_eq!(r.request_id(), Some("req-1"));
    assert_eq!(r.json::<serde_json::Value>().expect("json")["token"], "tok-1");
    let reqs = c.server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].path, "/compute/servers", "the internal interface was preferred");
    assert_eq!(
        reqs[1].header("user-agent"),
        Some(concat!("glance/30.0.0 novaclient/18.0 stackauth/", env!("CARGO_PKG_VERSION")))
    );
    // The public interface when asked first.
    let public = Adapter::new(&s).service_type("compute").interfaces([Interface::Public]);
    assert_eq!(public.endpoint().await.expect("endpoint"), format!("{}/compute-public", c.server.url()));
}

// The endpoint of a filter is remembered per token: adapters with other
// filters on the same session and token still go where theirs say.
#[tokio::test]
async fn adapters_with_different_filters_keep_their_own_endpoints() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let internal = compute(&s);
    let public = Adapter::new(&s).service_type("compute").interfaces([Interface::Public]);
    for _ in 0..3 {
        internal.get("/servers").await.expect("internal");
        // (The server answers 404 there: where the request went is what counts.)
        let _ = public.get("/servers").await;
        // A filter of the request's own (a new value each time).
        let _ = s
            .send(
                Request::get("/servers")
                    .endpoint_filter(EndpointFilter::new("compute").interfaces([Interface::Public])),
            )
            .await;
    }
    let paths: Vec<String> = c.server.requests().iter().skip(1).map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/compute/servers", "/compute-public/servers", "/compute-public/servers"].repeat(3));
    assert_eq!(c.issued.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_thousand_concurrent_first_requests_fetch_one_token() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let a = compute(&s);
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let a = a.clone();
        tasks.push(tokio::spawn(async move { a.get("/servers").await.map(|r| r.status) }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task").expect("request"), 200);
    }
    assert_eq!(count(&c, "POST", "/v3/auth/tokens"), 1);
    assert_eq!(count(&c, "GET", "/compute/servers"), 1000);
    assert_eq!(s.auth_state().map(|a| a.fetches()), Some(1));
}

#[tokio::test]
async fn a_thousand_concurrent_401s_reauthenticate_once() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let a = compute(&s);
    s.credentials().await.expect("first token");
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let a = a.clone();
        tasks.push(tokio::spawn(async move { a.get("/secure").await.map(|r| r.json::<serde_json::Value>().ok()) }));
    }
    for t in tasks {
        let body = t.await.expect("task").expect("request").expect("json");
        assert_eq!(body["token"], "tok-2");
    }
    assert_eq!(count(&c, "POST", "/v3/auth/tokens"), 2, "one first fetch, one re-auth");
    assert_eq!(count(&c, "GET", "/compute/secure"), 2000, "each request sent twice");
}

#[tokio::test]
async fn a_second_401_is_an_error() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let e = compute(&s).get("/never").await.expect_err("refused");
    assert_eq!(count(&c, "GET", "/compute/never"), 2);
    assert_eq!(count(&c, "POST", "/v3/auth/tokens"), 2);
    let msg = e.to_string();
    assert!(
        msg.contains("HTTP 401") && msg.contains("go away") && msg.contains("still refused after re-authenticating"),
        "{msg}"
    );
}

#[tokio::test]
async fn tokens_are_refreshed_before_they_expire() {
    // A token that lives 4 s is inside the 120 s margin; half its life is
    // the margin then: it is used for 2 s at most, not fetched again for
    // every request (as keystoneauth would), and replaced before it expires.
    let soon: &'static str =
        Box::leak(common::iso8601(std::time::SystemTime::now() + Duration::from_secs(4)).into_boxed_str());
    let c = cloud(soon).await;
    let s = session(&c);
    let a = compute(&s);
    a.get("/servers").await.expect("first");
    a.get("/servers").await.expect("second");
    assert_eq!(count(&c, "POST", "/v3/auth/tokens"), 1);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    a.get("/servers").await.expect("third");
    assert_eq!(count(&c, "POST", "/v3/auth/tokens"), 2);
    assert_eq!(c.issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn connection_refused_is_retried_with_backoff_then_reported() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let s = Session::builder().build().expect("session");
    let policy = {
        let mut built = RetryPolicy::default();
        built.connect_retries = 2;
        built.connect_retry_delay = Some(Duration::from_millis(10));
        built
    };
    let e = s.send(Request::get(format!("http://127.0.0.1:{port}/x")).retry(policy)).await.expect_err("refused");
    match &e {
        SessionError::Transport { attempts, source, .. } => {
            assert_eq!(*attempts, 3);
            assert!(source.connect);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("failed after 3 attempts"), "{e}");
}

#[tokio::test]
async fn a_503_then_200_is_retried_for_get_but_never_for_post() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let retry = {
        let mut built = RetryPolicy::default();
        built.status_code_retries = 3;
        built.status_code_retry_delay = Some(Duration::from_millis(10));
        built
    };
    let a = compute(&s).retry(retry);
    assert_eq!(a.get("/flaky").await.expect("retried").status, 200);
    assert_eq!(count(&c, "GET", "/compute/flaky"), 2);
    let e = a.post("/always503", json!({"create": 1})).await.expect_err("not retried");
    assert_eq!(count(&c, "POST", "/compute/always503"), 1, "a POST is never sent twice");
    assert!(e.to_string().contains("HTTP 503") && e.to_string().contains("down for maintenance"), "{e}");
    let e = a.get("/always503").await.expect_err("gives up");
    assert_eq!(count(&c, "GET", "/compute/always503"), 4, "1 + 3 retries");
    assert!(matches!(e, SessionError::Http { status: 503, .. }));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let a = compute(&s).retry({
        let mut built = RetryPolicy::default();
        built.status_code_retries = 1;
        built
    });
    let started = std::time::Instant::now();
    assert_eq!(a.get("/limited").await.expect("ok").status, 200);
    assert_eq!(count(&c, "GET", "/compute/limited"), 2);
    // Retry-After: 1 — the wait happened (a behaviour check, not a timing benchmark).
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn slow_responses_time_out() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let e = compute(&s).send(Request::get("/slow").timeout(Duration::from_millis(300))).await.expect_err("timeout");
    match &e {
        SessionError::Transport { source, attempts, .. } => {
            assert!(source.timeout, "{e}");
            assert_eq!(*attempts, 1);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&c, "GET", "/compute/slow"), 1);
}

#[tokio::test]
async fn redirects_keep_the_token_on_the_same_origin_only() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let r = compute(&s).get("/hop").await.expect("followed");
    assert_eq!(r.json::<serde_json::Value>().expect("json")["token"], "tok-1");
    assert!(r.url.ends_with("/compute/servers"));
    // Another origin (127.0.0.2 is loopback): the token is not sent there.
    let other = TestServer::start_on("127.0.0.2", |r: &Recorded| {
        Reply::json(200, json!({"got_token": r.header("x-auth-token").is_some()}))
    })
    .await;
    let target = format!("{}/elsewhere", other.url());
    let bouncer = TestServer::start(move |_| Reply::empty(307).header("Location", &target)).await;
    let r = s.send(Request::get(format!("{}/start", bouncer.url()))).await.expect("followed");
    assert_eq!(r.json::<serde_json::Value>().expect("json")["got_token"], false);
    assert_eq!(bouncer.requests()[0].header("x-auth-token"), Some("tok-1"));
    assert_eq!(other.requests().len(), 1);
    // A loop ends with a clear error.
    let looping = TestServer::start(|_| Reply::empty(302).header("Location", "/again")).await;
    let s2 = Session::builder().max_redirects(5).build().expect("session");
    let e = s2.send(Request::get(format!("{}/again", looping.url()))).await.expect_err("loop");
    assert!(e.to_string().contains("more than 5 redirects"), "{e}");
    assert_eq!(looping.requests().len(), 6);
}

#[tokio::test]
async fn a_catalog_without_the_service_names_what_it_has() {
    let c = cloud(FAR).await;
    let s = session(&c);
    let e = Adapter::new(&s).service_type("image").region("RegionOne").get("/v2/images").await.expect_err("no image");
    let msg = e.to_string();
    assert!(
        msg.contains(
            "no endpoint in the service catalog for service_type \"image\", interface public, region \"RegionOne\""
        ),
        "{msg}"
    );
    assert!(
        msg.contains("compute nova (internal, RegionOne)") && msg.contains("identity keystone (public, RegionOne)"),
        "{msg}"
    );
    assert_eq!(count(&c, "POST", "/v3/auth/tokens"), 1);
    let e = Adapter::new(&s).service_type("compute").region("RegionTwo").get("/x").await.expect_err("no region");
    assert!(e.to_string().contains("region \"RegionTwo\""), "{e}");
}

#[tokio::test]
async fn a_malformed_token_response_is_an_auth_error() {
    let server =
        TestServer::start(|_| Reply::json(201, json!({"token": {"user": {"id": "u"}}})).header("X-Subject-Token", "t"))
            .await;
    let s = Session::builder().auth(plugin(&server.url())).build().expect("session");
    let e = Adapter::new(&s).service_type("compute").get("/x").await.expect_err("bad token");
    assert!(matches!(e, SessionError::Auth(_)), "{e:?}");
    assert!(e.to_string().contains("the token has no expires_at"), "{e}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn per_request_and_per_adapter_auth_and_unauthenticated_requests() {
    let c = cloud(FAR).await;
    let s = session(&c);
    // Unauthenticated: no token fetched, none sent.
    let url = format!("{}/compute/servers", c.server.url());
    let r = s.send(Request::get(&url).authenticated(false)).await.expect("ok");
    assert_eq!(r.json::<serde_json::Value>().expect("json")["token"], "");
    assert_eq!(count(&c, "POST", "/v3/auth/tokens"), 0);
    // A session without a plugin cannot send an authenticated request.
    let bare = Session::builder().build().expect("session");
    let e = bare.send(Request::get(&url).authenticated(true)).await.expect_err("no auth");
    assert!(e.to_string().contains("there is no auth plugin"), "{e}");
    // An adapter with its own plugin keeps its own token.
    let other = compute(&s).auth(plugin(&c.server.url()));
    other.get("/servers").await.expect("ok");
    other.get("/servers").await.expect("ok");
    assert_eq!(other.auth_state().map(|a| a.fetches()), Some(1));
    assert_eq!(s.auth_state().map(|a| a.fetches()), Some(0));
    // Relative URLs with nothing to resolve them are a clear error.
    let e = s.send(Request::new(Method::GET, "/relative")).await.expect_err("no endpoint");
    assert!(e.to_string().contains("a relative URL needs an endpoint filter"), "{e}");
    // Errors can be responses instead.
    let r = compute(&s).send(Request::get("/missing").raise_on_error(false)).await.expect("a response");
    assert_eq!(r.status, 404);
    // Endpoint filters and overrides per request.
    let r = s
        .send(
            Request::get("/servers").endpoint_filter(EndpointFilter::new("compute").interfaces([Interface::Internal])),
        )
        .await
        .expect("ok");
    assert_eq!(r.status, 200);
    let r = s.send(Request::get("/compute/servers").endpoint_override(c.server.url())).await.expect("ok");
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn timings_are_collected_when_asked() {
    let c = cloud(FAR).await;
    let opts = {
        let mut built = stackauth::auth::SessionOptions::default();
        built.collect_timing = true;
        built
    };
    let s = Session::builder().auth(plugin(&c.server.url())).options(opts).build().expect("session");
    compute(&s).get("/servers").await.expect("ok");
    compute(&s).send(Request::get("/missing").raise_on_error(false)).await.expect("a response");
    let t = s.timings();
    assert_eq!(t.iter().map(|t| (t.method.as_str(), t.status)).collect::<Vec<_>>(), [("GET", 200), ("GET", 404)]);
    assert!(t[0].url.ends_with("/compute/servers"));
    assert!(session(&c).timings().is_empty(), "off by default");
}

/// A server whose first `drops` connections read the request and close
/// without an answer; later ones answer 200. Returns its URL and a counter
/// of connections.
async fn dropping_server(drops: u32) -> (String, Arc<AtomicU32>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let conns = Arc::new(AtomicU32::new(0));
    let c = conns.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let n = c.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                if n >= drops {
                    let _ =
                        sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").await;
                }
                let _ = sock.shutdown().await;
            });
        }
    });
    (url, conns)
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_resent_once_only_when_safe() {
    let s = Session::builder().build().expect("session");
    let (url, conns) = dropping_server(1).await;
    let r = s.send(Request::get(format!("{url}/x"))).await.expect("resent");
    assert_eq!((r.status, conns.load(Ordering::SeqCst)), (200, 2));
    let (url, conns) = dropping_server(1).await;
    let e = s.send(Request::post(format!("{url}/x")).json(json!({}))).await.expect_err("not resent");
    assert_eq!(conns.load(Ordering::SeqCst), 1);
    assert!(e.to_string().contains("connection closed before message completed"), "{e}");
    let (url, conns) = dropping_server(5).await;
    let e = s.send(Request::get(format!("{url}/x"))).await.expect_err("resent once, not more");
    assert_eq!(conns.load(Ordering::SeqCst), 2);
    assert!(e.to_string().contains("failed after 2 attempts"), "{e}");
}
