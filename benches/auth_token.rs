//! The auth_token layer's cost per request on a cache hit: the same axum
//! route with and without the layer, called in process
//! (`cargo bench --bench auth_token`). bench/auth_token.sh sets these beside
//! keystonemiddleware's own cache-hit path and an HTTP run with wrk.
//! "access rules, worst case" is an application credential's rule of seven
//! `**` against a 4,000-byte path: minutes of CPU with the old
//! backtracking matcher (issue 17), path times pattern now.
//!
//! For a profiler, `STACKAUTH_BENCH_PROFILE=protected` (or `open`,
//! `context`; `protected:N` for N requests) primes the cache, sends 3,000
//! requests through that router on one thread and exits:
//! bench/auth_token_instructions.sh runs it under callgrind with two values
//! of N and prints the instructions per request, which a busy machine does
//! not disturb.

use std::hint::black_box;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use criterion::{Criterion, criterion_group};
use stackauth::auth_token::fixture::{FixtureTokens, V3Token};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer};
use tower::ServiceExt;

/// The user's token: 23 bytes, or `STACKAUTH_BENCH_TOKEN_BYTES` (a Fernet
/// token is about 186).
fn token() -> &'static str {
    static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOKEN.get_or_init(|| {
        let base = "gAAAAABbench-user-token";
        match std::env::var("STACKAUTH_BENCH_TOKEN_BYTES").ok().and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n > base.len() => format!("{base}{}", "x".repeat(n - base.len())),
            _ => base.to_owned(),
        }
    })
}
const APPCRED_TOKEN: &str = "gAAAAABbench-appcred-token";

/// A router whose only token is an application credential's with the
/// worst rule for a backtracking matcher.
fn worst_rules() -> Router {
    let tokens = FixtureTokens::new();
    tokens.add(
        APPCRED_TOKEN,
        V3Token::new("frank-id")
            .project("p", "p")
            .application_credential("ac-id", &[("image", "GET", "/**/**/**/**/**/**/**/x")])
            .service("image", "glance", [("public", "http://glance.example/")]),
    );
    let config = {
        let mut built = AuthTokenConfig::default();
        built.service_type = Some("image".into());
        built
    };
    let layer = AuthTokenLayer::with_source(Arc::new(tokens), config).expect("layer");
    Router::new().route("/{*path}", get(|| async { "ok" })).layer(layer)
}

fn worst_request(path: &str) -> Request<Body> {
    Request::builder().uri(path).header("X-Auth-Token", APPCRED_TOKEN).body(Body::empty()).expect("request")
}

fn routers() -> (Router, Router, Router) {
    let tokens = FixtureTokens::new();
    tokens.add(
        token(),
        V3Token::new("alice-id")
            .user("alice", "default", "Default")
            .project("proj-id", "demo")
            .role("member")
            .role("reader")
            .service("image", "glance", [("public", "http://glance.example/")]),
    );
    let tokens = Arc::new(tokens);
    let layer = AuthTokenLayer::with_source(tokens.clone(), AuthTokenConfig::default()).expect("layer");
    let config = {
        let mut built = AuthTokenConfig::default();
        built.identity_headers = false;
        built
    };
    let context_only = AuthTokenLayer::with_source(tokens, config).expect("layer");
    let open = Router::new().route("/x", get(|| async { "ok" }));
    (open.clone(), open.clone().layer(layer), open.layer(context_only))
}

fn request() -> Request<Body> {
    Request::builder().uri("/x").header("X-Auth-Token", token()).body(Body::empty()).expect("request")
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (open, protected, context_only) = routers();
    // Prime the caches: the first request validates, the rest are hits.
    for r in [&protected, &context_only] {
        let first = rt.block_on(r.clone().oneshot(request())).expect("infallible");
        assert_eq!(first.status(), 200);
    }
    let mut g = c.benchmark_group("auth_token");
    g.bench_function("unprotected route", |b| {
        b.iter(|| black_box(rt.block_on(open.clone().oneshot(request())).expect("infallible").status()))
    });
    g.bench_function("behind the layer, cache hit", |b| {
        b.iter(|| black_box(rt.block_on(protected.clone().oneshot(request())).expect("infallible").status()))
    });
    g.bench_function("behind the layer, cache hit, context only", |b| {
        b.iter(|| black_box(rt.block_on(context_only.clone().oneshot(request())).expect("infallible").status()))
    });
    let worst = worst_rules();
    let long = "/a".repeat(2_000);
    assert_eq!(rt.block_on(worst.clone().oneshot(worst_request(&long))).expect("infallible").status(), 401);
    g.bench_function("access rules, worst case (4,000-byte path, seven **), refused", |b| {
        b.iter(|| black_box(rt.block_on(worst.clone().oneshot(worst_request(&long))).expect("infallible").status()))
    });
    g.finish();
}

/// `STACKAUTH_BENCH_PROFILE=open|protected|context[:N]`: N requests
/// (after one that primes the cache) through that router, then exit.
fn profile(which: &str) {
    let mut parts = which.split(':');
    let which = parts.next().unwrap_or_default();
    let n: u64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(3000);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let (open, protected, context_only) = routers();
    let router = match which {
        "open" => open,
        "protected" => protected,
        "context" => context_only,
        other => panic!("STACKAUTH_BENCH_PROFILE={other}: open, protected or context"),
    };
    assert_eq!(rt.block_on(router.clone().oneshot(request())).expect("infallible").status(), 200);
    for _ in 0..n {
        black_box(rt.block_on(router.clone().oneshot(request())).expect("infallible").status());
    }
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(which) = std::env::var("STACKAUTH_BENCH_PROFILE") {
        profile(&which);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
