//! Why a live EXPLAIN failed: [`ExplainError`], the database's refusal with its values masked
//! ([`DatabaseError`]), and the limit that stopped it ([`Limit`]).

use std::fmt;
use std::time::Duration;

use super::options::human;
use crate::error::PlanError;
use crate::split::{self, SplitError, Statement};

/// Which limit stopped a live EXPLAIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// The statement ran longer than [`ExplainOptions::timeout`](crate::ExplainOptions::timeout)
    /// (PostgreSQL `statement_timeout`).
    Statement,
    /// The statement waited longer than
    /// [`ExplainOptions::lock_timeout`](crate::ExplainOptions::lock_timeout) for a lock (PostgreSQL
    /// `lock_timeout`).
    Lock,
    /// Another connection kept the SQLite database locked longer than
    /// [`ExplainOptions::lock_timeout`](crate::ExplainOptions::lock_timeout) (busy timeout).
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
    pub(super) fn new(raw: &str, code: Option<String>, stmt: &Statement<'_>, sql: &str) -> Self {
        DatabaseError {
            masked: mask_message(raw, stmt.words()),
            raw: raw.to_owned(),
            code,
            location: None,
        }
        .at(None, stmt, sql)
    }

    /// Sets the location from a byte offset into the statement's text.
    pub(super) fn at(mut self, in_text: Option<usize>, stmt: &Statement<'_>, sql: &str) -> Self {
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

/// Why [`explain_analyze`](crate::explain_analyze) failed. Every variant but
/// [`Database`](Self::Database), [`ReadOnly`](Self::ReadOnly), [`Timeout`](Self::Timeout),
/// [`Connection`](Self::Connection) and [`Plan`](Self::Plan) is decided before anything is sent to
/// the database.
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
    /// The statement writes and
    /// [`ExplainOptions::allow_writes`](crate::ExplainOptions::allow_writes) is off: PostgreSQL's
    /// EXPLAIN ANALYZE would execute it. Nothing was sent.
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
fn mask_message(message: &str, names: &[String]) -> String {
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
