//! OpenID Connect: keystoneauth1's `OidcClientCredentials`
//! (`v3oidcclientcredentials`), `OidcPassword` (`v3oidcpassword`),
//! `OidcAuthorizationCode` (`v3oidcauthcode`, with a code obtained
//! elsewhere), `OidcDeviceAuthorization` (`v3oidcdeviceauthz`: a user
//! approves the device at a URL the plugin logs, while it polls) and
//! `OidcAccessToken` (`v3oidcaccesstoken`).
//!
//! As keystoneauth's `_OidcBase` does it:
//!
//! 1. the discovery document (`discovery_endpoint`), when one is named:
//!    fetched once, its `token_endpoint` used unless `access_token_endpoint`
//!    is set, and its `grant_types_supported` (when listed) must hold the
//!    plugin's grant type;
//! 2. `POST` to the token endpoint, form-encoded: the grant's fields
//!    (`username`, `password`, `scope` for the password grant; `scope` for
//!    client credentials; `redirect_uri`, `code` for the authorization code
//!    grant), then `grant_type`; the client authenticates with
//!    HTTP Basic when it has a secret, else `client_id` goes in the form;
//! 3. the answer's `access_token` (or the field `access_token_type` names,
//!    `id_token` say) as `Authorization: Bearer` in
//!    `POST <auth_url>/v3/OS-FEDERATION/identity_providers/<idp>/protocols/<protocol>/auth`,
//!    which gives an unscoped Keystone token;
//! 4. that token rescoped (the `token` method) when a scope is set.
//!
//! `v3oidcaccesstoken` starts at step 3 with the access token it is given.
//! Every authentication runs the flow again, so a token that expired (or
//! that the Session dropped after a 401) is replaced with one from a new
//! access token. Unlike keystoneauth, a refresh token in the provider's
//! answer is kept and tried first the next time (`grant_type=refresh_token`,
//! falling back to the plugin's grant when it is refused): an authorization
//! code works only once.

use std::sync::{Arc, Mutex};

use serde_json::Value as J;

use super::http;
use super::v3::{AuthMethod, Scope, V3Auth};
use crate::auth::access::AccessInfo;
use crate::auth::plugin::{AuthError, AuthPlugin, Credentials, PluginError, PluginOptions};
use crate::auth::transport::{BoxFuture, HttpRequest, Method, Transport};
use crate::opt::Secret;

/// How the plugin gets its access token.
#[derive(Debug)]
enum Grant {
    /// `client_credentials`.
    ClientCredentials,
    /// `password`: the user's name and password at the provider.
    Password { username: String, password: Secret },
    /// `authorization_code`: a code the user got from the provider's
    /// authorization endpoint, and the redirect URI it was issued for.
    AuthorizationCode { redirect_uri: Option<String>, code: Secret },
    /// RFC 8628's device authorization grant, with PKCE (RFC 7636) when a
    /// `code_challenge_method` is set.
    DeviceCode { device_authorization_endpoint: Option<String>, pkce: Option<Pkce> },
}

/// RFC 7636's challenge methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pkce {
    Plain,
    S256,
}

/// RFC 8628's grant type.
const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

impl Grant {
    fn name(&self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client_credentials",
            Grant::Password { .. } => "password",
            Grant::AuthorizationCode { .. } => "authorization_code",
            Grant::DeviceCode { .. } => DEVICE_CODE,
        }
    }
}

/// The provider side of a flow that asks the provider for a token.
#[derive(Debug)]
struct Provider {
    grant: Grant,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    /// The OpenID scope (`openid-scope`, dest `scope`).
    openid_scope: String,
    access_token_endpoint: Option<String>,
    discovery_endpoint: Option<String>,
    access_token_type: String,
    /// The discovery document, once fetched.
    discovery: Mutex<Option<Arc<J>>>,
    /// The refresh token of the last answer that had one.
    refresh_token: Mutex<Option<Secret>>,
}

/// An OpenID Connect plugin.
#[derive(Debug)]
pub struct OidcAuth {
    name: String,
    auth_url: String,
    identity_provider: String,
    protocol: String,
    scope: Scope,
    /// `None` for `v3oidcaccesstoken`.
    provider: Option<Provider>,
    /// `v3oidcaccesstoken`'s token.
    access_token: Option<Secret>,
}

/// `auth_url`, `identity_provider`, `protocol` and the scope.
type Base = (String, String, String, Scope);

fn base(o: &PluginOptions<'_>) -> Result<Base, PluginError> {
    Ok((o.need("auth_url")?, o.need("identity_provider")?, o.need("protocol")?, Scope::from_opts(o, None)?))
}

fn provider(o: &PluginOptions<'_>, grant: Grant) -> Result<Provider, PluginError> {
    let access_token_endpoint = o.str("access_token_endpoint");
    let discovery_endpoint = o.str("discovery_endpoint");
    if access_token_endpoint.is_none() && discovery_endpoint.is_none() {
        // keystoneauth's loader: "You have to specify either an
        // 'access-token-endpoint' or a 'discovery-endpoint'."
        return Err(PluginError::option(
            "discovery_endpoint",
            format!("the {} auth plugin needs access_token_endpoint or discovery_endpoint", o.plugin()),
        )
        .suggest(format!(
            "set discovery_endpoint (https://idp.example.org/.well-known/openid-configuration) in [{}]",
            o.group()
        )));
    }
    Ok(Provider {
        grant,
        client_id: o.str("client_id"),
        client_secret: o.secret("client_secret"),
        openid_scope: o.str("scope").unwrap_or_else(|| "openid profile".to_owned()),
        access_token_endpoint,
        discovery_endpoint,
        // keystoneauth's plugins default to "access_token"; its loader
        // passes None when the option is unset, which then fails.
        access_token_type: o.str("access_token_type").unwrap_or_else(|| "access_token".to_owned()),
        discovery: Mutex::new(None),
        refresh_token: Mutex::new(None),
    })
}

impl OidcAuth {
    /// The plugin from what every flow reads (`base`) and its provider side
    /// or given access token.
    fn assemble(
        o: &PluginOptions<'_>,
        (auth_url, identity_provider, protocol, scope): Base,
        provider: Option<Provider>,
        access_token: Option<Secret>,
    ) -> Arc<dyn AuthPlugin> {
        Arc::new(OidcAuth {
            name: o.plugin().to_owned(),
            auth_url,
            identity_provider,
            protocol,
            scope,
            provider,
            access_token,
        })
    }

    /// `v3oidcclientcredentials`.
    pub fn client_credentials(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let base = base(o)?;
        Ok(OidcAuth::assemble(o, base, Some(provider(o, Grant::ClientCredentials)?), None))
    }

    /// `v3oidcpassword`. `idp_otp_key` makes keystoneauth ask for a
    /// one-time password at the terminal; a service cannot, so it is
    /// refused.
    pub fn password(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let base = base(o)?;
        if o.str("idp_otp_key").is_some() {
            return Err(PluginError::option(
                "idp_otp_key",
                "idp_otp_key makes keystoneauth prompt for a one-time password at the terminal, which stackauth \
                 does not do",
            )
            .suggest(format!("remove idp_otp_key from [{}]", o.group())));
        }
        let grant = Grant::Password { username: o.need("username")?, password: o.need_secret("password")? };
        Ok(OidcAuth::assemble(o, base, Some(provider(o, grant)?), None))
    }

    /// `v3oidcauthcode`: the code is used once, so a second
    /// authentication (the token expiring, a 401) fails at the provider, as
    /// with keystoneauth.
    pub fn authorization_code(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let base = base(o)?;
        let grant = Grant::AuthorizationCode { redirect_uri: o.str("redirect_uri"), code: o.need_secret("code")? };
        Ok(OidcAuth::assemble(o, base, Some(provider(o, grant)?), None))
    }

    /// `v3oidcdeviceauthz`: each authentication asks the provider for a
    /// device code, logs (at WARN, as keystoneauth) where the user approves
    /// it, and polls the token endpoint until the user has, or the code
    /// expires. A refresh token in the answer spares the next one.
    pub fn device_authorization(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let base = base(o)?;
        let pkce = match o.str("code_challenge_method").as_deref() {
            None => None,
            Some("plain") => Some(Pkce::Plain),
            Some("S256") => Some(Pkce::S256),
            Some(other) => {
                return Err(PluginError::option(
                    "code_challenge_method",
                    format!("code_challenge_method {other:?} is not a PKCE method (plain or S256)"),
                )
                .suggest(format!("set code_challenge_method = S256 in [{}]", o.group())));
            }
        };
        let grant = Grant::DeviceCode { device_authorization_endpoint: o.str("device_authorization_endpoint"), pkce };
        Ok(OidcAuth::assemble(o, base, Some(provider(o, grant)?), None))
    }

    /// `v3oidcaccesstoken`.
    pub fn access_token(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let base = base(o)?;
        let token = o.need_secret("access_token")?;
        Ok(OidcAuth::assemble(o, base, None, Some(token)))
    }

    /// `<auth_url>[/v3]/OS-FEDERATION/identity_providers/<idp>/protocols/<protocol>/auth`.
    pub fn federated_token_url(&self) -> String {
        let mut host = self.auth_url.trim_end_matches('/').to_owned();
        if !host.ends_with("v3") {
            host.push_str("/v3");
        }
        format!("{host}/OS-FEDERATION/identity_providers/{}/protocols/{}/auth", self.identity_provider, self.protocol)
    }

    async fn discovery(&self, p: &Provider, t: &dyn Transport) -> Result<Option<Arc<J>>, AuthError> {
        let Some(url) = &p.discovery_endpoint else { return Ok(None) };
        if let Some(d) = p.discovery.lock().ok().and_then(|g| g.clone()) {
            return Ok(Some(d));
        }
        let resp = http::send(t, HttpRequest::get(url), false).await?;
        let doc: J = serde_json::from_slice(&resp.body).unwrap_or(J::Null);
        if doc.as_object().is_none_or(|o| o.is_empty()) {
            return Err(AuthError::InvalidResponse {
                url: url.clone(),
                reason: "the OpenID Connect discovery document is not a JSON object".into(),
            });
        }
        let doc = Arc::new(doc);
        if let Ok(mut g) = p.discovery.lock() {
            *g = Some(doc.clone());
        }
        Ok(Some(doc))
    }

    /// Steps 1 and 2: an access token from the provider.
    async fn provider_token(&self, p: &Provider, t: &dyn Transport) -> Result<Secret, AuthError> {
        let discovery = self.discovery(p, t).await?;
        let doc = discovery.as_deref();
        if let Some(types) = doc.and_then(|d| d.get("grant_types_supported")).and_then(J::as_array)
            && !types.is_empty()
            && !types.iter().any(|g| g.as_str() == Some(p.grant.name()))
        {
            return Err(AuthError::Unsupported(format!(
                "the OpenID Connect provider does not support the {:?} grant that {} uses (its discovery \
                 document's grant_types_supported)",
                p.grant.name(),
                self.name
            )));
        }
        let endpoint = match (&p.access_token_endpoint, doc) {
            (Some(e), _) => e.clone(),
            (None, Some(d)) => match d.get("token_endpoint").and_then(J::as_str) {
                Some(e) => e.to_owned(),
                None => {
                    return Err(AuthError::InvalidResponse {
                        url: p.discovery_endpoint.clone().unwrap_or_default(),
                        reason: "the discovery document has no token_endpoint".into(),
                    });
                }
            },
            (None, None) => return Err(AuthError::Unsupported("no access token endpoint".into())),
        };
        // A refresh token from an earlier answer first: the authorization
        // code works once, and the other grants need not be replayed.
        // A provider that answers without a new refresh token leaves the
        // old one in place (RFC 6749, 6); a refused one is dropped.
        let refresh = p.refresh_token.lock().ok().and_then(|g| g.clone());
        if let Some(rt) = refresh {
            let pairs = [("grant_type", "refresh_token"), ("refresh_token", rt.expose())];
            match self.token_request(p, t, &endpoint, &pairs, "refresh_token").await {
                Ok(token) => return Ok(token),
                Err(e) => {
                    tracing::debug!(error = %e, "the refresh token was refused; using the grant again");
                    if let Ok(mut slot) = p.refresh_token.lock() {
                        *slot = None;
                    }
                }
            }
        }
        if let Grant::DeviceCode { device_authorization_endpoint, pkce } = &p.grant {
            let device = match (device_authorization_endpoint, doc) {
                (Some(e), _) => e.clone(),
                (None, Some(d)) => match d.get("device_authorization_endpoint").and_then(J::as_str) {
                    Some(e) => e.to_owned(),
                    None => {
                        return Err(AuthError::InvalidResponse {
                            url: p.discovery_endpoint.clone().unwrap_or_default(),
                            reason: "the discovery document has no device_authorization_endpoint (set \
                                     device_authorization_endpoint)"
                                .into(),
                        });
                    }
                },
                (None, None) => {
                    return Err(AuthError::Unsupported(format!(
                        "{} needs device_authorization_endpoint or a discovery_endpoint",
                        self.name
                    )));
                }
            };
            return self.device_flow(p, t, &device, &endpoint, *pkce).await;
        }
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        match &p.grant {
            Grant::ClientCredentials => pairs.push(("scope", &p.openid_scope)),
            Grant::Password { username, password } => {
                pairs.extend([("username", username.as_str()), ("password", password.expose())]);
                pairs.push(("scope", &p.openid_scope));
            }
            Grant::AuthorizationCode { redirect_uri, code } => {
                if let Some(uri) = redirect_uri {
                    pairs.push(("redirect_uri", uri));
                }
                pairs.push(("code", code.expose()));
            }
            Grant::DeviceCode { .. } => {}
        }
        pairs.push(("grant_type", p.grant.name()));
        self.token_request(p, t, &endpoint, &pairs, p.grant.name()).await
    }

    /// RFC 8628, as keystoneauth's `OidcDeviceAuthorization`: a device code
    /// from `device`, the user told where to approve it, then the token
    /// endpoint polled every `interval` seconds while it answers
    /// `authorization_pending` (`slow_down` adds 5 s, as the RFC says;
    /// keystoneauth fails on it), until the code expires.
    async fn device_flow(
        &self,
        p: &Provider,
        t: &dyn Transport,
        device: &str,
        endpoint: &str,
        pkce: Option<Pkce>,
    ) -> Result<Secret, AuthError> {
        let verifier = pkce.map(|_| pkce_verifier()).transpose()?;
        let challenge = match (pkce, &verifier) {
            (Some(Pkce::Plain), Some(v)) => Some(v.expose().to_owned()),
            (Some(Pkce::S256), Some(v)) => {
                Some(b64url(ring::digest::digest(&ring::digest::SHA256, v.expose().as_bytes()).as_ref()))
            }
            _ => None,
        };
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(id) = &p.client_id {
            pairs.push(("client_id", id));
        }
        pairs.push(("scope", &p.openid_scope));
        if let (Some(method), Some(c)) = (pkce, &challenge) {
            pairs.push(("code_challenge_method", if method == Pkce::S256 { "S256" } else { "plain" }));
            pairs.push(("code_challenge", c));
        }
        tracing::debug!(url = %device, "OpenID Connect device authorization request");
        let resp = self.form_post(p, t, device, &pairs).await?;
        let body = http::json(device, &resp)?;
        let field = |k: &str| body.get(k).and_then(J::as_str).filter(|v| !v.is_empty());
        let seconds = |k: &str| body.get(k).and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
        let (Some(device_code), Some(expires_in)) = (field("device_code"), seconds("expires_in")) else {
            return Err(AuthError::InvalidResponse {
                url: device.to_owned(),
                reason: "the device authorization answer has no device_code or expires_in".into(),
            });
        };
        let device_code = Secret::new(device_code);
        match (field("verification_uri_complete"), field("verification_uri"), field("user_code")) {
            (Some(complete), _, _) => tracing::warn!("To authenticate please go to: {complete}"),
            (None, Some(uri), Some(code)) => {
                tracing::warn!("To authenticate please go to {uri} and enter the code {code}")
            }
            _ => {
                return Err(AuthError::InvalidResponse {
                    url: device.to_owned(),
                    reason: "the device authorization answer has no verification_uri and user_code".into(),
                });
            }
        }
        // At least a second between polls, whatever the provider says.
        let mut interval = seconds("interval").unwrap_or(5).max(1);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(expires_in);
        loop {
            let mut pairs: Vec<(&str, &str)> = vec![("device_code", device_code.expose())];
            if let Some(v) = &verifier {
                pairs.push(("code_verifier", v.expose()));
            }
            pairs.push(("grant_type", DEVICE_CODE));
            // RFC 8628 does not need client_id beside a secret; Entra ID
            // does, so keystoneauth always sends it.
            if let Some(id) = &p.client_id {
                pairs.push(("client_id", id));
            }
            let resp = self.form_post(p, t, endpoint, &pairs).await?;
            let answer: Option<J> = serde_json::from_slice(&resp.body).ok();
            if (200..300).contains(&resp.status) {
                return take_token(p, endpoint, answer.as_ref());
            }
            let error = answer.as_ref().and_then(|b| b.get("error")).and_then(J::as_str);
            match (resp.status, error) {
                (400, Some("authorization_pending")) => {}
                (400, Some("slow_down")) => interval += 5,
                _ => return Err(http::oauth_error(endpoint, resp.status, answer.as_ref(), &resp.body)),
            }
            let wait = std::time::Duration::from_secs(interval);
            if std::time::Instant::now() + wait >= deadline {
                return Err(AuthError::Unauthorized {
                    url: endpoint.to_owned(),
                    message: format!(
                        "the device code expired ({expires_in} s) before the user approved it at the provider"
                    ),
                });
            }
            tracing::debug!(url = %endpoint, interval_s = interval, "device authorization pending; polling again");
            tokio::time::sleep(wait).await;
        }
    }

    /// A form POST to the provider, the client authenticated with HTTP
    /// Basic when it has a secret.
    async fn form_post(
        &self,
        p: &Provider,
        t: &dyn Transport,
        url: &str,
        pairs: &[(&str, &str)],
    ) -> Result<crate::auth::transport::HttpResponse, AuthError> {
        let mut req = HttpRequest::post_form(url, http::form(pairs));
        if let Some(secret) = &p.client_secret {
            req.secret_headers
                .push(("Authorization", http::basic(p.client_id.as_deref().unwrap_or(""), secret.expose())));
        }
        t.send(req).await.map_err(|source| AuthError::Unreachable { url: url.to_owned(), source })
    }

    /// One request to the token endpoint: the client authenticates (HTTP
    /// Basic with a secret, else `client_id` in the form), the answer's
    /// `access_token_type` field is the token, and a `refresh_token` in it
    /// is kept for the next time.
    async fn token_request(
        &self,
        p: &Provider,
        t: &dyn Transport,
        endpoint: &str,
        pairs: &[(&str, &str)],
        grant: &str,
    ) -> Result<Secret, AuthError> {
        let mut pairs = pairs.to_vec();
        if p.client_secret.is_none()
            && let Some(id) = &p.client_id
        {
            pairs.push(("client_id", id));
        }
        tracing::debug!(url = %endpoint, grant_type = grant, "OpenID Connect token request");
        let resp = self.form_post(p, t, endpoint, &pairs).await?;
        tracing::debug!(url = %endpoint, status = resp.status, "OpenID Connect token response");
        let body: Option<J> = serde_json::from_slice(&resp.body).ok();
        if !(200..300).contains(&resp.status) {
            return Err(http::oauth_error(endpoint, resp.status, body.as_ref(), &resp.body));
        }
        take_token(p, endpoint, body.as_ref())
    }

    /// Step 3: the access token for an unscoped Keystone token.
    async fn federated_token(&self, access_token: &Secret, t: &dyn Transport) -> Result<AccessInfo, AuthError> {
        let url = self.federated_token_url();
        let mut req = HttpRequest::get(&url);
        req.method = Method::POST;
        req.secret_headers.push(("Authorization", Secret::new(format!("Bearer {}", access_token.expose()))));
        let resp = http::send(t, req, false).await?;
        let subject = resp.headers.get("X-Subject-Token").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = http::json(&url, &resp)?;
        AccessInfo::from_v3(&subject, &body).map_err(|e| AuthError::InvalidResponse { url, reason: e.0 })
    }

    async fn get_access(&self, t: &dyn Transport) -> Result<AccessInfo, AuthError> {
        let access_token = match (&self.provider, &self.access_token) {
            (_, Some(token)) => token.clone(),
            (Some(p), None) => self.provider_token(p, t).await?,
            (None, None) => return Err(AuthError::Unsupported("no access token".into())),
        };
        let unscoped = self.federated_token(&access_token, t).await?;
        if self.scope == Scope::Default {
            return Ok(unscoped);
        }
        let rescope = V3Auth::new(
            &self.name,
            &self.auth_url,
            vec![AuthMethod::Token { token: unscoped.token }],
            self.scope.clone(),
        );
        rescope.get_access(t).await
    }
}

/// The answer's `access_token_type` field is the token; a `refresh_token`
/// in it is kept for the next time.
fn take_token(p: &Provider, url: &str, body: Option<&J>) -> Result<Secret, AuthError> {
    let token = match body.and_then(|b| b.get(&p.access_token_type)).and_then(J::as_str) {
        Some(token) if !token.is_empty() => Secret::new(token),
        _ => {
            return Err(AuthError::InvalidResponse {
                url: url.to_owned(),
                reason: format!("the answer has no {:?} (access_token_type)", p.access_token_type),
            });
        }
    };
    let refresh = body.and_then(|b| b.get("refresh_token")).and_then(J::as_str).filter(|r| !r.is_empty());
    if let (Some(r), Ok(mut slot)) = (refresh, p.refresh_token.lock()) {
        *slot = Some(Secret::new(r));
    }
    Ok(token)
}

/// A PKCE verifier: 42 random bytes, base64url without padding (as
/// keystoneauth makes it).
fn pkce_verifier() -> Result<Secret, AuthError> {
    let mut raw = [0u8; 42];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut raw)
        .map_err(|_| AuthError::Unsupported("no random numbers for a PKCE verifier".into()))?;
    Ok(Secret::new(b64url(&raw)))
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl AuthPlugin for OidcAuth {
    fn plugin_name(&self) -> &str {
        &self.name
    }

    fn authenticate<'a>(&'a self, t: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>> {
        Box::pin(async move { self.get_access(t).await.map(|a| Credentials::Token(Arc::new(a))) })
    }

    fn auth_url(&self) -> Option<&str> {
        Some(&self.auth_url)
    }
}
