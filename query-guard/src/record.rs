//! [`record`]: statements from drivers that do not emit tracing events.

use std::time::Duration;

use crate::statement::{Captured, Source};

/// A statement to record by hand.
///
/// ```
/// use std::time::Duration;
/// use query_guard::{capture, record, StatementRecord};
///
/// let ((), report) = capture("import", || {
///     record(
///         StatementRecord::new("INSERT INTO items (name) VALUES (?)")
///             .elapsed(Duration::from_micros(250))
///             .rows_affected(1)
///             .db_system("sqlite"),
///     );
/// });
/// assert_eq!(report.writes(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct StatementRecord {
    sql: String,
    elapsed: Option<Duration>,
    rows_affected: Option<u64>,
    rows_returned: Option<u64>,
    db_system: Option<String>,
}

impl StatementRecord {
    /// A statement with this SQL.
    pub fn new(sql: impl Into<String>) -> StatementRecord {
        StatementRecord {
            sql: sql.into(),
            elapsed: None,
            rows_affected: None,
            rows_returned: None,
            db_system: None,
        }
    }

    /// How long it took.
    pub fn elapsed(mut self, elapsed: Duration) -> Self {
        self.elapsed = Some(elapsed);
        self
    }

    /// Rows it changed.
    pub fn rows_affected(mut self, n: u64) -> Self {
        self.rows_affected = Some(n);
        self
    }

    /// Rows it returned.
    pub fn rows_returned(mut self, n: u64) -> Self {
        self.rows_returned = Some(n);
        self
    }

    /// The database system, OpenTelemetry's names: `postgresql`, `mysql`, `mariadb`, `sqlite`.
    pub fn db_system(mut self, system: impl Into<String>) -> Self {
        self.db_system = Some(system.into());
        self
    }
}

/// Records a statement into the scopes enclosing the current span. Returns whether any scope
/// received it (`false` outside every scope, or when the subscriber is not a
/// `tracing_subscriber::Registry` with the layer).
pub fn record(stmt: StatementRecord) -> bool {
    let sql = stmt.sql.trim();
    if sql.is_empty() {
        return false;
    }
    let len = sql.len();
    let sql = crate::fingerprint::_support::prefix(sql, crate::fingerprint::MAX_FINGERPRINT_LEN)
        .to_owned();
    crate::layer::record_current(move |path, among| Captured {
        sql,
        len,
        elapsed: stmt.elapsed,
        rows_affected: stmt.rows_affected,
        rows_returned: stmt.rows_returned,
        among: crate::layer::among(stmt.db_system.as_deref(), among),
        db_system: stmt.db_system,
        source: Source::Manual,
        path,
        site: None,
    })
}
