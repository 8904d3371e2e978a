//! The session flags reach the Session: `--os-cacert`, `--os-cert` and
//! `--os-key` (or `OS_CACERT`, `OS_CERT`, `OS_KEY`, or a cloud's `cacert`,
//! `cert` and `key`) against a real TLS server that asks for a client
//! certificate, `--insecure` against one with an unknown CA, and
//! `--timeout` against a server that answers too late. The `none` plugin
//! sends requests straight to `--os-endpoint`, so no identity service is
//! needed.

use crate::common;

use std::path::PathBuf;

use common::Dir;
use common::server::{Reply, TestServer};
use common::tls::{Ca, tls_server};
use stackauth::auth::PluginRegistry;
use stackauth::auth::cli::{CliAuth, Dirs};
use stackauth::session::{Request, Session, SessionError};
use stackauth::source::Env;

/// A session loaded from a command line, variables and `home`'s clouds.
fn session(home: &Dir, args: &[&str], env: &[(&str, &str)]) -> Result<Session, String> {
    let argv: Vec<String> = ["prog", "--os-auth-type", "none"].iter().chain(args).map(|s| (*s).to_owned()).collect();
    let dirs = Dirs { cwd: home.path().into(), home: Some(home.path().into()), config_home: None };
    let auth = CliAuth::scan(&argv, Env::from_pairs(env.iter().copied()), &dirs, PluginRegistry::builtin(), None);
    let m = auth.register(clap::Command::new("prog")).try_get_matches_from(&argv).map_err(|e| e.to_string())?;
    let loaded = auth.load(&m).map_err(|e| e.to_string())?;
    Session::from_loaded(&loaded).map_err(|e| e.to_string())
}

async fn get(s: &Session, url: &str) -> Result<serde_json::Value, SessionError> {
    s.send(Request::get(url)).await.map(|r| r.json().expect("json"))
}

struct Pki {
    dir: Dir,
    url: String,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Pki {
    /// A TLS server whose certificate `ca.pem` signs and which asks for a
    /// client certificate that `client.pem`/`client.key` is.
    async fn new() -> Pki {
        let ca = Ca::new("server CA");
        let clients = Ca::new("client CA");
        let url = tls_server(&ca, Some(&clients)).await;
        let dir = Dir::new();
        let (cert, _, key) = clients.leaf(&["os_token"]);
        Pki {
            ca: dir.write("ca.pem", ca.pem()),
            cert: dir.write("client.pem", cert),
            key: dir.write("client.key", key.serialize_pem()),
            dir,
            url,
        }
    }

    fn paths(&self) -> [String; 3] {
        [&self.ca, &self.cert, &self.key].map(|p| p.to_string_lossy().into_owned())
    }
}

#[tokio::test]
async fn ca_and_client_certificate_from_arguments() {
    let p = Pki::new().await;
    let [ca, cert, key] = p.paths();
    let s = session(&p.dir, &["--os-endpoint", &p.url, "--os-cacert", &ca, "--os-cert", &cert, "--os-key", &key], &[])
        .expect("session");
    assert_eq!(get(&s, &p.url).await.expect("the server accepts the client")["client_cert"], true);
    let without = session(&p.dir, &["--os-endpoint", &p.url, "--os-cacert", &ca], &[]).expect("session");
    assert!(get(&without, &p.url).await.is_err(), "the server asks for a client certificate");
}

#[tokio::test]
async fn ca_and_client_certificate_from_variables() {
    let p = Pki::new().await;
    let [ca, cert, key] = p.paths();
    let env = [("OS_CACERT", ca.as_str()), ("OS_CERT", cert.as_str()), ("OS_KEY", key.as_str())];
    let s = session(&p.dir, &["--os-endpoint", &p.url], &env).expect("session");
    assert_eq!(get(&s, &p.url).await.expect("accepted")["client_cert"], true);
}

#[tokio::test]
async fn ca_and_client_certificate_from_a_cloud() {
    let p = Pki::new().await;
    p.dir.write(
        "clouds.yaml",
        format!("clouds:\n  tls:\n    auth_type: none\n    auth:\n      endpoint: {}\n    cacert: ~/ca.pem\n    cert: ~/client.pem\n    key: ~/client.key\n", p.url),
    );
    let s = session(&p.dir, &["--os-cloud", "tls"], &[]).expect("session");
    assert_eq!(get(&s, &p.url).await.expect("accepted")["client_cert"], true);
}

#[tokio::test]
async fn insecure_accepts_an_unknown_ca() {
    let ca = Ca::new("unknown CA");
    let url = tls_server(&ca, None).await;
    let d = Dir::new();
    let strict = session(&d, &["--os-endpoint", &url], &[]).expect("session");
    let e = get(&strict, &url).await.expect_err("unknown CA");
    assert!(e.to_string().contains("TLS verification failed"), "{e}");
    let insecure = session(&d, &["--os-endpoint", &url, "--insecure"], &[]).expect("session");
    assert_eq!(get(&insecure, &url).await.expect("not verified")["client_cert"], false);
    // verify: false in a cloud does the same.
    d.write(
        "clouds.yaml",
        format!("clouds:\n  c:\n    auth_type: none\n    auth: {{endpoint: '{url}'}}\n    verify: false\n"),
    );
    let s = session(&d, &["--os-cloud", "c"], &[]).expect("session");
    assert_eq!(get(&s, &url).await.expect("not verified")["client_cert"], false);
}

#[tokio::test]
async fn timeout_bounds_each_request() {
    let server =
        TestServer::start(|_| Reply::json(200, serde_json::json!({})).after(std::time::Duration::from_secs(30))).await;
    let d = Dir::new();
    let s = session(&d, &["--os-endpoint", &server.url(), "--timeout", "0.2"], &[]).expect("session");
    match get(&s, &server.url()).await {
        Err(SessionError::Transport { source, .. }) => assert!(source.timeout, "{source:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[test]
fn a_missing_tls_file_names_where_it_was_set() {
    let d = Dir::new();
    let e = session(&d, &["--os-endpoint", "https://localhost:1/", "--os-cert", "/nonexistent/c.pem"], &[])
        .expect_err("no such file");
    assert!(e.contains("cannot read certfile /nonexistent/c.pem"), "{e}");
    assert!(e.contains("(certfile from command line --os-cert)"), "{e}");
}

#[test]
fn a_tls_file_error_is_typed_with_its_setting_path_and_origin() {
    let d = Dir::new();
    let argv: Vec<String> = [
        "prog",
        "--os-auth-type",
        "none",
        "--os-endpoint",
        "https://localhost:1/",
        "--os-cacert",
        "/nonexistent/ca.pem",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let dirs = Dirs { cwd: d.path().into(), home: Some(d.path().into()), config_home: None };
    let auth = CliAuth::scan(&argv, Env::empty(), &dirs, PluginRegistry::builtin(), None);
    let m = auth.register(clap::Command::new("prog")).try_get_matches_from(&argv).expect("parses");
    let loaded = auth.load(&m).expect("loads");
    match Session::from_loaded(&loaded) {
        Err(e @ SessionError::TlsFile { .. }) => {
            assert!(e.is_config() && !e.is_transport() && !e.is_auth() && e.status().is_none(), "{e:?}");
            let SessionError::TlsFile { setting, path, origin, .. } = e else { unreachable!() };
            assert_eq!(setting, "cafile");
            assert_eq!(path, std::path::Path::new("/nonexistent/ca.pem"));
            assert_eq!(origin.as_deref(), Some("command line --os-cacert"));
        }
        other => panic!("expected a TLS file error, got {other:?}"),
    }
}
