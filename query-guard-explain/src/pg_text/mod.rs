//! # PostgreSQL text-format plans
//!
//! Reads `EXPLAIN` in its default text format, PostgreSQL 12 to 18, into the same [`Plan`] the
//! JSON reader builds for the same plan: node names are split into the JSON parts
//! (`HashAggregate` → `Aggregate` + strategy `Hashed`, `Hash Left Join` → `Hash Join` + join
//! type `Left`), detail lines get their JSON key names, and where the text format leaves out what
//! JSON always prints (zero counts, the alias equal to the table name, …) the JSON value is
//! filled in, each case documented in [`fill_json_defaults`](tree::fill_json_defaults).
//!
//! The reader works line by line, in two linear passes and without recursion:
//!
//! 1. [`join_wrapped`](wrap::join_wrapped) glues lines that a terminal or a mail client wrapped
//!    back onto the line they continue: a line that cannot start anything (a `->` node, a subplan
//!    header, a `Key: value` detail deeper than its node, a `Worker N:` line, a trailer such as
//!    `Planning Time:`) continues the one before it.
//! 2. [`Reader`](tree::Reader) builds the tree: a node at column `c` is the child of the nearest
//!    node above it whose column is less than `c`, kept on a stack of (column, node index).
//!
//! Errors name the line and column and what was expected there, never the text itself.

mod details;
mod label;
mod names;
#[cfg(test)]
mod tests;
mod tree;
mod wrap;

use crate::error::PlanError;
use crate::input::Line;
use crate::model::Plan;
use tree::Reader;
use wrap::join_wrapped;

/// Parses a text plan.
pub(crate) fn parse(lines: &[Line]) -> Result<Plan, PlanError> {
    let logical = join_wrapped(lines);
    let first = logical.first().ok_or(PlanError::Empty)?;
    let mut reader = Reader::new(first.col);
    for line in &logical {
        reader.line(line)?;
    }
    reader.finish(first.no)
}
