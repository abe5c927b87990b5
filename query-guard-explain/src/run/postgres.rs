//! The PostgreSQL runner: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` in a transaction that is
//! rolled back, on a connection that is closed afterwards.

use std::future::Future;

use sqlx::postgres::{PgDatabaseError, PgErrorPosition};
use sqlx::{AssertSqlSafe, PgPool, Row};

use super::check::check;
use super::deadline::bounded;
use super::error::{DatabaseError, ExplainError, Limit};
use super::explain_analyze::{ExplainTarget, sealed};
use super::options::{ExplainOptions, millis};
use crate::explained::Explained;
use crate::model::Engine;
use crate::split::Statement;

/// The tag that marks query-guard's own EXPLAIN statements (see the `classify` module of the
/// query-guard crate). SQLite's are prepared through the C API, which sqlx does not log.
const TAG: &str = "/*query_guard='explain'*/ ";

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
    let plan = crate::pg_json::parse(&json)?;
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
