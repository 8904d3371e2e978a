//! Validating incoming tokens: keystonemiddleware's `auth_token` as a tower
//! layer.
//!
//! A request arrives with a user's `X-Auth-Token` (and perhaps a service's
//! `X-Service-Token`). The layer validates them with the identity service,
//! using the service's own credentials from `[keystone_authtoken]`, removes
//! every identity header the client sent, sets the `X-Identity-Status`,
//! `X-User-Id`, `X-Project-Id`, `X-Roles`... headers, and puts a
//! [`UserContext`] in the request's extensions. From it,
//! [`UserContext::auth_plugin`] is an auth plugin that calls other services
//! as the caller, through the caller's own catalog.
//!
//! Validations are cached by a hash of the token (in process, or in
//! memcached shared by every process, optionally authenticated or
//! encrypted as keystonemiddleware does); one validation serves every
//! concurrent request with the same unseen token; rejected tokens are
//! remembered for a short time.

mod access_rules;
mod bind;
mod cache;
mod caller;
mod config;
mod context;
mod crypt;
#[cfg(feature = "fixture")]
pub mod fixture;
mod headers;
mod keyed;
mod layer;
mod load;
mod memcache;
mod source;
mod validator;

pub use bind::RemoteUser;
pub use config::{AuthTokenConfig, BindMode, DEFAULT_IDENTITY_TIMEOUT, MemcacheConfig, MemcacheTls};
pub use context::{IdentityStatus, UserContext};
pub use crypt::Protection;
pub use layer::{AuthToken, AuthTokenError, AuthTokenLayer, ResponseFuture};
pub use memcache::MemcacheConfigError;
pub use source::{IdentityServer, SourceError, TokenSource, ValidateTokenOptions, Validated};
#[doc(hidden)]
pub use validator::MAX_IN_FLIGHT;
pub use validator::TokenValidator;
