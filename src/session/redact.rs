//! What the logs may show of a request.

use crate::opt::Secret;

/// A token as logs show it: `{SHA256}<hex>`, as keystoneauth does, so two
/// log lines can be matched without the token being in either.
///
/// ```
/// let h = stackauth::session::token_hash(&stackauth::opt::Secret::new("abc"));
/// assert_eq!(h, "{SHA256}ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn token_hash(token: &Secret) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.expose().as_bytes());
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
