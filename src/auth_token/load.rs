//! Building the layer from a loaded `[keystone_authtoken]` group.

use std::sync::Arc;
use std::time::Duration;

use super::config::AuthTokenConfig;
use super::layer::AuthTokenLayer;
use super::source::IdentityServer;
use crate::auth::{PluginRegistry, load_from_group};
use crate::diagnostic::{Code, Diagnostic};
use crate::namespace::keystonemiddleware::GROUP;
use crate::resolve::{LoadError, Loader};
use crate::session::Session;

fn error(message: String) -> LoadError {
    LoadError::new(vec![Diagnostic::error(Code::AuthToken, message).group(GROUP)])
}

impl AuthTokenLayer {
    /// Loads `[keystone_authtoken]` from `loader` (whose registry must have
    /// keystonemiddleware's options, see
    /// [`crate::namespace::keystonemiddleware`]): the service's own auth
    /// plugin (`auth_type`, or the legacy `admin_*` options), its Session
    /// (`cafile`, `certfile`, `keyfile`, `insecure`,
    /// `http_connect_timeout`), and the layer's settings. The Session is
    /// returned too: it is the one to share with handlers.
    pub fn from_loader(loader: &Loader<'_>, plugins: &PluginRegistry) -> Result<(AuthTokenLayer, Session), LoadError> {
        let loaded = load_from_group(loader, plugins, GROUP)?;
        let config = AuthTokenConfig::from_snapshot(&loaded.snapshot, GROUP)?;
        let mut options = loaded.session.clone();
        if let Some(t) = loaded.snapshot.value(GROUP, "http_connect_timeout").and_then(|v| v.as_int()) {
            if t > 0 {
                options.timeout = Some(Duration::from_secs(t.unsigned_abs()));
            }
        }
        let session = Session::builder()
            .auth(loaded.plugin.clone())
            .options(options)
            .build()
            .map_err(|e| error(format!("cannot build the service's session: {e}")))?;
        let layer = AuthTokenLayer::from_session(&session, config).map_err(|e| error(e.to_string()))?;
        Ok((layer, session))
    }

    /// A layer that validates with the identity service found in
    /// `session`'s catalog, authenticating as the session's plugin.
    pub fn from_session(session: &Session, config: AuthTokenConfig) -> Result<AuthTokenLayer, super::AuthTokenError> {
        let source = IdentityServer::new(
            session,
            config.interface,
            config.region_name.as_deref(),
            config.http_request_max_retries,
        )
        .timeout(config.identity_timeout);
        AuthTokenLayer::with_source(Arc::new(source), config)
    }
}
