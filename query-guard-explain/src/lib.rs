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
//! - [`NodeMetrics`] give each node its inclusive and exclusive time (loops multiplied,
//!   parallel workers, InitPlans, SubPlans and CTEs accounted), share, row estimate factor,
//!   filter removal share and exclusive buffers.
//! - The [`rules`] turn those into [`Finding`]s, ordered by the time they cost.
//! - [`analyze`] does all three; [`Explained`] holds the result, prints it (text tree with
//!   exclusive-time bars, markdown, JSON) and has assertions for tests.
//! - With the `postgres` or `sqlite` feature, `explain_analyze` runs the EXPLAIN on a sqlx pool
//!   itself, inside a transaction it rolls back.
//!
//! Everything is named from the crate root, but two modules: [`model`], the parts of a
//! [`Plan`] (the types of [`Node`]'s fields, the bounds of its figures), and [`rules`], the
//! rules with their ids and thresholds.
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

#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod error;
mod explained;
mod finding;
mod input;
mod mask;
mod metrics;
pub mod model;
mod pg_json;
mod pg_text;
mod read;
mod render;
pub mod rules;
#[cfg(any(feature = "postgres", feature = "sqlite"))]
mod run;
mod split;
mod sqlite;

pub use error::PlanError;
pub use explained::{Explained, analyze};
pub use finding::{Finding, Severity};
pub use metrics::NodeMetrics;
#[doc(no_inline)]
pub use model::{Engine, Format, Node, Plan};
pub use read::parse;
pub use render::{OutputFormat, RenderOptions, SCHEMA_VERSION};
#[cfg(any(feature = "postgres", feature = "sqlite"))]
pub use run::{
    DatabaseError, ExplainError, ExplainOptions, ExplainTarget, Limit, explain_analyze,
    explain_analyze_with,
};
pub use split::SplitError;

/// What query-guard's own crates and tests use from this one and is not its API: no promise of
/// stability, not documented.
#[doc(hidden)]
pub mod _support {
    pub use crate::split::{Statement, one_statement};
}
