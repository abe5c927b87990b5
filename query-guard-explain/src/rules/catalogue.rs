//! The catalogue: every rule ([`ALL`]), one by its id ([`by_id`]), and running those of a
//! plan's engine ([`run`]).

use super::context::{Context, Rule};
use super::{
    hash_batches, heap_fetches, index_filter, jit, large_offset, lossy_bitmap, misestimate,
    nested_loop, planning, seq_scan_filter, sort_spill, sqlite_automatic_index,
    sqlite_correlated_subquery, sqlite_full_scan, sqlite_temp_btree, workers,
};
use crate::finding::{self, Finding};

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

/// Runs every rule for the plan's engine and orders the findings.
pub(crate) fn run(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = ALL
        .iter()
        .filter(|r| r.engine == cx.plan.engine)
        .flat_map(|r| (r.check)(cx))
        .collect();
    finding::sort(&mut findings);
    findings
}
