//! `--format json`: one JSON object, schema version [`SCHEMA_VERSION`], documented field by
//! field in `docs/analyze-schema.md`. Sections refer to statements by `id`; `statements` holds
//! every statement some section mentions. Times are milliseconds, ratios fractions (0–1).

use serde_json::{Value, json};

use crate::analyze::report::Report;

/// Version of the JSON layout; goes up when a field changes meaning or disappears.
pub(crate) const SCHEMA_VERSION: u32 = 1;

fn num(v: f64) -> Value {
    // Counters are whole numbers: print them so.
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn opt(v: Option<f64>) -> Value {
    v.map(num).unwrap_or(Value::Null)
}

fn statement(r: &Report, i: usize) -> Value {
    let s = &r.statements[i];
    let t = &s.stats;
    json!({
        "id": s.id,
        "fingerprint": s.fingerprint,
        "query": s.normalized,
        "kind": s.kind.name(),
        "tables": s.tables,
        "dbid": s.dbid,
        "userids": s.userids,
        "toplevel": s.toplevel,
        "queryids": s.queryids.iter().map(|q| q.to_string()).collect::<Vec<_>>(),
        "rows_merged": s.entries,
        "calls": num(t.calls),
        "total_ms": num(t.total_ms),
        "mean_ms": num(t.mean_ms()),
        "min_ms": opt(t.min_ms),
        "max_ms": opt(t.max_ms),
        "stddev_ms": opt(t.stddev_ms()),
        "cv": opt(t.cv()),
        "max_over_mean": opt(t.max_over_mean()),
        "share": opt(r.share(i)),
        "rows": num(t.rows),
        "rows_per_call": num(t.rows_per_call()),
        "plans": num(t.plans),
        "plan_total_ms": num(t.plan_ms),
        "plan_mean_ms": num(t.mean_plan_ms()),
        "plan_share": opt(t.plan_share()),
        "shared_blks_hit": num(t.shared_hit),
        "shared_blks_read": num(t.shared_read),
        "shared_blks_dirtied": num(t.shared_dirtied),
        "shared_blks_written": num(t.shared_written),
        "cache_hit_ratio": opt(t.hit_ratio()),
        "local_blks_hit": num(t.local_hit),
        "local_blks_read": num(t.local_read),
        "temp_blks_read": num(t.temp_read),
        "temp_blks_written": num(t.temp_written),
        "io_ms": num(t.io_ms),
        "temp_io_ms": num(t.temp_io_ms),
        "wal_bytes": num(t.wal_bytes),
        "jit_ms": num(t.jit_ms),
        "n_plus_one": r.suspect_of.contains_key(&i),
    })
}

/// Render the report as pretty-printed JSON.
pub(crate) fn render(r: &Report) -> String {
    let ids = |list: &[usize]| -> Value {
        Value::Array(list.iter().map(|&i| json!(r.statements[i].id)).collect())
    };
    let o = &r.overview;
    let mut v = json!({
        "schema_version": SCHEMA_VERSION,
        "mode": if r.diff.is_some() { "diff" } else { "snapshot" },
        "inputs": r.inputs.iter().map(|i| json!({
            "name": i.name,
            "format": i.format,
            "rows": i.entries,
            "postgres_columns": i.postgres,
        })).collect::<Vec<_>>(),
        "options": {
            "top": r.options.top,
            "sort": r.options.sort.name(),
            "min_calls": num(r.options.min_calls),
            "fail_on": r.options.rules.iter().map(|x| x.text()).collect::<Vec<_>>(),
        },
        "overview": {
            "rows": o.entries,
            "statements": o.statements,
            "calls": num(o.calls),
            "total_ms": num(o.total_ms),
            "plan_total_ms": num(o.plan_ms),
            "rows_returned": num(o.rows),
            "shared_blks_hit": num(o.shared_hit),
            "shared_blks_read": num(o.shared_read),
            "temp_blks_written": num(o.temp_written),
            "cache_hit_ratio": opt(o.hit_ratio),
        },
        "sections": {
            "top": ids(&r.top),
            "by_mean": ids(&r.by_mean),
            "by_calls": ids(&r.by_calls),
            "by_rows_per_call": ids(&r.by_rows),
            "by_shared_blks_read": ids(&r.by_reads),
            "spills": ids(&r.spills),
            "planning": ids(&r.planning),
            "instability": ids(&r.instability),
            "merged": ids(&r.merged),
            "n_plus_one": r.n_plus_one.iter().map(|s| json!({
                "id": r.statements[s.statement].id,
                "calls": num(s.calls),
                "rows_per_call": num(s.rows_per_call),
                "median_calls": num(s.median_calls),
                "calls_ratio": num(s.ratio),
                "keys": s.keys,
            })).collect::<Vec<_>>(),
        },
        "health": r.health.iter().map(|n| json!({"code": n.code, "message": n.message})).collect::<Vec<_>>(),
        "fail_on": {
            "fired": !r.fired.is_empty(),
            "rules": r.fired.iter().map(|f| json!({
                "rule": f.rule,
                "ids": ids(&f.statements),
            })).collect::<Vec<_>>(),
        },
        "statements": r.mentioned().into_iter().map(|i| statement(r, i)).collect::<Vec<_>>(),
    });
    if let Some(d) = &r.diff {
        v["diff"] = json!({
            "window_rows": d.window_rows,
            "common_rows": d.common,
            "reset_rows": d.reset_rows,
            "global_reset": d.global_reset,
            "new": ids(&d.new),
            "regressed": d.regressed.iter().map(|g| json!({
                "id": r.statements[g.statement].id,
                "before_mean_ms": num(g.before_mean_ms),
                "window_mean_ms": num(g.after_mean_ms),
                "factor": opt(g.factor()),
                "before_calls": num(g.before_calls),
            })).collect::<Vec<_>>(),
            "reset": ids(&d.reset),
            "evicted": d.evicted.iter().map(|e| json!({
                "fingerprint": e.fingerprint,
                "query": e.normalized,
                "calls_before": num(e.calls),
                "queryids": e.queryids.iter().map(|q| q.to_string()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}
