//! # Errors reading a plan
//!
//! Every error names where (line and column of the input, 1-based) and what was expected. None
//! quotes the input: plans hold literal values from the statement, and those can be secrets.

/// Why a plan could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// Nothing but blank lines (or a psql header and footer) was given.
    #[error(
        "the input holds no plan: expected PostgreSQL EXPLAIN output (text or FORMAT JSON) or \
         SQLite EXPLAIN QUERY PLAN output"
    )]
    Empty,
    /// The input is not any plan format query-guard reads.
    #[error(
        "line {line}: not a plan: expected PostgreSQL EXPLAIN output (a node line such as \
         `Seq Scan on t  (cost=…)`, or FORMAT JSON starting with `[` or `{{`) or SQLite \
         EXPLAIN QUERY PLAN output (`QUERY PLAN` with `|--` lines, or id|parent|notused|detail rows)"
    )]
    NotAPlan {
        /// The first line that is not a plan.
        line: usize,
    },
    /// The input is a plan, but broken or cut short at this place.
    #[error("line {line}, column {column}: {expected}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What was expected there.
        expected: String,
    },
}

impl PlanError {
    pub(crate) fn syntax(line: usize, column: usize, expected: impl Into<String>) -> Self {
        PlanError::Syntax {
            line,
            column,
            expected: expected.into(),
        }
    }
}
