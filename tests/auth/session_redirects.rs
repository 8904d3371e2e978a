//! Redirects and version-document links that leave the origin (issue 17,
//! item 3), with two real local servers: the user's token sent as a secret
//! header (`X-Subject-Token`) and a 307's body must not follow a redirect
//! to another origin; nothing follows https -> http; a version document
//! must not send the token over plain HTTP.

use crate::common;

use std::sync::Arc;

use common::server::{Recorded, Reply, TestServer};
use common::tls::Ca;
use reqwest::Method;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use stackauth::auth::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use stackauth::auth::{AuthPlugin, Interface, SessionOptions};
use stackauth::opt::Secret;
use stackauth::session::{Adapter, Request, Session, VersionSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A TLS server on 127.0.0.1 (certificate for `localhost`) answering each
/// request with `answer(path)`: a whole HTTP/1.1 response head and body.
async fn tls_serve(ca: &Ca, answer: impl Fn(&str) -> String + Send + Sync + 'static) -> u16 {
    stackauth::auth::transport::install_crypto_provider();
    let (_, der, key) = ca.leaf(&["localhost"]);
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![der, ca.der()], key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let (acceptor, answer) = (acceptor.clone(), answer.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else { return };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
                let _ = tls.write_all(answer(&path).as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn redirect_to(location: &str) -> String {
    format!("HTTP/1.1 307 X\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

fn json_answer(body: &serde_json::Value) -> String {
    let b = body.to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
        b.len()
    )
}

/// A session trusting `ca`.
fn tls_session(ca: &Ca, dir: &common::Dir, plugin: Option<Arc<dyn AuthPlugin>>) -> Session {
    let cafile = dir.write("ca.pem", ca.pem());
    let options = {
        let mut built = SessionOptions::default();
        built.cafile = Some(cafile);
        built
    };
    let mut b = Session::builder().options(options);
    if let Some(p) = plugin {
        b = b.auth(p);
    }
    b.build().expect("session")
}

/// Records whether it got a subject token, an auth token and a body.
async fn elsewhere() -> TestServer {
    TestServer::start_on("127.0.0.2", |r: &Recorded| {
        Reply::json(
            200,
            json!({"subject": r.header("x-subject-token"), "auth": r.header("x-auth-token"), "body": r.body.len()}),
        )
    })
    .await
}

// Before: X-Subject-Token (marked sensitive) and the POST body were sent to
// the other origin; only the session's own X-Auth-Token was dropped.
#[tokio::test]
async fn a_redirect_to_another_origin_sends_no_secret_header_and_no_body() {
    let other = elsewhere().await;
    let target = format!("{}/elsewhere", other.url());
    let bouncer = TestServer::start(move |_| Reply::empty(307).header("Location", &target)).await;
    let s = Session::builder().build().expect("session");
    let req = Request::new(Method::POST, format!("{}/start", bouncer.url()))
        .secret_header("X-Subject-Token", &Secret::new("user-secret-token"))
        .body(b"user-secret-body".to_vec());
    let r = s.send(req).await.expect("followed");
    let seen = &other.requests()[0];
    assert_eq!(seen.header("x-subject-token"), None, "{:?}", seen.headers);
    assert!(seen.body.is_empty(), "the body went to the other origin: {:?}", String::from_utf8_lossy(&seen.body));
    assert_eq!(r.status, 200);
    // The first origin got both.
    let first = &bouncer.requests()[0];
    assert_eq!(first.header("x-subject-token"), Some("user-secret-token"));
    assert_eq!(first.body, b"user-secret-body");
}

// A same-origin redirect keeps them: a 307 is a resend to the same server.
#[tokio::test]
async fn a_same_origin_redirect_keeps_the_secret_header_and_the_body() {
    let server = TestServer::start(|r: &Recorded| match r.path.as_str() {
        "/start" => Reply::empty(307).header("Location", "/there"),
        _ => Reply::json(200, json!({})),
    })
    .await;
    let s = Session::builder().build().expect("session");
    let req = Request::new(Method::POST, format!("{}/start", server.url()))
        .secret_header("X-Subject-Token", &Secret::new("user-secret-token"))
        .body(b"payload".to_vec());
    s.send(req).await.expect("followed");
    let there = &server.requests()[1];
    assert_eq!((there.header("x-subject-token"), there.body.as_slice()), (Some("user-secret-token"), &b"payload"[..]));
}

// Before: https -> http was followed, secret header and all, in clear.
#[tokio::test]
async fn https_to_http_is_not_followed() {
    let ca = Ca::new("redirect test CA");
    let dir = common::Dir::new();
    let plain = TestServer::start(|_| Reply::json(200, json!({}))).await;
    let target = format!("{}/downgraded", plain.url());
    let port = tls_serve(&ca, move |_| redirect_to(&target)).await;
    let s = tls_session(&ca, &dir, None);
    let req = Request::get(format!("https://localhost:{port}/start"))
        .secret_header("X-Subject-Token", &Secret::new("user-secret-token"));
    let e = s.send(req).await.expect_err("refused");
    assert!(e.to_string().contains("https to http"), "{e}");
    assert!(plain.requests().is_empty(), "the plain server was asked: {:?}", plain.requests());
}

/// A v3password plugin whose token's catalog has `compute` at `compute_url`.
async fn identity_with_compute(compute_url: String) -> (TestServer, Arc<dyn AuthPlugin>) {
    let server = TestServer::start(move |r: &Recorded| {
        if r.method == "POST" {
            let issued = common::iso8601(std::time::SystemTime::now());
            return Reply::json(
                201,
                json!({"token": {
                    "methods": ["password"], "expires_at": "2099-01-01T00:00:00Z", "issued_at": issued,
                    "user": {"id": "u1", "name": "u1", "domain": {"id": "default"}},
                    "project": {"id": "p1", "name": "p1", "domain": {"id": "default"}},
                    "roles": [{"name": "member"}], "audit_ids": ["a"],
                    "catalog": [{"type": "compute", "name": "nova", "endpoints": [
                        {"interface": "public", "region_id": "RegionOne", "url": compute_url}
                    ]}]
                }}),
            )
            .header("X-Subject-Token", "service-secret-token");
        }
        Reply::json(404, json!({}))
    })
    .await;
    let m = AuthMethod::Password { user: UserRef::Id("u1".into()), password: Secret::new("pw") };
    let plugin = V3Auth::new("v3password", &format!("{}/v3", server.url()), vec![m], Scope::ProjectId("p1".into()))
        .into_plugin();
    (server, plugin)
}

// Before: an https service whose version document points at an http URL
// got every later request, token included, sent in clear.
#[tokio::test]
async fn a_version_link_that_downgrades_to_http_is_refused() {
    let ca = Ca::new("discovery test CA");
    let dir = common::Dir::new();
    let plain = elsewhere().await;
    let link = format!("{}/v2.1/", plain.url());
    let port = tls_serve(&ca, move |path| match path {
        "/" | "/v2.1" | "/v2.1/" => json_answer(&json!({"versions": [
            {"id": "v2.1", "status": "CURRENT", "links": [{"rel": "self", "href": link}]}
        ]})),
        _ => json_answer(&json!({"servers": []})),
    })
    .await;
    let (_identity, plugin) = identity_with_compute(format!("https://localhost:{port}/v2.1")).await;
    let s = tls_session(&ca, &dir, Some(plugin));
    let compute = Adapter::new(&s)
        .service_type("compute")
        .interfaces([Interface::Public])
        .version(VersionSpec::version("2.1".parse().expect("version")));
    let r = compute.get("/servers").await.expect("the catalog's own URL");
    assert!(plain.requests().is_empty(), "the token went over plain HTTP: {:?}", plain.requests());
    // The downgraded link is ignored: the catalog URL's own version is used.
    assert_eq!(r.url, format!("https://localhost:{port}/v2.1/servers"));
}
