//! The dialect-aware SQL lexer every fingerprint starts from.
//!
//! It never fails: every byte of the input ends up in a token, in a comment or in whitespace, so
//! truncated text (pg_stat_statements cuts long statements), unterminated strings and stray bytes are
//! all handled. Literals never survive lexing: strings, numbers, booleans, `NULL` (outside
//! `IS [NOT] NULL`), dollar-quoted bodies and bind placeholders (`$1`, `?`, `?12`, `:name`) all
//! become [`TokKind::Param`] (as do `$name` placeholders), so no value from the SQL can reach the normalised text.
//!
//! Dialect differences it knows about:
//!
//! | | Postgres | MySql | Sqlite | Generic |
//! |---|---|---|---|---|
//! | `"x"` | identifier | string | identifier | identifier |
//! | `` `x` `` | — | identifier | identifier | identifier |
//! | `[x]` | — | — | identifier | — |
//! | `\'` inside `'…'` | only in `E'…'` | escape | — | escape |
//! | `# …` | operator | comment | operator | operator |
//! | `$tag$…$tag$` | string | string | string | string |
//! | `?|`, `?&` | jsonb operators | — | — | jsonb operators |

use super::Dialect;
use super::keywords;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// An unquoted word (keyword or identifier), or a quoted identifier whose quotes were needless.
    Word,
    /// A quoted identifier whose quotes matter; `text` is the raw inside, `quote` the quote byte.
    QuotedIdent,
    /// A literal or a bind placeholder.
    Param,
    /// An operator such as `=`, `<>`, `::`, `||`, `->>`.
    Op,
    /// One punctuation byte: `(` `)` `,` `;` `.` `[` `]` `{` `}` or any other stray byte.
    Punct,
    /// A savepoint, cursor or prepared-statement name (set by the normaliser, rendered `_`).
    Name,
}

/// One token: a kind and the slice of the input it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok<'a> {
    /// What it is.
    pub kind: TokKind,
    /// The source text (for [`TokKind::QuotedIdent`], the text between the quotes).
    pub text: &'a str,
    /// The quote byte of a [`TokKind::QuotedIdent`] (`"`, `` ` `` or `[`), 0 otherwise.
    pub quote: u8,
    /// For words, `keywords::flags` of the text (looked up once, here).
    pub flags: u8,
}

impl<'a> Tok<'a> {
    fn new(kind: TokKind, text: &'a str) -> Self {
        Tok {
            kind,
            text,
            quote: 0,
            flags: 0,
        }
    }

    /// A punctuation token.
    pub fn punct(text: &'a str) -> Self {
        Tok::new(TokKind::Punct, text)
    }

    /// A word token, with its keyword flags.
    pub fn word(text: &'a str) -> Self {
        Tok {
            kind: TokKind::Word,
            text,
            quote: 0,
            flags: keywords::flags(text),
        }
    }

    /// Whether this is the word `kw` (ASCII case-insensitive; `kw` must be lower case).
    #[inline]
    pub fn is_word(&self, kw: &str) -> bool {
        self.kind == TokKind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    /// Whether this is the punctuation or operator `p`.
    #[inline]
    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self.kind, TokKind::Punct | TokKind::Op) && self.text == p
    }

    /// Whether this word is a keyword (reserved or not) rather than a plain identifier.
    #[inline]
    pub fn is_keyword(&self) -> bool {
        self.kind == TokKind::Word && self.flags & keywords::KEYWORD_FLAG != 0
    }

    /// Whether this word is a reserved keyword.
    #[inline]
    pub fn is_reserved(&self) -> bool {
        self.kind == TokKind::Word && self.flags & keywords::RESERVED_FLAG != 0
    }
}

/// The tokens of `sql` and the bodies of its `/* … */` comments (for sqlcommenter tags).
pub struct Lexed<'a> {
    /// Tokens in order.
    pub toks: Vec<Tok<'a>>,
    /// Text inside each block comment, in order.
    pub block_comments: Vec<&'a str>,
    /// Whether the input ended outside any string, quoted identifier or comment.
    pub clean_end: bool,
    /// Whether a string, quoted identifier or block comment was left open: the text is not
    /// valid in this reading, so other readings are taken into account.
    pub unbalanced: bool,
}

#[inline]
fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

#[inline]
fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

#[inline]
fn is_op_char(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

/// The lexical rules of one reading of SQL text: a database, or one setting of a database that
/// changes where strings and comments end (PostgreSQL's `standard_conforming_strings`, MySQL's
/// `NO_BACKSLASH_ESCAPES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rules {
    /// `\` escapes the next character inside `'…'` strings.
    pub backslash: bool,
    /// `E'…'` strings have backslash escapes (PostgreSQL).
    pub e_strings: bool,
    /// `"…"` is a string: emitted as a [`TokKind::Param`] (a MySQL reading). Otherwise it is a
    /// double-quoted identifier, flagged [`DOUBLE_QUOTED`], for the masking pass to judge.
    pub dq_string: bool,
    /// `\` escapes the next character inside `"…"` (MySQL).
    pub dq_backslash: bool,
    /// `#` starts a comment (MySQL).
    pub hash_comment: bool,
    /// `--` starts a comment only when followed by whitespace, a control character or the end
    /// (MySQL; `1--1` is `1 - -1` there).
    pub dash_needs_space: bool,
    /// Block comments nest (PostgreSQL).
    pub nested_comments: bool,
    /// `/*! … */` and `/*M! … */` hold code, not a comment (MySQL, MariaDB).
    pub exec_comments: bool,
    /// `$tag$ … $tag$` is a string.
    pub dollar_quotes: bool,
    /// `` `x` `` is an identifier (MySQL, SQLite).
    pub backquote_ident: bool,
    /// `[x]` is an identifier (SQLite).
    pub bracket_ident: bool,
    /// `?|` and `?&` are (jsonb) operators, not placeholders.
    pub pg_operators: bool,
}

/// PostgreSQL's rules, which the others are written as differences from.
const POSTGRES_RULES: Rules = Rules {
    backslash: false,
    e_strings: true,
    dq_string: false,
    dq_backslash: false,
    hash_comment: false,
    dash_needs_space: false,
    nested_comments: true,
    exec_comments: false,
    dollar_quotes: true,
    backquote_ident: false,
    bracket_ident: false,
    pg_operators: true,
};

impl Rules {
    /// The rules the fingerprint reads a dialect's text with.
    pub(crate) const fn of(dialect: Dialect) -> Rules {
        match dialect {
            Dialect::Postgres => POSTGRES_RULES,
            Dialect::MySql => Rules {
                backslash: true,
                e_strings: false,
                dq_backslash: true,
                hash_comment: true,
                nested_comments: false,
                backquote_ident: true,
                pg_operators: false,
                ..POSTGRES_RULES
            },
            Dialect::Sqlite => Rules {
                e_strings: false,
                nested_comments: false,
                backquote_ident: true,
                bracket_ident: true,
                pg_operators: false,
                ..POSTGRES_RULES
            },
            // Accepts the syntax of all three.
            Dialect::Generic => Rules {
                backslash: true,
                backquote_ident: true,
                ..POSTGRES_RULES
            },
        }
    }
}

/// Flag of a word or quoted identifier written in double quotes (`"x"`), which MySQL and
/// SQLite may read as a string: the masking pass decides by its position.
pub(crate) const DOUBLE_QUOTED: u8 = 4;

/// Flag of a word or quoted identifier written in backquotes (`` `x` ``): MySQL or SQLite.
pub(crate) const BACKQUOTED: u8 = 8;

/// Split `sql` into tokens with the fingerprint's rules for `dialect`. Never fails and never
/// panics; runs in linear time.
pub fn lex<'a>(sql: &'a str, dialect: Dialect) -> Lexed<'a> {
    lex_with(sql, &Rules::of(dialect))
}

/// Split `sql` into tokens under `rules`. Never fails and never panics; runs in linear time.
pub(crate) fn lex_with<'a>(sql: &'a str, rules: &Rules) -> Lexed<'a> {
    let b = sql.as_bytes();
    let n = b.len();
    let mut toks: Vec<Tok<'a>> = Vec::with_capacity(n / 4 + 4);
    let mut block_comments = Vec::new();
    let pg_like = rules.pg_operators;
    let backslash_escapes = rules.backslash;
    let open_at_end = std::cell::Cell::new(false);
    let unbalanced = std::cell::Cell::new(false);
    let skip_quoted = |from: usize, q: u8, backslash: bool| {
        let (end, closed) = skip_quoted(b, from, q, backslash);
        open_at_end.set(!closed);
        unbalanced.set(unbalanced.get() || !closed);
        (end, closed)
    };
    // Inside a MySQL `/*! … */` comment, whose body is code: its `*/` is skipped.
    let mut in_exec_comment = false;
    let mut i = 0;
    while i < n {
        let c = b[i];
        // Whitespace.
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            i += 1;
            continue;
        }
        if in_exec_comment && c == b'*' && i + 1 < n && b[i + 1] == b'/' {
            in_exec_comment = false;
            i += 2;
            continue;
        }
        // Comments.
        let dash_comment = c == b'-'
            && i + 1 < n
            && b[i + 1] == b'-'
            && (!rules.dash_needs_space || i + 2 >= n || b[i + 2] <= b' ');
        if dash_comment || (c == b'#' && rules.hash_comment) {
            i = skip_line(b, i);
            open_at_end.set(i >= n);
            continue;
        }
        if c == b'/' && i + 1 < n && b[i + 1] == b'*' {
            if rules.exec_comments
                && !in_exec_comment
                && let Some(body) = exec_comment_body(b, i)
            {
                in_exec_comment = true;
                i = body;
                continue;
            }
            let (end, body_end) = skip_block_comment(b, i, rules.nested_comments);
            open_at_end.set(body_end == n);
            unbalanced.set(unbalanced.get() || body_end == n);
            block_comments.push(&sql[i + 2..body_end]);
            i = end;
            continue;
        }
        // Strings.
        if c == b'\'' {
            let (end, _) = skip_quoted(i + 1, b'\'', backslash_escapes);
            toks.push(Tok::new(TokKind::Param, &sql[i..end]));
            i = end;
            continue;
        }
        if c == b'"' {
            let (end, closed) = skip_quoted(
                i + 1,
                b'"',
                rules.dq_backslash || (rules.dq_string && rules.backslash),
            );
            if rules.dq_string || !closed {
                // A string, or an identifier nobody closed: whatever follows an unbalanced quote
                // could be a value.
                toks.push(Tok::new(TokKind::Param, &sql[i..end]));
            } else {
                toks.push(quoted_ident(sql, i, end, b'"'));
            }
            i = end;
            continue;
        }
        if c == b'`' && rules.backquote_ident {
            let (end, closed) = skip_quoted(i + 1, b'`', false);
            toks.push(if closed {
                quoted_ident(sql, i, end, b'`')
            } else {
                Tok::new(TokKind::Param, &sql[i..end])
            });
            i = end;
            continue;
        }
        if c == b'[' && rules.bracket_ident {
            let mut j = i + 1;
            while j < n && b[j] != b']' {
                j += 1;
            }
            open_at_end.set(j >= n);
            if j >= n {
                unbalanced.set(true);
                toks.push(Tok::new(TokKind::Param, &sql[i..n]));
                i = n;
                continue;
            }
            toks.push(quoted_ident(sql, i, j + 1, b'['));
            i = j + 1;
            continue;
        }
        // Dollar: $1 placeholders and $tag$ quoted strings.
        if c == b'$' {
            if i + 1 < n && b[i + 1].is_ascii_digit() {
                let mut j = i + 1;
                while j < n && b[j].is_ascii_digit() {
                    j += 1;
                }
                toks.push(Tok::new(TokKind::Param, &sql[i..j]));
                i = j;
                continue;
            }
            if rules.dollar_quotes
                && let Some((end, closed)) = dollar_quoted(b, i)
            {
                open_at_end.set(!closed);
                unbalanced.set(unbalanced.get() || !closed);
                toks.push(Tok::new(TokKind::Param, &sql[i..end]));
                i = end;
                continue;
            }
            // SQLite's `$name` placeholder.
            if i + 1 < n && is_ident_start(b[i + 1]) {
                let j = name_end(b, i + 1, true);
                toks.push(Tok::new(TokKind::Param, &sql[i..j]));
                i = j;
                continue;
            }
            toks.push(Tok::new(TokKind::Punct, &sql[i..i + 1]));
            i += 1;
            continue;
        }
        // Question mark: `?`, `?NNN`, or the jsonb operators `?|` / `?&`.
        if c == b'?' {
            if pg_like && i + 1 < n && (b[i + 1] == b'|' || b[i + 1] == b'&') {
                toks.push(Tok::new(TokKind::Op, &sql[i..i + 2]));
                i += 2;
                continue;
            }
            let mut j = i + 1;
            while j < n && b[j].is_ascii_digit() {
                j += 1;
            }
            toks.push(Tok::new(TokKind::Param, &sql[i..j]));
            i = j;
            continue;
        }
        // Colon: `::` cast, `:=`, `:name` placeholder.
        if c == b':' {
            if i + 1 < n && b[i + 1] == b':' {
                toks.push(Tok::new(TokKind::Op, &sql[i..i + 2]));
                i += 2;
                continue;
            }
            if i + 1 < n && b[i + 1] == b'=' {
                toks.push(Tok::new(TokKind::Op, &sql[i..i + 2]));
                i += 2;
                continue;
            }
            if i + 1 < n && is_ident_start(b[i + 1]) {
                let j = name_end(b, i + 1, false);
                toks.push(Tok::new(TokKind::Param, &sql[i..j]));
                i = j;
                continue;
            }
            toks.push(Tok::new(TokKind::Punct, &sql[i..i + 1]));
            i += 1;
            continue;
        }
        // Numbers.
        let prev_is_operand = toks.last().is_some_and(|t| {
            matches!(
                t.kind,
                TokKind::Word | TokKind::QuotedIdent | TokKind::Param
            ) || t.is_punct(")")
                || t.is_punct("]")
        });
        if c.is_ascii_digit()
            || (c == b'.' && i + 1 < n && b[i + 1].is_ascii_digit() && !prev_is_operand)
        {
            let end = skip_number(b, i);
            // A unary minus directly before a constant is part of the constant (as in PostgreSQL).
            if toks
                .last()
                .is_some_and(|t| t.kind == TokKind::Op && t.text == "-")
                && !operand_before_minus(&toks)
            {
                toks.pop();
            }
            toks.push(Tok::new(TokKind::Param, &sql[i..end]));
            i = end;
            continue;
        }
        // Words, including prefixed strings (E'…', N'…', X'…', B'…', U&'…', _utf8mb4'…').
        if is_ident_start(c) {
            let mut j = i + 1;
            while j < n && is_ident_char(b[j]) {
                j += 1;
            }
            let word = &sql[i..j];
            if j < n && b[j] == b'\'' && is_string_prefix(word) {
                let esc = backslash_escapes || (rules.e_strings && word.eq_ignore_ascii_case("e"));
                let (end, _) = skip_quoted(j + 1, b'\'', esc);
                toks.push(Tok::new(TokKind::Param, &sql[i..end]));
                i = end;
                continue;
            }
            if word.eq_ignore_ascii_case("u") && j + 1 < n && b[j] == b'&' && b[j + 1] == b'\'' {
                let (end, _) = skip_quoted(j + 2, b'\'', backslash_escapes);
                toks.push(Tok::new(TokKind::Param, &sql[i..end]));
                i = end;
                continue;
            }
            let constant = word.eq_ignore_ascii_case("true")
                || word.eq_ignore_ascii_case("false")
                || (word.eq_ignore_ascii_case("null") && !after_is(&toks));
            if constant {
                toks.push(Tok::new(TokKind::Param, word));
            } else {
                toks.push(Tok::word(word));
            }
            i = j;
            continue;
        }
        // Operators (maximal munch, PostgreSQL's rule for a trailing + or -).
        if is_op_char(c) && c != b'?' && c != b'`' {
            let mut j = i + 1;
            while j < n && is_op_char(b[j]) && b[j] != b'?' && b[j] != b'`' {
                // Stop before a comment start.
                if (b[j] == b'-' && j + 1 < n && b[j + 1] == b'-')
                    || (b[j] == b'/' && j + 1 < n && b[j + 1] == b'*')
                {
                    break;
                }
                if rules.hash_comment && b[j] == b'#' {
                    break;
                }
                j += 1;
            }
            let mut op = &sql[i..j];
            while op.len() > 1
                && (op.ends_with('+') || op.ends_with('-'))
                && !op
                    .bytes()
                    .any(|x| matches!(x, b'~' | b'!' | b'@' | b'#' | b'%' | b'^' | b'&' | b'|'))
            {
                op = &op[..op.len() - 1];
            }
            toks.push(Tok::new(TokKind::Op, op));
            i += op.len();
            continue;
        }
        // Anything else: one punctuation character (a whole UTF-8 sequence for non-ASCII bytes is
        // impossible here: those start identifiers).
        toks.push(Tok::new(TokKind::Punct, &sql[i..i + 1]));
        i += 1;
    }
    Lexed {
        toks,
        block_comments,
        clean_end: !open_at_end.get(),
        unbalanced: unbalanced.get() || in_exec_comment,
    }
}

/// Whether the token before a trailing `-` is an operand (then the `-` is binary).
fn operand_before_minus(toks: &[Tok<'_>]) -> bool {
    if toks.len() < 2 {
        return false;
    }
    let t = &toks[toks.len() - 2];
    match t.kind {
        TokKind::Param | TokKind::QuotedIdent | TokKind::Name => true,
        TokKind::Word => !(t.is_reserved() || keywords::is_sign_context(t.text)),
        TokKind::Punct => t.text == ")" || t.text == "]",
        TokKind::Op => false,
    }
}

/// Whether the last tokens are `IS` or `IS NOT` (so a following `NULL` is not a constant).
fn after_is(toks: &[Tok<'_>]) -> bool {
    match toks {
        [.., is, not] if not.is_word("not") => is.is_word("is"),
        [.., is] => is.is_word("is"),
        [] => false,
    }
}

fn is_string_prefix(word: &str) -> bool {
    (word.len() == 1
        && matches!(
            word.as_bytes()[0].to_ascii_lowercase(),
            b'e' | b'n' | b'x' | b'b' | b'r'
        ))
        || (word.len() > 1 && word.starts_with('_'))
}

fn quoted_ident(sql: &str, start: usize, end: usize, quote: u8) -> Tok<'_> {
    let close_len = usize::from(end > start + 1 && sql.as_bytes()[end - 1] == closing(quote));
    let inner_end = if end - start > close_len {
        end - close_len
    } else {
        end
    };
    let inner = &sql[start + 1..inner_end.max(start + 1)];
    let quoted = match quote {
        b'"' => DOUBLE_QUOTED,
        b'`' => BACKQUOTED,
        _ => 0,
    };
    if is_plain_identifier(inner) {
        let mut t = Tok::word(inner);
        t.flags |= quoted;
        t
    } else {
        Tok {
            kind: TokKind::QuotedIdent,
            text: inner,
            quote,
            flags: quoted,
        }
    }
}

fn closing(quote: u8) -> u8 {
    if quote == b'[' { b']' } else { quote }
}

/// Whether quoting `inner` is needless: lower case ASCII identifier that is not a reserved word.
fn is_plain_identifier(inner: &str) -> bool {
    let b = inner.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_lowercase() || b[0] == b'_')
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        && !keywords::is_reserved(inner)
}

/// Where the body of a MySQL executable comment starting at `i` (`/*!`, `/*!80000`, `/*M!`,
/// `/*M!100100`) begins, or `None` for an ordinary comment.
fn exec_comment_body(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'M') {
        j += 1;
    }
    if b.get(j) != Some(&b'!') {
        return None;
    }
    j += 1;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    Some(j)
}

fn skip_line(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    i
}

/// End of the block comment starting at `i` and the end of its body.
fn skip_block_comment(b: &[u8], i: usize, nested: bool) -> (usize, usize) {
    let n = b.len();
    let mut depth = 1usize;
    let mut j = i + 2;
    while j < n {
        if b[j] == b'*' && j + 1 < n && b[j + 1] == b'/' {
            depth -= 1;
            if depth == 0 {
                return (j + 2, j);
            }
            j += 2;
        } else if nested && b[j] == b'/' && j + 1 < n && b[j + 1] == b'*' {
            depth += 1;
            j += 2;
        } else {
            j += 1;
        }
    }
    (n, n)
}

/// End (exclusive) of a quoted run whose opening quote was just before `i`, and whether it was
/// closed; doubled quotes and, when `backslash`, backslash escapes stay inside. Unterminated runs
/// end at the end of input.
fn skip_quoted(b: &[u8], mut i: usize, q: u8, backslash: bool) -> (usize, bool) {
    let n = b.len();
    while i < n {
        let c = b[i];
        if backslash && c == b'\\' {
            i += 2;
            continue;
        }
        if c == q {
            if i + 1 < n && b[i + 1] == q {
                i += 2;
                continue;
            }
            return (i + 1, true);
        }
        i += 1;
    }
    (n, false)
}

/// End of a `$tag$ … $tag$` string starting at `i`, if `i` starts a dollar quote.
fn dollar_quoted(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let n = b.len();
    let mut j = i + 1;
    if j < n && b[j] != b'$' {
        if !(b[j].is_ascii_alphabetic() || b[j] == b'_' || b[j] >= 0x80) {
            return None;
        }
        while j < n && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
            j += 1;
        }
    }
    if j >= n || b[j] != b'$' {
        return None;
    }
    let tag = &b[i..=j];
    let mut k = j + 1;
    while k < n {
        if b[k] == b'$' && b[k..].starts_with(tag) {
            return Some((k + tag.len(), true));
        }
        k += 1;
    }
    Some((n, false))
}

fn skip_number(b: &[u8], i: usize) -> usize {
    let n = b.len();
    let mut j = i;
    if b[i] == b'0' && i + 1 < n && matches!(b[i + 1], b'x' | b'X' | b'b' | b'B' | b'o' | b'O') {
        j = i + 2;
        while j < n && (b[j].is_ascii_hexdigit() || b[j] == b'_') {
            j += 1;
        }
        return j;
    }
    while j < n && (b[j].is_ascii_digit() || b[j] == b'_') {
        j += 1;
    }
    if j < n && b[j] == b'.' && !(j + 1 < n && b[j + 1] == b'.') {
        j += 1;
        while j < n && (b[j].is_ascii_digit() || b[j] == b'_') {
            j += 1;
        }
    }
    if j < n && (b[j] == b'e' || b[j] == b'E') {
        let mut k = j + 1;
        if k < n && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        if k < n && b[k].is_ascii_digit() {
            while k < n && b[k].is_ascii_digit() {
                k += 1;
            }
            j = k;
        }
    }
    j
}

/// End of a placeholder name starting at `start` (`$name` stops at a `$`, which may begin a
/// dollar-quoted string).
fn name_end(b: &[u8], start: usize, stop_at_dollar: bool) -> usize {
    let mut j = start;
    while j < b.len() && is_ident_char(b[j]) && !(stop_at_dollar && b[j] == b'$') {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str, d: Dialect) -> Vec<(TokKind, String)> {
        lex(sql, d)
            .toks
            .iter()
            .map(|t| (t.kind, t.text.to_owned()))
            .collect()
    }

    #[test]
    fn literals_become_params() {
        let k = kinds(
            "SELECT 'a''b', 1.5e3, -2, E'x\\'y', $1, ?, ?3, :id, true, $q$x$q$",
            Dialect::Postgres,
        );
        let params = k.iter().filter(|(k, _)| *k == TokKind::Param).count();
        assert_eq!(params, 10, "{k:?}");
    }

    #[test]
    fn unterminated_string_is_one_param() {
        let k = kinds(
            "SELECT * FROM t WHERE a = 'secret and more",
            Dialect::Postgres,
        );
        assert_eq!(k.last().unwrap().0, TokKind::Param);
        assert!(!k.iter().any(|(_, t)| t == "secret"));
    }

    #[test]
    fn double_quotes_are_flagged_for_the_masking_pass() {
        // The masking pass decides by position whether MySQL's "x" is a string.
        let l = lex("\"x\"", Dialect::MySql);
        assert_eq!(l.toks[0].flags & DOUBLE_QUOTED, DOUBLE_QUOTED);
        let reading = Rules {
            dq_string: true,
            ..Rules::of(Dialect::MySql)
        };
        assert_eq!(lex_with("\"x\"", &reading).toks[0].kind, TokKind::Param);
        assert_eq!(kinds("\"X\"", Dialect::Postgres)[0].0, TokKind::QuotedIdent);
        assert_eq!(kinds("\"x\"", Dialect::Postgres)[0].0, TokKind::Word);
    }

    #[test]
    fn binary_minus_stays_an_operator() {
        let k = kinds("a - 1", Dialect::Generic);
        assert_eq!(k.len(), 3);
        let k = kinds("a = -1", Dialect::Generic);
        assert_eq!(k.len(), 3);
    }

    #[test]
    fn is_null_keeps_null() {
        let k = kinds("a IS NOT NULL", Dialect::Generic);
        assert_eq!(k[3].0, TokKind::Word);
        let k = kinds("VALUES (NULL)", Dialect::Generic);
        assert_eq!(k[2].0, TokKind::Param);
    }

    #[test]
    fn comments_are_dropped_and_block_bodies_kept() {
        let l = lex("SELECT 1 -- x\n /* a='b' */ # c", Dialect::MySql);
        assert_eq!(l.toks.len(), 2);
        assert_eq!(l.block_comments, vec![" a='b' "]);
    }
}
