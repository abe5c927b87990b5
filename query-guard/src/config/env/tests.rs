//! Tests of the `QUERY_GUARD_*` variables: what each one sets, and the errors for values that
//! cannot be used.

use std::path::Path;
use std::time::Duration;

use crate::config::{Config, ConfigError};
use crate::mode::Mode;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml_str(text, Path::new("/app/query-guard.toml"))
}

pub(in crate::config) fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

#[test]
fn the_environment_wins_over_the_file() {
    let file = parse(
        "mode = \"warn\"\ntest_mode = \"warn\"\nn_plus_one_threshold = 3\nslow_ms = 100\n\
             show_values = false\nmax_stored = 10\nreports = false\nreport_dir = \"/app/r\"\n\
             backtrace = false\ndeny_slow = false\n",
    )
    .unwrap();
    let config = file
        .clone()
        .with_env(env(&[
            ("QUERY_GUARD_MODE", "Panic"),
            ("QUERY_GUARD_TEST_MODE", " off "),
            ("QUERY_GUARD_N_PLUS_ONE_THRESHOLD", "5"),
            ("QUERY_GUARD_DENY_N_PLUS_ONE", "ON"),
            ("QUERY_GUARD_SLOW_MS", "0.25"),
            ("QUERY_GUARD_DENY_SLOW", "1"),
            ("QUERY_GUARD_INCLUDE_TRANSACTIONS", "yes"),
            ("QUERY_GUARD_INCLUDE_INTERNAL", "TRUE"),
            ("QUERY_GUARD_SHOW_VALUES", "true"),
            ("QUERY_GUARD_BACKTRACE", "on"),
            ("QUERY_GUARD_MAX_STORED", "7"),
            ("QUERY_GUARD_REPORT_DIR", "/tmp/qg-reports"),
        ]))
        .unwrap();
    assert_eq!(config.mode, Some(Mode::Panic));
    assert_eq!(config.test_mode, Some(Mode::Off));
    assert_eq!(config.n_plus_one_threshold, Some(5));
    assert_eq!(config.deny_n_plus_one, Some(true));
    assert_eq!(config.slow, Some(Duration::from_micros(250)));
    assert_eq!(config.deny_slow, Some(true));
    assert_eq!(config.include_transactions, Some(true));
    assert_eq!(config.include_internal, Some(true));
    assert_eq!(config.show_values, Some(true));
    assert_eq!(config.backtrace, Some(true));
    assert_eq!(config.max_stored, Some(7));
    assert_eq!(
        config.report_dir.as_deref(),
        Some(Path::new("/tmp/qg-reports"))
    );
    assert_eq!(
        config.reports,
        Some(true),
        "QUERY_GUARD_REPORT_DIR turns reports on"
    );
    assert_eq!(config.source, file.source);

    // Unset and blank variables change nothing.
    let same = file
        .clone()
        .with_env(env(&[("QUERY_GUARD_MODE", " ")]))
        .unwrap();
    assert_eq!(same, file);

    // An explicit QUERY_GUARD_REPORTS wins over the one QUERY_GUARD_REPORT_DIR implies.
    let off = Config::default()
        .with_env(env(&[
            ("QUERY_GUARD_REPORT_DIR", "reports"),
            ("QUERY_GUARD_REPORTS", "no"),
        ]))
        .unwrap();
    assert_eq!(off.reports, Some(false));
    let dir = off.report_dir.unwrap();
    assert!(dir.is_absolute() && dir.ends_with("reports"), "{dir:?}");
    assert_eq!(
        Config::default()
            .with_env(env(&[("QUERY_GUARD_REPORTS", "0")]))
            .unwrap()
            .reports,
        Some(false)
    );
}

#[test]
fn invalid_environment_values_name_the_variable_the_value_and_what_was_expected() {
    let cases = [
        (
            "QUERY_GUARD_MODE",
            "loud",
            "expected `panic`, `warn` or `off`",
        ),
        (
            "QUERY_GUARD_TEST_MODE",
            "1",
            "expected `panic`, `warn` or `off`",
        ),
        (
            "QUERY_GUARD_N_PLUS_ONE_THRESHOLD",
            "1",
            "expected a whole number of at least 2",
        ),
        (
            "QUERY_GUARD_MAX_STORED",
            "-4",
            "expected a whole number of at least 1",
        ),
        (
            "QUERY_GUARD_SLOW_MS",
            "1s",
            "expected a number of milliseconds greater than 0, such as 250 or 0.5",
        ),
        (
            "QUERY_GUARD_SLOW_MS",
            "-1",
            "expected a number of milliseconds greater than 0, such as 250 or 0.5",
        ),
        (
            "QUERY_GUARD_SLOW_MS",
            "NaN",
            "expected a number of milliseconds greater than 0, such as 250 or 0.5",
        ),
        (
            "QUERY_GUARD_SLOW_MS",
            "inf",
            "expected a number of milliseconds greater than 0, such as 250 or 0.5",
        ),
        (
            "QUERY_GUARD_DENY_SLOW",
            "maybe",
            "expected one of 1, 0, true, false, yes, no, on, off",
        ),
        (
            "QUERY_GUARD_REPORTS",
            "2",
            "expected one of 1, 0, true, false, yes, no, on, off",
        ),
    ];
    for (name, value, expected) in cases {
        let err = Config::default()
            .with_env(env(&[(name, value)]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid value {value:?} for {name}: {expected}"),
        );
        assert!(
            matches!(&err, ConfigError::InvalidValue { name: n, value: v, .. } if n == name && v == value),
            "{err:?}"
        );
    }
}
