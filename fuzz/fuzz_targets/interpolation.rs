//! Interpolation: each input line is the value of one option (in
//! `[DEFAULT]` or `[g]`, of several types, a secret among them); the load
//! never panics, never hangs, never grows without bound, and a secret's
//! text never shows in a finding.
#![no_main]

use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use stackauth::Loader;

const NAMES: [&str; 10] = ["host", "t0", "t7", "t14", "t17", "t27", "password", "multi", "old", "t1"];
const SECRET: &str = "s3cr3t-fuzz-pw";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut file = String::new();
    for (i, line) in text.lines().take(40).enumerate() {
        let name = NAMES[i % NAMES.len()];
        // `old` is `new`'s deprecated name, in its own group.
        let group = match (name, (i / NAMES.len()) % 2) {
            ("old", _) => "legacy",
            (_, 0) => "DEFAULT",
            _ => "g",
        };
        let value = line.trim().replace('\r', " ");
        let value = if name == "password" { SECRET.to_owned() } else { value };
        let _ = write!(file, "[{group}]\n{name} = {value}\n");
    }
    let path = stackauth_fuzz::scratch("conf");
    std::fs::write(&path, &file).expect("scratch write");
    let (snapshot, findings) = Loader::new(stackauth_fuzz::schema()).config_file(&path).load_lenient();
    for d in &findings {
        let shown = d.to_string();
        assert!(!shown.contains(SECRET), "secret in a finding: {shown}");
    }
    let shown = stackauth::tools::show::render_text(&snapshot, Default::default());
    assert!(!shown.contains(SECRET), "secret shown:\n{shown}");
});
