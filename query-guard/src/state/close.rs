//! Closing a scope: its recorded statements become a [`Report`] — classified, counted against
//! the budget, grouped by shape and searched by the detectors.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::{Recorded, ScopeState};
use crate::allow::{AllowKind, Allowance, AllowanceReport, Allowed};
use crate::budget::Budget;
use crate::classify::{Class, classify};
use crate::detect::budget::{self, Counts};
use crate::detect::duplicates;
use crate::detect::n_plus_one::{self, NPlusOne};
use crate::detect::slow;
use crate::fingerprint::_support::cached_among;
use crate::fingerprint::Fingerprint;
use crate::report::{REPORT_SCHEMA_VERSION, Report, StatementReport, UnstoredReport};
use crate::statement::saturating_sum;

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
        let fingerprints =
            crate::shapes::shape_stats(&statements, &unstored, budget.slow_threshold());
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
            run_id: crate::report::file::run_id().into(),
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
