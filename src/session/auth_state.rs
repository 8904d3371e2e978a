//! One auth plugin's current credentials, fetched once however many tasks
//! ask at the same time (single flight), refreshed before they expire, and
//! replaced once after a 401 however many requests got it.
//!
//! Two things keystoneauth does not do:
//! - A token's life is counted on the local clock: from when it was asked
//!   for, as long as the identity service says it lives (`expires_at` less
//!   `issued_at`, both by its clock). With clocks apart, keystoneauth finds
//!   a token "already expired" on arrival and fetches a new one for every
//!   request; here the skew does not matter.
//! - When the identity service cannot give a new token while the current
//!   one is still valid (it is down for a while), the current one is kept
//!   until it expires, with a warning, and the refresh is tried again
//!   [`REFRESH_RETRY`] later: requests go on instead of failing early.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderName, HeaderValue};

use crate::auth::{AuthError, AuthPlugin, Credentials, Endpoint, EndpointFilter, EndpointNotFound, Transport};

/// How long before expiry a token is replaced (keystoneauth's
/// `MIN_TOKEN_LIFE_SECONDS`).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(120);

/// After a failed refresh, how long the current (still valid) token is
/// used before the next try.
pub const REFRESH_RETRY: Duration = Duration::from_secs(5);

/// Credentials with the generation that fetched them, so a task that saw a
/// 401 can tell whether someone else has already replaced them.
#[derive(Clone)]
pub(crate) struct Current {
    pub generation: u64,
    pub credentials: Arc<Credentials>,
    /// The credentials as request headers, built once per token (marked
    /// sensitive) rather than on every request.
    pub headers: Arc<[(HeaderName, HeaderValue)]>,
    /// What is worked out from these credentials once, on first use.
    derived: Arc<Derived>,
    /// When to replace them: the expiry less the margin, or half the
    /// token's life when that is shorter than the margin (so a 60 s token
    /// is not fetched again on every request, as keystoneauth would).
    refresh_at: Option<SystemTime>,
    /// When the token stops working, by the local clock.
    expires_at: Option<SystemTime>,
    /// After a failed refresh: keep these until then.
    retry_at: Option<SystemTime>,
}

impl Current {
    fn usable_at(&self, now: SystemTime) -> bool {
        let fresh = self.refresh_at.is_none_or(|at| now < at);
        let kept = self.retry_at.is_some_and(|at| now < at) && self.valid_at(now);
        fresh || kept
    }

    fn valid_at(&self, now: SystemTime) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }

    fn new(
        generation: u64,
        credentials: Credentials,
        refresh_at: Option<SystemTime>,
        expires_at: Option<SystemTime>,
    ) -> Current {
        let headers: Vec<(HeaderName, HeaderValue)> = credentials
            .headers()
            .into_iter()
            .filter_map(|(k, v)| match (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v.expose())) {
                (Ok(name), Ok(mut value)) => {
                    value.set_sensitive(true);
                    Some((name, value))
                }
                _ => {
                    tracing::warn!(header = k, "the credentials' header is not valid HTTP: not sent");
                    None
                }
            })
            .collect();
        Current {
            generation,
            credentials: Arc::new(credentials),
            headers: headers.into(),
            derived: Arc::default(),
            refresh_at,
            expires_at,
            retry_at: None,
        }
    }

    /// The endpoint for `filter` in these credentials' catalog (`None`
    /// when they have none), looked up once per token and filter. An
    /// adapter's filter is one shared value, so the memo is keyed by its
    /// address; it holds the filter, so the address is not reused while it
    /// is in the memo.
    pub fn catalog_endpoint(&self, filter: &Arc<EndpointFilter>) -> Option<Result<&Endpoint, EndpointNotFound>> {
        let catalog = &self.credentials.access()?.catalog;
        let endpoints = catalog.endpoints();
        if let Ok(memo) = self.derived.endpoints.lock() {
            if let Some(e) = memo.iter().find(|(f, _)| Arc::ptr_eq(f, filter)).and_then(|(_, i)| endpoints.get(*i)) {
                return Some(Ok(e));
            }
        }
        let found = match catalog.find(filter) {
            Ok(e) => e,
            Err(e) => return Some(Err(e)),
        };
        if let (Ok(mut memo), Some(i)) =
            (self.derived.endpoints.lock(), endpoints.iter().position(|e| std::ptr::eq(e, found)))
        {
            // A few adapters per session; past that, looked up each time.
            if memo.len() < ENDPOINT_MEMO {
                memo.push((filter.clone(), i));
            }
        }
        Some(Ok(found))
    }

    /// `X-Auth-Token` as logs show it, if the credentials are a token.
    pub fn token_log(&self) -> Option<&str> {
        self.derived
            .token_log
            .get_or_init(|| {
                let (_, token) = self.credentials.headers().into_iter().find(|(k, _)| *k == "X-Auth-Token")?;
                Some(super::redact::token_hash(&token))
            })
            .as_deref()
    }
}

/// The most filters whose endpoint one token's memo keeps.
const ENDPOINT_MEMO: usize = 16;

/// What one token's requests share, worked out on first use.
#[derive(Default)]
struct Derived {
    /// The token as logs show it (`{SHA256}<hex>`).
    token_log: OnceLock<Option<String>>,
    /// Filters (by address) and the index of their catalog endpoint.
    endpoints: Mutex<Vec<(Arc<EndpointFilter>, usize)>>,
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Derived").finish_non_exhaustive()
    }
}

/// A plugin and its cached credentials.
pub struct AuthState {
    plugin: Arc<dyn AuthPlugin>,
    current: RwLock<Option<Current>>,
    refresh: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    margin: Duration,
    fetches: AtomicU64,
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthState")
            .field("plugin", &self.plugin.plugin_name())
            .field("fetches", &self.fetches.load(Ordering::Relaxed))
            .finish()
    }
}

impl AuthState {
    /// A state for `plugin`, replacing tokens `margin` before they expire.
    pub fn new(plugin: Arc<dyn AuthPlugin>, margin: Duration) -> AuthState {
        AuthState {
            plugin,
            current: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            margin,
            fetches: AtomicU64::new(0),
        }
    }

    /// The plugin.
    pub fn plugin(&self) -> &Arc<dyn AuthPlugin> {
        &self.plugin
    }

    /// How many times credentials were fetched.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Forgets the current credentials (the next request fetches anew).
    pub fn invalidate(&self) {
        if let Ok(mut c) = self.current.write() {
            *c = None;
        }
    }

    fn cached(&self) -> Option<Current> {
        self.current.read().ok()?.clone()
    }

    fn usable(&self) -> Option<Current> {
        self.cached().filter(|c| c.usable_at(SystemTime::now()))
    }

    /// Usable credentials: the cached ones, or one fetch shared by every
    /// task that asks meanwhile. When that fetch fails and the cached token
    /// is still valid, the cached token.
    pub(crate) async fn get(&self, t: &dyn Transport) -> Result<Current, AuthError> {
        if let Some(c) = self.usable() {
            return Ok(c);
        }
        let _one = self.refresh.lock().await;
        if let Some(c) = self.usable() {
            return Ok(c);
        }
        match self.fetch(t).await {
            Ok(c) => Ok(c),
            Err(e) => self.keep_current(e),
        }
    }

    /// A refresh failed with `e`: the current credentials while they are
    /// valid (tried again after [`REFRESH_RETRY`]), else the error.
    fn keep_current(&self, e: AuthError) -> Result<Current, AuthError> {
        let now = SystemTime::now();
        let Some(mut c) = self.cached().filter(|c| c.valid_at(now)) else { return Err(e) };
        c.retry_at = Some(now + REFRESH_RETRY);
        let expires_at = c.expires_at.map(crate::auth::time::format_iso8601).unwrap_or_default();
        tracing::warn!(
            plugin = self.plugin.plugin_name(),
            error = %e,
            %expires_at,
            "cannot replace the token before it expires; using the current one meanwhile"
        );
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(c.clone());
        }
        Ok(c)
    }

    /// New credentials after `stale` was refused: one fetch however many
    /// requests were refused with the same credentials.
    pub(crate) async fn renew(&self, stale: u64, t: &dyn Transport) -> Result<Current, AuthError> {
        let _one = self.refresh.lock().await;
        if let Some(c) = self.usable() {
            if c.generation != stale {
                return Ok(c);
            }
        }
        self.fetch(t).await
    }

    async fn fetch(&self, t: &dyn Transport) -> Result<Current, AuthError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let started = SystemTime::now();
        let credentials = self.plugin.authenticate(t).await?;
        let fresh = self.plugin.issues_fresh_tokens();
        // The token that can be replaced (for a caller's token sent with the
        // service's own, the service's).
        let expires_at = credentials.renewable().map(|a| local_expiry(a, started, fresh));
        let refresh_at = credentials.renewable().zip(expires_at).map(|(a, expires_at)| {
            let life = expires_at.duration_since(started).unwrap_or_default();
            if life.is_zero() {
                // Expired on arrival by the local clock, with no issue time
                // to measure its life by: the clocks differ. Fetching again
                // would give the same, so use it until a service refuses it
                // (a 401 replaces it once) or for one margin.
                tracing::warn!(
                    plugin = self.plugin.plugin_name(),
                    expires_at = %crate::auth::time::format_iso8601(a.expires_at),
                    "the new token has no life left by the local clock (the clocks differ, or its times are \
                     wrong); it is used until a service refuses it"
                );
                return started + self.margin;
            }
            expires_at.checked_sub(self.margin.min(life / 2)).unwrap_or(expires_at)
        });
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(a) = credentials.access() {
            tracing::debug!(
                plugin = self.plugin.plugin_name(),
                generation,
                expires_at = %crate::auth::time::format_iso8601(a.expires_at),
                "fetched a token"
            );
        }
        let c = Current::new(generation, credentials, refresh_at, expires_at);
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(c.clone());
        }
        Ok(c)
    }
}

/// When a token fetched at `started` (local clock) stops working, by the
/// local clock. A token just issued lives as long as the identity service
/// says (`expires_at` less `issued_at`, both by its clock), counted from
/// `started`. A token that was not just issued, or without `issued_at`,
/// expires at its `expires_at` as it stands, or at `started` if that is
/// past (no life left).
fn local_expiry(a: &crate::auth::AccessInfo, started: SystemTime, fresh: bool) -> SystemTime {
    match a.issued_at {
        Some(issued) if fresh => started + a.expires_at.duration_since(issued).unwrap_or_default(),
        _ => a.expires_at.max(started),
    }
}
