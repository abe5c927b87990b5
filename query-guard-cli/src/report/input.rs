//! The per-scope report files, read through the library's own types: a file is a
//! [`query_guard::Report`] (schema version [`REPORT_SCHEMA`], see `docs/report-schema.md`).
//!
//! The library reads exactly what it writes: unknown fields are ignored, so a report with fields
//! added in a later minor release still reads; collections and optional fields default to empty
//! when missing, so only the identity of a report (`run_id`, `finished_unix_ms`, `scope`) is
//! required besides `schema_version`. Times are checked as they are read: finite milliseconds from
//! 0 to [`MAX_MS`], anything else refused with its line and column (serde_json places the error).
//! Counts are unsigned integers: negative or fractional counts are refused the same way, and the
//! aggregate adds them saturating.
//!
//! What is left here is what this command does with those types that the library does not:
//! times as the milliseconds the file gave ([`ms`]).

/// The per-scope report schema version this command reads: the library's.
pub(crate) const REPORT_SCHEMA: u32 = query_guard::report::REPORT_SCHEMA_VERSION;

/// The longest time a report file may give, in milliseconds: 1e15 ms, about 31,700 years (a
/// scope's statements, summed), the most the library writes. Sums over any number of files stay
/// finite below it.
pub(crate) const MAX_MS: f64 = query_guard::report::MAX_REPORT_MS;

/// A report's time in milliseconds, as the library writes it in the file (and so as the file
/// gave it, for the times the library wrote).
pub(crate) use query_guard::report::report_ms as ms;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A time the library wrote (`Duration` to milliseconds) reads back (milliseconds to
    /// `Duration`, as the library reads it) to the same milliseconds.
    #[test]
    fn times_read_back_as_written() {
        for nanos in [
            0,
            1,
            999,
            43_334,
            2_800_000,
            12_500_000,
            257_000_000,
            123_456_789_012,
            86_400_000_000_000,
            1_000_000_000_000_000_000,
        ] {
            let written = ms(Duration::from_nanos(nanos));
            let read = Duration::from_secs_f64(written / 1e3);
            assert_eq!(ms(read), written, "{nanos} ns");
        }
        assert_eq!(ms(Duration::from_secs_f64(MAX_MS / 1e3)), MAX_MS);
        assert_eq!(ms(Duration::MAX), MAX_MS);
    }
}
