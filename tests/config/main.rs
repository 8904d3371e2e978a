//! The config half: the option model, the INI and TOML sources, resolution,
//! the snapshot, opt-data.
//!
//! One test binary for the group (each links the whole dependency tree);
//! tests that install the process-wide log subscriber have binaries of
//! their own (tests/*_logs.rs, live_secret_leaks.rs, session_tls.rs).

#[path = "../common/mod.rs"]
mod common;

mod args;
mod bad_input;
mod compound;
mod config_rs;
mod config_source;
mod fuzz_regressions;
mod ini_dialect;
mod ini_fast_path;
mod interpolation;
mod optdata;
mod optdata_cache;
mod optdata_scalars;
mod precedence;
mod registry;
mod roundtrip;
mod schema_files;
mod search;
mod snapshot;
mod sources;
mod toml_source;
mod typed;
mod types;
