//! Statement kind and table names, read from the canonical token stream.
//!
//! Working on tokens rather than on sqlparser's AST means the same answer for text sqlparser can
//! parse and for text it cannot (pg_stat_statements' `INTERVAL $1`, truncated statements), and no
//! second walk over a large AST.
//!
//! Tables are the names after `FROM`, `JOIN`, `INTO`, `UPDATE`, `USING`, `TABLE` and `TRUNCATE`
//! (comma lists included) in query context, lower-cased, unquoted, schema-qualified as written,
//! in order of first appearance. Not tables: common table expression names, table functions
//! (`FROM generate_series(…)`, `FROM unnest($1)`), subqueries, the `FROM` inside
//! `EXTRACT(… FROM …)` / `SUBSTRING(… FROM …)` / `IS DISTINCT FROM`, and `FOR UPDATE`,
//! `DO UPDATE`, `ON DUPLICATE KEY UPDATE`.

use super::StatementKind;
use super::lexer::{Tok, TokKind};

/// The kind of the first statement, from its leading keywords.
pub(crate) fn kind(toks: &[Tok<'_>]) -> StatementKind {
    let mut i = 0;
    while toks.get(i).is_some_and(|t| t.is_punct("(")) {
        i += 1;
    }
    let Some(first) = toks.get(i) else {
        return StatementKind::Other;
    };
    if first.kind != TokKind::Word {
        return StatementKind::Other;
    }
    let w = first.text.to_ascii_lowercase();
    match w.as_str() {
        "with" => {
            // The main statement is the first data keyword at the depth of WITH.
            let mut depth = 0i32;
            for t in &toks[i + 1..] {
                if t.is_punct("(") {
                    depth += 1;
                } else if t.is_punct(")") {
                    depth -= 1;
                } else if t.is_punct(";") && depth <= 0 {
                    break;
                } else if depth <= 0 && t.kind == TokKind::Word {
                    let k = word_kind(&t.text.to_ascii_lowercase(), &[]);
                    if k != StatementKind::Other && !t.is_word("with") {
                        return k;
                    }
                }
            }
            StatementKind::Select
        }
        "start" => {
            if toks.get(i + 1).is_some_and(|t| t.is_word("transaction")) {
                StatementKind::Transaction
            } else {
                StatementKind::Other
            }
        }
        "copy" => {
            let stmt = toks[i..].iter().take_while(|t| !t.is_punct(";"));
            let mut depth = 0i32;
            for t in stmt {
                if t.is_punct("(") {
                    depth += 1;
                } else if t.is_punct(")") {
                    depth -= 1;
                } else if depth == 0 && t.is_word("from") {
                    return StatementKind::Insert;
                }
            }
            StatementKind::Other
        }
        _ => word_kind(&w, toks),
    }
}

fn word_kind(w: &str, _rest: &[Tok<'_>]) -> StatementKind {
    match w {
        "select" | "values" | "show" | "table" => StatementKind::Select,
        "insert" | "replace" => StatementKind::Insert,
        "update" | "merge" => StatementKind::Update,
        "delete" | "truncate" => StatementKind::Delete,
        "create" | "alter" | "drop" | "comment" | "rename" => StatementKind::Ddl,
        "begin" | "commit" | "end" | "rollback" | "abort" | "savepoint" | "release" => {
            StatementKind::Transaction
        }
        _ => StatementKind::Other,
    }
}

fn name_part(t: &Tok<'_>) -> Option<String> {
    match t.kind {
        TokKind::Word if !t.is_reserved() => Some(t.text.to_ascii_lowercase()),
        TokKind::QuotedIdent => {
            let q = if t.quote == b'[' {
                ']'
            } else {
                t.quote as char
            };
            let mut s = String::with_capacity(t.text.len());
            let mut chars = t.text.chars().peekable();
            while let Some(c) = chars.next() {
                if c == q && chars.peek() == Some(&q) {
                    chars.next();
                }
                s.extend(c.to_lowercase());
            }
            Some(s)
        }
        _ => None,
    }
}

/// A dotted name starting at `i`: its text and the index after it.
fn qualified_name(toks: &[Tok<'_>], i: usize) -> Option<(String, usize)> {
    let mut name = name_part(toks.get(i)?)?;
    let mut j = i + 1;
    while toks.get(j).is_some_and(|t| t.is_punct(".")) {
        match toks.get(j + 1).and_then(name_part) {
            Some(part) => {
                name.push('.');
                name.push_str(&part);
                j += 2;
            }
            None => break,
        }
    }
    Some((name, j))
}

/// Names defined by `WITH name [(cols)] AS [[NOT] MATERIALIZED] (`.
fn cte_names(toks: &[Tok<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    for i in 1..toks.len() {
        let prev = &toks[i - 1];
        if !(prev.is_word("with") || prev.is_word("recursive") || prev.is_punct(",")) {
            continue;
        }
        if !matches!(toks[i].kind, TokKind::Word | TokKind::QuotedIdent) {
            continue;
        }
        let mut j = i + 1;
        if toks.get(j).is_some_and(|t| t.is_punct("(")) {
            let mut depth = 0;
            while j < toks.len() {
                if toks[j].is_punct("(") {
                    depth += 1;
                } else if toks[j].is_punct(")") {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            j += 1;
        }
        if !toks.get(j).is_some_and(|t| t.is_word("as")) {
            continue;
        }
        j += 1;
        if toks.get(j).is_some_and(|t| t.is_word("not")) {
            j += 1;
        }
        if toks.get(j).is_some_and(|t| t.is_word("materialized")) {
            j += 1;
        }
        if toks.get(j).is_some_and(|t| t.is_punct("("))
            && let Some(name) = name_part(&toks[i])
        {
            out.push(name);
        }
    }
    out
}

/// Tables read or written, in order of first appearance.
pub(crate) fn tables(toks: &[Tok<'_>]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    // Whether each open parenthesis holds a query (subquery, CTE body) rather than an expression.
    let mut query_ctx: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.is_punct("(") {
            let next = toks.get(i + 1);
            let q = next.is_some_and(|n| {
                n.is_word("select") || n.is_word("with") || n.is_word("values") || n.is_punct("(")
            });
            query_ctx.push(q);
            i += 1;
            continue;
        }
        if t.is_punct(")") {
            query_ctx.pop();
            i += 1;
            continue;
        }
        if t.kind != TokKind::Word || !query_ctx.last().copied().unwrap_or(true) {
            i += 1;
            continue;
        }
        let prev = if i > 0 { toks.get(i - 1) } else { None };
        let prev_is = |w: &str| prev.is_some_and(|p| p.is_word(w));
        let (listy, function_ok) = if t.is_word("from") {
            if prev_is("distinct") {
                i += 1;
                continue;
            }
            (true, true)
        } else if t.is_word("join") {
            (false, true)
        } else if t.is_word("using") || t.is_word("truncate") {
            (true, true)
        } else if t.is_word("into") || t.is_word("table") {
            (false, false)
        } else if t.is_word("update") {
            if prev_is("for") || prev_is("key") || prev_is("do") {
                i += 1;
                continue;
            }
            (false, false)
        } else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        loop {
            while toks
                .get(j)
                .is_some_and(|x| x.is_word("only") || x.is_word("lateral") || x.is_word("table"))
            {
                j += 1;
            }
            let Some((name, after)) = qualified_name(toks, j) else {
                break;
            };
            let is_function = function_ok && toks.get(after).is_some_and(|x| x.is_punct("("));
            if !is_function && !found.contains(&name) {
                found.push(name);
            }
            j = after;
            if !listy || is_function {
                break;
            }
            // Optional alias, then a comma for the next table of the list.
            if toks.get(j).is_some_and(|x| x.is_word("as")) {
                j += 1;
            }
            if toks
                .get(j)
                .is_some_and(|x| name_part(x).is_some() && !x.is_keyword())
            {
                j += 1;
            }
            if toks.get(j).is_some_and(|x| x.is_punct(",")) {
                j += 1;
            } else {
                break;
            }
        }
        i += 1;
    }
    let ctes = cte_names(toks);
    found.retain(|n| !ctes.contains(n));
    found
}
