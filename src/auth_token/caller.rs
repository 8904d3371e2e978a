//! The caller as an auth plugin that also sends the calling service's own
//! token as `X-Service-Token` (keystonemiddleware's `UserAuthPlugin`): the
//! next service sees a service acting for a user, and accepts the user's
//! token a little past its expiry (`allow_expired`) for long operations.

use std::sync::Arc;

use crate::auth::transport::{BoxFuture, Transport};
use crate::auth::{AccessInfo, AuthError, AuthPlugin, Credentials};
use crate::session::AuthState;

/// The caller's token, with the service's own as `X-Service-Token`.
#[derive(Debug)]
pub(crate) struct CallerAuth {
    pub user: AccessInfo,
    pub service: Arc<AuthState>,
}

impl AuthPlugin for CallerAuth {
    fn plugin_name(&self) -> &str {
        "token_auth"
    }

    /// Both tokens were issued earlier (the service's by its own Session).
    fn issues_fresh_tokens(&self) -> bool {
        false
    }

    fn authenticate<'a>(&'a self, t: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>> {
        Box::pin(async move {
            let own = self.service.get(t).await?;
            let user = Arc::new(self.user.clone());
            // A service with fixed headers (admin_token) has no token to add.
            Ok(match own.credentials.renewable() {
                Some(service) => Credentials::OnBehalf { user, service: Arc::new(service.clone()) },
                None => Credentials::Token(user),
            })
        })
    }
}
