//! Names as PostgreSQL's `quote_identifier` prints them, and text outside their quotes.

/// Reads an identifier as `quote_identifier` prints it: `"…"` with `""` for a quote, or a bare
/// word. Returns it unquoted and the bytes read.
pub(super) fn ident(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().is_some_and(|&(_, n)| n == '"') {
                    chars.next();
                    out.push('"');
                } else {
                    return Some((out, i + 2));
                }
            } else {
                out.push(c);
            }
        }
        None
    } else {
        let len = s.find([' ', '.', '"']).unwrap_or(s.len());
        (len > 0).then(|| (s[..len].to_owned(), len))
    }
}

/// Unquotes a whole name as printed (`"*VALUES*"` → `*VALUES*`); bare text is kept.
pub(super) fn unquote_all(s: &str) -> String {
    match ident(s) {
        Some((name, len)) if len == s.len() => name,
        _ => s.to_owned(),
    }
}

pub(super) fn find_unquoted(s: &str, pat: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && s[i..].starts_with(pat) {
            return Some(i);
        }
    }
    None
}
