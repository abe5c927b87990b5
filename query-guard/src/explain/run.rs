//! # Running the EXPLAIN
//!
//! [`explain_analyze`] runs a statement's plan on a sqlx pool and analyses it:
//!
//! - PostgreSQL (`postgres` feature): `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`, which executes
//!   the statement;
//! - SQLite (`sqlite` feature): `EXPLAIN QUERY PLAN`, which does not.
//!
//! Either way it runs inside a transaction that is always rolled back, so an `UPDATE`, `DELETE`
//! or `INSERT` changes nothing (sequences still advance: `nextval` is not transactional). SQL
//! holding more than one statement is refused before anything is sent (SQLite would run every
//! statement of the string, a `COMMIT` included), and the statement is sent as one prepared
//! statement. It carries the sqlcommenter tag `query_guard='explain'`, so a
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
    /// The SQL holds more than one statement: only one is explained, and a second one (a
    /// `COMMIT`, a `DELETE`) would run for real on SQLite, so none is run.
    #[error(
        "the SQL holds more than one statement (a `;` followed by more SQL): give one statement"
    )]
    SeveralStatements,
    /// The database refused the statement or the connection failed. The message shows the
    /// database's error with the values it quotes masked; the source error has them.
    #[error("the database refused the EXPLAIN: {}", mask_error(&.0.to_string()))]
    Database(#[source] sqlx::Error),
    /// The plan the database returned could not be read (a bug: please report it).
    #[error("the plan the database returned could not be read: {0}")]
    Plan(#[from] PlanError),
}

/// A database error message with the values it quotes replaced by `?`: PostgreSQL ends messages
/// about bad input with the value (`invalid input syntax for type integer: "abc"`), SQLite
/// quotes the token a syntax error is near (`near "'secret'": syntax error`).
pub(crate) fn mask_error(message: &str) -> String {
    let mut out = message.to_owned();
    // `…: "value"` at the end of the message.
    if out.ends_with('"')
        && let Some(open) = out[..out.len() - 1].rfind(": \"")
    {
        out.replace_range(open + 3..out.len() - 1, "?");
    }
    // `near "token"` when the token is a literal.
    if let Some(at) = out.find("near \"") {
        let start = at + "near \"".len();
        if let Some(len) = out[start..].find('"') {
            let token = &out[start..start + len];
            if token.starts_with('\'') || token.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                out.replace_range(start..start + len, "?");
            }
        }
    }
    out
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

/// The statement without its final `;`, or an error when more SQL follows a `;`.
fn statement(sql: &str, dialect: crate::fingerprint::Dialect) -> Result<String, ExplainError> {
    use crate::fingerprint::lexer::{TokKind, lex};
    let toks = lex(sql, dialect).toks;
    let last = toks
        .iter()
        .rposition(|t| !(t.kind == TokKind::Punct && t.text == ";"));
    let inner_semicolon = last.is_some_and(|last| {
        toks[..last]
            .iter()
            .any(|t| t.kind == TokKind::Punct && t.text == ";")
    });
    if inner_semicolon {
        return Err(ExplainError::SeveralStatements);
    }
    Ok(sql
        .trim()
        .trim_end_matches(|c: char| c == ';' || c.is_whitespace())
        .to_owned())
}

#[cfg(feature = "postgres")]
impl ExplainTarget for sqlx::PgPool {
    fn explain(&self, sql: &str) -> impl Future<Output = Result<Explained, ExplainError>> + Send {
        let sql = statement(sql, crate::fingerprint::Dialect::Postgres);
        async move {
            use sqlx::Row;
            let sql = sql?;
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
        let sql = statement(sql, crate::fingerprint::Dialect::Sqlite);
        async move {
            use sqlx::Row;
            let sql = sql?;
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

#[cfg(test)]
mod tests {
    use super::{ExplainError, mask_error, statement};
    use crate::fingerprint::Dialect;

    #[test]
    fn one_statement_only() {
        for d in [Dialect::Postgres, Dialect::Sqlite] {
            assert_eq!(statement("SELECT 1;", d).unwrap(), "SELECT 1");
            assert_eq!(statement("  SELECT ';' ; ;\n", d).unwrap(), "SELECT ';'");
            assert_eq!(
                statement("SELECT 1 -- a; comment", d).unwrap(),
                "SELECT 1 -- a; comment"
            );
            for several in [
                "SELECT 1; COMMIT",
                "BEGIN; UPDATE t SET a = 1; COMMIT;",
                "SELECT 1;DELETE FROM t",
            ] {
                assert!(
                    matches!(statement(several, d), Err(ExplainError::SeveralStatements)),
                    "{several}"
                );
            }
        }
    }

    #[test]
    fn database_messages_lose_the_values_they_quote() {
        assert_eq!(
            mask_error(
                "error returned from database: invalid input syntax for type integer: \"hunter2\""
            ),
            "error returned from database: invalid input syntax for type integer: \"?\""
        );
        assert_eq!(
            mask_error("near \"'hunter2'\": syntax error"),
            "near \"?\": syntax error"
        );
        // Names are kept.
        assert_eq!(
            mask_error("relation \"orders\" does not exist"),
            "relation \"orders\" does not exist"
        );
        assert_eq!(
            mask_error("near \"SELEC\": syntax error"),
            "near \"SELEC\": syntax error"
        );
    }
}
