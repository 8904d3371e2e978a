//! A secret given as an argument is warned about, without its value.
//! Alone in its test binary: the subscriber is process-wide.

mod common;

use stackauth::auth::{PluginRegistry, cli};
use stackauth::source::Env;

#[test]
fn password_argument_warns_without_value() {
    let buf = common::logs::capture(tracing::Level::WARN);
    let argv: Vec<String> = [
        "prog",
        "--os-auth-type",
        "v3password",
        "--os-auth-url",
        "http://k:5000/v3",
        "--os-username",
        "u",
        "--os-user-domain-name",
        "Default",
        "--os-password",
        "pw-in-ps-output",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let plugins = PluginRegistry::builtin();
    let cmd = cli::register(clap::Command::new("prog"), &plugins, Some("v3password"), None);
    let m = cmd.try_get_matches_from(&argv).expect("parses");
    cli::load_from_matches(&m, &plugins, "v3password", &Env::empty()).expect("loads");
    let log = buf.text();
    assert!(log.contains("--os-password") && log.contains("process list") && log.contains("OS_PASSWORD"), "{log}");
    assert!(!log.contains("pw-in-ps-output"), "{log}");
}
