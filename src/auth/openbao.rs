//! OpenBao (and Vault) KV version 2 as a source (feature `openbao`): an
//! option's value is one key of one secret, read with a token or an
//! AppRole login, through the HTTP API (`/v1/<mount>/data/<path>`).
//!
//! ```no_run
//! use std::sync::Arc;
//! use stackauth::{Loader, auth::OpenBaoSource, opt::{Registry, Secret}};
//! let bao = OpenBaoSource::new("https://bao.internal:8200")
//!     .approle("glance-role-id", Secret::new("the-secret-id"))
//!     .value("keystone_authtoken", "password", "glance", "password");
//! let loader = Loader::shared(Arc::new(Registry::new())).config_file("/etc/glance/glance-api.conf").source(bao.clone());
//! ```
//!
//! With the `reload` feature, [`crate::reload::LiveConfig::follow_openbao`]
//! renews the token and polls the secrets' KV metadata versions, reloading
//! when one changes.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::diagnostic::{Code, Diagnostic};
use crate::opt::Secret;
use crate::source::{Entry, Layer, Origin, Precedence, Source, SourceRead};

/// How the source gets its token.
#[derive(Clone)]
enum Login {
    /// A token given (`X-Vault-Token`), renewed when renewable.
    Token(Secret),
    /// AppRole: `auth/<mount>/login` with a role id and a secret id.
    AppRole { mount: String, role_id: String, secret_id: Secret },
}

/// One option's value: `key` of the secret at `path`.
#[derive(Clone, Debug)]
struct Mapping {
    group: String,
    option: String,
    path: String,
    key: String,
}

/// The token in use, its lifetime as the server last said, and the
/// version of each secret the last read saw.
#[derive(Default)]
struct State {
    token: Option<Secret>,
    /// When the token was obtained or last renewed, and its TTL then
    /// (`None`: it does not expire).
    lease: Option<(Instant, Duration)>,
    renewable: bool,
    versions: BTreeMap<String, u64>,
}

/// Values from an OpenBao (or Vault) KV version 2 engine: each mapped
/// option is one key of one secret, its origin `openbao secret/glance key
/// password, version 3`. The values are secrets whatever their options
/// are declared as ([`Origin::SecretStore`]): masked in `show` and in
/// change logs, never in a message. Every [`read`](Source::read) reads the
/// secrets again (one request per path); a token that expired or was
/// refused is replaced by logging in again when the source has an AppRole.
/// A secret it cannot read, or a key the secret lacks, is an error finding
/// naming the store, the path and the option.
///
/// Its values stand with the config files, after them; clones share the
/// token and the versions last read.
#[derive(Clone)]
pub struct OpenBaoSource {
    addr: String,
    mount: String,
    login: Login,
    values: Vec<Mapping>,
    timeout: Duration,
    precedence: Precedence,
    state: Arc<Mutex<State>>,
    tls: super::remote_file::TlsFiles,
}

impl OpenBaoSource {
    /// A source for the server at `addr` (`https://bao.internal:8200`),
    /// the KV v2 engine at `secret/`, with no token yet (set one with
    /// [`token`](Self::token) or [`approle`](Self::approle)).
    pub fn new(addr: &str) -> OpenBaoSource {
        OpenBaoSource {
            addr: addr.trim_end_matches('/').to_owned(),
            mount: "secret".to_owned(),
            login: Login::Token(Secret::default()),
            values: Vec::new(),
            timeout: Duration::from_secs(10),
            precedence: Precedence::File,
            state: Arc::default(),
            tls: super::remote_file::TlsFiles::default(),
        }
    }

    /// The KV v2 engine's mount path (`secret` by default).
    pub fn mount(mut self, mount: &str) -> Self {
        self.mount = mount.trim_matches('/').to_owned();
        self
    }

    /// Authenticates with this token.
    pub fn token(mut self, token: Secret) -> Self {
        self.login = Login::Token(token);
        self
    }

    /// Logs in with AppRole (at `auth/approle`) with this role id and
    /// secret id, again whenever the token expires or is refused.
    pub fn approle(mut self, role_id: &str, secret_id: Secret) -> Self {
        self.login = Login::AppRole { mount: "approle".to_owned(), role_id: role_id.to_owned(), secret_id };
        self
    }

    /// The AppRole auth method's mount path (`approle` by default).
    pub fn approle_mount(mut self, mount: &str) -> Self {
        if let Login::AppRole { mount: m, .. } = &mut self.login {
            *m = mount.trim_matches('/').to_owned();
        }
        self
    }

    /// Sets `group`.`option` to `key` of the secret at `path` (under the
    /// mount: `glance`, not `secret/data/glance`).
    pub fn value(mut self, group: &str, option: &str, path: &str, key: &str) -> Self {
        self.values.push(Mapping {
            group: group.to_owned(),
            option: option.to_owned(),
            path: path.trim_matches('/').to_owned(),
            key: key.to_owned(),
        });
        self
    }

    /// Seconds to connect and to read an answer (10 by default).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Trusts only the CA certificates in this PEM file, or in the files
    /// of this directory (the system's roots otherwise).
    pub fn ca_path(mut self, p: impl Into<std::path::PathBuf>) -> Self {
        self.tls.ca_path = Some(p.into());
        self
    }

    /// Presents this client certificate (PEM; with its key unless
    /// [`client_key`](Self::client_key) is set).
    pub fn client_cert(mut self, p: impl Into<std::path::PathBuf>) -> Self {
        self.tls.client_cert = Some(p.into());
        self
    }

    /// The client certificate's private key (PEM).
    pub fn client_key(mut self, p: impl Into<std::path::PathBuf>) -> Self {
        self.tls.client_key = Some(p.into());
        self
    }

    /// Puts the values at another precedence than the files'.
    pub fn precedence(mut self, p: Precedence) -> Self {
        self.precedence = p;
        self
    }

    /// Each secret's version as the last read saw it, by path.
    pub fn versions(&self) -> BTreeMap<String, u64> {
        self.state.lock().map(|s| s.versions.clone()).unwrap_or_default()
    }

    /// The distinct paths, in order.
    fn paths(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in &self.values {
            if !out.contains(&m.path) {
                out.push(m.path.clone());
            }
        }
        out
    }

    fn who(&self) -> String {
        format!("openbao {}", self.addr)
    }

    #[cfg_attr(not(feature = "reload"), allow(dead_code))]
    pub(crate) fn client(&self) -> Result<reqwest::Client, String> {
        super::transport::install_crypto_provider();
        let b = reqwest::Client::builder().connect_timeout(self.timeout).read_timeout(self.timeout);
        self.tls.apply(b)?.build().map_err(|e| format!("cannot build the HTTP client: {e}"))
    }

    /// One request; the answer's JSON, or what went wrong with no body
    /// (OpenBao's answers may hold secrets and tokens).
    async fn call(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        token: Option<&Secret>,
        body: Option<Value>,
    ) -> Result<Value, Failure> {
        let mut req = client.request(method, format!("{}/v1/{path}", self.addr));
        if let Some(t) = token {
            let mut v = http::HeaderValue::from_str(t.expose())
                .map_err(|_| Failure::Other("the token is not a valid header value".to_owned()))?;
            v.set_sensitive(true);
            req = req.header("X-Vault-Token", v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| Failure::Other(super::transport::describe(e).message))?;
        match resp.status().as_u16() {
            200..=299 => resp.json::<Value>().await.map_err(|e| {
                Failure::Other(format!("not an OpenBao answer: {}", super::transport::describe(e).message))
            }),
            403 => Err(Failure::Denied),
            404 => Err(Failure::NotFound),
            s => Err(Failure::Other(format!("answered {s}"))),
        }
    }

    /// The token to use: the one held, or a fresh login when there is none
    /// or it expired.
    async fn token_for(&self, client: &reqwest::Client, fresh: bool) -> Result<Secret, Failure> {
        {
            let state = self.state.lock().map_err(|_| Failure::Other("poisoned".to_owned()))?;
            let expired = state.lease.is_some_and(|(at, ttl)| at.elapsed() >= ttl);
            if let Some(t) = &state.token
                && !fresh
                && !expired
            {
                return Ok(t.clone());
            }
        }
        match &self.login {
            Login::Token(t) => {
                if t.is_empty() {
                    return Err(Failure::Other("no token and no AppRole is configured".to_owned()));
                }
                let mut state = self.state.lock().map_err(|_| Failure::Other("poisoned".to_owned()))?;
                state.token = Some(t.clone());
                Ok(t.clone())
            }
            Login::AppRole { mount, role_id, secret_id } => {
                let body = json!({"role_id": role_id, "secret_id": secret_id.expose()});
                let answer = self
                    .call(client, reqwest::Method::POST, &format!("auth/{mount}/login"), None, Some(body))
                    .await
                    .map_err(|e| e.context(&format!("the AppRole login at auth/{mount}")))?;
                let auth = answer.get("auth").ok_or(Failure::Other("the AppRole login gave no token".to_owned()))?;
                let token = auth
                    .get("client_token")
                    .and_then(Value::as_str)
                    .map(Secret::new)
                    .ok_or(Failure::Other("the AppRole login gave no token".to_owned()))?;
                let mut state = self.state.lock().map_err(|_| Failure::Other("poisoned".to_owned()))?;
                state.token = Some(token.clone());
                state.lease = lease(auth.get("lease_duration"));
                state.renewable = auth.get("renewable").and_then(Value::as_bool) == Some(true);
                Ok(token)
            }
        }
    }

    /// Reads every mapped secret: (path, its data, its version), the paths
    /// in order.
    async fn read_all(&self) -> ReadAll {
        let client = self.client().map_err(|e| vec![(None, e)])?;
        let mut token = self.token_for(&client, false).await.map_err(|e| vec![(None, e.to_string())])?;
        let mut out = Vec::new();
        let mut failures = Vec::new();
        let mut relogged = false;
        for path in self.paths() {
            let url = format!("{}/data/{path}", self.mount);
            let mut answer = self.call(&client, reqwest::Method::GET, &url, Some(&token), None).await;
            // A refused token is replaced once, when it can be.
            if matches!(answer, Err(Failure::Denied)) && matches!(self.login, Login::AppRole { .. }) && !relogged {
                relogged = true;
                match self.token_for(&client, true).await {
                    Ok(t) => {
                        token = t;
                        answer = self.call(&client, reqwest::Method::GET, &url, Some(&token), None).await;
                    }
                    Err(e) => return Err(vec![(None, e.to_string())]),
                }
            }
            match answer {
                Ok(a) => {
                    let version = a.pointer("/data/metadata/version").and_then(Value::as_u64).unwrap_or(0);
                    let data = a.pointer("/data/data").cloned().unwrap_or(Value::Null);
                    out.push((path, data, version));
                }
                Err(e) => failures.push((Some(path.clone()), e.context(&format!("{}/{path}", self.mount)).to_string())),
            }
        }
        if failures.is_empty() { Ok(out) } else { Err(failures) }
    }

    /// Renews the token when it is renewable and half its TTL has passed;
    /// logs in again (AppRole) when renewal fails. A given token that
    /// cannot be renewed is reported.
    #[cfg_attr(not(feature = "reload"), allow(dead_code))]
    pub(crate) async fn renew_if_due(&self, client: &reqwest::Client) -> Result<(), String> {
        let (token, due) = {
            let state = self.state.lock().map_err(|_| "poisoned".to_owned())?;
            let due = state.renewable && state.lease.is_some_and(|(at, ttl)| at.elapsed() >= ttl / 2);
            (state.token.clone(), due)
        };
        let Some(token) = token else { return Ok(()) };
        if !due {
            return Ok(());
        }
        match self.call(client, reqwest::Method::POST, "auth/token/renew-self", Some(&token), Some(json!({}))).await {
            Ok(a) => {
                let mut state = self.state.lock().map_err(|_| "poisoned".to_owned())?;
                state.lease = lease(a.pointer("/auth/lease_duration"));
                state.renewable = a.pointer("/auth/renewable").and_then(Value::as_bool) == Some(true);
                Ok(())
            }
            Err(e) if matches!(self.login, Login::AppRole { .. }) => {
                tracing::info!(source = %self.who(), "token renewal failed ({e}): logging in again");
                self.token_for(client, true).await.map(|_| ()).map_err(|e| e.to_string())
            }
            Err(e) => Err(format!("the token could not be renewed: {e}")),
        }
    }

    /// Looks up the given token's lifetime once, so it is renewed in time.
    #[cfg_attr(not(feature = "reload"), allow(dead_code))]
    pub(crate) async fn learn_lease(&self, client: &reqwest::Client) {
        if !matches!(self.login, Login::Token(_)) {
            return;
        }
        let Ok(token) = self.token_for(client, false).await else { return };
        if let Ok(a) = self.call(client, reqwest::Method::GET, "auth/token/lookup-self", Some(&token), None).await
            && let Ok(mut state) = self.state.lock()
        {
            state.lease = lease(a.pointer("/data/ttl"));
            state.renewable = a.pointer("/data/renewable").and_then(Value::as_bool) == Some(true);
        }
    }

    /// Each mapped secret's current version, from its KV metadata (one
    /// small request per path, no secret in the answer's use).
    #[cfg_attr(not(feature = "reload"), allow(dead_code))]
    pub(crate) async fn current_versions(&self, client: &reqwest::Client) -> Result<BTreeMap<String, u64>, String> {
        let token = self.token_for(client, false).await.map_err(|e| e.to_string())?;
        let mut out = BTreeMap::new();
        for path in self.paths() {
            let a = self
                .call(client, reqwest::Method::GET, &format!("{}/metadata/{path}", self.mount), Some(&token), None)
                .await
                .map_err(|e| e.context(&format!("{}/metadata/{path}", self.mount)).to_string())?;
            out.insert(path, a.pointer("/data/current_version").and_then(Value::as_u64).unwrap_or(0));
        }
        Ok(out)
    }

    fn fail(&self, path: Option<&str>, message: &str) -> Vec<Diagnostic> {
        let text = format!("{}: {message}", self.who());
        let mut out = Vec::new();
        for m in self.values.iter().filter(|m| path.is_none_or(|p| p == m.path)) {
            out.push(
                Diagnostic::error(Code::Io, text.clone())
                    .option(&m.group, &m.option)
                    .suggest("check the address, the token or AppRole, and that its policy can read the path"),
            );
            if path.is_none() {
                // One finding for a failure of the whole store.
                break;
            }
        }
        if out.is_empty() {
            out.push(Diagnostic::error(Code::Io, text));
        }
        out
    }
}

/// Each secret read (path, its data, its version), or what failed (the
/// path, when one) and why.
type ReadAll = Result<Vec<(String, Value, u64)>, Vec<(Option<String>, String)>>;

/// The `openbao` config_source driver: register it with
/// [`crate::Loader::config_source_driver`] (the `stackauth` command has
/// it), so a service config names its secrets as oslo.config's castellan
/// driver names a key manager's:
///
/// ```ini
/// [DEFAULT]
/// config_source = secrets
///
/// [secrets]
/// driver = openbao
/// address = https://bao.internal:8200
/// role_id = 4e8a...
/// secret_id = ...
/// values = keystone_authtoken.password=glance#password, database.connection=glance#db_url
/// ```
///
/// Options: `address` (required), `mount` (`secret`), `token`, or
/// `role_id` with `secret_id` (and `approle_mount`, `approle`), `values`
/// (a list of `GROUP.OPTION=PATH#KEY`, required), `timeout` (seconds, 10),
/// `ca_path`, `client_cert`, `client_key`. As every config_source its
/// values stand below files, the environment and the command line; a
/// reload reads them again. Following rotations needs the source itself:
/// build an [`OpenBaoSource`] and use
/// [`crate::reload::LiveConfig::follow_openbao`].
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenBao;

impl crate::resolve::SourceDriver for OpenBao {
    fn name(&self) -> &str {
        "openbao"
    }

    fn opts(&self) -> Vec<crate::opt::Opt> {
        use crate::opt::{Opt, OptType};
        vec![
            Opt::string("address").required(),
            Opt::string("mount").default("secret"),
            Opt::string("token").secret(),
            Opt::string("role_id"),
            Opt::string("secret_id").secret(),
            Opt::string("approle_mount").default("approle"),
            Opt::new("values", OptType::list()).required(),
            Opt::new("timeout", OptType::integer()).default("10"),
            Opt::string("ca_path"),
            Opt::string("client_cert"),
            Opt::string("client_key"),
        ]
    }

    fn open(&self, group: &str, values: &crate::snapshot::Snapshot) -> Result<Box<dyn Source>, Box<Diagnostic>> {
        let text = |name: &str| values.value(group, name).and_then(|v| v.as_str()).map(str::to_owned);
        let missing = |what: &str, option: &str| {
            Box::new(
                Diagnostic::error(Code::MissingRequired, format!("openbao [{group}] {what}"))
                    .option(group, option)
                    .suggest("see the openbao driver's options: address, token or role_id and secret_id, values"),
            )
        };
        let Some(address) = text("address") else { return Err(missing("has no address", "address")) };
        let mut source = OpenBaoSource::new(&address).precedence(Precedence::Fallback);
        if let Some(m) = text("mount") {
            source = source.mount(&m);
        }
        source = match (text("token"), text("role_id"), text("secret_id")) {
            (_, Some(role), Some(secret)) => source.approle(&role, Secret::new(secret)),
            (Some(token), _, _) => source.token(Secret::new(token)),
            _ => return Err(missing("needs a token, or a role_id and a secret_id", "token")),
        };
        if let Some(m) = text("approle_mount") {
            source = source.approle_mount(&m);
        }
        let list: Vec<String> = values.get_as(group, "values").ok().flatten().unwrap_or_default();
        let at = values.get(group, "values").map(|r| r.origin.clone());
        for item in &list {
            let parsed = item.split_once('=').and_then(|(target, from)| {
                let (g, o) = target.trim().rsplit_once('.')?;
                let (path, key) = from.trim().rsplit_once('#')?;
                let ok = [g, o, path, key].iter().all(|p| !p.is_empty());
                ok.then_some((g, o, path, key))
            });
            let Some((g, o, path, key)) = parsed else {
                let mut d = Diagnostic::error(
                    Code::InvalidValue,
                    format!("openbao [{group}] values: {item:?} is not GROUP.OPTION=PATH#KEY"),
                )
                .option(group, "values");
                if let Some(at) = &at {
                    d = d.at(at.clone());
                }
                return Err(Box::new(d));
            };
            source = source.value(g, o, path, key);
        }
        let timeout = values.get_as::<i64>(group, "timeout").ok().flatten().unwrap_or(10);
        source = source.timeout(Duration::from_secs(timeout.max(1) as u64));
        source.tls = super::remote_file::TlsFiles {
            ca_path: text("ca_path").map(Into::into),
            client_cert: text("client_cert").map(Into::into),
            client_key: text("client_key").map(Into::into),
        };
        Ok(Box::new(source))
    }
}

/// Why a request failed.
enum Failure {
    Denied,
    NotFound,
    Other(String),
}

impl Failure {
    fn context(self, what: &str) -> Failure {
        match self {
            Failure::Denied => Failure::Other(format!(
                "{what}: permission denied (the token was refused or its policy does not allow this)"
            )),
            Failure::NotFound => Failure::Other(format!("{what}: not found")),
            Failure::Other(m) => Failure::Other(format!("{what}: {m}")),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Denied => f.write_str("permission denied"),
            Failure::NotFound => f.write_str("not found"),
            Failure::Other(m) => f.write_str(m),
        }
    }
}

/// A lease from a `lease_duration` or `ttl` in seconds (0: none).
fn lease(v: Option<&Value>) -> Option<(Instant, Duration)> {
    let secs = v.and_then(Value::as_u64).filter(|s| *s > 0)?;
    Some((Instant::now(), Duration::from_secs(secs)))
}

/// A key's value as option text: strings as they are, numbers and
/// booleans written out; anything else cannot be an option's value.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Source for OpenBaoSource {
    fn describe(&self) -> String {
        format!("{} ({})", self.who(), self.mount)
    }

    fn precedence(&self) -> Precedence {
        self.precedence
    }

    fn read(&self) -> SourceRead {
        let run = || -> ReadAll {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| vec![(None, format!("cannot start an HTTP runtime: {e}"))])?;
            rt.block_on(self.read_all())
        };
        // On a thread of its own: `read` is synchronous and may be called
        // from inside a runtime.
        let read = std::thread::scope(|s| s.spawn(run).join())
            .unwrap_or_else(|_| Err(vec![(None, "the read panicked".to_owned())]));
        let secrets = match read {
            Ok(s) => s,
            Err(failures) => {
                let diagnostics = failures.iter().flat_map(|(p, m)| self.fail(p.as_deref(), m)).collect();
                return SourceRead::failed(diagnostics);
            }
        };
        let mut layer = Layer::default();
        let mut diagnostics = Vec::new();
        let mut versions = BTreeMap::new();
        for (path, data, version) in &secrets {
            versions.insert(path.clone(), *version);
            for m in self.values.iter().filter(|m| &m.path == path) {
                let origin = Origin::SecretStore {
                    name: format!("openbao {}/{path} key {}, version {version}", self.mount, m.key),
                };
                match data.get(&m.key).and_then(text) {
                    Some(v) => {
                        if !layer.groups.iter().any(|(g, _)| *g == m.group) {
                            layer.groups.push((m.group.clone(), origin.clone()));
                        }
                        layer.entries.push(Entry::new(&m.group, &m.option, v, origin));
                    }
                    None => diagnostics.push(
                        Diagnostic::error(
                            Code::MissingRequired,
                            format!("{}: {}/{path} has no text key {}", self.who(), self.mount, m.key),
                        )
                        .option(&m.group, &m.option)
                        .at(origin),
                    ),
                }
            }
        }
        if let Ok(mut state) = self.state.lock() {
            state.versions = versions;
        }
        SourceRead { layers: vec![layer], dirs: Vec::new(), diagnostics }
    }
}

// The token and the AppRole secret id are secrets.
impl fmt::Debug for OpenBaoSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let login = match &self.login {
            Login::Token(_) => "token".to_owned(),
            Login::AppRole { mount, role_id, .. } => format!("approle {mount} role {role_id}"),
        };
        f.debug_struct("OpenBaoSource")
            .field("addr", &self.addr)
            .field("mount", &self.mount)
            .field("login", &login)
            .field("values", &self.values)
            .field("tls", &self.tls)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_token_or_secret_id() {
        let s = OpenBaoSource::new("http://b").token(Secret::new("s.tok3n"));
        let a = OpenBaoSource::new("http://b").approle("rid", Secret::new("sec1d"));
        let shown = format!("{s:?} {a:?} {} {}", s.describe(), a.describe());
        assert!(!shown.contains("s.tok3n") && !shown.contains("sec1d"), "{shown}");
    }
}
