//! Time statistics of a statement shape: count, total, p50, p95, p99 and max.
//!
//! Statements a scope stores give exact percentiles (nearest rank). Statements past the storage
//! cap are summarised in a [`Histogram`] of bounded size, so their percentiles are approximate
//! (within 9%, one bucket) and say so.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Buckets per doubling of the duration: a bucket spans 2^(1/8), about 9%.
const SUB_BUCKETS: u32 = 8;

/// Durations are bucketed from 1 µs; shorter ones share the first bucket.
const FLOOR_NANOS: f64 = 1_000.0;

/// Doublings covered above 1 µs (2^40 µs is about 12 days); longer ones share the last bucket.
const OCTAVES: u32 = 40;

/// A log-scale histogram of durations: at most `8 × 40` buckets, stored sparsely (a shape's
/// times usually fall into a handful of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Histogram {
    /// (bucket, count), sorted by bucket.
    buckets: Vec<(u16, u64)>,
}

fn bucket_of(d: Duration) -> u16 {
    let nanos = d.as_nanos() as f64;
    if nanos <= FLOOR_NANOS {
        return 0;
    }
    let b = ((nanos / FLOOR_NANOS).log2() * f64::from(SUB_BUCKETS)).floor();
    b.clamp(0.0, f64::from(SUB_BUCKETS * OCTAVES - 1)) as u16
}

/// The middle of a bucket, geometrically.
fn bucket_value(b: u16) -> Duration {
    let exp = (f64::from(b) + 0.5) / f64::from(SUB_BUCKETS);
    Duration::from_nanos((FLOOR_NANOS * exp.exp2()) as u64)
}

impl Histogram {
    pub(crate) fn add(&mut self, d: Duration, n: u64) {
        let b = bucket_of(d);
        match self.buckets.binary_search_by_key(&b, |(k, _)| *k) {
            Ok(i) => self.buckets[i].1 = self.buckets[i].1.saturating_add(n),
            Err(i) => self.buckets.insert(i, (b, n)),
        }
    }

    fn count(&self) -> u64 {
        self.buckets
            .iter()
            .fold(0u64, |acc, (_, n)| acc.saturating_add(*n))
    }

    /// The value at quantile `q` (nearest rank), or `None` when empty.
    fn quantile(&self, q: f64) -> Option<Duration> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for &(b, n) in &self.buckets {
            seen += n;
            if seen >= rank {
                return Some(bucket_value(b));
            }
        }
        None
    }
}

/// Times of one statement shape in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeStats {
    /// Statements with a known time (sources that do not report a time are left out).
    #[serde(default)]
    pub timed: usize,
    /// Their total time.
    #[serde(default, rename = "total_ms", with = "crate::millis::ms")]
    pub total: Duration,
    /// Median.
    #[serde(default, rename = "p50_ms", with = "crate::millis::ms")]
    pub p50: Duration,
    /// 95th percentile.
    #[serde(default, rename = "p95_ms", with = "crate::millis::ms")]
    pub p95: Duration,
    /// 99th percentile.
    #[serde(default, rename = "p99_ms", with = "crate::millis::ms")]
    pub p99: Duration,
    /// Slowest.
    #[serde(default, rename = "max_ms", with = "crate::millis::ms")]
    pub max: Duration,
    /// Whether the percentiles come from a histogram (statements past the storage cap) and are
    /// accurate to about 9% rather than exact.
    #[serde(default)]
    pub approximate: bool,
}

impl TimeStats {
    /// Exact statistics of `times` plus, when given, a histogram of more times (with their total
    /// and max), which makes the percentiles approximate.
    pub(crate) fn of(
        times: &mut [Duration],
        more: Option<(&Histogram, Duration, Duration)>,
    ) -> TimeStats {
        let total_here = crate::statement::saturating_sum(times.iter().copied());
        let max_here = times.iter().copied().max().unwrap_or_default();
        match more {
            Some((hist, total, max)) if hist.count() > 0 => {
                let mut all = hist.clone();
                for t in times.iter() {
                    all.add(*t, 1);
                }
                let q = |p| all.quantile(p).unwrap_or_default().min(max.max(max_here));
                TimeStats {
                    timed: usize::try_from(all.count()).unwrap_or(usize::MAX),
                    total: total_here.saturating_add(total),
                    p50: q(0.50),
                    p95: q(0.95),
                    p99: q(0.99),
                    max: max.max(max_here),
                    approximate: true,
                }
            }
            _ => {
                times.sort_unstable();
                let q = |p: f64| {
                    if times.is_empty() {
                        return Duration::ZERO;
                    }
                    let rank = ((p * times.len() as f64).ceil() as usize).clamp(1, times.len());
                    times[rank - 1]
                };
                TimeStats {
                    timed: times.len(),
                    total: total_here,
                    p50: q(0.50),
                    p95: q(0.95),
                    p99: q(0.99),
                    max: max_here,
                    approximate: false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn exact_percentiles_use_nearest_rank() {
        let mut times: Vec<Duration> = (1..=100).map(ms).collect();
        times.reverse();
        let s = TimeStats::of(&mut times, None);
        assert_eq!(
            (s.p50, s.p95, s.p99, s.max),
            (ms(50), ms(95), ms(99), ms(100))
        );
        assert_eq!((s.timed, s.total), (100, ms(5050)));
        assert!(!s.approximate);
        let one = TimeStats::of(&mut [ms(7)], None);
        assert_eq!((one.p50, one.p99), (ms(7), ms(7)));
        let none = TimeStats::of(&mut [], None);
        assert_eq!((none.timed, none.max), (0, Duration::ZERO));
    }

    #[test]
    fn histogram_percentiles_are_within_a_bucket() {
        let mut h = Histogram::default();
        let mut total = Duration::ZERO;
        for i in 1..=1000u64 {
            let d = Duration::from_micros(i * 10);
            h.add(d, 1);
            total += d;
        }
        let s = TimeStats::of(&mut [], Some((&h, total, Duration::from_micros(10_000))));
        assert!(s.approximate);
        let near = |got: Duration, want: u64| {
            let want = Duration::from_micros(want).as_secs_f64();
            (got.as_secs_f64() - want).abs() / want < 0.1
        };
        assert!(near(s.p50, 5_000), "{:?}", s.p50);
        assert!(near(s.p95, 9_500), "{:?}", s.p95);
        assert!(near(s.p99, 9_900), "{:?}", s.p99);
        assert_eq!(s.max, Duration::from_micros(10_000));
        assert!(h.buckets.len() <= (SUB_BUCKETS * OCTAVES) as usize);
    }

    #[test]
    fn extreme_durations_stay_in_range() {
        let mut h = Histogram::default();
        h.add(Duration::ZERO, 1);
        h.add(Duration::MAX, u64::MAX);
        h.add(Duration::MAX, 5);
        assert_eq!(h.buckets.len(), 2);
        assert_eq!(h.count(), u64::MAX, "counts saturate");
    }
}
