//! Session and adapter settings as a config group gives them.

use std::path::PathBuf;
use std::time::Duration;

use super::Interface;
use super::version::{Version, VersionSpec};
use crate::snapshot::GroupValues;
use crate::source::Origin;

/// Transport settings of a group: keystoneauth's session options.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct SessionOptions {
    /// CA bundle to verify servers with (`cafile`, or the deprecated `cacert`).
    pub cafile: Option<PathBuf>,
    /// Client certificate.
    pub certfile: Option<PathBuf>,
    /// Client key.
    pub keyfile: Option<PathBuf>,
    /// Skip server verification (must be explicit; warned about).
    pub insecure: bool,
    /// Request timeout.
    pub timeout: Option<Duration>,
    /// Collect per-request timing.
    pub collect_timing: bool,
    /// Log requests, responses and response bodies under separate tracing
    /// targets (`stackauth::session::request`, `::response`, `::body`), as
    /// keystoneauth's `keystoneauth.session.request`/`.response`/`.body`.
    pub split_loggers: bool,
}

/// Per-client defaults of a group: keystoneauth's adapter options.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AdapterOptions {
    /// The catalog service type.
    pub service_type: Option<String>,
    /// The catalog service name.
    pub service_name: Option<String>,
    /// Interfaces to try, in order (`valid_interfaces`, or the deprecated
    /// `interface`); checked when the group loads.
    pub interfaces: Vec<Interface>,
    /// The region.
    pub region_name: Option<String>,
    /// A URL to use instead of the catalog's.
    pub endpoint_override: Option<String>,
    /// The API versions wanted (`version`, or `min_version` and
    /// `max_version`); checked when the group loads.
    pub version: Option<VersionSpec>,
    /// Retries of failed connections.
    pub connect_retries: Option<u32>,
    /// Delay between connection retries (fixed), if set.
    pub connect_retry_delay: Option<Duration>,
    /// Retries on retriable status codes.
    pub status_code_retries: Option<u32>,
    /// Delay between status-code retries (fixed), if set.
    pub status_code_retry_delay: Option<Duration>,
    /// Status codes to retry (503 and 429 when empty).
    pub retriable_status_codes: Vec<u16>,
    /// Request starts per second at most (keystoneauth's `rate_limit`; a
    /// clouds.yaml `rate_limit:` entry for the service).
    pub rate_limit: Option<f64>,
    /// Requests in flight at most (keystoneauth's `concurrency`; a
    /// clouds.yaml `concurrency:` entry).
    pub concurrency: Option<usize>,
}

/// Reads a group's values with keystoneauth's option dests.
pub(crate) struct GroupReader<'a>(pub Option<&'a GroupValues>);

impl GroupReader<'_> {
    pub(crate) fn str(&self, dest: &str) -> Option<String> {
        self.0?.get(dest)?.value.as_ref()?.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
    }

    /// Set by a source (not only by a default).
    pub(crate) fn set_by_source(&self, dest: &str) -> bool {
        self.0.and_then(|g| g.get(dest)).is_some_and(|r| r.value.is_some() && r.origin != Origin::Default)
    }

    fn path(&self, dest: &str) -> Option<PathBuf> {
        self.str(dest).map(PathBuf::from)
    }

    fn flag(&self, dest: &str) -> bool {
        self.0.and_then(|g| g.get(dest)).and_then(|r| r.value.as_ref()).and_then(|v| v.as_bool()).unwrap_or(false)
    }

    fn float(&self, dest: &str) -> Option<f64> {
        self.0?.get(dest)?.value.as_ref()?.as_float()
    }

    fn int(&self, dest: &str) -> Option<i64> {
        self.0?.get(dest)?.value.as_ref()?.as_int()
    }

    pub(crate) fn list(&self, dest: &str) -> Vec<String> {
        self.0
            .and_then(|g| g.get(dest))
            .and_then(|r| r.value.as_ref())
            .and_then(|v| v.as_list())
            .map(|l| l.iter().map(|v| v.to_plain_string()).collect())
            .unwrap_or_default()
    }

    pub(crate) fn session(&self) -> SessionOptions {
        SessionOptions {
            cafile: self.path("cafile"),
            certfile: self.path("certfile"),
            keyfile: self.path("keyfile"),
            insecure: self.flag("insecure"),
            timeout: self.float("timeout").filter(|t| *t > 0.0 && t.is_finite()).map(Duration::from_secs_f64),
            collect_timing: self.flag("collect_timing"),
            split_loggers: self.flag("split_loggers"),
        }
    }

    /// The adapter options, or a message saying which options exclude each
    /// other (keystoneauth's rules).
    pub(crate) fn adapter(&self) -> Result<AdapterOptions, (String, String)> {
        let valid = self.list("valid_interfaces");
        if !valid.is_empty() && self.set_by_source("interface") {
            return Err((
                "valid_interfaces".into(),
                "interface and valid_interfaces are mutually exclusive; use valid_interfaces".into(),
            ));
        }
        let invalid = |dest: &str, i: &str| {
            (
                dest.to_owned(),
                format!("{i:?} is not a valid interface; valid interfaces are public, internal and admin"),
            )
        };
        let mut interfaces = Vec::with_capacity(valid.len());
        for i in &valid {
            // keystoneauth takes exactly these three in `valid_interfaces`.
            match Interface::parse(i) {
                Some(parsed) if parsed.as_str() == i => interfaces.push(parsed),
                _ => return Err(invalid("valid_interfaces", i)),
            }
        }
        if valid.is_empty()
            && let Some(i) = self.str("interface")
        {
            // The deprecated `interface` also takes the v2 `publicURL` forms.
            interfaces.push(Interface::parse(&i).ok_or_else(|| invalid("interface", &i))?);
        }
        let version = self.str("version");
        let (min_version, max_version) = (self.str("min_version"), self.str("max_version"));
        if version.is_some() && (min_version.is_some() || max_version.is_some()) {
            return Err(("version".into(), "version is mutually exclusive with min_version and max_version".into()));
        }
        let parse = |dest: &str, v: &Option<String>| match v.as_deref().map(str::parse::<Version>) {
            Some(Err(e)) => Err((dest.to_owned(), e.to_string())),
            Some(Ok(v)) => Ok(Some(v)),
            None => Ok(None),
        };
        let (version, min, max) =
            (parse("version", &version)?, parse("min_version", &min_version)?, parse("max_version", &max_version)?);
        let version = match (version, min, max) {
            (Some(v), _, _) => Some(VersionSpec::version(v)),
            (None, None, None) => None,
            (None, lo, hi) => Some(VersionSpec::between(lo, hi)),
        };
        let count = |dest: &str| self.int(dest).and_then(|i| u32::try_from(i).ok());
        let delay = |dest: &str| self.float(dest).filter(|d| *d >= 0.0 && d.is_finite()).map(Duration::from_secs_f64);
        Ok(AdapterOptions {
            service_type: self.str("service_type"),
            service_name: self.str("service_name"),
            interfaces,
            region_name: self.str("region_name"),
            endpoint_override: self.str("endpoint_override"),
            version,
            connect_retries: count("connect_retries"),
            connect_retry_delay: delay("connect_retry_delay"),
            status_code_retries: count("status_code_retries"),
            status_code_retry_delay: delay("status_code_retry_delay"),
            retriable_status_codes: self.list("retriable_status_codes").iter().filter_map(|s| s.parse().ok()).collect(),
            rate_limit: None,
            concurrency: None,
        })
    }
}
