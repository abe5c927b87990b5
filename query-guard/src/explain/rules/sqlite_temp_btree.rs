//! # SQLite: a temporary b-tree to sort, group or deduplicate
//!
//! (Being written.)

use super::{Context, Rule};
use crate::explain::finding::Finding;
use crate::explain::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "sqlite-temp-btree",
    engine: Engine::Sqlite,
    summary: "SQLite: a temporary b-tree to sort, group or deduplicate",
    check,
};

fn check(_cx: &Context<'_>) -> Vec<Finding> {
    Vec::new()
}
