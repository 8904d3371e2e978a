//! openstacksdk's `clouds.yaml`: where it is looked for, `secure.yaml`
//! merged over it, `clouds-public.yaml` profiles under it, and what a
//! cloud's keys mean. Every value keeps its file and line.
//!
//! See [`find_cloud`] for what is read and how.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::GROUP;
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
}

impl At {
    fn origin(&self) -> Origin {
        Origin::File(Location { path: self.path.clone(), line: self.node.line, column: self.node.column })
    }

    fn error(&self, message: impl Into<String>) -> Diagnostic {
        file_error(&self.path, (self.node.line, self.node.column), message)
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
            let child = At { node: v.clone(), path: at.path.clone() };
            if k == "auth" {
                match &v.value {
                    NodeValue::Map(auth) => {
                        for (ak, av) in auth {
                            out.auth.push((ak.replace('-', "_"), At { node: av.clone(), path: at.path.clone() }));
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
        let at = At { node: doc, path: path.clone() };
        return Err(fail(at.error(format!("the file holds {}, not a mapping", at.node.kind()))));
    }
    Ok(Some((path, Some(doc))))
}

/// The mapping under `key` of a file's top level (`clouds`,
/// `public-clouds`): its entries, each with its node.
fn section(path: &Arc<Path>, doc: &Option<Node>, key: &str) -> Result<Vec<(String, At)>, LoadError> {
    let Some(Node { value: NodeValue::Map(top), .. }) = doc else { return Ok(Vec::new()) };
    let Some((_, node)) = top.iter().find(|(k, _)| k == key) else { return Ok(Vec::new()) };
    let at = At { node: node.clone(), path: path.clone() };
    match &node.value {
        NodeValue::Map(entries) => {
            Ok(entries.iter().map(|(k, v)| (k.clone(), At { node: v.clone(), path: path.clone() })).collect())
        }
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
    let mut known = Vec::new();
    let mut looked = Vec::new();
    let mut read = Vec::new();
    let mut merged: Option<Entries> = None;
    for list in [&files.clouds, &files.secure] {
        let Some((path, doc)) = read_first(list)? else { continue };
        looked.push(path.display().to_string());
        let clouds = section(&path, &doc, "clouds")?;
        known.extend(clouds.iter().map(|(k, _)| k.clone()));
        if let Some((_, at)) = clouds.iter().find(|(k, _)| k == name) {
            let entries = Entries::read(at, &format!("cloud {name:?}"))?;
            read.push(path.to_path_buf());
            merged = Some(merged.take().unwrap_or_default().merge(entries));
        }
    }
    let Some(cloud) = merged else {
        return Err(not_found(name, &looked, &known));
    };
    let mut warnings = Vec::new();
    let cloud = match profile(&cloud, files, &mut warnings)? {
        Some((base, path)) => {
            read.push(path);
            base.merge(cloud)
        }
        None => cloud,
    };
    interpret(name, cloud, files.home.as_deref(), read, warnings)
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

/// The profile the cloud names, from the first `clouds-public.yaml`.
fn profile(
    cloud: &Entries,
    files: &CloudFiles,
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
    let Some((_, found)) = profiles.iter().find(|(k, _)| *k == name) else {
        let mut d = at.error(match &public {
            Some((path, _)) => format!("profile {name:?} is not under public-clouds: in {}", path.display()),
            None => format!("profile {name:?} is in no clouds-public.yaml"),
        });
        d = match did_you_mean(&name, profiles.iter().map(|(k, _)| k.as_str())) {
            Some(s) => d.suggest(format!("did you mean {s:?}?")),
            None => d.suggest(
                "define it under public-clouds: in clouds-public.yaml beside clouds.yaml \
                 (openstacksdk's built-in vendor profiles are not included)",
            ),
        };
        return Err(fail(d));
    };
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
    let mut out = Cloud {
        name: name.to_owned(),
        auth_type: None,
        identity_api_version: None,
        values: Vec::new(),
        loose: Vec::new(),
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
    // Old keys first, so that the current ones win.
    let order = |k: &str| matches!(k, "auth_plugin" | "endpoint_type" | "regions");
    let mut top: Vec<&(String, At)> = cloud.top.iter().collect();
    top.sort_by_key(|(k, _)| !order(k));
    for (k, at) in top {
        let Some(v) = (if k == "regions" { first_region(at)? } else { text(at, k)? }) else { continue };
        match k.as_str() {
            "auth_type" | "auth_plugin" => out.auth_type = Some((v, at.origin())),
            "identity_api_version" => out.identity_api_version = Some((v, at.origin())),
            "region_name" | "regions" => set(&mut out, "region_name", v, at),
            "interface" | "endpoint_type" => set(&mut out, "valid_interfaces", v, at),
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

/// The first region of `regions:` (a name, or a mapping with `name`).
fn first_region(at: &At) -> Result<Option<String>, LoadError> {
    let NodeValue::Seq(items) = &at.node.value else {
        return Err(fail(at.error(format!("regions is {}, not a list", at.node.kind()))));
    };
    let Some(first) = items.first() else { return Ok(None) };
    let name = match &first.value {
        NodeValue::Map(m) => m.iter().find(|(k, _)| k == "name").and_then(|(_, v)| v.key_text()),
        _ => first.key_text(),
    };
    name.map(Some).ok_or_else(|| {
        fail(At { node: first.clone(), path: at.path.clone() }.error("a region is a name, or a mapping with name:"))
    })
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
