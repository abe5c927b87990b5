//! # N+1
//!
//! **What it finds**: in one scope, the same statement shape (the same fingerprint: the same SQL
//! once literal values and placeholders are normalised) run at least the threshold number of
//! times (3 by default, [`crate::Budget::n_plus_one_threshold`]). Transaction control and the
//! driver's own look-ups never count. Interleaved statements do not hide a repetition.
//!
//! **Why it matters**: it is the classic ORM bug: one query for a list, then one more per row
//! (`SELECT … FROM authors WHERE id = $1` for each post). Its cost grows with the data, so it
//! passes review and tests on small data and fails in production.
//!
//! **How to fix it**: load all the rows at once, `WHERE id = ANY($1)` (PostgreSQL) or
//! `WHERE id IN (…)`, and match them up in memory; or JOIN; or, for writes, one multi-row
//! `INSERT` / `UPDATE … FROM (VALUES …)`.
//!
//! ```
//! use query_guard::{capture, record, StatementRecord};
//! let ((), report) = capture("list_posts", || {
//!     for id in 1..=4 {
//!         record(StatementRecord::new(format!("SELECT name FROM authors WHERE id = {id}")));
//!     }
//! });
//! let found = &report.n_plus_one()[0];
//! assert_eq!(found.count, 4);
//! assert!(found.normalized.contains("authors"));
//! ```

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;

use crate::report::StatementReport;
use crate::statement::CallPath;

/// One N+1 finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NPlusOne {
    /// The statement shape's fingerprint (16 hex characters).
    pub fingerprint: String,
    /// Its normalised SQL, without literal values.
    pub normalized: String,
    /// How many times it ran.
    pub count: usize,
    /// Their total time.
    #[serde(rename = "total_ms", serialize_with = "crate::report::ser_ms")]
    pub total: Duration,
    /// The call path most of them ran from.
    pub call_path: CallPath,
    /// The tables it touches.
    pub tables: Vec<String>,
    /// 1-based numbers of the statements in the report's list.
    pub statements: Vec<usize>,
    /// What to do about it.
    pub suggestion: String,
}

fn suggestion(stmt: &StatementReport) -> String {
    let table = stmt.tables.first().map_or("the rows", String::as_str);
    match stmt.class {
        crate::Class::Write => format!(
            "batch the writes to {table}: one multi-row INSERT, or one UPDATE/DELETE … WHERE id = ANY($1) / IN (…)"
        ),
        _ => format!(
            "load {table} for all rows at once (WHERE … = ANY($1) / IN (…)) or JOIN it into the first query, then match in memory"
        ),
    }
}

/// Finds the shapes that ran at least `threshold` times among the counted statements.
pub fn detect(statements: &[StatementReport], threshold: usize) -> Vec<NPlusOne> {
    let mut groups: HashMap<&str, Vec<&StatementReport>> = HashMap::new();
    for stmt in statements {
        if matches!(stmt.class, crate::Class::Read | crate::Class::Write) {
            groups.entry(&*stmt.fingerprint).or_default().push(stmt);
        }
    }
    let mut found: Vec<NPlusOne> = groups
        .into_values()
        .filter(|g| g.len() >= threshold.max(2))
        .map(|group| {
            let first = group[0];
            let mut paths: HashMap<&CallPath, usize> = HashMap::new();
            for s in &group {
                *paths.entry(&s.call_path).or_default() += 1;
            }
            let call_path = paths
                .into_iter()
                .max_by_key(|(p, n)| (*n, std::cmp::Reverse(p.to_string())))
                .map(|(p, _)| p.clone())
                .unwrap_or_default();
            NPlusOne {
                fingerprint: first.fingerprint.to_string(),
                normalized: first.normalized.to_string(),
                count: group.len(),
                total: crate::statement::saturating_sum(group.iter().filter_map(|s| s.elapsed)),
                call_path,
                tables: first.tables.to_vec(),
                statements: group.iter().map(|s| s.index).collect(),
                suggestion: suggestion(first),
            }
        })
        .collect();
    found.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.statements[0].cmp(&b.statements[0]))
    });
    found
}
