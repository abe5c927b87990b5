//! `query-guard report` on real report files: scopes run with the library, their reports written
//! as the library's report files are (`<scope>-<pid>-<n>.json`).
//!
//! The helpers that make the report files and run the command are in `support.rs`.

mod support;

use std::time::Duration;

use query_guard::allow::Allowance;
use query_guard::{Budget, Scope, StatementRecord, capture, capture_with, record};
use serde_json::Value;

use support::*;

#[test]
fn text_output_aggregates_the_suite() {
    let dir = TempDir::new("text");
    suite(dir.path());
    stale(dir.path(), 1_000);
    let o = run(&["report", dir.arg()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    check_width(&text);
    for want in [
        "query-guard report: 6 scope reports (1 failed) of run ",
        "1 older report from 1 earlier run left out (--all-runs includes them)",
        "Found: N+1: 2 (+2 allowed) · budget overruns: 1 · slow: 1 · duplicates: 1 · unused \
         allowances: 2",
        "N+1 queries (2)",
        "7 × SELECT * FROM authors WHERE id = $1",
        "in 2 scopes: feed (test text_output_aggregates_the_suite), list_posts",
        "from load_author (",
        "fix: load authors once for all the rows",
        "4 × a repeated sequence of 2 statements",
        "no time known, in 1 scope",
        "1) SELECT name FROM authors WHERE id = $1",
        "Allowed N+1 queries (2, never fail)",
        "allowed by `FROM tags`: tags are cached by the ORM, ticket #42",
        "allowed by `FROM users`: users are cached per request",
        "Budget overruns (1 scope)",
        "at most 2 queries, 6 ran",
        "Slow statements (1 shape)",
        "1/3",
        "250 ms",
        "(slow: at or over 100 ms)",
        "Duplicate reads (1 shape",
        "SELECT * FROM settings WHERE name = $1",
        "Worst scopes by counted statements (top 6)",
        "Worst scopes by database time",
        "Statement shapes by total time (top ",
        "Allowances that matched nothing (2)",
        "n_plus_one `FROM audit_log` in query-guard.toml, in none of 2 reports",
        "n_plus_one `FROM comments` on tags_cached",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    // The long sequence statement and scope name are cut to fit, not wrapped.
    assert!(text.contains('…'), "{text}");
    assert!(!text.contains("stale_scope"), "{text}");
    assert!(!text.contains("FROM users` in query-guard.toml"), "{text}");
    // The N+1 from two scopes is one finding.
    assert_eq!(
        text.matches("× SELECT * FROM authors WHERE id = $1")
            .count(),
        1
    );
}

#[test]
fn json_output_is_the_documented_aggregate() {
    let dir = TempDir::new("json");
    suite(dir.path());
    stale(dir.path(), 1_000);
    let o = run(&["report", dir.arg(), "--format", "json", "--top", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["report_schema_version"], 2);
    let sel = &v["selection"];
    assert_eq!(
        (
            &sel["files"],
            &sel["reports"],
            &sel["left_out"],
            &sel["left_out_runs"]
        ),
        (&7.into(), &6.into(), &1.into(), &1.into())
    );
    assert_eq!(sel["all_runs"], false);
    assert_eq!(sel["run_ids"].as_array().unwrap().len(), 1);
    assert_ne!(sel["latest_run_id"], "an-older-run");

    let s = &v["summary"];
    assert_eq!(s["reports"], 6);
    assert_eq!(s["scopes_failed"], 1);
    assert_eq!(s["n_plus_one"], 2);
    assert_eq!(s["n_plus_one_allowed"], 2);
    assert_eq!(s["budget_overruns"], 1);
    assert_eq!(s["slow"], 1);
    assert_eq!(s["duplicates"], 1);
    assert_eq!(s["unused_allowances"], 2);

    let n = v["n_plus_one"].as_array().unwrap();
    assert_eq!(n.len(), 4);
    let authors = &n[0];
    assert_eq!(authors["kind"], "repeated");
    assert_eq!(authors["runs"], 7);
    assert_eq!(authors["scopes"], 2);
    assert_eq!(authors["allowed"], false);
    assert_eq!(authors["timed"], true);
    assert_eq!(authors["tables"], serde_json::json!(["authors"]));
    assert!((authors["total_ms"].as_f64().unwrap() - 2.8).abs() < 1e-9);
    let scopes: Vec<&str> = authors["found_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["feed", "list_posts"], "in file name order");
    assert!(
        authors["call_path"]
            .as_str()
            .unwrap()
            .starts_with("load_author (")
    );
    assert!(authors["suggestion"].as_str().unwrap().contains("ANY($1)"));
    let sequence = n.iter().find(|f| f["kind"] == "sequence").unwrap();
    assert_eq!(sequence["runs"], 4);
    assert_eq!(sequence["timed"], false, "recorded without times");
    assert_eq!(sequence["steps"].as_array().unwrap().len(), 2);
    assert_eq!(sequence["tables"], serde_json::json!(["authors", "tags"]));
    let allowed: Vec<&Value> = n.iter().filter(|f| f["allowed"] == true).collect();
    assert_eq!(allowed.len(), 2);
    assert!(
        allowed
            .iter()
            .any(|f| f["allowed_by"][0]["pattern"] == "FROM tags")
    );

    let over = &v["budget_overruns"][0];
    assert_eq!(over["scope"], "list_posts");
    assert_eq!(over["counted"], 6);
    assert_eq!(
        over["violations"],
        serde_json::json!([{ "limit": "total", "max": 2, "actual": 6 }])
    );

    let slow = &v["slow"][0];
    assert_eq!((&slow["slow_runs"], &slow["runs"]), (&1.into(), &3.into()));
    assert_eq!(slow["max_ms"], 250.0);
    assert_eq!(slow["p95_ms"], 250.0);
    assert_eq!(slow["p99_ms"], 250.0);
    assert_eq!(slow["threshold_ms"], 100.0);
    assert_eq!(slow["found_in"][0]["scope"], "search");

    let dup = &v["duplicates"][0];
    assert_eq!(dup["runs"], 2);
    assert_eq!(dup["normalized"], "SELECT * FROM settings WHERE name = $1");

    let worst = &v["worst_scopes"];
    assert_eq!(worst["by_statements"].as_array().unwrap().len(), 3);
    assert_eq!(worst["by_statements"][0]["scope"], LONG_SCOPE);
    assert_eq!(worst["by_statements"][0]["counted"], 8);
    assert_eq!(worst["by_db_time"][0]["scope"], "search");
    assert_eq!(worst["by_db_time"][0]["db_ms"], 257.0);

    let shapes = &v["fingerprints"];
    assert_eq!(shapes["top"].as_array().unwrap().len(), 3);
    assert!(shapes["total"].as_u64().unwrap() >= 7);
    assert_eq!(shapes["top"][0]["runs"], 3);
    assert_eq!(shapes["top"][0]["total_ms"], 257.0);
    let authors_shape = shapes["top"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["normalized"] == "SELECT * FROM authors WHERE id = $1")
        .expect("the authors shape is in the top 3");
    assert_eq!(
        (&authors_shape["runs"], &authors_shape["scopes"]),
        (&7.into(), &2.into())
    );

    let unused = v["unused_allowances"].as_array().unwrap();
    assert_eq!(unused.len(), 2);
    assert_eq!(unused[0]["origin"], "config");
    assert_eq!(unused[0]["pattern"], "FROM audit_log");
    assert_eq!(unused[0]["reports"], 2);
    assert_eq!(unused[1]["origin"], "scope");
    assert_eq!(unused[1]["pattern"], "FROM comments");
    assert_eq!(unused[1]["found_in"][0]["scope"], "tags_cached");
    assert_eq!(
        v["fail_on"],
        serde_json::json!({ "rules": [], "failed": [] })
    );
}

#[test]
fn markdown_output_has_tables_with_escaped_sql() {
    let dir = TempDir::new("markdown");
    suite(dir.path());
    let o = run(&["report", dir.arg(), "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    for want in [
        "## query-guard report",
        "### N+1 queries (2)",
        "| Runs | Time | Scopes | Statement | From | Fix |",
        "| 7 | 2.80 ms | 2: feed",
        "`SELECT * FROM authors WHERE id = $1`",
        "repeated sequence of 2:<br>1. `SELECT name FROM authors WHERE id = $1`",
        "### Allowed N+1 queries (2)",
        "### Budget overruns (1)",
        "at most 2 queries, 6 ran",
        "### Slow statements (1)",
        "### Duplicate reads (1)",
        "### Worst scopes by counted statements",
        "### Statement shapes by total time",
        "### Allowances that matched nothing (2)",
    ] {
        assert!(md.contains(want), "missing {want:?} in\n{md}");
    }
    let slow_row = md
        .lines()
        .find(|l| l.contains("FROM posts WHERE body LIKE"))
        .expect("slow row");
    assert!(
        slow_row.contains("`SELECT title \\|\\| $1 \\|\\| body FROM posts WHERE body LIKE $2`"),
        "{slow_row}"
    );
    // Every table row has as many cells as its header.
    let mut columns = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            columns = None;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        match columns {
            None => columns = Some(cells),
            Some(n) => assert_eq!(cells, n, "{line}"),
        }
    }
}

#[test]
fn fail_on_exits_1_for_findings_and_2_for_unknown_rules() {
    let dir = TempDir::new("fail-on");
    suite(dir.path());
    let o = run(&["report", dir.arg()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "without --fail-on: {}",
        stderr(&o)
    );
    for (rule, said) in [
        ("n-plus-one", "2 N+1 queries"),
        ("budget", "1 budget overrun"),
        ("slow", "1 slow statement shape"),
        ("duplicates", "1 duplicate read"),
        ("unused-allowance", "2 unused allowances"),
        (
            "all",
            "2 N+1 queries, 1 budget overrun, 1 slow statement shape",
        ),
        ("budget,slow", "1 budget overrun, 1 slow statement shape"),
    ] {
        let o = run(&["report", dir.arg(), "--fail-on", rule]);
        assert_eq!(o.status.code(), Some(1), "--fail-on {rule}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(said),
            "--fail-on {rule}: {}",
            stderr(&o)
        );
        // The report is printed all the same.
        assert!(stdout(&o).contains("N+1 queries (2)"));
        assert!(stdout(&o).contains("--fail-on: failed on"));
    }
    let o = run(&["report", dir.arg(), "--fail-on", "n-plus-one", "-f", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        json(&o)["fail_on"],
        serde_json::json!({ "rules": ["n-plus-one"], "failed": ["n-plus-one"] })
    );
    for bad in ["bogus", "n-plus-one,nope", ""] {
        let o = run(&["report", dir.arg(), "--fail-on", bad]);
        assert_eq!(o.status.code(), Some(2), "--fail-on {bad:?}: {o:?}");
        let err = stderr(&o);
        assert!(
            err.contains("n-plus-one") && err.contains("unused-allowance"),
            "{err}"
        );
    }

    // Nothing found: --fail-on all passes.
    let clean = TempDir::new("clean");
    let ((), r) = capture("clean", || {
        record(StatementRecord::new("SELECT 1"));
    });
    write(clean.path(), &r);
    let o = run(&["report", clean.arg(), "--fail-on", "all"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("N+1 queries: none"));
    assert!(stdout(&o).contains("Budget overruns: none"));
}

#[test]
fn an_allowed_n_plus_one_does_not_fail() {
    let dir = TempDir::new("allowed");
    let budget = Budget::new().allow(Allowance::n_plus_one("FROM tags", "cached").unwrap());
    let ((), r) = capture_with("tags", budget, || {
        for _ in 0..4 {
            record(StatementRecord::new(
                "SELECT * FROM tags WHERE post_id = $1",
            ));
        }
    });
    write(dir.path(), &r);
    let o = run(&[
        "report",
        dir.arg(),
        "--fail-on",
        "n-plus-one,unused-allowance",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("N+1 queries: none"), "{text}");
    assert!(
        text.contains("Allowed N+1 queries (1, never fail)"),
        "{text}"
    );
    assert!(
        text.contains("4 × SELECT * FROM tags WHERE post_id = $1"),
        "{text}"
    );
}

#[test]
fn only_the_latest_run_unless_all_runs() {
    let dir = TempDir::new("runs");
    suite(dir.path());
    stale(dir.path(), 1_000);
    let all = run(&["report", dir.arg(), "--all-runs", "-f", "json"]);
    assert_eq!(all.status.code(), Some(0), "{}", stderr(&all));
    let v = json(&all);
    assert_eq!(v["selection"]["reports"], 7);
    assert_eq!(v["selection"]["left_out"], 0);
    assert_eq!(v["selection"]["all_runs"], true);
    assert_eq!(v["selection"]["run_ids"][1], "an-older-run");
    assert_eq!(v["summary"]["n_plus_one"], 3, "the stale N+1 is back");
    let text = stdout(&run(&["report", dir.arg(), "--all-runs"]));
    assert!(
        text.contains("7 scope reports (1 failed) of 2 runs"),
        "{text}"
    );
    assert!(text.contains("5 × SELECT * FROM old_table"), "{text}");
    assert!(!text.contains("left out"), "{text}");

    // The latest run is the one whose report finished last, whatever the files' names.
    let newer = TempDir::new("newer");
    suite(newer.path());
    stale(newer.path(), u64::MAX / 2);
    let v = json(&run(&["report", newer.arg(), "-f", "json"]));
    assert_eq!(v["selection"]["latest_run_id"], "an-older-run");
    assert_eq!(v["selection"]["reports"], 1);
    assert_eq!(v["selection"]["left_out"], 6);
    assert_eq!(v["n_plus_one"][0]["found_in"][0]["scope"], "stale_scope");
}

#[test]
fn a_broken_file_is_named_with_its_line() {
    let dir = TempDir::new("broken");
    let ((), r) = capture("fine", || {
        record(StatementRecord::new("SELECT 1"));
    });
    write(dir.path(), &r);
    std::fs::write(
        dir.path().join("broken.json"),
        "{\n  \"schema_version\": 2,\n  \"scope\": oops\n}\n",
    )
    .unwrap();
    let o = run(&["report", dir.arg()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = stderr(&o);
    assert!(
        err.contains("broken.json: invalid JSON at line 3, column"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    // Valid JSON that is not a report.
    std::fs::write(dir.path().join("broken.json"), "[1, 2]").unwrap();
    let err = stderr(&run(&["report", dir.arg()]));
    assert!(
        err.contains("broken.json: not a query-guard report"),
        "{err}"
    );

    // A report with a field of the wrong type: named with its line too.
    let mut v = r.to_json();
    v["scope"] = Value::from(7);
    write_value(dir.path(), "broken", &v);
    std::fs::remove_file(dir.path().join("broken.json")).unwrap();
    let err = stderr(&run(&["report", dir.arg()]));
    assert!(err.contains("not a valid query-guard report"), "{err}");
    assert!(err.contains("line "), "{err}");
}

#[test]
fn another_schema_version_is_refused() {
    let dir = TempDir::new("version");
    let ((), r) = capture("future", || {
        record(StatementRecord::new("SELECT 1"));
    });
    let mut v = r.to_json();
    v["schema_version"] = Value::from(3);
    let path = write_value(dir.path(), "future", &v);
    let o = run(&["report", dir.arg()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = stderr(&o);
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name), "{err}");
    assert!(
        err.contains("report schema version 3, but this query-guard reads version 2"),
        "{err}"
    );
}

#[test]
fn an_empty_or_missing_directory_says_how_to_make_reports() {
    let dir = TempDir::new("empty");
    // Files that are not reports are ignored: a temporary file being written, other files.
    std::fs::write(dir.path().join(".feed-1-0.json.tmp"), "{").unwrap();
    std::fs::write(dir.path().join(".hidden.json"), "{").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    std::fs::create_dir(dir.path().join("sub.json")).unwrap();
    let o = run(&["report", dir.arg()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = stderr(&o);
    assert!(err.contains("has no report files (*.json)"), "{err}");
    assert!(err.contains("QUERY_GUARD_REPORTS=1 cargo test"), "{err}");

    let missing = dir.path().join("nowhere");
    let o = run(&["report", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = stderr(&o);
    assert!(err.contains("nowhere does not exist"), "{err}");
    assert!(err.contains("QUERY_GUARD_REPORTS=1 cargo test"), "{err}");
}

#[test]
fn the_default_directory_is_the_workspace_target() {
    let ws = TempDir::new("workspace");
    std::fs::write(ws.path().join("Cargo.lock"), "").unwrap();
    let reports = ws.path().join("target").join("query-guard");
    std::fs::create_dir_all(&reports).unwrap();
    std::fs::create_dir_all(ws.path().join("crates").join("app")).unwrap();
    let ((), r) = capture("from_the_workspace", || {
        record(StatementRecord::new("SELECT 1"));
    });
    write(&reports, &r);
    for cwd in [ws.path().to_owned(), ws.path().join("crates").join("app")] {
        let o = run_in(Some(&cwd), &["report"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("1 scope report (0 failed) of run"),
            "{}",
            stdout(&o)
        );
    }
}

/// Every key name of `value`, recursively.
fn keys(value: &Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

fn every_section(value: &Value) {
    for section in [
        "violations",
        "n_plus_one",
        "duplicates",
        "slow",
        "allowances",
        "fingerprints",
        "statements",
        "unstored",
    ] {
        assert!(
            !value[section].as_array().unwrap().is_empty(),
            "{section} is empty"
        );
    }
}

#[test]
fn the_schema_doc_names_every_key() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/report-schema.md"
    ))
    .expect("docs/report-schema.md");

    // One report with every section filled.
    query_guard::install().unwrap();
    let budget = Budget::new()
        .max(1)
        .slow(Duration::from_millis(100))
        .allow(Allowance::n_plus_one("FROM tags", "tags are cached").unwrap())
        // A sequence is allowed only when each of its steps is.
        .allow(Allowance::n_plus_one("FROM authors", "authors are preloaded").unwrap())
        .allow(config_allowance("FROM audit_log", "batched"));
    let scope = Scope::builder("everything")
        .budget(budget)
        .location("tests/report.rs:1")
        .show_values(true)
        .max_stored(12)
        .in_test(true)
        .open()
        .unwrap();
    scope.in_scope(|| {
        for id in 1..=3 {
            record(StatementRecord::new(format!(
                "SELECT name FROM authors WHERE id = {id}"
            )));
            record(StatementRecord::new(format!(
                "SELECT * FROM tags WHERE post_id = {id}"
            )));
        }
        record(StatementRecord::new(
            "SELECT * FROM settings WHERE key = 'a'",
        ));
        record(StatementRecord::new(
            "SELECT * FROM settings WHERE key = 'a'",
        ));
        record(
            StatementRecord::new("SELECT * FROM posts WHERE body LIKE $1")
                .elapsed(Duration::from_millis(150))
                .rows_returned(2)
                .db_system("postgresql"),
        );
        for _ in 0..10 {
            record(
                StatementRecord::new("INSERT INTO events (kind) VALUES ($1)")
                    .elapsed(Duration::from_micros(50))
                    .rows_affected(1),
            );
        }
    });
    let report = scope.finish();
    let value = report.to_json();
    every_section(&value);
    assert!(
        value["n_plus_one"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| { !f["steps"].as_array().unwrap().is_empty() && f["allowed"].is_object() })
    );
    let mut names = std::collections::BTreeSet::new();
    keys(&value, &mut names);

    // And the aggregate of a suite.
    let dir = TempDir::new("doc");
    suite(dir.path());
    write(dir.path(), &report);
    let o = run(&["report", dir.arg(), "-f", "json", "--fail-on", "all"]);
    keys(&json(&o), &mut names);
    // Keys of a call site (present when backtrace capture finds one).
    names.extend(["function", "file", "line"].map(String::from));

    let missing: Vec<&String> = names
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/report-schema.md does not document {missing:?}"
    );
    assert!(doc.contains(&format!(
        "schema version {}",
        query_guard::report::REPORT_SCHEMA_VERSION
    )));
}

#[test]
fn a_broken_file_of_an_older_run_is_skipped_not_fatal() {
    let dir = TempDir::new("old-broken");
    let old = dir.path().join("old-1-0.json");
    std::fs::write(&old, "{ \"schema_version\": 1, truncated").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let ((), r) = capture("fresh", || {
        record(StatementRecord::new("SELECT 1"));
    });
    write(dir.path(), &r);
    let o = run(&["report", dir.arg()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipping"), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1 scope report (0 failed)"),
        "{}",
        stdout(&o)
    );
    // Written during the run it would belong to: an error naming the file.
    std::fs::write(&old, "{ \"schema_version\": 1, truncated").unwrap();
    let o = run(&["report", dir.arg()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("old-1-0.json"), "{}", stderr(&o));
}
