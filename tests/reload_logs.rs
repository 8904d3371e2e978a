//! What a reload logs: one error with file:line for a broken edit, a
//! warning per ignored immutable change, each change with secrets as ****.
//! Alone in its binary so that its global subscriber sees every event.

mod common;

use std::sync::Arc;

use common::Dir;
use stackauth::Loader;
use stackauth::opt::{Opt, OptType, Registry};
use stackauth::reload::LiveConfig;

#[test]
fn reload_logs() {
    let buf = common::logs::capture(tracing::Level::INFO);
    let mut r = Registry::new();
    r.register_opts(
        "DEFAULT",
        [
            Opt::new("workers", OptType::integer()).mutable(),
            Opt::new("bind_port", OptType::port()),
            Opt::string("password").secret().mutable(),
        ],
    )
    .expect("register");
    let d = Dir::new();
    let p = d.write("app.conf", "[DEFAULT]\nworkers = 1\nbind_port = 1\npassword = first-secret\n");
    let live = LiveConfig::new(Loader::shared(Arc::new(r)).config_file(&p)).expect("loads");

    d.write("app.conf", "[DEFAULT]\nworkers = two\nbind_port = 1\npassword = first-secret\n");
    live.reload();
    d.write("app.conf", "[DEFAULT]\nworkers = 2\nbind_port = 2\npassword = second-secret\n");
    live.reload();

    let log = buf.text();
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).collect();
    assert_eq!(errors.len(), 1, "{log}");
    assert!(errors[0].contains("configuration reload failed") && errors[0].contains("app.conf:2:11"), "{log}");
    assert!(log.contains("WARN") && log.contains("Ignoring change to immutable option DEFAULT.bind_port"), "{log}");
    assert!(log.contains("Option DEFAULT.workers changed from [1] to [2]"), "{log}");
    assert!(log.contains("Option DEFAULT.password changed from [****] to [****]"), "{log}");
    assert!(!log.contains("first-secret") && !log.contains("second-secret"), "{log}");
}
