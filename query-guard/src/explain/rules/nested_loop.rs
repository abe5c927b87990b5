//! # `nested-loop` (being written)

use super::{Context, Rule};
use crate::explain::finding::Finding;
use crate::explain::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "nested-loop",
    engine: Engine::Postgres,
    summary: "nested-loop",
    check,
};

fn check(_cx: &Context<'_>) -> Vec<Finding> {
    Vec::new()
}
