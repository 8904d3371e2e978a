//! How auth plugins talk HTTP: a small request/response pair and a trait,
//! so the same plugin runs over the Session's client, a test server, or
//! anything else that can send a request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::opt::Secret;

/// A boxed future, as trait objects need.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The HTTP methods auth plugins use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// GET (discovery).
    Get,
    /// POST (authentication).
    Post,
}

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
            method: Method::Get,
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
            method: Method::Post,
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
            method: Method::Post,
            url: url.into(),
            headers: vec![("Accept", "application/json".into())],
            secret_headers: Vec::new(),
            json: None,
            form: Some(form.into()),
        }
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("secret_headers", &self.secret_headers.iter().map(|(k, _)| *k).collect::<Vec<_>>())
            .field("json", &self.json.as_ref().map(|_| "****"))
            .field("form", &self.form.as_ref().map(|_| "****"))
            .finish()
    }
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
        Box::pin(async move {
            // Auth requests are GETs and token POSTs: sending one again on a
            // fresh connection after a stale one is harmless.
            match self.send_once(&req).await {
                Err(e) if e.stale => {
                    tracing::debug!(url = %req.url, "the server closed a reused connection; sending again");
                    self.send_once(&req).await
                }
                other => other,
            }
        })
    }
}

impl ReqwestTransport {
    async fn send_once(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        {
            let mut b = match req.method {
                Method::Get => self.client.get(&req.url),
                Method::Post => self.client.post(&req.url),
            };
            for (k, v) in &req.headers {
                b = b.header(*k, v);
            }
            for (k, v) in &req.secret_headers {
                let mut value = reqwest::header::HeaderValue::from_str(v.expose())
                    .map_err(|_| TransportError::other(format!("the {k} header value is not valid in HTTP")))?;
                value.set_sensitive(true);
                b = b.header(*k, value);
            }
            if let Some(j) = &req.json {
                b = b.json(j);
            }
            if let Some(f) = &req.form {
                b = b.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(f.clone());
            }
            let resp = b.send().await.map_err(describe)?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp.bytes().await.map_err(describe)?.to_vec();
            Ok(HttpResponse { status, headers, body })
        }
    }
}
