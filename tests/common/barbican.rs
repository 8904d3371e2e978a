//! A real Barbican for the castellan source tests: installed on first use
//! into a venv of the tests' own by tests/barbican/setup.sh, served by
//! tests/barbican/start.sh (barbican-api under uwsgi, SQLite, the
//! simple_crypto plugin) on a free loopback port beside the tests'
//! Keystone, whose tokens its auth_token middleware validates. One per
//! test binary; it stops when the test process exits.
//!
//! When it cannot start, the tests fail. Only outside CI, and only with
//! STACKAUTH_SKIP_LIVE=1 set, do they skip, loudly.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::json;

use super::keystone::{self, Keystone};

pub struct Barbican {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub keystone: &'static Keystone,
    _tmp: tempfile::TempDir,
}

static BARBICAN: OnceLock<Result<Barbican, String>> = OnceLock::new();

fn start(keystone: &'static Keystone) -> Result<Barbican, String> {
    let tmp = tempfile::Builder::new().prefix("stackauth-barbican-").tempdir().map_err(|e| e.to_string())?;
    let port = keystone::free_port()?;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/barbican/start.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(&script)
        .arg(tmp.path())
        .arg(port.to_string())
        .arg(std::process::id().to_string())
        .arg(&keystone.root)
        .arg(keystone::ADMIN_PASSWORD);
    super::setup::run_script(cmd, &script)?;
    Ok(Barbican { url: format!("http://127.0.0.1:{port}"), keystone, _tmp: tmp })
}

impl Barbican {
    /// The shared Barbican (and the tests' Keystone), or `None` when live
    /// tests are skipped (never under CI). Panics when it cannot start.
    pub fn get() -> Option<&'static Barbican> {
        let keystone = keystone::keystone()?;
        match BARBICAN.get_or_init(|| start(keystone)) {
            Ok(b) => Some(b),
            Err(e) => panic!("no Barbican for the castellan source tests:\n{e}"),
        }
    }

    /// Stores `payload` (text/plain) as a new secret with `token`; its id.
    pub async fn store(&self, token: &str, name: &str, payload: &str) -> String {
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/secrets", self.url))
            .header("X-Auth-Token", token)
            .json(&json!({"name": name, "payload": payload, "payload_content_type": "text/plain"}))
            .send()
            .await
            .expect("store a secret");
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        assert_eq!(status, 201, "store a secret: {body}");
        let href = body["secret_ref"].as_str().expect("secret_ref");
        href.rsplit('/').next().expect("an id").to_owned()
    }
}

/// A service user of the tests' Keystone with a project of its own (member
/// role, as Barbican's default policy wants for its secrets): (user name,
/// password, project id), and a token of it.
pub async fn service_user(keystone: &Keystone, name: &str) -> (String, String, String, String) {
    let name = format!("{name}-{}", std::process::id());
    let password = format!("{name}-keystone-pw");
    let (_, project_id, _) = keystone.user_with_project(&name, &password).await;
    let token = keystone.user_token(&name, &password, &project_id).await;
    (name, password, project_id, token)
}

/// castellan.conf for `user`: keystone_password against the tests'
/// Keystone, Barbican at its address.
pub fn castellan_conf(b: &Barbican, user: &str, password: &str, project_id: &str) -> String {
    format!(
        "[key_manager]\nbackend = barbican\nauth_type = keystone_password\nauth_url = {}\nusername = {user}\n\
         password = {password}\nuser_domain_id = default\nproject_id = {project_id}\n\n\
         [barbican]\nbarbican_endpoint = {}\nbarbican_api_version = v1\n",
        b.keystone.url, b.url
    )
}
