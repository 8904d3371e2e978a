//! The incoming-token layer (auth_token) against local servers and a real
//! memcached.
//!
//! One test binary for the group (each links the whole dependency tree);
//! tests that install the process-wide log subscriber have binaries of
//! their own (tests/*_logs.rs, live_secret_leaks.rs, session_tls.rs).

#[path = "../common/mod.rs"]
mod common;

mod config;
mod layer;
mod memcached;
mod on_behalf;
mod request_id;
mod review;
mod two_processes;
