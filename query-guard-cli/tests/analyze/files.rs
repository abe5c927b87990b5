//! `analyze` on files: the fixtures of every PostgreSQL version, options, `--fail-on`, a diff of
//! two fixture snapshots, malformed inputs named precisely, and a 50,000-row dump.

use serde_json::Value;

use super::large_dump;
use super::support_run::*;
use super::{by_query, fits_100_columns, fixture, ids, json_report, scratch};

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
