//! Keyword lists: which words need quotes to be identifiers, and which are printed in upper case.
//!
//! [`is_reserved`] is PostgreSQL's list of reserved keywords (plus `user`, which PostgreSQL reads
//! as `CURRENT_USER`): a quoted identifier spelled like one of them keeps its quotes, any other
//! lower-case quoted identifier loses them (`"users"` is `users`). [`is_keyword`] adds common
//! non-reserved keywords; it only decides upper-case printing, which is a pure function of the
//! word, so it never changes which statements share a fingerprint.

use std::cmp::Ordering;

const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

const KEYWORDS: &[&str] = &[
    "abort",
    "action",
    "add",
    "after",
    "all",
    "alter",
    "always",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "begin",
    "between",
    "binary",
    "both",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "close",
    "coalesce",
    "collate",
    "collation",
    "column",
    "commit",
    "committed",
    "concurrently",
    "conflict",
    "constraint",
    "copy",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "cursor",
    "deallocate",
    "declare",
    "default",
    "deferrable",
    "delete",
    "desc",
    "distinct",
    "do",
    "drop",
    "duplicate",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclusive",
    "execute",
    "exists",
    "explain",
    "extract",
    "false",
    "fetch",
    "filter",
    "first",
    "following",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "having",
    "hold",
    "if",
    "ignore",
    "ilike",
    "in",
    "index",
    "initially",
    "inner",
    "insert",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "isolation",
    "join",
    "key",
    "last",
    "lateral",
    "leading",
    "least",
    "left",
    "level",
    "like",
    "limit",
    "local",
    "localtime",
    "localtimestamp",
    "lock",
    "locked",
    "materialized",
    "mode",
    "move",
    "natural",
    "no",
    "not",
    "nothing",
    "notnull",
    "nowait",
    "null",
    "nulls",
    "of",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "partition",
    "placing",
    "preceding",
    "prepare",
    "prepared",
    "primary",
    "range",
    "read",
    "recursive",
    "references",
    "release",
    "rename",
    "repeatable",
    "replace",
    "restrict",
    "returning",
    "right",
    "rollback",
    "row",
    "rows",
    "savepoint",
    "scroll",
    "select",
    "serializable",
    "session_user",
    "set",
    "share",
    "show",
    "similar",
    "skip",
    "some",
    "start",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "temp",
    "temporary",
    "then",
    "ties",
    "to",
    "trailing",
    "transaction",
    "trigger",
    "true",
    "truncate",
    "unbounded",
    "uncommitted",
    "union",
    "unique",
    "unlogged",
    "update",
    "user",
    "using",
    "vacuum",
    "values",
    "variadic",
    "verbose",
    "view",
    "when",
    "where",
    "window",
    "with",
    "within",
    "without",
    "work",
    "write",
    "zone",
];

/// Words after which a `-` directly before a number is a sign, not a subtraction.
const SIGN_CONTEXT: &[&str] = &["between", "by", "escape", "interval", "returning"];

fn cmp_lower(word: &str, lower: &str) -> Ordering {
    let (a, b) = (word.as_bytes(), lower.as_bytes());
    for (x, y) in a.iter().zip(b) {
        match x.to_ascii_lowercase().cmp(y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    a.len().cmp(&b.len())
}

fn contains(list: &[&str], word: &str) -> bool {
    word.len() <= 20
        && list
            .binary_search_by(|k| cmp_lower(word, k).reverse())
            .is_ok()
}

/// Flag: the word is reserved.
pub(crate) const RESERVED_FLAG: u8 = 1;
/// Flag: the word is printed as a keyword.
pub(crate) const KEYWORD_FLAG: u8 = 2;

/// Slots of the keyword hash table (a power of two, four times the number of keywords or more).
const SLOTS: usize = 1024;

/// An open-addressing table from lower-case keyword (zero-padded to 24 bytes) to its flags.
struct Table {
    keys: Vec<[u8; 24]>,
    flags: Vec<u8>,
}

#[inline]
fn slot(key: &[u8; 24]) -> usize {
    let w = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&key[i..i + 8]);
        u64::from_le_bytes(b)
    };
    let h =
        (w(0) ^ w(8).rotate_left(21) ^ w(16).rotate_left(42)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> 54) as usize & (SLOTS - 1)
}

fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Table {
            keys: vec![[0u8; 24]; SLOTS],
            flags: vec![0u8; SLOTS],
        };
        for k in KEYWORDS {
            let mut key = [0u8; 24];
            key[..k.len()].copy_from_slice(k.as_bytes());
            let mut i = slot(&key);
            while t.flags[i] != 0 {
                i = (i + 1) & (SLOTS - 1);
            }
            t.keys[i] = key;
            t.flags[i] = KEYWORD_FLAG
                | if RESERVED.binary_search(k).is_ok() {
                    RESERVED_FLAG
                } else {
                    0
                };
        }
        t
    })
}

/// [`RESERVED_FLAG`] and [`KEYWORD_FLAG`] of `word` (any case), in one hash-table probe.
pub(crate) fn flags(word: &str) -> u8 {
    if word.len() > 20 || word.len() < 2 {
        return 0;
    }
    let mut key = [0u8; 24];
    key[..word.len()].copy_from_slice(word.as_bytes());
    key.make_ascii_lowercase();
    let t = table();
    let mut i = slot(&key);
    loop {
        let f = t.flags[i];
        if f == 0 {
            return 0;
        }
        if t.keys[i] == key {
            return f;
        }
        i = (i + 1) & (SLOTS - 1);
    }
}

/// Whether `word` (any case) is a reserved keyword.
pub fn is_reserved(word: &str) -> bool {
    contains(RESERVED, word)
}

/// Whether `word` (any case) is printed as a keyword (upper case) in normalised text.
#[cfg(test)]
pub(crate) fn is_keyword(word: &str) -> bool {
    contains(KEYWORDS, word)
}

/// Whether a `-` right after `word` is a sign (`LIMIT -1`, `THEN -1`).
pub(crate) fn is_sign_context(word: &str) -> bool {
    is_reserved(word) || SIGN_CONTEXT.iter().any(|k| word.eq_ignore_ascii_case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_so_binary_search_works() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn flags_agree_with_the_lists() {
        for w in KEYWORDS
            .iter()
            .chain(["users", "x", "Select", "USER", "nulls", "é"].iter())
        {
            assert_eq!(flags(w) & KEYWORD_FLAG != 0, is_keyword(w), "{w}");
            assert_eq!(flags(w) & RESERVED_FLAG != 0, is_reserved(w), "{w}");
        }
    }

    #[test]
    fn lookups_ignore_case() {
        assert!(is_reserved("SELECT") && is_reserved("select") && is_reserved("User"));
        assert!(!is_reserved("users") && !is_reserved("name"));
        assert!(is_keyword("Savepoint") && !is_reserved("savepoint"));
        assert!(!is_keyword("count"));
    }
}
