//! [`Report`]: what a scope ran, what it broke, and what looks like an N+1.
//!
//! A report prints like Django's `assertNumQueries` failure, then better: every statement
//! numbered with its time, rows, call path and normalised SQL, then the findings. It serialises
//! to JSON ([`Report::to_json`]); the schema is versioned by [`REPORT_SCHEMA_VERSION`].
//!
//! Literal values never appear unless the scope opted in ([`crate::ScopeBuilder::show_values`] or
//! `QUERY_GUARD_SHOW_VALUES=1`): they can be passwords or personal data.

mod render;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Serialize, Serializer};

use crate::budget::Budget;
use crate::classify::{Class, classify, dialect_of};
use crate::detect::budget::{self, Counts, Violation};
use crate::detect::n_plus_one::{self, NPlusOne};
use crate::fingerprint::{Fingerprint, StatementKind, fingerprint_cached};
use crate::mode::Mode;
use crate::scope::{Recorded, ScopeState};
use crate::statement::{CallPath, Source, saturating_sum};

/// Version of the JSON form of [`Report`].
pub const REPORT_SCHEMA_VERSION: u32 = 1;

pub(crate) fn ser_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1e3)
}

fn ser_opt_ms<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => ser_ms(d, s),
        None => s.serialize_none(),
    }
}

/// One statement in a report.
#[derive(Debug, Clone, Serialize)]
pub struct StatementReport {
    /// 1-based position in the scope.
    pub index: usize,
    /// The SQL as it ran, literal values included: only when the scope opted in.
    #[serde(skip_serializing_if = "Option::is_none")]
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
    pub counted: bool,
    /// Tables it touches.
    pub tables: Arc<[String]>,
    /// Time it took, when the source said.
    #[serde(rename = "elapsed_ms", serialize_with = "ser_opt_ms")]
    pub elapsed: Option<Duration>,
    /// Rows returned, when the source said.
    pub rows_returned: Option<u64>,
    /// Rows affected, when the source said.
    pub rows_affected: Option<u64>,
    /// The spans between the scope and the statement.
    pub call_path: CallPath,
    /// Where it was captured from.
    pub source: Source,
    /// The database system, when the source said.
    pub db_system: Option<String>,
}

/// Statements past the scope's storage cap, aggregated by shape.
#[derive(Debug, Clone, Serialize)]
pub struct UnstoredReport {
    /// Normalised SQL.
    pub normalized: String,
    /// Fingerprint (16 hex characters).
    pub fingerprint: String,
    /// How the budget treats it.
    pub class: Class,
    /// How many ran past the cap.
    pub count: usize,
    /// Their total time.
    #[serde(rename = "total_ms", serialize_with = "ser_ms")]
    pub total: Duration,
    /// Call path of the first of them.
    pub call_path: CallPath,
}

/// What a scope ran, and what it broke.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    schema_version: u32,
    scope: String,
    location: Option<String>,
    mode: Mode,
    budget: Budget,
    show_values: bool,
    #[serde(rename = "wall_ms", serialize_with = "ser_ms")]
    wall: Duration,
    #[serde(rename = "db_ms", serialize_with = "ser_ms")]
    db_time: Duration,
    counts: Counts,
    violations: Vec<Violation>,
    n_plus_one: Vec<NPlusOne>,
    statements: Vec<StatementReport>,
    unstored: Vec<UnstoredReport>,
}

/// What the statements of one shape share in a report.
struct Shape {
    class: Class,
    hex: Arc<str>,
    normalized: Arc<str>,
    tables: Arc<[String]>,
}

impl Shape {
    fn of(fp: &Fingerprint) -> Shape {
        Shape {
            class: classify(fp),
            hex: fp.hex().into(),
            normalized: fp.normalized.as_str().into(),
            tables: fp.tables.as_slice().into(),
        }
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
        let tally = |class: Class, n: usize, counts: &mut Counts| {
            match class {
                Class::Read => counts.reads += n,
                Class::Write => counts.writes += n,
                Class::Transaction => counts.transactions += n,
                Class::Internal => counts.internal += n,
            }
            if class.counted(budget) {
                counts.counted += n;
            }
        };
        // Everything but the values depends on the fingerprint only: work it out once per shape
        // and share it between the statements of that shape.
        let mut shapes: HashMap<u64, Shape> = HashMap::new();
        let statements: Vec<StatementReport> = captured
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let fp = fingerprint_cached(&c.sql, dialect_of(c.db_system.as_deref()));
                let shape = shapes.entry(fp.hash).or_insert_with(|| Shape::of(&fp));
                let class = shape.class;
                tally(class, 1, &mut counts);
                StatementReport {
                    index: i + 1,
                    sql: state.show_values.then_some(c.sql),
                    normalized: shape.normalized.clone(),
                    fingerprint: shape.hex.clone(),
                    kind: fp.kind,
                    class,
                    counted: class.counted(budget),
                    tables: shape.tables.clone(),
                    elapsed: c.elapsed,
                    rows_returned: c.rows_returned,
                    rows_affected: c.rows_affected,
                    call_path: c.path,
                    source: c.source,
                    db_system: c.db_system,
                }
            })
            .collect();
        let mut unstored: Vec<UnstoredReport> = unstored
            .into_values()
            .map(|u| {
                tally(u.class, u.count, &mut counts);
                counts.unstored += u.count;
                UnstoredReport {
                    normalized: u.fingerprint.normalized.clone(),
                    fingerprint: u.fingerprint.hex(),
                    class: u.class,
                    count: u.count,
                    total: u.total,
                    call_path: u.path,
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
            tally(class, count, &mut counts);
            counts.unstored += count;
            other_time = other_time.saturating_add(total);
        }

        let violations = budget::check(budget, &counts);
        let mut found = n_plus_one::detect(&statements, budget.n_plus_one_min());
        merge_unstored_n_plus_one(&mut found, &statements, &unstored, budget.n_plus_one_min());
        let db_time = saturating_sum(
            statements
                .iter()
                .filter_map(|s| s.elapsed)
                .chain(unstored.iter().map(|u| u.total))
                .chain([other_time]),
        );
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            scope: state.name.clone(),
            location: state.location.clone(),
            mode: state.mode,
            budget: budget.clone(),
            show_values: state.show_values,
            wall: state.started.elapsed(),
            db_time,
            counts,
            violations,
            n_plus_one: found,
            statements,
            unstored,
        }
    }

    /// The scope's name.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// Where the scope is (`file:line`), when known.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
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

    /// N+1 findings, most repeated first.
    pub fn n_plus_one(&self) -> &[NPlusOne] {
        &self.n_plus_one
    }

    /// Total time the statements took, as their sources reported it.
    pub fn db_time(&self) -> Duration {
        self.db_time
    }

    /// Whether the scope broke its budget (a limit, or an N+1 when the budget denies them).
    pub fn failed(&self) -> bool {
        !self.violations.is_empty()
            || (self.budget.denies_n_plus_one() && !self.n_plus_one.is_empty())
    }

    /// The report as JSON (schema version [`REPORT_SCHEMA_VERSION`]).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

fn merge_unstored_n_plus_one(
    found: &mut Vec<NPlusOne>,
    statements: &[StatementReport],
    unstored: &[UnstoredReport],
    threshold: usize,
) {
    for u in unstored
        .iter()
        .filter(|u| matches!(u.class, Class::Read | Class::Write))
    {
        if let Some(f) = found.iter_mut().find(|f| f.fingerprint == u.fingerprint) {
            f.count += u.count;
            f.total = f.total.saturating_add(u.total);
            continue;
        }
        let stored: Vec<&StatementReport> = statements
            .iter()
            .filter(|s| *s.fingerprint == *u.fingerprint)
            .collect();
        if stored.len() + u.count >= threshold.max(2) {
            found.push(NPlusOne {
                fingerprint: u.fingerprint.clone(),
                normalized: u.normalized.clone(),
                count: stored.len() + u.count,
                total: u
                    .total
                    .saturating_add(saturating_sum(stored.iter().filter_map(|s| s.elapsed))),
                call_path: u.call_path.clone(),
                tables: stored
                    .first()
                    .map(|s| s.tables.to_vec())
                    .unwrap_or_default(),
                statements: stored.iter().map(|s| s.index).collect(),
                suggestion:
                    "load the rows for all parents at once (WHERE … = ANY($1) / IN (…)) or JOIN"
                        .into(),
            });
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.count));
}
