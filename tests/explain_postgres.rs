//! `query_guard::explain` against the test PostgreSQL: every PostgreSQL rule is triggered by a
//! real plan of a scenario built for it (`tests/fixtures/explain/scenarios.txt` on the tables of
//! `setup.sql`), the same statements' text plans read into the same model as their JSON plans,
//! and writes run under `explain_analyze` change nothing.

use query_guard::explain::{self, ExplainError, Explained, Plan, Severity, explain_analyze};
use query_guard_tests::plans::{Scenario, scenarios, setup_statements};
use query_guard_tests::postgres;
use sqlx::{AssertSqlSafe, PgPool, Row};

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

async fn checksum(pool: &PgPool, table: &str) -> (i64, String) {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT count(*), coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t"
    )))
    .fetch_one(pool)
    .await
    .unwrap();
    (row.get(0), row.get(1))
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
    for s in &all {
        with_settings(&pool, s).await;
        let explained: Explained = explain_analyze(&pool, &s.sql)
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

        // The text format of the same statement gives the same model.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_under_explain_analyze_change_nothing() {
    let Some(pool) = postgres(2).await else {
        return;
    };
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS qg_ex_write_guard;
         CREATE TABLE qg_ex_write_guard (id int PRIMARY KEY, v text);
         INSERT INTO qg_ex_write_guard SELECT g, 'v' || g FROM generate_series(1, 500) g;",
    )
    .execute(&pool)
    .await
    .unwrap();
    let before = checksum(&pool, "qg_ex_write_guard").await;
    for sql in [
        "UPDATE qg_ex_write_guard SET v = 'changed' WHERE id <= 400",
        "DELETE FROM qg_ex_write_guard WHERE id > 10",
        "INSERT INTO qg_ex_write_guard SELECT g, 'x' FROM generate_series(501, 900) g",
        "WITH gone AS (DELETE FROM qg_ex_write_guard RETURNING id) SELECT count(*) FROM gone;",
    ] {
        let explained = explain_analyze(&pool, sql).await.unwrap();
        assert!(explained.plan.options.analyze, "{sql}");
        assert!(explained.plan.execution_ms.is_some(), "{sql}");
        assert_eq!(checksum(&pool, "qg_ex_write_guard").await, before, "{sql}");
    }
    // A second statement after `;` is refused, not run.
    let err = explain_analyze(&pool, "SELECT 1; DELETE FROM qg_ex_write_guard")
        .await
        .unwrap_err();
    assert!(matches!(err, ExplainError::SeveralStatements), "{err}");
    assert_eq!(checksum(&pool, "qg_ex_write_guard").await, before);
    // Placeholders need values.
    let err = explain_analyze(&pool, "SELECT * FROM qg_ex_write_guard WHERE id = $1")
        .await
        .unwrap_err();
    assert!(matches!(err, ExplainError::Placeholders), "{err}");
    // A broken statement is the database's error, and leaves the pool usable.
    let err = explain_analyze(&pool, "SELEC 1").await.unwrap_err();
    assert!(err.to_string().contains("syntax error"), "{err}");
    assert_eq!(checksum(&pool, "qg_ex_write_guard").await, before);
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
