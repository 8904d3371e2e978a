//! `v3oidcclientcredentials`, `v3oidcpassword` and `v3oidcaccesstoken`
//! against a local HTTP server of the tests' own (not Keystone, not a real
//! OpenID provider) that plays both parts: the provider's discovery
//! document and token endpoint, and Keystone's federation endpoint and
//! token API. Each request is checked byte for byte against what
//! keystoneauth's `_OidcBase` sends; then the Session's 401 handling (a new
//! access token from the provider), and loading from `--os-*` arguments,
//! `OS_*` variables and clouds.yaml. Then `v3oidcauthcode`,
//! `v3oidcaccesstoken` and the grant checks against a real provider,
//! oidc-provider-mock from PyPI (tests/oidc/setup.sh), with the tests'
//! server as Keystone's federation endpoint.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::Dir;
use common::oidc::{Provider, REDIRECT, authorization_code, provider};
use common::server::{Recorded, Reply, TestServer, v3_token_body};
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::cli::{CliAuth, Dirs};
use stackauth::auth::{LoadedAuth, PluginRegistry, load_from_group};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session};
use stackauth::source::Env;

const CLIENT_ID: &str = "stackauth-client";
const CLIENT_SECRET: &str = "oidc-client-s3cret:+/";
const USER_PASSWORD: &str = "idp-user-p@ss word&=";
const ACCESS_TOKEN: &str = "oidc-access-token-1";
const ID_TOKEN: &str = "oidc-id-token-1";
const FED_PATH: &str = "/v3/OS-FEDERATION/identity_providers/myidp/protocols/openid/auth";

/// The provider and Keystone. `grants` is the discovery document's
/// `grant_types_supported`; every access token issued is counted.
async fn idp_and_keystone(grants: serde_json::Value) -> (TestServer, Arc<AtomicUsize>) {
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = issued.clone();
    let basic = format!("Basic {}", base64_std(&format!("{CLIENT_ID}:{CLIENT_SECRET}")));
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let base2 = base.clone();
    let server = TestServer::start(move |r: &Recorded| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/.well-known/openid-configuration") => Reply::json(
            200,
            json!({"issuer": base2.get(), "token_endpoint": format!("{}/token", base2.get().map_or("", |s| s)),
                   "grant_types_supported": grants}),
        ),
        ("POST", "/token") => {
            let body = String::from_utf8_lossy(&r.body).into_owned();
            let client_ok = r.header("authorization") == Some(basic.as_str())
                || (r.header("authorization").is_none() && body.ends_with(&format!("&client_id={CLIENT_ID}")));
            if !client_ok {
                return Reply::json(401, json!({"error": "invalid_client", "error_description": "Bad client."}));
            }
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            // A refresh token with each answer, rotated; rt-3 is refused.
            if body.contains("grant_type=refresh_token") && body.contains("refresh_token=rt-3") {
                return Reply::json(
                    400,
                    json!({"error": "invalid_grant", "error_description": "Refresh token expired."}),
                );
            }
            Reply::json(
                200,
                json!({"access_token": ACCESS_TOKEN, "id_token": ID_TOKEN, "token_type": "Bearer",
                                     "expires_in": 300, "refresh_token": format!("rt-{n}")}),
            )
        }
        ("POST", FED_PATH) => {
            let auth = r.header("authorization");
            if auth == Some(&format!("Bearer {ACCESS_TOKEN}")) || auth == Some(&format!("Bearer {ID_TOKEN}")) {
                let mut body = v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3");
                body["token"]["methods"] = json!(["openid"]);
                body["token"].as_object_mut().map(|t| t.remove("project"));
                Reply::json(201, body).header("X-Subject-Token", "unscoped-1")
            } else {
                Reply::json(
                    401,
                    json!({"error": {"code": 401, "message": "The request you have made requires authentication."}}),
                )
            }
        }
        ("POST", "/v3/auth/tokens") if r.header("x-auth-token") == Some("unscoped-1") => {
            Reply::json(201, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
                .header("X-Subject-Token", "scoped-1")
        }
        _ => Reply::json(404, json!({"error": {"message": "no such path"}})),
    })
    .await;
    let _ = base.set(server.url());
    (server, issued)
}

fn base64_std(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn load(dir: &Dir, text: &str) -> LoadedAuth {
    let path = dir.write("a.conf", text);
    load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"))
}

fn raw(r: &Recorded, ua: &str) -> String {
    String::from_utf8(r.raw.clone()).expect("UTF-8").replace(&format!("user-agent: {ua}\r\n"), "").replace("\r\n", "\n")
}

fn paths(server: &TestServer) -> Vec<String> {
    server.requests().iter().map(|r| format!("{} {}", r.method, r.path)).collect()
}

#[tokio::test]
async fn client_credentials_with_discovery_then_federation_then_rescope() {
    let (server, _) = idp_and_keystone(json!(["client_credentials", "password"])).await;
    let dir = Dir::new();
    let loaded = load(
        &dir,
        &format!(
            "[service_user]\nauth_type = v3oidcclientcredentials\nauth_url = {0}/v3\nidentity_provider = myidp\n\
             protocol = openid\nclient_id = {CLIENT_ID}\nclient_secret = {CLIENT_SECRET}\n\
             discovery_endpoint = {0}/.well-known/openid-configuration\nscope = openid email\n\
             project_name = service\nproject_domain_name = Default\n",
            server.url()
        ),
    );
    let session = Session::from_loaded(&loaded).expect("session");
    let creds = session.credentials().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(creds.headers()[0].1.expose(), "scoped-1");
    assert_eq!(
        paths(&server),
        ["GET /.well-known/openid-configuration", "POST /token", &format!("POST {FED_PATH}"), "POST /v3/auth/tokens"]
    );
    let reqs = server.requests();
    let (ua, host) = (session.user_agent().to_owned(), format!("127.0.0.1:{}", server.addr.port()));
    // requests: data={'scope': ..., 'grant_type': ...}, auth=(id, secret).
    assert_eq!(
        raw(&reqs[1], &ua),
        format!(
            "POST /token HTTP/1.1\naccept: application/json\nauthorization: Basic {}\n\
             content-type: application/x-www-form-urlencoded\nhost: {host}\ncontent-length: 48\n\n\
             scope=openid+email&grant_type=client_credentials",
            base64_std(&format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        )
    );
    // The access token as a bearer token, no body.
    assert_eq!(
        raw(&reqs[2], &ua),
        format!(
            "POST {FED_PATH} HTTP/1.1\naccept: application/json\nauthorization: Bearer {ACCESS_TOKEN}\nhost: {host}\n\n"
        )
    );
    // Rescoped with the token method.
    assert_eq!(
        reqs[3].json(),
        json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "unscoped-1"}},
               "scope": {"project": {"name": "service", "domain": {"name": "Default"}}}}})
    );
}

#[tokio::test]
async fn password_with_an_explicit_endpoint_a_public_client_and_the_id_token() {
    let (server, _) = idp_and_keystone(json!(null)).await;
    let dir = Dir::new();
    let loaded = load(
        &dir,
        &format!(
            "[service_user]\nauth_type = v3oidcpassword\nauth_url = {0}\nidentity_provider = myidp\n\
             protocol = openid\nclient_id = {CLIENT_ID}\naccess_token_endpoint = {0}/token\n\
             access_token_type = id_token\nusername = alice\npassword = {USER_PASSWORD}\n",
            server.url()
        ),
    );
    let session = Session::from_loaded(&loaded).expect("session");
    let creds = session.credentials().await.unwrap_or_else(|e| panic!("{e}"));
    // No scope: the unscoped token, as keystoneauth's _rescope.
    assert_eq!(creds.headers()[0].1.expose(), "unscoped-1");
    assert_eq!(paths(&server), ["POST /token", &format!("POST {FED_PATH}")]);
    let reqs = server.requests();
    // payload username, password, scope, then grant_type, then (no
    // secret) client_id.
    assert_eq!(
        String::from_utf8_lossy(&reqs[0].body),
        format!(
            "username=alice&password=idp-user-p%40ss+word%26%3D&scope=openid+profile&grant_type=password&client_id={CLIENT_ID}"
        )
    );
    assert_eq!(reqs[0].header("authorization"), None);
    assert_eq!(reqs[1].header("authorization"), Some(format!("Bearer {ID_TOKEN}").as_str()));
}

#[tokio::test]
async fn access_token_goes_straight_to_federation() {
    let (server, _) = idp_and_keystone(json!(null)).await;
    let dir = Dir::new();
    let loaded = load(
        &dir,
        &format!(
            "[service_user]\nauth_type = v3oidcaccesstoken\nauth_url = {}/v3\nidentity_provider = myidp\n\
             protocol = openid\naccess_token = {ACCESS_TOKEN}\nproject_id = p1\n",
            server.url()
        ),
    );
    let session = Session::from_loaded(&loaded).expect("session");
    assert_eq!(session.credentials().await.unwrap_or_else(|e| panic!("{e}")).headers()[0].1.expose(), "scoped-1");
    assert_eq!(paths(&server), [format!("POST {FED_PATH}"), "POST /v3/auth/tokens".to_owned()]);
}

#[tokio::test]
async fn refusals_are_clear_and_never_show_a_secret() {
    // The provider does not offer the grant.
    let (server, _) = idp_and_keystone(json!(["authorization_code"])).await;
    let dir = Dir::new();
    let group = |server: &TestServer, secret: &str| {
        format!(
            "[service_user]\nauth_type = v3oidcclientcredentials\nauth_url = {0}/v3\nidentity_provider = myidp\n\
             protocol = openid\nclient_id = {CLIENT_ID}\nclient_secret = {secret}\n\
             discovery_endpoint = {0}/.well-known/openid-configuration\n",
            server.url()
        )
    };
    let s = Session::from_loaded(&load(&dir, &group(&server, CLIENT_SECRET))).expect("session");
    let msg = s.credentials().await.expect_err("grant not offered").to_string();
    assert!(msg.contains("\"client_credentials\"") && msg.contains("grant_types_supported"), "{msg}");

    // A wrong client secret.
    let (server, _) = idp_and_keystone(json!(null)).await;
    let wrong = "wrong-secret-value-123";
    let s = Session::from_loaded(&load(&dir, &group(&server, wrong))).expect("session");
    let e = s.credentials().await.expect_err("bad client");
    let msg = format!("{e} {e:?}");
    assert!(msg.contains("invalid_client: Bad client.") && msg.contains("/token"), "{msg}");
    assert!(!msg.contains(wrong), "{msg}");

    // Neither endpoint: refused when it loads, as keystoneauth's loader.
    let path = dir.write(
        "b.conf",
        "[service_user]\nauth_type = v3oidcpassword\nauth_url = http://k/v3\nidentity_provider = i\nprotocol = p\n\
         username = u\npassword = pw\n",
    );
    let e =
        load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
            .expect_err("no endpoint");
    assert!(e.to_string().contains("access_token_endpoint or discovery_endpoint"), "{e}");
}

#[tokio::test]
async fn a_refresh_token_is_used_the_next_time_and_the_grant_when_it_is_refused() {
    let (server, _) = idp_and_keystone(json!(null)).await;
    let dir = Dir::new();
    let loaded = load(
        &dir,
        &format!(
            "[service_user]\nauth_type = v3oidcpassword\nauth_url = {0}/v3\nidentity_provider = myidp\n\
             protocol = openid\nclient_id = {CLIENT_ID}\nclient_secret = {CLIENT_SECRET}\n\
             access_token_endpoint = {0}/token\nusername = alice\npassword = pw\n",
            server.url()
        ),
    );
    let t = stackauth::auth::ReqwestTransport::with_timeout(std::time::Duration::from_secs(10)).expect("transport");
    for _ in 0..4 {
        let creds = loaded.plugin.authenticate(&t).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(creds.headers()[0].1.expose(), "unscoped-1");
    }
    let bodies: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.path == "/token")
        .map(|r| {
            assert!(r.header("authorization").is_some_and(|a| a.starts_with("Basic ")), "the client authenticates");
            String::from_utf8_lossy(&r.body).into_owned()
        })
        .collect();
    let grant = "username=alice&password=pw&scope=openid+profile&grant_type=password";
    assert_eq!(
        bodies,
        [
            grant,
            "grant_type=refresh_token&refresh_token=rt-1",
            "grant_type=refresh_token&refresh_token=rt-2",
            // rt-3 refused: the password grant again.
            "grant_type=refresh_token&refresh_token=rt-3",
            grant,
        ]
    );
}

/// A service that answers its first request 401, and 200 after.
async fn refuses_first_token() -> TestServer {
    let calls = AtomicUsize::new(0);
    TestServer::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::json(401, json!({"error": {"message": "The request you have made requires authentication."}}))
        } else {
            Reply::json(200, json!({"ok": true}))
        }
    })
    .await
}

#[tokio::test]
async fn a_401_from_a_service_gets_a_new_access_token() {
    let (idp, issued) = idp_and_keystone(json!(null)).await;
    // A service that refuses the first token it sees (revoked, say).
    let service = refuses_first_token().await;
    let dir = Dir::new();
    let loaded = load(
        &dir,
        &format!(
            "[service_user]\nauth_type = v3oidcclientcredentials\nauth_url = {0}/v3\nidentity_provider = myidp\n\
             protocol = openid\nclient_id = {CLIENT_ID}\nclient_secret = {CLIENT_SECRET}\naccess_token_endpoint = {0}/token\n",
            idp.url()
        ),
    );
    let session = Session::from_loaded(&loaded).expect("session");
    let answer: serde_json::Value =
        Adapter::new(&session).endpoint_override(&service.url()).get("/x").await.expect("ok").json().expect("json");
    assert_eq!(answer["ok"], true);
    assert_eq!(issued.load(Ordering::SeqCst), 2, "the provider was asked again after the 401");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_arguments_variables_and_clouds_yaml() {
    let (server, issued) = idp_and_keystone(json!(null)).await;
    let (auth_url, token_url) = (format!("{}/v3", server.url()), format!("{}/token", server.url()));
    let home = Dir::new();
    let load_cli = |args: &[&str], env: Env| {
        let argv: Vec<String> = std::iter::once("prog").chain(args.iter().copied()).map(str::to_owned).collect();
        let dirs = Dirs { cwd: home.path().into(), home: Some(home.path().into()), config_home: None };
        let auth = CliAuth::scan(&argv, env, &dirs, PluginRegistry::builtin(), None);
        let m = auth.register(clap::Command::new("prog")).try_get_matches_from(&argv).expect("parses");
        auth.load(&m).unwrap_or_else(|e| panic!("{e}"))
    };
    // keystoneauth's flags: --os-openid-scope for the scope.
    let l = load_cli(
        &[
            "--os-auth-type",
            "v3oidcpassword",
            "--os-auth-url",
            &auth_url,
            "--os-identity-provider",
            "myidp",
            "--os-protocol",
            "openid",
            "--os-client-id",
            CLIENT_ID,
            "--os-access-token-endpoint",
            &token_url,
            "--os-username",
            "alice",
            "--os-openid-scope",
            "openid",
        ],
        Env::from_pairs([("OS_PASSWORD", USER_PASSWORD), ("OS_CLIENT_SECRET", CLIENT_SECRET)]),
    );
    let s = Session::from_loaded(&l).expect("session");
    assert_eq!(s.credentials().await.unwrap_or_else(|e| panic!("{e}")).headers()[0].1.expose(), "unscoped-1");
    let token_req = server.requests().into_iter().find(|r| r.path == "/token").expect("a token request");
    assert_eq!(
        String::from_utf8_lossy(&token_req.body),
        "username=alice&password=idp-user-p%40ss+word%26%3D&scope=openid&grant_type=password"
    );

    home.write(
        "clouds.yaml",
        format!(
            "clouds:\n  c:\n    auth_type: v3oidcaccesstoken\n    auth:\n      auth_url: {auth_url}\n      \
             identity_provider: myidp\n      protocol: openid\n      access_token: {ACCESS_TOKEN}\n"
        ),
    );
    let l = load_cli(&["--os-cloud", "c"], Env::empty());
    let s = Session::from_loaded(&l).expect("session");
    assert_eq!(s.credentials().await.unwrap_or_else(|e| panic!("{e}")).headers()[0].1.expose(), "unscoped-1");
    assert_eq!(issued.load(Ordering::SeqCst), 1);

    // v3oidcclientcredentials from OS_* variables alone.
    let discovery = format!("{}/.well-known/openid-configuration", server.url());
    let l = load_cli(
        &[],
        Env::from_pairs([
            ("OS_AUTH_TYPE", "v3oidcclientcredentials"),
            ("OS_AUTH_URL", auth_url.as_str()),
            ("OS_IDENTITY_PROVIDER", "myidp"),
            ("OS_PROTOCOL", "openid"),
            ("OS_CLIENT_ID", CLIENT_ID),
            ("OS_CLIENT_SECRET", CLIENT_SECRET),
            ("OS_DISCOVERY_ENDPOINT", discovery.as_str()),
        ]),
    );
    let s = Session::from_loaded(&l).expect("session");
    assert_eq!(s.credentials().await.unwrap_or_else(|e| panic!("{e}")).headers()[0].1.expose(), "unscoped-1");
    assert_eq!(issued.load(Ordering::SeqCst), 2);

    // v3oidcauthcode from clouds.yaml, the code under keystoneauth's older
    // name.
    home.write(
        "clouds.yaml",
        format!(
            "clouds:\n  c:\n    auth_type: v3oidcauthcode\n    auth:\n      auth_url: {auth_url}\n      \
             identity_provider: myidp\n      protocol: openid\n      client_id: {CLIENT_ID}\n      \
             client_secret: '{CLIENT_SECRET}'\n      access_token_endpoint: {token_url}\n      \
             redirect_uri: https://svc.example/cb\n      authorization_code: the-code-1\n"
        ),
    );
    let l = load_cli(&["--os-cloud", "c"], Env::empty());
    let s = Session::from_loaded(&l).expect("session");
    assert_eq!(s.credentials().await.unwrap_or_else(|e| panic!("{e}")).headers()[0].1.expose(), "unscoped-1");
    assert_eq!(issued.load(Ordering::SeqCst), 3);
    let last = server.requests().into_iter().rfind(|r| r.path == "/token").expect("a token request");
    assert_eq!(
        String::from_utf8_lossy(&last.body),
        "redirect_uri=https%3A%2F%2Fsvc.example%2Fcb&code=the-code-1&grant_type=authorization_code"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Against a real OpenID Connect provider: oidc-provider-mock from PyPI
// ---------------------------------------------------------------------------------------------------------

/// Keystone's federation endpoint, played by the tests' server: it records
/// the bearer token (checked afterwards with the provider's userinfo
/// endpoint, as mod_auth_openidc would check it) and answers with an
/// unscoped token.
async fn federation_endpoint() -> TestServer {
    TestServer::start(|r| match r.path.as_str() {
        FED_PATH if r.header("authorization").is_some_and(|a| a.starts_with("Bearer ")) => {
            Reply::json(201, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
                .header("X-Subject-Token", "unscoped-from-federation")
        }
        _ => Reply::json(401, json!({"error": {"message": "no bearer token"}})),
    })
    .await
}

/// Who the provider says the bearer token of the recorded federation
/// request belongs to (its userinfo endpoint).
async fn userinfo(p: &Provider, keystone: &TestServer) -> serde_json::Value {
    let fed = keystone.requests().into_iter().find(|r| r.path == FED_PATH).expect("a federation request");
    let bearer = fed.header("authorization").expect("a bearer").to_owned();
    let resp = reqwest::Client::new()
        .get(format!("{}/userinfo", p.url))
        .header("authorization", bearer)
        .send()
        .await
        .expect("userinfo answers");
    assert!(resp.status().is_success(), "the provider does not know the token: {}", resp.status());
    resp.json().await.expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_oidc_provider_mock() {
    let Some(p) = provider().await else { return };
    let keystone = federation_endpoint().await;
    let dir = Dir::new();

    // v3oidcauthcode: the discovery document, then the code at the token
    // endpoint with HTTP Basic client authentication; the provider checks
    // the code, the client and the redirect URI.
    let code = authorization_code(&p, "stackauth-test", "alice").await;
    let loaded = load(
        &dir,
        &format!(
            "[service_user]\nauth_type = v3oidcauthcode\nauth_url = {}/v3\nidentity_provider = myidp\n\
             protocol = openid\nclient_id = stackauth-test\nclient_secret = {CLIENT_SECRET}\n\
             discovery_endpoint = {}/.well-known/openid-configuration\nredirect_uri = {REDIRECT}\ncode = {code}\n",
            keystone.url(),
            p.url
        ),
    );
    let session = Session::from_loaded(&loaded).expect("session");
    let creds = session.credentials().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(creds.headers()[0].1.expose(), "unscoped-from-federation");
    let who = userinfo(&p, &keystone).await;
    assert_eq!(who["sub"], "alice", "{who}");

    // The code works once: another plugin with it is refused by the
    // provider.
    let text = std::fs::read_to_string(dir.path().join("a.conf")).expect("the group");
    let again = Session::from_loaded(&load(&dir, &text)).expect("session");
    let msg = again.credentials().await.expect_err("a used code").to_string();
    assert!(msg.contains("invalid_grant") && msg.contains("/oauth2/token"), "{msg}");
    assert!(!msg.contains(&code), "{msg}");

    // The plugin that used it authenticates again (a service answered 401)
    // with the provider's refresh token, for a new access token.
    let service = refuses_first_token().await;
    Adapter::new(&session).endpoint_override(&service.url()).get("/x").await.unwrap_or_else(|e| panic!("{e}"));
    let feds: Vec<String> = keystone
        .requests()
        .iter()
        .filter(|r| r.path == FED_PATH)
        .filter_map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(feds.len(), 2, "{feds:?}");
    assert_ne!(feds[0], feds[1], "a new access token");
    let who = reqwest::Client::new()
        .get(format!("{}/userinfo", p.url))
        .header("authorization", &feds[1])
        .send()
        .await
        .expect("userinfo")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    assert_eq!(who["sub"], "alice", "{who}");

    // v3oidcaccesstoken with the provider's access token.
    let fed = keystone.requests().into_iter().find(|r| r.path == FED_PATH).expect("a federation request");
    let token = fed.header("authorization").and_then(|a| a.strip_prefix("Bearer ")).expect("bearer").to_owned();
    let given = load(
        &dir,
        &format!(
            "[service_user]\nauth_type = v3oidcaccesstoken\nauth_url = {}\nidentity_provider = myidp\n\
             protocol = openid\naccess_token = {token}\n",
            keystone.url()
        ),
    );
    let s = Session::from_loaded(&given).expect("session");
    assert_eq!(
        s.credentials().await.unwrap_or_else(|e| panic!("{e}")).headers()[0].1.expose(),
        "unscoped-from-federation"
    );

    // The provider's discovery document offers authorization_code and
    // refresh_token only: the client credentials and password grants are
    // refused before any token request, as keystoneauth refuses them.
    let before = keystone.requests().len();
    for (plugin, extra) in [("v3oidcclientcredentials", ""), ("v3oidcpassword", "username = alice\npassword = pw\n")] {
        let l = load(
            &dir,
            &format!(
                "[service_user]\nauth_type = {plugin}\nauth_url = {}/v3\nidentity_provider = myidp\nprotocol = openid\n\
                 client_id = stackauth-test\nclient_secret = {CLIENT_SECRET}\n\
                 discovery_endpoint = {}/.well-known/openid-configuration\n{extra}",
                keystone.url(),
                p.url
            ),
        );
        let msg = Session::from_loaded(&l).expect("session").credentials().await.expect_err(plugin).to_string();
        assert!(msg.contains("grant_types_supported"), "{plugin}: {msg}");
    }
    assert_eq!(keystone.requests().len(), before);
}
