//! An Adapter's `concurrency`, counted at a real local server that holds
//! every request until the test lets it go: never more in flight than the
//! limit, every request answered, and without the limit all of them at once
//! (so the count can fail). Counted, not timed; the rate limit's spacing is
//! counted in src/session/limit.rs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use stackauth::session::{Adapter, Session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Requests in flight at the server, the most seen, and the gate the test
/// opens one request at a time.
struct Gate {
    in_flight: AtomicUsize,
    max: AtomicUsize,
    release: Semaphore,
}

async fn held_server(gate: Arc<Gate>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        loop {
            let Ok((mut conn, _)) = listener.accept().await else { return };
            let gate = gate.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                loop {
                    // One request per connection is read (a GET: no body).
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.clear();
                    let now = gate.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    gate.max.fetch_max(now, Ordering::SeqCst);
                    gate.release.acquire().await.expect("open").forget();
                    gate.in_flight.fetch_sub(1, Ordering::SeqCst);
                    let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if conn.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// Sends `n` requests at once through `adapter`, letting one go each time
/// the server holds as many as it should; returns the most in flight.
async fn run(adapter: Adapter, n: usize, limit: usize) -> usize {
    let gate = Arc::new(Gate { in_flight: AtomicUsize::new(0), max: AtomicUsize::new(0), release: Semaphore::new(0) });
    let url = held_server(gate.clone()).await;
    let adapter = adapter.endpoint_override(&url);
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let a = adapter.clone();
            tokio::spawn(async move { a.get(&format!("/{i}")).await.map(|r| r.status) })
        })
        .collect();
    for remaining in (1..=n).rev() {
        let expect = remaining.min(limit);
        while gate.in_flight.load(Ordering::SeqCst) < expect {
            tokio::task::yield_now().await;
        }
        // A moment for a request over the limit to arrive, if the limit
        // leaks (the count is the assertion; this only gives it a chance).
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        gate.release.add_permits(1);
    }
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("answered"), 200);
    }
    gate.max.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_caps_requests_in_flight() {
    stackauth::auth::transport::install_crypto_provider();
    let session = Session::builder().build().expect("session");
    assert_eq!(run(Adapter::new(&session).limits(None, Some(2)), 6, 2).await, 2);
    assert_eq!(run(Adapter::new(&session).limits(None, Some(1)), 4, 1).await, 1);
    // Without a limit the same six are all held at once.
    assert_eq!(run(Adapter::new(&session), 6, 6).await, 6);
    // From adapter options (a clouds.yaml `concurrency:` entry).
    let mut o = stackauth::auth::AdapterOptions::default();
    o.concurrency = Some(2);
    assert_eq!(run(Adapter::from_options(&session, &o), 6, 2).await, 2);
}
