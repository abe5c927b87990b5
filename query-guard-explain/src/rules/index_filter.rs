//! # `index-filter`: an index scan whose filter throws away most of what the index found
//!
//! **What it finds**: an `Index Scan`, `Index Only Scan` or `Bitmap Heap Scan` whose `Filter`
//! removes at least [`MIN_REMOVED`] rows over all loops and at least [`MIN_REMOVED_SHARE`] of
//! the rows the index returned.
//!
//! **Why it matters**: the index narrows the search on some columns, but every row it returns
//! must still be fetched from the table and tested against the rest of the `WHERE`; most are
//! thrown away. The work is proportional to the rows the index matched, not to the result.
//!
//! **How to fix it**: put the filtered columns in the index too (a composite index, equality
//! columns first), or a partial index when the filter keeps a fixed subset. The finding lists
//! the index condition's columns followed by the filter's.
//!
//! **Severity**: by the node's share of the statement's time; silent under 5%.

use super::context::{Context, Rule};
use super::{count, pct};
use crate::finding::{Finding, Severity};
use crate::mask::filter_columns;
use crate::model::{Engine, quote_ident};

/// Rows the filter must remove (all loops).
pub(super) const MIN_REMOVED: f64 = 1_000.0;
/// Share of the index's rows the filter must remove.
pub(super) const MIN_REMOVED_SHARE: f64 = 0.5;

pub(super) const RULE: Rule = Rule {
    id: "index-filter",
    engine: Engine::Postgres,
    summary: "an index scan whose filter throws away most of the rows the index found",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        if !matches!(
            node.kind.as_str(),
            "Index Scan" | "Index Only Scan" | "Bitmap Heap Scan"
        ) {
            continue;
        }
        let m = &cx.metrics[node.id];
        let (Some(removed), Some(kept), Some(filter)) = (
            node.rows_removed_by_filter
                .map(|r| r * node.loops().unwrap_or(1.0)),
            m.rows_total,
            node.condition("Filter"),
        ) else {
            continue;
        };
        let share = if removed + kept > 0.0 {
            removed / (removed + kept)
        } else {
            0.0
        };
        if removed < MIN_REMOVED || share < MIN_REMOVED_SHARE || !cx.matters(node) {
            continue;
        }
        let table = node.relation.clone().unwrap_or_default();
        let index_cols = node
            .condition("Index Cond")
            .or(node.condition("Recheck Cond"))
            .map(|c| filter_columns(c).index_columns())
            .unwrap_or_default();
        let mut cols = index_cols.clone();
        for c in filter_columns(filter).index_columns() {
            if !cols.contains(&c) {
                cols.push(c);
            }
        }
        let via = node
            .index
            .as_deref()
            .map(|i| format!(" via {i}"))
            .unwrap_or_default();
        let fix = if cols.len() > index_cols.len() {
            format!(
                "CREATE INDEX ON {} ({}); so the index answers the filter too (or a partial \
                 index if the filter keeps a fixed subset)",
                quote_ident(&table),
                cols.iter()
                    .map(|c| quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            format!("Extend the index{via} with what the filter tests, or a partial index.")
        };
        out.push(
            cx.node_finding(
                RULE.id,
                node,
                Severity::from_share(cx.share_of(m.exclusive_ms)),
                format!(
                    "{} on {table} fetches {} rows{via} and its filter discards {} ({})",
                    node.kind,
                    count(removed + kept),
                    count(removed),
                    pct(share)
                ),
                "The index finds rows by part of the condition; each is fetched and then rejected \
             by the rest."
                    .to_owned(),
                fix,
            ),
        );
    }
    out
}
