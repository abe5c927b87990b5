//! [`Pattern`]: names statement shapes, for allowances and ignore lists (documented on the type,
//! which the crate root re-exports).

use std::fmt;

use crate::fingerprint::{Dialect, fingerprint};

/// A pattern that names statement shapes, for allowances and ignore lists.
///
/// A pattern is written in one of three forms:
///
/// - **a fingerprint**, 16 hex characters as printed in reports and by `query-guard fingerprint`
///   (`3f2a9c0d11b4e7a8`): that shape exactly;
/// - **a regular expression** between slashes (`/FROM (tags|labels) WHERE/`), matched against the
///   normalised SQL (keywords upper case, identifiers lower case, values as `$n`);
/// - **SQL text**, anything else (`FROM tags WHERE post_id = ?`): matches every shape whose
///   normalised SQL contains it. The text is normalised with the same rules first, so keyword
///   case, whitespace, quoting and the way values are written do not matter, a value matches
///   any placeholder, and words match whole (`FROM tags` does not match `FROM tags_archive`).
///
/// ```
/// use query_guard::Pattern;
///
/// let by_text = Pattern::parse("from TAGS where post_id = 5").unwrap();
/// assert!(by_text.matches("0000000000000000", "SELECT * FROM tags WHERE post_id = $1"));
/// assert!(!by_text.matches("0000000000000000", "SELECT * FROM tags WHERE id = $1"));
///
/// let by_regex = Pattern::parse("/FROM (tags|labels) WHERE/").unwrap();
/// assert!(by_regex.matches("0000000000000000", "SELECT * FROM labels WHERE id = $1"));
///
/// let by_fingerprint = Pattern::parse("3F2A9C0D11B4E7A8").unwrap();
/// assert!(by_fingerprint.matches("3f2a9c0d11b4e7a8", "SELECT 1"));
///
/// assert!(Pattern::parse("/unclosed(/").is_err());
/// ```
#[derive(Clone)]
pub struct Pattern {
    raw: String,
    matcher: Matcher,
}

#[derive(Clone)]
enum Matcher {
    /// Lower-case hex.
    Fingerprint(String),
    Regex(regex::Regex),
    /// Normalised, lower case, placeholders without numbers.
    Text(String),
}

/// Why a pattern could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern is empty.
    #[error("empty pattern: expected a fingerprint (16 hex characters), /regex/ or SQL text")]
    Empty,
    /// The regular expression does not compile.
    #[error("invalid regular expression in pattern `{pattern}`: {message}")]
    Regex {
        /// The pattern as written.
        pattern: String,
        /// What the regex engine said.
        message: String,
    },
}

impl Pattern {
    /// Reads a pattern.
    pub fn parse(pattern: &str) -> Result<Pattern, PatternError> {
        let raw = pattern.trim();
        if raw.is_empty() {
            return Err(PatternError::Empty);
        }
        let matcher = if raw.len() == 16 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            Matcher::Fingerprint(raw.to_ascii_lowercase())
        } else if raw.len() >= 2 && raw.starts_with('/') && raw.ends_with('/') {
            let re =
                regex::Regex::new(&raw[1..raw.len() - 1]).map_err(|e| PatternError::Regex {
                    pattern: raw.to_owned(),
                    message: e.to_string(),
                })?;
            Matcher::Regex(re)
        } else {
            Matcher::Text(comparable(&fingerprint(raw, Dialect::Generic).normalized))
        };
        Ok(Pattern {
            raw: raw.to_owned(),
            matcher,
        })
    }

    /// Whether the shape with this fingerprint (16 hex characters) and normalised SQL matches.
    pub fn matches(&self, fingerprint_hex: &str, normalized: &str) -> bool {
        match &self.matcher {
            Matcher::Fingerprint(hex) => fingerprint_hex.eq_ignore_ascii_case(hex),
            Matcher::Regex(re) => re.is_match(normalized),
            Matcher::Text(text) => contains_words(&comparable(normalized), text),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

/// Whether `haystack` contains `needle` where it starts and ends at word boundaries: `FROM tags`
/// matches `… FROM tags WHERE …` but not `… FROM tags_archive …`.
fn contains_words(haystack: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let starts_word = needle.chars().next().is_some_and(word);
    let ends_word = needle.chars().next_back().is_some_and(word);
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !(starts_word && before.is_some_and(word) || ends_word && after.is_some_and(word))
    })
}

/// Lower case, with the numbers of `$n` placeholders dropped, so that a fragment's own
/// numbering (`$1`) matches a placeholder anywhere in a statement.
fn comparable(normalized: &str) -> String {
    let mut out = String::with_capacity(normalized.len());
    let mut chars = normalized.chars().peekable();
    while let Some(c) = chars.next() {
        out.extend(c.to_lowercase());
        if c == '$' {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        }
    }
    out
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.raw)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.raw == other.raw
    }
}

impl Eq for Pattern {}

impl serde::Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

/// Whether `name` matches `glob`, where `*` stands for any run of characters (`api::*`,
/// `*::list_*`). Used to limit configured allowances to some scopes.
///
/// `api::*` matches `api::posts::list`, `*::list_*` matches `api::posts::list_all`, `api::*` does
/// not match `admin::posts` (the `globs` test).
pub(crate) fn glob_match(glob: &str, name: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_patterns_ignore_case_spacing_and_value_style() {
        let p = Pattern::parse("SELECT *   from \"tags\" WHERE post_id = :id").unwrap();
        assert!(p.matches("x", "SELECT * FROM tags WHERE post_id = $1 AND x = $2"));
        let second = Pattern::parse("AND b = 'x'").unwrap();
        assert!(second.matches("x", "SELECT * FROM t WHERE a = $1 AND b = $2"));
        assert!(!second.matches("x", "SELECT * FROM t WHERE a = $1 AND c = $2"));
    }

    #[test]
    fn text_patterns_match_whole_words() {
        let p = Pattern::parse("FROM tags").unwrap();
        assert!(p.matches("x", "SELECT * FROM tags WHERE id = $1"));
        assert!(p.matches("x", "SELECT * FROM tags"));
        assert!(!p.matches("x", "SELECT * FROM tags_archive WHERE id = $1"));
        assert!(!p.matches("x", "SELECT * FROM old_tags"));
        assert!(
            Pattern::parse("tags WHERE post_id =")
                .unwrap()
                .matches("x", "SELECT * FROM tags WHERE post_id = $1")
        );
    }

    #[test]
    fn fingerprints_only_match_their_shape() {
        let p = Pattern::parse("00000000000000ff").unwrap();
        assert!(p.matches("00000000000000FF", "SELECT 1"));
        assert!(!p.matches("00000000000000fe", "00000000000000ff"));
    }

    #[test]
    fn bad_patterns_say_why() {
        assert_eq!(Pattern::parse("  ").unwrap_err(), PatternError::Empty);
        let e = Pattern::parse("/(/").unwrap_err().to_string();
        assert!(
            e.contains("invalid regular expression in pattern `/(/`"),
            "{e}"
        );
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "a-b-c"));
        assert!(!glob_match("a*b*c", "a-c-b"));
        assert!(!glob_match("ab*ba", "aba"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
    }
}
