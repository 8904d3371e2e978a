//! `stackauth migrate` over keystonemiddleware's schema: never a panic; a
//! migrated file parses, migrating it again changes nothing, and the TOML
//! form is TOML.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stackauth::tools::migrate::{diff, migrate_ini, to_toml};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let registry = stackauth_fuzz::schema();
    let path = Path::new("fuzz.conf");
    let Ok(m) = migrate_ini(text, path, registry) else { return };
    let _ = diff(&m, path);
    let again = match migrate_ini(&m.migrated, path, registry) {
        Ok(again) => again,
        Err(e) => panic!("the migrated file does not parse: {e:?}\n--- input\n{text}\n--- migrated\n{}", m.migrated),
    };
    assert_eq!(again.migrated, m.migrated, "migrating twice differs from once\n--- input\n{text}");
    if !m.changed() {
        assert_eq!(m.migrated, text);
    }
    if let Ok(t) = to_toml(&m.migrated, path, registry) {
        if let Err(e) = t.parse::<toml::Table>() {
            panic!("migrate --to toml wrote invalid TOML ({e}):\n--- input\n{text}\n--- toml\n{t}");
        }
    }
});
