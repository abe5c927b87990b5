//! `query_guard::explain` on SQLite: every SQLite rule is triggered by a real plan (an in-memory
//! database built from `tests/fixtures/explain/sqlite/setup.sql`, planned by the SQLite sqlx
//! bundles), the sqlite3 shell's tree and the raw rows of one plan read into the same model, and
//! the CLI's view of a file database matches the library's.

use query_guard::explain::{self, Engine, Format, explain_analyze};
use query_guard_tests::plans::{fixtures, scenarios, setup_statements};
use query_guard_tests::sqlite;
use sqlx::AssertSqlSafe;

fn expected(name: &str) -> Option<&'static str> {
    Some(match name {
        "full_scan_filtered" => "sqlite-full-scan",
        "automatic_index" => "sqlite-automatic-index",
        "correlated_subquery" => "sqlite-correlated-subquery",
        "temp_btree" | "temp_btree_group_by" | "temp_btree_distinct" => "sqlite-temp-btree",
        _ => return None,
    })
}

#[tokio::test]
async fn every_sqlite_rule_fires_on_a_real_plan() {
    let pool = sqlite().await;
    for stmt in setup_statements("sqlite/setup.sql") {
        sqlx::raw_sql(AssertSqlSafe(stmt.clone()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{stmt}"));
    }
    let mut fired = std::collections::BTreeSet::new();
    for s in scenarios("sqlite/scenarios.txt") {
        let explained = explain_analyze(&pool, &s.sql)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", s.name));
        assert_eq!(explained.plan.engine, Engine::Sqlite);
        let report = explained.to_string();
        match expected(&s.name) {
            Some(rule) => {
                assert!(
                    explained.findings_of(rule).next().is_some(),
                    "{}: no {rule}\n{report}",
                    s.name
                );
                fired.insert(rule);
            }
            None if s.name.starts_with("healthy") => {
                assert!(explained.findings.is_empty(), "{}\n{report}", s.name)
            }
            None => {}
        }
        for literal in ["user42@example.com", "'paid'", "'DE'", "'login'"] {
            assert!(
                !report.contains(literal),
                "{}: {literal} in\n{report}",
                s.name
            );
        }
    }
    for rule in explain::rules::ALL
        .iter()
        .filter(|r| r.engine == Engine::Sqlite)
    {
        assert!(fired.contains(rule.id), "no scenario triggered {}", rule.id);
    }
}

#[test]
fn the_shell_tree_and_the_raw_rows_give_the_same_model() {
    for s in scenarios("sqlite/scenarios.txt") {
        let dir = fixtures().join("sqlite");
        let tree = std::fs::read_to_string(dir.join(format!("{}.tree.txt", s.name))).unwrap();
        let rows = std::fs::read_to_string(dir.join(format!("{}.rows.txt", s.name))).unwrap();
        let tree = explain::parse(&tree).unwrap_or_else(|e| panic!("{}: {e}", s.name));
        let mut rows = explain::parse(&rows).unwrap_or_else(|e| panic!("{}: {e}", s.name));
        assert_eq!(tree.format, Format::SqliteTree);
        assert_eq!(rows.format, Format::SqliteRows);
        rows.format = Format::SqliteTree;
        assert_eq!(tree, rows, "{}", s.name);
        // And with the statement known, the recorded plans trigger the same rules.
        let with_sql = explain::Explained::new(tree, Some(&s.sql));
        if let Some(rule) = expected(&s.name) {
            assert!(
                with_sql.findings_of(rule).next().is_some(),
                "{}: {rule}",
                s.name
            );
        }
    }
}

/// Every recorded plan reads (PostgreSQL 15 in both formats, and as psql prints it pasted), and a
/// pasted plan reads like the same plan recorded raw, apart from the numbers that differ from
/// run to run.
#[test]
fn every_recorded_postgres_plan_reads_and_pastes_read_like_the_raw_plans() {
    let dir = fixtures().join("pg15");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let explained =
            explain::analyze(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!explained.plan.nodes.is_empty(), "{}", path.display());
        read += 1;
    }
    assert!(read >= 50, "{read} plans");
    let shape = |file: &str| -> Vec<String> {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        explain::parse(&text)
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .nodes
            .iter()
            .map(|n| {
                format!(
                    "{}|{}|{:?}|{:?}",
                    n.depth,
                    n.label(),
                    n.estimate.map(|e| e.total_cost),
                    n.conditions
                )
            })
            .collect()
    };
    assert_eq!(shape("pasted_psql.txt"), shape("seq_scan_filter.txt"));
    assert_eq!(shape("pasted_psql_json.txt"), shape("seq_scan_filter.json"));
    assert_eq!(shape("pasted_wrapped.txt"), shape("index_filter.txt"));
    assert_eq!(
        shape("pasted_wrapped_unicode.txt"),
        shape("index_filter.txt")
    );
}

/// A SQLite file database for one test: a table with rows, an AUTOINCREMENT table (so
/// `sqlite_sequence` has a row), an index and a trigger.
struct FileDb {
    dir: std::path::PathBuf,
    path: std::path::PathBuf,
}

impl FileDb {
    async fn new(name: &str) -> FileDb {
        let dir = std::env::temp_dir().join(format!("qg-ex-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("app.db");
        let db = FileDb { dir, path };
        let pool = db.pool().await;
        sqlx::raw_sql(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
             INSERT INTO t (v) VALUES ('a'), ('b'), ('c'), ('paid');
             CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT);
             INSERT INTO log (what) VALUES ('start');
             CREATE INDEX t_v ON t (v);
             CREATE TRIGGER t_log AFTER DELETE ON t BEGIN INSERT INTO log (what) VALUES ('gone'); END;",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
        db
    }

    /// A pool as an application opens it: read-write, one connection.
    async fn pool(&self) -> sqlx::SqlitePool {
        sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&self.path)
                    .create_if_missing(true),
            )
            .await
            .unwrap()
    }

    /// The database file's bytes and every row (of the tables, `sqlite_sequence` and the
    /// schema), read on a connection of its own: anything a statement changed changes them.
    async fn checksum(&self) -> (Vec<u8>, String) {
        let bytes = std::fs::read(&self.path).unwrap();
        let pool = self.pool().await;
        let mut rows = String::new();
        for q in [
            "SELECT group_concat(id || ':' || v, ',') FROM (SELECT * FROM t ORDER BY id)",
            "SELECT group_concat(id || ':' || what, ',') FROM (SELECT * FROM log ORDER BY id)",
            "SELECT group_concat(name || ':' || seq, ',') FROM sqlite_sequence",
            "SELECT group_concat(type || ':' || name || ':' || coalesce(sql, ''), ',') FROM sqlite_schema",
        ] {
            let v: Option<String> = sqlx::query_scalar(q).fetch_one(&pool).await.unwrap();
            rows.push_str(&v.unwrap_or_default());
            rows.push('|');
        }
        // No lock is left: another connection can write (and roll back).
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("UPDATE t SET v = v")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        pool.close().await;
        (bytes, rows)
    }
}

impl Drop for FileDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The issue's attack strings and a corpus of tricky multi-statement SQL, each ending in a
/// statement that would change data: refused, and the file and its rows unchanged.
#[tokio::test]
async fn attack_strings_and_tricky_sql_change_nothing() {
    let db = FileDb::new("attacks").await;
    let before = db.checksum().await;
    let pool = db.pool().await;
    let writes = explain::ExplainOptions::new().allow_writes(true);
    // (SQL, the refusal expected)
    let several = [
        "SELECT 1 /* /* */ ; COMMIT; DELETE FROM t; -- */",
        "SELECT e'\\' FROM (SELECT 1 AS e); COMMIT; DELETE FROM t; -- '",
        "SELECT 1; DELETE FROM t",
        "SELECT 1;COMMIT",
        "SELECT 1; DROP TABLE t",
        "SELECT 1; UPDATE t SET v = 'x'",
        "SELECT '\\'; DELETE FROM t; --'",
        "SELECT 1 -- x\n; DELETE FROM t",
        "SELECT 1 # x\n; DELETE FROM t",
        "SELECT 1 /*! x */ ; DELETE FROM t",
        "SELECT $$ ; DELETE FROM t; $$",
        "SELECT [x] FROM (SELECT 1 AS x);DELETE FROM t",
        "SELECT `x` FROM (SELECT 1 AS x);DELETE FROM t",
        "SELECT x'00';DELETE FROM t",
        "SELECT $a (1);DELETE FROM t",
        "SELECT :x; DELETE FROM t",
        "SELECT 1\n;\nPRAGMA writable_schema = 1",
        "SELECT 1; ATTACH 'other.db' AS o",
        "SELECT 1; VACUUM",
    ];
    for sql in several {
        for options in [&explain::ExplainOptions::new(), &writes] {
            let err = explain::explain_analyze_with(&pool, sql, options)
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    explain::ExplainError::Sql(explain::SplitError::SeveralStatements { .. })
                ),
                "{sql:?}: {err}"
            );
        }
    }
    // Not explainable: refused before anything is prepared (a PRAGMA acts while it is prepared).
    for sql in [
        "DROP TABLE t",
        "PRAGMA query_only = 0",
        "PRAGMA writable_schema = 1",
        "CREATE TABLE u (a)",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END",
        "VACUUM",
        "ATTACH 'other.db' AS o",
        "BEGIN",
        "COMMIT",
        "ANALYZE",
        "REINDEX",
        "EXPLAIN DELETE FROM t",
    ] {
        let err = explain_analyze(&pool, sql).await.unwrap_err();
        assert!(
            matches!(err, explain::ExplainError::NotExplainable { .. }),
            "{sql}: {err}"
        );
        assert!(err.to_string().contains("cannot be explained"), "{err}");
    }
    // A NUL byte: SQLite would stop reading there.
    let err = explain_analyze(&pool, "SELECT 1\0; DELETE FROM t")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            explain::ExplainError::Sql(explain::SplitError::NulByte { line: 1, column: 9 })
        ),
        "{err}"
    );
    // Statements SQLite has no plan for say so.
    for sql in ["DELETE FROM log", "INSERT INTO t (v) VALUES ('x')"] {
        let err = explain_analyze(&pool, sql).await.unwrap_err();
        assert!(
            matches!(err, explain::ExplainError::EmptyPlan),
            "{sql}: {err}"
        );
        assert!(err.to_string().contains("no query plan"), "{err}");
    }
    // Writes are planned, never run: the plan comes back and nothing changes.
    for sql in [
        "DELETE FROM t WHERE v = 'a';",
        "UPDATE t SET v = 'x' WHERE v > 'a'",
        "INSERT INTO t (v) SELECT v FROM t",
        "REPLACE INTO t SELECT * FROM t",
        "WITH d AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM d) RETURNING *",
        "SELECT 1 /* a comment SQLite lets run to the end",
    ] {
        let explained = explain_analyze(&pool, sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert!(!explained.plan.nodes.is_empty(), "{sql}");
    }
    // A statement SQLite refuses: its message, located, without the value it quotes.
    let bad = "  SELECT *\n  FROM t WHERE v = 'x' AND AND 1";
    let err = explain_analyze(&pool, bad).await.unwrap_err();
    let explain::ExplainError::Database(db_err) = &err else {
        panic!("{err}");
    };
    assert!(err.to_string().contains("syntax error"), "{err}");
    assert_eq!(db_err.location(), Some((2, 28)), "{err}");
    assert!(err.to_string().contains("line 2, column 28"), "{err}");
    let err = explain_analyze(&pool, "SELECT * FROM t WHERE v = 'hunter2' 'x'")
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    pool.close().await;
    assert_eq!(db.checksum().await, before);
}

/// The pool's connection comes back as it went: same busy timeout, `query_only` off, writable,
/// and an in-memory database keeps its data (its connection is never closed).
#[tokio::test]
async fn the_connection_goes_back_to_the_pool_as_it_was() {
    let pool = sqlite().await;
    sqlx::raw_sql(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a');",
    )
    .execute(&pool)
    .await
    .unwrap();
    let settings = || async {
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(&pool)
            .await
            .unwrap();
        let query_only: i64 = sqlx::query_scalar("PRAGMA query_only")
            .fetch_one(&pool)
            .await
            .unwrap();
        (busy, query_only)
    };
    let before = settings().await;
    assert_eq!(before.1, 0);
    let options =
        explain::ExplainOptions::new().lock_timeout(std::time::Duration::from_millis(1234));
    for sql in [
        "SELECT * FROM t WHERE v = 'a'",
        "SELECT 1; DELETE FROM t",
        "SELEC 1",
        "DROP TABLE t",
    ] {
        let _ = explain::explain_analyze_with(&pool, sql, &options).await;
        assert_eq!(settings().await, before, "{sql}");
    }
    sqlx::query("INSERT INTO t (v) VALUES ('b')")
        .execute(&pool)
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 2);
    // An application's own `query_only = 1` is kept too.
    sqlx::query("PRAGMA query_only = 1")
        .execute(&pool)
        .await
        .unwrap();
    explain_analyze(&pool, "SELECT * FROM t").await.unwrap();
    assert_eq!(settings().await.1, 1);
}

/// A database another connection keeps locked: the busy timeout fires, says so, and the pool
/// works once the lock is gone.
#[tokio::test]
async fn a_locked_database_is_a_busy_timeout() {
    let db = FileDb::new("busy").await;
    let holder = db.pool().await;
    let mut lock = holder.acquire().await.unwrap();
    // EXCLUSIVE keeps readers out too (rollback journal).
    sqlx::raw_sql("BEGIN EXCLUSIVE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let pool = db.pool().await;
    let options =
        explain::ExplainOptions::new().lock_timeout(std::time::Duration::from_millis(200));
    // A fresh connection must read the schema to plan, which needs the lock.
    let err = explain::explain_analyze_with(&pool, "SELECT * FROM t WHERE v = 'a'", &options)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            explain::ExplainError::Timeout {
                limit: explain::Limit::Busy,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("busy timeout"), "{err}");
    assert!(err.to_string().contains("200 ms"), "{err}");
    sqlx::raw_sql("ROLLBACK").execute(&mut *lock).await.unwrap();
    drop(lock);
    holder.close().await;
    explain_analyze(&pool, "SELECT * FROM t WHERE v = 'a'")
        .await
        .unwrap();
    // sqlx's own busy timeout (5 s) is back on the connection.
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(busy, 5000);
}

/// The CLI's view of a file database: see `query-guard-cli/tests/explain/database.rs`.
#[tokio::test]
async fn a_sqlite_plan_with_the_statement_names_the_columns() {
    let pool = sqlite().await;
    sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT); INSERT INTO t (status) VALUES ('a'), ('b');")
        .execute(&pool)
        .await
        .unwrap();
    let explained = explain_analyze(&pool, "DELETE FROM t WHERE status = 'a';")
        .await
        .unwrap();
    assert!(
        explained.findings_of("sqlite-full-scan").next().is_some(),
        "{explained}"
    );
    // SQLite reads `"paid"` compared with a column as a string: it is no column to index, and
    // never printed.
    let explained = explain_analyze(
        &pool,
        r#"SELECT id, (SELECT count(*) FROM t u WHERE u.id > t.id AND u.status = "paid") FROM t"#,
    )
    .await
    .unwrap();
    assert!(!explained.to_string().contains("paid"), "{explained}");
}
