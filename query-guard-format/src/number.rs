//! Counts and shares: thousands separators, large counts in millions, percentages.

/// An integer with a comma between each group of three digits: `1,234,567`.
///
/// ```
/// use query_guard_format::thousands;
///
/// assert_eq!(thousands(999), "999");
/// assert_eq!(thousands(1_234_567), "1,234,567");
/// ```
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with [`thousands`] separators, and its fraction to two places when it has one:
/// `1,234,567`, `12.50`. Negative and NaN counts print as `0`. The style of the plan rules
/// (rows, loops, batches, kB).
///
/// ```
/// use query_guard_format::count;
///
/// assert_eq!(count(1_234_567.0), "1,234,567");
/// assert_eq!(count(12.5), "12.50");
/// assert_eq!(count(0.333), "0.33");
/// ```
pub fn count(n: f64) -> String {
    let n = (n * 100.0).round() / 100.0;
    let mut out = thousands(n.trunc() as u64);
    let frac = n - n.trunc();
    if frac > 0.005 {
        out.push_str(&format!("{frac:.2}")[1..]);
    }
    out
}

/// A count rounded to a whole number with [`thousands`] separators below ten million, then in
/// millions to one decimal and from ten billion in billions to two: `1,234,567`, `12.3M`,
/// `45.60G`. The style of `query-guard analyze`'s calls and rows.
///
/// ```
/// use query_guard_format::count_scaled;
///
/// assert_eq!(count_scaled(1_234_567.4), "1,234,567");
/// assert_eq!(count_scaled(12_345_678.0), "12.3M");
/// assert_eq!(count_scaled(45_600_000_000.0), "45.60G");
/// ```
pub fn count_scaled(n: f64) -> String {
    if n >= 1e10 {
        return format!("{:.2}G", n / 1e9);
    }
    if n >= 1e7 {
        return format!("{:.1}M", n / 1e6);
    }
    thousands(n.round() as u64)
}

/// A number to about three significant figures: as [`count_scaled`] from 100, else to one
/// decimal from 10, else to two: `1,234`, `12.3`, `1.25`. The style of `query-guard analyze`'s
/// rows per call.
///
/// ```
/// use query_guard_format::number;
///
/// assert_eq!(number(1_234.0), "1,234");
/// assert_eq!(number(12.34), "12.3");
/// assert_eq!(number(1.254), "1.25");
/// ```
pub fn number(f: f64) -> String {
    if f >= 100.0 {
        count_scaled(f)
    } else if f >= 10.0 {
        format!("{f:.1}")
    } else {
        format!("{f:.2}")
    }
}

/// A share (`0.0..=1.0`) as a percentage to one decimal, to two just below 100% so that a share
/// that is not all of it does not read `100.0%`: `99.3%`, `99.96%`, `100.0%`. The style of the
/// plan rules.
///
/// ```
/// use query_guard_format::percent;
///
/// assert_eq!(percent(0.9934), "99.3%");
/// assert_eq!(percent(0.99962), "99.96%");
/// assert_eq!(percent(1.0), "100.0%");
/// ```
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p >= 99.95 && share < 1.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A share (`0.0..=1.0`) as a percentage to one decimal, where a share just below all of it stays
/// `99.9%` instead of rounding up: `99.3%`, `99.9%`, `100.0%`. The style of `query-guard
/// analyze`'s cache hit ratios and shares of the total.
///
/// ```
/// use query_guard_format::percent_capped;
///
/// assert_eq!(percent_capped(0.9934), "99.3%");
/// assert_eq!(percent_capped(0.99962), "99.9%");
/// assert_eq!(percent_capped(1.0), "100.0%");
/// ```
pub fn percent_capped(share: f64) -> String {
    if (0.9995..1.0).contains(&share) {
        "99.9%".to_owned()
    } else {
        format!("{:.1}%", share * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_of_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(123_456), "123,456");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn count_with_its_fraction() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(1_234_567.0), "1,234,567");
        assert_eq!(count(12.5), "12.50");
        assert_eq!(count(0.333), "0.33");
        assert_eq!(count(2.004), "2");
        assert_eq!(count(2.996), "3");
        assert_eq!(count(1_000.25), "1,000.25");
        assert_eq!(count(-5.0), "0");
        assert_eq!(count(f64::NAN), "0");
        assert_eq!(count(1e30), "18,446,744,073,709,551,615");
    }

    #[test]
    fn count_scaled_units() {
        assert_eq!(count_scaled(0.0), "0");
        assert_eq!(count_scaled(0.5), "1");
        assert_eq!(count_scaled(1_234_567.4), "1,234,567");
        assert_eq!(count_scaled(9_999_999.0), "9,999,999");
        assert_eq!(count_scaled(10_000_000.0), "10.0M");
        assert_eq!(count_scaled(12_345_678.0), "12.3M");
        assert_eq!(count_scaled(9_999_999_999.0), "10000.0M");
        assert_eq!(count_scaled(1e10), "10.00G");
        assert_eq!(count_scaled(45_600_000_000.0), "45.60G");
        assert_eq!(count_scaled(-3.0), "0");
        assert_eq!(count_scaled(f64::NAN), "0");
    }

    #[test]
    fn number_three_figures() {
        assert_eq!(number(0.0), "0.00");
        assert_eq!(number(1.254), "1.25");
        assert_eq!(number(9.999), "10.00");
        assert_eq!(number(12.34), "12.3");
        assert_eq!(number(99.99), "100.0");
        assert_eq!(number(100.0), "100");
        assert_eq!(number(1_234.0), "1,234");
        assert_eq!(number(2e7), "20.0M");
    }

    #[test]
    fn percent_two_decimals_near_all() {
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(0.9934), "99.3%");
        assert_eq!(percent(0.9994), "99.9%");
        assert_eq!(percent(0.9995), "99.95%");
        assert_eq!(percent(0.99962), "99.96%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(1.5), "150.0%");
    }

    #[test]
    fn percent_capped_below_all() {
        assert_eq!(percent_capped(0.0), "0.0%");
        assert_eq!(percent_capped(0.9934), "99.3%");
        assert_eq!(percent_capped(0.9994), "99.9%");
        assert_eq!(percent_capped(0.9995), "99.9%");
        assert_eq!(percent_capped(0.99999), "99.9%");
        assert_eq!(percent_capped(1.0), "100.0%");
        assert_eq!(percent_capped(1.5), "150.0%");
    }
}
