//! Masking what could be a value when the database, or one of its settings, is not known.
//!
//! Where a string ends depends on the database and on settings the text does not show:
//! `'C:\' AS p, 'hunter2' AS q` is two strings in PostgreSQL and SQLite but, with MySQL's
//! backslash escapes, one string, the bare word `hunter2`, and another string; `"hunter2"` is
//! an identifier in PostgreSQL, a string in MySQL, and either in SQLite (which takes a
//! double-quoted word for a string where no column has that name); `#` starts a comment in
//! MySQL only, so an apostrophe after it opens a string everywhere else. Reading the text one
//! way only can print a value that another database would run as a literal.
//!
//! So a statement is lexed once for the fingerprint (its *primary* reading, with the rules of
//! its dialect, or the generic rules when several databases are possible), and then:
//!
//! 1. **Double-quoted words** are kept as identifiers only where no database could read them as
//!    a value ([`identifier_position`]: qualified names, after `FROM` / `JOIN` / `INTO` /
//!    `UPDATE` / `AS` / …, column lists, function names, the column of an `UPDATE … SET "c" =`);
//!    elsewhere they become parameters whenever MySQL or SQLite is possible.
//! 2. **Every other plausible reading** is lexed too: PostgreSQL with and without
//!    `standard_conforming_strings`, MySQL with and without `NO_BACKSLASH_ESCAPES` (with its
//!    `#` comments, `-- ` comments that need a space, `/*! … */` comments that hold code, and
//!    double-quoted strings), SQLite. Every byte that is inside a string literal (or after an
//!    unbalanced quote) in any of them is masked in the primary reading: the tokens it covers
//!    become one parameter. A reading that leaves a quote or comment open where the primary
//!    reading closes them all is left out: the database did not read the text that way, since
//!    there it is not even complete SQL (`'it\'s'` is one string with MySQL's backslash escapes;
//!    without them it is a string, a word, and a quote left open). When the primary reading
//!    itself leaves one open, the text is broken for its own database and every reading counts.
//!
//! Which databases are possible ([`Candidates`]) comes from what the caller knows (a dialect,
//! or "not SQLite" for a sqlx event on a thread that is not sqlx's SQLite worker) narrowed by
//! the statement's own syntax ([`narrow`]): `$1` placeholders are not MySQL, `?` placeholders
//! are not PostgreSQL, backquotes are not PostgreSQL, `::` casts are PostgreSQL.
//!
//! A reading is lexed only when the text holds something it reads differently from the primary
//! reading (a backslash for PostgreSQL's two readings; `"`, `#`, `--`, `/*` too for MySQL's; a
//! `$` that is no `$1` placeholder, `[`, a backquote): otherwise every reading agrees with it.

use super::Dialect;
use super::lexer::{self, BACKQUOTED, DOUBLE_QUOTED, Lexed, Rules, Tok, TokKind};

/// The databases a text may be for, as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Candidates(u8);

impl Candidates {
    /// PostgreSQL.
    pub const POSTGRES: Candidates = Candidates(1);
    /// MySQL and MariaDB.
    pub const MYSQL: Candidates = Candidates(2);
    /// SQLite.
    pub const SQLITE: Candidates = Candidates(4);
    /// Any of the three.
    pub const ANY: Candidates = Candidates(7);
    /// PostgreSQL or MySQL: what a sqlx event may be for when it did not come from sqlx's
    /// SQLite worker thread.
    pub const NOT_SQLITE: Candidates = Candidates(3);

    /// The set a dialect stands for ([`Dialect::Generic`] is any).
    pub const fn of(dialect: Dialect) -> Candidates {
        match dialect {
            Dialect::Postgres => Candidates::POSTGRES,
            Dialect::MySql => Candidates::MYSQL,
            Dialect::Sqlite => Candidates::SQLITE,
            Dialect::Generic => Candidates::ANY,
        }
    }

    /// The dialect when the set holds one database, else [`Dialect::Generic`].
    pub const fn dialect(self) -> Dialect {
        match self.0 {
            1 => Dialect::Postgres,
            2 => Dialect::MySql,
            4 => Dialect::Sqlite,
            _ => Dialect::Generic,
        }
    }

    /// Whether the set holds exactly one database.
    pub const fn is_single(self) -> bool {
        self.0.count_ones() == 1
    }

    /// Whether `other`'s databases are all in this set.
    pub const fn contains(self, other: Candidates) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Whether the sets share a database.
    pub const fn intersects(self, other: Candidates) -> bool {
        self.0 & other.0 != 0
    }

    /// The databases of both sets.
    pub const fn and(self, other: Candidates) -> Candidates {
        Candidates(self.0 & other.0)
    }

    /// The databases of either set.
    const fn with(self, other: Candidates) -> Candidates {
        Candidates(self.0 | other.0)
    }

    /// This set without `other`'s databases.
    const fn without(self, other: Candidates) -> Candidates {
        Candidates(self.0 & !other.0)
    }

    /// A small number naming the set (for cache keys).
    pub const fn bits(self) -> u8 {
        self.0
    }
}

/// The result of [`lex_masked`].
pub(crate) struct Masked<'a> {
    /// The primary reading, with what could be a value turned into parameters.
    pub lexed: Lexed<'a>,
    /// The databases still possible after looking at the statement's syntax.
    pub among: Candidates,
    /// Whether masking for an unknown database changed the tokens: the text is shown more
    /// masked than its own database would need.
    pub conservative: bool,
}

/// Lex `sql` as a statement for one of `among`'s databases, masking every token that any of
/// them, under any setting, could read as part of a literal. See the [module docs](self).
pub(crate) fn lex_masked(sql: &str, among: Candidates) -> Masked<'_> {
    let among = if among.bits() == 0 {
        Candidates::ANY
    } else {
        among
    };
    // The primary reading keeps the caller's rules whatever the syntax says: the normalised
    // text, read again, must give the same tokens (its `$n` placeholders would otherwise say
    // "not MySQL" the second time and not the first).
    let primary = lexer::lex(sql, among.dialect());
    // Evidence inside what masking covers is no evidence (a `::` in what MySQL reads as a
    // string): narrow again on what is left until nothing changes. Candidates only widen, so
    // this ends within three rounds.
    let mut narrowed = narrow(&primary.toks, among);
    loop {
        let masked = mask_with(sql, &primary, among, narrowed);
        let again = narrow(&masked.lexed.toks, among);
        if again == narrowed || again.and(narrowed) != narrowed {
            return masked;
        }
        narrowed = again;
    }
}

/// [`lex_masked`] for a known set of candidates.
fn mask_with<'a>(
    sql: &'a str,
    primary: &Lexed<'a>,
    among: Candidates,
    narrowed: Candidates,
) -> Masked<'a> {
    let mut lexed = Lexed {
        toks: primary.toks.clone(),
        block_comments: primary.block_comments.clone(),
        clean_end: primary.clean_end,
        unbalanced: primary.unbalanced,
    };
    let mut conservative = false;
    // 1. What other readings take for strings. A double-quoted token of the primary reading
    //    that MySQL's reading calls a string is judged by its position below, not here.
    let primary_rules = Rules::of(among.dialect());
    let present = features(sql.as_bytes());
    if lexed.unbalanced || present != 0 {
        let dq_spans: Vec<(usize, usize)> = lexed
            .toks
            .iter()
            .filter(|t| t.flags & DOUBLE_QUOTED != 0 && t.kind != TokKind::Param)
            .map(|t| token_span(sql, t))
            .collect();
        // Text this reading leaves unbalanced is not valid in it: every reading counts.
        let all_readings = if lexed.unbalanced {
            Candidates::ANY
        } else {
            narrowed
        };
        let mut regions: Vec<(usize, usize)> = Vec::new();
        for rules in readings(all_readings) {
            // A reading that differs only in what the text does not hold reads it the same.
            if differences(&primary_rules, rules) & present == 0 && !lexed.unbalanced {
                continue;
            }
            let other = lexer::lex_with(sql, rules);
            // A reading that leaves text the primary reading closes unbalanced is not how the
            // database read it: the statement would not even lex there.
            if other.unbalanced && !lexed.unbalanced {
                continue;
            }
            for t in &other.toks {
                if t.kind != TokKind::Param || !is_quoted_literal(t.text) {
                    continue;
                }
                let start = offset(sql, t.text);
                let span = (start, start + t.text.len());
                // (`dq_spans` is in text order: a binary search, not a scan per string.)
                if t.text.starts_with('"') && dq_spans.binary_search(&span).is_ok() {
                    continue;
                }
                regions.push(span);
            }
        }
        if !regions.is_empty() {
            regions.sort_unstable();
            let merged = merge(regions);
            let (toks, changed) = cover(sql, &lexed.toks, &merged);
            lexed.toks = toks;
            lexed
                .block_comments
                .retain(|c| !inside_any(&merged, offset(sql, c)));
            conservative |= changed && !narrowed.is_single();
        }
    }
    // 2. Double-quoted words, by their position among the tokens that are left: names where
    //    only a name fits, values elsewhere when MySQL or SQLite is possible.
    let dq_may_be_value = narrowed.intersects(Candidates::MYSQL.with(Candidates::SQLITE));
    if dq_may_be_value && lexed.toks.iter().any(|t| t.flags & DOUBLE_QUOTED != 0) {
        let ctx = Context::new(&lexed.toks);
        let verdicts: Vec<bool> = (0..lexed.toks.len())
            .map(|i| {
                let t = lexed.toks[i];
                t.flags & DOUBLE_QUOTED == 0
                    || t.kind == TokKind::Param
                    || (identifier_position(&lexed.toks, &ctx, i) && plain(t))
            })
            .collect();
        for (t, keep) in lexed.toks.iter_mut().zip(verdicts) {
            if !keep {
                let span = token_span(sql, t);
                *t = Tok {
                    kind: TokKind::Param,
                    // With its quotes: `"$1"` masked is no `$1` placeholder.
                    text: sql.get(span.0..span.1).unwrap_or(t.text),
                    quote: 0,
                    flags: 0,
                };
                conservative |= !narrowed.is_single();
            }
        }
    }
    Masked {
        lexed,
        among: narrowed,
        conservative,
    }
}

/// Byte offset of `part` (a slice of `sql`) in `sql`.
fn offset(sql: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(sql.as_ptr() as usize)
}

/// Whether a double-quoted identifier can be printed as one: no backslash inside (MySQL would
/// read `"a\"b"` as one string where other databases see `"a\"` and more).
fn plain(t: Tok<'_>) -> bool {
    !t.text.contains('\\')
}

/// Whether a parameter token is a quoted literal (`'…'`, `E'…'`, `"…"`, `$$…$$`), not a
/// number, a keyword constant or a placeholder.
fn is_quoted_literal(text: &str) -> bool {
    let b = text.as_bytes();
    match b.first() {
        // Strings, and identifiers left open (a reading emits those as parameters).
        Some(b'\'' | b'"' | b'`' | b'[') => true,
        Some(b'$') => b.len() > 1 && b[1..].contains(&b'$'),
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => text.contains('\''),
        _ => false,
    }
}

/// What in a text can make two readings of it differ, as bits of [`features`] and
/// [`differences`].
const BACKSLASH: u16 = 1;
const DOUBLE_QUOTE: u16 = 2;
const HASH: u16 = 4;
const DASHES: u16 = 8;
const BLOCK_COMMENT: u16 = 16;
const DOLLAR_QUOTE: u16 = 32;
const BACKQUOTE: u16 = 64;
const BRACKET: u16 = 128;

/// The features of these bytes that some reading treats differently from another: backslashes,
/// double quotes, `#`, `--`, `/*`, a `$` that is not a `$1` placeholder, backquotes, `[`.
fn features(b: &[u8]) -> u16 {
    let mut found = 0;
    for (i, &c) in b.iter().enumerate() {
        found |= match c {
            b'\\' => BACKSLASH,
            b'"' => DOUBLE_QUOTE,
            b'#' => HASH,
            b'-' if b.get(i + 1) == Some(&b'-') => DASHES,
            b'/' if b.get(i + 1) == Some(&b'*') => BLOCK_COMMENT,
            b'$' if !b.get(i + 1).is_some_and(u8::is_ascii_digit) => DOLLAR_QUOTE,
            b'`' => BACKQUOTE,
            b'[' => BRACKET,
            _ => 0,
        };
    }
    found
}

/// The features two readings treat differently: text without any of them reads the same in
/// both.
fn differences(a: &Rules, b: &Rules) -> u16 {
    let mut d = 0;
    if a.backslash != b.backslash || a.e_strings != b.e_strings || a.dq_backslash != b.dq_backslash
    {
        d |= BACKSLASH;
    }
    if a.dq_string != b.dq_string || a.dq_backslash != b.dq_backslash {
        d |= DOUBLE_QUOTE;
    }
    if a.hash_comment != b.hash_comment {
        d |= HASH;
    }
    if a.dash_needs_space != b.dash_needs_space {
        d |= DASHES;
    }
    if a.nested_comments != b.nested_comments || a.exec_comments != b.exec_comments {
        d |= BLOCK_COMMENT;
    }
    if a.dollar_quotes != b.dollar_quotes {
        d |= DOLLAR_QUOTE;
    }
    if a.backquote_ident != b.backquote_ident {
        d |= BACKQUOTE;
    }
    if a.bracket_ident != b.bracket_ident {
        d |= BRACKET;
    }
    d
}

/// PostgreSQL with `standard_conforming_strings = off`: backslashes escape in every string.
const PG_LEGACY: Rules = {
    let mut r = Rules::of(Dialect::Postgres);
    r.backslash = true;
    r
};

/// MySQL as the server lexes it: `"…"` strings, `-- ` comments that need a space, `/*! … */`
/// comments that hold code; with backslash escapes (the default).
const MYSQL_ESCAPES: Rules = {
    let mut r = Rules::of(Dialect::MySql);
    r.dq_string = true;
    r.dash_needs_space = true;
    r.exec_comments = true;
    r.dollar_quotes = false;
    r
};

/// MySQL with `NO_BACKSLASH_ESCAPES`.
const MYSQL_NO_ESCAPES: Rules = {
    let mut r = MYSQL_ESCAPES;
    r.backslash = false;
    r.dq_backslash = false;
    r
};

/// SQLite: no backslash escapes, comments that do not nest, no dollar quotes.
const SQLITE: Rules = {
    let mut r = Rules::of(Dialect::Sqlite);
    r.dollar_quotes = false;
    r
};

const PG_READINGS: &[Rules] = &[Rules::of(Dialect::Postgres), PG_LEGACY];
const MYSQL_READINGS: &[Rules] = &[MYSQL_ESCAPES, MYSQL_NO_ESCAPES];
const SQLITE_READINGS: &[Rules] = &[SQLITE];

/// Every reading of text for one of `among`'s databases.
fn readings(among: Candidates) -> impl Iterator<Item = &'static Rules> {
    let pick = |c: Candidates, r: &'static [Rules]| if among.contains(c) { r } else { &[] };
    pick(Candidates::POSTGRES, PG_READINGS)
        .iter()
        .chain(pick(Candidates::MYSQL, MYSQL_READINGS))
        .chain(pick(Candidates::SQLITE, SQLITE_READINGS))
}

/// Sorted, possibly overlapping ranges to disjoint ranges (touching ones merge).
fn merge(sorted: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(sorted.len());
    for (s, e) in sorted {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn inside_any(regions: &[(usize, usize)], at: usize) -> bool {
    let k = regions.partition_point(|r| r.1 <= at);
    regions.get(k).is_some_and(|r| r.0 <= at)
}

/// The bytes of `t` in `sql`, quotes of quoted identifiers included (their `text` is the inside).
fn token_span(sql: &str, t: &Tok<'_>) -> (usize, usize) {
    let start = offset(sql, t.text);
    let quoted = t.kind == TokKind::QuotedIdent || t.flags & (DOUBLE_QUOTED | BACKQUOTED) != 0;
    if quoted {
        (start.saturating_sub(1), start + t.text.len() + 1)
    } else {
        (start, start + t.text.len())
    }
}

/// The tokens with every run that overlaps one region replaced by one parameter spanning the
/// run and the region; and whether anything changed.
fn cover<'a>(sql: &'a str, toks: &[Tok<'a>], regions: &[(usize, usize)]) -> (Vec<Tok<'a>>, bool) {
    let mut out: Vec<Tok<'a>> = Vec::with_capacity(toks.len());
    let mut changed = false;
    let mut k = 0;
    let mut i = 0;
    while i < toks.len() {
        let (s, e) = token_span(sql, &toks[i]);
        while k < regions.len() && regions[k].1 <= s {
            k += 1;
        }
        let Some(&(rs, re)) = regions.get(k).filter(|r| r.0 < e.max(s + 1)) else {
            out.push(toks[i]);
            i += 1;
            continue;
        };
        // Tokens overlapping this region.
        let mut j = i + 1;
        let mut end = e;
        while j < toks.len() {
            let (s2, e2) = token_span(sql, &toks[j]);
            if s2 >= re {
                break;
            }
            end = end.max(e2);
            j += 1;
        }
        let start = s.min(rs);
        let end = end.max(re).min(sql.len());
        let text = sql.get(start..end).unwrap_or(toks[i].text);
        let single_param = j == i + 1 && toks[i].kind == TokKind::Param;
        changed |= !single_param;
        out.push(Tok {
            kind: TokKind::Param,
            text,
            quote: 0,
            flags: 0,
        });
        i = j;
    }
    (out, changed)
}

/// The databases `among` still holds once the statement's own syntax is taken into account;
/// never empty (contradictory evidence leaves `among` as it was).
pub(crate) fn narrow(toks: &[Tok<'_>], among: Candidates) -> Candidates {
    if among.is_single() {
        return among;
    }
    let mut c = among;
    for (k, t) in toks.iter().enumerate() {
        match t.kind {
            TokKind::Param => {
                let b = t.text.as_bytes();
                if b.len() > 1 && b[0] == b'$' && b[1..].iter().all(u8::is_ascii_digit) {
                    c = c.without(Candidates::MYSQL);
                } else if b.first() == Some(&b'?')
                    && b[1..].iter().all(u8::is_ascii_digit)
                    && !after_operand(toks, k)
                {
                    // A placeholder, not PostgreSQL's jsonb `?` operator (which follows an operand).
                    c = c.without(Candidates::POSTGRES);
                }
            }
            TokKind::Op if t.text == "::" => {
                c = c.and(Candidates::POSTGRES);
            }
            TokKind::Word | TokKind::QuotedIdent if t.flags & BACKQUOTED != 0 => {
                c = c.without(Candidates::POSTGRES);
            }
            _ => {}
        }
    }
    if c.bits() == 0 { among } else { c }
}

/// Whether the token before `k` ends an operand (a name, a literal, `)` or `]`).
fn after_operand(toks: &[Tok<'_>], k: usize) -> bool {
    let Some(p) = k.checked_sub(1).map(|p| &toks[p]) else {
        return false;
    };
    match p.kind {
        TokKind::Word => !p.is_keyword(),
        TokKind::QuotedIdent | TokKind::Param | TokKind::Name => true,
        TokKind::Punct => p.text == ")" || p.text == "]",
        TokKind::Op => false,
    }
}

/// Per token: the index of the `(` it is directly inside (or `usize::MAX`), and the last
/// clause keyword before it at its own parenthesis level.
struct Context {
    open: Vec<usize>,
    clause: Vec<Option<&'static str>>,
}

/// Keywords that start a clause, for [`Context::clause`].
const CLAUSES: &[&str] = &[
    "select",
    "from",
    "where",
    "set",
    "values",
    "returning",
    "on",
    "having",
    "group",
    "order",
    "limit",
    "when",
    "then",
    "else",
    "and",
    "or",
    "into",
    "update",
    "using",
];

impl Context {
    fn new(toks: &[Tok<'_>]) -> Context {
        let mut open = Vec::with_capacity(toks.len());
        let mut clause = Vec::with_capacity(toks.len());
        let mut stack: Vec<(usize, Option<&'static str>)> = Vec::new();
        let mut current: Option<&'static str> = None;
        for (i, t) in toks.iter().enumerate() {
            open.push(stack.last().map_or(usize::MAX, |s| s.0));
            clause.push(current);
            if t.is_punct("(") {
                stack.push((i, current));
                current = None;
            } else if t.is_punct(")") {
                if let Some((_, outer)) = stack.pop() {
                    current = outer;
                }
            } else if t.is_punct(";") {
                stack.clear();
                current = None;
            } else if t.kind == TokKind::Word
                && let Some(k) = CLAUSES.iter().find(|k| t.text.eq_ignore_ascii_case(k))
            {
                current = Some(k);
            }
        }
        Context { open, clause }
    }
}

/// Words after which a double-quoted word names something (a table, a column, an alias, a
/// type, an index…) in every database where the text is valid.
const NAME_AFTER: &[&str] = &[
    "alter",
    "analyze",
    "as",
    "by",
    "collate",
    "column",
    "constraint",
    "cursor",
    "database",
    "delete",
    "drop",
    "exists",
    "from",
    "function",
    "index",
    "into",
    "join",
    "lateral",
    "of",
    "on",
    "only",
    "over",
    "partition",
    "pragma",
    "procedure",
    "recursive",
    "references",
    "returning",
    "schema",
    "sequence",
    "set",
    "table",
    "tablespace",
    "trigger",
    "truncate",
    "type",
    "update",
    "using",
    "vacuum",
    "view",
    "window",
    "with",
];

/// Words before a parenthesis whose elements are column names (`USING (…)`, `PRIMARY KEY (…)`,
/// `UNIQUE (…)`, `ON CONFLICT (…)`).
const COLUMNS_AFTER: &[&str] = &["using", "key", "unique", "conflict"];

/// Words before `name (` that make the parenthesis a column list (`INSERT INTO t (…)`,
/// `CREATE TABLE t (…)`, `REFERENCES t (…)`, `ON t (…)`, `WITH cte (…)`). Not `AS alias (…)`:
/// the normaliser drops that `AS`, and the text must read the same again.
const NAMED_COLUMNS_AFTER: &[&str] = &[
    "into",
    "table",
    "exists",
    "references",
    "on",
    "with",
    "using",
];

fn is_word_in(t: &Tok<'_>, list: &[&str]) -> bool {
    t.kind == TokKind::Word
        && t.flags & DOUBLE_QUOTED == 0
        && list.iter().any(|w| t.text.eq_ignore_ascii_case(w))
}

fn is_name(t: &Tok<'_>) -> bool {
    matches!(t.kind, TokKind::QuotedIdent)
        || (t.kind == TokKind::Word && (!t.is_keyword() || t.flags & DOUBLE_QUOTED != 0))
}

/// Whether the double-quoted token `i` is where only a name can be, in every database.
fn identifier_position(toks: &[Tok<'_>], ctx: &Context, i: usize) -> bool {
    let prev = i.checked_sub(1).map(|k| &toks[k]);
    let next = toks.get(i + 1);
    // "t"."c", "t".*, "f"(…), x::"type", EXCLUDED."c".
    if next.is_some_and(|t| t.is_punct(".") || t.is_punct("("))
        || prev.is_some_and(|t| t.is_punct(".") || t.is_punct("::"))
    {
        return true;
    }
    let Some(prev) = prev else {
        return false;
    };
    if is_word_in(prev, NAME_AFTER) {
        return true;
    }
    // An alias: after a name or a `)` (`SELECT count(*) "n"`, `FROM users "u"`); MySQL reads
    // a string there as the alias's name too.
    // (Not after another double-quoted word: that one may be masked, and the text must read
    // the same again.)
    let sure_name = prev.flags & DOUBLE_QUOTED == 0
        && ((prev.kind == TokKind::Word && !prev.is_keyword())
            || prev.kind == TokKind::QuotedIdent);
    if sure_name || prev.is_punct(")") {
        return true;
    }
    // The first word of an element of a column list or a table definition.
    if prev.is_punct("(") || prev.is_punct(",") {
        let open = ctx.open[i];
        if open != usize::MAX && open > 0 {
            let before = &toks[open - 1];
            if is_word_in(before, COLUMNS_AFTER) {
                return true;
            }
            if is_name(before) && open >= 2 && is_word_in(&toks[open - 2], NAMED_COLUMNS_AFTER) {
                return true;
            }
        }
    }
    // UPDATE … SET "a" = …, "b" = …
    if prev.is_punct(",") && next.is_some_and(|t| t.is_punct("=")) && ctx.clause[i] == Some("set") {
        return true;
    }
    false
}

#[cfg(test)]
mod tests;
