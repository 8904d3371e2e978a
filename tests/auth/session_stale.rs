//! The race of a kept-alive connection: the server (uwsgi after 4 s idle,
//! Apache after 5 s) closes it just as the next request goes out on it.
//! A local server of the tests' own answers the first request on each
//! connection and closes the connection on the second without a byte
//! back, or resets it. The Session and the auth plugins' transport send
//! an idempotent request once more on a new connection; a POST through the
//! Session is not sent twice, and its error says the connection closed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use stackauth::auth::Transport;
use stackauth::auth::transport::{HttpRequest, ReqwestTransport, TransportError};
use stackauth::session::{Request, Session, SessionError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server ends the second request on a connection.
#[derive(Clone, Copy)]
enum Close {
    /// A FIN: "connection closed before message completed".
    Fin,
    /// An RST (linger 0): "connection reset by peer".
    Reset,
}

/// A server whose connections each answer one request. Counts requests
/// received (answered or not).
async fn flaky(close: Close) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            tokio::spawn(serve(conn, close, count.clone()));
        }
    });
    (url, seen)
}

async fn read_request(conn: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match conn.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                match conn.read(&mut chunk).await {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            return true;
        }
    }
}

async fn serve(mut conn: TcpStream, close: Close, seen: Arc<AtomicUsize>) {
    if !read_request(&mut conn).await {
        return;
    }
    seen.fetch_add(1, Ordering::SeqCst);
    let body = br#"{"ok": true}"#;
    let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
    if conn.write_all(head.as_bytes()).await.is_err() || conn.write_all(body).await.is_err() {
        return;
    }
    // The second request arrives on the kept-alive connection; it is
    // closed without an answer.
    if read_request(&mut conn).await {
        seen.fetch_add(1, Ordering::SeqCst);
        if let Close::Reset = close {
            // Linger 0 sends an RST at once; nothing blocks on drop.
            #[allow(deprecated)]
            let _ = conn.set_linger(Some(std::time::Duration::ZERO));
        }
    }
}

#[tokio::test]
async fn an_idempotent_request_on_a_closed_keep_alive_connection_is_sent_again() {
    for close in [Close::Fin, Close::Reset] {
        let (url, seen) = flaky(close).await;
        let s = Session::builder().build().expect("session");
        for i in 0..3 {
            let r = s.send(Request::get(format!("{url}/x"))).await;
            assert_eq!(r.map(|r| r.status).ok(), Some(200), "GET {i} answered");
        }
        // 1 answered, then each later GET: 1 dropped + 1 answered.
        assert_eq!(seen.load(Ordering::SeqCst), 5);
    }
}

#[tokio::test]
async fn a_post_on_a_closed_keep_alive_connection_is_not_sent_twice() {
    let (url, seen) = flaky(Close::Fin).await;
    let s = Session::builder().build().expect("session");
    s.send(Request::get(format!("{url}/x"))).await.expect("the first request is answered");
    let e = s
        .send(Request::post(format!("{url}/x")).json(serde_json::json!({"a": 1})))
        .await
        .expect_err("a POST is not resent");
    match &e {
        SessionError::Transport { attempts, source, .. } => {
            assert_eq!(*attempts, 1, "{e}");
            assert!(source.stale, "classified as the keep-alive race: {source:?}");
            assert!(!source.connect && !source.timeout, "{source:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_auth_transport_sends_a_token_request_again_on_a_new_connection() {
    let (url, seen) = flaky(Close::Reset).await;
    let t = ReqwestTransport::new(reqwest::Client::new());
    for _ in 0..3 {
        let r: Result<_, TransportError> =
            t.send(HttpRequest::post_json(format!("{url}/v3/auth/tokens"), serde_json::json!({}))).await;
        assert_eq!(r.map(|r| r.status).ok(), Some(200));
    }
    assert_eq!(seen.load(Ordering::SeqCst), 5);
}
