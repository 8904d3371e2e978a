//! Loading an auth plugin, session and adapter settings from a config group,
//! as keystoneauth's `load_auth_from_conf_options` does, but with every
//! problem reported (file, line, option, fix) instead of `None`.
//!
//! 1. The group's loading, session and adapter options are resolved.
//! 2. `auth_section` (one level) moves the plugin to another group.
//! 3. `auth_type` (or its old name `auth_plugin`) picks the plugin; a legacy
//!    keystonemiddleware group (`admin_user`...) without it loads as
//!    `v3password`.
//! 4. The plugin's options are registered in that group and everything is
//!    resolved again, so plugin options are typed, explained and checked.

use std::sync::Arc;

use super::conf::{AdapterOptions, GroupReader, SessionOptions};
use super::identity::v3::{AuthMethod, DomainRef, Scope, UserRef, V3Auth};
use super::plugin::{AuthPlugin, PluginError, PluginOptions, PluginRegistry};
use super::schema;
use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{Opt, Registry, normalize_group};
use crate::resolve::{LoadError, Loader, did_you_mean};
use crate::snapshot::Snapshot;
use crate::source::Inputs;

/// What loading a group gives.
#[derive(Clone, Debug)]
pub struct LoadedAuth {
    /// The auth plugin.
    pub plugin: Arc<dyn AuthPlugin>,
    /// The plugin's name (`auth_type`, or `v3password` for a legacy group).
    pub plugin_name: String,
    /// The group asked for.
    pub group: String,
    /// The group the plugin's options came from (differs with `auth_section`).
    pub auth_group: String,
    /// Transport settings.
    pub session: SessionOptions,
    /// Per-client defaults.
    pub adapter: AdapterOptions,
    /// Every value, with the plugin's options typed, and the warnings.
    pub snapshot: Snapshot,
}

fn err(code: Code, group: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, message).group(group)
}

/// Adds `opts` to `group`, leaving options the application already
/// registered there as they are (keystonemiddleware has its own `cafile`,
/// `insecure`...).
fn add_missing(reg: &mut Registry, group: &str, opts: Vec<Opt>) -> Result<(), LoadError> {
    reg.register_opts_if_absent(group, opts)
        .map_err(|e| LoadError::new(vec![err(Code::AuthOption, group, format!("cannot register: {e}"))]))
}

/// Loads the auth plugin, session and adapter settings of `group`, with the
/// sources and registry of `loader` and the plugin types of `plugins`.
///
/// ```no_run
/// use stackauth::{Loader, auth, namespace, source::Env};
/// let registry = namespace::by_name("keystonemiddleware.auth_token").unwrap();
/// let loader = Loader::new(&registry).config_file("/etc/glance/glance-api.conf").env(Env::from_process());
/// let loaded = auth::load_from_group(&loader, &auth::PluginRegistry::builtin(), "keystone_authtoken")?;
/// println!("{} from [{}]", loaded.plugin_name, loaded.auth_group);
/// # Ok::<(), stackauth::LoadError>(())
/// ```
pub fn load_from_group(loader: &Loader<'_>, plugins: &PluginRegistry, group: &str) -> Result<LoadedAuth, LoadError> {
    load_from_inputs(loader, &loader.read(), plugins, group)
}

/// [`load_from_group`] from what a load already read: every pass (loading
/// options, `auth_section`, the plugin's options, v3multifactor's methods)
/// resolves the same `inputs` in memory, so the plugin and its options
/// come from one version of each file. With a reloading configuration,
/// pass the current snapshot's [`Snapshot::inputs`].
///
/// ```no_run
/// use stackauth::{Loader, auth, namespace};
/// let registry = namespace::by_name("keystonemiddleware.auth_token").unwrap();
/// let loader = Loader::new(&registry).config_file("/etc/glance/glance-api.conf");
/// let snapshot = loader.load()?;
/// let inputs = snapshot.inputs().expect("a loaded snapshot keeps its inputs");
/// let loaded = auth::load_from_inputs(&loader, inputs, &auth::PluginRegistry::builtin(), "keystone_authtoken")?;
/// # Ok::<(), stackauth::LoadError>(())
/// ```
pub fn load_from_inputs(
    loader: &Loader<'_>,
    inputs: &Arc<Inputs>,
    plugins: &PluginRegistry,
    group: &str,
) -> Result<LoadedAuth, LoadError> {
    let mut reg = loader.registry().clone();
    add_missing(&mut reg, group, schema::loading_opts())?;
    add_missing(&mut reg, group, schema::session_opts())?;
    add_missing(&mut reg, group, schema::adapter_opts())?;
    let first = loader.with_registry(&reg).resolve(inputs)?;
    let read = |s: &Snapshot, g: &str, o: &str| GroupReader(s.group(g)).str(o);

    // auth_section: one level, as keystoneauth.
    let mut auth_group = group.to_owned();
    let mut snap = first;
    if let Some(section) = read(&snap, group, "auth_section") {
        if !snap.has_source_group(&section) {
            let origin = snap.get(group, "auth_section").map(|r| r.origin.clone());
            let mut d =
                err(Code::AuthSection, group, format!("auth_section names group [{section}], which no source has"));
            d.option = Some("auth_section".into());
            d.origin = origin;
            return Err(LoadError::new(vec![d.suggest(format!("add a [{section}] group with the auth options"))]));
        }
        add_missing(&mut reg, &section, schema::loading_opts())?;
        snap = loader.with_registry(&reg).resolve(inputs)?;
        if let Some(next) = read(&snap, &section, "auth_section") {
            let what = if normalize_group(&next) == normalize_group(group) { "a loop" } else { "a chain" };
            let mut d = err(
                Code::AuthSection,
                &section,
                format!("[{group}] points to [{section}] with auth_section, which points on to [{next}]: {what}"),
            );
            d.option = Some("auth_section".into());
            d.origin = snap.get(&section, "auth_section").map(|r| r.origin.clone());
            return Err(LoadError::new(vec![d.suggest(format!(
                "put the auth options in [{section}] and remove its auth_section (only one level is followed)"
            ))]));
        }
        auth_group = section;
    }

    let Some(name) = read(&snap, &auth_group, "auth_type") else {
        if let Some(loaded) = legacy(&snap, group, plugins)? {
            return Ok(loaded);
        }
        let names: Vec<&str> = plugins.supported_names().collect();
        let d = err(
            Code::MissingAuthType,
            &auth_group,
            format!("no auth_type in [{auth_group}]: no auth plugin can be loaded"),
        )
        .suggest(format!("set auth_type in [{auth_group}] to one of: {}", names.join(", ")));
        return Err(LoadError::new(vec![Diagnostic { option: Some("auth_type".into()), ..d }]));
    };
    let Some(ptype) = plugins.get(&name) else {
        let mut d = err(Code::UnknownAuthType, &auth_group, format!("auth_type {name:?} names no auth plugin"));
        d.option = Some("auth_type".into());
        d.origin = snap.get(&auth_group, "auth_type").map(|r| r.origin.clone());
        let names: Vec<&str> = plugins.names().collect();
        let d = match did_you_mean(&name, names.iter().copied()) {
            Some(s) => d.suggest(format!("did you mean {s:?}?")),
            None => d.suggest(format!("known plugins: {}", plugins.supported_names().collect::<Vec<_>>().join(", "))),
        };
        return Err(LoadError::new(vec![d]));
    };

    // The plugin's options; v3multifactor also takes its methods' options.
    let mut options = ptype.options().to_vec();
    if ptype.name() == "v3multifactor" {
        add_missing(&mut reg, &auth_group, options.clone())?;
        let methods = GroupReader(loader.with_registry(&reg).resolve(inputs)?.group(&auth_group)).list("auth_methods");
        let refs: Vec<&str> = methods.iter().map(String::as_str).collect();
        match schema::v3multifactor_with(&refs) {
            Some(with) => options = with,
            None => {
                let d = err(
                    Code::AuthOption,
                    &auth_group,
                    format!("auth_methods {methods:?} names a plugin that cannot be a method"),
                )
                .suggest("use v3password, v3totp, v3token or v3applicationcredential");
                return Err(LoadError::new(vec![Diagnostic { option: Some("auth_methods".into()), ..d }]));
            }
        }
    }
    add_missing(&mut reg, &auth_group, options)?;
    let snapshot = loader.with_registry(&reg).resolve(inputs).map_err(|e| name_plugin(e, ptype.name(), &auth_group))?;

    if !ptype.is_supported() {
        let mut d = err(Code::UnsupportedAuthType, &auth_group, super::plugin::unsupported_message(ptype.name()));
        d.option = Some("auth_type".into());
        d.origin = snapshot.get(&auth_group, "auth_type").map(|r| r.origin.clone());
        let supported: Vec<&str> = plugins.supported_names().collect();
        return Err(LoadError::new(vec![d.suggest(format!("stackauth supports: {}", supported.join(", ")))]));
    }
    let popts = PluginOptions::new(ptype.name(), &auth_group, snapshot.group(&auth_group));
    let plugin = ptype.build(&popts).map_err(|e| LoadError::new(vec![plugin_error(e, &popts)]))?;
    finish(snapshot, plugin, ptype.name().to_owned(), group, auth_group)
}

fn finish(
    snapshot: Snapshot,
    plugin: Arc<dyn AuthPlugin>,
    plugin_name: String,
    group: &str,
    auth_group: String,
) -> Result<LoadedAuth, LoadError> {
    let reader = GroupReader(snapshot.group(group));
    let adapter = reader.adapter().map_err(|(option, message)| {
        let mut d = err(Code::AdapterConflict, group, message);
        d.origin = snapshot.get(group, &option).map(|r| r.origin.clone());
        d.option = Some(option);
        LoadError::new(vec![d])
    })?;
    let session = reader.session();
    if session.insecure {
        tracing::warn!(group = %group, "insecure is set: TLS certificates will not be verified");
    }
    Ok(LoadedAuth { plugin, plugin_name, group: group.to_owned(), auth_group, session, adapter, snapshot })
}

/// Says which plugin needs a missing required option.
fn name_plugin(mut e: LoadError, plugin: &str, auth_group: &str) -> LoadError {
    let diags = e
        .diagnostics()
        .iter()
        .cloned()
        .map(|mut d| {
            if d.code == Code::MissingRequired
                && d.group.as_deref().map(normalize_group) == Some(normalize_group(auth_group))
            {
                d.message = format!("the {plugin} auth plugin needs this option, and it has no value");
            }
            d
        })
        .collect();
    e = LoadError::new(diags);
    e
}

/// A plugin-building problem as a finding at the option's position.
pub(crate) fn plugin_error(e: PluginError, o: &PluginOptions<'_>) -> Diagnostic {
    let mut d = err(Code::AuthOption, o.group(), e.message);
    if let Some(opt) = &e.option {
        // An unset option's origin is its declared default: no place to show.
        d.origin = o.origin(opt).filter(|x| **x != crate::source::Origin::Default).cloned();
        d.option = Some(opt.clone());
    }
    d.suggestion = e.suggestion;
    d
}

/// keystonemiddleware's pre-Mitaka group: `identity_uri` (or its legacy
/// parts) with `admin_user`, `admin_password`, `admin_tenant_name` and no
/// `auth_type`. Loaded as `v3password` in the `default` domain, with one
/// warning saying what the modern group should contain.
fn legacy(snap: &Snapshot, group: &str, plugins: &PluginRegistry) -> Result<Option<LoadedAuth>, LoadError> {
    let r = GroupReader(snap.group(group));
    let (Some(user), Some(_)) = (r.str("admin_user"), r.str("admin_password")) else { return Ok(None) };
    let Some(password) = snap.value(group, "admin_password").and_then(|v| v.as_str()).map(crate::opt::Secret::new)
    else {
        return Ok(None);
    };
    let Some(identity_uri) = r.str("identity_uri") else {
        let d = err(Code::MissingAuthType, group, "legacy admin_user/admin_password credentials need identity_uri")
            .suggest(format!("set auth_type = password and auth_url in [{group}]"));
        return Err(LoadError::new(vec![d]));
    };
    let project = r.str("admin_tenant_name");
    let default = || DomainRef::Id("default".into());
    let scope = match &project {
        Some(p) => Scope::ProjectName { name: p.clone(), domain: default() },
        None => Scope::Default,
    };
    let method = AuthMethod::Password { user: UserRef::Name { name: user.clone(), domain: Some(default()) }, password };
    let plugin = V3Auth::new("v3password", &identity_uri, vec![method], scope).into_plugin();
    let mut modern = format!(
        "auth_type = password, auth_url = {identity_uri}, username = {user}, password = <admin_password>, \
         user_domain_id = default"
    );
    if let Some(p) = &project {
        modern.push_str(&format!(", project_name = {p}, project_domain_id = default"));
    }
    let d = Diagnostic::warning(
        Code::LegacyAuth,
        format!("[{group}] has legacy admin_user/admin_password and no auth_type: loaded as a v3 password plugin"),
    )
    .group(group)
    .suggest(format!("write instead: {modern}"));
    tracing::warn!(group = %group, "{}", d);
    let _ = plugins;
    let mut snapshot = snap.clone();
    snapshot.push_warning(d);
    finish(snapshot, plugin, "v3password".into(), group, group.to_owned()).map(Some)
}
