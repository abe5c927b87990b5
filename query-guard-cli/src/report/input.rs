//! The per-scope report files, as this command reads them (schema version 2, see
//! `docs/report-schema.md`).
//!
//! Only the fields the aggregate needs are read; unknown fields are ignored, so a report with
//! fields added in a later minor release still reads. Collections and optional fields default to
//! empty when missing, so only the identity of a report (`run_id`, `finished_unix_ms`, `scope`)
//! is required besides `schema_version`.
//!
//! Times are checked as they are read ([`ms`]): the library writes finite, non-negative
//! milliseconds, so `-5`, `1e308` or a time past [`MAX_MS`] is a corrupted or hand-made file,
//! refused with its line and column (serde_json places the error). Counts are `u64`: negative or
//! fractional counts are refused the same way, and the aggregate adds them saturating.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// The per-scope report schema version this command reads (a test keeps it equal to
/// `query_guard::report::REPORT_SCHEMA_VERSION`).
pub(crate) const REPORT_SCHEMA: u32 = 2;

/// The longest time a report file may give, in milliseconds: 1e15 ms, about 31,700 years (a
/// scope's statements, summed), the most the library writes. Sums over any number of files stay
/// finite below it.
pub(crate) const MAX_MS: f64 = query_guard::report::MAX_REPORT_MS;

/// Reads a time in milliseconds: a finite number from 0 to [`MAX_MS`] (`-0` reads as 0).
pub(crate) fn ms<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && (0.0..=MAX_MS).contains(&v) {
        Ok(v + 0.0)
    } else {
        Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Float(v),
            &"milliseconds from 0 to 1e15",
        ))
    }
}

/// One scope's report.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ScopeReport {
    pub run_id: String,
    pub finished_unix_ms: u64,
    pub scope: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub test: Option<String>,
    #[serde(default)]
    pub failed: bool,
    #[serde(default, deserialize_with = "ms")]
    pub db_ms: f64,
    #[serde(default)]
    pub counts: Counts,
    #[serde(default)]
    pub violations: Vec<Violation>,
    #[serde(default)]
    pub n_plus_one: Vec<NPlusOne>,
    #[serde(default)]
    pub duplicates: Vec<Duplicate>,
    #[serde(default)]
    pub slow: Vec<Slow>,
    #[serde(default)]
    pub allowances: Vec<Allowance>,
    #[serde(default)]
    pub fingerprints: Vec<Shape>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub(crate) struct Counts {
    #[serde(default)]
    pub counted: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Violation {
    /// `total`, `reads` or `writes`.
    pub limit: String,
    pub max: u64,
    pub actual: u64,
}

impl Violation {
    /// `queries`, `reads` or `writes` (singular for 1), as the library says it.
    pub fn noun(&self, n: u64) -> String {
        let plural = match self.limit.as_str() {
            "total" => "queries",
            other => other,
        };
        if n != 1 {
            return plural.to_owned();
        }
        match plural {
            "queries" => "query".to_owned(),
            other => other.strip_suffix('s').unwrap_or(other).to_owned(),
        }
    }
}

impl fmt::Display for Violation {
    /// `at most 5 queries, 12 ran`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at most {} {}, {} ran",
            self.max,
            self.noun(self.max),
            self.actual
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) struct CallSite {
    #[serde(default)]
    pub function: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub line: Option<u32>,
}

impl fmt::Display for CallSite {
    /// As the library prints it: `file:line (function)`, or the function.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line} ({})", self.function),
            _ => f.write_str(&self.function),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Step {
    pub fingerprint: String,
    pub normalized: String,
    #[serde(default)]
    pub tables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) struct Allowed {
    pub pattern: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct NPlusOne {
    /// `repeated` or `sequence`.
    pub kind: String,
    pub fingerprint: String,
    pub normalized: String,
    pub count: u64,
    #[serde(default, deserialize_with = "ms")]
    pub total_ms: f64,
    /// `a > b (file:line)`, or `-` when the statements ran directly in the scope.
    #[serde(default)]
    pub call_path: String,
    #[serde(default)]
    pub call_site: Option<CallSite>,
    #[serde(default)]
    pub tables: Vec<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub suggestion: String,
    #[serde(default)]
    pub allowed: Option<Allowed>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Duplicate {
    pub fingerprint: String,
    pub normalized: String,
    pub count: u64,
    #[serde(default, deserialize_with = "ms")]
    pub total_ms: f64,
    #[serde(default)]
    pub tables: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub(crate) struct TimeStats {
    #[serde(default, deserialize_with = "ms")]
    pub p95_ms: f64,
    #[serde(default, deserialize_with = "ms")]
    pub p99_ms: f64,
    #[serde(default, deserialize_with = "ms")]
    pub max_ms: f64,
    #[serde(default)]
    pub approximate: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Slow {
    pub fingerprint: String,
    pub normalized: String,
    #[serde(default)]
    pub tables: Vec<String>,
    pub count: u64,
    #[serde(default)]
    pub runs: u64,
    #[serde(default, deserialize_with = "ms")]
    pub threshold_ms: f64,
    #[serde(default)]
    pub stats: TimeStats,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Allowance {
    /// `n_plus_one` or `over_budget`.
    pub kind: String,
    pub pattern: String,
    #[serde(default)]
    pub reason: String,
    /// `scope` or `config`.
    pub origin: String,
    pub matched: u64,
}

/// One shape's statistics in a scope (`fingerprints` in the report; the time statistics are
/// flattened into it).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Shape {
    pub fingerprint: String,
    pub normalized: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub tables: Vec<String>,
    pub count: u64,
    #[serde(default)]
    pub timed: u64,
    #[serde(default, deserialize_with = "ms")]
    pub total_ms: f64,
    #[serde(default, deserialize_with = "ms")]
    pub max_ms: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violation_nouns() {
        let v = |limit: &str, max| Violation {
            limit: limit.to_owned(),
            max,
            actual: 9,
        };
        assert_eq!(v("total", 1).to_string(), "at most 1 query, 9 ran");
        assert_eq!(v("total", 5).to_string(), "at most 5 queries, 9 ran");
        assert_eq!(v("reads", 1).to_string(), "at most 1 read, 9 ran");
        assert_eq!(v("writes", 0).to_string(), "at most 0 writes, 9 ran");
        assert_eq!(v("other", 1).to_string(), "at most 1 other, 9 ran");
    }
}
