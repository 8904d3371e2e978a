//! The Session: one HTTP client, its TLS settings, the auth plugin's
//! token, and the request loop (auth, catalog, retries, redirects, logs).

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use arc_swap::{ArcSwap, ArcSwapOption};

use super::discover::{
    DiscoveryOptions, Version, VersionData, VersionSpec, choose_allowing, discovery_urls, microversion_headers,
    parse_versions, vet_links,
};
use crate::auth::Interface;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, USER_AGENT};

use super::attempt::{AfterError, Attempt, credential_header};
use super::auth_state::{AuthState, Current, DEFAULT_REFRESH_MARGIN};
use super::request::{Body, Request, Response, SessionError, request_id};
use super::retry::RetryPolicy;
use crate::auth::transport::{
    BoxFuture, HttpClient, HttpRequest, HttpResponse, Outgoing, ReqwestTransport, SharedClient, TransportError,
    send_via,
};
use crate::auth::{AuthPlugin, Credentials, EndpointFilter, LoadedAuth, SessionOptions, Transport};

/// One request's timing, when `collect_timing` is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// The status.
    pub status: u16,
    /// How long it took.
    pub elapsed: Duration,
}

struct Inner {
    /// Swapped when the transport options change on reload; a request
    /// keeps the client it started with.
    transport: ArcSwap<SharedClient>,
    /// Swapped when the credentials change on reload; a request keeps the
    /// auth state it started with.
    auth: ArcSwapOption<AuthState>,
    margin: Duration,
    /// The session's user agent, whole.
    user_agent: String,
    /// The parts an adapter's client name goes between (keystoneauth's
    /// order: application, client, additional agents, library); `None`
    /// when `user_agent` was set, which keystoneauth sends as it is.
    user_agent_parts: Option<(String, String)>,
    /// Sent with every request that does not set them itself.
    additional_headers: reqwest::header::HeaderMap,
    /// Request, response and body logs in their own targets; swapped with
    /// the transport options on reload.
    split_loggers: std::sync::atomic::AtomicBool,
    /// `user_agent` as a header value, built once (None if it is not valid
    /// HTTP: each request then reports that).
    user_agent_header: Option<HeaderValue>,
    timings: Option<Mutex<Vec<Timing>>>,
    max_redirects: usize,
    retry: RetryPolicy,
    /// Version documents per catalog URL: shared by every adapter, fetched
    /// once however many requests want them, kept for `discovery_ttl`.
    discovery: DiscoveryCache,
    discovery_ttl: Duration,
}

/// Version documents by catalog URL, with when they were fetched.
type DiscoveryCache = Mutex<HashMap<String, (Instant, Arc<tokio::sync::OnceCell<Discovered>>)>>;

/// What discovery found at a catalog URL.
#[derive(Clone, Debug)]
struct Discovered {
    versions: Vec<VersionData>,
    project: Option<String>,
}

/// One catalog endpoint and every version it publishes
/// ([`Session::all_version_data`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceVersions {
    /// The official service type (`block-storage` for a `volumev3` entry).
    pub service_type: String,
    /// The endpoint's interface.
    pub interface: Interface,
    /// The endpoint's region (its id, else its name).
    pub region: String,
    /// The catalog URL.
    pub url: String,
    /// What its version document offers, deprecated and experimental
    /// versions included.
    pub versions: Vec<VersionData>,
}

/// A service's endpoint and version, as discovery found them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointData {
    /// The service type.
    pub service_type: String,
    /// The URL to send requests to (versioned when a version was asked).
    pub url: String,
    /// The catalog's URL.
    pub catalog_url: String,
    /// The API version, when one was asked (or discovered).
    pub api_version: Option<Version>,
    /// The lowest microversion.
    pub min_microversion: Option<Version>,
    /// The highest microversion.
    pub max_microversion: Option<Version>,
    /// The interface.
    pub interface: Option<Interface>,
    /// The region.
    pub region: Option<String>,
}

impl EndpointData {
    /// The endpoint at `url` as the catalog (or an override) gives it,
    /// before any version is chosen.
    fn unversioned(service_type: &str, url: &str, interface: Option<Interface>, region: Option<String>) -> Self {
        EndpointData {
            service_type: service_type.to_owned(),
            url: url.to_owned(),
            catalog_url: url.to_owned(),
            api_version: None,
            min_microversion: None,
            max_microversion: None,
            interface,
            region,
        }
    }

    /// With the version discovery chose: its URL and microversions.
    fn versioned(self, v: VersionData) -> Self {
        EndpointData {
            url: v.url,
            api_version: Some(v.version),
            min_microversion: v.min_microversion,
            max_microversion: v.max_microversion,
            ..self
        }
    }
}

/// One HTTP client with its transport security and its auth plugin's
/// token, shared by every client of a daemon. Cloning is cheap.
///
/// ```no_run
/// use stackauth::session::{Adapter, Session};
/// # async fn demo(loaded: stackauth::auth::LoadedAuth) -> Result<(), stackauth::session::SessionError> {
/// let session = Session::from_loaded(&loaded)?;
/// let identity = Adapter::new(&session).service_type("identity");
/// let projects = identity.get("/v3/projects").await?.json::<serde_json::Value>();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("auth", &self.inner.auth).field("user_agent", &self.inner.user_agent).finish()
    }
}

/// Builds a [`Session`].
#[derive(Clone, Debug, Default)]
pub struct SessionBuilder {
    plugin: Option<Arc<dyn AuthPlugin>>,
    options: SessionOptions,
    app: Option<(String, String)>,
    margin: Option<Duration>,
    max_redirects: Option<usize>,
    retry: RetryPolicy,
    discovery_ttl: Option<Duration>,
    user_agent: Option<String>,
    additional_user_agent: Vec<(String, String)>,
    additional_headers: Vec<(String, String)>,
    http_client: Option<SharedClient>,
}

impl SessionBuilder {
    /// Sends through `client` instead of a reqwest client built from the
    /// session options (whose TLS files and timeout are then the client's
    /// business, not the Session's).
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http_client = Some(SharedClient::new(client));
        self
    }

    /// How long a discovered version document is kept (300 s by default).
    pub fn discovery_ttl(mut self, ttl: Duration) -> Self {
        self.discovery_ttl = Some(ttl);
        self
    }

    /// The auth plugin.
    pub fn auth(mut self, plugin: Arc<dyn AuthPlugin>) -> Self {
        self.plugin = Some(plugin);
        self
    }

    /// TLS, timeout and timing settings.
    pub fn options(mut self, options: SessionOptions) -> Self {
        self.options = options;
        self
    }

    /// The application, for the user agent (`<app>/<version> stackauth/<v>`).
    pub fn app(mut self, name: &str, version: &str) -> Self {
        self.app = Some((name.to_owned(), version.to_owned()));
        self
    }

    /// The user agent, instead of `<app>/<version> ... stackauth/<v>`: sent as
    /// `<user_agent> stackauth/<v>`, with no application, client or
    /// additional agent, as keystoneauth's `Session(user_agent=...)`. A
    /// request's [`Request::user_agent`] replaces it whole.
    pub fn user_agent(mut self, ua: &str) -> Self {
        self.user_agent = Some(ua.to_owned());
        self
    }

    /// Appends `name/version` to the user agent after the application and
    /// the adapter's client, as keystoneauth's `additional_user_agent`.
    pub fn additional_user_agent(mut self, name: &str, version: &str) -> Self {
        self.additional_user_agent.push((name.to_owned(), version.to_owned()));
        self
    }

    /// A header sent with every request that does not set it itself (nor
    /// its credentials), as keystoneauth's `additional_headers`. A name or
    /// value that is not valid HTTP makes `build` fail.
    pub fn additional_header(mut self, name: &str, value: &str) -> Self {
        self.additional_headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// How long before expiry a token is replaced (120 s by default).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = Some(margin);
        self
    }

    /// How many redirects to follow (30 by default, as keystoneauth).
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.max_redirects = Some(n);
        self
    }

    /// Default retry settings (none by default).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Builds the session: reads the TLS files and builds the client.
    pub fn build(self) -> Result<Session, SessionError> {
        let client = match self.http_client {
            Some(c) => c,
            None => SharedClient::reqwest(ReqwestTransport::new(build_client(&self.options)?)),
        };
        const LIB: &str = concat!("stackauth/", env!("CARGO_PKG_VERSION"));
        let (user_agent, user_agent_parts) = match &self.user_agent {
            Some(ua) => (format!("{ua} {LIB}"), None),
            None => {
                let app = self.app.as_ref().map(|(n, v)| format!("{n}/{v}")).unwrap_or_default();
                let mut tail: Vec<String> =
                    self.additional_user_agent.iter().map(|(n, v)| format!("{n}/{v}")).collect();
                tail.push(LIB.to_owned());
                let tail = tail.join(" ");
                let whole = if app.is_empty() { tail.clone() } else { format!("{app} {tail}") };
                (whole, Some((app, tail)))
            }
        };
        let mut additional_headers = reqwest::header::HeaderMap::new();
        for (k, v) in &self.additional_headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| SessionError::Config(format!("additional header name {k:?} is not valid HTTP")))?;
            let value = HeaderValue::from_str(v)
                .map_err(|_| SessionError::Config(format!("additional header {k}'s value is not valid HTTP")))?;
            additional_headers.append(name, value);
        }
        let margin = self.margin.unwrap_or(DEFAULT_REFRESH_MARGIN);
        Ok(Session {
            inner: Arc::new(Inner {
                transport: ArcSwap::from_pointee(client),
                auth: ArcSwapOption::new(self.plugin.map(|p| Arc::new(AuthState::new(p, margin)))),
                margin,
                user_agent_header: HeaderValue::from_str(&user_agent).ok(),
                user_agent,
                user_agent_parts,
                additional_headers,
                split_loggers: self.options.split_loggers.into(),
                timings: self.options.collect_timing.then(|| Mutex::new(Vec::new())),
                max_redirects: self.max_redirects.unwrap_or(30),
                retry: self.retry,
                discovery: Mutex::new(HashMap::new()),
                discovery_ttl: self.discovery_ttl.unwrap_or(Duration::from_secs(300)),
            }),
        })
    }
}

/// An HTTP client for `o`: TLS roots, client identity, timeout.
fn build_client(o: &SessionOptions) -> Result<reqwest::Client, SessionError> {
    {
        crate::auth::transport::install_crypto_provider();
        let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        if let Some(t) = o.timeout {
            b = b.timeout(t);
        }
        let tls = |setting: &'static str, path: &std::path::Path, problem: String| SessionError::TlsFile {
            setting,
            path: path.to_owned(),
            problem,
            origin: None,
        };
        let read = |what: &'static str, p: &std::path::Path| {
            crate::source::read::read_bytes(p)
                .map_err(|e| tls(what, p, format!("cannot read {what} {}: {e}", p.display())))
        };
        if let Some(ca) = &o.cafile {
            let certs = reqwest::Certificate::from_pem_bundle(&read("cafile", ca)?).map_err(|e| {
                tls("cafile", ca, format!("cafile {} holds no usable PEM certificate: {e}", ca.display()))
            })?;
            if certs.is_empty() {
                return Err(tls("cafile", ca, format!("cafile {} holds no certificate", ca.display())));
            }
            // As keystoneauth (requests' `verify=cafile`): only these roots.
            b = b.tls_certs_only(certs);
        }
        match (&o.certfile, &o.keyfile) {
            (Some(cert), key) => {
                let mut pem = read("certfile", cert)?;
                if let Some(k) = key {
                    pem.push(b'\n');
                    pem.extend(read("keyfile", k)?);
                }
                let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                    let problem =
                        format!("certfile {} (with keyfile) is not a usable client identity: {e}", cert.display());
                    tls("certfile", cert, problem)
                })?;
                b = b.identity(id);
            }
            (None, Some(k)) => {
                return Err(tls("keyfile", k, format!("keyfile {} is set without certfile", k.display())));
            }
            (None, None) => {}
        }
        if o.insecure {
            tracing::warn!("insecure is set: TLS certificates will not be verified");
            b = b.tls_danger_accept_invalid_certs(true);
        }
        b.build().map_err(|e| SessionError::Config(format!("cannot build the HTTP client: {e}")))
    }
}

/// Joins a base URL and a path as keystoneauth does.
pub(crate) fn join(base: &str, path: &str) -> String {
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        return base.to_owned();
    }
    // Not format!: this runs on every request through the catalog.
    let base = base.trim_end_matches('/');
    let mut url = String::with_capacity(base.len() + 1 + path.len());
    url.push_str(base);
    url.push('/');
    url.push_str(path);
    url
}

/// `scheme://...` with an alphanumeric scheme (a byte scan: this runs
/// twice per request).
fn is_absolute(url: &str) -> bool {
    let scheme = url.bytes().take_while(u8::is_ascii_alphanumeric).count();
    scheme > 0 && url[scheme..].starts_with("://")
}

impl Session {
    /// A builder.
    pub fn builder() -> SessionBuilder {
        SessionBuilder::default()
    }

    /// A session from a loaded group: its plugin and session settings.
    ///
    /// A TLS file that cannot be used is an error that also says where the
    /// setting came from (`cafile from command line --os-cacert`).
    pub fn from_loaded(loaded: &LoadedAuth) -> Result<Session, SessionError> {
        Session::builder().auth(loaded.plugin.clone()).options(loaded.session.clone()).build().map_err(|e| match e {
            SessionError::TlsFile { setting, path, problem, origin: None } => {
                let origin = loaded.snapshot.get(&loaded.group, setting).map(|r| r.origin.to_string());
                SessionError::TlsFile { setting, path, problem, origin }
            }
            e => e,
        })
    }

    /// The session's current auth state (plugin, cached token, fetch count).
    pub fn auth_state(&self) -> Option<Arc<AuthState>> {
        self.inner.auth.load_full()
    }

    /// The current auth state, or the error a call that needs one gets.
    fn require_auth(&self) -> Result<Arc<AuthState>, SessionError> {
        self.auth_state().ok_or(SessionError::NoAuth { request: None })
    }

    /// Authenticates with `plugin` from now on, after checking that it can:
    /// its first token is fetched before the swap, so a plugin whose
    /// credentials are refused never replaces one that works. Requests
    /// already under way finish with the old token.
    pub async fn replace_auth(&self, plugin: Arc<dyn AuthPlugin>) -> Result<(), SessionError> {
        let state = Arc::new(AuthState::new(plugin, self.inner.margin));
        let t = self.inner.transport.load_full();
        state.get(t.as_ref()).await?;
        self.inner.auth.store(Some(state));
        Ok(())
    }

    /// Rebuilds the HTTP client with new TLS and timeout settings; requests
    /// under way finish on the old client.
    pub fn replace_transport(&self, options: &SessionOptions) -> Result<(), SessionError> {
        let client = build_client(options)?;
        self.inner.transport.store(Arc::new(SharedClient::reqwest(ReqwestTransport::new(client))));
        self.inner.split_loggers.store(options.split_loggers, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Sends through `client` from now on; requests under way finish on
    /// the old one.
    pub fn replace_http_client(&self, client: impl HttpClient + 'static) {
        self.inner.transport.store(Arc::new(SharedClient::new(client)));
    }

    /// The user agent sent.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// Timings collected so far (empty unless `collect_timing`).
    pub fn timings(&self) -> Vec<Timing> {
        self.inner.timings.as_ref().and_then(|t| t.lock().ok().map(|t| t.clone())).unwrap_or_default()
    }

    /// The session's credentials, fetching them if needed.
    pub async fn credentials(&self) -> Result<Arc<Credentials>, SessionError> {
        let state = self.require_auth()?;
        let t = self.inner.transport.load_full();
        Ok(state.get(t.as_ref()).await?.credentials)
    }

    /// The URL the catalog gives for `filter`.
    pub async fn endpoint(&self, filter: &EndpointFilter) -> Result<String, SessionError> {
        let state = self.require_auth()?;
        self.endpoint_with(&state, filter).await
    }

    /// The URL `state`'s catalog gives for `filter`.
    pub(crate) async fn endpoint_with(
        &self,
        state: &AuthState,
        filter: &EndpointFilter,
    ) -> Result<String, SessionError> {
        let t = self.inner.transport.load_full();
        let c = state.get(t.as_ref()).await?;
        endpoint_of(&c, state.plugin().as_ref(), filter).map(str::to_owned)
    }

    /// Sends `req`.
    pub async fn send(&self, req: Request) -> Result<Response, SessionError> {
        self.send_as(req, Cow::Borrowed(&self.inner.user_agent)).await
    }

    pub(crate) fn user_agent_with(&self, client: Option<&(String, String)>) -> Cow<'_, str> {
        match (client, &self.inner.user_agent_parts) {
            // keystoneauth puts the client after the application, before
            // the additional agents; a session-wide user agent has none.
            (Some((n, v)), Some((app, tail))) if app.is_empty() => format!("{n}/{v} {tail}").into(),
            (Some((n, v)), Some((app, tail))) => format!("{app} {n}/{v} {tail}").into(),
            _ => self.inner.user_agent.as_str().into(),
        }
    }

    /// Sends `req` with `user_agent`. Not an `async fn`: rustc keeps an
    /// async fn's argument and the local it moves into side by side in the
    /// future, and a request is about 450 bytes; a block captures it once. (Every
    /// request's future is copied as it is awaited level by level, and
    /// hundreds may be in flight.)
    #[allow(clippy::manual_async_fn)] // on purpose: see above
    pub(crate) fn send_as<'a>(
        &'a self,
        mut req: Request,
        user_agent: Cow<'a, str>,
    ) -> impl Future<Output = Result<Response, SessionError>> + Send + 'a {
        async move {
            let state: Option<Arc<AuthState>> = req.auth.clone().or_else(|| self.auth_state());
            let use_auth = match (req.authenticated, &state) {
                (Some(false), _) => false,
                (Some(true), None) => {
                    return Err(SessionError::NoAuth { request: Some((req.method.to_string(), req.url.clone())) });
                }
                (_, s) => s.is_some(),
            };
            let needs_catalog = !is_absolute(&req.url) && req.endpoint_override.is_none() && req.filter.is_some();
            let transport = self.inner.transport.load_full();
            let t = transport.as_ref();
            let mut current = match &state {
                Some(s) if use_auth || needs_catalog => Some(s.get(t).await?),
                _ => None,
            };
            let mut url = self.resolve(&req, state.as_deref(), current.as_ref())?;
            let mut extra_headers: Vec<(String, String)> = Vec::new();
            if (req.version.is_some() || req.microversion.is_some()) && needs_catalog {
                let service_type = req.filter.as_ref().map(|f| f.service_type.clone()).unwrap_or_default();
                let base =
                    self.resolve(&Request { url: String::new(), ..req.clone() }, state.as_deref(), current.as_ref())?;
                let spec = req
                    .version
                    .unwrap_or_else(|| VersionSpec::version(Version(req.microversion.map_or(0, |m| m.0), 0)));
                // Boxed: discovery's state is kilobytes, and every request's
                // future would carry (and copy) it otherwise.
                let options = req.discovery.unwrap_or_default();
                let chosen =
                    Box::pin(self.choose_version(&base, &service_type, &spec, current.as_ref(), &options)).await?;
                if let Some(mv) = req.microversion {
                    check_microversion(&service_type, &chosen, mv)?;
                    extra_headers = microversion_headers(&service_type, mv);
                }
                url = join(&chosen.url, &req.url);
            }
            for (k, v) in &extra_headers {
                req = req.header(k, v);
            }
            let mut renewed = false;
            loop {
                let auth = current.as_ref().filter(|_| use_auth);
                let resp = self.send_once(&transport, &req, &url, auth, &user_agent).await?;
                if resp.status == 401 && use_auth {
                    if let (false, Some(s), Some(c)) = (renewed, &state, &current) {
                        if matches!(*c.credentials, Credentials::Token(_) | Credentials::OnBehalf { .. }) {
                            tracing::info!(url = %resp.url, "401 from the service: re-authenticating once");
                            renewed = true;
                            current = Some(s.renew(c.generation, t).await?);
                            continue;
                        }
                    }
                    if renewed {
                        return Err(http_error(req.method.as_str(), &resp, "still refused after re-authenticating"));
                    }
                }
                if req.raise && resp.status >= 400 {
                    return Err(http_error(req.method.as_str(), &resp, ""));
                }
                return Ok(resp);
            }
        }
    }

    /// The version documents at a catalog URL: fetched once per URL (and
    /// per time-to-live) however many requests ask at the same time.
    async fn discover(
        &self,
        catalog_url: &str,
        auth: Option<&Current>,
        version_hack: bool,
    ) -> Result<Discovered, SessionError> {
        // With the hack off another set of URLs is asked: cached apart.
        let key = if version_hack { Cow::Borrowed(catalog_url) } else { Cow::Owned(format!("no-hack {catalog_url}")) };
        let cell = {
            let mut cache =
                self.inner.discovery.lock().map_err(|_| SessionError::Config("discovery cache poisoned".into()))?;
            let fresh = cache
                .get(key.as_ref())
                .filter(|(at, _)| at.elapsed() < self.inner.discovery_ttl)
                .map(|(_, c)| c.clone());
            match fresh {
                Some(c) => c,
                None => {
                    let c = Arc::new(tokio::sync::OnceCell::new());
                    cache.insert(key.into_owned(), (Instant::now(), c.clone()));
                    c
                }
            }
        };
        let found = cell
            .get_or_try_init(|| async {
                let (mut urls, project, url_version) = discovery_urls(catalog_url);
                if !version_hack {
                    // Only the catalog's URL (less its project id).
                    urls.drain(..urls.len().saturating_sub(1));
                }
                let transport = self.inner.transport.load_full();
                for u in &urls {
                    let req = Request::get(u.clone()).raise_on_error(false);
                    let Ok(resp) = self.send_once(&transport, &req, u, auth, &self.inner.user_agent).await else {
                        continue;
                    };
                    if !(200..300).contains(&resp.status) && resp.status != 300 {
                        continue;
                    }
                    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&resp.body) else { continue };
                    let versions = vet_links(catalog_url, parse_versions(&doc, &resp.url));
                    if !versions.is_empty() {
                        return Ok::<_, SessionError>(Discovered { versions, project });
                    }
                }
                // Nothing published: the URL's own version is all there is.
                let versions = url_version
                    .map(|v| {
                        vec![VersionData {
                            version: v,
                            status: "CURRENT".into(),
                            url: urls.last().cloned().unwrap_or_default(),
                            min_microversion: None,
                            max_microversion: None,
                        }]
                    })
                    .unwrap_or_default();
                Ok(Discovered { versions, project })
            })
            .await?;
        Ok(found.clone())
    }

    async fn choose_version(
        &self,
        catalog_url: &str,
        service_type: &str,
        spec: &VersionSpec,
        auth: Option<&Current>,
        options: &DiscoveryOptions,
    ) -> Result<VersionData, SessionError> {
        let d = self.discover(catalog_url, auth, options.version_hack).await?;
        match choose_allowing(&d.versions, spec, &options.allow) {
            Some(mut v) => {
                if let Some(p) = &d.project {
                    v.url = join(&v.url, p);
                }
                Ok(v)
            }
            None => Err(SessionError::VersionNotFound(Box::new(super::request::VersionNotFound {
                service_type: service_type.to_owned(),
                url: catalog_url.to_owned(),
                asked: spec.to_string(),
                offered: if d.versions.is_empty() {
                    "no version document".into()
                } else {
                    d.versions.iter().map(|v| format!("{} {}", v.version, v.status)).collect::<Vec<_>>().join(", ")
                },
            }))),
        }
    }

    /// The endpoint and version for `filter` (and `spec`, if given): the
    /// URL, API version, microversion bounds, interface and region.
    pub async fn endpoint_data(
        &self,
        filter: &EndpointFilter,
        spec: Option<&VersionSpec>,
    ) -> Result<EndpointData, SessionError> {
        self.endpoint_data_with(filter, spec, &DiscoveryOptions::default()).await
    }

    /// Every version each matching catalog endpoint publishes, whatever
    /// its status (keystoneauth's `get_all_version_data`): endpoints on
    /// `interfaces` (all when empty), in `region` (by id or name; all when
    /// `None`), of `service_type` or an alias of it (all when `None`),
    /// each with the official service type. Endpoints with no region are
    /// left out, as keystoneauth does; an endpoint that publishes no
    /// document has the version its URL names, or none.
    pub async fn all_version_data(
        &self,
        interfaces: &[Interface],
        region: Option<&str>,
        service_type: Option<&str>,
    ) -> Result<Vec<ServiceVersions>, SessionError> {
        let state = self.require_auth()?;
        let t = self.inner.transport.load_full();
        let c = state.get(t.as_ref()).await?;
        let Some(access) = c.credentials.access() else {
            return Err(SessionError::NoCatalog { service_type: service_type.unwrap_or_default().to_owned() });
        };
        let mut out = Vec::new();
        for e in access.catalog.endpoints() {
            let Some(region_of) = e.region_id.as_deref().or(e.region.as_deref()) else { continue };
            let region_ok = region.is_none_or(|r| e.region_id.as_deref() == Some(r) || e.region.as_deref() == Some(r));
            let type_ok = service_type.is_none_or(|st| crate::auth::service_types::is_match(st, &e.service_type));
            if !region_ok || !type_ok || !(interfaces.is_empty() || interfaces.contains(&e.interface)) {
                continue;
            }
            let d = Box::pin(self.discover(&e.url, Some(&c), true)).await?;
            let versions = d
                .versions
                .into_iter()
                .map(|mut v| {
                    if let Some(p) = &d.project {
                        v.url = join(&v.url, p);
                    }
                    v
                })
                .collect();
            out.push(ServiceVersions {
                service_type: crate::auth::service_types::official(&e.service_type)
                    .unwrap_or(&e.service_type)
                    .to_owned(),
                interface: e.interface,
                region: region_of.to_owned(),
                url: e.url.clone(),
                versions,
            });
        }
        Ok(out)
    }

    /// What discovery finds at `url` itself (an endpoint override), as
    /// keystoneauth's `get_endpoint_data(endpoint_override=...)`: only that
    /// URL is asked (no version hack), with the session's credentials when
    /// it has them.
    pub(crate) async fn endpoint_data_at(
        &self,
        url: &str,
        service_type: &str,
        spec: Option<&VersionSpec>,
        options: &DiscoveryOptions,
    ) -> Result<EndpointData, SessionError> {
        let data = EndpointData::unversioned(service_type, url, None, None);
        let Some(spec) = spec else { return Ok(data) };
        let current = match self.auth_state() {
            Some(state) => Some(state.get(self.inner.transport.load_full().as_ref()).await?),
            None => None,
        };
        let no_hack = options.version_hack(false);
        let v = Box::pin(self.choose_version(url, service_type, spec, current.as_ref(), &no_hack)).await?;
        Ok(data.versioned(v))
    }

    /// [`Session::endpoint_data`] with discovery `options` (deprecated,
    /// experimental or unknown versions allowed; the version hack off).
    pub async fn endpoint_data_with(
        &self,
        filter: &EndpointFilter,
        spec: Option<&VersionSpec>,
        options: &DiscoveryOptions,
    ) -> Result<EndpointData, SessionError> {
        let state = self.require_auth()?;
        let t = self.inner.transport.load_full();
        let c = state.get(t.as_ref()).await?;
        let (catalog_url, interface, region) = match (state.plugin().endpoint(), c.credentials.access()) {
            (Some(e), _) => (e.to_owned(), None, None),
            (None, Some(a)) => {
                let e = a.catalog.find(filter)?;
                (e.url.clone(), Some(e.interface), e.region_id.clone().or_else(|| e.region.clone()))
            }
            (None, None) => match identity_url(state.plugin().as_ref(), filter) {
                Some(url) => (url.to_owned(), None, None),
                None => return Err(SessionError::NoCatalog { service_type: filter.service_type.clone() }),
            },
        };
        let data = EndpointData::unversioned(&filter.service_type, &catalog_url, interface, region);
        match spec {
            Some(spec) => {
                let v = self.choose_version(&catalog_url, &filter.service_type, spec, Some(&c), options).await?;
                Ok(data.versioned(v))
            }
            None => Ok(data),
        }
    }

    /// Whether the cloud offers `filter`'s service (at a version `spec`
    /// accepts). Failures to authenticate or reach a server are errors, not
    /// `false`.
    pub async fn is_available(
        &self,
        filter: &EndpointFilter,
        spec: Option<&VersionSpec>,
    ) -> Result<bool, SessionError> {
        match self.endpoint_data(filter, spec).await {
            Ok(_) => Ok(true),
            Err(SessionError::EndpointNotFound(_) | SessionError::VersionNotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn resolve(
        &self,
        req: &Request,
        state: Option<&AuthState>,
        current: Option<&Current>,
    ) -> Result<String, SessionError> {
        if is_absolute(&req.url) {
            return Ok(req.url.clone());
        }
        if let Some(base) = &req.endpoint_override {
            return Ok(join(base, &req.url));
        }
        if let Some(base) = state.and_then(|s| s.plugin().endpoint()) {
            return Ok(join(base, &req.url));
        }
        match (&req.filter, current, state) {
            (Some(f), Some(c), Some(s)) => {
                let base = match c.catalog_endpoint(f) {
                    Some(e) => &e?.url,
                    None => endpoint_of(c, s.plugin().as_ref(), f)?,
                };
                Ok(join(base, &req.url))
            }
            _ => Err(SessionError::NoEndpoint { method: req.method.to_string(), url: req.url.clone() }),
        }
    }

    /// Sends once as far as the caller is concerned: connection and
    /// status-code retries and redirects happen inside (`Attempt` decides
    /// them; this sends and logs).
    async fn send_once(
        &self,
        transport: &SharedClient,
        req: &Request,
        first_url: &str,
        auth: Option<&Current>,
        user_agent: &str,
    ) -> Result<Response, SessionError> {
        let policy = req.retry.as_ref().unwrap_or(&self.inner.retry);
        let client = transport;
        let mut at = Attempt::new(first_url, req.method.clone(), req.body.clone(), &req.headers);
        // The token's hash is computed once per token, and only when the
        // request log line is written.
        let token_log = auth.filter(|_| tracing::enabled!(tracing::Level::DEBUG)).and_then(Current::token_log);
        let split = self.inner.split_loggers.load(std::sync::atomic::Ordering::Relaxed);
        let global_id = req.headers.get(super::REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        let user_agent = match &self.inner.user_agent_header {
            Some(ua) if user_agent == self.inner.user_agent => ua.clone(),
            _ => HeaderValue::from_str(user_agent).map_err(|_| {
                SessionError::Config(format!("the user agent {user_agent:?} is not valid in an HTTP header"))
            })?,
        };
        loop {
            at.attempts += 1;
            // Held to the end of this attempt (its body read included).
            let turn = match &req.limiter {
                Some(l) => l.acquire().await,
                None => None,
            };
            let started = Instant::now();
            if split {
                tracing::debug!(
                    target: "stackauth::session::request",
                    method = %at.method,
                    url = %at.url,
                    global_request_id = global_id,
                    x_auth_token = token_log.filter(|_| at.send_auth).unwrap_or(""),
                    "REQ"
                );
            }
            // Started here, awaited below: the built request is not kept in
            // the future.
            let sent = match self.build(&at, req, auth, &user_agent) {
                Ok(r) => client.send_text(r, req.timeout).await,
                Err(e) => Err(e),
            };
            let resp = match sent {
                Ok(r) => r,
                Err(err) => {
                    tracing::debug!(method = %at.method, url = %at.url, attempt = at.attempts, global_request_id = global_id, error = %err.message, "request failed");
                    match at.after_error(err, policy)? {
                        AfterError::Resend => {
                            tracing::debug!(url = %at.url, "the server closed a reused connection; sending again");
                        }
                        AfterError::Wait(delay) => {
                            tracing::info!(url = %at.url, retry = at.connect_tries(), delay_ms = delay.as_millis() as u64, "connection failed; retrying");
                            // The backoff is not a request: the turn goes back.
                            drop(turn);
                            tokio::time::sleep(delay).await;
                        }
                    }
                    continue;
                }
            };
            let (parts, bytes) = resp.into_parts();
            let (status, headers) = (parts.status.as_u16(), parts.headers);
            self.log_response(&at, status, &headers, started.elapsed(), global_id, token_log, split);
            if at.redirect(status, &headers, self.inner.max_redirects, &req.method)? {
                continue;
            }
            if let Some(wait) = at.status_retry(status, &headers, policy) {
                tracing::info!(url = %at.url, status, retry = at.status_tries(), delay_ms = wait.as_millis() as u64, "retriable status; retrying");
                drop(turn);
                tokio::time::sleep(wait).await;
                continue;
            }
            if split && tracing::enabled!(target: "stackauth::session::body", tracing::Level::DEBUG) {
                let ct = headers.get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
                tracing::debug!(
                    target: "stackauth::session::body",
                    url = %at.url,
                    global_request_id = global_id,
                    body = %super::redact::body_for_log(ct, &bytes),
                    "RESP BODY"
                );
            }
            return Ok(Response { status, headers, body: bytes, url: at.url });
        }
    }

    /// The request of one send: the caller's headers and body, then the
    /// session's user agent and Accept, the credentials, and the
    /// additional headers.
    fn build<'u>(
        &self,
        at: &'u Attempt<'_>,
        req: &Request,
        auth: Option<&Current>,
        user_agent: &HeaderValue,
    ) -> Result<Outgoing<&'u str>, TransportError> {
        let mut r = Outgoing {
            method: at.method.clone(),
            url: at.url.as_str(),
            headers: if at.headers.is_empty() { http::HeaderMap::new() } else { at.headers.as_ref().clone() },
            body: Vec::new(),
        };
        let h = &mut r.headers;
        r.body = match &at.body {
            Body::None => Vec::new(),
            Body::Json(j) => {
                if !h.contains_key(reqwest::header::CONTENT_TYPE) {
                    h.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                }
                serde_json::to_vec(j).map_err(|e| TransportError::other(format!("cannot encode the body: {e}")))?
            }
            Body::Bytes(bytes) => bytes.clone(),
        };
        // A User-Agent of the request's own is sent as it is.
        if !h.contains_key(USER_AGENT) {
            h.append(USER_AGENT, user_agent.clone());
        }
        if !req.headers.contains_key(reqwest::header::ACCEPT) {
            h.append(reqwest::header::ACCEPT, HeaderValue::from_static("application/json"));
        }
        if let Some(c) = auth.filter(|_| at.send_auth) {
            for (k, v) in c.headers.iter() {
                h.append(k.clone(), v.clone());
            }
        }
        // After the credentials, as keystoneauth's setdefault: they never
        // replace a header the request or its auth set.
        for (k, v) in self.inner.additional_headers.iter() {
            if !h.contains_key(k) && (at.send_auth || !credential_header(k)) {
                h.append(k.clone(), v.clone());
            }
        }
        Ok(r)
    }

    /// The response's log line (split targets or one line), and its timing
    /// when timings are collected.
    #[allow(clippy::too_many_arguments)] // all of one log line
    fn log_response(
        &self,
        at: &Attempt<'_>,
        status: u16,
        headers: &reqwest::header::HeaderMap,
        elapsed: Duration,
        global_id: &str,
        token_log: Option<&str>,
        split: bool,
    ) {
        if split {
            tracing::debug!(
                target: "stackauth::session::response",
                method = %at.method,
                url = %at.url,
                status,
                elapsed_ms = elapsed.as_millis() as u64,
                request_id = request_id(headers).unwrap_or(""),
                global_request_id = global_id,
                "RESP"
            );
        } else {
            tracing::debug!(
                method = %at.method,
                url = %at.url,
                status,
                elapsed_ms = elapsed.as_millis() as u64,
                request_id = request_id(headers).unwrap_or(""),
                global_request_id = global_id,
                x_auth_token = token_log.filter(|_| at.send_auth).unwrap_or(""),
                "request"
            );
        }
        if let Some(t) = &self.inner.timings {
            if let Ok(mut t) = t.lock() {
                t.push(Timing { method: at.method.to_string(), url: at.url.clone(), status, elapsed });
            }
        }
    }
}

fn check_microversion(service_type: &str, v: &VersionData, mv: Version) -> Result<(), SessionError> {
    let err = |min: String, max: String| {
        SessionError::Microversion(Box::new(super::request::MicroversionOutOfRange {
            service_type: service_type.to_owned(),
            version: v.version.to_string(),
            url: v.url.clone(),
            asked: mv.to_string(),
            min,
            max,
        }))
    };
    match (v.min_microversion, v.max_microversion) {
        (lo, Some(hi)) if mv.0 == hi.0 && mv <= hi && lo.is_none_or(|lo| mv >= lo) => Ok(()),
        (lo, Some(hi)) => Err(err(lo.map_or("-".into(), |l| l.to_string()), hi.to_string())),
        (_, None) => Err(err("none".into(), "none".into())),
    }
}

/// A plugin without a catalog (`v3tokenlessauth`) finds the identity
/// service at its `auth_url`, as keystoneauth's `get_endpoint` does.
fn identity_url<'a>(plugin: &'a dyn AuthPlugin, f: &EndpointFilter) -> Option<&'a str> {
    let identity = crate::auth::service_types::same_service_type(&f.service_type, "identity");
    plugin.auth_url().filter(|_| identity)
}

fn endpoint_of<'a>(c: &'a Current, plugin: &'a dyn AuthPlugin, f: &EndpointFilter) -> Result<&'a str, SessionError> {
    if let Some(e) = plugin.endpoint() {
        return Ok(e);
    }
    match c.credentials.access() {
        Some(a) => Ok(&a.catalog.find(f)?.url),
        None => identity_url(plugin, f).ok_or_else(|| {
            SessionError::EndpointNotFound(crate::auth::EndpointNotFound {
                asked: format!("service_type {:?}", f.service_type),
                offered: "nothing: the auth plugin has no service catalog".into(),
            })
        }),
    }
}

fn http_error(method: &str, resp: &Response, extra: &str) -> SessionError {
    let mut message = crate::auth::identity::http::error_message(&resp.body);
    if !extra.is_empty() {
        message = format!("{message} ({extra})");
    }
    SessionError::Http {
        method: method.to_owned(),
        url: resp.url.clone(),
        status: resp.status,
        message,
        request_id: resp.request_id().map(str::to_owned),
    }
}

/// The session's client as a transport for auth plugins (no token sent).
impl Transport for Session {
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let t = self.inner.transport.load_full();
        Box::pin(async move { send_via(t.get(), req).await })
    }
}

#[cfg(test)]
mod tests {
    use super::is_absolute;

    #[test]
    fn absolute_urls_have_an_alphanumeric_scheme() {
        for url in ["http://h/v3", "https://h", "h2c://x", "X1://y"] {
            assert!(is_absolute(url), "{url}");
        }
        for url in ["/v3/users", "v3/users", "://h", "a b://h", "http:/h", "/path?next=http://x", "", "http"] {
            assert!(!is_absolute(url), "{url}");
        }
    }
}
