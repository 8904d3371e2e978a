//! Secrets never leak: the full flow (load, authenticate against Keystone,
//! use the session, reload with a changed password, fail an auth, validate
//! and show) with tracing at TRACE captured; no password, token,
//! application credential secret, TOTP passcode or memcache secret key may
//! appear in the logs, in Debug or Display output, in errors, or in the
//! command's output; nor, whole or in part, secrets put in broken places (a
//! misspelt option, a broken multi-line TOML string, an orphaned INI
//! continuation line, `OS_*` variables and `--set`); nor, with castellan's
//! config_source, the Keystone password of castellan.conf or a payload
//! fetched from a real Barbican. Alone in its binary:
//! it installs the global subscriber.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::Dir;
use common::keystone::keystone;
use reqwest::Method;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::{PluginRegistry, load_from_group};
use stackauth::reload::{LiveConfig, ReloadEvent};
use stackauth::session::{Adapter, Session};

const PASS1: &str = "leak-pass-one-7f3a";
const PASS2: &str = "leak-pass-two-9c1d";
const WRONG: &str = "leak-wrong-pass-2b8e";
const MEMCACHE_KEY: &str = "leak-memcache-key-5d0c";
const APPCRED: &str = "leak-appcred-secret-4e6f";
const PASSCODE: &str = "864213";
/// Secrets where a file, the environment or the command line puts them
/// badly: a misspelt option, inside a broken multi-line TOML string, an
/// orphaned INI continuation line, `OS_*` and `--set`.
const TYPO: &str = "leak-typo-3a9d";
const IN_TOML: &str = "leak-toml-line:7b21";
const ORPHAN: &str = "leak-orphan:c4e8";
const FROM_ENV: &str = "leak-env-0f6b";
const FROM_SET: &str = "leak-set-8d3c";

fn conf(url: &str, password: &str, project: &str) -> String {
    format!(
        "[keystone_authtoken]\nauth_type = password\nauth_url = {url}\nusername = leaky\npassword = {password}\n\
         user_domain_id = default\nproject_name = {project}\nproject_domain_id = default\n\
         memcache_secret_key = {MEMCACHE_KEY}\nmemcache_security_strategy = ENCRYPT\n"
    )
}

/// The process's log, captured at TRACE (once: the tests share it, each
/// checking its own secrets).
fn log() -> &'static common::logs::Buf {
    static LOG: std::sync::OnceLock<common::logs::Buf> = std::sync::OnceLock::new();
    LOG.get_or_init(|| common::logs::capture(tracing::Level::TRACE))
}

/// One test at a time: both drive the one Keystone hard, and a request of
/// one failing under the other's load would hide what they check.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn wait_for(
    events: &mut tokio::sync::broadcast::Receiver<ReloadEvent>,
    want: fn(&ReloadEvent) -> bool,
) -> ReloadEvent {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(30), events.recv())
            .await
            .expect("an event in time")
            .expect("event");
        if want(&e) {
            return e;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_leaks_anywhere() {
    let _one = SERIAL.lock().await;
    let log = log();
    let Some(ks) = keystone() else { return };
    let mut seen: Vec<String> = Vec::new();

    let (uid, pid, project) = ks.user_with_project("leaky", PASS1).await;
    let d = Dir::new();
    let path = d.write("glance-api.conf", conf(&ks.url, PASS1, &project));
    let reg = Arc::new(stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace"));
    let live = LiveConfig::new(Loader::shared(reg).config_file(&path)).expect("loads");
    let plugins = PluginRegistry::builtin();
    let loaded = load_from_group(live.loader(), &plugins, "keystone_authtoken").expect("auth loads");
    seen.push(format!("{loaded:?} {:?} {:?}", live.snapshot(), loaded.snapshot));
    seen.push(stackauth::tools::show::render_text(&loaded.snapshot, Default::default()));
    // Positive control: revealed on purpose, the secrets are there, so the
    // masked outputs checked below really had something to hide.
    let revealed = stackauth::tools::show::render_text(
        &loaded.snapshot,
        stackauth::tools::show::ShowOptions { reveal_secrets: true, all: false },
    );
    assert!(revealed.contains(PASS1) && revealed.contains(MEMCACHE_KEY), "{revealed}");
    seen.push(stackauth::tools::show::render_json(&loaded.snapshot, Default::default()).to_string());

    // Authenticate and use the session.
    let session = Session::from_loaded(&loaded).expect("session");
    let identity = Adapter::new(&session).service_type("identity");
    let r = identity.get("/auth/projects").await.expect("projects");
    assert_eq!(r.status, 200);
    let creds = session.credentials().await.expect("token");
    let mut tokens = vec![creds.access().expect("token").token.expose().to_owned()];
    seen.push(format!("{creds:?} {session:?} {identity:?} {r:?}"));

    // An application credential, created and used.
    let (s, ac) = ks
        .api_with(
            &tokens[0],
            Method::POST,
            &format!("/users/{uid}/application_credentials"),
            Some(json!({"application_credential": {"name": "leak-ac", "secret": APPCRED, "roles": [{"name": "member"}]}})),
        )
        .await;
    assert_eq!(s, 201, "{ac}");
    let ac_id = ac["application_credential"]["id"].as_str().expect("id").to_owned();
    // Another, through a Session with split_loggers: its response body,
    // secret included, goes to the body log, masked.
    let split = Session::builder()
        .auth(loaded.plugin.clone())
        .options({
            let mut built = loaded.session.clone();
            built.split_loggers = true;
            built
        })
        .build()
        .expect("session");
    let body =
        json!({"application_credential": {"name": "leak-ac2", "secret": APPCRED, "roles": [{"name": "member"}]}});
    let r = Adapter::new(&split)
        .service_type("identity")
        .post(&format!("/users/{uid}/application_credentials"), body)
        .await
        .expect("created");
    assert!(r.status == 201 && r.text().contains(APPCRED), "positive control: the body holds the secret");
    let acpath = d.write(
        "ac.conf",
        format!(
            "[svc]\nauth_type = v3applicationcredential\nauth_url = {}\napplication_credential_id = {ac_id}\n\
             application_credential_secret = {APPCRED}\n",
            ks.url
        ),
    );
    let empty = stackauth::opt::Registry::new();
    let ac_loaded = load_from_group(&Loader::new(&empty).config_file(&acpath), &plugins, "svc").expect("loads");
    let ac_session = Session::from_loaded(&ac_loaded).expect("session");
    let ac_creds = ac_session.credentials().await.expect("app credential token");
    tokens.push(ac_creds.access().expect("token").token.expose().to_owned());
    seen.push(format!("{ac_loaded:?} {ac_creds:?}"));

    // A TOTP attempt that fails (TOTP is not enabled for the user).
    let totp = d.write(
        "totp.conf",
        format!(
            "[t]\nauth_type = v3totp\nauth_url = {}\nuser_id = {uid}\npasscode = {PASSCODE}\nproject_id = {pid}\n",
            ks.url
        ),
    );
    let t_loaded = load_from_group(&Loader::new(&empty).config_file(&totp), &plugins, "t").expect("loads");
    let e = Session::from_loaded(&t_loaded).expect("session").credentials().await.expect_err("refused");
    seen.push(format!("{e} {e:?} {t_loaded:?}"));

    // Rotate the password: Keystone first, then the file.
    let _managed = live.manage_session(session.clone(), "keystone_authtoken", plugins.clone());
    let mut events = live.events();
    let (s, _) = ks.api(Method::PATCH, &format!("/users/{uid}"), Some(json!({"user": {"password": PASS2}}))).await;
    assert_eq!(s, 200);
    // Keystone revokes the user's tokens with one-second granularity: a
    // token issued in the same second as the change counts as revoked.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    std::fs::write(&path, conf(&ks.url, PASS2, &project)).expect("rewrite");
    seen.push(format!("{:?}", live.reload()));
    let e =
        wait_for(&mut events, |e| matches!(e, ReloadEvent::AuthChanged { .. } | ReloadEvent::AuthFailed { .. })).await;
    assert!(matches!(e, ReloadEvent::AuthChanged { .. }), "{e:?}");
    let creds = session.credentials().await.expect("new token");
    tokens.push(creds.access().expect("token").token.expose().to_owned());
    identity.get("/auth/projects").await.expect("still serving");

    // A wrong password: reported, the old one kept.
    std::fs::write(&path, conf(&ks.url, WRONG, &project)).expect("rewrite");
    seen.push(format!("{:?}", live.reload()));
    let e =
        wait_for(&mut events, |e| matches!(e, ReloadEvent::AuthChanged { .. } | ReloadEvent::AuthFailed { .. })).await;
    assert!(matches!(e, ReloadEvent::AuthFailed { .. }), "{e:?}");
    seen.push(format!("{e:?}"));

    // validate and show, as the command prints them.
    for args in [
        vec!["validate", "--no-env", "--config-file"],
        vec!["validate", "--no-env", "--format", "json", "--config-file"],
        vec!["validate", "--no-env", "--format", "github", "--config-file"],
        vec!["show", "--no-env", "--config-file"],
        vec!["show", "--no-env", "--format", "json", "--config-file"],
        vec!["show", "--no-env", "--format", "toml", "--config-file"],
    ] {
        let o =
            std::process::Command::new(env!("CARGO_BIN_EXE_stackauth")).args(&args).arg(&path).output().expect("runs");
        seen.push(String::from_utf8_lossy(&o.stdout).into_owned());
        seen.push(String::from_utf8_lossy(&o.stderr).into_owned());
    }

    // Secrets in broken places, through validate and show.
    let typo = d.write("typo.conf", format!("[keystone_authtoken]\npasword = {TYPO}\n"));
    let toml = d.write("broken.toml", format!("[keystone_authtoken]\npassword = \"\"\"\n{IN_TOML}\\q\n\"\"\"\n"));
    let orphan = d.write("orphan.conf", format!("[keystone_authtoken]\npassword = x\n\n  {ORPHAN}\n"));
    for file in [&typo, &toml, &orphan, &path] {
        for args in [vec!["validate"], vec!["validate", "--format", "json"], vec!["show"]] {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_stackauth"))
                .args(&args)
                .args(["--set", &format!("keystone_authtoken.memcache_secret_key={FROM_SET}")])
                .arg("--config-file")
                .arg(file)
                .env("OS_KEYSTONE_AUTHTOKEN__PASSWORD", FROM_ENV)
                .output()
                .expect("runs");
            seen.push(String::from_utf8_lossy(&o.stdout).into_owned());
            seen.push(String::from_utf8_lossy(&o.stderr).into_owned());
        }
    }
    let misspelt = seen.iter().any(|o| o.contains("pasword = ****"));
    assert!(misspelt, "the misspelt option's line is shown, masked");

    // Library errors and findings, as Display.
    let e = Loader::new(live.loader().registry()).config_file(&toml).load().expect_err("broken TOML");
    seen.push(format!("{e} {e:?}"));
    let s = Loader::new(live.loader().registry()).config_file(&typo).load().expect("loads");
    seen.extend(s.warnings().iter().map(|w| w.to_string()));

    let logged = log.text();
    assert!(logged.contains("TRACE") || logged.contains("DEBUG"), "the log was captured");
    assert!(logged.contains("{SHA256}"), "tokens appear hashed");
    let body_log = logged.lines().find(|l| l.contains("stackauth::session::body") && l.contains("leak-ac2"));
    assert!(body_log.is_some(), "the split_loggers body line was written");
    let everything = format!("{logged}\n{}", seen.join("\n"));
    let mut leaks = Vec::new();
    let secrets = [PASS1, PASS2, WRONG, MEMCACHE_KEY, APPCRED, PASSCODE, TYPO, IN_TOML, ORPHAN, FROM_ENV, FROM_SET];
    for secret in secrets.iter().map(|s| s.to_string()).chain(tokens) {
        // A part leaks too: what comes before a ':' that was taken for a
        // separator.
        let head = secret.split(':').next().unwrap_or_default();
        if everything.contains(&secret) || everything.contains(head) {
            leaks.push(secret.chars().take(8).collect::<String>() + "…");
        }
    }
    assert!(leaks.is_empty(), "leaked: {leaks:?}");
}

/// castellan's config_source with a real Barbican: the service's Keystone
/// password in castellan.conf and the payloads fetched from Barbican never
/// appear in the log (at TRACE), in findings, or in the command's output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_barbican_secret_leaks() {
    const KEYSTONE_PW: &str = "leak-castellan-pw-6a1e";
    const PAYLOAD: &str = "leak-barbican-payload-3f9b";
    const PAYLOAD2: &str = "leak-barbican-payload-rotated-8e2d";
    let _one = SERIAL.lock().await;
    let log = log();
    let Some(b) = common::barbican::Barbican::get() else { return };
    let ks = b.keystone;
    let user = format!("leaky-castellan-{}", std::process::id());
    let (_, project_id, _) = ks.user_with_project(&user, KEYSTONE_PW).await;
    let token = ks.user_token(&user, KEYSTONE_PW, &project_id).await;
    let first = b.store(&token, "leak-1", PAYLOAD).await;
    let second = b.store(&token, "leak-2", PAYLOAD2).await;
    let d = Dir::new();
    let castellan = d.write("castellan.conf", common::barbican::castellan_conf(b, &user, KEYSTONE_PW, &project_id));
    let mapping = d.write("mapping.conf", format!("[keystone_authtoken]\npassword = {first}\n"));
    let path = d.write(
        "glance-api.conf",
        format!(
            "[DEFAULT]\nconfig_source = secrets\n\n[secrets]\ndriver = castellan\nconfig_file = {}\nmapping_file = {}\n\n\
             [keystone_authtoken]\nauth_type = password\nauth_url = {}\nusername = glance\nuser_domain_id = default\n",
            castellan.display(),
            mapping.display(),
            ks.url
        ),
    );
    let mut seen: Vec<String> = Vec::new();
    let mut reg = stackauth::namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    // The password plugin's option, so `show` has it.
    reg.register_opts_if_absent("keystone_authtoken", [stackauth::opt::Opt::string("password").secret()])
        .expect("registers");
    let loader = Loader::shared(Arc::new(reg)).config_file(&path).config_source_driver(stackauth::session::Castellan);
    let live = tokio::task::spawn_blocking(move || LiveConfig::new(loader)).await.expect("joins").expect("loads");
    let revealed = stackauth::tools::show::render_text(
        &live.snapshot(),
        stackauth::tools::show::ShowOptions { reveal_secrets: true, all: false },
    );
    assert!(revealed.contains(PAYLOAD), "positive control: the payload was fetched");
    seen.push(format!("{:?}", live.snapshot()));
    seen.push(stackauth::tools::show::render_text(&live.snapshot(), Default::default()));
    // A rotation, then a mapping to a secret that does not exist.
    std::fs::write(&mapping, format!("[keystone_authtoken]\npassword = {second}\n")).expect("writes");
    let l = live.clone();
    seen.push(tokio::task::spawn_blocking(move || format!("{:?}", l.reload())).await.expect("joins"));
    std::fs::write(&mapping, "[keystone_authtoken]\npassword = 00000000-0000-4000-8000-000000000000\n")
        .expect("writes");
    let l = live.clone();
    seen.push(tokio::task::spawn_blocking(move || format!("{:?}", l.reload())).await.expect("joins"));
    std::fs::write(&mapping, format!("[keystone_authtoken]\npassword = {first}\n")).expect("writes");
    for args in [
        vec!["validate", "--no-env", "--config-file"],
        vec!["validate", "--no-env", "--format", "json", "--config-file"],
        vec!["show", "--no-env", "--config-file"],
        vec!["show", "--no-env", "--format", "json", "--config-file"],
    ] {
        let o =
            std::process::Command::new(env!("CARGO_BIN_EXE_stackauth")).args(&args).arg(&path).output().expect("runs");
        seen.push(String::from_utf8_lossy(&o.stdout).into_owned());
        seen.push(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    assert!(seen.iter().any(|o| o.contains(&format!("barbican secret {first}"))), "{seen:?}");
    let logged = log.text();
    let everything = format!("{logged}\n{}", seen.join("\n"));
    for secret in [KEYSTONE_PW, PAYLOAD, PAYLOAD2, token.as_str()] {
        assert!(!everything.contains(secret), "leaked: {}…", secret.chars().take(8).collect::<String>());
    }
}
