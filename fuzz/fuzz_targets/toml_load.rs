//! TOML loaded into a schema with every option type (and
//! keystonemiddleware's): never a panic, every finding in the file points
//! inside it, and `show --format toml` output is TOML again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackauth::Loader;
use stackauth::source::Origin;
use stackauth::tools::show::{self, ShowOptions};

fuzz_target!(|data: &[u8]| {
    let path = stackauth_fuzz::scratch("toml");
    std::fs::write(&path, data).expect("scratch write");
    let lines = data.split(|b| *b == b'\n').count() as u32;
    let loader = Loader::new(stackauth_fuzz::schema()).config_file(&path);
    let (snapshot, findings) = loader.load_lenient();
    for d in &findings {
        let _ = d.to_string();
        if let Some(Origin::File(loc)) = &d.origin {
            assert!(loc.line <= lines, "{d}: line {} of {lines}", loc.line);
        }
    }
    for reveal_secrets in [false, true] {
        let opts = ShowOptions { reveal_secrets, all: true };
        let _ = show::render_text(&snapshot, opts);
        let _ = show::render_json(&snapshot, opts).to_string();
        let t = show::render_toml(&snapshot, opts);
        if let Err(e) = t.parse::<toml::Table>() {
            panic!("show --format toml wrote invalid TOML ({e}):\n{t}");
        }
    }
    let report =
        stackauth::tools::validate::validate(&loader, &stackauth::auth::PluginRegistry::builtin(), &Default::default());
    let _ = report.exit_code(true);
});
