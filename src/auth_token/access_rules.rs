//! Application credentials' access rules: a token from an application
//! credential with rules may only make the requests they allow
//! (keystonemiddleware's `validate_allowed_request`).

use crate::auth::AccessInfo;

/// The longest path matched against access rules: longer ones are
/// refused (no service route needs more, and it bounds the work a request
/// can ask for).
pub(crate) const MAX_MATCH_PATH: usize = 4096;

/// One step of a compiled pattern.
#[derive(Clone, Copy)]
enum Step {
    /// This byte.
    Byte(u8),
    /// One byte other than '/'.
    OneInSegment,
    /// Any number of bytes other than '/'.
    RestOfSegment,
    /// Any number of bytes.
    Anything,
}

/// `*` and `{name}` as one byte then the rest of the segment; `**` as
/// anything; every other byte as itself.
fn compile(pattern: &[u8]) -> Vec<Step> {
    let mut steps = Vec::with_capacity(pattern.len());
    let mut i = 0;
    while i < pattern.len() {
        match &pattern[i..] {
            [b'*', b'*', ..] => {
                steps.push(Step::Anything);
                i += 2;
            }
            [b'*', ..] => {
                steps.extend([Step::OneInSegment, Step::RestOfSegment]);
                i += 1;
            }
            [b'{', rest @ ..] if rest.contains(&b'}') => {
                steps.extend([Step::OneInSegment, Step::RestOfSegment]);
                i += 2 + rest.iter().position(|&c| c == b'}').unwrap_or(0);
            }
            [c, ..] => {
                steps.push(Step::Byte(*c));
                i += 1;
            }
            [] => break,
        }
    }
    steps
}

/// Whether `path` matches `pattern`: `*` and `{name}` match one path
/// segment, `**` any number of them, anything else itself.
///
/// A set-of-states simulation, path length times pattern length whatever
/// the pattern: the backtracking matcher this replaces (and
/// keystonemiddleware's regular expression) took minutes on
/// `/**/**/**/**/x` against a few thousand bytes of path.
pub(crate) fn path_matches(path: &str, pattern: &str) -> bool {
    let steps = compile(pattern.as_bytes());
    let n = steps.len();
    // `active[j]`: the path read so far can end just before step j.
    let mut active = vec![false; n + 1];
    let mut next = vec![false; n + 1];
    let close = |a: &mut Vec<bool>| {
        // Repeated steps may match nothing: the state after them is active too.
        for j in 0..n {
            if a[j] && matches!(steps[j], Step::RestOfSegment | Step::Anything) {
                a[j + 1] = true;
            }
        }
    };
    active[0] = true;
    close(&mut active);
    for &c in path.as_bytes() {
        next.iter_mut().for_each(|x| *x = false);
        let mut any = false;
        for j in 0..n {
            if !active[j] {
                continue;
            }
            match steps[j] {
                Step::Byte(b) if b == c => next[j + 1] = true,
                Step::OneInSegment if c != b'/' => next[j + 1] = true,
                Step::RestOfSegment if c != b'/' => next[j] = true,
                Step::Anything => next[j] = true,
                _ => continue,
            }
            any = true;
        }
        if !any {
            return false;
        }
        close(&mut next);
        std::mem::swap(&mut active, &mut next);
    }
    active[n]
}

/// Why `path` could name another route once a router decodes or
/// normalises it: a `.` or `..` segment (also percent-encoded), or an
/// encoded `/` or `\` inside a segment. `*` matches one segment as written,
/// so without this `/v2/images/..%2Fadmin` passed a `/v2/images/*` rule.
fn ambiguous(path: &str) -> Option<&'static str> {
    for segment in path.split('/') {
        let mut decoded = Vec::with_capacity(segment.len());
        let b = segment.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                (b'%', Some(h), Some(l)) => {
                    decoded.push((h * 16 + l) as u8);
                    i += 3;
                }
                (c, _, _) => {
                    decoded.push(c);
                    i += 1;
                }
            }
        }
        if decoded == b"." || decoded == b".." {
            return Some("the path has a dot segment");
        }
        if decoded.len() != b.len() && decoded.iter().any(|&c| c == b'/' || c == b'\\') {
            return Some("the path has an encoded slash");
        }
        if b.contains(&b'\\') {
            return Some("the path has a backslash");
        }
    }
    None
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
    if path.len() > MAX_MATCH_PATH {
        return Err(format!("the path is longer than {MAX_MATCH_PATH} bytes: not matched against access rules"));
    }
    if has_service_token {
        // A service calling on the user's behalf: not a user-facing request.
        return Ok(());
    }
    if let Some(why) = ambiguous(path) {
        return Err(format!("{why}: not matched against access rules"));
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
        assert!(path_matches("/a/b/", "/a/b/**") && !path_matches("/a/b", "/a/b/**"), "** may match nothing");
        assert!(path_matches("/a/{x", "/a/{x"), "an unclosed brace is itself");
        assert!(path_matches("///", "/**/**/**") && !path_matches("//", "/**/**/**"));
        assert!(!path_matches("/a/b", "/a/b/*"));
        assert!(path_matches("/a/bcd/e", "/a/b*/e"));
        assert!(!path_matches("/a/b/c", "/a/*"));
        assert!(path_matches("", "**") && !path_matches("", "*") && path_matches("", ""));
    }

    #[test]
    fn the_worst_patterns_finish() {
        let long = "/a".repeat(2_000);
        assert!(!path_matches(&long, "/**/**/**/**/**/**/**/x"));
        assert!(path_matches(&format!("{long}/x"), "/**/**/**/**/**/**/**/x"));
        assert!(!path_matches(&long, "/*/*/*/*/*/*/*/*/**/**/**/**/b"));
    }
}
