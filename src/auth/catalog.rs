//! The service catalog, from v3 (`token.catalog`) or v2
//! (`access.serviceCatalog`) token bodies, in one shape.

use serde_json::Value as J;

/// An endpoint's interface, with v2's `publicURL` names normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interface {
    /// `public` / `publicURL`.
    Public,
    /// `internal` / `internalURL`.
    Internal,
    /// `admin` / `adminURL`.
    Admin,
}

impl Interface {
    /// Reads `public`, `publicURL`, `internal`, `internalURL`, `admin`,
    /// `adminURL` (any case).
    pub fn parse(s: &str) -> Option<Interface> {
        let l = s.to_ascii_lowercase();
        match l.strip_suffix("url").unwrap_or(&l) {
            "public" => Some(Interface::Public),
            "internal" => Some(Interface::Internal),
            "admin" => Some(Interface::Admin),
            _ => None,
        }
    }

    /// `public`, `internal` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }
}

/// One endpoint of one service.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoint {
    /// The service type (`identity`, `image`...).
    pub service_type: String,
    /// The service name (`keystone`, `glance`...), if given.
    pub service_name: Option<String>,
    /// The service id, if given.
    pub service_id: Option<String>,
    /// The interface.
    pub interface: Interface,
    /// The region id (v3 `region_id`, else `region`).
    pub region_id: Option<String>,
    /// The region name (v3 `region`; v2 has only one name).
    pub region: Option<String>,
    /// The URL.
    pub url: String,
}

/// Every endpoint of a token's catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServiceCatalog {
    endpoints: Vec<Endpoint>,
}

impl ServiceCatalog {
    /// A catalog of these endpoints.
    pub fn new(endpoints: Vec<Endpoint>) -> ServiceCatalog {
        ServiceCatalog { endpoints }
    }

    /// Every endpoint, in catalog order.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// Whether the catalog is empty.
    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }

    /// Reads a v3 `catalog` array; entries that are not shaped as a catalog
    /// are skipped.
    pub fn from_v3(catalog: &J) -> ServiceCatalog {
        let mut out = Vec::new();
        for svc in catalog.as_array().into_iter().flatten() {
            let Some(stype) = svc.get("type").and_then(J::as_str) else { continue };
            for ep in svc.get("endpoints").and_then(J::as_array).into_iter().flatten() {
                let (Some(url), Some(interface)) = (
                    ep.get("url").and_then(J::as_str),
                    ep.get("interface").and_then(J::as_str).and_then(Interface::parse),
                ) else {
                    continue;
                };
                let region = ep.get("region").and_then(J::as_str).map(str::to_owned);
                out.push(Endpoint {
                    service_type: stype.to_owned(),
                    service_name: svc.get("name").and_then(J::as_str).map(str::to_owned),
                    service_id: svc.get("id").and_then(J::as_str).map(str::to_owned),
                    interface,
                    region_id: ep.get("region_id").and_then(J::as_str).map(str::to_owned).or_else(|| region.clone()),
                    region,
                    url: url.to_owned(),
                });
            }
        }
        ServiceCatalog { endpoints: out }
    }

    /// Reads a v2 `serviceCatalog` array (`publicURL`, `internalURL`,
    /// `adminURL` per endpoint).
    pub fn from_v2(catalog: &J) -> ServiceCatalog {
        let mut out = Vec::new();
        for svc in catalog.as_array().into_iter().flatten() {
            let Some(stype) = svc.get("type").and_then(J::as_str) else { continue };
            for ep in svc.get("endpoints").and_then(J::as_array).into_iter().flatten() {
                let region = ep.get("region").and_then(J::as_str).map(str::to_owned);
                for (key, interface) in [
                    ("publicURL", Interface::Public),
                    ("internalURL", Interface::Internal),
                    ("adminURL", Interface::Admin),
                ] {
                    if let Some(url) = ep.get(key).and_then(J::as_str) {
                        out.push(Endpoint {
                            service_type: stype.to_owned(),
                            service_name: svc.get("name").and_then(J::as_str).map(str::to_owned),
                            service_id: ep.get("id").and_then(J::as_str).map(str::to_owned),
                            interface,
                            region_id: region.clone(),
                            region: region.clone(),
                            url: url.to_owned(),
                        });
                    }
                }
            }
        }
        ServiceCatalog { endpoints: out }
    }
}

/// Which endpoint a request wants: keystoneauth's `endpoint_filter`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointFilter {
    /// The service type (`identity`, `image`...).
    pub service_type: String,
    /// Interfaces in order of preference; `public` when empty.
    pub interfaces: Vec<Interface>,
    /// The region, by id or by name.
    pub region_name: Option<String>,
    /// The service name.
    pub service_name: Option<String>,
}

impl EndpointFilter {
    /// A filter for `service_type` on the public interface, any region.
    pub fn new(service_type: impl Into<String>) -> EndpointFilter {
        EndpointFilter { service_type: service_type.into(), ..EndpointFilter::default() }
    }

    /// Sets the interfaces, in order of preference.
    pub fn interfaces(mut self, interfaces: impl IntoIterator<Item = Interface>) -> EndpointFilter {
        self.interfaces = interfaces.into_iter().collect();
        self
    }

    /// Sets the region (id or name).
    pub fn region(mut self, region: impl Into<String>) -> EndpointFilter {
        self.region_name = Some(region.into());
        self
    }

    /// Sets the service name.
    pub fn service_name(mut self, name: impl Into<String>) -> EndpointFilter {
        self.service_name = Some(name.into());
        self
    }

    fn wanted_interfaces(&self) -> &[Interface] {
        if self.interfaces.is_empty() { &[Interface::Public] } else { &self.interfaces }
    }

    fn describe(&self) -> String {
        let ifaces: Vec<&str> = self.wanted_interfaces().iter().map(|i| i.as_str()).collect();
        let mut out = format!("service_type {:?}, interface {}", self.service_type, ifaces.join(" or "));
        if let Some(r) = &self.region_name {
            out.push_str(&format!(", region {r:?}"));
        }
        if let Some(n) = &self.service_name {
            out.push_str(&format!(", service_name {n:?}"));
        }
        out
    }
}

/// No endpoint matches: says what was asked and what the catalog offers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no endpoint in the service catalog for {asked}; the catalog has: {offered}")]
pub struct EndpointNotFound {
    /// What was asked.
    pub asked: String,
    /// What the catalog offers (`type name (interface, region)` each).
    pub offered: String,
}

impl ServiceCatalog {
    /// The endpoint for `filter`: the first interface in its preference
    /// order that has a match. Regions match by id or name; service types
    /// compare without regard to case and `-`/`_`.
    pub fn find(&self, filter: &EndpointFilter) -> Result<&Endpoint, EndpointNotFound> {
        for &iface in filter.wanted_interfaces() {
            let found = self.endpoints.iter().find(|e| {
                same_service_type(&e.service_type, &filter.service_type)
                    && e.interface == iface
                    && filter.region_name.as_ref().is_none_or(|r| {
                        e.region_id.as_deref() == Some(r.as_str()) || e.region.as_deref() == Some(r.as_str())
                    })
                    && filter.service_name.as_ref().is_none_or(|n| e.service_name.as_deref() == Some(n.as_str()))
            });
            if let Some(e) = found {
                return Ok(e);
            }
        }
        let offered: Vec<String> = self
            .endpoints
            .iter()
            .map(|e| {
                format!(
                    "{}{} ({}, {})",
                    e.service_type,
                    e.service_name.as_deref().map(|n| format!(" {n}")).unwrap_or_default(),
                    e.interface.as_str(),
                    e.region_id.as_deref().or(e.region.as_deref()).unwrap_or("no region")
                )
            })
            .collect();
        Err(EndpointNotFound {
            asked: filter.describe(),
            offered: if offered.is_empty() { "nothing (an empty catalog)".into() } else { offered.join(", ") },
        })
    }
}

/// Service types compared as keystoneauth does, without regard to case and
/// with `_` and `-` the same (`volumev3`, `block-storage`...); without
/// allocating, as this runs on every request through the catalog.
fn same_service_type(a: &str, b: &str) -> bool {
    let norm = |c: u8| if c == b'_' { b'-' } else { c.to_ascii_lowercase() };
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| norm(x) == norm(y))
}

#[cfg(test)]
mod tests {
    use super::same_service_type;

    #[test]
    fn service_types_match_across_case_and_separators() {
        assert!(same_service_type("block-storage", "block_storage"));
        assert!(same_service_type("Block_Storage", "block-STORAGE"));
        assert!(same_service_type("compute", "compute"));
        assert!(!same_service_type("compute", "computer"));
        assert!(!same_service_type("volumev3", "volume-v3"));
        assert!(!same_service_type("image", "imagf"));
    }
}
