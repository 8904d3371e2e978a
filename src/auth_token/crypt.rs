//! keystonemiddleware's memcache protection (`memcache_security_strategy`
//! `MAC` or `ENCRYPT`), byte for byte, so entries written by either
//! implementation are readable by the other.
//!
//! From the secret key and the token, HMAC-SHA384 derives three 16-byte
//! keys: the cache key (so the token never appears in memcached), the MAC
//! key and the AES-128 key. An entry is `base64(HMAC-SHA384(mac_key,
//! payload)) + payload`, where payload is `base64(data)` for `MAC` and
//! `base64(iv + AES-128-CBC(data))` for `ENCRYPT`.

use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ring::hmac;
use zeroize::Zeroizing;

use crate::opt::Secret;

/// How entries are protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Authenticated: a changed entry is detected.
    Mac,
    /// Authenticated and encrypted: an entry cannot be read without the key.
    Encrypt,
}

impl Protection {
    /// The strategy's name as keystonemiddleware mixes it into the keys.
    fn name(self) -> &'static [u8] {
        match self {
            Protection::Mac => b"MAC",
            Protection::Encrypt => b"ENCRYPT",
        }
    }
}

/// The keys derived for one token.
pub(crate) struct DerivedKeys {
    /// base64 of the first 16 bytes: the memcached key's suffix.
    pub cache_key: String,
    mac: Zeroizing<Vec<u8>>,
    aes: Zeroizing<Vec<u8>>,
    protection: Protection,
}

/// SHA-384 digest length, its base64 length, and a third of it.
const DIGEST_LEN: usize = 48;
const DIGEST_B64_LEN: usize = 64;
const SPLIT: usize = DIGEST_LEN / 3;

/// Why an entry was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Unprotect {
    #[error("the entry's MAC does not match: it was changed or written with another key")]
    Mac,
    #[error("the entry is not valid base64")]
    Encoding,
    #[error("the entry cannot be decrypted")]
    Cipher,
}

/// Derives the keys for `token` (keystonemiddleware's `derive_keys`).
pub(crate) fn derive_keys(token: &[u8], secret: &Secret, protection: Protection) -> DerivedKeys {
    let key = hmac::Key::new(hmac::HMAC_SHA384, secret.expose().as_bytes());
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(token);
    ctx.update(protection.name());
    let digest = ctx.sign();
    let d = digest.as_ref();
    DerivedKeys {
        cache_key: B64.encode(&d[..SPLIT]),
        mac: Zeroizing::new(d[SPLIT..2 * SPLIT].to_vec()),
        aes: Zeroizing::new(d[2 * SPLIT..].to_vec()),
        protection,
    }
}

fn sign(key: &[u8], data: &[u8]) -> String {
    B64.encode(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA384, key), data).as_ref())
}

type Enc = cbc::Encryptor<aes::Aes128>;
type Dec = cbc::Decryptor<aes::Aes128>;

impl DerivedKeys {
    /// Protects `data` for storage.
    pub fn protect(&self, data: &[u8]) -> Result<Vec<u8>, ring::error::Unspecified> {
        let payload = match self.protection {
            Protection::Mac => B64.encode(data),
            Protection::Encrypt => {
                let mut iv = [0u8; 16];
                ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut iv)?;
                let enc = Enc::new_from_slices(&self.aes, &iv).map_err(|_| ring::error::Unspecified)?;
                let mut out = iv.to_vec();
                out.extend(enc.encrypt_padded_vec_mut::<Pkcs7>(data));
                B64.encode(out)
            }
        };
        let mut entry = sign(&self.mac, payload.as_bytes()).into_bytes();
        entry.extend_from_slice(payload.as_bytes());
        Ok(entry)
    }

    /// Checks and opens an entry written by [`DerivedKeys::protect`] (or by
    /// keystonemiddleware with the same key and strategy).
    pub fn unprotect(&self, entry: &[u8]) -> Result<Zeroizing<Vec<u8>>, Unprotect> {
        if entry.len() < DIGEST_B64_LEN {
            return Err(Unprotect::Mac);
        }
        let (mac, payload) = entry.split_at(DIGEST_B64_LEN);
        let key = hmac::Key::new(hmac::HMAC_SHA384, &self.mac);
        let given = B64.decode(mac).map_err(|_| Unprotect::Mac)?;
        hmac::verify(&key, payload, &given).map_err(|_| Unprotect::Mac)?;
        let data = Zeroizing::new(B64.decode(payload).map_err(|_| Unprotect::Encoding)?);
        match self.protection {
            Protection::Mac => Ok(data),
            Protection::Encrypt => {
                if data.len() < 32 || data.len() % 16 != 0 {
                    return Err(Unprotect::Cipher);
                }
                let (iv, body) = data.split_at(16);
                let dec = Dec::new_from_slices(&self.aes, iv).map_err(|_| Unprotect::Cipher)?;
                dec.decrypt_padded_vec_mut::<Pkcs7>(body).map(Zeroizing::new).map_err(|_| Unprotect::Cipher)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: Protection) -> DerivedKeys {
        derive_keys(b"gAAAAA-token", &Secret::new("s3cret"), p)
    }

    #[test]
    fn round_trips_and_detects_changes() {
        for p in [Protection::Mac, Protection::Encrypt] {
            let k = keys(p);
            let entry = k.protect(br#"{"token": {}}"#).expect("protect");
            assert_eq!(&*k.unprotect(&entry).expect("unprotect"), br#"{"token": {}}"#);
            for i in [0, DIGEST_B64_LEN, entry.len() - 1] {
                let mut bad = entry.clone();
                bad[i] ^= 1;
                assert_eq!(k.unprotect(&bad).err(), Some(Unprotect::Mac), "{p:?} byte {i}");
            }
            let other = derive_keys(b"gAAAAA-token", &Secret::new("other"), p);
            assert_eq!(other.unprotect(&entry).err(), Some(Unprotect::Mac));
            assert_eq!(k.unprotect(b"short").err(), Some(Unprotect::Mac));
        }
    }

    #[test]
    fn encrypt_hides_the_data_and_mac_does_not() {
        let plain = br#"{"token": {"user": {"name": "alice"}}}"#;
        let mac = keys(Protection::Mac).protect(plain).expect("mac");
        assert!(String::from_utf8_lossy(&B64.decode(&mac[DIGEST_B64_LEN..]).expect("b64")).contains("alice"));
        let enc = keys(Protection::Encrypt).protect(plain).expect("enc");
        let raw = B64.decode(&enc[DIGEST_B64_LEN..]).expect("b64");
        assert!(!String::from_utf8_lossy(&raw).contains("alice"));
        // A fresh IV each time.
        assert_ne!(enc, keys(Protection::Encrypt).protect(plain).expect("enc"));
    }

    /// Entries computed in Python with keystonemiddleware's algorithm
    /// (hmac, hashlib and cryptography's AES-CBC with PKCS7, a fixed IV for
    /// ENCRYPT): the same cache key and entries as a Python service.
    #[test]
    fn entries_match_keystonemiddleware() {
        let mac = derive_keys(b"token", &Secret::new("secret"), Protection::Mac);
        assert_eq!(mac.cache_key, "yC4apZW6eWwsziSdyhzD9A==");
        let python_mac = "S8sNLBOFjDSAsNA77VIT3PLFJgC6PJi7Fe0NBfKrHFC1OumbzsjvffsMMSRP4G+ReyJ0b2tlbiI6IHt9fQ==";
        assert_eq!(mac.protect(br#"{"token": {}}"#).expect("protect"), python_mac.as_bytes());
        let enc = derive_keys(b"token", &Secret::new("secret"), Protection::Encrypt);
        let python_enc = "NYIa77gGb8tF3ErF+83odw9BX2Qxq/Q9hozhrblcTOkm0gjVD3t2clh2NIZ4YtHMAAECAwQFBgcICQoLDA0OD4P/jzKzLXEWVeW/BMEuFuc=";
        assert_eq!(&*enc.unprotect(python_enc.as_bytes()).expect("unprotect"), br#"{"token": {}}"#);
    }
}
