//! A [`Snapshot`] as a config-rs source (feature `config-rs`), for
//! applications already on config-rs: oslo-style files resolved by
//! stackauth (deprecated names, interpolation, types, defaults) go under
//! the application's own sources.
//!
//! ```
//! # use stackauth::opt::{Opt, OptType, Registry};
//! # let mut registry = Registry::new();
//! # registry.register_opt("service_user", Opt::new("timeout", OptType::integer()).default("30")).unwrap();
//! let snapshot = stackauth::Loader::new(&registry).load().unwrap();
//! let config = config::Config::builder()
//!     .add_source(snapshot)
//!     .set_override("service_user.timeout", 60).unwrap()
//!     .build().unwrap();
//! assert_eq!(config.get::<u32>("service_user.timeout").unwrap(), 60);
//! ```
//!
//! Each group is a table, each option with a value an entry of it (typed:
//! integers, floats, booleans, lists and dicts as config-rs's own kinds),
//! with its origin (`file:line:column`, `environment variable ...`) as
//! config-rs's origin, which its errors name. Options with no value are
//! left out, so a lower source or the application's default applies.
//! Secrets go in as plain strings (config-rs has no secret type):
//! deserialize them into [`crate::opt::Secret`] to keep them out of logs.

use config::{ConfigError, Map, Source, Value as CValue, ValueKind};

use super::Snapshot;
use crate::opt::Value;

impl Source for Snapshot {
    fn clone_into_box(&self) -> Box<dyn Source + Send + Sync> {
        Box::new(self.clone())
    }

    fn collect(&self) -> Result<Map<String, CValue>, ConfigError> {
        let mut out = Map::new();
        for group in self.groups() {
            let mut table = Map::new();
            for (dest, resolved) in group.iter() {
                let Some(value) = &resolved.value else { continue };
                let origin = resolved.origin.to_string();
                table.insert(dest.to_owned(), convert(value, &origin));
            }
            if !table.is_empty() {
                out.insert(group.name().to_owned(), CValue::new(None, ValueKind::Table(table)));
            }
        }
        Ok(out)
    }
}

fn convert(value: &Value, origin: &String) -> CValue {
    let kind = match value {
        Value::Str(s) => ValueKind::String(s.clone()),
        Value::Secret(s) => ValueKind::String(s.expose().to_owned()),
        Value::Int(i) => ValueKind::I64(*i),
        Value::Float(f) => ValueKind::Float(*f),
        Value::Bool(b) => ValueKind::Boolean(*b),
        Value::List(items) => ValueKind::Array(items.iter().map(|v| convert(v, origin)).collect()),
        Value::Dict(map) => ValueKind::Table(map.iter().map(|(k, v)| (k.clone(), convert(v, origin))).collect()),
    };
    CValue::new(Some(origin), kind)
}
