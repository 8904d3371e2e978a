//! `v3oauth2clientcredential` against a real HTTP server of the tests' own:
//! the v3 token request with the application credential, the OAuth 2.0
//! token request byte for byte (form body, HTTP Basic), both tokens on the
//! service's requests, a wrong secret's error, and no secret in errors
//! (tests/auth_oauth2_logs.rs: none in the logs); and `stackauth token`
//! with `--os-*` flags and `OS_*` variables, and with clouds.yaml.

use crate::common;

use base64::Engine;
use common::Dir;
use common::server::{Reply, TestServer, v3_token_body};
use serde_json::json;
use stackauth::auth::{AuthError, PluginRegistry, load_from_group};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session};
use stackauth::{Loader, auth};

const CLIENT_ID: &str = "21dced0fd20347869b93710d2b98aae0";
const SECRET: &str = "s3cr3t:with+special/chars";
const ACCESS_TOKEN: &str = "oauth2-access-token-1";

/// Keystone's two endpoints, and a service at /service.
async fn keystone() -> TestServer {
    let expected_basic =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{SECRET}")));
    TestServer::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/v3/auth/tokens") => {
            let body = r.json();
            let ac = &body["auth"]["identity"]["application_credential"];
            if ac["id"] == CLIENT_ID && ac["secret"] == SECRET {
                Reply::json(201, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
                    .header("X-Subject-Token", "keystone-token-1")
            } else {
                Reply::json(
                    401,
                    json!({"error": {"code": 401, "message": "The request you have made requires authentication."}}),
                )
            }
        }
        ("POST", "/v3/OS-OAUTH2/token") => {
            if r.header("authorization") == Some(expected_basic.as_str()) {
                Reply::json(200, json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600}))
            } else {
                Reply::json(
                    401,
                    json!({"error": "invalid_client", "error_description": "Client authentication failed."}),
                )
            }
        }
        ("GET", "/service/things") => Reply::json(
            200,
            json!({"x_auth_token": r.header("x-auth-token"), "authorization": r.header("authorization")}),
        ),
        _ => Reply::json(404, json!({"error": {"message": "no such path"}})),
    })
    .await
}

fn group(server: &TestServer, secret: &str) -> String {
    format!(
        "[service_user]\nauth_type = v3oauth2clientcredential\nauth_url = {0}/v3\n\
         oauth2_endpoint = {0}/v3/OS-OAUTH2/token\noauth2_client_id = {CLIENT_ID}\noauth2_client_secret = {secret}\n",
        server.url()
    )
}

fn load(dir: &Dir, text: &str) -> auth::LoadedAuth {
    let path = dir.write("a.conf", text);
    load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn token_then_bearer_access_token_both_sent() {
    let server = keystone().await;
    let dir = Dir::new();
    let loaded = load(&dir, &group(&server, SECRET));
    assert_eq!(loaded.plugin_name, "v3oauth2clientcredential");
    let transport = auth::ReqwestTransport::with_timeout(std::time::Duration::from_secs(10)).expect("transport");
    let creds = loaded.plugin.authenticate(&transport).await.expect("authenticates");
    let headers: Vec<(&str, String)> = creds.headers().iter().map(|(k, v)| (*k, v.expose().to_owned())).collect();
    assert_eq!(
        headers,
        [("X-Auth-Token", "keystone-token-1".to_owned()), ("Authorization", format!("Bearer {ACCESS_TOKEN}"))]
    );

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    // The v3 request: the application_credential method with the id and
    // secret, as keystoneauth's OAuth2ClientCredentialMethod.
    assert_eq!(reqs[0].path, "/v3/auth/tokens");
    assert_eq!(
        reqs[0].json(),
        json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"id": CLIENT_ID, "secret": SECRET}}}})
    );
    // The OAuth 2.0 request, as requests sends keystoneauth's.
    let oauth = &reqs[1];
    assert_eq!((oauth.method.as_str(), oauth.path.as_str()), ("POST", "/v3/OS-OAUTH2/token"));
    assert_eq!(oauth.body, b"grant_type=client_credentials");
    assert_eq!(oauth.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(oauth.header("accept"), Some("application/json"));

    // Through a Session, a service's request carries both.
    let session = Session::builder().auth(loaded.plugin.clone()).build().expect("session");
    let service = Adapter::new(&session).endpoint_override(&format!("{}/service", server.url()));
    let answer: serde_json::Value = service.get("/things").await.expect("ok").json().expect("json");
    assert_eq!(answer["x_auth_token"], "keystone-token-1");
    assert_eq!(answer["authorization"], format!("Bearer {ACCESS_TOKEN}"));
}

#[tokio::test]
async fn a_wrong_secret_is_a_clear_error_without_the_secret() {
    let server = keystone().await;
    let dir = Dir::new();
    let wrong = "not-the-secret-xyz";
    let loaded = load(&dir, &group(&server, wrong));
    let transport = auth::ReqwestTransport::with_timeout(std::time::Duration::from_secs(10)).expect("transport");
    let e = loaded.plugin.authenticate(&transport).await.expect_err("refused");
    assert!(matches!(e, AuthError::Unauthorized { .. }), "{e:?}");
    let text = format!("{e} {e:?} {:?}", loaded.plugin);
    assert!(!text.contains(wrong), "{text}");
}

#[tokio::test]
async fn the_token_endpoint_refusing_is_reported_with_its_oauth_error() {
    // Right secret for the v3 token, wrong Basic header: a server that
    // refuses the client at the OAuth 2.0 endpoint only.
    let server = TestServer::start(|r| match r.path.as_str() {
        "/v3/auth/tokens" => Reply::json(201, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
            .header("X-Subject-Token", "keystone-token-1"),
        _ => Reply::json(
            400,
            json!({"error": "unsupported_grant_type", "error_description": "Only client_credentials."}),
        ),
    })
    .await;
    let dir = Dir::new();
    let loaded = load(&dir, &group(&server, SECRET));
    let transport = auth::ReqwestTransport::with_timeout(std::time::Duration::from_secs(10)).expect("transport");
    let e = loaded.plugin.authenticate(&transport).await.expect_err("refused");
    let text = e.to_string();
    assert!(text.contains("HTTP 400") && text.contains("unsupported_grant_type: Only client_credentials."), "{text}");
    assert!(text.contains("/v3/OS-OAUTH2/token"), "{text}");
    assert!(!text.contains(SECRET));
}

/// `stackauth token` in a temporary HOME, nothing from the host's
/// environment but PATH.
fn stackauth_token(home: &Dir, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    common::process::isolated(env!("CARGO_BIN_EXE_stackauth"), home)
        .arg("token")
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("runs")
}

// Multi-threaded: the test thread waits on the process while the server
// answers on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_the_command_line_variables_and_clouds_yaml() {
    let server = keystone().await;
    let (auth_url, endpoint) = (format!("{}/v3", server.url()), format!("{}/v3/OS-OAUTH2/token", server.url()));
    let oauth_requests = || server.requests().iter().filter(|r| r.path == "/v3/OS-OAUTH2/token").count();
    let check = |out: std::process::Output| {
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(!stdout.contains(SECRET) && !stderr.contains(SECRET), "{stdout}\n{stderr}");
    };

    // Flags, with the secret in its variable.
    let flags = [
        "--os-auth-type",
        "v3oauth2clientcredential",
        "--os-auth-url",
        &auth_url,
        "--os-oauth2-endpoint",
        &endpoint,
        "--os-oauth2-client-id",
        CLIENT_ID,
    ];
    check(stackauth_token(&Dir::new(), &flags, &[("OS_OAUTH2_CLIENT_SECRET", SECRET)]));
    assert_eq!(oauth_requests(), 1);

    // clouds.yaml, with the secret in secure.yaml.
    let home = Dir::new();
    let config = home.path().join(".config/openstack");
    std::fs::create_dir_all(&config).expect("mkdir");
    std::fs::write(
        config.join("clouds.yaml"),
        format!(
            "clouds:\n  c:\n    auth_type: v3oauth2clientcredential\n    auth:\n      auth_url: {auth_url}\n      \
             oauth2_endpoint: {endpoint}\n      oauth2_client_id: {CLIENT_ID}\n"
        ),
    )
    .expect("clouds.yaml");
    let secure = config.join("secure.yaml");
    std::fs::write(&secure, format!("clouds:\n  c:\n    auth:\n      oauth2_client_secret: '{SECRET}'\n"))
        .expect("secure.yaml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secure, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    check(stackauth_token(&home, &["--os-cloud", "c"], &[]));
    assert_eq!(oauth_requests(), 2);
}
