//! `query_guard::explain` against the test PostgreSQL: every PostgreSQL rule is triggered by a
//! real plan of a scenario built for it (`tests/fixtures/explain/scenarios.txt` on the tables of
//! `setup.sql`), the same statements' text plans read into the same model as their JSON plans,
//! and live EXPLAIN changes nothing, leaks nothing and never hangs: every input below is checked
//! against a checksum of the rows, the sequence and the advisory locks before and after.

use std::time::Duration;

use query_guard::explain::_support::one_statement;
use query_guard::explain::SplitError;
use query_guard::explain::{
    self, ExplainError, ExplainOptions, Explained, Limit, Plan, Severity, explain_analyze,
    explain_analyze_with,
};
use query_guard::fingerprint::Dialect;
use query_guard_tests::plans::{Scenario, scenarios, setup_statements};
use query_guard_tests::{pg_url, postgres};
use sqlx::{AssertSqlSafe, Connection, Executor, PgPool, Row, SqlSafeStr};

/// The rule each scenario must trigger, with its severity when it matters; `None`: no finding.
fn expected(name: &str) -> Option<(&'static str, Option<Severity>)> {
    Some(match name {
        "seq_scan_filter" => ("seq-scan-filter", None),
        "index_filter" => ("index-filter", None),
        "misestimate_10x" => ("misestimate", Some(Severity::Low)),
        "misestimate_100x" => ("misestimate", Some(Severity::Medium)),
        "misestimate_1000x" => ("misestimate", Some(Severity::High)),
        "sort_spill" => ("sort-spill", None),
        "hash_batches" | "hashagg_batches" => ("hash-batches", None),
        "nested_loop_loops" | "subplan_loops" => ("nested-loop", None),
        "lossy_bitmap" => ("lossy-bitmap", None),
        "heap_fetches" => ("heap-fetches", None),
        "large_offset" => ("large-offset", None),
        "workers_short" => ("workers", None),
        "jit_dominates" => ("jit", None),
        "planning_dominates" => ("planning", None),
        _ => return None,
    })
}

async fn setup(pool: &PgPool) {
    // One statement at a time: the script VACUUMs, which cannot run in a transaction.
    for stmt in setup_statements("setup.sql") {
        sqlx::raw_sql(AssertSqlSafe(stmt.clone()))
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("setup statement failed: {e}\n{stmt}"));
    }
}

/// Runs `f` with the scenario's settings in force on the pool's only connection.
async fn with_settings(pool: &PgPool, s: &Scenario) {
    sqlx::raw_sql("RESET ALL").execute(pool).await.unwrap();
    for set in &s.settings {
        sqlx::raw_sql(AssertSqlSafe(set.clone()))
            .execute(pool)
            .await
            .unwrap_or_else(|e| panic!("{}: {set}: {e}", s.name));
    }
}

/// The statement's text plan, from its own rolled-back transaction.
async fn text_plan(pool: &PgPool, sql: &str) -> String {
    let mut tx = pool.begin().await.unwrap();
    let rows = sqlx::query(AssertSqlSafe(format!("EXPLAIN (ANALYZE, BUFFERS) {sql}")))
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    rows.iter()
        .map(|r| r.get::<String, _>(0))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What two runs of one statement share: the plan's shape, estimates, conditions and row
/// counts (not times, buffers or memory, which differ from run to run).
fn shape(plan: &Plan) -> Vec<String> {
    plan.nodes
        .iter()
        .map(|n| {
            let rows = match (n.never_executed, n.actual, n.parallel_aware) {
                (true, _, _) => "never".to_owned(),
                // Workers share rows differently from run to run.
                (_, Some(_), true) => "parallel".to_owned(),
                (_, Some(a), false) => format!("rows={} loops={}", a.rows, a.loops),
                (_, None, _) => "-".to_owned(),
            };
            format!(
                "{}|{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
                n.depth,
                n.subplan.as_ref().map(|s| &s.name),
                n.label(),
                n.estimate
                    .map(|e| (e.startup_cost, e.total_cost, e.rows, e.width)),
                n.conditions,
                n.sort.as_ref().map(|s| (&s.method, &s.space_type)),
                n.hash.map(|h| h.batches),
                n.workers_planned,
                n.exact_heap_blocks.map(|_| n.lossy_heap_blocks.is_some()),
                rows,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_postgres_rule_fires_on_a_real_plan_and_text_reads_like_json() {
    let Some(pool) = postgres(1).await else {
        return;
    };
    setup(&pool).await;
    let all = scenarios("scenarios.txt");
    assert!(all.len() >= 20, "scenarios: {}", all.len());
    let mut fired = std::collections::BTreeSet::new();
    let writes = ExplainOptions::new().allow_writes(true);
    for s in &all {
        with_settings(&pool, s).await;
        let explained: Explained = explain_analyze_with(&pool, &s.sql, &writes)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", s.name));
        let report = explained.to_string();
        match expected(&s.name) {
            Some((rule, severity)) => {
                let f = explained
                    .findings_of(rule)
                    .next()
                    .unwrap_or_else(|| panic!("{}: no {rule} finding\n{report}", s.name));
                if let Some(sev) = severity {
                    assert_eq!(f.severity, sev, "{}\n{report}", s.name);
                }
                fired.insert(rule);
            }
            // A healthy parallel plan may still be short of workers when other tests run some.
            None if s.name == "parallel_ok" => assert!(
                explained.findings.iter().all(|f| f.rule == "workers"),
                "{}\n{report}",
                s.name
            ),
            None if s.name.starts_with("write_") => {}
            None => assert!(
                explained.findings.is_empty(),
                "{}: expected no findings\n{report}",
                s.name
            ),
        }
        // Shares of one plan never add up to more than the whole.
        let sum: f64 = explained.metrics.iter().filter_map(|m| m.share).sum();
        assert!(sum <= 1.05, "{}: shares add up to {sum}\n{report}", s.name);
        // No literal value of the statement in the report.
        for literal in ["'delivered'", "2024-01-08", "'paid'"] {
            assert!(
                !report.contains(literal),
                "{}: {literal} in\n{report}",
                s.name
            );
        }

        // The text format of the same statement gives the same model (the EXPLAIN closed its
        // connection, settings and all: set them again).
        with_settings(&pool, s).await;
        let text = text_plan(&pool, &s.sql).await;
        let from_text = explain::parse(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", s.name));
        assert_eq!(from_text.options, explained.plan.options, "{}", s.name);
        if s.name != "heap_fetches" && s.name != "workers_short" && s.name != "parallel_ok" {
            assert_eq!(
                shape(&from_text),
                shape(&explained.plan),
                "{}\n{text}",
                s.name
            );
        } else {
            assert_eq!(
                from_text.nodes.len(),
                explained.plan.nodes.len(),
                "{}",
                s.name
            );
        }
        assert_eq!(from_text.settings, explained.plan.settings, "{}", s.name);
        assert_eq!(
            from_text.jit.is_some(),
            explained.plan.jit.is_some(),
            "{}",
            s.name
        );
    }
    sqlx::raw_sql("RESET ALL").execute(&pool).await.unwrap();
    let pg_rules: Vec<&str> = explain::rules::ALL
        .iter()
        .filter(|r| r.engine == explain::Engine::Postgres)
        .map(|r| r.id)
        .collect();
    for rule in pg_rules {
        assert!(fired.contains(rule), "no scenario triggered {rule}");
    }
}

/// A table, a sequence and an advisory lock key of one test, and a checksum of everything a
/// statement could leave changed: the rows (hashed), the sequence's `last_value` and
/// `is_called`, the advisory locks on the key and the locks on the table held by any session.
struct Guarded {
    table: String,
    seq: String,
    key: i64,
}

impl Guarded {
    async fn new(pool: &PgPool, name: &str) -> Guarded {
        let g = Guarded {
            table: format!("qg_exl_{name}_{}", std::process::id()),
            seq: format!("qg_exl_{name}_{}_seq", std::process::id()),
            key: 7_000_000 + i64::from(std::process::id()),
        };
        sqlx::raw_sql(AssertSqlSafe(format!(
            "DROP TABLE IF EXISTS {t}; DROP SEQUENCE IF EXISTS {s};
             CREATE SEQUENCE {s};
             CREATE TABLE {t} (id int PRIMARY KEY DEFAULT nextval('{s}'), v text NOT NULL);
             INSERT INTO {t} (v) SELECT 'v' || g FROM generate_series(1, 500) g;
             ANALYZE {t};",
            t = g.table,
            s = g.seq
        )))
        .execute(pool)
        .await
        .unwrap();
        g
    }

    /// Substitutes `{t}`, `{s}` and `{k}` in a statement.
    fn sql(&self, template: &str) -> String {
        template
            .replace("{t}", &self.table)
            .replace("{s}", &self.seq)
            .replace("{k}", &self.key.to_string())
    }

    async fn checksum(&self, pool: &PgPool) -> String {
        let row = sqlx::query(AssertSqlSafe(self.sql(
            "SELECT (SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY t.id)) FROM {t} t),
                    (SELECT last_value || ':' || is_called FROM {s}),
                    (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {k}::bigint % 4294967296),
                    (SELECT count(*) FROM pg_locks WHERE relation = '{t}'::regclass AND pid <> pg_backend_pid())",
        )))
        .fetch_one(pool)
        .await
        .unwrap();
        format!(
            "rows {} seq {} advisory locks {} table locks {}",
            row.get::<String, _>(0),
            row.get::<String, _>(1),
            row.get::<i64, _>(2),
            row.get::<i64, _>(3)
        )
    }
}

fn several(e: &ExplainError) -> bool {
    matches!(e, ExplainError::Sql(SplitError::SeveralStatements { .. }))
}

/// The issue's attack strings, a corpus of tricky multi-statement SQL, writes, side effects and
/// statements EXPLAIN cannot run: refused (or rolled back), and nothing changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_input_changes_a_row_or_leaves_a_lock() {
    let Some(pool) = postgres(2).await else {
        return;
    };
    let g = Guarded::new(&pool, "guard").await;
    let before = g.checksum(&pool).await;
    let reads = ExplainOptions::new();
    let writes = ExplainOptions::new().allow_writes(true);
    let check = |sql: &str| {
        let (pool, g, before) = (&pool, &g, &before);
        let sql = sql.to_owned();
        async move {
            assert_eq!(g.checksum(pool).await, *before, "after {sql}");
        }
    };

    // Several statements, however hidden: refused before anything is sent, writes allowed or not.
    for template in [
        "SELECT 1 /* /* */ ; COMMIT; DELETE FROM {t}; -- */ ; DELETE FROM {t}",
        "SELECT e'\\' FROM (SELECT 1 AS e); COMMIT; DELETE FROM {t}; -- ' ; DELETE FROM {t}",
        "SELECT 1; DELETE FROM {t}",
        "SELECT 1;COMMIT",
        "SELECT 'a\\'; DELETE FROM {t}; --'",
        "SELECT 1 --x\r; DELETE FROM {t}",
        "SELECT foo$$; DELETE FROM {t}; --$$ FROM (SELECT 1 AS foo$$) x",
        "SELECT $$x$$; TRUNCATE {t}",
        "SELECT B'1'\n'\\'; DELETE FROM {t}; --'",
        "SELECT 1; SELECT setval('{s}', 1000)",
        "SELECT 1; SELECT pg_advisory_lock({k})",
        "WITH x AS (SELECT 1) SELECT * FROM x;\nDROP TABLE {t}",
    ] {
        let sql = g.sql(template);
        for options in [&reads, &writes] {
            let err = explain_analyze_with(&pool, &sql, options)
                .await
                .unwrap_err();
            assert!(several(&err), "{sql:?}: {err}");
        }
        check(&sql).await;
    }
    // What PostgreSQL reads as one statement (a nested comment, an E-string) is one.
    for template in [
        "SELECT 1 /* /* */ ; COMMIT; DELETE FROM {t}; -- */",
        "SELECT E'x'\n'\\'; DELETE FROM {t}; --' AS v",
        "SELECT $a$;DELETE FROM {t};$a$ AS v",
    ] {
        let sql = g.sql(template);
        explain_analyze(&pool, &sql)
            .await
            .unwrap_or_else(|e| panic!("{sql:?}: {e}"));
        check(&sql).await;
    }
    // Writes need allow_writes; with it they run and are rolled back.
    for template in [
        "UPDATE {t} SET v = 'changed' WHERE id <= 400",
        "DELETE FROM {t} WHERE id > 10",
        "MERGE INTO {t} t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE",
        // Last: it advances the sequence.
        "INSERT INTO {t} (v) SELECT 'x' FROM generate_series(1, 400)",
    ] {
        let sql = g.sql(template);
        let err = explain_analyze(&pool, &sql).await.unwrap_err();
        assert!(
            matches!(err, ExplainError::WritesNeedAllowWrites { .. }),
            "{sql}: {err}"
        );
        check(&sql).await;
        let explained = explain_analyze_with(&pool, &sql, &writes).await.unwrap();
        assert!(explained.plan.execution_ms.is_some(), "{sql}");
        if !sql.starts_with("INSERT") {
            // (INSERT advances the sequence: nextval is never rolled back; documented.)
            check(&sql).await;
        }
    }
    sqlx::raw_sql(AssertSqlSafe(g.sql("SELECT setval('{s}', 500)")))
        .execute(&pool)
        .await
        .unwrap();
    let before = g.checksum(&pool).await;
    let check = |sql: &str| {
        let (pool, g, before) = (&pool, &g, &before);
        let sql = sql.to_owned();
        async move {
            assert_eq!(g.checksum(pool).await, *before, "after {sql}");
        }
    };
    // Reads that write: the READ ONLY transaction refuses them.
    for template in [
        "WITH gone AS (DELETE FROM {t} RETURNING id) SELECT count(*) FROM gone",
        "SELECT nextval('{s}')",
        "SELECT setval('{s}', 1000)",
        "SELECT * FROM {t} WHERE id = 1 FOR UPDATE",
        "WITH n AS (SELECT nextval('{s}')) SELECT * FROM n",
    ] {
        let sql = g.sql(template);
        let err = explain_analyze(&pool, &sql).await.unwrap_err();
        assert!(matches!(err, ExplainError::ReadOnly(_)), "{sql}: {err}");
        assert!(err.to_string().contains("READ ONLY"), "{err}");
        check(&sql).await;
    }
    // SELECT … INTO creates a table, which EXPLAIN ANALYZE would do even in a READ ONLY
    // transaction: it is a write.
    let into = g.sql("SELECT * INTO qg_exl_into FROM {t}");
    let err = explain_analyze(&pool, &into).await.unwrap_err();
    assert!(
        matches!(
            err,
            ExplainError::WritesNeedAllowWrites {
                statement: "SELECT … INTO"
            }
        ),
        "{err}"
    );
    explain_analyze_with(&pool, &into, &writes).await.unwrap();
    let created: Option<String> = sqlx::query_scalar("SELECT to_regclass('qg_exl_into')::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(created, None, "SELECT … INTO was not rolled back");
    check(&into).await;
    // A session advisory lock survives a rollback: released before the call returns.
    for options in [&reads, &writes] {
        let sql = g.sql("SELECT pg_advisory_lock({k}), pg_advisory_lock_shared({k} + 1)");
        explain_analyze_with(&pool, &sql, options).await.unwrap();
        check(&sql).await;
    }
    // Functions whose effect a rollback cannot undo: refused, even with writes allowed.
    for (sql, function) in [
        (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE false",
            "pg_terminate_backend",
        ),
        ("SELECT pg_catalog.pg_reload_conf()", "pg_reload_conf"),
        ("SELECT pg_notify('x', 'y')", "pg_notify"),
        (
            "SELECT query_to_xml('SELECT pg_cancel_backend(1)', true, true, '')",
            "query_to_xml",
        ),
    ] {
        let err = explain_analyze_with(&pool, sql, &writes).await.unwrap_err();
        assert!(
            matches!(err, ExplainError::SideEffects { function: f } if f == function),
            "{sql}: {err}"
        );
    }
    // Statements EXPLAIN cannot run: refused with a message that says so (not PostgreSQL's
    // "syntax error at or near").
    for template in [
        "TRUNCATE {t}",
        "DROP TABLE {t}",
        "VACUUM {t}",
        "CALL qg_no_such_procedure()",
        "DO $$ BEGIN DELETE FROM {t}; END $$",
        "CREATE TABLE qg_exl_new AS SELECT * FROM {t}",
        "ALTER TABLE {t} ADD COLUMN w int",
        "COPY {t} TO STDOUT",
        "EXPLAIN ANALYZE DELETE FROM {t}",
    ] {
        let sql = g.sql(template);
        for options in [&reads, &writes] {
            let err = explain_analyze_with(&pool, &sql, options)
                .await
                .unwrap_err();
            let text = err.to_string();
            assert!(
                matches!(err, ExplainError::NotExplainable { .. })
                    && text.contains("cannot be explained"),
                "{sql}: {text}"
            );
            assert!(!text.contains("syntax error"), "{text}");
        }
        check(&sql).await;
    }
    // Placeholders need values.
    let err = explain_analyze(&pool, &g.sql("SELECT * FROM {t} WHERE id = $1"))
        .await
        .unwrap_err();
    assert!(matches!(err, ExplainError::Placeholders), "{err}");
    check("placeholders").await;
}

/// Database errors name where they are and never print the values they quote.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_errors_are_located_and_masked() {
    let Some(pool) = postgres(1).await else {
        return;
    };
    for (sql, location) in [
        ("SELECT 'hunter2'::int", None),
        ("SELECT 1 WHERE 'hunter2' = 1::int", None),
        (
            "SELECT *\n  FROM qg_no_such_table_exl WHERE v = 'hunter2'",
            Some((2, 8)),
        ),
    ] {
        let err = explain_analyze(&pool, sql).await.unwrap_err();
        let ExplainError::Database(db) = &err else {
            panic!("{sql}: {err}");
        };
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
        // Not sqlx's " at line N" (a line of PostgreSQL's own source).
        assert!(!db.message().contains(" at line "), "{text}");
        assert!(db.code().is_some(), "{text}");
        if let Some(at) = location {
            assert_eq!(db.location(), Some(at), "{text}");
        }
    }
    let err = explain_analyze(&pool, "SELECT 'hunter2'::int")
        .await
        .unwrap_err();
    let ExplainError::Database(db) = &err else {
        panic!("{err}");
    };
    assert_eq!(db.message(), "invalid input syntax for type integer: \"?\"");
    assert!(db.message_with_values().contains("hunter2"));
    assert!(db.display_with_values().to_string().contains("hunter2"));
    assert_eq!(db.location(), Some((1, 8)), "{err}");
    // Names of the statement are kept.
    let err = explain_analyze(&pool, "SELECT * FROM qg_no_such_table_exl")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("relation \"qg_no_such_table_exl\" does not exist"),
        "{err}"
    );
    // The pool is still usable.
    explain_analyze(&pool, "SELECT 1").await.unwrap();
}

/// Every limit fires, says which it is, and leaves nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_live_call_ends_within_its_limits() {
    let Some(pool) = postgres(2).await else {
        return;
    };
    let g = Guarded::new(&pool, "hang").await;
    let before = g.checksum(&pool).await;
    let short = ExplainOptions::new()
        .timeout(Duration::from_millis(500))
        .lock_timeout(Duration::from_millis(300));

    let err = explain_analyze_with(&pool, "SELECT pg_sleep(30)", &short)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExplainError::Timeout {
                limit: Limit::Statement,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("statement_timeout"), "{err}");

    // A row lock held by another session.
    let mut holder = sqlx::PgConnection::connect(&pg_url()).await.unwrap();
    holder.execute("BEGIN").await.unwrap();
    holder
        .execute(AssertSqlSafe(
            g.sql("SELECT * FROM {t} WHERE id = 1 FOR UPDATE"),
        ))
        .await
        .unwrap();
    let for_update = g.sql("SELECT * FROM {t} WHERE id = 1 FOR UPDATE");
    let err = explain_analyze_with(&pool, &for_update, &short)
        .await
        .unwrap_err();
    assert!(matches!(err, ExplainError::ReadOnly(_)), "{err}");
    let err = explain_analyze_with(&pool, &for_update, &short.clone().allow_writes(true))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExplainError::Timeout {
                limit: Limit::Lock,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("lock_timeout"), "{err}");
    holder.execute("ROLLBACK").await.unwrap();

    // A table lock: even a plain read waits for it.
    holder.execute("BEGIN").await.unwrap();
    holder
        .execute(AssertSqlSafe(
            g.sql("LOCK TABLE {t} IN ACCESS EXCLUSIVE MODE"),
        ))
        .await
        .unwrap();
    let err = explain_analyze_with(&pool, &g.sql("SELECT count(*) FROM {t}"), &short)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ExplainError::Timeout {
                limit: Limit::Lock,
                ..
            }
        ),
        "{err}"
    );
    holder.execute("ROLLBACK").await.unwrap();
    holder.close().await.unwrap();
    assert_eq!(g.checksum(&pool).await, before);

    // A server that accepts the connection and never answers: the client-side deadline.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let silent_pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(3600))
        .connect_lazy(&format!("postgres://nobody@127.0.0.1:{port}/x"))
        .unwrap();
    let err = explain_analyze_with(
        &silent_pool,
        "SELECT 1",
        &ExplainOptions::new().timeout(Duration::from_millis(200)),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            ExplainError::Timeout {
                limit: Limit::Client,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("no answer"), "{err}");
    drop(silent);
}

/// The splitter's PostgreSQL readings agree with the server: whenever PostgreSQL's own parser
/// finds several commands in a text (with standard_conforming_strings on or off), the splitter
/// refuses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_splitter_agrees_with_postgresql() {
    let Some(_pool) = postgres(1).await else {
        return;
    };
    const FRAGMENTS: &[&str] = &[
        "SELECT 1",
        "; SELECT 2",
        ";",
        " ",
        "\n",
        "\r",
        "'a'",
        "'",
        "E'",
        "\\",
        "\\'",
        "''",
        "$$",
        "$a$",
        "$$x$$",
        "/*",
        "*/",
        "/* c */",
        "--",
        "-- c\n",
        "\"",
        "\"q\"",
        "U&'",
        "b'",
        "x",
        "e",
        "1e",
        "AS v",
        ",",
        "$1",
        "foo$$",
        "(",
        ")",
    ];
    let mut connections = Vec::new();
    for scs in ["on", "off"] {
        let mut c = sqlx::PgConnection::connect(&pg_url()).await.unwrap();
        c.execute(AssertSqlSafe(format!(
            "SET standard_conforming_strings = {scs}; SET escape_string_warning = off"
        )))
        .await
        .unwrap();
        connections.push(c);
    }
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut several_seen, mut one_seen) = (0, 0);
    for i in 0..6000 {
        let mut text = String::from("SELECT 1 ");
        if i % 3 == 0 {
            text.push_str("AS v; SELECT 2 ");
        }
        for _ in 0..1 + next() % 6 {
            text.push_str(FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize]);
        }
        let ours = one_statement(&text, Dialect::Postgres);
        let mut parsed_as_one = 0;
        for c in &mut connections {
            // Parse only (a prepared statement): "cannot insert multiple commands into a
            // prepared statement" is PostgreSQL finding several.
            match c.prepare(AssertSqlSafe(text.clone()).into_sql_str()).await {
                Err(sqlx::Error::Database(db))
                    if db.message().contains("cannot insert multiple commands") =>
                {
                    several_seen += 1;
                    assert!(
                        matches!(ours, Err(SplitError::SeveralStatements { .. })),
                        "{text:?}: PostgreSQL finds several commands, the splitter says {ours:?}"
                    );
                }
                Ok(_) => parsed_as_one += 1,
                Err(_) => {}
            }
        }
        // One statement under both settings: the splitter accepts it.
        if parsed_as_one == 2 {
            one_seen += 1;
            assert!(
                ours.is_ok(),
                "{text:?}: PostgreSQL finds one command, the splitter says {ours:?}"
            );
        }
    }
    assert!(
        several_seen > 500 && one_seen > 100,
        "{several_seen} {one_seen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_analyze_in_a_scope_is_not_counted_against_its_budget() {
    let Some(pool) = postgres(1).await else {
        return;
    };
    let (explained, report) = query_guard::capture_async("explain in a test", async {
        explain_analyze(&pool, "SELECT 1 AS one").await.unwrap()
    })
    .await;
    assert!(explained.findings.is_empty());
    assert_eq!(report.count(), 0, "{report}");
    explained
        .assert_no_seq_scan("pg_class")
        .assert_no_finding_above(Severity::Low);
}
