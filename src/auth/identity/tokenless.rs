//! `v3tokenlessauth`: keystoneauth1's `TokenlessAuth`.
//!
//! No token at all: the client certificate (the Session's
//! `certfile`/`keyfile`) is the identity, which Keystone maps through its
//! `[tokenless_auth]` settings, and every request names the scope in
//! headers: `X-Project-Id`; or `X-Project-Name` with `X-Project-Domain-Id`
//! or `X-Project-Domain-Name`; or `X-Domain-Id`; or `X-Domain-Name` (the
//! first that is set, in that order, as keystoneauth picks them). There is
//! no catalog: the identity service is `auth_url`, other services need an
//! endpoint override.

use std::sync::Arc;

use crate::auth::plugin::{AuthError, AuthPlugin, Credentials, PluginError, PluginOptions};
use crate::auth::transport::{BoxFuture, Transport};
use crate::opt::Secret;

/// The plugin.
#[derive(Debug)]
pub struct TokenlessAuth {
    name: String,
    auth_url: String,
    headers: Vec<(&'static str, Secret)>,
}

impl TokenlessAuth {
    /// From a group's options: `auth_url` and the scope. keystoneauth
    /// sends no headers (so the request goes unauthenticated) when the
    /// scope is incomplete; stackauth refuses such a group when it loads.
    pub fn from_opts(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let auth_url = o.need("auth_url")?;
        let h = |k: &'static str, v: String| (k, Secret::new(v));
        let headers = if let Some(id) = o.str("project_id") {
            vec![h("X-Project-Id", id)]
        } else if let Some(name) = o.str("project_name") {
            let domain = if let Some(d) = o.str("project_domain_id") {
                h("X-Project-Domain-Id", d)
            } else if let Some(d) = o.str("project_domain_name") {
                h("X-Project-Domain-Name", d)
            } else {
                return Err(PluginError::option(
                    "project_name",
                    format!("project_name {name:?} needs its domain (keystoneauth would send no scope)"),
                )
                .suggest(format!("set project_domain_name (or project_domain_id) in [{}]", o.group())));
            };
            vec![h("X-Project-Name", name), domain]
        } else if let Some(id) = o.str("domain_id") {
            vec![h("X-Domain-Id", id)]
        } else if let Some(name) = o.str("domain_name") {
            vec![h("X-Domain-Name", name)]
        } else {
            return Err(PluginError::general(
                "v3tokenlessauth needs a scope: the client certificate says who, the scope options say where",
            )
            .suggest(format!(
                "set project_id, project_name with project_domain_name, domain_id or domain_name in [{}]",
                o.group()
            )));
        };
        Ok(Arc::new(TokenlessAuth { name: o.plugin().to_owned(), auth_url, headers }))
    }
}

impl AuthPlugin for TokenlessAuth {
    fn plugin_name(&self) -> &str {
        &self.name
    }

    fn authenticate<'a>(&'a self, _t: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>> {
        Box::pin(async move { Ok(Credentials::Headers(self.headers.clone())) })
    }

    fn auth_url(&self) -> Option<&str> {
        Some(&self.auth_url)
    }
}
