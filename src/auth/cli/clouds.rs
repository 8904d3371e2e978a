//! openstacksdk's `clouds.yaml`: where it is looked for, `secure.yaml`
//! merged over it, `clouds-public.yaml` profiles under it, and what a
//! cloud's keys mean. Every value keeps its file and line.
//!
//! See [`find_cloud`] for what is read and how.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{GROUP, vendors_data};
use crate::auth::version::{Version, VersionSpec};
use crate::auth::{AdapterOptions, Interface};
use crate::diagnostic::{Code, Diagnostic};
use crate::resolve::{LoadError, did_you_mean};
use crate::source::yaml::{self, Node, NodeValue};
use crate::source::{Env, Location, Origin};

/// The directories files are looked for in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dirs {
    /// The current directory.
    pub cwd: PathBuf,
    /// The home directory (`~`).
    pub home: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME`, if set.
    pub config_home: Option<PathBuf>,
}

impl Dirs {
    /// The process's current directory, `$HOME` and `$XDG_CONFIG_HOME`.
    pub fn from_process() -> Dirs {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        Dirs {
            cwd: std::env::current_dir().unwrap_or_default(),
            home: var("HOME"),
            config_home: var("XDG_CONFIG_HOME"),
        }
    }

    /// openstacksdk's search directories, in order.
    fn search(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.cwd.clone()];
        let home_config = self.home.as_ref().map(|h| h.join(".config"));
        for d in [self.config_home.clone(), home_config].into_iter().flatten() {
            let d = d.join("openstack");
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
        dirs.push(PathBuf::from("/etc/xdg/openstack"));
        dirs.push(PathBuf::from("/etc/openstack"));
        dirs
    }

    /// `~/x` with the home directory.
    fn expand(&self, path: &str) -> String {
        match (path.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(h)) => h.join(rest).to_string_lossy().into_owned(),
            _ => path.to_owned(),
        }
    }
}

/// The files tried for each kind, in order: the first that exists is read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloudFiles {
    /// `clouds.yaml` candidates.
    pub clouds: Vec<PathBuf>,
    /// `secure.yaml` candidates.
    pub secure: Vec<PathBuf>,
    /// `clouds-public.yaml` candidates (profiles).
    pub public: Vec<PathBuf>,
    /// For `~` in `cacert`, `cert` and `key`.
    pub home: Option<PathBuf>,
}

impl CloudFiles {
    /// openstacksdk's search: `OS_CLIENT_CONFIG_FILE` (`OS_CLIENT_SECURE_FILE`)
    /// first, then `clouds` (`secure`, `clouds-public`) with `.yaml`, `.yml`
    /// and `.json` in each of [`Dirs`]'s directories.
    pub fn search(env: &Env, dirs: &Dirs) -> CloudFiles {
        let list = |name: &str, var: Option<&str>| {
            let first = var.and_then(|v| env.get(v)).filter(|v| !v.is_empty()).map(PathBuf::from);
            let rest = dirs
                .search()
                .into_iter()
                .flat_map(|d| ["yaml", "yml", "json"].into_iter().map(move |ext| d.join(format!("{name}.{ext}"))));
            first.into_iter().chain(rest).collect()
        };
        CloudFiles {
            clouds: list("clouds", Some("OS_CLIENT_CONFIG_FILE")),
            secure: list("secure", Some("OS_CLIENT_SECURE_FILE")),
            public: list("clouds-public", None),
            home: dirs.home.clone(),
        }
    }
}

/// One cloud: `clouds.yaml` with `secure.yaml` merged over it and its
/// profile under it, as option values of the command-line group, each with
/// its file and line.
#[derive(Clone)]
pub struct Cloud {
    /// The cloud's name.
    pub name: String,
    /// `auth_type`, if the cloud (or its profile) sets one.
    pub auth_type: Option<(String, Origin)>,
    /// `identity_api_version`, if set.
    pub identity_api_version: Option<(String, Origin)>,
    /// (option, value, origin): the `auth` mapping's entries and the
    /// session and adapter settings.
    pub(super) values: Vec<(String, String, Origin)>,
    /// Other top-level keys: openstacksdk reads a plugin option there when
    /// `auth` does not have it.
    pub(super) loose: Vec<(String, String, Origin)>,
    /// Warnings (a deprecated profile, `cacert` with `verify: false`...).
    pub(super) warnings: Vec<Diagnostic>,
    /// `rate_limit:` and `concurrency:` mappings: (key, service type as
    /// written, value, origin).
    per_service: Vec<(String, String, String, Origin)>,
    /// The files read.
    files: Vec<PathBuf>,
}

// Values may be secrets: names only.
impl std::fmt::Debug for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.values.iter().map(|(k, _, _)| k.as_str()).collect();
        f.debug_struct("Cloud")
            .field("name", &self.name)
            .field("auth_type", &self.auth_type)
            .field("options", &keys)
            .field("files", &self.files)
            .finish()
    }
}

impl Cloud {
    /// The options the cloud sets, with where (values left out: they may be
    /// secrets).
    pub fn options(&self) -> impl Iterator<Item = (&str, &Origin)> {
        self.values.iter().map(|(k, _, o)| (k.as_str(), o))
    }

    /// The files it was read from: `clouds.yaml`, then `secure.yaml` and
    /// `clouds-public.yaml` when they were used.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// What is worth a warning about it.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// openstacksdk's `_get_config(key, service_type)`: the value of
    /// `<type>_<key>` for the official type of `service_type` or any of its
    /// aliases (`block_storage_api_version`, then `volumev3_api_version`,
    /// ...), `-` written `_`; with where it was set.
    pub fn service_value(&self, key: &str, service_type: &str) -> Option<(&str, &Origin)> {
        crate::auth::service_types::all_types(service_type).iter().find_map(|st| {
            let full = format!("{}_{key}", st.to_lowercase().replace('-', "_"));
            self.loose.iter().find(|(k, _, _)| *k == full).map(|(_, v, o)| (v.as_str(), o))
        })
    }

    /// The adapter settings for `service_type` in this cloud: `base` (the
    /// cloud-wide and command-line settings) with the cloud's
    /// `<service>_service_type`, `_service_name`, `_interface`,
    /// `_region_name`, `_endpoint_override` (else `_endpoint`),
    /// `_api_version`, `_connect_retries`, `_status_code_retries` (and their
    /// `_delay`s), and the service's entries of `rate_limit:` and
    /// `concurrency:`, laid over it, as openstacksdk's `CloudRegion` does. The
    /// service type is the authority's official one (`volume` asks for
    /// `block-storage`) unless the cloud sets one. An `_api_version` that
    /// is not a number is skipped with a warning, as openstacksdk skips it.
    pub fn adapter_options(
        &self,
        service_type: &str,
        base: &AdapterOptions,
    ) -> Result<(AdapterOptions, Vec<Diagnostic>), LoadError> {
        let mut o = base.clone();
        let mut warnings = Vec::new();
        let official = crate::auth::service_types::official(service_type).unwrap_or(service_type);
        let value = |key: &str| self.service_value(key, official);
        let bad = |origin: &Origin, message: String| {
            fail(Diagnostic::error(Code::AuthOption, message).group(GROUP).at(origin.clone()))
        };
        o.service_type = Some(value("service_type").map_or_else(|| official.to_owned(), |(v, _)| v.to_owned()));
        if let Some((v, _)) = value("service_name") {
            o.service_name = Some(v.to_owned());
        }
        if let Some((v, origin)) = value("interface") {
            o.interfaces = v
                .split(',')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(|i| {
                    Interface::parse(i)
                        .ok_or_else(|| bad(origin, format!("{i:?} is not an interface (public, internal, admin)")))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some((v, _)) = value("region_name") {
            o.region_name = Some(v.to_owned());
        }
        if let Some((v, _)) = value("endpoint_override").filter(|(v, _)| !v.is_empty()).or_else(|| value("endpoint")) {
            o.endpoint_override = Some(v.to_owned()).filter(|v| !v.is_empty());
        }
        if let Some((v, origin)) = value("api_version") {
            match v.parse::<f64>().ok().and(v.parse::<Version>().ok()) {
                Some(version) => o.version = Some(VersionSpec::version(version)),
                None => warnings.push(
                    Diagnostic::warning(
                        Code::AuthOption,
                        format!("{official} api_version {v:?} is not a version number: skipped, as openstacksdk does"),
                    )
                    .group(GROUP)
                    .at(origin.clone()),
                ),
            }
        }
        let number = |key: &str| -> Result<Option<f64>, LoadError> {
            match value(key) {
                Some((v, origin)) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite() && *n >= 0.0)
                    .map(Some)
                    .ok_or_else(|| bad(origin, format!("{key} must be a number, not {v:?}"))),
                None => Ok(None),
            }
        };
        // `rate_limit:` and `concurrency:` name the service (any of its
        // types; `block-storage` and `block_storage` alike, where
        // openstacksdk never matches a name with a `-`).
        let types = crate::auth::service_types::all_types(official);
        let per_service = |key: &str| {
            types.iter().find_map(|st| {
                self.per_service
                    .iter()
                    .find(|(k, s, _, _)| k == key && crate::auth::service_types::same_service_type(s, st))
                    .map(|(_, _, v, o)| (v.as_str(), o))
            })
        };
        if let Some((v, origin)) = per_service("rate_limit") {
            let n = v.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0);
            o.rate_limit = Some(n.ok_or_else(|| bad(origin, format!("rate_limit must be a number, not {v:?}")))?);
        }
        if let Some((v, origin)) = per_service("concurrency") {
            let n = v.parse::<usize>().ok();
            o.concurrency =
                Some(n.ok_or_else(|| bad(origin, format!("concurrency must be a whole number, not {v:?}")))?);
        }
        if let Some(n) = number("connect_retries")? {
            o.connect_retries = Some(n as u32);
        }
        if let Some(n) = number("status_code_retries")? {
            o.status_code_retries = Some(n as u32);
        }
        if let Some(n) = number("connect_retry_delay")? {
            o.connect_retry_delay = Some(std::time::Duration::from_secs_f64(n));
        }
        if let Some(n) = number("status_code_retry_delay")? {
            o.status_code_retry_delay = Some(std::time::Duration::from_secs_f64(n));
        }
        Ok((o, warnings))
    }

    /// The value of `key` among the `auth` values.
    pub(super) fn value(&self, key: &str) -> Option<&str> {
        self.values.iter().find(|(k, _, _)| k == key).map(|(_, v, _)| v.as_str())
    }
}

/// A node and the file it is in.
#[derive(Clone)]
struct At {
    node: Node,
    path: Arc<Path>,
    /// The `OS_*` variable it came from (the `envvars` cloud), if not a
    /// file.
    var: Option<Arc<str>>,
}

impl At {
    fn new(node: Node, path: &Arc<Path>) -> At {
        At { node, path: path.clone(), var: None }
    }

    fn origin(&self) -> Origin {
        match &self.var {
            Some(var) => Origin::Env { var: var.to_string() },
            None => Origin::File(Location { path: self.path.clone(), line: self.node.line, column: self.node.column }),
        }
    }

    fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(Code::AuthOption, message).group(GROUP).at(self.origin())
    }
}

fn file_error(path: &Path, at: (u32, u32), message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::AuthOption, message).group(GROUP).at(Origin::File(Location {
        path: Arc::from(path),
        line: at.0,
        column: at.1,
    }))
}

fn fail(d: Diagnostic) -> LoadError {
    LoadError::new(vec![d])
}

/// A cloud mapping: its top-level keys and its `auth` keys, each with its
/// node; merging replaces keys one by one.
#[derive(Clone, Default)]
struct Entries {
    top: Vec<(String, At)>,
    auth: Vec<(String, At)>,
}

impl Entries {
    fn read(at: &At, what: &str) -> Result<Entries, LoadError> {
        let NodeValue::Map(entries) = &at.node.value else {
            return Err(fail(at.error(format!("{what} is {}, not a mapping", at.node.kind()))));
        };
        let mut out = Entries::default();
        for (k, v) in entries {
            let child = At { node: v.clone(), path: at.path.clone(), var: at.var.clone() };
            if k == "auth" {
                match &v.value {
                    NodeValue::Map(auth) => {
                        for (ak, av) in auth {
                            out.auth.push((
                                ak.replace('-', "_"),
                                At { node: av.clone(), path: at.path.clone(), var: None },
                            ));
                        }
                    }
                    NodeValue::Null => {}
                    _ => return Err(fail(child.error(format!("{what}: auth is {}, not a mapping", v.kind())))),
                }
            } else {
                out.top.push((k.replace('-', "_"), child));
            }
        }
        Ok(out)
    }

    fn merge(mut self, over: Entries) -> Entries {
        for (list, new) in [(&mut self.top, over.top), (&mut self.auth, over.auth)] {
            for (k, v) in new {
                list.retain(|(x, _)| *x != k);
                list.push((k, v));
            }
        }
        self
    }

    fn top(&self, key: &str) -> Option<&At> {
        self.top.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A file read: its path and its document (`None`: it holds nothing).
type Read = (Arc<Path>, Option<Node>);

/// The first file of `list` that exists, parsed; `None` when none exists.
fn read_first(list: &[PathBuf]) -> Result<Option<Read>, LoadError> {
    let Some(path) = list.iter().find(|p| p.is_file()) else { return Ok(None) };
    // The same checks as config files (size, FIFOs, UTF-8 with its place).
    let text = crate::source::load_text(path).map_err(LoadError::new)?;
    let path: Arc<Path> = Arc::from(path.as_path());
    if text.trim().is_empty() {
        return Ok(Some((path, None)));
    }
    let doc = yaml::parse(&text)
        .map_err(|e| fail(file_error(&path, (e.line, e.column), format!("not valid YAML: {}", e.message))))?;
    if doc.is_null() {
        return Ok(Some((path, None)));
    }
    if !matches!(doc.value, NodeValue::Map(_)) {
        let at = At::new(doc, &path);
        return Err(fail(at.error(format!("the file holds {}, not a mapping", at.node.kind()))));
    }
    Ok(Some((path, Some(doc))))
}

/// The mapping under `key` of a file's top level (`clouds`,
/// `public-clouds`): its entries, each with its node.
fn section(path: &Arc<Path>, doc: &Option<Node>, key: &str) -> Result<Vec<(String, At)>, LoadError> {
    let Some(Node { value: NodeValue::Map(top), .. }) = doc else { return Ok(Vec::new()) };
    let Some((_, node)) = top.iter().find(|(k, _)| k == key) else { return Ok(Vec::new()) };
    let at = At::new(node.clone(), path);
    match &node.value {
        NodeValue::Map(entries) => Ok(entries.iter().map(|(k, v)| (k.clone(), At::new(v.clone(), path))).collect()),
        NodeValue::Null => Ok(Vec::new()),
        _ => Err(fail(at.error(format!("{key} is {}, not a mapping", node.kind())))),
    }
}

/// Reads cloud `name` from the files of `files`, as openstacksdk does.
/// A cloud that is in neither `clouds.yaml` nor `secure.yaml` is an error
/// listing the clouds there are (with a did-you-mean).
///
/// As openstacksdk (`openstack/config/loader.py`):
///
/// - files are looked for in the current directory, the user's config
///   directory (`$XDG_CONFIG_HOME/openstack`, `~/.config/openstack`) and the
///   site's (`/etc/xdg/openstack`, `/etc/openstack`), as `.yaml`, `.yml` or
///   `.json`; the first that exists is read. `OS_CLIENT_CONFIG_FILE` and
///   `OS_CLIENT_SECURE_FILE` name a file to try first;
/// - `secure.yaml`'s cloud is merged over `clouds.yaml`'s, and both over the
///   profile the cloud names (`profile:`, or the old `cloud:`) in
///   `clouds-public.yaml`'s `public-clouds:`; the `auth` mappings are
///   merged key by key, the rest replaced;
/// - `verify: false` (or `insecure: true`) turns verification off, `cacert`,
///   `cert` and `key` are the CA bundle and client certificate (`~`
///   expanded), `api_timeout` the timeout, `region_name` (else the first of
///   `regions`) the region, `interface` (or the old `endpoint_type`) the
///   interface, `auth_type` (or the old `auth_plugin`) the plugin;
/// - `domain_id`/`domain_name` in a project-scoped cloud's `auth` is the
///   default of the user's and the project's domain.
///
/// Unlike openstacksdk, a file that does not parse, or a cloud that is not
/// shaped as one, is an error naming the file and line (openstacksdk skips
/// a file it cannot parse), and a profile that is in no
/// `clouds-public.yaml` is an error (openstacksdk would look in its own
/// vendor list, which is not included here, and go on without it).
pub fn find_cloud(name: &str, files: &CloudFiles) -> Result<Cloud, LoadError> {
    find_cloud_region(name, None, files, None)
}

/// [`find_cloud`] for region `region` (`--os-region-name`,
/// `OS_REGION_NAME`; `None`: the cloud's `region_name`, else the first of its
/// `regions`), with the `OS_*` variables of `env` (`None`: none, as
/// openstacksdk's `load_envvars=False`).
///
/// As openstacksdk:
///
/// - `regions:` lists names, or mappings with `name` and `values`; the
///   region's `values` are laid over the cloud's (its `auth` key by key).
///   A region the cloud does not list is an error naming those it does;
/// - the cloud named by `OS_CLOUD_NAME` (default `envvars`) is made of the
///   `OS_*` variables (`OS_IMAGE_API_VERSION` is `image_api_version`); a
///   `clouds.yaml` cloud of that name is an error, as in openstacksdk;
/// - a `profile:` that no `clouds-public.yaml` defines is looked for among
///   openstacksdk's vendor profiles (shipped as data, refreshed by
///   `scripts/refresh-vendor-profiles.sh`).
pub fn find_cloud_region(
    name: &str,
    region: Option<&str>,
    files: &CloudFiles,
    env: Option<&Env>,
) -> Result<Cloud, LoadError> {
    let envvar_key = env.and_then(|e| e.get("OS_CLOUD_NAME")).unwrap_or("envvars").to_owned();
    let mut known = Vec::new();
    let mut looked = Vec::new();
    let mut read = Vec::new();
    let mut merged: Option<Entries> = None;
    for list in [&files.clouds, &files.secure] {
        let Some((path, doc)) = read_first(list)? else { continue };
        looked.push(path.display().to_string());
        let clouds = section(&path, &doc, "clouds")?;
        if let (Some(_), Some((_, at))) = (env, clouds.iter().find(|(k, _)| *k == envvar_key)) {
            return Err(fail(
                at.error(format!(
                    "the cloud {envvar_key:?} is the one the OS_* variables make (OS_CLOUD_NAME names it): \
                     a file cannot define it"
                ))
                .suggest("rename the cloud, or set OS_CLOUD_NAME to another name"),
            ));
        }
        known.extend(clouds.iter().map(|(k, _)| k.clone()));
        if let Some((_, at)) = clouds.iter().find(|(k, _)| k == name) {
            let entries = Entries::read(at, &format!("cloud {name:?}"))?;
            read.push(path.to_path_buf());
            merged = Some(merged.take().unwrap_or_default().merge(entries));
        }
    }
    if merged.is_none() && name == envvar_key {
        merged = env.and_then(env_cloud);
    }
    let Some(cloud) = merged else {
        return Err(not_found(name, &looked, &known));
    };
    let mut warnings = Vec::new();
    let cloud = match profile(&cloud, files, &envvar_key, &mut warnings)? {
        Some((base, path)) => {
            read.push(path);
            base.merge(cloud)
        }
        None => cloud,
    };
    let cloud = with_region(name, cloud, region)?;
    interpret(name, cloud, files.home.as_deref(), read, warnings)
}

/// openstacksdk's default cloud when none is named (no `--os-cloud`, no
/// `OS_CLOUD`): none when `OS_*` variables make the `envvars` cloud
/// (stackauth reads those as they are), else the only cloud that
/// `clouds.yaml` and `secure.yaml` define, when they define one. A file that
/// cannot be read gives none here; naming its cloud reports why.
pub fn default_cloud(files: &CloudFiles, env: &Env) -> Option<String> {
    if env_cloud(env).is_some() {
        return None;
    }
    let mut names: Vec<String> = Vec::new();
    for list in [&files.clouds, &files.secure] {
        let Ok(Some((path, doc))) = read_first(list) else { continue };
        let Ok(clouds) = section(&path, &doc, "clouds") else { continue };
        for (name, _) in clouds {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    match names.len() {
        1 => names.pop(),
        _ => None,
    }
}

/// openstacksdk's `_get_os_environ`: every `OS_*` variable (but
/// `OS_TEST*`, `OS_STD*`, `OS_LOG*`) as a key, `OS_AUTH_URL` as
/// `auth_url`; `None` when only the selectors (`OS_CLOUD`,
/// `OS_REGION_NAME`...) are set.
fn env_cloud(env: &Env) -> Option<Entries> {
    const SELECTORS: [&str; 5] =
        ["OS_CLOUD", "OS_REGION_NAME", "OS_CLIENT_CONFIG_FILE", "OS_CLIENT_SECURE_FILE", "OS_CLOUD_NAME"];
    let path: Arc<Path> = Arc::from(Path::new("environment"));
    let mut out = Entries::default();
    let mut any = false;
    for (var, value) in env.vars() {
        let Some(rest) = var.strip_prefix("OS_") else { continue };
        if ["TEST", "STD", "LOG"].iter().any(|p| rest.starts_with(p)) {
            continue;
        }
        if SELECTORS.contains(&var) && var != "OS_REGION_NAME" {
            // They choose the cloud and its files; as keys they mean nothing.
            continue;
        }
        any |= var != "OS_REGION_NAME";
        let node = Node { value: NodeValue::Str(value.to_owned()), line: 0, column: 0 };
        out.top.push((rest.to_lowercase(), At { node, path: path.clone(), var: Some(Arc::from(var)) }));
    }
    any.then_some(out)
}

/// The cloud with its region chosen and the region's `values` laid over it.
fn with_region(name: &str, mut cloud: Entries, asked: Option<&str>) -> Result<Entries, LoadError> {
    let regions = match (cloud.top("regions"), cloud.top("region_name")) {
        (Some(at), _) => regions(at)?,
        (None, Some(at)) => match &at.node.value {
            NodeValue::Seq(_) => regions(at)?,
            _ => match at.node.key_text() {
                Some(v) => v.split(',').map(|n| (n.to_owned(), at.clone(), None)).collect(),
                None => Vec::new(),
            },
        },
        (None, None) => Vec::new(),
    };
    cloud.top.retain(|(k, _)| k != "regions");
    let asked = asked.filter(|r| !r.is_empty());
    let chosen = match asked {
        None => regions.into_iter().next(),
        Some(_) if regions.is_empty() => None,
        Some(r) => match regions.iter().position(|(n, _, _)| n == r) {
            Some(i) => regions.into_iter().nth(i),
            None => {
                let names: Vec<&str> = regions.iter().map(|(n, _, _)| n.as_str()).collect();
                let at = &regions[0].1;
                return Err(fail(
                    at.error(format!(
                        "region {r:?} is not a region of cloud {name:?}: it has {} (region names are case-sensitive)",
                        names.join(", ")
                    ))
                    .suggest(format!("--os-region-name {}", names[0])),
                ));
            }
        },
    };
    let Some((region, at, values)) = chosen else { return Ok(cloud) };
    // The name first: the region's own values may not rename it.
    let name_at = At { node: Node { value: NodeValue::Str(region), ..at.node.clone() }, ..at };
    let mut cloud = match values {
        Some(v) => cloud.merge(Entries::read(&v, "a region's values")?),
        None => cloud,
    };
    cloud.top.retain(|(k, _)| k != "region_name");
    cloud.top.push(("region_name".to_owned(), name_at));
    Ok(cloud)
}

/// `regions:` as (name, where, values): names, or mappings with `name`
/// and (only) `values`.
fn regions(at: &At) -> Result<Vec<(String, At, Option<At>)>, LoadError> {
    let NodeValue::Seq(items) = &at.node.value else {
        return Err(fail(at.error(format!("regions is {}, not a list", at.node.kind()))));
    };
    let mut out = Vec::new();
    for item in items {
        let item_at = At { node: item.clone(), ..at.clone() };
        let bad = || fail(item_at.error("a region is a name, or a mapping with name: and values:"));
        match &item.value {
            NodeValue::Map(m) => {
                if m.iter().any(|(k, _)| k != "name" && k != "values") {
                    return Err(bad());
                }
                let name = m.iter().find(|(k, _)| k == "name").and_then(|(_, v)| v.key_text()).ok_or_else(bad)?;
                let values = m.iter().find(|(k, _)| k == "values").map(|(_, v)| At { node: v.clone(), ..at.clone() });
                let values = values.filter(|v| !v.node.is_null());
                out.push((name, item_at.clone(), values));
            }
            _ => out.push((item.key_text().ok_or_else(bad)?, item_at.clone(), None)),
        }
    }
    Ok(out)
}

fn not_found(name: &str, looked: &[String], known: &[String]) -> LoadError {
    let message = if looked.is_empty() {
        format!("cloud {name:?} was asked for, but no clouds.yaml was found")
    } else {
        format!("cloud {name:?} is not in {}", looked.join(", "))
    };
    let d = Diagnostic::error(Code::AuthOption, message).group(GROUP);
    let d = match did_you_mean(name, known.iter().map(String::as_str)) {
        Some(s) => d.suggest(format!("did you mean {s:?}?")),
        None if known.is_empty() => d.suggest(
            "write it under clouds: in ./clouds.yaml, ~/.config/openstack/clouds.yaml or /etc/openstack/clouds.yaml",
        ),
        None => d.suggest(format!("known clouds: {}", known.join(", "))),
    };
    fail(d)
}

/// The profile the cloud names: from the first `clouds-public.yaml`, else
/// openstacksdk's vendor profiles.
fn profile(
    cloud: &Entries,
    files: &CloudFiles,
    envvar_key: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Option<(Entries, PathBuf)>, LoadError> {
    let (key, at) = match (cloud.top("profile"), cloud.top("cloud")) {
        (Some(at), _) => ("profile", at),
        (None, Some(at)) => ("cloud", at),
        (None, None) => return Ok(None),
    };
    let Some(name) = at.node.key_text() else {
        return Err(fail(at.error(format!("{key} is {}, not the name of a profile", at.node.kind()))));
    };
    if name == envvar_key {
        return Ok(None);
    }
    if key == "cloud" {
        warnings.push(
            Diagnostic::warning(Code::DeprecatedName, "the key cloud: is deprecated: use profile:")
                .group(GROUP)
                .at(at.origin()),
        );
    }
    let public = read_first(&files.public)?;
    let profiles = match &public {
        Some((path, doc)) => section(path, doc, "public-clouds")?,
        None => Vec::new(),
    };
    let found = match profiles.iter().find(|(k, _)| *k == name) {
        Some((_, found)) => found.clone(),
        None => match vendor(&name)? {
            Some(v) => match remote_profile(&v) {
                // openstacksdk would fetch `<url>/.well-known/openstack/api`.
                Some(url) => {
                    let d = at.error(format!(
                        "profile {name:?} is a remote profile ({url}), which openstacksdk fetches and stackauth does not"
                    ))
                    .suggest("set the cloud's auth_url (and regions) in clouds.yaml, or define the profile under public-clouds: in clouds-public.yaml");
                    return Err(fail(d));
                }
                None => v,
            },
            None => {
                let mut d = at.error(match &public {
                    Some((path, _)) => format!(
                        "profile {name:?} is not under public-clouds: in {} nor one of openstacksdk's vendor profiles",
                        path.display()
                    ),
                    None => format!(
                        "profile {name:?} is in no clouds-public.yaml nor one of openstacksdk's vendor profiles"
                    ),
                });
                let names = profiles.iter().map(|(k, _)| k.as_str()).chain(vendors_data::PROFILES.iter().map(|p| p.0));
                d = match did_you_mean(&name, names) {
                    Some(s) => d.suggest(format!("did you mean {s:?}?")),
                    None => d.suggest("define it under public-clouds: in clouds-public.yaml beside clouds.yaml"),
                };
                return Err(fail(d));
            }
        },
    };
    let found = &found;
    let entries = Entries::read(found, &format!("profile {name:?}"))?;
    let text = |k: &str| entries.top(k).and_then(|a| a.node.key_text());
    let message = text("message").unwrap_or_default();
    match text("status").as_deref() {
        Some("deprecated") => warnings.push(
            Diagnostic::warning(Code::DeprecatedName, format!("profile {name:?} is deprecated: {message}"))
                .group(GROUP)
                .at(found.origin()),
        ),
        Some("shutdown") => {
            return Err(fail(found.error(format!("profile {name:?} is a cloud that no longer exists: {message}"))));
        }
        _ => {}
    }
    let path = found.path.to_path_buf();
    let mut entries = entries;
    entries.top.retain(|(k, _)| !matches!(k.as_str(), "status" | "message" | "profile" | "cloud"));
    Ok(Some((entries, path)))
}

/// openstacksdk's vendor profile `name` (one that names another profile is
/// that one, as `vendors.get_profile` and `_expand_vendor_profile` do).
fn vendor(name: &str) -> Result<Option<At>, LoadError> {
    let find = |n: &str| vendors_data::PROFILES.iter().find(|(p, _, _)| *p == n);
    let Some(mut found) = find(name) else { return Ok(None) };
    let parse = |(p, file, text): &(&str, &str, &str)| -> Result<At, LoadError> {
        let path: Arc<Path> = Arc::from(Path::new(&format!(
            "openstacksdk {} vendor profile {p} (openstack/config/vendors/{file})",
            vendors_data::PACKAGE_VERSION
        )));
        let node = yaml::parse(text).map_err(|e| fail(file_error(&path, (e.line, e.column), e.message)))?;
        Ok(At::new(node, &path))
    };
    let at = parse(found)?;
    if let NodeValue::Map(m) = &at.node.value {
        if let Some(nested) = m.iter().find(|(k, _)| k == "profile").and_then(|(_, v)| v.key_text()) {
            if let Some(n) = find(&nested) {
                found = n;
                return parse(found).map(Some);
            }
        }
    }
    Ok(Some(at))
}

/// The URL of a vendor profile that is only a pointer to a well-known
/// document on the vendor's site (`{"profile": "https://vexxhost.com"}`).
fn remote_profile(v: &At) -> Option<String> {
    let NodeValue::Map(m) = &v.node.value else { return None };
    let url = m.iter().find(|(k, _)| k == "profile").and_then(|(_, v)| v.key_text())?;
    (url.starts_with("https://") || url.starts_with("http://")).then_some(url)
}

/// A scalar (or a list of scalars, joined with `,`) as text; `None` for
/// null.
fn text(at: &At, what: &str) -> Result<Option<String>, LoadError> {
    match &at.node.value {
        NodeValue::Null => Ok(None),
        NodeValue::Seq(items) => {
            let parts: Option<Vec<String>> = items.iter().map(Node::key_text).collect();
            parts.map(|p| Some(p.join(","))).ok_or_else(|| fail(at.error(format!("{what} must be a list of values"))))
        }
        NodeValue::Map(_) => Err(fail(at.error(format!("{what} is a mapping, not a value")))),
        _ => Ok(at.node.key_text()),
    }
}

fn boolean(at: &At, what: &str) -> Result<bool, LoadError> {
    match &at.node.value {
        NodeValue::Bool(b) => Ok(*b),
        NodeValue::Str(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        NodeValue::Str(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(fail(
            at.error(format!("{what} must be true or false, not {}", at.node.kind())).suggest(format!("{what}: false")),
        )),
    }
}

/// What a cloud's keys mean.
fn interpret(
    name: &str,
    mut cloud: Entries,
    home: Option<&Path>,
    files: Vec<PathBuf>,
    mut warnings: Vec<Diagnostic>,
) -> Result<Cloud, LoadError> {
    let dirs = Dirs { home: home.map(Path::to_path_buf), ..Dirs::default() };
    domains(&mut cloud);
    format_values(&mut cloud)?;
    let mut out = Cloud {
        name: name.to_owned(),
        auth_type: None,
        identity_api_version: None,
        values: Vec::new(),
        loose: Vec::new(),
        per_service: Vec::new(),
        warnings: Vec::new(),
        files,
    };
    for (k, at) in &cloud.auth {
        if let Some(v) = text(at, &format!("auth: {k}"))? {
            out.values.push((k.clone(), v, at.origin()));
        }
    }
    let set = |out: &mut Cloud, key: &str, v: String, at: &At| {
        out.values.retain(|(k, _, _)| k != key);
        out.values.push((key.to_owned(), v, at.origin()));
    };
    let (mut verify, mut insecure) = (None, None);
    // openstacksdk's magic_fixes: `<service>_endpoint_type` is
    // `<service>_interface`, and a `<service>_timeout` replaces
    // `api_timeout`.
    for (k, _) in cloud.top.iter_mut() {
        if let Some(service) = k.strip_suffix("endpoint_type") {
            *k = format!("{service}interface");
        } else if k.ends_with("timeout") && k != "timeout" && k != "api_timeout" {
            *k = "api_timeout".to_owned();
        }
    }
    // Old keys first, so that the current ones win.
    let order = |k: &str| matches!(k, "auth_plugin");
    let mut top: Vec<&(String, At)> = cloud.top.iter().collect();
    top.sort_by_key(|(k, _)| !order(k));
    for (k, at) in top {
        if matches!(k.as_str(), "auth_type" | "auth_plugin") && at.node.is_null() {
            // openstacksdk: no plugin named is the `none` plugin.
            out.auth_type = Some(("none".to_owned(), at.origin()));
            continue;
        }
        if matches!(k.as_str(), "rate_limit" | "concurrency") {
            // openstacksdk's `_get_service_config`: service type -> value.
            match &at.node.value {
                NodeValue::Map(entries) => {
                    for (st, node) in entries {
                        let child = At { node: node.clone(), ..at.clone() };
                        if let Some(v) = text(&child, &format!("{k}: {st}"))? {
                            out.per_service.push((k.clone(), st.clone(), v, child.origin()));
                        }
                    }
                }
                NodeValue::Null => {}
                _ => warnings.push(
                    Diagnostic::warning(
                        Code::AuthOption,
                        format!(
                            "{k} is a mapping of service type to value (compute: 5), not {}: ignored",
                            at.node.kind()
                        ),
                    )
                    .group(GROUP)
                    .at(at.origin()),
                ),
            }
            continue;
        }
        let v = match text(at, k) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            // `networks`, `metrics`... are structures openstacksdk reads for
            // its own cloud layer; no option here takes them.
            Err(_) if known_key(k) && !matches!(k.as_str(), "auth_type" | "auth_plugin" | "region_name") => continue,
            Err(e) => return Err(e),
        };
        match k.as_str() {
            "auth_type" | "auth_plugin" => {
                // openstacksdk's `_get_auth_loader`.
                let v = match v.as_str() {
                    "" | "None" => "none".to_owned(),
                    "token_endpoint" => "admin_token".to_owned(),
                    _ => v,
                };
                out.auth_type = Some((v, at.origin()));
            }
            "identity_api_version" => out.identity_api_version = Some((v, at.origin())),
            "region_name" => set(&mut out, "region_name", v, at),
            "interface" => set(&mut out, "valid_interfaces", v, at),
            "cacert" => set(&mut out, "cafile", dirs.expand(&v), at),
            "cert" => set(&mut out, "certfile", dirs.expand(&v), at),
            "key" => set(&mut out, "keyfile", dirs.expand(&v), at),
            "api_timeout" => set(&mut out, "timeout", v, at),
            "verify" => {
                let on = boolean(at, "verify")?;
                verify = Some((on, at.clone()));
            }
            "insecure" => {
                if boolean(at, "insecure")? {
                    insecure = Some(at.clone());
                }
            }
            "profile" | "cloud" => {}
            _ => out.loose.push((k.clone(), v, at.origin())),
        }
    }
    // insecure: true is the strongest, as in openstacksdk.
    if let Some(at) = insecure {
        verify = Some((false, at));
    }
    if let Some((on, at)) = verify {
        set(&mut out, "insecure", (!on).to_string(), &at);
        if !on && out.value("cafile").is_some() {
            warnings.push(
                Diagnostic::warning(
                    Code::AuthOption,
                    "cacert is set but verify is false: the server will not be verified",
                )
                .group(GROUP)
                .at(at.origin()),
            );
        }
    }
    out.warnings = warnings;
    Ok(out)
}

/// openstacksdk's last step of `get_one`: a top-level string value (and
/// `auth`'s `auth_url`, as `magic_fixes` does) is a Python format string
/// over the cloud's top-level values (a vendor's
/// `https://{region_name}.blockstorage.example/v2/`; `region_name` is empty
/// when no region is chosen); `{{` and `}}` are braces. A name the cloud
/// has no value for is an error at the value's line (openstacksdk raises
/// `KeyError`); `password` is left as it is.
fn format_values(cloud: &mut Entries) -> Result<(), LoadError> {
    let mut scalars: Vec<(String, String)> =
        cloud.top.iter().filter_map(|(k, at)| Some((k.clone(), at.node.key_text()?))).collect();
    if !scalars.iter().any(|(k, _)| k == "region_name") {
        scalars.push(("region_name".to_owned(), String::new()));
    }
    let auth_url = cloud.auth.iter_mut().filter(|(k, _)| k == "auth_url");
    for (k, at) in cloud.top.iter_mut().filter(|(k, _)| k != "password").chain(auth_url) {
        let NodeValue::Str(text) = &at.node.value else { continue };
        if !(text.contains('{') || text.contains('}')) {
            continue;
        }
        let formatted = python_format(text, &scalars).map_err(|e| fail(at.error(format!("{k}: {e}"))))?;
        at.node.value = NodeValue::Str(formatted);
    }
    Ok(())
}

/// `text.format(**values)` for plain `{name}` fields.
fn python_format(text: &str, values: &[(String, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        return Err(format!(
                            "{{{name}}} names no value of the cloud (openstacksdk fills in {{region_name}} and \
                             the like; write {{{{ and }}}} for braces)"
                        ));
                    }
                }
            }
            '}' => return Err("a lone } (write }} for a brace)".to_owned()),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// openstacksdk's `_handle_domain_id`: in a project-scoped cloud, `auth`'s
/// `domain_id` (`domain_name`) is the default of `user_domain_id` and
/// `project_domain_id` (`_name`), not a scope of its own; otherwise a
/// top-level one moves into `auth`.
fn domains(cloud: &mut Entries) {
    let has = |c: &Entries, k: &str| c.auth.iter().any(|(x, _)| x == k) || c.top.iter().any(|(x, _)| x == k);
    let scoped = has(cloud, "project_id") || has(cloud, "project_name");
    for (target, user, project) in [
        ("domain_id", "user_domain_id", "project_domain_id"),
        ("domain_name", "user_domain_name", "project_domain_name"),
    ] {
        if !scoped {
            if let Some(at) = cloud.top(target).cloned() {
                if !cloud.auth.iter().any(|(k, _)| k == target) {
                    cloud.auth.push((target.to_owned(), at));
                }
            }
            continue;
        }
        if let Some(at) = cloud.auth.iter().find(|(k, _)| k == target).map(|(_, a)| a.clone()) {
            for key in [user, project] {
                if !cloud.auth.iter().any(|(k, _)| k == key) {
                    cloud.auth.push((key.to_owned(), at.clone()));
                }
            }
        }
        cloud.auth.retain(|(k, _)| k != target);
        cloud.top.retain(|(k, _)| k != target);
    }
}

/// The top-level keys of a cloud that openstacksdk reads (or accepts), but
/// the per-service ones: `schema.json`'s and `vendor-schema.json`'s
/// properties, `clouds-schema.json`'s `cloudExtras`, and what
/// `loader.py` and `cloud_region.py` read.
const KNOWN_KEYS: &[&str] = &[
    "api_timeout",
    "api_version",
    "app_name",
    "app_version",
    "auth",
    "auth_methods",
    "auth_plugin",
    "auth_type",
    "cacert",
    "cert",
    "cloud",
    "collect_timing",
    "concurrency",
    "connect_retries",
    "connect_retry_delay",
    "default_microversion",
    "disable_vendor_agent",
    "endpoint",
    "endpoint_override",
    "endpoint_type",
    "external_network",
    "floating_ip_source",
    "force_ipv4",
    "image_api_use_tasks",
    "image_format",
    "insecure",
    "interface",
    "internal_network",
    "key",
    "message",
    "metrics",
    "name",
    "nat_destination",
    "nat_source",
    "networks",
    "prefer_ipv6",
    "profile",
    "rate_limit",
    "region_name",
    "regions",
    "requires_floating_ip",
    "secgroup_source",
    "service_name",
    "service_type",
    "split_loggers",
    "status",
    "status_code_retries",
    "status_code_retry_delay",
    "timeout",
    "vendor_hook",
    "verify",
];

/// What `<service>_<key>` may end with (`cloud_region.py`'s `_get_config`
/// keys, and `_endpoint_type`, `_timeout` before `magic_fixes`).
const SERVICE_KEYS: &[&str] = &[
    "api_version",
    "default_microversion",
    "endpoint_override",
    "endpoint",
    "interface",
    "endpoint_type",
    "service_type",
    "service_name",
    "region_name",
    "connect_retries",
    "connect_retry_delay",
    "status_code_retries",
    "status_code_retry_delay",
    "rate_limit",
    "concurrency",
    "disabled_reason",
    "timeout",
    "api_use_tasks",
    "format",
];

/// Whether openstacksdk reads (or accepts) top-level key `k`: one of
/// [`KNOWN_KEYS`], `has_<service>`, or `<service>_<key>` for a key of
/// [`SERVICE_KEYS`] (any service: openstacksdk takes types it does not
/// know).
pub(super) fn known_key(k: &str) -> bool {
    KNOWN_KEYS.contains(&k)
        || k.strip_prefix("has_").is_some_and(|s| !s.is_empty())
        || SERVICE_KEYS
            .iter()
            .any(|s| k.strip_suffix(s).and_then(|p| p.strip_suffix('_')).is_some_and(|p| !p.is_empty()))
}
