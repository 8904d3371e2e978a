//! One request's way through redirects and retries: where it goes next,
//! with which method, body and headers, and how long to wait first. No
//! I/O here; `core` sends and logs.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, LOCATION, RETRY_AFTER};

use super::request::{Body, SessionError};
use super::retry::{RetryPolicy, backoff, idempotent, retry_after};
use crate::auth::transport::TransportError;

/// Where a request stands between two sends.
pub(super) struct Attempt<'r> {
    /// The URL of the next send.
    pub url: String,
    /// Its method (a 303 turns a POST into a GET).
    pub method: Method,
    /// Its body (dropped by a 303, or past the first origin).
    pub body: Body,
    /// Whether the auth plugin's headers go with it (not past the first
    /// origin).
    pub send_auth: bool,
    /// The caller's own headers: the secret ones go no further than the
    /// first origin either (a user's X-Subject-Token, say).
    pub headers: Cow<'r, HeaderMap>,
    /// Sends so far.
    pub attempts: u32,
    first_url: &'r str,
    redirects: usize,
    connect_tries: u32,
    status_tries: u32,
    stale_retried: bool,
}

/// What to do after a send that got no response.
pub(super) enum AfterError {
    /// Send again at once (a kept-alive connection the server was closing).
    Resend,
    /// Send again after waiting (the connection could not be made).
    Wait(Duration),
}

impl<'r> Attempt<'r> {
    /// The first send of a request with `method`, `body` and `headers` to
    /// `first_url`.
    pub fn new(first_url: &'r str, method: Method, body: Body, headers: &'r HeaderMap) -> Attempt<'r> {
        Attempt {
            url: first_url.to_owned(),
            method,
            body,
            send_auth: true,
            headers: Cow::Borrowed(headers),
            attempts: 0,
            first_url,
            redirects: 0,
            connect_tries: 0,
            status_tries: 0,
            stale_retried: false,
        }
    }

    /// After a send that got no response: resend, wait and resend, or the
    /// error to report.
    pub fn after_error(&mut self, err: TransportError, policy: &RetryPolicy) -> Result<AfterError, SessionError> {
        // A reused connection the server was closing: once more on a new
        // one, if sending twice is safe.
        if err.stale && !self.stale_retried && idempotent(&self.method) {
            self.stale_retried = true;
            return Ok(AfterError::Resend);
        }
        if err.connect && self.connect_tries < policy.connect_retries {
            let delay = backoff(self.connect_tries, policy.connect_retry_delay, policy.max_delay);
            self.connect_tries += 1;
            return Ok(AfterError::Wait(delay));
        }
        Err(self.transport_error(hint(err)))
    }

    /// How many connection retries were made (for the log line).
    pub fn connect_tries(&self) -> u32 {
        self.connect_tries
    }

    /// How many status-code retries were made (for the log line).
    pub fn status_tries(&self) -> u32 {
        self.status_tries
    }

    /// A failure of this send, as the caller sees it.
    pub fn transport_error(&self, source: TransportError) -> SessionError {
        SessionError::Transport {
            method: self.method.to_string(),
            url: self.url.clone(),
            attempts: self.attempts,
            source,
        }
    }

    /// Follows a redirect answer: `Ok(true)` when the next send goes to its
    /// `Location`, `Ok(false)` when `status` is not a redirect (or has no
    /// location). Refuses too many redirects, and https to http.
    /// keystoneauth forwards the token (and every header, and a 307's
    /// body) to any host; here none of it leaves the origin it was meant
    /// for.
    pub fn redirect(
        &mut self,
        status: u16,
        headers: &HeaderMap,
        max: usize,
        asked: &Method,
    ) -> Result<bool, SessionError> {
        if !matches!(status, 301 | 302 | 303 | 307 | 308) {
            return Ok(false);
        }
        let Some(loc) = headers.get(LOCATION).and_then(|v| v.to_str().ok()) else {
            return Ok(false);
        };
        self.redirects += 1;
        if self.redirects > max {
            return Err(SessionError::TooManyRedirects {
                method: asked.to_string(),
                url: self.first_url.to_owned(),
                limit: max,
            });
        }
        let next = reqwest::Url::parse(&self.url).and_then(|base| base.join(loc)).map(|u| u.to_string());
        let Ok(next) = next else {
            return Err(self.transport_error(TransportError::other(format!("invalid redirect location {loc:?}"))));
        };
        if self.url.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("https:")) && next.starts_with("http:") {
            return Err(self.transport_error(TransportError::other(format!(
                "redirect from https to http ({next}) refused: it would send the request in clear"
            ))));
        }
        if origin(&next) != origin(self.first_url) {
            if self.send_auth {
                tracing::info!(from = %self.url, to = %next, "redirect to another origin: credentials, secret headers and body dropped");
            }
            self.send_auth = false;
            if let Cow::Borrowed(h) = self.headers {
                self.headers = Cow::Owned(
                    h.iter()
                        .filter(|(k, v)| !v.is_sensitive() && !credential_header(k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                );
            }
            self.body = Body::None;
        }
        if status == 303 || (matches!(status, 301 | 302) && self.method == Method::POST) {
            self.method = Method::GET;
            self.body = Body::None;
        }
        self.url = next;
        Ok(true)
    }

    /// How long to wait before sending again after `status`, if it is to
    /// be retried: `Retry-After` when the server says, else the backoff;
    /// never longer than the policy's longest wait.
    pub fn status_retry(&mut self, status: u16, headers: &HeaderMap, policy: &RetryPolicy) -> Option<Duration> {
        if !policy.retriable_status_codes.contains(&status)
            || !idempotent(&self.method)
            || self.status_tries >= policy.status_code_retries
        {
            return None;
        }
        let wait = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, SystemTime::now()))
            .unwrap_or_else(|| backoff(self.status_tries, policy.status_code_retry_delay, policy.max_delay))
            .min(policy.max_delay);
        self.status_tries += 1;
        Some(wait)
    }
}

/// Headers that carry credentials whether or not the caller marked them
/// sensitive: never sent past a redirect to another origin.
pub(super) fn credential_header(name: &HeaderName) -> bool {
    let n = name.as_str();
    matches!(n, "authorization" | "proxy-authorization" | "cookie")
        || ["x-auth-token", "x-subject-token", "x-service-token", "x-storage-token"].contains(&n)
}

/// scheme://host:port of a URL, for "did the redirect leave the origin".
fn origin(url: &str) -> Option<(String, String, Option<u16>)> {
    let u = reqwest::Url::parse(url).ok()?;
    Some((u.scheme().to_owned(), u.host_str()?.to_ascii_lowercase(), u.port_or_known_default()))
}

/// Adds a hint to TLS failures.
fn hint(mut e: TransportError) -> TransportError {
    let m = e.message.to_ascii_lowercase();
    if m.contains("certificate") || m.contains("unknownissuer") || m.contains("tls") {
        e.message.push_str(" (TLS verification failed: check cafile, or the server's certificate)");
    }
    e
}
