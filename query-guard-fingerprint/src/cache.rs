//! The bounded fingerprint cache; see [`FingerprintCache`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use parking_lot::RwLock;

use super::hash::key_hash;
use super::{Candidates, Dialect, Fingerprint, fingerprint_among, tags};

/// Number of independently locked shards.
pub const SHARDS: usize = 16;
/// SQL longer than this (64 KiB) is never cached.
pub const MAX_CACHED_SQL: usize = 64 * 1024;
/// Default entry limit of the process-wide cache used by [`fingerprint_cached`](super::fingerprint_cached).
pub const DEFAULT_MAX_ENTRIES: usize = 16 * 1024;
/// Default byte limit (estimated) of the process-wide cache: 32 MiB.
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;
/// Bytes counted for each entry on top of its strings.
const ENTRY_OVERHEAD: usize = 160;

/// Passes the already-mixed `u64` key through (the key is a hash).
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

struct Entry {
    sql: Box<str>,
    among: Candidates,
    fp: Arc<Fingerprint>,
    /// Whether the SQL ends outside any string or comment (so a comment appended to it is real).
    clean_end: bool,
    bytes: usize,
}

#[derive(Default)]
struct Shard {
    /// One entry per key hash: a second SQL text with the same 64-bit key hash is not cached.
    map: HashMap<u64, Entry, BuildHasherDefault<IdentityHasher>>,
    entries: usize,
    bytes: usize,
}

/// A bounded, thread-safe cache of fingerprints keyed by the raw SQL text and dialect.
///
/// Most statements repeat exactly (sqlx SQL is already parameterised), so the reporting path
/// looks them up here instead of lexing and parsing again. A lookup hashes the SQL with a fast
/// 8-bytes-a-step hash, read-locks one of [`SHARDS`] shards, compares the stored text and clones
/// an `Arc`.
///
/// Memory is bounded twice: by entry count and by an estimate of the bytes each entry holds (its
/// SQL, normalised text, tables and tags plus a fixed overhead). When an insert would go past
/// either limit, entries of that shard are evicted (in hash order, which is unrelated to age or
/// use, so no access pattern can pin the cache). SQL longer than [`MAX_CACHED_SQL`] bytes is
/// fingerprinted without being cached.
///
/// A trailing sqlcommenter comment (`… /*traceparent='00-…'*/`) is not part of the key, since
/// its values usually change with every request: the cached fingerprint is reused and only the
/// tags are read from the new text.
///
/// ```
/// use query_guard_fingerprint::{Dialect, FingerprintCache};
/// let cache = FingerprintCache::new(1_000, 1 << 20);
/// let a = cache.get("SELECT * FROM users WHERE id = $1", Dialect::Postgres);
/// let b = cache.get("SELECT * FROM users WHERE id = $1", Dialect::Postgres);
/// assert!(std::sync::Arc::ptr_eq(&a, &b));
/// assert_eq!(cache.len(), 1);
/// ```
pub struct FingerprintCache {
    shards: Box<[RwLock<Shard>]>,
    max_entries_per_shard: usize,
    max_bytes_per_shard: usize,
}

impl std::fmt::Debug for FingerprintCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FingerprintCache")
            .field("entries", &self.len())
            .field("bytes", &self.bytes())
            .finish()
    }
}

impl FingerprintCache {
    /// A cache holding at most about `max_entries` fingerprints and `max_bytes` bytes (both split
    /// evenly across the shards; each shard holds at least one entry).
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        FingerprintCache {
            shards: (0..SHARDS).map(|_| RwLock::new(Shard::default())).collect(),
            max_entries_per_shard: (max_entries / SHARDS).max(1),
            max_bytes_per_shard: (max_bytes / SHARDS).max(1),
        }
    }

    /// The fingerprint of `sql`, from the cache or computed (and cached) now.
    pub fn get(&self, sql: &str, dialect: Dialect) -> Arc<Fingerprint> {
        self.get_among(sql, Candidates::of(dialect), sql.len())
    }

    /// [`FingerprintCache::get`] for a statement that may be for any of `among`'s databases;
    /// `len` is the length of the whole statement when `sql` is only its prefix (such cut
    /// statements are not cached: two of them may share a prefix, not a length).
    pub(crate) fn get_among(&self, sql: &str, among: Candidates, len: usize) -> Arc<Fingerprint> {
        let fresh = || Arc::new(fingerprint_among(sql, among, len).0);
        let (body, comment) = split_tag_comment(sql);
        if body.len() > MAX_CACHED_SQL || len > sql.len() {
            return fresh();
        }
        let h = key_hash(body.as_bytes(), u64::from(among.bits()));
        let shard = &self.shards[(h as usize) % SHARDS];
        {
            let guard = shard.read();
            if let Some(e) = guard
                .map
                .get(&h)
                .filter(|e| e.among == among && *e.sql == *body)
            {
                match comment {
                    None => return Arc::clone(&e.fp),
                    Some(c) if e.clean_end => return with_tags(&e.fp, c),
                    Some(_) => return fresh(),
                }
            }
        }
        // Miss: compute from the body, so the entry serves every tag comment appended to it.
        let (fp_body, clean_end) = fingerprint_among(body, among, body.len());
        let fp_body = Arc::new(fp_body);
        let result = match comment {
            None => Arc::clone(&fp_body),
            Some(c) if clean_end => with_tags(&fp_body, c),
            Some(_) => fresh(),
        };
        // The key, and the fingerprint's own copy of the text for its lazy parse check.
        let bytes = ENTRY_OVERHEAD
            + 2 * body.len()
            + fp_body.normalized.len()
            + fp_body.tables.iter().map(|t| t.len() + 24).sum::<usize>()
            + fp_body
                .tags
                .iter()
                .map(|(k, v)| k.len() + v.len() + 48)
                .sum::<usize>();
        let mut guard = shard.write();
        let s = &mut *guard;
        if s.map.contains_key(&h) || bytes > self.max_bytes_per_shard {
            // Already there (another thread was faster), a key-hash collision, or too big.
            return result;
        }
        while s.entries > 0
            && (s.entries + 1 > self.max_entries_per_shard
                || s.bytes + bytes > self.max_bytes_per_shard)
        {
            let Some(&victim) = s.map.keys().next() else {
                break;
            };
            if let Some(e) = s.map.remove(&victim) {
                s.entries -= 1;
                s.bytes -= e.bytes;
            }
        }
        s.map.insert(
            h,
            Entry {
                sql: body.into(),
                among,
                fp: fp_body,
                clean_end,
                bytes,
            },
        );
        s.entries += 1;
        s.bytes += bytes;
        result
    }

    /// Number of cached fingerprints.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().entries).sum()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Estimated bytes held by the cached entries.
    pub fn bytes(&self) -> usize {
        self.shards.iter().map(|s| s.read().bytes).sum()
    }

    /// Drop every entry.
    pub fn clear(&self) {
        for s in self.shards.iter() {
            *s.write() = Shard::default();
        }
    }
}

/// The body's fingerprint with the tags of the trailing comment `c` appended.
fn with_tags(body: &Fingerprint, c: &str) -> Arc<Fingerprint> {
    let mut fp = body.clone();
    fp.tags.extend(tags::parse(&[c]));
    Arc::new(fp)
}

/// Split off a trailing sqlcommenter comment: `("SELECT 1 ", Some("a='b'"))`.
pub(crate) fn split_tag_comment(sql: &str) -> (&str, Option<&str>) {
    let t = sql.trim_end();
    if let Some(inner) = t.strip_suffix("*/")
        && let Some(start) = inner.rfind("/*")
        && tags::is_tag_comment(&inner[start + 2..])
    {
        return (&sql[..start], Some(&inner[start + 2..]));
    }
    (sql, None)
}

#[cfg(test)]
mod tests {
    use super::super::fingerprint;
    use super::*;

    #[test]
    fn hits_share_one_arc_and_dialects_are_separate() {
        let c = FingerprintCache::new(100, 1 << 20);
        let a = c.get("SELECT 1", Dialect::Postgres);
        assert!(Arc::ptr_eq(&a, &c.get("SELECT 1", Dialect::Postgres)));
        assert!(!Arc::ptr_eq(&a, &c.get("SELECT 1", Dialect::MySql)));
        assert_eq!(c.len(), 2);
        c.clear();
        assert!(c.is_empty());
    }

    #[test]
    fn entry_limit_holds() {
        let c = FingerprintCache::new(SHARDS * 4, 1 << 30);
        for i in 0..1000 {
            let sql = format!("SELECT * FROM t{i} WHERE id = $1");
            let fp = c.get(&sql, Dialect::Postgres);
            assert_eq!(*fp, fingerprint(&sql, Dialect::Postgres));
        }
        assert!(c.len() <= SHARDS * 4, "{}", c.len());
        assert!(c.len() >= SHARDS, "{}", c.len());
    }

    #[test]
    fn byte_limit_holds_and_long_sql_is_not_cached() {
        let c = FingerprintCache::new(1 << 20, SHARDS * 2048);
        for i in 0..500 {
            let sql = format!("SELECT {} FROM t{i}", "a, ".repeat(50) + "b");
            c.get(&sql, Dialect::Generic);
        }
        assert!(c.bytes() <= SHARDS * 2048, "{}", c.bytes());
        c.clear();
        let long = format!("SELECT {} 1", "1 +".repeat(MAX_CACHED_SQL));
        let fp = c.get(&long, Dialect::Generic);
        // Only the first MAX_FINGERPRINT_LEN bytes are read.
        assert_eq!(
            fp.normalized.matches('+').count(),
            long[..super::super::MAX_FINGERPRINT_LEN]
                .matches('+')
                .count()
        );
        assert!(fp.normalized.ends_with("…[truncated ≥128kib]"));
        assert!(c.is_empty());
    }

    #[test]
    fn tag_comments_share_an_entry_and_keep_their_own_tags() {
        let c = FingerprintCache::new(100, 1 << 20);
        let a = c.get(
            "SELECT * FROM t /*traceparent='00-aa-01'*/",
            Dialect::Postgres,
        );
        let b = c.get(
            "SELECT * FROM t /*traceparent='00-bb-01'*/",
            Dialect::Postgres,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(a.hash, b.hash);
        assert_eq!(
            a.tags,
            vec![("traceparent".to_owned(), "00-aa-01".to_owned())]
        );
        assert_eq!(
            b.tags,
            vec![("traceparent".to_owned(), "00-bb-01".to_owned())]
        );
        assert_eq!(
            *b,
            fingerprint(
                "SELECT * FROM t /*traceparent='00-bb-01'*/",
                Dialect::Postgres
            )
        );
    }

    #[test]
    fn comment_inside_an_unterminated_string_is_not_split_off() {
        let c = FingerprintCache::new(100, 1 << 20);
        let sql = "SELECT 'x /*a='b'*/";
        for _ in 0..2 {
            assert_eq!(
                *c.get(sql, Dialect::Postgres),
                fingerprint(sql, Dialect::Postgres)
            );
        }
    }

    #[test]
    fn concurrent_use_is_consistent() {
        let c = Arc::new(FingerprintCache::new(64, 1 << 20));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    for i in 0..400 {
                        let sql = format!("SELECT * FROM t{} WHERE a = {}", (i * 7 + t) % 97, i);
                        assert_eq!(
                            *c.get(&sql, Dialect::Generic),
                            fingerprint(&sql, Dialect::Generic)
                        );
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(c.len() <= 64);
    }
}
