//! A real HTTP/1.1 server on a loopback port for tests: it records every
//! request and answers with what the test's handler returns.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The request as it came, head and body, byte for byte.
    pub raw: Vec<u8>,
    /// The client certificate's DER, over TLS with one.
    pub client_cert: Option<Vec<u8>>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A response to send.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Option<std::time::Duration>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: None,
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply { status, headers: vec![], body: vec![], delay: None }
    }

    pub fn after(mut self, d: std::time::Duration) -> Reply {
        self.delay = Some(d);
        self
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// The server; it stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
    tls: bool,
}

/// Reads one request from `sock`, records it, and answers with `handler`'s
/// reply.
async fn serve<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    mut sock: S,
    client_cert: Option<Vec<u8>>,
    handler: Arc<Handler>,
    recorded: Arc<Mutex<Vec<Recorded>>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (method, path) = (first.next().unwrap_or("").to_owned(), first.next().unwrap_or("").to_owned());
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))).collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buf[head_end..(head_end + len).min(buf.len())].to_vec();
    let raw = buf[..(head_end + len).min(buf.len())].to_vec();
    let req = Recorded { method, path, headers, body, raw, client_cert };
    let reply = handler(&req);
    recorded.lock().expect("lock").push(req);
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    let mut out =
        format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, reply.body.len());
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&reply.body);
    let _ = sock.write_all(&bytes).await;
    let _ = sock.shutdown().await;
}

impl TestServer {
    /// Starts a server on 127.0.0.1 with an ephemeral port.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::start_on("127.0.0.1", handler).await
    }

    /// Starts a server on `ip` (a loopback address) with an ephemeral port.
    pub async fn start_on(ip: &str, handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
        TestServer::start_with(ip, None, handler).await
    }

    /// Starts an HTTPS server on 127.0.0.1 whose certificate (for
    /// `localhost` and `127.0.0.1`) `server_ca` signs, and that requires a
    /// client certificate signed by `client_ca`: a handshake without one
    /// fails. Each request records the client's certificate.
    pub async fn start_mtls(
        server_ca: &crate::common::tls::Ca,
        client_ca: &crate::common::tls::Ca,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
        stackauth::auth::transport::install_crypto_provider();
        let (_, der, key) = server_ca.leaf(&["localhost", "127.0.0.1"]);
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let mut roots = rustls::RootCertStore::empty();
        roots.add(client_ca.der()).expect("root");
        let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots)).build().expect("verifier");
        let config = rustls::ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![der, server_ca.der()], key)
            .expect("server config");
        let mut server =
            TestServer::start_with("127.0.0.1", Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))), handler).await;
        server.tls = true;
        server
    }

    async fn start_with(
        ip: &str,
        tls: Option<tokio_rustls::TlsAcceptor>,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind((ip, 0)).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let recorded = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else { return };
                let (handler, recorded, tls) = (handler.clone(), recorded.clone(), tls.clone());
                tokio::spawn(async move {
                    match tls {
                        None => serve(sock, None, handler, recorded).await,
                        Some(acceptor) => {
                            let Ok(stream) = acceptor.accept(sock).await else { return };
                            let cert =
                                stream.get_ref().1.peer_certificates().and_then(|c| c.first()).map(|c| c.to_vec());
                            serve(stream, cert, handler, recorded).await
                        }
                    }
                });
            }
        });
        TestServer { addr, requests, task, tls: false }
    }

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` for a TLS
    /// server (its certificate names `localhost`).
    pub fn url(&self) -> String {
        if self.tls { format!("https://localhost:{}", self.addr.port()) } else { format!("http://{}", self.addr) }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A v3 token body as Keystone sends it, with an identity catalog entry.
pub fn v3_token_body(expires_at: &str, catalog_url: &str) -> serde_json::Value {
    serde_json::json!({"token": {
        "methods": ["password"],
        "user": {"id": "u1", "name": "glance", "domain": {"id": "default", "name": "Default"}},
        "project": {"id": "p1", "name": "service", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "admin"}, {"id": "r2", "name": "service"}],
        "audit_ids": ["a1"],
        "expires_at": expires_at,
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "catalog": [{"type": "identity", "name": "keystone", "id": "s1", "endpoints": [
            {"id": "e1", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": catalog_url}
        ]}]
    }})
}
