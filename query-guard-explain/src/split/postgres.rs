//! PostgreSQL's tokens (`src/backend/parser/scan.l`).

use super::token::{Kind, Lexed, Open, at, line_end, quoted, tok};

fn pg_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn pg_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn pg_ident_cont(c: u8) -> bool {
    pg_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

/// How a string's body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrMode {
    /// `''` doubles a quote; backslash is plain.
    Standard,
    /// `''` and backslash escapes (`E'…'`, or any string with standard_conforming_strings off).
    Escape,
    /// Ends at the first quote (`B'…'`, `X'…'`).
    Bits,
}

pub(super) fn lex_pg(b: &[u8], p: usize, scs: bool) -> Result<Lexed, Open> {
    let c = b[p];
    let c1 = at(b, p + 1);
    let c2 = at(b, p + 2);
    let plain = if scs {
        StrMode::Standard
    } else {
        StrMode::Escape
    };
    Ok(match c {
        _ if pg_space(c) => {
            let mut i = p + 1;
            while i < b.len() && pg_space(b[i]) {
                i += 1;
            }
            tok(Kind::Trivia, i)
        }
        b'-' if c1 == b'-' => tok(Kind::Trivia, line_end(b, p + 2, true)),
        b'/' if c1 == b'*' => tok(Kind::Trivia, pg_comment_end(b, p).ok_or(("/* comment", p))?),
        b'\'' => tok(Kind::Str, pg_string(b, p, p + 1, plain)?),
        b'e' | b'E' if c1 == b'\'' => tok(Kind::Str, pg_string(b, p, p + 2, StrMode::Escape)?),
        b'b' | b'B' | b'x' | b'X' if c1 == b'\'' => {
            tok(Kind::Str, pg_string(b, p, p + 2, StrMode::Bits)?)
        }
        // U&'…' (refused by the server when standard_conforming_strings is off).
        b'u' | b'U' if c1 == b'&' && c2 == b'\'' => {
            tok(Kind::Str, pg_string(b, p, p + 3, StrMode::Standard)?)
        }
        b'u' | b'U' if c1 == b'&' && c2 == b'"' => tok(Kind::Ident, quoted(b, p, p + 3, b'"')?),
        b'"' => tok(Kind::Ident, quoted(b, p, p + 1, b'"')?),
        b'$' if c1.is_ascii_digit() => {
            let mut i = p + 1;
            while at(b, i).is_ascii_digit() {
                i += 1;
            }
            tok(Kind::Param, i)
        }
        b'$' => match dollar_tag(b, p) {
            Some(tag_end) => {
                let tag = &b[p..tag_end];
                let close = b[tag_end..]
                    .windows(tag.len())
                    .position(|w| w == tag)
                    .ok_or(("dollar-quoted string", p))?;
                tok(Kind::Str, tag_end + close + tag.len())
            }
            None => tok(Kind::Other, p + 1),
        },
        b';' => tok(Kind::Semi, p + 1),
        _ if pg_ident_start(c) => {
            let mut i = p + 1;
            while i < b.len() && pg_ident_cont(b[i]) {
                i += 1;
            }
            tok(Kind::Word, i)
        }
        _ if c.is_ascii_digit() || (c == b'.' && c1.is_ascii_digit()) => {
            tok(Kind::Other, pg_number_end(b, p))
        }
        _ => tok(Kind::Other, p + 1),
    })
}

/// End of the `$tag$` opening a dollar-quoted string at `p`, if there is one.
fn dollar_tag(b: &[u8], p: usize) -> Option<usize> {
    let mut i = p + 1;
    if at(b, i) != b'$' {
        if !pg_ident_start(at(b, i)) || at(b, i) == 0 {
            return None;
        }
        while i < b.len() && (pg_ident_start(b[i]) || b[i].is_ascii_digit()) {
            i += 1;
        }
    }
    (at(b, i) == b'$').then_some(i + 1)
}

/// End of a nested `/* */` comment starting at `p`.
fn pg_comment_end(b: &[u8], p: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = p;
    while i + 1 < b.len() {
        match (b[i], b[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// End of a number at `p`: digits (with `_`), a fraction, an exponent only when digits follow
/// it (`1e'…'` is `1` then `e'…'`, as `realfail` reads it).
fn pg_number_end(b: &[u8], p: usize) -> usize {
    let digits = |mut i: usize| {
        while at(b, i).is_ascii_digit() || (at(b, i) == b'_' && at(b, i + 1).is_ascii_digit()) {
            i += 1;
        }
        i
    };
    if b[p] == b'0'
        && matches!(at(b, p + 1), b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
        && at(b, p + 2).is_ascii_hexdigit()
    {
        let mut i = p + 2;
        while at(b, i).is_ascii_hexdigit() || at(b, i) == b'_' {
            i += 1;
        }
        return i;
    }
    let mut i = digits(p);
    if at(b, i) == b'.' && at(b, i + 1) != b'.' {
        i = digits(i + 1);
    }
    if matches!(at(b, i), b'e' | b'E') {
        let sign = usize::from(matches!(at(b, i + 1), b'+' | b'-'));
        if at(b, i + 1 + sign).is_ascii_digit() {
            i = digits(i + 1 + sign);
        }
    }
    i
}

/// End of a PostgreSQL string whose body starts at `i` (the token starts at `p`), continued
/// across `'…'` newline `'…'` in the same mode.
fn pg_string(b: &[u8], p: usize, mut i: usize, mode: StrMode) -> Result<usize, Open> {
    loop {
        loop {
            match b.get(i) {
                None => return Err(("string", p)),
                Some(b'\\') if mode == StrMode::Escape => i += 2,
                Some(b'\'') if mode != StrMode::Bits && at(b, i + 1) == b'\'' => i += 2,
                Some(b'\'') => {
                    i += 1;
                    break;
                }
                Some(_) => i += 1,
            }
        }
        match pg_continuation(b, i) {
            Some(body) => i = body,
            None => return Ok(i),
        }
    }
}

/// If the string that closed just before `i` continues (`{whitespace_with_newline}{quote}`),
/// where its next body starts.
fn pg_continuation(b: &[u8], mut j: usize) -> Option<usize> {
    // {horiz_whitespace}*: spaces, tabs, form feeds and `--` comments.
    loop {
        match at(b, j) {
            b' ' | b'\t' | 0x0c => j += 1,
            b'-' if at(b, j + 1) == b'-' => j = line_end(b, j + 2, true),
            _ => break,
        }
    }
    if !matches!(at(b, j), b'\n' | b'\r') {
        return None;
    }
    j += 1;
    // {special_whitespace}*: spaces, or a `--` comment and its newline.
    loop {
        match at(b, j) {
            c if pg_space(c) => j += 1,
            b'-' if at(b, j + 1) == b'-' => {
                let end = line_end(b, j + 2, true);
                if end >= b.len() {
                    break;
                }
                j = end + 1;
            }
            _ => break,
        }
    }
    (at(b, j) == b'\'').then_some(j + 1)
}

/// Whether the next token after `i` (skipping PostgreSQL whitespace and comments) is `(`.
pub(super) fn pg_paren_follows(b: &[u8], mut i: usize) -> bool {
    loop {
        match (at(b, i), at(b, i + 1)) {
            (c, _) if pg_space(c) => i += 1,
            (b'-', b'-') => i = line_end(b, i + 2, true),
            (b'/', b'*') => match pg_comment_end(b, i) {
                Some(end) => i = end,
                None => return false,
            },
            (c, _) => return c == b'(',
        }
    }
}

#[cfg(test)]
mod tests {
    use query_guard_fingerprint::Dialect;

    use super::super::tests::{one, several, unterminated};
    use crate::split::one_statement;

    #[test]
    fn postgres() {
        let pg = Dialect::Postgres;
        // Nested comments.
        assert_eq!(one("SELECT 1 /* a /* b */ ; c */", pg), "SELECT 1");
        several("SELECT 1 /* a /* b */ */ ; DELETE FROM t", pg);
        assert_eq!(unterminated("SELECT 1 /* a /* b */", pg), "/* comment");
        assert_eq!(one("SELECT 2*/*x*/3", pg), "SELECT 2*/*x*/3");
        // `--` ends at \n or \r.
        assert_eq!(one("SELECT 1 -- ; DELETE FROM t\n", pg), "SELECT 1");
        several("SELECT 1 --x\r; DELETE FROM t", pg);
        // standard_conforming_strings off reads `\'` as a quote: refused if either reading
        // finds a second statement.
        several("SELECT 'a\\'; DELETE FROM t; --'", pg);
        several("SELECT 'a\\' ; DELETE FROM t; SELECT '\\'", pg);
        assert_eq!(one("SELECT 'it''s; fine'", pg), "SELECT 'it''s; fine'");
        // E-strings, and their continuation on the next line keeps the escapes.
        assert_eq!(one("SELECT E'\\'; x'", pg), "SELECT E'\\'; x'");
        several("SELECT E'\\\\'; DELETE FROM t; --'", pg);
        let continued = "SELECT E'x'\n'\\'; DELETE FROM t; --'";
        assert_eq!(one(continued, pg), continued);
        let continued = "SELECT E'x' -- c\n  -- d\n'\\'; DELETE FROM t; --'";
        assert_eq!(one(continued, pg), continued);
        // No newline: not a continuation.
        several("SELECT E'x' '\\'; DELETE FROM t; --'", pg);
        // Bit strings end at the first quote, and so do their continuations.
        several("SELECT B'1'\n'\\'; DELETE FROM t; --'", pg);
        assert_eq!(one("SELECT X'1f', b'01'", pg), "SELECT X'1f', b'01'");
        // A number does not swallow the E of an E-string (`1e'…'` is `1` then `e'…'`).
        let e_after_number = "SELECT 1e'\\'; DELETE FROM t; --'";
        assert_eq!(one(e_after_number, pg), e_after_number);
        // Unicode strings and names.
        assert_eq!(one("SELECT U&'d\\0061t'", pg), "SELECT U&'d\\0061t'");
        assert_eq!(
            one("SELECT U&\"a;b\" FROM t", pg),
            "SELECT U&\"a;b\" FROM t"
        );
        // Quoted names.
        assert_eq!(
            one("SELECT \"a\"\"; DELETE\" FROM t", pg),
            "SELECT \"a\"\"; DELETE\" FROM t"
        );
        assert_eq!(unterminated("SELECT \"a", pg), "quoted name");
        // Dollar quotes.
        assert_eq!(
            one("SELECT $$;DELETE FROM t$$", pg),
            "SELECT $$;DELETE FROM t$$"
        );
        assert_eq!(
            one("SELECT $a$ $$ ; $b$ $a$", pg),
            "SELECT $a$ $$ ; $b$ $a$"
        );
        assert_eq!(one("SELECT $a$x$b$a$", pg), "SELECT $a$x$b$a$");
        several("SELECT $$x$$; DELETE FROM t", pg);
        assert_eq!(unterminated("SELECT $a$ ; $A$", pg), "dollar-quoted string");
        // A `$` inside a name is part of it: no dollar quote starts there.
        several("SELECT foo$$; DELETE FROM t; --$$", pg);
        // Parameters.
        assert!(
            one_statement("SELECT * FROM t WHERE id = $1", pg)
                .unwrap()
                .has_placeholders()
        );
        assert!(
            !one_statement("SELECT '$1', $$ $2 $$", pg)
                .unwrap()
                .has_placeholders()
        );
        // Readings that end the statement at different places: the whole text is kept.
        let ends = "SELECT 'a\\' -- '";
        assert_eq!(one(ends, pg), ends);
        // Calls by name, through comments and quotes.
        let s = one_statement(
            "SELECT pg_catalog.pg_terminate_backend /* x */ (1), \"PG_SLEEP\"(1), f (2), g",
            pg,
        )
        .unwrap();
        assert_eq!(s.calls(), ["f", "pg_sleep", "pg_terminate_backend"]);
        // A statement starting with a parenthesis has no keyword.
        let s = one_statement("(SELECT 1) UNION (SELECT 2)", pg).unwrap();
        assert_eq!(s.keyword(), None);
        assert_eq!(s.offset(), 0);
    }
}
