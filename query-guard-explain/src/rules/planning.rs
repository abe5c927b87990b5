//! # `planning`: planning takes longer than execution
//!
//! **What it finds**: a plan whose `Planning Time` is at least [`MIN_MS`] and at least as long
//! as its `Execution Time`.
//!
//! **Why it matters**: every execution of an unprepared statement pays the planning again. Many
//! joins (more than `join_collapse_limit`), many partitions, or many indexes make planning
//! expensive; for a statement that then runs in a millisecond, planning is most of the cost.
//!
//! **How to fix it**: run the statement as a prepared statement (sqlx prepares and caches them
//! per connection by default; PostgreSQL switches to a generic plan after five executions), cut
//! partitions the statement cannot prune at plan time, drop unused indexes, or lower
//! `join_collapse_limit` / `from_collapse_limit` for queries with many joins.
//!
//! **Severity**: by the planning time itself, as the rule only fires when it is at least half
//! of the total: 50 ms or more is high, 10 ms or more medium, less is low.

use super::context::{Context, Rule};
use super::{ms, pct};
use crate::finding::{Finding, Severity};
use crate::model::Engine;

/// Milliseconds of planning from which it is reported.
pub(super) const MIN_MS: f64 = 1.0;

pub(super) const RULE: Rule = Rule {
    id: "planning",
    engine: Engine::Postgres,
    summary: "planning taking longer than execution",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let (Some(planning), Some(execution)) = (cx.plan.planning_ms, cx.plan.execution_ms) else {
        return Vec::new();
    };
    if planning < MIN_MS || planning < execution {
        return Vec::new();
    }
    let share = planning / (planning + execution);
    let relations = cx
        .plan
        .nodes
        .iter()
        .filter(|n| n.relation.is_some())
        .count();
    vec![Finding {
        rule: RULE.id,
        severity: if planning >= 50.0 {
            Severity::High
        } else if planning >= 10.0 {
            Severity::Medium
        } else {
            Severity::Low
        },
        node: None,
        target: "Planning".to_owned(),
        title: format!(
            "Planning took {} and execution {} ({} of the total)",
            ms(planning),
            ms(execution),
            pct(share)
        ),
        detail: format!(
            "The plan reads {relations} relations; planning cost is paid on every unprepared run."
        ),
        fix: "Run it as a prepared statement (sqlx caches them per connection), prune \
              partitions at plan time, drop unused indexes, or lower join_collapse_limit for \
              many-join queries."
            .to_owned(),
        cost_ms: Some(planning),
        share: Some(share),
    }]
}
