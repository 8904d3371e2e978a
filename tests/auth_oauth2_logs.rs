//! `v3oauth2clientcredential` logs at TRACE without its client secret, the
//! Keystone token or the OAuth 2.0 access token; the OpenID Connect and
//! mutual-TLS plugins without their secrets either: the OAuth client
//! secret, the user's password at the provider, the provider's access, ID
//! and refresh tokens, a given access token, the Keystone tokens and the
//! mTLS access token, in no log line, Debug output or error. Against local
//! servers of the tests' own (one test, alone in its binary: the log
//! subscriber is process-wide).

mod common;

use common::server::{Reply, TestServer, v3_token_body};
use common::tls::Ca;
use common::{Dir, logs};
use serde_json::json;
use stackauth::auth::{LoadedAuth, PluginRegistry, load_from_group};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session};
use stackauth::{Loader, auth};

#[tokio::test]
async fn no_secret_or_token_in_trace_logs() {
    let logs = logs::capture(tracing::Level::TRACE);
    let server = TestServer::start(|r| match r.path.as_str() {
        "/v3/auth/tokens" => Reply::json(201, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
            .header("X-Subject-Token", "keystone-token-secret-1"),
        "/v3/OS-OAUTH2/token" if r.header("authorization").is_some_and(|h| h.starts_with("Basic ")) => {
            Reply::json(200, json!({"access_token": "access-token-secret-2", "token_type": "Bearer"}))
        }
        _ => Reply::json(200, json!({})),
    })
    .await;
    let dir = Dir::new();
    let path = dir.write(
        "a.conf",
        format!(
            "[service_user]\nauth_type = v3oauth2clientcredential\nauth_url = {0}/v3\n\
             oauth2_endpoint = {0}/v3/OS-OAUTH2/token\noauth2_client_id = cid\n\
             oauth2_client_secret = client-secret-3\n",
            server.url()
        ),
    );
    let loaded =
        load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
            .unwrap_or_else(|e| panic!("{e}"));
    let transport = auth::ReqwestTransport::with_timeout(std::time::Duration::from_secs(10)).expect("transport");
    loaded.plugin.authenticate(&transport).await.expect("authenticates");
    let session = Session::builder().auth(loaded.plugin.clone()).build().expect("session");
    Adapter::new(&session).endpoint_override(&format!("{}/svc", server.url())).get("/x").await.expect("ok");
    let text = logs.text();
    assert!(text.contains("OAuth 2.0 token request"), "the flow was logged: {text}");
    for secret in ["client-secret-3", "keystone-token-secret-1", "access-token-secret-2"] {
        assert!(!text.contains(secret), "{secret} in the logs:\n{text}");
    }
    assert!(!format!("{:?}", loaded.plugin).contains("client-secret-3"));
    oidc_and_mtls(&logs).await;
}

const FED: &str = "/v3/OS-FEDERATION/identity_providers/idp/protocols/openid/auth";

const SECRETS: [&str; 12] = [
    "leak-oidc-client-secret-1",
    "leak-oidc-user-password-2",
    "leak-oidc-access-token-3",
    "leak-oidc-id-token-4",
    "leak-oidc-refresh-token-5",
    "leak-given-access-token-6",
    "leak-keystone-unscoped-7",
    "leak-keystone-scoped-8",
    "leak-mtls-access-token-9",
    "leak-wrong-client-secret-10",
    "leak-device-code-11",
    "leak-device-access-token-12",
];

fn load(dir: &Dir, text: &str) -> LoadedAuth {
    let path = dir.write("a.conf", text);
    load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn oidc_and_mtls(logs: &logs::Buf) {
    let mut seen = String::new();
    let good_client = {
        use base64::Engine;
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("c:leak-oidc-client-secret-1"))
    };
    let server = TestServer::start(move |r| match r.path.as_str() {
        "/.well-known/openid-configuration" => {
            Reply::json(200, json!({"token_endpoint": "set below", "grant_types_supported": ["password"]}))
        }
        "/device" => Reply::json(
            200,
            json!({"device_code": "leak-device-code-11", "user_code": "USER-CODE", "expires_in": 30, "interval": 1,
                   "verification_uri": "https://idp.example/activate"}),
        ),
        "/token" if String::from_utf8_lossy(&r.body).contains("leak-device-code-11") => {
            Reply::json(200, json!({"access_token": "leak-device-access-token-12", "token_type": "Bearer"}))
        }
        "/token" if r.header("authorization") == Some(good_client.as_str()) => Reply::json(
            200,
            json!({"access_token": "leak-oidc-access-token-3", "id_token": "leak-oidc-id-token-4",
                   "refresh_token": "leak-oidc-refresh-token-5", "token_type": "Bearer"}),
        ),
        "/token" => Reply::json(401, json!({"error": "invalid_client", "error_description": "Bad client."})),
        FED => Reply::json(201, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
            .header("X-Subject-Token", "leak-keystone-unscoped-7"),
        "/v3/auth/tokens" => Reply::json(201, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
            .header("X-Subject-Token", "leak-keystone-scoped-8"),
        _ => Reply::json(200, json!({})),
    })
    .await;
    let dir = Dir::new();
    let oidc = |secret: &str| {
        format!(
            "[service_user]\nauth_type = v3oidcpassword\nauth_url = {0}/v3\nidentity_provider = idp\nprotocol = openid\n\
             client_id = c\nclient_secret = {secret}\naccess_token_endpoint = {0}/token\n\
             discovery_endpoint = {0}/.well-known/openid-configuration\nusername = u\n\
             password = leak-oidc-user-password-2\nproject_id = p1\n",
            server.url()
        )
    };
    let loaded = load(&dir, &oidc("leak-oidc-client-secret-1"));
    seen.push_str(&format!("{:?}\n", loaded.plugin));
    let session = Session::from_loaded(&loaded).expect("session");
    Adapter::new(&session).endpoint_override(&format!("{}/svc", server.url())).get("/x").await.expect("ok");
    // A refused client: the error, Debug and logs.
    let session = Session::from_loaded(&load(&dir, &oidc("leak-wrong-client-secret-10"))).expect("session");
    let e = session.credentials().await.expect_err("refused");
    seen.push_str(&format!("{e}\n{e:?}\n"));

    // The device authorization grant, with PKCE.
    let device = format!(
        "[service_user]\nauth_type = v3oidcdeviceauthz\nauth_url = {0}/v3\nidentity_provider = idp\n\
         protocol = openid\nclient_id = c\nclient_secret = leak-oidc-client-secret-1\n\
         access_token_endpoint = {0}/token\ndevice_authorization_endpoint = {0}/device\n\
         code_challenge_method = S256\n",
        server.url()
    );
    let loaded = load(&dir, &device);
    seen.push_str(&format!("{:?}\n", loaded.plugin));
    Session::from_loaded(&loaded).expect("session").credentials().await.expect("authenticates");

    let given = format!(
        "[service_user]\nauth_type = v3oidcaccesstoken\nauth_url = {}/v3\nidentity_provider = idp\nprotocol = openid\n\
         access_token = leak-given-access-token-6\n",
        server.url()
    );
    let loaded = load(&dir, &given);
    seen.push_str(&format!("{:?}\n", loaded.plugin));
    Session::from_loaded(&loaded).expect("session").credentials().await.expect("authenticates");

    // Mutual TLS.
    let (server_ca, client_ca) = (Ca::new("server CA"), Ca::new("client CA"));
    let tls = TestServer::start_mtls(&server_ca, &client_ca, |r| match r.path.as_str() {
        "/v3/OS-OAUTH2/token" => Reply::json(200, json!({"access_token": "leak-mtls-access-token-9"})),
        _ => Reply::json(200, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
            .header("X-Subject-Token", "leak-mtls-access-token-9"),
    })
    .await;
    let (cert, _, key) = client_ca.leaf(&["svc"]);
    let mtls = format!(
        "[service_user]\nauth_type = v3oauth2mtlsclientcredential\nauth_url = {0}/v3\n\
         oauth2_endpoint = {0}/v3/OS-OAUTH2/token\noauth2_client_id = c\ncafile = {1}\ncertfile = {2}\nkeyfile = {3}\n",
        tls.url(),
        dir.write("ca.pem", server_ca.pem()).display(),
        dir.write("c.pem", cert).display(),
        dir.write("c.key", key.serialize_pem()).display(),
    );
    let loaded = load(&dir, &mtls);
    let session = Session::from_loaded(&loaded).expect("session");
    Adapter::new(&session).endpoint_override(&format!("{}/svc", tls.url())).get("/x").await.expect("ok");

    let text = logs.text();
    assert!(text.contains("OpenID Connect token request"), "the flow was logged: {text}");
    assert!(text.contains("OAuth 2.0 mutual-TLS token request"), "the flow was logged: {text}");
    seen.push_str(&text);
    for secret in SECRETS {
        assert!(!seen.contains(secret), "{secret} leaked:\n{seen}");
    }
}
