//! # `heap-fetches` (being written)

use super::{Context, Rule};
use crate::explain::finding::Finding;
use crate::explain::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "heap-fetches",
    engine: Engine::Postgres,
    summary: "heap-fetches",
    check,
};

fn check(_cx: &Context<'_>) -> Vec<Finding> {
    Vec::new()
}
