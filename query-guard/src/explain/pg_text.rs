//! # PostgreSQL text-format plans
//!
//! (Being written: see the helper's branch.)

use super::error::PlanError;
use super::input::Line;
use super::model::Plan;

/// Parses a text plan.
pub(crate) fn parse(lines: &[Line]) -> Result<Plan, PlanError> {
    Err(PlanError::NotAPlan {
        line: lines.first().map_or(1, |l| l.no),
    })
}
