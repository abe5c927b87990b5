//! [`ExplainOptions`]: the limits of a live EXPLAIN and whether it may write.

use std::time::Duration;

/// What the client adds to the statement timeout before giving up on its own.
const CLIENT_GRACE: Duration = Duration::from_secs(5);

/// The longest limit PostgreSQL takes (`statement_timeout` is an `int` of milliseconds).
const MAX_LIMIT: Duration = Duration::from_millis(i32::MAX as u64);

/// Options of [`explain_analyze_with`](crate::explain_analyze_with).
///
/// ```
/// use std::time::Duration;
/// use query_guard_explain::ExplainOptions;
///
/// let options = ExplainOptions::new()
///     .timeout(Duration::from_secs(10))
///     .lock_timeout(Duration::from_millis(500))
///     .allow_writes(true);
/// assert_ne!(options, ExplainOptions::default());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainOptions {
    pub(super) timeout: Duration,
    pub(super) lock_timeout: Duration,
    pub(super) allow_writes: bool,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(5),
            allow_writes: false,
        }
    }
}

impl ExplainOptions {
    /// The defaults: 30 s statement timeout, 5 s lock timeout, no writes.
    pub fn new() -> Self {
        ExplainOptions::default()
    }

    /// How long the statement may run (PostgreSQL `statement_timeout`, default 30 s). The call
    /// as a whole gives up 5 s after it. Clamped to 1 ms ..= 24.8 days (zero would mean "no
    /// limit" to PostgreSQL).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = clamp(limit);
        self
    }

    /// How long the statement may wait for a lock another session holds (PostgreSQL
    /// `lock_timeout`, SQLite busy timeout; default 5 s). Clamped like
    /// [`timeout`](Self::timeout).
    pub fn lock_timeout(mut self, limit: Duration) -> Self {
        self.lock_timeout = clamp(limit);
        self
    }

    /// Let PostgreSQL's EXPLAIN ANALYZE execute `INSERT`, `UPDATE`, `DELETE` and `MERGE` (and reads
    /// that write) in a read-write transaction, still rolled back (default: refused). See
    /// [`explain_analyze`](crate::explain_analyze#what-a-rollback-cannot-undo) for what a rollback
    /// cannot undo. SQLite never executes the statement, so this changes nothing there.
    pub fn allow_writes(mut self, allow: bool) -> Self {
        self.allow_writes = allow;
        self
    }

    /// The client-side deadline of a whole call.
    pub(super) fn deadline(&self) -> Duration {
        self.timeout + CLIENT_GRACE
    }
}

fn clamp(limit: Duration) -> Duration {
    limit.clamp(Duration::from_millis(1), MAX_LIMIT)
}

pub(super) fn millis(limit: Duration) -> u128 {
    limit.as_millis().max(1)
}

/// A duration as people write it: `30 s`, `1.5 s`, `500 ms`.
pub(super) use query_guard_format::duration_short as human;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn options_never_mean_no_limit() {
        let o = ExplainOptions::new()
            .timeout(Duration::ZERO)
            .lock_timeout(Duration::from_secs(u64::MAX));
        assert_eq!(millis(o.timeout), 1);
        assert_eq!(millis(o.lock_timeout), i32::MAX as u128);
        assert_eq!(human(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(human(Duration::from_secs(30)), "30 s");
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
    }
}
