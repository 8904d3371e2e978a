//! keystoneauth1's built-in plugins: their schemas and how each is built.

use std::sync::Arc;

use super::fixed::FixedAuth;
use super::identity::generic::GenericAuth;
use super::identity::oauth2::{OAuth2ClientCredential, OAuth2MtlsClientCredential};
use super::identity::oidc::OidcAuth;
use super::identity::tokenless::TokenlessAuth;
use super::identity::v2::{Tenant, V2Auth, V2Credential};
use super::identity::v3::{AuthMethod, Scope, UserRef, V3Auth};
use super::plugin::{AuthPlugin, PluginError, PluginOptions, PluginType};
use super::schema;

fn user(o: &PluginOptions<'_>) -> Result<UserRef, PluginError> {
    UserRef::from_opts(o, None)?.ok_or_else(|| {
        PluginError::option("username", format!("the {} auth plugin needs username or user_id", o.plugin()))
            .suggest(format!("set username (with user_domain_name) or user_id in [{}]", o.group()))
    })
}

fn v3(o: &PluginOptions<'_>, methods: Vec<AuthMethod>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
    let auth_url = o.need("auth_url")?;
    let scope = Scope::from_opts(o, None)?;
    Ok(V3Auth::new(o.plugin(), &auth_url, methods, scope).into_plugin())
}

fn password_method(o: &PluginOptions<'_>) -> Result<AuthMethod, PluginError> {
    Ok(AuthMethod::Password { user: user(o)?, password: o.need_secret("password")? })
}

fn totp_method(o: &PluginOptions<'_>) -> Result<AuthMethod, PluginError> {
    Ok(AuthMethod::Totp { user: user(o)?, passcode: o.need_secret("passcode")? })
}

fn token_method(o: &PluginOptions<'_>) -> Result<AuthMethod, PluginError> {
    Ok(AuthMethod::Token { token: o.need_secret("token")? })
}

fn app_cred_method(o: &PluginOptions<'_>) -> Result<AuthMethod, PluginError> {
    let secret = o.need_secret("application_credential_secret")?;
    if let Some(id) = o.str("application_credential_id") {
        return Ok(AuthMethod::ApplicationCredential { id: Some(id), name: None, user: None, secret });
    }
    let Some(name) = o.str("application_credential_name") else {
        return Err(PluginError::option(
            "application_credential_id",
            "an application credential needs application_credential_id, or application_credential_name and its user",
        )
        .suggest(format!("set application_credential_id in [{}]", o.group())));
    };
    let owner = UserRef::from_opts(o, None)?.ok_or_else(|| {
        PluginError::option(
            "application_credential_name",
            format!("application credential {name:?} is named, so its owner is needed too"),
        )
        .suggest(format!("set user_id, or username and user_domain_name, in [{}]", o.group()))
    })?;
    Ok(AuthMethod::ApplicationCredential { id: None, name: Some(name), user: Some(owner), secret })
}

fn v2(o: &PluginOptions<'_>, credential: V2Credential) -> Result<Arc<dyn AuthPlugin>, PluginError> {
    let auth_url = o.need("auth_url")?;
    let tenant = o.str("tenant_id").map(Tenant::Id).or_else(|| o.str("tenant_name").map(Tenant::Name));
    Ok(Arc::new(V2Auth::new(o.plugin(), &auth_url, credential, tenant, o.str("trust_id"))))
}

fn multifactor(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
    let names = o.list("auth_methods");
    if names.is_empty() {
        return Err(PluginError::option("auth_methods", "v3multifactor needs auth_methods, such as v3password,v3totp"));
    }
    let mut methods = Vec::new();
    for n in &names {
        methods.push(match n.as_str() {
            "v3password" | "password" => password_method(o)?,
            "v3totp" => totp_method(o)?,
            "v3token" | "token" => token_method(o)?,
            "v3applicationcredential" => app_cred_method(o)?,
            other => {
                return Err(PluginError::option(
                    "auth_methods",
                    format!("{other:?} cannot be a method of v3multifactor"),
                )
                .suggest("use v3password, v3totp, v3token or v3applicationcredential"));
            }
        });
    }
    v3(o, methods)
}

/// Every built-in plugin type.
pub(super) fn types() -> Vec<PluginType> {
    let generic = "Authenticate with the identity service, discovering its API version (v3 preferred).";
    vec![
        PluginType::new("password", generic, schema::password(), |o| Ok(Arc::new(GenericAuth::password(o)?))),
        PluginType::new(
            "v2password",
            "Authenticate with the v2.0 identity API and a password.",
            schema::v2password(),
            |o| {
                let password = o.need_secret("password")?;
                let (username, user_id) = (o.str("username"), o.str("user_id"));
                if username.is_none() && user_id.is_none() {
                    return Err(PluginError::option(
                        "username",
                        "the v2password auth plugin needs username or user_id",
                    ));
                }
                v2(o, V2Credential::Password { username, user_id, password })
            },
        ),
        PluginType::new(
            "v3password",
            "Authenticate with the v3 identity API and a password.",
            schema::v3password(),
            |o| v3(o, vec![password_method(o)?]),
        ),
        PluginType::new("token", generic, schema::token(), |o| Ok(Arc::new(GenericAuth::token(o)?))),
        PluginType::new("v2token", "Rescope an existing token with the v2.0 identity API.", schema::v2token(), |o| {
            v2(o, V2Credential::Token(o.need_secret("token")?))
        }),
        PluginType::new("v3token", "Rescope an existing token with the v3 identity API.", schema::v3token(), |o| {
            v3(o, vec![token_method(o)?])
        }),
        PluginType::new(
            "v3applicationcredential",
            "Authenticate with an application credential.",
            schema::v3applicationcredential(),
            |o| v3(o, vec![app_cred_method(o)?]),
        ),
        PluginType::new("v3totp", "Authenticate with a time-based one-time password.", schema::v3totp(), |o| {
            v3(o, vec![totp_method(o)?])
        }),
        PluginType::new(
            "v3multifactor",
            "Authenticate with several methods at once (auth_methods).",
            schema::v3multifactor(),
            multifactor,
        ),
        PluginType::new(
            "admin_token",
            "A fixed token sent to a fixed endpoint.",
            schema::admin_token(),
            FixedAuth::admin_token,
        ),
        PluginType::new("none", "No authentication; requests go to a fixed endpoint.", schema::none(), FixedAuth::none),
        PluginType::new("http_basic", "HTTP Basic authentication.", schema::http_basic(), FixedAuth::http_basic),
        PluginType::new(
            "v3oauth2clientcredential",
            "OAuth 2.0 client credentials (an application credential's id and secret): a token, and a bearer \
             access token from Keystone's OAuth 2.0 token endpoint.",
            schema::v3oauth2clientcredential(),
            OAuth2ClientCredential::from_opts,
        ),
        PluginType::new(
            "v3oauth2mtlsclientcredential",
            "OAuth 2.0 client credentials over mutual TLS: the client certificate (certfile, keyfile) gets an \
             access token from Keystone's OAuth 2.0 token endpoint, sent as the token and as a bearer token.",
            schema::v3oauth2mtlsclientcredential(),
            OAuth2MtlsClientCredential::from_opts,
        ),
        PluginType::new(
            "v3tokenlessauth",
            "Tokenless X.509: the client certificate (certfile, keyfile) is the identity, headers name the scope.",
            schema::v3tokenlessauth(),
            TokenlessAuth::from_opts,
        ),
        PluginType::new(
            "v3oidcclientcredentials",
            "OpenID Connect client credentials grant, then Keystone's federation API.",
            schema::v3oidcclientcredentials(),
            OidcAuth::client_credentials,
        ),
        PluginType::new(
            "v3oidcpassword",
            "OpenID Connect resource owner password grant, then Keystone's federation API.",
            schema::v3oidcpassword(),
            OidcAuth::password,
        ),
        PluginType::new(
            "v3oidcauthcode",
            "OpenID Connect authorization code grant (a code obtained beforehand), then Keystone's federation API.",
            schema::v3oidcauthcode(),
            OidcAuth::authorization_code,
        ),
        PluginType::new(
            "v3oidcdeviceauthz",
            "OpenID Connect device authorization grant (RFC 8628, PKCE optional): the user approves at the URL \
             the plugin logs while it polls, then Keystone's federation API.",
            schema::v3oidcdeviceauthz(),
            OidcAuth::device_authorization,
        ),
        PluginType::new(
            "v3oidcaccesstoken",
            "An OpenID Connect access token, exchanged through Keystone's federation API.",
            schema::v3oidcaccesstoken(),
            OidcAuth::access_token,
        ),
    ]
    .into_iter()
    .chain(unsupported())
    .collect()
}

/// The plugins of `schema::federation()` that are built above.
const BUILT: [&str; 8] = [
    "v3oauth2clientcredential",
    "v3oauth2mtlsclientcredential",
    "v3tokenlessauth",
    "v3oidcclientcredentials",
    "v3oidcpassword",
    "v3oidcauthcode",
    "v3oidcdeviceauthz",
    "v3oidcaccesstoken",
];

/// keystoneauth's other plugins: their options are known and checked, but
/// loading one is refused.
fn unsupported() -> Vec<PluginType> {
    schema::federation()
        .into_iter()
        .filter(|(name, _)| !BUILT.contains(name))
        .map(|(name, opts)| {
            PluginType::unsupported(name, format!("keystoneauth's {name} plugin (not supported)"), opts())
        })
        .collect()
}
