//! The auth_token layer's cost per request on a cache hit: the same axum
//! route with and without the layer, called in process
//! (`cargo bench --bench auth_token`). bench/auth_token.sh sets these beside
//! keystonemiddleware's own cache-hit path and an HTTP run with wrk.

use std::hint::black_box;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use stackauth::auth_token::fixture::{FixtureTokens, V3Token};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer};
use tower::ServiceExt;

const TOKEN: &str = "gAAAAABbench-user-token";

fn routers() -> (Router, Router, Router) {
    let tokens = FixtureTokens::new();
    tokens.add(
        TOKEN,
        V3Token::new("alice-id")
            .user("alice", "default", "Default")
            .project("proj-id", "demo")
            .role("member")
            .role("reader")
            .service("image", "glance", [("public", "http://glance.example/")]),
    );
    let tokens = Arc::new(tokens);
    let layer = AuthTokenLayer::with_source(tokens.clone(), AuthTokenConfig::default()).expect("layer");
    let config = AuthTokenConfig { identity_headers: false, ..AuthTokenConfig::default() };
    let context_only = AuthTokenLayer::with_source(tokens, config).expect("layer");
    let open = Router::new().route("/x", get(|| async { "ok" }));
    (open.clone(), open.clone().layer(layer), open.layer(context_only))
}

fn request() -> Request<Body> {
    Request::builder().uri("/x").header("X-Auth-Token", TOKEN).body(Body::empty()).expect("request")
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
