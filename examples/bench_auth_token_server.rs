//! For bench/auth_token.sh: one axum server with the same trivial route
//! three times, `/open` unprotected, `/protected` behind the auth_token layer
//! and `/context-only` behind it without identity headers (fixture tokens,
//! in-process cache), so a load generator can
//! compare requests per second on the cache-hit path.
//!
//! ```sh
//! cargo run --release --example bench_auth_token_server -- --threads 1
//! # listening on http://127.0.0.1:PORT (token: gAAAAABbench-user-token)
//! wrk -c 16 -d 5 -H "X-Auth-Token: gAAAAABbench-user-token" http://127.0.0.1:PORT/protected
//! ```

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use clap::Parser;
use stackauth::auth_token::fixture::{FixtureTokens, V3Token};
use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer};

#[derive(Parser)]
struct Args {
    /// Worker threads of the server's runtime.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

const TOKEN: &str = "gAAAAABbench-user-token";

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(args.threads.max(1)).enable_all().build()?;
    rt.block_on(async {
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
        let layer =
            AuthTokenLayer::with_source(Arc::new(tokens), AuthTokenConfig::default()).map_err(std::io::Error::other)?;
        let app = Router::new()
            .route("/open", get(|| async { "ok" }))
            .merge(Router::new().route("/protected", get(|| async { "ok" })).layer(layer));
        let listener = tokio::net::TcpListener::bind(&args.listen).await?;
        println!("listening on http://{} (token: {TOKEN})", listener.local_addr()?);
        axum::serve(listener, app).await
    })
}
