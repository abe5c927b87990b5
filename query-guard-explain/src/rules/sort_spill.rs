//! # `sort-spill`: a sort that spilled to disk
//!
//! **What it finds**: a `Sort` or `Incremental Sort` whose method is `external sort` or
//! `external merge`, or whose space type is `Disk`.
//!
//! **Why it matters**: the rows did not fit in `work_mem`, so they were written to temporary
//! files and merged back: disk I/O instead of memory, often several times slower.
//!
//! **How to fix it**: raise `work_mem` for this statement or role (`SET LOCAL work_mem` in its
//! transaction; an in-memory sort needs roughly two to three times the disk space reported), sort
//! fewer rows (filter earlier, `LIMIT` with an index), or read the rows in order from an index
//! on the sort key.
//!
//! **Severity**: by the sort's share of the statement's time, at least medium; silent under 5%.

use super::context::{Context, Rule};
use super::count;
use crate::finding::{Finding, Severity};
use crate::mask::mask_literals;
use crate::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "sort-spill",
    engine: Engine::Postgres,
    summary: "a sort that spilled to disk",
    check,
};

/// `work_mem` to suggest for `disk_kb` spilled: three times as much, rounded up to a power of two
/// megabytes.
pub(crate) fn suggest_work_mem(disk_kb: f64) -> String {
    // Capped at 1 TB: past that the advice is not work_mem anyway.
    let mb = (disk_kb * 3.0 / 1024.0).ceil();
    let mb = if mb.is_finite() {
        mb.clamp(4.0, 1_048_576.0) as u64
    } else {
        4
    };
    format!("{}MB", mb.checked_next_power_of_two().unwrap_or(mb))
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        let Some(sort) = node.sort.as_ref().filter(|s| s.spilled()) else {
            continue;
        };
        if !cx.matters(node) {
            continue;
        }
        let m = &cx.metrics[node.id];
        let key = node
            .property("Sort Key")
            .map(|k| format!(" by {}", mask_literals(k)))
            .unwrap_or_default();
        let temp = m
            .exclusive_buffers
            .map(|b| b.temp_written)
            .filter(|w| *w > 0.0)
            .map(|w| format!(", {} temp blocks written", count(w)))
            .unwrap_or_default();
        out.push(cx.node_finding(
            RULE.id,
            node,
            Severity::from_share(cx.share_of(m.exclusive_ms)).max(Severity::Medium),
            format!(
                "Sort{key} spilled {} kB to disk ({}{temp})",
                count(sort.space_kb),
                sort.method
            ),
            format!(
                "{} rows did not fit in work_mem and were sorted in temporary files.",
                count(m.rows_total.unwrap_or(0.0))
            ),
            format!(
                "SET LOCAL work_mem = '{}' for this statement (or its role), sort fewer rows, or \
                 read them in order from an index on the sort key.",
                suggest_work_mem(sort.space_kb)
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::suggest_work_mem;

    #[test]
    fn work_mem_advice_is_a_power_of_two_and_never_overflows() {
        assert_eq!(suggest_work_mem(2496.0), "8MB");
        assert_eq!(suggest_work_mem(1.0), "4MB");
        assert_eq!(suggest_work_mem(1e30), "1048576MB");
        assert_eq!(suggest_work_mem(f64::NAN), "4MB");
    }
}
