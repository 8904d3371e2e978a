//! The `X-*` headers that existing services read, set from validated tokens
//! after every such header the client sent is removed.

use http::{HeaderMap, HeaderName, HeaderValue};

use super::context::IdentityStatus;
use crate::auth::{AccessInfo, Interface, TokenVersion};

/// `X-User-Id`, `X-Service-User-Id`... : (user's name, service's name,
/// reader). Names lower-case and static: a static name costs nothing to
/// clone into a request and to drop with it.
type Field = (&'static str, &'static str, fn(&AccessInfo) -> Option<&str>);

const FIELDS: [Field; 10] = [
    ("x-domain-id", "x-service-domain-id", |a| a.domain.as_ref()?.id.as_deref()),
    ("x-domain-name", "x-service-domain-name", |a| a.domain.as_ref()?.name.as_deref()),
    ("x-project-id", "x-service-project-id", |a| a.project.as_ref()?.ident.id.as_deref()),
    ("x-project-name", "x-service-project-name", |a| a.project.as_ref()?.ident.name.as_deref()),
    ("x-project-domain-id", "x-service-project-domain-id", |a| a.project.as_ref()?.domain.as_ref()?.id.as_deref()),
    ("x-project-domain-name", "x-service-project-domain-name", |a| {
        a.project.as_ref()?.domain.as_ref()?.name.as_deref()
    }),
    ("x-user-id", "x-service-user-id", |a| a.user.ident.id.as_deref()),
    ("x-user-name", "x-service-user-name", |a| a.user.ident.name.as_deref()),
    ("x-user-domain-id", "x-service-user-domain-id", |a| a.user.domain.as_ref()?.id.as_deref()),
    ("x-user-domain-name", "x-service-user-domain-name", |a| a.user.domain.as_ref()?.name.as_deref()),
];

/// Old names, still set for services that read them: (old, new).
const DEPRECATED: [(&str, &str); 5] = [
    ("x-role", "x-roles"),
    ("x-user", "x-user-name"),
    ("x-tenant-id", "x-project-id"),
    ("x-tenant-name", "x-project-name"),
    ("x-tenant", "x-project-name"),
];

/// Whether `name` (lower-case, dashes) is one the layer sets: the names in
/// [`FIELDS`] (both columns) and [`DEPRECATED`], the roles, the status
/// headers, the catalog, `X-Is-Admin-Project` and `OpenStack-System-Scope`.
fn is_layer_header(name: &str) -> bool {
    matches!(
        name,
        "x-service-catalog"
            | "x-identity-status"
            | "x-service-identity-status"
            | "x-is-admin-project"
            | "openstack-system-scope"
            | "x-role"
            | "x-user"
            | "x-tenant-id"
            | "x-tenant-name"
            | "x-tenant"
            | "x-roles"
            | "x-service-roles"
            | "x-domain-id"
            | "x-domain-name"
            | "x-project-id"
            | "x-project-name"
            | "x-project-domain-id"
            | "x-project-domain-name"
            | "x-user-id"
            | "x-user-name"
            | "x-user-domain-id"
            | "x-user-domain-name"
            | "x-service-domain-id"
            | "x-service-domain-name"
            | "x-service-project-id"
            | "x-service-project-name"
            | "x-service-project-domain-id"
            | "x-service-project-domain-name"
            | "x-service-user-id"
            | "x-service-user-name"
            | "x-service-user-domain-id"
            | "x-service-user-domain-name"
    )
}

/// Whether `name` (lower-case) is one the layer sets, in any spelling a
/// backend could take for it: `X_Roles` is `HTTP_X_ROLES` to WSGI and CGI,
/// as `X-Roles` is.
fn is_auth_header(name: &str) -> bool {
    if !(name.starts_with("x-") || name.starts_with("x_") || name.starts_with("openstack")) {
        return false;
    }
    if name.contains('_') { is_layer_header(&name.replace('_', "-")) } else { is_layer_header(name) }
}

/// Removes every header the layer may set: a client must not be able to
/// send any of them, in any spelling. (keystonemiddleware leaves
/// `OpenStack-System-Scope` out of its list, so with `delay_auth_decision`
/// a client's own value reached the service; it is removed here. It also
/// leaves the underscore spellings.) `Connection` tokens naming them go
/// too: a hop-by-hop proxy behind the layer would drop the headers the
/// layer set.
pub(crate) fn remove_auth_headers(h: &mut HeaderMap) {
    // Nothing to collect (and no Vec) on the usual request, which has none.
    if h.keys().any(|k| is_auth_header(k.as_str())) {
        let forged: Vec<HeaderName> = h.keys().filter(|k| is_auth_header(k.as_str())).cloned().collect();
        for k in forged {
            h.remove(k);
        }
    }
    if h.contains_key(http::header::CONNECTION) {
        let kept: Vec<String> = h
            .get_all(http::header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty() && !is_auth_header(&t.to_ascii_lowercase()))
            .map(str::to_owned)
            .collect();
        h.remove(http::header::CONNECTION);
        if let Ok(v) = HeaderValue::from_str(&kept.join(", ")) {
            if !kept.is_empty() {
                h.insert(http::header::CONNECTION, v);
            }
        }
    }
}

/// `name`: lower-case, one of the layer's names.
fn set(h: &mut HeaderMap, name: &'static str, value: Option<&str>) {
    let Some(v) = value else { return };
    // A value that cannot be a header (a control character in a name) is
    // left out rather than passed on mangled.
    if let Ok(v) = HeaderValue::from_str(v) {
        h.insert(HeaderName::from_static(name), v);
    }
}

fn set_identity(h: &mut HeaderMap, a: &AccessInfo, service: bool) {
    let roles = if service { "x-service-roles" } else { "x-roles" };
    set(h, roles, Some(&a.role_names().join(",")));
    for (user_name, service_name, read) in FIELDS {
        set(h, if service { service_name } else { user_name }, read(a));
    }
}

const X_IDENTITY_STATUS: HeaderName = HeaderName::from_static("x-identity-status");
const X_SERVICE_IDENTITY_STATUS: HeaderName = HeaderName::from_static("x-service-identity-status");

fn status_value(s: IdentityStatus) -> HeaderValue {
    HeaderValue::from_static(s.as_str())
}

/// The status headers. `X-Identity-Status: Confirmed` is one of the user's
/// rendered headers ([`user_headers`]): set here only when there is no
/// confirmed user (`user_confirmed` false).
pub(crate) fn set_status(h: &mut HeaderMap, user_confirmed: bool, service: Option<IdentityStatus>) {
    if !user_confirmed {
        h.insert(X_IDENTITY_STATUS, status_value(IdentityStatus::Invalid));
    }
    if let Some(s) = service {
        h.insert(X_SERVICE_IDENTITY_STATUS, status_value(s));
    }
}

/// Adds `rendered` (from [`user_headers`] or [`service_headers`]) to `h`
/// (which holds none of those names: they were removed first).
///
/// A request usually has fewer headers than the ~17 rendered ones, so the
/// rendered map is cloned (no hashing) and the request's own headers are
/// added to it, rather than inserting the rendered ones one by one.
pub(crate) fn extend(h: &mut HeaderMap, rendered: &HeaderMap) {
    if h.len() >= rendered.len() {
        h.reserve(rendered.len());
        for (k, v) in rendered {
            h.insert(k.clone(), v.clone());
        }
        return;
    }
    let mut merged = rendered.clone();
    merged.reserve(h.len());
    // drain gives a name with the first of its values only (`None` with
    // the next ones): the name is moved into its entry, not cloned (a
    // clone of a name read from the wire allocates).
    let mut drained = h.drain().peekable();
    while let Some((Some(k), v)) = drained.next() {
        let mut entry = match merged.entry(k) {
            http::header::Entry::Occupied(mut e) => {
                e.append(v);
                e
            }
            http::header::Entry::Vacant(e) => e.insert_entry(v),
        };
        while let Some((None, _)) = drained.peek() {
            if let Some((_, v)) = drained.next() {
                entry.append(v);
            }
        }
    }
    drop(drained);
    *h = merged;
}

/// The user's headers (and, with `catalog`, `X-Service-Catalog`): worked
/// out once per validation, added to every request that carries the token.
///
/// With `X-Identity-Status: Confirmed`: they are added only for a confirmed
/// user.
pub(crate) fn user_headers(a: &AccessInfo, catalog: bool) -> HeaderMap {
    let mut h = HeaderMap::new();
    let h = &mut h;
    h.insert(X_IDENTITY_STATUS, status_value(IdentityStatus::Confirmed));
    set_identity(h, a, false);
    // Only the user's scope: keystonemiddleware lets the service token's
    // overwrite (and, when it has none, delete) the user's.
    set(h, "openstack-system-scope", a.system_all.then_some("all"));
    set(h, "x-is-admin-project", Some(if a.is_admin_project { "True" } else { "False" }));
    for (old, new) in DEPRECATED {
        let v = h.get(new).and_then(|v| v.to_str().ok()).map(str::to_owned);
        set(h, old, v.as_deref());
    }
    if catalog && !a.catalog.is_empty() {
        set(h, "x-service-catalog", Some(&catalog_header(a)));
    }
    std::mem::take(h)
}

/// The service token's headers (`X-Service-User-Id`...).
pub(crate) fn service_headers(a: &AccessInfo) -> HeaderMap {
    let mut h = HeaderMap::new();
    set_identity(&mut h, a, true);
    h
}

/// The catalog as keystonemiddleware sends it: v2's shape (endpoints grouped
/// by region with `publicURL`, `internalURL`, `adminURL`) for either token
/// version.
fn catalog_header(a: &AccessInfo) -> String {
    use serde_json::{Map, Value as J};
    // (type, name, [(region, {"region": .., "publicURL": ..})]) in catalog order.
    type Regions = Vec<(Option<String>, Map<String, J>)>;
    let mut services: Vec<(String, Option<String>, Regions)> = Vec::new();
    for e in a.catalog.endpoints() {
        let svc = match services.iter().position(|(t, n, _)| *t == e.service_type && *n == e.service_name) {
            Some(i) => &mut services[i],
            None => {
                services.push((e.service_type.clone(), e.service_name.clone(), Vec::new()));
                let last = services.len() - 1;
                &mut services[last]
            }
        };
        let region = if a.version == TokenVersion::V3 { e.region_id.clone() } else { e.region.clone() };
        let entry = match svc.2.iter().position(|(r, _)| *r == region) {
            Some(i) => &mut svc.2[i].1,
            None => {
                let mut m = Map::new();
                if let Some(r) = &region {
                    m.insert("region".into(), J::String(r.clone()));
                }
                svc.2.push((region, m));
                let last = svc.2.len() - 1;
                &mut svc.2[last].1
            }
        };
        let key = match e.interface {
            Interface::Public => "publicURL",
            Interface::Internal => "internalURL",
            Interface::Admin => "adminURL",
        };
        entry.insert(key.into(), J::String(e.url.clone()));
    }
    let out: Vec<J> = services
        .into_iter()
        .map(|(t, n, regions)| {
            let mut m = Map::new();
            m.insert("type".into(), J::String(t));
            if let Some(n) = n {
                m.insert("name".into(), J::String(n));
            }
            m.insert("endpoints".into(), J::Array(regions.into_iter().map(|(_, e)| J::Object(e)).collect()));
            J::Object(m)
        })
        .collect();
    J::Array(out).to_string()
}

#[cfg(all(test, feature = "fixture"))]
mod tests {
    use super::*;
    use crate::auth_token::fixture::V3Token;
    use crate::opt::Secret;

    /// Every header the layer sets is one it removes from the client's
    /// request: a name added to the rendered headers but not to
    /// `is_layer_header` would let a client forge it.
    #[test]
    fn every_header_the_layer_sets_is_one_it_removes() {
        let full = |t: V3Token| {
            let body = serde_json::to_vec(&t.body()).expect("body");
            crate::auth_token::source::parse_body(&Secret::new("t"), &body).expect("token body")
        };
        let project = full(V3Token::new("u").user("alice", "d", "D").project("p", "P").role("member").service(
            "image",
            "glance",
            [("public", "http://glance.example/")],
        ));
        let domain = full(V3Token::new("u").user("alice", "d", "D").domain("d2", "D2").system().role("admin"));
        let mut names = Vec::new();
        for v in [&project, &domain] {
            let mut h = user_headers(&v.access, true);
            set_status(&mut h, false, Some(IdentityStatus::Invalid));
            h.extend(service_headers(&v.access));
            names.extend(h.keys().map(|k| k.as_str().to_owned()));
        }
        assert!(names.len() > 30, "{names:?}");
        for n in &names {
            assert!(is_auth_header(n), "{n} is set by the layer but not removed from requests");
            assert!(is_auth_header(&n.replace('-', "_")), "{n} with underscores");
        }
        assert!(!is_auth_header("x-auth-token") && !is_auth_header("x-openstack-request-id"));
    }
}
