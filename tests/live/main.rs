//! Live tests against a real Keystone (tests/keystone/): one shared by the
//! whole binary, plus the fault tests' private ones.
//!
//! One test binary for the group (each links the whole dependency tree);
//! tests that install the process-wide log subscriber have binaries of
//! their own (tests/*_logs.rs, live_secret_leaks.rs, session_tls.rs).

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod auth_token;
mod cli;
mod discovery;
mod faults;
mod oauth2;
mod oidc;
mod os_cli;
mod reload;
mod session;
