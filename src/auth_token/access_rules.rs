//! Application credentials' access rules: a token from an application
//! credential with rules may only make the requests they allow
//! (keystonemiddleware's `validate_allowed_request`).

use crate::auth::AccessInfo;

/// Whether `path` matches `pattern`: `*` and `{name}` match one path
/// segment, `**` any number of them, anything else itself.
pub(crate) fn path_matches(path: &str, pattern: &str) -> bool {
    fn go(path: &[u8], pat: &[u8]) -> bool {
        match pat {
            [] => path.is_empty(),
            [b'*', b'*', rest @ ..] => (0..=path.len()).any(|i| go(&path[i..], rest)),
            [b'*', rest @ ..] => segment(path, rest),
            [b'{', ..] => match pat.iter().position(|&c| c == b'}') {
                Some(end) => segment(path, &pat[end + 1..]),
                None => literal(path, pat),
            },
            _ => literal(path, pat),
        }
    }
    // One or more characters other than '/', then the rest.
    fn segment(path: &[u8], rest: &[u8]) -> bool {
        let max = path.iter().position(|&c| c == b'/').unwrap_or(path.len());
        (1..=max).any(|i| go(&path[i..], rest))
    }
    fn literal(path: &[u8], pat: &[u8]) -> bool {
        matches!((path.first(), pat.first()), (Some(a), Some(b)) if a == b) && go(&path[1..], &pat[1..])
    }
    go(path.as_bytes(), pattern.as_bytes())
}

/// Checks `token`'s access rules for a request; `Err` says why it is
/// refused.
pub(crate) fn allowed(
    token: &AccessInfo,
    service_type: Option<&str>,
    method: &str,
    path: &str,
    has_service_token: bool,
) -> Result<(), String> {
    let Some(rules) = &token.access_rules else { return Ok(()) };
    let Some(mine) = service_type else {
        tracing::warn!(
            "cannot check a request against an application credential's access rules: set service_type in [keystone_authtoken]"
        );
        return Err("access rules present but service_type is not set".into());
    };
    if mine == "identity" && method == "GET" && path.ends_with("/v3/auth/tokens") {
        return Ok(());
    }
    if !token.catalog.endpoints().iter().any(|e| e.service_type == mine) {
        tracing::warn!(service_type = mine, "service_type in [keystone_authtoken] is not in the token's catalog");
        return Err("service_type is not in the token's catalog".into());
    }
    if has_service_token {
        // A service calling on the user's behalf: not a user-facing request.
        return Ok(());
    }
    if rules.iter().any(|r| r.method == method && r.service == mine && path_matches(path, &r.path)) {
        Ok(())
    } else {
        Err(format!("no access rule allows {method} {path}"))
    }
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn patterns_as_keystonemiddleware() {
        assert!(path_matches("/v2.1/servers", "/v2.1/servers"));
        assert!(path_matches("/v2.1/servers/abc", "/v2.1/servers/*"));
        assert!(!path_matches("/v2.1/servers/abc/action", "/v2.1/servers/*"));
        assert!(path_matches("/v2.1/servers/abc/action", "/v2.1/servers/**"));
        assert!(path_matches("/v2.1/servers/abc/action", "/v2.1/servers/{server_id}/action"));
        assert!(!path_matches("/v2.1/servers//action", "/v2.1/servers/{server_id}/action"));
        assert!(path_matches("/v2/images", "/v2/**"));
        assert!(!path_matches("/v2/images", "/v3/**"));
        assert!(!path_matches("/v2.1/servers", "/v2.1/servers/*"));
    }
}
