//! For services' own tests: token bodies as the identity service sends
//! them, and a token source that answers from them, so a service behind
//! the layer runs without an identity service (keystonemiddleware's
//! `AuthTokenFixture`, keystoneauth1's token fixtures). Behind the
//! `fixture` cargo feature.
//!
//! ```
//! use std::sync::Arc;
//! use stackauth::auth_token::{AuthTokenConfig, AuthTokenLayer, fixture::{FixtureTokens, V3Token}};
//!
//! let tokens = FixtureTokens::new();
//! tokens.add("user-token", V3Token::new("alice-id").project("p-id", "demo").role("member")
//!     .service("image", "glance", [("public", "http://glance.example/")]));
//! let layer = AuthTokenLayer::with_source(Arc::new(tokens), AuthTokenConfig::default()).unwrap();
//! # let _ = layer;
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{Value as J, json};

use super::source::{SourceError, TokenSource, ValidateTokenOptions, Validated, parse_body};
use crate::auth::time::format_iso8601;
use crate::auth::transport::BoxFuture;
use crate::opt::Secret;

/// A v3 token body (`{"token": {...}}`), built up.
#[derive(Clone, Debug)]
pub struct V3Token {
    token: serde_json::Map<String, J>,
    catalog: Vec<J>,
}

fn id_name(id: &str, name: &str) -> J {
    json!({"id": id, "name": name})
}

impl V3Token {
    /// A token for user `user_id` (in the `default` domain), issued now,
    /// expiring in an hour, with the `password` method and a random-looking
    /// audit id.
    pub fn new(user_id: &str) -> V3Token {
        let now = SystemTime::now();
        let mut t = serde_json::Map::new();
        t.insert("methods".into(), json!(["password"]));
        t.insert("user".into(), json!({"id": user_id, "name": user_id, "domain": id_name("default", "Default")}));
        t.insert("issued_at".into(), J::String(format_iso8601(now)));
        t.insert("expires_at".into(), J::String(format_iso8601(now + Duration::from_secs(3600))));
        t.insert("audit_ids".into(), json!([format!("audit-{user_id}")]));
        t.insert("roles".into(), json!([]));
        V3Token { token: t, catalog: Vec::new() }
    }

    /// The user's name and domain.
    pub fn user(mut self, name: &str, domain_id: &str, domain_name: &str) -> V3Token {
        if let Some(u) = self.token.get_mut("user").and_then(J::as_object_mut) {
            u.insert("name".into(), json!(name));
            u.insert("domain".into(), id_name(domain_id, domain_name));
        }
        self
    }

    /// Scopes the token to a project (in the `default` domain).
    pub fn project(mut self, id: &str, name: &str) -> V3Token {
        self.token.insert("project".into(), json!({"id": id, "name": name, "domain": id_name("default", "Default")}));
        self
    }

    /// Scopes the token to a domain.
    pub fn domain(mut self, id: &str, name: &str) -> V3Token {
        self.token.insert("domain".into(), id_name(id, name));
        self
    }

    /// Scopes the token to the whole system.
    pub fn system(mut self) -> V3Token {
        self.token.insert("system".into(), json!({"all": true}));
        self
    }

    /// Adds a role.
    pub fn role(mut self, name: &str) -> V3Token {
        if let Some(r) = self.token.get_mut("roles").and_then(J::as_array_mut) {
            r.push(id_name(&format!("{name}-id"), name));
        }
        self
    }

    /// Expires at `at` (in the past for an expired token).
    pub fn expires_at(mut self, at: SystemTime) -> V3Token {
        self.token.insert("expires_at".into(), J::String(format_iso8601(at)));
        self
    }

    /// A trust-scoped token.
    pub fn trust(mut self, id: &str) -> V3Token {
        self.token.insert("OS-TRUST:trust".into(), json!({"id": id, "impersonation": false}));
        self
    }

    /// Issued by an application credential, with these access rules
    /// (service type, method, path) if any.
    pub fn application_credential(mut self, id: &str, rules: &[(&str, &str, &str)]) -> V3Token {
        let mut ac = json!({"id": id, "name": id, "restricted": true});
        if !rules.is_empty() {
            ac["access_rules"] =
                rules.iter().map(|(s, m, p)| json!({"service": s, "method": m, "path": p})).collect::<Vec<_>>().into();
        }
        self.token.insert("application_credential".into(), ac);
        self
    }

    /// Bound to something (`kerberos`, principal).
    pub fn bind(mut self, kind: &str, identifier: &str) -> V3Token {
        self.token.insert("bind".into(), json!({ kind: identifier }));
        self
    }

    /// Adds a catalog service with endpoints given as (interface, URL), in
    /// region `RegionOne`.
    pub fn service<'a>(
        mut self,
        service_type: &str,
        name: &str,
        endpoints: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> V3Token {
        let eps: Vec<J> = endpoints
            .into_iter()
            .map(|(i, u)| json!({"interface": i, "url": u, "region": "RegionOne", "region_id": "RegionOne", "id": format!("{name}-{i}")}))
            .collect();
        self.catalog.push(json!({"type": service_type, "name": name, "id": format!("{name}-id"), "endpoints": eps}));
        self
    }

    /// The body, as `GET /v3/auth/tokens` answers.
    pub fn body(&self) -> J {
        let mut t = self.token.clone();
        t.insert("catalog".into(), J::Array(self.catalog.clone()));
        json!({ "token": t })
    }
}

/// A v2 token body (`{"access": {...}}`), built up.
#[derive(Clone, Debug)]
pub struct V2Token {
    access: J,
}

impl V2Token {
    /// A token `id` for user `user_id`, scoped to tenant `tenant_id`,
    /// expiring in an hour.
    pub fn new(id: &str, user_id: &str, tenant_id: &str) -> V2Token {
        let now = SystemTime::now();
        V2Token {
            access: json!({
                "token": {"id": id, "issued_at": format_iso8601(now),
                          "expires": format_iso8601(now + Duration::from_secs(3600)),
                          "tenant": {"id": tenant_id, "name": tenant_id}, "audit_ids": [format!("audit-{id}")]},
                "user": {"id": user_id, "name": user_id, "roles": []},
                "serviceCatalog": [],
            }),
        }
    }

    /// Adds a role.
    pub fn role(mut self, name: &str) -> V2Token {
        if let Some(r) = self.access.pointer_mut("/user/roles").and_then(J::as_array_mut) {
            r.push(json!({"name": name}));
        }
        self
    }

    /// Removes the tenant: an unscoped v2 token (refused by the layer).
    pub fn unscoped(mut self) -> V2Token {
        if let Some(t) = self.access.pointer_mut("/token").and_then(J::as_object_mut) {
            t.remove("tenant");
        }
        self
    }

    /// Adds a catalog service with one endpoint per interface
    /// (`publicURL`...).
    pub fn service(mut self, service_type: &str, name: &str, public: &str, internal: &str) -> V2Token {
        if let Some(c) = self.access.pointer_mut("/serviceCatalog").and_then(J::as_array_mut) {
            c.push(json!({"type": service_type, "name": name, "endpoints": [
                {"region": "RegionOne", "publicURL": public, "internalURL": internal, "adminURL": internal}]}));
        }
        self
    }

    /// The body, as `GET /v2.0/tokens/{id}` answered.
    pub fn body(&self) -> J {
        json!({ "access": self.access })
    }
}

/// A token source that answers from the bodies it was given: an unknown
/// token is invalid; [`FixtureTokens::set_unavailable`] simulates an
/// identity service that cannot be reached.
#[derive(Debug, Default)]
pub struct FixtureTokens {
    bodies: Mutex<HashMap<String, Arc<[u8]>>>,
    unavailable: AtomicBool,
    calls: AtomicU64,
    delay: Mutex<Duration>,
}

/// Anything that gives a token body.
pub trait TokenBody {
    /// The JSON body.
    fn to_body(&self) -> J;
}

impl TokenBody for V3Token {
    fn to_body(&self) -> J {
        self.body()
    }
}

impl TokenBody for V2Token {
    fn to_body(&self) -> J {
        self.body()
    }
}

impl TokenBody for J {
    fn to_body(&self) -> J {
        self.clone()
    }
}

impl FixtureTokens {
    /// No tokens yet.
    pub fn new() -> FixtureTokens {
        FixtureTokens::default()
    }

    /// `token` validates to `body`.
    pub fn add(&self, token: &str, body: impl TokenBody) {
        if let Ok(mut b) = self.bodies.lock() {
            b.insert(token.to_owned(), Arc::from(body.to_body().to_string().into_bytes()));
        }
    }

    /// `token` is no longer valid (revoked).
    pub fn revoke(&self, token: &str) {
        if let Ok(mut b) = self.bodies.lock() {
            b.remove(token);
        }
    }

    /// Whether validation fails as if the identity service were down.
    pub fn set_unavailable(&self, yes: bool) {
        self.unavailable.store(yes, Ordering::Relaxed);
    }

    /// Every validation takes `delay` (as a real identity service takes
    /// time), so concurrent requests overlap.
    pub fn set_delay(&self, delay: Duration) {
        if let Ok(mut d) = self.delay.lock() {
            *d = delay;
        }
    }

    /// How many validations were asked of this source.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

impl TokenSource for FixtureTokens {
    fn validate<'a>(
        &'a self,
        token: &'a Secret,
        _options: ValidateTokenOptions,
    ) -> BoxFuture<'a, Result<Validated, SourceError>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let delay = self.delay.lock().map(|d| *d).unwrap_or_default();
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if self.unavailable.load(Ordering::Relaxed) {
                return Err(SourceError::Unavailable("the fixture's identity service is down".into()));
            }
            let body = self.bodies.lock().ok().and_then(|b| b.get(token.expose()).cloned());
            match body {
                Some(b) => parse_body(token, &b),
                None => Err(SourceError::Invalid("the fixture does not know this token".into())),
            }
        })
    }

    fn www_authenticate_uri(&self) -> Option<String> {
        Some("http://identity.fixture/v3".into())
    }
}
