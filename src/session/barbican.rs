//! castellan's oslo.config driver with its Barbican key manager (feature
//! `barbican`): an option's value is the payload of a Barbican secret,
//! named by secret id in a mapping file, fetched with a Keystone token of
//! the service's own credentials.
//!
//! ```ini
//! # glance-api.conf
//! [DEFAULT]
//! config_source = secrets
//!
//! [secrets]
//! driver = castellan
//! config_file = /etc/glance/castellan.conf
//! mapping_file = /etc/glance/secrets-mapping.conf
//! ```
//!
//! ```ini
//! # castellan.conf: castellan's own options
//! [key_manager]
//! backend = barbican
//! auth_type = keystone_password
//! auth_url = https://keystone.internal/v3
//! username = glance
//! password = ...
//! user_domain_name = Default
//! project_name = service
//! project_domain_name = Default
//!
//! [barbican]
//! barbican_endpoint = https://barbican.internal:9311
//! barbican_api_version = v1
//! ```
//!
//! ```ini
//! # secrets-mapping.conf: [group] option = <secret id>
//! [keystone_authtoken]
//! password = 5a8c4b39-7d5e-4f0e-9d6b-0f5a7c1e2b3d
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{AuthPlugin, EndpointFilter, Interface, PluginOptions, PluginRegistry, SessionOptions};
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{Opt, OptType, Registry};
use crate::resolve::{Loader, SourceDriver};
use crate::snapshot::Snapshot;
use crate::source::ini::IniDocument;
use crate::source::{Entry, Layer, Origin, Precedence, Source, SourceRead};

use super::{Request, Session};

/// castellan's `[key_manager]` options (`castellan.common.utils`'s
/// `credential_opts` and the key manager's `backend`).
fn key_manager_opts() -> Vec<Opt> {
    let choices = ["token", "password", "keystone_token", "keystone_password"];
    let mut out = vec![
        Opt::string("backend").default("barbican"),
        Opt::new("auth_type", OptType::string_choices(choices)),
        Opt::string("token").secret(),
        Opt::string("username"),
        Opt::string("password").secret(),
        Opt::string("auth_url"),
        Opt::new("reauthenticate", OptType::boolean()).default("true"),
    ];
    for name in [
        "user_id",
        "user_domain_id",
        "user_domain_name",
        "trust_id",
        "domain_id",
        "domain_name",
        "project_id",
        "project_name",
        "project_domain_id",
        "project_domain_name",
    ] {
        out.push(Opt::string(name));
    }
    out
}

/// castellan's `[barbican]` options (`barbican_key_manager._barbican_opts`).
fn barbican_opts() -> Vec<Opt> {
    vec![
        Opt::string("barbican_endpoint"),
        Opt::string("barbican_api_version"),
        Opt::string("auth_endpoint").default("http://localhost/identity/v3"),
        Opt::new("retry_delay", OptType::integer()).default("1"),
        Opt::new("number_of_retries", OptType::integer()).default("60"),
        Opt::new("verify_ssl", OptType::boolean()).default("true"),
        Opt::string("verify_ssl_path"),
        Opt::string("barbican_endpoint_type").default("public"),
        Opt::string("barbican_region_name"),
        Opt::new("send_service_user_token", OptType::boolean()).default("false"),
    ]
}

/// One option's value: the payload of one secret.
#[derive(Clone, Debug)]
struct Mapping {
    group: String,
    option: String,
    secret: String,
    /// Where the mapping file names it.
    at: Origin,
}

/// What castellan.conf says: how to authenticate and where Barbican is.
struct KeyManager {
    plugin: Arc<dyn AuthPlugin>,
    session: SessionOptions,
    endpoint: Option<String>,
    filter: EndpointFilter,
    version: String,
    /// Warnings about castellan.conf (a world-readable password file).
    warnings: Vec<Diagnostic>,
}

/// Values from Barbican, read as castellan's oslo.config driver reads
/// them: `config_file` is castellan's configuration (`[key_manager]`
/// credentials, `[barbican]` endpoint), `mapping_file` maps options to
/// secret ids (`[group] option = <secret id>`). Every
/// [`read`](Source::read) reads both files again, authenticates with
/// Keystone and fetches each payload (`GET /v1/secrets/{id}/payload`), so
/// a reload picks up a mapping that names a new secret (Barbican's secrets
/// are immutable: rotating one is storing a new secret and mapping the
/// option to it).
///
/// Values are secrets whatever their options are declared as
/// ([`Origin::SecretStore`], `barbican secret <id>`): masked in `show`
/// and in change logs, never written anywhere, never in a message. A
/// secret that cannot be fetched is an error finding naming the source,
/// the option and the secret id.
#[derive(Clone)]
pub struct BarbicanSource {
    config_file: PathBuf,
    mapping_file: PathBuf,
    /// The config_source group it was opened from, for messages.
    group: Option<String>,
    precedence: Precedence,
    timeout: Duration,
}

impl BarbicanSource {
    /// A source reading castellan's configuration from `config_file` and
    /// the option-to-secret mapping from `mapping_file`. Relative paths are
    /// relative to the working directory, as castellan's.
    pub fn new(config_file: impl Into<PathBuf>, mapping_file: impl Into<PathBuf>) -> BarbicanSource {
        BarbicanSource {
            config_file: config_file.into(),
            mapping_file: mapping_file.into(),
            group: None,
            precedence: Precedence::File,
            timeout: Duration::from_secs(30),
        }
    }

    /// Puts the values at another precedence than the files'.
    pub fn precedence(mut self, p: Precedence) -> Self {
        self.precedence = p;
        self
    }

    /// Seconds for each request to Keystone and Barbican (30 by default).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// The mapping file.
    pub fn mapping_file(&self) -> &Path {
        &self.mapping_file
    }

    fn who(&self) -> String {
        match &self.group {
            Some(g) => format!("castellan [{g}]"),
            None => format!("castellan {}", self.config_file.display()),
        }
    }

    fn finding(&self, message: impl fmt::Display) -> Diagnostic {
        let mut d = Diagnostic::error(Code::Io, format!("{}: {message}", self.who()));
        if let Some(g) = &self.group {
            d = d.option(g, "config_file");
        }
        d
    }

    /// The mapping file's entries, the first of each option as castellan
    /// takes it.
    fn mappings(&self) -> Result<Vec<Mapping>, Vec<Diagnostic>> {
        let text = std::fs::read_to_string(&self.mapping_file).map_err(|e| {
            vec![self.finding(format!("cannot read the mapping file {}: {e}", self.mapping_file.display()))]
        })?;
        let doc = IniDocument::parse(&text).map_err(|errors| {
            let first = errors.first().map(|e| format!("line {}: {}", e.line, e.message)).unwrap_or_default();
            vec![self.finding(format!("the mapping file {} is not valid: {first}", self.mapping_file.display()))]
        })?;
        let mut out: Vec<Mapping> = Vec::new();
        for e in doc.entries() {
            let (group, option) = (e.group.to_owned(), e.key.to_owned());
            if out.iter().any(|m| m.group == group && m.option == option) {
                continue;
            }
            let at = Origin::File(crate::origin::Location {
                path: self.mapping_file.as_path().into(),
                line: e.line,
                column: e.value_col,
            });
            out.push(Mapping { group, option, secret: e.value.trim().to_owned(), at });
        }
        Ok(out)
    }

    /// castellan.conf, read with castellan's options and the password and
    /// token plugins' names for its credentials.
    fn key_manager(&self) -> Result<KeyManager, Vec<Diagnostic>> {
        let plugins = PluginRegistry::builtin();
        let mut reg = Registry::new();
        let opts = key_manager_opts();
        let extra = plugins
            .get("password")
            .into_iter()
            .chain(plugins.get("token"))
            .flat_map(|t| t.options().to_vec())
            .collect::<Vec<_>>();
        let registered = reg
            .register_opts("key_manager", opts)
            .and_then(|()| reg.register_opts_if_absent("key_manager", extra))
            .and_then(|()| reg.register_opts("barbican", barbican_opts()));
        if let Err(e) = registered {
            return Err(vec![self.finding(format!("cannot register castellan's options: {e}"))]);
        }
        if !self.config_file.is_file() {
            return Err(vec![self.finding(format!("no castellan config file {}", self.config_file.display()))]);
        }
        let snap = Loader::new(&reg).config_file(&self.config_file).load().map_err(|e| {
            e.errors()
                .cloned()
                .map(|mut d| {
                    d.message = format!("{}: {}", self.who(), d.message);
                    d
                })
                .collect::<Vec<_>>()
        })?;
        let text = |g: &str, o: &str| snap.value(g, o).and_then(|v| v.as_str()).map(str::to_owned);
        let flag = |g: &str, o: &str| snap.get_as::<bool>(g, o).ok().flatten();
        let backend = text("key_manager", "backend").unwrap_or_else(|| "barbican".to_owned());
        if !matches!(backend.as_str(), "barbican" | "castellan.key_manager.barbican_key_manager.BarbicanKeyManager") {
            return Err(vec![
                self.finding(format!("[key_manager] backend {backend:?} is not supported here: only barbican")),
            ]);
        }
        let plugin = match text("key_manager", "auth_type").as_deref() {
            Some("keystone_password") => "password",
            Some("keystone_token") => "token",
            other => {
                return Err(vec![self.finding(format!(
                    "[key_manager] auth_type is {}: Barbican needs keystone_password or keystone_token \
                     (the service's own Keystone credentials)",
                    other.map_or("unset".to_owned(), |o| format!("{o:?}"))
                ))]);
            }
        };
        if flag("barbican", "send_service_user_token") == Some(true) {
            return Err(vec![self.finding("[barbican] send_service_user_token is not supported")]);
        }
        let built = plugins
            .get(plugin)
            .ok_or_else(|| vec![self.finding(format!("no {plugin} plugin"))])?
            .build(&PluginOptions::new(plugin, "key_manager", snap.group("key_manager")))
            .map_err(|e| vec![self.finding(format!("[key_manager]: {e}"))])?;
        let verify = flag("barbican", "verify_ssl").unwrap_or(true);
        let session = SessionOptions {
            cafile: if verify { text("barbican", "verify_ssl_path").map(PathBuf::from) } else { None },
            insecure: !verify,
            timeout: Some(self.timeout),
            ..SessionOptions::default()
        };
        let mut filter = EndpointFilter::new("key-manager");
        let kind = text("barbican", "barbican_endpoint_type").unwrap_or_else(|| "public".to_owned());
        let Some(interface) = Interface::parse(&kind) else {
            return Err(vec![self.finding(format!("[barbican] barbican_endpoint_type {kind:?} is not an interface"))]);
        };
        filter = filter.interfaces([interface]);
        if let Some(r) = text("barbican", "barbican_region_name") {
            filter = filter.region(r);
        }
        let who = self.who();
        let warnings = snap
            .warnings()
            .iter()
            .cloned()
            .map(|mut d| {
                d.message = format!("{who}: {}", d.message);
                d
            })
            .collect();
        Ok(KeyManager {
            warnings,
            plugin: built,
            session,
            endpoint: text("barbican", "barbican_endpoint"),
            filter,
            version: text("barbican", "barbican_api_version").unwrap_or_else(|| "v1".to_owned()),
        })
    }

    /// Fetches every mapped payload: (mapping, value) or, per mapping, what
    /// went wrong (never the payload).
    async fn fetch(&self, km: KeyManager, mappings: &[Mapping]) -> Result<Vec<(usize, String)>, Vec<Diagnostic>> {
        let session = Session::builder()
            .auth(km.plugin)
            .options(km.session)
            .build()
            .map_err(|e| vec![self.finding(format!("cannot build the session: {e}"))])?;
        let base = match km.endpoint {
            Some(e) => e,
            None => session
                .endpoint(&km.filter)
                .await
                .map_err(|e| vec![self.finding(format!("no Barbican endpoint: {e}"))])?,
        };
        let base = format!("{}/{}", base.trim_end_matches('/'), km.version.trim_matches('/'));
        let mut values = Vec::new();
        let mut failures = Vec::new();
        for (i, m) in mappings.iter().enumerate() {
            match self.payload(&session, &base, &m.secret).await {
                Ok(v) => values.push((i, v)),
                Err(Fetch::Auth(e)) => {
                    return Err(vec![self.finding(format!("cannot authenticate with Keystone: {e}"))]);
                }
                Err(Fetch::Secret(why)) => failures.push(
                    self.finding(format!("barbican secret {} for [{}] {}: {why}", m.secret, m.group, m.option))
                        .option(&m.group, &m.option)
                        .at(m.at.clone())
                        .suggest("check the secret id in the mapping file and that the service's user may read it"),
                ),
            }
        }
        if failures.is_empty() { Ok(values) } else { Err(failures) }
    }

    /// One secret's payload as text.
    async fn payload(&self, session: &Session, base: &str, secret: &str) -> Result<String, Fetch> {
        let url = if secret.starts_with("http://") || secret.starts_with("https://") {
            format!("{}/payload", secret.trim_end_matches('/'))
        } else if !secret.is_empty() && secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            format!("{base}/secrets/{secret}/payload")
        } else {
            return Err(Fetch::Secret("not a secret id or reference".to_owned()));
        };
        let mut accept = "application/octet-stream";
        loop {
            let req = Request::get(url.clone()).header("Accept", accept).raise_on_error(false);
            let resp = session
                .send(req)
                .await
                .map_err(|e| if e.is_auth() { Fetch::Auth(e.to_string()) } else { Fetch::Secret(e.to_string()) })?;
            return match resp.status {
                200 => {
                    String::from_utf8(resp.body).map_err(|_| Fetch::Secret("its payload is not UTF-8 text".to_owned()))
                }
                // A secret stored as text/plain that will not be given as bytes.
                406 if accept != "text/plain" => {
                    accept = "text/plain";
                    continue;
                }
                401 => Err(Fetch::Auth("Barbican refused the token (401)".to_owned())),
                403 => Err(Fetch::Secret("forbidden (403): the service's user may not read it".to_owned())),
                404 => Err(Fetch::Secret("not found (404)".to_owned())),
                s => Err(Fetch::Secret(format!("Barbican answered {s}"))),
            };
        }
    }
}

/// Why a payload was not fetched.
enum Fetch {
    /// The credentials: every secret fails the same way.
    Auth(String),
    /// This secret.
    Secret(String),
}

impl Source for BarbicanSource {
    fn describe(&self) -> String {
        format!("{} (barbican, mapping {})", self.who(), self.mapping_file.display())
    }

    fn precedence(&self) -> Precedence {
        self.precedence
    }

    fn read(&self) -> SourceRead {
        let mappings = match self.mappings() {
            Ok(m) => m,
            Err(ds) => return SourceRead::failed(ds),
        };
        if mappings.is_empty() {
            return SourceRead { layers: vec![Layer::default()], dirs: Vec::new(), diagnostics: Vec::new() };
        }
        let mut km = match self.key_manager() {
            Ok(km) => km,
            Err(ds) => return SourceRead::failed(ds),
        };
        let diagnostics = std::mem::take(&mut km.warnings);
        let run = || -> Result<Vec<(usize, String)>, Vec<Diagnostic>> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| vec![self.finding(format!("cannot start an HTTP runtime: {e}"))])?;
            rt.block_on(self.fetch(km, &mappings))
        };
        // On a thread of its own: `read` is synchronous and may be called
        // from inside a runtime.
        let fetched = std::thread::scope(|s| s.spawn(run).join())
            .unwrap_or_else(|_| Err(vec![self.finding("the read panicked")]));
        let values = match fetched {
            Ok(v) => v,
            Err(mut ds) => {
                ds.extend(diagnostics);
                return SourceRead::failed(ds);
            }
        };
        let mut layer = Layer::default();
        for (i, value) in values {
            let Some(m) = mappings.get(i) else { continue };
            let origin = Origin::SecretStore { name: format!("barbican secret {}", m.secret) };
            if !layer.groups.iter().any(|(g, _)| *g == m.group) {
                layer.groups.push((m.group.clone(), origin.clone()));
            }
            layer.entries.push(Entry::new(&m.group, &m.option, value, origin));
        }
        SourceRead { layers: vec![layer], dirs: Vec::new(), diagnostics }
    }
}

// Holds no secret itself (castellan.conf's are read on each use), but
// says so explicitly.
impl fmt::Debug for BarbicanSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarbicanSource")
            .field("config_file", &self.config_file)
            .field("mapping_file", &self.mapping_file)
            .field("group", &self.group)
            .finish()
    }
}

/// castellan's `config_source` driver (`driver = castellan`), with its
/// Barbican key manager: register it with
/// [`crate::Loader::config_source_driver`] (the `stackauth` command has
/// it). Options, as castellan's: `config_file` (castellan's configuration,
/// required) and `mapping_file` (`[group] option = <secret id>`,
/// required). As every config_source its values stand below files, the
/// environment and the command line; a reload reads the mapping again and
/// fetches every secret again. See [`BarbicanSource`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Castellan;

impl SourceDriver for Castellan {
    fn name(&self) -> &str {
        "castellan"
    }

    fn opts(&self) -> Vec<Opt> {
        vec![Opt::string("config_file").required(), Opt::string("mapping_file").required()]
    }

    fn open(&self, group: &str, values: &Snapshot) -> Result<Box<dyn Source>, Box<Diagnostic>> {
        let text = |name: &str| values.value(group, name).and_then(|v| v.as_str()).map(str::to_owned);
        let missing = |option: &str| {
            Box::new(
                Diagnostic::error(Code::MissingRequired, format!("castellan [{group}] has no {option}"))
                    .option(group, option)
                    .suggest("castellan needs config_file (castellan.conf) and mapping_file"),
            )
        };
        let Some(config_file) = text("config_file") else { return Err(missing("config_file")) };
        let Some(mapping_file) = text("mapping_file") else { return Err(missing("mapping_file")) };
        let mut source = BarbicanSource::new(config_file, mapping_file).precedence(Precedence::Fallback);
        source.group = Some(group.to_owned());
        Ok(Box::new(source))
    }
}
