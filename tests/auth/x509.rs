//! `v3oauth2mtlsclientcredential` and `v3tokenlessauth` against a local
//! HTTPS server of the tests' own (not Keystone) that requires a client
//! certificate signed by a CA generated here (rcgen), records each request
//! byte for byte with the certificate the client presented, and answers as
//! Keystone's OAuth 2.0 token endpoint, token API and identity API would.
//! Loaded from a config group, from `--os-*` arguments and `OS_*`
//! variables, and from clouds.yaml.

use crate::common;

use std::path::PathBuf;

use common::Dir;
use common::server::{Recorded, Reply, TestServer, v3_token_body};
use common::tls::Ca;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::cli::{CliAuth, Dirs};
use stackauth::auth::{LoadedAuth, PluginRegistry, load_from_group};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session};
use stackauth::source::Env;

const CLIENT_ID: &str = "mtls-client-1";
const ACCESS_TOKEN: &str = "mtls-access-token-bound-to-the-cert";

/// The CAs and the client's certificate files.
struct Pki {
    server_ca: Ca,
    client_ca: Ca,
    dir: Dir,
    cafile: PathBuf,
    certfile: PathBuf,
    keyfile: PathBuf,
    client_der: Vec<u8>,
}

fn pki() -> Pki {
    let (server_ca, client_ca) = (Ca::new("server CA"), Ca::new("client CA"));
    let dir = Dir::new();
    let cafile = dir.write("ca.pem", server_ca.pem());
    let (cert, der, key) = client_ca.leaf(&["glance"]);
    let certfile = dir.write("client.pem", cert);
    let keyfile = dir.write("client.key", key.serialize_pem());
    Pki { server_ca, client_ca, dir, cafile, certfile, keyfile, client_der: der.to_vec() }
}

fn tls_opts(p: &Pki) -> String {
    format!("cafile = {}\ncertfile = {}\nkeyfile = {}\n", p.cafile.display(), p.certfile.display(), p.keyfile.display())
}

fn load(p: &Pki, text: &str) -> LoadedAuth {
    let path = p.dir.write("a.conf", text);
    load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Loads `args` (and `env`) as a command-line tool does, with clouds.yaml
/// looked for in `home`.
fn load_cli(home: &Dir, args: &[&str], env: Env) -> LoadedAuth {
    let argv: Vec<String> = std::iter::once("prog").chain(args.iter().copied()).map(str::to_owned).collect();
    let dirs = Dirs { cwd: home.path().into(), home: Some(home.path().into()), config_home: None };
    let auth = CliAuth::scan(&argv, env, &dirs, PluginRegistry::builtin(), None);
    let m = auth.register(clap::Command::new("prog")).try_get_matches_from(&argv).expect("parses");
    auth.load(&m).unwrap_or_else(|e| panic!("{e}"))
}

/// The request's head and body as sent, `\r\n` shown as `\n`, with the
/// `user-agent` line (stackauth's version) left out.
fn raw(r: &Recorded, ua: &str) -> String {
    String::from_utf8(r.raw.clone()).expect("UTF-8").replace(&format!("user-agent: {ua}\r\n"), "").replace("\r\n", "\n")
}

// ---------------------------------------------------------------------------------------------------------
// v3oauth2mtlsclientcredential
// ---------------------------------------------------------------------------------------------------------

/// Keystone's OAuth 2.0 token endpoint (an access token only for a client
/// that presented a certificate), its token API (the access token is a
/// token) and a service.
async fn oauth2_keystone(p: &Pki) -> TestServer {
    TestServer::start_mtls(&p.server_ca, &p.client_ca, |r| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/v3/OS-OAUTH2/token") => {
            if r.client_cert.is_some()
                && r.body == format!("grant_type=client_credentials&client_id={CLIENT_ID}").as_bytes()
            {
                Reply::json(200, json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600}))
            } else {
                Reply::json(
                    401,
                    json!({"error": "invalid_client", "error_description": "Client authentication failed."}),
                )
            }
        }
        ("GET", "/v3/auth/tokens")
            if r.header("x-auth-token") == Some(ACCESS_TOKEN) && r.header("x-subject-token") == Some(ACCESS_TOKEN) =>
        {
            Reply::json(200, v3_token_body("2099-01-01T00:00:00.000000Z", "http://unused/v3"))
                .header("X-Subject-Token", ACCESS_TOKEN)
        }
        ("GET", "/service/things") => Reply::json(
            200,
            json!({"x_auth_token": r.header("x-auth-token"), "authorization": r.header("authorization")}),
        ),
        _ => Reply::json(401, json!({"error": {"message": "The request you have made requires authentication."}})),
    })
    .await
}

fn mtls_group(server: &TestServer, p: &Pki) -> String {
    format!(
        "[service_user]\nauth_type = v3oauth2mtlsclientcredential\nauth_url = {0}/v3\n\
         oauth2_endpoint = {0}/v3/OS-OAUTH2/token\noauth2_client_id = {CLIENT_ID}\n{1}",
        server.url(),
        tls_opts(p)
    )
}

#[tokio::test]
async fn mtls_access_token_then_token_body_byte_for_byte() {
    let p = pki();
    let server = oauth2_keystone(&p).await;
    let loaded = load(&p, &mtls_group(&server, &p));
    assert_eq!(loaded.plugin_name, "v3oauth2mtlsclientcredential");
    let session = Session::from_loaded(&loaded).expect("session");
    let creds = session.credentials().await.unwrap_or_else(|e| panic!("{e}"));
    let headers: Vec<(&str, String)> = creds.headers().iter().map(|(k, v)| (*k, v.expose().to_owned())).collect();
    assert_eq!(
        headers,
        [("X-Auth-Token", ACCESS_TOKEN.to_owned()), ("Authorization", format!("Bearer {ACCESS_TOKEN}"))]
    );
    assert_eq!(creds.access().expect("a token").project.as_ref().and_then(|p| p.ident.id.as_deref()), Some("p1"));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    let port = server.addr.port();
    let ua = session.user_agent().to_owned();
    // keystoneauth: session.post(oauth2_endpoint, data={'grant_type':
    // 'client_credentials', 'client_id': ...}), over the client cert.
    assert_eq!(
        raw(&reqs[0], &ua),
        format!(
            "POST /v3/OS-OAUTH2/token HTTP/1.1\naccept: application/json\n\
             content-type: application/x-www-form-urlencoded\nhost: localhost:{port}\ncontent-length: 53\n\n\
             grant_type=client_credentials&client_id={CLIENT_ID}"
        )
    );
    assert_eq!(reqs[0].client_cert.as_deref(), Some(p.client_der.as_slice()));
    // keystoneauth: GET <auth_url>/auth/tokens with the access token as
    // X-Auth-Token and X-Subject-Token.
    assert_eq!(
        raw(&reqs[1], &ua),
        format!(
            "GET /v3/auth/tokens HTTP/1.1\naccept: application/json\nx-auth-token: {ACCESS_TOKEN}\n\
             x-subject-token: {ACCESS_TOKEN}\nhost: localhost:{port}\n\n"
        )
    );

    // A service's request carries the access token both ways.
    let service = Adapter::new(&session).endpoint_override(&format!("{}/service", server.url()));
    let answer: serde_json::Value = service.get("/things").await.expect("ok").json().expect("json");
    assert_eq!(answer, json!({"x_auth_token": ACCESS_TOKEN, "authorization": format!("Bearer {ACCESS_TOKEN}")}));
}

#[tokio::test]
async fn mtls_without_a_client_certificate_fails_in_the_handshake() {
    let p = pki();
    let server = oauth2_keystone(&p).await;
    let text = mtls_group(&server, &p)
        .replace(&format!("certfile = {}\n", p.certfile.display()), "")
        .replace(&format!("keyfile = {}\n", p.keyfile.display()), "");
    let loaded = load(&p, &text);
    let session = Session::from_loaded(&loaded).expect("session");
    let e = session.credentials().await.expect_err("no client certificate");
    let msg = e.to_string();
    assert!(msg.contains("/v3/OS-OAUTH2/token"), "{msg}");
    assert!(server.requests().is_empty(), "the server saw a request without a certificate");
}

/// `GET /projects` of the identity service through a session of
/// `loaded`, as the fixture's server echoes it.
async fn projects(loaded: &stackauth::auth::LoadedAuth) -> serde_json::Value {
    let s = Session::from_loaded(loaded).expect("session");
    Adapter::new(&s)
        .service_type("identity")
        .get("/projects")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .expect("json")
}

#[tokio::test]
async fn mtls_refused_client_is_reported_with_its_oauth_error() {
    let p = pki();
    let server = oauth2_keystone(&p).await;
    let loaded = load(&p, &mtls_group(&server, &p).replace(CLIENT_ID, "someone-else"));
    let session = Session::from_loaded(&loaded).expect("session");
    let msg = session.credentials().await.expect_err("refused").to_string();
    assert!(msg.contains("invalid_client: Client authentication failed."), "{msg}");
}

// Multi-threaded: the test thread waits on nothing, but the Session and the
// server share the runtime with a CLI load in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtls_from_arguments_variables_and_clouds_yaml() {
    let p = pki();
    let server = oauth2_keystone(&p).await;
    let (auth_url, endpoint) = (format!("{}/v3", server.url()), format!("{}/v3/OS-OAUTH2/token", server.url()));
    let (ca, cert, key) =
        (p.cafile.display().to_string(), p.certfile.display().to_string(), p.keyfile.display().to_string());
    let home = Dir::new();
    let from_flags = load_cli(
        &home,
        &[
            "--os-auth-type",
            "v3oauth2mtlsclientcredential",
            "--os-auth-url",
            &auth_url,
            "--os-oauth2-endpoint",
            &endpoint,
            "--os-cert",
            &cert,
            "--os-key",
            &key,
            "--os-cacert",
            &ca,
        ],
        Env::from_pairs([("OS_OAUTH2_CLIENT_ID", CLIENT_ID)]),
    );
    let s = Session::from_loaded(&from_flags).expect("session");
    assert_eq!(s.credentials().await.unwrap_or_else(|e| panic!("{e}")).headers()[0].1.expose(), ACCESS_TOKEN);

    home.write(
        "clouds.yaml",
        format!(
            "clouds:\n  c:\n    auth_type: v3oauth2mtlsclientcredential\n    auth:\n      auth_url: {auth_url}\n      \
             oauth2_endpoint: {endpoint}\n      oauth2_client_id: {CLIENT_ID}\n    cacert: {ca}\n    cert: {cert}\n    \
             key: {key}\n"
        ),
    );
    let from_cloud = load_cli(&home, &["--os-cloud", "c"], Env::empty());
    let s = Session::from_loaded(&from_cloud).expect("session");
    assert_eq!(s.credentials().await.unwrap_or_else(|e| panic!("{e}")).headers()[0].1.expose(), ACCESS_TOKEN);
    assert_eq!(server.requests().iter().filter(|r| r.path == "/v3/OS-OAUTH2/token").count(), 2);
}

// ---------------------------------------------------------------------------------------------------------
// v3tokenlessauth
// ---------------------------------------------------------------------------------------------------------

/// Keystone's identity API under tokenless auth: the certificate says who,
/// the headers say where; answers with what it was sent.
async fn tokenless_keystone(p: &Pki) -> TestServer {
    TestServer::start_mtls(&p.server_ca, &p.client_ca, |r| {
        Reply::json(
            200,
            json!({
                "client_cert": r.client_cert.is_some(),
                "x_auth_token": r.header("x-auth-token"),
                "x_project_id": r.header("x-project-id"),
                "x_project_name": r.header("x-project-name"),
                "x_project_domain_name": r.header("x-project-domain-name"),
                "x_domain_id": r.header("x-domain-id"),
            }),
        )
    })
    .await
}

#[tokio::test]
async fn tokenless_sends_the_scope_headers_with_the_certificate() {
    let p = pki();
    let server = tokenless_keystone(&p).await;
    let text = format!(
        "[service_user]\nauth_type = v3tokenlessauth\nauth_url = {}/v3\nproject_name = service\n\
         project_domain_name = Default\n{}",
        server.url(),
        tls_opts(&p)
    );
    let loaded = load(&p, &text);
    assert_eq!(loaded.plugin_name, "v3tokenlessauth");
    let session = Session::from_loaded(&loaded).expect("session");
    // No catalog: the identity service is auth_url, as keystoneauth's
    // TokenlessAuth.get_endpoint says.
    let identity = Adapter::new(&session).service_type("identity");
    let answer: serde_json::Value =
        identity.get("/projects").await.unwrap_or_else(|e| panic!("{e}")).json().expect("json");
    assert_eq!(answer["client_cert"], true);
    assert_eq!(answer["x_auth_token"], serde_json::Value::Null);
    assert_eq!(
        (answer["x_project_name"].as_str(), answer["x_project_domain_name"].as_str()),
        (Some("service"), Some("Default"))
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_eq!(reqs[0].client_cert.as_deref(), Some(p.client_der.as_slice()));
    assert_eq!(
        raw(&reqs[0], session.user_agent()),
        format!(
            "GET /v3/projects HTTP/1.1\naccept: application/json\nx-project-name: service\n\
             x-project-domain-name: Default\nhost: localhost:{}\n\n",
            server.addr.port()
        )
    );
    // Another service has no endpoint without an override.
    let e = Adapter::new(&session).service_type("compute").get("/servers").await.expect_err("no catalog");
    assert!(e.to_string().contains("no service catalog"), "{e}");
}

#[tokio::test]
async fn tokenless_without_a_scope_is_refused_when_it_loads() {
    let p = pki();
    let path = p
        .dir
        .write("a.conf", "[service_user]\nauth_type = v3tokenlessauth\nauth_url = https://k/v3\nproject_name = x\n");
    let e =
        load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
            .expect_err("no project domain");
    assert!(e.to_string().contains("project_domain_name"), "{e}");
    let path = p.dir.write("b.conf", "[service_user]\nauth_type = v3tokenlessauth\nauth_url = https://k/v3\n");
    let e =
        load_from_group(&Loader::new(&Registry::new()).config_file(&path), &PluginRegistry::builtin(), "service_user")
            .expect_err("no scope");
    assert!(e.to_string().contains("needs a scope"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokenless_from_arguments_variables_and_clouds_yaml() {
    let p = pki();
    let server = tokenless_keystone(&p).await;
    let auth_url = format!("{}/v3", server.url());
    let (ca, cert, key) =
        (p.cafile.display().to_string(), p.certfile.display().to_string(), p.keyfile.display().to_string());
    let home = Dir::new();
    let from_flags = load_cli(
        &home,
        &["--os-auth-type", "v3tokenlessauth", "--os-auth-url", &auth_url, "--os-cert", &cert, "--os-key", &key],
        Env::from_pairs([("OS_PROJECT_ID", "p-42"), ("OS_CACERT", ca.as_str())]),
    );
    let answer = projects(&from_flags).await;
    assert_eq!((answer["x_project_id"].as_str(), answer["client_cert"].as_bool()), (Some("p-42"), Some(true)));

    home.write(
        "clouds.yaml",
        format!(
            "clouds:\n  c:\n    auth_type: v3tokenlessauth\n    auth:\n      auth_url: {auth_url}\n      \
             domain_id: d-7\n    cacert: {ca}\n    cert: {cert}\n    key: {key}\n"
        ),
    );
    let from_cloud = load_cli(&home, &["--os-cloud", "c"], Env::empty());
    let answer = projects(&from_cloud).await;
    assert_eq!((answer["x_domain_id"].as_str(), answer["client_cert"].as_bool()), (Some("d-7"), Some(true)));
}
