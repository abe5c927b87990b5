//! # Running the EXPLAIN on a live database
//!
//! [`explain_analyze`] (and [`explain_analyze_with`], which takes [`ExplainOptions`]) runs a
//! statement's plan on a sqlx pool and analyses it:
//!
//! - PostgreSQL (`postgres` feature): `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`, which
//!   **executes** the statement, so the figures are real;
//! - SQLite (`sqlite` feature): `EXPLAIN QUERY PLAN`, which plans the statement and never runs
//!   it.
//!
//! ## What it guarantees
//!
//! - **One statement, or nothing.** The SQL is split by the database's own lexical rules
//!   ([`split`], every reading of the server's settings tried); SQL holding a
//!   second statement is refused before anything is sent. On PostgreSQL the statement travels
//!   as one prepared statement (the protocol refuses two); on SQLite it is prepared through
//!   SQLite's C API (`sqlite3_prepare_v2`), which compiles exactly one statement, and anything
//!   after it but comments is refused; the prepared statement must be an `EXPLAIN QUERY PLAN`
//!   before it is stepped.
//! - **Only what EXPLAIN can run.** PostgreSQL: `SELECT`, `VALUES`, `TABLE`, `WITH`, and, with
//!   [`ExplainOptions::allow_writes`], `INSERT`, `UPDATE`, `DELETE` and `MERGE`. SQLite:
//!   `SELECT`, `VALUES`, `WITH`, `INSERT`, `REPLACE`, `UPDATE`, `DELETE` (a `PRAGMA` acts while
//!   it is prepared, so it is never prepared). Anything else (`TRUNCATE`, `DROP`, `VACUUM`,
//!   `CALL`, `DO`, `CREATE`, …) is refused with [`ExplainError::NotExplainable`] before it is
//!   sent.
//! - **Reads in a `READ ONLY` transaction.** PostgreSQL runs the EXPLAIN between
//!   `BEGIN READ ONLY` and `ROLLBACK`, so the server itself refuses writes, `nextval`, `setval`
//!   and `SELECT … FOR UPDATE` ([`ExplainError::ReadOnly`]). `SELECT … INTO`, which EXPLAIN
//!   ANALYZE would run even there (it creates a table), counts as a write. With
//!   `allow_writes` the transaction is read-write and still rolled back.
//! - **Bounded time.** `SET LOCAL statement_timeout` and `SET LOCAL lock_timeout` (defaults 30 s
//!   and 5 s, [`ExplainOptions::timeout`] and [`ExplainOptions::lock_timeout`]) bound the
//!   statement on the server; SQLite's busy timeout is the lock timeout. The whole call is also
//!   bounded on the client, at the statement timeout plus 5 s, so a database or pool that never
//!   answers cannot hang it. Each limit has its own [`ExplainError::Timeout`].
//! - **Nothing left on the application's connections.** On PostgreSQL the connection is closed
//!   after the EXPLAIN, never returned to the pool, after `ROLLBACK` and
//!   `pg_advisory_unlock_all()` (so session advisory locks taken by the statement are released
//!   before the call returns, whatever else it left on its session). On SQLite the connection
//!   goes back to the pool (closing it would lose an in-memory database) with its busy timeout
//!   and `PRAGMA query_only` (set to 1 while the plan is read) restored; if that cannot be
//!   checked, it is closed instead.
//! - **No values in errors.** Database messages quote values (`invalid input syntax for type
//!   integer: "hunter2"`): every quoted part of a message that is not a name from the statement
//!   is masked ([`DatabaseError::message`]); [`DatabaseError::message_with_values`] has it all.
//!
//! ## What a rollback cannot undo
//!
//! PostgreSQL does not roll back everything a statement does. In a `READ ONLY` transaction the
//! server refuses `nextval`, `setval` and every write, but it still allows:
//!
//! - session advisory locks (`pg_advisory_lock`): released here by `pg_advisory_unlock_all()`
//!   and by closing the connection;
//! - functions acting outside the transaction: `pg_terminate_backend`, `pg_cancel_backend`,
//!   `pg_reload_conf`, `pg_rotate_logfile`, `pg_switch_wal`, `pg_create_restore_point`,
//!   `pg_stat_reset*`, `pg_stat_statements_reset`, `pg_logical_emit_message`, replication slot
//!   functions, `lo_export` and `lo_import` (server files), `dblink*` (another connection),
//!   `pg_notify`… A statement calling one of these by name (or running SQL text through
//!   `query_to_xml` or `ts_stat`) is refused with [`ExplainError::SideEffects`], even with
//!   `allow_writes`; a function that calls them for the statement (a view, a user function, an
//!   untrusted language such as PL/Python writing files) cannot be seen and is not refused;
//! - consumed transaction ids (`txid_current()`), and the statistics the statement's scans
//!   add to `pg_stat_*` views.
//!
//! With `allow_writes` the statement also runs triggers (their effects on tables are rolled
//! back, those outside the database are not) and advances sequences: `INSERT` into a `serial`
//! column calls `nextval`, and sequences are never rolled back.
//!
//! SQLite's `EXPLAIN QUERY PLAN` runs nothing, so a rollback is never needed; the connection is
//! not modified beyond the two settings restored above (and its prepared-statement cache,
//! which SQLite revalidates).
//!
//! Every statement it sends carries the sqlcommenter tag `query_guard='explain'`, so a
//! query-guard scope around the call counts it as internal, not against the budget.
//!
//! ```no_run
//! # async fn demo(pool: sqlx::PgPool) -> Result<(), query_guard_explain::ExplainError> {
//! use std::time::Duration;
//! use query_guard_explain::{explain_analyze, explain_analyze_with, ExplainOptions, Severity};
//!
//! let explained = explain_analyze(&pool, "SELECT * FROM orders WHERE customer_id = 42").await?;
//! explained
//!     .assert_no_seq_scan("orders")
//!     .assert_no_finding_above(Severity::Low);
//!
//! // A write runs only when allowed, and is rolled back.
//! let options = ExplainOptions::new()
//!     .allow_writes(true)
//!     .timeout(Duration::from_secs(5));
//! explain_analyze_with(&pool, "DELETE FROM orders WHERE id = 7", &options).await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::time::Duration;

use super::split::{self, SplitError, Statement};
use super::{Engine, Explained, PlanError};
use query_guard_fingerprint::Dialect;

/// The tag that marks query-guard's own EXPLAIN statements (see the `classify` module of the query-guard crate). SQLite's
/// are prepared through the C API, which sqlx does not log.
#[cfg(feature = "postgres")]
pub(crate) const TAG: &str = "/*query_guard='explain'*/ ";

/// What the client adds to the statement timeout before giving up on its own.
const CLIENT_GRACE: Duration = Duration::from_secs(5);

/// The longest limit PostgreSQL takes (`statement_timeout` is an `int` of milliseconds).
const MAX_LIMIT: Duration = Duration::from_millis(i32::MAX as u64);

/// Options of [`explain_analyze_with`].
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
    timeout: Duration,
    lock_timeout: Duration,
    allow_writes: bool,
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

    /// Let PostgreSQL's EXPLAIN ANALYZE execute `INSERT`, `UPDATE`, `DELETE` and `MERGE` (and
    /// reads that write) in a read-write transaction, still rolled back (default: refused). See
    /// the [module docs](self) for what a rollback cannot undo. SQLite never executes the
    /// statement, so this changes nothing there.
    pub fn allow_writes(mut self, allow: bool) -> Self {
        self.allow_writes = allow;
        self
    }

    /// The client-side deadline of a whole call.
    fn deadline(&self) -> Duration {
        self.timeout + CLIENT_GRACE
    }
}

fn clamp(limit: Duration) -> Duration {
    limit.clamp(Duration::from_millis(1), MAX_LIMIT)
}

fn millis(limit: Duration) -> u128 {
    limit.as_millis().max(1)
}

/// A duration as people write it: `30 s`, `1.5 s`, `500 ms`.
fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Which limit stopped a live EXPLAIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// The statement ran longer than [`ExplainOptions::timeout`] (PostgreSQL
    /// `statement_timeout`).
    Statement,
    /// The statement waited longer than [`ExplainOptions::lock_timeout`] for a lock (PostgreSQL
    /// `lock_timeout`).
    Lock,
    /// Another connection kept the SQLite database locked longer than
    /// [`ExplainOptions::lock_timeout`] (busy timeout).
    Busy,
    /// The database or the pool did not answer within the statement timeout plus 5 s.
    Client,
}

/// A database's refusal, with the values its message quotes masked.
///
/// [`Display`](fmt::Display) and [`Debug`] show the masked message only.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseError {
    masked: String,
    raw: String,
    code: Option<String>,
    location: Option<(usize, usize)>,
}

impl DatabaseError {
    fn new(raw: &str, code: Option<String>, stmt: &Statement<'_>, sql: &str) -> Self {
        DatabaseError {
            masked: mask_message(raw, stmt.words()),
            raw: raw.to_owned(),
            code,
            location: None,
        }
        .at(None, stmt, sql)
    }

    /// Sets the location from a byte offset into the statement's text.
    fn at(mut self, in_text: Option<usize>, stmt: &Statement<'_>, sql: &str) -> Self {
        self.location = in_text
            .filter(|&o| o <= stmt.text().len())
            .map(|o| split::line_column(sql, stmt.offset() + o));
        self
    }

    /// The message, every quoted part that is not a name of the statement replaced by `?`.
    pub fn message(&self) -> &str {
        &self.masked
    }

    /// The message as the database gave it, values included (for `--show-values`).
    pub fn message_with_values(&self) -> &str {
        &self.raw
    }

    /// The error code: PostgreSQL's SQLSTATE (`42P01`), SQLite's extended result code.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Line and column (1-based) in the SQL given, when the database said where.
    pub fn location(&self) -> Option<(usize, usize)> {
        self.location
    }

    fn fmt_with(&self, f: &mut fmt::Formatter<'_>, message: &str) -> fmt::Result {
        f.write_str(message)?;
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        if let Some((line, column)) = self.location {
            write!(f, " at line {line}, column {column} of the statement")?;
        }
        Ok(())
    }

    /// The message with its values, code and location, for callers that opted in.
    pub fn display_with_values(&self) -> impl fmt::Display + '_ {
        struct WithValues<'a>(&'a DatabaseError);
        impl fmt::Display for WithValues<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt_with(f, &self.0.raw)
            }
        }
        WithValues(self)
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_with(f, &self.masked)
    }
}

impl fmt::Debug for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseError")
            .field("message", &self.masked)
            .field("code", &self.code)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Why [`explain_analyze`] failed. Every variant but [`Database`](Self::Database),
/// [`ReadOnly`](Self::ReadOnly), [`Timeout`](Self::Timeout), [`Connection`](Self::Connection)
/// and [`Plan`](Self::Plan) is decided before anything is sent to the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// The SQL is not exactly one statement: empty, several statements, an unterminated string
    /// or comment, a NUL byte. Nothing was sent.
    #[error("{0}")]
    Sql(#[from] SplitError),
    /// The statement is not one EXPLAIN can run (`TRUNCATE`, `DROP`, `VACUUM`, `CALL`, `DO`,
    /// `CREATE`, `PRAGMA`, …). Nothing was sent.
    #[error(
        "{} cannot be explained: {accepted} (nothing was sent to the database)",
        statement.map_or_else(|| "this statement".to_owned(), |s| format!("a {s} statement"))
    )]
    NotExplainable {
        /// Its first word, when it is a known SQL command.
        statement: Option<&'static str>,
        /// What the database's EXPLAIN accepts here.
        accepted: &'static str,
    },
    /// The statement writes and [`ExplainOptions::allow_writes`] is off: PostgreSQL's EXPLAIN
    /// ANALYZE would execute it. Nothing was sent.
    #[error(
        "EXPLAIN ANALYZE executes the statement, and this {statement} writes: allow writes \
         (ExplainOptions::allow_writes, `--allow-writes`) to run it in a transaction that is \
         rolled back (nothing was sent to the database)"
    )]
    WritesNeedAllowWrites {
        /// `INSERT`, `UPDATE`, `DELETE` or `MERGE`.
        statement: &'static str,
    },
    /// The statement calls a function whose effect a rollback cannot undo. Nothing was sent.
    #[error(
        "the statement calls {function}(), whose effect a rollback cannot undo: query-guard \
         does not run it (nothing was sent to the database)"
    )]
    SideEffects {
        /// The function.
        function: &'static str,
    },
    /// The statement has bind placeholders (`$1`): PostgreSQL's EXPLAIN ANALYZE runs it, so it
    /// needs values (SQLite's EXPLAIN QUERY PLAN does not). Nothing was sent.
    #[error(
        "the statement has bind placeholders ($1): EXPLAIN ANALYZE runs it, so write the values \
         into the SQL (nothing was sent to the database)"
    )]
    Placeholders,
    /// PostgreSQL refused a write in the `READ ONLY` transaction (SQLSTATE 25006): the
    /// statement writes, calls `nextval`/`setval`, locks rows or creates a table.
    #[error(
        "the statement tried to write, which the READ ONLY transaction refused ({0}); allow \
         writes (ExplainOptions::allow_writes, `--allow-writes`) if it is meant to write: it is \
         then run in a transaction that is rolled back"
    )]
    ReadOnly(DatabaseError),
    /// A limit stopped the EXPLAIN; the transaction was rolled back (or the connection closed).
    #[error("{}", timeout_message(*.limit, *.after))]
    Timeout {
        /// Which limit.
        limit: Limit,
        /// Its value.
        after: Duration,
    },
    /// SQLite returned no plan: the statement reads no table through a plan.
    #[error(
        "SQLite has no query plan for this statement: it reads no table through a plan (a \
         DELETE without WHERE, an INSERT of VALUES, …), so there is nothing to analyse"
    )]
    EmptyPlan,
    /// The database refused the statement. The message has the values it quotes masked.
    #[error("the database refused the EXPLAIN: {0}")]
    Database(DatabaseError),
    /// No connection could be had, or it broke.
    #[error("the connection to the database failed: {}", connection_message(.0))]
    Connection(#[source] sqlx::Error),
    /// The plan the database returned could not be read (a bug: please report it).
    #[error("the plan the database returned could not be read: {0}")]
    Plan(#[from] PlanError),
}

/// A connection error without sqlx's " at line N" (a line of PostgreSQL's own source).
fn connection_message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_owned(),
        e => e.to_string(),
    }
}

fn timeout_message(limit: Limit, after: Duration) -> String {
    let after = human(after);
    match limit {
        Limit::Statement => format!(
            "the statement ran longer than the {after} statement timeout (PostgreSQL \
             statement_timeout) and was cancelled, then rolled back; give it more time with \
             ExplainOptions::timeout (`--timeout`)"
        ),
        Limit::Lock => format!(
            "the statement waited more than {after} for a lock another session holds (PostgreSQL \
             lock_timeout) and was cancelled, then rolled back; retry when the lock is free, or \
             wait longer with ExplainOptions::lock_timeout (`--lock-timeout`)"
        ),
        Limit::Busy => format!(
            "another connection kept the SQLite database locked for more than {after} (busy \
             timeout); retry when it is free, or wait longer with ExplainOptions::lock_timeout \
             (`--lock-timeout`)"
        ),
        Limit::Client => format!(
            "no answer from the database within {after} (the statement timeout plus 5 s for \
             connecting and rolling back): gave up and closed the connection"
        ),
    }
}

/// A database's message with every `"…"`-quoted part that is not a name of the statement
/// replaced by `?`. A quoted value may itself hold quotes, so from the first quoted part that
/// is not a name, everything up to the message's last quote is masked.
pub(crate) fn mask_message(message: &str, names: &[String]) -> String {
    let is_name = |quoted: &str| {
        let lower = quoted.to_lowercase();
        names.contains(&lower) || (quoted.len() <= 3 && !quoted.chars().any(char::is_alphanumeric))
    };
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find('"') {
            Some(close) if is_name(&after[..close]) => {
                out.push_str(&after[..=close]);
                rest = &after[close + 1..];
            }
            Some(_) => {
                let last = after.rfind('"').unwrap_or(after.len() - 1);
                out.push_str("?\"");
                rest = &after[last + 1..];
            }
            None => {
                out.push('?');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

mod sealed {
    /// Only query-guard's pools implement [`ExplainTarget`](super::ExplainTarget).
    pub trait Sealed {}
}

/// A pool [`explain_analyze`] can run on: `sqlx::PgPool` (feature `postgres`) and
/// `sqlx::SqlitePool` (feature `sqlite`).
pub trait ExplainTarget: sealed::Sealed {
    /// Runs the EXPLAIN for `sql` with `options` and analyses the plan (see the [module
    /// docs](self)).
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
/// `EXPLAIN QUERY PLAN`. See the [module docs](self).
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

/// Commands the refusals may name (never a word of the user's own: it could be a value).
const COMMANDS: &[&str] = &[
    "ABORT",
    "ALTER",
    "ANALYZE",
    "ATTACH",
    "BEGIN",
    "CALL",
    "CHECKPOINT",
    "CLOSE",
    "CLUSTER",
    "COMMENT",
    "COMMIT",
    "COPY",
    "CREATE",
    "DEALLOCATE",
    "DECLARE",
    "DELETE",
    "DETACH",
    "DISCARD",
    "DO",
    "DROP",
    "END",
    "EXECUTE",
    "EXPLAIN",
    "FETCH",
    "GRANT",
    "IMPORT",
    "INSERT",
    "LISTEN",
    "LOAD",
    "LOCK",
    "MERGE",
    "MOVE",
    "NOTIFY",
    "PRAGMA",
    "PREPARE",
    "REASSIGN",
    "REFRESH",
    "REINDEX",
    "RELEASE",
    "REPLACE",
    "RESET",
    "REVOKE",
    "ROLLBACK",
    "SAVEPOINT",
    "SECURITY",
    "SELECT",
    "SET",
    "SHOW",
    "START",
    "TABLE",
    "TRUNCATE",
    "UNLISTEN",
    "UPDATE",
    "VACUUM",
    "VALUES",
    "WITH",
];

/// Functions whose effect escapes PostgreSQL's transaction and that a `READ ONLY` transaction
/// still allows, or that run SQL text given as a string.
const NOT_UNDONE: &[&str] = &[
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_switch_wal",
    "pg_create_restore_point",
    "pg_promote",
    "pg_wal_replay_pause",
    "pg_wal_replay_resume",
    "pg_log_backend_memory_contexts",
    "pg_stat_reset",
    "pg_stat_reset_shared",
    "pg_stat_reset_single_table_counters",
    "pg_stat_reset_single_function_counters",
    "pg_stat_reset_slru",
    "pg_stat_reset_replication_slot",
    "pg_stat_reset_subscription_stats",
    "pg_stat_statements_reset",
    "pg_logical_emit_message",
    "pg_create_physical_replication_slot",
    "pg_create_logical_replication_slot",
    "pg_drop_replication_slot",
    "pg_copy_physical_replication_slot",
    "pg_copy_logical_replication_slot",
    "pg_replication_slot_advance",
    "pg_logical_slot_get_changes",
    "pg_logical_slot_get_binary_changes",
    "pg_replication_origin_create",
    "pg_replication_origin_drop",
    "pg_replication_origin_advance",
    "pg_replication_origin_session_setup",
    "pg_backup_start",
    "pg_backup_stop",
    "pg_start_backup",
    "pg_stop_backup",
    "pg_file_write",
    "pg_file_rename",
    "pg_file_unlink",
    "pg_file_sync",
    "lo_export",
    "lo_import",
    "pg_notify",
    "dblink",
    "dblink_exec",
    "dblink_connect",
    "dblink_connect_u",
    "dblink_open",
    "dblink_send_query",
    "query_to_xml",
    "query_to_xmlschema",
    "query_to_xml_and_xmlschema",
    "ts_stat",
];

fn command(keyword: Option<&str>) -> Option<&'static str> {
    let keyword = keyword?;
    COMMANDS.iter().copied().find(|c| *c == keyword)
}

const PG_ACCEPTS: &str = "EXPLAIN runs SELECT, VALUES, TABLE and WITH statements here, and \
                          INSERT, UPDATE, DELETE and MERGE when writes are allowed";
const SQLITE_ACCEPTS: &str =
    "EXPLAIN QUERY PLAN plans SELECT, VALUES, WITH, INSERT, REPLACE, UPDATE and DELETE statements";
const NO_EXPLAIN: &str = "give the statement without EXPLAIN: query-guard adds the EXPLAIN itself";

/// The statement of `sql` if `engine`'s live EXPLAIN may run it with `options`.
fn check<'a>(
    sql: &'a str,
    engine: Engine,
    options: &ExplainOptions,
) -> Result<Statement<'a>, ExplainError> {
    let dialect = match engine {
        Engine::Postgres => Dialect::Postgres,
        Engine::Sqlite => Dialect::Sqlite,
    };
    let accepts = |keyword: Option<&str>, text: &str| match engine {
        Engine::Postgres => {
            matches!(
                keyword,
                Some(
                    "SELECT"
                        | "VALUES"
                        | "TABLE"
                        | "WITH"
                        | "INSERT"
                        | "UPDATE"
                        | "DELETE"
                        | "MERGE"
                )
            ) || (keyword.is_none() && text.starts_with('('))
        }
        Engine::Sqlite => matches!(
            keyword,
            Some("SELECT" | "VALUES" | "WITH" | "INSERT" | "REPLACE" | "UPDATE" | "DELETE")
        ),
    };
    let refuse = |keyword: Option<&str>| ExplainError::NotExplainable {
        statement: command(keyword),
        accepted: match (keyword, engine) {
            (Some("EXPLAIN"), _) => NO_EXPLAIN,
            (_, Engine::Postgres) => PG_ACCEPTS,
            (_, Engine::Sqlite) => SQLITE_ACCEPTS,
        },
    };
    let stmt = match split::one_statement(sql, dialect) {
        Ok(stmt) => stmt,
        // A statement EXPLAIN cannot run says so, even when it holds `;` (a trigger's body).
        Err(e @ SplitError::SeveralStatements { .. }) => {
            let first = split::first_keyword(sql, dialect);
            let first = first.as_deref();
            return Err(if first.is_some() && !accepts(first, "") {
                refuse(first)
            } else {
                e.into()
            });
        }
        Err(e) => return Err(e.into()),
    };
    let keyword = stmt.keyword();
    if !accepts(keyword, stmt.text()) {
        return Err(refuse(keyword));
    }
    match engine {
        Engine::Postgres => {
            let write = matches!(keyword, Some("INSERT" | "UPDATE" | "DELETE" | "MERGE"));
            // `SELECT … INTO t` creates a table, and EXPLAIN ANALYZE runs it even in a READ ONLY
            // transaction (the read-only check is the utility command's, which EXPLAIN skips).
            // INTO is reserved: outside quotes it can only be that (or INSERT/MERGE INTO).
            let select_into = !write && stmt.words().iter().any(|w| w == "into");
            if (write || select_into) && !options.allow_writes {
                return Err(ExplainError::WritesNeedAllowWrites {
                    statement: if select_into {
                        "SELECT … INTO"
                    } else {
                        command(keyword).unwrap_or("statement")
                    },
                });
            }
            if let Some(function) = NOT_UNDONE
                .iter()
                .copied()
                .find(|f| stmt.calls().iter().any(|c| c == f))
            {
                return Err(ExplainError::SideEffects { function });
            }
            if stmt.has_placeholders() {
                return Err(ExplainError::Placeholders);
            }
        }
        Engine::Sqlite => {}
    }
    Ok(stmt)
}

/// A client-side deadline that needs no particular async runtime: a timer thread wakes the
/// task when the time is up.
mod deadline {
    use std::future::Future;
    use std::sync::{Arc, mpsc};
    use std::task::{Poll, Waker};
    use std::time::Duration;

    use parking_lot::Mutex;

    #[derive(Default)]
    struct Shared {
        fired: bool,
        waker: Option<Waker>,
    }

    /// `fut`'s output, or `None` (and `fut` dropped) when `limit` passes first.
    pub(super) async fn within<F: Future>(limit: Duration, fut: F) -> Option<F::Output> {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let (cancel, cancelled) = mpsc::channel::<()>();
        let timer = Arc::clone(&shared);
        // Without a timer thread the server-side limits still hold.
        let _ = std::thread::Builder::new()
            .name("query-guard-explain-deadline".into())
            .spawn(move || {
                if let Err(mpsc::RecvTimeoutError::Timeout) = cancelled.recv_timeout(limit) {
                    let mut s = timer.lock();
                    s.fired = true;
                    if let Some(w) = s.waker.take() {
                        w.wake();
                    }
                }
            });
        let mut fut = std::pin::pin!(fut);
        let out = std::future::poll_fn(|cx| {
            if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                return Poll::Ready(Some(v));
            }
            let mut s = shared.lock();
            if s.fired {
                return Poll::Ready(None);
            }
            s.waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
        // Ends the timer thread.
        drop(cancel);
        out
    }
}

/// Runs `work` within the options' client-side deadline.
async fn bounded(
    options: &ExplainOptions,
    work: impl Future<Output = Result<Explained, ExplainError>>,
) -> Result<Explained, ExplainError> {
    deadline::within(options.deadline(), work)
        .await
        .unwrap_or(Err(ExplainError::Timeout {
            limit: Limit::Client,
            after: options.deadline(),
        }))
}

#[cfg(feature = "postgres")]
mod pg {
    use sqlx::postgres::{PgDatabaseError, PgErrorPosition};
    use sqlx::{AssertSqlSafe, PgPool, Row};

    use super::*;

    impl sealed::Sealed for PgPool {}

    impl ExplainTarget for PgPool {
        fn explain(
            &self,
            sql: &str,
            options: &ExplainOptions,
        ) -> impl Future<Output = Result<Explained, ExplainError>> + Send {
            explain(self, sql, options)
        }
    }

    const EXPLAIN: &str = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ";

    async fn explain(
        pool: &PgPool,
        sql: &str,
        options: &ExplainOptions,
    ) -> Result<Explained, ExplainError> {
        let stmt = check(sql, Engine::Postgres, options)?;
        bounded(options, run(pool, sql, &stmt, options)).await
    }

    async fn run(
        pool: &PgPool,
        sql: &str,
        stmt: &Statement<'_>,
        options: &ExplainOptions,
    ) -> Result<Explained, ExplainError> {
        let mut conn = pool.acquire().await.map_err(ExplainError::Connection)?;
        // Never back to the pool: closing ends whatever the statement left on the session.
        conn.close_on_drop();
        let begin = format!(
            "{TAG}BEGIN{}; SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {}",
            if options.allow_writes {
                ""
            } else {
                " READ ONLY"
            },
            millis(options.timeout),
            millis(options.lock_timeout),
        );
        sqlx::raw_sql(AssertSqlSafe(begin))
            .execute(&mut *conn)
            .await
            .map_err(|e| error(e, stmt, sql, options))?;
        let explain = format!("{TAG}{EXPLAIN}{}", stmt.text());
        let result = sqlx::query(AssertSqlSafe(explain))
            .persistent(false)
            .fetch_one(&mut *conn)
            .await;
        // Roll back before anything else, whatever happened, and release the session advisory
        // locks the statement may have taken before the connection is closed.
        let cleanup = sqlx::raw_sql(AssertSqlSafe(format!(
            "{TAG}ROLLBACK; {TAG}SELECT pg_advisory_unlock_all()"
        )))
        .execute(&mut *conn)
        .await;
        let row = result.map_err(|e| error(e, stmt, sql, options))?;
        cleanup.map_err(|e| error(e, stmt, sql, options))?;
        // `json` travels as its text, in binary format too.
        let json: String = row
            .try_get_unchecked(0)
            .map_err(|e| error(e, stmt, sql, options))?;
        let plan = super::super::pg_json::parse(&json)?;
        Ok(Explained::new(plan, Some(stmt.text())))
    }

    /// A sqlx error as the refusal it is.
    fn error(e: sqlx::Error, stmt: &Statement<'_>, sql: &str, o: &ExplainOptions) -> ExplainError {
        let sqlx::Error::Database(db) = &e else {
            return ExplainError::Connection(e);
        };
        let code = db.code().map(|c| c.into_owned());
        let message = db.message();
        match code.as_deref() {
            Some("57014") if message.contains("statement timeout") => {
                return ExplainError::Timeout {
                    limit: Limit::Statement,
                    after: o.timeout,
                };
            }
            Some("55P03") if message.contains("lock timeout") => {
                return ExplainError::Timeout {
                    limit: Limit::Lock,
                    after: o.lock_timeout,
                };
            }
            // "there is no parameter $1": a placeholder the check did not see.
            Some("42P02") => return ExplainError::Placeholders,
            _ => {}
        }
        // PostgreSQL's position counts characters of the text sent, from 1.
        let position = db
            .try_downcast_ref::<PgDatabaseError>()
            .and_then(|pg| match pg.position() {
                Some(PgErrorPosition::Original(p)) => Some(p),
                _ => None,
            })
            .and_then(|p| {
                let prefix = TAG.chars().count() + EXPLAIN.chars().count();
                let chars = p.checked_sub(1 + prefix)?;
                Some(
                    stmt.text()
                        .char_indices()
                        .nth(chars)
                        .map_or(stmt.text().len(), |(i, _)| i),
                )
            });
        let refusal = DatabaseError::new(message, code.clone(), stmt, sql).at(position, stmt, sql);
        if code.as_deref() == Some("25006") {
            ExplainError::ReadOnly(refusal)
        } else {
            ExplainError::Database(refusal)
        }
    }
}

#[cfg(feature = "sqlite")]
mod lite {
    use sqlx::SqlitePool;

    use super::*;

    impl sealed::Sealed for SqlitePool {}

    impl ExplainTarget for SqlitePool {
        fn explain(
            &self,
            sql: &str,
            options: &ExplainOptions,
        ) -> impl Future<Output = Result<Explained, ExplainError>> + Send {
            explain(self, sql, options)
        }
    }

    pub(super) const EXPLAIN: &str = "EXPLAIN QUERY PLAN ";

    async fn explain(
        pool: &SqlitePool,
        sql: &str,
        options: &ExplainOptions,
    ) -> Result<Explained, ExplainError> {
        let stmt = check(sql, Engine::Sqlite, options)?;
        bounded(options, run(pool, sql, &stmt, options)).await
    }

    async fn run(
        pool: &SqlitePool,
        sql: &str,
        stmt: &Statement<'_>,
        options: &ExplainOptions,
    ) -> Result<Explained, ExplainError> {
        let mut conn = pool.acquire().await.map_err(ExplainError::Connection)?;
        let outcome = match conn.lock_handle().await {
            Ok(mut handle) => {
                // SAFETY: the handle is locked out of sqlx's worker thread while it lives, and
                // nothing below awaits.
                Ok(unsafe {
                    ffi::explain_query_plan(handle.as_raw_handle().as_ptr(), stmt, options)
                })
            }
            Err(e) => Err(e),
        };
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(e) => {
                // Its worker is gone: never hand it back to the application.
                conn.close_on_drop();
                return Err(ExplainError::Connection(e));
            }
        };
        if !outcome.intact {
            // Its settings could not be restored: never hand it back to the application.
            conn.close_on_drop();
        }
        let rows = outcome.rows.map_err(|e| e.into_error(stmt, sql, options))?;
        if rows.is_empty() {
            return Err(ExplainError::EmptyPlan);
        }
        let mut text = String::from("id|parent|notused|detail\n");
        for (id, parent, detail) in rows {
            text.push_str(&format!("{id}|{parent}|0|{}\n", detail.replace('\n', " ")));
        }
        let plan = super::super::parse(&text)?;
        Ok(Explained::new(plan, Some(stmt.text())))
    }

    /// SQLite's C API, on the connection's handle.
    mod ffi {
        use std::ffi::{CStr, c_char, c_int};
        use std::ptr;

        use libsqlite3_sys as sys;

        use super::super::*;

        /// What reading the plan gave, and whether the connection is as it was.
        pub(super) struct Outcome {
            pub(super) rows: Result<Vec<(i64, i64, String)>, Failure>,
            pub(super) intact: bool,
        }

        /// An SQLite error: result code, message, and byte offset in the SQL prepared.
        pub(super) enum Failure {
            Sqlite {
                code: c_int,
                message: String,
                offset: Option<usize>,
            },
            Several,
            NotAPlan,
        }

        impl Failure {
            pub(super) fn into_error(
                self,
                stmt: &Statement<'_>,
                sql: &str,
                options: &ExplainOptions,
            ) -> ExplainError {
                match self {
                    Failure::Sqlite { code, .. } if code & 0xff == sys::SQLITE_BUSY => {
                        ExplainError::Timeout {
                            limit: Limit::Busy,
                            after: options.lock_timeout,
                        }
                    }
                    Failure::Sqlite {
                        code,
                        message,
                        offset,
                    } => ExplainError::Database(
                        DatabaseError::new(&message, Some(code.to_string()), stmt, sql).at(
                            offset.and_then(|o| o.checked_sub(super::EXPLAIN.len())),
                            stmt,
                            sql,
                        ),
                    ),
                    // What SQLite prepared ends before the statement does: a second statement
                    // the splitter did not see. Refused.
                    Failure::Several => {
                        let end = stmt.offset() + stmt.text().len();
                        let (line, column) = split::line_column(sql, end);
                        ExplainError::Sql(SplitError::SeveralStatements { line, column })
                    }
                    Failure::NotAPlan => ExplainError::NotExplainable {
                        statement: None,
                        accepted: SQLITE_ACCEPTS,
                    },
                }
            }
        }

        unsafe fn failure(db: *mut sys::sqlite3, code: c_int) -> Failure {
            // SAFETY: `db` is a live connection handle.
            unsafe {
                let message = CStr::from_ptr(sys::sqlite3_errmsg(db))
                    .to_string_lossy()
                    .into_owned();
                let offset = usize::try_from(sys::sqlite3_error_offset(db)).ok();
                Failure::Sqlite {
                    code: sys::sqlite3_extended_errcode(db).max(code),
                    message,
                    offset,
                }
            }
        }

        /// Prepares `sql` (one statement, ours), steps it to the end, and returns its rows'
        /// first column as integers.
        unsafe fn query(db: *mut sys::sqlite3, sql: &str) -> Result<Vec<i64>, Failure> {
            // SAFETY: `db` is a live handle; the statement is finalised on every path.
            unsafe {
                let mut stmt = ptr::null_mut();
                let rc = sys::sqlite3_prepare_v2(
                    db,
                    sql.as_ptr().cast::<c_char>(),
                    sql.len() as c_int,
                    &mut stmt,
                    ptr::null_mut(),
                );
                if rc != sys::SQLITE_OK {
                    return Err(failure(db, rc));
                }
                let mut out = Vec::new();
                let result = loop {
                    match sys::sqlite3_step(stmt) {
                        sys::SQLITE_ROW => out.push(sys::sqlite3_column_int64(stmt, 0)),
                        sys::SQLITE_DONE => break Ok(out),
                        rc => break Err(failure(db, rc)),
                    }
                };
                sys::sqlite3_finalize(stmt);
                result
            }
        }

        /// Reads the `EXPLAIN QUERY PLAN` of `stmt` on `db`, with the busy timeout and
        /// `query_only` set for it and restored after.
        ///
        /// # Safety
        ///
        /// `db` is a live connection handle no other thread uses during the call.
        pub(super) unsafe fn explain_query_plan(
            db: *mut sys::sqlite3,
            stmt: &Statement<'_>,
            options: &ExplainOptions,
        ) -> Outcome {
            // SAFETY: see the function's contract.
            unsafe {
                let saved = (
                    query(db, "PRAGMA busy_timeout"),
                    query(db, "PRAGMA query_only"),
                );
                let (busy, query_only) = match saved {
                    (Ok(b), Ok(q)) if b.len() == 1 && q.len() == 1 => (b[0], q[0]),
                    (Err(e), _) | (_, Err(e)) => {
                        return Outcome {
                            rows: Err(e),
                            intact: true,
                        };
                    }
                    _ => {
                        return Outcome {
                            rows: Err(Failure::NotAPlan),
                            intact: true,
                        };
                    }
                };
                let lock_ms = c_int::try_from(millis(options.lock_timeout)).unwrap_or(c_int::MAX);
                sys::sqlite3_busy_timeout(db, lock_ms);
                let rows = match query(db, "PRAGMA query_only = 1") {
                    Ok(_) => plan_rows(db, stmt),
                    Err(e) => Err(e),
                };
                let restored =
                    sys::sqlite3_busy_timeout(db, c_int::try_from(busy).unwrap_or(c_int::MAX))
                        == sys::SQLITE_OK
                        && query(
                            db,
                            &format!("PRAGMA query_only = {}", i64::from(query_only != 0)),
                        )
                        .is_ok();
                // EXPLAIN QUERY PLAN never opens a transaction; one left open would be a bug.
                let intact = restored && sys::sqlite3_get_autocommit(db) != 0;
                Outcome { rows, intact }
            }
        }

        /// Prepares exactly one statement, `EXPLAIN QUERY PLAN <stmt>`, refuses anything but
        /// comments after it, checks SQLite compiled an EXPLAIN QUERY PLAN, and reads its rows.
        unsafe fn plan_rows(
            db: *mut sys::sqlite3,
            stmt: &Statement<'_>,
        ) -> Result<Vec<(i64, i64, String)>, Failure> {
            // SAFETY: `db` is a live handle; `text` outlives the prepared statement, which is
            // finalised on every path.
            unsafe {
                let text = format!("{}{}", super::EXPLAIN, stmt.text());
                let mut prepared = ptr::null_mut();
                let mut tail: *const c_char = ptr::null();
                let rc = sys::sqlite3_prepare_v2(
                    db,
                    text.as_ptr().cast::<c_char>(),
                    c_int::try_from(text.len()).map_err(|_| Failure::NotAPlan)?,
                    &mut prepared,
                    &mut tail,
                );
                if rc != sys::SQLITE_OK {
                    return Err(failure(db, rc));
                }
                let consumed = if tail.is_null() {
                    text.len()
                } else {
                    (tail as usize).saturating_sub(text.as_ptr() as usize)
                };
                let rest = text.get(consumed..).unwrap_or_default();
                let result = if prepared.is_null() {
                    Err(Failure::NotAPlan)
                } else if !split::is_trivia(rest, Dialect::Sqlite) {
                    Err(Failure::Several)
                } else if sys::sqlite3_stmt_isexplain(prepared) != 2 {
                    Err(Failure::NotAPlan)
                } else {
                    let mut rows = Vec::new();
                    loop {
                        match sys::sqlite3_step(prepared) {
                            sys::SQLITE_ROW => {
                                let detail = sys::sqlite3_column_text(prepared, 3);
                                let len = sys::sqlite3_column_bytes(prepared, 3);
                                let detail = if detail.is_null() {
                                    String::new()
                                } else {
                                    let bytes = std::slice::from_raw_parts(
                                        detail,
                                        usize::try_from(len).unwrap_or(0),
                                    );
                                    String::from_utf8_lossy(bytes).into_owned()
                                };
                                rows.push((
                                    sys::sqlite3_column_int64(prepared, 0),
                                    sys::sqlite3_column_int64(prepared, 1),
                                    detail,
                                ));
                            }
                            sys::SQLITE_DONE => break Ok(rows),
                            rc => break Err(failure(db, rc)),
                        }
                    }
                };
                sys::sqlite3_finalize(prepared);
                result
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn database_messages_lose_the_values_they_quote() {
        let words = names(&["orders", "select", "selec", "from", "t", "x"]);
        for (raw, masked) in [
            (
                "invalid input syntax for type integer: \"hunter2\"",
                "invalid input syntax for type integer: \"?\"",
            ),
            // sqlx appends " at line N" (a PostgreSQL source line): still masked.
            (
                "invalid input syntax for type integer: \"hunter2\" at line 232",
                "invalid input syntax for type integer: \"?\" at line 232",
            ),
            // A value holding quotes is masked to the last quote.
            (
                "invalid input syntax for type json: \"a\" or \"b\" end",
                "invalid input syntax for type json: \"?\" end",
            ),
            (
                "near \"'hunter2'\": syntax error",
                "near \"?\": syntax error",
            ),
            ("unterminated \"abc", "unterminated \"?"),
            // Names of the statement are kept, case-insensitively.
            (
                "relation \"orders\" does not exist",
                "relation \"orders\" does not exist",
            ),
            (
                "near \"SELEC\": syntax error",
                "near \"SELEC\": syntax error",
            ),
            (
                "syntax error at or near \",\"",
                "syntax error at or near \",\"",
            ),
            (
                "column \"x\" of relation \"t\" does not exist",
                "column \"x\" of relation \"t\" does not exist",
            ),
            // A number is a value.
            (
                "value \"99999999999\" is out of range for type integer",
                "value \"?\" is out of range for type integer",
            ),
        ] {
            assert_eq!(mask_message(raw, &words), masked, "{raw}");
        }
    }

    #[test]
    fn refusals_before_anything_is_sent() {
        let reads = ExplainOptions::new();
        let writes = ExplainOptions::new().allow_writes(true);
        let pg = |sql: &str, o: &ExplainOptions| check(sql, Engine::Postgres, o).map(|_| ());
        let lite = |sql: &str| check(sql, Engine::Sqlite, &reads).map(|_| ());
        for ok in [
            "SELECT 1",
            "with x as (select 1) select * from x",
            "VALUES (1)",
            "TABLE t",
            "(SELECT 1) UNION (SELECT 2)",
            "SELECT pg_advisory_lock(1)",
        ] {
            pg(ok, &reads).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for (sql, statement) in [
            ("TRUNCATE t", Some("TRUNCATE")),
            ("DROP TABLE t", Some("DROP")),
            ("VACUUM t", Some("VACUUM")),
            ("CALL p()", Some("CALL")),
            ("DO $$ BEGIN END $$", Some("DO")),
            ("CREATE TABLE t AS SELECT 1", Some("CREATE")),
            ("hunter2 x", None),
            ("'hunter2'", None),
        ] {
            match pg(sql, &writes) {
                Err(ExplainError::NotExplainable {
                    statement: s,
                    accepted,
                }) => {
                    assert_eq!(s, statement, "{sql}");
                    assert_eq!(accepted, PG_ACCEPTS);
                }
                other => panic!("{sql}: {other:?}"),
            }
        }
        let e = pg("TRUNCATE t", &reads).unwrap_err().to_string();
        assert!(
            e.starts_with("a TRUNCATE statement cannot be explained"),
            "{e}"
        );
        let e = pg("'hunter2'", &reads).unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
        let e = pg("EXPLAIN SELECT 1", &reads).unwrap_err().to_string();
        assert!(e.contains("without EXPLAIN"), "{e}");
        for (sql, statement) in [
            ("DELETE FROM t", "DELETE"),
            ("update t set a = 1", "UPDATE"),
            ("INSERT INTO t VALUES (1)", "INSERT"),
            (
                "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE",
                "MERGE",
            ),
            ("SELECT * INTO new_table FROM t", "SELECT … INTO"),
            (
                "WITH x AS (SELECT 1) SELECT * INTO n FROM x",
                "SELECT … INTO",
            ),
        ] {
            assert!(
                matches!(pg(sql, &reads), Err(ExplainError::WritesNeedAllowWrites { statement: s }) if s == statement),
                "{sql}"
            );
            pg(sql, &writes).unwrap();
        }
        for (sql, function) in [
            ("SELECT pg_terminate_backend(42)", "pg_terminate_backend"),
            (
                "SELECT 1 FROM pg_catalog.pg_cancel_backend /* c */ (42)",
                "pg_cancel_backend",
            ),
            ("SELECT \"pg_reload_conf\"()", "pg_reload_conf"),
            (
                "SELECT query_to_xml('SELECT 1', true, true, '')",
                "query_to_xml",
            ),
        ] {
            assert!(
                matches!(pg(sql, &writes), Err(ExplainError::SideEffects { function: f }) if f == function),
                "{sql}"
            );
        }
        // The name inside a string is not a call.
        pg("SELECT 'pg_terminate_backend(1)'", &reads).unwrap();
        assert!(matches!(
            pg("SELECT $1", &reads),
            Err(ExplainError::Placeholders)
        ));
        assert!(matches!(
            pg("SELECT 1; DELETE FROM t", &writes),
            Err(ExplainError::Sql(SplitError::SeveralStatements { .. }))
        ));

        for ok in [
            "SELECT ?",
            "DELETE FROM t",
            "REPLACE INTO t VALUES (1)",
            "WITH x AS (SELECT 1) SELECT * FROM x",
        ] {
            lite(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for sql in [
            "PRAGMA query_only = 0",
            "ATTACH 'x.db' AS x",
            "DROP TABLE t",
            "VACUUM",
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END",
            "BEGIN",
        ] {
            assert!(
                matches!(lite(sql), Err(ExplainError::NotExplainable { accepted, .. }) if accepted == SQLITE_ACCEPTS),
                "{sql}"
            );
        }
    }

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

    #[test]
    fn timeout_messages_say_which_limit_fired() {
        for (limit, words) in [
            (Limit::Statement, "statement_timeout"),
            (Limit::Lock, "lock_timeout"),
            (Limit::Busy, "busy timeout"),
            (Limit::Client, "no answer"),
        ] {
            let e = ExplainError::Timeout {
                limit,
                after: Duration::from_secs(2),
            }
            .to_string();
            assert!(e.contains(words) && e.contains("2 s"), "{e}");
        }
    }
}
