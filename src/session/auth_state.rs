//! One auth plugin's current credentials, fetched once however many tasks
//! ask at the same time (single flight), refreshed before they expire, and
//! replaced once after a 401 however many requests got it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderName, HeaderValue};

use crate::auth::{AuthError, AuthPlugin, Credentials, Transport};

/// How long before expiry a token is replaced (keystoneauth's
/// `MIN_TOKEN_LIFE_SECONDS`).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(120);

/// Credentials with the generation that fetched them, so a task that saw a
/// 401 can tell whether someone else has already replaced them.
#[derive(Clone)]
pub(crate) struct Current {
    pub generation: u64,
    pub credentials: Arc<Credentials>,
    /// The credentials as request headers, built once per token (marked
    /// sensitive) rather than on every request.
    pub headers: Arc<[(HeaderName, HeaderValue)]>,
    /// The token as logs show it (`{SHA256}<hex>`), hashed on first use.
    token_log: Arc<OnceLock<Option<String>>>,
    /// When to replace them: the expiry less the margin, or half the
    /// token's life when that is shorter than the margin (so a 60 s token
    /// is not fetched again on every request, as keystoneauth would).
    refresh_at: Option<SystemTime>,
}

impl Current {
    fn new(generation: u64, credentials: Credentials, refresh_at: Option<SystemTime>) -> Current {
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
            token_log: Arc::default(),
            refresh_at,
        }
    }

    /// `X-Auth-Token` as logs show it, if the credentials are a token.
    pub fn token_log(&self) -> Option<&str> {
        self.token_log
            .get_or_init(|| {
                let (_, token) = self.credentials.headers().into_iter().find(|(k, _)| *k == "X-Auth-Token")?;
                Some(super::redact::token_hash(&token))
            })
            .as_deref()
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

    fn usable(&self) -> Option<Current> {
        let c = self.current.read().ok()?.clone()?;
        match c.refresh_at {
            Some(at) if SystemTime::now() >= at => None,
            _ => Some(c),
        }
    }

    /// Usable credentials: the cached ones, or one fetch shared by every
    /// task that asks meanwhile.
    pub(crate) async fn get(&self, t: &dyn Transport) -> Result<Current, AuthError> {
        if let Some(c) = self.usable() {
            return Ok(c);
        }
        let _one = self.refresh.lock().await;
        if let Some(c) = self.usable() {
            return Ok(c);
        }
        self.fetch(t).await
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
        let refresh_at = credentials.renewable().map(|a| {
            let life = a.expires_at.duration_since(a.issued_at.unwrap_or(started)).unwrap_or_default();
            let margin = self.margin.min(life / 2);
            a.expires_at.checked_sub(margin).unwrap_or(a.expires_at)
        });
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(a) = credentials.access() {
            tracing::debug!(
                plugin = self.plugin.plugin_name(),
                generation,
                expires_at = %crate::auth::format_iso8601(a.expires_at),
                "fetched a token"
            );
        }
        let c = Current::new(generation, credentials, refresh_at);
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(c.clone());
        }
        Ok(c)
    }
}
