//! # SQLite: an automatic index built for one statement
//!
//! (Being written.)

use super::{Context, Rule};
use crate::explain::finding::Finding;
use crate::explain::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "sqlite-automatic-index",
    engine: Engine::Sqlite,
    summary: "SQLite: an automatic index built for one statement",
    check,
};

fn check(_cx: &Context<'_>) -> Vec<Finding> {
    Vec::new()
}
