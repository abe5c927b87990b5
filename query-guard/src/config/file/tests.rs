//! Tests of the file reader: every key, and the errors for what is not valid.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{AllowKind, Allowance, Config, ConfigError, Preset};
use crate::fingerprint::_support::line_column;
use crate::fingerprint::Dialect;
use crate::mode::Mode;
use crate::pattern::Pattern;

/// Every key the file accepts, as written in it.
pub(in crate::config) const KEYS: [&str; 18] = [
    "mode",
    "test_mode",
    "n_plus_one_threshold",
    "deny_n_plus_one",
    "slow_ms",
    "deny_slow",
    "include_transactions",
    "include_internal",
    "show_values",
    "dialect",
    "backtrace",
    "backtrace_skip",
    "max_stored",
    "reports",
    "report_dir",
    "presets",
    "ignore",
    "allow",
];

pub(in crate::config) fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml_str(text, Path::new("/app/query-guard.toml"))
}

fn parse_err(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn every_key_is_read() {
    let config = parse(
        r#"
            mode = "off"
            test_mode = "WARN"
            n_plus_one_threshold = 4
            deny_n_plus_one = true
            slow_ms = 12.5
            deny_slow = true
            include_transactions = true
            include_internal = true
            show_values = true
            dialect = "MariaDB"
            backtrace = true
            backtrace_skip = ["app_db", " sea_orm "]
            max_stored = 50
            reports = false
            report_dir = "/var/reports"
            ignore = ["SELECT 1", "/^SHOW/", "00000000000000aa"]

            [presets]
            list = 12
            admin = { max_reads = 3, max_writes = 0 }

            [presets.bulk]
            max = 100

            [[allow]]
            n_plus_one = "FROM tags"
            reason = " few tags "
            scope = "api::*"

            [[allow]]
            over_budget = "0123456789abcdef"
            reason = "audit"
            "#,
    )
    .unwrap();
    let expected = Config {
        mode: Some(Mode::Off),
        test_mode: Some(Mode::Warn),
        n_plus_one_threshold: Some(4),
        deny_n_plus_one: Some(true),
        slow: Some(Duration::from_micros(12_500)),
        deny_slow: Some(true),
        include_transactions: Some(true),
        include_internal: Some(true),
        show_values: Some(true),
        dialect: Some(Dialect::MySql),
        backtrace: Some(true),
        backtrace_skip: vec!["app_db".into(), "sea_orm".into()],
        max_stored: Some(50),
        reports: Some(false),
        report_dir: Some(PathBuf::from("/var/reports")),
        presets: BTreeMap::from([
            (
                "list".to_owned(),
                Preset {
                    max: Some(12),
                    ..Preset::default()
                },
            ),
            (
                "admin".to_owned(),
                Preset {
                    max: None,
                    max_reads: Some(3),
                    max_writes: Some(0),
                },
            ),
            (
                "bulk".to_owned(),
                Preset {
                    max: Some(100),
                    ..Preset::default()
                },
            ),
        ]),
        ignore: ["SELECT 1", "/^SHOW/", "00000000000000aa"]
            .map(|p| Pattern::parse(p).unwrap())
            .to_vec(),
        allow: vec![
            Allowance {
                kind: AllowKind::NPlusOne,
                pattern: Pattern::parse("FROM tags").unwrap(),
                reason: "few tags".to_owned(),
                scope: Some("api::*".to_owned()),
            },
            Allowance {
                kind: AllowKind::OverBudget,
                pattern: Pattern::parse("0123456789abcdef").unwrap(),
                reason: "audit".to_owned(),
                scope: None,
            },
        ],
        source: Some(PathBuf::from("/app/query-guard.toml")),
    };
    assert_eq!(config, expected);
}

#[test]
fn an_empty_file_sets_nothing() {
    let config = parse("# nothing yet\n").unwrap();
    assert_eq!(
        config,
        Config {
            source: Some(PathBuf::from("/app/query-guard.toml")),
            ..Config::default()
        }
    );
}

#[test]
fn unknown_keys_name_the_key_the_line_and_the_valid_keys() {
    let err = parse("mode = \"warn\"\n\nshow_value = true\n");
    let Err(ConfigError::Parse {
        line,
        column,
        message,
        file,
    }) = err
    else {
        panic!("{err:?}");
    };
    assert_eq!((line, column), (3, 1));
    assert_eq!(file, Path::new("/app/query-guard.toml"));
    assert!(message.contains("unknown field `show_value`"), "{message}");
    for key in KEYS {
        assert!(message.contains(&format!("`{key}`")), "{key}: {message}");
    }

    let err = parse_err("[[allow]]\nn_plus_one = \"x\"\nreason = \"y\"\nscop = \"a\"\n");
    assert!(err.contains("/app/query-guard.toml:4:1"), "{err}");
    assert!(err.contains("unknown field `scop`"), "{err}");
    assert!(err.contains("`scope`"), "{err}");

    let err = parse_err("[presets]\nlist = { max = 1, min = 0 }\n");
    assert!(
        err.contains(":2:8: unknown field `min` in `presets.list`"),
        "{err}"
    );
}

#[test]
fn wrong_types_say_what_was_expected() {
    let cases = [
        (
            "deny_slow = \"yes\"",
            "at /app/query-guard.toml:1:13: expected `true` or `false` for `deny_slow`, found the string \"yes\"",
        ),
        (
            "mode = \"loud\"",
            "expected `panic`, `warn` or `off` for `mode`, found the string \"loud\"",
        ),
        (
            "test_mode = 1",
            "expected `panic`, `warn` or `off` for `test_mode`, found the integer 1",
        ),
        (
            "max_stored = 0",
            "expected a whole number of at least 1 for `max_stored`, found the integer 0",
        ),
        (
            "max_stored = 1.5",
            "expected a whole number of at least 1 for `max_stored`, found the number 1.5",
        ),
        (
            "slow_ms = 0",
            "expected a number of milliseconds greater than 0",
        ),
        ("slow_ms = -3", "found the integer -3"),
        ("slow_ms = nan", "found the number NaN"),
        ("slow_ms = inf", "found the number inf"),
        ("slow_ms = \"1s\"", "found the string \"1s\""),
        (
            "report_dir = \"  \"",
            "expected a directory path (a non-empty string) for `report_dir`",
        ),
        (
            "ignore = \"SELECT 1\"",
            "expected an array of patterns for `ignore`, found the string \"SELECT 1\"",
        ),
        (
            "ignore = [1]",
            "expected a pattern: a fingerprint (16 hex characters), /regex/ or SQL text for `ignore`, found the integer 1",
        ),
        (
            "backtrace_skip = \"x\"",
            "expected an array of crate names for `backtrace_skip`",
        ),
        (
            "backtrace_skip = [\"\"]",
            "expected a crate name or prefix (a non-empty string) for `backtrace_skip`",
        ),
        (
            "presets = 3",
            "expected a table (`[presets]`) for `presets`, found the integer 3",
        ),
        ("presets = []", "found an array"),
        ("presets = 1979-05-27", "found a date-time"),
        (
            "presets = { list = \"ten\" }",
            "or a table (`list = { max = 10, max_reads = 8, max_writes = 2 }`) for `presets.list`, found the string \"ten\"",
        ),
        (
            "presets = { list = -1 }",
            "expected a whole number of at least 0 for `presets.list`, found the integer -1",
        ),
        (
            "presets = { list = { max_writes = true } }",
            "for `presets.list.max_writes`, found `true`",
        ),
        ("presets = { list = {} }", "preset `list` sets no limit"),
        (
            "allow = 1",
            "expected `[[allow]]` tables for `allow`, found the integer 1",
        ),
        ("mode = \"warn\"\nmode = \"off\"", ":2:1: duplicate key"),
        ("mode = ", ":1:8: string values must be quoted"),
    ];
    for (text, expected) in cases {
        let err = parse_err(text);
        assert!(
            err.contains(expected),
            "{text}\n  got: {err}\n  expected: {expected}"
        );
        assert!(
            err.starts_with("invalid query-guard configuration at /app/query-guard.toml:"),
            "{err}"
        );
    }
}

#[test]
fn errors_point_at_the_line_and_column_in_characters() {
    let err = parse("# é\nreports = true\n  ignore = [\n  \"a\",\n  \"/(/\",\n]\n").unwrap_err();
    let ConfigError::Parse {
        line,
        column,
        message,
        ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert_eq!((line, column), (5, 3));
    assert!(
        message.starts_with(
            "invalid pattern for `ignore`: invalid regular expression in pattern `/(/`"
        ),
        "{message}"
    );
    assert_eq!(line_column("é\néx", 5), (2, 2));
    assert_eq!(line_column("é\néx", 6), (2, 3));
    assert_eq!(line_column("é", 1), (1, 1));
    assert_eq!(line_column("ab", 99), (1, 3));
}

#[test]
fn the_n_plus_one_threshold_is_at_least_two() {
    for bad in ["0", "1", "-2"] {
        let err = parse_err(&format!("n_plus_one_threshold = {bad}"));
        assert!(
                err.contains(&format!(
                    ":1:24: expected a whole number of at least 2 for `n_plus_one_threshold`, found the integer {bad}"
                )),
                "{err}"
            );
    }
    assert_eq!(
        parse("n_plus_one_threshold = 2")
            .unwrap()
            .n_plus_one_threshold,
        Some(2)
    );
}

#[test]
fn an_allowance_needs_a_reason_and_exactly_one_pattern() {
    let err = parse_err("\n[[allow]]\nn_plus_one = \"FROM tags\"\n");
    assert!(
        err.contains(":2:1: the `[[allow]]` entry for `FROM tags` has no `reason`"),
        "{err}"
    );
    let err = parse_err("[[allow]]\nn_plus_one = \"FROM tags\"\nreason = \" \"\n");
    assert!(
        err.contains(
            ":3:10: expected why this is acceptable (a non-empty string) for `allow.reason`"
        ),
        "{err}"
    );
    let err = parse_err("[[allow]]\nn_plus_one = \"a\"\nover_budget = \"b\"\nreason = \"r\"\n");
    assert!(err.contains(":1:1: an `[[allow]]` entry takes exactly one of `n_plus_one = \"pattern\"` or `over_budget = \"pattern\"`, found both"), "{err}");
    let err = parse_err("[[allow]]\nreason = \"r\"\n");
    assert!(err.contains("found neither"), "{err}");
    let err = parse_err("allow = [{ over_budget = \"/[/\", reason = \"r\" }]");
    assert!(
        err.contains(":1:26: invalid pattern for `allow.over_budget`"),
        "{err}"
    );
    let err = parse_err("[[allow]]\nover_budget = \"x\"\nreason = \"r\"\nscope = 3\n");
    assert!(
        err.contains("for `allow.scope`, found the integer 3"),
        "{err}"
    );
}

#[test]
fn relative_report_dirs_are_resolved_against_the_file() {
    let at = |origin: &str, dir: &str| {
        Config::from_toml_str(&format!("report_dir = {dir:?}"), Path::new(origin))
            .unwrap()
            .report_dir
            .unwrap()
    };
    assert_eq!(
        at("/app/query-guard.toml", "target/qg"),
        Path::new("/app/target/qg")
    );
    assert_eq!(at("/app/query-guard.toml", "/abs/qg"), Path::new("/abs/qg"));
    assert_eq!(at("query-guard.toml", "qg"), Path::new("qg"));
    assert_eq!(
        at("conf/query-guard.toml", "../qg"),
        Path::new("conf/../qg")
    );
}

#[test]
fn hostile_input_is_an_error_not_a_panic() {
    let deep = format!("a = {}", "[".repeat(100_000));
    let many = "[[allow]]\n".repeat(10_000);
    for text in [
        deep.as_str(),
        many.as_str(),
        "\u{feff}",
        "=",
        "[presets]\n\"\" = {}",
        "\0",
    ] {
        let _ = parse(text);
    }
    assert_eq!(
        parse("\u{feff}mode = \"off\"").unwrap().mode,
        Some(Mode::Off)
    );
}
