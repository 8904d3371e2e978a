//! A secret given as an argument is warned about, without its value.
//! Alone in its test binary: the subscriber is process-wide.

use std::sync::{Arc, Mutex};

use stackauth::auth::{PluginRegistry, cli};
use stackauth::source::Env;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn password_argument_warns_without_value() {
    let buf = Buf::default();
    let sink = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
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
    let log = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(log.contains("--os-password") && log.contains("process list") && log.contains("OS_PASSWORD"), "{log}");
    assert!(!log.contains("pw-in-ps-output"), "{log}");
}
