//! What the secret stores leave in the logs, at TRACE (the HTTP stack's
//! own events included): an OpenBao AppRole login, reads, token renewal,
//! a rotation of a secret and of a value whose option is not declared
//! secret, and a value that does not validate; an etcd password changed
//! through a watch. No value, token or secret id may appear. Alone in its
//! binary so that its global subscriber sees every event.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::etcd::Etcd;
use common::openbao::OpenBao;
use serde_json::json;
use stackauth::Loader;
use stackauth::auth::{EtcdSource, OpenBaoSource};
use stackauth::opt::{Opt, OptType, Registry, Secret};
use stackauth::reload::{LiveConfig, ReloadEvent};

fn registry() -> Arc<Registry> {
    Arc::new(common::registry([
        ("DEFAULT", Opt::new("workers", OptType::integer()).default("1").mutable()),
        ("keystone_authtoken", Opt::string("password").secret().mutable()),
        ("keystone_authtoken", Opt::string("region_name").mutable()),
    ]))
}

async fn wait(live: &LiveConfig, what: &str, f: impl Fn(&LiveConfig) -> bool) {
    for _ in 0..500 {
        if f(live) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_logs() {
    let buf = common::logs::capture(tracing::Level::TRACE);
    let Some(bao) = OpenBao::start() else { return };
    let Some(etcd) = Etcd::start() else { return };
    bao.put("glance", json!({"password": "bao-first-pw", "region": "bao-first-region", "workers": "2"}));
    let (role, secret_id) = bao.approle("glance", &["glance"], 2);
    let source = OpenBaoSource::new(&bao.url)
        .approle(&role, Secret::new(secret_id.clone()))
        .value("keystone_authtoken", "password", "glance", "password")
        .value("keystone_authtoken", "region_name", "glance", "region")
        .value("DEFAULT", "workers", "glance", "workers");
    let live = LiveConfig::new(Loader::shared(registry()).source(source.clone())).expect("loads");
    let _following = live.follow_openbao(&source, Duration::from_millis(200));
    let mut events = live.events();
    // Past the token's TTL: renewed (or logged in again).
    tokio::time::sleep(Duration::from_secs(3)).await;
    bao.put("glance", json!({"password": "bao-second-pw", "region": "bao-second-region", "workers": "3"}));
    wait(&live, "the rotation", |l| l.snapshot().get_as::<i64>("DEFAULT", "workers").ok().flatten() == Some(3)).await;
    bao.put("glance", json!({"password": "bao-third-pw", "region": "bao-third-region", "workers": "bao-not-a-number"}));
    loop {
        let e = tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("an event").expect("event");
        if matches!(e, ReloadEvent::Failed { .. }) {
            break;
        }
    }

    etcd.put("/logs/keystone_authtoken/password", "etcd-first-pw");
    let esrc = EtcdSource::new([etcd.url.clone()], "/logs/");
    let elive = LiveConfig::new(Loader::shared(registry()).source(esrc.clone())).expect("loads");
    let _watch = elive.watch_etcd(&esrc);
    tokio::time::sleep(Duration::from_millis(300)).await;
    etcd.put("/logs/keystone_authtoken/password", "etcd-second-pw");
    let changed = |l: &LiveConfig| {
        l.snapshot()
            .get("keystone_authtoken", "password")
            .is_some_and(|r| r.value.as_ref().map(|v| v.to_plain_string()).as_deref() == Some("etcd-second-pw"))
    };
    wait(&elive, "the etcd change", changed).await;

    let log = buf.text();
    assert!(log.contains("Option keystone_authtoken.region_name changed from [****] to [****]"), "{log}");
    assert!(log.contains("Option keystone_authtoken.password changed from [****] to [****]"), "{log}");
    assert!(log.contains("configuration reload failed"), "{log}");
    let mut leaks = Vec::new();
    for s in [
        "bao-first-pw",
        "bao-first-region",
        "bao-second-pw",
        "bao-second-region",
        "bao-third-pw",
        "bao-not-a-number",
        "etcd-first-pw",
        "etcd-second-pw",
        secret_id.as_str(),
    ] {
        if log.contains(s) {
            leaks.push(s.to_owned());
        }
    }
    // OpenBao's service tokens: `s.` and 24 letters and digits.
    let bytes = log.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        let token = bytes.get(i + 2..i + 26).is_some_and(|t| t.iter().all(u8::is_ascii_alphanumeric));
        if w == b"s." && token && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            leaks.push(format!("a token at byte {i}"));
        }
    }
    assert!(leaks.is_empty(), "leaked: {leaks:?}");
}
