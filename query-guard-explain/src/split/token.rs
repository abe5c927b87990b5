//! Tokens as far as splitting cares, and the byte helpers every dialect's lexer shares.

/// What a token is, as far as splitting cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Lexed {
    pub(super) kind: Kind,
    pub(super) end: usize,
}

/// Something left open: what, and where it starts.
pub(super) type Open = (&'static str, usize);

pub(super) fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

pub(super) fn tok(kind: Kind, end: usize) -> Lexed {
    Lexed { kind, end }
}

/// Index of the first `\n` (or `\r` when `cr`) at or after `i`, or the end.
pub(super) fn line_end(b: &[u8], mut i: usize, cr: bool) -> usize {
    while i < b.len() && b[i] != b'\n' && !(cr && b[i] == b'\r') {
        i += 1;
    }
    i
}

/// Index just after the first `*/` at or after `i`.
pub(super) fn comment_end(b: &[u8], i: usize) -> Option<usize> {
    b.get(i..)?
        .windows(2)
        .position(|w| w == b"*/")
        .map(|k| i + k + 2)
}

/// End of a quoted token whose body starts at `i`, closed by `q` and with `qq` doubling it.
pub(super) fn quoted(b: &[u8], p: usize, mut i: usize, q: u8) -> Result<usize, Open> {
    loop {
        match b.get(i) {
            None => return Err(("quoted name", p)),
            Some(&c) if c == q && at(b, i + 1) == q => i += 2,
            Some(&c) if c == q => return Ok(i + 1),
            Some(_) => i += 1,
        }
    }
}
