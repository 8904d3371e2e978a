//! What a token says: who, scoped to what, with which roles, until when,
//! and the service catalog. keystoneauth1's `AccessInfo`.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde_json::Value as J;

use super::catalog::ServiceCatalog;
use super::time::{format_iso8601, parse_iso8601};
use crate::opt::Secret;

/// An id and a name (either may be missing in some token shapes).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdName {
    /// The id.
    pub id: Option<String>,
    /// The name.
    pub name: Option<String>,
}

/// A user or a project, with its domain.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Scoped {
    /// Id and name.
    #[serde(flatten)]
    pub ident: IdName,
    /// Its domain (v3 only).
    pub domain: Option<IdName>,
}

/// Which identity API issued the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TokenVersion {
    /// `/v2.0/tokens`.
    V2,
    /// `/v3/auth/tokens`.
    V3,
}

/// A token and everything its body says. The token itself is a
/// [`Secret`]: `Debug` and `Serialize` never show it.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AccessInfo {
    /// The token (`X-Subject-Token` for v3, `access.token.id` for v2).
    /// Serialized in clear (a worker must be able to use it), so treat the
    /// serialized form as a secret.
    #[serde(serialize_with = "serialize_exposed")]
    pub token: Secret,
    /// The API version that issued it.
    pub version: TokenVersion,
    /// When it expires.
    pub expires_at: SystemTime,
    /// When it was issued, if the body says.
    pub issued_at: Option<SystemTime>,
    /// The user.
    pub user: Scoped,
    /// The project, for a project-scoped token.
    pub project: Option<Scoped>,
    /// The domain, for a domain-scoped token.
    pub domain: Option<IdName>,
    /// Whether the token is scoped to the whole system.
    pub system_all: bool,
    /// Role names.
    pub roles: Vec<IdName>,
    /// The trust, for a trust-scoped token.
    pub trust_id: Option<String>,
    /// The application credential that issued it, if one did.
    pub application_credential_id: Option<String>,
    /// The authentication methods used (`password`, `token`...).
    pub methods: Vec<String>,
    /// Audit ids (the token's own first, then its parent's).
    pub audit_ids: Vec<String>,
    /// The service catalog (empty for an unscoped token or `?nocatalog`).
    pub catalog: ServiceCatalog,
    /// What the token is bound to (`{"kerberos": "user@REALM"}`), checked by
    /// `enforce_token_bind`.
    #[serde(default)]
    pub bind: std::collections::BTreeMap<String, J>,
    /// Whether the project is the cloud's admin project (keystoneauth:
    /// true when the token does not say).
    #[serde(default = "yes")]
    pub is_admin_project: bool,
    /// The application credential's access rules, when it has any: which
    /// requests the token may make.
    #[serde(default)]
    pub access_rules: Option<Vec<AccessRule>>,
    /// An OAuth 2.0 access token fetched beside this token
    /// (`v3oauth2clientcredential`), sent as `Authorization: Bearer` with
    /// it. Serialized in clear, as the token.
    #[serde(default, serialize_with = "serialize_exposed_opt")]
    pub oauth2_access_token: Option<Secret>,
}

/// One access rule of an application credential: a method and path
/// pattern on one service type.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccessRule {
    /// The service type (`compute`, `image`...).
    pub service: String,
    /// The HTTP method.
    pub method: String,
    /// The path pattern: `*` matches one segment, `**` any number, `{x}`
    /// one segment.
    pub path: String,
}

fn yes() -> bool {
    true
}

fn access_rules(v: Option<&J>) -> Option<Vec<AccessRule>> {
    let rules = v?.as_array()?;
    Some(
        rules
            .iter()
            .map(|r| AccessRule {
                service: str_at(r, &["service"]).unwrap_or_default().to_owned(),
                method: str_at(r, &["method"]).unwrap_or_default().to_owned(),
                path: str_at(r, &["path"]).unwrap_or_default().to_owned(),
            })
            .collect(),
    )
}

fn bind(v: Option<&J>) -> std::collections::BTreeMap<String, J> {
    v.and_then(J::as_object).map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}

/// Why a token response could not be read. Never holds the token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidToken(pub String);

fn serialize_exposed<S: serde::Serializer>(s: &Secret, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.expose())
}

fn serialize_exposed_opt<S: serde::Serializer>(s: &Option<Secret>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(s) => ser.serialize_some(s.expose()),
        None => ser.serialize_none(),
    }
}

fn str_at<'a>(v: &'a J, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

/// The strings of the array at `v`.
fn strings(v: Option<&J>) -> Vec<String> {
    v.and_then(J::as_array).into_iter().flatten().filter_map(J::as_str).map(str::to_owned).collect()
}

/// The roles of the array at `v`.
fn roles(v: Option<&J>) -> Vec<IdName> {
    v.and_then(J::as_array).into_iter().flatten().filter_map(|r| id_name(Some(r))).collect()
}

fn id_name(v: Option<&J>) -> Option<IdName> {
    let v = v?;
    if !v.is_object() {
        return None;
    }
    Some(IdName {
        id: v.get("id").and_then(J::as_str).map(str::to_owned),
        name: v.get("name").and_then(J::as_str).map(str::to_owned),
    })
}

fn scoped(v: Option<&J>) -> Option<Scoped> {
    let ident = id_name(v)?;
    Some(Scoped { ident, domain: id_name(v.and_then(|v| v.get("domain"))) })
}

impl AccessInfo {
    /// Reads a v3 response: the `X-Subject-Token` header's value and the
    /// JSON body (`{"token": {...}}`).
    pub fn from_v3(subject_token: &str, body: &J) -> Result<AccessInfo, InvalidToken> {
        let t = body.get("token").ok_or_else(|| InvalidToken("the response has no \"token\" object".into()))?;
        if subject_token.is_empty() {
            return Err(InvalidToken("the response has no X-Subject-Token header".into()));
        }
        let expires = str_at(t, &["expires_at"]).ok_or_else(|| InvalidToken("the token has no expires_at".into()))?;
        let expires_at =
            parse_iso8601(expires).ok_or_else(|| InvalidToken(format!("expires_at {expires:?} is not a time")))?;
        let user = scoped(t.get("user")).ok_or_else(|| InvalidToken("the token has no user".into()))?;
        Ok(AccessInfo {
            token: Secret::new(subject_token),
            version: TokenVersion::V3,
            expires_at,
            issued_at: str_at(t, &["issued_at"]).and_then(parse_iso8601),
            user,
            project: scoped(t.get("project")),
            domain: id_name(t.get("domain")),
            system_all: t.pointer("/system/all").and_then(J::as_bool).unwrap_or(false),
            roles: roles(t.get("roles")),
            trust_id: str_at(t, &["OS-TRUST:trust", "id"]).map(str::to_owned),
            application_credential_id: str_at(t, &["application_credential", "id"]).map(str::to_owned),
            methods: strings(t.get("methods")),
            audit_ids: strings(t.get("audit_ids")),
            catalog: t.get("catalog").map(ServiceCatalog::from_v3).unwrap_or_default(),
            bind: bind(t.get("bind")),
            is_admin_project: t.get("is_admin_project").and_then(J::as_bool).unwrap_or(true),
            access_rules: access_rules(t.pointer("/application_credential/access_rules")),
            oauth2_access_token: None,
        })
    }

    /// Reads a v2 response body (`{"access": {...}}`).
    pub fn from_v2(body: &J) -> Result<AccessInfo, InvalidToken> {
        let a = body.get("access").ok_or_else(|| InvalidToken("the response has no \"access\" object".into()))?;
        let token =
            str_at(a, &["token", "id"]).ok_or_else(|| InvalidToken("the response has no access.token.id".into()))?;
        let expires =
            str_at(a, &["token", "expires"]).ok_or_else(|| InvalidToken("the token has no expires".into()))?;
        let expires_at =
            parse_iso8601(expires).ok_or_else(|| InvalidToken(format!("expires {expires:?} is not a time")))?;
        let user = a.get("user").ok_or_else(|| InvalidToken("the token has no user".into()))?;
        let tenant = a.pointer("/token/tenant");
        Ok(AccessInfo {
            token: Secret::new(token),
            version: TokenVersion::V2,
            expires_at,
            issued_at: str_at(a, &["token", "issued_at"]).and_then(parse_iso8601),
            user: Scoped {
                ident: IdName {
                    id: user.get("id").and_then(J::as_str).map(str::to_owned),
                    name: user.get("name").or_else(|| user.get("username")).and_then(J::as_str).map(str::to_owned),
                },
                domain: None,
            },
            project: scoped(tenant),
            domain: None,
            system_all: false,
            roles: roles(user.get("roles")),
            trust_id: str_at(a, &["trust", "id"]).map(str::to_owned),
            application_credential_id: None,
            methods: Vec::new(),
            audit_ids: strings(a.pointer("/token/audit_ids")),
            catalog: a.get("serviceCatalog").map(ServiceCatalog::from_v2).unwrap_or_default(),
            bind: bind(a.pointer("/token/bind")),
            is_admin_project: true,
            access_rules: None,
            oauth2_access_token: None,
        })
    }

    /// Role names.
    pub fn role_names(&self) -> Vec<&str> {
        self.roles.iter().filter_map(|r| r.name.as_deref()).collect()
    }

    /// Whether the token expires within `margin` of now (or already has).
    pub fn will_expire_soon(&self, margin: Duration) -> bool {
        SystemTime::now() + margin >= self.expires_at
    }

    /// The token's own audit id.
    pub fn audit_id(&self) -> Option<&str> {
        self.audit_ids.first().map(String::as_str)
    }
}

impl fmt::Debug for AccessInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessInfo")
            .field("token", &self.token)
            .field("version", &self.version)
            .field("expires_at", &format_iso8601(self.expires_at))
            .field("user", &self.user)
            .field("project", &self.project)
            .field("domain", &self.domain)
            .field("system_all", &self.system_all)
            .field("roles", &self.role_names())
            .field("trust_id", &self.trust_id)
            .field("audit_ids", &self.audit_ids)
            .field("bind", &self.bind.keys().collect::<Vec<_>>())
            .field("catalog_endpoints", &self.catalog.endpoints().len())
            .finish()
    }
}
