//! MySQL's and MariaDB's tokens (`sql/sql_lex.cc`).

use super::token::{Kind, Lexed, Open, at, comment_end, line_end, quoted, tok};

fn my_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn my_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

pub(super) fn lex_mysql(
    b: &[u8],
    p: usize,
    ansi: bool,
    nbe: bool,
    exec: bool,
    out: &mut Vec<Lexed>,
) -> Result<(), Open> {
    let c = b[p];
    let c1 = at(b, p + 1);
    let c2 = at(b, p + 2);
    let one = match c {
        _ if my_space(c) => {
            let mut i = p + 1;
            while my_space(at(b, i)) {
                i += 1;
            }
            tok(Kind::Trivia, i)
        }
        b'#' => tok(Kind::Trivia, line_end(b, p + 1, false)),
        // `-- ` needs whitespace or a control character (or the end) after the dashes.
        b'-' if c1 == b'-' && (p + 2 >= b.len() || my_space(c2) || c2 < 0x20 || c2 == 0x7f) => {
            tok(Kind::Trivia, line_end(b, p + 2, false))
        }
        b'/' if c1 == b'*' => {
            let marker = match (c2, at(b, p + 3)) {
                (b'!', _) => Some(p + 3),
                (b'M', b'!') => Some(p + 4),
                _ => None,
            };
            if let Some(body) = marker {
                return my_executable_comment(b, p, body, out);
            }
            if c2 == b'+' {
                // An optimizer hint: a comment to the first `*/`, or read by the hint parser,
                // for which a quoted name may hold `*/`.
                out.push(match comment_end(b, p + 2) {
                    Some(end) => tok(Kind::Trivia, end),
                    None => tok(Kind::Unclosed("/* comment"), p),
                });
                out.push(match my_hint_end(b, p, nbe) {
                    Ok(end) => tok(Kind::Trivia, end),
                    Err((what, _)) => tok(Kind::Unclosed(what), p),
                });
                return Ok(());
            }
            tok(
                Kind::Trivia,
                comment_end(b, p + 2).ok_or(("/* comment", p))?,
            )
        }
        b'*' if exec && c1 == b'/' => tok(Kind::ExecClose, p + 2),
        b'\'' => tok(Kind::Str, my_string(b, p, b'\'', !nbe)?),
        b'"' if ansi => tok(Kind::Ident, quoted(b, p, p + 1, b'"')?),
        b'"' => tok(Kind::Str, my_string(b, p, b'"', !nbe)?),
        b'`' => tok(Kind::Ident, quoted(b, p, p + 1, b'`')?),
        b'x' | b'X' | b'b' | b'B' if c1 == b'\'' => {
            match b[p + 2..].iter().position(|&c| c == b'\'') {
                Some(k) => tok(Kind::Str, p + 2 + k + 1),
                None => return Err(("string", p)),
            }
        }
        b'?' => tok(Kind::Param, p + 1),
        b';' => tok(Kind::Semi, p + 1),
        _ if my_ident_char(c) => {
            let mut i = p + 1;
            while my_ident_char(at(b, i)) {
                i += 1;
            }
            tok(Kind::Word, i)
        }
        _ => tok(Kind::Other, p + 1),
    };
    out.push(one);
    Ok(())
}

/// A MySQL string starting at `p`: doubled quotes, and backslash escapes unless
/// NO_BACKSLASH_ESCAPES.
fn my_string(b: &[u8], p: usize, q: u8, backslash: bool) -> Result<usize, Open> {
    let mut i = p + 1;
    loop {
        match b.get(i) {
            None => return Err(("string", p)),
            Some(b'\\') if backslash => i += 2,
            Some(&c) if c == q && at(b, i + 1) == q => i += 2,
            Some(&c) if c == q => return Ok(i + 1),
            Some(_) => i += 1,
        }
    }
}

/// `/*!` or `/*M!` at `p`, its version digits (if any) from `body`: the server may run its
/// content as SQL (after 0, 5 or 6 version digits) or skip it as a comment (to the first `*/`,
/// or, for a version it does not run, allowing one nested `/* */`).
fn my_executable_comment(
    b: &[u8],
    p: usize,
    body: usize,
    out: &mut Vec<Lexed>,
) -> Result<(), Open> {
    let digits = b[body..].iter().take_while(|c| c.is_ascii_digit()).count();
    for version in [0, 5, 6] {
        if version <= digits {
            out.push(tok(Kind::ExecOpen, body + version));
        }
    }
    out.push(match comment_end(b, body) {
        Some(end) => tok(Kind::Trivia, end),
        None => tok(Kind::Unclosed("/*! comment"), p),
    });
    // consume_comment(lip, 1): one nested comment allowed.
    let mut i = body;
    let mut depth = 0;
    loop {
        match (b.get(i), at(b, i + 1)) {
            (None, _) => {
                out.push(tok(Kind::Unclosed("/*! comment"), p));
                return Ok(());
            }
            (Some(b'/'), b'*') if depth == 0 => {
                depth = 1;
                i += 2;
            }
            (Some(b'*'), b'/') => {
                i += 2;
                if depth == 0 {
                    break;
                }
                depth = 0;
            }
            _ => i += 1,
        }
    }
    out.push(tok(Kind::Trivia, i));
    Ok(())
}

/// End of an optimizer hint read with quoted names and strings (`` `…` ``, `'…'`, `"…"`).
fn my_hint_end(b: &[u8], p: usize, nbe: bool) -> Result<usize, Open> {
    let mut i = p + 3;
    loop {
        match b.get(i) {
            None => return Err(("/*+ hint", p)),
            Some(b'*') if at(b, i + 1) == b'/' => return Ok(i + 2),
            Some(b'`') => i = quoted(b, i, i + 1, b'`')?,
            Some(&q @ (b'\'' | b'"')) => i = my_string(b, i, q, !nbe)?,
            Some(_) => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use query_guard_fingerprint::Dialect;

    use super::super::tests::{one, several, unterminated};
    use crate::split::one_statement;

    #[test]
    fn mysql_and_mariadb() {
        let my = Dialect::MySql;
        // `#` comments, and `--` only with whitespace or a control character after it.
        assert_eq!(one("SELECT 1 # ; DELETE FROM t\n", my), "SELECT 1");
        assert_eq!(one("SELECT 1 -- ; DELETE FROM t", my), "SELECT 1");
        assert_eq!(one("SELECT 1 --\t; DELETE FROM t", my), "SELECT 1");
        assert_eq!(one("SELECT 1 --", my), "SELECT 1");
        several("SELECT 1 --; DELETE FROM t", my);
        several("SELECT 1 --x; DELETE FROM t", my);
        // Comments do not nest.
        several("SELECT 1 /* /* */ ; DELETE FROM t */", my);
        assert_eq!(unterminated("SELECT 1 /* x", my), "/* comment");
        // Executable comments are run, whatever their version, on some server.
        for exec in [
            "SELECT 1 /*! ; DELETE FROM t */",
            "SELECT 1 /*!50001 ; DELETE FROM t */",
            "SELECT 1 /*!99999 ; DELETE FROM t */",
            "SELECT 1 /*!100000; DELETE FROM t */",
            "SELECT 1 /*M! ; DELETE FROM t */",
            "SELECT 1 /*M!100100 ; DELETE FROM t */",
            "SELECT 1 /*!99999 /* x */ ; DELETE FROM t */",
        ] {
            several(exec, my);
        }
        // ... or skipped, nested comment included.
        several("SELECT 1 /*!99999 /* x */ ; DELETE FROM t", my);
        assert_eq!(
            one("SELECT 1 /*!40101 , 2 */", my),
            "SELECT 1 /*!40101 , 2 */"
        );
        assert_eq!(one("/*!40101 SELECT 1 */", my), "/*!40101 SELECT 1 */");
        assert_eq!(
            one_statement("/*!40101 SELECT */ 1", my).unwrap().keyword(),
            None
        );
        assert_eq!(unterminated("SELECT 1 /*! 2", my), "/*! comment");
        // Backslash escapes, with and without NO_BACKSLASH_ESCAPES.
        several("SELECT 'a\\'; DELETE FROM t; -- '", my);
        several("SELECT 'a\\' ; DELETE FROM t; SELECT '\\'", my);
        assert_eq!(one("SELECT 'a''; b'", my), "SELECT 'a''; b'");
        // ANSI_QUOTES: `\"` ends a quoted name.
        several("SELECT \"a\\\"; DELETE FROM t; -- \"", my);
        assert_eq!(one("SELECT `a;b`, `c``;`", my), "SELECT `a;b`, `c``;`");
        several("SELECT x'41'; DELETE FROM t", my);
        several("SELECT b'1'; DELETE FROM t", my);
        // Hints: a quoted name may or may not end at `*/`.
        several("SELECT /*+ QB_NAME(`*/; DELETE FROM t; /*`) */ 1", my);
        assert_eq!(one("SELECT /*+ BKA(t) */ 1", my), "SELECT /*+ BKA(t) */ 1");
        assert!(one_statement("SELECT ?", my).unwrap().has_placeholders());
        // Many executable comments still read in bounded time.
        let many = format!("SELECT 1 {}", "/*! , 2 */ ".repeat(2000));
        assert!(one_statement(&many, my).unwrap().text() == many.trim_end());
    }
}
