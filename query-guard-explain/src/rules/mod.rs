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

mod catalogue;
mod context;
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

pub(crate) use catalogue::run;
pub use catalogue::{ALL, by_id};
pub(crate) use context::Context;
pub use context::{MIN_SHARE, Rule};

// How rules print figures in their messages (`1,234,567`, `99.3%`, `0.042 ms`):
// query-guard-format's plan styles.
pub(crate) use query_guard_format::{count, ms_plan as ms, percent as pct};
