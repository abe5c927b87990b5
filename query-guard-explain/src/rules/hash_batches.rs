//! # `hash-batches`: a hash table split into batches on disk
//!
//! **What it finds**: a `Hash` node (the build side of a hash join) or a hash aggregate
//! (`HashAggregate`, PostgreSQL 13+) that used more than one batch.
//!
//! **Why it matters**: more than one batch means the hash table did not fit in `work_mem`
//! (× `hash_mem_multiplier`): the input was partitioned into temporary files and each batch
//! read back, so the rows were written and read again. When the batch count grew during
//! execution (`originally 1`), the planner also underestimated the rows.
//!
//! **How to fix it**: raise `work_mem` for the statement (or `hash_mem_multiplier`), make the
//! smaller input the hashed one (check the estimates), or reduce the rows and columns hashed.
//!
//! **Severity**: by the node's share of the statement's time (its inclusive time, as the spill
//! slows the join above it), at least medium; silent under 5%.

use super::context::{Context, Rule};
use super::count;
use super::sort_spill::suggest_work_mem;
use crate::finding::{Finding, Severity};
use crate::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "hash-batches",
    engine: Engine::Postgres,
    summary: "a hash join's or hash aggregate's table split into batches on disk",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        let Some(hash) = node.hash else { continue };
        let Some(batches) = hash.batches.filter(|b| *b > 1.0) else {
            continue;
        };
        if !cx.matters_inclusive(node) {
            continue;
        }
        let m = &cx.metrics[node.id];
        let what = if node.kind == "Hash" {
            "Hash table"
        } else {
            "Hash aggregate"
        };
        let grew = match hash.original_batches {
            Some(o) if o < batches => format!(" (planned {}: rows were underestimated)", count(o)),
            _ => String::new(),
        };
        let memory = hash.memory_kb.unwrap_or(0.0);
        let needed = hash.disk_kb.map_or(memory * batches, |d| d + memory);
        let mut f = cx.node_finding(
            RULE.id,
            node,
            Severity::from_share(cx.share_of(m.inclusive_ms)).max(Severity::Medium),
            format!(
                "{what} used {} batches{grew}{}",
                count(batches),
                hash.disk_kb
                    .map(|d| format!(", {} kB on disk", count(d)))
                    .unwrap_or_default()
            ),
            format!(
                "{} rows did not fit in work_mem ({} kB used in memory); the rest went through \
                 temporary files.",
                count(m.rows_total.unwrap_or(0.0)),
                count(memory)
            ),
            format!(
                "SET LOCAL work_mem = '{}' for this statement (or raise hash_mem_multiplier), or \
                 hash fewer rows or columns.",
                suggest_work_mem(needed)
            ),
        );
        f.cost_ms = m.inclusive_ms;
        f.share = cx.share_of(m.inclusive_ms);
        out.push(f);
    }
    out
}
