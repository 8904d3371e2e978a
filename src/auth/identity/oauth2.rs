//! `v3oauth2clientcredential`: keystoneauth1's `OAuth2ClientCredential`.
//!
//! An application credential's id and secret, used twice, as keystoneauth
//! does: for a v3 token (the `application_credential` method), and as OAuth
//! 2.0 client credentials at Keystone's token endpoint
//! (`POST /v3/OS-OAUTH2/token`, `grant_type=client_credentials`, HTTP Basic
//! with the id and secret), whose `access_token` is then sent with every
//! request as `Authorization: Bearer`, beside `X-Auth-Token`. Services
//! behind keystonemiddleware's `oauth2_token` filter read the bearer token;
//! the others the token.

use std::sync::Arc;

use base64::Engine;

use super::http;
use super::v3::{AuthMethod, Scope, V3Auth};
use crate::auth::plugin::{AuthError, AuthPlugin, Credentials, PluginError, PluginOptions};
use crate::auth::transport::{BoxFuture, HttpRequest, Transport};
use crate::opt::Secret;

/// The plugin.
#[derive(Debug)]
pub struct OAuth2ClientCredential {
    v3: V3Auth,
    endpoint: String,
    client_id: String,
    secret: Secret,
}

impl OAuth2ClientCredential {
    /// From a group's options: `auth_url`, `oauth2_endpoint`,
    /// `oauth2_client_id`, `oauth2_client_secret` and the v3 scope options.
    pub fn from_opts(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let auth_url = o.need("auth_url")?;
        let endpoint = o.need("oauth2_endpoint")?;
        let client_id = o.need("oauth2_client_id")?;
        let secret = o.need_secret("oauth2_client_secret")?;
        let scope = Scope::from_opts(o, None)?;
        let method = AuthMethod::ApplicationCredential {
            id: Some(client_id.clone()),
            name: None,
            user: None,
            secret: secret.clone(),
        };
        let v3 = V3Auth::new(o.plugin(), &auth_url, vec![method], scope);
        Ok(Arc::new(OAuth2ClientCredential { v3, endpoint, client_id, secret }))
    }

    /// The OAuth 2.0 access token, from the token endpoint.
    async fn access_token(&self, t: &dyn Transport) -> Result<Secret, AuthError> {
        let url = self.endpoint.clone();
        let mut req = HttpRequest::post_form(&url, "grant_type=client_credentials");
        // As requests' HTTPBasicAuth, which keystoneauth uses: id and
        // secret as they are, not form-encoded first.
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.client_id, self.secret.expose()));
        req.secret_headers.push(("Authorization", Secret::new(format!("Basic {basic}"))));
        tracing::debug!(url = %url, "OAuth 2.0 token request");
        let resp = t.send(req).await.map_err(|source| AuthError::Unreachable { url: url.clone(), source })?;
        tracing::debug!(url = %url, status = resp.status, "OAuth 2.0 token response");
        let body: Option<serde_json::Value> = serde_json::from_slice(&resp.body).ok();
        if resp.status != 200 {
            // RFC 6749's error body; Keystone's own shape otherwise.
            let message = body
                .as_ref()
                .and_then(|b| {
                    let error = b.get("error").and_then(serde_json::Value::as_str)?;
                    Some(match b.get("error_description").and_then(serde_json::Value::as_str) {
                        Some(d) => format!("{error}: {d}"),
                        None => error.to_owned(),
                    })
                })
                .unwrap_or_else(|| http::error_message(&resp.body));
            return Err(match resp.status {
                401 => AuthError::Unauthorized { url, message },
                status => AuthError::Http { url, status, message },
            });
        }
        match body.as_ref().and_then(|b| b.get("access_token")).and_then(serde_json::Value::as_str) {
            Some(token) if !token.is_empty() => Ok(Secret::new(token)),
            _ => Err(AuthError::InvalidResponse { url, reason: "the answer has no \"access_token\"".into() }),
        }
    }
}

impl AuthPlugin for OAuth2ClientCredential {
    fn plugin_name(&self) -> &str {
        self.v3.plugin_name()
    }

    fn authenticate<'a>(&'a self, t: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>> {
        Box::pin(async move {
            let mut access = self.v3.get_access(t).await?;
            access.oauth2_access_token = Some(self.access_token(t).await?);
            Ok(Credentials::Token(Arc::new(access)))
        })
    }

    fn auth_url(&self) -> Option<&str> {
        self.v3.auth_url()
    }
}
