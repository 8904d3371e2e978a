//! Hot reload: a configuration that follows its files, applies what may
//! change live, rotates credentials, and never replaces a good
//! configuration with a broken one.
//!
//! - [`LiveConfig`] holds the current snapshot behind `arc-swap`: a read is
//!   a pointer load; a reload builds a whole new snapshot off to the side
//!   and swaps it in only if all of it is valid.
//! - Options declared `mutable` change live; a changed immutable option is
//!   not applied (`Ignoring change to immutable option g.o`); changes are
//!   logged as `Option g.o changed from [old] to [new]`, secrets as `****`.
//! - [`LiveConfig::watch`] follows the files (parent directories watched,
//!   debounced, content-hashed); [`LiveConfig::reload`] is the explicit
//!   reload (SIGHUP).
//! - `LiveConfig::watch_etcd` (feature `etcd`) follows an etcd prefix
//!   with a watch; `LiveConfig::follow_openbao` (feature `openbao`) renews
//!   its token and polls the secrets' KV metadata versions.
//! - [`LiveConfig::manage_session`] rotates a Session's credentials.

mod diff;
#[cfg(any(feature = "etcd", feature = "openbao"))]
mod follow;
mod live;
#[cfg(feature = "session")]
mod session;
mod watch;

pub use diff::Change;
#[cfg(any(feature = "etcd", feature = "openbao"))]
pub use follow::Following;
pub use live::{LiveConfig, ReloadEvent};
#[cfg(feature = "session")]
pub use session::ManagedSession;
pub use watch::{DEBOUNCE, Watching};
