//! sqlcommenter tags: `/*key='value',key2='value2'*/` comments kept as metadata.
//!
//! A block comment is read as tags only when all of it has the sqlcommenter form: comma-separated
//! `key='value'` pairs, keys and values URL-decoded, `\'` allowed inside values. Tags never reach
//! the normalised text, so they never change the fingerprint.
//!
//! Values are kept only for the keys sqlcommenter defines ([`STANDARD_KEYS`]: `action`,
//! `controller`, `db_driver`, `framework`, `route`, `traceparent`) and for query-guard's own
//! `query_guard`; any other key's value is `?`, since an application can put anything in a
//! comment (a user id, a token). [`tags_of`](super::tags_of) returns every value, for callers
//! that opt in.
//!
//! ```
//! use query_guard_fingerprint::{fingerprint, Dialect};
//! let fp = fingerprint(
//!     "SELECT * FROM users /*action='list',route='%2Fusers',token='hunter2'*/",
//!     Dialect::Postgres,
//! );
//! assert_eq!(fp.tags, vec![
//!     ("action".to_owned(), "list".to_owned()),
//!     ("route".to_owned(), "/users".to_owned()),
//!     ("token".to_owned(), "?".to_owned()),
//! ]);
//! assert_eq!(fp.normalized, "SELECT * FROM users");
//! ```

/// The keys whose values are kept: those the sqlcommenter specification defines, and
/// query-guard's own tag (`query_guard='explain'`).
pub const STANDARD_KEYS: &[&str] = &[
    "action",
    "controller",
    "db_driver",
    "framework",
    "query_guard",
    "route",
    "traceparent",
];

/// What a masked tag value prints as.
pub(crate) const MASKED: &str = "?";

/// The tags of every block comment in sqlcommenter form, in order; values of keys outside
/// [`STANDARD_KEYS`] are masked.
pub(crate) fn parse(comments: &[&str]) -> Vec<(String, String)> {
    let mut out = parse_raw(comments);
    for (k, v) in &mut out {
        if !STANDARD_KEYS.contains(&k.as_str()) {
            *v = MASKED.to_owned();
        }
    }
    out
}

/// The tags of every block comment in sqlcommenter form, in order, values as written.
pub(crate) fn parse_raw(comments: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in comments {
        if let Some(mut tags) = parse_one(c) {
            out.append(&mut tags);
        }
    }
    out
}

/// Whether `comment` (the text between `/*` and `*/`) is a sqlcommenter comment.
pub(crate) fn is_tag_comment(comment: &str) -> bool {
    parse_one(comment).is_some()
}

fn parse_one(comment: &str) -> Option<Vec<(String, String)>> {
    let s = comment.trim().as_bytes();
    if s.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let k0 = i;
        while i < s.len()
            && (s[i].is_ascii_alphanumeric() || matches!(s[i], b'_' | b'-' | b'.' | b'%'))
        {
            i += 1;
        }
        if i == k0 || i + 1 >= s.len() || s[i] != b'=' || s[i + 1] != b'\'' {
            return None;
        }
        let key = &s[k0..i];
        i += 2;
        let v0 = i;
        while i < s.len() && s[i] != b'\'' {
            i += if s[i] == b'\\' { 2 } else { 1 };
        }
        if i >= s.len() {
            return None;
        }
        let value = &s[v0..i];
        i += 1;
        out.push((decode(key), decode(&unescape(value))));
        while i < s.len() && s[i] == b' ' {
            i += 1;
        }
        if i == s.len() {
            return Some(out);
        }
        if s[i] != b',' {
            return None;
        }
        i += 1;
        while i < s.len() && s[i] == b' ' {
            i += 1;
        }
    }
}

fn unescape(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'\\' && i + 1 < v.len() {
            i += 1;
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// URL-decode (`%2F` → `/`); invalid escapes stay as written; invalid UTF-8 is replaced.
fn decode(v: &[u8]) -> String {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'%'
            && i + 2 < v.len()
            && let (Some(h), Some(l)) = (hex(v[i + 1]), hex(v[i + 2]))
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(v[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sqlcommenter_pairs() {
        let t = parse(&["controller='users',framework='axum%3A0.8',traceparent='00-ab-cd-01'"]);
        assert_eq!(t.len(), 3);
        assert_eq!(t[1], ("framework".into(), "axum:0.8".into()));
    }

    #[test]
    fn ordinary_comments_are_not_tags() {
        assert!(parse(&[" just a note ", "a=1", "x='unterminated", ""]).is_empty());
        assert!(!is_tag_comment("key='v' trailing"));
    }

    #[test]
    fn other_keys_lose_their_values() {
        let t = parse(&["route='/u',token='hunter2',query_guard='explain'"]);
        assert_eq!(t[0].1, "/u");
        assert_eq!(t[1], ("token".into(), "?".into()));
        assert_eq!(t[2].1, "explain");
    }

    #[test]
    fn escapes_and_bad_percent_sequences() {
        let t = parse_raw(&["k='it\\'s',p='100%',q='%zz%4'"]);
        assert_eq!(t[0].1, "it's");
        assert_eq!(t[1].1, "100%");
        assert_eq!(t[2].1, "%zz%4");
    }
}
