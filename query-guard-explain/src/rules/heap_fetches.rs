//! # `heap-fetches`: an index-only scan that visits the table anyway
//!
//! **What it finds**: an `Index Only Scan` whose `Heap Fetches` are at least [`MIN_FETCHES`]
//! and at least [`MIN_FETCH_SHARE`] of the rows it returned.
//!
//! **Why it matters**: an index-only scan skips the table only for pages the visibility map
//! marks all-visible. Pages changed since the last `VACUUM` must be read from the table, so the
//! scan does the work of a plain index scan while its cost was estimated as index-only.
//!
//! **How to fix it**: `VACUUM` the table, and make autovacuum run more often on it
//! (`ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01)`, or
//! `autovacuum_vacuum_insert_scale_factor` for insert-mostly tables).
//!
//! **Severity**: medium when most rows needed a heap fetch, low otherwise; by share of time
//! beyond that; silent under 5%.

use super::context::{Context, Rule};
use super::{count, pct};
use crate::finding::{Finding, Severity};
use crate::model::{Engine, quote_ident};

/// Heap fetches from which the rule reports.
pub(super) const MIN_FETCHES: f64 = 1_000.0;
/// Share of returned rows that needed a heap fetch.
pub(super) const MIN_FETCH_SHARE: f64 = 0.1;

pub(super) const RULE: Rule = Rule {
    id: "heap-fetches",
    engine: Engine::Postgres,
    summary: "an index-only scan that fetches many rows from the table (visibility map stale)",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        if node.kind != "Index Only Scan" {
            continue;
        }
        let m = &cx.metrics[node.id];
        let (Some(fetches), Some(rows)) = (node.heap_fetches, m.rows_total) else {
            continue;
        };
        let share = if rows > 0.0 { fetches / rows } else { 1.0 };
        if fetches < MIN_FETCHES || share < MIN_FETCH_SHARE || !cx.matters(node) {
            continue;
        }
        let table = node.relation.clone().unwrap_or_default();
        let severity = Severity::from_share(cx.share_of(m.exclusive_ms)).max(if share >= 0.5 {
            Severity::Medium
        } else {
            Severity::Low
        });
        out.push(cx.node_finding(
            RULE.id,
            node,
            severity,
            format!(
                "Index Only Scan on {table} fetched {} of {} rows from the table ({})",
                count(fetches),
                count(rows),
                pct(share.min(1.0))
            ),
            "Pages changed since the last VACUUM are not all-visible, so their rows are checked \
             in the table."
                .to_owned(),
            format!(
                "VACUUM {t}; and let autovacuum run more often on it (ALTER TABLE {t} SET \
                 (autovacuum_vacuum_scale_factor = 0.01)).",
                t = quote_ident(&table)
            ),
        ));
    }
    out
}
