//! # SQLite: a correlated subquery run once per outer row
//!
//! (Being written.)

use super::{Context, Rule};
use crate::explain::finding::Finding;
use crate::explain::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "sqlite-correlated-subquery",
    engine: Engine::Sqlite,
    summary: "SQLite: a correlated subquery run once per outer row",
    check,
};

fn check(_cx: &Context<'_>) -> Vec<Finding> {
    Vec::new()
}
