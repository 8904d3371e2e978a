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
