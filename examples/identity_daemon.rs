//! A small daemon that authenticates as a service user from a config file
//! and calls the identity service through its token's service catalog:
//! it is never given a URL for the API it calls (only `auth_url`, to log
//! in).
//!
//! ```sh
//! cargo run --example identity_daemon -- --config-file examples/conf/plugins/v3password.conf --once
//! ```
//!
//! `--once` lists the projects and users the service user can see, as one
//! line of JSON, and exits; without it, it does so every `--interval`
//! seconds.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use stackauth::Loader;
use stackauth::auth::{self, Interface, PluginRegistry};
use stackauth::opt::Registry;
use stackauth::session::{Adapter, Session};
use stackauth::source::Env;

#[derive(Parser)]
struct Args {
    /// The config file.
    #[arg(long = "config-file")]
    config_file: Vec<PathBuf>,
    /// The group holding the service user's credentials.
    #[arg(long, default_value = "service_user")]
    group: String,
    /// List once and exit.
    #[arg(long)]
    once: bool,
    /// Seconds between listings.
    #[arg(long, default_value_t = 30)]
    interval: u64,
}

async fn list(identity: &Adapter) -> Result<serde_json::Value, stackauth::session::SessionError> {
    let names = |v: serde_json::Value, key: &str| -> Vec<String> {
        v[key].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
    };
    let projects = identity.get("/projects").await?.json::<serde_json::Value>().unwrap_or_default();
    let users = identity.get("/users").await?.json::<serde_json::Value>().unwrap_or_default();
    Ok(serde_json::json!({
        "endpoint": identity.endpoint().await?,
        "projects": names(projects, "projects"),
        "users": names(users, "users"),
    }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let registry = Registry::new();
    let mut loader = Loader::new(&registry).env(Env::from_process());
    for f in &args.config_file {
        loader = loader.config_file(f);
    }
    let loaded = match auth::load_from_group(&loader, &PluginRegistry::builtin(), &args.group) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    for w in loaded.snapshot.warnings() {
        eprintln!("{w}");
    }
    let session = match Session::builder()
        .auth(loaded.plugin.clone())
        .options(loaded.session.clone())
        .app("identity_daemon", env!("CARGO_PKG_VERSION"))
        .build()
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    // The identity API's own URL comes from the catalog, never from config.
    let identity = Adapter::from_options(&session, &loaded.adapter)
        .service_type("identity")
        .interfaces([Interface::Internal, Interface::Public]);
    loop {
        match list(&identity).await {
            Ok(v) => println!("{v}"),
            Err(e) => {
                eprintln!("error: {e}");
                if args.once {
                    return ExitCode::from(1);
                }
            }
        }
        if args.once {
            return ExitCode::SUCCESS;
        }
        tokio::time::sleep(Duration::from_secs(args.interval)).await;
    }
}
