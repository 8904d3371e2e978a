//! `v3oauth2clientcredential` against the tests' real Keystone 30 (see
//! tests/common/keystone.rs), whose OAuth 2.0 API is on by default
//! (`[oauth2] oauth2_authn_methods` has `client_secret_basic`): an
//! application credential's id and secret give a token and an OAuth 2.0
//! access token, the identity API answers calls made with them, and a wrong
//! secret is a clear error.

use crate::common;

use common::keystone::keystone;
use common::*;
use reqwest::Method;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::{self, AuthError, PluginRegistry, ReqwestTransport};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session};

fn load(dir: &Dir, body: &str) -> auth::LoadedAuth {
    let p = dir.write("svc.conf", format!("[service_user]\n{body}"));
    auth::load_from_group(&Loader::new(&Registry::new()).config_file(&p), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn oauth2_client_credentials_against_keystone() {
    let Some(ks) = keystone() else { return };
    let (uid, pid, _) = ks.user_with_project("oauth2-owner", "owner-pass").await;
    let owner = ks.user_token("oauth2-owner", "owner-pass", &pid).await;
    let (s, ac) = ks
        .api_with(
            &owner,
            Method::POST,
            &format!("/users/{uid}/application_credentials"),
            Some(json!({"application_credential": {"name": "oauth2-cred", "secret": "oauth2:secret/1", "roles": [{"name": "member"}]}})),
        )
        .await;
    assert_eq!(s, 201, "create application credential: {ac}");
    let ac_id = ac["application_credential"]["id"].as_str().expect("id").to_owned();
    let group = |secret: &str| {
        format!(
            "auth_type = v3oauth2clientcredential\nauth_url = {0}\noauth2_endpoint = {0}/OS-OAUTH2/token\n\
             oauth2_client_id = {ac_id}\noauth2_client_secret = {secret}\n",
            ks.url
        )
    };
    let dir = Dir::new();
    let loaded = load(&dir, &group("oauth2:secret/1"));
    let t = ReqwestTransport::with_timeout(std::time::Duration::from_secs(30)).expect("client");
    let creds = loaded.plugin.authenticate(&t).await.unwrap_or_else(|e| panic!("{e}"));
    let a = creds.access().expect("a token");
    assert_eq!(a.application_credential_id.as_deref(), Some(ac_id.as_str()));
    assert_eq!(a.project.as_ref().and_then(|p| p.ident.id.as_deref()), Some(pid.as_str()));
    let bearer = a.oauth2_access_token.as_ref().expect("an OAuth 2.0 access token").expose().to_owned();
    assert!(creds.headers().iter().any(|(k, v)| *k == "Authorization" && v.expose() == format!("Bearer {bearer}")));

    // Keystone's access token is a token of its own: it validates, for the
    // same application credential.
    let admin = ks.admin_token().await;
    let resp = reqwest::Client::new()
        .get(format!("{}/auth/tokens", ks.url))
        .header("X-Auth-Token", &admin)
        .header("X-Subject-Token", &bearer)
        .send()
        .await
        .expect("validate");
    assert_eq!(resp.status().as_u16(), 200);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["token"]["application_credential"]["id"], ac_id.as_str());
    // And the identity API answers a call made with it.
    let (s, projects) = ks.api_with(&bearer, Method::GET, "/auth/projects", None).await;
    assert_eq!(s, 200, "{projects}");

    // The Session: the identity API from the catalog, with both tokens.
    let session = Session::builder().auth(loaded.plugin.clone()).build().expect("session");
    let identity = Adapter::new(&session).service_type("identity");
    let r = identity.get("/auth/projects").await.expect("identity API");
    let listed: serde_json::Value = r.json().expect("json");
    assert!(listed["projects"].as_array().is_some_and(|p| p.iter().any(|p| p["id"] == pid.as_str())), "{listed}");

    // A wrong secret: refused, said clearly, the secret nowhere.
    let wrong = load(&dir, &group("not-the-secret"));
    let e = wrong.plugin.authenticate(&t).await.expect_err("refused");
    assert!(matches!(e, AuthError::Unauthorized { .. }), "{e:?}");
    assert!(!format!("{e} {e:?}").contains("not-the-secret"), "{e}");
}
