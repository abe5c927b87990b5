//! The report: every section, computed once, rendered by `render/` in any format.
//!
//! Sections (each at most `--top` statements, statements with fewer than `--min-calls` calls
//! left out of every ranking, never out of the totals):
//! - top statements by the `--sort` key (default total time), with their share of the total
//!   execution time and the cumulative share;
//! - by mean time, by calls, by rows per call, by shared blocks read (with the cache hit ratio),
//!   by temp blocks written (spills: only statements that spilled);
//! - planning versus execution (only with planning times);
//! - instability: stddev / mean ≥ 1 or max ≥ 10× mean, over at least 10 calls;
//! - N+1 suspects (`n_plus_one`); statements regrouped from several queryids (`statements`);
//! - with two snapshots: new statements, regressions, resets and evictions (`diff`);
//! - health notes (`health`); the `--fail-on` rules that fired (`rules`).

use std::collections::HashMap;

use clap::ValueEnum;

use super::diff::{self, Status};
use super::health::{self, Note};
use super::input::Snapshot;
use super::n_plus_one::{self, Suspect};
use super::rules::{Metric, Rule};
use super::statements::{self, Statement, Stats};

/// What the main table is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SortKey {
    /// Total execution time.
    Total,
    /// Mean execution time.
    Mean,
    /// Number of calls.
    Calls,
    /// Rows per call.
    Rows,
    /// Shared blocks read (not found in shared buffers).
    Reads,
    /// Temp blocks written (spills to disk).
    Spill,
    /// Total planning time.
    Plan,
    /// Instability: stddev / mean.
    Cv,
    /// Maximum execution time.
    Max,
}

impl SortKey {
    pub(crate) fn name(self) -> &'static str {
        match self {
            SortKey::Total => "total",
            SortKey::Mean => "mean",
            SortKey::Calls => "calls",
            SortKey::Rows => "rows",
            SortKey::Reads => "reads",
            SortKey::Spill => "spill",
            SortKey::Plan => "plan",
            SortKey::Cv => "cv",
            SortKey::Max => "max",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            SortKey::Total => "total time",
            SortKey::Mean => "mean time",
            SortKey::Calls => "calls",
            SortKey::Rows => "rows per call",
            SortKey::Reads => "shared blocks read",
            SortKey::Spill => "temp blocks written",
            SortKey::Plan => "planning time",
            SortKey::Cv => "instability (stddev / mean)",
            SortKey::Max => "max time",
        }
    }

    fn value(self, s: &Stats) -> f64 {
        match self {
            SortKey::Total => s.total_ms,
            SortKey::Mean => s.mean_ms(),
            SortKey::Calls => s.calls,
            SortKey::Rows => s.rows_per_call(),
            SortKey::Reads => s.shared_read,
            SortKey::Spill => s.temp_written,
            SortKey::Plan => s.plan_ms,
            SortKey::Cv => s.cv().unwrap_or(0.0),
            SortKey::Max => s.max_ms.unwrap_or(0.0),
        }
    }
}

/// Options that shape the report.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) top: usize,
    pub(crate) sort: SortKey,
    pub(crate) min_calls: f64,
    pub(crate) rules: Vec<Rule>,
}

/// Instability needs this many calls to mean anything.
pub(crate) const INSTABILITY_MIN_CALLS: f64 = 10.0;
/// A regression: the window's mean is at least this many times the mean before…
pub(crate) const REGRESSION_FACTOR: f64 = 1.5;
/// …and at least this much more (ms).
pub(crate) const REGRESSION_MIN_MS: f64 = 0.1;

/// One input.
#[derive(Debug, Clone)]
pub(crate) struct InputInfo {
    pub(crate) name: String,
    pub(crate) format: &'static str,
    pub(crate) entries: usize,
    pub(crate) postgres: &'static str,
}

/// Totals over every top-level statement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overview {
    pub(crate) entries: usize,
    pub(crate) statements: usize,
    pub(crate) calls: f64,
    pub(crate) total_ms: f64,
    pub(crate) plan_ms: f64,
    pub(crate) rows: f64,
    pub(crate) shared_hit: f64,
    pub(crate) shared_read: f64,
    pub(crate) temp_written: f64,
    pub(crate) hit_ratio: Option<f64>,
}

/// A regression between two snapshots.
#[derive(Debug, Clone)]
pub(crate) struct Regression {
    pub(crate) statement: usize,
    pub(crate) before_mean_ms: f64,
    pub(crate) after_mean_ms: f64,
    pub(crate) before_calls: f64,
}

impl Regression {
    /// The window's mean over the mean before; `None` when the mean before was 0 (any time is
    /// then infinitely more).
    pub(crate) fn factor(&self) -> Option<f64> {
        (self.before_mean_ms > 0.0)
            .then(|| self.after_mean_ms / self.before_mean_ms)
            .filter(|f| f.is_finite())
    }
}

/// A statement seen in BEFORE only.
#[derive(Debug, Clone)]
pub(crate) struct Evicted {
    pub(crate) fingerprint: String,
    pub(crate) normalized: String,
    pub(crate) calls: f64,
    pub(crate) queryids: Vec<i64>,
}

/// The two-snapshot sections.
#[derive(Debug, Clone, Default)]
pub(crate) struct DiffReport {
    pub(crate) new: Vec<usize>,
    pub(crate) regressed: Vec<Regression>,
    /// Statements with a reset or re-created row.
    pub(crate) reset: Vec<usize>,
    pub(crate) evicted: Vec<Evicted>,
    pub(crate) global_reset: bool,
    pub(crate) common: usize,
    pub(crate) reset_rows: usize,
    /// Rows that ran in the window.
    pub(crate) window_rows: usize,
}

/// A `--fail-on` rule that fired.
#[derive(Debug, Clone)]
pub(crate) struct Fired {
    pub(crate) rule: String,
    pub(crate) statements: Vec<usize>,
}

/// Everything the renderers print.
#[derive(Debug, Clone)]
pub(crate) struct Report {
    pub(crate) inputs: Vec<InputInfo>,
    pub(crate) options: Options,
    pub(crate) statements: Vec<Statement>,
    pub(crate) overview: Overview,
    pub(crate) top: Vec<usize>,
    pub(crate) by_mean: Vec<usize>,
    pub(crate) by_calls: Vec<usize>,
    pub(crate) by_rows: Vec<usize>,
    pub(crate) by_reads: Vec<usize>,
    pub(crate) spills: Vec<usize>,
    pub(crate) planning: Vec<usize>,
    pub(crate) instability: Vec<usize>,
    pub(crate) n_plus_one: Vec<Suspect>,
    pub(crate) merged: Vec<usize>,
    pub(crate) health: Vec<Note>,
    pub(crate) diff: Option<DiffReport>,
    pub(crate) fired: Vec<Fired>,
    /// Per statement: its N+1 suspect index, for the tables' markers.
    pub(crate) suspect_of: HashMap<usize, usize>,
}

impl Report {
    /// Share of the total top-level execution time.
    pub(crate) fn share(&self, i: usize) -> Option<f64> {
        let s = &self.statements[i];
        (s.is_toplevel() && self.overview.total_ms > 0.0)
            .then(|| s.stats.total_ms / self.overview.total_ms)
    }

    /// Every statement any section mentions, in first-mention order.
    pub(crate) fn mentioned(&self) -> Vec<usize> {
        let mut seen = vec![false; self.statements.len()];
        let mut out = Vec::new();
        let diff_lists: Vec<usize> = self
            .diff
            .iter()
            .flat_map(|d| {
                d.new
                    .iter()
                    .copied()
                    .chain(d.regressed.iter().map(|r| r.statement))
                    .chain(d.reset.iter().copied())
            })
            .collect();
        let lists = [
            &self.top,
            &self.by_mean,
            &self.by_calls,
            &self.by_rows,
            &self.by_reads,
            &self.spills,
            &self.planning,
            &self.instability,
            &self.merged,
            &diff_lists,
        ];
        let suspects: Vec<usize> = self.n_plus_one.iter().map(|s| s.statement).collect();
        let fired: Vec<usize> = self
            .fired
            .iter()
            .flat_map(|f| f.statements.iter().copied())
            .collect();
        for list in lists.into_iter().chain([&suspects, &fired]) {
            for &i in list {
                if !seen[i] {
                    seen[i] = true;
                    out.push(i);
                }
            }
        }
        out
    }
}

fn input_info(s: &Snapshot) -> InputInfo {
    InputInfo {
        name: s.name.clone(),
        format: s.format.name(),
        entries: s.entries.len(),
        postgres: s.columns.postgres_versions(),
    }
}

/// Build the report of one snapshot, or of the window between two.
pub(crate) fn build(before: Option<&Snapshot>, after: &Snapshot, options: Options) -> Report {
    let mut inputs: Vec<InputInfo> = before.iter().map(|b| input_info(b)).collect();
    inputs.push(input_info(after));
    let mut diff_report = None;
    let statements = match before {
        None => statements::regroup(&after.entries, |i| Some(Stats::of(&after.entries[i]))),
        Some(before) => {
            let d = diff::diff(&before.entries, &after.entries);
            let st = statements::regroup(&after.entries, |i| d.window[i].clone());
            diff_report = Some(diff_sections(before, &d, &st, &options));
            st
        }
    };
    let mut overview = Overview {
        entries: after.entries.len(),
        statements: statements.len(),
        ..Overview::default()
    };
    for s in statements.iter().filter(|s| s.is_toplevel()) {
        overview.calls += s.stats.calls;
        overview.total_ms += s.stats.total_ms;
        overview.plan_ms += s.stats.plan_ms;
        overview.rows += s.stats.rows;
        overview.shared_hit += s.stats.shared_hit;
        overview.shared_read += s.stats.shared_read;
        overview.temp_written += s.stats.temp_written;
    }
    let blocks = overview.shared_hit + overview.shared_read;
    overview.hit_ratio = (blocks > 0.0).then(|| overview.shared_hit / blocks);

    let min_calls = options.min_calls.max(1.0);
    let eligible: Vec<usize> = (0..statements.len())
        .filter(|&i| statements[i].stats.calls >= min_calls)
        .collect();
    let top_n = options.top;
    let ranked = |key: &dyn Fn(&Stats) -> f64, keep: &dyn Fn(&Stats) -> bool| -> Vec<usize> {
        let mut v: Vec<usize> = eligible
            .iter()
            .copied()
            .filter(|&i| keep(&statements[i].stats))
            .collect();
        // Ties keep input order: the report is the same for every format of one dump.
        v.sort_by(|&a, &b| key(&statements[b].stats).total_cmp(&key(&statements[a].stats)));
        v.truncate(top_n);
        v
    };
    let sort = options.sort;
    let top = ranked(&|s| sort.value(s), &|_| true);
    let by_mean = ranked(&|s| s.mean_ms(), &|_| true);
    let by_calls = ranked(&|s| s.calls, &|_| true);
    let by_rows = ranked(&|s| s.rows_per_call(), &|s| s.rows > 0.0);
    let by_reads = ranked(&|s| s.shared_read, &|s| s.shared_read > 0.0);
    let spills = ranked(&|s| s.temp_written, &|s| s.temp_written > 0.0);
    let planning = ranked(&|s| s.plan_ms, &|s| s.plan_ms > 0.0);
    let instability = ranked(&|s| s.cv().unwrap_or(0.0), &|s| {
        s.calls >= INSTABILITY_MIN_CALLS
            && (s.cv().is_some_and(|c| c >= 1.0) || s.max_over_mean().is_some_and(|m| m >= 10.0))
    });
    let n_plus_one = n_plus_one::find(&statements, |i| statements[i].stats.calls >= min_calls);
    let mut merged: Vec<usize> = eligible
        .iter()
        .copied()
        .filter(|&i| statements[i].queryids.len() > 1)
        .collect();
    merged.sort_by(|&a, &b| {
        statements[b]
            .stats
            .total_ms
            .total_cmp(&statements[a].stats.total_ms)
    });
    merged.truncate(top_n);
    let health = health::notes(
        &after.entries,
        &after.columns,
        after.server.as_ref(),
        &statements,
    );
    let suspect_of = n_plus_one
        .iter()
        .enumerate()
        .map(|(k, s)| (s.statement, k))
        .collect();

    let mut report = Report {
        inputs,
        options,
        statements,
        overview,
        top,
        by_mean,
        by_calls,
        by_rows,
        by_reads,
        spills,
        planning,
        instability,
        n_plus_one,
        merged,
        health,
        diff: diff_report,
        fired: Vec::new(),
        suspect_of,
    };
    report.fired = evaluate(&report, &eligible);
    report
}

fn diff_sections(
    before: &Snapshot,
    d: &diff::Diff,
    st: &[Statement],
    options: &Options,
) -> DiffReport {
    let min_calls = options.min_calls.max(1.0);
    let mut out = DiffReport {
        global_reset: d.global_reset,
        common: d.common,
        reset_rows: d.resets,
        window_rows: d.window.iter().filter(|w| w.is_some()).count(),
        ..DiffReport::default()
    };
    for (i, s) in st.iter().enumerate() {
        let statuses: Vec<Status> = s.members.iter().map(|&m| d.status[m]).collect();
        if statuses.iter().all(|&x| x == Status::New) {
            if s.stats.calls >= min_calls {
                out.new.push(i);
            }
            continue;
        }
        if statuses.contains(&Status::Reset) {
            out.reset.push(i);
        }
        // Regression: the window's mean against the cumulative mean before, over the rows that
        // ran in the window and existed before.
        let mut then = Stats::default();
        let mut now = Stats::default();
        for &m in &s.members {
            if d.status[m] == Status::Changed
                && let (Some(j), Some(w)) = (d.matched[m], d.window[m].as_ref())
            {
                then.add(&Stats::of(&before.entries[j]));
                now.add(w);
            }
        }
        if now.calls >= min_calls && then.calls > 0.0 {
            let (b, a) = (then.mean_ms(), now.mean_ms());
            if a >= REGRESSION_FACTOR * b && a - b >= REGRESSION_MIN_MS {
                out.regressed.push(Regression {
                    statement: i,
                    before_mean_ms: b,
                    after_mean_ms: a,
                    before_calls: then.calls,
                });
            }
        }
    }
    out.new
        .sort_by(|&a, &b| st[b].stats.total_ms.total_cmp(&st[a].stats.total_ms));
    out.regressed.sort_by(|a, b| {
        let f = |r: &Regression| r.factor().unwrap_or(f64::INFINITY);
        f(b).total_cmp(&f(a))
    });
    // Evicted rows, by fingerprint.
    let gone: Vec<_> = d.evicted.to_vec();
    let ev = statements::regroup(&before.entries, |j| {
        gone.binary_search(&j)
            .is_ok()
            .then(|| Stats::of(&before.entries[j]))
    });
    out.evicted = ev
        .into_iter()
        .map(|s| Evicted {
            fingerprint: s.fingerprint,
            normalized: s.normalized,
            calls: s.stats.calls,
            queryids: s.queryids,
        })
        .collect();
    out.evicted.sort_by(|a, b| b.calls.total_cmp(&a.calls));
    out
}

/// Which rules fire, for which statements.
fn evaluate(r: &Report, eligible: &[usize]) -> Vec<Fired> {
    let mut out = Vec::new();
    for rule in &r.options.rules {
        let statements: Vec<usize> = match rule {
            Rule::NPlusOne => r.n_plus_one.iter().map(|s| s.statement).collect(),
            Rule::Spill => eligible
                .iter()
                .copied()
                .filter(|&i| r.statements[i].stats.temp_written > 0.0)
                .collect(),
            Rule::Regressed => r
                .diff
                .iter()
                .flat_map(|d| d.regressed.iter().map(|x| x.statement))
                .collect(),
            Rule::New => r.diff.iter().flat_map(|d| d.new.iter().copied()).collect(),
            Rule::Threshold {
                metric, op, value, ..
            } => eligible
                .iter()
                .copied()
                .filter(|&i| {
                    let s = &r.statements[i].stats;
                    let v = match metric {
                        Metric::Mean => Some(s.mean_ms()),
                        Metric::Max => s.max_ms,
                        Metric::Total => Some(s.total_ms),
                        Metric::Stddev => s.stddev_ms(),
                        Metric::Plan => (s.plans > 0.0).then(|| s.mean_plan_ms()),
                        Metric::Calls => Some(s.calls),
                        Metric::RowsPerCall => Some(s.rows_per_call()),
                        Metric::Reads => Some(s.shared_read),
                        Metric::Temp => Some(s.temp_written),
                        Metric::Share => r.share(i),
                        Metric::Hit => s.hit_ratio(),
                        Metric::Cv => s.cv(),
                    };
                    v.is_some_and(|v| op.holds(v, *value))
                })
                .collect(),
        };
        if !statements.is_empty() {
            out.push(Fired {
                rule: rule.text(),
                statements,
            });
        }
    }
    out
}
