//! # `large-offset`: a `LIMIT … OFFSET` that reads and throws away many rows
//!
//! **What it finds**: a `Limit` whose input produced at least [`MIN_SKIPPED`] more rows per
//! loop than it returned (the rows an `OFFSET` skips), and more than it returned.
//!
//! **Why it matters**: `OFFSET n` does not jump: every skipped row is produced (scanned,
//! joined, sorted) and then discarded, so page 1,000 costs a thousand pages. Deep pages of an
//! API or an admin list get slower the further one goes.
//!
//! **How to fix it**: keyset pagination: remember the last row's sort key and ask for
//! `WHERE (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT 20`, with an index
//! on the sort key.
//!
//! **Severity**: by the share of the statement's time spent producing the skipped rows: the
//! time above the first node that reads all its input anyway (a `Sort`, a hash, an aggregate),
//! times the skipped fraction; silent under 5%.

use super::context::{Context, Rule};
use super::count;
use crate::finding::{Finding, Severity};
use crate::model::Engine;

/// Nodes that read all their input before returning a row.
const BLOCKING: &[&str] = &[
    "Sort",
    "Incremental Sort",
    "Aggregate",
    "Hash",
    "Materialize",
    "WindowAgg",
    "SetOp",
];

/// Rows skipped per loop from which the rule reports.
pub(super) const MIN_SKIPPED: f64 = 1_000.0;

pub(super) const RULE: Rule = Rule {
    id: "large-offset",
    engine: Engine::Postgres,
    summary: "a LIMIT with a large OFFSET: rows produced only to be skipped",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        if node.kind != "Limit" {
            continue;
        }
        let Some(child) = cx.plan.children(node).find(|c| c.subplan.is_none()) else {
            continue;
        };
        let (Some(limit), Some(input)) = (node.actual, child.actual) else {
            continue;
        };
        let skipped = input.rows - limit.rows;
        if skipped < MIN_SKIPPED || skipped <= limit.rows || !cx.matters_inclusive(node) {
            continue;
        }
        let m = &cx.metrics[node.id];
        // Skipping costs what runs per row above the first node that must read all its input
        // anyway (a Sort, a hash, an aggregate): that part is done for every skipped row.
        let mut below = child;
        let mut settled = 0.0;
        loop {
            if BLOCKING.contains(&below.kind.as_str()) {
                settled = cx
                    .plan
                    .children(below)
                    .filter(|c| c.subplan.is_none())
                    .filter_map(|c| cx.metrics[c.id].inclusive_ms)
                    .sum();
                break;
            }
            match cx.plan.children(below).find(|c| c.subplan.is_none()) {
                Some(next) => below = next,
                None => break,
            }
        }
        let cost = m
            .inclusive_ms
            .map(|t| (t - settled).max(0.0) * (skipped / input.rows.max(1.0)).min(1.0));
        if cx
            .share_of(cost)
            .is_some_and(|s| s < super::context::MIN_SHARE)
        {
            continue;
        }
        let mut f = cx.node_finding(
            RULE.id,
            node,
            Severity::from_share(cx.share_of(cost)),
            format!(
                "Limit skipped {} rows to return {} (a large OFFSET)",
                count(skipped),
                count(limit.rows)
            ),
            format!(
                "{} produced {} rows; all but the last {} were thrown away.",
                child.label(),
                count(input.rows),
                count(limit.rows)
            ),
            "Use keyset pagination: WHERE (sort_key, id) > ($1, $2) ORDER BY sort_key, id LIMIT n, \
             with an index on (sort_key, id)."
                .to_owned(),
        );
        f.cost_ms = cost;
        f.share = cx.share_of(cost);
        out.push(f);
    }
    out
}
