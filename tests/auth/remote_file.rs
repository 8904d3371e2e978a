//! oslo.config's `config_source` with the `remote_file` driver, against
//! real local HTTP and HTTPS servers: values and their URL origins, where
//! they stand against files, the environment and the command line, failed
//! fetches as findings naming the URL, and reload fetching again.
//!
//! A load blocks its thread while it fetches (as it does reading files):
//! the servers run on the other worker of a multi-threaded runtime.

use crate::common;

use std::sync::{Arc, Mutex};

use common::Dir;
use common::server::{Reply, TestServer};
use common::tls::{Ca, tls_server_with};
use stackauth::Loader;
use stackauth::auth::{RemoteFile, RemoteFileSource};
use stackauth::opt::{Opt, OptType, Registry};
use stackauth::reload::{LiveConfig, ReloadEvent};
use stackauth::source::{CliOverride, Env, Source};

fn registry() -> Registry {
    let mut r = Registry::new();
    r.register_opts(
        "DEFAULT",
        [
            Opt::new("workers", OptType::integer()).default("1").mutable(),
            Opt::string("log_dir"),
            Opt::multi_string("hosts"),
        ],
    )
    .expect("register");
    r.register_opts(
        "keystone_authtoken",
        [Opt::string("password").secret().mutable(), Opt::string("auth_url"), Opt::string("region_name")],
    )
    .expect("register");
    r
}

/// Serves `body` (changeable) at every path, 200.
async fn serve(body: &Arc<Mutex<String>>) -> TestServer {
    let body = body.clone();
    TestServer::start(move |_| Reply {
        status: 200,
        headers: Vec::new(),
        body: body.lock().expect("lock").clone().into_bytes(),
        delay: None,
    })
    .await
}

fn text(s: &str) -> Arc<Mutex<String>> {
    Arc::new(Mutex::new(s.to_owned()))
}

const REMOTE: &str = "[DEFAULT]\nworkers = 8\nlog_dir = /remote\nhosts = r1\nhosts = r2\n\n[keystone_authtoken]\npassword = remote-s3cret\nauth_url = http://remote:5000/v3\n";

fn conf(d: &Dir, uri: &str, extra: &str) -> std::path::PathBuf {
    d.write(
        "glance.conf",
        format!("[DEFAULT]\nconfig_source = shared\n{extra}\n[shared]\ndriver = remote_file\nuri = {uri}\n"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_come_from_the_body_with_the_url_line_and_column() {
    let server = serve(&text(REMOTE)).await;
    let uri = format!("{}/glance.conf", server.url());
    let d = Dir::new();
    let p = conf(&d, &uri, "");
    let r = registry();
    let snap = Loader::new(&r).config_file(&p).config_source_driver(RemoteFile).load().expect("loads");
    assert_eq!(snap.value("DEFAULT", "workers").and_then(|v| v.as_int()), Some(8));
    let pw = snap.get("keystone_authtoken", "password").expect("set");
    assert_eq!(pw.origin.to_string(), format!("{uri}:8:12"));
    assert_eq!(pw.display_value(), "****");
    // config_source and its group are the loader's: no unknown findings.
    assert!(snap.warnings().is_empty(), "{:?}", snap.warnings());
    // The URL is not a file of the snapshot (nothing to watch or chmod).
    assert_eq!(snap.files(), std::slice::from_ref(&p));
    // One fetch per load.
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.requests()[0].path, "/glance.conf");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_the_environment_and_the_command_line_beat_it_and_it_beats_set_default() {
    let server = serve(&text(REMOTE)).await;
    let uri = format!("{}/glance.conf", server.url());
    let d = Dir::new();
    let p = conf(&d, &uri, "workers = 2\nhosts = local\n");
    let r = registry();
    let snap = Loader::new(&r)
        .config_file(&p)
        .config_source_driver(RemoteFile)
        .env(Env::from_pairs([("OS_KEYSTONE_AUTHTOKEN__AUTH_URL", "http://env:5000/v3")]))
        .cli(CliOverride::parse("keystone_authtoken.password=cli").expect("flag"))
        .set_default("DEFAULT", "log_dir", "/set-default")
        .set_default("keystone_authtoken", "region_name", "RegionSetDefault")
        .load()
        .expect("loads");
    let get = |g: &str, o: &str| snap.get(g, o).expect("set");
    // A local file beats the remote body; a multi-valued option is not
    // gathered across them (oslo asks a source only when no file has it).
    assert_eq!(get("DEFAULT", "workers").origin.location().map(|l| l.line), Some(3));
    assert_eq!(snap.value("DEFAULT", "hosts").map(|v| format!("{v:?}")), Some("List([Str(\"local\")])".into()));
    assert_eq!(
        get("keystone_authtoken", "auth_url").origin.to_string(),
        "environment variable OS_KEYSTONE_AUTHTOKEN__AUTH_URL"
    );
    assert!(get("keystone_authtoken", "password").origin.to_string().starts_with("command line"));
    // The remote body beats set_default.
    assert_eq!(get("DEFAULT", "log_dir").origin.to_string(), format!("{uri}:3:11"));
    assert_eq!(get("keystone_authtoken", "region_name").origin.to_string(), "set_default");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_sources_the_first_named_wins_whole() {
    let (a, b) = (serve(&text("[DEFAULT]\nworkers = 4\n")).await, serve(&text(REMOTE)).await);
    let d = Dir::new();
    let p = d.write(
        "x.conf",
        format!(
            "[DEFAULT]\nconfig_source = a, b\n[a]\ndriver = remote_file\nuri = {}/a\n[b]\ndriver = remote_file\nuri = {}/b\n",
            a.url(),
            b.url()
        ),
    );
    let r = registry();
    let snap = Loader::new(&r).config_file(&p).config_source_driver(RemoteFile).load().expect("loads");
    assert_eq!(snap.value("DEFAULT", "workers").and_then(|v| v.as_int()), Some(4));
    assert_eq!(snap.get("DEFAULT", "log_dir").expect("set").origin.to_string(), format!("{}/b:3:11", b.url()));
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn load_error(p: &std::path::Path) -> String {
    let r = registry();
    let e = Loader::new(&r).config_file(p).config_source_driver(RemoteFile).load().expect_err("must fail");
    let errors: Vec<String> = e.errors().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_an_error_naming_the_url_at_the_uri_line() {
    let uri = format!("http://127.0.0.1:{}/glance.conf", closed_port());
    let d = Dir::new();
    let p = conf(&d, &uri, "");
    let e = load_error(&p);
    assert!(
        e.starts_with(&format!(
            "error[io]: {}:6:7: [shared] uri: remote_file [shared]: cannot fetch {uri}",
            p.display()
        )),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_is_an_error_and_the_body_is_not_shown() {
    let server =
        TestServer::start(|_| Reply { status: 404, headers: Vec::new(), body: b"secret-echo".to_vec(), delay: None })
            .await;
    let uri = format!("{}/missing.conf", server.url());
    let d = Dir::new();
    let e = load_error(&conf(&d, &uri, ""));
    assert!(e.contains(&format!("{uri} answered 404 Not Found")), "{e}");
    assert!(!e.contains("secret-echo"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_in_the_url_never_shows() {
    let uri = format!("http://user:hunter2@127.0.0.1:{}/glance.conf", closed_port());
    let d = Dir::new();
    let e = load_error(&conf(&d, &uri, ""));
    assert!(!e.contains("hunter2"), "{e}");
    assert!(e.contains("http://user:****@127.0.0.1"), "{e}");
    let s = RemoteFileSource::new(&uri);
    assert!(!format!("{s:?} {}", s.describe()).contains("hunter2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_secrets_stay_masked_in_debug_and_errors() {
    // A bad value beside a secret: the error names the URL, never the secret.
    let server = serve(&text("[DEFAULT]\nworkers = many\n[keystone_authtoken]\npassword = remote-s3cret\n")).await;
    let uri = format!("{}/glance.conf", server.url());
    let d = Dir::new();
    let p = conf(&d, &uri, "");
    let r = registry();
    let loader = Loader::new(&r).config_file(&p).config_source_driver(RemoteFile);
    let e = loader.load().expect_err("workers is not an integer");
    assert!(e.to_string().contains(&format!("{uri}:2:11")), "{e}");
    let (snap, _) = loader.load_lenient();
    for shown in [e.to_string(), format!("{e:?}"), format!("{snap:?}"), format!("{:?}", loader.read())] {
        assert!(!shown.contains("remote-s3cret"), "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_without_a_known_driver_is_an_error() {
    let d = Dir::new();
    let p = d.write("x.conf", "[DEFAULT]\nconfig_source = a, b\n[a]\ndriver = castellan\n[b]\nuri = http://h/\n");
    let r = registry();
    let e = Loader::new(&r).config_file(&p).config_source_driver(RemoteFile).load().expect_err("fails");
    let errors: Vec<String> = e.errors().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    // In file order: [b] is reported where config_source lists it.
    assert!(errors[0].contains("x.conf:2:17: [b] driver: config_source group [b] has no driver"), "{errors:?}");
    assert!(
        errors[1].contains("x.conf:4:10: [a] driver: config_source group [a]: no driver \"castellan\""),
        "{errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_ca_path_and_a_client_certificate() {
    let (ca, client_ca) = (Ca::new("config CA"), Ca::new("client CA"));
    let url = tls_server_with(
        &ca,
        Some(&client_ca),
        Arc::new(|presented| format!("[keystone_authtoken]\nregion_name = tls-{presented}\n")),
    )
    .await;
    let d = Dir::new();
    let ca_file = d.write("ca.pem", ca.pem());
    let (cert, _, key) = client_ca.leaf(&["glance"]);
    let cert_file = d.write("client.pem", cert);
    let key_file = d.write("client.key", key.serialize_pem());
    let uri = format!("{url}glance.conf");
    let p = d.write(
        "glance.conf",
        format!(
            "[DEFAULT]\nconfig_source = tls\n[tls]\ndriver = remote_file\nuri = {uri}\nca_path = {}\nclient_cert = {}\nclient_key = {}\n",
            ca_file.display(),
            cert_file.display(),
            key_file.display()
        ),
    );
    let r = registry();
    let snap = Loader::new(&r).config_file(&p).config_source_driver(RemoteFile).load().expect("loads");
    let region = snap.get("keystone_authtoken", "region_name").expect("set");
    assert_eq!(region.value.as_ref().and_then(|v| v.as_str()), Some("tls-true"));
    assert_eq!(region.origin.to_string(), format!("{uri}:2:15"));

    // Another CA in ca_path: verification fails, an error naming the URL.
    let other = d.write("other.pem", Ca::new("other").pem());
    let text = std::fs::read_to_string(&p)
        .expect("read")
        .replace(&ca_file.display().to_string(), &other.display().to_string());
    std::fs::write(&p, text).expect("write");
    let e = load_error(&p);
    assert!(e.contains(&format!("cannot fetch {uri}")) && e.contains("certificate"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_fetches_again_and_a_failed_fetch_keeps_the_last_good_values() {
    let body = text("[DEFAULT]\nworkers = 3\n");
    let server = serve(&body).await;
    let d = Dir::new();
    let p = conf(&d, &format!("{}/glance.conf", server.url()), "");
    let live = LiveConfig::new(Loader::shared(Arc::new(registry())).config_file(&p).config_source_driver(RemoteFile))
        .expect("first load");
    let workers = |l: &LiveConfig| l.snapshot().value("DEFAULT", "workers").and_then(|v| v.as_int());
    assert_eq!(workers(&live), Some(3));
    *body.lock().expect("lock") = "[DEFAULT]\nworkers = 5\n".into();
    assert!(matches!(live.reload(), ReloadEvent::Applied { .. }));
    assert_eq!(workers(&live), Some(5));
    assert_eq!(server.requests().len(), 2);
    drop(server);
    assert!(matches!(live.reload(), ReloadEvent::Failed { .. }));
    assert_eq!(workers(&live), Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stackauth_show_names_the_url_and_masks_the_secret() {
    // The auth plugin's options too: auth_type from the body selects them.
    let body =
        text("[keystone_authtoken]\nauth_type = password\nauth_url = http://k:5000/v3\npassword = remote-s3cret\n");
    let server = serve(&body).await;
    let uri = format!("{}/glance.conf", server.url());
    let d = Dir::new();
    let p = conf(&d, &uri, "");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(["show", "--no-env", "--group", "keystone_authtoken", "--config-file"])
        .arg(&p)
        .output()
        .await
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("password = ****  # {uri}:4:12")), "{stdout}");
    assert!(!stdout.contains("remote-s3cret"));

    // validate checks the remote values, at the URL's line and column.
    *body.lock().expect("lock") = "[keystone_authtoken]\ntoken_cache_time = soon\n".into();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(["validate", "--no-env", "--config-file"])
        .arg(&p)
        .output()
        .await
        .expect("runs");
    let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains(&format!("--> {uri}:2:20")), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uri_that_is_not_http_is_one_error() {
    let d = Dir::new();
    let e = load_error(&conf(&d, "ftp://h/x.conf", ""));
    assert!(e.contains("[shared] uri: invalid uri value: URI scheme must be one of [http, https]"), "{e}");
}

/// oslo.config's own reading of the same files, served by the same
/// servers: `{"group.option": value}` as JSON, or its error.
const OSLO: &str = r#"
import json, logging, sys
from oslo_config import cfg
logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
conf = cfg.ConfigOpts()
conf.register_opts([cfg.IntOpt('workers', default=1), cfg.StrOpt('log_dir'), cfg.MultiStrOpt('hosts')])
conf.register_opts([cfg.StrOpt('password', secret=True), cfg.StrOpt('auth_url'),
                    cfg.StrOpt('region_name', deprecated_name='os_region_name')], group='keystone_authtoken')
conf(args=['--config-file', sys.argv[1]], project='x', default_config_files=[], default_config_dirs=[],
     use_env=False)
conf.set_default('auth_url', 'http://set-default', group='keystone_authtoken')
out = {'DEFAULT.' + o: conf[o] for o in ('workers', 'log_dir', 'hosts')}
out.update({'keystone_authtoken.' + o: conf.keystone_authtoken[o] for o in ('password', 'auth_url', 'region_name')})
print(json.dumps(out))
"#;

/// The same values as oslo.config gives, from the same files and servers:
/// files beat every source, the first source named wins, a source is asked
/// for the option's current name only, sources beat set_default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agrees_with_oslo_config() {
    let Some(python) = common::python::venv_python("config_source against oslo.config") else { return };
    let a =
        serve(&text("[DEFAULT]\nlog_dir = /a\n[keystone_authtoken]\npassword = a-pass\nos_region_name = old-in-a\n"))
            .await;
    let b = serve(&text(
        "[DEFAULT]\nworkers = 9\nlog_dir = /b\nhosts = b1\nhosts = b2\n\
         [keystone_authtoken]\nauth_url = http://b\nregion_name = b-region\npassword = b-pass\n",
    ))
    .await;
    let d = Dir::new();
    let p = d.write(
        "x.conf",
        format!(
            "[DEFAULT]\nconfig_source = a,b\nworkers = 2\nhosts = local\n\
             [a]\ndriver = remote_file\nuri = {}/a.conf\n[b]\ndriver = remote_file\nuri = {}/b.conf\n",
            a.url(),
            b.url()
        ),
    );
    let script = d.write("oslo.py", OSLO);
    let out = std::process::Command::new(python).arg(&script).arg(&p).output().expect("python runs");
    assert!(out.status.success(), "oslo.config failed: {}", String::from_utf8_lossy(&out.stderr));
    let oslo: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");

    let r = registry();
    let snap = Loader::new(&r)
        .config_file(&p)
        .config_source_driver(RemoteFile)
        .set_default("keystone_authtoken", "auth_url", "http://set-default")
        .load()
        .expect("loads");
    let mut ours = serde_json::Map::new();
    for (g, o) in [
        ("DEFAULT", "workers"),
        ("DEFAULT", "log_dir"),
        ("DEFAULT", "hosts"),
        ("keystone_authtoken", "password"),
        ("keystone_authtoken", "auth_url"),
        ("keystone_authtoken", "region_name"),
    ] {
        let v = match snap.value(g, o) {
            Some(stackauth::opt::Value::Int(i)) => serde_json::json!(i),
            Some(stackauth::opt::Value::List(l)) => {
                serde_json::json!(l.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>())
            }
            Some(v) => serde_json::json!(v.as_str()),
            None => serde_json::Value::Null,
        };
        ours.insert(format!("{g}.{o}"), v);
    }
    assert_eq!(serde_json::Value::Object(ours), oslo);
    // What that is, so that a change on both sides is still seen.
    assert_eq!(oslo["DEFAULT.workers"], 2);
    assert_eq!(oslo["DEFAULT.log_dir"], "/a");
    assert_eq!(oslo["keystone_authtoken.region_name"], "b-region");
    assert_eq!(oslo["keystone_authtoken.auth_url"], "http://b");

    // A source that cannot be fetched: oslo.config logs it and goes on
    // without its values; stackauth refuses to load (a deliberate
    // difference: a daemon must not start on half its configuration).
    drop(a);
    let out = std::process::Command::new(python).arg(&script).arg(&p).output().expect("python runs");
    assert!(out.status.success(), "oslo.config goes on: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not load configuration from 'a'"));
    let oslo: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(oslo["DEFAULT.log_dir"], "/b");
    let e = load_error(&p);
    assert!(e.contains(&format!("remote_file [a]: cannot fetch {}", "http://127.0.0.1")), "{e}");
}
