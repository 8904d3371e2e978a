//! TLS through the Session against a real local TLS server, with a CA,
//! server and client certificates generated at test time.

mod common;

use std::sync::{Arc, OnceLock};

use common::Dir;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use stackauth::auth::SessionOptions;
use stackauth::session::{Request, Session, SessionError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A CA that can sign server and client certificates.
struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        Ca { issuer: CertifiedIssuer::self_signed(p, KeyPair::generate().expect("key")).expect("ca") }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A leaf for `names`: (certificate PEM, DER, key).
    fn leaf(&self, names: &[&str]) -> (String, CertificateDer<'static>, KeyPair) {
        let key = KeyPair::generate().expect("key");
        let p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("params");
        let cert = p.signed_by(&key, &self.issuer).expect("signed");
        (cert.pem(), cert.der().clone(), key)
    }
}

/// A TLS server answering every request with whether the client presented
/// a certificate.
async fn tls_server(ca: &Ca, client_ca: Option<&Ca>) -> String {
    stackauth::auth::transport::install_crypto_provider();
    let (_, der, key) = ca.leaf(&["localhost", "127.0.0.1"]);
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let builder = rustls::ServerConfig::builder();
    let builder = match client_ca {
        Some(cca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(cca.der()).expect("root");
            builder.with_client_cert_verifier(
                rustls::server::WebPkiClientVerifier::builder(Arc::new(roots)).build().expect("verifier"),
            )
        }
        None => builder.with_no_client_auth(),
    };
    let config = builder.with_single_cert(vec![der, ca.der()], key).expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else { return };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let presented = tls.get_ref().1.peer_certificates().is_some_and(|c| !c.is_empty());
                let body = format!("{{\"client_cert\": {presented}}}");
                let resp =
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://localhost:{}/", addr.port())
}

fn session(o: SessionOptions) -> Session {
    Session::builder().options(o).build().expect("session")
}

async fn get(s: &Session, url: &str) -> Result<serde_json::Value, SessionError> {
    s.send(Request::get(url)).await.map(|r| r.json().expect("json"))
}

#[tokio::test]
async fn verification_is_on_by_default() {
    let ca = Ca::new("test CA");
    let url = tls_server(&ca, None).await;
    let e = get(&session(SessionOptions::default()), &url).await.expect_err("unknown CA");
    let msg = e.to_string();
    assert!(msg.contains("certificate") && msg.contains("TLS verification failed"), "{msg}");
}

#[tokio::test]
async fn the_right_ca_is_accepted_and_a_wrong_one_rejected() {
    let ca = Ca::new("test CA");
    let url = tls_server(&ca, None).await;
    let d = Dir::new();
    let good = d.write("ca.pem", ca.pem());
    let ok = get(&session(SessionOptions { cafile: Some(good), ..Default::default() }), &url).await.expect("trusted");
    assert_eq!(ok["client_cert"], false);
    let other = Ca::new("another CA");
    let wrong = d.write("wrong-ca.pem", other.pem());
    let e =
        get(&session(SessionOptions { cafile: Some(wrong), ..Default::default() }), &url).await.expect_err("wrong CA");
    let msg = e.to_string();
    assert!(msg.contains("UnknownIssuer") || msg.contains("unknown issuer"), "{msg}");
    assert!(msg.contains("check cafile"), "{msg}");
}

#[tokio::test]
async fn a_client_certificate_is_presented() {
    let ca = Ca::new("server CA");
    let clients = Ca::new("client CA");
    let url = tls_server(&ca, Some(&clients)).await;
    let d = Dir::new();
    let cafile = d.write("ca.pem", ca.pem());
    let (cert, _, key) = clients.leaf(&["glance"]);
    let certfile = d.write("client.pem", cert);
    let keyfile = d.write("client.key", key.serialize_pem());
    let with = session(SessionOptions {
        cafile: Some(cafile.clone()),
        certfile: Some(certfile),
        keyfile: Some(keyfile.clone()),
        ..Default::default()
    });
    assert_eq!(get(&with, &url).await.expect("accepted")["client_cert"], true);
    let without = session(SessionOptions { cafile: Some(cafile), ..Default::default() });
    assert!(get(&without, &url).await.is_err(), "the server requires a client certificate");
    // A key without a certificate, or a file that is not PEM, is a clear error.
    let e = Session::builder()
        .options(SessionOptions { keyfile: Some(keyfile), ..Default::default() })
        .build()
        .expect_err("no cert");
    assert!(e.to_string().contains("without certfile"), "{e}");
    let junk = d.write("junk.pem", "not a certificate");
    let e = Session::builder()
        .options(SessionOptions { cafile: Some(junk), ..Default::default() })
        .build()
        .expect_err("junk");
    assert!(e.to_string().contains("junk.pem"), "{e}");
    let e = Session::builder()
        .options(SessionOptions { cafile: Some(d.path().join("missing.pem")), ..Default::default() })
        .build()
        .expect_err("missing");
    assert!(e.to_string().contains("cannot read cafile"), "{e}");
}

/// The process-wide log of this test binary.
fn log() -> &'static common::logs::Buf {
    static LOG: OnceLock<common::logs::Buf> = OnceLock::new();
    LOG.get_or_init(|| common::logs::capture(tracing::Level::INFO))
}

#[tokio::test]
async fn insecure_works_and_warns() {
    let log = log();
    let ca = Ca::new("unknown CA");
    let url = tls_server(&ca, None).await;
    let s = session(SessionOptions { insecure: true, ..Default::default() });
    assert_eq!(get(&s, &url).await.expect("accepted")["client_cert"], false);
    let text = log.text();
    assert!(text.contains("WARN") && text.contains("insecure is set: TLS certificates will not be verified"), "{text}");
}
