//! Per-client defaults over a shared Session.

use std::future::Future;
use std::sync::Arc;

use reqwest::Method;

use super::auth_state::{AuthState, DEFAULT_REFRESH_MARGIN};
use super::core::Session;
use super::request::{Request, Response, SessionError};
use super::retry::RetryPolicy;
use crate::auth::{AdapterOptions, AuthPlugin, EndpointFilter, Interface};

/// A client's view of a [`Session`]: its service type, interfaces,
/// region, endpoint override, retries and (optionally) its own auth plugin.
/// Cheap to create, per client or per request.
///
/// ```no_run
/// # async fn demo(session: stackauth::session::Session) -> Result<(), stackauth::session::SessionError> {
/// use stackauth::session::Adapter;
/// use stackauth::auth::Interface;
/// let identity = Adapter::new(&session).service_type("identity").interfaces([Interface::Internal, Interface::Public]);
/// let users = identity.get("/v3/users").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Adapter {
    session: Session,
    filter: Option<Arc<EndpointFilter>>,
    endpoint_override: Option<String>,
    auth: Option<Arc<AuthState>>,
    retry: Option<RetryPolicy>,
    client: Option<(String, String)>,
    version: Option<super::discover::VersionSpec>,
    discovery: Option<super::discover::DiscoveryOptions>,
    global_request_id: Option<super::GlobalRequestId>,
    limiter: Option<Arc<super::limit::Limiter>>,
}

impl Adapter {
    /// An adapter over `session` with no defaults.
    pub fn new(session: &Session) -> Adapter {
        Adapter {
            session: session.clone(),
            filter: None,
            endpoint_override: None,
            auth: None,
            retry: None,
            client: None,
            version: None,
            discovery: None,
            global_request_id: None,
            limiter: None,
        }
    }

    /// An adapter with a group's adapter options (service type,
    /// interfaces, region, override, retries, version bounds).
    pub fn from_options(session: &Session, o: &AdapterOptions) -> Adapter {
        let mut a = Adapter::new(session);
        if let Some(t) = &o.service_type {
            let mut f = EndpointFilter::new(t.clone());
            f.interfaces = o.interfaces.clone();
            f.region_name = o.region_name.clone();
            f.service_name = o.service_name.clone();
            a.filter = Some(Arc::new(f));
        }
        a.endpoint_override = o.endpoint_override.clone();
        let mut retry = RetryPolicy::default();
        let mut any = false;
        if let Some(n) = o.connect_retries {
            retry.connect_retries = n;
            any = true;
        }
        if let Some(n) = o.status_code_retries {
            retry.status_code_retries = n;
            any = true;
        }
        retry.connect_retry_delay = o.connect_retry_delay;
        retry.status_code_retry_delay = o.status_code_retry_delay;
        if !o.retriable_status_codes.is_empty() {
            retry.retriable_status_codes = o.retriable_status_codes.clone();
            any = true;
        }
        if any {
            a.retry = Some(retry);
        }
        a.version = o.version;
        if o.rate_limit.is_some() || o.concurrency.is_some() {
            a = a.limits(o.rate_limit, o.concurrency);
        }
        a
    }

    /// The API version this adapter's requests want (discovered from the
    /// catalog endpoint).
    pub fn version(mut self, spec: super::discover::VersionSpec) -> Adapter {
        self.version = Some(spec);
        self
    }

    /// How discovery picks this adapter's versions: deprecated,
    /// experimental or unknown versions allowed, the version hack off
    /// (keystoneauth's `allow` and `allow_version_hack`).
    pub fn discovery(mut self, options: super::discover::DiscoveryOptions) -> Adapter {
        self.discovery = Some(options);
        self
    }

    /// The endpoint and version data this adapter's requests use. With an
    /// endpoint override, what discovery finds at that URL itself (as
    /// keystoneauth's `get_endpoint_data`: no version hack there).
    pub async fn endpoint_data(&self) -> Result<super::EndpointData, SessionError> {
        let f = self.filter.as_deref().cloned().unwrap_or_default();
        let options = self.discovery.unwrap_or_default();
        match &self.endpoint_override {
            Some(url) => self.session.endpoint_data_at(url, &f.service_type, self.version.as_ref(), &options).await,
            None => self.session.endpoint_data_with(&f, self.version.as_ref(), &options).await,
        }
    }

    /// The highest microversion both the service (at this adapter's
    /// version) and a client that speaks `client_min` to `client_max`
    /// support, as openstacksdk's `maximum_supported_microversion`;
    /// `None` when the service has no microversions or the ranges do not
    /// meet. Without a version of its own the adapter asks for the
    /// service's latest. Send it with [`Request::microversion`](super::Request::microversion).
    pub async fn negotiate_microversion(
        &self,
        client_min: Option<super::Version>,
        client_max: super::Version,
    ) -> Result<Option<super::Version>, SessionError> {
        let spec = self.version.unwrap_or(super::VersionSpec::version(super::Version::LATEST));
        let d = self.clone().version(spec).endpoint_data().await?;
        Ok(super::discover::negotiate_microversion(d.min_microversion, d.max_microversion, client_min, client_max))
    }

    /// The catalog service type.
    pub fn service_type(mut self, t: &str) -> Adapter {
        let mut f = self.filter.take().map(Arc::unwrap_or_clone).unwrap_or_default();
        f.service_type = t.to_owned();
        self.filter = Some(Arc::new(f));
        self
    }

    /// Interfaces in order of preference.
    pub fn interfaces(mut self, i: impl IntoIterator<Item = Interface>) -> Adapter {
        let mut f = self.filter.take().map(Arc::unwrap_or_clone).unwrap_or_default();
        f.interfaces = i.into_iter().collect();
        self.filter = Some(Arc::new(f));
        self
    }

    /// The region (id or name).
    pub fn region(mut self, r: &str) -> Adapter {
        let mut f = self.filter.take().map(Arc::unwrap_or_clone).unwrap_or_default();
        f.region_name = Some(r.to_owned());
        self.filter = Some(Arc::new(f));
        self
    }

    /// A base URL instead of the catalog's.
    pub fn endpoint_override(mut self, url: &str) -> Adapter {
        self.endpoint_override = Some(url.to_owned());
        self
    }

    /// Authenticates this adapter's requests with `plugin` (its token is
    /// cached in the adapter and its clones), instead of the session's:
    /// the per-client authentication of multi-tenant services.
    pub fn auth(mut self, plugin: Arc<dyn AuthPlugin>) -> Adapter {
        self.auth = Some(Arc::new(AuthState::new(plugin, DEFAULT_REFRESH_MARGIN)));
        self
    }

    /// The adapter's own auth state, if it has its own plugin.
    pub fn auth_state(&self) -> Option<&Arc<AuthState>> {
        self.auth.as_ref()
    }

    /// Retry settings.
    pub fn retry(mut self, policy: RetryPolicy) -> Adapter {
        self.retry = Some(policy);
        self
    }

    /// The client's name and version, for the user agent.
    pub fn client(mut self, name: &str, version: &str) -> Adapter {
        self.client = Some((name.to_owned(), version.to_owned()));
        self
    }

    /// The global request id every request of this adapter sends as
    /// `X-OpenStack-Request-ID` (a request's own wins), as keystoneauth's
    /// `Adapter(global_request_id=...)`.
    pub fn global_request_id(mut self, id: &super::GlobalRequestId) -> Adapter {
        self.global_request_id = Some(id.clone());
        self
    }

    /// Client-side limits, as keystoneauth's `Adapter(rate_limit=...,
    /// concurrency=...)`: at most `rate_limit` request starts per second
    /// (0.5: one every two seconds) and `concurrency` requests in flight,
    /// served in arrival order. Every HTTP attempt counts (retries and
    /// redirects too). Shared by this adapter's clones (made after this
    /// call); `None`, 0 or a rate that is not a positive number is no limit.
    pub fn limits(mut self, rate_limit: Option<f64>, concurrency: Option<usize>) -> Adapter {
        self.limiter = super::limit::Limiter::new(rate_limit, concurrency).map(Arc::new);
        self
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// A request for `path` with this adapter's defaults.
    pub fn request(&self, method: Method, path: &str) -> Request {
        let mut r = Request::new(method, path);
        r.filter = self.filter.clone();
        r.endpoint_override = self.endpoint_override.clone();
        r.retry = self.retry.clone();
        r.version = self.version;
        r.discovery = self.discovery;
        r
    }

    /// Sets the adapter's global request id on `req` unless it has one.
    fn default_request_id(&self, req: &mut Request) {
        if let Some(id) = &self.global_request_id {
            req.headers.entry(super::REQUEST_ID_HEADER).or_insert_with(|| id.into());
        }
    }

    /// Sends a request (its own settings win over the adapter's).
    ///
    /// Not an `async fn`, so that the request is not kept twice in the
    /// future (see `Session::send_as`); `.await` it the same way.
    pub fn send(&self, mut req: Request) -> impl Future<Output = Result<Response, SessionError>> + Send + '_ {
        if req.filter.is_none() {
            req.filter = self.filter.clone();
        }
        if req.endpoint_override.is_none() {
            req.endpoint_override = self.endpoint_override.clone();
        }
        if req.retry.is_none() {
            req.retry = self.retry.clone();
        }
        if req.version.is_none() {
            req.version = self.version;
        }
        if req.discovery.is_none() {
            req.discovery = self.discovery;
        }
        self.default_request_id(&mut req);
        if req.limiter.is_none() {
            req.limiter = self.limiter.clone();
        }
        if let (Some(s), None) = (&self.auth, &req.auth) {
            req = req.auth_state(s.clone());
        }
        self.session.send_as(req, self.session.user_agent_with(self.client.as_ref()))
    }

    /// The endpoint this adapter's requests go to.
    pub async fn endpoint(&self) -> Result<String, SessionError> {
        if let Some(e) = &self.endpoint_override {
            return Ok(e.clone());
        }
        let f = self.filter.as_deref().cloned().unwrap_or_default();
        match &self.auth {
            Some(state) => self.session.endpoint_with(state, &f).await,
            None => self.session.endpoint(&f).await,
        }
    }

    // The verbs below are not `async fn`s: each would add a level that
    // holds (and copies) the whole request future (2.2 KB) once more.

    /// GET `path`.
    pub fn get(&self, path: &str) -> impl Future<Output = Result<Response, SessionError>> + Send + '_ {
        self.send(self.request(Method::GET, path))
    }

    /// HEAD `path`.
    pub fn head(&self, path: &str) -> impl Future<Output = Result<Response, SessionError>> + Send + '_ {
        self.send(self.request(Method::HEAD, path))
    }

    /// DELETE `path`.
    pub fn delete(&self, path: &str) -> impl Future<Output = Result<Response, SessionError>> + Send + '_ {
        self.send(self.request(Method::DELETE, path))
    }

    /// POST a JSON body to `path`.
    pub fn post(
        &self,
        path: &str,
        json: serde_json::Value,
    ) -> impl Future<Output = Result<Response, SessionError>> + Send + '_ {
        self.send(self.request(Method::POST, path).json(json))
    }

    /// PUT a JSON body to `path`.
    pub fn put(
        &self,
        path: &str,
        json: serde_json::Value,
    ) -> impl Future<Output = Result<Response, SessionError>> + Send + '_ {
        self.send(self.request(Method::PUT, path).json(json))
    }

    /// PATCH `path` with a JSON body.
    pub fn patch(
        &self,
        path: &str,
        json: serde_json::Value,
    ) -> impl Future<Output = Result<Response, SessionError>> + Send + '_ {
        self.send(self.request(Method::PATCH, path).json(json))
    }
}
