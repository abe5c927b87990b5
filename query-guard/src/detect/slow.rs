//! # Slow statements
//!
//! **What it finds**: statement shapes with at least one run at or over the scope's slow
//! threshold ([`crate::Budget::slow`], `#[query_budget(slow_ms = …)]`, `slow_ms` in
//! `query-guard.toml`). There is no threshold by default. Each finding gives the slow runs'
//! count and the shape's time statistics over all its runs: p50, p95, p99 and max.
//!
//! **Why it matters**: one slow statement in a request is often most of its latency; a shape
//! whose p99 is far above its p50 waits on locks, spills or cold caches.
//!
//! **How to fix it**: read its plan (`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, `EXPLAIN QUERY
//! PLAN` on SQLite): a missing index, a misestimate or a sort spilling to disk usually shows.
//! Slow statements fail the scope only with [`crate::Budget::deny_slow`].
//!
//! ```
//! use std::time::Duration;
//! use query_guard::{capture_with, record, Budget, StatementRecord};
//! let budget = Budget::new().slow(Duration::from_millis(100));
//! let ((), report) = capture_with("search", budget, || {
//!     for ms in [3, 250, 4] {
//!         record(StatementRecord::new("SELECT * FROM posts WHERE body LIKE $1")
//!             .elapsed(Duration::from_millis(ms)));
//!     }
//! });
//! let slow = &report.slow()[0];
//! assert_eq!((slow.count, slow.runs), (1, 3));
//! assert_eq!(slow.stats.max, Duration::from_millis(250));
//! assert_eq!(slow.stats.p50, Duration::from_millis(4));
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::reported::StatementReport;
use crate::shapes::ShapeStats;
use crate::stats::TimeStats;

/// A statement shape with runs at or over the slow threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slow {
    /// Fingerprint (16 hex characters).
    pub fingerprint: String,
    /// Normalised SQL.
    pub normalized: String,
    /// The tables it touches.
    #[serde(default)]
    pub tables: Vec<String>,
    /// Runs at or over the threshold.
    pub count: usize,
    /// All runs of the shape in the scope.
    #[serde(default)]
    pub runs: usize,
    /// The threshold.
    #[serde(default, rename = "threshold_ms", with = "crate::millis::ms")]
    pub threshold: Duration,
    /// Time statistics over all its runs.
    #[serde(default)]
    pub stats: TimeStats,
    /// 1-based numbers of the slow runs in the report's list (stored statements only).
    #[serde(default)]
    pub statements: Vec<usize>,
    /// What to do about it.
    #[serde(default)]
    pub suggestion: String,
}

/// Finds the slow shapes from the scope's per-shape statistics (which count the slow runs, stored
/// or past the storage cap).
pub(crate) fn detect(
    statements: &[StatementReport],
    shapes: &[ShapeStats],
    threshold: Duration,
) -> Vec<Slow> {
    let mut found: Vec<Slow> = shapes
        .iter()
        .filter(|shape| shape.slow > 0)
        .map(|shape| {
            let runs: Vec<usize> = statements
                .iter()
                .filter(|s| {
                    *s.fingerprint == *shape.fingerprint
                        && s.elapsed.is_some_and(|e| e >= threshold)
                })
                .map(|s| s.index)
                .collect();
            Slow {
                fingerprint: shape.fingerprint.clone(),
                normalized: shape.normalized.clone(),
                tables: shape.tables.clone(),
                count: shape.slow,
                runs: shape.count,
                threshold,
                stats: shape.time,
                statements: runs,
                suggestion: "read its plan (EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN \
                             QUERY PLAN on SQLite): look for a scan that discards most rows (a \
                             missing index), a misestimate, or a sort or hash spilling to disk"
                    .to_owned(),
            }
        })
        .collect();
    found.sort_by_key(|s| std::cmp::Reverse(s.stats.max));
    found
}
