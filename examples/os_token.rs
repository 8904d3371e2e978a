//! A small command-line tool that authenticates the way OpenStack command
//! lines do: `--os-*` arguments, `OS_*` variables, or a cloud from
//! `clouds.yaml` (`--os-cloud`, with `secure.yaml` merged over it and its
//! `clouds-public.yaml` profile under it), and prints who it is and where
//! the identity service is. `--dry-run` prints what was loaded, and from
//! where, without authenticating.
//!
//! Its earlier versions had names of their own (keystonemiddleware's
//! `admin_user`, `admin_password`, `admin_tenant_name`, and
//! `http_timeout`): they are mapped onto the plugin's options, so
//! `--os-admin-user` and `OS_ADMIN_USER` still work, with a deprecation
//! warning.
//!
//! ```sh
//! cargo run --example os_token -- --os-auth-url http://keystone:5000 \
//!     --os-username admin --os-user-domain-name Default --os-project-name admin \
//!     --os-project-domain-name Default      # the password from OS_PASSWORD
//! cargo run --example os_token -- --os-cloud mycloud
//! cargo run --example os_token -- --os-cloud mycloud --os-project-name other --dry-run
//! cargo run --example os_token -- --os-auth-type v3applicationcredential --help
//! ```
//!
//! Exit codes: 0 authenticated (or loaded, with `--dry-run`), 1 the auth
//! settings are wrong or authentication failed, 2 a usage error.

use std::process::ExitCode;

use clap::{Arg, ArgAction};
use stackauth::auth::PluginRegistry;
use stackauth::auth::cli::{CliAuth, Dirs};
use stackauth::opt::DeprecatedName;
use stackauth::session::Session;
use stackauth::source::Env;
use stackauth::tools::show;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).init();
    let args: Vec<String> = std::env::args().collect();
    let auth = CliAuth::scan(&args, Env::from_process(), &Dirs::from_process(), PluginRegistry::builtin(), None)
        .with_renames(&[
            ("username", DeprecatedName::name("admin-user")),
            ("password", DeprecatedName::name("admin-password")),
            ("project_name", DeprecatedName::name("admin-tenant-name")),
            ("timeout", DeprecatedName::name("http-timeout")),
        ]);
    let cmd = clap::Command::new("os_token")
        .about("Authenticate and print the token's user, project and identity endpoint")
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Print every auth and session value and where it came from; do not authenticate"),
        );
    let matches = auth.register(cmd).get_matches_from(&args);
    let loaded = match auth.load(&matches) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    if matches.get_flag("dry-run") {
        print!("{}", show::render_text(&loaded.snapshot, show::ShowOptions::default()));
        return ExitCode::SUCCESS;
    }
    let session = match Session::from_loaded(&loaded) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match session.credentials().await {
        Ok(c) => {
            let a = c.access();
            let identity = a.and_then(|a| {
                a.catalog.endpoints().iter().find(|e| e.service_type == "identity").map(|e| e.url.clone())
            });
            let project = a.and_then(|a| a.project.as_ref());
            println!(
                "{}",
                serde_json::json!({
                    "plugin": loaded.plugin_name,
                    "user": a.and_then(|a| a.user.ident.name.clone()),
                    "user_id": a.and_then(|a| a.user.ident.id.clone()),
                    "project": project.and_then(|p| p.ident.name.clone()),
                    "project_id": project.and_then(|p| p.ident.id.clone()),
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
