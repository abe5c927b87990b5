//! What a rule is ([`Rule`]), what it sees ([`Context`]), and when a node is too small to
//! matter ([`MIN_SHARE`]).

use crate::finding::{Finding, Severity};
use crate::metrics::NodeMetrics;
use crate::model::{Engine, Node, Plan};

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
    pub(crate) fn share_of(&self, ms: Option<f64>) -> Option<f64> {
        match (ms, self.total_ms) {
            (Some(ms), Some(total)) if total > 0.0 => Some((ms / total).min(1.0)),
            _ => None,
        }
    }

    /// Whether the node's own time (or cost share, without times) is large enough to report.
    pub(crate) fn matters(&self, node: &Node) -> bool {
        self.metrics[node.id].share.is_none_or(|s| s >= MIN_SHARE)
    }

    /// Whether the node with everything below it is large enough to report.
    pub(crate) fn matters_inclusive(&self, node: &Node) -> bool {
        match self.share_of(self.metrics[node.id].inclusive_ms) {
            Some(s) => s >= MIN_SHARE,
            None => self.matters(node) || self.metrics[node.id].inclusive_ms.is_none(),
        }
    }

    /// A finding about `node` costing its exclusive time.
    pub(crate) fn node_finding(
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
