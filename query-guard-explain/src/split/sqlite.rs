//! SQLite's tokens (`src/tokenize.c`, `sqlite3GetToken`).

use super::token::{Kind, Lexed, Open, at, comment_end, line_end, quoted, tok};

/// `IdChar`: letters, digits, `_`, `$` and every byte of a multi-byte character.
fn lite_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn lite_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

pub(super) fn lex_sqlite(b: &[u8], p: usize) -> Result<Lexed, Open> {
    let c = b[p];
    let c1 = at(b, p + 1);
    Ok(match c {
        // CC_SPACE (a vertical tab only continues a run of spaces).
        b' ' | b'\t' | b'\n' | 0x0c | b'\r' => {
            let mut i = p + 1;
            while lite_space(at(b, i)) {
                i += 1;
            }
            tok(Kind::Trivia, i)
        }
        0xEF if c1 == 0xBB && at(b, p + 2) == 0xBF => tok(Kind::Trivia, p + 3),
        b'-' if c1 == b'-' => tok(Kind::Trivia, line_end(b, p + 2, false)),
        // `/*` runs to `*/` or the end of the text; `/*` as the last two bytes is `/`, `*`.
        b'/' if c1 == b'*' && p + 2 < b.len() => {
            tok(Kind::Trivia, comment_end(b, p + 2).unwrap_or(b.len()))
        }
        b'\'' => tok(
            Kind::Str,
            quoted(b, p, p + 1, b'\'').map_err(|_| ("string", p))?,
        ),
        // A double-quoted token is a name unless no such column exists, then a string.
        b'"' => tok(Kind::Str, quoted(b, p, p + 1, b'"')?),
        b'`' => tok(Kind::Ident, quoted(b, p, p + 1, b'`')?),
        b'[' => match b[p + 1..].iter().position(|&c| c == b']') {
            Some(k) => tok(Kind::Ident, p + 1 + k + 1),
            None => return Err(("[quoted name]", p)),
        },
        b'x' | b'X' if c1 == b'\'' => match b[p + 2..].iter().position(|&c| c == b'\'') {
            Some(k) => tok(Kind::Str, p + 2 + k + 1),
            None => return Err(("blob literal", p)),
        },
        b'?' => {
            let mut i = p + 1;
            while at(b, i).is_ascii_digit() {
                i += 1;
            }
            tok(Kind::Param, i)
        }
        b'$' | b'@' | b'#' | b':' => {
            // TCL-style variables: `$a::b(…)`, the parentheses running to `)` or whitespace.
            let mut i = p + 1;
            let mut n = 0;
            while i < b.len() {
                let c = b[i];
                if lite_id_char(c) {
                    n += 1;
                    i += 1;
                } else if c == b'(' && n > 0 {
                    i += 1;
                    while i < b.len() && !lite_space(b[i]) && b[i] != b')' {
                        i += 1;
                    }
                    if at(b, i) == b')' {
                        i += 1;
                    }
                    break;
                } else if c == b':' && at(b, i + 1) == b':' {
                    i += 2;
                } else {
                    break;
                }
            }
            tok(if n > 0 { Kind::Param } else { Kind::Other }, i)
        }
        b';' => tok(Kind::Semi, p + 1),
        _ if c.is_ascii_digit() || (c == b'.' && c1.is_ascii_digit()) => {
            tok(Kind::Other, lite_number_end(b, p))
        }
        _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
            let mut i = p + 1;
            while lite_id_char(at(b, i)) {
                i += 1;
            }
            tok(Kind::Word, i)
        }
        _ => tok(Kind::Other, p + 1),
    })
}

/// End of an SQLite number (digit separators `_` included; trailing name characters make it
/// one illegal token, as in `tokenize.c`).
fn lite_number_end(b: &[u8], p: usize) -> usize {
    let run = |mut i: usize, hex: bool| {
        while (if hex {
            at(b, i).is_ascii_hexdigit()
        } else {
            at(b, i).is_ascii_digit()
        }) || at(b, i) == b'_'
        {
            i += 1;
        }
        i
    };
    let mut i;
    if b[p] == b'0' && matches!(at(b, p + 1), b'x' | b'X') && at(b, p + 2).is_ascii_hexdigit() {
        i = run(p + 2, true);
    } else {
        i = run(p, false);
        if at(b, i) == b'.' {
            i = run(i + 1, false);
        }
        if matches!(at(b, i), b'e' | b'E')
            && (at(b, i + 1).is_ascii_digit()
                || (matches!(at(b, i + 1), b'+' | b'-') && at(b, i + 2).is_ascii_digit()))
        {
            i = run(i + 2, false);
        }
    }
    while lite_id_char(at(b, i)) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use query_guard_fingerprint::Dialect;

    use super::super::tests::{one, several, unterminated};
    use crate::split::one_statement;

    #[test]
    fn sqlite() {
        let lite = Dialect::Sqlite;
        // Comments do not nest, and an unterminated one runs to the end.
        several("SELECT 1 /* /* */ ; DELETE FROM t */", lite);
        assert_eq!(one("SELECT 1 /* ; DELETE FROM t", lite), "SELECT 1");
        // `--` ends at \n only.
        assert_eq!(one("SELECT 1 --x\r; DELETE FROM t", lite), "SELECT 1");
        // Backslash is plain.
        several("SELECT '\\'; DELETE FROM t; --'", lite);
        // Every quoting.
        for q in [
            "SELECT [a;b] FROM t",
            "SELECT `a;b` FROM t",
            "SELECT \"a;b\" FROM t",
            "SELECT 'a''; DELETE' FROM t",
            "SELECT `a``;` FROM t",
        ] {
            assert_eq!(one(q, lite), q);
        }
        several("SELECT x'00'; DELETE FROM t", lite);
        assert_eq!(unterminated("SELECT [a", lite), "[quoted name]");
        assert_eq!(unterminated("SELECT x'00", lite), "blob literal");
        // TCL variables: `(…)` runs to `)` or whitespace and may hold a `;`.
        let tcl = "SELECT $a(x;DELETE) FROM t";
        assert_eq!(one(tcl, lite), tcl);
        assert!(one_statement(tcl, lite).unwrap().has_placeholders());
        assert_eq!(one("SELECT $a::b(1;2)", lite), "SELECT $a::b(1;2)");
        several("SELECT $a (x;DELETE) FROM t", lite);
        several("SELECT :a; DELETE FROM t", lite);
        for p in ["?", "?1", ":a", "@a", "$a", "#a"] {
            assert!(
                one_statement(&format!("SELECT {p}"), lite)
                    .unwrap()
                    .has_placeholders(),
                "{p}"
            );
        }
        // `$` inside a name, digits separators, a BOM.
        several("SELECT a$b; DELETE FROM t", lite);
        assert_eq!(one("SELECT 1_000", lite), "SELECT 1_000");
        assert_eq!(one("\u{feff}SELECT 1", lite), "SELECT 1");
    }

    /// The splitter agrees with SQLite itself: on thousands of random texts made of the tokens
    /// that confuse splitters, SQLite's `sqlite3_prepare_v2` finds a second statement after the
    /// first exactly when the splitter says there are several, and only trivia when it says so.
    #[cfg(feature = "sqlite")]
    #[test]
    fn the_splitter_agrees_with_sqlite_on_random_text() {
        use libsqlite3_sys as sys;

        use crate::split::SplitError;
        use std::ffi::{c_char, c_int};
        use std::ptr;

        const FRAGMENTS: &[&str] = &[
            "SELECT 1",
            "; SELECT 2",
            " ",
            "\n",
            "\r",
            "\t",
            ";",
            "; DELETE FROM t",
            "'",
            "''",
            "\"",
            "`",
            "[",
            "]",
            "/*",
            "*/",
            "--",
            "-",
            "/",
            "*",
            "x'",
            "X'00'",
            "e",
            "\\",
            "$a(",
            "$a",
            "::",
            ")",
            "(",
            ":b",
            "@c",
            "#d",
            "?",
            "?1",
            "a",
            " AS q",
            ",",
            " FROM t",
            "DELETE FROM t",
            "0",
            "1.5e3",
            ".",
            "é",
            "\u{feff}",
            "$$",
            "E'",
            "#",
            "/*!",
        ];
        // SAFETY: a private in-memory database, used by this thread only; every prepared
        // statement is finalised.
        unsafe {
            let mut db = ptr::null_mut();
            let name = c":memory:";
            assert_eq!(sys::sqlite3_open(name.as_ptr(), &mut db), sys::SQLITE_OK);
            let create = c"CREATE TABLE t (a)";
            assert_eq!(
                sys::sqlite3_exec(db, create.as_ptr(), None, ptr::null_mut(), ptr::null_mut()),
                sys::SQLITE_OK
            );
            // (rc, a statement was compiled, the rest of the text)
            let prepare = |text: &str| -> (c_int, bool, String) {
                let mut stmt = ptr::null_mut();
                let mut tail: *const c_char = ptr::null();
                let rc = sys::sqlite3_prepare_v2(
                    db,
                    text.as_ptr().cast(),
                    text.len() as c_int,
                    &mut stmt,
                    &mut tail,
                );
                let compiled = !stmt.is_null();
                sys::sqlite3_finalize(stmt);
                let used = if tail.is_null() {
                    text.len()
                } else {
                    tail as usize - text.as_ptr() as usize
                };
                (rc, compiled, text[used.min(text.len())..].to_owned())
            };
            let mut seed = 0x9E37_79B9_7F4A_7C15u64;
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            let (mut several, mut one, mut trivia) = (0, 0, 0);
            for _ in 0..30_000 {
                let mut text = String::new();
                if next() % 2 == 0 {
                    text.push_str("SELECT 1 ");
                }
                for _ in 0..1 + next() % 10 {
                    text.push_str(FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize]);
                }
                let ours = one_statement(&text, Dialect::Sqlite);
                let (rc, compiled, rest) = prepare(&text);
                if rc != sys::SQLITE_OK {
                    // SQLite refuses the first statement: nothing would run.
                    continue;
                }
                if !compiled {
                    trivia += 1;
                    assert_eq!(ours, Err(SplitError::Empty), "{text:?}");
                    continue;
                }
                let (rc2, compiled2, _) = prepare(&rest);
                if rc2 != sys::SQLITE_OK || compiled2 {
                    several += 1;
                    assert!(
                        matches!(ours, Err(SplitError::SeveralStatements { .. })),
                        "{text:?}: SQLite finds a second statement in {rest:?}, the splitter says {ours:?}"
                    );
                } else {
                    one += 1;
                    assert!(
                        ours.is_ok(),
                        "{text:?}: SQLite finds one statement, the splitter says {ours:?}"
                    );
                }
            }
            sys::sqlite3_close(db);
            // The corpus exercised every verdict.
            assert!(
                several > 1000 && one > 1000 && trivia > 10,
                "{several} {one} {trivia}"
            );
        }
    }
}
