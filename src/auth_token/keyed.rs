//! The in-process caches' token keys: SipHash-2-4 with a 128-bit output,
//! under a key drawn at random once per process.
//!
//! A cache key must not collide with another token's: an attacker whose
//! string landed on a cached token's key would be answered with that
//! caller's identity. SHA-256 (what keystonemiddleware's memcached keys
//! use, and the in-process key until 0.1) gets there by being collision
//! resistant for anyone; a keyed 128-bit PRF gets there by being
//! unpredictable: without the process's key, a guessed token lands on one
//! of `n` cached keys with probability `n / 2^128`, and neither the key
//! nor any cache key ever leaves the process (logs show `{SHA256}` hashes,
//! memcached keys stay SHA-256). SipHash is that PRF (Aumasson and
//! Bernstein), and costs a few instructions a byte where SHA-256 without
//! the CPU's SHA extensions costs about 30. Since the keys are already
//! unpredictable, the maps hash them with [`KeyHasher`], a multiply per
//! word, instead of a second SipHash.

use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// A token's key in the in-process caches.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TokenKey([u8; 16]);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    /// The key of `token` under this process's SipHash key.
    pub(crate) fn of(token: &str) -> TokenKey {
        let (k0, k1) = process_key();
        TokenKey(siphash24_128(k0, k1, token.as_bytes()))
    }
}

/// Drawn once from the operating system's generator (ring's
/// `SystemRandom`); if that ever failed, from the standard library's
/// `RandomState`, which the operating system seeds too.
fn process_key() -> (u64, u64) {
    static KEY: OnceLock<(u64, u64)> = OnceLock::new();
    *KEY.get_or_init(|| {
        use ring::rand::SecureRandom;
        let mut k = [0u8; 16];
        if ring::rand::SystemRandom::new().fill(&mut k).is_ok() {
            let (a, b) = k.split_at(8);
            let word = |s: &[u8]| s.try_into().map(u64::from_le_bytes).unwrap_or_default();
            (word(a), word(b))
        } else {
            use std::hash::BuildHasher;
            let s = std::collections::hash_map::RandomState::new();
            (s.hash_one(0u8), s.hash_one(1u8))
        }
    })
}

#[inline(always)]
fn round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

/// SipHash-2-4 with the 128-bit output of the reference implementation.
fn siphash24_128(k0: u64, k1: u64, data: &[u8]) -> [u8; 16] {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d ^ 0xee,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    let mut compress = |m: u64| {
        v[3] ^= m;
        round(&mut v);
        round(&mut v);
        v[0] ^= m;
    };
    let mut words = data.chunks_exact(8);
    for w in words.by_ref() {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        compress(u64::from_le_bytes(b));
    }
    let mut last = [0u8; 8];
    let tail = words.remainder();
    last[..tail.len()].copy_from_slice(tail);
    // The length's low byte in the top byte (the reference's `b`).
    last[7] = data.len() as u8;
    compress(u64::from_le_bytes(last));
    v[2] ^= 0xee;
    for _ in 0..4 {
        round(&mut v);
    }
    let lo = v[0] ^ v[1] ^ v[2] ^ v[3];
    v[1] ^= 0xdd;
    for _ in 0..4 {
        round(&mut v);
    }
    let hi = v[0] ^ v[1] ^ v[2] ^ v[3];
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&lo.to_le_bytes());
    out[8..].copy_from_slice(&hi.to_le_bytes());
    out
}

/// The maps' hasher for keys made of [`TokenKey`]s (and flags): one
/// multiply per word. Only for keys an attacker cannot choose the hash
/// of, which a `TokenKey` is (see the module's comment).
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

/// [`KeyHasher`] for `HashMap`.
pub(crate) type BuildKeyHasher = BuildHasherDefault<KeyHasher>;

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// From the SipHash reference implementation's `vectors_sip128`: key
    /// 00 01 .. 0f, message 00 01 .. (len - 1).
    const VECTORS: [(usize, [u8; 16]); 8] = [
        (0, [0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93]),
        (1, [0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44, 0x34, 0x76, 0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45]),
        (7, [0xa1, 0xf1, 0xeb, 0xbe, 0xd8, 0xdb, 0xc1, 0x53, 0xc0, 0xb8, 0x4a, 0xa6, 0x1f, 0xf0, 0x82, 0x39]),
        (8, [0x3b, 0x62, 0xa9, 0xba, 0x62, 0x58, 0xf5, 0x61, 0x0f, 0x83, 0xe2, 0x64, 0xf3, 0x14, 0x97, 0xb4]),
        (15, [0x54, 0x93, 0xe9, 0x99, 0x33, 0xb0, 0xa8, 0x11, 0x7e, 0x08, 0xec, 0x0f, 0x97, 0xcf, 0xc3, 0xd9]),
        (16, [0x6e, 0xe2, 0xa4, 0xca, 0x67, 0xb0, 0x54, 0xbb, 0xfd, 0x33, 0x15, 0xbf, 0x85, 0x23, 0x05, 0x77]),
        (33, [0x77, 0xc6, 0x07, 0x71, 0x46, 0xf0, 0x1c, 0x32, 0xb6, 0xb6, 0x9d, 0x5f, 0x4e, 0xa9, 0xff, 0xcf]),
        (63, [0x51, 0x50, 0xd1, 0x77, 0x2f, 0x50, 0x83, 0x4a, 0x50, 0x3e, 0x06, 0x9a, 0x97, 0x3f, 0xbd, 0x7c]),
    ];

    #[test]
    fn siphash24_128_matches_the_reference_vectors() {
        let k0 = 0x0706_0504_0302_0100;
        let k1 = 0x0f0e_0d0c_0b0a_0908;
        let message: Vec<u8> = (0..64).collect();
        for (len, want) in VECTORS {
            assert_eq!(siphash24_128(k0, k1, &message[..len]), want, "length {len}");
        }
    }

    #[test]
    fn token_keys_are_per_token_and_stable_in_a_process() {
        assert_eq!(TokenKey::of("gAAAAA-one"), TokenKey::of("gAAAAA-one"));
        assert_ne!(TokenKey::of("gAAAAA-one"), TokenKey::of("gAAAAA-two"));
        assert_ne!(TokenKey::of(""), TokenKey::of("\0"));
    }
}
