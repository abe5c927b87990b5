//! # Reading a plan in any format
//!
//! [`parse`] detects the format ([`input`](crate::input)) and hands the lines to the reader for
//! it: PostgreSQL JSON, PostgreSQL text, or SQLite's tree or rows.

use crate::error::PlanError;
use crate::input::{self, Detected};
use crate::model::Plan;
use crate::{pg_json, pg_text, sqlite};

/// Reads a plan in any format query-guard knows: PostgreSQL `EXPLAIN` in JSON or text (with or
/// without `ANALYZE`, `BUFFERS`, `VERBOSE`, `SETTINGS`, `WAL`, `COSTS`, `TIMING`, from
/// PostgreSQL 12 to 18, as psql prints it or pasted from anywhere), and SQLite
/// `EXPLAIN QUERY PLAN` output (the shell's tree or the raw rows).
pub fn parse(text: &str) -> Result<Plan, PlanError> {
    match input::detect(text)? {
        Detected::Json(json) => pg_json::parse(&json),
        Detected::PgText(lines) => pg_text::parse(&lines),
        Detected::SqliteTree(lines) => sqlite::parse_tree(&lines),
        Detected::SqliteRows(lines) => sqlite::parse_rows(&lines),
    }
}
