//! # `misestimate`: the planner's row estimate is off by 10x or more
//!
//! **What it finds**: a node whose actual rows per loop differ from the estimate by a factor of
//! at least 10 (low), 100 (medium) or 1,000 (high), in either direction. Only the node where a
//! misestimate starts is reported (not every node above it that inherits it), only when the
//! difference is at least [`MIN_ROWS_OFF`] rows, and not for over-estimates below a `Limit`
//! (a node that stops early returns fewer rows than planned by design).
//!
//! **Why it matters**: the planner picks join methods, join order, memory and parallelism from
//! row estimates. A node estimated at 1 row that returns 50,000 makes a nested loop look cheap;
//! an overestimate makes a hash join or a full scan look necessary.
//!
//! **How to fix it**: `ANALYZE` the table (statistics may be stale after a bulk load); for
//! filters on correlated columns, extended statistics (`CREATE STATISTICS … (dependencies, mcv)
//! ON a, b FROM t`); for skewed columns, a higher statistics target (`ALTER TABLE t ALTER COLUMN
//! c SET STATISTICS 1000`); for functions, the function's `ROWS` estimate.
//!
//! **Severity**: by the factor, as above; silent when the node and its parent together take
//! under 5% of the statement's time.

use super::context::{Context, Rule};
use super::count;
use crate::finding::{Finding, Severity};
use crate::mask::filter_columns;
use crate::model::{Engine, quote_ident};

/// Rows (per loop, times loops) by which the estimate must be off.
pub(super) const MIN_ROWS_OFF: f64 = 100.0;

pub(super) const RULE: Rule = Rule {
    id: "misestimate",
    engine: Engine::Postgres,
    summary: "a row estimate off by 10x or more (100x, 1000x: more severe)",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        let m = &cx.metrics[node.id];
        let (Some(factor), Some(est), Some(actual)) =
            (m.estimate_factor, node.estimate, node.actual)
        else {
            continue;
        };
        if factor < 10.0 || (actual.rows - est.rows).abs() * actual.loops < MIN_ROWS_OFF {
            continue;
        }
        // Below a Limit, returning fewer rows than estimated is the point.
        if !m.underestimate && cx.plan.ancestors(node).any(|a| a.kind == "Limit") {
            continue;
        }
        // Only where it starts: a child off in the same direction by 10x already explains it.
        let inherited = cx.plan.children(node).any(|c| {
            let cm = &cx.metrics[c.id];
            cm.estimate_factor.is_some_and(|f| f >= 10.0) && cm.underestimate == m.underestimate
        });
        if inherited {
            continue;
        }
        // Hash, Materialize and Memoize pass their child's rows on.
        if matches!(
            node.kind.as_str(),
            "Hash" | "Materialize" | "Memoize" | "Gather"
        ) {
            continue;
        }
        let parent_share = node
            .parent
            .and_then(|p| cx.share_of(cx.metrics[p].inclusive_ms));
        let own_share = cx.share_of(m.inclusive_ms);
        if let (Some(a), b) = (own_share, parent_share)
            && a.max(b.unwrap_or(0.0)) < super::context::MIN_SHARE
        {
            continue;
        }
        let severity = if factor >= 1000.0 {
            Severity::High
        } else if factor >= 100.0 {
            Severity::Medium
        } else {
            Severity::Low
        };
        let table = node.relation.as_deref().map(quote_ident);
        let cols: Vec<String> = node
            .conditions
            .iter()
            .filter(|c| matches!(c.kind.as_str(), "Filter" | "Index Cond" | "Recheck Cond"))
            .flat_map(|c| filter_columns(&c.expr).index_columns())
            .map(|c| quote_ident(&c))
            .fold(Vec::new(), |mut acc, c| {
                if !acc.contains(&c) {
                    acc.push(c);
                }
                acc
            });
        let fix = match (&table, cols.len()) {
            (Some(t), n) if n >= 2 => format!(
                "ANALYZE {t}; if the estimate stays off, the filtered columns are correlated: \
                 CREATE STATISTICS ON {} FROM {t}; ANALYZE {t};",
                cols.join(", ")
            ),
            (Some(t), 1) => format!(
                "ANALYZE {t}; if it stays off, raise the column's statistics target: ALTER \
                 TABLE {t} ALTER COLUMN {} SET STATISTICS 1000; ANALYZE {t};",
                cols[0]
            ),
            (Some(t), _) => format!(
                "ANALYZE {t}; (the statistics look stale: check autovacuum/autoanalyze on it)"
            ),
            (None, _) => "ANALYZE the tables below this node; for joins on correlated columns, \
                          CREATE STATISTICS on them; check the join condition's types match."
                .to_owned(),
        };
        let direction = if m.underestimate { "under" } else { "over" };
        out.push(cx.node_finding(
            RULE.id,
            node,
            severity,
            format!(
                "{} estimated {} rows, got {} ({}estimate by {}x)",
                node.label(),
                count(est.rows),
                count(actual.rows),
                direction,
                count(factor.round())
            ),
            format!(
                "Plans above this node were chosen for {} rows per loop{}.",
                count(est.rows),
                if actual.loops > 1.0 {
                    format!(" ({} loops)", count(actual.loops))
                } else {
                    String::new()
                }
            ),
            fix,
        ));
    }
    out
}
