//! [`Report`]: what a scope ran, what it broke, and what it should change.
//!
//! A report prints like Django's `assertNumQueries` failure, then better: every statement
//! numbered with its time, rows, call path and normalised SQL, then the findings (N+1s and
//! repeated sequences, duplicates, slow statements) with a fix for each, and the allowances that
//! let something through. It serialises to JSON ([`Report::to_json`]); the schema is versioned by
//! [`REPORT_SCHEMA_VERSION`] and documented in `docs/report-schema.md`.
//!
//! Literal values never appear unless the scope opted in ([`crate::ScopeBuilder::show_values`] or
//! `QUERY_GUARD_SHOW_VALUES=1`): they can be passwords or personal data.

pub(crate) mod file;
mod render;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use crate::millis::{MAX_REPORT_MS, report_ms};
pub use crate::reported::{StatementReport, UnstoredReport};
pub use crate::shapes::ShapeStats;

use crate::allow::AllowanceReport;
use crate::budget::Budget;
use crate::detect::budget::{Counts, Violation};
use crate::detect::duplicates::Duplicate;
use crate::detect::n_plus_one::NPlusOne;
use crate::detect::slow::Slow;
use crate::mode::Mode;

/// The directory report files go to (whether or not they are switched on): `report_dir` of the
/// configuration (`QUERY_GUARD_REPORT_DIR`, or `query-guard.toml`), else `target/query-guard` of
/// the workspace (`$CARGO_TARGET_DIR/query-guard` when that is set). `query-guard report` reads
/// the same directory by default.
pub fn report_dir() -> std::path::PathBuf {
    crate::config::current()
        .ok()
        .and_then(|c| c.report_dir.clone())
        .unwrap_or_else(file::default_dir)
}

/// Version of the JSON form of [`Report`]: 2 added call sites, repeated sequences, duplicates,
/// slow statements, per-shape statistics and allowances.
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// What a scope ran, what it broke, and what it should change.
///
/// Cloning a report is cheap: its lists are shared, not copied (a closed scope keeps its report
/// for later [`Scope::finish`](crate::Scope::finish) calls and returns a clone of it). They are
/// `Arc<Vec<_>>` rather than `Arc<[_]>`, which would copy each list once more when it is made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub(crate) schema_version: u32,
    pub(crate) run_id: Cow<'static, str>,
    pub(crate) finished_unix_ms: u64,
    pub(crate) scope: String,
    #[serde(default)]
    pub(crate) location: Option<String>,
    #[serde(default)]
    pub(crate) test: Option<String>,
    #[serde(default = "unsaid_mode")]
    pub(crate) mode: Mode,
    #[serde(default)]
    pub(crate) budget: Budget,
    #[serde(default)]
    pub(crate) show_values: bool,
    #[serde(default)]
    pub(crate) failed: bool,
    #[serde(default, rename = "wall_ms", with = "crate::millis::ms")]
    pub(crate) wall: Duration,
    #[serde(default, rename = "db_ms", with = "crate::millis::ms")]
    pub(crate) db_time: Duration,
    #[serde(default)]
    pub(crate) counts: Counts,
    #[serde(default)]
    pub(crate) violations: Arc<Vec<Violation>>,
    #[serde(default)]
    pub(crate) n_plus_one: Arc<Vec<NPlusOne>>,
    #[serde(default)]
    pub(crate) duplicates: Arc<Vec<Duplicate>>,
    #[serde(default)]
    pub(crate) slow: Arc<Vec<Slow>>,
    #[serde(default)]
    pub(crate) allowances: Arc<Vec<AllowanceReport>>,
    #[serde(default)]
    pub(crate) fingerprints: Arc<Vec<ShapeStats>>,
    #[serde(default, deserialize_with = "listed")]
    pub(crate) statements: Arc<Vec<StatementReport>>,
    #[serde(default, deserialize_with = "listed")]
    pub(crate) unstored: Arc<Vec<UnstoredReport>>,
    /// Statements whose database was unknown and whose text was masked more than their own
    /// database would need (see [`ScopeBuilder::dialect`](crate::ScopeBuilder::dialect)).
    #[serde(default)]
    pub(crate) masked_unknown_dialect: usize,
    /// Statements longer than [`crate::fingerprint::MAX_FINGERPRINT_LEN`], fingerprinted by a
    /// prefix.
    #[serde(default)]
    pub(crate) truncated: usize,
}

thread_local! {
    /// Set while [`Report::from_json_without_statements`] reads: the statement lists are then
    /// skipped (read as [`serde::de::IgnoredAny`]).
    static SKIP_LISTS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Reads a report's statement list, or skips it (see [`SKIP_LISTS`]).
fn listed<'de, D, T>(d: D) -> Result<Arc<Vec<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    if SKIP_LISTS.with(|s| s.get()) {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Arc::default())
    } else {
        Vec::<T>::deserialize(d).map(Arc::new)
    }
}

/// The mode of a report file that does not say: [`Mode::Off`], nothing was enforced.
fn unsaid_mode() -> Mode {
    Mode::Off
}

impl Report {
    /// The version of the report's JSON form ([`REPORT_SCHEMA_VERSION`] for a report made by this
    /// library; a report read back from a file says what it was written with).
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// The id of the test run (or process) that wrote the report: report files of one
    /// `cargo test` share it (see [`report_dir`]).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// When the scope closed, in milliseconds since the Unix epoch.
    pub fn finished_unix_ms(&self) -> u64 {
        self.finished_unix_ms
    }

    /// The scope's wall-clock time, from opening to closing.
    pub fn wall_time(&self) -> Duration {
        self.wall
    }

    /// Whether the report shows literal values (the scope opted in).
    pub fn shows_values(&self) -> bool {
        self.show_values
    }

    /// Statements whose database was unknown and whose text was masked more than their own
    /// database would need.
    pub fn masked_unknown_dialect(&self) -> usize {
        self.masked_unknown_dialect
    }

    /// Statements longer than [`crate::fingerprint::MAX_FINGERPRINT_LEN`], fingerprinted by a
    /// prefix.
    pub fn truncated(&self) -> usize {
        self.truncated
    }

    /// The scope's name.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Where the scope is (`file:line`), when known.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The test the scope ran in (the name of the test harness's thread), when it ran in one.
    pub fn test(&self) -> Option<&str> {
        self.test.as_deref()
    }

    /// The mode the scope ran in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The budget the scope was checked against.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Statements the budget counts.
    pub fn count(&self) -> usize {
        self.counts.counted
    }

    /// Counted reads.
    pub fn reads(&self) -> usize {
        self.counts.reads
    }

    /// Counted writes.
    pub fn writes(&self) -> usize {
        self.counts.writes
    }

    /// All the per-class counts.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Every stored statement, in the order they ran (including those the budget does not count).
    pub fn statements(&self) -> &[StatementReport] {
        &self.statements
    }

    /// Statements past the storage cap, aggregated by shape.
    pub fn unstored(&self) -> &[UnstoredReport] {
        &self.unstored
    }

    /// Broken limits.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// N+1 findings (repeated shapes and repeated sequences), most repeated first, including
    /// the ones an allowance accepts ([`NPlusOne::allowed`]).
    pub fn n_plus_one(&self) -> &[NPlusOne] {
        &self.n_plus_one
    }

    /// N+1 findings no allowance accepts.
    pub fn unallowed_n_plus_one(&self) -> impl Iterator<Item = &NPlusOne> {
        self.n_plus_one.iter().filter(|f| f.allowed.is_none())
    }

    /// Reads run more than once with the same values.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// Shapes with runs at or over the slow threshold, slowest first.
    pub fn slow(&self) -> &[Slow] {
        &self.slow
    }

    /// The scope's allowances and how much each matched.
    pub fn allowances(&self) -> &[AllowanceReport] {
        &self.allowances
    }

    /// Time statistics per statement shape, the most total time first.
    pub fn fingerprints(&self) -> &[ShapeStats] {
        &self.fingerprints
    }

    /// Total time the statements took, as their sources reported it.
    pub fn db_time(&self) -> Duration {
        self.db_time
    }

    /// Whether the scope broke its budget: a limit, an N+1 no allowance accepts when the budget
    /// denies them, or a slow statement when it denies those.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Whether the report has something to say: a failure, an N+1 no allowance accepts, or a slow
    /// statement. (Duplicates alone are not enough to warn about in production.)
    pub(crate) fn noteworthy(&self) -> bool {
        self.failed || self.unallowed_n_plus_one().next().is_some() || !self.slow.is_empty()
    }

    /// Reads a report file's JSON without its statement lists ([`statements`](Report::statements)
    /// and [`unstored`](Report::unstored) come back empty; counts, findings and per-shape
    /// statistics are all there). What `query-guard report` does: a suite's reports then take
    /// memory by the findings they hold, not by the 10,000 statements each may list. Errors are
    /// serde_json's, with line and column.
    ///
    /// ```
    /// # use query_guard::{capture, record, StatementRecord, Report};
    /// let ((), report) = capture("two", || {
    ///     record(StatementRecord::new("SELECT 1"));
    ///     record(StatementRecord::new("SELECT 2"));
    /// });
    /// let json = serde_json::to_vec(&report).unwrap();
    /// let read = Report::from_json_without_statements(&json).unwrap();
    /// assert_eq!((read.count(), read.statements().len()), (2, 0));
    /// assert_eq!(read.fingerprints().len(), report.fingerprints().len());
    /// ```
    pub fn from_json_without_statements(json: &[u8]) -> Result<Report, serde_json::Error> {
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                SKIP_LISTS.with(|s| s.set(self.0));
            }
        }
        let _restore = Restore(SKIP_LISTS.with(|s| s.replace(true)));
        serde_json::from_slice(json)
    }

    /// The report as JSON (schema version [`REPORT_SCHEMA_VERSION`]).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
