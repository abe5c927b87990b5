//! # `workers`: fewer parallel workers launched than planned
//!
//! **What it finds**: a `Gather` or `Gather Merge` whose `Workers Launched` is below its
//! `Workers Planned`.
//!
//! **Why it matters**: the plan was costed for the planned workers; with fewer (or none), the
//! leader does their share and the statement runs slower than the planner expected. Workers come
//! from a shared pool (`max_parallel_workers`, `max_worker_processes`): under load, other
//! statements hold them.
//!
//! **How to fix it**: raise `max_parallel_workers` (and `max_worker_processes`, which needs a
//! restart) if the machine has idle cores, or lower `max_parallel_workers_per_gather` so
//! concurrent statements share the pool; a statement that runs often may be better off without
//! parallelism and with an index.
//!
//! **Severity**: medium when no worker started, low otherwise; by share of time beyond that;
//! silent under 5%.

use super::context::{Context, Rule};
use super::count;
use crate::finding::{Finding, Severity};
use crate::model::Engine;

pub(super) const RULE: Rule = Rule {
    id: "workers",
    engine: Engine::Postgres,
    summary: "fewer parallel workers launched than planned",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        let (Some(planned), Some(launched)) = (node.workers_planned, node.workers_launched) else {
            continue;
        };
        if launched >= planned || !cx.matters_inclusive(node) {
            continue;
        }
        let m = &cx.metrics[node.id];
        let severity = Severity::from_share(cx.share_of(m.inclusive_ms)).max(if launched == 0.0 {
            Severity::Medium
        } else {
            Severity::Low
        });
        let mut f = cx.node_finding(
            RULE.id,
            node,
            severity,
            format!(
                "{} launched {} of {} planned workers",
                node.label(),
                count(launched),
                count(planned)
            ),
            "The parallel worker pool (max_parallel_workers, max_worker_processes) was short: the \
             leader did the missing workers' share."
                .to_owned(),
            "Raise max_parallel_workers (and max_worker_processes) if cores are idle, or lower \
             max_parallel_workers_per_gather so concurrent statements share the pool."
                .to_owned(),
        );
        f.cost_ms = m.inclusive_ms;
        f.share = cx.share_of(m.inclusive_ms);
        out.push(f);
    }
    out
}
