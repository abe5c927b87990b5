//! `--fail-on RULES`: CI gates. Rules are separated by commas (or given with several
//! `--fail-on`); the command exits with 1 when any rule fires for any statement ranked in the
//! report (statements with fewer calls than `--min-calls` are never judged).
//!
//! | rule | fires for a statement when |
//! |---|---|
//! | `METRIC>VALUE`, `>=`, `<`, `<=` | the metric compares so (below) |
//! | `n-plus-one` | it is an N+1 suspect |
//! | `spill` | it wrote temporary blocks (a sort, hash or materialisation did not fit `work_mem`) |
//! | `regressed` | (two snapshots) its mean in the window is ≥ 1.5× its mean before, and ≥ 0.1 ms more |
//! | `new` | (two snapshots) it ran in the window and was not in BEFORE |
//!
//! Metrics: `mean`, `max`, `total`, `stddev`, `plan` (mean planning time) take a time (`250us`,
//! `100ms`, `2s`, `1min`, `1h`; a bare number is milliseconds); `calls`, `rows` (rows per call),
//! `reads` (shared blocks read), `temp` (temp blocks written) take a number; `share` (of the
//! total execution time) and `hit` (cache hit ratio) take a percentage (`20%`) or a fraction
//! (`0.2`); `cv` (stddev / mean) a number. Examples: `mean>100ms`, `hit<90%`, `share>=25%`,
//! `n-plus-one,spill`.

use crate::failure::Failure;

/// A metric a threshold rule compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    Mean,
    Max,
    Total,
    Stddev,
    Plan,
    Calls,
    RowsPerCall,
    Reads,
    Temp,
    Share,
    Hit,
    Cv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    pub(crate) fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Lt => a < b,
            Op::Le => a <= b,
        }
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rule {
    Threshold {
        text: String,
        metric: Metric,
        op: Op,
        /// In the metric's unit: ms for times, a fraction for share and hit.
        value: f64,
    },
    NPlusOne,
    Spill,
    Regressed,
    New,
}

impl Rule {
    /// The rule as written (normalised).
    pub(crate) fn text(&self) -> String {
        match self {
            Rule::Threshold { text, .. } => text.clone(),
            Rule::NPlusOne => "n-plus-one".to_owned(),
            Rule::Spill => "spill".to_owned(),
            Rule::Regressed => "regressed".to_owned(),
            Rule::New => "new".to_owned(),
        }
    }
}

const EXPECTED: &str = "expected METRIC>VALUE (mean, max, total, stddev, plan, calls, rows, reads, temp, share, hit, cv with >, >=, < or <=; e.g. mean>100ms, hit<90%) or one of n-plus-one, spill, regressed, new";

/// Parse every `--fail-on` value.
pub(crate) fn parse(values: &[String]) -> Result<Vec<Rule>, Failure> {
    let mut out = Vec::new();
    for v in values {
        for part in v.split(',') {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            out.push(parse_one(p)?);
        }
    }
    Ok(out)
}

fn parse_one(p: &str) -> Result<Rule, Failure> {
    let lower = p.to_ascii_lowercase().replace(' ', "");
    match lower.as_str() {
        "n-plus-one" | "n+1" | "nplusone" | "n_plus_one" => return Ok(Rule::NPlusOne),
        "spill" | "spills" => return Ok(Rule::Spill),
        "regressed" | "regression" => return Ok(Rule::Regressed),
        "new" => return Ok(Rule::New),
        _ => {}
    }
    let bad = |why: &str| Failure::usage(format!("--fail-on {p:?}: {why}; {EXPECTED}"));
    let at = lower.find(['>', '<']).ok_or_else(|| bad("unknown rule"))?;
    let (name, rest) = lower.split_at(at);
    let (op, value) = if let Some(v) = rest.strip_prefix(">=") {
        (Op::Ge, v)
    } else if let Some(v) = rest.strip_prefix("<=") {
        (Op::Le, v)
    } else if let Some(v) = rest.strip_prefix('>') {
        (Op::Gt, v)
    } else {
        (Op::Lt, &rest[1..])
    };
    let metric = match name {
        "mean" => Metric::Mean,
        "max" => Metric::Max,
        "total" => Metric::Total,
        "stddev" => Metric::Stddev,
        "plan" => Metric::Plan,
        "calls" => Metric::Calls,
        "rows" | "rows-per-call" => Metric::RowsPerCall,
        "reads" => Metric::Reads,
        "temp" => Metric::Temp,
        "share" => Metric::Share,
        "hit" => Metric::Hit,
        "cv" => Metric::Cv,
        _ => return Err(bad(&format!("unknown metric {name:?}"))),
    };
    let value = match metric {
        Metric::Mean | Metric::Max | Metric::Total | Metric::Stddev | Metric::Plan => {
            parse_time(value).ok_or_else(|| bad(&format!("{value:?} is not a time")))?
        }
        Metric::Share | Metric::Hit => {
            let (num, pct) = match value.strip_suffix('%') {
                Some(n) => (n, true),
                None => (value, false),
            };
            let v: f64 = num
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| bad(&format!("{value:?} is not a percentage")))?;
            if pct { v / 100.0 } else { v }
        }
        _ => value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| bad(&format!("{value:?} is not a number")))?,
    };
    Ok(Rule::Threshold {
        text: lower.clone(),
        metric,
        op,
        value,
    })
}

/// `250us`, `250µs`, `100ms`, `2s`, `1.5min`, `1h`, or a bare number of ms: milliseconds.
fn parse_time(v: &str) -> Option<f64> {
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let factor = match unit {
        "" | "ms" => 1.0,
        "us" | "µs" => 0.001,
        "s" => 1000.0,
        "min" | "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return None,
    };
    Some(n * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let r = parse(&["mean>100ms, n-plus-one".to_owned(), "hit<90%".to_owned()]).unwrap();
        assert_eq!(r.len(), 3);
        assert!(
            matches!(r[0], Rule::Threshold { metric: Metric::Mean, op: Op::Gt, value, .. } if value == 100.0)
        );
        assert_eq!(r[1], Rule::NPlusOne);
        assert!(
            matches!(r[2], Rule::Threshold { metric: Metric::Hit, op: Op::Lt, value, .. } if value == 0.9)
        );
        assert!(
            matches!(parse_one("total>=2s").unwrap(), Rule::Threshold { value, op: Op::Ge, .. } if value == 2000.0)
        );
        assert!(
            matches!(parse_one("max>250us").unwrap(), Rule::Threshold { value, .. } if (value - 0.25).abs() < 1e-12)
        );
        let e = parse_one("mean>fast").unwrap_err();
        assert!(
            e.message
                .starts_with("--fail-on \"mean>fast\": \"fast\" is not a time"),
            "{}",
            e.message
        );
        assert!(
            parse_one("speed>1")
                .unwrap_err()
                .message
                .contains("unknown metric")
        );
        assert!(
            parse_one("slow")
                .unwrap_err()
                .message
                .contains("unknown rule")
        );
    }
}
