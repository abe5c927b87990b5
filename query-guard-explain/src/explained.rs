//! # A plan with its figures and findings
//!
//! [`Explained`] holds a plan, the figures of each node ([`metrics`](crate::metrics)) and what
//! the [rules](crate::rules) found, with the assertions tests use. Printing it is
//! [`render`](crate::render)'s.

use serde::Serialize;

use crate::error::PlanError;
use crate::finding::{Finding, Severity};
use crate::metrics::{self, NodeMetrics};
use crate::model::{Engine, Node, Plan};
use crate::read::parse;
use crate::rules;

/// Reads a plan and finds its problems: [`parse`](crate::parse), then [`Explained::new`].
pub fn analyze(text: &str) -> Result<Explained, PlanError> {
    Ok(Explained::new(parse(text)?, None))
}

/// A plan with its figures and findings.
///
/// Its `Serialize` gives the model as read, conditions with their literal values; the JSON
/// report ([`OutputFormat::Json`](crate::OutputFormat::Json) in [`Explained::render`]) masks them.
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    /// The plan.
    pub plan: Plan,
    /// Figures per node, indexed like [`Plan::nodes`].
    pub metrics: Vec<NodeMetrics>,
    /// The statement's time in milliseconds (`Execution Time`, or the root's), when known.
    pub total_ms: Option<f64>,
    /// The problems found, most costly first.
    pub findings: Vec<Finding>,
    /// The statement, when known. Never printed: it may hold literal values.
    #[serde(skip)]
    pub sql: Option<String>,
}

impl Explained {
    /// Computes the figures and runs the rules. `sql` (the statement the plan is for) lets the
    /// SQLite rules name the columns a filter uses; PostgreSQL plans carry their own filters.
    pub fn new(plan: Plan, sql: Option<&str>) -> Explained {
        let metrics = metrics::compute(&plan);
        let total_ms = metrics::total_ms(&plan, &metrics);
        let findings = rules::run(&rules::Context {
            plan: &plan,
            metrics: &metrics,
            total_ms,
            sql,
        });
        Explained {
            plan,
            metrics,
            total_ms,
            findings,
            sql: sql.map(str::to_owned),
        }
    }

    /// The findings of one rule.
    pub fn findings_of<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.rule == rule)
    }

    /// The most severe finding's severity.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Sequential scans of `table` (by table name or alias; PostgreSQL `Seq Scan`s, SQLite
    /// `SCAN`s without an index).
    pub fn seq_scans<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.plan.nodes.iter().filter(move |n| {
            let names = |n: &Node| {
                n.relation
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(table))
                    || n.alias
                        .as_deref()
                        .is_some_and(|a| a.eq_ignore_ascii_case(table))
            };
            match self.plan.engine {
                Engine::Postgres => n.kind == "Seq Scan" && names(n),
                Engine::Sqlite => n.kind == "SCAN" && n.index.is_none() && names(n),
            }
        })
    }

    /// Panics, printing the report, when the plan scans `table` sequentially.
    ///
    /// ```
    /// let plan = "Index Scan using users_pkey on users  (cost=0.29..8.30 rows=1 width=40)\n  Index Cond: (id = 7)";
    /// query_guard_explain::analyze(plan).unwrap().assert_no_seq_scan("users");
    /// ```
    #[track_caller]
    pub fn assert_no_seq_scan(&self, table: &str) -> &Self {
        if let Some(node) = self.seq_scans(table).next() {
            panic!(
                "query-guard: the plan scans {table} sequentially (node #{}: {})\n\n{self}",
                node.id + 1,
                node.label()
            );
        }
        self
    }

    /// Panics, printing the report, when a finding is more severe than `max`.
    #[track_caller]
    pub fn assert_no_finding_above(&self, max: Severity) -> &Self {
        if let Some(f) = self.findings.iter().find(|f| f.severity > max) {
            panic!(
                "query-guard: a {} finding ({}) is above {max}: {}\n\n{self}",
                f.severity, f.rule, f.title
            );
        }
        self
    }

    /// Panics, printing the report, when the rule with this id found something.
    #[track_caller]
    pub fn assert_no_finding(&self, rule: &str) -> &Self {
        assert!(
            rules::by_id(rule).is_some(),
            "query-guard: no plan rule is called {rule:?}; the rules are {}",
            rules::ALL
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(f) = self.findings_of(rule).next() {
            panic!("query-guard: {}: {}\n\n{self}", f.rule, f.title);
        }
        self
    }
}
