//! # Running the EXPLAIN
//!
//! [`explain_analyze`] runs a statement's plan on a sqlx pool and analyses it:
//!
//! - PostgreSQL (`postgres` feature): `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`, which executes
//!   the statement;
//! - SQLite (`sqlite` feature): `EXPLAIN QUERY PLAN`, which does not.
//!
//! Either way it runs inside a transaction that is always rolled back, so an `UPDATE`, `DELETE`
//! or `INSERT` changes nothing (sequences still advance: `nextval` is not transactional). The
//! statement is sent as one prepared statement, so a second statement after a `;` is refused
//! by the server rather than run. It carries the sqlcommenter tag `query_guard='explain'`, so a
//! query-guard scope around the call counts it as internal, not against the budget.
//!
//! ```no_run
//! # async fn demo(pool: sqlx::PgPool) -> Result<(), query_guard::explain::ExplainError> {
//! use query_guard::explain::{explain_analyze, Severity};
//! let explained = explain_analyze(&pool, "SELECT * FROM orders WHERE customer_id = 42").await?;
//! explained
//!     .assert_no_seq_scan("orders")
//!     .assert_no_finding_above(Severity::Low);
//! # Ok(()) }
//! ```

use std::future::Future;

use super::{Explained, PlanError};

/// The tag that marks query-guard's own EXPLAIN statements (see [`crate::classify`]).
pub(crate) const TAG: &str = "/*query_guard='explain'*/ ";

/// Why [`explain_analyze`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExplainError {
    /// The statement has bind placeholders (`$1`): PostgreSQL's EXPLAIN ANALYZE runs it, so it
    /// needs values (SQLite's EXPLAIN QUERY PLAN does not).
    #[error(
        "the statement has bind placeholders ($1): EXPLAIN ANALYZE runs it, so write the values \
         into the SQL"
    )]
    Placeholders,
    /// The database refused the statement or the connection failed.
    #[error("the database refused the EXPLAIN: {0}")]
    Database(#[source] sqlx::Error),
    /// The plan the database returned could not be read (a bug: please report it).
    #[error("the plan the database returned could not be read: {0}")]
    Plan(#[from] PlanError),
}

impl From<sqlx::Error> for ExplainError {
    fn from(e: sqlx::Error) -> Self {
        // 42P02: "there is no parameter $1" (a placeholder the check above did not see).
        if let sqlx::Error::Database(db) = &e
            && db.code().as_deref() == Some("42P02")
        {
            return ExplainError::Placeholders;
        }
        ExplainError::Database(e)
    }
}

/// A pool [`explain_analyze`] can run on: `sqlx::PgPool` (feature `postgres`) and
/// `sqlx::SqlitePool` (feature `sqlite`).
pub trait ExplainTarget {
    /// Runs the EXPLAIN for `sql` in a rolled-back transaction and analyses the plan.
    fn explain(&self, sql: &str) -> impl Future<Output = Result<Explained, ExplainError>> + Send;
}

/// Runs `sql`'s plan on `pool` inside a transaction that is rolled back, and analyses it.
///
/// On PostgreSQL this executes the statement (`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`), so the
/// figures are real; on SQLite it asks for `EXPLAIN QUERY PLAN`. See the [module docs](self).
pub async fn explain_analyze<P: ExplainTarget + ?Sized>(
    pool: &P,
    sql: &str,
) -> Result<Explained, ExplainError> {
    pool.explain(sql).await
}

fn statement(sql: &str) -> &str {
    sql.trim().trim_end_matches(';').trim_end()
}

#[cfg(feature = "postgres")]
impl ExplainTarget for sqlx::PgPool {
    fn explain(&self, sql: &str) -> impl Future<Output = Result<Explained, ExplainError>> + Send {
        let sql = statement(sql).to_owned();
        async move {
            use sqlx::Row;
            if crate::fingerprint::has_bind_placeholders(
                &sql,
                crate::fingerprint::Dialect::Postgres,
            ) {
                return Err(ExplainError::Placeholders);
            }
            let mut tx = self.begin().await?;
            let explain = format!("{TAG}EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}");
            let result = sqlx::query(sqlx::AssertSqlSafe(explain))
                .persistent(false)
                .fetch_one(&mut *tx)
                .await;
            // Roll back before anything else, whatever happened.
            let rolled_back = tx.rollback().await;
            let row = result?;
            rolled_back?;
            // `json` travels as its text, in binary format too.
            let json: String = row.try_get_unchecked(0)?;
            let plan = super::pg_json::parse(&json)?;
            Ok(Explained::new(plan, Some(&sql)))
        }
    }
}

#[cfg(feature = "sqlite")]
impl ExplainTarget for sqlx::SqlitePool {
    fn explain(&self, sql: &str) -> impl Future<Output = Result<Explained, ExplainError>> + Send {
        let sql = statement(sql).to_owned();
        async move {
            use sqlx::Row;
            let mut tx = self.begin().await?;
            let explain = format!("{TAG}EXPLAIN QUERY PLAN {sql}");
            let result = sqlx::query(sqlx::AssertSqlSafe(explain))
                .persistent(false)
                .fetch_all(&mut *tx)
                .await;
            let rolled_back = tx.rollback().await;
            let rows = result?;
            rolled_back?;
            let mut text = String::from("id|parent|notused|detail\n");
            for row in rows {
                let id: i64 = row.try_get(0)?;
                let parent: i64 = row.try_get(1)?;
                let detail: String = row.try_get(3)?;
                text.push_str(&format!("{id}|{parent}|0|{}\n", detail.replace('\n', " ")));
            }
            let plan = super::parse(&text)?;
            Ok(Explained::new(plan, Some(&sql)))
        }
    }
}
