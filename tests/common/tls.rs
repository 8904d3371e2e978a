//! A real local TLS server and a CA to sign its certificate and clients'
//! certificates, generated at test time.
#![allow(dead_code)]

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A CA that can sign server and client certificates.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name.push(DnType::CommonName, name);
        Ca { issuer: CertifiedIssuer::self_signed(p, KeyPair::generate().expect("key")).expect("ca") }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// A leaf for `names`: (certificate PEM, DER, key).
    pub fn leaf(&self, names: &[&str]) -> (String, CertificateDer<'static>, KeyPair) {
        let key = KeyPair::generate().expect("key");
        let p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("params");
        let cert = p.signed_by(&key, &self.issuer).expect("signed");
        (cert.pem(), cert.der().clone(), key)
    }
}

/// A TLS server answering every request with whether the client presented
/// a certificate.
pub async fn tls_server(ca: &Ca, client_ca: Option<&Ca>) -> String {
    tls_server_with(ca, client_ca, Arc::new(|presented| format!("{{\"client_cert\": {presented}}}"))).await
}

/// A TLS server answering every request 200 with `body(whether the client
/// presented a certificate)`.
pub async fn tls_server_with(
    ca: &Ca,
    client_ca: Option<&Ca>,
    body: Arc<dyn Fn(bool) -> String + Send + Sync>,
) -> String {
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
            let (acceptor, body) = (acceptor.clone(), body.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else { return };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let presented = tls.get_ref().1.peer_certificates().is_some_and(|c| !c.is_empty());
                let body = body(presented);
                let resp =
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://localhost:{}/", addr.port())
}
