//! A real OpenID Connect provider for the tests: oidc-provider-mock from
//! PyPI (tests/oidc/setup.sh installs it into its own venv), and the
//! federation proxy that plays mod_auth_openidc in front of Keystone
//! (tests/oidc/federation_proxy.py).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// oidc-provider-mock (tests/oidc/setup.sh installs it into its own venv),
/// served on a free loopback port for one test; stopped when dropped.
pub struct Provider {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The provider, or `None` when live tests are skipped (never under CI).
pub async fn provider() -> Option<Provider> {
    let under_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    if !under_ci && std::env::var("STACKAUTH_SKIP_LIVE").is_ok_and(|v| v == "1") {
        eprintln!("SKIPPED: the OpenID Connect provider tests (STACKAUTH_SKIP_LIVE=1)");
        return None;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let venv =
        std::env::var_os("STACKAUTH_OIDC_VENV").map(PathBuf::from).unwrap_or_else(|| root.join("target/oidc-venv"));
    // Idempotent; two test processes at once may collide, so try twice.
    let setup = || Command::new("bash").arg(root.join("tests/oidc/setup.sh")).arg(&venv).output();
    let mut out = setup().expect("runs bash");
    if !out.status.success() {
        out = setup().expect("runs bash");
    }
    assert!(out.status.success(), "tests/oidc/setup.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let child = Command::new(venv.join("bin/python"))
        .args(["-m", "oidc_provider_mock", "--port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts oidc-provider-mock");
    let p = Provider { child, url: format!("http://127.0.0.1:{port}") };
    let discovery = format!("{}/.well-known/openid-configuration", p.url);
    for _ in 0..150 {
        if reqwest::get(&discovery).await.is_ok_and(|r| r.status().is_success()) {
            return Some(p);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("oidc-provider-mock did not answer on port {port} within 30 s");
}

pub const REDIRECT: &str = "http://localhost/callback";

/// An authorization code for user `sub`, as the provider's authorization
/// form gives it when the user allows (a POST, no browser).
pub async fn authorization_code(p: &Provider, client_id: &str, sub: &str) -> String {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let resp = client
        .post(format!(
            "{}/oauth2/authorize?client_id={client_id}&redirect_uri={}&response_type=code&scope=openid+email",
            p.url,
            REDIRECT.replace(':', "%3A").replace('/', "%2F")
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("sub={sub}&action=allow"))
        .send()
        .await
        .expect("the authorization form answers");
    assert_eq!(resp.status().as_u16(), 302, "{:?}", resp.text().await);
    let location = resp.headers()["location"].to_str().expect("ASCII").to_owned();
    let code = location.split_once("code=").map(|(_, c)| c.split('&').next().unwrap_or(c)).expect("a code");
    code.to_owned()
}

/// tests/oidc/federation_proxy.py in front of Keystone at `keystone_root`,
/// validating bearer tokens with `p`'s userinfo endpoint; stopped when
/// dropped.
pub struct FederationProxy {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl Drop for FederationProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the proxy with the Keystone venv's Python (standard library only).
pub async fn federation_proxy(python: &std::path::Path, keystone_root: &str, p: &Provider) -> FederationProxy {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let child = Command::new(python)
        .arg(root.join("tests/oidc/federation_proxy.py"))
        .args([port.to_string(), keystone_root.to_owned(), format!("{}/userinfo", p.url)])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts the federation proxy");
    let proxy = FederationProxy { child, url: format!("http://127.0.0.1:{port}") };
    for _ in 0..150 {
        if reqwest::get(format!("{}/v3", proxy.url)).await.is_ok_and(|r| r.status().is_success()) {
            return proxy;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the federation proxy did not answer on port {port} within 30 s");
}
