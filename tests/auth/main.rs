//! Auth plugins, their loading (config groups, the command line,
//! clouds.yaml), the Session, discovery and hot reload, against local
//! servers.
//!
//! One test binary for the group (each links the whole dependency tree);
//! tests that install the process-wide log subscriber have binaries of
//! their own (tests/*_logs.rs, live_secret_leaks.rs, session_tls.rs).

#[path = "../common/mod.rs"]
mod common;

mod barbican;
mod cli_clouds;
mod cli_loading;
mod cli_os_token;
mod cli_sdk;
mod cli_session;
mod cli_token;
mod discovery;
mod etcd;
mod examples;
mod loading;
mod oauth2;
mod oidc;
mod oidc_device;
mod openbao;
mod plugin_schemas;
mod plugin_secrets;
mod plugins;
mod read_once;
mod reload;
mod reload_consistency;
mod remote_file;
mod renames;
mod service_types;
mod session;
mod session_client;
mod session_clock;
mod session_headers;
mod session_limits;
mod session_redirects;
mod session_stale;
mod x509;
