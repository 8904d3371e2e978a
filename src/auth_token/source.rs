//! Where validations come from: the identity service
//! (`GET /v3/auth/tokens` with the service's own credentials), or, in tests,
//! a fixed set of token bodies ([`super::fixture`]).

use std::fmt;
use std::sync::Arc;

use reqwest::Method;

use crate::auth::{AccessInfo, Interface, transport::BoxFuture};
use crate::opt::Secret;
use crate::session::{Adapter, RetryPolicy, Session, SessionError, Version, VersionSpec};

/// What a validation asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ValidateTokenOptions {
    /// Accept a token that has expired (a valid service token with a
    /// service role came with it).
    pub allow_expired: bool,
    /// Include the token's catalog.
    pub include_catalog: bool,
}

/// A validated token: the identity service's body and what it says.
/// `Debug` shows only the body's length: the body is who the caller is.
#[derive(Clone)]
pub struct Validated {
    /// The response body (`{"token": {...}}`), as cached in memcached.
    pub body: Arc<[u8]>,
    /// The token's access info.
    pub access: Arc<AccessInfo>,
    /// Its headers, worked out on first use and shared by every request
    /// the in-process cache answers.
    pub(crate) rendered: Arc<Rendered>,
}

impl fmt::Debug for Validated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Validated").field("body_bytes", &self.body.len()).finish_non_exhaustive()
    }
}

/// A validation's `X-*` headers, as a user token and as a service token.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    pub user: std::sync::OnceLock<http::HeaderMap>,
    pub service: std::sync::OnceLock<http::HeaderMap>,
}

/// Why a token was not validated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The identity service says the token is not valid (unknown, expired,
    /// revoked), or its body is not a token.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// The identity service could not be asked (unreachable, refused the
    /// service's own credentials, answered with an error).
    #[error("the identity service is unavailable: {0}")]
    Unavailable(String),
}

/// Something that validates tokens.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Validates `token`.
    fn validate<'a>(
        &'a self,
        token: &'a Secret,
        options: ValidateTokenOptions,
    ) -> BoxFuture<'a, Result<Validated, SourceError>>;

    /// Where clients authenticate, when the configuration does not say.
    fn www_authenticate_uri(&self) -> Option<String> {
        None
    }
}

/// Reads an identity service's token body.
pub(crate) fn parse_body(token: &Secret, body: &[u8]) -> Result<Validated, SourceError> {
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| SourceError::Invalid(format!("the token body is not JSON: {e}")))?;
    let access = if json.get("access").is_some() {
        AccessInfo::from_v2(&json)
    } else {
        AccessInfo::from_v3(token.expose(), &json)
    }
    .map_err(|e| SourceError::Invalid(e.0))?;
    Ok(Validated { body: Arc::from(body), access: Arc::new(access), rendered: Arc::default() })
}

/// The identity service, asked with the service's own Session.
#[derive(Clone, Debug)]
pub struct IdentityServer {
    adapter: Adapter,
    auth_url: Option<String>,
    timeout: std::time::Duration,
}

impl IdentityServer {
    /// Validates through `session`'s catalog entry for the identity service
    /// (`interface`, `region`), version 3, with `retries` connection retries
    /// (`http_request_max_retries`).
    pub fn new(session: &Session, interface: Interface, region: Option<&str>, retries: u32) -> IdentityServer {
        let mut adapter = Adapter::new(session)
            .service_type("identity")
            .interfaces([interface])
            .version(VersionSpec::version(Version(3, 0)))
            .retry(RetryPolicy { connect_retries: retries, ..RetryPolicy::default() });
        if let Some(r) = region {
            adapter = adapter.region(r);
        }
        let auth_url = session.auth_state().and_then(|s| s.plugin().auth_url().map(str::to_owned));
        IdentityServer { adapter, auth_url, timeout: super::config::DEFAULT_IDENTITY_TIMEOUT }
    }

    /// How long one validation may take, retries and the service's own
    /// token included (10 s by default); then the identity service is
    /// unavailable.
    pub fn timeout(mut self, timeout: std::time::Duration) -> IdentityServer {
        self.timeout = timeout;
        self
    }
}

impl TokenSource for IdentityServer {
    fn validate<'a>(
        &'a self,
        token: &'a Secret,
        options: ValidateTokenOptions,
    ) -> BoxFuture<'a, Result<Validated, SourceError>> {
        let validation = async move {
            let mut path = String::from("/auth/tokens");
            let mut query = Vec::new();
            if !options.include_catalog {
                query.push("nocatalog");
            }
            if options.allow_expired {
                query.push("allow_expired=1");
            }
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let req = self
                .adapter
                .request(Method::GET, &path)
                .secret_header("X-Subject-Token", token)
                .header("OpenStack-Identity-Access-Rules", "1")
                .raise_on_error(false);
            // No identity-service body goes into a reason: Keystone's
            // messages can quote the token ("Could not find token: <id>"),
            // and reasons are logged, kept in the negative cache and shown
            // by SourceError's Display.
            let resp = match self.adapter.send(req).await {
                Ok(r) => r,
                Err(SessionError::Http { status: 401, url, .. }) => {
                    return Err(SourceError::Unavailable(format!(
                        "the identity service at {url} refused this service's own credentials (HTTP 401, \
                         still refused after re-authenticating)"
                    )));
                }
                Err(SessionError::Http { status, url, .. }) => {
                    return Err(SourceError::Unavailable(format!(
                        "the identity service at {url} answered HTTP {status}"
                    )));
                }
                Err(e) => return Err(SourceError::Unavailable(e.to_string())),
            };
            match resp.status {
                200..=299 => parse_body(token, &resp.body),
                404 => Err(SourceError::Invalid("the identity service does not know this token (HTTP 404)".into())),
                // About the token (too long, malformed), not the service.
                s @ (400 | 413 | 431) => {
                    Err(SourceError::Invalid(format!("the identity service refused the token as malformed (HTTP {s})")))
                }
                401 => Err(SourceError::Unavailable(format!(
                    "the identity service at {} refused this service's own credentials (HTTP 401)",
                    resp.url
                ))),
                s => Err(SourceError::Unavailable(format!("the identity service at {} answered HTTP {s}", resp.url))),
            }
        };
        let limit = self.timeout;
        Box::pin(async move {
            tokio::time::timeout(limit, validation).await.unwrap_or_else(|_| {
                Err(SourceError::Unavailable(format!(
                    "the identity service did not answer within {} s (http_connect_timeout)",
                    limit.as_secs_f64()
                )))
            })
        })
    }

    fn www_authenticate_uri(&self) -> Option<String> {
        self.auth_url.clone()
    }
}
