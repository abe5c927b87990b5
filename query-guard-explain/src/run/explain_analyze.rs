//! The entry points: [`explain_analyze`] and [`explain_analyze_with`] on the pools that
//! implement [`ExplainTarget`].

use std::future::Future;

use super::error::ExplainError;
use super::options::ExplainOptions;
use crate::explained::Explained;

pub(super) mod sealed {
    /// Only query-guard's pools implement [`ExplainTarget`](super::ExplainTarget).
    pub trait Sealed {}
}

/// A pool [`explain_analyze`] can run on: `sqlx::PgPool` (feature `postgres`) and
/// `sqlx::SqlitePool` (feature `sqlite`).
pub trait ExplainTarget: sealed::Sealed {
    /// Runs the EXPLAIN for `sql` with `options` and analyses the plan (see
    /// [`explain_analyze`]).
    fn explain(
        &self,
        sql: &str,
        options: &ExplainOptions,
    ) -> impl Future<Output = Result<Explained, ExplainError>> + Send;
}

/// Runs `sql`'s plan on `pool` with the default [`ExplainOptions`] (30 s statement timeout, 5 s
/// lock timeout, no writes) and analyses it.
///
/// On PostgreSQL this executes the statement (`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`) in a
/// `READ ONLY` transaction that is rolled back, so the figures are real; on SQLite it asks for
/// `EXPLAIN QUERY PLAN`, which plans the statement and never runs it.
///
/// # What it guarantees
///
/// - **One statement, or nothing.** The SQL is split by the database's own lexical rules
///   (every reading of the server's settings tried); SQL holding a
///   second statement is refused before anything is sent. On PostgreSQL the statement travels
///   as one prepared statement (the protocol refuses two); on SQLite it is prepared through
///   SQLite's C API (`sqlite3_prepare_v2`), which compiles exactly one statement, and anything
///   after it but comments is refused; the prepared statement must be an `EXPLAIN QUERY PLAN`
///   before it is stepped.
/// - **Only what EXPLAIN can run.** PostgreSQL: `SELECT`, `VALUES`, `TABLE`, `WITH`, and, with
///   [`ExplainOptions::allow_writes`], `INSERT`, `UPDATE`, `DELETE` and `MERGE`. SQLite:
///   `SELECT`, `VALUES`, `WITH`, `INSERT`, `REPLACE`, `UPDATE`, `DELETE` (a `PRAGMA` acts while
///   it is prepared, so it is never prepared). Anything else (`TRUNCATE`, `DROP`, `VACUUM`,
///   `CALL`, `DO`, `CREATE`, …) is refused with [`ExplainError::NotExplainable`] before it is
///   sent.
/// - **Reads in a `READ ONLY` transaction.** PostgreSQL runs the EXPLAIN between
///   `BEGIN READ ONLY` and `ROLLBACK`, so the server itself refuses writes, `nextval`, `setval`
///   and `SELECT … FOR UPDATE` ([`ExplainError::ReadOnly`]). `SELECT … INTO`, which EXPLAIN
///   ANALYZE would run even there (it creates a table), counts as a write. With
///   `allow_writes` the transaction is read-write and still rolled back.
/// - **Bounded time.** `SET LOCAL statement_timeout` and `SET LOCAL lock_timeout` (defaults 30 s
///   and 5 s, [`ExplainOptions::timeout`] and [`ExplainOptions::lock_timeout`]) bound the
///   statement on the server; SQLite's busy timeout is the lock timeout. The whole call is also
///   bounded on the client, at the statement timeout plus 5 s, so a database or pool that never
///   answers cannot hang it. Each limit has its own [`ExplainError::Timeout`].
/// - **Nothing left on the application's connections.** On PostgreSQL the connection is closed
///   after the EXPLAIN, never returned to the pool, after `ROLLBACK` and
///   `pg_advisory_unlock_all()` (so session advisory locks taken by the statement are released
///   before the call returns, whatever else it left on its session). On SQLite the connection
///   goes back to the pool (closing it would lose an in-memory database) with its busy timeout
///   and `PRAGMA query_only` (set to 1 while the plan is read) restored; if that cannot be
///   checked, it is closed instead.
/// - **No values in errors.** Database messages quote values (`invalid input syntax for type
///   integer: "hunter2"`): every quoted part of a message that is not a name from the statement is
///   masked ([`DatabaseError::message`](crate::DatabaseError::message));
///   [`DatabaseError::message_with_values`](crate::DatabaseError::message_with_values) has it all.
///
/// # What a rollback cannot undo
///
/// PostgreSQL does not roll back everything a statement does. In a `READ ONLY` transaction the
/// server refuses `nextval`, `setval` and every write, but it still allows:
///
/// - session advisory locks (`pg_advisory_lock`): released here by `pg_advisory_unlock_all()`
///   and by closing the connection;
/// - functions acting outside the transaction: `pg_terminate_backend`, `pg_cancel_backend`,
///   `pg_reload_conf`, `pg_rotate_logfile`, `pg_switch_wal`, `pg_create_restore_point`,
///   `pg_stat_reset*`, `pg_stat_statements_reset`, `pg_logical_emit_message`, replication slot
///   functions, `lo_export` and `lo_import` (server files), `dblink*` (another connection),
///   `pg_notify`… A statement calling one of these by name (or running SQL text through
///   `query_to_xml` or `ts_stat`) is refused with [`ExplainError::SideEffects`], even with
///   `allow_writes`; a function that calls them for the statement (a view, a user function, an
///   untrusted language such as PL/Python writing files) cannot be seen and is not refused;
/// - consumed transaction ids (`txid_current()`), and the statistics the statement's scans
///   add to `pg_stat_*` views.
///
/// With `allow_writes` the statement also runs triggers (their effects on tables are rolled
/// back, those outside the database are not) and advances sequences: `INSERT` into a `serial`
/// column calls `nextval`, and sequences are never rolled back.
///
/// SQLite's `EXPLAIN QUERY PLAN` runs nothing, so a rollback is never needed; the connection is
/// not modified beyond the two settings restored above (and its prepared-statement cache,
/// which SQLite revalidates).
///
/// Every statement it sends carries the sqlcommenter tag `query_guard='explain'`, so a
/// query-guard scope around the call counts it as internal, not against the budget.
///
/// ```no_run
/// # async fn demo(pool: sqlx::PgPool) -> Result<(), query_guard_explain::ExplainError> {
/// use std::time::Duration;
/// use query_guard_explain::{explain_analyze, explain_analyze_with, ExplainOptions, Severity};
///
/// let explained = explain_analyze(&pool, "SELECT * FROM orders WHERE customer_id = 42").await?;
/// explained
///     .assert_no_seq_scan("orders")
///     .assert_no_finding_above(Severity::Low);
///
/// // A write runs only when allowed, and is rolled back.
/// let options = ExplainOptions::new()
///     .allow_writes(true)
///     .timeout(Duration::from_secs(5));
/// explain_analyze_with(&pool, "DELETE FROM orders WHERE id = 7", &options).await?;
/// # Ok(()) }
/// ```
pub async fn explain_analyze<P: ExplainTarget + ?Sized>(
    pool: &P,
    sql: &str,
) -> Result<Explained, ExplainError> {
    pool.explain(sql, &ExplainOptions::default()).await
}

/// [`explain_analyze`] with options: timeouts, and whether PostgreSQL may execute writes.
pub async fn explain_analyze_with<P: ExplainTarget + ?Sized>(
    pool: &P,
    sql: &str,
    options: &ExplainOptions,
) -> Result<Explained, ExplainError> {
    pool.explain(sql, options).await
}
