//! Hot reload with real files in a temp dir: each change shape, broken
//! edits, immutable options, subscribers, and a concurrency check.

use crate::common;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Dir;
use stackauth::Loader;
use stackauth::opt::{Opt, OptType, Registry};
use stackauth::reload::{LiveConfig, ReloadEvent};

fn registry() -> Arc<Registry> {
    let mut r = Registry::new();
    r.register_opts(
        "DEFAULT",
        [
            Opt::new("workers", OptType::integer()).default("1").mutable(),
            Opt::new("bind_port", OptType::port()).default("9292"),
            Opt::string("password").secret().mutable(),
            Opt::new("a", OptType::integer()).default("0").mutable(),
            Opt::new("b", OptType::integer()).default("0").mutable(),
        ],
    )
    .expect("register");
    Arc::new(r)
}

fn live(path: &Path) -> LiveConfig {
    LiveConfig::new(Loader::shared(registry()).config_file(path)).expect("first load")
}

fn workers(l: &LiveConfig) -> i64 {
    l.snapshot().value("DEFAULT", "workers").and_then(|v| v.as_int()).unwrap_or(-1)
}

/// Waits (up to 10 s) until `f` holds. A behaviour check, not a timing one.
async fn eventually(what: &str, f: impl Fn() -> bool) {
    for _ in 0..500 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test]
async fn an_in_place_write_is_seen() {
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\nworkers = 2\n");
    let l = live(&p);
    let _w = l.watch().expect("watch");
    assert_eq!(workers(&l), 2);
    std::fs::write(&p, "[DEFAULT]\nworkers = 3\n").expect("write");
    eventually("workers = 3", || workers(&l) == 3).await;
}

#[tokio::test]
async fn a_rename_over_the_file_is_seen() {
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\nworkers = 2\n");
    let l = live(&p);
    let _w = l.watch().expect("watch");
    let tmp = d.write(".app.conf.swp", "[DEFAULT]\nworkers = 5\n");
    std::fs::rename(&tmp, &p).expect("rename");
    eventually("workers = 5", || workers(&l) == 5).await;
}

#[tokio::test]
async fn a_deleted_file_keeps_the_last_good_config_until_it_comes_back() {
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\nworkers = 2\n");
    let l = live(&p);
    let mut events = l.events();
    let _w = l.watch().expect("watch");
    std::fs::remove_file(&p).expect("delete");
    let e = tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("an event").expect("event");
    match e {
        ReloadEvent::Failed { error } => assert!(error.to_string().contains("file not found"), "{error}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(workers(&l), 2);
    d.write("app.conf", "[DEFAULT]\nworkers = 7\n");
    eventually("workers = 7", || workers(&l) == 7).await;
}

#[cfg(unix)]
#[tokio::test]
async fn a_kubernetes_configmap_symlink_swap_is_seen() {
    use std::os::unix::fs::symlink;
    let d = Dir::new();
    // /etc/app/app.conf -> ..data/app.conf, ..data -> ..v1
    d.write("..v1/app.conf", "[DEFAULT]\nworkers = 1\n");
    d.write("..v2/app.conf", "[DEFAULT]\nworkers = 9\n");
    symlink("..v1", d.path().join("..data")).expect("link");
    symlink("..data/app.conf", d.path().join("app.conf")).expect("link");
    let l = live(&d.path().join("app.conf"));
    let _w = l.watch().expect("watch");
    assert_eq!(workers(&l), 1);
    // The kubelet's swap: a new link, renamed over ..data.
    symlink("..v2", d.path().join("..data_tmp")).expect("link");
    std::fs::rename(d.path().join("..data_tmp"), d.path().join("..data")).expect("swap");
    eventually("workers = 9", || workers(&l) == 9).await;
}

#[tokio::test]
async fn rapid_writes_are_coalesced() {
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\nworkers = 0\n");
    let l = live(&p);
    let applied = Arc::new(AtomicU64::new(0));
    let counter = applied.clone();
    l.on_change("DEFAULT", move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let _w = l.watch().expect("watch");
    for i in 1..=30 {
        std::fs::write(&p, format!("[DEFAULT]\nworkers = {i}\n")).expect("write");
    }
    eventually("workers = 30", || workers(&l) == 30).await;
    let n = applied.load(Ordering::SeqCst);
    assert!((1..=3).contains(&n), "30 writes within the debounce window gave {n} reloads");
}

#[tokio::test]
async fn a_broken_edit_keeps_the_last_good_config_then_the_fix_is_applied() {
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\nworkers = 2\n");
    let l = live(&p);
    let mut events = l.events();
    let _w = l.watch().expect("watch");
    for (broken, needle) in [
        ("[DEFAULT]\nworkers = many\n", "app.conf:2:11"),
        ("[DEFAULT\nworkers = 4\n", "app.conf:1:"),
        ("[DEFAULT]\nbind_port = 70000\nworkers = 4\n", "app.conf:2:13"),
    ] {
        std::fs::write(&p, broken).expect("write");
        let e = tokio::time::timeout(Duration::from_secs(10), events.recv()).await.expect("an event").expect("event");
        match e {
            ReloadEvent::Failed { error } => assert!(error.to_string().contains(needle), "{needle}: {error}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(workers(&l), 2, "the last good value stays");
    }
    std::fs::write(&p, "[DEFAULT]\nworkers = 4\n").expect("write");
    eventually("workers = 4", || workers(&l) == 4).await;
}

#[tokio::test]
async fn immutable_options_are_not_applied_and_the_rest_is() {
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\nworkers = 2\nbind_port = 9292\n");
    let l = live(&p);
    std::fs::write(&p, "[DEFAULT]\nworkers = 3\nbind_port = 8080\n").expect("write");
    match l.reload() {
        ReloadEvent::Applied { changes, ignored } => {
            assert_eq!(ignored, ["DEFAULT.bind_port"]);
            assert_eq!(
                changes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                ["Option DEFAULT.workers changed from [2] to [3]"]
            );
        }
        other => panic!("{other:?}"),
    }
    let s = l.snapshot();
    assert_eq!(workers(&l), 3);
    assert_eq!(s.value("DEFAULT", "bind_port").and_then(|v| v.as_int()), Some(9292));
    assert_eq!(s.get("DEFAULT", "bind_port").and_then(|r| r.origin.location()).map(|loc| loc.line), Some(3));
}

#[tokio::test]
async fn secrets_change_as_stars_and_subscribers_hear_it() {
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\npassword = old-secret\n");
    let l = live(&p);
    let mut rx = l.subscribe();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let s2 = seen.clone();
    l.on_change("DEFAULT", move |changes| {
        s2.lock()
            .expect("lock")
            .extend(changes.iter().map(|c| format!("{c} {:?}", c.new.as_ref().map(|v| v.to_plain_string()))));
    });
    std::fs::write(&p, "[DEFAULT]\npassword = new-secret\n").expect("write");
    let e = l.reload();
    let shown = format!("{e:?}");
    assert!(shown.contains("Option DEFAULT.password changed from [****] to [****]"), "{shown}");
    assert!(!shown.contains("secret\""), "{shown}");
    rx.changed().await.expect("a new snapshot");
    assert_eq!(rx.borrow().value("DEFAULT", "password").and_then(|v| v.as_str()), Some("new-secret"));
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen, ["Option DEFAULT.password changed from [****] to [****] Some(\"new-secret\")"]);
    // Reading the same files again changes nothing.
    assert!(matches!(l.reload(), ReloadEvent::Unchanged));
}

#[test]
fn readers_never_see_a_torn_config_during_hundreds_of_reloads() {
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\na = 0\nb = 0\n");
    let l = live(&p);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reads = Arc::new(AtomicU64::new(0));
    let torn = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (l, stop, reads, torn) = (l.clone(), stop.clone(), reads.clone(), torn.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let s = l.peek();
                    let a = s.value("DEFAULT", "a").and_then(|v| v.as_int());
                    let b = s.value("DEFAULT", "b").and_then(|v| v.as_int());
                    if a.is_none() || a != b {
                        torn.fetch_add(1, Ordering::Relaxed);
                    }
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let mut applied = 0;
    for i in 1..=300 {
        // Write to a temp file and rename: the writer's own atomic save.
        let tmp = d.write("app.conf.tmp", format!("[DEFAULT]\na = {i}\nb = {i}\n"));
        std::fs::rename(&tmp, &p).expect("rename");
        if matches!(l.reload(), ReloadEvent::Applied { .. }) {
            applied += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().expect("reader");
    }
    assert_eq!(applied, 300);
    assert_eq!(torn.load(Ordering::Relaxed), 0);
    assert!(reads.load(Ordering::Relaxed) > 1000, "readers kept reading: {}", reads.load(Ordering::Relaxed));
    assert_eq!(l.snapshot().value("DEFAULT", "a").and_then(|v| v.as_int()), Some(300));
}
