//! TLS through the Session against a real local TLS server, with a CA,
//! server and client certificates generated at test time.

mod common;

use std::sync::OnceLock;

use common::Dir;
use common::tls::{Ca, tls_server};
use stackauth::auth::SessionOptions;
use stackauth::session::{Request, Session, SessionError};

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
    let ok = get(
        &session({
            let mut built = SessionOptions::default();
            built.cafile = Some(good);
            built
        }),
        &url,
    )
    .await
    .expect("trusted");
    assert_eq!(ok["client_cert"], false);
    let other = Ca::new("another CA");
    let wrong = d.write("wrong-ca.pem", other.pem());
    let e = get(
        &session({
            let mut built = SessionOptions::default();
            built.cafile = Some(wrong);
            built
        }),
        &url,
    )
    .await
    .expect_err("wrong CA");
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
    let with = session({
        let mut built = SessionOptions::default();
        built.cafile = Some(cafile.clone());
        built.certfile = Some(certfile);
        built.keyfile = Some(keyfile.clone());
        built
    });
    assert_eq!(get(&with, &url).await.expect("accepted")["client_cert"], true);
    let without = session({
        let mut built = SessionOptions::default();
        built.cafile = Some(cafile);
        built
    });
    assert!(get(&without, &url).await.is_err(), "the server requires a client certificate");
    // A key without a certificate, or a file that is not PEM, is a clear error.
    let e = Session::builder()
        .options({
            let mut built = SessionOptions::default();
            built.keyfile = Some(keyfile);
            built
        })
        .build()
        .expect_err("no cert");
    assert!(e.to_string().contains("without certfile"), "{e}");
    let junk = d.write("junk.pem", "not a certificate");
    let e = Session::builder()
        .options({
            let mut built = SessionOptions::default();
            built.cafile = Some(junk);
            built
        })
        .build()
        .expect_err("junk");
    assert!(e.to_string().contains("junk.pem"), "{e}");
    let e = Session::builder()
        .options({
            let mut built = SessionOptions::default();
            built.cafile = Some(d.path().join("missing.pem"));
            built
        })
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
    let s = session({
        let mut built = SessionOptions::default();
        built.insecure = true;
        built
    });
    assert_eq!(get(&s, &url).await.expect("accepted")["client_cert"], false);
    let text = log.text();
    assert!(text.contains("WARN") && text.contains("insecure is set: TLS certificates will not be verified"), "{text}");
}
