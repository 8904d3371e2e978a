//! `enforce_token_bind`: a token bound to a Kerberos principal is accepted
//! only from a request that authenticated as that principal
//! (keystonemiddleware's `_confirm_token_bind`).

use super::config::BindMode;
use crate::auth::AccessInfo;

/// How the web server authenticated the request (WSGI's `AUTH_TYPE` and
/// `REMOTE_USER`). A layer in front (a GSSAPI one, say) puts it in the
/// request's extensions; without it a Kerberos-bound token is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteUser {
    /// The authentication type, such as `negotiate`.
    pub auth_type: String,
    /// The authenticated principal.
    pub name: String,
}

/// Checks `token`'s bind against `mode`; the error says why (never the
/// token).
pub(crate) fn confirm(mode: &BindMode, token: &AccessInfo, remote: Option<&RemoteUser>) -> Result<(), String> {
    if *mode == BindMode::Disabled {
        return Ok(());
    }
    let permissive = matches!(mode, BindMode::Permissive | BindMode::Strict);
    if token.bind.is_empty() {
        return if permissive { Ok(()) } else { Err("no bind information in the token".into()) };
    }
    if let BindMode::Named(name) = mode {
        if !token.bind.contains_key(name) {
            return Err(format!("bind mode {name:?} is required but not in the token's bind information"));
        }
    }
    for (kind, identifier) in &token.bind {
        if kind == "kerberos" {
            let Some(r) = remote.filter(|r| r.auth_type.eq_ignore_ascii_case("negotiate")) else {
                return Err("Kerberos credentials required and not present".into());
            };
            if Some(r.name.as_str()) != identifier.as_str() {
                return Err("Kerberos credentials do not match those in bind".into());
            }
        } else if *mode == BindMode::Permissive {
            tracing::debug!(bind_type = %kind, "ignoring an unknown bind in permissive mode");
        } else {
            return Err(format!("cannot verify unknown bind {kind:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{AccessInfo, ServiceCatalog};

    fn token(bind: &[(&str, &str)]) -> AccessInfo {
        let body = serde_json::json!({"token": {
            "expires_at": "2099-01-01T00:00:00Z", "user": {"id": "u"},
            "bind": bind.iter().map(|(k, v)| (k.to_string(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
        }});
        let a = AccessInfo::from_v3("t", &body).expect("token");
        assert_eq!(a.catalog, ServiceCatalog::default());
        a
    }

    fn kerberos(name: &str) -> RemoteUser {
        RemoteUser { auth_type: "Negotiate".into(), name: name.into() }
    }

    #[test]
    fn modes_as_keystonemiddleware() {
        let none = token(&[]);
        let krb = token(&[("kerberos", "alice@EXAMPLE")]);
        let x509 = token(&[("x509", "CN=alice")]);
        let alice = kerberos("alice@EXAMPLE");
        let bob = kerberos("bob@EXAMPLE");
        let b = BindMode::parse;
        // disabled: anything goes.
        assert!(confirm(&b("disabled"), &krb, None).is_ok());
        // permissive and strict: no bind is fine; kerberos is checked.
        for m in ["permissive", "strict"] {
            assert!(confirm(&b(m), &none, None).is_ok());
            assert!(confirm(&b(m), &krb, Some(&alice)).is_ok());
            assert!(confirm(&b(m), &krb, Some(&bob)).is_err());
            assert!(confirm(&b(m), &krb, None).is_err());
        }
        // unknown kinds: ignored when permissive, refused when strict.
        assert!(confirm(&b("permissive"), &x509, None).is_ok());
        assert!(confirm(&b("strict"), &x509, None).is_err());
        // required: a bind must be there.
        assert!(confirm(&b("required"), &none, None).is_err());
        assert!(confirm(&b("required"), &krb, Some(&alice)).is_ok());
        // named: that kind must be there (and verifiable).
        assert!(confirm(&b("kerberos"), &krb, Some(&alice)).is_ok());
        assert!(confirm(&b("kerberos"), &x509, None).is_err());
        assert!(confirm(&b("x509"), &x509, None).is_err(), "x509 cannot be verified: refused as keystonemiddleware");
        let wrong_type = RemoteUser { auth_type: "basic".into(), name: "alice@EXAMPLE".into() };
        assert!(confirm(&b("permissive"), &krb, Some(&wrong_type)).is_err());
    }
}
