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
//! seconds (`--count N`: N times, then exits; bench/run.sh measures its
//! memory that way).
//!
//! Reload: with `--watch` it follows its config files, and SIGHUP reloads
//! them at once. A changed password (or any credential, or `auth_type`) is
//! used as soon as the identity service accepts it; a refused one is
//! reported and the daemon goes on with the token it has. No restart.
//!
//! A fleet: with `--etcd URL` (repeatable) its options also come from the
//! etcd keys under `--etcd-prefix` (`/stackauth/service_user/password`
//! sets `[service_user] password`), above its files; with `--watch` it
//! follows them with an etcd watch, so one `etcdctl put` reconfigures
//! every daemon started this way.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use stackauth::Loader;
use stackauth::auth::{self, Interface, PluginRegistry};
use stackauth::opt::Registry;
use stackauth::reload::LiveConfig;
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
    /// List this many times, then exit (an error ends it, with exit code 1).
    #[arg(long)]
    count: Option<u64>,
    /// Seconds between listings.
    #[arg(long, default_value_t = 30)]
    interval: u64,
    /// Follow the config files and rotate credentials when they change.
    #[arg(long)]
    watch: bool,
    /// etcd client URLs: options also come from the keys under
    /// `--etcd-prefix`.
    #[arg(long)]
    etcd: Vec<String>,
    /// The etcd key prefix (`<prefix><group>/<option>`).
    #[arg(long, default_value = "/stackauth/")]
    etcd_prefix: String,
}

async fn list(identity: &Adapter) -> Result<serde_json::Value, stackauth::session::SessionError> {
    let names = |v: serde_json::Value, key: &str| -> Vec<String> {
        v[key].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
    };
    // Any user may list the projects its token can use; listing users needs
    // an admin role, so it is shown only when allowed.
    let projects = identity.get("/auth/projects").await?.json::<serde_json::Value>().unwrap_or_default();
    let users = match identity.get("/users").await {
        Ok(r) => serde_json::json!(names(r.json().unwrap_or_default(), "users")),
        Err(stackauth::session::SessionError::Http { status: 403, .. }) => serde_json::Value::Null,
        Err(e) => return Err(e),
    };
    Ok(serde_json::json!({
        "endpoint": identity.endpoint().await?,
        "projects": names(projects, "projects"),
        "users": users,
    }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).init();
    let mut loader = Loader::shared(Arc::new(Registry::new())).env(Env::from_process());
    for f in &args.config_file {
        loader = loader.config_file(f);
    }
    let etcd = (!args.etcd.is_empty()).then(|| auth::EtcdSource::new(args.etcd.clone(), &args.etcd_prefix));
    if let Some(e) = &etcd {
        loader = loader.source(e.clone());
    }
    let live = match LiveConfig::new(loader) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let loaded = match auth::load_from_group(live.loader(), &PluginRegistry::builtin(), &args.group) {
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
    // Keep these alive for as long as the daemon runs.
    let mut _watching = None;
    let mut _managed = None;
    let mut _following = None;
    if args.watch {
        if let Some(e) = &etcd {
            _following = Some(live.watch_etcd(e));
        }
        match live.watch() {
            Ok(w) => _watching = Some(w),
            Err(e) => eprintln!("cannot watch the config files: {e}"),
        }
        _managed = Some(live.manage_session(session.clone(), &args.group, PluginRegistry::builtin()));
        #[cfg(unix)]
        {
            let live = live.clone();
            tokio::spawn(async move {
                use tokio::signal::unix::{SignalKind, signal};
                let Ok(mut hup) = signal(SignalKind::hangup()) else { return };
                while hup.recv().await.is_some() {
                    let live = live.clone();
                    let _ = tokio::task::spawn_blocking(move || live.reload()).await;
                }
            });
        }
    }
    let count = if args.once { Some(1) } else { args.count };
    let mut listed = 0u64;
    loop {
        listed += 1;
        let last = count.is_some_and(|n| listed >= n);
        match list(&identity).await {
            Ok(mut v) => {
                // Which token served this listing (its audit id, not the token).
                if let Ok(c) = session.credentials().await {
                    v["token_audit_id"] = serde_json::json!(c.access().and_then(|a| a.audit_id()));
                }
                println!("{v}");
            }
            Err(e) => {
                eprintln!("error: {e}");
                if count.is_some() {
                    return ExitCode::from(1);
                }
            }
        }
        if last {
            return ExitCode::SUCCESS;
        }
        if args.interval > 0 {
            tokio::time::sleep(Duration::from_secs(args.interval)).await;
        }
    }
}
