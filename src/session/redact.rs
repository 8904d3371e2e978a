//! What the logs may show of a request.

use crate::opt::Secret;

/// A token as logs show it: `{SHA256}<hex>`, as keystoneauth does, so two
/// log lines can be matched without the token being in either.
pub(crate) fn token_hash(token: &Secret) -> String {
    token_hash_of(token.expose())
}

/// [`token_hash`] of a token not (yet) in a [`Secret`].
pub(crate) fn token_hash_of(token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut out = String::with_capacity(8 + 64);
    out.push_str("{SHA256}");
    push_hex(&mut out, digest.as_ref());
    out
}

/// Appends `bytes` in lower-case hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
}

/// A response body as the `stackauth::session::body` log shows it: JSON
/// only, with every value under a key that names a secret (`password`,
/// `secret`, `token`, `key`, `blob`, `credential`...) replaced by `***`, and
/// cut at 16 KiB. keystoneauth logs `application/json` and `text/plain`
/// bodies as they are (minus a token's catalog); an application credential's
/// secret or an EC2 secret would then be in the log, so stackauth masks them
/// and says why any other body is left out.
pub(crate) fn body_for_log(content_type: Option<&str>, body: &[u8]) -> String {
    const LIMIT: usize = 16 * 1024;
    let ct = content_type.unwrap_or("");
    if !ct.starts_with("application/json") {
        return format!("Omitted, Content-Type is {ct:?}. Only application/json bodies are logged.");
    }
    let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(body) else {
        return format!("Omitted: {} bytes that are not JSON.", body.len());
    };
    mask(&mut doc, false);
    let mut text = doc.to_string();
    if text.len() > LIMIT {
        let mut cut = LIMIT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("... (cut)");
    }
    text
}

/// Replaces secret-named values, at any depth. An object or list under a
/// secret name (`application_credential`, `token`) is masked inside rather
/// than whole, so its name and id stay readable; but under a `token` an `id`
/// is the token itself (Keystone v2's `access.token.id`) and is masked too.
fn mask(v: &mut serde_json::Value, in_token: bool) {
    const SECRET: [&str; 8] = ["password", "secret", "token", "key", "blob", "credential", "passcode", "totp"];
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                let k = k.to_ascii_lowercase();
                let nested = v.is_object() || v.is_array();
                if (SECRET.iter().any(|s| k.contains(s)) && !nested) || (in_token && k == "id") {
                    *v = serde_json::Value::String("***".into());
                } else {
                    mask(v, in_token || k.contains("token"));
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|v| mask(v, in_token)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{body_for_log, token_hash};
    use crate::opt::Secret;

    #[test]
    fn token_hash_is_keystoneauths_form() {
        let h = token_hash(&Secret::new("abc"));
        assert_eq!(h, "{SHA256}ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn secrets_in_json_bodies_are_masked_and_other_bodies_left_out() {
        let body = br#"{"application_credential": {"id": "a", "secret": "s3cret"}, "users": [{"name": "u", "password": "p4ss"}], "token": {"x": 1}}"#;
        let shown = body_for_log(Some("application/json; charset=utf-8"), body);
        assert!(!shown.contains("s3cret") && !shown.contains("p4ss"), "{shown}");
        assert!(shown.contains(r#""name":"u""#) && shown.contains(r#""id":"a""#), "{shown}");
        let v2 = br#"{"access": {"token": {"id": "v2-token-id", "tenant": {"id": "t"}}, "user": {"id": "u1"}}}"#;
        let shown = body_for_log(Some("application/json"), v2);
        assert!(!shown.contains("v2-token-id") && shown.contains("u1"), "{shown}");
        let listed = br#"{"credentials": [{"blob": "{\"access\": \"a\", \"secret\": \"ec2-s3cret\"}", "id": "c"}]}"#;
        let shown = body_for_log(Some("application/json"), listed);
        assert!(!shown.contains("ec2-s3cret") && shown.contains(r#""id":"c""#), "{shown}");
        let other = body_for_log(Some("text/plain"), b"s3cret");
        assert!(!other.contains("s3cret") && other.contains("text/plain"), "{other}");
        assert!(!body_for_log(Some("application/json"), b"s3cret{").contains("s3cret"));
    }
}
