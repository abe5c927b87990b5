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

use crate::failure::Failure;

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

/// How a numeric column is written, and so which values are possible (pg_stat_statements'
/// own types; see [`parse_number`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A `bigint` counter (`calls`, `rows`, blocks, WAL records, JIT counts, …): a whole number
    /// from 0 to `i64::MAX`.
    Count,
    /// `wal_bytes`: `numeric`, from an unsigned 64-bit counter: a whole number from 0 to
    /// `u64::MAX`.
    Bytes,
    /// Milliseconds (`double precision`): from 0 to [`MAX_MS`].
    Time,
}

impl Kind {
    /// What a possible value is, for errors.
    fn expected(self) -> &'static str {
        match self {
            Kind::Count => "a whole number from 0 to 9223372036854775807",
            Kind::Bytes => "a whole number of bytes from 0 to 18446744073709551615",
            Kind::Time => "a time from 0 to 1e15 ms (about 31,700 years)",
        }
    }
}

/// The largest time a dump may give, in milliseconds: 1e15 ms, about 31,700 years. A
/// pg_stat_statements time is the sum over every call of one statement since the last reset:
/// even a thousand backends running one statement without a pause for thirty years stay below
/// it, so a larger one (or `Infinity`, or `1e308`) is a corrupted dump. The bound also keeps
/// every sum, square and ratio of the report finite.
pub(crate) const MAX_MS: f64 = 1e15;

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
        ("plans", Num(N::Plans, Count)),
        ("total_plan_time", Num(N::TotalPlanTime, Time)),
        ("min_plan_time", Num(N::MinPlanTime, Time)),
        ("max_plan_time", Num(N::MaxPlanTime, Time)),
        ("mean_plan_time", Num(N::MeanPlanTime, Time)),
        ("stddev_plan_time", Num(N::StddevPlanTime, Time)),
        ("calls", Num(N::Calls, Count)),
        ("total_exec_time", Num(N::TotalExecTime, Time)),
        ("total_time", Num(N::TotalExecTime, Time)),
        ("min_exec_time", Num(N::MinExecTime, Time)),
        ("min_time", Num(N::MinExecTime, Time)),
        ("max_exec_time", Num(N::MaxExecTime, Time)),
        ("max_time", Num(N::MaxExecTime, Time)),
        ("mean_exec_time", Num(N::MeanExecTime, Time)),
        ("mean_time", Num(N::MeanExecTime, Time)),
        ("stddev_exec_time", Num(N::StddevExecTime, Time)),
        ("stddev_time", Num(N::StddevExecTime, Time)),
        ("rows", Num(N::Rows, Count)),
        ("shared_blks_hit", Num(N::SharedBlksHit, Count)),
        ("shared_blks_read", Num(N::SharedBlksRead, Count)),
        ("shared_blks_dirtied", Num(N::SharedBlksDirtied, Count)),
        ("shared_blks_written", Num(N::SharedBlksWritten, Count)),
        ("local_blks_hit", Num(N::LocalBlksHit, Count)),
        ("local_blks_read", Num(N::LocalBlksRead, Count)),
        ("local_blks_dirtied", Num(N::LocalBlksDirtied, Count)),
        ("local_blks_written", Num(N::LocalBlksWritten, Count)),
        ("temp_blks_read", Num(N::TempBlksRead, Count)),
        ("temp_blks_written", Num(N::TempBlksWritten, Count)),
        ("shared_blk_read_time", Num(N::SharedBlkReadTime, Time)),
        ("blk_read_time", Num(N::SharedBlkReadTime, Time)),
        ("shared_blk_write_time", Num(N::SharedBlkWriteTime, Time)),
        ("blk_write_time", Num(N::SharedBlkWriteTime, Time)),
        ("local_blk_read_time", Num(N::LocalBlkReadTime, Time)),
        ("local_blk_write_time", Num(N::LocalBlkWriteTime, Time)),
        ("temp_blk_read_time", Num(N::TempBlkReadTime, Time)),
        ("temp_blk_write_time", Num(N::TempBlkWriteTime, Time)),
        ("wal_records", Num(N::WalRecords, Count)),
        ("wal_fpi", Num(N::WalFpi, Count)),
        ("wal_bytes", Num(N::WalBytes, Bytes)),
        ("wal_buffers_full", Num(N::WalBuffersFull, Count)),
        ("jit_functions", Num(N::JitFunctions, Count)),
        ("jit_generation_time", Num(N::JitGenerationTime, Time)),
        ("jit_inlining_count", Num(N::JitInliningCount, Count)),
        ("jit_inlining_time", Num(N::JitInliningTime, Time)),
        (
            "jit_optimization_count",
            Num(N::JitOptimizationCount, Count),
        ),
        ("jit_optimization_time", Num(N::JitOptimizationTime, Time)),
        ("jit_emission_count", Num(N::JitEmissionCount, Count)),
        ("jit_emission_time", Num(N::JitEmissionTime, Time)),
        ("jit_deform_count", Num(N::JitDeformCount, Count)),
        ("jit_deform_time", Num(N::JitDeformTime, Time)),
        (
            "parallel_workers_to_launch",
            Num(N::ParallelWorkersToLaunch, Count),
        ),
        (
            "parallel_workers_launched",
            Num(N::ParallelWorkersLaunched, Count),
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
            ("calls", has(|t| *t == Target::Num(N::Calls, Kind::Count))),
            (
                "total_exec_time (or total_time)",
                has(|t| *t == Target::Num(N::TotalExecTime, Kind::Time)),
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
                    let v = parse_number(t, kind).ok_or_else(|| bad(kind.expected()))?;
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
                "{} line {line}, column `calls`: expected {}, found NULL",
                self.source,
                Kind::Count.expected()
            )));
        }
        if e.opt(N::TotalExecTime).is_none() {
            return Err(Failure::usage(format!(
                "{} line {line}, column `total_exec_time`: expected {}, found NULL",
                self.source,
                Kind::Time.expected()
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

/// The largest value the numeric field in slot `slot` of [`Entry::num`] may hold (its column's
/// type: see [`Kind`]); what the fuzz target checks every entry against.
pub(crate) fn max_of(slot: usize) -> f64 {
    let kind = COLUMNS.iter().find_map(|(_, t)| match *t {
        Target::Num(n, k) if n as usize == slot => Some(k),
        _ => None,
    });
    match kind {
        Some(Kind::Count) => i64::MAX as f64,
        Some(Kind::Bytes) => u64::MAX as f64,
        Some(Kind::Time) => MAX_MS,
        None => 0.0,
    }
}

/// Parse a number as psql, COPY or JSON print it (`12`, `0.5`, `1e-07`, `2e3`; JSON writers
/// that only know floats print counts as `1.0`), when it is one the column can hold: whole and
/// within `bigint` (`u64` for `wal_bytes`) for counts, finite, non-negative and at most
/// [`MAX_MS`] for times. `NaN`, `Infinity`, negative values (pg_stat_statements measures with a
/// monotonic clock and counts up), fractions of a count and counts past the column's type are
/// not: the dump is corrupted or was edited, and a report from it would print `inf`, `NaN` or
/// negative means.
fn parse_number(t: &str, kind: Kind) -> Option<f64> {
    let v = match t.parse::<i128>() {
        // Exact, whatever the size: no float rounding at the type's limit.
        Ok(i) => {
            let max = match kind {
                Kind::Count => i128::from(i64::MAX),
                Kind::Bytes => i128::from(u64::MAX),
                Kind::Time => MAX_MS as i128,
            };
            if !(0..=max).contains(&i) {
                return None;
            }
            i as f64
        }
        Err(_) => {
            let v: f64 = t.parse().ok()?;
            let possible = match kind {
                // 2^63 and 2^64 as floats are one past the type's largest value.
                Kind::Count => v.fract() == 0.0 && v < 9_223_372_036_854_775_808.0,
                Kind::Bytes => v.fract() == 0.0 && v < 18_446_744_073_709_551_616.0,
                Kind::Time => v <= MAX_MS,
            };
            if !(v.is_finite() && v >= 0.0 && possible) {
                return None;
            }
            v
        }
    };
    // `-0` is 0.
    Some(v + 0.0)
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
            "dump.csv line 7, column `calls`: expected a whole number from 0 to 9223372036854775807, found \"2.5\""
        );
        let e = b.header(&["query", "total_time"], 1).unwrap_err();
        assert!(e.message.contains("no calls column"), "{}", e.message);
        let e = b
            .header(&["query", "total_time", "calls", "total_exec_time"], 1)
            .unwrap_err();
        assert!(e.message.contains("appears twice"), "{}", e.message);
    }
}

#[cfg(test)]
mod number_tests {
    use super::*;

    fn row(cells: [&str; 4]) -> Result<Entry, String> {
        let mut b = Builder::new("d.csv");
        b.header(&["query", "calls", "total_exec_time", "wal_bytes"], 1)
            .unwrap();
        b.row(
            3,
            &[
                Some(cells[0]),
                Some(cells[1]),
                Some(cells[2]),
                Some(cells[3]),
            ],
        )
        .map_err(|f| {
            assert_eq!(f.code, 2);
            f.message
        })?;
        Ok(b.entries.pop().unwrap())
    }

    /// Issue 11, item 8: values pg_stat_statements cannot hold are refused, naming the line,
    /// the column and what was expected.
    #[test]
    fn impossible_values_are_refused() {
        let count = "expected a whole number from 0 to 9223372036854775807";
        let time = "expected a time from 0 to 1e15 ms (about 31,700 years)";
        let bytes = "expected a whole number of bytes from 0 to 18446744073709551615";
        for (cells, column, expected) in [
            (["q", "-1", "1", "0"], "calls", count),
            (["q", "9223372036854775808", "1", "0"], "calls", count),
            (["q", "18446744073709551616", "1", "0"], "calls", count),
            (["q", "1e19", "1", "0"], "calls", count),
            (["q", "9.3e18", "1", "0"], "calls", count),
            (["q", "NaN", "1", "0"], "calls", count),
            (["q", "1", "inf", "0"], "total_exec_time", time),
            (["q", "1", "Infinity", "0"], "total_exec_time", time),
            (["q", "1", "1e309", "0"], "total_exec_time", time),
            (["q", "1", "1e308", "0"], "total_exec_time", time),
            (["q", "1", "1000000000000001", "0"], "total_exec_time", time),
            (["q", "1", "-5", "0"], "total_exec_time", time),
            (["q", "1", "-0.001", "0"], "total_exec_time", time),
            (["q", "1", "NaN", "0"], "total_exec_time", time),
            (["q", "1", "1", "-1"], "wal_bytes", bytes),
            (["q", "1", "1", "0.5"], "wal_bytes", bytes),
            (["q", "1", "1", "18446744073709551616"], "wal_bytes", bytes),
        ] {
            let e = row(cells).unwrap_err();
            let want = format!("d.csv line 3, column `{column}`: {expected}, found ");
            assert!(e.starts_with(&want), "{cells:?}: {e}");
        }
        // The largest possible values, zero and `-0` read.
        let e = row(["q", "9223372036854775807", "1e15", "18446744073709551615"]).unwrap();
        assert_eq!(e.get(N::Calls), i64::MAX as f64);
        assert_eq!(e.get(N::TotalExecTime), 1e15);
        assert_eq!(e.get(N::WalBytes), u64::MAX as f64);
        let e = row(["q", "0", "-0", "2e3"]).unwrap();
        assert!(e.get(N::TotalExecTime).is_sign_positive());
        assert_eq!(e.get(N::WalBytes), 2000.0);
    }
}
