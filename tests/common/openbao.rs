//! A real OpenBao for the OpenBao source tests: `bao server -dev` (KV v2
//! at `secret/`), installed on first use into a venv of the tests' own by
//! tests/openbao/setup.sh, started on a free loopback port, stopped when
//! dropped. Secrets, policies and AppRoles are set up through the HTTP API
//! with the dev root token and a client of the test's own.
//!
//! When it cannot start, the tests fail. Only outside CI, and only with
//! STACKAUTH_SKIP_LIVE=1 set, do they skip, loudly.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The dev server's root token (a test fixture, not a secret of anyone's).
pub const ROOT_TOKEN: &str = "stackauth-dev-root";

/// The `bao` path, found or installed once per test process.
fn server() -> &'static Result<PathBuf, String> {
    static SERVER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    SERVER.get_or_init(|| super::setup::server_path("openbao"))
}

pub struct OpenBao {
    pub url: String,
    child: Child,
    _home: tempfile::TempDir,
}

impl Drop for OpenBao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OpenBao {
    /// Starts one, or `None` when live tests are skipped (never under CI).
    pub fn start() -> Option<OpenBao> {
        let under_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        if !under_ci && std::env::var("STACKAUTH_SKIP_LIVE").is_ok_and(|v| v == "1") {
            eprintln!("SKIPPED: live OpenBao test (STACKAUTH_SKIP_LIVE=1)");
            return None;
        }
        let bao = match server() {
            Ok(path) => path,
            Err(e) => panic!("no OpenBao for the OpenBao source tests: {e}"),
        };
        let home = tempfile::tempdir().expect("temp dir");
        let port = super::keystone::free_port().expect("a free port");
        let url = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(home.path().join("bao.log")).expect("log file");
        let child = Command::new(bao)
            .args(["server", "-dev", &format!("-dev-root-token-id={ROOT_TOKEN}")])
            .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
            // The dev server writes the root token to ~/.vault-token: not ours.
            .env("HOME", home.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bao.display()));
        let b = OpenBao { url, child, _home: home };
        let deadline = Instant::now() + Duration::from_secs(30);
        while b.call("GET", "sys/health", None).is_err() {
            assert!(Instant::now() < deadline, "OpenBao did not answer on {}", b.url);
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(b)
    }

    /// One API call with the root token; the answer's JSON (`null` for
    /// 204).
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}/v1/{path}", self.url);
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
                rt.block_on(async {
                    stackauth::auth::transport::install_crypto_provider();
                    let mut req = reqwest::Client::new().request(method, &url).header("X-Vault-Token", ROOT_TOKEN);
                    if let Some(b) = body {
                        req = req.json(&b);
                    }
                    let r = req.send().await.map_err(|e| e.to_string())?;
                    let status = r.status();
                    if !status.is_success() {
                        return Err(format!("{url}: {status}"));
                    }
                    if status.as_u16() == 204 {
                        return Ok(Value::Null);
                    }
                    r.json::<Value>().await.map_err(|e| e.to_string())
                })
            })
            .join()
            .map_err(|_| "panicked".to_owned())?
        })
    }

    /// Writes a new version of the KV v2 secret at `secret/<path>`;
    /// returns its version.
    pub fn put(&self, path: &str, data: Value) -> u64 {
        let a = self.call("POST", &format!("secret/data/{path}"), Some(json!({"data": data}))).expect("write");
        a["data"]["version"].as_u64().expect("a version")
    }

    /// An AppRole `name` whose tokens may read (and read the metadata of)
    /// these paths, tokens living `ttl` seconds: its role id and a secret
    /// id.
    pub fn approle(&self, name: &str, paths: &[&str], ttl: u64) -> (String, String) {
        let _ = self.call("POST", "sys/auth/approle", Some(json!({"type": "approle"})));
        let mut policy = String::new();
        for p in paths {
            policy.push_str(&format!(
                "path \"secret/data/{p}\" {{ capabilities = [\"read\"] }}\npath \"secret/metadata/{p}\" {{ capabilities = [\"read\"] }}\n"
            ));
        }
        self.call("POST", &format!("sys/policies/acl/{name}"), Some(json!({"policy": policy}))).expect("policy");
        self.call(
            "POST",
            &format!("auth/approle/role/{name}"),
            Some(json!({"token_policies": [name], "token_ttl": format!("{ttl}s"), "token_max_ttl": "1h"})),
        )
        .expect("role");
        let role = self.call("GET", &format!("auth/approle/role/{name}/role-id"), None).expect("role id");
        let secret = self.call("POST", &format!("auth/approle/role/{name}/secret-id"), None).expect("secret id");
        (
            role["data"]["role_id"].as_str().expect("role_id").to_owned(),
            secret["data"]["secret_id"].as_str().expect("secret_id").to_owned(),
        )
    }

    /// A token with `name`'s policy, living `ttl` seconds, renewable.
    pub fn token(&self, policy: &str, ttl: u64) -> String {
        let a = self
            .call(
                "POST",
                "auth/token/create",
                Some(json!({"policies": [policy], "ttl": format!("{ttl}s"), "renewable": true})),
            )
            .expect("token");
        a["auth"]["client_token"].as_str().expect("client_token").to_owned()
    }

    /// Revokes `token`.
    pub fn revoke(&self, token: &str) {
        self.call("POST", "auth/token/revoke", Some(json!({"token": token}))).expect("revoke");
    }

    /// Whether `token` is still valid (a lookup with the root token).
    pub fn token_ttl(&self, token: &str) -> Option<u64> {
        self.call("POST", "auth/token/lookup", Some(json!({"token": token})))
            .ok()
            .and_then(|a| a["data"]["ttl"].as_u64())
    }
}
