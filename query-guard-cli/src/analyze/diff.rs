//! Two snapshots: what happened between them.
//!
//! Rows are matched by (userid, dbid, toplevel, queryid) — by the text when a dump has no
//! `queryid`. For a row in both, the window is AFTER − BEFORE of every cumulative counter; the
//! window's mean is Δtotal / Δcalls and its standard deviation comes from the difference of
//! Σ n(σ² + μ²); its minimum and maximum are not known (pg_stat_statements keeps only the
//! extremes since the row was created). A row only in AFTER is new. A row whose calls or total
//! time went down, or whose `stats_since` (PostgreSQL 17) changed, was reset or evicted and
//! created again in between: its AFTER values are a lower bound of the window, and it is listed.
//! A row only in BEFORE was evicted (or everything was reset). When at least half of the rows
//! in both went backwards, the counters were reset between the snapshots
//! (`pg_stat_statements_reset()`), and the report says so.

use std::collections::HashMap;

use super::columns::Entry;
use super::statements::Stats;

/// What happened to one AFTER row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// In both; counted the window.
    Changed,
    /// In both; not executed in between (left out of the window).
    Unchanged,
    /// Only in AFTER.
    New,
    /// Counters went backwards or `stats_since` moved: reset or evicted and re-created.
    Reset,
}

/// The comparison of two snapshots, per AFTER row.
#[derive(Debug, Clone)]
pub(crate) struct Diff {
    /// Window counters per AFTER row; `None` when it did not run in the window.
    pub(crate) window: Vec<Option<Stats>>,
    pub(crate) status: Vec<Status>,
    /// The BEFORE row each AFTER row was matched with.
    pub(crate) matched: Vec<Option<usize>>,
    /// BEFORE rows missing from AFTER.
    pub(crate) evicted: Vec<usize>,
    /// Rows present in both.
    pub(crate) common: usize,
    /// Of those, how many went backwards.
    pub(crate) resets: usize,
    /// Whether the counters were reset as a whole between the snapshots.
    pub(crate) global_reset: bool,
}

type Key<'a> = (&'a str, &'a str, Option<bool>, Result<i64, &'a str>);

fn key(e: &Entry) -> Key<'_> {
    (
        &e.userid,
        &e.dbid,
        e.toplevel,
        e.queryid.ok_or(e.query.as_str()),
    )
}

/// Compare `before` with `after`.
pub(crate) fn diff(before: &[Entry], after: &[Entry]) -> Diff {
    let index: HashMap<Key<'_>, usize> = before
        .iter()
        .enumerate()
        .map(|(i, e)| (key(e), i))
        .collect();
    let mut seen = vec![false; before.len()];
    let mut d = Diff {
        window: Vec::with_capacity(after.len()),
        status: Vec::with_capacity(after.len()),
        matched: Vec::with_capacity(after.len()),
        evicted: Vec::new(),
        common: 0,
        resets: 0,
        global_reset: false,
    };
    for a in after {
        let now = Stats::of(a);
        match index.get(&key(a)) {
            None => {
                d.window.push((now.calls > 0.0).then_some(now));
                d.status.push(Status::New);
                d.matched.push(None);
            }
            Some(&j) => {
                seen[j] = true;
                d.common += 1;
                let b = &before[j];
                let then = Stats::of(b);
                let moved = a.stats_since.is_some()
                    && b.stats_since.is_some()
                    && a.stats_since != b.stats_since;
                if moved || now.calls < then.calls || now.total_ms < then.total_ms {
                    d.resets += 1;
                    d.window.push((now.calls > 0.0).then_some(now));
                    d.status.push(Status::Reset);
                    d.matched.push(Some(j));
                } else if now.calls == then.calls {
                    d.window.push(None);
                    d.status.push(Status::Unchanged);
                    d.matched.push(Some(j));
                } else {
                    d.window.push(Some(subtract(&now, &then)));
                    d.status.push(Status::Changed);
                    d.matched.push(Some(j));
                }
            }
        }
    }
    d.evicted = (0..before.len()).filter(|&j| !seen[j]).collect();
    d.global_reset = d.resets > 0 && d.resets * 2 >= d.common;
    d
}

/// AFTER − BEFORE, counter by counter. Calls and total time went up (else the row is a reset);
/// a counter that went down meanwhile (BEFORE had a column AFTER lacks, or a dump was edited)
/// counts 0, never a negative amount.
fn subtract(a: &Stats, b: &Stats) -> Stats {
    let d = |x: f64, y: f64| (x - y).max(0.0);
    Stats {
        calls: d(a.calls, b.calls),
        total_ms: d(a.total_ms, b.total_ms),
        min_ms: None,
        max_ms: None,
        sum_sq: match (a.sum_sq, b.sum_sq) {
            (Some(x), Some(y)) => Some(d(x, y)),
            _ => None,
        },
        rows: d(a.rows, b.rows),
        plans: d(a.plans, b.plans),
        plan_ms: d(a.plan_ms, b.plan_ms),
        shared_hit: d(a.shared_hit, b.shared_hit),
        shared_read: d(a.shared_read, b.shared_read),
        shared_dirtied: d(a.shared_dirtied, b.shared_dirtied),
        shared_written: d(a.shared_written, b.shared_written),
        local_hit: d(a.local_hit, b.local_hit),
        local_read: d(a.local_read, b.local_read),
        temp_read: d(a.temp_read, b.temp_read),
        temp_written: d(a.temp_written, b.temp_written),
        io_ms: d(a.io_ms, b.io_ms),
        temp_io_ms: d(a.temp_io_ms, b.temp_io_ms),
        wal_bytes: d(a.wal_bytes, b.wal_bytes),
        jit_ms: d(a.jit_ms, b.jit_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::columns::Builder;

    fn snap(rows: &[(i64, u64, f64)]) -> Vec<Entry> {
        let mut b = Builder::new("t");
        b.header(
            &[
                "userid",
                "dbid",
                "queryid",
                "query",
                "calls",
                "total_exec_time",
            ],
            1,
        )
        .unwrap();
        for (id, calls, total) in rows {
            let (id, calls, total) = (id.to_string(), calls.to_string(), total.to_string());
            b.row(
                2,
                &[
                    Some("10"),
                    Some("5"),
                    Some(&id),
                    Some("SELECT 1"),
                    Some(&calls),
                    Some(&total),
                ],
            )
            .unwrap();
        }
        b.entries
    }

    #[test]
    fn deltas_new_resets_evictions() {
        let before = snap(&[(1, 10, 10.0), (2, 5, 5.0), (3, 7, 7.0), (4, 1, 1.0)]);
        let after = snap(&[(1, 30, 50.0), (2, 2, 1.0), (3, 7, 7.0), (5, 4, 8.0)]);
        let d = diff(&before, &after);
        assert_eq!(
            d.status,
            [
                Status::Changed,
                Status::Reset,
                Status::Unchanged,
                Status::New
            ]
        );
        let w = d.window[0].as_ref().unwrap();
        assert_eq!((w.calls, w.total_ms, w.mean_ms()), (20.0, 40.0, 2.0));
        assert_eq!(d.window[1].as_ref().unwrap().calls, 2.0);
        assert!(d.window[2].is_none());
        assert_eq!(d.evicted, vec![3]);
        assert_eq!((d.common, d.resets), (3, 1));
        assert!(!d.global_reset);
        let reset_all = snap(&[(1, 1, 1.0), (2, 1, 1.0)]);
        assert!(diff(&before, &reset_all).global_reset);
    }
}
