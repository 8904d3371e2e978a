//! The version-agnostic `password` and `token` plugins: discover which
//! identity API versions `auth_url` offers and use v3, else v2.0.
//!
//! keystoneauth1 walks the versions lowest first unless a default domain is
//! set, so it may pick v2.0 when both are offered; stackauth prefers v3 (v2.0
//! was removed from Keystone in Queens), and uses v2.0 only when v3 is not
//! offered and no domain is involved.

use serde_json::Value as J;
use tokio::sync::OnceCell;

use super::http;
use super::v2::{Tenant, V2Auth, V2Credential};
use super::v3::{AuthMethod, DomainRef, Scope, UserRef, V3Auth};
use crate::auth::access::AccessInfo;
use crate::auth::plugin::{AuthError, AuthPlugin, Credentials, PluginError, PluginOptions};
use crate::auth::transport::{BoxFuture, HttpRequest, Transport};
use crate::opt::Secret;

/// A version an identity endpoint offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityVersion {
    /// The major version (2 or 3).
    pub major: u32,
    /// The status as published (`stable`, `CURRENT`, `deprecated`...).
    pub status: String,
    /// The versioned URL (the `self` link).
    pub url: String,
}

/// Reads an identity version document: `{"versions": {"values": [...]}}`,
/// `{"versions": [...]}` or `{"version": {...}}`.
pub fn parse_versions(doc: &J) -> Vec<IdentityVersion> {
    let list: Vec<&J> = match (doc.get("versions"), doc.get("version")) {
        (Some(J::Object(v)), _) => {
            v.get("values").and_then(J::as_array).map(|a| a.iter().collect()).unwrap_or_default()
        }
        (Some(J::Array(a)), _) => a.iter().collect(),
        (_, Some(v)) => vec![v],
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|v| {
            let id = v.get("id").and_then(J::as_str)?;
            let major = id.trim_start_matches(['v', 'V']).split('.').next()?.parse().ok()?;
            let url = v
                .get("links")
                .and_then(J::as_array)?
                .iter()
                .find(|l| l.get("rel").and_then(J::as_str) == Some("self"))?
                .get("href")
                .and_then(J::as_str)?
                .to_owned();
            let status = v.get("status").and_then(J::as_str).unwrap_or("").to_owned();
            Some(IdentityVersion { major, status, url })
        })
        .collect()
}

/// What the generic plugin authenticates with.
#[derive(Clone, Debug)]
enum Secretive {
    Password { user_id: Option<String>, username: Option<String>, user_domain: Option<DomainRef>, password: Secret },
    Token(Secret),
}

/// The generic `password` or `token` plugin.
#[derive(Debug)]
pub struct GenericAuth {
    name: String,
    auth_url: String,
    credential: Secretive,
    scope: Scope,
    /// v2.0-compatible scope parts (project id/name, trust), kept for the
    /// case where only v2.0 is offered.
    project_id: Option<String>,
    project_name: Option<String>,
    trust_id: Option<String>,
    has_domain: bool,
    chosen: OnceCell<ChosenPlugin>,
}

#[derive(Debug)]
enum ChosenPlugin {
    V3(V3Auth),
    V2(V2Auth),
}

impl GenericAuth {
    /// The `password` plugin from its options.
    pub fn password(o: &PluginOptions<'_>) -> Result<GenericAuth, PluginError> {
        let auth_url = o.need("auth_url")?;
        let password = o.need_secret("password")?;
        let default_domain = DomainRef::from_opts(o, "default_domain_id", "default_domain_name");
        let user = UserRef::from_opts(o, default_domain.clone())?;
        let (user_id, username, user_domain) = match user {
            Some(UserRef::Id(id)) => (Some(id), None, None),
            Some(UserRef::Name { name, domain }) => (None, Some(name), domain),
            None => {
                return Err(PluginError::option("username", "the password auth plugin needs username or user_id")
                    .suggest(format!("set username (with user_domain_name) or user_id in [{}]", o.group())));
            }
        };
        let has_domain = DomainRef::from_opts(o, "user_domain_id", "user_domain_name").is_some()
            || DomainRef::from_opts(o, "domain_id", "domain_name").is_some();
        GenericAuth::new(
            o,
            auth_url,
            Secretive::Password { user_id, username, user_domain, password },
            default_domain,
            has_domain,
        )
    }

    /// The `token` plugin from its options.
    pub fn token(o: &PluginOptions<'_>) -> Result<GenericAuth, PluginError> {
        let auth_url = o.need("auth_url")?;
        let token = o.need_secret("token")?;
        let default_domain = DomainRef::from_opts(o, "default_domain_id", "default_domain_name");
        let has_domain = DomainRef::from_opts(o, "domain_id", "domain_name").is_some();
        GenericAuth::new(o, auth_url, Secretive::Token(token), default_domain, has_domain)
    }

    fn new(
        o: &PluginOptions<'_>,
        auth_url: String,
        credential: Secretive,
        default_domain: Option<DomainRef>,
        has_domain: bool,
    ) -> Result<GenericAuth, PluginError> {
        let scope = Scope::from_opts(o, default_domain)?;
        Ok(GenericAuth {
            name: o.plugin().to_owned(),
            auth_url,
            credential,
            has_domain: has_domain || matches!(scope, Scope::Domain(_) | Scope::System),
            scope,
            project_id: o.str("project_id"),
            project_name: o.str("project_name"),
            trust_id: o.str("trust_id"),
            chosen: OnceCell::new(),
        })
    }

    fn v3(&self, url: &str) -> V3Auth {
        let method = match &self.credential {
            Secretive::Password { user_id, username, user_domain, password } => AuthMethod::Password {
                user: match (user_id, username) {
                    (Some(id), _) => UserRef::Id(id.clone()),
                    (None, name) => {
                        UserRef::Name { name: name.clone().unwrap_or_default(), domain: user_domain.clone() }
                    }
                },
                password: password.clone(),
            },
            Secretive::Token(t) => AuthMethod::Token { token: t.clone() },
        };
        V3Auth::new(&self.name, url, vec![method], self.scope.clone())
    }

    fn v2(&self, url: &str) -> V2Auth {
        let credential = match &self.credential {
            Secretive::Password { user_id, username, password, .. } => V2Credential::Password {
                username: username.clone(),
                user_id: user_id.clone(),
                password: password.clone(),
            },
            Secretive::Token(t) => V2Credential::Token(t.clone()),
        };
        let tenant = self.project_id.clone().map(Tenant::Id).or_else(|| self.project_name.clone().map(Tenant::Name));
        V2Auth::new(&self.name, url, credential, tenant, self.trust_id.clone())
    }

    /// Discovers the versions and picks the plugin to use.
    async fn choose(&self, t: &dyn Transport) -> Result<ChosenPlugin, AuthError> {
        let discovered = match http::send(t, HttpRequest::get(&self.auth_url), true).await {
            Ok(resp) => serde_json::from_slice::<J>(&resp.body).map(|doc| parse_versions(&doc)).unwrap_or_default(),
            Err(AuthError::Unreachable { url, source }) => return Err(AuthError::Unreachable { url, source }),
            Err(e) => {
                tracing::warn!(auth_url = %self.auth_url, error = %e, "identity version discovery failed; reading the version from the URL");
                Vec::new()
            }
        };
        if let Some(v3) = discovered.iter().find(|v| v.major == 3) {
            return Ok(ChosenPlugin::V3(self.v3(&v3.url)));
        }
        if let Some(v2) = discovered.iter().find(|v| v.major == 2) {
            if self.has_domain {
                return Err(AuthError::Discovery {
                    url: self.auth_url.clone(),
                    reason: "only v2.0 is offered, and v2.0 cannot use domains".into(),
                });
            }
            return Ok(ChosenPlugin::V2(self.v2(&v2.url)));
        }
        // Nothing discovered: go by the URL's path, as keystoneauth does.
        let path = self.auth_url.split("://").nth(1).and_then(|r| r.find('/').map(|i| &r[i..])).unwrap_or("");
        let path = path.to_ascii_lowercase();
        if path.starts_with("/v3") {
            Ok(ChosenPlugin::V3(self.v3(&self.auth_url)))
        } else if path.starts_with("/v2.0") && !self.has_domain {
            Ok(ChosenPlugin::V2(self.v2(&self.auth_url)))
        } else {
            Err(AuthError::Discovery {
                url: self.auth_url.clone(),
                reason: "no versioned identity endpoint was found; check that auth_url is the identity service's URL"
                    .into(),
            })
        }
    }

    /// Fetches a token through the discovered version.
    pub async fn get_access(&self, t: &dyn Transport) -> Result<AccessInfo, AuthError> {
        let chosen = self.chosen.get_or_try_init(|| self.choose(t)).await?;
        match chosen {
            ChosenPlugin::V3(p) => p.get_access(t).await,
            ChosenPlugin::V2(p) => p.get_access(t).await,
        }
    }
}

impl AuthPlugin for GenericAuth {
    fn plugin_name(&self) -> &str {
        &self.name
    }

    fn authenticate<'a>(&'a self, t: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>> {
        Box::pin(async move { self.get_access(t).await.map(|a| Credentials::Token(std::sync::Arc::new(a))) })
    }

    fn auth_url(&self) -> Option<&str> {
        Some(&self.auth_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_document_shapes() {
        let keystone = serde_json::json!({"versions": {"values": [
            {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": "http://k:5000/v3/"}]},
            {"id": "v2.0", "status": "deprecated", "links": [{"rel": "self", "href": "http://k:5000/v2.0/"}]}
        ]}});
        let v = parse_versions(&keystone);
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].major, v[0].url.as_str()), (3, "http://k:5000/v3/"));
        let single = serde_json::json!({"version": {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": "http://k/v3/"}]}});
        assert_eq!(parse_versions(&single)[0].major, 3);
        let list =
            serde_json::json!({"versions": [{"id": "v2.0", "links": [{"rel": "self", "href": "http://k/v2.0"}]}]});
        assert_eq!(parse_versions(&list)[0].major, 2);
        assert!(parse_versions(&serde_json::json!({"nope": 1})).is_empty());
    }
}
