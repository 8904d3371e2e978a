//! The `stackauth` command: validate, show, generate, migrate, schema, and
//! bad input through every subcommand.
//!
//! One test binary for the group (each links the whole dependency tree);
//! tests that install the process-wide log subscriber have binaries of
//! their own (tests/*_logs.rs, live_secret_leaks.rs, session_tls.rs).

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod cli_bad_input;
mod cli_validate;
mod features;
mod generate;
mod generate_parity;
mod migrate;
mod optdata_cache_cli;
mod oslo_differential;
mod oslo_parity;
