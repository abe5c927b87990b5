//! Per-shape statistics: how often each fingerprint ran in a scope and how long it took.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::classify::Class;
use crate::fingerprint::StatementKind;
use crate::reported::{StatementReport, UnstoredReport};
use crate::stats::TimeStats;

/// One statement shape's runs in a scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeStats {
    /// Fingerprint (16 hex characters).
    pub fingerprint: String,
    /// Normalised SQL.
    pub normalized: String,
    /// Statement kind.
    pub kind: StatementKind,
    /// How the budget treats it.
    pub class: Class,
    /// Tables it touches.
    #[serde(default)]
    pub tables: Vec<String>,
    /// How many times it ran (stored and past the storage cap).
    pub count: usize,
    /// Runs at or over the slow threshold (0 without one).
    #[serde(default)]
    pub slow: usize,
    /// Time statistics.
    #[serde(flatten)]
    pub time: TimeStats,
}

/// Statistics per shape, the most total time first.
pub(crate) fn shape_stats(
    statements: &[StatementReport],
    unstored: &[UnstoredReport],
    slow: Option<Duration>,
) -> Vec<ShapeStats> {
    struct Acc<'a> {
        first: Option<&'a StatementReport>,
        times: Vec<Duration>,
        count: usize,
        slow: usize,
        extra: Option<&'a UnstoredReport>,
    }
    let mut order: Vec<&str> = Vec::new();
    let mut acc: HashMap<&str, Acc<'_>> = HashMap::new();
    for s in statements {
        let a = acc.entry(&s.fingerprint).or_insert_with(|| {
            order.push(&s.fingerprint);
            Acc {
                first: Some(s),
                times: Vec::new(),
                count: 0,
                slow: 0,
                extra: None,
            }
        });
        a.count += 1;
        if let Some(e) = s.elapsed {
            a.times.push(e);
            if slow.is_some_and(|t| e >= t) {
                a.slow += 1;
            }
        }
    }
    for u in unstored {
        let a = acc.entry(&u.fingerprint).or_insert_with(|| {
            order.push(&u.fingerprint);
            Acc {
                first: None,
                times: Vec::new(),
                count: 0,
                slow: 0,
                extra: None,
            }
        });
        a.count += u.count;
        a.slow += u.slow;
        a.extra = Some(u);
    }
    // Sized once (one entry per shape), and sorted in place below: with thousands of shapes
    // this list is most of what a scope allocates when it closes.
    let mut out: Vec<ShapeStats> = Vec::with_capacity(order.len());
    out.extend(order.into_iter().filter_map(|fp| {
        let mut a = acc.remove(fp)?;
        let time = TimeStats::of(
            &mut a.times,
            a.extra.map(|u| (&u.histogram, u.total, u.max)),
        );
        let (normalized, kind, class, tables) = match (a.first, a.extra) {
            (Some(s), _) => (s.normalized.to_string(), s.kind, s.class, s.tables.to_vec()),
            (None, Some(u)) => (u.normalized.clone(), u.kind, u.class, u.tables.clone()),
            (None, None) => return None,
        };
        Some(ShapeStats {
            fingerprint: fp.to_owned(),
            normalized,
            kind,
            class,
            tables,
            count: a.count,
            slow: a.slow,
            time,
        })
    }));
    // The fingerprint breaks every tie (one entry per fingerprint), so an unstable sort, which
    // allocates nothing, gives the same order as a stable one.
    out.sort_unstable_by(|a, b| {
        b.time
            .total
            .cmp(&a.time.total)
            .then(b.count.cmp(&a.count))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    out
}
