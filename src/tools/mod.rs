//! What the `stackauth` command does, as library calls: the binary only
//! parses arguments and prints.

pub mod generate;
pub mod migrate;
/// Opt-data import lives with the other option sets; kept here for the
/// command's paths.
pub use crate::namespace::optdata;
pub use crate::namespace::optdata_cache;
pub mod render;
pub mod schema;
pub mod show;
pub(crate) mod text;
pub mod token;
pub mod validate;
