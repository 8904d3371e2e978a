//! Sending an auth request and turning the answer into an error or JSON.

use serde_json::Value as J;

use crate::auth::plugin::AuthError;
use crate::auth::transport::{HttpRequest, HttpResponse, Transport};

/// Sends `req`; any status other than 2xx (and 300 for discovery, when
/// `allow_300`) becomes an error that quotes the service's message.
pub(crate) async fn send(t: &dyn Transport, req: HttpRequest, allow_300: bool) -> Result<HttpResponse, AuthError> {
    let url = req.url.clone();
    tracing::debug!(method = ?req.method, url = %url, "identity request");
    let resp = t.send(req).await.map_err(|source| AuthError::Unreachable { url: url.clone(), source })?;
    tracing::debug!(url = %url, status = resp.status, "identity response");
    if (200..300).contains(&resp.status) || (allow_300 && resp.status == 300) {
        return Ok(resp);
    }
    let message = error_message(&resp.body);
    Err(match resp.status {
        401 => AuthError::Unauthorized { url, message },
        status => AuthError::Http { url, status, message },
    })
}

/// An OpenStack error body's message: Keystone's `{"error": {"message":
/// ...}}`, or the `{"<kind>": {"message": ...}}` other services send, else
/// the start of the body.
pub(crate) fn error_message(body: &[u8]) -> String {
    if let Ok(j) = serde_json::from_slice::<J>(body) {
        let m = j
            .pointer("/error/message")
            .or_else(|| j.as_object().and_then(|o| o.values().next()).and_then(|v| v.get("message")));
        if let Some(m) = m.and_then(J::as_str) {
            return m.to_owned();
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() { "(no message)".to_owned() } else { text.chars().take(200).collect() }
}

/// The body as JSON.
pub(crate) fn json(url: &str, resp: &HttpResponse) -> Result<J, AuthError> {
    serde_json::from_slice(&resp.body)
        .map_err(|e| AuthError::InvalidResponse { url: url.to_owned(), reason: format!("the body is not JSON ({e})") })
}

/// An `application/x-www-form-urlencoded` body from `pairs`, in their
/// order, as Python's `urllib.parse.urlencode` (which requests uses for a
/// dict body) writes it: letters, digits and `_.-~` as they are, a space as
/// `+`, every other byte of the UTF-8 as `%XX`.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    fn push(out: &mut String, s: &str) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push(&mut out, k);
        out.push('=');
        push(&mut out, v);
    }
    out
}

/// An OAuth 2.0 token endpoint's refusal (RFC 6749's `error` and
/// `error_description`, else the body's message), 401 as `Unauthorized`.
pub(crate) fn oauth_error(url: &str, status: u16, body: Option<&J>, raw: &[u8]) -> AuthError {
    let message = body
        .and_then(|b| {
            let error = b.get("error").and_then(J::as_str)?;
            Some(match b.get("error_description").and_then(J::as_str) {
                Some(d) => format!("{error}: {d}"),
                None => error.to_owned(),
            })
        })
        .unwrap_or_else(|| error_message(raw));
    match status {
        401 => AuthError::Unauthorized { url: url.to_owned(), message },
        status => AuthError::Http { url: url.to_owned(), status, message },
    }
}

/// The non-empty `access_token` of a token endpoint's answer.
pub(crate) fn access_token(url: &str, body: Option<&J>) -> Result<crate::opt::Secret, AuthError> {
    match body.and_then(|b| b.get("access_token")).and_then(J::as_str) {
        Some(token) if !token.is_empty() => Ok(crate::opt::Secret::new(token)),
        _ => {
            Err(AuthError::InvalidResponse { url: url.to_owned(), reason: "the answer has no \"access_token\"".into() })
        }
    }
}

/// An HTTP Basic `Authorization` value for `user` and `password`, as
/// requests' `HTTPBasicAuth` makes it (no encoding of either first).
pub(crate) fn basic(user: &str, password: &str) -> crate::opt::Secret {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    crate::opt::Secret::new(format!("Basic {encoded}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_like_urlencode() {
        // urllib.parse.urlencode({'scope': 'openid profile', 'password': 'p&ss=w+rd/é~'})
        assert_eq!(
            super::form(&[("scope", "openid profile"), ("password", "p&ss=w+rd/é~")]),
            "scope=openid+profile&password=p%26ss%3Dw%2Brd%2F%C3%A9~"
        );
        assert_eq!(super::form(&[]), "");
    }
}
