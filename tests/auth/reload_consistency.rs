//! Every value of one load comes from one version of each file (issue 19),
//! while a writer replaces the files as fast as it can. Each generation of
//! the files is valid on its own, and every value carries its generation:
//! a load that read a file twice (the plugin chosen from one version, its
//! options from the next) fails or mixes generations.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use stackauth::auth::{self, LoadedAuth, PluginRegistry};
use stackauth::opt::{Opt, Registry};
use stackauth::snapshot::Snapshot;
use stackauth::{Loader, namespace};

/// Generation `n` of the service file: even generations use a password
/// plugin in [pw], odd ones an application credential in [ac], each
/// through `auth_section`, so the plugin, its group and its options all
/// change together.
fn main_file(n: u64) -> String {
    if n % 2 == 0 {
        format!(
            "[app]\na = g{n}\n\n[keystone_authtoken]\nauth_section = pw\nregion_name = g{n}\n\n[pw]\nauth_type = password\n\
             auth_url = http://g{n}.example/v3\nusername = u{n}\npassword = p{n}\nuser_domain_id = default\n"
        )
    } else {
        format!(
            "[app]\na = g{n}\n\n[keystone_authtoken]\nauth_section = ac\nregion_name = g{n}\n\n[ac]\nauth_type = v3applicationcredential\n\
             auth_url = http://g{n}.example/v3\napplication_credential_id = i{n}\napplication_credential_secret = s{n}\n"
        )
    }
}

/// Generation `n` of the config dir's file.
fn dir_file(n: u64) -> String {
    format!("[app]\nb = g{n}\n")
}

/// Replaces `path` atomically (a rename), as deployment tools do.
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

/// The generation a value carries (`g12`, `http://g12.example/v3`, `u12`).
fn generation(v: &str) -> u64 {
    let digits: String = v.chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().unwrap_or_else(|_| panic!("no generation in {v:?}"))
}

fn text(s: &Snapshot, group: &str, opt: &str) -> String {
    s.value(group, opt).map(|v| v.to_string()).unwrap_or_else(|| panic!("[{group}] {opt} unset"))
}

/// Checks that a loaded group is all of one generation of the service
/// file, and returns that generation.
fn check(l: &LoadedAuth) -> u64 {
    let g = generation(&text(&l.snapshot, "keystone_authtoken", "region_name"));
    let (group, plugin, own) = if g % 2 == 0 {
        ("pw", "password", "username")
    } else {
        ("ac", "v3applicationcredential", "application_credential_id")
    };
    assert_eq!(l.auth_group, group, "generation {g}: auth_section from another generation");
    assert_eq!(l.plugin_name, plugin, "generation {g}: plugin from another generation");
    assert_eq!(generation(&text(&l.snapshot, group, "auth_url")), g, "auth_url of generation {g}'s load");
    assert_eq!(generation(&text(&l.snapshot, group, own)), g, "{own} of generation {g}'s load");
    g
}

struct Writer {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
}

impl Writer {
    fn start(main: PathBuf, extra: PathBuf) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut n = 1;
            while !flag.load(Ordering::Relaxed) {
                replace(&main, &main_file(n));
                replace(&extra, &dir_file(n));
                n += 1;
            }
            n
        });
        Writer { stop, thread: Some(thread) }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().map(|t| t.join().expect("writer")).unwrap_or(0)
    }
}

fn files(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let main = dir.join("svc.conf");
    let conf_d = dir.join("svc.conf.d");
    std::fs::create_dir(&conf_d).expect("mkdir");
    let extra = conf_d.join("10-cache.conf");
    replace(&main, &main_file(0));
    replace(&extra, &dir_file(0));
    (main, conf_d, extra)
}

/// keystonemiddleware's options, and an application group whose options
/// are mutable (a reload keeps the old value of an immutable one, as
/// oslo.config does, so only mutable ones show which generation a
/// snapshot holds).
fn registry() -> Registry {
    let mut r = namespace::by_name("keystonemiddleware.auth_token").expect("namespace");
    r.register_opts("app", [Opt::string("a").mutable(), Opt::string("b").mutable()]).expect("register");
    r
}

#[test]
fn an_auth_load_never_mixes_two_versions_of_a_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (main, conf_d, extra) = files(tmp.path());
    let registry = registry();
    let loader = Loader::new(&registry).config_file(&main).config_dir(&conf_d);
    let plugins = PluginRegistry::builtin();
    let writer = Writer::start(main, extra);
    let mut seen = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for _ in 0..300 {
        match auth::load_from_group(&loader, &plugins, "keystone_authtoken") {
            Ok(l) => {
                seen.insert(check(&l));
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    let written = writer.finish();
    assert!(failures.is_empty(), "{} of 300 loads failed, every generation is valid: {}", failures.len(), failures[0]);
    assert!(seen.len() > 1, "the loads saw {} generation(s) of {written}: the test did not race", seen.len());
}

/// A reloading configuration: each snapshot, and the auth settings loaded
/// from it, hold one generation of each file; the auth load's region is
/// the snapshot's own.
#[test]
fn a_reloaded_snapshot_and_its_auth_settings_hold_one_generation_of_each_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (main, conf_d, extra) = files(tmp.path());
    let loader = Loader::shared(Arc::new(registry())).config_file(&main).config_dir(&conf_d);
    let live = stackauth::reload::LiveConfig::new(loader).expect("first load");
    let plugins = PluginRegistry::builtin();
    let writer = Writer::start(main, extra);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..300 {
        live.reload();
        let snapshot = live.snapshot();
        let g = generation(&text(&snapshot, "app", "a"));
        // The dir's file is read after the service file; the writer writes
        // generation n of the dir's file after n of the service file, so
        // the dir's file read later is at most one generation behind.
        let b = generation(&text(&snapshot, "app", "b"));
        assert!(b + 1 >= g, "[app] b of generation {b} with a of {g} in one snapshot");
        let loaded = live.load_auth(&plugins, "keystone_authtoken").expect("every generation loads");
        assert_eq!(check(&loaded), g, "the auth settings of generation {g}'s snapshot");
        seen.insert(g);
    }
    let written = writer.finish();
    assert!(seen.len() > 1, "the reloads saw {} generation(s) of {written}: the test did not race", seen.len());
}
