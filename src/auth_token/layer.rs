//! The tower layer: every request's tokens validated before the service
//! sees it, forged identity headers removed, the caller put in the
//! request's extensions.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode};

use super::access_rules;
use super::bind::{self, RemoteUser};
use super::config::AuthTokenConfig;
use super::context::{IdentityStatus, UserContext};
use super::headers;
use super::source::{SourceError, TokenSource, ValidateTokenOptions, Validated};
use super::validator::TokenValidator;
use crate::auth::TokenVersion;
use crate::session::GlobalRequestId;
use crate::session::redact::token_hash_of as token_hash;

/// [`crate::session::REQUEST_ID_HEADER`], lower-case, parsed once.
const X_OPENSTACK_REQUEST_ID: HeaderName = HeaderName::from_static("x-openstack-request-id");

/// The auth_token layer: keystonemiddleware's `auth_token` for tower
/// services (axum, tonic, hyper).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use stackauth::{Loader, auth::PluginRegistry, auth_token::AuthTokenLayer, namespace, source::Env};
///
/// let registry = namespace::by_name("keystonemiddleware.auth_token").unwrap();
/// let loader = Loader::new(&registry).config_file("/etc/myservice/myservice.conf").env(Env::from_process());
/// let (layer, session) = AuthTokenLayer::from_loader(&loader, &PluginRegistry::builtin())?;
/// // axum::Router::new().route(...).layer(layer)
/// # let _ = (layer, session); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AuthTokenLayer {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    validator: TokenValidator,
    config: AuthTokenConfig,
    www_authenticate: HeaderValue,
    service_warning_emitted: AtomicBool,
    outage_log: OutageLog,
}

/// The longest token validated: Fernet tokens are about 200 bytes, JWS
/// about 800; the identity service's front end refuses longer headers.
pub(crate) const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Whether `token` is written in a token's alphabet: Fernet and JWS are
/// base64url (JWS with two dots), UUID tokens hex; `+`, `/` and `=` for
/// standard base64. Anything else (spaces, quotes, JSON, `%`) cannot be a
/// token and costs no call. Length is not checked below 8 KiB, so that
/// services' own test tokens (`FixtureTokens`) keep working.
fn plausible_token(token: &str) -> bool {
    // Range checks folded without an early exit: the compiler makes it a
    // vector loop (tokens are about 200 bytes; this runs on every request).
    fn allowed(c: u8) -> bool {
        ((c | 0x20).wrapping_sub(b'a') < 26)
            | (c.wrapping_sub(b'0') < 10)
            | (c == b'-')
            | (c == b'_')
            | (c == b'=')
            | (c == b'.')
            | (c == b'+')
            | (c == b'/')
    }
    token.bytes().fold(true, |ok, c| ok & allowed(c))
}

/// "The identity service is unavailable" at ERROR once per
/// [`OUTAGE_LOG_EVERY`], with how many were logged at DEBUG since: an
/// outage under load was one ERROR line per request.
#[derive(Debug, Default)]
struct OutageLog {
    last: std::sync::Mutex<Option<std::time::Instant>>,
    suppressed: std::sync::atomic::AtomicU64,
}

const OUTAGE_LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

impl OutageLog {
    /// `Some(suppressed since the last ERROR)` when one is due.
    fn due(&self) -> Option<u64> {
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        if last.is_some_and(|t| now.duration_since(t) < OUTAGE_LOG_EVERY) {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        *last = Some(now);
        Some(self.suppressed.swap(0, Ordering::Relaxed))
    }
}

/// The layer could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthTokenError {
    /// A setting is unusable.
    #[error("auth_token: {0}")]
    Config(String),
    /// `memcached_servers` names no usable server.
    #[error("auth_token: {0}")]
    Memcached(#[from] super::memcache::MemcacheConfigError),
}

impl AuthTokenLayer {
    /// A layer validating through `source` (the identity service, or a
    /// fixture) with `config`.
    pub fn with_source(
        source: Arc<dyn TokenSource>,
        config: AuthTokenConfig,
    ) -> Result<AuthTokenLayer, AuthTokenError> {
        for w in &config.warnings {
            tracing::warn!("{w}");
        }
        let uri = config.www_authenticate_uri.clone().or_else(|| source.www_authenticate_uri());
        if uri.is_none() {
            tracing::warn!(
                "www_authenticate_uri is not set and the service's auth plugin has no auth_url: \
                 401 responses will not tell clients where to authenticate"
            );
        }
        let www_authenticate = HeaderValue::from_str(&format!("Keystone uri=\"{}\"", uri.unwrap_or_default()))
            .map_err(|_| AuthTokenError::Config("www_authenticate_uri is not valid in an HTTP header".into()))?;
        if !config.service_token_roles_required {
            tracing::warn!(
                "service_token_roles_required is false: any valid token is accepted as a service token, \
                 which can bypass access rule checks; set it to true"
            );
        }
        let validator = TokenValidator::new(source, &config)?;
        Ok(AuthTokenLayer {
            shared: Arc::new(Shared {
                validator,
                config,
                www_authenticate,
                service_warning_emitted: AtomicBool::new(false),
                outage_log: OutageLog::default(),
            }),
        })
    }

    /// The validator (its counters are useful in tests and metrics).
    pub fn validator(&self) -> &TokenValidator {
        &self.shared.validator
    }

    /// The settings in use.
    pub fn config(&self) -> &AuthTokenConfig {
        &self.shared.config
    }
}

impl<S> tower_layer::Layer<S> for AuthTokenLayer {
    type Service = AuthToken<S>;

    fn layer(&self, inner: S) -> AuthToken<S> {
        AuthToken { inner, shared: self.shared.clone() }
    }
}

/// A service behind the auth_token layer.
#[derive(Clone, Debug)]
pub struct AuthToken<S> {
    inner: S,
    shared: Arc<Shared>,
}

/// A boxed, sendable future.
pub type ResponseFuture<R, E> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<R, E>> + Send>>;

impl<S, ReqBody, ResBody> tower_service::Service<Request<ReqBody>> for AuthToken<S>
where
    S: tower_service::Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: From<String> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<Response<ResBody>, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        // The ready service goes into the future; a clone stays for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();
        // Every log line of this request, the layer's and the handler's,
        // names the caller's global request id.
        // Read once: the span and the UserContext both carry it.
        let request_id = global_request_id(req.headers());
        let span = match &request_id {
            Some(id) => tracing::info_span!("request", global_request_id = %id),
            None => tracing::Span::none(),
        };
        Box::pin(tracing::Instrument::instrument(
            async move {
                let (mut parts, body) = req.into_parts();
                if let Err(reject) = shared.process(&mut parts, request_id).await {
                    return Ok(reject.map(ResBody::from));
                }
                let mut resp = inner.call(Request::from_parts(parts, body)).await?;
                if resp.status() == StatusCode::UNAUTHORIZED {
                    resp.headers_mut().append(WWW_AUTHENTICATE, shared.www_authenticate.clone());
                }
                Ok(resp)
            },
            span,
        ))
    }
}

/// The caller's `X-OpenStack-Request-ID`, if it is `req-<uuid>`: any other
/// value is dropped (as oslo.middleware's `request_id` does), so a caller
/// cannot write what it likes into every service's logs.
/// Says so in the log when it drops one.
fn global_request_id(h: &HeaderMap) -> Option<GlobalRequestId> {
    let v = h.get(X_OPENSTACK_REQUEST_ID)?;
    match v.to_str().ok().map(GlobalRequestId::parse) {
        Some(Ok(id)) => Some(id),
        _ => {
            tracing::info!(bytes = v.len(), "ignoring an X-OpenStack-Request-ID that is not req-<uuid>");
            None
        }
    }
}

/// One token's outcome.
enum Checked {
    Valid(Validated),
    Invalid,
}

/// Every value of one token's headers, as [`token_headers`] goes by them.
#[derive(Default)]
struct TokenValues<'h> {
    first: Option<&'h HeaderValue>,
    differs: bool,
}

impl<'h> TokenValues<'h> {
    fn see(&mut self, v: &'h HeaderValue) {
        match self.first {
            None => self.first = Some(v),
            Some(f) => self.differs |= f.as_bytes().trim_ascii() != v.as_bytes().trim_ascii(),
        }
    }

    /// The token. Values that differ are an empty, so invalid, token:
    /// taking the first would let the service see another token than a
    /// proxy in front that read the last.
    fn token(self, names: &str) -> Option<&'h str> {
        let first = self.first?;
        if self.differs {
            tracing::info!(headers = names, "token header sent more than once with different values: refused");
            return Some("");
        }
        // Not UTF-8 cannot be a token: an empty token is refused by validation.
        Some(first.to_str().map(str::trim).unwrap_or_default())
    }
}

/// The user token (`X-Auth-Token`, `X-Storage-Token`: every value of each)
/// and the service token (`X-Service-Token`), in one pass over the
/// request's headers.
///
/// The tokens are borrowed from the request, not copied: the copy (a
/// `Secret`, zeroed when dropped) is made only when a token goes to the
/// identity service or memcached, not on an in-process cache hit.
fn token_headers(h: &HeaderMap) -> (Option<&str>, Option<&str>) {
    let (mut user, mut service) = (TokenValues::default(), TokenValues::default());
    for (name, v) in h {
        match name.as_str() {
            "x-auth-token" | "x-storage-token" => user.see(v),
            "x-service-token" => service.see(v),
            _ => {}
        }
    }
    (user.token("X-Auth-Token, X-Storage-Token"), service.token("X-Service-Token"))
}

fn json_error(status: StatusCode, title: &str, message: &str) -> Response<String> {
    let body = serde_json::json!({"error": {"code": status.as_u16(), "title": title, "message": message}});
    let mut r = Response::new(body.to_string());
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn unavailable() -> Response<String> {
    json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service Unavailable",
        "The Keystone service is temporarily unavailable.",
    )
}

impl Shared {
    /// Validates `token`; `Err` is a response to send instead (503).
    async fn check(&self, token: &str, allow_expired: bool, kind: &str) -> Result<Checked, Response<String>> {
        if token.is_empty() {
            return Ok(Checked::Invalid);
        }
        if token.len() > MAX_TOKEN_BYTES {
            // Not sent: the identity service's front end answers 400 to it.
            tracing::info!(kind, token = %token_hash(token), bytes = token.len(), "token over 8 KiB refused");
            return Ok(Checked::Invalid);
        }
        if !plausible_token(token) {
            tracing::info!(kind, token = %token_hash(token), "not a token's alphabet: refused without asking");
            return Ok(Checked::Invalid);
        }
        let options = ValidateTokenOptions { allow_expired, include_catalog: self.config.include_service_catalog };
        match self.validator.validate_str(token, options).await {
            Ok(v) => {
                if !allow_expired && v.access.will_expire_soon(std::time::Duration::ZERO) {
                    tracing::info!(kind, token = %token_hash(token), "token has expired");
                    return Ok(Checked::Invalid);
                }
                if v.access.version == TokenVersion::V2 && v.access.project.is_none() {
                    tracing::info!(kind, token = %token_hash(token), "unable to determine service tenancy (v2 token without a project)");
                    return Ok(Checked::Invalid);
                }
                Ok(Checked::Valid(v))
            }
            Err(SourceError::Invalid(reason)) => {
                tracing::info!(kind, token = %token_hash(token), reason = %reason, "invalid token");
                Ok(Checked::Invalid)
            }
            Err(SourceError::Unavailable(reason)) => {
                match self.outage_log.due() {
                    Some(suppressed) => tracing::error!(
                        kind,
                        reason = %reason,
                        suppressed,
                        "unable to validate token: the identity service is unavailable"
                    ),
                    None => {
                        tracing::debug!(kind, reason = %reason, "unable to validate token: the identity service is unavailable")
                    }
                }
                if self.config.delay_auth_decision {
                    tracing::debug!(
                        "identity service unavailable; marking the token invalid and deferring the decision"
                    );
                    Ok(Checked::Invalid)
                } else {
                    Err(unavailable())
                }
            }
        }
    }

    /// Everything before the service: `Err` is the response to send instead.
    async fn process(
        &self,
        parts: &mut http::request::Parts,
        request_id: Option<GlobalRequestId>,
    ) -> Result<(), Response<String>> {
        headers::remove_auth_headers(&mut parts.headers);
        let (user_token, service_token) = token_headers(&parts.headers);
        let remote = parts.extensions.get::<RemoteUser>().cloned();

        let mut allow_expired = false;
        let mut service: Option<Validated> = None;
        let mut service_status = None;
        if let Some(t) = service_token {
            let checked = match self.check(t, false, "service").await? {
                Checked::Valid(v) => match bind::confirm(&self.config.enforce_token_bind, &v.access, remote.as_ref()) {
                    Ok(()) => Some(v),
                    Err(why) => {
                        tracing::info!(token = %token_hash(t), reason = %why, "service token bind check failed");
                        None
                    }
                },
                Checked::Invalid => None,
            };
            service_status = Some(IdentityStatus::Invalid);
            if let Some(v) = checked {
                let roles = v.access.role_names();
                let passed = self.config.service_token_roles.iter().any(|r| roles.contains(&r.as_str()));
                let valid = if self.config.service_token_roles_required {
                    passed
                } else {
                    if !passed && !self.service_warning_emitted.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            "a valid token without a service role was accepted as a service token \
                             (service_token_roles_required is false)"
                        );
                    }
                    true
                };
                if valid {
                    service_status = Some(IdentityStatus::Confirmed);
                    service = Some(v);
                } else {
                    tracing::info!(token = %token_hash(t), "service token lacks the service_token_roles");
                }
                // Expired user tokens only with a service token that has the role.
                allow_expired = passed;
            }
        }

        let mut user: Option<Validated> = None;
        if let Some(t) = user_token {
            if let Checked::Valid(v) = self.check(t, allow_expired, "user").await? {
                let path = parts.uri.path();
                let rules = if v.access.version == TokenVersion::V3 {
                    access_rules::allowed(
                        &v.access,
                        self.config.service_type.as_deref(),
                        parts.method.as_str(),
                        path,
                        // Confirmed, not merely present: any `X-Service-Token: x`
                        // used to switch the rules off.
                        service.is_some(),
                    )
                } else {
                    Ok(())
                };
                let bound = if service.is_none() {
                    bind::confirm(&self.config.enforce_token_bind, &v.access, remote.as_ref())
                } else {
                    Ok(())
                };
                match rules.and(bound) {
                    Ok(()) => user = Some(v),
                    Err(why) => tracing::info!(token = %token_hash(t), reason = %why, "user token refused"),
                }
            }
        }

        let access = |v: &Option<Validated>| v.as_ref().map(|v| v.access.clone());
        let ctx = UserContext::new(access(&user), service_status, access(&service), request_id);
        if !ctx.is_authenticated() {
            if self.config.delay_auth_decision {
                tracing::debug!("deferring the rejection to the service (delay_auth_decision)");
            } else {
                tracing::info!("rejecting request: it requires authentication");
                let mut r = json_error(
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized",
                    "The request you have made requires authentication.",
                );
                r.headers_mut().insert(WWW_AUTHENTICATE, self.www_authenticate.clone());
                return Err(r);
            }
        }
        if self.config.identity_headers {
            let h = &mut parts.headers;
            // X-Identity-Status: Confirmed is in the user's rendered headers.
            headers::set_status(h, user.is_some(), service_status);
            if let Some(u) = &user {
                let catalog = self.config.include_service_catalog;
                headers::extend(h, u.rendered.user.get_or_init(|| headers::user_headers(&u.access, catalog)));
            }
            if let Some(s) = &service {
                headers::extend(h, s.rendered.service.get_or_init(|| headers::service_headers(&s.access)));
            }
        }
        if let Some(u) = user.as_ref().map(|u| &u.access) {
            tracing::debug!(
                user_id = u.user.ident.id.as_deref().unwrap_or(""),
                project_id = u.project.as_ref().and_then(|p| p.ident.id.as_deref()).unwrap_or(""),
                roles = %u.role_names().join(","),
                service = service.is_some(),
                global_request_id = ctx.global_request_id().map_or("", |id| id.as_str()),
                "request authenticated"
            );
        }
        parts.extensions.insert(ctx);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_token_alphabet_is_base64url_base64_jws_and_hex() {
        for c in 0..=255u8 {
            let want = c.is_ascii_alphanumeric() || b"-_=.+/".contains(&c);
            let bytes = [b'a', c, b'b'];
            // A byte over 0x7f is not UTF-8 alone: as a str it is U+FFFD's three bytes.
            let token = String::from_utf8_lossy(&bytes);
            assert_eq!(super::plausible_token(&token), want, "byte {c:#04x}");
        }
        assert!(super::plausible_token(&"gAAAAAB".repeat(40)));
        assert!(!super::plausible_token("gAAAAAB gAAAA"));
    }
}
