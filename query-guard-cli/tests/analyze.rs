//! `query-guard analyze`, end to end through the built binary.
//!
//! - Fixtures with the exact column sets of PostgreSQL 12, 13, 17 and 18 (`fixtures/analyze/`).
//! - Malformed inputs: every error names the input, the line and (for a bad value) the column.
//! - Against the test PostgreSQL (skips with a SKIPPED line unless `QUERY_GUARD_REQUIRE_DB=1`):
//!   a workload with an N+1 loop, a slow unindexed filter and a spilling sort, dumped from
//!   pg_stat_statements by `psql` in every supported format (CSV, JSON array, JSON lines, aligned,
//!   expanded): every format must give the same report with the expected findings. Then a diff
//!   between two snapshots taken around a second workload, and `--database-url`.
//!
//! The workload's tables are `qg_wl_*` and every dump is filtered on that name, so the test
//! never resets pg_stat_statements (other suites use the same server at the same time).

#[path = "support/large_dump.rs"]
mod large_dump;
#[path = "support/run.rs"]
mod support_run;
use support_run::*;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/analyze")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn json_report(args: &[&str]) -> Value {
    let mut all = vec!["analyze", "--format", "json"];
    all.extend_from_slice(args);
    let o = run(&all, None);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON report")
}

/// The statement object with this normalised text.
fn by_query<'a>(report: &'a Value, query: &str) -> &'a Value {
    report["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["query"] == query)
        .unwrap_or_else(|| panic!("no statement {query:?} in {report:#}"))
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("id").to_owned())
        .collect()
}

fn fits_100_columns(text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "line wider than 100 columns:\n{line}"
        );
    }
}

const AUTHOR_LOOKUP: &str = "SELECT id, name FROM authors WHERE id = $1";

#[test]
fn fixtures_of_every_postgres_version() {
    for (file, versions) in [
        ("pg12.csv", "12 or older"),
        ("pg13.csv", "13"),
        ("pg17.csv", "17"),
        ("pg18.csv", "18+"),
    ] {
        let r = json_report(&[&fixture(file)]);
        assert_eq!(r["schema_version"], 1);
        assert_eq!(r["inputs"][0]["format"], "csv", "{file}");
        assert_eq!(r["inputs"][0]["postgres_columns"], versions, "{file}");
        assert_eq!(r["inputs"][0]["rows"], 7, "{file}");
        // Two IN-list lengths, two queryids, one statement with pooled statistics.
        assert_eq!(r["overview"]["statements"], 6, "{file}");
        let merged = by_query(&r, "SELECT * FROM orders WHERE id IN ($1)");
        assert_eq!(
            merged["queryids"],
            serde_json::json!(["881523001", "881523002"])
        );
        assert_eq!(merged["calls"], 40);
        assert_eq!(merged["total_ms"], 14);
        assert_eq!(merged["min_ms"], 0.2);
        assert_eq!(merged["max_ms"], 0.8);
        assert_eq!(
            ids(&r["sections"]["merged"]),
            [merged["id"].as_str().unwrap()]
        );
        // The N+1: 5,000 one-row key lookups; the median statement ran 30 times.
        let n1 = &r["sections"]["n_plus_one"];
        assert_eq!(n1.as_array().unwrap().len(), 1, "{file}: {n1}");
        assert_eq!(n1[0]["id"], by_query(&r, AUTHOR_LOOKUP)["id"]);
        assert_eq!(n1[0]["keys"], serde_json::json!(["id"]));
        // The report query is first by total and by mean, and it spilled.
        let report_q = "SELECT customer_id, sum(total) FROM orders WHERE created_at > $1 GROUP BY customer_id ORDER BY $2 DESC";
        let rq = by_query(&r, report_q);
        assert_eq!(r["sections"]["top"][0], rq["id"]);
        assert_eq!(r["sections"]["by_mean"][0], rq["id"]);
        assert_eq!(ids(&r["sections"]["spills"]), [rq["id"].as_str().unwrap()]);
        assert_eq!(rq["temp_blks_written"], 4000);
        let total: f64 = 40.0 + 250.0 + 14.0 + 6000.0 + 20.0 + 3.0;
        assert!((rq["share"].as_f64().unwrap() - 6000.0 / total).abs() < 1e-9);
        // The hit ratio of the report query: 2,000 hits, 80,000 reads.
        assert!((rq["cache_hit_ratio"].as_f64().unwrap() - 2000.0 / 82000.0).abs() < 1e-12);
        // The sqlcommenter tag and its comma / quotes did not split the CSV field.
        by_query(&r, "UPDATE accounts SET note = $1 WHERE id = $2");
        // Planning: PG12 has no planning columns.
        let planning = r["sections"]["planning"].as_array().unwrap().len();
        if file == "pg12.csv" {
            assert_eq!(planning, 0);
            assert!(rq["plans"] == 0);
        } else {
            assert!(planning >= 5, "{file}");
        }
        let codes: Vec<&str> = r["health"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["code"].as_str().unwrap())
            .collect();
        if file.starts_with("pg17") || file.starts_with("pg18") {
            assert!(codes.contains(&"stats-since"), "{file}: {codes:?}");
        } else {
            assert!(!codes.contains(&"stats-since"), "{file}: {codes:?}");
        }
        // The text report fits 100 columns and shows normalised texts.
        let o = run(&["analyze", &fixture(file)], None);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = stdout(&o);
        fits_100_columns(&text);
        assert!(text.contains("N+1 suspects"), "{text}");
        assert!(
            text.contains("SELECT id, name FROM authors WHERE id = $1"),
            "{text}"
        );
        assert!(
            text.contains("SELECT * FROM orders WHERE id IN ($1)"),
            "{text}"
        );
    }
}

#[test]
fn markdown_and_options() {
    let o = run(
        &[
            "analyze",
            "--format",
            "markdown",
            "--top",
            "2",
            &fixture("pg18.csv"),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(md.starts_with("## query-guard analyze\n"), "{md}");
    assert!(md.contains("### Top statements by total time"), "{md}");
    assert!(
        md.contains("| # | total | share | cum | calls | mean | rows/call | hit | query |"),
        "{md}"
    );
    assert!(
        md.contains("` SELECT id, name FROM authors WHERE id = $1 `"),
        "{md}"
    );
    // --sort and --top shape the main table; --min-calls drops rare statements from rankings.
    let r = json_report(&["--sort", "calls", "--top", "3", &fixture("pg18.csv")]);
    let top = ids(&r["sections"]["top"]);
    assert_eq!(top.len(), 3);
    assert_eq!(top[0], by_query(&r, AUTHOR_LOOKUP)["id"].as_str().unwrap());
    let r = json_report(&["--min-calls", "20", &fixture("pg18.csv")]);
    let calls: Vec<i64> = ids(&r["sections"]["by_calls"])
        .iter()
        .map(|id| {
            r["statements"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == id.as_str())
                .unwrap()["calls"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(calls, [5000, 50, 40, 40], "{r:#}");
    // Totals still count everything.
    assert_eq!(r["overview"]["calls"], 5000 + 50 + 40 + 12 + 40 + 1);
}

#[test]
fn fail_on_rules_gate_ci() {
    let f = fixture("pg13.csv");
    let o = run(&["analyze", "--fail-on", "n-plus-one", &f], None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--fail-on: n-plus-one (1 statements) fired"),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("FAIL n-plus-one: 1 statement(s)"),
        "{}",
        stdout(&o)
    );
    let o = run(&["analyze", "--fail-on", "mean>1s,spill", &f], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("spill (1 statements)"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &[
            "analyze",
            "--fail-on",
            "mean>1min",
            "--fail-on",
            "hit<1%",
            &f,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("ok   mean>1min"), "{}", stdout(&o));
    let o = run(&["analyze", "--fail-on", "share>=50%", &f], None);
    assert_eq!(o.status.code(), Some(1));
    // Only statements with enough calls are judged.
    let o = run(
        &["analyze", "--fail-on", "spill", "--min-calls", "13", &f],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        &["analyze", "--format", "json", "--fail-on", "mean>100ms", &f],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["fail_on"]["fired"], true);
    assert_eq!(r["fail_on"]["rules"][0]["rule"], "mean>100ms");
}

#[test]
fn diff_of_two_fixture_snapshots() {
    let r = json_report(&[&fixture("before.csv"), &fixture("after.csv")]);
    assert_eq!(r["mode"], "diff");
    let d = &r["diff"];
    // queryid 1: 100 → 300 calls; 2: went backwards (reset); 3: +2 calls; 4: gone; 5: new;
    // 6: unchanged.
    let window = by_query(&r, "SELECT * FROM items WHERE id = $1");
    assert_eq!(window["calls"], 200);
    assert_eq!(window["total_ms"], 600);
    assert_eq!(window["rows"], 200);
    assert_eq!(d["common_rows"], 4);
    assert_eq!(d["reset_rows"], 1);
    assert_eq!(d["global_reset"], false);
    assert_eq!(
        ids(&d["regressed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].clone())
            .collect()),
        [window["id"].as_str().unwrap()]
    );
    assert_eq!(d["regressed"][0]["before_mean_ms"], 1);
    assert_eq!(d["regressed"][0]["window_mean_ms"], 3);
    let new = by_query(&r, "INSERT INTO audit(at) VALUES ($1)");
    assert_eq!(ids(&d["new"]), [new["id"].as_str().unwrap()]);
    let reset = by_query(&r, "SELECT * FROM carts WHERE user_id = $1");
    assert_eq!(ids(&d["reset"]), [reset["id"].as_str().unwrap()]);
    assert_eq!(
        d["evicted"][0]["query"],
        "DELETE FROM sessions WHERE expires_at < $1"
    );
    // The unchanged statement did not run in the window.
    assert!(
        r["statements"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["query"] != "SELECT count(*) FROM users")
    );
    let o = run(
        &[
            "analyze",
            &fixture("before.csv"),
            &fixture("after.csv"),
            "--fail-on",
            "regressed",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    fits_100_columns(&text);
    assert!(text.contains("Regressed"), "{text}");
    assert!(text.contains("Gone from AFTER"), "{text}");
    // A reset of everything is said.
    let o = run(
        &["analyze", &fixture("after.csv"), &fixture("before.csv")],
        None,
    );
    assert!(
        stdout(&o).contains("counters were reset between the snapshots"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn malformed_inputs_are_named_precisely() {
    let dir = scratch("malformed");
    let cases: &[(&str, &str, &str)] = &[
        (
            "bad_number.csv",
            "query,calls,total_exec_time\n\"SELECT 1\",1,2\n\"SELECT 2\",many,2\n",
            "bad_number.csv line 3, column `calls`: expected a whole number from 0 to 9223372036854775807, found \"many\"",
        ),
        (
            "ragged.csv",
            "query,calls,total_exec_time\nSELECT 1,1\n",
            "ragged.csv line 2: 2 fields, but the header has 3",
        ),
        (
            "unclosed.csv",
            "query,calls,total_exec_time\n\"SELECT 1,1,1\n",
            "unclosed.csv line 2: a quoted field is never closed",
        ),
        (
            "no_calls.csv",
            "query,total_time\nSELECT 1,1\n",
            "no_calls.csv line 1: no calls column (the columns are: query, total_time)",
        ),
        (
            "bad_time.csv",
            "query,calls,total_time,mean_time\nq,1,1,fast\n",
            "bad_time.csv line 2, column `mean_time`: expected a time from 0 to 1e15 ms (about 31,700 years), found \"fast\"",
        ),
        (
            "bad.json",
            "[{\"query\": \"a\", \"calls\": 1, \"total_exec_time\": 1},\n {\"query\": \"b\", \"calls\": 2,, }]\n",
            "bad.json line 2: invalid JSON",
        ),
        (
            "bad_value.jsonl",
            "{\"query\": \"a\", \"calls\": 1, \"total_exec_time\": 1}\n{\"query\": \"b\", \"calls\": 1, \"total_exec_time\": [1]}\n",
            "bad_value.jsonl line 2, column `total_exec_time`: a JSON array",
        ),
        (
            "bad_aligned.txt",
            " query | calls | total_exec_time \n-------+-------+-----------------\n q     | 1.5   | 1\n(1 row)\n",
            "bad_aligned.txt line 3, column `calls`: expected a whole number from 0 to 9223372036854775807, found \"1.5\"",
        ),
        (
            "bad_expanded.txt",
            "-[ RECORD 1 ]---+--\nquery           | q\ncalls           | 1\ntotal_exec_time | x\n",
            "bad_expanded.txt line 1, column `total_exec_time`: expected a time from 0 to 1e15 ms",
        ),
        ("empty.csv", "\n\n", "empty.csv is empty"),
        (
            "prose.txt",
            "hello world\n",
            "prose.txt line 1: cannot tell the format from \"hello world\"",
        ),
        (
            "toplevel.csv",
            "query,calls,total_exec_time,toplevel\nq,1,1,maybe\n",
            "toplevel.csv line 2, column `toplevel`: expected a boolean",
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let o = run(&["analyze", path.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stdout(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
        let err = err.trim().strip_prefix("query-guard: ").expect("prefix");
        let err = err.replace(&format!("{}/", dir.display()), "");
        assert!(
            err.starts_with(expected),
            "{name}:\n  got      {err}\n  expected {expected}"
        );
    }
    let usage: &[(&[&str], &str)] = &[
        (&["analyze"], "no snapshot given"),
        (
            &["analyze", "/nonexistent/x.csv"],
            "cannot read /nonexistent/x.csv",
        ),
        (
            &["analyze", "a", "b", "--database-url", "postgres://x"],
            "too many snapshots",
        ),
        (
            &["analyze", "-", "-"],
            "standard input (`-`) can be read only once",
        ),
        (
            &["analyze", "--fail-on", "slow", "x"],
            "--fail-on \"slow\": unknown rule",
        ),
        (
            &["analyze", "--fail-on", "regressed", "x"],
            "--fail-on regressed: needs two snapshots",
        ),
    ];
    for (args, expected) in usage {
        let o = run(args, Some(b""));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
    // clap rejects bad flag values with 2 too.
    assert_eq!(
        run(&["analyze", "--top", "0", "x"], None).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["analyze", "--sort", "speed", "x"], None)
            .status
            .code(),
        Some(2)
    );
    // Standard input.
    let o = run(
        &["analyze", "-"],
        Some(b"query,calls,total_exec_time\n\"SELECT * FROM t WHERE a = $1\",3,1.5\n"),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("SELECT * FROM t WHERE a = $1"));
}

/// 50,000 rows: the size of a busy server's pg_stat_statements with `max` raised.
#[test]
fn fifty_thousand_rows() {
    let dir = scratch("large");
    let path = dir.join("large.csv");
    std::fs::write(&path, large_dump::csv(50_000)).unwrap();
    let start = std::time::Instant::now();
    let r = json_report(&[path.to_str().unwrap()]);
    eprintln!(
        "analyze of 50,000 rows (debug build): {:?}",
        start.elapsed()
    );
    assert_eq!(r["inputs"][0]["rows"], 50_000);
    assert_eq!(r["sections"]["top"].as_array().unwrap().len(), 10);
    // 50,000 rows, a shape per 10 texts on 5 tables with IN lists: regrouped.
    let n = r["overview"]["statements"].as_i64().unwrap();
    assert!(n < 50_000 && n > 1000, "{n}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh scratch directory for this test process.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("query-guard-analyze-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// Against the test PostgreSQL.

fn pg_url() -> String {
    std::env::var("QUERY_GUARD_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn db_required() -> bool {
    matches!(
        std::env::var("QUERY_GUARD_REQUIRE_DB").as_deref(),
        Ok("1") | Ok("true")
    )
}

/// Run `psql` on `url` with `args`; stdout, or the error.
fn psql_on(url: &str, args: &[&str], stdin: Option<&str>) -> Result<String, String> {
    let mut child = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url])
        .args(args)
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run psql: {e}"))?;
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(s) = stdin {
            pipe.write_all(s.as_bytes()).map_err(|e| e.to_string())?;
        }
    }
    let o = child.wait_with_output().map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).trim().to_owned())
    }
}

fn psql(args: &[&str], stdin: Option<&str>) -> String {
    psql_on(&pg_url(), args, stdin).unwrap_or_else(|e| panic!("psql {args:?} failed: {e}"))
}

/// The workload, run once per test process: `None` when the server is unreachable (skip).
fn workload() -> Option<&'static ()> {
    static DONE: OnceLock<Option<()>> = OnceLock::new();
    DONE.get_or_init(|| {
        let url = pg_url();
        let ready = psql_on(&url, &["-c", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"], None)
            .and_then(|_| psql_on(&url, &["-Atc", "SELECT count(*) FROM pg_stat_statements"], None));
        if let Err(e) = ready {
            if db_required() {
                panic!("PostgreSQL with pg_stat_statements at {url} is required (QUERY_GUARD_REQUIRE_DB=1) but unusable: {e}");
            }
            eprintln!("SKIPPED: PostgreSQL with pg_stat_statements at {url} is unusable ({e}); set QUERY_GUARD_REQUIRE_DB=1 to make this a failure");
            return None;
        }
        psql(&[], Some(&workload_sql()));
        Some(())
    })
    .as_ref()
}

/// Tables are kept between runs (so queryids stay the same and counters simply grow); the
/// statements below are the workload.
fn workload_sql() -> String {
    let mut s = String::from(
        "CREATE TABLE IF NOT EXISTS qg_wl_authors (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS qg_wl_posts (id int PRIMARY KEY, author_id int NOT NULL, title text NOT NULL);
CREATE TABLE IF NOT EXISTS qg_wl_events (id int PRIMARY KEY, kind text NOT NULL, payload text NOT NULL, amount int NOT NULL);
INSERT INTO qg_wl_authors SELECT g, 'author ' || g FROM generate_series(1, 200) g ON CONFLICT DO NOTHING;
INSERT INTO qg_wl_posts SELECT g, 1 + g % 200, 'post ' || g FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING;
INSERT INTO qg_wl_events SELECT g, (ARRAY['click', 'view', 'buy'])[1 + g % 3], md5(g::text), g % 1000
    FROM generate_series(1, 200000) g ON CONFLICT DO NOTHING;
ANALYZE qg_wl_authors, qg_wl_posts, qg_wl_events;
",
    );
    // The N+1: a page of posts, then each post's author, one query at a time.
    for page in 0..3 {
        s.push_str(&format!(
            "SELECT id, author_id, title FROM qg_wl_posts ORDER BY id LIMIT 100 OFFSET {};\n",
            page * 100
        ));
        for k in 0..100 {
            let post = page * 100 + k + 1;
            s.push_str(&format!(
                "SELECT id, name FROM qg_wl_authors WHERE id = {};\n",
                1 + post % 200
            ));
        }
    }
    // A slow filter on an unindexed column, written over several lines.
    for k in 0..4 {
        s.push_str(&format!(
            "SELECT id, kind, amount\n  FROM qg_wl_events\n WHERE payload LIKE '%{k}ab%' AND amount > {};\n",
            10 + k
        ));
    }
    // A sort that spills: far more rows than 64kB of work_mem.
    s.push_str("SET work_mem = '64kB';\n");
    for _ in 0..3 {
        s.push_str("SELECT count(*) FROM (SELECT payload FROM qg_wl_events ORDER BY payload OFFSET 1) sorted;\n");
    }
    s.push_str("RESET work_mem;\n");
    // IN lists of two lengths: two queryids in PostgreSQL 15, one fingerprint.
    s.push_str("SELECT id, title FROM qg_wl_posts WHERE id IN (1, 2);\n");
    s.push_str("SELECT id, title FROM qg_wl_posts WHERE id IN (3, 4, 5);\n");
    s.push_str("SELECT id, title FROM qg_wl_posts WHERE id IN (6, 7, 8);\n");
    s
}

/// The workload's rows of pg_stat_statements (never the dump statements themselves: their texts
/// spell the pattern with backslashes).
const FILTER: &str = "dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE '%qg\\_wl\\_%'";

#[test]
fn every_format_of_a_real_dump_gives_the_same_report() {
    if workload().is_none() {
        return;
    }
    let dir = scratch("formats");
    // One snapshot, dumped five ways: the reports must be identical.
    psql(
        &[],
        Some(&format!(
            "DROP TABLE IF EXISTS query_guard_analyze_snap;
CREATE TABLE query_guard_analyze_snap AS SELECT * FROM pg_stat_statements WHERE {FILTER};"
        )),
    );
    let order = "ORDER BY queryid, userid, toplevel";
    let dumps = [
        (
            "dump.csv",
            psql(
                &[
                    "-c",
                    &format!(
                        "COPY (SELECT * FROM query_guard_analyze_snap {order}) TO STDOUT WITH (FORMAT csv, HEADER)"
                    ),
                ],
                None,
            ),
        ),
        (
            "dump.json",
            psql(
                &[
                    "-At",
                    "-c",
                    &format!("SELECT json_agg(s {order}) FROM query_guard_analyze_snap s"),
                ],
                None,
            ),
        ),
        (
            "dump.jsonl",
            psql(
                &[
                    "-At",
                    "-c",
                    &format!("SELECT row_to_json(s) FROM query_guard_analyze_snap s {order}"),
                ],
                None,
            ),
        ),
        (
            "dump.txt",
            psql(
                &[
                    "-c",
                    &format!("SELECT * FROM query_guard_analyze_snap {order}"),
                ],
                None,
            ),
        ),
        (
            "dump-x.txt",
            psql(
                &[
                    "-x",
                    "-c",
                    &format!("SELECT * FROM query_guard_analyze_snap {order}"),
                ],
                None,
            ),
        ),
    ];
    let mut reports = Vec::new();
    for (name, content) in &dumps {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let mut r = json_report(&[path.to_str().unwrap()]);
        let format = r["inputs"][0]["format"].as_str().unwrap().to_owned();
        r["inputs"][0]["name"] = Value::Null;
        r["inputs"][0]["format"] = Value::Null;
        reports.push((name, format, r));
    }
    let formats: Vec<&str> = reports.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        formats,
        ["csv", "json", "json", "psql-aligned", "psql-expanded"]
    );
    let (first_name, _, first) = &reports[0];
    for (name, _, r) in &reports[1..] {
        assert!(
            r == first,
            "{name} differs from {first_name}:\n{r:#}\n---\n{first:#}"
        );
    }
    let r = first;
    assert_eq!(r["inputs"][0]["postgres_columns"], "15–16");
    // The N+1: 300 author lookups per run, one row each, far above the median.
    let lookup = by_query(r, "SELECT id, name FROM qg_wl_authors WHERE id = $1");
    assert!(lookup["calls"].as_i64().unwrap() >= 300);
    assert_eq!(lookup["calls"], lookup["rows"]);
    let n1 = r["sections"]["n_plus_one"].as_array().unwrap();
    assert_eq!(n1.len(), 1, "{r:#}");
    assert_eq!(n1[0]["id"], lookup["id"]);
    // The slow filter: a sequential scan of 200,000 rows, far slower per call than a lookup.
    let filter = by_query(
        r,
        "SELECT id, kind, amount FROM qg_wl_events WHERE payload LIKE $1 AND amount > $2",
    );
    assert!(
        filter["mean_ms"].as_f64().unwrap() > 20.0 * lookup["mean_ms"].as_f64().unwrap(),
        "{filter:#}\n{lookup:#}"
    );
    assert!(
        filter["shared_blks_hit"].as_i64().unwrap() + filter["shared_blks_read"].as_i64().unwrap()
            > 1000
    );
    assert!(ids(&r["sections"]["by_mean"]).contains(&filter["id"].as_str().unwrap().to_owned()));
    // The spilling sort.
    let sort = by_query(
        r,
        "SELECT count(*) FROM (SELECT payload FROM qg_wl_events ORDER BY payload OFFSET $1) sorted",
    );
    assert!(sort["temp_blks_written"].as_i64().unwrap() > 0, "{sort:#}");
    assert_eq!(
        ids(&r["sections"]["spills"])[0],
        sort["id"].as_str().unwrap()
    );
    // IN lists of two lengths: PostgreSQL 15 counts them apart, query-guard pools them.
    let inlist = by_query(r, "SELECT id, title FROM qg_wl_posts WHERE id IN ($1)");
    assert!(
        inlist["queryids"].as_array().unwrap().len() >= 2,
        "{inlist:#}"
    );
    assert!(ids(&r["sections"]["merged"]).contains(&inlist["id"].as_str().unwrap().to_owned()));
    // Every text is our normalised one: no literal from the workload survives.
    for s in r["statements"].as_array().unwrap() {
        let q = s["query"].as_str().unwrap();
        assert!(!q.contains("'%") && !q.contains("64kB"), "{q}");
    }
    // The text report of the CSV dump: within 100 columns, with the findings named.
    let o = run(
        &[
            "analyze",
            dir.join("dump.csv").to_str().unwrap(),
            "--fail-on",
            "n-plus-one,spill,mean>1h",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    fits_100_columns(&text);
    assert!(text.contains("FAIL n-plus-one: 1 statement(s)"), "{text}");
    // The sort spills; so does the set-up's INSERT … SELECT generate_series (its function scan
    // materialises 200,000 rows).
    assert!(text.contains("FAIL spill: "), "{text}");
    assert!(text.contains("ok   mean>1h"), "{text}");
    assert!(
        stderr(&o).contains("n-plus-one (1 statements), spill ("),
        "{}",
        stderr(&o)
    );
    // Standard input works the same.
    let o = run(
        &["analyze", "--format", "json", "-"],
        Some(dumps[4].1.as_bytes()),
    );
    let mut from_stdin: Value = serde_json::from_str(&stdout(&o)).unwrap();
    from_stdin["inputs"][0]["name"] = Value::Null;
    from_stdin["inputs"][0]["format"] = Value::Null;
    assert!(&from_stdin == r);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_between_two_real_snapshots() {
    if workload().is_none() {
        return;
    }
    let dir = scratch("diff");
    let before = dir.join("before.csv");
    let after = dir.join("after.csv");
    let copy = |path: &Path| {
        format!(
            "\\copy (SELECT * FROM pg_stat_statements WHERE {FILTER}) TO '{}' CSV HEADER\n",
            path.display()
        )
    };
    // One session: temporary tables are new relations each run, so their statements get new
    // queryids: new in the window every time.
    let mut s = String::from(
        "CREATE TEMP TABLE qg_wl_tmp (id int, v text);
INSERT INTO qg_wl_tmp SELECT g, md5(g::text) FROM generate_series(1, 10) g;
",
    );
    for _ in 0..20 {
        s.push_str("SELECT count(*) FROM qg_wl_tmp WHERE v LIKE '%a%';\n");
    }
    s.push_str(&copy(&before));
    s.push_str(
        "INSERT INTO qg_wl_tmp SELECT g, md5(g::text) FROM generate_series(11, 200000) g;\n",
    );
    for _ in 0..5 {
        s.push_str("SELECT count(*) FROM qg_wl_tmp WHERE v LIKE '%a%';\n");
    }
    for k in 0..50 {
        s.push_str(&format!(
            "SELECT id, name FROM qg_wl_authors WHERE id = {};\n",
            1 + k
        ));
    }
    s.push_str(
        "CREATE TEMP TABLE qg_wl_tmp_new (id int);\nSELECT id FROM qg_wl_tmp_new WHERE id = 1;\n",
    );
    s.push_str(&copy(&after));
    psql(&[], Some(&s));

    // Every statement of the window: tests running at the same time put theirs in it too, and
    // the ones looked for below must not fall out of the default top 20.
    let r = json_report(&[
        "--top",
        "10000",
        before.to_str().unwrap(),
        after.to_str().unwrap(),
    ]);
    assert_eq!(r["mode"], "diff");
    let lookup = by_query(&r, "SELECT id, name FROM qg_wl_authors WHERE id = $1");
    assert_eq!(lookup["calls"], 50, "{lookup:#}");
    assert_eq!(lookup["rows"], 50);
    let slow = by_query(&r, "SELECT count(*) FROM qg_wl_tmp WHERE v LIKE $1");
    assert_eq!(slow["calls"], 5);
    let regressed = r["diff"]["regressed"].as_array().unwrap();
    assert!(regressed.iter().any(|g| g["id"] == slow["id"]), "{r:#}");
    let new = ids(&r["diff"]["new"]);
    assert!(
        new.contains(
            &by_query(&r, "SELECT id FROM qg_wl_tmp_new WHERE id = $1")["id"]
                .as_str()
                .unwrap()
                .to_owned()
        ),
        "{new:?}"
    );
    assert_eq!(r["diff"]["global_reset"], false);
    let o = run(
        &[
            "analyze",
            before.to_str().unwrap(),
            after.to_str().unwrap(),
            "--fail-on",
            "regressed,new",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    fits_100_columns(&stdout(&o));
    // BEFORE as a file, AFTER from the server.
    let o = run(
        &[
            "analyze",
            "--format",
            "json",
            "--top",
            "10000",
            before.to_str().unwrap(),
            "--database-url",
            &pg_url(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["inputs"][1]["format"], "live");
    assert!(
        by_query(&r, "SELECT id, name FROM qg_wl_authors WHERE id = $1")["calls"]
            .as_i64()
            .unwrap()
            >= 50
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn live_server_read_only() {
    if workload().is_none() {
        return;
    }
    let url = pg_url();
    let reset_before = psql(
        &["-Atc", "SELECT stats_reset FROM pg_stat_statements_info"],
        None,
    );
    let o = run(
        &[
            "analyze",
            "--format",
            "json",
            "--database-url",
            &url,
            "--top",
            "50",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(r["inputs"][0]["format"], "live");
    assert_eq!(r["inputs"][0]["postgres_columns"], "15–16");
    let lookup = by_query(&r, "SELECT id, name FROM qg_wl_authors WHERE id = $1");
    assert!(
        r["sections"]["n_plus_one"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == lookup["id"]),
        "{r:#}"
    );
    // The settings were read: the test server runs without track_planning.
    let codes: Vec<&str> = r["health"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    let planning = psql(&["-Atc", "SHOW pg_stat_statements.track_planning"], None);
    assert_eq!(
        codes.contains(&"planning-off"),
        planning.trim() == "off",
        "{codes:?}"
    );
    // Nothing was reset.
    assert_eq!(
        psql(
            &["-Atc", "SELECT stats_reset FROM pg_stat_statements_info"],
            None
        ),
        reset_before
    );
    let o = run(
        &["analyze", "--database-url", &url, "--fail-on", "n-plus-one"],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    fits_100_columns(&stdout(&o));

    // A database without the extension: the error says how to enable it.
    let db = "query_guard_analyze_noext";
    let exists = psql(
        &[
            "-Atc",
            &format!("SELECT count(*) FROM pg_database WHERE datname = '{db}'"),
        ],
        None,
    );
    if exists.trim() == "0" {
        // Another run may create it at the same moment: that is fine.
        let _ = psql_on(&url, &["-c", &format!("CREATE DATABASE {db}")], None);
    }
    let (base, _) = url.rsplit_once('/').expect("a database in the URL");
    let other = format!("{base}/{db}");
    let _ = psql_on(
        &other,
        &["-c", "DROP EXTENSION IF EXISTS pg_stat_statements"],
        None,
    );
    let o = run(&["analyze", "--database-url", &other], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(
            "pg_stat_statements is not installed in database \"query_guard_analyze_noext\""
        ),
        "{err}"
    );
    assert!(err.contains("CREATE EXTENSION pg_stat_statements"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // An unreachable server: one line, exit 2.
    let o = run(
        &[
            "analyze",
            "--database-url",
            "postgres://nobody:secret@127.0.0.1:1/x",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with("query-guard: cannot connect to postgres://nobody:***@127.0.0.1:1/x"),
        "{err}"
    );
    assert!(!err.contains("secret"));
}

/// `--database-url` never hangs on a server that accepts the connection and then says nothing:
/// the URL's `connect_timeout` (libpq's parameter) bounds the wait.
#[test]
fn live_read_gives_up_on_a_silent_server() {
    // Accepted by the kernel, never answered.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("postgres://nobody:secret@127.0.0.1:{port}/x?connect_timeout=1");
    let o = run(&["analyze", "--database-url", &url], None);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "query-guard: cannot connect to postgres://nobody:***@127.0.0.1:{port}/x?connect_timeout=1: no answer within 1 s"
        )),
        "{err}"
    );
    drop(listener);
}

/// `--database-url` never waits long for a lock: another session holding pg_stat_statements
/// exclusively (as `DROP EXTENSION` does) makes the read fail after the `lock_timeout` the
/// read-only transaction sets, with advice, instead of hanging. In a database of its own, so
/// other suites reading the view are not held up.
#[test]
fn live_read_bounds_lock_waits() {
    if workload().is_none() {
        return;
    }
    let url = pg_url();
    let db = "query_guard_analyze_lock";
    let exists = psql(
        &[
            "-Atc",
            &format!("SELECT count(*) FROM pg_database WHERE datname = '{db}'"),
        ],
        None,
    );
    if exists.trim() == "0" {
        // Another run may create it at the same moment: that is fine.
        let _ = psql_on(&url, &["-c", &format!("CREATE DATABASE {db}")], None);
    }
    let (base, _) = url.rsplit_once('/').expect("a database in the URL");
    let other = format!("{base}/{db}");
    psql_on(
        &other,
        &["-c", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"],
        None,
    )
    .expect("pg_stat_statements in the lock test's database");
    // Hold the view exclusively until told to stop.
    let mut holder = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &other,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql");
    let mut input = holder.stdin.take().unwrap();
    input
        .write_all(
            b"BEGIN;\nLOCK TABLE pg_stat_statements IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n",
        )
        .unwrap();
    input.flush().unwrap();
    let mut out = std::io::BufReader::new(holder.stdout.take().unwrap());
    let mut line = String::new();
    while line.trim() != "locked" {
        line.clear();
        let n = std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        assert!(
            n > 0,
            "the lock holder stopped: {:?}",
            holder.wait_with_output()
        );
    }
    let o = run(&["analyze", "--database-url", &other], None);
    input.write_all(b"ROLLBACK;\n").unwrap();
    drop(input);
    let _ = holder.wait();
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "cannot read pg_stat_statements in database \"{db}\": another session holds a lock on it"
        )),
        "{err}"
    );
    assert!(err.contains("lock_timeout 2s"), "{err}");
}
