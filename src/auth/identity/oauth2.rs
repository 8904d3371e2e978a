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
        req.secret_headers.push(("Authorization", http::basic(&self.client_id, self.secret.expose())));
        tracing::debug!(url = %url, "OAuth 2.0 token request");
        let resp = t.send(req).await.map_err(|source| AuthError::Unreachable { url: url.clone(), source })?;
        tracing::debug!(url = %url, status = resp.status, "OAuth 2.0 token response");
        let body: Option<serde_json::Value> = serde_json::from_slice(&resp.body).ok();
        if resp.status != 200 {
            // RFC 6749's error body; Keystone's own shape otherwise.
            return Err(http::oauth_error(&url, resp.status, body.as_ref(), &resp.body));
        }
        http::access_token(&url, body.as_ref())
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

/// `v3oauth2mtlsclientcredential`: keystoneauth1's
/// `OAuth2mTlsClientCredential`.
///
/// The client certificate (the Session's `certfile`/`keyfile`) is the
/// credential: `POST <oauth2_endpoint>` with
/// `grant_type=client_credentials&client_id=<oauth2_client_id>` over mutual
/// TLS gives an access token bound to the certificate, which Keystone
/// accepts as a token: `GET /v3/auth/tokens` with it as both
/// `X-Auth-Token` and `X-Subject-Token` gives its body (catalog, roles).
/// Requests then carry it as `X-Auth-Token` and as
/// `Authorization: Bearer`, as keystoneauth sends them.
#[derive(Debug)]
pub struct OAuth2MtlsClientCredential {
    name: String,
    auth_url: String,
    endpoint: String,
    client_id: String,
}

impl OAuth2MtlsClientCredential {
    /// From a group's options: `auth_url`, `oauth2_endpoint` and
    /// `oauth2_client_id`. keystoneauth takes the v3 scope options too and
    /// never sends them (the token's scope is the OAuth 2.0 client's): so
    /// does stackauth, with a warning when one is set.
    pub fn from_opts(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let auth_url = o.need("auth_url")?;
        let endpoint = o.need("oauth2_endpoint")?;
        let client_id = o.need("oauth2_client_id")?;
        if Scope::from_opts(o, None)? != Scope::Default {
            tracing::warn!(
                group = o.group(),
                "v3oauth2mtlsclientcredential ignores the scope options, as keystoneauth does: the token's scope \
                 is the OAuth 2.0 client's"
            );
        }
        Ok(Arc::new(OAuth2MtlsClientCredential { name: o.plugin().to_owned(), auth_url, endpoint, client_id }))
    }

    /// The access token, from the token endpoint over mutual TLS.
    async fn access_token(&self, t: &dyn Transport) -> Result<Secret, AuthError> {
        let url = self.endpoint.clone();
        let form = http::form(&[("grant_type", "client_credentials"), ("client_id", &self.client_id)]);
        let req = HttpRequest::post_form(&url, form);
        tracing::debug!(url = %url, "OAuth 2.0 mutual-TLS token request");
        let resp = t.send(req).await.map_err(|source| AuthError::Unreachable { url: url.clone(), source })?;
        tracing::debug!(url = %url, status = resp.status, "OAuth 2.0 mutual-TLS token response");
        let body: Option<serde_json::Value> = serde_json::from_slice(&resp.body).ok();
        if resp.status != 200 {
            // keystoneauth raises ClientException(error_description).
            let message = body
                .as_ref()
                .and_then(|b| {
                    let d = b.get("error_description").and_then(serde_json::Value::as_str);
                    let e = b.get("error").and_then(serde_json::Value::as_str);
                    match (e, d) {
                        (Some(e), Some(d)) => Some(format!("{e}: {d}")),
                        (e, d) => d.or(e).map(str::to_owned),
                    }
                })
                .unwrap_or_else(|| http::error_message(&resp.body));
            return Err(match resp.status {
                401 => AuthError::Unauthorized { url, message },
                status => AuthError::Http { url, status, message },
            });
        }
        http::access_token(&url, body.as_ref())
    }

    /// `<auth_url>/auth/tokens`, or `<auth_url>/v3/auth/tokens` when the URL
    /// does not end in `v3`.
    fn token_url(&self) -> String {
        let base = self.auth_url.trim_end_matches('/');
        if base.ends_with("v3") { format!("{base}/auth/tokens") } else { format!("{base}/v3/auth/tokens") }
    }
}

impl AuthPlugin for OAuth2MtlsClientCredential {
    fn plugin_name(&self) -> &str {
        &self.name
    }

    fn authenticate<'a>(&'a self, t: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>> {
        Box::pin(async move {
            let token = self.access_token(t).await?;
            let url = self.token_url();
            let mut req = HttpRequest::get(&url);
            req.secret_headers.push(("X-Auth-Token", token.clone()));
            req.secret_headers.push(("X-Subject-Token", token.clone()));
            let resp = http::send(t, req, false).await?;
            let body = http::json(&url, &resp)?;
            let mut access = crate::auth::access::AccessInfo::from_v3(token.expose(), &body)
                .map_err(|e| AuthError::InvalidResponse { url, reason: e.0 })?;
            access.oauth2_access_token = Some(token);
            Ok(Credentials::Token(Arc::new(access)))
        })
    }

    fn auth_url(&self) -> Option<&str> {
        Some(&self.auth_url)
    }
}
