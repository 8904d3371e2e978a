//! The oslo-config-generator opt-data importer (YAML and JSON): never a
//! panic, and the schema it builds gives samples that parse again.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stackauth::tools::generate::{GenerateOptions, SampleFormat, sample};
use stackauth::tools::optdata;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(imported) = optdata::parse_data(text, Path::new("fuzz.yaml")) else { return };
    for w in &imported.warnings {
        let _ = w.to_string();
    }
    let ini = sample(&imported.registry, &GenerateOptions::default());
    if let Err(e) = stackauth::source::ini::IniDocument::parse(&ini) {
        panic!("generated INI sample does not parse ({e:?}):\n{ini}");
    }
    let toml_sample = sample(&imported.registry, &GenerateOptions { format: SampleFormat::Toml, ..Default::default() });
    if let Err(e) = toml_sample.parse::<toml::Table>() {
        panic!("generated TOML sample does not parse ({e}):\n{toml_sample}");
    }
    for format in [SampleFormat::Yaml, SampleFormat::Json] {
        let _ = sample(&imported.registry, &GenerateOptions { format, ..Default::default() });
    }
});
