//! From entries to statements: pg_stat_statements rows regrouped by query-guard's fingerprint,
//! with pooled statistics.
//!
//! PostgreSQL gives `WHERE id IN ($1, $2)` and `WHERE id IN ($1, $2, $3)` different `queryid`s
//! (before 18), and one statement run by two roles is two rows. query-guard's fingerprint merges
//! IN-list lengths, `= ANY($1)`, multi-row `VALUES` and the rest of its rules, so a statement
//! here is every row of one database, one `toplevel` value and one fingerprint. Pooled
//! statistics: sums of the counters; the mean is total time / calls; the minimum and maximum are
//! the extremes; the standard deviation is the pooled population one,
//! `sqrt(Σ nᵢ(σᵢ² + μᵢ²) / Σ nᵢ − μ²)`, the same as pg_stat_statements would have computed for
//! one row. Texts are shown as our normalised text, never pg_stat_statements' own.

use std::collections::HashMap;

use query_guard_fingerprint::{Dialect, StatementKind, fingerprint};

use super::columns::{Entry, N};

/// Pooled counters of one statement (or of one entry).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Stats {
    pub(crate) calls: f64,
    /// Execution time, ms.
    pub(crate) total_ms: f64,
    pub(crate) min_ms: Option<f64>,
    pub(crate) max_ms: Option<f64>,
    /// Σ n(σ² + μ²), to pool the standard deviation; `None` when some row lacked it.
    pub(crate) sum_sq: Option<f64>,
    pub(crate) rows: f64,
    pub(crate) plans: f64,
    pub(crate) plan_ms: f64,
    pub(crate) shared_hit: f64,
    pub(crate) shared_read: f64,
    pub(crate) shared_dirtied: f64,
    pub(crate) shared_written: f64,
    pub(crate) local_hit: f64,
    pub(crate) local_read: f64,
    pub(crate) temp_read: f64,
    pub(crate) temp_written: f64,
    /// Shared block read + write time (track_io_timing), ms.
    pub(crate) io_ms: f64,
    pub(crate) temp_io_ms: f64,
    pub(crate) wal_bytes: f64,
    /// JIT time of every phase, ms.
    pub(crate) jit_ms: f64,
}

impl Stats {
    pub(crate) fn of(e: &Entry) -> Stats {
        let calls = e.get(N::Calls);
        let total = e.get(N::TotalExecTime);
        let sum_sq = e.opt(N::StddevExecTime).map(|sd| {
            let mean = if calls > 0.0 { total / calls } else { 0.0 };
            calls * (sd * sd + mean * mean)
        });
        Stats {
            calls,
            total_ms: total,
            min_ms: e.opt(N::MinExecTime).filter(|_| calls > 0.0),
            max_ms: e.opt(N::MaxExecTime).filter(|_| calls > 0.0),
            sum_sq,
            rows: e.get(N::Rows),
            plans: e.get(N::Plans),
            plan_ms: e.get(N::TotalPlanTime),
            shared_hit: e.get(N::SharedBlksHit),
            shared_read: e.get(N::SharedBlksRead),
            shared_dirtied: e.get(N::SharedBlksDirtied),
            shared_written: e.get(N::SharedBlksWritten),
            local_hit: e.get(N::LocalBlksHit),
            local_read: e.get(N::LocalBlksRead),
            temp_read: e.get(N::TempBlksRead),
            temp_written: e.get(N::TempBlksWritten),
            io_ms: e.get(N::SharedBlkReadTime) + e.get(N::SharedBlkWriteTime),
            temp_io_ms: e.get(N::TempBlkReadTime) + e.get(N::TempBlkWriteTime),
            wal_bytes: e.get(N::WalBytes),
            jit_ms: e.get(N::JitGenerationTime)
                + e.get(N::JitInliningTime)
                + e.get(N::JitOptimizationTime)
                + e.get(N::JitEmissionTime)
                + e.get(N::JitDeformTime),
        }
    }

    pub(crate) fn add(&mut self, o: &Stats) {
        let first = self.calls == 0.0 && self.total_ms == 0.0 && self.sum_sq.is_none();
        self.sum_sq = match (self.sum_sq, o.sum_sq) {
            (Some(a), Some(b)) => Some(a + b),
            (None, Some(b)) if first => Some(b),
            _ => None,
        };
        self.calls += o.calls;
        self.total_ms += o.total_ms;
        self.min_ms = min_opt(self.min_ms, o.min_ms);
        self.max_ms = max_opt(self.max_ms, o.max_ms);
        self.rows += o.rows;
        self.plans += o.plans;
        self.plan_ms += o.plan_ms;
        self.shared_hit += o.shared_hit;
        self.shared_read += o.shared_read;
        self.shared_dirtied += o.shared_dirtied;
        self.shared_written += o.shared_written;
        self.local_hit += o.local_hit;
        self.local_read += o.local_read;
        self.temp_read += o.temp_read;
        self.temp_written += o.temp_written;
        self.io_ms += o.io_ms;
        self.temp_io_ms += o.temp_io_ms;
        self.wal_bytes += o.wal_bytes;
        self.jit_ms += o.jit_ms;
    }

    /// Mean execution time, ms.
    pub(crate) fn mean_ms(&self) -> f64 {
        if self.calls > 0.0 {
            self.total_ms / self.calls
        } else {
            0.0
        }
    }

    /// Pooled population standard deviation, ms.
    pub(crate) fn stddev_ms(&self) -> Option<f64> {
        let sq = self.sum_sq?;
        if self.calls <= 0.0 {
            return None;
        }
        let mean = self.mean_ms();
        Some((sq / self.calls - mean * mean).max(0.0).sqrt())
    }

    /// Coefficient of variation: stddev / mean (`None` when the mean is 0, or so small that
    /// the ratio is not a finite number).
    pub(crate) fn cv(&self) -> Option<f64> {
        let mean = self.mean_ms();
        (mean > 0.0)
            .then(|| self.stddev_ms().map(|s| s / mean))
            .flatten()
            .filter(|r| r.is_finite())
    }

    /// The maximum over the mean (`None` as for [`Stats::cv`]).
    pub(crate) fn max_over_mean(&self) -> Option<f64> {
        let mean = self.mean_ms();
        (mean > 0.0)
            .then(|| self.max_ms.map(|m| m / mean))
            .flatten()
            .filter(|r| r.is_finite())
    }

    pub(crate) fn rows_per_call(&self) -> f64 {
        if self.calls > 0.0 {
            self.rows / self.calls
        } else {
            0.0
        }
    }

    /// shared_blks_hit / (hit + read); `None` without block traffic.
    pub(crate) fn hit_ratio(&self) -> Option<f64> {
        let all = self.shared_hit + self.shared_read;
        (all > 0.0).then(|| self.shared_hit / all)
    }

    /// Planning time / (planning + execution time); `None` without planning time.
    pub(crate) fn plan_share(&self) -> Option<f64> {
        let all = self.plan_ms + self.total_ms;
        (self.plan_ms > 0.0 && all > 0.0).then(|| self.plan_ms / all)
    }

    pub(crate) fn mean_plan_ms(&self) -> f64 {
        if self.plans > 0.0 {
            self.plan_ms / self.plans
        } else {
            0.0
        }
    }
}

fn min_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// One statement shape in one database: every entry with its fingerprint.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    /// Stable id within a report: the fingerprint, with `@dbid` and `/nested` when needed to
    /// tell statements apart.
    pub(crate) id: String,
    pub(crate) fingerprint: String,
    pub(crate) hash: u64,
    /// query-guard's normalised text.
    pub(crate) normalized: String,
    pub(crate) kind: StatementKind,
    pub(crate) tables: Vec<String>,
    pub(crate) dbid: String,
    pub(crate) toplevel: Option<bool>,
    pub(crate) userids: Vec<String>,
    /// The pg_stat_statements `queryid`s merged here (sorted, distinct).
    pub(crate) queryids: Vec<i64>,
    /// Number of pg_stat_statements rows merged.
    pub(crate) entries: usize,
    pub(crate) stats: Stats,
    /// Index of each merged entry in the input.
    pub(crate) members: Vec<usize>,
}

impl Statement {
    /// Whether it counts towards totals and shares: nested statements' time is also in their
    /// caller's.
    pub(crate) fn is_toplevel(&self) -> bool {
        self.toplevel != Some(false)
    }
}

/// Group entries by (dbid, toplevel, fingerprint). Statements come out in order of first
/// appearance; `stats_of` gives each entry's counters (a diff passes window counters).
pub(crate) fn regroup(
    entries: &[Entry],
    stats_of: impl Fn(usize) -> Option<Stats>,
) -> Vec<Statement> {
    // Fingerprint each distinct text once: dumps repeat texts across roles.
    let mut fp_cache: HashMap<&str, (u64, usize)> = HashMap::new();
    let mut fps = Vec::new();
    let mut index: HashMap<(String, Option<bool>, u64), usize> = HashMap::new();
    let mut out: Vec<Statement> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(stats) = stats_of(i) else { continue };
        let fi = match fp_cache.get(e.query.as_str()) {
            Some(&(_, fi)) => fi,
            None => {
                let fp = fingerprint(&e.query, Dialect::Postgres);
                fps.push(fp);
                let fi = fps.len() - 1;
                fp_cache.insert(e.query.as_str(), (fps[fi].hash, fi));
                fi
            }
        };
        let fp = &fps[fi];
        let key = (e.dbid.clone(), e.toplevel, fp.hash);
        let si = *index.entry(key).or_insert_with(|| {
            out.push(Statement {
                id: String::new(),
                fingerprint: fp.hex(),
                hash: fp.hash,
                normalized: fp.normalized.clone(),
                kind: fp.kind,
                tables: fp.tables.clone(),
                dbid: e.dbid.clone(),
                toplevel: e.toplevel,
                userids: Vec::new(),
                queryids: Vec::new(),
                entries: 0,
                stats: Stats::default(),
                members: Vec::new(),
            });
            out.len() - 1
        });
        let s = &mut out[si];
        s.stats.add(&stats);
        s.entries += 1;
        s.members.push(i);
        if !s.userids.contains(&e.userid) {
            s.userids.push(e.userid.clone());
        }
        if let Some(q) = e.queryid
            && !s.queryids.contains(&q)
        {
            s.queryids.push(q);
        }
    }
    // Ids: the fingerprint, qualified only when it is not unique.
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for s in &out {
        *counts.entry(s.hash).or_default() += 1;
    }
    for s in &mut out {
        s.queryids.sort_unstable();
        s.userids.sort();
        s.id = if counts[&s.hash] > 1 {
            let db = if s.dbid.is_empty() { "?" } else { &s.dbid };
            let nested = if s.toplevel == Some(false) {
                "/nested"
            } else {
                ""
            };
            format!("{}@{db}{nested}", s.fingerprint)
        } else {
            s.fingerprint.clone()
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::columns::{Builder, N};

    fn entries(rows: &[(&str, i64, f64, f64, f64)]) -> Vec<Entry> {
        let mut b = Builder::new("t");
        b.header(
            &[
                "dbid",
                "queryid",
                "query",
                "calls",
                "total_exec_time",
                "stddev_exec_time",
            ],
            1,
        )
        .unwrap();
        for (i, (q, id, calls, total, sd)) in rows.iter().enumerate() {
            let (id, calls, total, sd) = (
                id.to_string(),
                calls.to_string(),
                total.to_string(),
                sd.to_string(),
            );
            b.row(
                i + 2,
                &[
                    Some("1"),
                    Some(&id),
                    Some(q),
                    Some(&calls),
                    Some(&total),
                    Some(&sd),
                ],
            )
            .unwrap();
        }
        b.entries
    }

    #[test]
    fn in_list_lengths_merge_with_pooled_stats() {
        // Two groups with means 1 and 3, stddev 0: pooled mean 2.5 over 4 calls, stddev
        // sqrt((1*1 + 3*9)/4 - 6.25) = sqrt(0.75).
        let e = entries(&[
            ("SELECT * FROM t WHERE id IN ($1, $2)", 1, 1.0, 1.0, 0.0),
            ("SELECT * FROM t WHERE id IN ($1, $2, $3)", 2, 3.0, 9.0, 0.0),
            ("SELECT * FROM u", 3, 1.0, 1.0, 0.0),
        ]);
        let s = regroup(&e, |i| Some(Stats::of(&e[i])));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].queryids, vec![1, 2]);
        assert_eq!(s[0].stats.calls, 4.0);
        assert_eq!(s[0].stats.mean_ms(), 2.5);
        assert!((s[0].stats.stddev_ms().unwrap() - 0.75f64.sqrt()).abs() < 1e-12);
        assert_eq!(s[0].normalized, "SELECT * FROM t WHERE id IN ($1)");
        assert_eq!(e[0].get(N::Calls), 1.0);
    }
}
