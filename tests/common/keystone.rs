//! A real Keystone for live tests: installed from PyPI into a virtual
//! environment by tests/keystone/setup.sh, bootstrapped with SQLite and
//! fernet tokens and served by uwsgi on a free loopback port by
//! tests/keystone/start.sh. One per test binary; it stops when the test
//! process exits.
//!
//! When it cannot start, live tests fail. Only outside CI, and only with
//! STACKAUTH_SKIP_LIVE=1 set, do they skip, loudly.
//!
//! Fault tests take a Keystone of their own (`private_keystone`), which
//! they may stop, serve again and whose fernet keys they may rotate.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "stackauth-admin";

/// Keystone's `[token] expiration` in the fixture: short, so tests can see
/// tokens refreshed before they expire.
pub const TOKEN_LIFETIME_SECS: u64 = 30;

pub struct Keystone {
    /// `http://127.0.0.1:PORT/v3`
    pub url: String,
    /// `http://127.0.0.1:PORT`
    pub root: String,
    pub dir: PathBuf,
    port: u16,
    _tmp: tempfile::TempDir,
}

static KEYSTONE: OnceLock<Result<Keystone, String>> = OnceLock::new();

/// A loopback port nothing listens on now.
pub fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Runs one of the fixture's scripts in tests/keystone.
fn script(name: &str, args: &[String]) -> Result<String, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/keystone").join(name);
    let mut cmd = Command::new("bash");
    cmd.arg(&script)
        .args(args)
        .env("KEYSTONE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("KEYSTONE_TOKEN_EXPIRATION", TOKEN_LIFETIME_SECS.to_string());
    super::setup::run_script(cmd, &script)
}

fn start() -> Result<Keystone, String> {
    // One start at a time: the first installs the virtual environment,
    // which two at once would both write.
    static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = STARTING.lock().unwrap_or_else(|e| e.into_inner());
    stackauth::auth::transport::install_crypto_provider();
    let tmp = tempfile::Builder::new().prefix("stackauth-keystone-").tempdir().map_err(|e| e.to_string())?;
    let port = free_port()?;
    let args = [tmp.path().display().to_string(), port.to_string(), std::process::id().to_string()];
    script("start.sh", &args)?;
    Ok(Keystone {
        url: format!("http://127.0.0.1:{port}/v3"),
        root: format!("http://127.0.0.1:{port}"),
        dir: tmp.path().to_owned(),
        port,
        _tmp: tmp,
    })
}

/// Whether live tests are skipped (only outside CI, when asked), saying so.
fn skipped() -> bool {
    let under_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    let skip = !under_ci && std::env::var("STACKAUTH_SKIP_LIVE").is_ok_and(|v| v == "1");
    if skip {
        eprintln!("SKIPPED: live Keystone test (STACKAUTH_SKIP_LIVE=1)");
    }
    skip
}

/// The shared Keystone, or `None` when the developer asked to skip live
/// tests (never under CI). Panics when it cannot start.
pub fn keystone() -> Option<&'static Keystone> {
    if skipped() {
        return None;
    }
    match KEYSTONE.get_or_init(start) {
        Ok(k) => Some(k),
        Err(e) => panic!("the Keystone fixture could not start:\n{e}"),
    }
}

/// A Keystone of the caller's own, to stop and start and rotate keys of
/// without disturbing other tests; `None` as for [`keystone`]. It and its
/// files go when it is dropped (or the test process exits).
pub fn private_keystone() -> Option<Keystone> {
    if skipped() {
        return None;
    }
    Some(start().unwrap_or_else(|e| panic!("a private Keystone could not start:\n{e}")))
}

impl Keystone {
    /// Stops uwsgi (its master, by the pid file in the Keystone's dir) and
    /// waits until the port refuses connections. The database and keys stay.
    pub fn stop(&self) {
        let pid = std::fs::read_to_string(self.dir.join("uwsgi.pid")).expect("uwsgi.pid");
        let status = Command::new("kill").args(["-TERM", pid.trim()]).status().expect("kill runs");
        assert!(status.success(), "kill -TERM {pid}");
        let refused = |tenths: u32| {
            (0..tenths).any(|_| {
                let gone = std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err();
                if !gone {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                gone
            })
        };
        if refused(100) {
            return;
        }
        // uwsgi's graceful stop can wait on a busy worker: kill its process
        // group (start.sh runs it under setsid, so the group is the master's).
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", pid.trim())]).status();
        assert!(refused(50), "Keystone on port {} still answers 10 s after TERM and 5 s after KILL", self.port);
    }

    /// Serves the stopped Keystone again on its port, as it was.
    pub fn serve_again(&self) {
        let args =
            [self.dir.display().to_string(), self.port.to_string(), std::process::id().to_string(), "serve".into()];
        script("start.sh", &args).unwrap_or_else(|e| panic!("Keystone did not come back:\n{e}"));
    }

    /// Rotates the fernet keys `times` times (`keystone-manage
    /// fernet_rotate`); returns the key files left.
    pub fn rotate_fernet_keys(&self, times: u32) -> Vec<String> {
        let out =
            script("rotate.sh", &[self.dir.display().to_string(), times.to_string()]).unwrap_or_else(|e| panic!("{e}"));
        out.split_whitespace().map(str::to_owned).collect()
    }

    /// A project-scoped admin token, from the API.
    pub async fn admin_token(&self) -> String {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}
        }});
        // uwsgi now and then closes a connection without answering: the
        // fixture's own calls try again (stackauth's transport does too).
        let mut tries = 0;
        let resp = loop {
            match reqwest::Client::new().post(format!("{}/auth/tokens", self.url)).json(&body).send().await {
                Ok(r) => break r,
                Err(e) if tries < 3 => {
                    tries += 1;
                    eprintln!("fixture: admin token request failed ({e}); trying again");
                }
                Err(e) => panic!("admin token request: {e}"),
            }
        };
        assert_eq!(resp.status().as_u16(), 201, "admin token");
        resp.headers().get("X-Subject-Token").and_then(|v| v.to_str().ok()).expect("token").to_owned()
    }

    /// Calls the identity API as admin; returns status and JSON body.
    pub async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let token = self.admin_token().await;
        self.api_with(&token, method, path, body).await
    }

    /// Calls the identity API with `token`.
    pub async fn api_with(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req =
            reqwest::Client::new().request(method, format!("{}{path}", self.url)).header("X-Auth-Token", token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("identity API call");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Gives the admin user the admin role on the default domain (bootstrap
    /// only grants it on the admin project and the system), for
    /// domain-scoped tokens. Idempotent.
    pub async fn grant_admin_on_default_domain(&self) {
        let (_, users) = self.api(reqwest::Method::GET, "/users?name=admin", None).await;
        let uid = users["users"][0]["id"].as_str().expect("admin user").to_owned();
        let (_, roles) = self.api(reqwest::Method::GET, "/roles?name=admin", None).await;
        let rid = roles["roles"][0]["id"].as_str().expect("admin role").to_owned();
        let (s, _) = self.api(reqwest::Method::PUT, &format!("/domains/default/users/{uid}/roles/{rid}"), None).await;
        assert_eq!(s, 204, "grant admin on the default domain");
    }

    /// Creates a user with a member role on a new project; returns
    /// (user id, project id, project name).
    pub async fn user_with_project(&self, name: &str, password: &str) -> (String, String, String) {
        let project = format!("{name}-project");
        let (s, p) = self
            .api(
                reqwest::Method::POST,
                "/projects",
                Some(json!({"project": {"name": project, "domain_id": "default"}})),
            )
            .await;
        assert_eq!(s, 201, "create project: {p}");
        let pid = p["project"]["id"].as_str().expect("project id").to_owned();
        let (s, u) = self
            .api(
                reqwest::Method::POST,
                "/users",
                Some(json!({"user": {"name": name, "password": password, "domain_id": "default", "default_project_id": pid}})),
            )
            .await;
        assert_eq!(s, 201, "create user: {u}");
        let uid = u["user"]["id"].as_str().expect("user id").to_owned();
        let (s, roles) = self.api(reqwest::Method::GET, "/roles?name=member", None).await;
        assert_eq!(s, 200);
        let rid = roles["roles"][0]["id"].as_str().expect("member role").to_owned();
        let (s, _) = self.api(reqwest::Method::PUT, &format!("/projects/{pid}/users/{uid}/roles/{rid}"), None).await;
        assert_eq!(s, 204, "grant role");
        (uid, pid, project)
    }

    /// A project-scoped token for `user` (in the default domain), from a
    /// password, as any client gets one.
    pub async fn user_token(&self, user: &str, password: &str, project_id: &str) -> String {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"id": project_id}}
        }});
        for tries in 0.. {
            match reqwest::Client::new().post(format!("{}/auth/tokens", self.url)).json(&body).send().await {
                Ok(r) => {
                    assert_eq!(r.status().as_u16(), 201, "token for {user}");
                    return r.headers().get("X-Subject-Token").and_then(|v| v.to_str().ok()).expect("token").to_owned();
                }
                Err(e) if tries < 3 => eprintln!("fixture: token request failed ({e}); trying again"),
                Err(e) => panic!("token request for {user}: {e}"),
            }
        }
        unreachable!()
    }

    /// The id of role `name`, created if missing (bootstrap makes admin,
    /// member and reader; `service` may need creating).
    pub async fn role(&self, name: &str) -> String {
        let (s, roles) = self.api(reqwest::Method::GET, &format!("/roles?name={name}"), None).await;
        assert_eq!(s, 200);
        if let Some(id) = roles["roles"][0]["id"].as_str() {
            return id.to_owned();
        }
        let (s, r) = self.api(reqwest::Method::POST, "/roles", Some(json!({"role": {"name": name}}))).await;
        if s == 409 {
            // Created meanwhile by another test.
            let (_, roles) = self.api(reqwest::Method::GET, &format!("/roles?name={name}"), None).await;
            return roles["roles"][0]["id"].as_str().expect("role").to_owned();
        }
        assert_eq!(s, 201, "create role {name}: {r}");
        r["role"]["id"].as_str().expect("role id").to_owned()
    }

    /// Grants role `name` to `user_id` on `project_id`.
    pub async fn grant(&self, user_id: &str, project_id: &str, name: &str) {
        let rid = self.role(name).await;
        let (s, _) =
            self.api(reqwest::Method::PUT, &format!("/projects/{project_id}/users/{user_id}/roles/{rid}"), None).await;
        assert_eq!(s, 204, "grant {name}");
    }
}
