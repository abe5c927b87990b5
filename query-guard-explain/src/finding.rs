//! # Findings
//!
//! A finding is one problem a [rule](crate::rules) found in a plan: where (the node), how bad
//! ([`Severity`]), what it costs (milliseconds and share of the statement's time), what the plan
//! shows, and how to fix it. Findings are ordered by the time they cost, most first; findings
//! without a time (plans without `ANALYZE`, SQLite plans) come after, most severe first.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; rarely the cause of a slow statement on its own.
    Low,
    /// A real cost, or a cause of bad plans elsewhere.
    Medium,
    /// Most of the statement's time, or an order of magnitude at stake.
    High,
}

impl Severity {
    /// The lower-case name (`low`, `medium`, `high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// The severity of a cost by its share of the statement's time: half or more is high, a fifth
    /// or more medium, less is low.
    pub fn from_share(share: Option<f64>) -> Severity {
        match share {
            Some(s) if s >= 0.5 => Severity::High,
            Some(s) if s >= 0.2 => Severity::Medium,
            _ => Severity::Low,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            _ => Err("a severity: low, medium or high".to_owned()),
        }
    }
}

/// One problem found in a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule's id (`seq-scan-filter`, `sort-spill`, …; see [`rules::ALL`](crate::rules::ALL)).
    pub rule: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// The node it is about ([`Node::id`](crate::Node::id)); `None` for statement-level findings
    /// (JIT, planning time).
    pub node: Option<usize>,
    /// The node's label, or what the finding is about.
    pub target: String,
    /// One line: what is wrong, with the numbers.
    pub title: String,
    /// Why it costs what it costs, from the plan's figures.
    pub detail: String,
    /// What to do.
    pub fix: String,
    /// Milliseconds the problem costs (the node's time, or the loop's, or JIT's), if known.
    pub cost_ms: Option<f64>,
    /// That cost ÷ the statement's time (0 to 1), if known.
    pub share: Option<f64>,
}

/// Orders findings: most costly first; without a cost, most severe first; then plan order.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        match (a.cost_ms, b.cost_ms) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
        .then(b.severity.cmp(&a.severity))
        .then(a.node.cmp(&b.node))
        .then(a.rule.cmp(b.rule))
    });
}
