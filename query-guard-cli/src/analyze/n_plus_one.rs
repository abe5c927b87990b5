//! N+1 suspects: what an N+1 loop leaves in pg_stat_statements.
//!
//! An application that loads a list and then each item's relation one query at a time runs one
//! key-lookup statement many times, about one row each, far more often than the statements
//! around it. pg_stat_statements cannot say which request ran what, so a suspect needs all four:
//!
//! 1. many calls: at least [`MIN_CALLS`];
//! 2. about one row per call: at most [`MAX_ROWS_PER_CALL`] (a loop over missing keys gives 0);
//! 3. a key-lookup shape: a `SELECT` from one table, no join, grouping or aggregate, whose
//!    `WHERE` is only `column = $n` comparisons joined by `AND` (then maybe `ORDER BY`, `LIMIT`,
//!    `FOR UPDATE`);
//! 4. many times the calls of the statements around it: at least [`MIN_CALLS_RATIO`] times the
//!    median calls of the other statements of its database.
//!
//! Example: `SELECT id, name FROM authors WHERE id = $1` with 20,000 calls and 1.0 row per call,
//! in a database whose median statement ran 40 times (×500). The fix: load the related rows for
//! the whole list at once (`WHERE id = ANY($1)`) or join them into the list query.

use std::collections::HashMap;

use super::statements::Statement;
use query_guard_fingerprint::StatementKind;

/// Calls below this are never an N+1 suspect.
pub(crate) const MIN_CALLS: f64 = 100.0;
/// Rows per call above this are not "one row per call".
pub(crate) const MAX_ROWS_PER_CALL: f64 = 1.5;
/// Calls must be at least this many times the median calls of the other statements.
pub(crate) const MIN_CALLS_RATIO: f64 = 10.0;

/// One suspect.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Suspect {
    /// Index into the statements.
    pub(crate) statement: usize,
    pub(crate) calls: f64,
    pub(crate) rows_per_call: f64,
    /// Median calls of the other statements of its database.
    pub(crate) median_calls: f64,
    /// calls / median_calls.
    pub(crate) ratio: f64,
    /// The lookup's key columns (`id`, `post_id`).
    pub(crate) keys: Vec<String>,
}

/// Find suspects among `statements` (those with `eligible(i)` true; the median uses every
/// other statement of the database with calls).
pub(crate) fn find(statements: &[Statement], eligible: impl Fn(usize) -> bool) -> Vec<Suspect> {
    // Calls of every statement with calls, sorted, per database.
    let mut by_db: HashMap<&str, Vec<f64>> = HashMap::new();
    for s in statements.iter().filter(|s| s.stats.calls > 0.0) {
        by_db
            .entry(s.dbid.as_str())
            .or_default()
            .push(s.stats.calls);
    }
    for v in by_db.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    let mut out = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        if !eligible(i) || s.stats.calls < MIN_CALLS {
            continue;
        }
        let rpc = s.stats.rows_per_call();
        if rpc > MAX_ROWS_PER_CALL {
            continue;
        }
        if s.kind != StatementKind::Select || s.tables.len() != 1 {
            continue;
        }
        let Some(keys) = key_lookup(&s.normalized) else {
            continue;
        };
        let Some(median) = median_without(&by_db[s.dbid.as_str()], s.stats.calls) else {
            continue;
        };
        let ratio = s.stats.calls / median.max(1.0);
        if ratio < MIN_CALLS_RATIO {
            continue;
        }
        out.push(Suspect {
            statement: i,
            calls: s.stats.calls,
            rows_per_call: rpc,
            median_calls: median,
            ratio,
            keys,
        });
    }
    out.sort_by(|a, b| b.calls.total_cmp(&a.calls));
    out
}

/// The median of sorted `all` with one occurrence of `own` left out.
fn median_without(all: &[f64], own: f64) -> Option<f64> {
    let n = all.len().checked_sub(1).filter(|&n| n > 0)?;
    let skip = all.partition_point(|&c| c < own);
    let at = |k: usize| if k < skip { all[k] } else { all[k + 1] };
    Some(if n % 2 == 1 {
        at(n / 2)
    } else {
        (at(n / 2 - 1) + at(n / 2)) / 2.0
    })
}

/// If `normalized` (query-guard's canonical text: upper-case keywords, single spaces) is a
/// key lookup, its key columns.
pub(crate) fn key_lookup(normalized: &str) -> Option<Vec<String>> {
    let text = normalized.trim().trim_end_matches(';');
    if !text.starts_with("SELECT ") {
        return None;
    }
    for bad in [
        " JOIN ",
        " GROUP BY ",
        " UNION ",
        " HAVING ",
        " WITH ",
        "(SELECT ",
        "COUNT(",
        "SUM(",
        "AVG(",
        "MIN(",
        "MAX(",
        " OVER ",
    ] {
        if text.to_ascii_uppercase().contains(bad) {
            return None;
        }
    }
    let (head, rest) = text.split_once(" WHERE ")?;
    if head.contains(',') && head.split_once(" FROM ")?.1.contains(',') {
        return None; // FROM a, b
    }
    let mut cond = rest;
    for tail in [" ORDER BY ", " LIMIT ", " OFFSET ", " FOR ", " FETCH "] {
        if let Some(i) = cond.find(tail) {
            cond = &cond[..i];
        }
    }
    let mut keys = Vec::new();
    for part in cond.split(" AND ") {
        let (col, val) = part.trim().split_once(" = ")?;
        let val = val.trim();
        let is_param = val
            .strip_prefix('$')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        let is_ident = !col.is_empty()
            && col
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '"'));
        if !is_param || !is_ident {
            return None;
        }
        keys.push(col.to_owned());
    }
    (!keys.is_empty()).then_some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_leaves_one_out() {
        assert_eq!(median_without(&[1.0, 2.0, 3.0, 100.0], 100.0), Some(2.0));
        assert_eq!(median_without(&[1.0, 2.0, 4.0, 100.0], 1.0), Some(4.0));
        assert_eq!(median_without(&[1.0, 3.0, 100.0], 100.0), Some(2.0));
        assert_eq!(median_without(&[100.0], 100.0), None);
    }

    #[test]
    fn shapes() {
        assert_eq!(
            key_lookup("SELECT id, name FROM authors WHERE id = $1"),
            Some(vec!["id".to_owned()])
        );
        assert_eq!(
            key_lookup("SELECT * FROM c WHERE post_id = $1 AND c.tenant = $2 LIMIT $3"),
            Some(vec!["post_id".to_owned(), "c.tenant".to_owned()])
        );
        assert_eq!(key_lookup("SELECT * FROM c WHERE id IN ($1)"), None);
        assert_eq!(key_lookup("SELECT * FROM c WHERE id > $1"), None);
        assert_eq!(key_lookup("SELECT count(*) FROM c WHERE id = $1"), None);
        assert_eq!(
            key_lookup("SELECT * FROM a JOIN b ON b.a = a.id WHERE a.id = $1"),
            None
        );
        assert_eq!(key_lookup("UPDATE a SET x = $1 WHERE id = $2"), None);
        assert_eq!(key_lookup("SELECT * FROM a WHERE id = $1 OR id = $2"), None);
    }
}
