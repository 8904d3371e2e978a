//! oslo.config's `remote_file` config_source driver
//! (`oslo_config.sources._uri`): an INI file fetched over HTTP(S), its
//! values standing below every local file.
//!
//! ```ini
//! [DEFAULT]
//! config_source = shared
//!
//! [shared]
//! driver = remote_file
//! uri = https://config.example.com/glance-api.conf
//! ca_path = /etc/ssl/internal-ca.pem
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::diagnostic::{Code, Diagnostic};
use crate::opt::{Opt, OptType, UriType};
use crate::resolve::SourceDriver;
use crate::snapshot::Snapshot;
use crate::source::{Layer, Origin, Precedence, Source, SourceRead};

/// The `remote_file` driver: register it with
/// [`crate::Loader::config_source_driver`]. Its options are oslo's:
/// `uri` (http or https, required), `ca_path` (a CA bundle file or a
/// directory of them; the system roots when unset), `client_cert`
/// (a PEM certificate, with its key unless `client_key` is set),
/// `client_key`, `timeout` (seconds to connect and between reads; 60).
#[derive(Clone, Copy, Debug, Default)]
pub struct RemoteFile;

impl SourceDriver for RemoteFile {
    fn name(&self) -> &str {
        "remote_file"
    }

    fn opts(&self) -> Vec<Opt> {
        let uri = OptType::Uri(UriType { schemes: vec!["http".into(), "https".into()], max_length: None });
        vec![
            Opt::new("uri", uri).required(),
            Opt::string("ca_path"),
            Opt::string("client_cert"),
            Opt::string("client_key"),
            Opt::new("timeout", OptType::integer()).default("60"),
        ]
    }

    fn open(&self, group: &str, values: &Snapshot) -> Result<Box<dyn Source>, Box<Diagnostic>> {
        let text = |name: &str| values.value(group, name).and_then(|v| v.as_str()).map(str::to_owned);
        let Some(uri) = text("uri") else {
            return Err(Box::new(
                Diagnostic::error(Code::MissingRequired, format!("remote_file [{group}] has no uri"))
                    .option(group, "uri")
                    .suggest("set uri to the http:// or https:// address of the file"),
            ));
        };
        let timeout = values.get_as::<i64>(group, "timeout").ok().flatten().unwrap_or(60);
        let mut source = RemoteFileSource::new(&uri).timeout(Duration::from_secs(timeout.max(0) as u64));
        source.group = Some(group.to_owned());
        source.origin = values.get(group, "uri").map(|r| r.origin.clone());
        if let Some(p) = text("ca_path") {
            source = source.ca_path(p);
        }
        if let Some(p) = text("client_cert") {
            source = source.client_cert(p);
        }
        if let Some(p) = text("client_key") {
            source = source.client_key(p);
        }
        Ok(Box::new(source))
    }
}

/// One remote file: fetched on every [`read`](Source::read) (so a
/// reload fetches it again), its body parsed in oslo.config's INI dialect,
/// each value's origin `URL:line:column`. A failed fetch is an error
/// finding naming the URL.
#[derive(Clone)]
pub struct RemoteFileSource {
    uri: String,
    ca_path: Option<PathBuf>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    timeout: Duration,
    /// The config_source group it was opened from, for messages.
    group: Option<String>,
    /// Where `uri` was set, for findings.
    origin: Option<Origin>,
}

impl RemoteFileSource {
    /// A source for the file at `uri` (`http://` or `https://`).
    pub fn new(uri: &str) -> RemoteFileSource {
        RemoteFileSource {
            uri: uri.to_owned(),
            ca_path: None,
            client_cert: None,
            client_key: None,
            timeout: Duration::from_secs(60),
            group: None,
            origin: None,
        }
    }

    /// Trusts only the CA certificates in this PEM file, or in the files
    /// of this directory (requests' `verify=ca_path`).
    pub fn ca_path(mut self, p: impl Into<PathBuf>) -> Self {
        self.ca_path = Some(p.into());
        self
    }

    /// Presents this client certificate (PEM; with its key unless
    /// [`client_key`](Self::client_key) is set).
    pub fn client_cert(mut self, p: impl Into<PathBuf>) -> Self {
        self.client_cert = Some(p.into());
        self
    }

    /// The client certificate's private key (PEM).
    pub fn client_key(mut self, p: impl Into<PathBuf>) -> Self {
        self.client_key = Some(p.into());
        self
    }

    /// Seconds to connect and between reads (requests' `timeout`).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// The URL for messages and origins: a password in it is `****`.
    pub fn display_uri(&self) -> String {
        redact(&self.uri)
    }

    fn fail(&self, message: String) -> Diagnostic {
        let mut d = Diagnostic::error(Code::Io, message);
        if let Some(o) = &self.origin {
            d = d.at(o.clone());
        }
        if let Some(g) = &self.group {
            d = d.option(g, "uri");
        }
        d
    }

    fn who(&self) -> String {
        match &self.group {
            Some(g) => format!("remote_file [{g}]"),
            None => "remote_file".to_owned(),
        }
    }

    /// The body, fetched on a thread of its own with a runtime of its own:
    /// `read` is synchronous and may be called from inside a runtime.
    fn fetch(&self) -> Result<Vec<u8>, String> {
        let client = self.client()?;
        let url = self.uri.clone();
        let shown = self.display_uri();
        let run = move || -> Result<Vec<u8>, String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start an HTTP runtime: {e}"))?;
            rt.block_on(async {
                let resp = client.get(&url).send().await.map_err(|e| super::transport::describe(e).message)?;
                let status = resp.status();
                if !status.is_success() {
                    // As requests' raise_for_status; the body is not shown
                    // (it may echo what it should not).
                    return Err(format!("{shown} answered {status}"));
                }
                resp.bytes().await.map(|b| b.to_vec()).map_err(|e| super::transport::describe(e).message)
            })
        };
        std::thread::scope(|s| s.spawn(run).join()).map_err(|_| "the fetch panicked".to_owned())?
    }

    fn client(&self) -> Result<reqwest::Client, String> {
        super::transport::install_crypto_provider();
        let b = reqwest::Client::builder().connect_timeout(self.timeout).read_timeout(self.timeout);
        let tls = TlsFiles {
            ca_path: self.ca_path.clone(),
            client_cert: self.client_cert.clone(),
            client_key: self.client_key.clone(),
        };
        tls.apply(b)?.build().map_err(|e| format!("cannot build the HTTP client: {e}"))
    }
}

/// The TLS files of a store's client, as oslo's `remote_file` names them:
/// a CA bundle or a directory of them (`ca_path`: only those CAs are
/// trusted), a client certificate (PEM, with its key unless `client_key`
/// is set) and its key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TlsFiles {
    pub(crate) ca_path: Option<PathBuf>,
    pub(crate) client_cert: Option<PathBuf>,
    pub(crate) client_key: Option<PathBuf>,
}

impl TlsFiles {
    /// `b` with these files' CAs and client identity.
    pub(crate) fn apply(&self, mut b: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, String> {
        let read = |what: &str, p: &Path| {
            crate::source::read::read_bytes(p).map_err(|e| format!("cannot read {what} {}: {e}", p.display()))
        };
        if let Some(ca) = &self.ca_path {
            let mut certs = Vec::new();
            let files = if ca.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(ca)
                    .map_err(|e| format!("cannot list ca_path {}: {e}", ca.display()))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect();
                files.sort();
                files
            } else {
                vec![ca.clone()]
            };
            for f in files {
                // A directory may hold other files: take what parses.
                if let Ok(mut c) = reqwest::Certificate::from_pem_bundle(&read("ca_path", &f)?) {
                    certs.append(&mut c);
                }
            }
            if certs.is_empty() {
                return Err(format!("ca_path {} holds no PEM certificate", ca.display()));
            }
            b = b.tls_certs_only(certs);
        }
        // requests ignores a key without a certificate; so do we.
        if let Some(cert) = &self.client_cert {
            let mut pem = read("client_cert", cert)?;
            if let Some(k) = &self.client_key {
                pem.push(b'\n');
                pem.extend(read("client_key", k)?);
            }
            let id = reqwest::Identity::from_pem(&pem)
                .map_err(|e| format!("client_cert {} is not a usable client identity: {e}", cert.display()))?;
            b = b.identity(id);
        }
        Ok(b)
    }
}

impl Source for RemoteFileSource {
    fn describe(&self) -> String {
        format!("{} {}", self.who(), self.display_uri())
    }

    fn precedence(&self) -> Precedence {
        Precedence::Fallback
    }

    fn read(&self) -> SourceRead {
        let shown = self.display_uri();
        let body = match self.fetch() {
            Ok(b) => b,
            Err(e) => return SourceRead::failed(vec![self.fail(format!("{}: cannot fetch {shown}: {e}", self.who()))]),
        };
        let Ok(text) = String::from_utf8(body) else {
            return SourceRead::failed(vec![self.fail(format!("{}: {shown} is not UTF-8 text", self.who()))]);
        };
        match crate::source::parse_ini(Path::new(&shown), &text) {
            Ok(f) => SourceRead::layer(Layer { file: None, groups: f.groups, entries: f.entries, mode: None }),
            Err(diagnostics) => SourceRead::failed(diagnostics),
        }
    }
}

// The URL may hold a password.
impl fmt::Debug for RemoteFileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteFileSource")
            .field("uri", &self.display_uri())
            .field("ca_path", &self.ca_path)
            .field("client_cert", &self.client_cert)
            .field("client_key", &self.client_key)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// `uri` with the password of its userinfo as `****`.
fn redact(uri: &str) -> String {
    match reqwest::Url::parse(uri) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        Ok(_) => uri.to_owned(),
        // Not a URL at all: keep what cannot be a password.
        Err(_) => match uri.split_once('@') {
            Some((_, host)) => format!("****@{host}"),
            None => uri.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_masked() {
        let s = RemoteFileSource::new("https://u:hunter2@h.example/x.conf");
        assert_eq!(s.display_uri(), "https://u:****@h.example/x.conf");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!s.describe().contains("hunter2"));
    }
}
