//! `query-guard explain`: plan files and standard input (real PostgreSQL 15 and SQLite plans from
//! `tests/fixtures/explain`), every output format, `--fail-on`, bad usage and bad input (exit 2),
//! and `--database-url` on the test PostgreSQL (skips with a SKIPPED line unless
//! `QUERY_GUARD_REQUIRE_DB=1`) and on a SQLite file, where a DELETE changes nothing.

#[path = "support/run.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::{run, stderr, stdout};

fn fixture(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/explain")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

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

fn pg_url() -> String {
    std::env::var("QUERY_GUARD_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn psql(sql: &str) -> Result<String, String> {
    let o = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-At",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &pg_url(),
            "-c",
            sql,
        ])
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).trim().to_owned())
    }
}

#[test]
fn database_url_postgres_runs_it_and_rolls_back() {
    if let Err(e) = psql("SELECT 1") {
        if matches!(
            std::env::var("QUERY_GUARD_REQUIRE_DB").as_deref(),
            Ok("1") | Ok("true")
        ) {
            panic!(
                "PostgreSQL at {} is required (QUERY_GUARD_REQUIRE_DB=1): {e}",
                pg_url()
            );
        }
        eprintln!(
            "SKIPPED: PostgreSQL at {} is unreachable ({e}); set QUERY_GUARD_REQUIRE_DB=1 to make this a failure",
            pg_url()
        );
        return;
    }
    psql(
        "DROP TABLE IF EXISTS qg_ex_cli_guard; CREATE TABLE qg_ex_cli_guard (id int PRIMARY KEY, v text); \
         INSERT INTO qg_ex_cli_guard SELECT g, 'v' || g FROM generate_series(1, 20000) g; ANALYZE qg_ex_cli_guard;",
    )
    .unwrap();
    let sum = "SELECT count(*) || ':' || md5(string_agg(v, ',' ORDER BY id)) FROM qg_ex_cli_guard";
    let before = psql(sum).unwrap();
    let o = run(
        &[
            "explain",
            "--database-url",
            &pg_url(),
            "--sql",
            "DELETE FROM qg_ex_cli_guard WHERE v LIKE 'v1%'",
        ],
        None,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains("Delete on qg_ex_cli_guard"), "{out}");
    assert!(out.contains("execution"), "{out}");
    assert_eq!(psql(sum).unwrap(), before, "the DELETE was not rolled back");
    // From a file, with a finding and --fail-on.
    let dir = std::env::temp_dir().join(format!("qg-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sql = dir.join("q.sql");
    std::fs::write(
        &sql,
        "UPDATE qg_ex_cli_guard SET v = 'x' WHERE v = 'v77';\n",
    )
    .unwrap();
    let o = run(
        &[
            "explain",
            "--database-url",
            &pg_url(),
            "--sql-file",
            sql.to_str().unwrap(),
            "--fail-on",
            "seq-scan-filter",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}\n{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("CREATE INDEX ON qg_ex_cli_guard (v)"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("v77"), "{}", stdout(&o));
    assert_eq!(psql(sum).unwrap(), before, "the UPDATE was not rolled back");
    // The database's own error, with exit code 2.
    let o = run(
        &[
            "explain",
            "--database-url",
            &pg_url(),
            "--sql",
            "SELECT * FROM qg_no_such_table",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn database_url_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("qg-explain-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("app.db");
    let url = format!("sqlite:{}", db.display());
    // A missing database file is an error, not a new empty database.
    let o = run(
        &["explain", "--database-url", &url, "--sql", "SELECT 1"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!db.exists());
    let created = Command::new("sqlite3")
        .arg(&db)
        .arg("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('a'), ('b');")
        .status();
    if !created.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: the sqlite3 shell is not installed");
        return;
    }
    let o = run(
        &[
            "explain",
            "--database-url",
            &url,
            "--sql",
            "DELETE FROM users WHERE email = 'a'",
            "--fail-on",
            "any",
        ],
        None,
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    assert!(out.contains("sqlite-full-scan"), "{out}");
    let left = Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT count(*) FROM users")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&left.stdout).trim(), "2");
    let _ = std::fs::remove_dir_all(dir);
}

/// Every key the JSON report has, at any depth, is documented in docs/explain-schema.md.
#[test]
fn the_json_schema_document_names_every_field() {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/explain-schema.md"),
    )
    .unwrap();
    fn keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.insert(k.clone());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let mut all = std::collections::BTreeSet::new();
    for f in [
        "pg15/verbose_settings_wal.json",
        "pg15/hash_batches.json",
        "pg15/jit_dominates.json",
        "pg15/cte_and_initplan.json",
        "pg15/write_delete.json",
        "sqlite/nested.rows.txt",
    ] {
        let o = run(&["explain", &fixture(f), "--format", "json"], None);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
        keys(&serde_json::from_str(&stdout(&o)).unwrap(), &mut all);
    }
    let missing: Vec<&String> = all
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(missing.is_empty(), "undocumented fields: {missing:?}");
}
