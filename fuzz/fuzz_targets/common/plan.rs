//! What every plan reader promises, checked on any input (shared by the three plan targets).
//!
//! - No panic, in reading, measuring, the rules or rendering (every format, with and without
//!   values).
//! - An error names a place inside the input: line 1 to the line count + 1, column ≥ 1.
//! - A plan's figures are finite and non-negative, within the bounds of
//!   `query_guard::explain::model` (per-loop times at most `MAX_MS`, counts whole and at most
//!   `MAX_COUNT`, estimates at most `MAX_ESTIMATE`); sums the readers make are finite.
//! - Every metric is finite and non-negative; shares are at most 1, estimate factors at least 1;
//!   every finding's cost and share are finite.

use query_guard::explain::model::{Buffers, MAX_COUNT, MAX_ESTIMATE, MAX_MS};
use query_guard::explain::{self, OutputFormat, PlanError, RenderOptions};

fn finite(v: f64, what: &str) {
    assert!(v.is_finite() && v >= 0.0, "{what}: {v}");
}

fn within(v: f64, max: f64, what: &str) {
    finite(v, what);
    assert!(v <= max, "{what}: {v} > {max}");
}

fn count(v: f64, what: &str) {
    within(v, MAX_COUNT, what);
    assert_eq!(v.fract(), 0.0, "{what}: {v} is not whole");
}

fn buffers(b: &Buffers, what: &str) {
    for v in [
        b.shared_hit,
        b.shared_read,
        b.shared_dirtied,
        b.shared_written,
        b.local_hit,
        b.local_read,
        b.local_dirtied,
        b.local_written,
        b.temp_read,
        b.temp_written,
        b.io_read_ms,
        b.io_write_ms,
        b.temp_io_read_ms,
        b.temp_io_write_ms,
    ] {
        finite(v, what);
    }
}

/// Reads `text` as a plan and checks everything above; panics when something does not hold.
pub fn check(text: &str) {
    let explained = match explain::analyze(text) {
        Ok(e) => e,
        Err(e) => {
            let lines = text.lines().count().max(1);
            match e {
                PlanError::Syntax { line, column, .. } => {
                    assert!(line >= 1 && line <= lines + 1 && column >= 1, "{e}");
                }
                PlanError::NotAPlan { line } => assert!(line >= 1 && line <= lines + 1, "{e}"),
                _ => {}
            }
            return;
        }
    };
    let plan = &explained.plan;
    for n in &plan.nodes {
        if let Some(e) = n.estimate {
            within(e.startup_cost, MAX_ESTIMATE, "startup cost");
            within(e.total_cost, MAX_ESTIMATE, "total cost");
            within(e.rows, MAX_ESTIMATE, "plan rows");
            count(e.width, "width");
        }
        if let Some(a) = n.actual {
            a.startup_ms
                .into_iter()
                .for_each(|v| within(v, MAX_MS, "startup time"));
            a.total_ms
                .into_iter()
                .for_each(|v| within(v, MAX_MS, "total time"));
            within(a.rows, MAX_COUNT, "actual rows");
            count(a.loops, "loops");
        }
        for v in [
            n.workers_planned,
            n.workers_launched,
            n.heap_fetches,
            n.exact_heap_blocks,
            n.lossy_heap_blocks,
        ]
        .into_iter()
        .flatten()
        {
            count(v, "a node count");
        }
        for v in [
            n.rows_removed_by_filter,
            n.rows_removed_by_join_filter,
            n.rows_removed_by_recheck,
        ]
        .into_iter()
        .flatten()
        {
            within(v, MAX_COUNT, "rows removed");
        }
        if let Some(s) = &n.sort {
            count(s.space_kb, "sort space");
        }
        if let Some(h) = n.hash {
            for v in [
                h.buckets,
                h.original_buckets,
                h.batches,
                h.original_batches,
                h.memory_kb,
                h.disk_kb,
            ]
            .into_iter()
            .flatten()
            {
                count(v, "a hash figure");
            }
        }
        if let Some(b) = &n.buffers {
            buffers(b, "node buffers");
        }
        if let Some(w) = n.wal {
            count(w.records, "WAL records");
            count(w.fpi, "WAL FPI");
            count(w.bytes, "WAL bytes");
        }
    }
    plan.planning_ms
        .into_iter()
        .for_each(|v| finite(v, "planning time"));
    plan.execution_ms
        .into_iter()
        .for_each(|v| finite(v, "execution time"));
    if let Some(b) = &plan.planning_buffers {
        buffers(b, "planning buffers");
    }
    if let Some(j) = plan.jit {
        count(j.functions, "JIT functions");
        for v in [
            j.generation_ms,
            j.inlining_ms,
            j.optimization_ms,
            j.emission_ms,
            j.total_ms,
        ] {
            within(v, MAX_MS, "a JIT time");
        }
    }
    for t in &plan.triggers {
        t.time_ms
            .into_iter()
            .for_each(|v| within(v, MAX_MS, "trigger time"));
        count(t.calls, "trigger calls");
    }
    for m in &explained.metrics {
        for v in [
            m.inclusive_ms,
            m.exclusive_ms,
            m.exclusive_cost,
            m.rows_total,
            m.removed_total,
        ]
        .into_iter()
        .flatten()
        {
            finite(v, "a node metric");
        }
        for v in [m.share, m.removed_share].into_iter().flatten() {
            within(v, 1.0, "a share");
        }
        if let Some(f) = m.estimate_factor {
            finite(f, "estimate factor");
            assert!(f >= 1.0, "estimate factor {f}");
        }
        if let Some(b) = &m.exclusive_buffers {
            buffers(b, "exclusive buffers");
        }
        finite(m.processes, "processes");
    }
    explained
        .total_ms
        .into_iter()
        .for_each(|v| finite(v, "statement time"));
    for f in &explained.findings {
        f.cost_ms
            .into_iter()
            .for_each(|v| finite(v, "finding cost"));
        f.share
            .into_iter()
            .for_each(|v| within(v, 1.0, "finding share"));
    }
    for format in [
        OutputFormat::Text,
        OutputFormat::Markdown,
        OutputFormat::Json,
    ] {
        for show_values in [false, true] {
            let out = explained.render(&RenderOptions {
                format,
                show_values,
                ..RenderOptions::default()
            });
            if format == OutputFormat::Json {
                assert!(out.trim_start().starts_with('{'), "{out}");
            }
        }
    }
}
