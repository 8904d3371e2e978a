//! The benchmarks' server as a process: a keep-alive HTTP/1.1 server that
//! plays an identity service and a compute service on one loopback port
//! (see `benches/common/cloud.rs`). bench/run.sh starts it so that the Rust
//! benches, keystoneauth1 and both daemons talk to the same server.
//!
//! ```sh
//! cargo run --release --example bench_cloud -- 127.0.0.1:0
//! ```
//!
//! Prints `listening on 127.0.0.1:PORT` and serves on one thread until
//! killed.

#[path = "../benches/common/cloud.rs"]
mod cloud;

use std::io::Write;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    match listener.local_addr() {
        Ok(a) => println!("listening on {a}"),
        Err(e) => {
            eprintln!("no local address: {e}");
            std::process::exit(2);
        }
    }
    let _ = std::io::stdout().flush();
    cloud::serve(listener).await;
}
