//! The Session and Adapter: one HTTP client, its transport security and
//! its auth plugin's token, borrowed by every client of a daemon.
//!
//! - Tokens are fetched on demand, once however many tasks ask at the same
//!   time, replaced before they expire, and replaced once after a 401.
//! - Relative URLs resolve through the token's service catalog (or an
//!   override, or a fixed-endpoint plugin).
//! - Connection failures and retriable statuses are retried with backoff;
//!   a non-idempotent request is never sent twice.
//! - Redirects are followed; credentials are dropped when a redirect leaves
//!   the origin.
//! - A global request id (`X-OpenStack-Request-ID`) is sent per request or
//!   per adapter; responses' request ids are logged and returned.
//! - Logs carry method, URL, status, time and request ids; tokens appear only
//!   as `{SHA256}<hex>`, auth bodies never.

mod adapter;
mod attempt;
mod auth_state;
#[cfg(feature = "barbican")]
mod barbican;
mod core;
pub mod discover;
mod limit;
pub(crate) mod redact;
mod request;
mod request_id;
mod retry;

pub use adapter::Adapter;
pub use auth_state::{AuthState, DEFAULT_REFRESH_MARGIN};
#[cfg(feature = "barbican")]
pub use barbican::{BarbicanSource, Castellan};
pub use core::{EndpointData, ServiceVersions, Session, SessionBuilder, Timing};
pub use discover::{Allow, DiscoveryOptions, InvalidVersion, Version, VersionSpec, VersionSpecError};
pub use request::{Body, MicroversionOutOfRange, Request, Response, SessionError, VersionNotFound};
pub use request_id::{GlobalRequestId, InvalidRequestId, REQUEST_ID_HEADER};
pub use retry::RetryPolicy;
