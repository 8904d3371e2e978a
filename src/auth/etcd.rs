//! etcd as a source for a fleet (feature `etcd`): every key under a
//! prefix is one option, `<prefix><group>/<option>`, read with etcd's v3
//! API through its JSON gateway (`/v3/kv/range`, `/v3/watch`, keys and
//! values base64), which etcd 3.4 and later serve on the client port: no
//! gRPC stack, the HTTP client the crate already has.
//!
//! ```no_run
//! use std::sync::Arc;
//! use stackauth::{Loader, auth::EtcdSource, opt::Registry};
//! let registry = Arc::new(Registry::new());
//! let etcd = EtcdSource::new(["http://127.0.0.1:2379"], "/svc/");
//! let loader = Loader::shared(registry).config_file("/etc/glance/glance-api.conf").source(etcd.clone());
//! // `/svc/keystone_authtoken/password` sets [keystone_authtoken] password.
//! ```
//!
//! With the `reload` feature, [`crate::reload::LiveConfig::watch_etcd`]
//! follows the prefix with an etcd watch and reloads on every change.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use crate::diagnostic::{Code, Diagnostic};
use crate::opt::Secret;
use crate::source::{Entry, Layer, Origin, Precedence, Source, SourceRead};

/// Keys under a prefix of an etcd cluster as options: the key
/// `/svc/keystone_authtoken/password` under prefix `/svc/` sets option
/// `password` of group `keystone_authtoken`, its origin `etcd key
/// /svc/keystone_authtoken/password, revision 42` (the revision that last
/// wrote the key). Every [`read`](Source::read) asks the cluster again, the
/// endpoints in order until one answers; a cluster none of them reaches is
/// an error finding naming the endpoints. A key deeper or shallower than
/// `group/option` is ignored with a warning.
///
/// Its values stand with the config files, after them (so a key beats
/// what a local file sets): [`precedence`](EtcdSource::precedence) puts
/// them elsewhere, e.g. [`Precedence::Fallback`] for local files to win.
/// Clones share the revision last read (what a watch starts from).
#[derive(Clone)]
pub struct EtcdSource {
    endpoints: Vec<String>,
    prefix: String,
    timeout: Duration,
    precedence: Precedence,
    /// The cluster revision of the last successful read (0: none yet).
    revision: Arc<AtomicI64>,
    /// The config_source group it was opened from, for messages.
    group: Option<String>,
    /// Where `endpoints` was set, for findings.
    origin: Option<Origin>,
    tls: super::remote_file::TlsFiles,
    /// etcd's user authentication: the user and password.
    user: Option<(String, Secret)>,
    /// The auth token that user's authentication gave, shared by clones.
    token: Arc<Mutex<Option<Secret>>>,
}

impl EtcdSource {
    /// A source for the keys under `prefix` (`/svc/`; a `/` is added when
    /// missing) of the cluster at these client URLs (`http://host:2379`).
    pub fn new<I, S>(endpoints: I, prefix: &str) -> EtcdSource
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut prefix = prefix.to_owned();
        if !prefix.ends_with('/') {
            prefix.push('/');
        }
        EtcdSource {
            endpoints: endpoints.into_iter().map(|e| e.into().trim_end_matches('/').to_owned()).collect(),
            prefix,
            timeout: Duration::from_secs(10),
            precedence: Precedence::File,
            revision: Arc::new(AtomicI64::new(0)),
            group: None,
            origin: None,
            tls: super::remote_file::TlsFiles::default(),
            user: None,
            token: Arc::default(),
        }
    }

    /// Seconds to connect and to read a range (10 by default); a watch
    /// stays open as long as the cluster keeps it.
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

    /// Authenticates as this etcd user (a cluster with `etcdctl auth
    /// enable`): `/v3/auth/authenticate` gives a token, sent with every
    /// request, and asked again when the cluster says it is invalid.
    pub fn user(mut self, name: &str, password: Secret) -> Self {
        self.user = Some((name.to_owned(), password));
        self
    }

    /// Puts the values at another precedence than the files'.
    pub fn precedence(mut self, p: Precedence) -> Self {
        self.precedence = p;
        self
    }

    /// The key prefix, ending in `/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The client URLs, in the order they are tried.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// The cluster revision the last successful read saw (0 before one).
    pub fn revision(&self) -> i64 {
        self.revision.load(Ordering::Acquire)
    }

    /// The end of the prefix's range: the prefix with its last byte one
    /// higher (etcd's `WithPrefix`).
    fn range_end(&self) -> Vec<u8> {
        let mut end = self.prefix.as_bytes().to_vec();
        while let Some(last) = end.pop() {
            if last < 0xff {
                end.push(last + 1);
                return end;
            }
        }
        // Every byte 0xff: to the end of the keyspace.
        vec![0]
    }

    fn range_body(&self) -> Value {
        json!({"key": B64.encode(self.prefix.as_bytes()), "range_end": B64.encode(self.range_end())})
    }

    pub(crate) fn client(&self, read_timeout: Option<Duration>) -> Result<reqwest::Client, String> {
        super::transport::install_crypto_provider();
        let mut b = reqwest::Client::builder().connect_timeout(self.timeout);
        if let Some(t) = read_timeout {
            b = b.read_timeout(t);
        }
        self.tls.apply(b)?.build().map_err(|e| format!("cannot build the HTTP client: {e}"))
    }

    /// One range request over every key under the prefix, on a thread of
    /// its own with a runtime of its own: `read` is synchronous and may be
    /// called from inside a runtime.
    fn fetch(&self) -> Result<Value, String> {
        if self.endpoints.is_empty() {
            return Err("no endpoint is configured".to_owned());
        }
        let client = self.client(Some(self.timeout))?;
        let body = self.range_body();
        let run = || -> Result<Value, String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start an HTTP runtime: {e}"))?;
            rt.block_on(async {
                let mut failures = Vec::new();
                for ep in &self.endpoints {
                    match self.post(&client, ep, "/v3/kv/range", &body).await {
                        Ok(v) => return Ok(v),
                        Err(e) => failures.push(format!("{ep}: {e}")),
                    }
                }
                Err(failures.join("; "))
            })
        };
        std::thread::scope(|s| s.spawn(run).join()).map_err(|_| "the range request panicked".to_owned())?
    }

    /// The token to send to `ep`: none without a user; the one held,
    /// unless `fresh` or there is none.
    async fn auth_token(&self, client: &reqwest::Client, ep: &str, fresh: bool) -> Result<Option<Secret>, String> {
        let Some((name, password)) = &self.user else { return Ok(None) };
        if !fresh && let Some(t) = self.token.lock().ok().and_then(|t| t.clone()) {
            return Ok(Some(t));
        }
        let body = json!({"name": name, "password": password.expose()});
        let answer = post_json(client, &format!("{ep}/v3/auth/authenticate"), &body, None)
            .await
            .map_err(|e| format!("cannot authenticate as etcd user {name}: {}", e.message()))?;
        let token = answer
            .get("token")
            .and_then(Value::as_str)
            .map(Secret::new)
            .ok_or_else(|| format!("authenticating as etcd user {name} gave no token"))?;
        if let Ok(mut held) = self.token.lock() {
            *held = Some(token.clone());
        }
        Ok(Some(token))
    }

    /// One JSON request to `ep`, authenticated when there is a user (again,
    /// once, when the cluster says the token is invalid).
    async fn post(&self, client: &reqwest::Client, ep: &str, path: &str, body: &Value) -> Result<Value, String> {
        let url = format!("{ep}{path}");
        let token = self.auth_token(client, ep, false).await?;
        match post_json(client, &url, body, token.as_ref()).await {
            Err(Refused::Unauthorized(_)) if self.user.is_some() => {
                let token = self.auth_token(client, ep, true).await?;
                post_json(client, &url, body, token.as_ref()).await.map_err(|e| e.message())
            }
            r => r.map_err(|e| e.message()),
        }
    }

    fn fail(&self, message: String) -> Diagnostic {
        let mut d = Diagnostic::error(Code::Io, format!("{}: {message}", self.describe()))
            .suggest("check that the etcd endpoints answer (etcdctl endpoint health) and the prefix");
        if let Some(o) = &self.origin {
            d = d.at(o.clone());
        }
        if let Some(g) = &self.group {
            d = d.option(g, "endpoints");
        }
        d
    }

    /// A range response as entries, each key's origin naming it and the
    /// revision that wrote it.
    fn layer(&self, answer: &Value, diagnostics: &mut Vec<Diagnostic>) -> Layer {
        let mut layer = Layer::default();
        let kvs = answer.get("kvs").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for kv in kvs {
            let decode = |field: &str| kv.get(field).and_then(Value::as_str).and_then(|s| B64.decode(s).ok());
            let Some(key) = decode("key").and_then(|k| String::from_utf8(k).ok()) else {
                diagnostics.push(self.fail("a key under the prefix is not UTF-8 text: ignored".to_owned()));
                continue;
            };
            let revision = number(kv.get("mod_revision"));
            let origin = Origin::Source { name: format!("etcd key {key}, revision {revision}") };
            let rest = key.strip_prefix(&self.prefix).unwrap_or(&key);
            let Some((group, option)) =
                rest.split_once('/').filter(|(g, o)| !g.is_empty() && !o.is_empty() && !o.contains('/'))
            else {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::UnknownOption,
                        format!("etcd key {key} is not {}<group>/<option>: ignored", self.prefix),
                    )
                    .at(origin),
                );
                continue;
            };
            // An empty value is absent from the gateway's answer.
            let value = match decode("value").map(String::from_utf8) {
                None => String::new(),
                Some(Ok(v)) => v,
                Some(Err(_)) => {
                    diagnostics.push(
                        Diagnostic::error(Code::InvalidValue, format!("etcd key {key}: the value is not UTF-8 text"))
                            .option(group, option)
                            .at(origin),
                    );
                    continue;
                }
            };
            if !layer.groups.iter().any(|(g, _)| g == group) {
                layer.groups.push((group.to_owned(), origin.clone()));
            }
            layer.entries.push(Entry::new(group, option, value, origin));
        }
        layer
    }

    /// Follows the prefix from `start` (a cluster revision) with one watch
    /// stream on endpoint number `attempt` (modulo their count: a caller
    /// that reconnects with the next number tries the next endpoint),
    /// calling `changed` with each event batch's revision, until the stream
    /// ends or fails (the error says why); the caller reconnects.
    #[cfg_attr(not(feature = "reload"), allow(dead_code))]
    pub(crate) async fn watch_from(
        &self,
        client: &reqwest::Client,
        start: i64,
        attempt: usize,
        mut changed: impl FnMut(i64),
    ) -> Result<(), String> {
        if self.endpoints.is_empty() {
            return Err("no endpoint is configured".to_owned());
        }
        let ep = &self.endpoints[attempt % self.endpoints.len()];
        let mut create = self.range_body();
        create["start_revision"] = json!(start.to_string());
        create["progress_notify"] = json!(true);
        let mut req = client.post(format!("{ep}/v3/watch")).json(&json!({"create_request": create}));
        // A token held may have expired since: ask for one when reconnecting
        // after a failure (the caller's `attempt` grows).
        if let Some(t) = self.auth_token(client, ep, attempt > 0).await? {
            req = req.header(reqwest::header::AUTHORIZATION, sensitive(&t)?);
        }
        let mut resp = req.send().await.map_err(|e| super::transport::describe(e).message)?;
        if !resp.status().is_success() {
            return Err(format!("{ep} answered {} to the watch", resp.status()));
        }
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let chunk = resp.chunk().await.map_err(|e| super::transport::describe(e).message)?;
            let Some(chunk) = chunk else { return Ok(()) };
            buf.extend_from_slice(&chunk);
            while let Some(nl) = buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = buf.drain(..=nl).collect();
                let Ok(msg) = serde_json::from_slice::<Value>(&line) else { continue };
                let Some(result) = msg.get("result") else {
                    return Err("the watch stream ended with an error".to_owned());
                };
                let revision = number(result.pointer("/header/revision"));
                if result.get("canceled").and_then(Value::as_bool) == Some(true) {
                    // Compacted past `start`: whatever changed, read again.
                    changed(revision);
                    return Err(format!("the watch was canceled at revision {revision}"));
                }
                if result.get("events").and_then(Value::as_array).is_some_and(|e| !e.is_empty()) {
                    changed(revision);
                }
            }
        }
    }
}

/// The `etcd` config_source driver: register it with
/// [`crate::Loader::config_source_driver`] (the `stackauth` command has
/// it), so a service config names its cluster as it names a `remote_file`:
///
/// ```ini
/// [DEFAULT]
/// config_source = fleet
///
/// [fleet]
/// driver = etcd
/// endpoints = http://10.0.0.5:2379, http://10.0.0.6:2379
/// prefix = /glance/
/// ```
///
/// Options: `endpoints` (a list of client URLs, required), `prefix`
/// (required), `timeout` (seconds, 10), and for `https://` endpoints
/// `ca_path`, `client_cert`, `client_key` as `remote_file` has them;
/// `username` and `password` for a cluster with authentication enabled. As every config_source, its values
/// stand below files, the environment and the command line
/// ([`Precedence::Fallback`]); a reload reads the keys again. A watch
/// needs the source itself: build an [`EtcdSource`] and use
/// [`crate::reload::LiveConfig::watch_etcd`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Etcd;

impl crate::resolve::SourceDriver for Etcd {
    fn name(&self) -> &str {
        "etcd"
    }

    fn opts(&self) -> Vec<crate::opt::Opt> {
        use crate::opt::{Opt, OptType};
        vec![
            Opt::new("endpoints", OptType::list()).required(),
            Opt::string("prefix").required(),
            Opt::new("timeout", OptType::integer()).default("10"),
            Opt::string("ca_path"),
            Opt::string("client_cert"),
            Opt::string("client_key"),
            Opt::string("username"),
            Opt::string("password").secret(),
        ]
    }

    fn open(&self, group: &str, values: &crate::snapshot::Snapshot) -> Result<Box<dyn Source>, Box<Diagnostic>> {
        let endpoints: Vec<String> = values.get_as(group, "endpoints").ok().flatten().unwrap_or_default();
        let prefix: Option<String> = values.get_as(group, "prefix").ok().flatten();
        let (Some(prefix), false) = (prefix, endpoints.is_empty()) else {
            return Err(Box::new(
                Diagnostic::error(Code::MissingRequired, format!("etcd [{group}] needs endpoints and a prefix"))
                    .group(group)
                    .suggest("set endpoints = http://HOST:2379 and prefix = /SERVICE/"),
            ));
        };
        let timeout = values.get_as::<i64>(group, "timeout").ok().flatten().unwrap_or(10);
        let mut source = EtcdSource::new(endpoints, &prefix)
            .timeout(Duration::from_secs(timeout.max(1) as u64))
            .precedence(Precedence::Fallback);
        source.group = Some(group.to_owned());
        source.origin = values.get(group, "endpoints").map(|r| r.origin.clone());
        let text = |name: &str| values.value(group, name).and_then(|v| v.as_str()).map(std::path::PathBuf::from);
        if let (Some(user), Some(pw)) = (
            values.value(group, "username").and_then(|v| v.as_str()),
            values.value(group, "password").and_then(|v| v.as_str()),
        ) {
            source.user = Some((user.to_owned(), Secret::new(pw)));
        }
        source.tls = super::remote_file::TlsFiles {
            ca_path: text("ca_path"),
            client_cert: text("client_cert"),
            client_key: text("client_key"),
        };
        Ok(Box::new(source))
    }
}

/// etcd's gateway writes 64-bit numbers as strings.
fn number(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

/// Why a request failed: the cluster said the token is invalid (401), or
/// anything else; both with a message.
enum Refused {
    Unauthorized(String),
    Other(String),
}

impl Refused {
    fn message(self) -> String {
        match self {
            Refused::Unauthorized(m) | Refused::Other(m) => m,
        }
    }
}

/// A token as a header value that HTTP logging leaves out.
fn sensitive(token: &Secret) -> Result<http::HeaderValue, String> {
    let mut v = http::HeaderValue::from_str(token.expose())
        .map_err(|_| "the etcd auth token is not a valid header value".to_owned())?;
    v.set_sensitive(true);
    Ok(v)
}

async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
    token: Option<&Secret>,
) -> Result<Value, Refused> {
    let mut req = client.post(url).json(body);
    if let Some(t) = token {
        req = req.header(reqwest::header::AUTHORIZATION, sensitive(t).map_err(Refused::Other)?);
    }
    let resp = req.send().await.map_err(|e| Refused::Other(super::transport::describe(e).message))?;
    let status = resp.status();
    if !status.is_success() {
        // Only etcd's own error text (`etcdserver: ...`), which names no
        // value: the rest of the body is not shown.
        let said = resp
            .json::<Value>()
            .await
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
            .filter(|e| e.starts_with("etcdserver: "));
        let m = match said {
            Some(e) => format!("answered {status}: {e}"),
            None => format!("answered {status}"),
        };
        return Err(if status.as_u16() == 401 { Refused::Unauthorized(m) } else { Refused::Other(m) });
    }
    resp.json::<Value>()
        .await
        .map_err(|e| Refused::Other(format!("not an etcd answer: {}", super::transport::describe(e).message)))
}

impl Source for EtcdSource {
    fn describe(&self) -> String {
        match &self.group {
            Some(g) => format!("etcd [{g}] {} at {}", self.prefix, self.endpoints.join(",")),
            None => format!("etcd {} at {}", self.prefix, self.endpoints.join(",")),
        }
    }

    fn precedence(&self) -> Precedence {
        self.precedence
    }

    fn read(&self) -> SourceRead {
        let answer = match self.fetch() {
            Ok(a) => a,
            Err(e) => return SourceRead::failed(vec![self.fail(format!("cannot read: {e}"))]),
        };
        let mut diagnostics = Vec::new();
        let layer = self.layer(&answer, &mut diagnostics);
        let revision = number(answer.pointer("/header/revision"));
        self.revision.fetch_max(revision, Ordering::AcqRel);
        SourceRead { layers: vec![layer], dirs: Vec::new(), diagnostics }
    }
}

impl fmt::Debug for EtcdSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EtcdSource")
            .field("endpoints", &self.endpoints)
            .field("prefix", &self.prefix)
            .field("revision", &self.revision())
            .field("tls", &self.tls)
            .field("user", &self.user.as_ref().map(|(name, _)| name))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_ends_after_the_prefix() {
        assert_eq!(EtcdSource::new(["http://x"], "/svc").range_end(), b"/svc0");
        assert_eq!(EtcdSource::new(["http://x"], "/svc/").prefix(), "/svc/");
    }

    #[test]
    fn keys_map_to_groups_and_options() {
        let s = EtcdSource::new(["http://x"], "/svc/");
        let kv = |k: &str, v: &str| json!({"key": B64.encode(k), "value": B64.encode(v), "mod_revision": "7"});
        let answer = json!({"header": {"revision": "9"}, "kvs": [
            kv("/svc/keystone_authtoken/password", "pw"),
            kv("/svc/toodeep/a/b", "x"),
            {"key": B64.encode("/svc/DEFAULT/empty"), "mod_revision": "3"},
        ]});
        let mut d = Vec::new();
        let layer = s.layer(&answer, &mut d);
        assert_eq!(layer.entries.len(), 2);
        assert_eq!(layer.entries[0].origin.to_string(), "etcd key /svc/keystone_authtoken/password, revision 7");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].to_string().contains("/svc/toodeep/a/b"));
    }
}
