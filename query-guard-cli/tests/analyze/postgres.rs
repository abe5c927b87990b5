//! `analyze` against the test PostgreSQL: a workload dumped from pg_stat_statements in every
//! format, a diff between two real snapshots, and `--database-url`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use super::support_run::*;
use super::{by_query, fits_100_columns, ids, json_report, scratch};

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
