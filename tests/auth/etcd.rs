//! etcd as a source for a fleet, against a real etcd (Debian's
//! `etcd-server`, started by the tests on free loopback ports): keys under
//! a prefix as options with their key and revision as origin, secrets
//! masked in `show`, an unreachable cluster as a finding naming it, one
//! key change seen by three daemons through etcd watches, a change that
//! does not validate keeping each on its last good snapshot, and a
//! password rotated in etcd used by a Session's next request with no
//! request failing.
//!
//! A load blocks its thread while it asks etcd (as it does reading files):
//! these tests run on a multi-threaded runtime.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Dir;
use common::etcd::Etcd;
use common::server::{Reply, TestServer, v3_token_body};
use stackauth::Loader;
use stackauth::auth::{EtcdSource, PluginRegistry};
use stackauth::opt::{Opt, OptType, Registry};
use stackauth::reload::{LiveConfig, ReloadEvent};
use stackauth::session::{Request, Session};
use stackauth::tools::show::{ShowOptions, render_text};

fn registry() -> Arc<Registry> {
    Arc::new(common::registry([
        ("DEFAULT", Opt::new("workers", OptType::integer()).default("1").mutable()),
        ("keystone_authtoken", Opt::string("password").secret().mutable()),
        ("keystone_authtoken", Opt::string("region_name").mutable()),
    ]))
}

async fn eventually(what: &str, f: impl Fn() -> bool) {
    for _ in 0..750 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

fn workers(l: &LiveConfig) -> i64 {
    l.snapshot().get_as::<i64>("DEFAULT", "workers").expect("typed").expect("set")
}

#[test]
fn keys_under_the_prefix_are_options_with_their_key_and_revision() {
    let Some(etcd) = Etcd::start() else { return };
    etcd.put("/svc/DEFAULT/workers", "4");
    let rev = etcd.put("/svc/keystone_authtoken/password", "s3cret-etcd");
    etcd.put("/other/DEFAULT/workers", "99");
    etcd.put("/svc/too/deep/key", "x");
    let reg = registry();
    let snap = Loader::new(&reg).source(EtcdSource::new([etcd.url.clone()], "/svc/")).load().expect("loads");
    assert_eq!(snap.get_as::<i64>("DEFAULT", "workers").expect("typed"), Some(4));
    let pw = snap.get("keystone_authtoken", "password").expect("set");
    assert_eq!(pw.origin.to_string(), format!("etcd key /svc/keystone_authtoken/password, revision {rev}"));
    let warned: Vec<String> = snap.warnings().iter().map(ToString::to_string).collect();
    assert!(warned.iter().any(|w| w.contains("/svc/too/deep/key") && w.contains("ignored")), "{warned:?}");
    let shown = render_text(&snap, ShowOptions::default());
    assert!(shown.contains(&format!("etcd key /svc/keystone_authtoken/password, revision {rev}")), "{shown}");
    assert!(shown.contains("password = ****"), "{shown}");
    assert!(!shown.contains("s3cret-etcd"), "{shown}");
}

#[test]
fn a_key_beats_a_local_file_and_fallback_puts_it_below() {
    let Some(etcd) = Etcd::start() else { return };
    etcd.put("/svc/DEFAULT/workers", "4");
    let d = Dir::new();
    let file = d.write("svc.conf", "[DEFAULT]\nworkers = 2\n");
    let reg = registry();
    let over = Loader::new(&reg).config_file(&file).source(EtcdSource::new([etcd.url.clone()], "/svc"));
    assert_eq!(over.load().expect("loads").get_as::<i64>("DEFAULT", "workers").expect("typed"), Some(4));
    let under = EtcdSource::new([etcd.url.clone()], "/svc").precedence(stackauth::source::Precedence::Fallback);
    let under = Loader::new(&reg).config_file(&file).source(under);
    assert_eq!(under.load().expect("loads").get_as::<i64>("DEFAULT", "workers").expect("typed"), Some(2));
}

#[test]
fn an_unreachable_cluster_is_an_error_naming_the_source() {
    let port = common::keystone::free_port().expect("port");
    let url = format!("http://127.0.0.1:{port}");
    let reg = registry();
    let e = Loader::new(&reg)
        .source(EtcdSource::new([url.clone()], "/svc/").timeout(Duration::from_secs(2)))
        .load()
        .expect_err("nothing listens");
    let first = e.errors().next().map(ToString::to_string).unwrap_or_default();
    assert!(first.contains(&format!("etcd /svc/ at {url}")) && first.contains("cannot read"), "{first}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_change_reconfigures_three_daemons_and_a_bad_one_keeps_their_last_good_config() {
    let Some(etcd) = Etcd::start() else { return };
    etcd.put("/fleet/DEFAULT/workers", "2");
    let reg = registry();
    // Three daemons, each with its own source and watch, as three
    // processes of the example would have.
    let mut daemons = Vec::new();
    for _ in 0..3 {
        let source = EtcdSource::new([etcd.url.clone()], "/fleet/");
        let live = LiveConfig::new(Loader::shared(reg.clone()).source(source.clone())).expect("loads");
        let following = live.watch_etcd(&source);
        let events = live.events();
        daemons.push((live, following, events));
    }
    assert!(daemons.iter().all(|(l, _, _)| workers(l) == 2));
    // Give each watch time to be created (the watch starts after the
    // revision each snapshot read, so an early write is not missed either).
    tokio::time::sleep(Duration::from_millis(200)).await;

    etcd.put("/fleet/DEFAULT/workers", "8");
    eventually("all three daemons at workers = 8", || daemons.iter().all(|(l, _, _)| workers(l) == 8)).await;

    etcd.put("/fleet/DEFAULT/workers", "many");
    for (live, _, events) in &mut daemons {
        let failed = loop {
            match tokio::time::timeout(Duration::from_secs(15), events.recv()).await.expect("an event").expect("event")
            {
                ReloadEvent::Failed { error } => break error,
                _ => continue,
            }
        };
        let text = failed.to_string();
        assert!(text.contains("workers") && text.contains("etcd key /fleet/DEFAULT/workers"), "{text}");
        assert_eq!(workers(live), 8, "the last good config stays");
    }

    etcd.put("/fleet/DEFAULT/workers", "16");
    eventually("all three daemons at workers = 16", || daemons.iter().all(|(l, _, _)| workers(l) == 16)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deleted_key_is_seen_by_the_watch() {
    let Some(etcd) = Etcd::start() else { return };
    etcd.put("/d/keystone_authtoken/region_name", "RegionOne");
    let reg = registry();
    let source = EtcdSource::new([etcd.url.clone()], "/d/");
    let live = LiveConfig::new(Loader::shared(reg).source(source.clone())).expect("loads");
    let _following = live.watch_etcd(&source);
    tokio::time::sleep(Duration::from_millis(200)).await;
    etcd.delete("/d/keystone_authtoken/region_name");
    eventually("region_name gone", || {
        live.snapshot().get("keystone_authtoken", "region_name").is_none_or(|r| r.value.is_none())
    })
    .await;
}

/// An identity service of the test's own: it issues a token for the one
/// password it accepts now (tokens stay valid when the password changes),
/// and every other path answers 200 to a token it issued, 401 (counted,
/// discovery aside) to anything else.
pub(crate) struct Identity {
    pub(crate) server: TestServer,
    pub(crate) password: Arc<Mutex<String>>,
    /// The password each token was issued for.
    pub(crate) issued: Arc<Mutex<Vec<(String, String)>>>,
    pub(crate) refused: Arc<AtomicUsize>,
}

pub(crate) async fn identity(password: &str) -> Identity {
    let accepted = Arc::new(Mutex::new(password.to_owned()));
    let issued: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let refused = Arc::new(AtomicUsize::new(0));
    let url = Arc::new(Mutex::new(String::new()));
    let (a, i, r, u) = (accepted.clone(), issued.clone(), refused.clone(), url.clone());
    let server = TestServer::start(move |req| {
        if req.method == "POST" && req.path.ends_with("/auth/tokens") {
            let body = req.json();
            let given = body.pointer("/auth/identity/password/user/password").and_then(|v| v.as_str()).unwrap_or("");
            if given != a.lock().expect("lock").as_str() {
                return Reply::json(401, serde_json::json!({"error": {"code": 401}}));
            }
            let mut issued = i.lock().expect("lock");
            let token = format!("tok-{}", issued.len());
            issued.push((token.clone(), given.to_owned()));
            let catalog = u.lock().expect("lock").clone();
            // The token's audit id is the token's name here, so a daemon's
            // listing (which shows the audit id) says which token served it.
            let mut body = v3_token_body("2099-01-01T00:00:00.000000Z", &catalog);
            body["token"]["audit_ids"] = serde_json::json!([token]);
            return Reply::json(201, body).header("X-Subject-Token", &token);
        }
        let token = req.header("X-Auth-Token").unwrap_or("");
        if i.lock().expect("lock").iter().any(|(t, _)| t == token) {
            Reply::json(200, serde_json::json!({"ok": true}))
        } else {
            // Discovery (`GET /v3`) is not a request of the service's.
            if !(req.method == "GET" && matches!(req.path.as_str(), "/" | "/v3" | "/v3/")) {
                r.fetch_add(1, Ordering::SeqCst);
            }
            Reply::json(401, serde_json::json!({"error": {"code": 401}}))
        }
    })
    .await;
    *url.lock().expect("lock") = format!("{}/v3", server.url());
    Identity { server, password: accepted, issued, refused }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_rotated_in_etcd_is_used_by_the_next_request_with_none_failing() {
    let Some(etcd) = Etcd::start() else { return };
    let id = identity("old-pass-1").await;
    etcd.put("/rot/keystone_authtoken/password", "old-pass-1");
    let d = Dir::new();
    let conf = service_conf(&d, &id);
    let source = EtcdSource::new([etcd.url.clone()], "/rot/");
    let live = LiveConfig::new(Loader::shared(Arc::new(Registry::new())).config_file(&conf).source(source.clone()))
        .expect("loads");
    let _following = live.watch_etcd(&source);
    rotation_is_seamless(&id, &live, || {
        etcd.put("/rot/keystone_authtoken/password", "new-pass-2");
    })
    .await;
}

/// The `[keystone_authtoken]` of a service authenticating to `id`, its
/// password left to a store.
pub(crate) fn service_conf(d: &Dir, id: &Identity) -> std::path::PathBuf {
    d.write(
        "svc.conf",
        format!(
            "[keystone_authtoken]\nauth_type = password\nauth_url = {}/v3\nusername = glance\n\
             user_domain_name = Default\nproject_name = service\nproject_domain_name = Default\n",
            id.server.url()
        ),
    )
}

/// With `live` following a store that holds `old-pass-1`: a Session
/// managed by `live` serves requests throughout; the identity service
/// changes the password to `new-pass-2`, then `rotate` writes it to the
/// store. The Session must take the new credentials, its next request
/// must carry a token issued for them, and no request may fail.
pub(crate) async fn rotation_is_seamless(id: &Identity, live: &LiveConfig, rotate: impl FnOnce()) {
    let plugins = PluginRegistry::builtin();
    let loaded = live.load_auth(&plugins, "keystone_authtoken").expect("auth loads");
    let session = Session::from_loaded(&loaded).expect("session");
    let svc = format!("{}/svc", id.server.url());
    session.send(Request::get(svc.clone())).await.expect("first request");
    let _managed = live.manage_session(session.clone(), "keystone_authtoken", plugins);
    let mut events = live.events();

    // Requests keep coming throughout the rotation.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let traffic = {
        let (session, svc, stop) = (session.clone(), svc.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                session.send(Request::get(svc.clone())).await.expect("no request fails during the rotation");
                n += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            n
        })
    };

    // Rotate: the identity service first, then the store.
    *id.password.lock().expect("lock") = "new-pass-2".to_owned();
    rotate();
    let e = loop {
        match tokio::time::timeout(Duration::from_secs(15), events.recv()).await.expect("an event").expect("event") {
            e @ (ReloadEvent::AuthChanged { .. } | ReloadEvent::AuthFailed { .. }) => break e,
            _ => continue,
        }
    };
    assert!(matches!(e, ReloadEvent::AuthChanged { .. }), "{e:?}");
    // The next request carries a token issued for the new password.
    let before = id.server.requests().len();
    session.send(Request::get(svc.clone())).await.expect("the next request");
    let used = id.server.requests()[before..]
        .iter()
        .rev()
        .find(|r| r.path == "/svc")
        .and_then(|r| r.header("X-Auth-Token").map(str::to_owned))
        .expect("a request to /svc");
    let issued = id.issued.lock().expect("lock").clone();
    let for_password = issued.iter().find(|(t, _)| *t == used).map(|(_, p)| p.clone());
    assert_eq!(for_password.as_deref(), Some("new-pass-2"), "{issued:?}");

    stop.store(true, Ordering::SeqCst);
    let n = traffic.await.expect("traffic ran");
    assert!(n > 0);
    assert_eq!(id.refused.load(Ordering::SeqCst), 0, "no request was refused");
}

/// Waits (up to 30 s) for a line of `lines` that satisfies `f`; on a
/// timeout shows both of the daemon's streams.
async fn expect_line(
    lines: &Arc<Mutex<Vec<String>>>,
    other: &Arc<Mutex<Vec<String>>>,
    what: &str,
    f: impl Fn(&str) -> bool,
) {
    for _ in 0..300 {
        if lines.lock().expect("lock").iter().any(|s| f(s)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "timed out waiting for {what}; lines: {:?}\nthe other stream: {:?}",
        lines.lock().expect("lock"),
        other.lock().expect("lock")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_daemons_of_the_example_take_one_password_change_from_etcd() {
    let Some(etcd) = Etcd::start() else { return };
    let id = identity("old-pass-1").await;
    etcd.put("/fleet3/keystone_authtoken/password", "old-pass-1");
    let d = Dir::new();
    let conf = service_conf(&d, &id);
    let example = common::process::example("identity_daemon");
    let mut daemons = Vec::new();
    for _ in 0..3 {
        let mut child = tokio::process::Command::new(&example)
            .args(["--watch", "--interval", "1", "--group", "keystone_authtoken", "--config-file"])
            .arg(&conf)
            .args(["--etcd", &etcd.url, "--etcd-prefix", "/fleet3/"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{} starts: {e}", example.display()));
        let stdout = common::process::collect_lines(child.stdout.take().expect("stdout"));
        let stderr = common::process::collect_lines(child.stderr.take().expect("stderr"));
        daemons.push((child, stdout, stderr));
    }
    // Which password the token of a listing was issued for.
    let served_by = |line: &str| -> Option<String> {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        let audit = v["token_audit_id"].as_str()?.to_owned();
        id.issued.lock().expect("lock").iter().find(|(t, _)| *t == audit).map(|(_, p)| p.clone())
    };
    for (_, out, err) in &daemons {
        expect_line(out, err, "a listing with the first password", |l| served_by(l).as_deref() == Some("old-pass-1"))
            .await;
    }

    // One change: the identity service first, then the one key.
    *id.password.lock().expect("lock") = "new-pass-2".to_owned();
    etcd.put("/fleet3/keystone_authtoken/password", "new-pass-2");
    for (_, out, err) in &daemons {
        expect_line(out, err, "a listing with the new password", |l| served_by(l).as_deref() == Some("new-pass-2"))
            .await;
        expect_line(err, out, "the rotation logged", |l| l.contains("credentials changed")).await;
    }
    assert_eq!(id.refused.load(Ordering::SeqCst), 0, "no listing was refused");
    for (child, out, err) in &mut daemons {
        assert!(child.try_wait().expect("status").is_none(), "the daemon is still running");
        let all = format!("{}\n{}", out.lock().expect("lock").join("\n"), err.lock().expect("lock").join("\n"));
        assert!(!all.contains("error:"), "{all}");
        assert!(!all.contains("old-pass-1") && !all.contains("new-pass-2"), "a password leaked: {all}");
        child.kill().await.expect("stop");
    }
}

#[test]
fn the_command_reads_an_etcd_config_source_and_shows_key_and_revision() {
    let Some(etcd) = Etcd::start() else { return };
    etcd.put("/cli/keystone_authtoken/auth_url", "http://keystone.example:5000/v3");
    let rev = etcd.put("/cli/keystone_authtoken/password", "cli-secret-pw");
    let d = Dir::new();
    let conf = d.write(
        "glance-api.conf",
        format!(
            "[DEFAULT]\nconfig_source = fleet\n\n[fleet]\ndriver = etcd\nendpoints = {}\nprefix = /cli/\n\n\
             [keystone_authtoken]\nauth_type = password\nusername = glance\n",
            etcd.url
        ),
    );
    let show = std::process::Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(["show", "--no-env", "--config-file"])
        .arg(&conf)
        .output()
        .expect("runs");
    let out = String::from_utf8_lossy(&show.stdout);
    assert!(show.status.success(), "{out}\n{}", String::from_utf8_lossy(&show.stderr));
    assert!(out.contains(&format!("etcd key /cli/keystone_authtoken/password, revision {rev}")), "{out}");
    assert!(out.contains("password = ****") && !out.contains("cli-secret-pw"), "{out}");

    // A cluster that does not answer: an error at the endpoints line,
    // naming the source.
    let closed = common::keystone::free_port().expect("port");
    let broken = d.write(
        "broken.conf",
        format!("[DEFAULT]\nconfig_source = fleet\n\n[fleet]\ndriver = etcd\nendpoints = http://127.0.0.1:{closed}\nprefix = /cli/\ntimeout = 2\n"),
    );
    let validate = std::process::Command::new(env!("CARGO_BIN_EXE_stackauth"))
        .args(["validate", "--no-env", "--config-file"])
        .arg(&broken)
        .output()
        .expect("runs");
    let text = format!("{}{}", String::from_utf8_lossy(&validate.stdout), String::from_utf8_lossy(&validate.stderr));
    assert!(!validate.status.success(), "{text}");
    let error = format!("error[io]: [fleet] endpoints: etcd [fleet] /cli/ at http://127.0.0.1:{closed}: cannot read");
    assert!(text.contains(&error) && text.contains(&format!("{}:6:13", broken.display())), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_first_endpoint_is_passed_over_and_a_lost_watch_reconnects() {
    let Some(mut etcd) = Etcd::start() else { return };
    etcd.put("/re/DEFAULT/workers", "2");
    let dead = format!("http://127.0.0.1:{}", common::keystone::free_port().expect("port"));
    let reg = registry();
    // The first endpoint refuses: the read and the watch go to the second.
    let source = EtcdSource::new([dead, etcd.url.clone()], "/re/").timeout(Duration::from_secs(2));
    let live = LiveConfig::new(Loader::shared(reg).source(source.clone())).expect("loads through the second endpoint");
    assert_eq!(workers(&live), 2);
    let _following = live.watch_etcd(&source);
    tokio::time::sleep(Duration::from_millis(500)).await;
    etcd.put("/re/DEFAULT/workers", "3");
    eventually("workers = 3 through the second endpoint", || workers(&live) == 3).await;

    // The cluster restarts: the watch is lost, and comes back.
    tokio::task::block_in_place(|| etcd.restart());
    etcd.put("/re/DEFAULT/workers", "5");
    eventually("workers = 5 after the restart", || workers(&live) == 5).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    etcd.put("/re/DEFAULT/workers", "7");
    eventually("workers = 7 on the new watch", || workers(&live) == 7).await;
}

#[test]
fn https_with_a_client_certificate_through_the_driver() {
    use common::tls::Ca;
    let d = Dir::new();
    let ca = Ca::new("etcd-ca");
    let (server_cert, _, server_key) = ca.leaf(&["localhost", "127.0.0.1"]);
    let (client_cert, _, client_key) = ca.leaf(&["glance"]);
    let ca_file = d.write("ca.pem", ca.pem());
    let files = (
        d.write("server.pem", server_cert),
        d.write("server.key", server_key.serialize_pem()),
        d.write("client.pem", client_cert),
        d.write("client.key", client_key.serialize_pem()),
    );
    let Some(etcd) = Etcd::start_tls((&files.0, &files.1, &ca_file)) else { return };
    let https = etcd.tls_url.clone().expect("https");
    etcd.put("/tls/keystone_authtoken/region_name", "RegionTLS");
    let conf = |extra: &str| {
        d.write(
            "tls.conf",
            format!(
                "[DEFAULT]\nconfig_source = fleet\n[fleet]\ndriver = etcd\nendpoints = {https}\nprefix = /tls/\ntimeout = 5\n{extra}"
            ),
        )
    };
    let reg = registry();
    let with_cert = conf(&format!(
        "ca_path = {}\nclient_cert = {}\nclient_key = {}\n",
        ca_file.display(),
        files.2.display(),
        files.3.display()
    ));
    let snap =
        Loader::new(&reg).config_file(&with_cert).config_source_driver(stackauth::auth::Etcd).load().expect("loads");
    let region = snap.get("keystone_authtoken", "region_name").expect("set");
    assert_eq!(region.value.as_ref().and_then(|v| v.as_str()), Some("RegionTLS"));

    // Without the client certificate the cluster refuses: a finding.
    let without = conf(&format!("ca_path = {}\n", ca_file.display()));
    let e = Loader::new(&reg)
        .config_file(&without)
        .config_source_driver(stackauth::auth::Etcd)
        .load()
        .expect_err("refused");
    assert!(e.to_string().contains(&format!("etcd [fleet] /tls/ at {https}: cannot read")), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cluster_with_authentication_is_read_and_watched_as_its_user() {
    let Some(mut etcd) = Etcd::start() else { return };
    etcd.put("/auth/DEFAULT/workers", "2");
    etcd.enable_auth("glance", "glance-etcd-pw", "/auth/");
    let reg = registry();
    let anonymous =
        Loader::new(&reg).source(EtcdSource::new([etcd.url.clone()], "/auth/")).load().expect_err("refused");
    assert!(anonymous.to_string().contains("user name is empty"), "{anonymous}");

    let wrong = EtcdSource::new([etcd.url.clone()], "/auth/").user("glance", "wrong-etcd-pw".into());
    let e = Loader::new(&reg).source(wrong).load().expect_err("wrong password").to_string();
    assert!(e.contains("cannot authenticate as etcd user glance") && e.contains("authentication failed"), "{e}");
    assert!(!e.contains("wrong-etcd-pw"), "{e}");

    let source = EtcdSource::new([etcd.url.clone()], "/auth/").user("glance", "glance-etcd-pw".into());
    assert!(!format!("{source:?}").contains("glance-etcd-pw"));
    let live = LiveConfig::new(Loader::shared(reg).source(source.clone())).expect("loads as glance");
    assert_eq!(workers(&live), 2);
    let _following = live.watch_etcd(&source);
    tokio::time::sleep(Duration::from_millis(300)).await;
    etcd.put("/auth/DEFAULT/workers", "4");
    eventually("workers = 4 through an authenticated watch", || workers(&live) == 4).await;
}
