//! Times: milliseconds as `f64` (what report files and `pg_stat_statements` hold) and
//! [`Duration`]s.

use std::time::Duration;

use crate::number::count;

/// Milliseconds to about three significant figures, in `ms` down to 1 ms and in `µs` below:
/// `250 ms`, `12.5 ms`, `3.20 ms`, `840 µs`. The style of a scope report, in the library's text
/// and in `query-guard report`. A value that is not finite is printed as it is (`inf ms`).
///
/// ```
/// use query_guard_format::ms;
///
/// assert_eq!(ms(250.0), "250 ms");
/// assert_eq!(ms(12.5), "12.5 ms");
/// assert_eq!(ms(3.2), "3.20 ms");
/// assert_eq!(ms(0.84), "840 µs");
/// assert_eq!(ms(f64::INFINITY), "inf ms");
/// ```
pub fn ms(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v} ms");
    }
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else if v >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{:.0} µs", v * 1e3)
    }
}

/// A [`Duration`] as [`ms`] prints its milliseconds: `250 ms`, `12.5 ms`, `3.20 ms`, `840 µs`.
///
/// ```
/// use std::time::Duration;
/// use query_guard_format::duration;
///
/// assert_eq!(duration(Duration::from_millis(250)), "250 ms");
/// assert_eq!(duration(Duration::from_micros(3_200)), "3.20 ms");
/// assert_eq!(duration(Duration::from_micros(840)), "840 µs");
/// ```
pub fn duration(d: Duration) -> String {
    ms(d.as_secs_f64() * 1e3)
}

/// Milliseconds in whichever unit keeps them short, from days down to microseconds: `2.0 d`,
/// `1.5 h`, `2.5 min`, `1.23 s`, `523 ms`, `12.3 ms`, `1.25 ms`, `85 µs`, `8.5 µs`; zero is
/// `0`. The style of `query-guard analyze`, whose totals span microseconds to months.
///
/// ```
/// use query_guard_format::ms_scaled;
///
/// assert_eq!(ms_scaled(150_000.0), "2.5 min");
/// assert_eq!(ms_scaled(1_234.0), "1.23 s");
/// assert_eq!(ms_scaled(523.4), "523 ms");
/// assert_eq!(ms_scaled(0.085), "85 µs");
/// assert_eq!(ms_scaled(0.0), "0");
/// ```
pub fn ms_scaled(ms: f64) -> String {
    let a = ms.abs();
    if a == 0.0 {
        "0".to_owned()
    } else if a >= 172_800_000.0 {
        format!("{:.1} d", ms / 86_400_000.0)
    } else if a >= 3_600_000.0 {
        format!("{:.1} h", ms / 3_600_000.0)
    } else if a >= 60_000.0 {
        format!("{:.1} min", ms / 60_000.0)
    } else if a >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if a >= 100.0 {
        format!("{ms:.0} ms")
    } else if a >= 10.0 {
        format!("{ms:.1} ms")
    } else if a >= 1.0 {
        format!("{ms:.2} ms")
    } else if a >= 0.01 {
        format!("{:.0} µs", ms * 1000.0)
    } else {
        format!("{:.1} µs", ms * 1000.0)
    }
}

/// Milliseconds always in `ms`, as a plan's times are read: three decimals below 10 ms (as
/// PostgreSQL's EXPLAIN prints them), one below 1 s, whole milliseconds with thousands
/// separators above: `0.042 ms`, `3.100 ms`, `12.5 ms`, `1,250 ms`. The style of the plan rules.
///
/// ```
/// use query_guard_format::ms_plan;
///
/// assert_eq!(ms_plan(0.042), "0.042 ms");
/// assert_eq!(ms_plan(12.54), "12.5 ms");
/// assert_eq!(ms_plan(1_250.4), "1,250 ms");
/// ```
pub fn ms_plan(v: f64) -> String {
    if v >= 1000.0 {
        format!("{} ms", count(v.round()))
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.3} ms")
    }
}

/// A [`Duration`] in seconds: whole seconds when it has no milliseconds, else to the millisecond:
/// `30 s`, `31.250 s`. The style of `query-guard explain`'s time limits.
///
/// ```
/// use std::time::Duration;
/// use query_guard_format::seconds;
///
/// assert_eq!(seconds(Duration::from_secs(30)), "30 s");
/// assert_eq!(seconds(Duration::from_millis(31_250)), "31.250 s");
/// ```
pub fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.3} s", d.as_secs_f64())
    }
}

/// A [`Duration`] as people write a time limit: whole milliseconds below a second, whole seconds,
/// or seconds to one decimal: `250 ms`, `30 s`, `1.5 s`. The style of live EXPLAIN's limits.
///
/// ```
/// use std::time::Duration;
/// use query_guard_format::duration_short;
///
/// assert_eq!(duration_short(Duration::from_millis(250)), "250 ms");
/// assert_eq!(duration_short(Duration::from_secs(30)), "30 s");
/// assert_eq!(duration_short(Duration::from_millis(1_500)), "1.5 s");
/// ```
pub fn duration_short(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_three_figures() {
        assert_eq!(ms(250.0), "250 ms");
        assert_eq!(ms(100.0), "100 ms");
        assert_eq!(ms(99.96), "100.0 ms");
        assert_eq!(ms(12.5), "12.5 ms");
        assert_eq!(ms(10.0), "10.0 ms");
        assert_eq!(ms(3.2), "3.20 ms");
        assert_eq!(ms(1.0), "1.00 ms");
        assert_eq!(ms(0.84), "840 µs");
        assert_eq!(ms(0.0), "0 µs");
        assert_eq!(ms(1e15), "1000000000000000 ms");
        assert_eq!(ms(-2.0), "-2000 µs");
        assert_eq!(ms(f64::INFINITY), "inf ms");
        assert_eq!(ms(f64::NEG_INFINITY), "-inf ms");
        assert_eq!(ms(f64::NAN), "NaN ms");
    }

    #[test]
    fn duration_is_ms_of_its_milliseconds() {
        assert_eq!(duration(Duration::ZERO), "0 µs");
        assert_eq!(duration(Duration::from_nanos(1_500)), "2 µs");
        assert_eq!(duration(Duration::from_micros(840)), "840 µs");
        assert_eq!(duration(Duration::from_micros(3_200)), "3.20 ms");
        assert_eq!(duration(Duration::from_micros(12_500)), "12.5 ms");
        assert_eq!(duration(Duration::from_secs(2)), "2000 ms");
        for d in [1u64, 999, 1_000, 9_999, 10_000, 123_456, 7_000_000] {
            let d = Duration::from_nanos(d * 1_000 + 7);
            assert_eq!(duration(d), ms(d.as_secs_f64() * 1e3));
        }
    }

    #[test]
    fn ms_scaled_every_unit() {
        assert_eq!(ms_scaled(0.0), "0");
        assert_eq!(ms_scaled(-0.0), "0");
        assert_eq!(ms_scaled(3.0 * 86_400_000.0), "3.0 d");
        assert_eq!(ms_scaled(172_800_000.0), "2.0 d");
        assert_eq!(ms_scaled(172_799_999.0), "48.0 h");
        assert_eq!(ms_scaled(5_400_000.0), "1.5 h");
        assert_eq!(ms_scaled(150_000.0), "2.5 min");
        assert_eq!(ms_scaled(59_999.0), "60.00 s");
        assert_eq!(ms_scaled(1_234.0), "1.23 s");
        assert_eq!(ms_scaled(523.4), "523 ms");
        assert_eq!(ms_scaled(12.34), "12.3 ms");
        assert_eq!(ms_scaled(1.254), "1.25 ms");
        assert_eq!(ms_scaled(0.085), "85 µs");
        assert_eq!(ms_scaled(0.01), "10 µs");
        assert_eq!(ms_scaled(0.0085), "8.5 µs");
        assert_eq!(ms_scaled(-1_234.0), "-1.23 s");
        assert_eq!(ms_scaled(f64::NAN), "NaN µs");
        assert_eq!(ms_scaled(f64::INFINITY), "inf d");
    }

    #[test]
    fn ms_plan_fixed_decimals() {
        assert_eq!(ms_plan(0.0), "0.000 ms");
        assert_eq!(ms_plan(0.042), "0.042 ms");
        assert_eq!(ms_plan(3.1), "3.100 ms");
        assert_eq!(ms_plan(9.9996), "10.000 ms");
        assert_eq!(ms_plan(10.0), "10.0 ms");
        assert_eq!(ms_plan(999.94), "999.9 ms");
        assert_eq!(ms_plan(1_000.0), "1,000 ms");
        assert_eq!(ms_plan(1_250.4), "1,250 ms");
        assert_eq!(ms_plan(1_234_567.5), "1,234,568 ms");
    }

    #[test]
    fn seconds_to_the_millisecond() {
        assert_eq!(seconds(Duration::ZERO), "0 s");
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(31_250)), "31.250 s");
        assert_eq!(seconds(Duration::from_millis(250)), "0.250 s");
        assert_eq!(seconds(Duration::from_micros(1_000_500)), "1 s");
    }

    #[test]
    fn duration_short_as_people_write_it() {
        assert_eq!(duration_short(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(duration_short(Duration::from_secs(30)), "30 s");
        assert_eq!(duration_short(Duration::from_millis(250)), "250 ms");
        assert_eq!(duration_short(Duration::from_micros(999_999)), "999 ms");
        assert_eq!(duration_short(Duration::ZERO), "0 ms");
    }
}
