//! What a report says about each statement: [`StatementReport`] for the statements a scope
//! stored, [`UnstoredReport`] for those past its storage cap, by shape. The detectors read these;
//! a [`Report`](crate::Report) lists them.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::callsite::CallSite;
use crate::classify::Class;
use crate::fingerprint::{Dialect, StatementKind};
use crate::statement::{CallPath, Source};
use crate::stats::Histogram;

/// One statement in a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementReport {
    /// 1-based position in the scope.
    pub index: usize,
    /// The SQL as it ran, literal values included: only when the scope opted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Normalised SQL, literal values replaced by placeholders (shared by statements of a shape).
    pub normalized: Arc<str>,
    /// Fingerprint of the statement shape (16 hex characters).
    pub fingerprint: Arc<str>,
    /// Statement kind.
    pub kind: StatementKind,
    /// How the budget treats it.
    pub class: Class,
    /// Whether the budget counted it.
    #[serde(default)]
    pub counted: bool,
    /// Whether an over-budget allowance left it out of the counts.
    #[serde(default)]
    pub allowed: bool,
    /// Tables it touches.
    #[serde(default)]
    pub tables: Arc<[String]>,
    /// Time it took, when the source said.
    #[serde(default, rename = "elapsed_ms", with = "crate::millis::opt_ms")]
    pub elapsed: Option<Duration>,
    /// Rows returned, when the source said.
    #[serde(default)]
    pub rows_returned: Option<u64>,
    /// Rows affected, when the source said.
    #[serde(default)]
    pub rows_affected: Option<u64>,
    /// The spans between the scope and the statement.
    #[serde(default)]
    pub call_path: CallPath,
    /// The line of application code that ran it, when backtrace capture is on and found one.
    #[serde(default)]
    pub call_site: Option<Arc<CallSite>>,
    /// Where it was captured from.
    pub source: Source,
    /// The database system, when the source said.
    #[serde(default)]
    pub db_system: Option<String>,
    /// The dialect the statement was read as: its source's, the scope's `dialect` setting, or
    /// what its syntax says; [`Dialect::Generic`] when the database stayed unknown (quoted text
    /// any database could read as a value is then masked).
    pub dialect: Dialect,
}

/// Statements past the scope's storage cap, aggregated by shape.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnstoredReport {
    /// Normalised SQL.
    pub normalized: String,
    /// Fingerprint (16 hex characters).
    pub fingerprint: String,
    /// Statement kind.
    pub kind: StatementKind,
    /// How the budget treats it.
    pub class: Class,
    /// Tables it touches.
    #[serde(default)]
    pub tables: Vec<String>,
    /// How many ran past the cap.
    pub count: usize,
    /// How many of them were at or over the slow threshold.
    #[serde(default)]
    pub slow: usize,
    /// Their total time.
    #[serde(default, rename = "total_ms", with = "crate::millis::ms")]
    pub total: Duration,
    /// The slowest of them.
    #[serde(default, rename = "max_ms", with = "crate::millis::ms")]
    pub max: Duration,
    /// Call path of the first of them.
    #[serde(default)]
    pub call_path: CallPath,
    #[serde(skip)]
    pub(crate) histogram: Histogram,
    /// Hashes of the distinct texts seen (bounded), for the N+1 rules.
    #[serde(skip)]
    pub(crate) texts: Vec<u64>,
    /// Whether any had bind parameters.
    #[serde(skip)]
    pub(crate) binds: bool,
    /// Whether any handled many values at once.
    #[serde(skip)]
    pub(crate) batched: bool,
    /// The dialect its fingerprint was read as.
    #[serde(skip)]
    pub(crate) fingerprint_dialect: Dialect,
}
