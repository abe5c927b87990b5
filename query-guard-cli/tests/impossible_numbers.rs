//! Numbers no database or library can print (issue 11, item 8), through the built binary:
//! `analyze`, `explain` and `report` refuse them with exit code 2 and one line naming the file,
//! the line and the column (for `analyze`, the column's name) and what was expected; and what
//! they accept never prints `inf`, `NaN` or a negative figure.

#[path = "support/run.rs"]
mod support_run;
use support_run::*;

use std::path::PathBuf;

/// A fresh scratch directory for this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "query-guard-impossible-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `query-guard ARGS` on `file` (written into `dir` with `content`): exit code 2 and one
/// line of error, returned without the `query-guard: ` prefix and the directory.
fn refused(dir: &std::path::Path, command: &[&str], file: &str, content: &str) -> String {
    let path = dir.join(file);
    std::fs::write(&path, content).unwrap();
    let mut args = command.to_vec();
    let shown = path.to_string_lossy().into_owned();
    args.push(&shown);
    let o = run(&args, None);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{file}: {}{err}", stdout(&o));
    assert_eq!(err.lines().count(), 1, "{file}: one line: {err}");
    err.trim()
        .strip_prefix("query-guard: ")
        .expect("prefix")
        .replace(&format!("{}/", dir.display()), "")
}

const COUNT: &str = "expected a whole number from 0 to 9223372036854775807";
const TIME: &str = "expected a time from 0 to 1e15 ms (about 31,700 years)";

#[test]
fn analyze_refuses_impossible_numbers() {
    let dir = scratch("analyze");
    let header = "query,calls,total_exec_time,mean_exec_time,rows";
    let cases: &[(&str, String, String)] = &[
        (
            "inf.csv",
            format!("{header}\nSELECT 1,2,inf,1,1\n"),
            format!("inf.csv line 2, column `total_exec_time`: {TIME}, found \"inf\""),
        ),
        (
            "huge.csv",
            format!("{header}\nSELECT 1,2,1,1,1\nSELECT 2,2,1e309,1,1\n"),
            format!("huge.csv line 3, column `total_exec_time`: {TIME}, found \"1e309\""),
        ),
        (
            "negative.csv",
            format!("{header}\nSELECT 1,2,1,-0.5,1\n"),
            format!("negative.csv line 2, column `mean_exec_time`: {TIME}, found \"-0.5\""),
        ),
        (
            "calls.csv",
            format!("{header}\nSELECT 1,18446744073709551616,1,1,1\n"),
            format!(
                "calls.csv line 2, column `calls`: {COUNT}, found \"18446744073709551616\""
            ),
        ),
        (
            "bigint.csv",
            format!("{header}\nSELECT 1,9223372036854775808,1,1,1\n"),
            format!("bigint.csv line 2, column `calls`: {COUNT}, found \"9223372036854775808\""),
        ),
        (
            "rows.json",
            "[{\"query\": \"a\", \"calls\": 1, \"total_exec_time\": 1, \"rows\": 1},\n {\"query\": \"b\", \"calls\": 1, \"total_exec_time\": 1, \"rows\": -1}]\n".to_owned(),
            format!("rows.json line 2, column `rows`: {COUNT}, found \"-1\""),
        ),
        (
            "time.jsonl",
            "{\"query\": \"a\", \"calls\": 1, \"total_exec_time\": 1e308}\n".to_owned(),
            // serde_json gives the number back as `1e+308`.
            format!("time.jsonl line 1, column `total_exec_time`: {TIME}, found \"1e+308\""),
        ),
        (
            "aligned.txt",
            " query | calls | total_exec_time \n-------+-------+-----------------\n q     |     1 |        Infinity\n(1 row)\n".to_owned(),
            format!("aligned.txt line 3, column `total_exec_time`: {TIME}, found \"Infinity\""),
        ),
        (
            "expanded.txt",
            "-[ RECORD 1 ]---+--\nquery           | q\ncalls           | -3\ntotal_exec_time | 1\n"
                .to_owned(),
            format!("expanded.txt line 1, column `calls`: {COUNT}, found \"-3\""),
        ),
    ];
    for (file, content, expected) in cases {
        let err = refused(&dir, &["analyze"], file, content);
        assert_eq!(&err, expected, "{file}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// What is accepted prints no `inf`, `NaN` or negative figure: the largest counts and times, a
/// mean before of 0 (an infinite regression factor), a counter that went down between
/// snapshots.
#[test]
fn analyze_prints_only_possible_figures() {
    let dir = scratch("analyze-ok");
    let header = "queryid,query,calls,total_exec_time,max_exec_time,rows,shared_blks_hit";
    let before = dir.join("before.csv");
    let after = dir.join("after.csv");
    std::fs::write(
        &before,
        format!("{header}\n1,SELECT a FROM t1,10,0,0,50,9223372036854775807\n2,SELECT b FROM t2,1,1e15,1e15,0,0\n"),
    )
    .unwrap();
    std::fs::write(
        &after,
        format!("{header}\n1,SELECT a FROM t1,20,500,100,40,9223372036854775807\n2,SELECT b FROM t2,9223372036854775807,1e15,1e15,0,0\n"),
    )
    .unwrap();
    for format in ["text", "markdown", "json"] {
        let o = run(
            &[
                "analyze",
                "--format",
                format,
                before.to_str().unwrap(),
                after.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        for bad in ["NaN", "inf"] {
            assert!(!out.contains(bad), "{format}: {bad} in\n{out}");
        }
        // No negative number anywhere (a `-` before a digit, after a space, `(`, `|` or `:`).
        let b = out.as_bytes();
        for i in 1..b.len().saturating_sub(1) {
            let negative = b[i] == b'-'
                && b[i + 1].is_ascii_digit()
                && matches!(b[i - 1], b' ' | b'(' | b'|' | b':');
            assert!(!negative, "{format}: a negative number in\n{out}");
        }
        if format == "json" {
            let r: serde_json::Value = serde_json::from_str(&out).unwrap();
            let regressed = &r["diff"]["regressed"][0];
            assert_eq!(regressed["before_mean_ms"], 0);
            assert!(regressed["factor"].is_null(), "{r:#}");
            // Rows went down in the window (40 after 50): none, not -10.
            let s = r["statements"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["query"] == "SELECT a FROM t1")
                .unwrap();
            assert_eq!(s["rows"], 0, "{s:#}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_refuses_impossible_numbers() {
    let dir = scratch("explain");
    let json = "[{\"Plan\": {\"Node Type\": \"Seq Scan\", \"Relation Name\": \"t\",\n  \"Actual Rows\": 1, \"Actual Loops\": 1, \"Actual Total Time\": 0.5},\n  \"Execution Time\": 0.6}]\n";
    let text = "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.020 rows=1 loops=1)\nExecution Time: 0.100 ms\n";
    // (file, content, the impossible number, expected after `file: line L, column C: `)
    let cases: &[(&str, String, &str, &str)] = &[
        (
            "loops.json",
            json.replacen("\"Actual Loops\": 1", "\"Actual Loops\": -1", 1),
            "-1",
            "a whole number from 0 to 18446744073709551615 for \"Actual Loops\"",
        ),
        (
            "time.json",
            json.replacen("0.5}", "1e308}", 1),
            "1e308",
            "a time from 0 to 1e12 ms (about 31.7 years) for \"Actual Total Time\"",
        ),
        (
            "negative.json",
            json.replacen("0.6}", "-0.6}", 1),
            "-0.6",
            "a time from 0 to 1e12 ms (about 31.7 years) for \"Execution Time\"",
        ),
        (
            "loops.txt",
            text.replacen("loops=1", "loops=-1", 1),
            "-1",
            "a whole number from 0 to 18446744073709551615 (the loops)",
        ),
        (
            "time.txt",
            text.replacen("time=0.010", "time=-0.010", 1),
            "-0.010",
            "a time from 0 to 1e12 ms (about 31.7 years) (the startup time)",
        ),
        (
            "execution.txt",
            text.replacen("0.100 ms", "-0.100 ms", 1),
            "-0.100",
            "a time from 0 to 1e12 ms (about 31.7 years) (the execution time)",
        ),
        (
            "drawing.txt",
            "QUERY PLAN\n|--|--\n`--`--\n".to_owned(),
            "|--\n",
            "expected the node's detail (words such as `SCAN t`",
        ),
    ];
    for (file, content, bad, expected) in cases {
        let at = content.find(bad).expect("the bad number is in the plan");
        let line = content[..at].matches('\n').count() + 1;
        let column = content[..at].rsplit('\n').next().unwrap().chars().count() + 1;
        let expected = format!("{file}: line {line}, column {column}: {expected}");
        let err = refused(&dir, &["explain"], file, content);
        assert!(
            err.starts_with(&expected),
            "{file}:\n  got      {err}\n  expected {expected}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_refuses_impossible_times() {
    let dir = scratch("report");
    let head = r#"{"schema_version": 2, "run_id": "r", "finished_unix_ms": 1, "scope": "s","#;
    // serde_json places the error just after the value.
    for (field, bad) in [
        ("\n\"db_ms\": -5}", "-5"),
        ("\n\"db_ms\": 1e308}", "1e308"),
        (
            "\n\"duplicates\": [{\"fingerprint\": \"f\", \"normalized\": \"\", \"count\": 2, \"total_ms\": -1}]}",
            "-1",
        ),
    ] {
        let last = field.rsplit('\n').next().unwrap();
        let position = format!("line 2, column {}", last.find(bad).unwrap() + bad.len() + 1);
        std::fs::write(dir.join("scope.json"), format!("{head}{field}")).unwrap();
        let o = run(&["report", dir.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        let want = format!("scope.json: {position}: not a valid query-guard report");
        assert!(err.contains(&want), "{field}: {err}");
        assert!(
            err.contains("expected milliseconds from 0 to 1e15"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
