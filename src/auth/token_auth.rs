//! A plugin built from a token someone else already validated: a service
//! acting on behalf of its caller (keystonemiddleware's `keystone.token_auth`).

use super::access::{AccessInfo, IdName};
use super::plugin::{AuthError, AuthPlugin, Credentials};
use super::transport::{BoxFuture, Transport};

/// The caller's token and its catalog, as an auth plugin. It never fetches
/// a token: it uses the one it was given until it expires.
///
/// ```
/// # fn demo(access: stackauth::auth::AccessInfo) {
/// let plugin = stackauth::auth::TokenAuth::new(access);
/// println!("acting for user {:?} in project {:?}", plugin.user_id(), plugin.project_id());
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct TokenAuth {
    access: AccessInfo,
}

impl TokenAuth {
    /// Wraps a validated token.
    pub fn new(access: AccessInfo) -> TokenAuth {
        TokenAuth { access }
    }

    /// The token's access info.
    pub fn access(&self) -> &AccessInfo {
        &self.access
    }

    /// The user's id.
    pub fn user_id(&self) -> Option<&str> {
        self.access.user.ident.id.as_deref()
    }

    /// The user's domain.
    pub fn user_domain(&self) -> Option<&IdName> {
        self.access.user.domain.as_ref()
    }

    /// The project's id.
    pub fn project_id(&self) -> Option<&str> {
        self.access.project.as_ref().and_then(|p| p.ident.id.as_deref())
    }

    /// The project's domain.
    pub fn project_domain(&self) -> Option<&IdName> {
        self.access.project.as_ref().and_then(|p| p.domain.as_ref())
    }

    /// Role names.
    pub fn roles(&self) -> Vec<&str> {
        self.access.role_names()
    }

    /// The trust id, for a trust-scoped token.
    pub fn trust_id(&self) -> Option<&str> {
        self.access.trust_id.as_deref()
    }
}

impl AuthPlugin for TokenAuth {
    fn plugin_name(&self) -> &str {
        "token_auth"
    }

    fn issues_fresh_tokens(&self) -> bool {
        false
    }

    fn authenticate<'a>(&'a self, _t: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>> {
        Box::pin(async move {
            if self.access.will_expire_soon(std::time::Duration::ZERO) {
                return Err(AuthError::Unsupported("the caller's token has expired and cannot be renewed".into()));
            }
            Ok(Credentials::Token(std::sync::Arc::new(self.access.clone())))
        })
    }
}
