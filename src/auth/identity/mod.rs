//! Plugins that authenticate against the identity service's token API.

pub mod generic;
mod http;
pub mod v2;
pub mod v3;
