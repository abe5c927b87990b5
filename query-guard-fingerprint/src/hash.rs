//! The fingerprint hash and the cache's key hash.
//!
//! The fingerprint is **FNV-1a 64** (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`)
//! over the bytes of `v{RULES_VERSION}:` followed by the normalised text. It is fixed: it never
//! depends on the process, the platform or a crate version, so fingerprints can be stored in
//! allow-lists and compared across runs and machines. When a rule changes, `RULES_VERSION` goes up
//! and every fingerprint changes with it.
//!
//! ```
//! use query_guard_fingerprint::{fingerprint, fnv1a_64, Dialect, RULES_VERSION};
//! let fp = fingerprint("SELECT * FROM users WHERE id = 42", Dialect::Postgres);
//! assert_eq!(fp.normalized, "SELECT * FROM users WHERE id = $1");
//! let text = format!("v{RULES_VERSION}:{}", fp.normalized);
//! assert_eq!(fp.hash, fnv1a_64(text.as_bytes()));
//! ```

use super::RULES_VERSION;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 of `bytes`.
pub fn fnv1a_64(bytes: &[u8]) -> u64 {
    fnv_continue(FNV_OFFSET, bytes)
}

fn fnv_continue(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// The fingerprint of a normalised text: FNV-1a 64 of `v{RULES_VERSION}:{normalized}`.
pub(crate) fn fingerprint_hash(normalized: &str) -> u64 {
    let mut h = fnv_continue(FNV_OFFSET, b"v");
    let mut buf = [0u8; 10];
    h = fnv_continue(
        h,
        super::normalize::itoa(RULES_VERSION, &mut buf).as_bytes(),
    );
    h = fnv_continue(h, b":");
    fnv_continue(h, normalized.as_bytes())
}

/// A fast, non-cryptographic hash of raw SQL for the cache (16 bytes a step in two independent
/// lanes; never stored, never shown; a match is confirmed by comparing the text).
#[inline]
pub(crate) fn key_hash(bytes: &[u8], seed: u64) -> u64 {
    const K1: u64 = 0x9e37_79b9_7f4a_7c15;
    const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let mut a = seed ^ (bytes.len() as u64).wrapping_mul(K1);
    let mut b = seed.rotate_left(32) ^ K2;
    let mut chunks = bytes.chunks_exact(16);
    for c in &mut chunks {
        a = (a.rotate_left(5) ^ word(&c[..8])).wrapping_mul(K1);
        b = (b.rotate_left(5) ^ word(&c[8..])).wrapping_mul(K2);
    }
    let rest = chunks.remainder();
    if rest.len() > 8 {
        a = (a.rotate_left(5) ^ word(&rest[..8])).wrapping_mul(K1);
        b = (b.rotate_left(5) ^ word(&rest[8..])).wrapping_mul(K2);
    } else if !rest.is_empty() {
        a = (a.rotate_left(5) ^ word(rest)).wrapping_mul(K1);
    }
    // Final avalanche (splitmix64) so the low bits pick shards and buckets well.
    let mut h = a ^ b.rotate_left(29);
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a_64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn fingerprint_hash_includes_the_rules_version() {
        let text = format!("v{RULES_VERSION}:SELECT $1");
        assert_eq!(fingerprint_hash("SELECT $1"), fnv1a_64(text.as_bytes()));
        assert_ne!(fingerprint_hash("SELECT $1"), fnv1a_64(b"SELECT $1"));
    }

    #[test]
    fn key_hash_depends_on_every_byte_and_the_seed() {
        let a = key_hash(b"SELECT * FROM users WHERE id = $1", 0);
        assert_ne!(a, key_hash(b"SELECT * FROM users WHERE id = $2", 0));
        assert_ne!(a, key_hash(b"SELECT * FROM users WHERE id = $1", 1));
        assert_ne!(key_hash(b"a", 0), key_hash(b"a\0", 0));
        let long = b"SELECT id, name, email FROM users WHERE id = $1 AND name = $2";
        for i in 0..long.len() {
            let mut other = long.to_vec();
            other[i] ^= 1;
            assert_ne!(key_hash(long, 0), key_hash(&other, 0), "byte {i}");
        }
    }
}
