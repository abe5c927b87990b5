//! # `nested-loop`: a nested loop's inner side or a SubPlan run 1,000 times or more
//!
//! **What it finds**: the N+1 inside SQL: the inner side of a `Nested Loop` that ran at least
//! [`MIN_LOOPS`] times (once per outer row), or a `SubPlan` (a correlated subquery) that ran at
//! least [`MIN_LOOPS`] times (once per row of the node it belongs to). The cost is everything
//! below that node over all its loops.
//!
//! **Why it matters**: each loop is cheap, but their number grows with the outer rows: a
//! statement that loops 1,000 times in a test loops a million times in production. For a
//! nested loop it usually means the planner expected few outer rows (look for a misestimate
//! below it); for a SubPlan, PostgreSQL cannot turn the correlated subquery into a join.
//!
//! **How to fix it**: for a SubPlan, rewrite the correlated subquery as a `JOIN` (with
//! `GROUP BY`) or a `LEFT JOIN LATERAL`, or `EXISTS` as a semi-join; for a nested loop, fix
//! the outer side's estimate (`ANALYZE`, extended statistics) so the planner can pick a hash or
//! merge join, and make sure the inner side is an index lookup.
//!
//! **Severity**: by the looped side's share of the statement's time (half or more is high, a
//! fifth or more medium); silent under 5%.

use super::context::{Context, Rule};
use super::{count, ms};
use crate::finding::{Finding, Severity};
use crate::model::{Engine, SubplanKind};

/// Loops from which the rule reports.
pub(super) const MIN_LOOPS: f64 = 1_000.0;

pub(super) const RULE: Rule = Rule {
    id: "nested-loop",
    engine: Engine::Postgres,
    summary: "a nested loop's inner side or a SubPlan run 1,000 times or more (N+1 inside SQL)",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        let subplan = node
            .subplan
            .as_ref()
            .is_some_and(|s| s.kind == SubplanKind::SubPlan);
        let inner_of_loop = node.parent.is_some_and(|p| {
            let parent = &cx.plan.nodes[p];
            parent.kind == "Nested Loop"
                && cx
                    .plan
                    .children(parent)
                    .filter(|c| c.subplan.is_none())
                    .nth(1)
                    .is_some_and(|inner| inner.id == node.id)
        });
        if !subplan && !inner_of_loop {
            continue;
        }
        let Some(loops) = node.loops().filter(|l| *l >= MIN_LOOPS) else {
            continue;
        };
        if !cx.matters_inclusive(node) {
            continue;
        }
        let m = &cx.metrics[node.id];
        let per_loop = node.actual.and_then(|a| a.total_ms);
        let each = per_loop
            .map(|t| format!(", {} each", ms(t)))
            .unwrap_or_default();
        let (title, detail, fix) = if subplan {
            let name = node
                .subplan
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            (
                format!("{name} ({}) ran {} times{each}", node.label(), count(loops)),
                "A correlated subquery runs once for every row of the node that uses it."
                    .to_owned(),
                "Rewrite the correlated subquery as a JOIN with GROUP BY, a LEFT JOIN LATERAL, or \
                 EXISTS (a semi-join), so it runs once for all rows."
                    .to_owned(),
            )
        } else {
            // Was the number of loops a surprise to the planner?
            let outer = node.parent.and_then(|p| {
                cx.plan
                    .children(&cx.plan.nodes[p])
                    .find(|c| c.subplan.is_none())
                    .and_then(|o| cx.metrics[o.id].estimate_factor.map(|f| (o, f)))
            });
            let fix = match outer {
                Some((o, f)) if f >= 10.0 => format!(
                    "The outer side ({}) returned {}x {} rows than estimated: fix that estimate \
                     (ANALYZE, CREATE STATISTICS) and the planner can pick a hash or merge join.",
                    o.label(),
                    count(f.round()),
                    if cx.metrics[o.id].underestimate {
                        "more"
                    } else {
                        "fewer"
                    }
                ),
                _ => "The planner expected this many loops: compare with a hash join (SET LOCAL \
                      enable_nestloop = off), make the inner side cheaper (an index covering its \
                      columns), or join fewer outer rows."
                    .to_owned(),
            };
            (
                format!(
                    "Nested loop ran its inner side ({}) {} times{each}",
                    node.label(),
                    count(loops)
                ),
                "The inner side runs once per outer row.".to_owned(),
                fix,
            )
        };
        let mut f = cx.node_finding(
            RULE.id,
            node,
            Severity::from_share(cx.share_of(m.inclusive_ms)),
            title,
            detail,
            fix,
        );
        f.cost_ms = m.inclusive_ms;
        f.share = cx.share_of(m.inclusive_ms);
        out.push(f);
    }
    out
}
