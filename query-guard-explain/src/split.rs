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
//! use query_guard_explain::split::{one_statement, SplitError};
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

use std::collections::{BTreeMap, BTreeSet};

use query_guard_fingerprint::Dialect;

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

/// The statement `sql` holds, or why it does not hold exactly one. See the [module
/// docs](self) for the rules of each dialect.
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

/// What a token is, as far as splitting cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Whitespace or a comment.
    Trivia,
    /// `;`.
    Semi,
    /// An unquoted word (keyword or name).
    Word,
    /// A quoted name (certainly a name, never a value).
    Ident,
    /// A string, or a quoted token that may be one (SQLite and MySQL `"…"`).
    Str,
    /// A bind placeholder.
    Param,
    /// Anything else: numbers, operators, punctuation.
    Other,
    /// The opening of a MySQL executable comment whose content is read as SQL.
    ExecOpen,
    /// The `*/` closing an executable comment.
    ExecClose,
    /// A reading of a comment that never closes (other readings of it may).
    Unclosed(&'static str),
}

/// One token: its kind and where it ends.
#[derive(Debug, Clone, Copy)]
struct Lexed {
    kind: Kind,
    end: usize,
}

/// Something left open: what, and where it starts.
type Open = (&'static str, usize);

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

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn tok(kind: Kind, end: usize) -> Lexed {
    Lexed { kind, end }
}

/// Index of the first `\n` (or `\r` when `cr`) at or after `i`, or the end.
fn line_end(b: &[u8], mut i: usize, cr: bool) -> usize {
    while i < b.len() && b[i] != b'\n' && !(cr && b[i] == b'\r') {
        i += 1;
    }
    i
}

/// Index just after the first `*/` at or after `i`.
fn comment_end(b: &[u8], i: usize) -> Option<usize> {
    b.get(i..)?
        .windows(2)
        .position(|w| w == b"*/")
        .map(|k| i + k + 2)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL (src/backend/parser/scan.l)

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

fn lex_pg(b: &[u8], p: usize, scs: bool) -> Result<Lexed, Open> {
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

/// End of a quoted token whose body starts at `i`, closed by `q` and with `qq` doubling it.
fn quoted(b: &[u8], p: usize, mut i: usize, q: u8) -> Result<usize, Open> {
    loop {
        match b.get(i) {
            None => return Err(("quoted name", p)),
            Some(&c) if c == q && at(b, i + 1) == q => i += 2,
            Some(&c) if c == q => return Ok(i + 1),
            Some(_) => i += 1,
        }
    }
}

/// Whether the next token after `i` (skipping PostgreSQL whitespace and comments) is `(`.
fn pg_paren_follows(b: &[u8], mut i: usize) -> bool {
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

// ---------------------------------------------------------------------------------------------
// SQLite (src/tokenize.c, sqlite3GetToken)

/// `IdChar`: letters, digits, `_`, `$` and every byte of a multi-byte character.
fn lite_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn lite_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn lex_sqlite(b: &[u8], p: usize) -> Result<Lexed, Open> {
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

// ---------------------------------------------------------------------------------------------
// MySQL and MariaDB (sql/sql_lex.cc)

fn my_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn my_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn lex_mysql(
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
    use super::{Dialect, SplitError, one_statement};

    fn one(sql: &str, d: Dialect) -> String {
        match one_statement(sql, d) {
            Ok(s) => s.text().to_owned(),
            Err(e) => panic!("{d:?}: {sql:?}: {e}"),
        }
    }

    fn several(sql: &str, d: Dialect) -> (usize, usize) {
        match one_statement(sql, d) {
            Err(SplitError::SeveralStatements { line, column }) => (line, column),
            other => panic!("{d:?}: {sql:?}: expected several statements, got {other:?}"),
        }
    }

    fn unterminated(sql: &str, d: Dialect) -> &'static str {
        match one_statement(sql, d) {
            Err(SplitError::Unterminated { what, .. }) => what,
            other => panic!("{d:?}: {sql:?}: expected unterminated, got {other:?}"),
        }
    }

    const ALL: [Dialect; 4] = [
        Dialect::Postgres,
        Dialect::Sqlite,
        Dialect::MySql,
        Dialect::Generic,
    ];

    #[test]
    fn every_dialect_trims_and_refuses_the_obvious() {
        for d in ALL {
            assert_eq!(one("SELECT 1;", d), "SELECT 1");
            assert_eq!(one("  SELECT ';' ; ;\n", d), "SELECT ';'");
            assert_eq!(one(";; SELECT 1 -- a; comment\n", d), "SELECT 1");
            assert_eq!(one("/* c */ SELECT 1 /* d */", d), "SELECT 1");
            assert_eq!(
                one_statement("select 1", d).unwrap().keyword(),
                Some("SELECT")
            );
            for sql in [
                "SELECT 1; COMMIT",
                "BEGIN; UPDATE t SET a = 1; COMMIT;",
                "SELECT 1;DELETE FROM t",
                "SELECT 1\n;\n  DELETE FROM t",
            ] {
                several(sql, d);
            }
            assert_eq!(several("SELECT 1;\n  DELETE FROM t", d), (2, 3));
            for empty in ["", "  ", ";", " ; ;", "-- only a comment", "/* c */ ;"] {
                assert_eq!(
                    one_statement(empty, d),
                    Err(SplitError::Empty),
                    "{d:?} {empty:?}"
                );
            }
            assert_eq!(
                one_statement("SELECT 1\0; DELETE FROM t", d),
                Err(SplitError::NulByte { line: 1, column: 9 })
            );
            assert_eq!(
                one_statement("SELECT 'a\0'", d),
                Err(SplitError::NulByte {
                    line: 1,
                    column: 10
                })
            );
            assert_eq!(unterminated("SELECT 'abc", d), "string");
        }
    }

    /// The issue's two attack strings, which emptied a table through live SQLite EXPLAIN.
    #[test]
    fn the_attack_strings() {
        let nested = "SELECT 1 /* /* */ ; COMMIT; DELETE FROM t; -- */";
        assert_eq!(several(nested, Dialect::Sqlite), (1, 21));
        assert_eq!(several(nested, Dialect::MySql), (1, 21));
        assert_eq!(several(nested, Dialect::Generic), (1, 21));
        assert_eq!(one(nested, Dialect::Postgres), "SELECT 1");

        let e_string = "SELECT e'\\' FROM (SELECT 1 AS e); COMMIT; DELETE FROM t; -- '";
        several(e_string, Dialect::Sqlite);
        several(e_string, Dialect::MySql);
        several(e_string, Dialect::Generic);
        // To PostgreSQL, e'…' is an E-string running to the last quote.
        assert_eq!(one(e_string, Dialect::Postgres), e_string);
    }

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

    #[test]
    fn generic_tries_every_database() {
        let g = Dialect::Generic;
        several("SELECT 1 # \n; DELETE FROM t", g); // PostgreSQL/SQLite: `#` is no comment
        several("SELECT $$ ; DELETE FROM t $$", g); // MySQL/SQLite: `$$` is no quote
        assert_eq!(one("SELECT 'a'", g), "SELECT 'a'");
    }

    #[test]
    fn locations_are_lines_and_characters() {
        assert_eq!(super::line_column("ab\néé x", 7), (2, 3));
        assert_eq!(super::line_column("abc", 99), (1, 4));
        assert_eq!(
            one_statement("SELECT 'é\n", Dialect::Postgres),
            Err(SplitError::Unterminated {
                what: "string",
                line: 1,
                column: 8
            })
        );
    }
}
