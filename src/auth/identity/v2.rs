//! The v2.0 identity API: `POST /v2.0/tokens`, as keystoneauth1's
//! `identity/v2.py` builds it.

use serde_json::{Map, Value as J, json};

use super::http;
use crate::auth::access::AccessInfo;
use crate::auth::plugin::{AuthError, AuthPlugin, Credentials};
use crate::auth::transport::{BoxFuture, HttpRequest, Transport};
use crate::opt::Secret;

/// What a v2 request authenticates with.
#[derive(Clone, Debug)]
pub enum V2Credential {
    /// `passwordCredentials` (username preferred over userId, as keystoneauth).
    Password {
        /// The user name.
        username: Option<String>,
        /// The user id.
        user_id: Option<String>,
        /// The password.
        password: Secret,
    },
    /// `token`.
    Token(Secret),
}

/// A tenant (v2's project), by id or name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tenant {
    /// `tenantId`.
    Id(String),
    /// `tenantName`.
    Name(String),
}

/// A v2.0 identity plugin.
#[derive(Clone, Debug)]
pub struct V2Auth {
    name: String,
    auth_url: String,
    credential: V2Credential,
    tenant: Option<Tenant>,
    trust_id: Option<String>,
}

impl V2Auth {
    /// A plugin named `name` for `auth_url` (the `/v2.0` URL).
    pub fn new(
        name: &str,
        auth_url: &str,
        credential: V2Credential,
        tenant: Option<Tenant>,
        trust_id: Option<String>,
    ) -> V2Auth {
        V2Auth { name: name.to_owned(), auth_url: auth_url.to_owned(), credential, tenant, trust_id }
    }

    /// `<auth_url>/tokens`.
    pub fn token_url(&self) -> String {
        format!("{}/tokens", self.auth_url.trim_end_matches('/'))
    }

    /// The request body.
    pub fn body(&self) -> J {
        let mut auth = Map::new();
        match &self.credential {
            V2Credential::Password { username, user_id, password } => {
                let mut p = Map::new();
                p.insert("password".into(), json!(password.expose()));
                if let Some(u) = username {
                    p.insert("username".into(), json!(u));
                } else if let Some(id) = user_id {
                    p.insert("userId".into(), json!(id));
                }
                auth.insert("passwordCredentials".into(), J::Object(p));
            }
            V2Credential::Token(t) => {
                auth.insert("token".into(), json!({ "id": t.expose() }));
            }
        }
        match &self.tenant {
            Some(Tenant::Id(id)) => {
                auth.insert("tenantId".into(), json!(id));
            }
            Some(Tenant::Name(n)) => {
                auth.insert("tenantName".into(), json!(n));
            }
            None => {}
        }
        if let Some(t) = &self.trust_id {
            auth.insert("trust_id".into(), json!(t));
        }
        json!({ "auth": auth })
    }

    /// Fetches a token.
    pub async fn get_access(&self, t: &dyn Transport) -> Result<AccessInfo, AuthError> {
        let url = self.token_url();
        let mut req = HttpRequest::post_json(&url, self.body());
        if let V2Credential::Token(tok) = &self.credential {
            req.secret_headers.push(("X-Auth-Token", tok.clone()));
        }
        let resp = http::send(t, req, false).await?;
        let body = http::json(&url, &resp)?;
        AccessInfo::from_v2(&body).map_err(|e| AuthError::InvalidResponse { url, reason: e.0 })
    }
}

impl AuthPlugin for V2Auth {
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
