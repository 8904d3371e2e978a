//! The v3 identity API: `POST /v3/auth/tokens` with one or more methods
//! and a scope, bodies shaped as keystoneauth1's `identity/v3` builds them.

use std::sync::Arc;

use serde_json::{Map, Value as J, json};

use super::http;
use crate::auth::access::AccessInfo;
use crate::auth::plugin::{AuthError, AuthPlugin, Credentials, PluginError, PluginOptions};
use crate::auth::transport::{BoxFuture, HttpRequest, Transport};
use crate::opt::Secret;

/// A domain, by id or by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainRef {
    /// `{"id": ...}`.
    Id(String),
    /// `{"name": ...}`.
    Name(String),
}

impl DomainRef {
    fn json(&self) -> J {
        match self {
            DomainRef::Id(id) => json!({ "id": id }),
            DomainRef::Name(n) => json!({ "name": n }),
        }
    }

    /// From `<prefix>domain_id` / `<prefix>domain_name` options (id first).
    pub(crate) fn from_opts(o: &PluginOptions<'_>, id: &str, name: &str) -> Option<DomainRef> {
        o.str(id).map(DomainRef::Id).or_else(|| o.str(name).map(DomainRef::Name))
    }
}

/// A user, by id or by name within a domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRef {
    /// `{"id": ...}`.
    Id(String),
    /// `{"name": ..., "domain": ...}`.
    Name {
        /// The user name.
        name: String,
        /// Its domain (required by Keystone for a name).
        domain: Option<DomainRef>,
    },
}

impl UserRef {
    fn write(&self, obj: &mut Map<String, J>) {
        match self {
            UserRef::Id(id) => {
                obj.insert("id".into(), json!(id));
            }
            UserRef::Name { name, domain } => {
                obj.insert("name".into(), json!(name));
                if let Some(d) = domain {
                    obj.insert("domain".into(), d.json());
                }
            }
        }
    }

    /// The user from `user_id` / `username` + `user_domain_*`, falling back to
    /// `default_domain` for the domain. A name without a domain is an error
    /// naming the option to add (Keystone would answer 401).
    pub(crate) fn from_opts(
        o: &PluginOptions<'_>,
        default_domain: Option<DomainRef>,
    ) -> Result<Option<UserRef>, PluginError> {
        if let Some(id) = o.str("user_id") {
            return Ok(Some(UserRef::Id(id)));
        }
        let Some(name) = o.str("username") else { return Ok(None) };
        let domain = DomainRef::from_opts(o, "user_domain_id", "user_domain_name").or(default_domain);
        if domain.is_none() {
            return Err(PluginError::option(
                "username",
                format!(
                    "username {name:?} needs its domain: in the v3 identity API a user name is only unique within a domain"
                ),
            )
            .suggest(format!("set user_domain_name (or user_domain_id) in [{}]", o.group())));
        }
        Ok(Some(UserRef::Name { name, domain }))
    }
}

/// One v3 authentication method.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `password`.
    Password {
        /// Who.
        user: UserRef,
        /// The password.
        password: Secret,
    },
    /// `token` (rescoping an existing token).
    Token {
        /// The token.
        token: Secret,
    },
    /// `application_credential`, by id or by name and user.
    ApplicationCredential {
        /// The credential's id.
        id: Option<String>,
        /// The credential's name (with `user`).
        name: Option<String>,
        /// The owner, when given by name.
        user: Option<UserRef>,
        /// The secret.
        secret: Secret,
    },
    /// `totp`.
    Totp {
        /// Who.
        user: UserRef,
        /// The passcode.
        passcode: Secret,
    },
}

impl AuthMethod {
    fn name(&self) -> &'static str {
        match self {
            AuthMethod::Password { .. } => "password",
            AuthMethod::Token { .. } => "token",
            AuthMethod::ApplicationCredential { .. } => "application_credential",
            AuthMethod::Totp { .. } => "totp",
        }
    }

    fn data(&self) -> J {
        match self {
            AuthMethod::Password { user, password } => {
                let mut u = Map::new();
                u.insert("password".into(), json!(password.expose()));
                user.write(&mut u);
                json!({ "user": u })
            }
            AuthMethod::Token { token } => json!({ "id": token.expose() }),
            AuthMethod::ApplicationCredential { id, name, user, secret } => {
                let mut m = Map::new();
                m.insert("secret".into(), json!(secret.expose()));
                match id {
                    Some(id) => {
                        m.insert("id".into(), json!(id));
                    }
                    None => {
                        m.insert("name".into(), json!(name));
                        let mut u = Map::new();
                        if let Some(user) = user {
                            user.write(&mut u);
                        }
                        m.insert("user".into(), J::Object(u));
                    }
                }
                J::Object(m)
            }
            AuthMethod::Totp { user, passcode } => {
                let mut u = Map::new();
                u.insert("passcode".into(), json!(passcode.expose()));
                user.write(&mut u);
                json!({ "user": u })
            }
        }
    }
}

/// What a token is scoped to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scope {
    /// Nothing asked: Keystone picks the user's default project, if any.
    #[default]
    Default,
    /// A project by id.
    ProjectId(String),
    /// A project by name within a domain.
    ProjectName {
        /// The project name.
        name: String,
        /// Its domain.
        domain: DomainRef,
    },
    /// A domain.
    Domain(DomainRef),
    /// A trust.
    Trust(String),
    /// The whole system (`system_scope = all`).
    System,
    /// Explicitly unscoped.
    Unscoped,
}

impl Scope {
    /// keystoneauth's scope rules: at most one of project, domain, trust
    /// and system; a project name needs its domain (or `default_domain`).
    pub(crate) fn from_opts(o: &PluginOptions<'_>, default_domain: Option<DomainRef>) -> Result<Scope, PluginError> {
        let domain = DomainRef::from_opts(o, "domain_id", "domain_name");
        let project = o.str("project_id").is_some() || o.str("project_name").is_some();
        let trust = o.str("trust_id");
        let system = o.str("system_scope");
        let chosen: Vec<&str> = [
            (domain.is_some(), "domain"),
            (project, "project"),
            (trust.is_some(), "trust"),
            (system.is_some(), "system"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
        if chosen.len() > 1 {
            return Err(PluginError::general(format!(
                "a token can be scoped to one target only, but {} are set",
                chosen.join(" and ")
            ))
            .suggest("keep one of project_*, domain_*, trust_id or system_scope"));
        }
        if let Some(d) = domain {
            return Ok(Scope::Domain(d));
        }
        if let Some(id) = o.str("project_id") {
            return Ok(Scope::ProjectId(id));
        }
        if let Some(name) = o.str("project_name") {
            let d = DomainRef::from_opts(o, "project_domain_id", "project_domain_name").or(default_domain);
            return match d {
                Some(domain) => Ok(Scope::ProjectName { name, domain }),
                None => Err(PluginError::option(
                    "project_name",
                    format!(
                        "project_name {name:?} needs its domain: in the v3 identity API a project name is only \
                         unique within a domain"
                    ),
                )
                .suggest(format!("set project_domain_name (or project_domain_id) in [{}]", o.group()))),
            };
        }
        if let Some(t) = trust {
            return Ok(Scope::Trust(t));
        }
        match system.as_deref() {
            Some("all") => Ok(Scope::System),
            Some(other) => Err(PluginError::option(
                "system_scope",
                format!("system_scope {other:?} is not supported: the only system scope is \"all\""),
            )),
            None => Ok(Scope::Default),
        }
    }

    fn json(&self) -> Option<J> {
        Some(match self {
            Scope::Default => return None,
            Scope::ProjectId(id) => json!({ "project": { "id": id } }),
            Scope::ProjectName { name, domain } => json!({ "project": { "name": name, "domain": domain.json() } }),
            Scope::Domain(d) => json!({ "domain": d.json() }),
            Scope::Trust(t) => json!({ "OS-TRUST:trust": { "id": t } }),
            Scope::System => json!({ "system": { "all": true } }),
            Scope::Unscoped => json!("unscoped"),
        })
    }
}

/// A v3 identity plugin: methods plus a scope.
#[derive(Clone, Debug)]
pub struct V3Auth {
    name: String,
    auth_url: String,
    methods: Vec<AuthMethod>,
    scope: Scope,
    include_catalog: bool,
}

impl V3Auth {
    /// A plugin named `name` (as `auth_type` names it) for `auth_url`.
    pub fn new(name: &str, auth_url: &str, methods: Vec<AuthMethod>, scope: Scope) -> V3Auth {
        V3Auth { name: name.to_owned(), auth_url: auth_url.to_owned(), methods, scope, include_catalog: true }
    }

    /// Asks for a token without the catalog (`?nocatalog`).
    pub fn without_catalog(mut self) -> V3Auth {
        self.include_catalog = false;
        self
    }

    /// `<auth_url>/auth/tokens` when the URL already ends in `v3`, else
    /// `<auth_url>/v3/auth/tokens`; `?nocatalog` when asked.
    pub fn token_url(&self) -> String {
        let base = self.auth_url.trim_end_matches('/');
        let mut url =
            if base.ends_with("v3") { format!("{base}/auth/tokens") } else { format!("{base}/v3/auth/tokens") };
        if !self.include_catalog {
            url.push_str("?nocatalog");
        }
        url
    }

    /// The request body, as keystoneauth1 builds it.
    pub fn body(&self) -> J {
        let mut identity = Map::new();
        identity.insert("methods".into(), json!(self.methods.iter().map(AuthMethod::name).collect::<Vec<_>>()));
        for m in &self.methods {
            identity.insert(m.name().into(), m.data());
        }
        let mut auth = Map::new();
        auth.insert("identity".into(), J::Object(identity));
        if let Some(s) = self.scope.json() {
            auth.insert("scope".into(), s);
        }
        json!({ "auth": auth })
    }

    /// Fetches a token.
    pub async fn get_access(&self, t: &dyn Transport) -> Result<AccessInfo, AuthError> {
        let url = self.token_url();
        let mut req = HttpRequest::post_json(&url, self.body());
        for m in &self.methods {
            if let AuthMethod::Token { token } = m {
                req.secret_headers.push(("X-Auth-Token", token.clone()));
            }
        }
        let resp = http::send(t, req, false).await?;
        let subject = resp.headers.get("X-Subject-Token").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let body = http::json(&url, &resp)?;
        AccessInfo::from_v3(&subject, &body).map_err(|e| AuthError::InvalidResponse { url, reason: e.0 })
    }

    /// Wraps it as a shareable plugin.
    pub fn into_plugin(self) -> Arc<dyn AuthPlugin> {
        Arc::new(self)
    }
}

impl AuthPlugin for V3Auth {
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
