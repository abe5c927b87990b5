//! # SQLite `EXPLAIN QUERY PLAN`
//!
//! (Being written: see the helper's branch.)

use super::error::PlanError;
use super::input::Line;
use super::model::Plan;

/// Parses the sqlite3 shell's tree.
pub(crate) fn parse_tree(lines: &[Line]) -> Result<Plan, PlanError> {
    Err(PlanError::NotAPlan {
        line: lines.first().map_or(1, |l| l.no),
    })
}

/// Parses id|parent|notused|detail rows.
pub(crate) fn parse_rows(lines: &[Line]) -> Result<Plan, PlanError> {
    Err(PlanError::NotAPlan {
        line: lines.first().map_or(1, |l| l.no),
    })
}
