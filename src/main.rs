//! The `stackauth` command: a thin shell over the library's tools.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use stackauth::diagnostic::Code;
use stackauth::opt::Registry;
use stackauth::resolve::ConfigPath;
use stackauth::source::{CliOverride, Env};
use stackauth::tools::show::{self, ShowOptions};
use stackauth::{Loader, namespace};

/// Config-driven service-to-service auth for OpenStack-style identity.
#[derive(Parser)]
#[command(name = "stackauth", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every option's effective value and where it came from.
    Show(ShowArgs),
}

/// Where the configuration comes from.
#[derive(Args)]
struct SourceArgs {
    /// A config file (INI, or TOML if it ends in .toml); later files win.
    #[arg(long = "config-file", value_name = "FILE")]
    config_file: Vec<PathBuf>,
    /// A config dir: its *.conf and *.toml files, in name order.
    #[arg(long = "config-dir", value_name = "DIR")]
    config_dir: Vec<PathBuf>,
    /// Override an option: GROUP.OPTION=VALUE (OPTION=VALUE for [DEFAULT]).
    #[arg(long = "set", value_name = "GROUP.OPTION=VALUE", value_parser = CliOverride::parse)]
    set: Vec<CliOverride>,
    /// A namespace of options to know (default: keystonemiddleware.auth_token).
    #[arg(long = "namespace", value_name = "NS")]
    namespace: Vec<String>,
    /// Do not read OS_<GROUP>__<OPTION> environment variables.
    #[arg(long = "no-env")]
    no_env: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Args)]
struct ShowArgs {
    #[command(flatten)]
    sources: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Print secrets in clear text.
    #[arg(long = "reveal-secrets")]
    reveal_secrets: bool,
    /// Also list options that have no value.
    #[arg(long)]
    all: bool,
}

/// `--config-file` and `--config-dir` in the order they were given.
fn config_paths(m: &ArgMatches, args: &SourceArgs) -> Vec<ConfigPath> {
    let idx = |id: &str| m.indices_of(id).map(|i| i.collect::<Vec<_>>()).unwrap_or_default();
    let mut all: Vec<(usize, ConfigPath)> = idx("config_file")
        .into_iter()
        .zip(args.config_file.iter().cloned().map(ConfigPath::File))
        .chain(idx("config_dir").into_iter().zip(args.config_dir.iter().cloned().map(ConfigPath::Dir)))
        .collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, p)| p).collect()
}

fn registry(names: &[String]) -> Result<Registry, String> {
    let names: Vec<&str> = if names.is_empty() {
        vec![namespace::keystonemiddleware::NAMESPACE]
    } else {
        names.iter().map(String::as_str).collect()
    };
    let mut reg = Registry::new();
    for n in names {
        let ns = namespace::by_name(n)
            .ok_or_else(|| format!("unknown namespace {n:?}; built in: {}", namespace::BUILTIN.join(", ")))?;
        reg.merge(&ns).map_err(|e| e.to_string())?;
    }
    Ok(reg)
}

fn show(m: &ArgMatches, args: &ShowArgs) -> ExitCode {
    let registry = match registry(&args.sources.namespace) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut loader = Loader::new(&registry).config_paths(config_paths(m, &args.sources));
    if !args.sources.no_env {
        loader = loader.env(Env::from_process());
    }
    for o in &args.sources.set {
        loader = loader.cli(o.clone());
    }
    match loader.load() {
        Ok(snapshot) => {
            for w in snapshot.warnings() {
                eprintln!("{w}");
            }
            let opts = ShowOptions { reveal_secrets: args.reveal_secrets, all: args.all };
            match args.format {
                Format::Text => print!("{}", show::render_text(&snapshot, opts)),
                Format::Json => println!("{:#}", show::render_json(&snapshot, opts)),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            for d in e.diagnostics() {
                eprintln!("{d}");
            }
            let io = e.errors().any(|d| d.code == Code::Io);
            ExitCode::from(if io { 2 } else { 1 })
        }
    }
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match &cli.command {
        Command::Show(args) => {
            let sub = matches.subcommand_matches("show").unwrap_or(&matches);
            show(sub, args)
        }
    }
}
