//! Which statements a budget counts: the application's reads and writes, not transaction control
//! nor the driver's own look-ups.
//!
//! | class | what | counted by default |
//! |---|---|---|
//! | read | `SELECT`, `WITH … SELECT`, `VALUES`, `SHOW`, `EXPLAIN` | yes |
//! | write | everything else the application runs (`INSERT`, `UPDATE`, `DELETE`, DDL, `CALL`, `SET LOCAL`, …) | yes |
//! | transaction | `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`, `RELEASE` | no |
//! | internal | PostgreSQL catalog look-ups sqlx makes (`pg_catalog.*`, `$1::regtype::oid`), the `_sqlx_migrations` table, and connection set-up (`SET` of session settings, `PRAGMA`), and query-guard's own `explain_analyze` statements (tagged `/*query_guard='explain'*/`) | no |
//! | ignored | statements matching an `ignore` pattern of `query-guard.toml` | never |
//!
//! Internal statements run once per connection (or per new type), so whether a scope sees them
//! depends on whether the pool happened to open a connection inside it: counting them makes
//! budgets flake.

use crate::fingerprint::{Fingerprint, StatementKind};

/// How a budget treats a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// A read, counted.
    Read,
    /// A write, counted.
    Write,
    /// Transaction control, not counted by default.
    Transaction,
    /// The driver's own look-up or connection set-up, not counted by default.
    Internal,
    /// Matched an `ignore` pattern of `query-guard.toml`: never counted, never a finding.
    Ignored,
}

impl Class {
    /// Whether a budget with these settings counts this class.
    pub fn counted(self, budget: &crate::Budget) -> bool {
        match self {
            Class::Read | Class::Write => true,
            Class::Transaction => budget.counts_transactions(),
            Class::Internal => budget.counts_internal(),
            Class::Ignored => false,
        }
    }

    /// `read`, `write`, `transaction`, `internal` or `ignored`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Read => "read",
            Class::Write => "write",
            Class::Transaction => "transaction",
            Class::Internal => "internal",
            Class::Ignored => "ignored",
        }
    }
}

/// The first two words of normalised SQL (comments are already gone).
fn first_words(sql: &str) -> (&str, &str) {
    let mut words = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty());
    (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    )
}

/// Case-insensitive `contains` without allocating.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Classifies a fingerprinted statement. Depends on the fingerprint only, so callers may cache
/// the result per fingerprint.
pub(crate) fn classify(fp: &Fingerprint) -> Class {
    if fp.kind == StatementKind::Transaction {
        return Class::Transaction;
    }
    let internal_table = fp.tables.iter().any(|t| {
        t.starts_with("pg_catalog.")
            || t.starts_with("information_schema.")
            || t == "_sqlx_migrations"
            || t.ends_with("._sqlx_migrations")
    });
    let sql = fp.normalized.as_str();
    // query-guard's own `explain_analyze` statements.
    let ours = fp
        .tags
        .iter()
        .any(|(k, v)| k == "query_guard" && v == "explain");
    if internal_table
        || ours
        || contains_ignore_case(sql, "::regtype")
        || contains_ignore_case(sql, "_sqlx_migrations")
    {
        return Class::Internal;
    }
    let (first, second) = first_words(sql);
    let is = |word: &str, kw: &str| word.eq_ignore_ascii_case(kw);
    if is(first, "PRAGMA") {
        return Class::Internal;
    }
    // Session set-up; `SET LOCAL` (one transaction) is the application's own.
    if is(first, "SET") && !is(second, "LOCAL") && !is(second, "TRANSACTION") {
        return Class::Internal;
    }
    match fp.kind {
        StatementKind::Select => Class::Read,
        StatementKind::Other
            if ["SHOW", "EXPLAIN", "VALUES", "TABLE", "DESCRIBE", "DESC"]
                .iter()
                .any(|kw| is(first, kw)) =>
        {
            Class::Read
        }
        _ => Class::Write,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::{Dialect, fingerprint};

    fn class(sql: &str) -> Class {
        classify(&fingerprint(sql, Dialect::Generic))
    }

    #[test]
    fn reads_writes_and_the_rest() {
        assert_eq!(class("SELECT id FROM posts WHERE id = $1"), Class::Read);
        assert_eq!(class("select 1"), Class::Read);
        assert_eq!(class("INSERT INTO posts (title) VALUES ($1)"), Class::Write);
        assert_eq!(class("UPDATE posts SET title = $1"), Class::Write);
        assert_eq!(class("DELETE FROM posts"), Class::Write);
        assert_eq!(class("CREATE TABLE t (id INT)"), Class::Write);
        assert_eq!(class("BEGIN"), Class::Transaction);
        assert_eq!(class("COMMIT"), Class::Transaction);
        assert_eq!(class("ROLLBACK TO SAVEPOINT sp1"), Class::Transaction);
        assert_eq!(class("SAVEPOINT _sqlx_savepoint_1"), Class::Transaction);
        assert_eq!(class("RELEASE SAVEPOINT sp1"), Class::Transaction);
        assert_eq!(class("START TRANSACTION"), Class::Transaction);
    }

    #[test]
    fn driver_internals() {
        assert_eq!(class("SELECT $1::regtype::oid"), Class::Internal);
        assert_eq!(
            class("SELECT typname, typtype FROM pg_catalog.pg_type WHERE oid = $1"),
            Class::Internal
        );
        assert_eq!(
            class("SELECT version FROM _sqlx_migrations ORDER BY version"),
            Class::Internal
        );
        assert_eq!(class("PRAGMA foreign_keys = ON"), Class::Internal);
        assert_eq!(
            class("/*query_guard='explain'*/ EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1"),
            Class::Internal
        );
        assert_eq!(class("EXPLAIN SELECT 1"), Class::Read);
        assert_eq!(
            class("SET sql_mode=(SELECT CONCAT(@@sql_mode, ',PIPES_AS_CONCAT'))"),
            Class::Internal
        );
        assert_eq!(class("SET LOCAL statement_timeout = 1000"), Class::Write);
        assert_eq!(class("SELECT * FROM pg_type_alias"), Class::Read);
    }
}
