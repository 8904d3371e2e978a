//! Version discovery, as keystoneauth1's `discover` module does it: find
//! the versions a service offers from its catalog URL, pick the one a
//! request asks for, and send microversion headers.

use serde_json::Value as J;

pub use crate::auth::version::{InvalidVersion, LATEST, Version, VersionSpec, VersionSpecError};

/// One version of a service, as discovered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionData {
    /// The version.
    pub version: Version,
    /// The status, upper case (`CURRENT`, `SUPPORTED`, `DEPRECATED`,
    /// `EXPERIMENTAL`; `STABLE` counts as `CURRENT`).
    pub status: String,
    /// The versioned URL.
    pub url: String,
    /// The lowest microversion, if the version has microversions.
    pub min_microversion: Option<Version>,
    /// The highest microversion.
    pub max_microversion: Option<Version>,
}

impl VersionData {
    /// Whether a plain request may use it (not deprecated or experimental).
    pub fn usable(&self, allow_deprecated: bool, allow_experimental: bool) -> bool {
        match self.status.as_str() {
            "DEPRECATED" => allow_deprecated,
            "EXPERIMENTAL" => allow_experimental,
            _ => true,
        }
    }

    /// Whether `allow` lets a request use it, as keystoneauth's
    /// `allow_deprecated`, `allow_experimental` and `allow_unknown`: a
    /// status other than `CURRENT`, `SUPPORTED` (or `STABLE`),
    /// `DEPRECATED` and `EXPERIMENTAL` is unknown.
    pub fn allowed(&self, allow: &Allow) -> bool {
        match self.status.as_str() {
            "CURRENT" | "SUPPORTED" => true,
            "DEPRECATED" => allow.deprecated,
            "EXPERIMENTAL" => allow.experimental,
            _ => allow.unknown,
        }
    }

    /// The highest microversion both this version of the service and a
    /// client that supports `client_min` to `client_max` can speak, as
    /// openstacksdk's `maximum_supported_microversion`: `None` when the
    /// service has no microversions, or when the ranges do not meet.
    /// `client_max` may be [`Version::LATEST`] (the service's highest).
    pub fn negotiate_microversion(&self, client_min: Option<Version>, client_max: Version) -> Option<Version> {
        negotiate_microversion(self.min_microversion, self.max_microversion, client_min, client_max)
    }
}

/// The highest microversion in both `server_min..=server_max` and
/// `client_min..=client_max` (see [`VersionData::negotiate_microversion`]).
pub fn negotiate_microversion(
    server_min: Option<Version>,
    server_max: Option<Version>,
    client_min: Option<Version>,
    client_max: Version,
) -> Option<Version> {
    let server_max = server_max?;
    if server_min.is_some_and(|m| client_max < m) {
        return None;
    }
    let chosen = client_max.min(server_max);
    if client_min.is_some_and(|m| chosen < m) || server_min.is_some_and(|m| chosen < m) {
        return None;
    }
    Some(chosen)
}

/// Which versions a discovery may pick beyond the current and supported
/// ones (keystoneauth's `allow`: `allow_deprecated`, `allow_experimental`,
/// `allow_unknown`; all off by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Allow {
    /// Versions marked `DEPRECATED`.
    pub deprecated: bool,
    /// Versions marked `EXPERIMENTAL`.
    pub experimental: bool,
    /// Versions with a status keystoneauth does not know.
    pub unknown: bool,
}

impl Allow {
    /// Every status.
    pub fn all() -> Allow {
        Allow { deprecated: true, experimental: true, unknown: true }
    }

    /// With deprecated versions allowed or not.
    pub fn deprecated(mut self, on: bool) -> Allow {
        self.deprecated = on;
        self
    }

    /// With experimental versions allowed or not.
    pub fn experimental(mut self, on: bool) -> Allow {
        self.experimental = on;
        self
    }

    /// With versions of unknown status allowed or not.
    pub fn unknown(mut self, on: bool) -> Allow {
        self.unknown = on;
        self
    }
}

/// How discovery looks for versions: which statuses it may pick, and
/// whether it may strip the version (and project id) off a catalog URL to
/// find the service's root document (keystoneauth's `allow_version_hack`,
/// on by default). With the hack off, only the catalog URL itself is
/// asked, and a URL that publishes no document is usable only when it
/// names a version that is wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DiscoveryOptions {
    /// The statuses allowed.
    pub allow: Allow,
    /// keystoneauth's `allow_version_hack`.
    pub version_hack: bool,
}

impl Default for DiscoveryOptions {
    fn default() -> DiscoveryOptions {
        DiscoveryOptions { allow: Allow::default(), version_hack: true }
    }
}

impl DiscoveryOptions {
    /// With `allow`.
    pub fn allow(mut self, allow: Allow) -> DiscoveryOptions {
        self.allow = allow;
        self
    }

    /// With the version hack on or off.
    pub fn version_hack(mut self, on: bool) -> DiscoveryOptions {
        self.version_hack = on;
        self
    }
}

/// Joins a link to the URL it was found at.
fn absolute(base: &str, href: &str) -> String {
    reqwest::Url::parse(base).and_then(|b| b.join(href)).map(|u| u.to_string()).unwrap_or_else(|_| href.to_owned())
}

fn normalize_status(s: &str) -> String {
    let u = s.trim().to_ascii_uppercase();
    if u == "STABLE" { "CURRENT".into() } else { u }
}

/// Reads a version document: `{"versions": {"values": [...]}}` (Keystone),
/// `{"versions": [...]}` (Nova, Glance, Cinder, Placement), or
/// `{"version": {...}}` (an already versioned endpoint).
pub fn parse_versions(doc: &J, found_at: &str) -> Vec<VersionData> {
    let list: Vec<&J> = match (doc.get("versions"), doc.get("version")) {
        (Some(J::Object(v)), _) => {
            v.get("values").and_then(J::as_array).map(|a| a.iter().collect()).unwrap_or_default()
        }
        (Some(J::Array(a)), _) => a.iter().collect(),
        (_, Some(v)) if v.is_object() => vec![v],
        _ => Vec::new(),
    };
    let micro =
        |v: &J, k: &str| v.get(k).and_then(J::as_str).filter(|s| !s.is_empty()).and_then(|s| s.parse::<Version>().ok());
    list.into_iter()
        .filter_map(|v| {
            let version: Version = v.get("id").and_then(J::as_str)?.parse().ok()?;
            let href = v
                .get("links")
                .and_then(J::as_array)
                .and_then(|l| l.iter().find(|x| x.get("rel").and_then(J::as_str) == Some("self")))
                .and_then(|x| x.get("href").and_then(J::as_str))
                .unwrap_or(found_at);
            let max = micro(v, "max_version").or_else(|| micro(v, "version"));
            Some(VersionData {
                version,
                status: normalize_status(v.get("status").and_then(J::as_str).unwrap_or("CURRENT")),
                url: absolute(found_at, href),
                min_microversion: max.and(micro(v, "min_version")),
                max_microversion: max,
            })
        })
        .collect()
}

/// The versions whose links keep the token where the catalog sent it: a
/// link that turns `https` into `http` is dropped (every later request,
/// token included, would go in clear); a link to another origin is kept
/// (a service behind a proxy often publishes its internal name) but
/// warned about, since the token follows it. keystoneauth follows both.
pub fn vet_links(catalog_url: &str, versions: Vec<VersionData>) -> Vec<VersionData> {
    let Ok(catalog) = reqwest::Url::parse(catalog_url) else { return versions };
    let origin = |u: &reqwest::Url| {
        (u.scheme().to_owned(), u.host_str().map(str::to_ascii_lowercase), u.port_or_known_default())
    };
    versions
        .into_iter()
        .filter(|v| {
            let Ok(link) = reqwest::Url::parse(&v.url) else { return true };
            if catalog.scheme() == "https" && link.scheme() != "https" {
                tracing::warn!(
                    catalog_url, link = %v.url, version = %v.version,
                    "the version document links an https endpoint to plain http: version ignored"
                );
                return false;
            }
            if origin(&link) != origin(&catalog) {
                tracing::warn!(
                    catalog_url, link = %v.url, version = %v.version,
                    "the version document links to another origin: the token will be sent there"
                );
            }
            true
        })
        .collect()
}

/// Where to look for a catalog URL's version document, keystoneauth's way:
/// its root (version and project-id segments removed) first, then the URL
/// itself. Also returns a project id to put back on the chosen URL, and the
/// version the URL itself names (for when discovery finds nothing).
pub fn discovery_urls(catalog_url: &str) -> (Vec<String>, Option<String>, Option<Version>) {
    let Ok(mut u) = reqwest::Url::parse(catalog_url.trim_end_matches('/')) else {
        return (vec![catalog_url.to_owned()], None, None);
    };
    let mut parts: Vec<String> = u.path().split('/').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let is_version = |s: &str| s.starts_with(['v', 'V']) && s.parse::<Version>().is_ok();
    let mut project = None;
    if parts.len() >= 2 && is_version(&parts[parts.len() - 2]) && !is_version(&parts[parts.len() - 1]) {
        project = parts.pop();
    }
    let url_version = parts.last().filter(|s| is_version(s)).and_then(|s| s.parse().ok());
    let versioned = {
        u.set_path(&parts.join("/"));
        u.to_string()
    };
    if url_version.is_some() {
        parts.pop();
        u.set_path(&format!("{}/", parts.join("/")));
        (vec![u.to_string(), versioned], project, url_version)
    } else {
        (vec![versioned], project, None)
    }
}

/// The best version for `spec`: the highest acceptable one whose status
/// `allow` lets through.
pub fn choose_allowing(versions: &[VersionData], spec: &VersionSpec, allow: &Allow) -> Option<VersionData> {
    versions.iter().filter(|v| spec.accepts(v.version) && v.allowed(allow)).max_by_key(|v| v.version).cloned()
}

/// The best version for `spec`: the highest acceptable one whose status is
/// not deprecated or experimental (unless allowed).
pub fn choose(
    versions: &[VersionData],
    spec: &VersionSpec,
    allow_deprecated: bool,
    allow_experimental: bool,
) -> Option<VersionData> {
    versions
        .iter()
        .filter(|v| spec.accepts(v.version) && v.usable(allow_deprecated, allow_experimental))
        .max_by_key(|v| v.version)
        .cloned()
}

/// The microversion headers for `service_type`: `OpenStack-API-Version`,
/// plus the older per-service header where a service had one.
pub fn microversion_headers(service_type: &str, mv: Version) -> Vec<(String, String)> {
    let t = service_type.to_ascii_lowercase().replace('_', "-");
    let header_type = match t.as_str() {
        "block-storage" | "volumev3" | "volumev2" => "volume",
        "shared-file-system" | "sharev2" => "sharev2",
        other => other,
    };
    let mut out = vec![("OpenStack-API-Version".to_owned(), format!("{header_type} {mv}"))];
    let legacy = match header_type {
        "compute" => Some("X-OpenStack-Nova-API-Version"),
        "baremetal" => Some("X-OpenStack-Ironic-API-Version"),
        "sharev2" => Some("X-OpenStack-Manila-API-Version"),
        _ => None,
    };
    if let Some(h) = legacy {
        out.push((h.to_owned(), mv.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_specs() {
        assert_eq!("v2.1".parse::<Version>(), Ok(Version(2, 1)));
        assert_eq!("3".parse::<Version>(), Ok(Version(3, 0)));
        assert_eq!("latest".parse::<Version>(), Ok(Version::LATEST));
        assert!("three".parse::<Version>().is_err());
        let v3 = VersionSpec::version(Version(3, 0));
        assert!(v3.accepts(Version(3, 14)) && !v3.accepts(Version(2, 0)) && !v3.accepts(Version(4, 0)));
        let b = VersionSpec::between(Some(Version(2, 1)), Some(Version(2, 5)));
        assert!(b.accepts(Version(2, 5)) && !b.accepts(Version(2, 6)) && !b.accepts(Version(2, 0)));
        assert!(VersionSpec::parse(Some("3"), Some("2"), None).is_err());
    }

    #[test]
    fn discovery_url_choices() {
        let (urls, project, v) = discovery_urls("http://nova:8774/v2.1/4f1a9c2e");
        assert_eq!(urls, ["http://nova:8774/", "http://nova:8774/v2.1"]);
        assert_eq!((project.as_deref(), v), (Some("4f1a9c2e"), Some(Version(2, 1))));
        let (urls, project, v) = discovery_urls("http://glance:9292");
        assert_eq!((urls, project, v), (vec!["http://glance:9292/".to_owned()], None, None));
        let (urls, _, _) = discovery_urls("http://k/identity/v3/");
        assert_eq!(urls, ["http://k/identity/", "http://k/identity/v3"]);
    }

    #[test]
    fn microversion_negotiation() {
        let v = |s: &str| s.parse::<Version>().expect("version");
        let nova = |c_min: Option<&str>, c_max: &str| {
            negotiate_microversion(Some(v("2.1")), Some(v("2.95")), c_min.map(v), v(c_max))
        };
        assert_eq!(nova(None, "2.60"), Some(v("2.60")));
        assert_eq!(nova(None, "2.100"), Some(v("2.95")));
        assert_eq!(nova(None, "latest"), Some(v("2.95")));
        assert_eq!(nova(Some("2.96"), "2.100"), None, "the client needs more than the server has");
        assert_eq!(negotiate_microversion(Some(v("2.10")), Some(v("2.95")), None, v("2.5")), None);
        assert_eq!(negotiate_microversion(None, None, None, v("2.5")), None, "no microversions");
        let mut d = VersionData {
            version: v("2.1"),
            status: "BETA".into(),
            url: String::new(),
            min_microversion: None,
            max_microversion: None,
        };
        assert!(!d.allowed(&Allow::default()) && d.allowed(&Allow { unknown: true, ..Allow::default() }));
        d.status = "SUPPORTED".into();
        assert!(d.allowed(&Allow::default()));
    }

    #[test]
    fn headers() {
        let h = microversion_headers("compute", Version(2, 60));
        assert_eq!(
            h,
            [
                ("OpenStack-API-Version".into(), "compute 2.60".into()),
                ("X-OpenStack-Nova-API-Version".into(), "2.60".into())
            ]
        );
        assert_eq!(microversion_headers("block-storage", Version(3, 0))[0].1, "volume 3.0");
    }
}
