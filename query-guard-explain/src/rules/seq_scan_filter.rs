//! # `seq-scan-filter`: a sequential scan that discards most of a large table
//!
//! **What it finds**: a `Seq Scan` (or `Parallel Seq Scan`) that reads at least
//! [`MIN_INPUT_ROWS`] rows over all its loops and whose `Filter` removes at least
//! [`MIN_REMOVED_SHARE`] of them.
//!
//! **Why it matters**: the scan's time grows with the table, not with the rows the statement
//! wants. It is the most common cause of a statement that was fast in development and slow in
//! production.
//!
//! **How to fix it**: an index on the columns the filter compares, equality columns first, then
//! range columns (the finding names them, and gives the `CREATE INDEX`). When the filter keeps
//! a fixed subset (`status = 'open'`), a partial index (`… WHERE status = 'open'`) is smaller.
//! If an index exists and is not used, compare the estimate with the actual rows: a misestimate
//! makes the planner prefer the scan.
//!
//! **Severity**: by the scan's share of the statement's time (half or more is high, a fifth or
//! more medium); silent under 5%.

use super::context::{Context, Rule};
use super::{count, pct};
use crate::finding::{Finding, Severity};
use crate::mask::filter_columns;
use crate::model::{Engine, quote_ident};

/// Rows read (all loops) from which a scan counts as large.
pub(super) const MIN_INPUT_ROWS: f64 = 10_000.0;
/// Share of the rows read that the filter must remove.
pub(super) const MIN_REMOVED_SHARE: f64 = 0.9;

pub(super) const RULE: Rule = Rule {
    id: "seq-scan-filter",
    engine: Engine::Postgres,
    summary: "a sequential scan that discards most of a large table",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        if node.kind != "Seq Scan" {
            continue;
        }
        let m = &cx.metrics[node.id];
        let (Some(share), Some(removed), Some(kept)) =
            (m.removed_share, m.removed_total, m.rows_total)
        else {
            continue;
        };
        let input = removed + kept;
        if input < MIN_INPUT_ROWS || share < MIN_REMOVED_SHARE || !cx.matters(node) {
            continue;
        }
        let table = node.relation.clone().unwrap_or_default();
        let qualified = match &node.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&table)),
            None => quote_ident(&table),
        };
        let filter = node
            .condition("Filter")
            .map(filter_columns)
            .unwrap_or_default();
        let cols: Vec<String> = filter
            .index_columns()
            .iter()
            .map(|c| quote_ident(c))
            .collect();
        let fix = if cols.is_empty() {
            format!(
                "Index what the filter compares on {table} (an expression index or a partial \
                 index if it tests an expression), or make the filter sargable."
            )
        } else if filter.alternatives {
            format!(
                "{} (the filter ORs its conditions: PostgreSQL combines one index per \
                 alternative with a BitmapOr)",
                cols.iter()
                    .map(|c| format!("CREATE INDEX ON {qualified} ({c});"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        } else {
            format!(
                "CREATE INDEX ON {qualified} ({}); (equality columns first, then ranges; a \
                 partial index if the filter keeps a fixed subset)",
                cols.join(", ")
            )
        };
        let severity = if m.share.is_none() {
            Severity::Medium
        } else {
            Severity::from_share(cx.share_of(m.exclusive_ms))
        };
        out.push(cx.node_finding(
            RULE.id,
            node,
            severity,
            format!(
                "Seq Scan on {table} reads {} rows to keep {} ({} removed by its filter)",
                count(input),
                count(kept),
                pct(share)
            ),
            format!(
                "The filter{} is checked on every row of {table}; no index serves it.",
                if cols.is_empty() {
                    String::new()
                } else {
                    format!(" on {}", cols.join(", "))
                }
            ),
            fix,
        ));
    }
    out
}
