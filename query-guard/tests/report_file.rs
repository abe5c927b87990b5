//! Report files read back: the library's own types deserialise exactly what they serialise, so
//! `query-guard report` reads report files through them instead of copies of the schema.

use std::time::Duration;

use query_guard::allow::Allowance;
use query_guard::{Budget, Report, StatementRecord, capture_with, record};

fn sample() -> Report {
    let budget = Budget::new()
        .max(2)
        .slow(Duration::from_millis(5))
        .allow(Allowance::over_budget("SELECT * FROM tags", "cached reads").unwrap())
        .allow(Allowance::n_plus_one("FROM labels", "legacy").unwrap());
    let ((), report) = capture_with("read back", budget, || {
        let _span = tracing::info_span!("load").entered();
        record(
            StatementRecord::new("SELECT * FROM posts")
                .rows_returned(3)
                .elapsed(Duration::from_millis(7)),
        );
        for id in 1..=4 {
            record(StatementRecord::new(format!(
                "SELECT * FROM tags WHERE post_id = {id}"
            )));
            record(
                StatementRecord::new(format!("SELECT * FROM authors WHERE id = {id}"))
                    .elapsed(Duration::from_micros(1500)),
            );
            record(StatementRecord::new("SELECT * FROM comments WHERE id = 1"));
        }
    });
    report
}

#[test]
fn a_report_reads_back_as_it_was_written() {
    let report = sample();
    assert!(!report.n_plus_one().is_empty() && !report.duplicates().is_empty());
    assert!(!report.slow().is_empty() && !report.allowances().is_empty());
    let written = serde_json::to_string_pretty(&report).unwrap();
    let read: Report = serde_json::from_str(&written).unwrap();
    assert_eq!(serde_json::to_string_pretty(&read).unwrap(), written);
    assert_eq!(read.scope(), "read back");
    assert_eq!(read.run_id(), report.run_id());
    assert_eq!(
        read.n_plus_one()[0].call_path.to_string(),
        report.n_plus_one()[0].call_path.to_string()
    );
    assert_eq!(read.to_string(), report.to_string());
}

#[test]
fn a_hand_made_report_needs_only_its_identity() {
    let read: Report = serde_json::from_str(
        r#"{"schema_version": 2, "run_id": "r", "finished_unix_ms": 1, "scope": "s",
            "duplicates": [{"fingerprint": "f", "normalized": "SELECT 1", "count": 2, "total_ms": 1.5}]}"#,
    )
    .unwrap();
    assert_eq!(
        (read.scope(), read.run_id(), read.finished_unix_ms()),
        ("s", "r", 1)
    );
    assert_eq!(read.duplicates()[0].total, Duration::from_micros(1500));
    assert!(read.duplicates()[0].call_paths.is_empty());
    assert_eq!(read.count(), 0);
    assert!(!read.failed());

    let missing = serde_json::from_str::<Report>(r#"{"schema_version": 2, "scope": "s"}"#);
    assert!(
        missing
            .unwrap_err()
            .to_string()
            .contains("missing field `run_id`")
    );
}

#[test]
fn impossible_times_are_refused_where_they_are() {
    for bad in ["-5", "1e308", "1e16"] {
        let text = format!(
            "{{\"schema_version\": 2, \"run_id\": \"r\", \"finished_unix_ms\": 1, \"scope\": \"s\",\n\"db_ms\": {bad}}}"
        );
        let err = serde_json::from_str::<Report>(&text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("milliseconds from 0 to 1e15"), "{bad}: {err}");
        assert!(
            err.contains(&format!("line 2 column {}", 10 + bad.len())),
            "{bad}: {err}"
        );
    }
}

#[test]
fn a_huge_slow_threshold_still_reads_back() {
    let ((), report) = capture_with("huge threshold", Budget::new().slow(Duration::MAX), || {
        record(StatementRecord::new("SELECT 1"));
    });
    let written = serde_json::to_vec(&report).unwrap();
    let read: Report = serde_json::from_slice(&written).unwrap();
    let slow = read.budget().slow_threshold().unwrap();
    assert_eq!(
        slow,
        Duration::from_secs_f64(query_guard::report::MAX_REPORT_MS / 1e3)
    );
    assert!(Report::from_json_without_statements(&written).is_ok());
}
