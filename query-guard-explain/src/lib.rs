//! # EXPLAIN reports
//!
//! Reads a query plan, works out what each node cost, and names the problems in it with the
//! fix for each: what PEV2 and explain.depesz.com show for one plan in a browser, as a library
//! call and a CLI (`query-guard explain`) that run in CI, for PostgreSQL and SQLite.
//!
//! - [`parse`] reads PostgreSQL `EXPLAIN` output in JSON or text (with or without `ANALYZE`,
//!   `BUFFERS`, `VERBOSE`, `SETTINGS`, `WAL`, `COSTS`, `TIMING`, from PostgreSQL 12 to 18, as
//!   psql prints it or pasted from anywhere) and SQLite `EXPLAIN QUERY PLAN` output into one
//!   [`Plan`] model.
//! - [`metrics::compute`] gives each node its inclusive and exclusive time (loops multiplied,
//!   parallel workers, InitPlans, SubPlans and CTEs accounted), share, row estimate factor,
//!   filter removal share and exclusive buffers.
//! - [`rules`] turn those into [`Finding`]s, ordered by the time they cost.
//! - [`analyze`] does all three; [`Explained`] holds the result, prints it (text tree with
//!   exclusive-time bars, markdown, JSON) and has assertions for tests.
//! - With the `postgres` or `sqlite` feature, `explain_analyze` runs the EXPLAIN on a sqlx pool
//!   itself, inside a transaction it rolls back.
//!
//! ```
//! use query_guard_explain::{self as explain, Severity};
//!
//! let plan = r#"
//!  Seq Scan on orders  (cost=0.00..1943.00 rows=1 width=20) (actual time=0.021..11.350 rows=3 loops=1)
//!    Filter: ((customer_id = 42) AND (status = 'open'::text))
//!    Rows Removed by Filter: 99997
//!  Planning Time: 0.080 ms
//!  Execution Time: 11.371 ms
//! "#;
//! let explained = explain::analyze(plan).unwrap();
//! let finding = &explained.findings[0];
//! assert_eq!(finding.rule, "seq-scan-filter");
//! assert_eq!(finding.severity, Severity::High);
//! assert!(finding.fix.contains("CREATE INDEX ON orders (customer_id, status)"));
//! // Literal values from the plan are not printed unless asked for.
//! assert!(!explained.to_string().contains("open"));
//! ```

pub mod error;
pub mod finding;
mod input;
pub mod mask;
pub mod metrics;
pub mod model;
mod pg_json;
mod pg_text;
mod render;
pub mod rules;
pub mod split;
mod sqlite;

#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub mod run;

pub use error::PlanError;
pub use finding::{Finding, Severity};
pub use metrics::NodeMetrics;
pub use model::{Engine, Format, Node, Plan};
pub use render::{OutputFormat, RenderOptions, SCHEMA_VERSION};
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub use run::{
    DatabaseError, ExplainError, ExplainOptions, ExplainTarget, Limit, explain_analyze,
    explain_analyze_with,
};

use serde::Serialize;

/// Reads a plan in any format query-guard knows (see the [module docs](self)).
pub fn parse(text: &str) -> Result<Plan, PlanError> {
    match input::detect(text)? {
        input::Detected::Json(json) => pg_json::parse(&json),
        input::Detected::PgText(lines) => pg_text::parse(&lines),
        input::Detected::SqliteTree(lines) => sqlite::parse_tree(&lines),
        input::Detected::SqliteRows(lines) => sqlite::parse_rows(&lines),
    }
}

/// Reads a plan and finds its problems.
pub fn analyze(text: &str) -> Result<Explained, PlanError> {
    Ok(Explained::new(parse(text)?, None))
}

/// A plan with its figures and findings.
///
/// Its `Serialize` gives the model as read, conditions with their literal values; the JSON
/// report ([`OutputFormat::Json`] in [`Explained::render`]) masks them.
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

    /// The report as text, markdown or JSON, with these options.
    pub fn render(&self, options: &RenderOptions) -> String {
        render::render(self, options)
    }
}

impl std::fmt::Display for Explained {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&render::render(self, &RenderOptions::default()))
    }
}
