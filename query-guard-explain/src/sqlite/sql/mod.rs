//! # What a statement says about its tables
//!
//! SQLite plans do not print filters, so the SQLite rules read the statement (when they are given
//! it) to name the columns an index should hold. [`analyse`](walk::analyse) parses it with
//! sqlparser's SQLite dialect and records, for every table reference (by the name SQLite's plan
//! prints: the alias when there is one, else the table), the columns its `WHERE` and `ON`
//! predicates compare with a constant (equality, then ranges) or with another table's column
//! (joins), and, for every `SELECT`, its `ORDER BY`, `GROUP BY` and `DISTINCT` columns.
//!
//! Only literal-free facts are kept: table and column names, never values. Columns without a
//! qualifier are resolved only in a `SELECT` with one table; `OR` branches are skipped (no single
//! index serves them). The walk uses an explicit stack, and statements longer than
//! [`MAX_SQL_LEN`](walk::MAX_SQL_LEN) or with more than [`MAX_OPERATORS`](walk::MAX_OPERATORS)
//! operators are not parsed, so deep or huge statements cost no stack. A statement sqlparser's
//! SQLite dialect rejects is tried with its PostgreSQL dialect (which reads `WITH x AS MATERIALIZED
//! (…)`); one neither reads gives `None`, and the rules then judge the plan alone.

mod statement;
mod walk;

pub(crate) use statement::{Clause, Predicates};
pub(crate) use walk::analyse;
