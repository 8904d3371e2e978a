//! Plugins that authenticate against the identity service's token API.

pub mod generic;
pub(crate) mod http;
pub mod oauth2;
pub mod oidc;
pub mod tokenless;
pub mod v2;
pub mod v3;
