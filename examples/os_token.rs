//! A small command-line tool that authenticates the way OpenStack command
//! lines do: `--os-*` arguments, `OS_*` variables, or a cloud from
//! `clouds.yaml` (`--os-cloud`, with `secure.yaml` merged over it), and
//! prints who it is and where the identity service is.
//!
//! ```sh
//! cargo run --example os_token -- --os-auth-type password --os-auth-url http://keystone:5000 \
//!     --os-username admin --os-user-domain-name Default --os-project-name admin \
//!     --os-project-domain-name Default      # the password from OS_PASSWORD
//! cargo run --example os_token -- --os-cloud mycloud
//! cargo run --example os_token -- --os-auth-type v3applicationcredential --help
//! ```

use std::process::ExitCode;

use stackauth::auth::{PluginRegistry, cli};
use stackauth::session::Session;
use stackauth::source::Env;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).init();
    let args: Vec<String> = std::env::args().collect();
    let env = Env::from_process();
    let plugins = PluginRegistry::builtin();
    let cloud = match cli::cloud_from(&args, &env) {
        Some((name, _)) => {
            let cwd = std::env::current_dir().unwrap_or_default();
            let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
            let clouds = cli::clouds_search_path(&env, &cwd, home.as_deref());
            let secure = cli::secure_search_path(&env, &cwd, home.as_deref());
            match cli::find_cloud(&name, &clouds, &secure) {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(1);
                }
            }
        }
        None => None,
    };
    // As openstacksdk: --os-auth-type, else OS_AUTH_TYPE, else the cloud's, else password.
    let auth_type = cli::auth_type_from(&args, &env)
        .map(|(t, _)| t)
        .or_else(|| cloud.as_ref().and_then(|c| c.auth_type.as_ref().map(|(t, _)| t.clone())))
        .unwrap_or_else(|| "password".to_owned());
    let cmd = cli::register(
        clap::Command::new("os_token").about("Authenticate and print the token's user, project and identity endpoint"),
        &plugins,
        Some(&auth_type),
        Some("password"),
    );
    let matches = cmd.get_matches_from(&args);
    let loaded = match cli::load_with_cloud(&matches, &plugins, &auth_type, &env, cloud.as_ref()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let session = match Session::from_loaded(&loaded) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    match session.credentials().await {
        Ok(c) => {
            let a = c.access();
            let identity = a.and_then(|a| {
                a.catalog.endpoints().iter().find(|e| e.service_type == "identity").map(|e| e.url.clone())
            });
            println!(
                "{}",
                serde_json::json!({
                    "plugin": loaded.plugin_name,
                    "user": a.and_then(|a| a.user.ident.name.clone()),
                    "project": a.and_then(|a| a.project.as_ref().and_then(|p| p.ident.name.clone())),
                    "identity": identity,
                })
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
