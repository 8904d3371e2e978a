//! How stackauth talks HTTP. [`HttpClient`] sends one `http::Request` and
//! returns its `http::Response`, body whole: the Session sends through one
//! (reqwest's by default, [`ReqwestTransport`]; a test double, or a client
//! of the application's own, plugs in). Auth plugins describe their
//! requests as an [`HttpRequest`] (a method, URL, headers, and a JSON or
//! form body) and send them through a [`Transport`]; each turns into the
//! same `http` types on the way out.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};

use crate::opt::Secret;

/// A boxed future, as trait objects need.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The method of a request (the `http` crate's).
pub use http::Method;

/// A request an auth plugin wants sent. Its body holds credentials:
/// `Debug` shows neither the body nor secret headers.
#[derive(Clone)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// Headers whose values are not secret.
    pub headers: Vec<(&'static str, String)>,
    /// Headers whose values are secret (`X-Auth-Token`).
    pub secret_headers: Vec<(&'static str, Secret)>,
    /// A JSON body.
    pub json: Option<serde_json::Value>,
    /// An `application/x-www-form-urlencoded` body, already encoded (OAuth
    /// 2.0 token requests).
    pub form: Option<String>,
}

impl HttpRequest {
    /// A GET of `url` that accepts JSON.
    pub fn get(url: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: Method::GET,
            url: url.into(),
            headers: vec![("Accept", "application/json".into())],
            secret_headers: Vec::new(),
            json: None,
            form: None,
        }
    }

    /// A POST of a JSON body to `url`.
    pub fn post_json(url: impl Into<String>, body: serde_json::Value) -> HttpRequest {
        HttpRequest {
            method: Method::POST,
            url: url.into(),
            headers: vec![("Accept", "application/json".into())],
            secret_headers: Vec::new(),
            json: Some(body),
            form: None,
        }
    }

    /// A POST of a form body (`key=value&...`, already encoded) to `url`.
    pub fn post_form(url: impl Into<String>, form: impl Into<String>) -> HttpRequest {
        HttpRequest {
            method: Method::POST,
            url: url.into(),
            headers: vec![("Accept", "application/json".into())],
            secret_headers: Vec::new(),
            json: None,
            form: Some(form.into()),
        }
    }

    /// The request in the `http` crate's types, body encoded; secret
    /// header values marked sensitive.
    pub fn to_http(&self) -> Result<http::Request<Vec<u8>>, TransportError> {
        let mut b = http::Request::builder().method(self.method.clone()).uri(self.url.as_str());
        let headers = b.headers_mut().ok_or_else(|| TransportError::other(format!("{:?} is not a URL", self.url)))?;
        for (k, v) in &self.headers {
            let value = HeaderValue::from_str(v)
                .map_err(|_| TransportError::other(format!("the {k} header value is not valid in HTTP")))?;
            headers.append(header_name(k)?, value);
        }
        for (k, v) in &self.secret_headers {
            let mut value = HeaderValue::from_str(v.expose())
                .map_err(|_| TransportError::other(format!("the {k} header value is not valid in HTTP")))?;
            value.set_sensitive(true);
            headers.append(header_name(k)?, value);
        }
        let body = match (&self.json, &self.form) {
            (Some(j), _) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                serde_json::to_vec(j).map_err(|e| TransportError::other(format!("cannot encode the body: {e}")))?
            }
            (None, Some(f)) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
                f.clone().into_bytes()
            }
            (None, None) => Vec::new(),
        };
        b.body(body).map_err(|_| TransportError::other(format!("{:?} is not a URL", self.url)))
    }
}

/// A header name of a plugin's request (any case).
fn header_name(name: &str) -> Result<HeaderName, TransportError> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| TransportError::other(format!("{name:?} is not a valid HTTP header name")))
}

/// A response: status, headers, body.
#[derive(Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl From<http::Response<Vec<u8>>> for HttpResponse {
    fn from(r: http::Response<Vec<u8>>) -> HttpResponse {
        let (parts, body) = r.into_parts();
        HttpResponse { status: parts.status.as_u16(), headers: parts.headers, body }
    }
}

// Token responses carry the token in headers and body.
impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse").field("status", &self.status).field("body_len", &self.body.len()).finish()
    }
}

/// Sending failed before a response arrived (refused, reset, timed out,
/// TLS). The message names the cause, not the request body.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    /// What went wrong.
    pub message: String,
    /// Whether the connection could not be made at all (safe to retry any
    /// request).
    pub connect: bool,
    /// Whether it timed out.
    pub timeout: bool,
    /// Whether the server closed the connection before answering: the race
    /// of a reused keep-alive connection that the server was closing
    /// (uwsgi after 4 s idle, Apache after 5 s). Safe to resend on a new
    /// connection when resending is safe at all.
    pub stale: bool,
}

impl TransportError {
    /// An error that is none of connect, timeout or stale.
    pub fn other(message: impl Into<String>) -> TransportError {
        TransportError { message: message.into(), connect: false, timeout: false, stale: false }
    }
}

/// Something that sends requests for auth plugins.
pub trait Transport: Send + Sync {
    /// Sends `req` and returns the response, whatever its status.
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// Something that sends HTTP requests: what a Session sends through. It
/// follows no redirects (the Session does, keeping credentials to their
/// origin) and returns any status as a response; `Err` means no response
/// came (refused, reset, timed out, TLS). Implement it to send through a
/// client of your own, or to answer from a test double.
pub trait HttpClient: Send + Sync {
    /// Sends `req`, giving up after `timeout` if one is given (else the
    /// client's own), and returns the response with its whole body.
    fn execute(
        &self,
        req: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<Vec<u8>>, TransportError>>;
}

/// An [`HttpClient`] of any kind, shared: what a Session holds. reqwest's
/// is called in place; any other through the trait.
#[derive(Clone)]
pub struct SharedClient(Wire);

#[derive(Clone)]
enum Wire {
    Reqwest(ReqwestTransport),
    Other(Arc<dyn HttpClient>),
}

impl SharedClient {
    /// Shares `client`.
    pub fn new(client: impl HttpClient + 'static) -> SharedClient {
        SharedClient(Wire::Other(Arc::new(client)))
    }

    /// Shares reqwest's client (called without a boxed future).
    pub fn reqwest(client: ReqwestTransport) -> SharedClient {
        SharedClient(Wire::Reqwest(client))
    }

    /// The client.
    pub fn get(&self) -> &dyn HttpClient {
        match &self.0 {
            Wire::Reqwest(r) => r,
            Wire::Other(c) => &**c,
        }
    }

    /// Sends `req`: [`HttpClient::execute`], in place for reqwest.
    pub async fn execute(
        &self,
        req: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        match &self.0 {
            Wire::Reqwest(r) => r.execute_http(req, timeout).await,
            Wire::Other(c) => c.execute(req, timeout).await,
        }
    }

    /// Sends a request whose URL is still text: reqwest parses it once
    /// into its own URL, as it does for a caller of `reqwest::get`, where
    /// an `http::Uri` first would parse it twice (about 0.7k instructions a
    /// request); any other client gets the `http::Request` of
    /// [`HttpClient::execute`].
    ///
    /// Not an `async fn`: the request is handed to the client before the
    /// future is made, so the future holds the client's (a 16-byte
    /// pending call) instead of the request, its parts and their copies.
    /// It is moved at every level it is awaited through.
    #[cfg(feature = "session")]
    #[allow(clippy::manual_async_fn)] // on purpose: see above
    pub(crate) fn send_text(
        &self,
        req: Outgoing<&str>,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<http::Response<Vec<u8>>, TransportError>> + Send + '_ {
        let Outgoing { method, url, headers, body } = req;
        let invalid = || TransportError::other(format!("{url:?} is not an absolute URL"));
        let sent = match &self.0 {
            Wire::Reqwest(r) => reqwest::Url::parse(url)
                .map_err(|_| invalid())
                .map(|url| Sending::Reqwest(r.start(Outgoing { method, url, headers, body }, None, timeout))),
            Wire::Other(c) => http::Uri::try_from(url).map_err(|_| invalid()).map(|uri| {
                let mut r = http::Request::new(body);
                *r.method_mut() = method;
                *r.uri_mut() = uri;
                *r.headers_mut() = headers;
                Sending::Other(c.execute(r, timeout))
            }),
        };
        async move {
            match sent? {
                Sending::Reqwest(pending) => read_response(pending).await,
                Sending::Other(future) => future.await,
            }
        }
    }
}

/// A request handed to its client.
#[cfg(feature = "session")]
enum Sending<R, O> {
    /// reqwest's pending call (16 bytes).
    Reqwest(R),
    /// Another client's boxed future.
    Other(O),
}

/// A request's parts with its URL as `U`: text as the Session builds it,
/// or reqwest's parsed URL.
pub(crate) struct Outgoing<U> {
    /// The method.
    pub method: http::Method,
    /// The URL.
    pub url: U,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body (empty for none).
    pub body: Vec<u8>,
}

impl fmt::Debug for SharedClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedClient")
    }
}

impl Transport for SharedClient {
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(send_via(self.get(), req))
    }
}

/// Sends an auth plugin's request through `client`; a request the server
/// dropped on a kept-alive connection is sent once more on a new one (auth
/// requests are GETs and token POSTs: sending one again is harmless).
pub(crate) async fn send_via(client: &dyn HttpClient, req: HttpRequest) -> Result<HttpResponse, TransportError> {
    let request = req.to_http()?;
    let again = request.clone();
    match client.execute(request, None).await {
        Err(e) if e.stale => {
            tracing::debug!(url = %req.url, "the server closed a reused connection; sending again");
            client.execute(again, None).await.map(HttpResponse::from)
        }
        other => other.map(HttpResponse::from),
    }
}

/// Makes sure rustls has a crypto provider (ring) for this process. Call it
/// before building your own `reqwest::Client`; stackauth's constructors
/// call it for you.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A [`Transport`] over a plain `reqwest::Client`.
#[derive(Clone, Debug)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// A transport over `client`.
    pub fn new(client: reqwest::Client) -> ReqwestTransport {
        ReqwestTransport { client }
    }

    /// A transport with a default client (system roots, a timeout).
    pub fn with_timeout(timeout: Duration) -> Result<ReqwestTransport, TransportError> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| TransportError::other(format!("cannot build the HTTP client: {e}")))?;
        Ok(ReqwestTransport { client })
    }

    /// The client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

/// The URL of an absolute URI, as reqwest wants it.
fn url_of(uri: &http::Uri) -> Result<reqwest::Url, TransportError> {
    let invalid = || TransportError::other(format!("{uri:?} is not an absolute URL"));
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(invalid());
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut text = String::with_capacity(scheme.len() + 3 + authority.as_str().len() + path.len());
    for part in [scheme, "://", authority.as_str(), path] {
        text.push_str(part);
    }
    reqwest::Url::parse(&text).map_err(|_| invalid())
}

/// The message of a reqwest error and its causes, without the URL's
/// query (it never holds credentials here, but keep messages short).
pub(crate) fn describe(e: reqwest::Error) -> TransportError {
    let (connect, timeout) = (e.is_connect(), e.is_timeout());
    let e = e.without_url();
    let stale = !connect && !timeout && closed_before_answer(&e);
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    TransportError { message, connect, timeout, stale }
}

/// Whether the connection was closed or reset while the request went out
/// and before any answer: what a server that was closing a kept-alive
/// connection does to the next request on it. Told by the kinds of the
/// errors in the chain (hyper's incomplete message, an I/O reset), not by
/// their text.
fn closed_before_answer(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_incomplete_message) {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
            if matches!(io.kind(), ConnectionReset | ConnectionAborted | BrokenPipe) {
                return true;
            }
        }
        cause = c.source();
    }
    false
}

impl Transport for ReqwestTransport {
    fn send(&self, req: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(send_via(self, req))
    }
}

impl HttpClient for ReqwestTransport {
    fn execute(
        &self,
        req: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> BoxFuture<'_, Result<http::Response<Vec<u8>>, TransportError>> {
        Box::pin(self.execute_http(req, timeout))
    }
}

impl ReqwestTransport {
    /// An `http::Request` sent with reqwest, awaited in place by a
    /// [`SharedClient`] (no allocation of a kilobyte future per request).
    async fn execute_http(
        &self,
        req: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let (parts, body) = req.into_parts();
        let out = Outgoing { method: parts.method, url: url_of(&parts.uri)?, headers: parts.headers, body };
        read_response(self.start(out, Some(parts.version), timeout)).await
    }

    /// Hands `req` to reqwest. Not reqwest's `TryFrom<http::Request>`: it
    /// prints the URI through `Display` to parse it again (1k instructions
    /// a request).
    fn start(
        &self,
        req: Outgoing<reqwest::Url>,
        version: Option<http::Version>,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<reqwest::Response, reqwest::Error>> + Send + 'static {
        let Outgoing { method, url, headers, body } = req;
        let mut r = reqwest::Request::new(method, url);
        *r.headers_mut() = headers;
        if let Some(v) = version {
            *r.version_mut() = v;
        }
        // No body is no body (hyper then sends no Content-Length).
        if !body.is_empty() {
            *r.body_mut() = Some(body.into());
        }
        if timeout.is_some() {
            *r.timeout_mut() = timeout;
        }
        self.client.execute(r)
    }
}

/// The response of a call reqwest was handed, with its whole body.
async fn read_response(
    pending: impl Future<Output = Result<reqwest::Response, reqwest::Error>>,
) -> Result<http::Response<Vec<u8>>, TransportError> {
    let mut resp = pending.await.map_err(describe)?;
    let status = resp.status();
    let headers = std::mem::take(resp.headers_mut());
    let body = resp.bytes().await.map_err(describe)?;
    let mut out = http::Response::new(Vec::from(body));
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}
