//! API version numbers (`3`, `2.1`, `latest`): what the `version`,
//! `min_version` and `max_version` options hold. Checked here, where the
//! options are read; matched against what services offer in
//! `session::discover`.

use std::fmt;
use std::str::FromStr;

/// The highest minor version ("latest").
pub const LATEST: u32 = u32::MAX;

/// An API version: major and minor (`LATEST` for "the highest").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32, pub u32);

impl Version {
    /// The highest version there is.
    pub const LATEST: Version = Version(LATEST, LATEST);
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (LATEST, _) => f.write_str("latest"),
            (m, LATEST) => write!(f, "{m}.latest"),
            (m, n) => write!(f, "{m}.{n}"),
        }
    }
}

/// Text that is not a version.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a version (such as 3, 2.1 or latest)")]
pub struct InvalidVersion {
    /// The text as given.
    pub text: String,
}

impl FromStr for Version {
    type Err = InvalidVersion;

    /// `3`, `2.1`, `v2.1`, `v3.14`, `latest`, `2.latest`.
    fn from_str(s: &str) -> Result<Version, InvalidVersion> {
        let t = s.trim().trim_start_matches(['v', 'V']);
        if t.eq_ignore_ascii_case("latest") {
            return Ok(Version::LATEST);
        }
        let bad = || InvalidVersion { text: s.to_owned() };
        let (maj, min) = t.split_once('.').unwrap_or((t, "0"));
        let major = maj.parse::<u32>().map_err(|_| bad())?;
        let minor = if min.eq_ignore_ascii_case("latest") { LATEST } else { min.parse::<u32>().map_err(|_| bad())? };
        Ok(Version(major, minor))
    }
}

/// `version`, `min_version` and `max_version` that do not make a
/// [`VersionSpec`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionSpecError {
    /// One of them is not a version.
    #[error(transparent)]
    Invalid(#[from] InvalidVersion),
    /// `version` with `min_version` or `max_version`.
    #[error("version is mutually exclusive with min_version and max_version")]
    Exclusive,
}

/// The versions a request accepts: keystoneauth's `version`, or
/// `min_version` and `max_version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionSpec {
    /// The lowest acceptable.
    pub min: Version,
    /// The highest acceptable.
    pub max: Version,
}

impl VersionSpec {
    /// `version = 3` accepts 3.0 up to 3.latest; `version = 2.1` accepts
    /// 2.1 up to 2.latest; `latest` accepts anything.
    pub fn version(v: Version) -> VersionSpec {
        if v == Version::LATEST {
            return VersionSpec { min: Version(0, 0), max: Version::LATEST };
        }
        VersionSpec { min: v, max: Version(v.0, LATEST) }
    }

    /// Bounds (either may be missing).
    pub fn between(min: Option<Version>, max: Option<Version>) -> VersionSpec {
        let min = min.unwrap_or(Version(0, 0));
        let max = match max {
            Some(Version(m, n)) if n != LATEST && m != LATEST => Version(m, n),
            Some(v) => v,
            None => Version::LATEST,
        };
        VersionSpec { min, max }
    }

    /// Reads `version`, `min_version` and `max_version` strings.
    pub fn parse(
        version: Option<&str>,
        min: Option<&str>,
        max: Option<&str>,
    ) -> Result<Option<VersionSpec>, VersionSpecError> {
        let p = |s: Option<&str>| s.map(str::parse::<Version>).transpose();
        Ok(match (p(version)?, p(min)?, p(max)?) {
            (Some(v), None, None) => Some(VersionSpec::version(v)),
            (Some(_), _, _) => return Err(VersionSpecError::Exclusive),
            (None, None, None) => None,
            (None, lo, hi) => Some(VersionSpec::between(lo, hi)),
        })
    }

    /// Whether `v` is acceptable. A bound's `latest` minor accepts every
    /// minor of that major.
    pub fn accepts(&self, v: Version) -> bool {
        v >= self.min
            && (self.max.0 == LATEST
                || v.0 < self.max.0
                || (v.0 == self.max.0 && (self.max.1 == LATEST || v.1 <= self.max.1)))
    }
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == Version(0, 0) && self.max == Version::LATEST {
            f.write_str("latest")
        } else if self.max.1 == LATEST && self.max.0 == self.min.0 {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{} to {}", self.min, self.max)
        }
    }
}
