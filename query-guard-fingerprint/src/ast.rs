//! sqlparser's verdict: whether the statement parses in its dialect, and the kind its AST says.
//!
//! sqlparser does not shape the fingerprint (the canonical text comes from the token rules, so a
//! statement gets the same fingerprint whether or not it parses, and sqlparser upgrades cannot
//! move fingerprints). It answers `parsed`; the [`StatementKind`] its AST gives is used by the
//! tests to check the kind read from the tokens.
//!
//! Guards: text longer than [`MAX_PARSE_LEN`] is not parsed (`parsed: false`), nor text with more
//! than [`MAX_PARSE_OPERATORS`] binary operators and set operations: sqlparser builds long
//! `a OR b OR c …` chains as a left-deep tree whose recursive drop would overflow the stack.
//! sqlparser's own recursion limit turns deep nesting into an error rather than a stack overflow,
//! and a panic inside sqlparser is caught and reported as `parsed: false`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use sqlparser::ast::{SetExpr, Statement};
use sqlparser::dialect::{GenericDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::lexer::{Tok, TokKind};
use super::{Dialect, StatementKind};

/// Longest text handed to sqlparser (1 MiB); longer statements get `parsed: false`.
pub const MAX_PARSE_LEN: usize = 1 << 20;

/// Most binary operators (`=`, `AND`, `OR`, `||`, `UNION`, …) in text handed to sqlparser;
/// statements with more get `parsed: false`.
pub const MAX_PARSE_OPERATORS: usize = 1000;

/// Count the tokens that make sqlparser's trees deeper: operators, `AND`/`OR`, set operations.
pub fn operator_count(toks: &[Tok<'_>]) -> usize {
    toks.iter()
        .filter(|t| {
            t.kind == TokKind::Op
                || t.kind == TokKind::Word
                    && [
                        "and",
                        "or",
                        "union",
                        "intersect",
                        "except",
                        "minus",
                        "xor",
                        "not",
                    ]
                    .iter()
                    .any(|w| t.is_word(w))
        })
        .count()
}

/// Parse `sql`; `None` when sqlparser cannot, else the kind of its first statement if the AST
/// tells it (`Some(None)` when the leading keywords should decide).
pub(crate) fn parse(
    sql: &str,
    dialect: Dialect,
    operators: usize,
) -> Option<Option<StatementKind>> {
    if sql.len() > MAX_PARSE_LEN || operators > MAX_PARSE_OPERATORS {
        return None;
    }
    let result = catch_unwind(AssertUnwindSafe(|| match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::MySql => Parser::parse_sql(&MySqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
        Dialect::Generic => Parser::parse_sql(&GenericDialect {}, sql),
    }));
    match result {
        Ok(Ok(stmts)) if !stmts.is_empty() => Some(stmts.first().and_then(statement_kind)),
        _ => None,
    }
}

fn statement_kind(s: &Statement) -> Option<StatementKind> {
    use StatementKind as K;
    Some(match s {
        Statement::Query(q) => match &*q.body {
            SetExpr::Insert(_) => K::Insert,
            SetExpr::Update(_) | SetExpr::Merge(_) => K::Update,
            SetExpr::Delete(_) => K::Delete,
            _ => K::Select,
        },
        Statement::Insert(_) => K::Insert,
        Statement::Update(_) | Statement::Merge(_) => K::Update,
        Statement::Delete(_) | Statement::Truncate(_) => K::Delete,
        Statement::Copy { to, .. } => {
            if *to {
                K::Other
            } else {
                K::Insert
            }
        }
        Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. } => K::Transaction,
        Statement::CreateTable(_)
        | Statement::CreateIndex(_)
        | Statement::CreateView(_)
        | Statement::AlterTable(_)
        | Statement::Drop { .. } => K::Ddl,
        Statement::ShowVariable { .. }
        | Statement::ShowVariables { .. }
        | Statement::ShowTables { .. }
        | Statement::ShowColumns { .. }
        | Statement::ShowCreate { .. }
        | Statement::ShowStatus { .. }
        | Statement::ShowDatabases { .. }
        | Statement::ShowSchemas { .. } => K::Select,
        Statement::Explain { .. } | Statement::ExplainTable { .. } | Statement::Set(_) => K::Other,
        _ => return None,
    })
}
