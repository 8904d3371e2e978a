//! The OpenID Connect plugins against the tests' real Keystone 30 and a
//! real OpenID Connect provider (oidc-provider-mock from PyPI,
//! tests/common/oidc.rs), with Keystone configured for federation through
//! its API (identity provider, mapping, protocol) as an operator does it.
//!
//! What is emulated: Apache's mod_auth_openidc in front of Keystone's
//! federation endpoint. tests/oidc/federation_proxy.py validates the bearer
//! token with the provider's userinfo endpoint and passes the claims as
//! `OIDC-Claim-*` headers (mod_auth_openidc's `OIDCPassClaimsAs headers`),
//! which the mapping reads; a bad token is refused before Keystone. The
//! protocol is `openid`, an `[auth] methods` entry of the fixture's
//! Keystone (tests/keystone/start.sh), as in an OpenID Connect deployment.

use crate::common;

use common::Dir;
use common::keystone::keystone;
use common::oidc::{REDIRECT, authorization_code, federation_proxy, provider};
use reqwest::Method;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::{self, AuthError, PluginRegistry};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session};

const CLIENT_ID: &str = "stackauth-live";
const CLIENT_SECRET: &str = "live-oidc-client-secret";

fn load(dir: &Dir, body: &str) -> auth::LoadedAuth {
    let p = dir.write("svc.conf", format!("[service_user]\n{body}"));
    auth::load_from_group(&Loader::new(&Registry::new()).config_file(&p), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_federation_against_keystone() {
    let Some(ks) = keystone() else { return };
    let Some(python) = common::python::venv_python("the OpenID Connect federation proxy") else { return };
    let Some(p) = provider().await else { return };
    let proxy = federation_proxy(python, &ks.root, &p).await;

    // Federation, set up through the API: a group with the member role on
    // a project, a mapping from the provider's `sub` claim to an ephemeral
    // user in that group, an identity provider and its protocol.
    let (s, g) =
        ks.api(Method::POST, "/groups", Some(json!({"group": {"name": "oidc-users", "domain_id": "default"}}))).await;
    assert_eq!(s, 201, "create group: {g}");
    let gid = g["group"]["id"].as_str().expect("group id").to_owned();
    let (s, pr) = ks
        .api(Method::POST, "/projects", Some(json!({"project": {"name": "oidc-project", "domain_id": "default"}})))
        .await;
    assert_eq!(s, 201, "create project: {pr}");
    let pid = pr["project"]["id"].as_str().expect("project id").to_owned();
    let rid = ks.role("member").await;
    let (s, _) = ks.api(Method::PUT, &format!("/projects/{pid}/groups/{gid}/roles/{rid}"), None).await;
    assert_eq!(s, 204, "grant member to the group");
    let rules = json!({"mapping": {"rules": [{
        "local": [{"user": {"name": "{0}"}}, {"group": {"id": gid}}],
        "remote": [{"type": "HTTP_OIDC_CLAIM_SUB"}]
    }]}});
    let (s, m) = ks.api(Method::PUT, "/OS-FEDERATION/mappings/oidc-mapping", Some(rules)).await;
    assert_eq!(s, 201, "create mapping: {m}");
    let (s, i) = ks
        .api(
            Method::PUT,
            "/OS-FEDERATION/identity_providers/oidc-idp",
            Some(json!({"identity_provider": {"enabled": true}})),
        )
        .await;
    assert_eq!(s, 201, "create identity provider: {i}");
    let (s, pr) = ks
        .api(
            Method::PUT,
            "/OS-FEDERATION/identity_providers/oidc-idp/protocols/openid",
            Some(json!({"protocol": {"mapping_id": "oidc-mapping"}})),
        )
        .await;
    assert_eq!(s, 201, "create protocol: {pr}");

    let dir = Dir::new();
    let base = format!("auth_url = {}/v3\nidentity_provider = oidc-idp\nprotocol = openid\n", proxy.url);

    // v3oidcauthcode: the provider's discovery document and token endpoint,
    // Keystone's federation API, then the project scope.
    let code = authorization_code(&p, CLIENT_ID, "alice").await;
    let loaded = load(
        &dir,
        &format!(
            "auth_type = v3oidcauthcode\n{base}client_id = {CLIENT_ID}\nclient_secret = {CLIENT_SECRET}\n\
             discovery_endpoint = {}/.well-known/openid-configuration\nredirect_uri = {REDIRECT}\ncode = {code}\n\
             project_name = oidc-project\nproject_domain_id = default\n",
            p.url
        ),
    );
    let session = Session::from_loaded(&loaded).expect("session");
    let creds = session.credentials().await.unwrap_or_else(|e| panic!("{e}"));
    let a = creds.access().expect("a token");
    assert_eq!(a.user.ident.name.as_deref(), Some("alice"), "{a:?}");
    assert_eq!(a.project.as_ref().and_then(|p| p.ident.id.as_deref()), Some(pid.as_str()));
    assert!(a.roles.iter().any(|r| r.name.as_deref() == Some("member")), "{a:?}");
    // The token works on Keystone's API.
    let projects: serde_json::Value = Adapter::new(&session)
        .endpoint_override(&ks.url)
        .get("/auth/projects")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .expect("json");
    assert_eq!(projects["projects"][0]["id"], pid.as_str(), "{projects}");

    // v3oidcaccesstoken: an access token the provider issued for bob, for
    // an unscoped token.
    let code = authorization_code(&p, CLIENT_ID, "bob").await;
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth2/token", p.url))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=authorization_code&code={code}&redirect_uri={}",
            REDIRECT.replace(':', "%3A").replace('/', "%2F")
        ))
        .send()
        .await
        .expect("token endpoint")
        .json()
        .await
        .expect("json");
    let access_token = token["access_token"].as_str().expect("an access token").to_owned();
    let loaded = load(&dir, &format!("auth_type = v3oidcaccesstoken\n{base}access_token = {access_token}\n"));
    let creds = Session::from_loaded(&loaded).expect("session").credentials().await.unwrap_or_else(|e| panic!("{e}"));
    let a = creds.access().expect("a token");
    assert_eq!(a.user.ident.name.as_deref(), Some("bob"));
    assert!(a.project.is_none(), "unscoped: {a:?}");

    // A token the provider never issued is refused in front of Keystone.
    let loaded = load(&dir, &format!("auth_type = v3oidcaccesstoken\n{base}access_token = not-a-real-token-1\n"));
    let t = auth::ReqwestTransport::with_timeout(std::time::Duration::from_secs(30)).expect("client");
    let e = loaded.plugin.authenticate(&t).await.expect_err("refused");
    assert!(matches!(e, AuthError::Unauthorized { .. }), "{e:?}");
    assert!(e.to_string().contains("not valid") && !e.to_string().contains("not-a-real-token-1"), "{e}");
}
