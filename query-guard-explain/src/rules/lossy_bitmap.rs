//! # `lossy-bitmap`: a bitmap heap scan that went lossy
//!
//! **What it finds**: a `Bitmap Heap Scan` with lossy heap blocks (`Heap Blocks: exact=…
//! lossy=…`).
//!
//! **Why it matters**: the bitmap of matching rows did not fit in `work_mem`, so PostgreSQL
//! kept only which pages match, not which rows: every row of a lossy page is read and the
//! condition checked again (`Rows Removed by Index Recheck`).
//!
//! **How to fix it**: raise `work_mem` for the statement, or make the condition more selective
//! (an index that matches fewer rows, or a composite index).
//!
//! **Severity**: low, medium when lossy blocks are most of the blocks, by share of time beyond
//! that; silent under 5% of the statement's time.

use super::context::{Context, Rule};
use super::count;
use crate::finding::{Finding, Severity};
use crate::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "lossy-bitmap",
    engine: Engine::Postgres,
    summary: "a bitmap heap scan whose bitmap went lossy (work_mem too small)",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        let Some(lossy) = node.lossy_heap_blocks.filter(|l| *l > 0.0) else {
            continue;
        };
        if !cx.matters(node) {
            continue;
        }
        let exact = node.exact_heap_blocks.unwrap_or(0.0);
        let mostly = lossy >= exact;
        let m = &cx.metrics[node.id];
        let severity = Severity::from_share(cx.share_of(m.exclusive_ms)).max(if mostly {
            Severity::Medium
        } else {
            Severity::Low
        });
        let recheck = node
            .rows_removed_by_recheck
            .filter(|r| *r > 0.0)
            .map(|r| {
                format!(
                    "; the recheck removed {} rows",
                    count(r * node.loops().unwrap_or(1.0))
                )
            })
            .unwrap_or_default();
        out.push(cx.node_finding(
            RULE.id,
            node,
            severity,
            format!(
                "Bitmap Heap Scan on {} read {} lossy blocks ({} exact){recheck}",
                node.relation.as_deref().unwrap_or("?"),
                count(lossy),
                count(exact)
            ),
            "The bitmap did not fit in work_mem: for lossy pages every row is read and checked \
             again."
                .to_owned(),
            "Raise work_mem for this statement (SET LOCAL work_mem), or make the index \
             condition more selective."
                .to_owned(),
        ));
    }
    out
}
