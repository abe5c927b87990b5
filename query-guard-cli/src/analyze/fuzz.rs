//! The invariants `fuzz/fuzz_targets/analyze.rs` checks on any input, through every reader of
//! `query-guard analyze` (format detection, CSV, JSON array and lines, psql aligned and
//! expanded) and on to the report in every format:
//!
//! - the input is read, or refused with exit code 2 and a message that names the input and,
//!   unless the whole input is at fault (empty, no header), the line;
//! - every number read is finite, non-negative (never `-0`) and within its column's type
//!   ([`columns::max_of`]);
//! - every figure of the report (statements, totals, ratios, regressions) is finite and
//!   non-negative, and no table cell prints `NaN`, `inf` or a negative number;
//! - nothing panics, in one snapshot or in the diff of two.

use super::columns::{self, NUM};
use super::input::{self, Snapshot};
use super::render;
use super::report::{self, Options, SortKey};
use super::rules;
use super::statements::Stats;
use crate::failure::Failure;

/// Reads `data` as one dump, or as BEFORE and AFTER when it holds a NUL byte (split at the
/// first), and checks the invariants; panics when one fails.
pub(crate) fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (before, after) = match text.split_once('\0') {
        Some((b, a)) => (Some(b), a),
        None => (None, text.as_ref()),
    };
    let before = match before.map(|b| read("before.csv", b)) {
        Some(None) => return,
        Some(Some(s)) => Some(s),
        None => None,
    };
    let Some(after) = read("after.csv", after) else {
        return;
    };
    let sort = match data.first().map_or(0, |b| b % 3) {
        0 => SortKey::Total,
        1 => SortKey::Cv,
        _ => SortKey::Mean,
    };
    let mut spec = vec!["mean>1ms,hit<90%,cv>=1,share>10%,n-plus-one,spill".to_owned()];
    if before.is_some() {
        spec.push("regressed,new".to_owned());
    }
    let options = Options {
        top: 5,
        sort,
        min_calls: 1.0,
        rules: rules::parse(&spec).expect("valid rules"),
    };
    let r = report::build(before.as_ref(), &after, options);
    for s in &r.statements {
        stats(&s.stats);
    }
    let o = &r.overview;
    for v in [
        o.calls,
        o.total_ms,
        o.plan_ms,
        o.rows,
        o.shared_hit,
        o.shared_read,
        o.temp_written,
    ] {
        figure(v);
    }
    o.hit_ratio.into_iter().for_each(figure);
    (0..r.statements.len())
        .filter_map(|i| r.share(i))
        .for_each(figure);
    if let Some(d) = &r.diff {
        for g in &d.regressed {
            figure(g.before_mean_ms);
            figure(g.after_mean_ms);
            g.factor().into_iter().for_each(figure);
        }
    }
    for section in render::sections(&r) {
        if let Some(t) = &section.table {
            for row in &t.rows {
                // The last cell is the statement's text, which may say anything.
                for cell in &row[..row.len().saturating_sub(1)] {
                    assert!(
                        !(cell.contains("NaN") || cell.contains("inf") || cell.starts_with('-')),
                        "cell {cell:?} in {:?}",
                        section.title
                    );
                }
            }
        }
    }
    let _ = render::text::render(&render::sections(&r));
    let _ = render::markdown::render(&render::sections(&r));
    let json = render::json::render(&r);
    serde_json::from_str::<serde_json::Value>(&json).expect("the JSON report is JSON");
}

/// One snapshot read, its numbers checked; `None` when it was refused (rightly).
fn read(name: &str, text: &str) -> Option<Snapshot> {
    match input::parse(name, text) {
        Ok(s) => {
            for e in &s.entries {
                for (slot, v) in e.num.iter().enumerate().take(NUM) {
                    if let Some(v) = *v {
                        assert!(
                            v.is_finite() && v.is_sign_positive() && v <= columns::max_of(slot),
                            "slot {slot}: {v} read from line {}",
                            e.line
                        );
                    }
                }
            }
            Some(s)
        }
        Err(Failure { code, message }) => {
            assert_eq!(code, 2, "{message}");
            assert!(message.starts_with(name), "{message}");
            let whole = message.starts_with(&format!("{name} is empty"))
                || message.starts_with(&format!("{name}: no header"));
            assert!(whole || message.contains(" line "), "{message}");
            None
        }
    }
}

/// A figure of the report: finite and non-negative.
fn figure(v: f64) {
    assert!(v.is_finite() && v >= 0.0, "{v}");
}

fn stats(s: &Stats) {
    for v in [
        s.calls,
        s.total_ms,
        s.rows,
        s.plans,
        s.plan_ms,
        s.shared_hit,
        s.shared_read,
        s.shared_dirtied,
        s.shared_written,
        s.local_hit,
        s.local_read,
        s.temp_read,
        s.temp_written,
        s.io_ms,
        s.temp_io_ms,
        s.wal_bytes,
        s.jit_ms,
        s.mean_ms(),
        s.rows_per_call(),
        s.mean_plan_ms(),
    ] {
        figure(v);
    }
    for v in [
        s.min_ms,
        s.max_ms,
        s.sum_sq,
        s.stddev_ms(),
        s.cv(),
        s.max_over_mean(),
        s.hit_ratio(),
        s.plan_share(),
    ]
    .into_iter()
    .flatten()
    {
        figure(v);
    }
}
