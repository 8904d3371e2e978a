//! Auth plugins: keystoneauth1's plugins with their option schemas, and
//! their loading from a config group.
//!
//! A plugin type declares its options with the same [`crate::opt::Opt`]
//! model as everything else, so a group whose options depend on its
//! `auth_type` is typed, validated and explained like any other.

mod access;
mod builtin;
mod catalog;
#[cfg(feature = "cli-loading")]
pub mod cli;
mod conf;
#[cfg(feature = "etcd")]
mod etcd;
mod fixed;
pub mod identity;
pub(crate) mod load;
#[cfg(feature = "openbao")]
mod openbao;
mod plugin;
mod register;
mod remote_file;
pub mod service_types;
/// keystoneauth1's loading options, per plugin: plain option data, kept
/// with the other built-in option sets in [`crate::namespace`].
pub use crate::namespace::keystoneauth as schema;
pub(crate) mod time;
mod token_auth;
pub mod transport;
pub mod version;

pub use access::{AccessInfo, AccessRule, IdName, InvalidToken, Scoped, TokenVersion};
pub use catalog::{Endpoint, EndpointFilter, EndpointNotFound, Interface, ServiceCatalog};
pub use conf::{AdapterOptions, SessionOptions};
#[cfg(feature = "etcd")]
pub use etcd::{Etcd, EtcdSource};
pub use fixed::FixedAuth;
pub use load::{LoadedAuth, load_from_group, load_from_inputs};
#[cfg(feature = "openbao")]
pub use openbao::{OpenBao, OpenBaoSource};
pub use plugin::{
    AuthError, AuthPlugin, BuildFn, Credentials, DuplicatePlugin, PluginError, PluginOptions, PluginRegistry,
    PluginType,
};
pub use register::register_conf_options;
pub use remote_file::{RemoteFile, RemoteFileSource};
pub use token_auth::TokenAuth;
pub use transport::{HttpClient, ReqwestTransport, SharedClient, Transport};
