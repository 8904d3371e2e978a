//! OpenStack service-type aliases (`volumev3` = `block-storage`...), from
//! the service-types authority data that os-service-types ships, with its
//! `ServiceTypes` queries as keystoneauth1 uses them for the catalog.
//!
//! Names compare as everywhere in the catalog: without regard to ASCII case
//! and with `_` and `-` the same (os-service-types only maps `_` to `-`, and
//! only in what it looks up), so `Block_Storage` is `block-storage` here.

#[path = "service_types_data.rs"]
mod data;

pub use data::{ALL_TYPES, PACKAGE_VERSION, SHA, VERSION};

/// Whether two service types are the same name: ASCII case and `_`/`-`
/// aside. Without allocating: this runs for every catalog entry on every
/// request through the catalog.
pub fn same_service_type(a: &str, b: &str) -> bool {
    let norm = |c: u8| if c == b'_' { b'-' } else { c.to_ascii_lowercase() };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| norm(x) == norm(y))
}

/// The official type and its aliases, official first, for a known type or
/// alias (`all_types_by_service_type` of its official type); `None` for a
/// type the data does not know.
pub fn group(service_type: &str) -> Option<&'static [&'static str]> {
    ALL_TYPES.iter().copied().find(|g| g.iter().any(|n| same_service_type(n, service_type)))
}

/// The official type for a type or alias (os-service-types'
/// `get_service_type`), `None` for an unknown one.
pub fn official(service_type: &str) -> Option<&'static str> {
    group(service_type).and_then(|g| g.first().copied())
}

/// Whether the data knows `service_type`, as the official type or an alias
/// (`is_known`).
pub fn is_known(service_type: &str) -> bool {
    group(service_type).is_some()
}

/// The official type and every alias, in order of preference; for an
/// unknown type, that type alone with `_` as `-` (os-service-types'
/// `get_all_types`).
pub fn all_types(service_type: &str) -> Vec<String> {
    match group(service_type) {
        Some(g) => g.iter().map(|n| (*n).to_owned()).collect(),
        None => vec![service_type.replace('_', "-")],
    }
}

/// Whether a catalog entry of type `found` serves a request for
/// `requested` (os-service-types' `is_match`, as keystoneauth filters the
/// catalog with it): the same type; or `found` is an official type and
/// `requested` one of its aliases; or `found` is an alias and `requested`
/// its official type. One alias never matches another (`volumev2` is not
/// `volumev3`): old aliases imply API versions.
pub fn is_match(requested: &str, found: &str) -> bool {
    same_service_type(requested, found) || Requested::new(requested).matches(found)
}

/// A requested service type, looked up in the data once for a whole
/// catalog: which types serve it, and in what order of preference.
#[derive(Clone, Copy, Debug)]
pub struct Requested<'a> {
    name: &'a str,
    /// Its group (official type first), if the data knows it.
    group: Option<&'static [&'static str]>,
    /// Whether it is its group's official type.
    official: bool,
}

impl<'a> Requested<'a> {
    /// Looks `name` up.
    pub fn new(name: &'a str) -> Requested<'a> {
        let group = group(name);
        let official = group.and_then(|g| g.first()).is_some_and(|o| same_service_type(o, name));
        Requested { name, group, official }
    }

    /// `name` as served only by catalog entries of that same name, without
    /// looking it up: the lookup's fast path, as that name is always
    /// preferred when the catalog has it.
    pub fn exact(name: &'a str) -> Requested<'a> {
        Requested { name, group: None, official: false }
    }

    /// [`is_match`] for this requested type: an official type is served by
    /// its aliases, an alias by its official type, an unknown type only by
    /// itself. Without allocating: this runs for every catalog entry.
    pub fn matches(&self, found: &str) -> bool {
        if same_service_type(self.name, found) {
            return true;
        }
        match self.group {
            Some([_, aliases @ ..]) if self.official => aliases.iter().any(|a| same_service_type(a, found)),
            Some([first, ..]) => same_service_type(first, found),
            _ => false,
        }
    }

    /// Among catalog types that match, how much `found` is preferred (lower
    /// first), as keystoneauth chooses when a catalog has several (a cloud
    /// mid-migration registers `volumev3` and `block-storage`): the
    /// requested name itself, then the authority's order (official type,
    /// then aliases). `None` for a type that is neither.
    pub fn preference(&self, found: &str) -> Option<usize> {
        if same_service_type(self.name, found) {
            return Some(0);
        }
        self.group?.iter().position(|n| same_service_type(n, found)).map(|i| i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_types_match_across_case_and_separators() {
        assert!(same_service_type("block-storage", "block_storage"));
        assert!(same_service_type("Block_Storage", "block-STORAGE"));
        assert!(same_service_type("compute", "compute"));
        assert!(!same_service_type("compute", "computer"));
        assert!(!same_service_type("volumev3", "volume-v3"));
        assert!(!same_service_type("image", "imagf"));
    }

    #[test]
    fn aliases_match_their_official_type_both_ways_but_not_each_other() {
        assert!(is_match("volumev3", "block-storage"));
        assert!(is_match("block-storage", "volumev3"));
        assert!(is_match("block_storage", "volume"));
        assert!(is_match("Share", "shared-file-system"));
        assert!(!is_match("volumev2", "volumev3"));
        assert!(!is_match("volume", "block-store"));
        assert!(!is_match("compute", "block-storage"));
        assert!(!is_match("compute-legacy", "compute"));
        assert!(is_match("my-service", "my_service"));
    }

    #[test]
    fn lookups() {
        assert_eq!(official("volumev3"), Some("block-storage"));
        assert_eq!(official("application_deployment"), Some("application-deployment"));
        assert_eq!(official("nope"), None);
        assert!(is_known("telemetry") && !is_known("compute_legacy"));
        assert_eq!(all_types("sharev2"), ["shared-file-system", "sharev2", "share"]);
        assert_eq!(all_types("my_service"), ["my-service"]);
        let p = |r: &str, f: &str| Requested::new(r).preference(f);
        assert_eq!(p("volumev3", "volumev3"), Some(0));
        assert_eq!(p("volumev3", "block-storage"), Some(1));
        assert_eq!(p("block-storage", "volume"), Some(4));
        assert_eq!(p("my-service", "my-service"), Some(0));
        assert_eq!(p("my-service", "other"), None);
    }

    #[test]
    fn the_data_is_whole() {
        assert_eq!(ALL_TYPES.len(), 45);
        assert!(ALL_TYPES.iter().all(|g| !g.is_empty()));
        // Every name leads back to its own group, or lookups would be
        // ambiguous (`application_deployment` differs from its official
        // type only by spelling).
        for g in ALL_TYPES {
            for n in g.iter() {
                assert_eq!(group(n), Some(*g), "{n}");
            }
        }
    }
}
