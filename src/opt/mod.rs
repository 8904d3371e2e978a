//! The option model: how applications and plugins declare their options.
//!
//! This module depends on nothing else in stackauth; every other part
//! (sources, resolution, auth plugins, tools) stands on it.

mod deprecation;
#[allow(clippy::module_inception)]
mod opt;
mod raw;
mod registry;
mod secret;
mod types;
mod value;

pub use deprecation::{Compound, CompoundPart, DeprecatedName, PartFormat, Removal, Segment};
pub use opt::Opt;
pub use raw::RawValue;
pub use registry::{DEFAULT_GROUP, Group, Registry, RegistryError, normalize_group};
pub use secret::{MASK, Secret};
pub(crate) use types::python_float;
pub use types::{
    Choices, DictType, IpVersion, ListType, NumberType, OptType, Pattern, PatternError, StringType, UriType,
};
pub use value::Value;
