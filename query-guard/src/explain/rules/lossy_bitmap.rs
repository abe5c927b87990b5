//! # `lossy-bitmap` (being written)

use super::{Context, Rule};
use crate::explain::finding::Finding;
use crate::explain::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "lossy-bitmap",
    engine: Engine::Postgres,
    summary: "lossy-bitmap",
    check,
};

fn check(_cx: &Context<'_>) -> Vec<Finding> {
    Vec::new()
}
