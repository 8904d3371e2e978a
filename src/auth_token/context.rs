//! What the layer hands the service: who called, as typed values, and an
//! auth plugin that calls other services on the caller's behalf.

use std::sync::Arc;
use std::time::SystemTime;

use crate::auth::{AccessInfo, AuthPlugin, IdName, ServiceCatalog, TokenAuth};
use crate::session::{Adapter, GlobalRequestId, Session};

/// Whether a token was confirmed (`X-Identity-Status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IdentityStatus {
    /// Validated by the identity service.
    Confirmed,
    /// Missing, invalid, expired or revoked (only seen with
    /// `delay_auth_decision`).
    Invalid,
}

impl IdentityStatus {
    /// The header value: `Confirmed` or `Invalid`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityStatus::Confirmed => "Confirmed",
            IdentityStatus::Invalid => "Invalid",
        }
    }
}

/// The caller, as the auth_token layer found them: put in the request's
/// extensions for the handler.
///
/// It serializes with serde (tokens included, so treat the serialized form
/// as a secret), so an API service can hand it to a backend worker over a
/// queue and the worker can call other services as the caller with
/// [`UserContext::auth_plugin`]. `Debug` never shows a token.
///
/// The caller's accessors ([`UserContext::user`], [`UserContext::has_role`],
/// [`UserContext::auth_plugin`]...) answer only for an authenticated
/// request ([`UserContext::is_authenticated`]): with
/// `delay_auth_decision` the handler also sees requests whose user token,
/// or service token, was not confirmed, and a check such as
/// `has_role("admin")` must not pass for them.
///
/// ```
/// # fn handler(ctx: &stackauth::auth_token::UserContext) {
/// if ctx.has_role("admin") {
///     println!("admin {} in project {:?}", ctx.user_id().unwrap_or("?"), ctx.project_id());
/// }
/// # }
/// ```
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct UserContext {
    status: IdentityStatus,
    user: Option<Arc<AccessInfo>>,
    service_status: Option<IdentityStatus>,
    service: Option<Arc<AccessInfo>>,
    /// The caller's `X-OpenStack-Request-ID`, when it was well formed.
    #[serde(default)]
    global_request_id: Option<GlobalRequestId>,
}

impl UserContext {
    pub(crate) fn new(
        user: Option<Arc<AccessInfo>>,
        service_status: Option<IdentityStatus>,
        service: Option<Arc<AccessInfo>>,
        global_request_id: Option<GlobalRequestId>,
    ) -> UserContext {
        let status = if user.is_some() { IdentityStatus::Confirmed } else { IdentityStatus::Invalid };
        UserContext { status, user, service_status, service, global_request_id }
    }

    /// The global request id the caller sent (`X-OpenStack-Request-ID`,
    /// `req-` and a UUID; any other value was ignored, as oslo.middleware
    /// does). Calls made for this request should carry it on:
    /// [`UserContext::adapter`] does.
    pub fn global_request_id(&self) -> Option<&GlobalRequestId> {
        self.global_request_id.as_ref()
    }

    /// Whether the user token was confirmed (and the service token, if one
    /// was sent).
    pub fn is_authenticated(&self) -> bool {
        self.status == IdentityStatus::Confirmed && self.service_status != Some(IdentityStatus::Invalid)
    }

    /// The user token's status.
    pub fn status(&self) -> IdentityStatus {
        self.status
    }

    /// The service token's status, if one was sent.
    pub fn service_status(&self) -> Option<IdentityStatus> {
        self.service_status
    }

    /// The user token's access info, when the request is authenticated
    /// (the user token confirmed, and the service token too if one was
    /// sent). Every caller accessor below goes through this one.
    pub fn user(&self) -> Option<&AccessInfo> {
        self.user.as_deref().filter(|_| self.is_authenticated())
    }

    /// The service token's access info, when one was sent and confirmed
    /// (whatever the user token's status).
    pub fn service(&self) -> Option<&AccessInfo> {
        self.service.as_deref()
    }

    /// The user's id.
    pub fn user_id(&self) -> Option<&str> {
        self.user()?.user.ident.id.as_deref()
    }

    /// The user's name.
    pub fn user_name(&self) -> Option<&str> {
        self.user()?.user.ident.name.as_deref()
    }

    /// The user's domain.
    pub fn user_domain(&self) -> Option<&IdName> {
        self.user()?.user.domain.as_ref()
    }

    /// The project's id, for a project-scoped token.
    pub fn project_id(&self) -> Option<&str> {
        self.user()?.project.as_ref()?.ident.id.as_deref()
    }

    /// The project's name.
    pub fn project_name(&self) -> Option<&str> {
        self.user()?.project.as_ref()?.ident.name.as_deref()
    }

    /// The project's domain.
    pub fn project_domain(&self) -> Option<&IdName> {
        self.user()?.project.as_ref()?.domain.as_ref()
    }

    /// The domain, for a domain-scoped token.
    pub fn domain(&self) -> Option<&IdName> {
        self.user()?.domain.as_ref()
    }

    /// `all` for a system-scoped token (`OpenStack-System-Scope`).
    pub fn system_scope(&self) -> Option<&str> {
        self.user().filter(|a| a.system_all).map(|_| "all")
    }

    /// Role names.
    pub fn roles(&self) -> Vec<&str> {
        self.user().map(AccessInfo::role_names).unwrap_or_default()
    }

    /// Whether the user has `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.user().is_some_and(|a| a.roles.iter().any(|r| r.name.as_deref() == Some(role)))
    }

    /// The trust, for a trust-scoped token.
    pub fn trust_id(&self) -> Option<&str> {
        self.user()?.trust_id.as_deref()
    }

    /// The application credential the token came from.
    pub fn application_credential_id(&self) -> Option<&str> {
        self.user()?.application_credential_id.as_deref()
    }

    /// When the user token expires.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.user().map(|a| a.expires_at)
    }

    /// The user token's audit ids.
    pub fn audit_ids(&self) -> &[String] {
        self.user().map(|a| a.audit_ids.as_slice()).unwrap_or_default()
    }

    /// The caller's catalog (empty unless `include_service_catalog`).
    pub fn catalog(&self) -> Option<&ServiceCatalog> {
        self.user().map(|a| &a.catalog)
    }

    /// An auth plugin that is the caller: on an Adapter over the service's
    /// shared Session it sends the caller's token and finds endpoints in the
    /// caller's own catalog. `None` when the user token was not confirmed.
    pub fn auth_plugin(&self) -> Option<Arc<dyn AuthPlugin>> {
        let user = self.user()?;
        Some(Arc::new(TokenAuth::new(user.clone())))
    }

    /// An adapter over `session` that calls other services as the caller
    /// ([`UserContext::auth_plugin`]) and carries the caller's global request
    /// id, so the next service's logs name the same request. `None` when the
    /// user token was not confirmed.
    ///
    /// ```no_run
    /// # async fn demo(ctx: stackauth::auth_token::UserContext, session: stackauth::session::Session) {
    /// if let Some(image) = ctx.adapter(&session) {
    ///     let images = image.service_type("image").get("/v2/images").await;
    /// }
    /// # }
    /// ```
    pub fn adapter(&self, session: &Session) -> Option<Adapter> {
        let mut a = Adapter::new(session).auth(self.auth_plugin()?);
        if let Some(id) = &self.global_request_id {
            a = a.global_request_id(id);
        }
        Some(a)
    }

    /// As [`UserContext::auth_plugin`], and every request also carries
    /// `session`'s own token as `X-Service-Token` (keystonemiddleware's
    /// `keystone.token_auth` does this): the next service knows a service
    /// is acting for the user, and accepts the user's token even shortly
    /// after it expires. The service token is `session`'s, refreshed as
    /// usual.
    pub fn auth_plugin_with_service_token(&self, session: &crate::session::Session) -> Option<Arc<dyn AuthPlugin>> {
        let user = self.user()?;
        match session.auth_state() {
            Some(service) => Some(Arc::new(super::caller::CallerAuth { user: user.clone(), service })),
            None => self.auth_plugin(),
        }
    }
}
