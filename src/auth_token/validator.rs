//! Token validation with its cache: a token the cache knows is answered
//! from it; one it does not is validated once however many requests carry
//! it at the same time (single flight); a rejected token is remembered for
//! a short time so a flood of bad tokens does not reach the identity
//! service.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::OnceCell;

use super::cache::{Cache, ExpiringMap, SharedCache, SharedLookup, TokenKey};
use super::config::AuthTokenConfig;
use super::keyed::BuildKeyHasher;
use super::memcache::MemcacheOptions;
use super::source::{SourceError, TokenSource, ValidateTokenOptions, Validated};
use crate::opt::Secret;
use crate::session::redact::token_hash_of;

/// The most validations of distinct tokens joined at once; more are
/// validated without being joined, so the map stays bounded.
#[doc(hidden)]
pub const MAX_IN_FLIGHT: usize = 4096;

type Flight = Arc<OnceCell<Result<Validated, SourceError>>>;
type FlightMap = HashMap<(TokenKey, ValidateTokenOptions), Flight, BuildKeyHasher>;

/// A request's share of a single-flight entry. Every clone and drop of a
/// flight's `Arc` happens under the map's lock, so the count it sees is
/// exact: the last request out removes the entry, and so does the first
/// one out after the validation finished.
struct FlightGuard<'a> {
    map: &'a Mutex<FlightMap>,
    key: (TokenKey, ValidateTokenOptions),
    flight: Option<Flight>,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(mine) = self.flight.take() else { return };
        let ours = map.get(&self.key).is_some_and(|f| Arc::ptr_eq(f, &mine));
        let done = mine.initialized();
        drop(mine);
        if ours && (done || map.get(&self.key).is_some_and(|f| Arc::strong_count(f) == 1)) {
            map.remove(&self.key);
        }
    }
}

/// Validates tokens through a [`TokenSource`] and a cache. `Debug` prints
/// counts only: the caches hold who called, and why tokens were refused.
pub struct TokenValidator {
    source: Arc<dyn TokenSource>,
    cache: Cache,
    cache_time: Duration,
    negative: ExpiringMap<(TokenKey, bool), String>,
    negative_time: Duration,
    in_flight: Mutex<FlightMap>,
    source_calls: AtomicU64,
    /// `max_concurrent_validations` permits; `None` for no cap.
    calls_allowed: Option<tokio::sync::Semaphore>,
    queue_wait: Duration,
}

impl std::fmt::Debug for TokenValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("TokenValidator");
        match &self.cache {
            Cache::Off => d.field("cache", &"off"),
            Cache::Memory(m) => d.field("cache", &"memory").field("cached", &m.len()),
            Cache::Shared(s) => d.field("cache", s),
        };
        d.field("rejected", &self.negative.len())
            .field("in_flight", &self.in_flight())
            .field("source_calls", &self.source_calls())
            .finish_non_exhaustive()
    }
}

impl TokenValidator {
    /// A validator asking `source`, with `config`'s cache settings.
    pub fn new(
        source: Arc<dyn TokenSource>,
        config: &AuthTokenConfig,
    ) -> Result<TokenValidator, super::memcache::MemcacheConfigError> {
        let cache = match (&config.memcache, config.token_cache_time.is_zero()) {
            (_, true) => Cache::Off,
            (None, false) => Cache::Memory(ExpiringMap::new(config.cache_capacity)),
            (Some(m), false) => Cache::Shared(SharedCache::new(
                &m.servers,
                m.protection.clone(),
                MemcacheOptions {
                    timeout: m.socket_timeout,
                    dead_retry: m.dead_retry,
                    max_connections: m.max_connections,
                    unused_timeout: m.unused_timeout,
                    conn_get_timeout: m.conn_get_timeout,
                    tls: m.tls.as_ref().map(super::memcache::tls_connector).transpose()?,
                },
            )?),
        };
        Ok(TokenValidator {
            source,
            cache,
            cache_time: config.token_cache_time,
            negative: ExpiringMap::new(config.cache_capacity),
            negative_time: config.negative_cache_time,
            in_flight: Mutex::new(HashMap::default()),
            source_calls: AtomicU64::new(0),
            calls_allowed: (config.max_concurrent_validations > 0)
                .then(|| tokio::sync::Semaphore::new(config.max_concurrent_validations)),
            queue_wait: config.validation_queue_wait,
        })
    }

    /// The token source.
    pub fn source(&self) -> &Arc<dyn TokenSource> {
        &self.source
    }

    /// How many times the source was asked (cache misses that were not
    /// joined to another request's validation).
    pub fn source_calls(&self) -> u64 {
        self.source_calls.load(Ordering::Relaxed)
    }

    /// How many validations are under way (single-flight entries): for
    /// tests that check the map does not outlive cancelled requests.
    #[doc(hidden)]
    pub fn in_flight(&self) -> usize {
        self.in_flight.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Validates `token`: from the cache, or from the source. The token's
    /// expiry is not checked here (a cached token may have expired since).
    pub async fn validate(&self, token: &Secret, options: ValidateTokenOptions) -> Result<Validated, SourceError> {
        self.validate_str(token.expose(), options).await
    }

    /// [`TokenValidator::validate`] of a token borrowed from a request: it
    /// is copied into a [`Secret`] only when it must leave the process (the
    /// source, memcached), not on an in-process cache hit.
    pub(crate) async fn validate_str(
        &self,
        token: &str,
        options: ValidateTokenOptions,
    ) -> Result<Validated, SourceError> {
        let key = TokenKey::of(token);
        if let Some(answer) = self.in_process(token, key, options) {
            return answer;
        }
        // Boxed: the miss path's future (memcached, the single flight, the
        // call, the queue's timer) is large, and a request answered from
        // the cache above would move all of it for nothing.
        Box::pin(self.miss(Secret::new(token), key, options)).await
    }

    /// The answer of the in-process caches (the negative cache, then the
    /// memory cache), if they have one.
    fn in_process(
        &self,
        token: &str,
        key: TokenKey,
        options: ValidateTokenOptions,
    ) -> Option<Result<Validated, SourceError>> {
        if let Some(reason) = self.negative.get(&(key, options.allow_expired)) {
            tracing::debug!(token = %token_hash_of(token), "token rejected from the negative cache");
            return Some(Err(SourceError::Invalid(reason)));
        }
        match &self.cache {
            Cache::Memory(m) => m.get(&key).map(Ok),
            Cache::Off | Cache::Shared(_) => None,
        }
    }

    /// Not in the in-process cache: memcached, or a validation (joined to
    /// one under way for the same token).
    async fn miss(
        &self,
        token: Secret,
        key: TokenKey,
        options: ValidateTokenOptions,
    ) -> Result<Validated, SourceError> {
        let token = &token;
        match &self.cache {
            Cache::Off | Cache::Memory(_) => {}
            Cache::Shared(s) => {
                if let SharedLookup::Hit(v) = s.get(token).await {
                    return Ok(v);
                }
            }
        }
        let flight = {
            let mut in_flight = self.in_flight.lock().map_err(|_| SourceError::Unavailable("lock poisoned".into()))?;
            match in_flight.get(&(key, options)) {
                Some(f) => Some(f.clone()),
                None if in_flight.len() < MAX_IN_FLIGHT => {
                    let f = Flight::default();
                    in_flight.insert((key, options), f.clone());
                    Some(f)
                }
                // Full: validated alone, so the map stays bounded however
                // many distinct tokens arrive at once.
                None => None,
            }
        };
        let Some(flight) = flight else { return self.fetch(token, key, options).await };
        // Removes the entry when this request is done, or dropped half-way
        // (a client that went away, a timeout layer): without it every
        // cancelled validation left its entry for good.
        let guard = FlightGuard { map: &self.in_flight, key: (key, options), flight: Some(flight) };
        // The request that starts a validation looks at the in-process
        // caches again: another validation of this token may have finished,
        // and its entry gone, since this request looked.
        let first = || async {
            match self.in_process(token.expose(), key, options) {
                Some(answer) => answer,
                None => self.fetch(token, key, options).await,
            }
        };
        let result = match guard.flight.as_deref() {
            Some(cell) => cell.get_or_init(first).await.clone(),
            None => self.fetch(token, key, options).await,
        };
        drop(guard);
        result
    }

    async fn fetch(
        &self,
        token: &Secret,
        key: TokenKey,
        options: ValidateTokenOptions,
    ) -> Result<Validated, SourceError> {
        // Held for the call: a flood of distinct tokens waits here, briefly,
        // instead of becoming as many concurrent identity-service calls.
        let _permit = match &self.calls_allowed {
            None => None,
            Some(sem) => match tokio::time::timeout(self.queue_wait, sem.acquire()).await {
                Ok(Ok(p)) => Some(p),
                _ => {
                    return Err(SourceError::Unavailable(
                        "too many validations under way (max_concurrent_validations)".into(),
                    ));
                }
            },
        };
        self.source_calls.fetch_add(1, Ordering::Relaxed);
        let result = self.source.validate(token, options).await;
        match &result {
            Ok(v) => {
                let left = v.access.expires_at.duration_since(SystemTime::now()).unwrap_or_default();
                let ttl = self.cache_time.min(left);
                if !ttl.is_zero() {
                    match &self.cache {
                        Cache::Off => {}
                        Cache::Memory(m) => m.insert(key, v.clone(), ttl),
                        Cache::Shared(s) => s.set(token, v, ttl).await,
                    }
                }
            }
            Err(SourceError::Invalid(reason)) => {
                if !self.negative_time.is_zero() {
                    self.negative.insert((key, options.allow_expired), reason.clone(), self.negative_time);
                }
            }
            Err(SourceError::Unavailable(_)) => {}
        }
        result
    }
}

#[cfg(all(test, feature = "fixture"))]
mod tests {
    use super::*;
    use crate::auth_token::fixture::{FixtureTokens, V3Token};

    fn validator() -> (Arc<FixtureTokens>, TokenValidator) {
        let tokens = Arc::new(FixtureTokens::new());
        tokens.add("alice-token", V3Token::new("alice-id").project("p-id", "demo").role("member"));
        let v = TokenValidator::new(tokens.clone(), &AuthTokenConfig::default()).expect("validator");
        (tokens, v)
    }

    // A request that missed the caches just before another request's
    // validation of the same token finished (and its single-flight entry
    // went) must not ask again: the caches are looked at once more by the
    // request that starts a validation. CI saw 3 calls for 2 tokens.
    #[tokio::test]
    async fn a_request_arriving_after_a_rejection_finished_is_answered_from_the_negative_cache() {
        let (tokens, v) = validator();
        let options = ValidateTokenOptions::default();
        assert!(v.validate(&Secret::new("forged"), options).await.is_err());
        assert_eq!(tokens.calls(), 1);
        let late = v.miss(Secret::new("forged"), TokenKey::of("forged"), options).await;
        assert!(matches!(late, Err(SourceError::Invalid(_))), "{late:?}");
        assert_eq!(tokens.calls(), 1, "the late request asked the source again");
        assert_eq!(v.in_flight(), 0);
    }

    #[tokio::test]
    async fn a_request_arriving_after_a_validation_finished_is_answered_from_the_cache() {
        let (tokens, v) = validator();
        let options = ValidateTokenOptions::default();
        assert!(v.validate(&Secret::new("alice-token"), options).await.is_ok());
        let late = v.miss(Secret::new("alice-token"), TokenKey::of("alice-token"), options).await;
        assert!(late.is_ok(), "{late:?}");
        assert_eq!(tokens.calls(), 1, "the late request asked the source again");
    }
}
