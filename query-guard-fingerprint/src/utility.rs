//! Values in utility statements: the arguments of `SET`, `PRAGMA`, `ALTER … SET` and the
//! passwords of `CREATE` / `ALTER USER | ROLE`.
//!
//! These statements take values that are often written as bare words, which the lexer reads as
//! names: `SET app.api_key = hunter2`, `SET SESSION x TO hunter2`, `SET ROLE admin`,
//! `PRAGMA key = hunter2` (SQLCipher's passphrase), `ALTER ROLE app PASSWORD hunter2`. Every
//! word in a value position becomes a parameter, as a string there would:
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! let n = |s| fingerprint(s, Dialect::Postgres).normalized;
//! assert_eq!(n("SET app.api_key = hunter2"), "SET app.api_key = $1");
//! assert_eq!(n("SET SESSION search_path TO app, public"), "SET session search_path TO $1, $2");
//! assert_eq!(n("SET ROLE admin"), "SET role $1");
//! assert_eq!(n("PRAGMA key = hunter2"), "pragma KEY = $1");
//! // Keywords that only choose a behaviour stay.
//! assert_eq!(n("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"), "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
//! ```
//!
//! `UPDATE … SET col = other_col` is not touched: there the words are columns. Words inside
//! parentheses (a subquery or a function call as the value) and function names keep the usual
//! rules.

use super::lexer::{Tok, TokKind};

/// Turn the value words of every utility statement in `toks` into parameters.
pub(crate) fn mask_values(toks: &mut [Tok<'_>]) {
    super::statements::each_statement(toks, statement);
}

fn to_param(t: &mut Tok<'_>) {
    if matches!(t.kind, TokKind::Word | TokKind::QuotedIdent) {
        t.kind = TokKind::Param;
        t.quote = 0;
        t.flags = 0;
    }
}

/// Each token's parenthesis depth within the statement (a parenthesis is at the depth of what
/// surrounds it).
fn depths(s: &[Tok<'_>]) -> Vec<u32> {
    let mut d = 0u32;
    s.iter()
        .map(|t| {
            if t.is_punct("(") {
                d += 1;
                d - 1
            } else if t.is_punct(")") {
                d = d.saturating_sub(1);
                d
            } else {
                d
            }
        })
        .collect()
}

fn statement(s: &mut [Tok<'_>]) {
    let Some(first) = s.first().copied() else {
        return;
    };
    if first.is_word("set") {
        set(s, 1);
    } else if first.is_word("pragma") {
        pragma(s);
    } else if first.is_word("alter") || first.is_word("create") || first.is_word("grant") {
        if first.is_word("alter") {
            let d = depths(s);
            if let Some(at) = (1..s.len()).find(|&i| d[i] == 0 && s[i].is_word("set")) {
                // ALTER SYSTEM / DATABASE / ROLE / FUNCTION … SET name = value, but not
                // ALTER TABLE t ALTER c SET DEFAULT …, SET SCHEMA s, SET (fillfactor = 70).
                let assigns = (at + 2..s.len().min(at + 6))
                    .any(|i| d[i] == 0 && (s[i].is_punct("=") || s[i].is_word("to")))
                    && !s.get(at + 1).is_some_and(|t| t.is_punct("("));
                if assigns {
                    set(s, at + 1);
                }
            }
        }
        passwords(s);
    }
}

/// Words that open a `SET` element whose whole rest is a value: `SET ROLE x`,
/// `SET NAMES x COLLATE y`, `SET TIME ZONE x`, `SET SCHEMA x`, `SET SESSION AUTHORIZATION x`.
const VALUE_HEADS: &[&str] = &[
    "role",
    "names",
    "charset",
    "character",
    "time",
    "schema",
    "authorization",
    "catalog",
];

/// Words of a `SET` whose statement only chooses a behaviour: no values.
const NO_VALUES: &[&str] = &["transaction", "characteristics", "constraints"];

/// Scope words before a setting's name.
const SCOPES: &[&str] = &["session", "local", "global", "persist", "persist_only"];

/// Keywords a value position keeps.
const KEEP: &[&str] = &["default", "collate"];

fn is_any(t: &Tok<'_>, words: &[&str]) -> bool {
    t.kind == TokKind::Word && words.iter().any(|w| t.text.eq_ignore_ascii_case(w))
}

/// `SET` from token `from` on: comma-separated elements, each `[scope] name =|TO|:= value`,
/// a value head and its value, or (PostgreSQL's `SET search_path TO a, b`) more values.
fn set(s: &mut [Tok<'_>], from: usize) {
    let d = depths(s);
    let mut i = from;
    let mut first = true;
    while i < s.len() {
        let mut end = i;
        while end < s.len() && !(d[end] == 0 && s[end].is_punct(",")) {
            end += 1;
        }
        let mut k = i;
        while k < end && is_any(&s[k], SCOPES) {
            k += 1;
        }
        if first && k < end && is_any(&s[k], NO_VALUES) {
            return;
        }
        first = false;
        let value_from = if k < end && is_any(&s[k], VALUE_HEADS) {
            // CHARACTER SET x, TIME ZONE x: skip the second word of the head.
            let two = (s[k].is_word("character") && s.get(k + 1).is_some_and(|t| t.is_word("set")))
                || (s[k].is_word("time") && s.get(k + 1).is_some_and(|t| t.is_word("zone")));
            Some(k + 1 + usize::from(two))
        } else {
            (k..end)
                .find(|&j| {
                    d[j] == 0 && (s[j].is_punct("=") || s[j].is_punct(":=") || s[j].is_word("to"))
                })
                .map(|j| j + 1)
        };
        // No assignment: the element is another value of the previous one.
        let value_from = value_from.unwrap_or(i);
        for j in value_from..end {
            let function = s.get(j + 1).is_some_and(|t| t.is_punct("("));
            if d[j] == 0 && !function && !is_any(&s[j], KEEP) {
                to_param(&mut s[j]);
            }
        }
        i = end + 1;
    }
}

/// `PRAGMA [schema.]name = value` and `PRAGMA name(value)`.
fn pragma(s: &mut [Tok<'_>]) {
    let d = depths(s);
    let Some(at) = (1..s.len()).find(|&i| d[i] == 0 && (s[i].is_punct("=") || s[i].is_punct("(")))
    else {
        return;
    };
    let inside = s[at].is_punct("(");
    for j in at + 1..s.len() {
        if inside && d[j] == 0 && s[j].is_punct(")") {
            break;
        }
        to_param(&mut s[j]);
    }
}

/// The value after `PASSWORD`, `IDENTIFIED BY` / `AS` and `USING` in user and role statements.
fn passwords(s: &mut [Tok<'_>]) {
    let is_user = s
        .iter()
        .take(4)
        .any(|t| is_any(t, &["user", "role", "group", "login"]))
        || s.first().is_some_and(|t| t.is_word("grant"));
    if !is_user {
        return;
    }
    for j in 1..s.len() {
        let secret_follows = s[j].is_word("password")
            || ((s[j].is_word("by") || s[j].is_word("as") || s[j].is_word("using"))
                && s[..j].iter().rev().take(4).any(|t| t.is_word("identified")));
        if secret_follows
            && let Some(next) = s.get_mut(j + 1)
            && !next.is_punct("=")
            && !next.is_word("null")
            && !next.is_word("password")
        {
            to_param(next);
        }
        if s[j].is_word("password")
            && s.get(j + 1).is_some_and(|t| t.is_punct("="))
            && let Some(next) = s.get_mut(j + 2)
        {
            to_param(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Dialect, fingerprint};

    fn n(sql: &str) -> String {
        fingerprint(sql, Dialect::Postgres).normalized
    }

    #[test]
    fn set_values_are_parameters() {
        for (sql, want) in [
            ("SET app.api_key = hunter2", "SET app.api_key = $1"),
            ("SET SESSION x TO hunter2", "SET session x TO $1"),
            ("set local app.k to 'hunter2'", "SET LOCAL app.k TO $1"),
            ("SET search_path = app, hunter2", "SET search_path = $1, $2"),
            ("SET ROLE hunter2", "SET role $1"),
            (
                "SET SESSION AUTHORIZATION hunter2",
                "SET session AUTHORIZATION $1",
            ),
            ("SET TIME ZONE hunter2", "SET time ZONE $1"),
            (
                "SET NAMES hunter2 COLLATE hunter3",
                "SET names $1 COLLATE $2",
            ),
            ("SET CHARACTER SET hunter2", "SET character SET $1"),
            (
                "SET @a = hunter2, @@session.b := hunter3",
                "SET @ a = $1, @@ session.b := $2",
            ),
            (
                "SET GLOBAL a = hunter2, SESSION b = hunter3",
                "SET global a = $1, session b = $2",
            ),
            ("SET x = DEFAULT", "SET x = DEFAULT"),
            ("SET x = lower(hunter2)", "SET x = lower(hunter2)"),
            (
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
            ),
            (
                "SET CONSTRAINTS ALL DEFERRED",
                "SET constraints ALL deferred",
            ),
            (
                "ALTER SYSTEM SET work_mem = hunter2",
                "ALTER system SET work_mem = $1",
            ),
            (
                "ALTER ROLE app SET app.k TO hunter2",
                "ALTER role app SET app.k TO $1",
            ),
            ("ALTER TABLE t SET SCHEMA s2", "ALTER TABLE t SET schema s2"),
            ("PRAGMA key = hunter2", "pragma KEY = $1"),
            ("PRAGMA main.key = 'x'", "pragma main.KEY = $1"),
            ("PRAGMA table_info(hunter2)", "pragma table_info($1)"),
            (
                "ALTER ROLE app PASSWORD hunter2",
                "ALTER role app password $1",
            ),
            (
                "CREATE USER app WITH PASSWORD hunter2",
                "CREATE USER app WITH password $1",
            ),
            (
                "ALTER USER app IDENTIFIED BY hunter2",
                "ALTER USER app identified BY $1",
            ),
            ("UPDATE t SET a = b", "UPDATE t SET a = b"),
        ] {
            assert_eq!(n(sql), want, "{sql}");
        }
    }

    #[test]
    fn several_statements_each_get_their_rule() {
        assert_eq!(
            n("SET a = hunter2; SELECT b FROM t; PRAGMA key = hunter3"),
            "SET a = $1; SELECT b FROM t; pragma KEY = $2"
        );
    }
}
