//! Global request ids: `X-OpenStack-Request-ID`, the id that follows one
//! user request through every service it touches (keystoneauth's
//! `global_request_id`, oslo.context's format).

use std::fmt;
use std::sync::Arc;

/// The header a global request id travels in, both ways.
pub const REQUEST_ID_HEADER: &str = "X-OpenStack-Request-ID";

/// A global request id: `req-` and a lowercase UUID, the only form
/// oslo.middleware's `request_id` accepts from a caller (anything else could
/// be a forged or oversized value written into every service's logs).
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GlobalRequestId(Arc<str>);

/// A value that is not `req-<uuid>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a global request id: it must be req- and a lowercase UUID (req-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
)]
pub struct InvalidRequestId(String);

impl GlobalRequestId {
    /// Checks `s` as oslo.middleware does
    /// (`^req-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`).
    pub fn parse(s: &str) -> Result<GlobalRequestId, InvalidRequestId> {
        if well_formed(s) {
            Ok(GlobalRequestId(s.into()))
        } else {
            // Cut: the refused value may be anything a caller sent.
            Err(InvalidRequestId(s.chars().take(64).collect()))
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `req-` then 8-4-4-4-12 lowercase hex digits.
fn well_formed(s: &str) -> bool {
    let Some(uuid) = s.strip_prefix("req-") else { return false };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

impl fmt::Display for GlobalRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for GlobalRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GlobalRequestId({})", self.0)
    }
}

impl From<&GlobalRequestId> for reqwest::header::HeaderValue {
    fn from(id: &GlobalRequestId) -> Self {
        // Checked to be `req-` and hex digits: always a valid header value.
        reqwest::header::HeaderValue::from_str(&id.0).unwrap_or_else(|_| reqwest::header::HeaderValue::from_static(""))
    }
}

impl std::str::FromStr for GlobalRequestId {
    type Err = InvalidRequestId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GlobalRequestId::parse(s)
    }
}

impl TryFrom<String> for GlobalRequestId {
    type Error = InvalidRequestId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        GlobalRequestId::parse(&s)
    }
}

impl From<GlobalRequestId> for String {
    fn from(id: GlobalRequestId) -> String {
        id.0.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::GlobalRequestId;

    #[test]
    fn only_req_and_a_lowercase_uuid() {
        assert!(GlobalRequestId::parse("req-0123abcd-4567-89ef-aaaa-0123456789ab").is_ok());
        for bad in [
            "",
            "req-",
            "0123abcd-4567-89ef-aaaa-0123456789ab",
            "req-0123ABCD-4567-89ef-aaaa-0123456789ab",
            "req-0123abcd-4567-89ef-aaaa-0123456789ab0",
            "req-0123abcd-4567-89ef-aaaa",
            "req-0123abcd-4567-89ef-aaaa-0123456789ag",
            "req-0123abcd-4567-89ef-aaaa-0123456789ab\n",
            "REQ-0123abcd-4567-89ef-aaaa-0123456789ab",
            "req-0123abcd_4567-89ef-aaaa-0123456789ab",
        ] {
            assert!(GlobalRequestId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serde_refuses_a_malformed_id() {
        let ok: GlobalRequestId = serde_json::from_str("\"req-0123abcd-4567-89ef-aaaa-0123456789ab\"").unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"req-0123abcd-4567-89ef-aaaa-0123456789ab\"");
        assert!(serde_json::from_str::<GlobalRequestId>("\"req-x\"").is_err());
    }
}
