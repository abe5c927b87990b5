//! `explain --database-url` on the test PostgreSQL (skips with a SKIPPED line unless
//! `QUERY_GUARD_REQUIRE_DB=1`) and on SQLite files: runs and rolls back, the attack strings and
//! tricky SQL of issue 11 change nothing, every timeout fires and says which.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

use super::support::{run, stderr, stdout};

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
    let delete = "DELETE FROM qg_ex_cli_guard WHERE v LIKE 'v1%'";
    // A write is refused unless allowed...
    let o = run(
        &["explain", "--database-url", &pg_url(), "--sql", delete],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-writes"), "{}", stderr(&o));
    // ... and rolled back when it is.
    let o = run(
        &[
            "explain",
            "--database-url",
            &pg_url(),
            "--sql",
            delete,
            "--allow-writes",
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
            "--allow-writes",
            "--timeout",
            "20s",
            "--lock-timeout",
            "2s",
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
    // A second statement in the file: refused, and the error names the file and the place.
    std::fs::write(&sql, "SELECT 1;\n  DELETE FROM qg_ex_cli_guard;\n").unwrap();
    let o = run(
        &[
            "explain",
            "--database-url",
            &pg_url(),
            "--sql-file",
            sql.to_str().unwrap(),
            "--allow-writes",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "{}: the SQL holds more than one statement: another one starts at line 2, column 3",
            sql.display()
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(psql(sum).unwrap(), before);
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

/// Runs `query-guard ARGS` with nothing on standard input. Whether it ends is what the tests
/// below are about; how fast is not asserted (the limits they set are a second or two).
fn run_bounded(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_query-guard"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run query-guard")
}

fn db_required() -> bool {
    matches!(
        std::env::var("QUERY_GUARD_REQUIRE_DB").as_deref(),
        Ok("1") | Ok("true")
    )
}

/// Whether PostgreSQL answers (panics if it must and does not).
fn postgres_up() -> bool {
    match psql("SELECT 1") {
        Ok(_) => true,
        Err(e) if db_required() => panic!(
            "PostgreSQL at {} is required (QUERY_GUARD_REQUIRE_DB=1): {e}",
            pg_url()
        ),
        Err(e) => {
            eprintln!("SKIPPED: PostgreSQL at {} is unreachable ({e})", pg_url());
            false
        }
    }
}

/// A `psql` or `sqlite3` session kept open on standard input: it holds what it took until
/// `end` (or drop).
struct Session {
    child: Child,
}

impl Session {
    /// Starts `program args`, sends `setup`, and waits for the line `ready` on its output.
    fn start(program: &str, args: &[&str], setup: &str) -> Option<Session> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let stdin = child.stdin.as_mut().unwrap();
        stdin.write_all(setup.as_bytes()).unwrap();
        stdin.write_all(b"\nSELECT 'ready';\n").unwrap();
        stdin.flush().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        lines
            .find(|l| l.as_deref().is_ok_and(|l| l.trim() == "ready"))?
            .ok()?;
        Some(Session { child })
    }

    fn end(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The attack strings and tricky SQL, through the CLI on PostgreSQL: refused (or rolled
/// back), with the rows, the sequence and the advisory locks unchanged.
#[test]
fn database_url_postgres_changes_nothing() {
    if !postgres_up() {
        return;
    }
    let t = format!("qg_exl_cli_{}", std::process::id());
    let key = 8_000_000 + std::process::id();
    psql(&format!(
        "DROP TABLE IF EXISTS {t}; DROP SEQUENCE IF EXISTS {t}_seq; CREATE SEQUENCE {t}_seq; \
         CREATE TABLE {t} (id int PRIMARY KEY DEFAULT nextval('{t}_seq'), v text); \
         INSERT INTO {t} (v) SELECT 'v' || g FROM generate_series(1, 200) g;"
    ))
    .unwrap();
    let sum = format!(
        "SELECT (SELECT count(*) || ':' || md5(string_agg(x::text, ',' ORDER BY x.id)) FROM {t} x) \
         || ' ' || (SELECT last_value || ':' || is_called FROM {t}_seq) \
         || ' ' || (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {key})"
    );
    let before = psql(&sum).unwrap();
    // (SQL, what stderr says)
    let cases = [
        (
            format!("SELECT 1 /* /* */ ; COMMIT; DELETE FROM {t}; -- */ ; DELETE FROM {t}"),
            "more than one statement",
        ),
        (
            format!(
                "SELECT e'\\' FROM (SELECT 1 AS e); COMMIT; DELETE FROM {t}; -- ' ; DELETE FROM {t}"
            ),
            "more than one statement",
        ),
        (
            format!("SELECT 'a\\'; DELETE FROM {t}; --'"),
            "more than one statement",
        ),
        (
            format!("SELECT foo$$; DELETE FROM {t}; --$$"),
            "more than one statement",
        ),
        (format!("UPDATE {t} SET v = 'x'"), "--allow-writes"),
        (format!("DELETE FROM {t}"), "--allow-writes"),
        (
            format!("WITH d AS (DELETE FROM {t} RETURNING 1) SELECT count(*) FROM d"),
            "READ ONLY",
        ),
        (format!("SELECT nextval('{t}_seq')"), "READ ONLY"),
        (format!("SELECT setval('{t}_seq', 999)"), "READ ONLY"),
        (
            format!("DROP TABLE {t}"),
            "a DROP statement cannot be explained",
        ),
        (
            format!("TRUNCATE {t}"),
            "a TRUNCATE statement cannot be explained",
        ),
        (
            format!("VACUUM {t}"),
            "a VACUUM statement cannot be explained",
        ),
        (
            "CALL qg_nothing()".to_owned(),
            "a CALL statement cannot be explained",
        ),
        (
            format!("DO $$ BEGIN DELETE FROM {t}; END $$"),
            "a DO statement cannot be explained",
        ),
        (
            "SELECT pg_terminate_backend(0)".to_owned(),
            "pg_terminate_backend()",
        ),
        ("SELECT 'hunter2'::int".to_owned(), "integer: \"?\""),
    ];
    for (sql, says) in &cases {
        // Refusals that do not depend on writes hold with --allow-writes too.
        let write_dependent = ["--allow-writes", "READ ONLY"].contains(says);
        for extra in [&[][..], &["--allow-writes"][..]] {
            if write_dependent && !extra.is_empty() {
                continue;
            }
            let url = pg_url();
            let mut args = vec!["explain", "--database-url", &url, "--sql", sql.as_str()];
            args.extend_from_slice(extra);
            let o = run_bounded(&args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{sql}: {err}");
            assert!(err.contains(says), "{sql}: {err}");
            assert!(
                !err.contains("hunter2") && !err.contains("panicked"),
                "{err}"
            );
            assert_eq!(psql(&sum).unwrap(), before, "after {sql} {extra:?}");
        }
    }
    // Writes allowed: run and rolled back; a session advisory lock: released.
    for sql in [
        format!("UPDATE {t} SET v = 'x' WHERE id < 100"),
        format!("DELETE FROM {t}"),
        format!("SELECT pg_advisory_lock({key})"),
    ] {
        let url = pg_url();
        let o = run_bounded(&[
            "explain",
            "--database-url",
            &url,
            "--sql",
            &sql,
            "--allow-writes",
        ]);
        assert_eq!(o.status.code(), Some(0), "{sql}: {}", stderr(&o));
        assert_eq!(psql(&sum).unwrap(), before, "after {sql}");
    }
    psql(&format!("DROP TABLE {t}; DROP SEQUENCE {t}_seq")).unwrap();
}

/// Every limit fires through the CLI with exit code 2 and says which one.
#[test]
fn database_url_timeouts_say_which_limit_fired() {
    // A server that accepts connections and never answers: connecting is bounded.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "postgres://nobody@127.0.0.1:{}/x",
        silent.local_addr().unwrap().port()
    );
    let o = run_bounded(&[
        "explain",
        "--database-url",
        &url,
        "--sql",
        "SELECT 1",
        "--timeout",
        "1s",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no connection within 1 s (--timeout)"),
        "{}",
        stderr(&o)
    );
    drop(silent);

    // SQLite kept locked by another connection: the busy timeout.
    let dir = std::env::temp_dir().join(format!("qg-explain-busy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("app.db");
    let db_url = format!("sqlite:{}", db.display());
    let created = Command::new("sqlite3")
        .arg(&db)
        .arg("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a');")
        .status();
    if created.is_ok_and(|s| s.success()) {
        let holder = Session::start("sqlite3", &[db.to_str().unwrap()], "BEGIN EXCLUSIVE;")
            .expect("sqlite3 holding the lock");
        let o = run_bounded(&[
            "explain",
            "--database-url",
            &db_url,
            "--sql",
            "SELECT * FROM t",
            "--lock-timeout",
            "300ms",
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("busy timeout"), "{}", stderr(&o));
        assert!(stderr(&o).contains("300 ms"), "{}", stderr(&o));
        holder.end();
        let o = run_bounded(&[
            "explain",
            "--database-url",
            &db_url,
            "--sql",
            "SELECT * FROM t",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    } else {
        eprintln!("SKIPPED (busy timeout): the sqlite3 shell is not installed");
    }
    let _ = std::fs::remove_dir_all(&dir);

    if !postgres_up() {
        return;
    }
    let url = pg_url();
    // The statement timeout.
    let o = run_bounded(&[
        "explain",
        "--database-url",
        &url,
        "--sql",
        "SELECT pg_sleep(30)",
        "--timeout",
        "1s",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 s statement timeout"),
        "{}",
        stderr(&o)
    );
    // The lock timeout, behind a lock another session holds.
    let t = format!("qg_exl_cli_lock_{}", std::process::id());
    psql(&format!(
        "DROP TABLE IF EXISTS {t}; CREATE TABLE {t} (id int)"
    ))
    .unwrap();
    let holder = Session::start(
        "psql",
        &["-X", "-q", "-At", "-d", &url],
        &format!("BEGIN; LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE;"),
    )
    .expect("psql holding the lock");
    let sql = format!("SELECT count(*) FROM {t}");
    let o = run_bounded(&[
        "explain",
        "--database-url",
        &url,
        "--sql",
        &sql,
        "--lock-timeout",
        "500ms",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("lock_timeout"), "{}", stderr(&o));
    assert!(stderr(&o).contains("500 ms"), "{}", stderr(&o));
    holder.end();
    psql(&format!("DROP TABLE {t}")).unwrap();
}

/// The attack strings and the CLI cases that changed data, on a SQLite file opened
/// read-only: refused or planned, never run; the file's bytes and rows unchanged.
#[test]
fn database_url_sqlite_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("qg-explain-attacks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("app.db");
    let created = Command::new("sqlite3")
        .arg(&db)
        .arg(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); \
             INSERT INTO t (v) VALUES ('a'), ('b'), ('c'); \
             CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, w TEXT); INSERT INTO log (w) VALUES ('x');",
        )
        .status();
    if !created.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: the sqlite3 shell is not installed");
        return;
    }
    let rows = || {
        let o = Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT group_concat(id || v) FROM t; SELECT group_concat(id || w) FROM log; SELECT group_concat(name || seq) FROM sqlite_sequence; SELECT count(*) FROM sqlite_schema;")
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let before = (std::fs::read(&db).unwrap(), rows());
    let url = format!("sqlite:{}", db.display());
    for (sql, code, says) in [
        (
            "SELECT 1 /* /* */ ; COMMIT; DELETE FROM t; -- */",
            2,
            "more than one statement",
        ),
        (
            "SELECT e'\\' FROM (SELECT 1 AS e); COMMIT; DELETE FROM t; -- '",
            2,
            "more than one statement",
        ),
        ("SELECT 1; DELETE FROM t", 2, "more than one statement"),
        (
            "SELECT $a(x;y); DELETE FROM t",
            2,
            "more than one statement",
        ),
        (
            "SELECT [a;b] FROM (SELECT 1 AS [a;b]); DROP TABLE t",
            2,
            "more than one statement",
        ),
        (
            "SELECT 1 --x\r; DELETE FROM t\n; DELETE FROM t",
            2,
            "line 2, column 3",
        ),
        ("DROP TABLE t", 2, "a DROP statement cannot be explained"),
        (
            "PRAGMA journal_mode = WAL",
            2,
            "a PRAGMA statement cannot be explained",
        ),
        ("VACUUM", 2, "a VACUUM statement cannot be explained"),
        (
            "CREATE TABLE u (a)",
            2,
            "a CREATE statement cannot be explained",
        ),
        ("DELETE FROM log", 2, "no query plan"),
        ("INSERT INTO t (v) VALUES ('x')", 2, "no query plan"),
        ("DELETE FROM t WHERE v = 'a'", 0, "SCAN t"),
        ("UPDATE t SET v = 'x' WHERE v = 'b'", 0, "SCAN t"),
        ("INSERT INTO t (v) SELECT v FROM t", 0, "SCAN t"),
        ("REPLACE INTO log SELECT * FROM log", 0, "SCAN log"),
    ] {
        for extra in [&[][..], &["--allow-writes"][..]] {
            let mut args = vec!["explain", "--database-url", &url, "--sql", sql];
            args.extend_from_slice(extra);
            let o = run_bounded(&args);
            assert_eq!(o.status.code(), Some(code), "{sql}: {}", stderr(&o));
            let text = if code == 0 { stdout(&o) } else { stderr(&o) };
            assert!(text.contains(says), "{sql}: {text}");
            assert_eq!((std::fs::read(&db).unwrap(), rows()), before, "after {sql}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}
