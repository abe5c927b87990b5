//! [`assert_constant_queries`]: the statement count must not grow with the data.
//!
//! An N+1 hides in tests because the fixtures are small: three posts make four queries, which
//! passes any budget. This assertion runs the code under test at two or more data sizes, each in
//! its own scope after its own set-up, and fails when any statement shape runs more often at a
//! larger size than at the smallest one, printing every shape's count at each size. It is the
//! scaling check of django-perf-rec and QuickPerf's `@ExpectMaxQueryExecution`, without guessing
//! a number.
//!
//! ```
//! use query_guard::{assert_constant_queries, record, StatementRecord};
//!
//! let rows = std::cell::Cell::new(0);
//! // Batched: one query for the posts, one for all their authors, whatever the number of posts.
//! assert_constant_queries(
//!     &[1, 10],
//!     |n| rows.set(n),
//!     |_| {
//!         record(StatementRecord::new("SELECT * FROM posts"));
//!         record(StatementRecord::new("SELECT * FROM authors WHERE id = ANY($1)"));
//!     },
//! );
//! ```
//!
//! ```should_panic
//! # use query_guard::{assert_constant_queries, record, StatementRecord};
//! // One author query per post: grows with the number of posts.
//! assert_constant_queries(&[1, 10], |_| {}, |n| {
//!     record(StatementRecord::new("SELECT * FROM posts"));
//!     for id in 0..n {
//!         record(StatementRecord::new(format!("SELECT * FROM authors WHERE id = {id}")));
//!     }
//! });
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::panic::Location;

use tracing::Instrument;

use crate::budget::Budget;
use crate::classify::Class;
use crate::report::Report;

/// Runs `setup(n)` (outside any scope) then `run(n)` (in a fresh scope) for every size `n` in
/// `sizes`, and panics when a statement shape runs more often at a larger size than at the
/// smallest. Returns the reports, one per size, smallest size first.
///
/// # Panics
///
/// When a count grows; when `sizes` has fewer than two different sizes; when statements cannot
/// reach the scope (see [`crate::SetupError`]).
#[track_caller]
pub fn assert_constant_queries<T>(
    sizes: &[usize],
    mut setup: impl FnMut(usize),
    mut run: impl FnMut(usize) -> T,
) -> Vec<Report> {
    let at = Location::caller().to_string();
    let sizes = checked_sizes(sizes, &at);
    let reports: Vec<Report> = sizes
        .iter()
        .map(|&n| {
            setup(n);
            let scope =
                crate::capture::open_for_test_at(&format!("size {n}"), Budget::new(), at.clone());
            scope.in_scope(|| run(n));
            scope.finish()
        })
        .collect();
    check(&sizes, &reports, &at);
    reports
}

/// [`assert_constant_queries`] for async code: `setup` and `run` are async closures.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use query_guard::{assert_constant_queries_async, record, StatementRecord};
/// assert_constant_queries_async(
///     &[2, 20],
///     async |_n| {},
///     async |_n| {
///         tokio::task::yield_now().await;
///         record(StatementRecord::new("SELECT * FROM posts LIMIT 20"));
///     },
/// )
/// .await;
/// # }
/// ```
///
/// # Panics
///
/// As [`assert_constant_queries`].
#[track_caller]
pub fn assert_constant_queries_async<T>(
    sizes: &[usize],
    mut setup: impl AsyncFnMut(usize),
    mut run: impl AsyncFnMut(usize) -> T,
) -> impl Future<Output = Vec<Report>> {
    let at = Location::caller().to_string();
    let sizes = checked_sizes(sizes, &at);
    async move {
        let mut reports = Vec::with_capacity(sizes.len());
        for &n in &sizes {
            setup(n).await;
            let scope =
                crate::capture::open_for_test_at(&format!("size {n}"), Budget::new(), at.clone());
            run(n).instrument(scope.span().clone()).await;
            reports.push(scope.finish());
        }
        check(&sizes, &reports, &at);
        reports
    }
}

fn checked_sizes(sizes: &[usize], at: &str) -> Vec<usize> {
    let mut sorted = sizes.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() < 2 {
        panic!(
            "query-guard: assert_constant_queries at {at} needs at least two different sizes, \
             got {sizes:?}: write `&[1, 10]`"
        );
    }
    sorted
}

/// Per counted shape (fingerprint, normalised SQL), its count at each size.
fn counts_by_shape(reports: &[Report]) -> BTreeMap<(String, String), Vec<usize>> {
    let mut table: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, report) in reports.iter().enumerate() {
        for shape in report.fingerprints() {
            if !matches!(shape.class, Class::Read | Class::Write) {
                continue;
            }
            let row = table
                .entry((shape.fingerprint.clone(), shape.normalized.clone()))
                .or_insert_with(|| vec![0; reports.len()]);
            row[i] = shape.count;
        }
    }
    table
}

fn check(sizes: &[usize], reports: &[Report], at: &str) {
    let table = counts_by_shape(reports);
    let grows = |counts: &[usize]| counts.iter().any(|&c| c > counts[0]);
    if !table.values().any(|c| grows(c)) {
        return;
    }
    let mut out = format!(
        "query-guard: statement counts grow with the data size in {at}\n  {:<59}{:>w$}",
        "",
        "runs at size",
        w = 8 * sizes.len()
    );
    let mut header = format!("\n  {:<9}{:<50}", "", "statement");
    for n in sizes {
        let _ = write!(header, " {n:>7}");
    }
    out.push_str(&header);
    let mut rows: Vec<(&(String, String), &Vec<usize>)> = table.iter().collect();
    rows.sort_by_key(|(_, c)| (!grows(c), std::cmp::Reverse(c.last().copied())));
    for ((_, sql), counts) in rows {
        let mark = if grows(counts) { "grows" } else { "" };
        let mut sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        if sql.chars().count() > 50 {
            sql = sql.chars().take(49).collect::<String>() + "…";
        }
        let _ = write!(out, "\n  {mark:<9}{sql:<50}");
        for c in counts {
            let _ = write!(out, " {c:>7}");
        }
    }
    let _ = write!(out, "\n  {:<9}{:<50}", "", "total (counted)");
    for r in reports {
        let _ = write!(out, " {:>7}", r.count());
    }
    if let Some(largest) = reports.last() {
        for f in largest.n_plus_one() {
            let _ = write!(out, "\n  fix: {}", f.suggestion);
        }
        let _ = write!(
            out,
            "\n\nThe report at the largest size ({}):\n{largest}",
            sizes.last().copied().unwrap_or_default()
        );
    }
    panic!("{out}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{StatementRecord, record};

    fn panic_message_of(f: impl FnOnce()) -> String {
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
            .expect_err("expected a panic");
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    }

    #[test]
    fn the_table_shows_each_shape_at_each_size() {
        let message = panic_message_of(|| {
            assert_constant_queries(
                &[5, 1, 3],
                |_| {},
                |n| {
                    record(StatementRecord::new("SELECT * FROM posts"));
                    for id in 0..n {
                        record(StatementRecord::new(format!(
                            "SELECT * FROM tags WHERE post_id = {id}"
                        )));
                    }
                    record(StatementRecord::new("COMMIT"));
                },
            );
        });
        assert!(
            message.contains("statement counts grow with the data size in"),
            "{message}"
        );
        let grows = message
            .lines()
            .find(|l| l.contains("FROM tags"))
            .unwrap_or_default();
        assert!(grows.trim_start().starts_with("grows"), "{message}");
        assert!(grows.ends_with("1       3       5"), "{message}");
        let constant = message
            .lines()
            .find(|l| l.contains("FROM posts"))
            .unwrap_or_default();
        assert!(!constant.contains("grows"), "{message}");
        assert!(
            !message.contains("COMMIT       "),
            "transaction control is left out: {message}"
        );
        assert!(message.contains("fix: load tags once"), "{message}");
    }

    #[test]
    fn setup_runs_outside_the_scope_and_constant_code_passes() {
        let reports = assert_constant_queries(
            &[1, 4],
            |n| {
                for _ in 0..n {
                    record(StatementRecord::new("INSERT INTO posts (a) VALUES (1)"));
                }
            },
            |_| {
                record(StatementRecord::new("SELECT * FROM posts"));
            },
        );
        assert_eq!(reports.len(), 2);
        assert!(reports.iter().all(|r| r.count() == 1));
    }

    #[test]
    fn one_size_is_a_usage_error() {
        let message = panic_message_of(|| {
            assert_constant_queries(&[3, 3], |_| {}, |_| {});
        });
        assert!(
            message.contains("needs at least two different sizes"),
            "{message}"
        );
    }
}
