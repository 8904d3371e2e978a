//! The loading options of keystoneauth1's federation, OpenID Connect,
//! OAuth, Kerberos, SAML, web single sign-on and tokenless plugins, as data.
//!
//! Read from keystoneauth1 5.x as installed by tests/keystone/setup.sh
//! (`loading.get_plugin_options(name)`; tests/auth/plugin_schemas.rs
//! compares every plugin with it):
//!
//! - `keystoneauth1/loading/identity.py`: `BaseFederationLoader`
//!   (`identity-provider`, `protocol`);
//! - `keystoneauth1/loading/_plugins/identity/v3.py`: the OpenID Connect
//!   loaders (`_OpenIDConnectBase`), OAuth 2.0 client credentials (with a
//!   secret, and over mutual TLS), tokenless auth and web SSO;
//! - `keystoneauth1/extras/oauth1/_loading.py`, `extras/kerberos/_loading.py`
//!   and `extras/_saml2/_loading.py` (whose loaders need `lxml` to import:
//!   their options are transcribed from the source).
//!
//! `openid-scope` is the one option whose dest is not its name: files and
//! the snapshot know it as `scope`.

use super::v3_base;
use crate::opt::{DeprecatedName, Opt, OptType};

/// `BaseFederationLoader`: the v3 options plus the identity provider and
/// the federation protocol.
fn federation_base() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.extend([
        Opt::string("identity-provider").required().help("Identity Provider's name"),
        Opt::string("protocol").required().help("Protocol for federated plugin"),
    ]);
    opts
}

/// `_OpenIDConnectBase`: the client, the scope and where the provider's
/// token endpoint is.
fn oidc_base() -> Vec<Opt> {
    let mut opts = federation_base();
    opts.extend([
        Opt::string("client-id").help("OAuth 2.0 Client ID"),
        Opt::string("client-secret").secret().help("OAuth 2.0 Client Secret"),
        Opt::string("openid-scope").with_dest("scope").default("openid profile").help(
            "OpenID Connect scope that is requested from authorization server. Note that the OpenID Connect \
             specification states that \"openid\" must be always specified.",
        ),
        Opt::string("access-token-endpoint").help(
            "OpenID Connect Provider Token Endpoint. Note that if a discovery document is being passed this option \
             will override the endpoint provided by the server in the discovery document.",
        ),
        Opt::string("discovery-endpoint").help(
            "OpenID Connect Discovery Document URL. The discovery document will be used to obtain the values of the \
             access token endpoint and the authentication endpoint. This URL should look like \
             https://idp.example.org/.well-known/openid-configuration",
        ),
        Opt::string("access-token-type").help(
            "OAuth 2.0 Authorization Server Introspection token type, it is used to decide which type of token will \
             be used when processing token introspection. Valid values are: \"access_token\" or \"id_token\"",
        ),
    ]);
    opts
}

/// `v3oidcclientcredentials`: the OpenID Connect options only.
pub fn v3oidcclientcredentials() -> Vec<Opt> {
    oidc_base()
}

/// `v3oidcpassword`: plus the user's name and password at the provider.
pub fn v3oidcpassword() -> Vec<Opt> {
    let mut opts = oidc_base();
    opts.extend([
        Opt::string("username").required().help("Username"),
        Opt::string("password").secret().required().help("Password"),
        Opt::string("idp_otp_key")
            .help("A key to be used in the Identity Provider access token endpoint to pass the OTP value. E.g. totp"),
    ]);
    opts
}

/// `v3oidcauthcode`: plus the redirect URI and the authorization code.
pub fn v3oidcauthcode() -> Vec<Opt> {
    let mut opts = oidc_base();
    opts.extend([
        Opt::string("redirect-uri").help("OpenID Connect Redirect URL"),
        Opt::string("code")
            .secret()
            .required()
            .help("OAuth 2.0 Authorization Code")
            .deprecated_name(DeprecatedName::name("authorization-code")),
    ]);
    opts
}

/// `v3oidcaccesstoken`: the federation options and an access token.
pub fn v3oidcaccesstoken() -> Vec<Opt> {
    let mut opts = federation_base();
    opts.push(Opt::string("access-token").secret().required().help("OAuth 2.0 Access Token"));
    opts
}

/// `v3oidcdeviceauthz`: plus the device authorization endpoint and PKCE.
pub fn v3oidcdeviceauthz() -> Vec<Opt> {
    let mut opts = oidc_base();
    opts.extend([
        Opt::string("device-authorization-endpoint").help(
            "OAuth 2.0 Device Authorization Endpoint. Note that if a discovery document is being passed this option \
             will override the endpoint provided by the server in the discovery document.",
        ),
        Opt::string("code-challenge-method").help("PKCE Challenge Method (RFC 7636)"),
    ]);
    opts
}

/// `v3oauth2clientcredential`: Keystone's OAuth 2.0 token endpoint and an
/// application credential's id and secret (keystoneauth spells these with
/// `_`).
pub fn v3oauth2clientcredential() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.extend([
        Opt::string("oauth2_endpoint").required().help("Endpoint for OAuth2.0"),
        Opt::string("oauth2_client_id").required().help("Client id for OAuth2.0"),
        Opt::string("oauth2_client_secret").secret().required().help("Client secret for OAuth2.0"),
    ]);
    opts
}

/// `v3oauth2mtlsclientcredential`: the token endpoint and the client id;
/// the client certificate is the session's `certfile`/`keyfile`.
pub fn v3oauth2mtlsclientcredential() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.extend([
        Opt::string("oauth2-endpoint").required().help("Endpoint for OAuth2.0 Mutual-TLS Authorization"),
        Opt::string("oauth2-client-id").required().help("Client credential ID for OAuth2.0 Mutual-TLS Authorization"),
    ]);
    opts
}

/// `v3tokenlessauth`: the scope only (the identity is the client
/// certificate's); no system scope and no trust.
pub fn v3tokenlessauth() -> Vec<Opt> {
    vec![
        Opt::string("auth-url").required().help("Authentication URL"),
        Opt::string("domain-id").help("Domain ID to scope to"),
        Opt::string("domain-name").help("Domain name to scope to"),
        Opt::string("project-id").help("Project ID to scope to"),
        Opt::string("project-name").help("Project name to scope to"),
        Opt::string("project-domain-id").help("Domain ID containing project"),
        Opt::string("project-domain-name").help("Domain name containing project"),
    ]
}

/// `v3websso`: the federation options and the local callback server.
pub fn v3websso() -> Vec<Opt> {
    let mut opts = federation_base();
    opts.extend([
        Opt::string("redirect-host")
            .default("localhost")
            .help("Host the callback server listens on. This must be a loopback address."),
        Opt::new("redirect-port", OptType::integer()).default("9990").help(
            "Port the callback server listens on. The resulting callback URL, \
             http://<redirect-host>:<redirect-port>/auth/websso/, must be listed in the identity service's \
             [federation] trusted_dashboard option.",
        ),
        Opt::new("login-timeout", OptType::float()).default("60").help(
            "Seconds to wait for the user to finish authenticating in the browser before giving up. Raise it when a \
             first login or MFA prompt is likely to take longer than the default.",
        ),
        Opt::string("username").help(
            "Optional label used only to keep cached tokens for different SSO accounts apart. It is not used to \
             authenticate; the identity is chosen in the browser. Set a distinct value per account, or leave it \
             unset if only one account is used.",
        ),
    ]);
    opts
}

/// `v3oauth1`: the consumer's and the access token's keys and secrets.
pub fn v3oauth1() -> Vec<Opt> {
    vec![
        Opt::string("auth-url").required().help("Authentication URL"),
        Opt::string("consumer-key").required().help("OAuth Consumer ID/Key"),
        Opt::string("consumer-secret").secret().required().help("OAuth Consumer Secret"),
        Opt::string("access-key").required().help("OAuth Access Key"),
        Opt::string("access-secret").secret().required().help("OAuth Access Secret"),
    ]
}

fn mutual_auth() -> Opt {
    Opt::string("mutual-auth").default("optional").help("Configures Kerberos Mutual Authentication")
}

/// `v3kerberos`: the v3 options and Kerberos mutual authentication.
pub fn v3kerberos() -> Vec<Opt> {
    let mut opts = v3_base();
    opts.push(mutual_auth());
    opts
}

/// `v3fedkerb`: the federation options and Kerberos mutual
/// authentication.
pub fn v3fedkerb() -> Vec<Opt> {
    let mut opts = federation_base();
    opts.push(mutual_auth());
    opts
}

/// `v3samlpassword`: the federation options, the SAML identity provider's
/// URL and the user's name and password there.
pub fn v3samlpassword() -> Vec<Opt> {
    let mut opts = federation_base();
    opts.extend([
        Opt::string("identity-provider-url")
            .required()
            .help("An Identity Provider URL, where the SAML2 authentication request will be sent."),
        Opt::string("username").required().help("Username"),
        Opt::string("password").secret().required().help("Password"),
    ]);
    opts
}

/// `v3adfspassword`: as `v3samlpassword`, with the service provider's
/// endpoint and entity id.
pub fn v3adfspassword() -> Vec<Opt> {
    let mut opts = federation_base();
    opts.extend([
        Opt::string("identity-provider-url")
            .required()
            .help("An Identity Provider URL, where the SAML authentication request will be sent."),
        Opt::string("service-provider-endpoint").required().help("Service Provider's Endpoint"),
        Opt::string("service-provider-entity-id").required().help("Service Provider's SAML Entity ID"),
        Opt::string("username").required().help("Username"),
        Opt::string("password").secret().required().help("Password"),
    ]);
    opts
}

/// The plugins of this file by their keystoneauth entry-point names, each
/// with its option function, in name order.
pub fn federation() -> Vec<(&'static str, super::PluginOpts)> {
    vec![
        ("v3adfspassword", v3adfspassword),
        ("v3fedkerb", v3fedkerb),
        ("v3kerberos", v3kerberos),
        ("v3oauth1", v3oauth1),
        ("v3oauth2clientcredential", v3oauth2clientcredential),
        ("v3oauth2mtlsclientcredential", v3oauth2mtlsclientcredential),
        ("v3oidcaccesstoken", v3oidcaccesstoken),
        ("v3oidcauthcode", v3oidcauthcode),
        ("v3oidcclientcredentials", v3oidcclientcredentials),
        ("v3oidcdeviceauthz", v3oidcdeviceauthz),
        ("v3oidcpassword", v3oidcpassword),
        ("v3samlpassword", v3samlpassword),
        ("v3tokenlessauth", v3tokenlessauth),
        ("v3websso", v3websso),
    ]
}
