//! The service catalog, from v3 (`token.catalog`) or v2
//! (`access.serviceCatalog`) token bodies, in one shape.

use serde_json::Value as J;

use super::service_types::{Requested, same_service_type};

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
    /// The endpoint id, if given.
    #[serde(default)]
    pub endpoint_id: Option<String>,
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
                    endpoint_id: ep.get("id").and_then(J::as_str).map(str::to_owned),
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
                            // The id of a v2 endpoint is the endpoint's;
                            // a service's, if any, is the service's (as
                            // keystoneauth reads them).
                            service_id: svc.get("id").and_then(J::as_str).map(str::to_owned),
                            endpoint_id: ep.get("id").and_then(J::as_str).map(str::to_owned),
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
    /// The service name; entries without a name pass (keystoneauth: v2
    /// catalogs before Keystone's v3.3 API had none).
    pub service_name: Option<String>,
    /// The service id; entries without an id pass, as for the name.
    pub service_id: Option<String>,
    /// The endpoint id.
    pub endpoint_id: Option<String>,
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

    /// Sets the service id.
    pub fn service_id(mut self, id: impl Into<String>) -> EndpointFilter {
        self.service_id = Some(id.into());
        self
    }

    /// Sets the endpoint id.
    pub fn endpoint_id(mut self, id: impl Into<String>) -> EndpointFilter {
        self.endpoint_id = Some(id.into());
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
        for (what, v) in
            [("service_name", &self.service_name), ("service_id", &self.service_id), ("endpoint_id", &self.endpoint_id)]
        {
            if let Some(v) = v {
                out.push_str(&format!(", {what} {v:?}"));
            }
        }
        out
    }
}

/// A filter with its service type looked up in the service-types data
/// once, for a pass over the catalog.
struct Query<'f> {
    filter: &'f EndpointFilter,
    requested: Requested<'f>,
}

impl<'f> Query<'f> {
    fn new(filter: &'f EndpointFilter) -> Query<'f> {
        Query { filter, requested: Requested::new(&filter.service_type) }
    }

    /// Whether `e`'s service is wanted: its type (or an alias of it, see
    /// [`super::service_types::is_match`]), name and id. An empty service
    /// type is any service, but only when an id says which (an Adapter
    /// without a service type must not get the catalog's first endpoint).
    fn wants_service(&self, e: &Endpoint) -> bool {
        let f = self.filter;
        let some_type = if f.service_type.is_empty() {
            f.service_id.is_some() || f.endpoint_id.is_some()
        } else {
            self.requested.matches(&e.service_type)
        };
        let same = |want: &Option<String>, have: &Option<String>| match (want, have) {
            (Some(w), Some(h)) => w == h,
            _ => true,
        };
        some_type && same(&f.service_name, &e.service_name) && same(&f.service_id, &e.service_id)
    }

    /// Whether `e` is wanted, on any interface: its service, region (id or
    /// name), endpoint id and a URL.
    fn wants(&self, e: &Endpoint) -> bool {
        let f = self.filter;
        self.wants_service(e)
            && f.region_name
                .as_ref()
                .is_none_or(|r| e.region_id.as_deref() == Some(r.as_str()) || e.region.as_deref() == Some(r.as_str()))
            && f.endpoint_id.as_ref().is_none_or(|id| e.endpoint_id.as_deref() == Some(id.as_str()))
            && !e.url.is_empty()
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
    /// The endpoint for `filter` (keystoneauth's `endpoint_data_for`): the
    /// first of [`ServiceCatalog::find_all`]. Without allocating when it
    /// finds one: this runs on every request through the catalog.
    pub fn find(&self, filter: &EndpointFilter) -> Result<&Endpoint, EndpointNotFound> {
        if filter.service_type.is_empty() {
            return self.find_all(filter).into_iter().next().ok_or_else(|| self.not_found(filter));
        }
        // The requested name itself, when the catalog has it, wins over
        // its aliases: found without looking the name up, on the first
        // interface that has it.
        let exact = Query { filter, requested: Requested::exact(&filter.service_type) };
        for &iface in filter.wanted_interfaces() {
            if let Some(e) = self.endpoints.iter().find(|e| e.interface == iface && exact.wants(e)) {
                return Ok(e);
            }
        }
        let q = Query::new(filter);
        self.choose(&q)
            .and_then(|(stype, iface)| self.in_group(&q, stype, iface).next())
            .ok_or_else(|| self.not_found(filter))
    }

    /// Every endpoint for `filter`, in catalog order (keystoneauth's
    /// `get_endpoint_data_list`). Of the entries whose type matches (the
    /// requested type or an alias: see [`super::service_types::is_match`]), one
    /// type is chosen as keystoneauth does when a cloud lists a service
    /// under several names: the requested name, else the first in the
    /// authority's order (`block-storage`, `volumev3`, `volumev2`,
    /// `volume`...). Of that type's endpoints, those on the first interface
    /// in the filter's order that has any. With an empty service type and
    /// an id, every type that has a match, in catalog order.
    pub fn find_all(&self, filter: &EndpointFilter) -> Vec<&Endpoint> {
        let q = Query::new(filter);
        if !filter.service_type.is_empty() {
            return match self.choose(&q) {
                Some((stype, iface)) => self.in_group(&q, stype, iface).collect(),
                None => Vec::new(),
            };
        }
        // In the order of the services, as keystoneauth groups them.
        let mut types: Vec<&str> = Vec::new();
        for e in self.endpoints.iter().filter(|e| q.wants_service(e)) {
            if !types.iter().any(|t| same_service_type(t, &e.service_type)) {
                types.push(&e.service_type);
            }
        }
        types
            .into_iter()
            .filter_map(|t| self.best_interface(&q, t).map(|i| (t, i)))
            .flat_map(|(t, i)| self.in_group(&q, t, i))
            .collect()
    }

    /// The URLs of [`ServiceCatalog::find_all`] (keystoneauth's `get_urls`).
    pub fn urls(&self, filter: &EndpointFilter) -> Vec<&str> {
        self.find_all(filter).into_iter().map(|e| e.url.as_str()).collect()
    }

    /// The service type (as the catalog spells it) and interface whose
    /// endpoints answer `filter`: the most preferred type that has an
    /// endpoint on a wanted interface, then its best interface.
    fn choose<'a>(&'a self, q: &Query) -> Option<(&'a str, Interface)> {
        let wanted = q.filter.wanted_interfaces();
        let mut best: Option<(usize, &str)> = None;
        for e in self.endpoints.iter().filter(|e| wanted.contains(&e.interface) && q.wants(e)) {
            let rank = q.requested.preference(&e.service_type).unwrap_or(0);
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, &e.service_type));
                if rank == 0 {
                    break;
                }
            }
        }
        let (_, stype) = best?;
        Some((stype, self.best_interface(q, stype)?))
    }

    /// The first of `filter`'s interfaces on which the catalog has a wanted
    /// endpoint of type `stype` (keystoneauth chooses per type).
    fn best_interface(&self, q: &Query, stype: &str) -> Option<Interface> {
        q.filter.wanted_interfaces().iter().copied().find(|&i| self.in_group(q, stype, i).next().is_some())
    }

    /// The wanted endpoints of type `stype` on `iface`, in catalog order.
    fn in_group<'a, 'q>(
        &'a self,
        q: &'q Query<'q>,
        stype: &'q str,
        iface: Interface,
    ) -> impl Iterator<Item = &'a Endpoint> + use<'a, 'q> {
        self.endpoints
            .iter()
            .filter(move |e| e.interface == iface && same_service_type(&e.service_type, stype) && q.wants(e))
    }

    fn not_found(&self, filter: &EndpointFilter) -> EndpointNotFound {
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
        EndpointNotFound {
            asked: filter.describe(),
            offered: if offered.is_empty() { "nothing (an empty catalog)".into() } else { offered.join(", ") },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Two compute services (ids `c1`, `c2`) with two regions, and a v3
    /// `block-storage` next to the `volumev3` it replaces.
    fn catalog() -> ServiceCatalog {
        ServiceCatalog::from_v3(&json!([
            {"type": "compute", "name": "nova", "id": "c1", "endpoints": [
                {"id": "e1", "interface": "public", "region_id": "R1", "url": "http://r1/compute"},
                {"id": "e2", "interface": "internal", "region_id": "R1", "url": "http://r1-int/compute"},
                {"id": "e3", "interface": "public", "region_id": "R2", "url": "http://r2/compute"}
            ]},
            {"type": "compute", "name": "nova-cells", "id": "c2", "endpoints": [
                {"id": "e4", "interface": "public", "region_id": "R1", "url": "http://cells/compute"},
                {"id": "e5", "interface": "public", "region_id": "R1", "url": ""}
            ]},
            {"type": "volumev3", "id": "v3", "endpoints": [
                {"id": "e6", "interface": "public", "region_id": "R1", "url": "http://r1/volumev3"}
            ]},
            {"type": "block-storage", "id": "bs", "endpoints": [
                {"id": "e7", "interface": "internal", "region_id": "R1", "url": "http://r1/block-storage"}
            ]}
        ]))
    }

    #[test]
    fn every_url_of_a_service_on_its_best_interface() {
        let c = catalog();
        assert_eq!(
            c.urls(&EndpointFilter::new("compute")),
            ["http://r1/compute", "http://r2/compute", "http://cells/compute"],
            "public only, the empty URL left out"
        );
        assert_eq!(c.urls(&EndpointFilter::new("compute").region("R1")), ["http://r1/compute", "http://cells/compute"]);
        let internal_first = EndpointFilter::new("compute").interfaces([Interface::Internal, Interface::Public]);
        assert_eq!(c.urls(&internal_first), ["http://r1-int/compute"]);
        assert_eq!(c.find(&internal_first).map(|e| e.url.as_str()), Ok("http://r1-int/compute"));
        assert!(c.urls(&EndpointFilter::new("image")).is_empty());
    }

    #[test]
    fn by_service_id_and_endpoint_id() {
        let c = catalog();
        assert_eq!(c.urls(&EndpointFilter::new("compute").service_id("c2")), ["http://cells/compute"]);
        assert_eq!(c.urls(&EndpointFilter::new("compute").endpoint_id("e3")), ["http://r2/compute"]);
        assert!(c.urls(&EndpointFilter::new("compute").service_id("c1").endpoint_id("e4")).is_empty());
        // The id alone finds the endpoint, whatever its type.
        assert_eq!(
            c.find(&EndpointFilter::default().endpoint_id("e6")).map(|e| e.url.as_str()),
            Ok("http://r1/volumev3")
        );
        assert_eq!(c.urls(&EndpointFilter::default().service_id("c1")), ["http://r1/compute", "http://r2/compute"]);
        // No type and no id: nothing, not the catalog's first endpoint.
        assert!(c.urls(&EndpointFilter::default()).is_empty());
        let e = c.find(&EndpointFilter::new("compute").endpoint_id("e9")).expect_err("no e9");
        assert!(e.asked.contains("endpoint_id \"e9\""), "{e}");
    }

    #[test]
    fn an_alias_finds_its_official_type_and_back_with_the_requested_name_first() {
        let c = catalog();
        let ifaces = [Interface::Public, Interface::Internal];
        // Both names are in the catalog: the requested one wins, on its own
        // best interface.
        assert_eq!(c.urls(&EndpointFilter::new("volumev3").interfaces(ifaces)), ["http://r1/volumev3"]);
        assert_eq!(c.urls(&EndpointFilter::new("block-storage").interfaces(ifaces)), ["http://r1/block-storage"]);
        // `volume` is in neither: the official type comes first.
        assert_eq!(c.urls(&EndpointFilter::new("volume").interfaces(ifaces)), ["http://r1/block-storage"]);
        // Only the public interface: block-storage has none there.
        assert_eq!(c.urls(&EndpointFilter::new("block-storage")), ["http://r1/volumev3"]);
        // One alias does not find another.
        assert!(c.urls(&EndpointFilter::new("volumev2").interfaces([Interface::Public])).is_empty());
    }

    #[test]
    fn v2_ids_are_the_endpoints() {
        let c = ServiceCatalog::from_v2(&json!([
            {"type": "volume", "name": "cinder", "endpoints": [
                {"id": "e1", "region": "R1", "publicURL": "http://pub/v1", "adminURL": "http://adm/v1"}
            ]}
        ]));
        assert!(c.endpoints().iter().all(|e| e.endpoint_id.as_deref() == Some("e1") && e.service_id.is_none()));
        let admin = EndpointFilter::new("block-storage").endpoint_id("e1").interfaces([Interface::Admin]);
        assert_eq!(c.urls(&admin), ["http://adm/v1"]);
        // The service has no id: a service_id filter does not exclude it.
        assert_eq!(c.urls(&EndpointFilter::new("volume").service_id("x")), ["http://pub/v1"]);
    }
}
