//! stackauth: config-driven service-to-service auth for OpenStack-style
//! identity services.
//!
//! The layers, each standing on the one before:
//! - [`opt`]: option schemas (types, defaults, secrets, deprecations) in a
//!   [`opt::Registry`];
//! - [`source`]: where values come from (oslo-dialect INI files kept byte
//!   for byte, TOML, config dirs, the environment, the command line), each
//!   value with its [`source::Origin`];
//! - [`resolve`]: layering, deprecated names, interpolation and typing into
//!   one immutable [`Snapshot`];
//! - [`namespace`]: built-in option sets (keystonemiddleware's
//!   `[keystone_authtoken]`);
//! - [`tools`]: what the `stackauth` command does, as library calls.
#![warn(missing_docs)]

// The config half: always built.
pub mod diagnostic;
mod fxhash;
pub mod namespace;
pub mod opt;
pub mod origin;
pub mod resolve;
pub mod snapshot;
pub mod source;

// The rest, one cargo feature each (see Cargo.toml and README's Features).
#[cfg(feature = "auth")]
pub mod auth;
#[cfg(feature = "auth-token")]
pub mod auth_token;
#[cfg(feature = "reload")]
pub mod reload;
#[cfg(feature = "session")]
pub mod session;
#[cfg(feature = "tools")]
pub mod tools;

pub use diagnostic::{Diagnostic, Severity};
pub use resolve::{LoadError, Loader};
pub use snapshot::Snapshot;

/// The README's examples, compiled as doc tests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
