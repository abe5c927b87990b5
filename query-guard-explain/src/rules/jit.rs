//! # `jit`: JIT compilation takes much of the statement's time
//!
//! **What it finds**: a plan whose JIT total time is at least [`MIN_SHARE`] of the execution
//! time and at least [`MIN_MS`].
//!
//! **Why it matters**: PostgreSQL compiles expressions to machine code when a plan's cost is
//! above `jit_above_cost` (inlining and optimisation above their own thresholds). For short
//! statements whose cost is overestimated, compiling takes longer than running: tens of
//! milliseconds added to every execution.
//!
//! **How to fix it**: raise `jit_above_cost` (and `jit_inline_above_cost`,
//! `jit_optimize_above_cost`) above this plan's cost, or `SET jit = off` for OLTP roles or
//! databases; fix a cost overestimate if there is one.
//!
//! **Severity**: by JIT's share of the execution time.

use super::context::{Context, Rule};
use super::{count, ms, pct};
use crate::finding::{Finding, Severity};
use crate::model::Engine;

/// Share of the execution time from which JIT is reported.
pub(super) const MIN_SHARE: f64 = 0.2;
/// Milliseconds of JIT from which it is reported.
pub(super) const MIN_MS: f64 = 1.0;

pub(super) const RULE: Rule = Rule {
    id: "jit",
    engine: Engine::Postgres,
    summary: "JIT compilation taking a large share of the execution time",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let (Some(jit), Some(total)) = (cx.plan.jit, cx.total_ms) else {
        return Vec::new();
    };
    let share = if total > 0.0 {
        (jit.total_ms / total).min(1.0)
    } else {
        0.0
    };
    if jit.total_ms < MIN_MS || share < MIN_SHARE {
        return Vec::new();
    }
    let cost = cx
        .plan
        .roots()
        .filter_map(|r| r.estimate.map(|e| e.total_cost))
        .sum::<f64>();
    vec![Finding {
        rule: RULE.id,
        severity: Severity::from_share(Some(share)),
        node: None,
        target: "JIT".to_owned(),
        title: format!(
            "JIT took {} of {} execution ({}, {} functions)",
            ms(jit.total_ms),
            ms(total),
            pct(share),
            count(jit.functions)
        ),
        detail: format!(
            "Generation {}, inlining {}, optimization {}, emission {}.",
            ms(jit.generation_ms),
            ms(jit.inlining_ms),
            ms(jit.optimization_ms),
            ms(jit.emission_ms)
        ),
        fix: format!(
            "Raise jit_above_cost above this plan's cost ({}), or SET jit = off for this role or \
             database if its statements are short.",
            count(cost.ceil())
        ),
        cost_ms: Some(jit.total_ms),
        share: Some(share),
    }]
}
