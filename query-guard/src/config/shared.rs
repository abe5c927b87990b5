//! How a value is spelled, the same in `query-guard.toml` and in the `QUERY_GUARD_*`
//! variables: what the error messages say was expected, and the readers both sources share.
//! It imports nothing else from the configuration, so the file reader and the environment
//! reader can both use it without using each other.

use std::time::Duration;

use crate::fingerprint::Dialect;

pub(super) const MODE_EXPECTED: &str = "`panic`, `warn` or `off`";
pub(super) const MILLIS_EXPECTED: &str =
    "a number of milliseconds greater than 0, such as 250 or 0.5";

/// What `dialect` accepts.
pub(super) const DIALECT_EXPECTED: &str = "\"postgres\", \"mysql\", \"mariadb\" or \"sqlite\"";

/// A database name for `dialect` (any case; `postgresql`, `mariadb` and `sqlite3` too).
pub(super) fn parse_dialect(name: &str) -> Option<Dialect> {
    match Dialect::from_db_system(name) {
        Dialect::Generic => None,
        d => Some(d),
    }
}

pub(super) fn whole_number(min: usize) -> String {
    format!("a whole number of at least {min}")
}

pub(super) fn duration_from_millis(ms: f64) -> Option<Duration> {
    if ms.is_nan() || ms <= 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(ms / 1000.0)
        .ok()
        .filter(|d| !d.is_zero())
}
