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

use crate::fingerprint::_support::prefix;
use crate::fingerprint::MAX_FINGERPRINT_LEN;

/// At most [`MAX_FINGERPRINT_LEN`] bytes of `text` (trimmed), and its trimmed length: a
/// statement's memory and the work done on it stay bounded whatever its size.
fn bounded(text: &str) -> (String, usize) {
    let text = text.trim();
    (prefix(text, MAX_FINGERPRINT_LEN).to_owned(), text.len())
}

/// The statement fields found on one event or span.
#[derive(Debug, Default, Clone)]
pub(crate) struct StatementFields {
    /// The SQL (at most [`MAX_FINGERPRINT_LEN`] bytes of it) and its whole length.
    pub statement: Option<(String, usize)>,
    pub summary: Option<(String, usize)>,
    pub elapsed: Option<Duration>,
    pub elapsed_debug: Option<Duration>,
    pub rows_affected: Option<u64>,
    pub rows_returned: Option<u64>,
    pub db_system: Option<String>,
    /// The callsite also has `elapsed_secs`: ignore the Debug `elapsed` (formatting it costs).
    pub has_elapsed_secs: bool,
}

impl StatementFields {
    /// Fields for a callsite: notes whether it carries `elapsed_secs`.
    pub(crate) fn for_callsite(meta: &tracing::Metadata<'_>) -> StatementFields {
        StatementFields {
            has_elapsed_secs: meta.fields().field("elapsed_secs").is_some(),
            ..StatementFields::default()
        }
    }

    /// Moves the SQL out (already trimmed, and cut to [`MAX_FINGERPRINT_LEN`] bytes, when
    /// recorded) with the length of the whole statement, without copying it again.
    pub(crate) fn take_sql(&mut self) -> Option<(String, usize)> {
        match self.statement.take() {
            Some(s) if !s.0.is_empty() => Some(s),
            _ => self.summary.take().filter(|s| !s.0.is_empty()),
        }
    }

    pub(crate) fn elapsed(&self) -> Option<Duration> {
        self.elapsed.or(self.elapsed_debug)
    }
}

fn as_u64(value: i64) -> Option<u64> {
    u64::try_from(value).ok()
}

impl Visit for StatementFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "db.statement" | "db.query.text" => self.statement = Some(bounded(value)),
            // sqlx's summary is the whole SQL only for statements of four words or fewer; longer
            // ones end in "…" and come whole in `db.statement`: do not copy those.
            "summary" if !value.ends_with('…') => self.summary = Some(bounded(value)),
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
            "elapsed" if !self.has_elapsed_secs => {
                self.elapsed_debug = parse_debug_duration(&format!("{value:?}"));
            }
            // `%sql` / `?sql` recorded as Display/Debug by other instrumentation.
            "db.statement" | "db.query.text" => {
                let text = format!("{value:?}");
                self.statement = Some(bounded(&unquote_debug(text)));
            }
            "db.system" | "db.system.name" => {
                self.db_system = Some(unquote_debug(format!("{value:?}")))
            }
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
            assert!(
                diff <= Duration::from_nanos(1),
                "{d:?} parsed as {parsed:?}"
            );
        }
        assert_eq!(parse_debug_duration("soon"), None);
        assert_eq!(parse_debug_duration("12 parsecs"), None);
    }

    /// Records the fields of one real event through the visitor.
    fn visit(f: impl FnOnce()) -> StatementFields {
        use std::sync::{Arc, Mutex};
        struct Grab(Arc<Mutex<Option<StatementFields>>>);
        impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Grab {
            fn on_event(
                &self,
                e: &tracing::Event<'_>,
                _: tracing_subscriber::layer::Context<'_, S>,
            ) {
                let mut fields = StatementFields::for_callsite(e.metadata());
                e.record(&mut fields);
                *self.0.lock().unwrap() = Some(fields);
            }
        }
        use tracing_subscriber::prelude::*;
        let slot = Arc::new(Mutex::new(None));
        tracing::subscriber::with_default(
            tracing_subscriber::registry().with(Grab(slot.clone())),
            f,
        );
        slot.lock().unwrap().take().expect("an event")
    }

    #[test]
    fn short_sql_comes_from_summary() {
        let mut f = visit(|| tracing::debug!(summary = "SELECT 1", db.statement = ""));
        assert_eq!(f.take_sql(), Some(("SELECT 1".to_owned(), 8)));
        let mut f = visit(|| {
            tracing::debug!(
                summary = "SELECT a FROM t …",
                db.statement = "\n\nSELECT a FROM t WHERE id = $1\n"
            )
        });
        assert_eq!(f.summary, None, "a truncated summary is not copied");
        assert_eq!(
            f.take_sql().map(|s| s.0).as_deref(),
            Some("SELECT a FROM t WHERE id = $1")
        );
    }

    #[test]
    fn huge_statements_keep_a_prefix_and_their_length() {
        let sql = format!("SELECT {} 1", "1 + ".repeat(100_000));
        let mut f = visit(|| tracing::debug!(db.statement = sql.as_str()));
        let (kept, len) = f.take_sql().unwrap();
        assert_eq!(len, sql.len());
        assert_eq!(kept.len(), MAX_FINGERPRINT_LEN);
        assert!(sql.starts_with(&kept));
    }

    #[test]
    fn debug_elapsed_is_parsed_only_without_elapsed_secs() {
        let d = Duration::from_micros(1500);
        let f = visit(|| tracing::debug!(db.statement = "SELECT 1", elapsed = ?d));
        assert_eq!(f.elapsed(), Some(d));
        let f = visit(
            || tracing::debug!(db.statement = "SELECT 1", elapsed = ?d, elapsed_secs = 0.25_f64),
        );
        assert_eq!(f.elapsed_debug, None);
        assert_eq!(f.elapsed(), Some(Duration::from_millis(250)));
    }

    #[test]
    fn debug_recorded_sql_is_unquoted() {
        assert_eq!(
            unquote_debug("\"SELECT \\\"a\\\"\\nFROM t\"".into()),
            "SELECT \"a\"\nFROM t"
        );
        assert_eq!(unquote_debug("SELECT 1".into()), "SELECT 1");
    }
}
