//! # One statement, read by the database's own lexical rules
//!
//! [`one_statement`] says whether SQL text holds exactly one statement and returns it without
//! the whitespace, comments and `;` around it. Live EXPLAIN depends on it: SQL such as
//! `SELECT 1 /* /* */ ; COMMIT; DELETE FROM t; -- */` is one statement to a reader with nested
//! comments (PostgreSQL) and three to SQLite, whose comments do not nest. A check that reads
//! text differently from the database can be walked around, so each database's tokenizer is
//! followed exactly:
//!
//! - **PostgreSQL** (`scan.l`): nested `/* */` comments, `--` to the end of the line, `'…'`
//!   with `''`, `E'…'` with backslash escapes, `B'…'`/`X'…'`, `U&'…'`, `"…"` and `U&"…"`,
//!   `$tag$…$tag$` (a `$` inside an identifier is part of it: `a$$` is one name), `$1`
//!   parameters, and strings continued on the next line (`'a'` newline `'b'`), which keep the
//!   first part's escape rules;
//! - **SQLite** (`tokenize.c`): `/* */` comments that do not nest and may run to the end of the
//!   text, `--` to the end of the line, `'…'`, `"…"`, `` `…` `` and `[…]`, `x'…'`, and variables
//!   `?1`, `:a`, `@a`, `#a`, `$a`, including TCL-style `$a::b(…)` whose parentheses can hold a
//!   `;`;
//! - **MySQL and MariaDB** (`sql_lex.cc`): `#` and `-- ` comments (`--` needs a space or a
//!   control character after it), `/* */` comments that do not nest, executable comments
//!   `/*! … */` and `/*M! … */` (with or without a version number), optimizer hints `/*+ … */`,
//!   backslash escapes in `'…'` and `"…"`, `"…"` as a name under `ANSI_QUOTES`, `` `…` ``,
//!   `x'…'` and `b'…'`. Text is read as UTF-8 (the connection character set sqlx uses).
//!
//! Where a server setting changes how text is read, every setting is tried, and the SQL is
//! refused if any reading finds a second statement or an unterminated string or comment:
//! PostgreSQL's `standard_conforming_strings` on and off; MySQL's `ANSI_QUOTES` and
//! `NO_BACKSLASH_ESCAPES`, each executable comment run or skipped whatever its version number
//! (and skipped both ways a server may end it), each hint read as a comment or with quoted
//! names. [`Dialect::Generic`] tries all three databases. A NUL byte is refused everywhere:
//! SQLite stops reading at it, so whatever follows it would go unseen.
//!
//! ```
//! use query_guard_explain::SplitError;
//! use query_guard_explain::_support::one_statement;
//! use query_guard_fingerprint::Dialect;
//!
//! let s = one_statement("  SELECT 1; -- done\n", Dialect::Sqlite).unwrap();
//! assert_eq!(s.text(), "SELECT 1");
//! assert_eq!(s.keyword(), Some("SELECT"));
//!
//! // SQLite comments do not nest: the COMMIT and the DELETE are statements of their own.
//! let attack = "SELECT 1 /* /* */ ; COMMIT; DELETE FROM t; -- */";
//! assert!(matches!(
//!     one_statement(attack, Dialect::Sqlite),
//!     Err(SplitError::SeveralStatements { line: 1, column: 21 })
//! ));
//! // To PostgreSQL it is one statement followed by a comment.
//! assert_eq!(one_statement(attack, Dialect::Postgres).unwrap().text(), "SELECT 1");
//! ```

mod mysql;
mod postgres;
mod sqlite;
#[cfg(test)]
mod tests;
mod token;

use std::collections::{BTreeMap, BTreeSet};

use query_guard_fingerprint::Dialect;

use mysql::lex_mysql;
use postgres::{lex_pg, pg_paren_follows};
use sqlite::lex_sqlite;
use token::{Kind, Lexed, Open, tok};

/// Why SQL text is not exactly one statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SplitError {
    /// Only whitespace, comments and `;`.
    #[error("the SQL holds no statement, only whitespace or comments")]
    Empty,
    /// A second statement follows the first (under at least one reading of the server's
    /// settings). Line and column (1-based, in characters) are where it starts.
    #[error(
        "the SQL holds more than one statement: another one starts at line {line}, column \
         {column}; give a single statement (nothing was run)"
    )]
    SeveralStatements {
        /// Line of the second statement's first token.
        line: usize,
        /// Column of the second statement's first token.
        column: usize,
    },
    /// A string, quoted name or comment is not closed (under at least one reading).
    #[error("unterminated {what} starting at line {line}, column {column}")]
    Unterminated {
        /// What is not closed: `string`, `quoted name`, `/* comment`, …
        what: &'static str,
        /// Line where it starts.
        line: usize,
        /// Column where it starts.
        column: usize,
    },
    /// A NUL byte: SQLite stops reading at it, so what follows would go unchecked.
    #[error(
        "the SQL holds a NUL byte at line {line}, column {column}; remove it (a database may \
         stop reading there)"
    )]
    NulByte {
        /// Line of the NUL byte.
        line: usize,
        /// Column of the NUL byte.
        column: usize,
    },
}

/// The one statement of the text, as [`one_statement`] found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement<'a> {
    text: &'a str,
    offset: usize,
    keyword: Option<String>,
    placeholders: bool,
    calls: Vec<String>,
    words: Vec<String>,
}

impl<'a> Statement<'a> {
    /// The statement, from its first token to its last, without a trailing `;`. When readings
    /// under different server settings end it at different places, it runs to the end of the
    /// text (trailing comments and `;` included), which every reading accepts.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Byte offset of [`text`](Self::text) in the SQL given.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The first word, upper case (`SELECT`, `WITH`, `DELETE`, …), when the statement starts
    /// with an unquoted word and every reading agrees on it.
    pub fn keyword(&self) -> Option<&str> {
        self.keyword.as_deref()
    }

    /// Whether some reading sees a bind placeholder: `$1` (PostgreSQL), `?`, `?1`, `:a`, `@a`,
    /// `$a` (SQLite), `?` (MySQL).
    pub fn has_placeholders(&self) -> bool {
        self.placeholders
    }

    /// Names written before a `(` (lower case) under some PostgreSQL reading: the functions a
    /// statement may call by name.
    #[cfg_attr(not(any(feature = "postgres", feature = "sqlite")), allow(dead_code))]
    pub(crate) fn calls(&self) -> &[String] {
        &self.calls
    }

    /// The names (unquoted words and quoted identifiers, lower case) of the statement under
    /// some reading: what a database error may quote without quoting a value.
    #[cfg_attr(not(any(feature = "postgres", feature = "sqlite")), allow(dead_code))]
    pub(crate) fn words(&self) -> &[String] {
        &self.words
    }
}

/// The statement `sql` holds, or why it does not hold exactly one. The `split` module's docs
/// give the rules of each dialect.
pub fn one_statement(sql: &str, dialect: Dialect) -> Result<Statement<'_>, SplitError> {
    let b = sql.as_bytes();
    if let Some(at) = b.iter().position(|&c| c == 0) {
        let (line, column) = line_column(sql, at);
        return Err(SplitError::NulByte { line, column });
    }
    let langs = Lang::of(dialect);
    let mut out = Outcome::default();
    for &lang in &langs {
        explore(b, lang, &mut out);
    }
    if let Some(at) = out.several {
        let (line, column) = line_column(sql, at);
        return Err(SplitError::SeveralStatements { line, column });
    }
    if let Some((what, at)) = out.unterminated {
        let (line, column) = line_column(sql, at);
        return Err(SplitError::Unterminated { what, line, column });
    }
    if !out.statement {
        return Err(SplitError::Empty);
    }
    // Where the statement starts: after the leading whitespace, comments and `;` every
    // reading agrees on.
    let starts: BTreeSet<usize> = langs.iter().map(|&l| leading_trivia(b, l)).collect();
    let start = match starts.iter().next() {
        Some(&s) if starts.len() == 1 => s,
        _ => sql.len() - sql.trim_start_matches(SPACE).len(),
    };
    let end = match out.ends.iter().next() {
        Some(&e) if out.ends.len() == 1 && !out.ends_differ => e,
        _ => sql.trim_end_matches(SPACE).len(),
    };
    let keyword = match out.firsts.iter().next() {
        Some(first) if out.firsts.len() == 1 => first.clone(),
        _ => None,
    };
    Ok(Statement {
        text: &sql[start..end.max(start)],
        offset: start,
        keyword,
        placeholders: out.placeholders,
        calls: out.calls.into_iter().collect(),
        words: out.words.into_iter().collect(),
    })
}

/// The first word of `sql` (upper case) under the dialect's first reading, whatever follows it:
/// what a refusal of SQL that is not one statement can still name.
#[cfg_attr(not(any(feature = "postgres", feature = "sqlite")), allow(dead_code))]
pub(crate) fn first_keyword(sql: &str, dialect: Dialect) -> Option<String> {
    let lang = Lang::of(dialect)[0];
    keyword_at(sql.as_bytes(), leading_trivia(sql.as_bytes(), lang), lang)
}

/// Whether `sql` holds only whitespace, comments and `;` for `dialect` (SQLite: a `/*` comment
/// may run to the end).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn is_trivia(sql: &str, dialect: Dialect) -> bool {
    matches!(one_statement(sql, dialect), Err(SplitError::Empty))
}

pub(crate) use query_guard_fingerprint::_support::line_column;

/// Characters every database takes for whitespace.
const SPACE: &[char] = &[' ', '\t', '\n', '\r'];

/// One way of reading the text: a database and the settings that change its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Lang {
    /// PostgreSQL, with `standard_conforming_strings` on or off.
    Pg { scs: bool },
    /// MySQL/MariaDB, with or without `ANSI_QUOTES` and `NO_BACKSLASH_ESCAPES`.
    My { ansi: bool, nbe: bool },
    /// SQLite.
    Lite,
}

impl Lang {
    fn of(dialect: Dialect) -> Vec<Lang> {
        let pg = [Lang::Pg { scs: true }, Lang::Pg { scs: false }];
        let my = [
            Lang::My {
                ansi: false,
                nbe: false,
            },
            Lang::My {
                ansi: false,
                nbe: true,
            },
            Lang::My {
                ansi: true,
                nbe: false,
            },
            Lang::My {
                ansi: true,
                nbe: true,
            },
        ];
        match dialect {
            Dialect::Postgres => pg.to_vec(),
            Dialect::MySql => my.to_vec(),
            Dialect::Sqlite => vec![Lang::Lite],
            Dialect::Generic => pg.into_iter().chain(my).chain([Lang::Lite]).collect(),
        }
    }
}

/// Where a reading is, apart from its position: readings at the same position with the same
/// key read the rest of the text alike, so they are followed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    /// Inside an executed MySQL comment.
    exec: bool,
    /// Start of the statement's first token.
    first: Option<usize>,
    /// A `;` ended the statement.
    semi: bool,
}

/// What merged readings carry along.
#[derive(Debug, Clone, Copy)]
struct Carry {
    /// End of the statement's last token; `None` when merged readings disagree on it.
    last_end: Option<usize>,
    /// Where the executed comment being read opened (the first, when merged).
    exec_open: usize,
}

/// What every reading found.
#[derive(Default)]
struct Outcome {
    several: Option<usize>,
    unterminated: Option<Open>,
    /// Some reading holds a statement.
    statement: bool,
    /// Ends of the statement's last token; `ends_differ` when readings ended it apart.
    ends: BTreeSet<usize>,
    ends_differ: bool,
    firsts: BTreeSet<Option<String>>,
    placeholders: bool,
    calls: BTreeSet<String>,
    words: BTreeSet<String>,
}

/// Follows every reading of `b` under `lang`, in order of position, merging readings that meet.
fn explore(b: &[u8], lang: Lang, out: &mut Outcome) {
    let start = Key {
        exec: false,
        first: None,
        semi: false,
    };
    let carry = Carry {
        last_end: Some(0),
        exec_open: 0,
    };
    let mut queue: BTreeMap<usize, Vec<(Key, Carry)>> = BTreeMap::from([(0, vec![(start, carry)])]);
    let mut toks = Vec::new();
    while let Some((pos, states)) = queue.pop_first() {
        for (key, carry) in states {
            if pos >= b.len() {
                if key.exec {
                    keep_first_open(&mut out.unterminated, ("/*! comment", carry.exec_open));
                } else if let Some(first) = key.first {
                    out.statement = true;
                    match carry.last_end {
                        Some(end) => {
                            out.ends.insert(end);
                        }
                        None => out.ends_differ = true,
                    }
                    out.firsts.insert(keyword_at(b, first, lang));
                }
                continue;
            }
            toks.clear();
            if let Err(open) = lex(b, pos, lang, key.exec, &mut toks) {
                toks.push(tok(Kind::Unclosed(open.0), pos));
            }
            for tok in &toks {
                let (mut k, mut c) = (key, carry);
                match tok.kind {
                    // Something left open after a `;` starts a second statement.
                    Kind::Unclosed(_) if key.semi => {
                        out.several = Some(out.several.map_or(pos, |s| s.min(pos)));
                        continue;
                    }
                    Kind::Unclosed(what) => {
                        keep_first_open(&mut out.unterminated, (what, pos));
                        continue;
                    }
                    Kind::Trivia => {}
                    Kind::ExecOpen => {
                        if !k.exec {
                            k.exec = true;
                            c.exec_open = pos;
                        }
                    }
                    Kind::ExecClose => {
                        k.exec = false;
                        if k.first.is_some() && !k.semi {
                            c.last_end = Some(tok.end);
                        }
                    }
                    Kind::Semi => k.semi = k.first.is_some(),
                    Kind::Word | Kind::Ident | Kind::Str | Kind::Param | Kind::Other => {
                        if k.semi {
                            out.several = Some(out.several.map_or(pos, |s| s.min(pos)));
                            continue;
                        }
                        k.first.get_or_insert(pos);
                        c.last_end = Some(tok.end);
                        match tok.kind {
                            Kind::Param => out.placeholders = true,
                            Kind::Word | Kind::Ident => {
                                let name = name_of(&b[pos..tok.end], tok.kind);
                                if matches!(lang, Lang::Pg { .. }) && pg_paren_follows(b, tok.end) {
                                    out.calls.insert(name.clone());
                                }
                                out.words.insert(name);
                            }
                            _ => {}
                        }
                    }
                }
                let at = queue.entry(tok.end).or_default();
                match at.iter_mut().find(|(other, _)| *other == k) {
                    Some((_, merged)) => {
                        if merged.last_end != c.last_end {
                            merged.last_end = None;
                        }
                        merged.exec_open = merged.exec_open.min(c.exec_open);
                    }
                    None => at.push((k, c)),
                }
            }
        }
    }
}

fn keep_first_open(slot: &mut Option<Open>, open: Open) {
    if slot.is_none_or(|(_, at)| open.1 < at) {
        *slot = Some(open);
    }
}

/// The upper-case word at `at`, if the token there is an unquoted word.
fn keyword_at(b: &[u8], at: usize, lang: Lang) -> Option<String> {
    let mut toks = Vec::new();
    lex(b, at, lang, false, &mut toks).ok()?;
    match toks.as_slice() {
        [t] if t.kind == Kind::Word => {
            Some(String::from_utf8_lossy(&b[at..t.end]).to_ascii_uppercase())
        }
        _ => None,
    }
}

/// A word or quoted name as a lower-case name.
fn name_of(token: &[u8], kind: Kind) -> String {
    let text = String::from_utf8_lossy(token);
    if kind == Kind::Word {
        return text.to_ascii_lowercase();
    }
    // Quoted: drop a `U&` prefix and the quotes, undouble the closing quote.
    let text = text
        .strip_prefix("U&")
        .or_else(|| text.strip_prefix("u&"))
        .unwrap_or(&text);
    let mut chars = text.chars();
    let open = chars.next().unwrap_or('"');
    let close = if open == '[' { ']' } else { open };
    let inner = chars.as_str().strip_suffix(close).unwrap_or(chars.as_str());
    let doubled: String = [close, close].iter().collect();
    inner
        .replace(&doubled, &close.to_string())
        .to_ascii_lowercase()
}

/// Where the leading whitespace, comments and `;` end, read under `lang`.
fn leading_trivia(b: &[u8], lang: Lang) -> usize {
    let mut pos = 0;
    let mut toks = Vec::new();
    while pos < b.len() {
        toks.clear();
        if lex(b, pos, lang, false, &mut toks).is_err() {
            break;
        }
        match toks.as_slice() {
            [t] if matches!(t.kind, Kind::Trivia | Kind::Semi) => pos = t.end,
            _ => break,
        }
    }
    pos
}

/// Lexes the token at `p` (within an executed comment when `exec`), pushing one entry per way
/// a server may read it.
fn lex(b: &[u8], p: usize, lang: Lang, exec: bool, out: &mut Vec<Lexed>) -> Result<(), Open> {
    match lang {
        Lang::Pg { scs } => out.push(lex_pg(b, p, scs)?),
        Lang::Lite => out.push(lex_sqlite(b, p)?),
        Lang::My { ansi, nbe } => lex_mysql(b, p, ansi, nbe, exec, out)?,
    }
    Ok(())
}
