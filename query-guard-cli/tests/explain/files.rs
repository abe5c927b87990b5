//! `explain` on plan files and standard input: the tree, every format, `--fail-on`, and bad
//! usage or bad input exiting with 2.

use super::fixture;
use super::support::{run, stderr, stdout};

#[test]
fn a_json_plan_file_gives_the_tree_with_bars_and_the_finding() {
    let o = run(&["explain", &fixture("pg15/seq_scan_filter.json")], None);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("PostgreSQL, JSON (ANALYZE, BUFFERS)"), "{out}");
    assert!(
        out.contains("██████████  Seq Scan on qg_ex_orders"),
        "{out}"
    );
    assert!(out.contains("[HIGH] seq-scan-filter #1"), "{out}");
    assert!(
        out.contains("CREATE INDEX ON qg_ex_orders (customer_id, status)"),
        "{out}"
    );
    assert!(
        !out.contains("delivered"),
        "a literal value was printed:\n{out}"
    );
    assert!(out.lines().all(|l| l.chars().count() <= 200), "{out}");
}

#[test]
fn standard_input_and_every_format() {
    let plan = std::fs::read(fixture("pg15/sort_spill.json")).unwrap();
    let text = stdout(&run(&["explain", "-"], Some(&plan)));
    assert!(text.contains("sort-spill"), "{text}");
    let md = stdout(&run(&["explain", "-", "--format", "markdown"], Some(&plan)));
    assert!(md.starts_with("### query-guard explain"), "{md}");
    assert!(
        md.contains("| 1 | high | `sort-spill` |") || md.contains("| 1 | medium | `sort-spill` |"),
        "{md}"
    );
    let json = stdout(&run(&["explain", "-", "-f", "json"], Some(&plan)));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["findings"][0]["rule"], "sort-spill");
    assert_eq!(v["nodes"][0]["sort"]["space_type"], "Disk");
    assert!(v["nodes"][0]["metrics"]["exclusive_ms"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_sqlite_tree_from_a_file() {
    let o = run(
        &["explain", &fixture("sqlite/correlated_subquery.tree.txt")],
        None,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("SQLite, EXPLAIN QUERY PLAN tree"), "{out}");
    assert!(out.contains("sqlite-correlated-subquery"), "{out}");
}

#[test]
fn fail_on_severities_and_rules() {
    let file = fixture("pg15/seq_scan_filter.json");
    let o = run(&["explain", &file, "--fail-on", "high"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("--fail-on: seq-scan-filter (high) fired"),
        "{}",
        stderr(&o)
    );
    let o = run(&["explain", &file, "--fail-on", "sort-spill,jit"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        &["explain", &fixture("pg15/healthy.json"), "--fail-on", "any"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["explain", &file, "--fail-on", "seq-scan"], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--fail-on seq-scan: expected") && err.contains("seq-scan-filter"),
        "{err}"
    );
}

#[test]
fn bad_usage_and_bad_input_exit_with_2() {
    // (arguments after `explain`, standard input, what stderr must say)
    type Case<'a> = (Vec<String>, Option<&'a [u8]>, &'a str);
    let cases: Vec<Case> = vec![
        (vec![], None, "no plan given"),
        (
            vec!["/nonexistent/plan.json".into()],
            None,
            "cannot read /nonexistent/plan.json",
        ),
        (
            vec!["-".into()],
            Some(b"[{\"Plan\": {\"Node Type\": \"Seq"),
            "line 1, column",
        ),
        (
            vec!["-".into()],
            Some(b"not a plan at all\n"),
            "line 1: not a plan",
        ),
        (vec!["-".into()], Some(b""), "holds no plan"),
        (
            vec!["-".into()],
            Some(&[0xff, 0xfe, 0x00]),
            "not valid UTF-8",
        ),
        (
            vec![
                "-".into(),
                "--database-url".into(),
                "postgres://x@127.0.0.1:1/x".into(),
                "--sql".into(),
                "SELECT 1".into(),
            ],
            Some(b""),
            "not both",
        ),
        (
            vec![
                "--database-url".into(),
                "mysql://root@127.0.0.1/test".into(),
                "--sql".into(),
                "SELECT 1".into(),
            ],
            None,
            "expected postgres://",
        ),
        (
            vec!["--database-url".into(), "postgres://x@127.0.0.1:1/x".into()],
            None,
            "--sql",
        ),
        (
            vec!["-".into(), "--format".into(), "yaml".into()],
            Some(b""),
            "invalid value 'yaml'",
        ),
    ];
    for (args, stdin, expected) in cases {
        let mut all = vec!["explain"];
        all.extend(args.iter().map(String::as_str));
        let o = run(&all, stdin);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{all:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{all:?}: {}", stderr(&o));
    }
}
