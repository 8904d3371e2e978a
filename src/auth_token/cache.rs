//! Where validations are kept: in this process (bounded, with expiry), or in
//! memcached, shared by every process of the service, keyed and protected
//! as keystonemiddleware does.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use super::crypt::{Protection, derive_keys};
use super::keyed::BuildKeyHasher;
pub(crate) use super::keyed::TokenKey;
use super::memcache::{Memcache, MemcacheOptions};
use super::source::{SourceError, Validated, parse_body};
use crate::opt::Secret;

/// A bounded map whose entries expire. When full, expired entries go
/// first, then the ones closest to expiry. Its keys are hashed with
/// [`super::keyed::KeyHasher`]: they must hold a [`TokenKey`] (the token itself is never
/// a key).
#[derive(Debug)]
pub(crate) struct ExpiringMap<K, V> {
    entries: RwLock<HashMap<K, (Instant, V), BuildKeyHasher>>,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V: Clone> ExpiringMap<K, V> {
    pub fn new(capacity: usize) -> Self {
        ExpiringMap { entries: RwLock::new(HashMap::with_hasher(BuildKeyHasher::default())), capacity: capacity.max(1) }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.read().ok()?;
        let (until, v) = entries.get(key)?;
        (Instant::now() < *until).then(|| v.clone())
    }

    pub fn insert(&self, key: K, value: V, ttl: Duration) {
        let Ok(mut entries) = self.entries.write() else { return };
        let now = Instant::now();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (until, _)| *until > now);
            if entries.len() >= self.capacity {
                // Drop the tenth closest to expiry: one pass, amortized.
                let mut untils: Vec<Instant> = entries.values().map(|(u, _)| *u).collect();
                let cut = (self.capacity / 10).max(1).min(untils.len() - 1);
                let (_, nth, _) = untils.select_nth_unstable(cut);
                let nth = *nth;
                entries.retain(|_, (until, _)| *until > nth);
            }
        }
        entries.insert(key, (now + ttl, value));
    }

    /// How many entries (live or expired): for Debug and tests.
    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }
}

/// The cache the layer uses.
#[derive(Debug)]
pub(crate) enum Cache {
    /// `token_cache_time` is zero: every request is validated.
    Off,
    /// In this process.
    Memory(ExpiringMap<TokenKey, Validated>),
    /// In memcached.
    Shared(SharedCache),
}

/// memcached with keystonemiddleware's keys and protection.
pub(crate) struct SharedCache {
    client: Memcache,
    protection: Option<(Protection, Secret)>,
}

impl std::fmt::Debug for SharedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCache")
            .field("client", &self.client)
            .field("protection", &self.protection.as_ref().map(|(p, _)| p))
            .finish()
    }
}

/// What a shared-cache lookup found.
pub(crate) enum SharedLookup {
    Hit(Validated),
    Miss,
}

impl SharedCache {
    pub fn new(
        servers: &[String],
        protection: Option<(Protection, Secret)>,
        options: MemcacheOptions,
    ) -> Result<SharedCache, super::memcache::MemcacheConfigError> {
        if protection.is_none() {
            tracing::warn!(
                "memcached_servers is set and memcache_security_strategy is not set: anyone who can write to \
                 these memcached servers can forge any identity for this service (as with keystonemiddleware); \
                 set memcache_security_strategy = ENCRYPT (or MAC) and memcache_secret_key"
            );
        }
        Ok(SharedCache { client: Memcache::new(servers, options)?, protection })
    }

    /// The memcached key: `tokens/` and the token's SHA-256 in hex, or the
    /// derived cache key with a security strategy (keystonemiddleware's).
    fn key(&self, token: &Secret) -> (String, Option<super::crypt::DerivedKeys>) {
        match &self.protection {
            None => {
                // keystonemiddleware's key: SHA-256, whatever the in-process one is.
                let mut key = String::from("tokens/");
                let digest = ring::digest::digest(&ring::digest::SHA256, token.expose().as_bytes());
                crate::session::redact::push_hex(&mut key, digest.as_ref());
                (key, None)
            }
            Some((p, secret)) => {
                let keys = derive_keys(token.expose().as_bytes(), secret, *p);
                (format!("tokens/{}", keys.cache_key), Some(keys))
            }
        }
    }

    /// Looks `token` up. memcached being down, or an entry that fails its
    /// check, is a miss (with a warning): never an error for the caller.
    pub async fn get(&self, token: &Secret) -> SharedLookup {
        let (key, keys) = self.key(token);
        let raw = match self.client.get(&key).await {
            Ok(Some(raw)) => raw,
            Ok(None) => return SharedLookup::Miss,
            Err(e) => {
                warn_down(&e);
                return SharedLookup::Miss;
            }
        };
        let data = match &keys {
            None => zeroize::Zeroizing::new(raw),
            Some(k) => match k.unprotect(&raw) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(cache_key = %key, error = %e, "memcached token entry refused; validating instead");
                    return SharedLookup::Miss;
                }
            },
        };
        match parse_body(token, &data) {
            // Validations are v3 only, so a v2 body was not put there by a
            // layer: someone who can write to memcached planted it.
            Ok(v) if v.access.version == crate::auth::TokenVersion::V2 => {
                tracing::warn!(cache_key = %key, "memcached token entry is a v2 body, never stored by this layer; validating instead");
                SharedLookup::Miss
            }
            Ok(v) => SharedLookup::Hit(v),
            Err(SourceError::Invalid(e) | SourceError::Unavailable(e)) => {
                tracing::warn!(cache_key = %key, error = %e, "memcached token entry is not a token; validating instead");
                SharedLookup::Miss
            }
        }
    }

    /// Stores a validation for `ttl`.
    pub async fn set(&self, token: &Secret, validated: &Validated, ttl: Duration) {
        let (key, keys) = self.key(token);
        let value = match &keys {
            None => validated.body.to_vec(),
            Some(k) => match k.protect(&validated.body) {
                Ok(v) => v,
                Err(_) => {
                    tracing::warn!("no randomness for the memcached entry's IV; not caching");
                    return;
                }
            },
        };
        if let Err(e) = self.client.set(&key, &value, ttl).await {
            warn_down(&e);
        }
    }
}

/// memcached trouble is logged once per failure (a server marked dead is
/// skipped quietly until `dead_retry` passes).
fn warn_down(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::InvalidInput {
        tracing::warn!(error = %e, "memcached refused one entry; the token is validated again next time");
    } else if e.kind() == std::io::ErrorKind::NotConnected {
        tracing::debug!(error = %e, "memcached skipped; validating without the shared cache");
    } else {
        tracing::warn!(error = %e, "memcached unavailable; validating every token with the identity service until it is back");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiring_map_bounds_and_expires() {
        let m = ExpiringMap::new(100);
        for i in 0..1_000u32 {
            m.insert(i, i, Duration::from_secs(60 + u64::from(i)));
        }
        assert!(m.len() <= 100, "{} entries", m.len());
        assert_eq!(m.get(&999), Some(999), "the newest, longest-lived entry stays");
        m.insert(5000, 1, Duration::ZERO);
        assert_eq!(m.get(&5000), None, "expired at once");
    }
}
