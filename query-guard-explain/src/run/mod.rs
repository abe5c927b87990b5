//! # Running the EXPLAIN on a live database
//!
//! [`explain_analyze`] (and [`explain_analyze_with`], which takes [`ExplainOptions`]) runs a
//! statement's plan on a sqlx pool and analyses it:
//!
//! - PostgreSQL (`postgres` feature): `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`, which
//!   **executes** the statement, so the figures are real;
//! - SQLite (`sqlite` feature): `EXPLAIN QUERY PLAN`, which plans the statement and never runs
//!   it.
//!
//! What it guarantees is documented on [`explain_analyze`]. The modules, each using only those
//! listed before it: `options`, `error` (why a call failed), `check` (the SQL, checked before
//! anything is sent), `deadline` (the client-side bound), `explain_analyze` (the entry points),
//! and one runner per database, `postgres` and `sqlite`.

mod check;
mod deadline;
mod error;
mod explain_analyze;
mod options;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use error::{DatabaseError, ExplainError, Limit};
pub use explain_analyze::{ExplainTarget, explain_analyze, explain_analyze_with};
pub use options::ExplainOptions;
