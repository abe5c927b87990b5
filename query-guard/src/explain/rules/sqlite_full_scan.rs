//! # SQLite: a full scan of a table the statement filters
//!
//! (Being written.)

use super::{Context, Rule};
use crate::explain::finding::Finding;
use crate::explain::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "sqlite-full-scan",
    engine: Engine::Sqlite,
    summary: "SQLite: a full scan of a table the statement filters",
    check,
};

fn check(_cx: &Context<'_>) -> Vec<Finding> {
    Vec::new()
}
