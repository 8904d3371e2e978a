//! The `stackauth` command: a thin shell over the library's tools.
//!
//! Exit codes: 0 success (warnings allowed), 1 the configuration has errors
//! (or needs migrating, with `migrate --check`; or authentication failed),
//! 2 a usage or I/O problem.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use stackauth::auth::cli::{CliAuth, Dirs};
use stackauth::auth::{LoadedAuth, PluginRegistry};
use stackauth::diagnostic::{Code, Diagnostic};
use stackauth::opt::Registry;
use stackauth::resolve::ConfigPath;
use stackauth::session::Session;
use stackauth::source::{CliOverride, Env};
use stackauth::tools::{generate, migrate, optdata, optdata_cache, render, schema, show, token, validate};
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
    /// Check config files: syntax, types, unknown and deprecated options, auth plugins.
    Validate(ValidateArgs),
    /// Print every option's effective value and where it came from.
    Show(ShowArgs),
    /// Write a commented sample configuration.
    Generate(GenerateArgs),
    /// Rewrite deprecated and legacy options to current ones, keeping everything else.
    Migrate(MigrateArgs),
    /// Write JSON Schemas of the TOML form, for editors.
    Schema(SchemaArgs),
    /// Authenticate (a config group's credentials, or --os-* arguments, OS_* variables and --os-cloud) and print the token's metadata.
    Token(TokenArgs),
    /// Authenticate (as token does) and print the catalog endpoint of a service.
    Endpoint(EndpointArgs),
}

/// Which options are known.
#[derive(Args, Clone)]
struct SchemaSources {
    /// A namespace of options: keystonemiddleware.auth_token, keystoneauth[:GROUP[:PLUGIN]].
    #[arg(long = "namespace", value_name = "NS")]
    namespace: Vec<String>,
    /// Options from `oslo-config-generator --format yaml|json` output.
    #[arg(long = "opt-data", value_name = "FILE")]
    opt_data: Vec<PathBuf>,
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
    /// Do not read OS_<GROUP>__<OPTION> environment variables.
    #[arg(long = "no-env")]
    no_env: bool,
    #[command(flatten)]
    schema: SchemaSources,
}

#[derive(Clone, Copy, ValueEnum)]
enum ValidateFormat {
    Human,
    Json,
    Github,
}

#[derive(Args)]
struct ValidateArgs {
    #[command(flatten)]
    sources: SourceArgs,
    /// Exit 1 on warnings too.
    #[arg(long = "fatal-warnings")]
    fatal_warnings: bool,
    /// Ignore findings in this group.
    #[arg(long = "exclude-group", value_name = "GROUP")]
    exclude_group: Vec<String>,
    /// Warn about values that differ from the schema's defaults (as oslo-config-validator --check-defaults).
    #[arg(long = "check-defaults")]
    check_defaults: bool,
    /// Options (regular expressions over the whole name) that --check-defaults skips [default: oslo-config-validator's list].
    #[arg(long = "exclude-options", value_name = "REGEX", value_delimiter = ',')]
    exclude_options: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: ValidateFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ShowFormat {
    Ini,
    Toml,
    Json,
}

#[derive(Args)]
struct ShowArgs {
    #[command(flatten)]
    sources: SourceArgs,
    /// Only these groups.
    #[arg(long = "group", value_name = "GROUP")]
    group: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "ini")]
    format: ShowFormat,
    /// Print secrets in clear text.
    #[arg(long = "reveal-secrets")]
    reveal_secrets: bool,
    /// Also list options that have no value.
    #[arg(long)]
    all: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum SampleFormat {
    Ini,
    Toml,
    Yaml,
    Json,
    /// The RST option reference (oslo.config's Sphinx extension).
    Rst,
}

#[derive(Args)]
struct GenerateArgs {
    #[command(flatten)]
    schema: SchemaSources,
    /// Output format.
    #[arg(long, value_enum, default_value = "ini")]
    format: SampleFormat,
    /// Only required options and options without a default.
    #[arg(long)]
    minimal: bool,
    /// Write to this file instead of standard output.
    #[arg(long = "output-file", value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// The `#:schema` reference written at the top of a TOML sample.
    #[arg(long = "schema-url", value_name = "URL")]
    schema_url: Option<String>,
    /// The maximum length of help lines (0: no wrapping), as oslo-config-generator.
    #[arg(long = "wrap-width", value_name = "N", default_value_t = generate::WRAP_WIDTH)]
    wrap_width: usize,
    /// Only the first paragraph of each option's help (INI and TOML).
    #[arg(long)]
    summarize: bool,
    /// Add stackauth's notes (required and secret options, legacy options) to the INI and TOML samples.
    #[arg(long)]
    annotate: bool,
}

#[derive(Args)]
struct MigrateArgs {
    #[command(flatten)]
    schema: SchemaSources,
    /// Exit 1 if a file needs migrating; change nothing.
    #[arg(long, conflicts_with_all = ["diff", "in_place"])]
    check: bool,
    /// Print a unified diff; change nothing.
    #[arg(long, conflicts_with = "in_place")]
    diff: bool,
    /// Rewrite the files (atomically, keeping their mode).
    #[arg(long = "in-place")]
    in_place: bool,
    /// Convert to TOML (printed, or written beside the file with --in-place).
    #[arg(long = "to", value_enum)]
    to: Option<MigrateTarget>,
    /// The INI files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum MigrateTarget {
    Toml,
}

#[derive(Args)]
struct SchemaArgs {
    #[command(flatten)]
    schema: SchemaSources,
    /// Write one <namespace>.json per namespace into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct TokenArgs {
    #[command(flatten)]
    sources: SourceArgs,
    /// The config group with the credentials; without it, the --os-* arguments, OS_* variables and --os-cloud.
    #[arg(long)]
    group: Option<String>,
    /// Also print the token itself.
    #[arg(long)]
    reveal: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct EndpointArgs {
    #[command(flatten)]
    sources: SourceArgs,
    /// The config group with the credentials; without it, the --os-* arguments, OS_* variables and --os-cloud.
    #[arg(long)]
    group: Option<String>,
    /// The service type (identity, image, compute...).
    #[arg(long = "service-type")]
    service_type: String,
    /// Interfaces in order of preference [default: the credentials' own, else public].
    #[arg(long, value_delimiter = ',')]
    interface: Vec<String>,
    /// The region [default: the credentials' own].
    #[arg(long = "region-name")]
    region_name: Option<String>,
    /// The API version wanted (3, 2.1, latest): discovered and printed.
    #[arg(long, conflicts_with_all = ["min_version", "max_version"])]
    version: Option<String>,
    /// The lowest acceptable API version.
    #[arg(long = "min-version")]
    min_version: Option<String>,
    /// The highest acceptable API version.
    #[arg(long = "max-version")]
    max_version: Option<String>,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
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

/// The registry of the named namespaces and opt-data files; the
/// keystonemiddleware namespace when neither is given.
fn registry(s: &SchemaSources) -> Result<Registry, Vec<Diagnostic>> {
    let mut reg = Registry::new();
    let default = [namespace::keystonemiddleware::NAMESPACE.to_owned()];
    let names: &[String] = if s.namespace.is_empty() && s.opt_data.is_empty() { &default } else { &s.namespace };
    let usage = |m: String| vec![Diagnostic::error(Code::Io, m)];
    for n in names {
        let ns = namespace::by_name(n)
            .ok_or_else(|| usage(format!("unknown namespace {n:?}; built in: {}", namespace::BUILTIN.join(", "))))?;
        reg.merge(&ns).map_err(|e| usage(e.to_string()))?;
    }
    for f in &s.opt_data {
        let data = read_optdata(f)?;
        for w in &data.warnings {
            tracing::warn!("{w}");
        }
        if reg.groups().len() == 0 {
            // The usual case (one --opt-data): no copy of every option.
            reg = data.registry;
            continue;
        }
        reg.merge(&data.registry).map_err(|e| usage(format!("{}: {e}", f.display())))?;
    }
    Ok(reg)
}

/// An opt-data file, its parsed YAML cached (see `optdata_cache`) in the
/// user's cache directory, or in `$STACKAUTH_OPTDATA_CACHE`; `0` there
/// turns the cache off.
fn read_optdata(f: &std::path::Path) -> Result<optdata::OptData, Vec<Diagnostic>> {
    let dir = match std::env::var_os("STACKAUTH_OPTDATA_CACHE") {
        Some(v) if v == "0" => None,
        Some(v) if !v.is_empty() => Some(std::path::PathBuf::from(v)),
        _ => optdata_cache::default_cache_dir(),
    };
    match dir {
        None => optdata::read_data(f),
        Some(dir) => {
            let (data, used) = optdata_cache::read_data_cached(f, &dir);
            tracing::debug!("opt-data {}: cache {used:?} ({})", f.display(), dir.display());
            data
        }
    }
}

fn print_diagnostics(ds: &[Diagnostic]) {
    for d in ds {
        eprintln!("{d}");
    }
}

fn loader<'r>(m: &ArgMatches, a: &SourceArgs, reg: &'r Registry) -> Loader<'r> {
    // oslo.config's config_source: every service reads remote_file groups;
    // etcd, openbao and castellan (Barbican) groups too.
    let mut l = Loader::new(reg)
        .config_paths(config_paths(m, a))
        .config_source_driver(stackauth::auth::RemoteFile)
        .config_source_driver(stackauth::auth::Etcd)
        .config_source_driver(stackauth::auth::OpenBao)
        .config_source_driver(stackauth::session::Castellan);
    if !a.no_env {
        l = l.env(Env::from_process());
    }
    for o in &a.set {
        l = l.cli(o.clone());
    }
    l
}

fn run_validate(m: &ArgMatches, a: &ValidateArgs) -> ExitCode {
    let reg = match registry(&a.sources.schema) {
        Ok(r) => r,
        Err(ds) => {
            print_diagnostics(&ds);
            return ExitCode::from(2);
        }
    };
    let l = loader(m, &a.sources, &reg);
    let report = validate::validate(
        &l,
        &PluginRegistry::builtin(),
        &validate::ValidateOptions {
            exclude_groups: a.exclude_group.clone(),
            complete_schema: !a.sources.schema.opt_data.is_empty(),
            check_defaults: a.check_defaults,
            exclude_options: if a.exclude_options.is_empty() {
                validate::ValidateOptions::default().exclude_options
            } else {
                a.exclude_options.clone()
            },
        },
    );
    match a.format {
        ValidateFormat::Human => print!("{}", render::human(&report)),
        ValidateFormat::Json => println!("{:#}", render::json(&report)),
        ValidateFormat::Github => print!("{}", render::github(&report)),
    }
    ExitCode::from(report.exit_code(a.fatal_warnings))
}

fn run_show(m: &ArgMatches, a: &ShowArgs) -> ExitCode {
    let reg = match registry(&a.sources.schema) {
        Ok(r) => r,
        Err(ds) => {
            print_diagnostics(&ds);
            return ExitCode::from(2);
        }
    };
    // Everything that resolved is printed even when something failed: that
    // is when a deployer most needs to see what was read.
    // The auth plugins' options too, as the service registers them.
    // Each file is read once; both resolutions use what was read.
    let plain = loader(m, &a.sources, &reg);
    let inputs = plain.read();
    let reg = validate::registry_with_auth_plugins(&plain, &inputs, &PluginRegistry::builtin());
    let (snapshot, mut findings) = plain.with_registry(&reg).resolve_lenient(&inputs);
    if !a.sources.schema.opt_data.is_empty() {
        validate::required_as_notes(&mut findings, &reg);
    }
    print_diagnostics(&findings);
    let snapshot = if a.group.is_empty() { snapshot } else { show::only_groups(&snapshot, &a.group) };
    let opts = show::ShowOptions { reveal_secrets: a.reveal_secrets, all: a.all };
    match a.format {
        ShowFormat::Ini => print!("{}", show::render_text_with(&snapshot, opts, &findings)),
        ShowFormat::Toml => print!("{}", show::render_toml_with(&snapshot, opts, &findings)),
        ShowFormat::Json => println!("{:#}", show::render_json_with(&snapshot, opts, &findings)),
    }
    if findings.iter().any(|d| d.is_error() && d.code == Code::Io) {
        ExitCode::from(2)
    } else if findings.iter().any(Diagnostic::is_error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_generate(a: &GenerateArgs) -> ExitCode {
    let format = match a.format {
        SampleFormat::Ini => generate::SampleFormat::Ini,
        SampleFormat::Toml => generate::SampleFormat::Toml,
        SampleFormat::Yaml => generate::SampleFormat::Yaml,
        SampleFormat::Json => generate::SampleFormat::Json,
        SampleFormat::Rst => generate::SampleFormat::Rst,
    };
    let opts = generate::GenerateOptions {
        format,
        minimal: a.minimal,
        schema_url: a.schema_url.clone(),
        wrap_width: Some(a.wrap_width),
        summarize: a.summarize,
        annotate: a.annotate,
    };
    // Each namespace and opt-data file keeps its namespace names, for the
    // `# From <namespace>` banners.
    let s = &a.schema;
    let default = [namespace::keystonemiddleware::NAMESPACE.to_owned()];
    let names: &[String] = if s.namespace.is_empty() && s.opt_data.is_empty() { &default } else { &s.namespace };
    let mut registries = Vec::new();
    for n in names {
        match namespace::by_name(n) {
            Some(r) => registries.push((n.as_str(), r)),
            None => return fail(format!("unknown namespace {n:?}; built in: {}", namespace::BUILTIN.join(", "))),
        }
    }
    let mut data = Vec::new();
    for f in &s.opt_data {
        match read_optdata(f) {
            Ok(d) => {
                for w in &d.warnings {
                    tracing::warn!("{w}");
                }
                data.push(d);
            }
            Err(ds) => {
                print_diagnostics(&ds);
                return ExitCode::from(2);
            }
        }
    }
    let named: Vec<(&str, &stackauth::opt::Registry)> = registries.iter().map(|(n, r)| (*n, r)).collect();
    let text = generate::sample_sources(&named, &data.iter().collect::<Vec<_>>(), &opts);
    match &a.output_file {
        Some(f) => match std::fs::write(f, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format!("cannot write {}: {e}", f.display())),
        },
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
    }
}

fn run_migrate(a: &MigrateArgs) -> ExitCode {
    let reg = match registry(&a.schema) {
        Ok(r) => r,
        Err(ds) => {
            print_diagnostics(&ds);
            return ExitCode::from(2);
        }
    };
    let mut needs = false;
    let mut broken = false;
    for f in &a.files {
        let text = match stackauth::source::load_text(f) {
            Ok(t) => t,
            Err(ds) => {
                print_diagnostics(&ds);
                return ExitCode::from(2);
            }
        };
        let m = match migrate::migrate_ini(&text, f, &reg) {
            Ok(m) => m,
            Err(ds) => {
                print_diagnostics(&ds);
                broken = true;
                continue;
            }
        };
        needs |= m.changed();
        for c in &m.changes {
            eprintln!("{}: {c}", f.display());
        }
        for c in &m.manual {
            eprintln!("{}: needs attention: {c}", f.display());
        }
        if let Some(MigrateTarget::Toml) = a.to {
            let toml = match migrate::to_toml(&m.migrated, f, &reg) {
                Ok(t) => t,
                Err(ds) => {
                    print_diagnostics(&ds);
                    broken = true;
                    continue;
                }
            };
            if a.in_place {
                let out = f.with_extension("toml");
                if let Err(e) = std::fs::write(&out, toml) {
                    return fail(format!("cannot write {}: {e}", out.display()));
                }
                eprintln!("{}: written", out.display());
            } else if !a.check {
                print!("{toml}");
            }
            continue;
        }
        if a.diff && m.changed() {
            print!("{}", migrate::diff(&m, f));
        } else if a.in_place && m.changed() {
            if let Err(e) = migrate::write_in_place(f, &m.migrated) {
                return fail(format!("cannot rewrite {}: {e} (the file is unchanged)", f.display()));
            }
            eprintln!("{}: migrated", f.display());
        } else if !a.check && !a.diff && !a.in_place {
            print!("{}", m.migrated);
        }
    }
    if broken || (a.check && needs) { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn run_schema(a: &SchemaArgs) -> ExitCode {
    let names: Vec<String> = if a.schema.namespace.is_empty() && a.schema.opt_data.is_empty() {
        namespace::BUILTIN.iter().map(|s| s.to_string()).collect()
    } else {
        a.schema.namespace.clone()
    };
    let mut outputs: Vec<(String, String)> = Vec::new();
    for n in &names {
        match schema::builtin_schema_text(n) {
            Some(text) => outputs.push((n.clone(), text)),
            None => return fail(format!("unknown namespace {n:?}; built in: {}", namespace::BUILTIN.join(", "))),
        }
    }
    for f in &a.schema.opt_data {
        match optdata::read(f) {
            Ok(r) => {
                let name = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                outputs.push((name.clone(), format!("{:#}\n", schema::json_schema(&r, &name))));
            }
            Err(ds) => {
                print_diagnostics(&ds);
                return ExitCode::from(2);
            }
        }
    }
    for (name, text) in outputs {
        match &a.out {
            Some(dir) => {
                let path = dir.join(schema::schema_file_name(&name));
                if let Err(e) = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, text)) {
                    return fail(format!("cannot write {}: {e}", path.display()));
                }
                eprintln!("{}: written", path.display());
            }
            None => print!("{text}"),
        }
    }
    ExitCode::SUCCESS
}

/// The credentials: a config group's with `--group`, else the `--os-*`
/// arguments, `OS_*` variables and `--os-cloud`; never both.
fn credentials(m: &ArgMatches, a: &SourceArgs, group: Option<&str>, auth: &CliAuth) -> Result<LoadedAuth, ExitCode> {
    let Some(group) = group else {
        let file_flags =
            [a.config_file.len(), a.config_dir.len(), a.set.len(), a.schema.namespace.len(), a.schema.opt_data.len()];
        if file_flags.iter().any(|n| *n > 0) {
            return Err(fail(
                "--config-file, --config-dir, --set, --namespace and --opt-data need --group (the config group with the credentials)",
            ));
        }
        return auth.load(m).map_err(|e| {
            print_diagnostics(e.diagnostics());
            ExitCode::from(if e.errors().any(|d| d.code == Code::Io) { 2 } else { 1 })
        });
    };
    let given = auth.given(m);
    if !given.is_empty() {
        return Err(fail(format!(
            "--group takes the credentials from config files; {} cannot be combined with it",
            given.join(", ")
        )));
    }
    let mut reg = match registry(&a.schema) {
        Ok(r) => r,
        Err(ds) => {
            print_diagnostics(&ds);
            return Err(ExitCode::from(2));
        }
    };
    if reg.group(group).is_none() {
        let _ = reg.merge(&namespace::keystoneauth(group));
    }
    let l = loader(m, a, &reg);
    stackauth::auth::load_from_group(&l, &PluginRegistry::builtin(), group).map_err(|e| {
        print_diagnostics(e.diagnostics());
        ExitCode::from(1)
    })
}

fn session_for(
    m: &ArgMatches,
    a: &SourceArgs,
    group: Option<&str>,
    auth: &CliAuth,
) -> Result<(Session, LoadedAuth), ExitCode> {
    let loaded = credentials(m, a, group, auth)?;
    print_diagnostics(loaded.snapshot.warnings());
    match Session::from_loaded(&loaded) {
        Ok(s) => Ok((s, loaded)),
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(1))
        }
    }
}

fn run_token(m: &ArgMatches, a: &TokenArgs, auth: &CliAuth) -> ExitCode {
    block_on(async {
        let (s, _) = match session_for(m, &a.sources, a.group.as_deref(), auth) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let creds = match s.credentials().await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        let Some(t) = creds.access() else {
            println!(
                "the {} plugin has no token (it sends fixed headers)",
                s.auth_state().map(|a| a.plugin().plugin_name().to_owned()).unwrap_or_default()
            );
            return ExitCode::SUCCESS;
        };
        let v = token::token_json(t, a.reveal);
        if a.json {
            println!("{v:#}");
        } else {
            print!("{}", token::token_text(&v));
        }
        ExitCode::SUCCESS
    })
}

fn run_endpoint(m: &ArgMatches, a: &EndpointArgs, auth: &CliAuth) -> ExitCode {
    block_on(async {
        let (s, loaded) = match session_for(m, &a.sources, a.group.as_deref(), auth) {
            Ok(x) => x,
            Err(c) => return c,
        };
        // The cloud's settings for this service (`image_api_version`,
        // `volume_endpoint_override`...), when the cloud is used.
        let adapter = match auth.cloud().filter(|_| a.group.is_none()) {
            Some(c) => match c.adapter_options(&a.service_type, &loaded.adapter) {
                Ok((o, warnings)) => {
                    print_diagnostics(&warnings);
                    o
                }
                Err(e) => {
                    print_diagnostics(e.diagnostics());
                    return ExitCode::from(1);
                }
            },
            None => loaded.adapter.clone(),
        };
        let service_type = adapter.service_type.clone().unwrap_or_else(|| a.service_type.clone());
        let mut f = match token::endpoint_filter(&service_type, &a.interface, a.region_name.as_deref(), &adapter) {
            Ok(f) => f,
            Err(e) => return fail(e),
        };
        f.service_name = adapter.service_name.clone();
        let spec = match stackauth::session::VersionSpec::parse(
            a.version.as_deref(),
            a.min_version.as_deref(),
            a.max_version.as_deref(),
        ) {
            Ok(s) => s.or(adapter.version),
            Err(e) => return fail(e),
        };
        let mut options = adapter.clone();
        options.service_type = Some(f.service_type.clone());
        options.interfaces = f.interfaces.clone();
        options.region_name = f.region_name.clone();
        let mut client = stackauth::session::Adapter::from_options(&s, &options);
        let found = match spec {
            Some(spec) => {
                client = client.version(spec);
                client.endpoint_data().await.map(|d| format!("{:#}", token::endpoint_json(&d)))
            }
            None => client.endpoint().await,
        };
        match found {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        }
    })
}

fn block_on<F: std::future::Future<Output = ExitCode>>(f: F) -> ExitCode {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt.block_on(f),
        Err(e) => fail(format!("cannot start the async runtime: {e}")),
    }
}

/// The `--os-*` flags of `token` and `endpoint` depend on the plugin (and
/// cloud) the command line names, so they are found before the parse.
fn cli_auth(args: &[String]) -> CliAuth {
    let no_env = args.iter().take_while(|a| *a != "--").any(|a| a == "--no-env");
    let env = if no_env { Env::empty() } else { Env::from_process() };
    CliAuth::scan(args, env, &Dirs::from_process(), PluginRegistry::builtin(), None)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let auth = cli_auth(&args);
    let matches = Cli::command()
        .mut_subcommand("token", |c| auth.register(c))
        .mut_subcommand("endpoint", |c| auth.register(c))
        .get_matches_from(&args);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let sub = |name: &str| matches.subcommand_matches(name).cloned().unwrap_or_default();
    match &cli.command {
        Command::Validate(a) => run_validate(&sub("validate"), a),
        Command::Show(a) => run_show(&sub("show"), a),
        Command::Generate(a) => run_generate(a),
        Command::Migrate(a) => run_migrate(a),
        Command::Schema(a) => run_schema(a),
        Command::Token(a) => run_token(&sub("token"), a, &auth),
        Command::Endpoint(a) => run_endpoint(&sub("endpoint"), a, &auth),
    }
}
