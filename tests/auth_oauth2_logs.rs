//! `v3oauth2clientcredential` logs at TRACE without its client secret, the
//! Keystone token or the OAuth 2.0 access token (alone in its binary: the
//! log subscriber is process-wide).

mod common;

use common::server::{Reply, TestServer, v3_token_body};
use common::{Dir, logs};
use serde_json::json;
use stackauth::auth::{PluginRegistry, load_from_group};
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
}
