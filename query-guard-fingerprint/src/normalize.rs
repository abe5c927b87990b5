//! The canonicaliser: rewrites the token stream so that statements of one shape become one text.
//!
//! Runs on the output of the [lexer](super::lexer), in one linear pass plus a renderer; see the
//! [module docs](super) for the rules with examples.

use super::Dialect;
use super::keywords;
use super::lexer::{Tok, TokKind};
use super::statements::each_statement;

use std::collections::BTreeMap;

const NONE: u32 = u32::MAX;

/// At most this many distinct row shapes of one `VALUES` are compared (bounds the work per row).
const MAX_ROW_SHAPES: usize = 32;

/// Apply every token rule: noise words, values of utility statements, savepoint/cursor/statement
/// names, `= ANY(…)`, `IN (…)`,
/// `ARRAY[…]`, multi-row `VALUES`, `FETCH FIRST n ROWS ONLY` and the field of
/// `EXTRACT(field FROM …)`.
pub(crate) fn canonicalize<'a>(mut toks: Vec<Tok<'a>>) -> Vec<Tok<'a>> {
    drop_noise(&mut toks);
    // After the noise is gone: a statement is recognised by its first word as it will read.
    super::utility::mask_values(&mut toks);
    mark_names(&mut toks);
    collapse_lists(&toks)
}

/// Drop words that never change meaning: `ASC`, `INNER` / `OUTER` before `JOIN`, `AS` before an
/// alias (but not inside `CAST(… AS type)`), `SAVEPOINT` after `RELEASE` or `ROLLBACK … TO`, and `PREPARE` after `DEALLOCATE`.
fn drop_noise(toks: &mut Vec<Tok<'_>>) {
    let mut keep = Vec::with_capacity(toks.len());
    // For each open parenthesis: whether it belongs to CAST / TRY_CAST / CONVERT.
    let mut in_cast: Vec<bool> = Vec::new();
    for i in 0..toks.len() {
        let t = toks[i];
        if t.is_punct("(") {
            let prev_cast = i > 0
                && ["cast", "try_cast", "convert", "safe_cast"]
                    .iter()
                    .any(|k| toks[i - 1].is_word(k));
            in_cast.push(prev_cast);
        } else if t.is_punct(")") {
            in_cast.pop();
        }
        let next = toks.get(i + 1);
        let next_join = next.is_some_and(|n| n.is_word("join"));
        // `AS` before an alias, but not `AS AS x` (the second one would go on the next
        // reading), and not before a name that keeps its quotes: `AS "x"` is what makes a
        // double-quoted word a name for MySQL and SQLite, which read `"x"` elsewhere as a
        // string (see mask.rs), and MySQL prints it `` `x` ``, so every quoted name keeps it.
        let alias_as = t.is_word("as")
            && !in_cast.last().copied().unwrap_or(false)
            && !keep.last().is_some_and(|p: &Tok<'_>| p.is_word("as"))
            && next.is_some_and(|n| n.kind == TokKind::Word && !n.is_keyword());
        let optional_savepoint = t.is_word("savepoint")
            && keep
                .last()
                .is_some_and(|p: &Tok<'_>| p.is_word("release") || p.is_word("to"))
            || t.is_word("prepare")
                && keep
                    .last()
                    .is_some_and(|p: &Tok<'_>| p.is_word("deallocate"));
        if t.is_word("asc")
            || ((t.is_word("inner") || t.is_word("outer")) && next_join)
            || alias_as
            || optional_savepoint
        {
            continue;
        }
        keep.push(t);
    }
    *toks = keep;
}

fn is_name_tok(t: &Tok<'_>) -> bool {
    matches!(t.kind, TokKind::Word | TokKind::QuotedIdent | TokKind::Name)
}

fn mark_at(toks: &mut [Tok<'_>], i: usize) {
    if let Some(t) = toks.get_mut(i)
        && is_name_tok(t)
    {
        t.kind = TokKind::Name;
    }
}

/// Replace savepoint, cursor and prepared-statement names by a [`TokKind::Name`].
fn mark_names(toks: &mut [Tok<'_>]) {
    each_statement(toks, mark_statement_names);
}

fn mark_statement_names(s: &mut [Tok<'_>]) {
    let Some(first) = s.first().copied() else {
        return;
    };
    let skip = |s: &[Tok<'_>], i: usize, w: &str| {
        if s.get(i).is_some_and(|t| t.is_word(w)) {
            i + 1
        } else {
            i
        }
    };
    if first.is_word("savepoint") || first.is_word("declare") || first.is_word("execute") {
        mark_at(s, 1);
    } else if first.is_word("release") {
        let i = skip(s, 1, "savepoint");
        mark_at(s, i);
    } else if first.is_word("rollback") || first.is_word("abort") {
        if let Some(to) = s.iter().position(|t| t.is_word("to")) {
            let i = skip(s, to + 1, "savepoint");
            mark_at(s, i);
        }
    } else if first.is_word("close") {
        if !s.get(1).is_some_and(|t| t.is_word("all")) {
            mark_at(s, 1);
        }
    } else if first.is_word("prepare") {
        if !s.get(1).is_some_and(|t| t.is_word("transaction")) {
            mark_at(s, 1);
        }
    } else if first.is_word("deallocate") {
        let i = skip(s, 1, "prepare");
        if !s.get(i).is_some_and(|t| t.is_word("all")) {
            mark_at(s, i);
        }
    } else if (first.is_word("fetch") || first.is_word("move")) && s.len() > 1 {
        let last = s.len() - 1;
        mark_at(s, last);
    }
}

/// For each token, the index of its matching bracket (`(`/`)` and `[`/`]`), or [`NONE`].
fn match_brackets(toks: &[Tok<'_>]) -> Vec<u32> {
    let mut m = vec![NONE; toks.len()];
    let mut stack: Vec<(usize, &str)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.kind != TokKind::Punct {
            continue;
        }
        match t.text {
            "(" | "[" => stack.push((i, t.text)),
            ")" | "]" => {
                let want = if t.text == ")" { "(" } else { "[" };
                if let Some(&(o, open)) = stack.last()
                    && open == want
                {
                    stack.pop();
                    m[o] = i as u32;
                    m[i] = o as u32;
                }
            }
            _ => {}
        }
    }
    m
}

/// Whether two token runs have the same shape (parameters are all alike).
fn same_shape(a: &[Tok<'_>], b: &[Tok<'_>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.kind == y.kind
                && match x.kind {
                    TokKind::Param | TokKind::Name => true,
                    TokKind::Word => x.text.eq_ignore_ascii_case(y.text),
                    _ => x.text == y.text,
                }
        })
}

/// Split `toks[open+1..close]` at top-level commas.
fn elements(toks: &[Tok<'_>], m: &[u32], open: usize, close: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = open + 1;
    let mut start = i;
    while i < close {
        let t = &toks[i];
        if m[i] != NONE && m[i] as usize > i {
            i = m[i] as usize + 1;
            continue;
        }
        if t.is_punct(",") {
            out.push((start, i));
            start = i + 1;
        }
        i += 1;
    }
    out.push((start, close));
    out
}

/// Whether a run is a constant: one parameter, or a parenthesised tuple of parameters.
fn is_const_element(run: &[Tok<'_>]) -> bool {
    match run {
        [p] => p.kind == TokKind::Param,
        [open, inner @ .., close]
            if open.is_punct("(") && close.is_punct(")") && !inner.is_empty() =>
        {
            inner.iter().enumerate().all(|(k, t)| {
                if k % 2 == 0 {
                    t.kind == TokKind::Param
                } else {
                    t.is_punct(",")
                }
            }) && inner.len() % 2 == 1
        }
        _ => false,
    }
}

/// Whether `toks[open+1..close]` only holds parameters, casts and array syntax: `$1`, `$1::int[]`,
/// `ARRAY[$1, $2]`, `'{1,2}'::bigint[]`.
fn is_param_like(toks: &[Tok<'_>], open: usize, close: usize) -> bool {
    let inner = &toks[open + 1..close];
    let mut saw_param = false;
    for (k, t) in inner.iter().enumerate() {
        let ok = match t.kind {
            TokKind::Param => {
                saw_param = true;
                true
            }
            TokKind::Op => t.text == "::",
            TokKind::Punct => matches!(t.text, "[" | "]" | "," | "(" | ")"),
            TokKind::Word => {
                t.is_word("array")
                    || k > 0
                        && (inner[k - 1].is_punct("::")
                            || inner[k - 1].kind == TokKind::Word && !inner[k - 1].is_word("array"))
            }
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    saw_param
}

/// A reserved keyword token.
const fn keyword(text: &'static str) -> Tok<'static> {
    Tok {
        kind: TokKind::Word,
        text,
        quote: 0,
        flags: keywords::RESERVED_FLAG | keywords::KEYWORD_FLAG,
    }
}

/// A punctuation token.
const fn punct(text: &'static str) -> Tok<'static> {
    Tok {
        kind: TokKind::Punct,
        text,
        quote: 0,
        flags: 0,
    }
}

const IN: Tok<'static> = keyword("in");
const LIMIT: Tok<'static> = keyword("limit");
const NOT: Tok<'static> = keyword("not");
const OPEN: Tok<'static> = punct("(");
const CLOSE: Tok<'static> = punct(")");
const PARAM: Tok<'static> = Tok {
    kind: TokKind::Param,
    text: "?",
    quote: 0,
    flags: 0,
};

/// Collapse `IN (…)` lists, `= ANY(…)`, `ARRAY[…]` and multi-row `VALUES`; make the field of
/// `EXTRACT(field FROM …)` a parameter.
fn collapse_lists<'a>(toks: &[Tok<'a>]) -> Vec<Tok<'a>> {
    let m = match_brackets(toks);
    let mut out: Vec<Tok<'a>> = Vec::with_capacity(toks.len());
    // Ranges of duplicate VALUES rows to leave out: start → end (exclusive).
    let mut skips: BTreeMap<usize, usize> = BTreeMap::new();
    let mut i = 0;
    while i < toks.len() {
        if let Some(end) = skips.remove(&i) {
            i = end;
            continue;
        }
        let t = toks[i];
        let next_open = |k: usize| toks.get(k).is_some_and(|x| x.is_punct("(")) && m[k] != NONE;
        // FETCH FIRST 5 ROWS ONLY → LIMIT $1 (not the FETCH that starts a cursor statement).
        if t.is_word("fetch")
            && i > 0
            && !toks[i - 1].is_punct(";")
            && toks
                .get(i + 1)
                .is_some_and(|x| x.is_word("first") || x.is_word("next"))
        {
            let count = toks
                .get(i + 2)
                .filter(|x| x.kind == TokKind::Param)
                .copied();
            let j = i + 2 + usize::from(count.is_some());
            if toks
                .get(j)
                .is_some_and(|x| x.is_word("row") || x.is_word("rows"))
                && toks.get(j + 1).is_some_and(|x| x.is_word("only"))
            {
                out.extend_from_slice(&[LIMIT, count.unwrap_or(PARAM)]);
                i = j + 2;
                continue;
            }
        }
        // OFFSET 5 ROWS → OFFSET $1.
        if (t.is_word("row") || t.is_word("rows"))
            && i >= 2
            && toks[i - 1].kind == TokKind::Param
            && toks[i - 2].is_word("offset")
        {
            i += 1;
            continue;
        }
        // EXTRACT(year FROM x) → EXTRACT($1 FROM x): the field is a constant (PostgreSQL turns it
        // into one, so all fields share a queryid).
        if t.is_word("extract")
            && toks.get(i + 1).is_some_and(|x| x.is_punct("("))
            && toks
                .get(i + 2)
                .is_some_and(|x| matches!(x.kind, TokKind::Word | TokKind::QuotedIdent))
            && toks.get(i + 3).is_some_and(|x| x.is_word("from"))
        {
            out.extend_from_slice(&[t, OPEN, PARAM]);
            i += 3;
            continue;
        }
        // x IN (1, 2, 3) → x IN ($1); (a, b) IN ((1, 2), (3, 4)) → (a, b) IN (($1, $2)).
        if t.is_word("in") && next_open(i + 1) {
            let close = m[i + 1] as usize;
            let els = elements(toks, &m, i + 1, close);
            let first = &toks[els[0].0..els[0].1];
            if is_const_element(first) && els.iter().all(|&(a, b)| same_shape(first, &toks[a..b])) {
                out.push(t);
                out.push(OPEN);
                out.extend_from_slice(first);
                out.push(CLOSE);
                i = close + 1;
                continue;
            }
        }
        // x = ANY($1) / x = ANY(ARRAY[1, 2]) → x IN ($1); x <> ALL($1) → x NOT IN ($1).
        if t.kind == TokKind::Op && i + 2 < toks.len() && next_open(i + 2) {
            let w = toks[i + 1];
            let negated = (t.text == "<>" || t.text == "!=") && w.is_word("all");
            if (t.text == "=" && (w.is_word("any") || w.is_word("some")) || negated)
                && is_param_like(toks, i + 2, m[i + 2] as usize)
            {
                if negated {
                    out.push(NOT);
                }
                out.extend_from_slice(&[IN, OPEN, PARAM, CLOSE]);
                i = m[i + 2] as usize + 1;
                continue;
            }
        }
        // ARRAY[1, 2, 3] → ARRAY[$1].
        if t.is_word("array")
            && toks.get(i + 1).is_some_and(|x| x.is_punct("["))
            && m[i + 1] != NONE
        {
            let close = m[i + 1] as usize;
            let els = elements(toks, &m, i + 1, close);
            let first = &toks[els[0].0..els[0].1];
            if close > i + 2
                && is_const_element(first)
                && els.iter().all(|&(a, b)| same_shape(first, &toks[a..b]))
            {
                out.push(t);
                out.push(toks[i + 1]);
                out.extend_from_slice(first);
                out.push(toks[close]);
                i = close + 1;
                continue;
            }
        }
        // VALUES (…), (…), (…) → each distinct row shape once, in order of first appearance.
        if t.is_word("values") && next_open(i + 1) {
            let mut kept: Vec<(usize, usize)> = Vec::new();
            let mut k = i + 1;
            loop {
                let close = m[k] as usize;
                let row = &toks[k..=close];
                let dup = kept.iter().any(|&(a, b)| same_shape(&toks[a..b], row));
                if dup {
                    // Skip the row and the comma before it.
                    skips.insert(k - 1, close + 1);
                } else if kept.len() < MAX_ROW_SHAPES {
                    kept.push((k, close + 1));
                }
                if toks.get(close + 1).is_some_and(|x| x.is_punct(",")) && next_open(close + 2) {
                    k = close + 2;
                } else {
                    break;
                }
            }
        }
        out.push(t);
        i += 1;
    }
    out
}

/// Render canonical tokens as text: upper-case keywords, lower-case identifiers, single spaces,
/// parameters renumbered `$1`, `$2`, … in order, names as `_`, no trailing semicolon.
pub(crate) fn render(toks: &[Tok<'_>], dialect: Dialect, out: &mut String) {
    let mut end = toks.len();
    while end > 0 && toks[end - 1].is_punct(";") {
        end -= 1;
    }
    let mut params = 0u32;
    let mut prev: Option<&Tok<'_>> = None;
    for t in &toks[..end] {
        if t.is_punct(";") && prev.is_some_and(|p| p.is_punct(";")) {
            continue;
        }
        if prev.is_some_and(|p| needs_space(p, t)) {
            out.push(' ');
        }
        match t.kind {
            TokKind::Word => {
                let start = out.len();
                out.push_str(t.text);
                if t.is_keyword() {
                    out[start..].make_ascii_uppercase();
                } else {
                    out[start..].make_ascii_lowercase();
                }
            }
            TokKind::QuotedIdent => render_quoted(t, dialect, out),
            TokKind::Param => {
                params += 1;
                out.push('$');
                out.push_str(itoa(params, &mut [0u8; 10]));
            }
            TokKind::Op => out.push_str(if t.text == "!=" { "<>" } else { t.text }),
            TokKind::Punct => out.push_str(t.text),
            TokKind::Name => out.push('_'),
        }
        prev = Some(t);
    }
}

/// `v` in decimal, without allocating.
pub(super) fn itoa(mut v: u32, buf: &mut [u8; 10]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

fn render_quoted(t: &Tok<'_>, dialect: Dialect, out: &mut String) {
    let src = if t.quote == b'[' {
        b']' as char
    } else {
        t.quote as char
    };
    // Double quotes stay double quotes (except in MySQL, whose identifiers are backquoted);
    // backquoted and bracketed identifiers are backquoted, so the text reads the same again:
    // only a double-quoted word can be a string, and only where a value fits.
    let dst = if dialect == Dialect::MySql || t.quote != b'"' {
        '`'
    } else {
        '"'
    };
    out.push(dst);
    let mut chars = t.text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == src && t.quote != b'[' && chars.peek() == Some(&src) {
            chars.next();
        }
        if c == dst {
            out.push(dst);
        }
        out.push(c);
    }
    out.push(dst);
}

/// Keywords written like functions: no space before their `(`.
fn is_function_keyword(t: &Tok<'_>) -> bool {
    [
        "any", "some", "all", "cast", "coalesce", "extract", "greatest", "least", "row", "exists",
    ]
    .iter()
    .any(|k| t.is_word(k))
}

fn needs_space(prev: &Tok<'_>, cur: &Tok<'_>) -> bool {
    if cur.kind == TokKind::Punct && matches!(cur.text, "," | ")" | "]" | ";" | ".") {
        return false;
    }
    if prev.kind == TokKind::Punct && matches!(prev.text, "(" | "[" | ".") {
        return false;
    }
    // `x::int`, but a space where gluing would make another token (`: ::`).
    let operand = |t: &Tok<'_>| {
        matches!(
            t.kind,
            TokKind::Word | TokKind::QuotedIdent | TokKind::Param | TokKind::Name
        ) || t.is_punct(")")
            || t.is_punct("]")
    };
    if cur.is_punct("::") {
        return !operand(prev);
    }
    if prev.is_punct("::") {
        return !(operand(cur) || cur.is_punct("("));
    }
    if cur.is_punct("(") {
        return match prev.kind {
            TokKind::Word => prev.is_keyword() && !is_function_keyword(prev),
            TokKind::QuotedIdent => false,
            _ => true,
        };
    }
    if cur.is_punct("[") {
        return !(matches!(
            prev.kind,
            TokKind::Word | TokKind::QuotedIdent | TokKind::Param
        ) || prev.is_punct("]")
            || prev.is_punct(")"));
    }
    true
}
