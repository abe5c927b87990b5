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
pub(crate) enum TokKind {
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
pub(crate) struct Tok<'a> {
    /// What it is.
    pub kind: TokKind,
    /// The source text (for [`TokKind::QuotedIdent`], the text between the quotes).
    pub text: &'a str,
    /// The quote byte of a [`TokKind::QuotedIdent`] (`"`, `` ` `` or `[`), 0 otherwise.
    pub quote: u8,
    /// For words, [`keywords::flags`] of the text (looked up once, here).
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
pub(crate) struct Lexed<'a> {
    /// Tokens in order.
    pub toks: Vec<Tok<'a>>,
    /// Text inside each block comment, in order.
    pub block_comments: Vec<&'a str>,
    /// Whether the input ended outside any string, quoted identifier or comment.
    pub clean_end: bool,
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

/// Split `sql` into tokens. Never fails and never panics; runs in linear time.
pub(crate) fn lex<'a>(sql: &'a str, dialect: Dialect) -> Lexed<'a> {
    let b = sql.as_bytes();
    let n = b.len();
    let mut toks: Vec<Tok<'a>> = Vec::with_capacity(n / 4 + 4);
    let mut block_comments = Vec::new();
    let mysql = dialect == Dialect::MySql;
    let pg_like = matches!(dialect, Dialect::Postgres | Dialect::Generic);
    let backslash_escapes = matches!(dialect, Dialect::MySql | Dialect::Generic);
    let open_at_end = std::cell::Cell::new(false);
    let skip_quoted = |from: usize, q: u8, backslash: bool| {
        let (end, closed) = skip_quoted(b, from, q, backslash);
        open_at_end.set(!closed);
        end
    };
    let mut i = 0;
    while i < n {
        let c = b[i];
        // Whitespace.
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            i += 1;
            continue;
        }
        // Comments.
        if (c == b'-' && i + 1 < n && b[i + 1] == b'-') || (c == b'#' && mysql) {
            i = skip_line(b, i);
            open_at_end.set(i >= n);
            continue;
        }
        if c == b'/' && i + 1 < n && b[i + 1] == b'*' {
            let (end, body_end) = skip_block_comment(b, i, !mysql);
            open_at_end.set(body_end == n);
            block_comments.push(&sql[i + 2..body_end]);
            i = end;
            continue;
        }
        // Strings.
        if c == b'\'' {
            let end = skip_quoted(i + 1, b'\'', backslash_escapes);
            toks.push(Tok::new(TokKind::Param, &sql[i..end]));
            i = end;
            continue;
        }
        if c == b'"' {
            let end = skip_quoted(i + 1, b'"', mysql);
            if mysql {
                toks.push(Tok::new(TokKind::Param, &sql[i..end]));
            } else {
                toks.push(quoted_ident(sql, i, end, b'"'));
            }
            i = end;
            continue;
        }
        if c == b'`' && dialect != Dialect::Postgres {
            let end = skip_quoted(i + 1, b'`', false);
            toks.push(quoted_ident(sql, i, end, b'`'));
            i = end;
            continue;
        }
        if c == b'[' && dialect == Dialect::Sqlite {
            let mut j = i + 1;
            while j < n && b[j] != b']' {
                j += 1;
            }
            open_at_end.set(j >= n);
            let end = if j < n { j + 1 } else { n };
            toks.push(quoted_ident(sql, i, end, b'['));
            i = end;
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
            if let Some((end, closed)) = dollar_quoted(b, i) {
                open_at_end.set(!closed);
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
                let esc = backslash_escapes || word.eq_ignore_ascii_case("e");
                let end = skip_quoted(j + 1, b'\'', esc);
                toks.push(Tok::new(TokKind::Param, &sql[i..end]));
                i = end;
                continue;
            }
            if word.eq_ignore_ascii_case("u") && j + 1 < n && b[j] == b'&' && b[j + 1] == b'\'' {
                let end = skip_quoted(j + 2, b'\'', false);
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
                if mysql && b[j] == b'#' {
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
    if is_plain_identifier(inner) {
        Tok::word(inner)
    } else {
        Tok {
            kind: TokKind::QuotedIdent,
            text: inner,
            quote,
            flags: 0,
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
    fn mysql_double_quotes_are_strings_elsewhere_identifiers() {
        assert_eq!(kinds("\"x\"", Dialect::MySql)[0].0, TokKind::Param);
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
