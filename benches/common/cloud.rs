//! A keep-alive HTTP/1.1 server (hyper) that plays an identity service and
//! a compute service on one loopback port, for the benchmarks: the
//! in-process benches start it on their own thread, and
//! `examples/bench_cloud.rs` runs it as a process for the Python side and
//! the daemons, so every client measured talks to the same server.
//!
//! - `POST /v3/auth/tokens`: a token `tok-<n>` (`X-Subject-Token`) whose
//!   catalog lists `identity` at `<base>/v3` and `compute` at
//!   `<base>/compute` (internal) and `<base>/compute-public`.
//! - `GET /v3`: Keystone's version document.
//! - `GET /compute/servers`, `/v3/auth/projects`, `/v3/users`: small JSON
//!   answers, 401 without a token or with a revoked one.
//! - `GET /stats`: `{"posts": n, "gets": n}` so far; `POST /revoke`:
//!   every token issued so far is refused from now on (the next 401s).
#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// What the server counts and the revocation mark.
#[derive(Default)]
struct State {
    base: String,
    posts: AtomicU64,
    gets: AtomicU64,
    /// Tokens numbered below this are refused.
    valid_from: AtomicU64,
}

fn token_body(base: &str) -> String {
    serde_json::json!({"token": {
        "methods": ["password"],
        "user": {"id": "u1", "name": "bench", "domain": {"id": "default", "name": "Default"}},
        "project": {"id": "p1", "name": "service", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "admin"}, {"id": "r2", "name": "service"}],
        "audit_ids": ["bench-audit"],
        "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "catalog": [
            {"type": "identity", "name": "keystone", "id": "s1", "endpoints": [
                {"id": "e1", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/v3")},
                {"id": "e2", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/v3")}
            ]},
            {"type": "compute", "name": "nova", "id": "s2", "endpoints": [
                {"id": "e3", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/compute-public")},
                {"id": "e4", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/compute")}
            ]}
        ]
    }})
    .to_string()
}

fn versions_body(base: &str) -> String {
    serde_json::json!({"version": {
        "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": format!("{base}/v3/")}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]
    }})
    .to_string()
}

fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    r
}

/// Whether the request carries a token that is not revoked.
fn authorized(state: &State, req: &Request<Incoming>) -> bool {
    let n = req
        .headers()
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("tok-"))
        .and_then(|n| n.parse::<u64>().ok());
    n.is_some_and(|n| n >= state.valid_from.load(Ordering::SeqCst))
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let authorized = authorized(&state, &req);
    // Read the whole body so the connection can carry the next request.
    let _ = req.into_body().collect().await;
    let refused = || {
        json(
            StatusCode::UNAUTHORIZED,
            r#"{"error": {"code": 401, "message": "The request you have made requires authentication."}}"#,
        )
    };
    let reply = match (method, path.as_str()) {
        (Method::POST, "/v3/auth/tokens") => {
            let n = state.posts.fetch_add(1, Ordering::SeqCst) + 1;
            let mut r = json(StatusCode::CREATED, token_body(&state.base));
            r.headers_mut().insert("x-subject-token", format!("tok-{n}").parse().expect("header value"));
            r
        }
        (Method::POST, "/revoke") => {
            state.valid_from.store(state.posts.load(Ordering::SeqCst) + 1, Ordering::SeqCst);
            json(StatusCode::OK, "{}")
        }
        (Method::GET, "/stats") => json(
            StatusCode::OK,
            format!(
                r#"{{"posts": {}, "gets": {}}}"#,
                state.posts.load(Ordering::SeqCst),
                state.gets.load(Ordering::SeqCst)
            ),
        ),
        (Method::GET, "/v3" | "/v3/") => json(StatusCode::OK, versions_body(&state.base)),
        (Method::GET, _) if !authorized => {
            state.gets.fetch_add(1, Ordering::Relaxed);
            refused()
        }
        (Method::GET, p) => {
            state.gets.fetch_add(1, Ordering::Relaxed);
            match p {
                "/compute/servers" | "/compute-public/servers" => json(StatusCode::OK, r#"{"servers": []}"#),
                "/v3/auth/projects" => json(
                    StatusCode::OK,
                    r#"{"projects": [{"id": "p1", "name": "service"}, {"id": "p2", "name": "admin"}]}"#,
                ),
                "/v3/users" => json(
                    StatusCode::OK,
                    r#"{"users": [{"id": "u1", "name": "bench"}, {"id": "u2", "name": "admin"}, {"id": "u3", "name": "glance"}]}"#,
                ),
                _ => json(StatusCode::NOT_FOUND, r#"{"error": {"code": 404, "message": "not found"}}"#),
            }
        }
        _ => json(StatusCode::METHOD_NOT_ALLOWED, "{}"),
    };
    Ok(reply)
}

/// Serves on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener) {
    let addr = listener.local_addr().expect("local address");
    let state = Arc::new(State { base: format!("http://{addr}"), ..State::default() });
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| handle(state.clone(), req));
            let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}

/// Starts the server on its own thread (one single-threaded runtime) on a
/// free loopback port, for the life of the process; returns its address.
pub fn start_thread() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
            tx.send(listener.local_addr().expect("address")).expect("send address");
            serve(listener).await;
        });
    });
    rx.recv().expect("the server started")
}
