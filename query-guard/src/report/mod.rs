//! [`Report`]: what a scope ran, what it broke, and what it should change.
//!
//! A report prints like Django's `assertNumQueries` failure, then better: every statement
//! numbered with its time, rows, call path and normalised SQL, then the findings (N+1s and
//! repeated sequences, duplicates, slow statements) with a fix for each, and the allowances that
//! let something through. It serialises to JSON ([`Report::to_json`]); the schema is versioned by
//! [`REPORT_SCHEMA_VERSION`] and documented in `docs/report-schema.md`.
//!
//! Literal values never appear unless the scope opted in ([`crate::ScopeBuilder::show_values`] or
//! `QUERY_GUARD_SHOW_VALUES=1`): they can be passwords or personal data.

pub(crate) mod file;
mod render;
mod shapes;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use shapes::ShapeStats;

use crate::allow::{AllowKind, Allowance, AllowanceReport, Allowed};
use crate::budget::Budget;
use crate::callsite::CallSite;
use crate::classify::{Class, classify};
use crate::detect::budget::{self, Counts, Violation};
use crate::detect::duplicates::{self, Duplicate};
use crate::detect::n_plus_one::{self, NPlusOne};
use crate::detect::slow::{self, Slow};
use crate::fingerprint::_support::cached_among;
use crate::fingerprint::{Dialect, Fingerprint, StatementKind};
use crate::mode::Mode;
use crate::scope::{Recorded, ScopeState};
use crate::statement::{CallPath, Source, saturating_sum};
use crate::stats::Histogram;

/// The directory report files go to (whether or not they are switched on): `report_dir` of the
/// configuration (`QUERY_GUARD_REPORT_DIR`, or `query-guard.toml`), else `target/query-guard` of
/// the workspace (`$CARGO_TARGET_DIR/query-guard` when that is set). `query-guard report` reads
/// the same directory by default.
pub fn report_dir() -> std::path::PathBuf {
    crate::config::current()
        .ok()
        .and_then(|c| c.report_dir.clone())
        .unwrap_or_else(file::default_dir)
}

/// Version of the JSON form of [`Report`]: 2 added call sites, repeated sequences, duplicates,
/// slow statements, per-shape statistics and allowances.
pub const REPORT_SCHEMA_VERSION: u32 = 2;

/// The longest time a report gives, in milliseconds: 1e15 ms, about 31,700 years. A source that
/// reports an impossible duration (or a saturated sum of them) is written as this, so that every
/// report file is one `query-guard report` reads.
pub const MAX_REPORT_MS: f64 = 1e15;

pub(crate) fn ser_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1e3).min(MAX_REPORT_MS))
}

fn ser_opt_ms<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => ser_ms(d, s),
        None => s.serialize_none(),
    }
}

/// Reads a time written by [`ser_ms`]: finite milliseconds from 0 to [`MAX_REPORT_MS`] (`-0`
/// reads as 0). Anything else is a corrupted or hand-made file, refused (serde_json names the
/// line and column).
pub(crate) fn de_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && (0.0..=MAX_REPORT_MS).contains(&v) {
        Ok(Duration::from_secs_f64((v + 0.0) / 1e3))
    } else {
        Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Float(v),
            &"milliseconds from 0 to 1e15",
        ))
    }
}

pub(crate) fn de_opt_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    #[derive(Deserialize)]
    struct Ms(#[serde(deserialize_with = "de_ms")] Duration);
    Ok(Option::<Ms>::deserialize(d)?.map(|Ms(d)| d))
}

/// One statement in a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementReport {
    /// 1-based position in the scope.
    pub index: usize,
    /// The SQL as it ran, literal values included: only when the scope opted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Normalised SQL, literal values replaced by placeholders (shared by statements of a shape).
    pub normalized: Arc<str>,
    /// Fingerprint of the statement shape (16 hex characters).
    pub fingerprint: Arc<str>,
    /// Statement kind.
    pub kind: StatementKind,
    /// How the budget treats it.
    pub class: Class,
    /// Whether the budget counted it.
    #[serde(default)]
    pub counted: bool,
    /// Whether an over-budget allowance left it out of the counts.
    #[serde(default)]
    pub allowed: bool,
    /// Tables it touches.
    #[serde(default)]
    pub tables: Arc<[String]>,
    /// Time it took, when the source said.
    #[serde(
        default,
        rename = "elapsed_ms",
        serialize_with = "ser_opt_ms",
        deserialize_with = "de_opt_ms"
    )]
    pub elapsed: Option<Duration>,
    /// Rows returned, when the source said.
    #[serde(default)]
    pub rows_returned: Option<u64>,
    /// Rows affected, when the source said.
    #[serde(default)]
    pub rows_affected: Option<u64>,
    /// The spans between the scope and the statement.
    #[serde(default)]
    pub call_path: CallPath,
    /// The line of application code that ran it, when backtrace capture is on and found one.
    #[serde(default)]
    pub call_site: Option<Arc<CallSite>>,
    /// Where it was captured from.
    pub source: Source,
    /// The database system, when the source said.
    #[serde(default)]
    pub db_system: Option<String>,
    /// The dialect the statement was read as: its source's, the scope's `dialect` setting, or
    /// what its syntax says; [`Dialect::Generic`] when the database stayed unknown (quoted text
    /// any database could read as a value is then masked).
    pub dialect: Dialect,
}

/// Statements past the scope's storage cap, aggregated by shape.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnstoredReport {
    /// Normalised SQL.
    pub normalized: String,
    /// Fingerprint (16 hex characters).
    pub fingerprint: String,
    /// Statement kind.
    pub kind: StatementKind,
    /// How the budget treats it.
    pub class: Class,
    /// Tables it touches.
    #[serde(default)]
    pub tables: Vec<String>,
    /// How many ran past the cap.
    pub count: usize,
    /// How many of them were at or over the slow threshold.
    #[serde(default)]
    pub slow: usize,
    /// Their total time.
    #[serde(
        default,
        rename = "total_ms",
        serialize_with = "ser_ms",
        deserialize_with = "de_ms"
    )]
    pub total: Duration,
    /// The slowest of them.
    #[serde(
        default,
        rename = "max_ms",
        serialize_with = "ser_ms",
        deserialize_with = "de_ms"
    )]
    pub max: Duration,
    /// Call path of the first of them.
    #[serde(default)]
    pub call_path: CallPath,
    #[serde(skip)]
    pub(crate) histogram: Histogram,
    /// Hashes of the distinct texts seen (bounded), for the N+1 rules.
    #[serde(skip)]
    pub(crate) texts: Vec<u64>,
    /// Whether any had bind parameters.
    #[serde(skip)]
    pub(crate) binds: bool,
    /// Whether any handled many values at once.
    #[serde(skip)]
    pub(crate) batched: bool,
    /// The dialect its fingerprint was read as.
    #[serde(skip)]
    pub(crate) fingerprint_dialect: Dialect,
}

/// What a scope ran, what it broke, and what it should change.
///
/// Cloning a report is cheap: its lists are shared, not copied (a closed scope keeps its report
/// for later [`Scope::finish`](crate::Scope::finish) calls and returns a clone of it). They are
/// `Arc<Vec<_>>` rather than `Arc<[_]>`, which would copy each list once more when it is made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    schema_version: u32,
    run_id: std::borrow::Cow<'static, str>,
    finished_unix_ms: u64,
    scope: String,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    test: Option<String>,
    #[serde(default = "unsaid_mode")]
    mode: Mode,
    #[serde(default)]
    budget: Budget,
    #[serde(default)]
    show_values: bool,
    #[serde(default)]
    failed: bool,
    #[serde(
        default,
        rename = "wall_ms",
        serialize_with = "ser_ms",
        deserialize_with = "de_ms"
    )]
    wall: Duration,
    #[serde(
        default,
        rename = "db_ms",
        serialize_with = "ser_ms",
        deserialize_with = "de_ms"
    )]
    db_time: Duration,
    #[serde(default)]
    counts: Counts,
    #[serde(default)]
    violations: Arc<Vec<Violation>>,
    #[serde(default)]
    n_plus_one: Arc<Vec<NPlusOne>>,
    #[serde(default)]
    duplicates: Arc<Vec<Duplicate>>,
    #[serde(default)]
    slow: Arc<Vec<Slow>>,
    #[serde(default)]
    allowances: Arc<Vec<AllowanceReport>>,
    #[serde(default)]
    fingerprints: Arc<Vec<ShapeStats>>,
    #[serde(default)]
    statements: Arc<Vec<StatementReport>>,
    #[serde(default)]
    unstored: Arc<Vec<UnstoredReport>>,
    /// Statements whose database was unknown and whose text was masked more than their own
    /// database would need (see [`ScopeBuilder::dialect`](crate::ScopeBuilder::dialect)).
    #[serde(default)]
    masked_unknown_dialect: usize,
    /// Statements longer than [`crate::fingerprint::MAX_FINGERPRINT_LEN`], fingerprinted by a
    /// prefix.
    #[serde(default)]
    truncated: usize,
}

/// The mode of a report file that does not say: [`Mode::Off`], nothing was enforced.
fn unsaid_mode() -> Mode {
    Mode::Off
}

/// What the statements of one shape share in a report.
struct Shape {
    class: Class,
    hex: Arc<str>,
    normalized: Arc<str>,
    tables: Arc<[String]>,
    /// The over-budget allowances that match it, by position in the budget's list.
    allowed_by: Vec<usize>,
}

impl Shape {
    fn of(fp: &Fingerprint, state: &ScopeState) -> Shape {
        let hex = fp.hex();
        let ignored = state.ignore.iter().any(|p| p.matches(&hex, &fp.normalized));
        let class = if ignored {
            Class::Ignored
        } else {
            classify(fp)
        };
        let allowed_by = if matches!(class, Class::Read | Class::Write) {
            state
                .budget
                .allowances_of(AllowKind::OverBudget)
                .filter(|(_, a)| a.pattern.matches(&hex, &fp.normalized))
                .map(|(i, _)| i)
                .collect()
        } else {
            Vec::new()
        };
        Shape {
            class,
            hex: hex.into(),
            normalized: fp.normalized.as_str().into(),
            tables: fp.tables.as_slice().into(),
            allowed_by,
        }
    }
}

/// Adds `n` statements of one class to the counts.
fn tally(counts: &mut Counts, budget: &Budget, class: Class, allowed: bool, n: usize) {
    match class {
        Class::Read | Class::Write if allowed => counts.allowed += n,
        Class::Read => counts.reads += n,
        Class::Write => counts.writes += n,
        Class::Transaction => counts.transactions += n,
        Class::Internal => counts.internal += n,
        Class::Ignored => counts.ignored += n,
    }
    if class.counted(budget) && !allowed {
        counts.counted += n;
    }
}

impl Report {
    pub(crate) fn build(state: &ScopeState, close: bool) -> Report {
        let Recorded {
            statements: captured,
            unstored,
            unstored_other,
            ..
        } = {
            let mut rec = state.recorded.lock();
            if close && !rec.closed {
                let taken = std::mem::take(&mut *rec);
                rec.closed = true;
                taken
            } else {
                rec.clone()
            }
        };
        let budget = &state.budget;
        let mut counts = Counts::default();
        let mut matched = vec![0_usize; budget.allowances().len()];
        // Everything but the values depends on the fingerprint only: work it out once per shape
        // and share it between the statements of that shape.
        let mut shapes: HashMap<u64, Shape> = HashMap::new();
        let mut raw: Vec<String> = Vec::with_capacity(captured.len());
        let (mut masked_unknown_dialect, mut truncated) = (0, 0);
        let statements: Vec<StatementReport> = captured
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let fp = cached_among(&c.sql, state.among(&c), c.len);
                masked_unknown_dialect += usize::from(fp.masked_conservatively());
                truncated += usize::from(fp.truncated());
                let shape = shapes
                    .entry(fp.hash)
                    .or_insert_with(|| Shape::of(&fp, state));
                let class = shape.class;
                for &a in &shape.allowed_by {
                    matched[a] += 1;
                }
                let allowed = !shape.allowed_by.is_empty();
                tally(&mut counts, budget, class, allowed, 1);
                let report = StatementReport {
                    index: i + 1,
                    sql: state.show_values.then(|| {
                        if c.len > c.sql.len() {
                            format!("{} … ({} bytes in all)", c.sql, c.len)
                        } else {
                            c.sql.clone()
                        }
                    }),
                    normalized: shape.normalized.clone(),
                    fingerprint: shape.hex.clone(),
                    kind: fp.kind,
                    class,
                    counted: class.counted(budget) && !allowed,
                    allowed,
                    tables: shape.tables.clone(),
                    elapsed: c.elapsed,
                    rows_returned: c.rows_returned,
                    rows_affected: c.rows_affected,
                    call_path: c.path,
                    call_site: c.site,
                    source: c.source,
                    db_system: c.db_system,
                    dialect: fp.dialect(),
                };
                raw.push(c.sql);
                report
            })
            .collect();
        let mut unstored: Vec<UnstoredReport> = unstored
            .into_values()
            .map(|u| {
                let shape = Shape::of(&u.fingerprint, state);
                for &a in &shape.allowed_by {
                    matched[a] += u.count;
                }
                masked_unknown_dialect +=
                    usize::from(u.fingerprint.masked_conservatively()) * u.count;
                truncated += usize::from(u.fingerprint.truncated()) * u.count;
                tally(
                    &mut counts,
                    budget,
                    shape.class,
                    !shape.allowed_by.is_empty(),
                    u.count,
                );
                counts.unstored += u.count;
                UnstoredReport {
                    normalized: u.fingerprint.normalized.clone(),
                    fingerprint: shape.hex.to_string(),
                    kind: u.fingerprint.kind,
                    class: shape.class,
                    tables: u.fingerprint.tables.clone(),
                    count: u.count,
                    slow: u.slow,
                    total: u.total,
                    max: u.max,
                    call_path: u.path,
                    histogram: u.histogram,
                    texts: u.texts,
                    binds: u.binds,
                    batched: u.batched,
                    fingerprint_dialect: u.fingerprint.dialect(),
                }
            })
            .collect();
        unstored.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.fingerprint.cmp(&b.fingerprint))
        });

        let mut other_time = Duration::ZERO;
        for (class, (count, total)) in unstored_other {
            // Past both caps shapes are not kept, so allowances cannot be checked: counted.
            tally(&mut counts, budget, class, false, count);
            counts.unstored += count;
            other_time = other_time.saturating_add(total);
        }

        // Compared without their sqlcommenter comment (a traceparent differs on every run).
        let raw_refs: Vec<&str> = raw
            .iter()
            .map(|s| crate::fingerprint::_support::without_tag_comment(s))
            .collect();
        let violations = budget::check(budget, &counts);
        let threshold = budget.n_plus_one_min();
        let mut found = n_plus_one::detect(&statements, &raw_refs, threshold);
        n_plus_one::merge_unstored(&mut found, &statements, &raw_refs, &unstored, threshold);
        for finding in &mut found {
            // Allowed when every shape of the finding is allowed (an allowance for one step of a
            // sequence does not accept the other steps); every allowance that matched is credited.
            let per_shape: Vec<Vec<usize>> = finding_shapes(finding)
                .map(|(hex, sql)| {
                    budget
                        .allowances_of(AllowKind::NPlusOne)
                        .filter(|(_, a)| a.pattern.matches(hex, sql))
                        .map(|(i, _)| i)
                        .collect()
                })
                .collect();
            if per_shape.iter().all(|m| !m.is_empty()) {
                let mut credited: Vec<usize> = per_shape.concat();
                credited.sort_unstable();
                credited.dedup();
                for &i in &credited {
                    matched[i] += 1;
                }
                finding.allowed = Some(Allowed::from(&budget.allowances()[credited[0]]));
            }
        }
        let duplicates = duplicates::detect(&statements, &raw_refs, &found);
        let fingerprints = shapes::shape_stats(&statements, &unstored, budget.slow_threshold());
        let slow = budget
            .slow_threshold()
            .map(|t| slow::detect(&statements, &fingerprints, t))
            .unwrap_or_default();
        let allowances = budget
            .allowances()
            .iter()
            .zip(matched)
            .map(|(a, matched): (&Allowance, usize)| AllowanceReport {
                kind: a.kind,
                pattern: a.pattern.to_string(),
                reason: a.reason.clone(),
                origin: a.origin,
                matched,
            })
            .collect::<Vec<AllowanceReport>>();
        let db_time = saturating_sum(
            statements
                .iter()
                .filter_map(|s| s.elapsed)
                .chain(unstored.iter().map(|u| u.total))
                .chain([other_time]),
        );
        let failed = !violations.is_empty()
            || (budget.denies_n_plus_one() && found.iter().any(|f| f.allowed.is_none()))
            || (budget.denies_slow() && !slow.is_empty());
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            run_id: file::run_id().into(),
            finished_unix_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            scope: state.name.clone(),
            location: state.location.clone(),
            test: state.test.clone(),
            mode: state.mode,
            budget: budget.clone(),
            show_values: state.show_values,
            failed,
            wall: state.started.elapsed(),
            db_time,
            counts,
            violations: Arc::new(violations),
            n_plus_one: Arc::new(found),
            duplicates: Arc::new(duplicates),
            slow: Arc::new(slow),
            allowances: Arc::new(allowances),
            fingerprints: Arc::new(fingerprints),
            statements: Arc::new(statements),
            unstored: Arc::new(unstored),
            masked_unknown_dialect,
            truncated,
        }
    }

    /// The version of the report's JSON form ([`REPORT_SCHEMA_VERSION`] for a report made by this
    /// library; a report read back from a file says what it was written with).
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// The id of the test run (or process) that wrote the report: report files of one
    /// `cargo test` share it (see [`report_dir`]).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// When the scope closed, in milliseconds since the Unix epoch.
    pub fn finished_unix_ms(&self) -> u64 {
        self.finished_unix_ms
    }

    /// The scope's wall-clock time, from opening to closing.
    pub fn wall_time(&self) -> Duration {
        self.wall
    }

    /// Whether the report shows literal values (the scope opted in).
    pub fn shows_values(&self) -> bool {
        self.show_values
    }

    /// Statements whose database was unknown and whose text was masked more than their own
    /// database would need.
    pub fn masked_unknown_dialect(&self) -> usize {
        self.masked_unknown_dialect
    }

    /// Statements longer than [`crate::fingerprint::MAX_FINGERPRINT_LEN`], fingerprinted by a
    /// prefix.
    pub fn truncated(&self) -> usize {
        self.truncated
    }

    /// The scope's name.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Where the scope is (`file:line`), when known.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The test the scope ran in (the name of the test harness's thread), when it ran in one.
    pub fn test(&self) -> Option<&str> {
        self.test.as_deref()
    }

    /// The mode the scope ran in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The budget the scope was checked against.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Statements the budget counts.
    pub fn count(&self) -> usize {
        self.counts.counted
    }

    /// Counted reads.
    pub fn reads(&self) -> usize {
        self.counts.reads
    }

    /// Counted writes.
    pub fn writes(&self) -> usize {
        self.counts.writes
    }

    /// All the per-class counts.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Every stored statement, in the order they ran (including those the budget does not count).
    pub fn statements(&self) -> &[StatementReport] {
        &self.statements
    }

    /// Statements past the storage cap, aggregated by shape.
    pub fn unstored(&self) -> &[UnstoredReport] {
        &self.unstored
    }

    /// Broken limits.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// N+1 findings (repeated shapes and repeated sequences), most repeated first, including
    /// the ones an allowance accepts ([`NPlusOne::allowed`]).
    pub fn n_plus_one(&self) -> &[NPlusOne] {
        &self.n_plus_one
    }

    /// N+1 findings no allowance accepts.
    pub fn unallowed_n_plus_one(&self) -> impl Iterator<Item = &NPlusOne> {
        self.n_plus_one.iter().filter(|f| f.allowed.is_none())
    }

    /// Reads run more than once with the same values.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// Shapes with runs at or over the slow threshold, slowest first.
    pub fn slow(&self) -> &[Slow] {
        &self.slow
    }

    /// The scope's allowances and how much each matched.
    pub fn allowances(&self) -> &[AllowanceReport] {
        &self.allowances
    }

    /// Time statistics per statement shape, the most total time first.
    pub fn fingerprints(&self) -> &[ShapeStats] {
        &self.fingerprints
    }

    /// Total time the statements took, as their sources reported it.
    pub fn db_time(&self) -> Duration {
        self.db_time
    }

    /// Whether the scope broke its budget: a limit, an N+1 no allowance accepts when the budget
    /// denies them, or a slow statement when it denies those.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Whether the report has something to say: a failure, an N+1 no allowance accepts, or a slow
    /// statement. (Duplicates alone are not enough to warn about in production.)
    pub(crate) fn noteworthy(&self) -> bool {
        self.failed || self.unallowed_n_plus_one().next().is_some() || !self.slow.is_empty()
    }

    /// The report as JSON (schema version [`REPORT_SCHEMA_VERSION`]).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// The (fingerprint, normalised SQL) of every shape of a finding: its steps for a sequence.
fn finding_shapes(f: &NPlusOne) -> Box<dyn Iterator<Item = (&str, &str)> + '_> {
    if f.steps.is_empty() {
        Box::new(std::iter::once((
            f.fingerprint.as_str(),
            f.normalized.as_str(),
        )))
    } else {
        Box::new(
            f.steps
                .iter()
                .map(|s| (s.fingerprint.as_str(), s.normalized.as_str())),
        )
    }
}
