//! # Plan rules
//!
//! One rule per file, each with its documentation: what it finds, why it matters, how to fix
//! it, and its thresholds. [`ALL`] lists them; their ids are what `--fail-on` and
//! [`Explained::assert_no_finding`](super::Explained::assert_no_finding) take.
//!
//! Every rule stays silent about nodes too small to matter: a node-level finding needs the node
//! (or, for `nested-loop`, `hash-batches`, `workers` and `large-offset`, the node with
//! everything below it) to take at least [`MIN_SHARE`] of the statement's time. Plans without times (no `ANALYZE`, SQLite) are judged
//! on their structure alone.

use super::finding::{Finding, Severity};
use super::metrics::NodeMetrics;
use super::model::{Engine, Node, Plan};

mod hash_batches;
mod heap_fetches;
mod index_filter;
mod jit;
mod large_offset;
mod lossy_bitmap;
mod misestimate;
mod nested_loop;
mod planning;
mod seq_scan_filter;
mod sort_spill;
mod sqlite_automatic_index;
mod sqlite_correlated_subquery;
mod sqlite_full_scan;
mod sqlite_temp_btree;
mod workers;

/// Share of the statement's time below which a node makes no finding (5%).
pub const MIN_SHARE: f64 = 0.05;

/// A rule: its id, the database it applies to and a one-line summary (its module documents the
/// rest).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, kebab-case.
    pub id: &'static str,
    /// The database whose plans it reads.
    pub engine: Engine,
    /// What it finds, in one line.
    pub summary: &'static str,
    pub(crate) check: fn(&Context<'_>) -> Vec<Finding>,
}

/// Every rule, PostgreSQL's first.
pub static ALL: &[Rule] = &[
    seq_scan_filter::RULE,
    index_filter::RULE,
    misestimate::RULE,
    sort_spill::RULE,
    hash_batches::RULE,
    nested_loop::RULE,
    lossy_bitmap::RULE,
    heap_fetches::RULE,
    large_offset::RULE,
    workers::RULE,
    jit::RULE,
    planning::RULE,
    sqlite_full_scan::RULE,
    sqlite_automatic_index::RULE,
    sqlite_correlated_subquery::RULE,
    sqlite_temp_btree::RULE,
];

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}

/// What a rule sees: the plan, its figures, and the statement when it is known.
pub(crate) struct Context<'a> {
    pub plan: &'a Plan,
    pub metrics: &'a [NodeMetrics],
    /// The statement's time in milliseconds, when the plan has times.
    pub total_ms: Option<f64>,
    /// The SQL the plan is for, when known (SQLite rules use it to name filtered columns).
    pub sql: Option<&'a str>,
}

impl<'a> Context<'a> {
    /// `ms` as a share of the statement's time.
    pub fn share_of(&self, ms: Option<f64>) -> Option<f64> {
        match (ms, self.total_ms) {
            (Some(ms), Some(total)) if total > 0.0 => Some((ms / total).min(1.0)),
            _ => None,
        }
    }

    /// Whether the node's own time (or cost share, without times) is large enough to report.
    pub fn matters(&self, node: &Node) -> bool {
        self.metrics[node.id].share.is_none_or(|s| s >= MIN_SHARE)
    }

    /// Whether the node with everything below it is large enough to report.
    pub fn matters_inclusive(&self, node: &Node) -> bool {
        match self.share_of(self.metrics[node.id].inclusive_ms) {
            Some(s) => s >= MIN_SHARE,
            None => self.matters(node) || self.metrics[node.id].inclusive_ms.is_none(),
        }
    }

    /// A finding about `node` costing its exclusive time.
    pub fn node_finding(
        &self,
        rule: &'static str,
        node: &Node,
        severity: Severity,
        title: String,
        detail: String,
        fix: String,
    ) -> Finding {
        let cost_ms = self.metrics[node.id].exclusive_ms;
        Finding {
            rule,
            severity,
            node: Some(node.id),
            target: node.label(),
            title,
            detail,
            fix,
            cost_ms,
            share: self.share_of(cost_ms),
        }
    }
}

/// Runs every rule for the plan's engine and orders the findings.
pub(crate) fn run(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = ALL
        .iter()
        .filter(|r| r.engine == cx.plan.engine)
        .flat_map(|r| (r.check)(cx))
        .collect();
    super::finding::sort(&mut findings);
    findings
}

/// `1234567.0` → `1,234,567`; fractions kept to two places when the number has one.
pub(crate) fn count(n: f64) -> String {
    query_guard_format::count(n)
}

/// `0.9934` → `99.3%`.
pub(crate) fn pct(share: f64) -> String {
    let p = share * 100.0;
    if p >= 99.95 && share < 1.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Milliseconds for people: `0.042 ms`, `3.1 ms`, `1,250 ms`.
pub(crate) fn ms(v: f64) -> String {
    query_guard_format::ms_plan(v)
}
