//! A real etcd for the etcd source tests: Debian's `etcd-server`,
//! installed on first use by tests/etcd/setup.sh (so `cargo test` needs
//! nothing installed beforehand), started on free loopback ports with a
//! temp data dir, stopped when dropped. Keys are written through the same
//! v3 JSON gateway the library reads, with a client of the test's own.
//!
//! When it cannot start, the tests fail. Only outside CI, and only with
//! STACKAUTH_SKIP_LIVE=1 set, do they skip, loudly.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// The server's path, found or installed once per test process.
fn server() -> &'static Result<PathBuf, String> {
    static SERVER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    SERVER.get_or_init(|| super::setup::server_path("etcd"))
}

pub struct Etcd {
    pub url: String,
    child: Child,
    data: tempfile::TempDir,
    peer: u16,
    /// Extra arguments (TLS).
    extra: Vec<String>,
    /// The `https://` client URL, when started with TLS.
    pub tls_url: Option<String>,
    /// The root password, once authentication is enabled.
    root: Option<String>,
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Etcd {
    /// Starts one, or `None` when live tests are skipped (never under CI).
    pub fn start() -> Option<Etcd> {
        Etcd::start_with(None)
    }

    /// Starts one that also listens with TLS on `tls_url`, requiring a
    /// client certificate signed by `ca_file`'s CA: (server cert, key, CA)
    /// files. Keys are still written over plain HTTP by the test.
    pub fn start_tls(files: (&std::path::Path, &std::path::Path, &std::path::Path)) -> Option<Etcd> {
        Etcd::start_with(Some(files))
    }

    fn start_with(tls: Option<(&std::path::Path, &std::path::Path, &std::path::Path)>) -> Option<Etcd> {
        let under_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        if !under_ci && std::env::var("STACKAUTH_SKIP_LIVE").is_ok_and(|v| v == "1") {
            eprintln!("SKIPPED: live etcd test (STACKAUTH_SKIP_LIVE=1)");
            return None;
        }
        let server = match server() {
            Ok(path) => path,
            Err(e) => panic!("no etcd for the etcd source tests: {e}"),
        };
        let data = tempfile::tempdir().expect("temp dir");
        let client = super::keystone::free_port().expect("a free port");
        let peer = super::keystone::free_port().expect("a free port");
        let url = format!("http://127.0.0.1:{client}");
        let mut extra = Vec::new();
        let mut tls_url = None;
        if let Some((cert, key, ca)) = tls {
            let https = format!("https://127.0.0.1:{}", super::keystone::free_port().expect("a free port"));
            extra = vec![
                format!("--listen-client-urls={url},{https}"),
                format!("--advertise-client-urls={url},{https}"),
                format!("--cert-file={}", cert.display()),
                format!("--key-file={}", key.display()),
                format!("--trusted-ca-file={}", ca.display()),
                "--client-cert-auth".to_owned(),
            ];
            tls_url = Some(https);
        }
        let child = spawn(server, &data, &url, peer, &extra);
        let etcd = Etcd { url, child, data, peer, extra, tls_url, root: None };
        etcd.wait_ready();
        Some(etcd)
    }

    /// Stops the server and starts it again on the same ports and data.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let Ok(server) = server() else { panic!("no etcd") };
        self.child = spawn(server, &self.data, &self.url, self.peer, &self.extra);
        self.wait_ready();
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.try_range("/").is_ok() {
                break;
            }
            assert!(Instant::now() < deadline, "etcd did not answer on {}", self.url);
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Turns on authentication: a root user (which the fixture uses from
    /// now on) and `user` with `password`, allowed to read the keys under
    /// `prefix` only.
    pub fn enable_auth(&mut self, user: &str, password: &str, prefix: &str) {
        let b = |s: &str| B64.encode(s);
        let mut end = prefix.as_bytes().to_vec();
        if let Some(last) = end.last_mut() {
            *last += 1;
        }
        let steps = [
            ("/v3/auth/role/add", serde_json::json!({"name": "root"})),
            ("/v3/auth/user/add", serde_json::json!({"name": "root", "password": "fixture-root-pw"})),
            ("/v3/auth/user/grant", serde_json::json!({"user": "root", "role": "root"})),
            ("/v3/auth/role/add", serde_json::json!({"name": "reader"})),
            (
                "/v3/auth/role/grant",
                serde_json::json!({"name": "reader", "perm": {"permType": "READ", "key": b(prefix), "range_end": B64.encode(&end)}}),
            ),
            ("/v3/auth/user/add", serde_json::json!({"name": user, "password": password})),
            ("/v3/auth/user/grant", serde_json::json!({"user": user, "role": "reader"})),
            ("/v3/auth/enable", serde_json::json!({})),
        ];
        for (path, body) in steps {
            self.post(path, body).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        self.root = Some("fixture-root-pw".to_owned());
    }

    fn post(&self, path: &str, body: serde_json::Value) -> Result<serde_json::Value, String> {
        let url = format!("{}{path}", self.url);
        let auth_url = format!("{}/v3/auth/authenticate", self.url);
        let root = self.root.clone();
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
                rt.block_on(async {
                    stackauth::auth::transport::install_crypto_provider();
                    let client = reqwest::Client::new();
                    let mut req = client.post(&url).json(&body);
                    if let Some(pw) = root {
                        let a = client
                            .post(&auth_url)
                            .json(&serde_json::json!({"name": "root", "password": pw}))
                            .send()
                            .await
                            .map_err(|e| e.to_string())?;
                        let a: serde_json::Value = a.json().await.map_err(|e| e.to_string())?;
                        req = req.header("Authorization", a["token"].as_str().unwrap_or_default());
                    }
                    let r = req.send().await.map_err(|e| e.to_string())?;
                    if !r.status().is_success() {
                        return Err(format!("{url}: {}", r.status()));
                    }
                    r.json::<serde_json::Value>().await.map_err(|e| e.to_string())
                })
            })
            .join()
            .map_err(|_| "panicked".to_owned())?
        })
    }

    fn try_range(&self, key: &str) -> Result<serde_json::Value, String> {
        self.post("/v3/kv/range", serde_json::json!({"key": B64.encode(key)}))
    }

    /// Writes `key`; returns the cluster revision it made.
    pub fn put(&self, key: &str, value: &str) -> i64 {
        let r = self
            .post("/v3/kv/put", serde_json::json!({"key": B64.encode(key), "value": B64.encode(value)}))
            .expect("put");
        r["header"]["revision"].as_str().and_then(|s| s.parse().ok()).expect("a revision")
    }

    /// Deletes `key`.
    pub fn delete(&self, key: &str) {
        self.post("/v3/kv/deleterange", serde_json::json!({"key": B64.encode(key)})).expect("delete");
    }
}

fn spawn(server: &std::path::Path, data: &tempfile::TempDir, url: &str, peer: u16, extra: &[String]) -> Child {
    let peer_url = format!("http://127.0.0.1:{peer}");
    let log =
        std::fs::OpenOptions::new().create(true).append(true).open(data.path().join("etcd.log")).expect("log file");
    Command::new(server)
        .args(["--name", "stackauth-test", "--data-dir"])
        .arg(data.path().join("data"))
        .args(if extra.is_empty() {
            vec![format!("--listen-client-urls={url}"), format!("--advertise-client-urls={url}")]
        } else {
            extra.to_vec()
        })
        .args(["--listen-peer-urls", &peer_url, "--initial-advertise-peer-urls", &peer_url])
        .args(["--initial-cluster", &format!("stackauth-test={peer_url}")])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()))
}
