//! Each built-in plugin loaded from a real config file, authenticating
//! against a real local HTTP server: the exact request body, the token
//! parsed from the answer.

use crate::common;

use common::server::{Recorded, Reply, TestServer, v3_token_body};
use common::*;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::{self, Credentials, PluginRegistry, ReqwestTransport, TokenVersion};
use stackauth::opt::Registry;

const EXPIRES: &str = "2099-01-01T00:00:00.000000Z";

/// A server that answers discovery GETs with Keystone's version list, v3
/// token POSTs with a token, and v2 token POSTs with a v2 token.
async fn keystone_like() -> TestServer {
    TestServer::start(|r: &Recorded| {
        let host = r.header("host").unwrap_or("127.0.0.1").to_owned();
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", _) => Reply::json(300, json!({"versions": {"values": [
                {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": format!("http://{host}/v3/")}]}
            ]}})),
            ("POST", p) if p.starts_with("/v3/auth/tokens") => {
                Reply::json(201, v3_token_body(EXPIRES, &format!("http://{host}/v3"))).header("X-Subject-Token", "tok-v3")
            }
            ("POST", "/v2.0/tokens") => Reply::json(200, json!({"access": {
                "token": {"id": "tok-v2", "expires": EXPIRES, "tenant": {"id": "t1", "name": "service"}, "audit_ids": ["a2"]},
                "user": {"id": "u2", "name": "glance", "roles": [{"name": "admin"}]},
                "serviceCatalog": [{"type": "identity", "name": "keystone", "endpoints": [
                    {"region": "RegionOne", "publicURL": format!("http://{host}/v2.0"), "adminURL": format!("http://{host}/v2.0")}
                ]}]
            }})),
            _ => Reply::json(404, json!({"error": {"message": "not here"}})),
        }
    })
    .await
}

/// Loads `[g]` with `body` (auth_url pointing at `server`) and authenticates.
async fn run(server: &TestServer, body: &str) -> (Credentials, Vec<Recorded>, auth::LoadedAuth) {
    let before = server.requests().len();
    let d = Dir::new();
    let p = d.write("a.conf", format!("[g]\n{}", body.replace("AUTH_URL", &server.url())));
    let reg = Registry::new();
    let loader = Loader::new(&reg).config_file(&p);
    let loaded = auth::load_from_group(&loader, &PluginRegistry::builtin(), "g").unwrap_or_else(|e| panic!("{e}"));
    let t = ReqwestTransport::with_timeout(std::time::Duration::from_secs(5)).expect("client");
    let creds = loaded.plugin.authenticate(&t).await.unwrap_or_else(|e| panic!("{e}"));
    (creds, server.requests().split_off(before), loaded)
}

fn posts(reqs: &[Recorded]) -> Vec<&Recorded> {
    reqs.iter().filter(|r| r.method == "POST").collect()
}

#[tokio::test]
async fn v3password_project_by_name() {
    let s = keystone_like().await;
    let (creds, reqs, loaded) = run(
        &s,
        "auth_type = v3password\nauth_url = AUTH_URL/v3\nusername = glance\npassword = GLANCE_PASS\n\
         user_domain_name = Default\nproject_name = service\nproject_domain_id = default\n",
    )
    .await;
    assert_eq!(loaded.plugin_name, "v3password");
    let p = posts(&reqs);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "/v3/auth/tokens");
    assert_eq!(
        p[0].json(),
        json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "password": "GLANCE_PASS", "name": "glance", "domain": {"name": "Default"}}}},
            "scope": {"project": {"name": "service", "domain": {"id": "default"}}}
        }})
    );
    let a = creds.access().expect("a token");
    assert_eq!(a.token.expose(), "tok-v3");
    assert_eq!(a.version, TokenVersion::V3);
    assert_eq!(a.user.ident.id.as_deref(), Some("u1"));
    assert_eq!(a.project.as_ref().and_then(|p| p.ident.name.as_deref()), Some("service"));
    assert_eq!(a.role_names(), ["admin", "service"]);
    assert_eq!(a.audit_ids, ["a1"]);
    assert_eq!(a.catalog.endpoints().len(), 1);
    assert_eq!(common::iso8601(a.expires_at), "2099-01-01T00:00:00Z");
    assert!(!format!("{a:?}").contains("tok-v3"));
}

#[tokio::test]
async fn v3password_scopes_by_id_domain_system_trust() {
    let s = keystone_like().await;
    let base = "auth_type = v3password\nauth_url = AUTH_URL\nuser_id = u1\npassword = p\n";
    for (extra, scope) in [
        ("project_id = p1\n", json!({"project": {"id": "p1"}})),
        ("domain_id = d1\n", json!({"domain": {"id": "d1"}})),
        ("domain_name = Dom\n", json!({"domain": {"name": "Dom"}})),
        ("system_scope = all\n", json!({"system": {"all": true}})),
        ("trust_id = t1\n", json!({"OS-TRUST:trust": {"id": "t1"}})),
    ] {
        let (_, reqs, _) = run(&s, &format!("{base}{extra}")).await;
        let last = posts(&reqs).last().map(|r| r.json()).expect("a POST");
        assert_eq!(last["auth"]["scope"], scope, "{extra}");
        assert_eq!(last["auth"]["identity"]["password"]["user"], json!({"password": "p", "id": "u1"}));
    }
    // No scope at all: no "scope" key.
    let (_, reqs, _) = run(&s, base).await;
    assert!(posts(&reqs).last().map(|r| r.json()).expect("a POST")["auth"].get("scope").is_none());
}

#[tokio::test]
async fn generic_password_discovers_v3_and_uses_default_domain() {
    let s = keystone_like().await;
    let (creds, reqs, _) = run(
        &s,
        "auth_type = password\nauth_url = AUTH_URL\nusername = glance\npassword = x\ndefault_domain_id = default\n\
         tenant_name = service\n",
    )
    .await;
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path, "/");
    let body = posts(&reqs)[0].json();
    assert_eq!(posts(&reqs)[0].path, "/v3/auth/tokens");
    assert_eq!(body["auth"]["identity"]["password"]["user"]["domain"], json!({"id": "default"}));
    // tenant_name is the deprecated name of project_name.
    assert_eq!(body["auth"]["scope"], json!({"project": {"name": "service", "domain": {"id": "default"}}}));
    assert!(creds.access().is_some());
}

#[tokio::test]
async fn v2password_and_v2token_bodies() {
    let s = keystone_like().await;
    let (creds, reqs, _) =
        run(&s, "auth_type = v2password\nauth_url = AUTH_URL/v2.0\nusername = glance\npassword = x\ntenant_id = t1\n")
            .await;
    assert_eq!(
        posts(&reqs)[0].json(),
        json!({"auth": {"passwordCredentials": {"password": "x", "username": "glance"}, "tenantId": "t1"}})
    );
    let a = creds.access().expect("token");
    assert_eq!((a.token.expose(), a.version), ("tok-v2", TokenVersion::V2));
    assert_eq!(a.project.as_ref().and_then(|p| p.ident.id.as_deref()), Some("t1"));
    assert_eq!(a.catalog.endpoints().len(), 2);
    let (_, reqs, _) =
        run(&s, "auth_type = v2token\nauth_url = AUTH_URL/v2.0\ntoken = old\ntenant_name = service\ntrust_id = tr\n")
            .await;
    let p = posts(&reqs);
    assert_eq!(p[0].json(), json!({"auth": {"token": {"id": "old"}, "tenantName": "service", "trust_id": "tr"}}));
    assert_eq!(p[0].header("x-auth-token"), Some("old"));
}

#[tokio::test]
async fn v3token_application_credential_totp_multifactor() {
    let s = keystone_like().await;
    let (_, reqs, _) = run(&s, "auth_type = v3token\nauth_url = AUTH_URL\ntoken = old\nproject_id = p\n").await;
    let p = posts(&reqs);
    assert_eq!(p[0].json()["auth"]["identity"], json!({"methods": ["token"], "token": {"id": "old"}}));
    assert_eq!(p[0].header("x-auth-token"), Some("old"));

    let (_, reqs, _) = run(
        &s,
        "auth_type = v3applicationcredential\nauth_url = AUTH_URL\napplication_credential_id = ac1\n\
         application_credential_secret = sec\n",
    )
    .await;
    assert_eq!(
        posts(&reqs)[0].json(),
        json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"secret": "sec", "id": "ac1"}}}})
    );
    let (_, reqs, _) = run(
        &s,
        "auth_type = v3applicationcredential\nauth_url = AUTH_URL\napplication_credential_name = ci\n\
         application_credential_secret = sec\nusername = bob\nuser_domain_id = default\n",
    )
    .await;
    assert_eq!(
        posts(&reqs)[0].json()["auth"]["identity"]["application_credential"],
        json!({"secret": "sec", "name": "ci", "user": {"name": "bob", "domain": {"id": "default"}}})
    );

    let (_, reqs, _) = run(&s, "auth_type = v3totp\nauth_url = AUTH_URL\nuser_id = u\npasscode = 123456\n").await;
    assert_eq!(
        posts(&reqs)[0].json()["auth"]["identity"],
        json!({"methods": ["totp"], "totp": {"user": {"passcode": "123456", "id": "u"}}})
    );

    let (_, reqs, _) = run(
        &s,
        "auth_type = v3multifactor\nauth_url = AUTH_URL\nauth_methods = v3password, v3totp\nuser_id = u\n\
         password = pw\npasscode = 654321\nproject_id = p\n",
    )
    .await;
    assert_eq!(
        posts(&reqs)[0].json(),
        json!({"auth": {
            "identity": {"methods": ["password", "totp"],
                "password": {"user": {"password": "pw", "id": "u"}},
                "totp": {"user": {"passcode": "654321", "id": "u"}}},
            "scope": {"project": {"id": "p"}}
        }})
    );
}

#[tokio::test]
async fn fixed_plugins_send_no_request() {
    let s = keystone_like().await;
    let (creds, reqs, loaded) =
        run(&s, "auth_type = admin_token\nurl = http://keystone:35357/v3\ntoken = ADMIN\n").await;
    assert!(reqs.is_empty());
    assert_eq!(loaded.plugin.endpoint(), Some("http://keystone:35357/v3"));
    let h = creds.headers();
    assert_eq!((h[0].0, h[0].1.expose()), ("X-Auth-Token", "ADMIN"));
    // `url` is the deprecated name of `endpoint`.
    assert!(loaded.snapshot.warnings().iter().any(|w| w.message.contains("\"url\"")));

    let (creds, _, _) =
        run(&s, "auth_type = http_basic\nusername = user\npassword = pass\nendpoint = http://x\n").await;
    assert_eq!(creds.headers()[0].1.expose(), "Basic dXNlcjpwYXNz");
    let (creds, _, loaded) = run(&s, "auth_type = none\nendpoint = http://svc:8080\n").await;
    assert!(creds.headers().is_empty());
    assert_eq!(loaded.plugin.endpoint(), Some("http://svc:8080"));
}

#[tokio::test]
async fn wrong_credentials_are_a_clear_401() {
    let s = TestServer::start(|_| {
        Reply::json(401, json!({"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}))
    })
    .await;
    let d = Dir::new();
    let p = d.write(
        "a.conf",
        format!("[g]\nauth_type = v3password\nauth_url = {}/v3\nuser_id = u\npassword = WRONG\n", s.url()),
    );
    let reg = Registry::new();
    let loaded =
        auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "g").expect("loads");
    let t = ReqwestTransport::with_timeout(std::time::Duration::from_secs(5)).expect("client");
    let e = loaded.plugin.authenticate(&t).await.expect_err("401");
    let msg = e.to_string();
    assert!(msg.contains("refused the credentials (HTTP 401)"), "{msg}");
    assert!(msg.contains("requires authentication"), "{msg}");
    assert!(!msg.contains("WRONG"), "{msg}");
}

#[tokio::test]
async fn malformed_token_responses_are_errors() {
    for (reply, needle) in [
        (Reply::json(201, json!({"nope": 1})).header("X-Subject-Token", "t"), "no \"token\" object"),
        (Reply::json(201, v3_token_body(EXPIRES, "http://x")), "X-Subject-Token"),
        (Reply::json(201, v3_token_body("soon", "http://x")).header("X-Subject-Token", "t"), "not a time"),
        (Reply { status: 201, headers: vec![], body: b"<html>".to_vec(), delay: None }, "not JSON"),
    ] {
        let s = TestServer::start(move |_| reply.clone()).await;
        let d = Dir::new();
        let p = d.write(
            "a.conf",
            format!("[g]\nauth_type = v3password\nauth_url = {}/v3\nuser_id = u\npassword = p\n", s.url()),
        );
        let reg = Registry::new();
        let loaded =
            auth::load_from_group(&Loader::new(&reg).config_file(&p), &PluginRegistry::builtin(), "g").expect("loads");
        let t = ReqwestTransport::with_timeout(std::time::Duration::from_secs(5)).expect("client");
        let e = loaded.plugin.authenticate(&t).await.expect_err("invalid");
        assert!(e.to_string().contains(needle), "{e}");
    }
}

#[tokio::test]
async fn token_auth_acts_for_a_validated_caller_without_a_request() {
    let s = keystone_like().await;
    let body = v3_token_body(EXPIRES, "http://identity/v3");
    let access = stackauth::auth::AccessInfo::from_v3("caller-token", &body).expect("parses");
    let plugin = stackauth::auth::TokenAuth::new(access);
    assert_eq!((plugin.user_id(), plugin.project_id()), (Some("u1"), Some("p1")));
    assert_eq!(plugin.user_domain().and_then(|d| d.id.as_deref()), Some("default"));
    assert_eq!(plugin.project_domain().and_then(|d| d.name.as_deref()), Some("Default"));
    assert_eq!(plugin.roles(), ["admin", "service"]);
    assert_eq!(plugin.trust_id(), None);
    let t = ReqwestTransport::with_timeout(std::time::Duration::from_secs(5)).expect("client");
    use stackauth::auth::AuthPlugin;
    let creds = plugin.authenticate(&t).await.expect("the caller's token");
    assert_eq!(creds.headers()[0].1.expose(), "caller-token");
    assert_eq!(creds.access().map(|a| a.catalog.endpoints()[0].url.as_str()), Some("http://identity/v3"));
    assert!(s.requests().is_empty());
    // An expired caller token is not renewed.
    let old =
        stackauth::auth::AccessInfo::from_v3("t", &v3_token_body("2000-01-01T00:00:00Z", "http://x")).expect("parses");
    assert!(stackauth::auth::TokenAuth::new(old).authenticate(&t).await.is_err());
}
