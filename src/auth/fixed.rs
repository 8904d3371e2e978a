//! Plugins with a fixed endpoint and no token service: `admin_token`,
//! `http_basic` and `none`.

use std::sync::Arc;

use super::plugin::{AuthError, AuthPlugin, Credentials, PluginError, PluginOptions};
use super::transport::{BoxFuture, Transport};
use crate::opt::Secret;

/// A plugin that sends fixed headers to a fixed endpoint.
#[derive(Debug)]
pub struct FixedAuth {
    name: String,
    endpoint: Option<String>,
    headers: Vec<(&'static str, Secret)>,
}

impl FixedAuth {
    /// `admin_token`: `X-Auth-Token: <token>` to `endpoint`.
    pub fn admin_token(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let endpoint = o.need("endpoint")?;
        let token = o.need_secret("token")?;
        Ok(Arc::new(FixedAuth {
            name: o.plugin().to_owned(),
            endpoint: Some(endpoint),
            headers: vec![("X-Auth-Token", token)],
        }))
    }

    /// `http_basic`: `Authorization: Basic base64(username:password)`.
    pub fn http_basic(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        let username = o.need("username")?;
        let password = o.need_secret("password")?;
        let encoded = base64(format!("{username}:{}", password.expose()).as_bytes());
        Ok(Arc::new(FixedAuth {
            name: o.plugin().to_owned(),
            endpoint: o.str("endpoint"),
            headers: vec![("Authorization", Secret::new(format!("Basic {encoded}")))],
        }))
    }

    /// `none`: no authentication, requests go to `endpoint`.
    pub fn none(o: &PluginOptions<'_>) -> Result<Arc<dyn AuthPlugin>, PluginError> {
        Ok(Arc::new(FixedAuth { name: o.plugin().to_owned(), endpoint: o.str("endpoint"), headers: Vec::new() }))
    }
}

impl AuthPlugin for FixedAuth {
    fn plugin_name(&self) -> &str {
        &self.name
    }

    fn authenticate<'a>(&'a self, _t: &'a dyn Transport) -> BoxFuture<'a, Result<Credentials, AuthError>> {
        Box::pin(async move { Ok(Credentials::Headers(self.headers.clone())) })
    }

    fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }
}

/// Standard base64 with padding (RFC 4648).
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("user:pass", "dXNlcjpwYXNz"),
        ] {
            assert_eq!(super::base64(i.as_bytes()), o);
        }
    }
}
