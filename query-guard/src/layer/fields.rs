//! Reading statement fields out of tracing events and spans.
//!
//! sqlx (0.7.4 through 0.9) emits, with target `sqlx::query`: `summary` (the first four words),
//! `db.statement` (`"\n\n{sql}\n"`, or EMPTY when the SQL has four words or fewer, in which case the
//! whole SQL is `summary`), `rows_affected`, `rows_returned`, `elapsed` (Debug of a `Duration`) and
//! `elapsed_secs` (f64). OpenTelemetry-style instrumentation uses `db.statement` or `db.query.text`,
//! with `db.system` or `db.system.name`.

use std::fmt;
use std::time::Duration;

use tracing::field::{Field, Visit};

/// The statement fields found on one event or span.
#[derive(Debug, Default, Clone)]
pub(crate) struct StatementFields {
    pub statement: Option<String>,
    pub summary: Option<String>,
    pub elapsed: Option<Duration>,
    pub elapsed_debug: Option<Duration>,
    pub rows_affected: Option<u64>,
    pub rows_returned: Option<u64>,
    pub db_system: Option<String>,
}

impl StatementFields {
    /// The statement's SQL: `db.statement` / `db.query.text` trimmed, or sqlx's `summary` when the
    /// statement field is empty (short SQL).
    pub fn sql(&self) -> Option<&str> {
        match self.statement.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Some(s),
            _ => self
                .summary
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
        }
    }

    pub fn take_sql(&mut self) -> Option<String> {
        let sql = self.sql()?;
        Some(sql.to_owned())
    }

    pub fn elapsed(&self) -> Option<Duration> {
        self.elapsed.or(self.elapsed_debug)
    }
}

fn as_u64(value: i64) -> Option<u64> {
    u64::try_from(value).ok()
}

impl Visit for StatementFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "db.statement" | "db.query.text" => self.statement = Some(value.to_owned()),
            "summary" => self.summary = Some(value.to_owned()),
            "db.system" | "db.system.name" => self.db_system = Some(value.to_owned()),
            _ => {}
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed = Duration::try_from_secs_f64(value).ok();
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "rows_affected" => self.rows_affected = Some(value),
            "rows_returned" => self.rows_returned = Some(value),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        match field.name() {
            "rows_affected" => self.rows_affected = as_u64(value),
            "rows_returned" => self.rows_returned = as_u64(value),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            // Only sqlx before 0.7.4 lacks `elapsed_secs`; formatting costs, so parse only then.
            "elapsed" if self.elapsed.is_none() => {
                self.elapsed_debug = parse_debug_duration(&format!("{value:?}"));
            }
            // `%sql` / `?sql` recorded as Display/Debug by other instrumentation.
            "db.statement" | "db.query.text" => {
                let text = format!("{value:?}");
                self.statement = Some(unquote_debug(text));
            }
            "db.system" | "db.system.name" => self.db_system = Some(unquote_debug(format!("{value:?}"))),
            _ => {}
        }
    }
}

/// `format!("{:?}", s)` of a `&str` adds quotes and escapes; `%s` (Display) does not.
fn unquote_debug(text: String) -> String {
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        let inner = &text[1..text.len() - 1];
        inner
            .replace("\\n", "\n")
            .replace("\\t", "\t")
            .replace("\\\"", "\"")
            .replace("\\'", "'")
            .replace("\\\\", "\\")
    } else {
        text
    }
}

/// Parses the `Debug` form of a `Duration` (`1.5s`, `12.3ms`, `45µs`, `7ns`).
pub(crate) fn parse_debug_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let secs = match unit {
        "s" => number,
        "ms" => number / 1e3,
        "µs" | "us" => number / 1e6,
        "ns" => number / 1e9,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_duration_debug_prints() {
        for d in [
            Duration::from_nanos(7),
            Duration::from_micros(45),
            Duration::from_micros(12_345),
            Duration::from_millis(1_500),
        ] {
            let parsed = parse_debug_duration(&format!("{d:?}")).unwrap();
            let diff = parsed.abs_diff(d);
            assert!(diff <= Duration::from_nanos(1), "{d:?} parsed as {parsed:?}");
        }
        assert_eq!(parse_debug_duration("soon"), None);
        assert_eq!(parse_debug_duration("12 parsecs"), None);
    }

    #[test]
    fn short_sql_comes_from_summary() {
        let f = StatementFields {
            statement: Some(String::new()),
            summary: Some("SELECT 1".into()),
            ..Default::default()
        };
        assert_eq!(f.sql(), Some("SELECT 1"));
        let f = StatementFields {
            statement: Some("\n\nSELECT a FROM t WHERE id = $1\n".into()),
            summary: Some("SELECT a FROM t …".into()),
            ..Default::default()
        };
        assert_eq!(f.sql(), Some("SELECT a FROM t WHERE id = $1"));
    }

    #[test]
    fn debug_recorded_sql_is_unquoted() {
        assert_eq!(unquote_debug("\"SELECT \\\"a\\\"\\nFROM t\"".into()), "SELECT \"a\"\nFROM t");
        assert_eq!(unquote_debug("SELECT 1".into()), "SELECT 1");
    }
}
