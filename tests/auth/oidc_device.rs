//! `v3oidcdeviceauthz` (RFC 8628, keystoneauth's
//! `OidcDeviceAuthorization`) against a local HTTP server of the tests'
//! own playing the provider (discovery, device authorization and token
//! endpoints) and Keystone's federation endpoint: the requests as
//! keystoneauth sends them, PKCE S256 checked against the verifier, polling
//! while the user has not approved, expiry, and a bad PKCE method refused
//! at load.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::Dir;
use common::server::{Recorded, Reply, TestServer, v3_token_body};
use serde_json::json;
use sha2::Digest;
use stackauth::Loader;
use stackauth::auth::{LoadedAuth, PluginRegistry, load_from_group};
use stackauth::opt::Registry;
use stackauth::session::Session;

const CLIENT_ID: &str = "device-client";
const CLIENT_SECRET: &str = "device-s3cret";
const DEVICE_CODE: &str = "dev-code-1:/+";
const FED_PATH: &str = "/v3/OS-FEDERATION/identity_providers/myidp/protocols/openid/auth";

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `application/x-www-form-urlencoded` pairs, decoded.
fn form(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                    out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The provider answers "pending" `pending` times before it gives a token.
async fn provider(pending: usize, expires_in: u64) -> TestServer {
    let polls = Arc::new(AtomicUsize::new(0));
    let challenge = Arc::new(std::sync::Mutex::new(String::new()));
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let b = base.clone();
    let server = TestServer::start(move |r: &Recorded| {
        let url = b.get().cloned().unwrap_or_default();
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/.well-known/openid-configuration") => Reply::json(
                200,
                json!({"issuer": url, "token_endpoint": format!("{url}/token"),
                       "device_authorization_endpoint": format!("{url}/device"),
                       "grant_types_supported": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]}),
            ),
            ("POST", "/device") => {
                let f = form(&r.body);
                if let Some((_, c)) = f.iter().find(|(k, _)| k == "code_challenge") {
                    *challenge.lock().expect("lock") = c.clone();
                }
                Reply::json(
                    200,
                    json!({"device_code": DEVICE_CODE, "user_code": "WDJB-MJHT",
                           "verification_uri": format!("{url}/activate"), "expires_in": expires_in, "interval": 1}),
                )
            }
            ("POST", "/token") => {
                let f = form(&r.body);
                let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                // S256: the challenge sent before is the verifier's hash.
                let verifier = get("code_verifier").unwrap_or_default();
                let expected = b64url(&sha2::Sha256::digest(verifier.as_bytes()));
                if get("device_code").as_deref() != Some(DEVICE_CODE) || *challenge.lock().expect("lock") != expected {
                    return Reply::json(400, json!({"error": "invalid_grant"}));
                }
                if polls.fetch_add(1, Ordering::SeqCst) < pending {
                    return Reply::json(400, json!({"error": "authorization_pending"}));
                }
                Reply::json(200, json!({"access_token": "device-access-1", "token_type": "Bearer"}))
            }
            ("POST", FED_PATH) if r.header("authorization") == Some("Bearer device-access-1") => {
                let mut body = v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3");
                body["token"].as_object_mut().map(|t| t.remove("project"));
                Reply::json(201, body).header("X-Subject-Token", "unscoped-device")
            }
            _ => Reply::json(404, json!({"error": {"message": "no such path"}})),
        }
    })
    .await;
    let _ = base.set(server.url());
    server
}

fn load(dir: &Dir, text: &str) -> Result<LoadedAuth, stackauth::LoadError> {
    let path = dir.write("a.conf", text);
    load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
}

fn conf(url: &str, pkce: &str) -> String {
    format!(
        "[service_user]\nauth_type = v3oidcdeviceauthz\nauth_url = {url}/v3\nidentity_provider = myidp\n\
         protocol = openid\nclient_id = {CLIENT_ID}\nclient_secret = {CLIENT_SECRET}\n\
         discovery_endpoint = {url}/.well-known/openid-configuration\ncode_challenge_method = {pkce}\n"
    )
}

#[tokio::test]
async fn the_device_flow_polls_until_the_user_approves_with_pkce() {
    let server = provider(1, 60).await;
    let dir = Dir::new();
    let loaded = load(&dir, &conf(&server.url(), "S256")).unwrap_or_else(|e| panic!("{e}"));
    let session = Session::from_loaded(&loaded).expect("session");
    let creds = session.credentials().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(creds.headers()[0].1.expose(), "unscoped-device");
    let reqs = server.requests();
    let seen: Vec<String> = reqs.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        seen,
        [
            "GET /.well-known/openid-configuration",
            "POST /device",
            "POST /token",
            "POST /token",
            &format!("POST {FED_PATH}")
        ]
    );
    let basic = {
        use base64::Engine;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")))
    };
    // keystoneauth's payloads, in its order: client_id, scope, PKCE; then
    // device_code, code_verifier, grant_type, client_id (sent beside the
    // secret, as keystoneauth does for Entra ID).
    let device = form(&reqs[1].body);
    let keys: Vec<&str> = device.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["client_id", "scope", "code_challenge_method", "code_challenge"]);
    assert_eq!(
        (device[0].1.as_str(), device[1].1.as_str(), device[2].1.as_str()),
        (CLIENT_ID, "openid profile", "S256")
    );
    assert_eq!(device[3].1.len(), 43, "a SHA-256 in base64url without padding");
    for r in &reqs[1..4] {
        assert_eq!(r.header("authorization"), Some(basic.as_str()));
        assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
    }
    let poll = form(&reqs[2].body);
    let keys: Vec<&str> = poll.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["device_code", "code_verifier", "grant_type", "client_id"]);
    assert_eq!(poll[2].1, "urn:ietf:params:oauth:grant-type:device_code");
    assert_eq!(poll[1].1.len(), 56, "42 random bytes in base64url");
    assert_eq!(reqs[2].body, reqs[3].body, "the same device code and verifier at each poll");
}

#[tokio::test]
async fn a_device_code_the_user_never_approves_expires_with_a_clear_error() {
    let server = provider(usize::MAX, 2).await;
    let dir = Dir::new();
    let loaded = load(&dir, &conf(&server.url(), "plain")).unwrap_or_else(|e| panic!("{e}"));
    let session = Session::from_loaded(&loaded).expect("session");
    // plain: the challenge is the verifier, which the server's S256 check
    // refuses: the flow ends with the provider's error, not a hang.
    let e = session.credentials().await.expect_err("refused");
    assert!(e.to_string().contains("invalid_grant"), "{e}");

    // S256, never approved: pending until the code expires.
    let loaded = load(&dir, &conf(&server.url(), "S256")).unwrap_or_else(|e| panic!("{e}"));
    let session = Session::from_loaded(&loaded).expect("session");
    let e = session.credentials().await.expect_err("expired");
    assert!(e.to_string().contains("the device code expired (2 s) before the user approved it"), "{e}");
    assert!(!e.to_string().contains(DEVICE_CODE) && !e.to_string().contains(CLIENT_SECRET), "{e}");
}

#[test]
fn an_unknown_pkce_method_is_refused_when_the_group_loads() {
    let dir = Dir::new();
    let e = load(&dir, &conf("http://127.0.0.1:9", "S512")).expect_err("refused");
    assert!(e.to_string().contains("code_challenge_method \"S512\" is not a PKCE method (plain or S256)"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_arguments_variables_and_clouds_yaml() {
    use stackauth::auth::cli::{CliAuth, Dirs};
    use stackauth::source::Env;
    let server = provider(0, 60).await;
    let home = Dir::new();
    let load_cli = |args: &[&str], env: Env| {
        let argv: Vec<String> = std::iter::once("prog").chain(args.iter().copied()).map(str::to_owned).collect();
        let dirs = Dirs { cwd: home.path().into(), home: Some(home.path().into()), config_home: None };
        let auth = CliAuth::scan(&argv, env, &dirs, PluginRegistry::builtin(), None);
        let m = auth.register(clap::Command::new("prog")).try_get_matches_from(&argv).expect("parses");
        auth.load(&m).unwrap_or_else(|e| panic!("{e}"))
    };
    let url = server.url();
    let discovery = format!("{url}/.well-known/openid-configuration");
    let auth_url = format!("{url}/v3");
    // keystoneauth's flags.
    let by_flags = load_cli(
        &[
            "--os-auth-type",
            "v3oidcdeviceauthz",
            "--os-auth-url",
            &auth_url,
            "--os-identity-provider",
            "myidp",
            "--os-protocol",
            "openid",
            "--os-client-id",
            CLIENT_ID,
            "--os-client-secret",
            CLIENT_SECRET,
            "--os-discovery-endpoint",
            &discovery,
            "--os-code-challenge-method",
            "S256",
        ],
        Env::empty(),
    );
    // OS_* variables.
    let by_env = load_cli(
        &[],
        Env::from_pairs([
            ("OS_AUTH_TYPE", "v3oidcdeviceauthz"),
            ("OS_AUTH_URL", auth_url.as_str()),
            ("OS_IDENTITY_PROVIDER", "myidp"),
            ("OS_PROTOCOL", "openid"),
            ("OS_CLIENT_ID", CLIENT_ID),
            ("OS_CLIENT_SECRET", CLIENT_SECRET),
            ("OS_DISCOVERY_ENDPOINT", discovery.as_str()),
            ("OS_CODE_CHALLENGE_METHOD", "S256"),
        ]),
    );
    // clouds.yaml.
    home.write(
        "clouds.yaml",
        format!(
            "clouds:\n  dev:\n    auth_type: v3oidcdeviceauthz\n    auth:\n      auth_url: {auth_url}\n      \
             identity_provider: myidp\n      protocol: openid\n      client_id: {CLIENT_ID}\n      \
             client_secret: {CLIENT_SECRET}\n      discovery_endpoint: {discovery}\n      \
             code_challenge_method: S256\n"
        ),
    );
    let by_cloud = load_cli(&["--os-cloud", "dev"], Env::empty());
    for l in [by_flags, by_env, by_cloud] {
        assert_eq!(l.plugin_name, "v3oidcdeviceauthz");
        let session = Session::from_loaded(&l).expect("session");
        let creds = session.credentials().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(creds.headers()[0].1.expose(), "unscoped-device");
    }
}
