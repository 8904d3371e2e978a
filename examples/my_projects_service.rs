//! A small API service behind the auth_token layer: callers send their own
//! Keystone token, and the service answers with the projects *they* can
//! use, asking the identity service *as them*, through *their* catalog. It
//! is never given a URL for the identity API it calls on their behalf (only
//! its own `auth_url`, to log in as itself and validate tokens).
//!
//! ```sh
//! cargo run --example my_projects_service -- --config-file service.conf
//! # listening on http://127.0.0.1:PORT
//! curl -H "X-Auth-Token: $OS_TOKEN" http://127.0.0.1:PORT/my-projects
//! ```
//!
//! `service.conf` has a `[keystone_authtoken]` group, as any OpenStack API
//! service's: the service user (`auth_type`, `auth_url`, `username`...),
//! `www_authenticate_uri`, `memcached_servers` and the rest.
//!
//! Routes: `GET /my-projects` (the caller's projects), `GET /whoami` (what
//! the layer found: user, project, roles, service token).

use std::path::PathBuf;
use std::process::ExitCode;

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use serde_json::{Value as J, json};
use stackauth::Loader;
use stackauth::auth::{Interface, PluginRegistry};
use stackauth::auth_token::{AuthTokenLayer, UserContext};
use stackauth::namespace;
use stackauth::session::Session;
use stackauth::source::Env;

#[derive(Parser)]
struct Args {
    /// The config file(s).
    #[arg(long = "config-file", required = true)]
    config_file: Vec<PathBuf>,
    /// Address to listen on (port 0: any free port, printed on start).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

/// The projects the caller can use, asked as the caller.
async fn my_projects(
    State(session): State<Session>,
    Extension(caller): Extension<UserContext>,
) -> Result<Json<J>, (StatusCode, String)> {
    // As the caller, carrying the caller's X-OpenStack-Request-ID on.
    let identity = caller
        .adapter(&session)
        .ok_or((StatusCode::UNAUTHORIZED, "no caller".into()))?
        .service_type("identity")
        .interfaces([Interface::Internal, Interface::Public]);
    let resp = identity.get("/auth/projects").await.map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))?;
    let body: J = resp.json().map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))?;
    let projects: Vec<J> =
        body["projects"].as_array().into_iter().flatten().map(|p| json!({"id": p["id"], "name": p["name"]})).collect();
    Ok(Json(json!({"user_id": caller.user_id(), "projects": projects})))
}

/// What the layer found about the caller.
async fn whoami(Extension(caller): Extension<UserContext>) -> Json<J> {
    Json(json!({
        "user_id": caller.user_id(),
        "user_name": caller.user_name(),
        "project_id": caller.project_id(),
        "roles": caller.roles(),
        "service": caller.service().map(|s| json!({"user_id": s.user.ident.id, "roles": s.role_names()})),
        "service_status": caller.service_status().map(|s| s.as_str()),
    }))
}

#[tokio::main]
async fn main() -> ExitCode {
    stackauth::auth::transport::install_crypto_provider();
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_max_level(tracing::Level::INFO).init();
    let args = Args::parse();
    let Some(registry) = namespace::by_name("keystonemiddleware.auth_token") else {
        eprintln!("the keystonemiddleware.auth_token namespace is missing");
        return ExitCode::from(2);
    };
    let loader = args.config_file.iter().fold(Loader::new(&registry), |l, f| l.config_file(f)).env(Env::from_process());
    let (layer, session) = match AuthTokenLayer::from_loader(&loader, &PluginRegistry::builtin()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let app = Router::new()
        .route("/my-projects", get(my_projects))
        .route("/whoami", get(whoami))
        .layer(layer)
        .with_state(session);
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    match listener.local_addr() {
        Ok(a) => println!("listening on http://{a}"),
        Err(e) => eprintln!("{e}"),
    }
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
