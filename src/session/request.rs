//! A request through the Session, its response, and what can go wrong.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::auth_state::{AuthState, DEFAULT_REFRESH_MARGIN};
use super::retry::RetryPolicy;
use crate::auth::{AuthError, AuthPlugin, EndpointFilter, EndpointNotFound, transport::TransportError};

/// A request body.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// JSON (sent with `Content-Type: application/json`).
    Json(serde_json::Value),
    /// Raw bytes.
    Bytes(Vec<u8>),
}

/// One request: where to (a URL, or a path under a catalog endpoint), how
/// to authenticate, and what to send.
///
/// ```
/// use stackauth::session::Request;
/// use stackauth::auth::{EndpointFilter, Interface};
/// let r = Request::get("/v3/projects")
///     .endpoint_filter(EndpointFilter::new("identity").interfaces([Interface::Internal, Interface::Public]))
///     .header("OpenStack-API-Version", "identity 3.14");
/// ```
#[derive(Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) url: String,
    /// Shared with the adapter that made the request (a pointer copy per
    /// request, not a copy of its strings).
    pub(crate) filter: Option<Arc<EndpointFilter>>,
    pub(crate) endpoint_override: Option<String>,
    pub(crate) authenticated: Option<bool>,
    pub(crate) auth: Option<Arc<AuthState>>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) raise: bool,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) version: Option<super::discover::VersionSpec>,
    pub(crate) microversion: Option<super::discover::Version>,
    /// How discovery may pick the version (the adapter's, if unset).
    pub(crate) discovery: Option<super::discover::DiscoveryOptions>,
    /// The adapter's rate limit and concurrency, if it has them.
    pub(crate) limiter: Option<Arc<super::limit::Limiter>>,
}

impl Request {
    /// A request with `method` for `url` (absolute, or a path under the
    /// endpoint the filter or override gives).
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            filter: None,
            endpoint_override: None,
            authenticated: None,
            auth: None,
            headers: HeaderMap::new(),
            body: Body::None,
            raise: true,
            retry: None,
            timeout: None,
            version: None,
            microversion: None,
            discovery: None,
            limiter: None,
        }
    }

    /// A GET.
    pub fn get(url: impl Into<String>) -> Request {
        Request::new(Method::GET, url)
    }

    /// A POST.
    pub fn post(url: impl Into<String>) -> Request {
        Request::new(Method::POST, url)
    }

    /// How discovery picks this request's version: deprecated,
    /// experimental or unknown versions allowed, the version hack off
    /// (keystoneauth's `allow` and `allow_version_hack`).
    pub fn discovery(mut self, options: super::discover::DiscoveryOptions) -> Request {
        self.discovery = Some(options);
        self
    }

    /// Which catalog endpoint a relative URL is under.
    pub fn endpoint_filter(mut self, f: EndpointFilter) -> Request {
        self.filter = Some(Arc::new(f));
        self
    }

    /// A base URL to use instead of the catalog's.
    pub fn endpoint_override(mut self, url: impl Into<String>) -> Request {
        self.endpoint_override = Some(url.into());
        self
    }

    /// Whether to send credentials: `true` requires an auth plugin, `false`
    /// sends none, unset sends them when there is a plugin.
    pub fn authenticated(mut self, yes: bool) -> Request {
        self.authenticated = Some(yes);
        self
    }

    /// Authenticates this request with `plugin` instead of the session's
    /// (its token is not kept after the request: use an [`super::Adapter`]
    /// with its own auth to reuse one).
    pub fn auth(mut self, plugin: Arc<dyn AuthPlugin>) -> Request {
        self.auth = Some(Arc::new(AuthState::new(plugin, DEFAULT_REFRESH_MARGIN)));
        self
    }

    pub(crate) fn auth_state(mut self, state: Arc<AuthState>) -> Request {
        self.auth = Some(state);
        self
    }

    /// Adds a header (names and values that are not valid HTTP are
    /// skipped with a warning).
    pub fn header(mut self, name: &str, value: &str) -> Request {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
            }
            _ => tracing::warn!(header = name, "skipping a header that is not valid HTTP"),
        }
        self
    }

    /// Adds a header whose value is a secret (`X-Subject-Token`, say): marked
    /// sensitive, so `http`'s `Debug` masks it, and never logged. A value
    /// that is not valid HTTP is skipped with a warning that does not show it.
    pub fn secret_header(mut self, name: &str, value: &crate::opt::Secret) -> Request {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value.expose())) {
            (Ok(n), Ok(mut v)) => {
                v.set_sensitive(true);
                self.headers.append(n, v);
            }
            _ => tracing::warn!(header = name, "skipping a secret header that is not valid HTTP"),
        }
        self
    }

    /// The global request id sent as `X-OpenStack-Request-ID` (it replaces
    /// an adapter's, as keystoneauth's per-request `global_request_id` does).
    pub fn global_request_id(mut self, id: &super::GlobalRequestId) -> Request {
        self.headers.insert(super::REQUEST_ID_HEADER, HeaderValue::from(id));
        self
    }

    /// The whole `User-Agent` for this request, as keystoneauth's per-request
    /// `user_agent`: nothing of the session's or adapter's is added.
    pub fn user_agent(mut self, ua: &str) -> Request {
        match HeaderValue::from_str(ua) {
            Ok(v) => {
                self.headers.insert(reqwest::header::USER_AGENT, v);
            }
            Err(_) => tracing::warn!("skipping a user agent that is not valid HTTP"),
        }
        self
    }

    /// A JSON body.
    pub fn json(mut self, body: serde_json::Value) -> Request {
        self.body = Body::Json(body);
        self
    }

    /// A raw body.
    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Request {
        self.body = Body::Bytes(bytes.into());
        self
    }

    /// Whether an error status (>= 400) is an `Err` (the default) or a
    /// response like any other.
    pub fn raise_on_error(mut self, yes: bool) -> Request {
        self.raise = yes;
        self
    }

    /// Retry settings for this request.
    pub fn retry(mut self, policy: RetryPolicy) -> Request {
        self.retry = Some(policy);
        self
    }

    /// The API version wanted: the catalog endpoint is discovered and the
    /// request goes to the highest matching version.
    pub fn version(mut self, spec: super::discover::VersionSpec) -> Request {
        self.version = Some(spec);
        self
    }

    /// A microversion: sent as `OpenStack-API-Version` (and the older
    /// per-service header); a microversion the server does not offer is an
    /// error before anything is sent.
    pub fn microversion(mut self, v: super::discover::Version) -> Request {
        self.microversion = Some(v);
        self
    }

    /// A timeout for this request.
    pub fn timeout(mut self, d: Duration) -> Request {
        self.timeout = Some(d);
        self
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("filter", &self.filter)
            .finish()
    }
}

/// A response.
#[derive(Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
    /// The URL that answered (after redirects).
    pub url: String,
}

impl Response {
    /// The body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The service's request id: `x-openstack-request-id` (or
    /// `x-compute-request-id`, which Nova sends).
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response").field("status", &self.status).field("url", &self.url).finish()
    }
}

pub(crate) fn request_id(h: &HeaderMap) -> Option<&str> {
    h.get("x-openstack-request-id").or_else(|| h.get("x-compute-request-id")).and_then(|v| v.to_str().ok())
}

/// What can go wrong with a request. Never holds a credential. The
/// `is_*` queries and [`SessionError::status`] answer the usual questions
/// without a match on every variant.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The session could not be built.
    #[error("{0}")]
    Config(String),
    /// A TLS setting's file (`cafile`, `certfile`, `keyfile`) cannot be
    /// used; `origin` says where the setting came from, when known.
    #[error("{problem}{}", origin.as_ref().map(|o| format!(" ({setting} from {o})")).unwrap_or_default())]
    TlsFile {
        /// `cafile`, `certfile` or `keyfile`.
        setting: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong, naming the setting and the file.
        problem: String,
        /// Where the setting came from (`command line --os-cacert`, a file
        /// and line).
        origin: Option<String>,
    },
    /// Authentication failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The catalog has no endpoint for the filter.
    #[error(transparent)]
    EndpointNotFound(#[from] EndpointNotFound),
    /// A relative URL with nothing to resolve it against.
    #[error(
        "{method} {url}: a relative URL needs an endpoint filter, an endpoint override, or an auth plugin with a fixed endpoint"
    )]
    NoEndpoint {
        /// The method.
        method: String,
        /// The URL as given.
        url: String,
    },
    /// Endpoint data was asked for a service, and the auth plugin has
    /// neither a catalog nor a fixed endpoint.
    #[error(
        "no endpoint for service type {service_type:?}: the auth plugin has neither a service catalog nor a fixed endpoint"
    )]
    NoCatalog {
        /// The service type asked for.
        service_type: String,
    },
    /// The request must be authenticated but no plugin was given.
    #[error(
        "{}the request must be authenticated but there is no auth plugin",
        request.as_ref().map(|(m, u)| format!("{m} {u}: ")).unwrap_or_default()
    )]
    NoAuth {
        /// The request's method and URL, when there is a request (a
        /// session asked for its token or endpoints has none).
        request: Option<(String, String)>,
    },
    /// No response arrived.
    #[error("{method} {url} failed after {attempts} attempt{s}: {source}", s = if *.attempts == 1 { "" } else { "s" })]
    Transport {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// How many times it was tried.
        attempts: u32,
        /// Why.
        source: TransportError,
    },
    /// An error status.
    #[error("{method} {url} answered HTTP {status}{}: {message}", request_id.as_ref().map(|r| format!(" (request id {r})")).unwrap_or_default())]
    Http {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The service's explanation.
        message: String,
        /// The request id, if the service sent one.
        request_id: Option<String>,
    },
    /// No version of the service matches the request.
    #[error(transparent)]
    VersionNotFound(Box<VersionNotFound>),
    /// The microversion asked is outside what the server offers.
    #[error(transparent)]
    Microversion(Box<MicroversionOutOfRange>),
    /// Too many redirects.
    #[error("{method} {url}: more than {limit} redirects")]
    TooManyRedirects {
        /// The method.
        method: String,
        /// The first URL.
        url: String,
        /// The limit.
        limit: usize,
    },
}

impl SessionError {
    /// Whether the session could not be built from its settings (a TLS
    /// file included).
    pub fn is_config(&self) -> bool {
        matches!(self, SessionError::Config(_) | SessionError::TlsFile { .. })
    }

    /// Whether getting a token failed.
    pub fn is_auth(&self) -> bool {
        matches!(self, SessionError::Auth(_) | SessionError::NoAuth { .. })
    }

    /// Whether no endpoint (or no version of one) could be found for the
    /// request.
    pub fn is_endpoint(&self) -> bool {
        matches!(
            self,
            SessionError::EndpointNotFound(_)
                | SessionError::NoEndpoint { .. }
                | SessionError::NoCatalog { .. }
                | SessionError::VersionNotFound(_)
        )
    }

    /// Whether no response arrived (connection refused, reset, timed out).
    pub fn is_transport(&self) -> bool {
        matches!(self, SessionError::Transport { .. })
    }

    /// The status of an error response.
    pub fn status(&self) -> Option<u16> {
        match self {
            SessionError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// No version of a service matches a request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{service_type} at {url} has no version matching {asked}; it offers: {offered}")]
pub struct VersionNotFound {
    /// The service type.
    pub service_type: String,
    /// The catalog URL discovery started from.
    pub url: String,
    /// What was asked.
    pub asked: String,
    /// What the service offers (`3.14 CURRENT`...).
    pub offered: String,
}

/// A microversion outside what the server offers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{service_type} {version} at {url} offers microversions {min} to {max}, not {asked}")]
pub struct MicroversionOutOfRange {
    /// The service type.
    pub service_type: String,
    /// The API version.
    pub version: String,
    /// The versioned URL.
    pub url: String,
    /// The microversion asked.
    pub asked: String,
    /// The lowest offered.
    pub min: String,
    /// The highest offered.
    pub max: String,
}
