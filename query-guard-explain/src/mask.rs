//! # Conditions without their values
//!
//! Plans print filters with the statement's literal values in them
//! (`(email = 'alice@example.com'::text)`), and those can be passwords or personal data. Reports
//! print conditions through [`mask_literals`], which puts `?` where each literal was, unless the
//! user asked for values. [`filter_columns`] reads which columns a condition compares, so a rule
//! can name the index that would serve it (the example is the test at the end of this file).

use query_guard_fingerprint::_support::{Tok, TokKind, lex};
use query_guard_fingerprint::Dialect;

/// `expr` with every literal value replaced by `?` (placeholders such as `$1` are kept).
pub(crate) fn mask_literals(expr: &str) -> String {
    let lexed = lex(expr, Dialect::Postgres);
    let base = expr.as_ptr() as usize;
    let mut out = String::with_capacity(expr.len());
    let mut at = 0;
    for t in &lexed.toks {
        let placeholder = t.text.len() > 1
            && t.text.starts_with('$')
            && t.text[1..].bytes().all(|b| b.is_ascii_digit());
        if t.kind != TokKind::Param || placeholder {
            continue;
        }
        let start = t.text.as_ptr() as usize - base;
        // The lexer gives a string literal without a prefix (E'…', N'…'): take it along.
        let start = if start > 0 && expr.as_bytes()[start] == b'\'' {
            let p = expr.as_bytes()[start - 1];
            if (p == b'E' || p == b'e' || p == b'N' || p == b'n' || p == b'B' || p == b'X')
                && (start < 2 || !expr.as_bytes()[start - 2].is_ascii_alphanumeric())
            {
                start - 1
            } else {
                start
            }
        } else {
            start
        };
        if start < at {
            continue;
        }
        out.push_str(&expr[at..start]);
        out.push('?');
        at = t.text.as_ptr() as usize - base + t.text.len();
    }
    // An unterminated string at the end (a truncated plan) is a literal too.
    if !lexed.clean_end
        && let Some(q) = expr[at..].find('\'')
    {
        out.push_str(&expr[at..at + q]);
        out.push('?');
        return out;
    }
    out.push_str(&expr[at..]);
    out
}

/// The columns a condition compares with something, in the order an index on them should list
/// them: equality first (`=`, `= ANY`, `IS NULL`), then ranges (`<`, `<=`, `>`, `>=`,
/// `BETWEEN`, `LIKE` prefixes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FilterColumns {
    /// Columns compared for equality.
    pub equality: Vec<String>,
    /// Columns compared with a range.
    pub range: Vec<String>,
    /// The condition is an `OR` of alternatives at its top level: one index per alternative
    /// (combined with a BitmapOr) serves it, not one index on all the columns.
    pub alternatives: bool,
}

impl FilterColumns {
    /// Equality columns then range columns, each once.
    pub(crate) fn index_columns(&self) -> Vec<String> {
        let mut cols: Vec<String> = Vec::new();
        for c in self.equality.iter().chain(&self.range) {
            if !cols.contains(c) {
                cols.push(c.clone());
            }
        }
        cols
    }
}

/// Reads the columns `expr` compares (see [`FilterColumns`]). Qualified names lose their
/// qualifier; casts and parentheses around a column are looked through.
pub(crate) fn filter_columns(expr: &str) -> FilterColumns {
    let toks = lex(expr, Dialect::Postgres).toks;
    let mut cols = FilterColumns::default();
    let push = |list: &mut Vec<String>, c: String| {
        if !list.contains(&c) {
            list.push(c);
        }
    };
    for (i, t) in toks.iter().enumerate() {
        let range = match (t.kind, t.text) {
            (TokKind::Op, "=") => false,
            (TokKind::Op, "<" | "<=" | ">" | ">=" | "~~" | "~~*") => true,
            (TokKind::Word, w) if w.eq_ignore_ascii_case("IS") => {
                let next = toks.get(i + 1).map(|t| t.text.to_ascii_uppercase());
                if next.as_deref() == Some("NULL") {
                    false
                } else {
                    continue;
                }
            }
            (TokKind::Word, w) if w.eq_ignore_ascii_case("BETWEEN") => true,
            _ => continue,
        };
        // The other side must not be a column too (that is a join condition).
        let left = column_before(&toks, i);
        let right_is_column = column_after(&toks, i);
        if let Some(col) = left
            && !right_is_column
        {
            if range {
                push(&mut cols.range, col);
            } else {
                push(&mut cols.equality, col);
            }
        }
    }
    cols.range.retain(|c| !cols.equality.contains(c));
    // `OR` outside every parenthesis but the outermost pair PostgreSQL puts around a filter.
    let mut depth = 0i32;
    let outer = toks
        .first()
        .is_some_and(|t| t.kind == TokKind::Punct && t.text == "(");
    for t in &toks {
        match (t.kind, t.text) {
            (TokKind::Punct, "(") => depth += 1,
            (TokKind::Punct, ")") => depth -= 1,
            (TokKind::Word, w) if w.eq_ignore_ascii_case("OR") && depth <= i32::from(outer) => {
                cols.alternatives = true;
            }
            _ => {}
        }
    }
    cols
}

fn is_word(t: &Tok<'_>) -> bool {
    matches!(t.kind, TokKind::Word | TokKind::QuotedIdent)
}

/// The column ending just before token `op`, looking through `::type` casts and `)`.
fn column_before(toks: &[Tok<'_>], op: usize) -> Option<String> {
    let mut j = op.checked_sub(1)?;
    loop {
        // A cast: `… :: word [word]* [ '[' ']' ]`.
        let mut k = j;
        while k > 0 && toks[k].kind == TokKind::Punct && matches!(toks[k].text, "]" | "[") {
            k -= 1;
        }
        let mut words = k;
        while words > 0 && is_word(&toks[words]) && words + 3 > k {
            if toks[words - 1].kind == TokKind::Op && toks[words - 1].text == "::" {
                break;
            }
            words -= 1;
        }
        if words > 1
            && is_word(&toks[words])
            && toks[words - 1].kind == TokKind::Op
            && toks[words - 1].text == "::"
        {
            j = words - 2;
            continue;
        }
        if toks[j].kind == TokKind::Punct && toks[j].text == ")" {
            // `(status)::text`: only a parenthesised single column, not a function call.
            if j >= 2
                && is_word(&toks[j - 1])
                && toks[j - 2].kind == TokKind::Punct
                && toks[j - 2].text == "("
                && (j < 3 || !is_word(&toks[j - 3]))
            {
                j -= 1;
                continue;
            }
            return None;
        }
        break;
    }
    let t = &toks[j];
    if !is_word(t)
        || (t.kind == TokKind::Word && query_guard_fingerprint::_support::is_reserved(t.text))
    {
        return None;
    }
    Some(t.text.to_owned())
}

/// Whether a column (not a literal, placeholder or function) follows token `op`.
fn column_after(toks: &[Tok<'_>], op: usize) -> bool {
    let mut j = op + 1;
    while j < toks.len() && toks[j].kind == TokKind::Punct && toks[j].text == "(" {
        j += 1;
    }
    let Some(t) = toks.get(j) else {
        return false;
    };
    let constant = [
        "NULL",
        "TRUE",
        "FALSE",
        "ANY",
        "ALL",
        "ARRAY",
        "CURRENT_DATE",
    ];
    if !is_word(t)
        || (t.kind == TokKind::Word
            && (query_guard_fingerprint::_support::is_reserved(t.text)
                || constant.iter().any(|c| c.eq_ignore_ascii_case(t.text))))
    {
        return false;
    }
    // A function call is not a column.
    !toks
        .get(j + 1)
        .is_some_and(|n| n.kind == TokKind::Punct && n.text == "(")
}

#[cfg(test)]
mod tests {
    use super::{filter_columns, mask_literals};

    /// The module's example (its doc test while the module was public).
    #[test]
    fn literals_are_masked_and_filter_columns_read() {
        let filter =
            "((status)::text = 'open'::text) AND (customer_id = 42) AND (created_at > now())";
        assert_eq!(
            mask_literals(filter),
            "((status)::text = ?::text) AND (customer_id = ?) AND (created_at > now())"
        );
        let cols = filter_columns(filter);
        assert_eq!(cols.equality, ["status", "customer_id"]);
        assert_eq!(cols.range, ["created_at"]);
        assert!(!cols.alternatives);
        assert!(filter_columns("((customer_id = 42) OR (status = 'x'::text))").alternatives);
    }
}
