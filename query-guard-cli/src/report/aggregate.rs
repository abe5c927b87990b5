//! The aggregate of a test run's reports: what `query-guard report` prints, and its JSON form
//! (aggregate schema [`AGGREGATE_SCHEMA_VERSION`], documented in `docs/report-schema.md`).

use std::collections::HashMap;
use std::hash::Hash;

use query_guard::allow::{Allowed, Origin};
use query_guard::callsite::CallSite;
use query_guard::detect::n_plus_one::Step;
use query_guard::{AllowKind, Class, NPlusOneKind, Report, Violation};
use query_guard_fingerprint::StatementKind;
use serde::Serialize;

use super::input::{REPORT_SCHEMA, ms};

/// Version of the JSON form of the aggregate (`query-guard report --format json`).
pub(crate) const AGGREGATE_SCHEMA_VERSION: u32 = 1;

/// A scope run: one report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub(crate) struct ScopeRef {
    pub scope: String,
    pub test: Option<String>,
    pub location: Option<String>,
}

impl ScopeRef {
    fn of(r: &Report) -> ScopeRef {
        ScopeRef {
            scope: r.scope().to_owned(),
            test: r.test().map(str::to_owned),
            location: r.location().map(str::to_owned),
        }
    }
}

/// Which reports were read, and which were left out.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Selection {
    /// The directory read.
    pub dir: String,
    /// Report files found in it.
    pub files: usize,
    /// The latest run: the run of the report that finished last.
    pub latest_run_id: String,
    /// Whether every run was included (`--all-runs`).
    pub all_runs: bool,
    /// The runs included, the latest first.
    pub run_ids: Vec<String>,
    /// Reports included.
    pub reports: usize,
    /// Reports of older runs left out.
    pub left_out: usize,
    /// How many older runs those came from.
    pub left_out_runs: usize,
}

/// Counts of what was found.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct Summary {
    pub reports: usize,
    pub scopes_failed: usize,
    pub n_plus_one: usize,
    pub n_plus_one_allowed: usize,
    pub budget_overruns: usize,
    pub slow: usize,
    pub duplicates: usize,
    pub unused_allowances: usize,
}

/// One N+1 across the suite: the same (kind, shapes, call path, call site) in any number of
/// scopes.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SuiteNPlusOne {
    pub kind: NPlusOneKind,
    pub fingerprint: String,
    pub normalized: String,
    pub steps: Vec<SuiteStep>,
    pub call_path: String,
    pub call_site: Option<CallSite>,
    pub tables: Vec<String>,
    /// Runs across the suite (for a sequence: runs of the sequence).
    pub runs: u64,
    pub total_ms: f64,
    /// Whether any of its statements had a known time (`total_ms` is 0 when none did).
    pub timed: bool,
    /// Reports it was found in.
    pub scopes: usize,
    pub found_in: Vec<ScopeRef>,
    pub suggestion: String,
    pub allowed: bool,
    /// The allowances that accepted it (distinct pattern and reason).
    pub allowed_by: Vec<Allowed>,
}

/// One shape of a repeated sequence, as the aggregate gives it (the report's step without its
/// call path and call site, which the N+1 gives once).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SuiteStep {
    pub fingerprint: String,
    pub normalized: String,
    pub tables: Vec<String>,
}

impl SuiteStep {
    fn of(s: &Step) -> SuiteStep {
        SuiteStep {
            fingerprint: s.fingerprint.clone(),
            normalized: s.normalized.clone(),
            tables: s.tables.clone(),
        }
    }
}

/// A scope over its budget.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Overrun {
    pub scope: String,
    pub test: Option<String>,
    pub location: Option<String>,
    pub counted: u64,
    pub violations: Vec<Violation>,
}

impl Overrun {
    /// How far over its limits the scope is, for sorting.
    fn excess(&self) -> u64 {
        self.violations
            .iter()
            .map(|v| count(v.actual).saturating_sub(count(v.max)))
            .max()
            .unwrap_or(0)
    }
}

/// A slow statement shape across the suite.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SuiteSlow {
    pub fingerprint: String,
    pub normalized: String,
    pub tables: Vec<String>,
    /// Runs at or over the threshold.
    pub slow_runs: u64,
    /// All runs of the shape in the scopes where it was slow.
    pub runs: u64,
    /// The lowest threshold among those scopes.
    pub threshold_ms: f64,
    pub max_ms: f64,
    /// The worst p95 and p99 of one scope.
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub approximate: bool,
    pub scopes: usize,
    pub found_in: Vec<ScopeRef>,
}

/// A duplicated read across the suite.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SuiteDuplicate {
    pub fingerprint: String,
    pub normalized: String,
    pub tables: Vec<String>,
    /// Runs in the scopes where it was duplicated.
    pub runs: u64,
    pub total_ms: f64,
    /// Whether any of its statements had a known time.
    pub timed: bool,
    pub scopes: usize,
    pub found_in: Vec<ScopeRef>,
}

/// A scope run and what it cost.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScopeCost {
    pub scope: String,
    pub test: Option<String>,
    pub location: Option<String>,
    pub counted: u64,
    pub db_ms: f64,
    pub failed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorstScopes {
    pub by_statements: Vec<ScopeCost>,
    pub by_db_time: Vec<ScopeCost>,
}

/// One statement shape's totals across the suite.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ShapeTotal {
    pub fingerprint: String,
    pub normalized: String,
    pub kind: StatementKind,
    pub class: Class,
    pub tables: Vec<String>,
    pub runs: u64,
    pub timed: u64,
    pub total_ms: f64,
    pub max_ms: f64,
    pub scopes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Shapes {
    /// Distinct shapes in the reports.
    pub total: usize,
    /// The top ones by total time.
    pub top: Vec<ShapeTotal>,
}

/// An allowance that matched nothing.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnusedAllowance {
    pub kind: AllowKind,
    pub pattern: String,
    pub reason: String,
    pub origin: Origin,
    /// Reports that carried it.
    pub reports: usize,
    /// For a scope's own allowance, the scope runs that carried it; empty for `config`.
    pub found_in: Vec<ScopeRef>,
}

/// `--fail-on`: the rules asked for and the ones that failed.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct FailOn {
    pub rules: Vec<String>,
    pub failed: Vec<String>,
}

/// The whole aggregate.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Aggregate {
    pub schema_version: u32,
    pub report_schema_version: u32,
    pub selection: Selection,
    pub summary: Summary,
    pub n_plus_one: Vec<SuiteNPlusOne>,
    pub budget_overruns: Vec<Overrun>,
    pub slow: Vec<SuiteSlow>,
    pub duplicates: Vec<SuiteDuplicate>,
    pub worst_scopes: WorstScopes,
    pub fingerprints: Shapes,
    pub unused_allowances: Vec<UnusedAllowance>,
    pub fail_on: FailOn,
}

/// Groups values by key, keeping the order in which keys first appear.
struct Groups<K, V> {
    index: HashMap<K, usize>,
    values: Vec<V>,
}

impl<K: Eq + Hash, V> Groups<K, V> {
    fn new() -> Self {
        Groups {
            index: HashMap::new(),
            values: Vec::new(),
        }
    }

    fn entry(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let next = self.values.len();
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            self.values.push(make());
        }
        &mut self.values[i]
    }
}

fn add_scope(found_in: &mut Vec<ScopeRef>, scope: ScopeRef) {
    if !found_in.contains(&scope) {
        found_in.push(scope);
    }
}

/// Largest first, by a float (NaN sorts as the smallest; never panics).
fn desc(a: f64, b: f64) -> std::cmp::Ordering {
    let key = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
    key(b).total_cmp(&key(a))
}

fn max_f(a: f64, b: f64) -> f64 {
    if b > a || a.is_nan() { b } else { a }
}

/// A report's count as the aggregate adds it (saturating, in `u64`).
fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Whether runs of the shape `fingerprint` had a known time in report `r`.
fn timed(r: &Report, fingerprint: &str) -> bool {
    r.fingerprints()
        .iter()
        .any(|s| s.fingerprint == fingerprint && s.time.timed > 0)
}

/// Aggregates the selected reports.
pub(crate) fn aggregate(reports: &[Report], selection: Selection, top: usize) -> Aggregate {
    let n_plus_one = n_plus_one(reports);
    let budget_overruns = overruns(reports);
    let slow = slow(reports);
    let duplicates = duplicates(reports);
    let worst_scopes = worst_scopes(reports, top);
    let fingerprints = shapes(reports, top);
    let unused_allowances = unused_allowances(reports);
    let summary = Summary {
        reports: reports.len(),
        scopes_failed: reports.iter().filter(|r| r.failed()).count(),
        n_plus_one: n_plus_one.iter().filter(|f| !f.allowed).count(),
        n_plus_one_allowed: n_plus_one.iter().filter(|f| f.allowed).count(),
        budget_overruns: budget_overruns.len(),
        slow: slow.len(),
        duplicates: duplicates.len(),
        unused_allowances: unused_allowances.len(),
    };
    Aggregate {
        schema_version: AGGREGATE_SCHEMA_VERSION,
        report_schema_version: REPORT_SCHEMA,
        selection,
        summary,
        n_plus_one,
        budget_overruns,
        slow,
        duplicates,
        worst_scopes,
        fingerprints,
        unused_allowances,
        fail_on: FailOn::default(),
    }
}

fn n_plus_one(reports: &[Report]) -> Vec<SuiteNPlusOne> {
    // (allowed, a sequence, fingerprints, call path, call site)
    type Key = (bool, bool, Vec<String>, String, Option<CallSite>);
    let mut groups: Groups<Key, SuiteNPlusOne> = Groups::new();
    for r in reports {
        for f in r.n_plus_one() {
            let call_path = f.call_path.to_string();
            let fingerprints = if f.steps.is_empty() {
                vec![f.fingerprint.clone()]
            } else {
                f.steps.iter().map(|s| s.fingerprint.clone()).collect()
            };
            let key = (
                f.allowed.is_some(),
                f.kind == NPlusOneKind::Sequence,
                fingerprints,
                call_path.clone(),
                f.call_site.clone(),
            );
            let g = groups.entry(key, || SuiteNPlusOne {
                kind: f.kind,
                fingerprint: f.fingerprint.clone(),
                normalized: f.normalized.clone(),
                steps: f.steps.iter().map(SuiteStep::of).collect(),
                call_path,
                call_site: f.call_site.clone(),
                tables: f.tables.clone(),
                runs: 0,
                total_ms: 0.0,
                timed: false,
                scopes: 0,
                found_in: Vec::new(),
                suggestion: f.suggestion.clone(),
                allowed: f.allowed.is_some(),
                allowed_by: Vec::new(),
            });
            let total_ms = ms(f.total);
            g.runs = g.runs.saturating_add(count(f.count));
            g.total_ms += total_ms;
            g.timed |= total_ms > 0.0
                || std::iter::once(&f.fingerprint)
                    .chain(f.steps.iter().map(|s| &s.fingerprint))
                    .any(|fp| timed(r, fp));
            g.scopes += 1;
            add_scope(&mut g.found_in, ScopeRef::of(r));
            if let Some(a) = &f.allowed
                && !g.allowed_by.contains(a)
            {
                g.allowed_by.push(a.clone());
            }
        }
    }
    let mut out = groups.values;
    out.sort_by(|a, b| {
        b.runs
            .cmp(&a.runs)
            .then_with(|| desc(a.total_ms, b.total_ms))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    out
}

fn overruns(reports: &[Report]) -> Vec<Overrun> {
    let mut out: Vec<Overrun> = reports
        .iter()
        .filter(|r| !r.violations().is_empty())
        .map(|r| Overrun {
            scope: r.scope().to_owned(),
            test: r.test().map(str::to_owned),
            location: r.location().map(str::to_owned),
            counted: count(r.counts().counted),
            violations: r.violations().to_vec(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.excess()
            .cmp(&a.excess())
            .then_with(|| a.scope.cmp(&b.scope))
            .then_with(|| a.test.cmp(&b.test))
    });
    out
}

fn slow(reports: &[Report]) -> Vec<SuiteSlow> {
    let mut groups: Groups<String, SuiteSlow> = Groups::new();
    for r in reports {
        for s in r.slow() {
            let threshold_ms = ms(s.threshold);
            let g = groups.entry(s.fingerprint.clone(), || SuiteSlow {
                fingerprint: s.fingerprint.clone(),
                normalized: s.normalized.clone(),
                tables: s.tables.clone(),
                slow_runs: 0,
                runs: 0,
                threshold_ms,
                max_ms: 0.0,
                p95_ms: 0.0,
                p99_ms: 0.0,
                approximate: false,
                scopes: 0,
                found_in: Vec::new(),
            });
            g.slow_runs = g.slow_runs.saturating_add(count(s.count));
            g.runs = g.runs.saturating_add(count(s.runs));
            if threshold_ms < g.threshold_ms {
                g.threshold_ms = threshold_ms;
            }
            g.max_ms = max_f(g.max_ms, ms(s.stats.max));
            g.p95_ms = max_f(g.p95_ms, ms(s.stats.p95));
            g.p99_ms = max_f(g.p99_ms, ms(s.stats.p99));
            g.approximate |= s.stats.approximate;
            g.scopes += 1;
            add_scope(&mut g.found_in, ScopeRef::of(r));
        }
    }
    let mut out = groups.values;
    out.sort_by(|a, b| desc(a.max_ms, b.max_ms).then_with(|| a.fingerprint.cmp(&b.fingerprint)));
    out
}

fn duplicates(reports: &[Report]) -> Vec<SuiteDuplicate> {
    let mut groups: Groups<String, SuiteDuplicate> = Groups::new();
    for r in reports {
        for d in r.duplicates() {
            let g = groups.entry(d.fingerprint.clone(), || SuiteDuplicate {
                fingerprint: d.fingerprint.clone(),
                normalized: d.normalized.clone(),
                tables: d.tables.clone(),
                runs: 0,
                total_ms: 0.0,
                timed: false,
                scopes: 0,
                found_in: Vec::new(),
            });
            let total_ms = ms(d.total);
            g.runs = g.runs.saturating_add(count(d.count));
            g.total_ms += total_ms;
            g.timed |= total_ms > 0.0 || timed(r, &d.fingerprint);
            g.scopes += 1;
            add_scope(&mut g.found_in, ScopeRef::of(r));
        }
    }
    let mut out = groups.values;
    out.sort_by(|a, b| {
        b.runs
            .cmp(&a.runs)
            .then_with(|| desc(a.total_ms, b.total_ms))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    out
}

fn worst_scopes(reports: &[Report], top: usize) -> WorstScopes {
    let db_ms = |r: &Report| ms(r.db_time());
    let counted = |r: &Report| count(r.counts().counted);
    let cost = |r: &Report| ScopeCost {
        scope: r.scope().to_owned(),
        test: r.test().map(str::to_owned),
        location: r.location().map(str::to_owned),
        counted: counted(r),
        db_ms: db_ms(r),
        failed: r.failed(),
    };
    let mut by_statements: Vec<&Report> = reports.iter().filter(|r| counted(r) > 0).collect();
    by_statements.sort_by(|a, b| {
        counted(b)
            .cmp(&counted(a))
            .then_with(|| desc(db_ms(a), db_ms(b)))
            .then_with(|| a.scope().cmp(b.scope()))
    });
    let mut by_db_time: Vec<&Report> = reports.iter().filter(|r| db_ms(r) > 0.0).collect();
    by_db_time.sort_by(|a, b| {
        desc(db_ms(a), db_ms(b))
            .then_with(|| counted(b).cmp(&counted(a)))
            .then_with(|| a.scope().cmp(b.scope()))
    });
    WorstScopes {
        by_statements: by_statements.into_iter().take(top).map(cost).collect(),
        by_db_time: by_db_time.into_iter().take(top).map(cost).collect(),
    }
}

fn shapes(reports: &[Report], top: usize) -> Shapes {
    let mut groups: Groups<String, ShapeTotal> = Groups::new();
    for r in reports {
        for s in r.fingerprints() {
            let g = groups.entry(s.fingerprint.clone(), || ShapeTotal {
                fingerprint: s.fingerprint.clone(),
                normalized: s.normalized.clone(),
                kind: s.kind,
                class: s.class,
                tables: s.tables.clone(),
                runs: 0,
                timed: 0,
                total_ms: 0.0,
                max_ms: 0.0,
                scopes: 0,
            });
            g.runs = g.runs.saturating_add(count(s.count));
            g.timed = g.timed.saturating_add(count(s.time.timed));
            g.total_ms += ms(s.time.total);
            g.max_ms = max_f(g.max_ms, ms(s.time.max));
            g.scopes += 1;
        }
    }
    let mut all = groups.values;
    let total = all.len();
    all.sort_by(|a, b| {
        desc(a.total_ms, b.total_ms)
            .then_with(|| b.runs.cmp(&a.runs))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    all.truncate(top);
    Shapes { total, top: all }
}

/// Scope allowances that matched nothing in every run of their scope (same scope name and
/// location), and `query-guard.toml` allowances that matched nothing in any report.
fn unused_allowances(reports: &[Report]) -> Vec<UnusedAllowance> {
    // (scope, location) for a scope's own allowance, None for config; kind, pattern, reason.
    type Key = (Option<(String, Option<String>)>, AllowKind, String, String);
    let mut groups: Groups<Key, (u64, UnusedAllowance)> = Groups::new();
    for r in reports {
        for a in r.allowances() {
            let config = a.origin == Origin::Config;
            let owner = (!config).then(|| (r.scope().to_owned(), r.location().map(str::to_owned)));
            let key = (owner, a.kind, a.pattern.clone(), a.reason.clone());
            let (matched, g) = groups.entry(key, || {
                (
                    0,
                    UnusedAllowance {
                        kind: a.kind,
                        pattern: a.pattern.clone(),
                        reason: a.reason.clone(),
                        origin: a.origin,
                        reports: 0,
                        found_in: Vec::new(),
                    },
                )
            });
            *matched = matched.saturating_add(count(a.matched));
            g.reports += 1;
            if !config {
                add_scope(&mut g.found_in, ScopeRef::of(r));
            }
        }
    }
    let mut out: Vec<UnusedAllowance> = groups
        .values
        .into_iter()
        .filter(|(matched, _)| *matched == 0)
        .map(|(_, a)| a)
        .collect();
    // Config first (they apply everywhere), then by scope.
    out.sort_by(|a, b| {
        (a.origin != Origin::Config)
            .cmp(&(b.origin != Origin::Config))
            .then_with(|| {
                let scope = |u: &UnusedAllowance| u.found_in.first().map(|s| s.scope.clone());
                scope(a).cmp(&scope(b))
            })
            .then_with(|| a.pattern.cmp(&b.pattern))
    });
    out
}
