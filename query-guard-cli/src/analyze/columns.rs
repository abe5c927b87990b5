//! The column model: one [`Entry`] per pg_stat_statements row, whatever PostgreSQL version
//! wrote it.
//!
//! Columns are matched by name (case-insensitive, surrounding spaces ignored), never by position,
//! so a dump of `SELECT *`, of a hand-picked column list, or of a join with `pg_roles` all work.
//! Names that changed between versions map to one field (verified against the extension's
//! install scripts, `contrib/pg_stat_statements/pg_stat_statements--*.sql`):
//!
//! | field | PostgreSQL 12 (1.7) | 13+ (1.8+) | 17+ (1.11+) |
//! |---|---|---|---|
//! | execution time | `total_time`, `min_time`, `max_time`, `mean_time`, `stddev_time` | `total_exec_time`, `min_exec_time`, … | same |
//! | shared block I/O time | `blk_read_time`, `blk_write_time` | same | `shared_blk_read_time`, `shared_blk_write_time` |
//!
//! Added columns: 13 `plans`, `*_plan_time`, `wal_records`, `wal_fpi`, `wal_bytes`; 14 `toplevel`;
//! 15 `jit_*`, `temp_blk_read_time`, `temp_blk_write_time`; 17 `jit_deform_*`,
//! `local_blk_read_time`, `local_blk_write_time`, `stats_since`, `minmax_stats_since`; 18
//! `wal_buffers_full`, `parallel_workers_to_launch`, `parallel_workers_launched`. (PostgreSQL 16
//! ships the same 1.10 view as 15.)
//!
//! Required: `query`, `calls` and one of `total_exec_time` / `total_time`. Every other column is
//! optional; unknown columns are ignored. `userid` and `dbid` may also be names (`rolname`,
//! `usename`, `datname`) when the dump joined them in.

use std::collections::BTreeSet;

use crate::Failure;

/// The numeric fields of an entry, one slot each in [`Entry::num`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(usize)]
pub(crate) enum N {
    Plans,
    TotalPlanTime,
    MinPlanTime,
    MaxPlanTime,
    MeanPlanTime,
    StddevPlanTime,
    Calls,
    TotalExecTime,
    MinExecTime,
    MaxExecTime,
    MeanExecTime,
    StddevExecTime,
    Rows,
    SharedBlksHit,
    SharedBlksRead,
    SharedBlksDirtied,
    SharedBlksWritten,
    LocalBlksHit,
    LocalBlksRead,
    LocalBlksDirtied,
    LocalBlksWritten,
    TempBlksRead,
    TempBlksWritten,
    SharedBlkReadTime,
    SharedBlkWriteTime,
    LocalBlkReadTime,
    LocalBlkWriteTime,
    TempBlkReadTime,
    TempBlkWriteTime,
    WalRecords,
    WalFpi,
    WalBytes,
    WalBuffersFull,
    JitFunctions,
    JitGenerationTime,
    JitInliningCount,
    JitInliningTime,
    JitOptimizationCount,
    JitOptimizationTime,
    JitEmissionCount,
    JitEmissionTime,
    JitDeformCount,
    JitDeformTime,
    ParallelWorkersToLaunch,
    ParallelWorkersLaunched,
}

/// Number of numeric fields.
pub(crate) const NUM: usize = N::ParallelWorkersLaunched as usize + 1;

/// Where a column goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    UserId,
    DbId,
    TopLevel,
    QueryId,
    Query,
    StatsSince,
    MinmaxStatsSince,
    Num(N, Kind),
}

/// How a numeric column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A count: a whole number.
    Whole,
    /// Milliseconds or bytes: any number.
    Real,
}

/// Column names, every version's spelling, and where each goes.
const COLUMNS: &[(&str, Target)] = {
    use Kind::*;
    use Target::*;
    &[
        ("userid", UserId),
        ("rolname", UserId),
        ("usename", UserId),
        ("dbid", DbId),
        ("datname", DbId),
        ("toplevel", TopLevel),
        ("queryid", QueryId),
        ("query", Query),
        ("plans", Num(N::Plans, Whole)),
        ("total_plan_time", Num(N::TotalPlanTime, Real)),
        ("min_plan_time", Num(N::MinPlanTime, Real)),
        ("max_plan_time", Num(N::MaxPlanTime, Real)),
        ("mean_plan_time", Num(N::MeanPlanTime, Real)),
        ("stddev_plan_time", Num(N::StddevPlanTime, Real)),
        ("calls", Num(N::Calls, Whole)),
        ("total_exec_time", Num(N::TotalExecTime, Real)),
        ("total_time", Num(N::TotalExecTime, Real)),
        ("min_exec_time", Num(N::MinExecTime, Real)),
        ("min_time", Num(N::MinExecTime, Real)),
        ("max_exec_time", Num(N::MaxExecTime, Real)),
        ("max_time", Num(N::MaxExecTime, Real)),
        ("mean_exec_time", Num(N::MeanExecTime, Real)),
        ("mean_time", Num(N::MeanExecTime, Real)),
        ("stddev_exec_time", Num(N::StddevExecTime, Real)),
        ("stddev_time", Num(N::StddevExecTime, Real)),
        ("rows", Num(N::Rows, Whole)),
        ("shared_blks_hit", Num(N::SharedBlksHit, Whole)),
        ("shared_blks_read", Num(N::SharedBlksRead, Whole)),
        ("shared_blks_dirtied", Num(N::SharedBlksDirtied, Whole)),
        ("shared_blks_written", Num(N::SharedBlksWritten, Whole)),
        ("local_blks_hit", Num(N::LocalBlksHit, Whole)),
        ("local_blks_read", Num(N::LocalBlksRead, Whole)),
        ("local_blks_dirtied", Num(N::LocalBlksDirtied, Whole)),
        ("local_blks_written", Num(N::LocalBlksWritten, Whole)),
        ("temp_blks_read", Num(N::TempBlksRead, Whole)),
        ("temp_blks_written", Num(N::TempBlksWritten, Whole)),
        ("shared_blk_read_time", Num(N::SharedBlkReadTime, Real)),
        ("blk_read_time", Num(N::SharedBlkReadTime, Real)),
        ("shared_blk_write_time", Num(N::SharedBlkWriteTime, Real)),
        ("blk_write_time", Num(N::SharedBlkWriteTime, Real)),
        ("local_blk_read_time", Num(N::LocalBlkReadTime, Real)),
        ("local_blk_write_time", Num(N::LocalBlkWriteTime, Real)),
        ("temp_blk_read_time", Num(N::TempBlkReadTime, Real)),
        ("temp_blk_write_time", Num(N::TempBlkWriteTime, Real)),
        ("wal_records", Num(N::WalRecords, Whole)),
        ("wal_fpi", Num(N::WalFpi, Whole)),
        ("wal_bytes", Num(N::WalBytes, Real)),
        ("wal_buffers_full", Num(N::WalBuffersFull, Whole)),
        ("jit_functions", Num(N::JitFunctions, Whole)),
        ("jit_generation_time", Num(N::JitGenerationTime, Real)),
        ("jit_inlining_count", Num(N::JitInliningCount, Whole)),
        ("jit_inlining_time", Num(N::JitInliningTime, Real)),
        (
            "jit_optimization_count",
            Num(N::JitOptimizationCount, Whole),
        ),
        ("jit_optimization_time", Num(N::JitOptimizationTime, Real)),
        ("jit_emission_count", Num(N::JitEmissionCount, Whole)),
        ("jit_emission_time", Num(N::JitEmissionTime, Real)),
        ("jit_deform_count", Num(N::JitDeformCount, Whole)),
        ("jit_deform_time", Num(N::JitDeformTime, Real)),
        (
            "parallel_workers_to_launch",
            Num(N::ParallelWorkersToLaunch, Whole),
        ),
        (
            "parallel_workers_launched",
            Num(N::ParallelWorkersLaunched, Whole),
        ),
        ("stats_since", StatsSince),
        ("minmax_stats_since", MinmaxStatsSince),
    ]
};

/// One pg_stat_statements row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// `userid` (an OID, or a role name when the dump joined one in); empty when absent.
    pub(crate) userid: String,
    /// `dbid` (an OID, or a database name); empty when absent.
    pub(crate) dbid: String,
    /// `toplevel` (PostgreSQL 14+); `None` before.
    pub(crate) toplevel: Option<bool>,
    pub(crate) queryid: Option<i64>,
    /// pg_stat_statements' text (already `$n`-normalised by PostgreSQL).
    pub(crate) query: String,
    /// Numeric fields; `None` when the column is absent or NULL.
    pub(crate) num: [Option<f64>; NUM],
    pub(crate) stats_since: Option<String>,
    pub(crate) minmax_stats_since: Option<String>,
    /// Line of the input where the row starts (1-based; 0 for live rows).
    pub(crate) line: usize,
}

impl Entry {
    /// A numeric field, 0 when absent.
    pub(crate) fn get(&self, n: N) -> f64 {
        self.num[n as usize].unwrap_or(0.0)
    }

    /// A numeric field, `None` when absent.
    pub(crate) fn opt(&self, n: N) -> Option<f64> {
        self.num[n as usize]
    }
}

/// Which fields the input had, and what PostgreSQL version that column set belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ColumnSet {
    /// Canonical names of the fields present (the newest spelling: `total_exec_time`, …).
    pub(crate) present: BTreeSet<&'static str>,
    /// The spellings as found in the input, in input order.
    pub(crate) found: Vec<String>,
}

impl ColumnSet {
    pub(crate) fn has(&self, canonical: &str) -> bool {
        self.present.contains(canonical)
    }

    /// The PostgreSQL versions whose pg_stat_statements view has these columns, judged by the
    /// newest column present and by the old spellings: `"12"`, `"13"`, `"14"`, `"15–16"`,
    /// `"17"`, `"18+"`. For a partial column list this is a lower bound (`"15–16 or newer"`
    /// would be the honest reading; the dump does not say more).
    pub(crate) fn postgres_versions(&self) -> &'static str {
        let f = |n: &str| self.found.iter().any(|c| c == n);
        if f("wal_buffers_full")
            || f("parallel_workers_to_launch")
            || f("parallel_workers_launched")
        {
            "18+"
        } else if f("jit_deform_count")
            || f("stats_since")
            || f("minmax_stats_since")
            || f("shared_blk_read_time")
        {
            "17"
        } else if f("jit_functions") || f("temp_blk_read_time") {
            "15–16"
        } else if f("toplevel") {
            "14"
        } else if f("total_plan_time") || f("total_exec_time") || f("wal_bytes") {
            "13"
        } else if f("total_time") {
            "12 or older"
        } else {
            "unknown"
        }
    }
}

/// Turns rows of text cells into [`Entry`]s: [`Builder::header`] once per header (JSON objects
/// may bring a new one), then [`Builder::row`] per row.
pub(crate) struct Builder {
    /// Name of the input, for messages.
    source: String,
    /// Per input column: its name and target (None: ignored).
    map: Vec<(String, Option<Target>)>,
    pub(crate) columns: ColumnSet,
    pub(crate) entries: Vec<Entry>,
}

fn canonical_name(t: Target) -> &'static str {
    // The first spelling listed for a target is the canonical one.
    COLUMNS
        .iter()
        .find(|(_, x)| *x == t)
        .map(|(n, _)| *n)
        .unwrap_or("?")
}

impl Builder {
    pub(crate) fn new(source: impl Into<String>) -> Builder {
        Builder {
            source: source.into(),
            map: Vec::new(),
            columns: ColumnSet::default(),
            entries: Vec::new(),
        }
    }

    /// Set the column names of the rows that follow. `line` is where the header is.
    pub(crate) fn header<S: AsRef<str>>(
        &mut self,
        names: &[S],
        line: usize,
    ) -> Result<(), Failure> {
        self.map.clear();
        let mut seen: Vec<Target> = Vec::new();
        for name in names {
            let name = name.as_ref().trim();
            let lower = name.to_ascii_lowercase();
            let target = COLUMNS.iter().find(|(n, _)| *n == lower).map(|(_, t)| *t);
            if let Some(t) = target {
                if seen.contains(&t) {
                    return Err(Failure::usage(format!(
                        "{} line {line}: column `{name}` appears twice (or with its other version's spelling); expected each pg_stat_statements column once",
                        self.source
                    )));
                }
                seen.push(t);
                self.columns.present.insert(canonical_name(t));
                if !self.columns.found.contains(&lower) {
                    self.columns.found.push(lower.clone());
                }
            }
            self.map.push((name.to_owned(), target));
        }
        let has = |t: fn(&Target) -> bool| seen.iter().any(t);
        let missing: Vec<&str> = [
            ("query", has(|t| *t == Target::Query)),
            ("calls", has(|t| *t == Target::Num(N::Calls, Kind::Whole))),
            (
                "total_exec_time (or total_time)",
                has(|t| *t == Target::Num(N::TotalExecTime, Kind::Real)),
            ),
        ]
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(n, _)| *n)
        .collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = names.iter().map(|n| n.as_ref().trim()).take(12).collect();
            let more = if names.len() > 12 { ", …" } else { "" };
            return Err(Failure::usage(format!(
                "{} line {line}: no {} column (the columns are: {}{more}); expected a pg_stat_statements dump with its column names",
                self.source,
                missing.join(", no "),
                if shown.is_empty() {
                    "none".to_owned()
                } else {
                    shown.join(", ")
                }
            )));
        }
        Ok(())
    }

    /// Name of the input, for messages.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Number of columns of the current header.
    pub(crate) fn width(&self) -> usize {
        self.map.len()
    }

    /// Add one row; `cells[i]` is the text of column `i` of the header (`None`: NULL).
    pub(crate) fn row(&mut self, line: usize, cells: &[Option<&str>]) -> Result<(), Failure> {
        let mut e = Entry {
            userid: String::new(),
            dbid: String::new(),
            toplevel: None,
            queryid: None,
            query: String::new(),
            num: [None; NUM],
            stats_since: None,
            minmax_stats_since: None,
            line,
        };
        let mut has_query = false;
        for ((name, target), cell) in self.map.iter().zip(cells) {
            let Some(target) = target else { continue };
            let Some(raw) = cell else {
                continue;
            };
            let bad = |expected: &str| {
                let mut shown: String = raw.chars().take(40).collect();
                if shown.len() < raw.len() {
                    shown.push('…');
                }
                Failure::usage(format!(
                    "{} line {line}, column `{name}`: expected {expected}, found {shown:?}",
                    self.source
                ))
            };
            match *target {
                Target::Query => {
                    e.query = (*raw).to_owned();
                    has_query = true;
                }
                Target::UserId => e.userid = raw.trim().to_owned(),
                Target::DbId => e.dbid = raw.trim().to_owned(),
                Target::StatsSince => e.stats_since = non_empty(raw),
                Target::MinmaxStatsSince => e.minmax_stats_since = non_empty(raw),
                Target::TopLevel => {
                    e.toplevel = match raw.trim() {
                        "" => None,
                        "t" | "true" | "TRUE" | "True" | "1" | "on" => Some(true),
                        "f" | "false" | "FALSE" | "False" | "0" | "off" => Some(false),
                        _ => return Err(bad("a boolean (t/f or true/false)")),
                    }
                }
                Target::QueryId => {
                    let t = raw.trim();
                    if !t.is_empty() {
                        e.queryid = Some(t.parse().map_err(|_| bad("a 64-bit integer"))?);
                    }
                }
                Target::Num(n, kind) => {
                    let t = raw.trim();
                    if t.is_empty() {
                        continue;
                    }
                    let v = parse_number(t, kind).ok_or_else(|| {
                        bad(match kind {
                            Kind::Whole => "a whole number",
                            Kind::Real => "a number",
                        })
                    })?;
                    e.num[n as usize] = Some(v);
                }
            }
        }
        if !has_query {
            return Err(Failure::usage(format!(
                "{} line {line}, column `query`: expected the statement text, found NULL",
                self.source
            )));
        }
        if e.opt(N::Calls).is_none() {
            return Err(Failure::usage(format!(
                "{} line {line}, column `calls`: expected a whole number, found NULL",
                self.source
            )));
        }
        if e.opt(N::TotalExecTime).is_none() {
            return Err(Failure::usage(format!(
                "{} line {line}, column `total_exec_time`: expected a number, found NULL",
                self.source
            )));
        }
        self.entries.push(e);
        Ok(())
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Parse a PostgreSQL number as printed by psql, COPY or JSON (`12`, `0.5`, `1e-07`, `NaN`,
/// `Infinity`). Whole numbers must not have a fraction (`1.0` is whole); none may be negative except times
/// (`min_plan_time` is never negative either, but a clock step can make totals odd: accepted).
fn parse_number(t: &str, kind: Kind) -> Option<f64> {
    match kind {
        Kind::Whole => match t.parse::<i64>() {
            Ok(v) => (v >= 0).then_some(v as f64),
            // `1.0`, `2e3`: JSON writers that only know floats.
            Err(_) => {
                let v: f64 = t.parse().ok()?;
                (v >= 0.0 && v.is_finite() && v.fract() == 0.0).then_some(v)
            }
        },
        Kind::Real => {
            let v: f64 = t.parse().ok()?;
            (!v.is_nan()).then_some(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_old_and_new_spellings() {
        let mut b = Builder::new("t");
        b.header(&["QUERY", " calls ", "total_time", "blk_read_time", "x"], 1)
            .unwrap();
        b.row(
            2,
            &[
                Some("SELECT $1"),
                Some("3"),
                Some("1.5"),
                Some("2e-3"),
                Some("?"),
            ],
        )
        .unwrap();
        let e = &b.entries[0];
        assert_eq!(e.get(N::Calls), 3.0);
        assert_eq!(e.get(N::TotalExecTime), 1.5);
        assert_eq!(e.get(N::SharedBlkReadTime), 0.002);
        assert!(b.columns.has("total_exec_time"));
        assert!(b.columns.has("shared_blk_read_time"));
        assert_eq!(b.columns.postgres_versions(), "12 or older");
    }

    #[test]
    fn errors_name_line_and_column() {
        let mut b = Builder::new("dump.csv");
        b.header(&["query", "calls", "total_exec_time"], 1).unwrap();
        let e = b
            .row(7, &[Some("SELECT 1"), Some("2.5"), Some("1")])
            .unwrap_err();
        assert_eq!(
            e.message,
            "dump.csv line 7, column `calls`: expected a whole number, found \"2.5\""
        );
        let e = b.header(&["query", "total_time"], 1).unwrap_err();
        assert!(e.message.contains("no calls column"), "{}", e.message);
        let e = b
            .header(&["query", "total_time", "calls", "total_exec_time"], 1)
            .unwrap_err();
        assert!(e.message.contains("appears twice"), "{}", e.message);
    }
}
