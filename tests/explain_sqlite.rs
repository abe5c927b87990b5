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

#[tokio::test]
async fn several_statements_are_refused_and_writes_change_nothing() {
    let pool = sqlite().await;
    sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT); INSERT INTO t (status) VALUES ('a'), ('b');")
        .execute(&pool)
        .await
        .unwrap();
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM t")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    for sql in [
        "SELECT 1; DELETE FROM t",
        "BEGIN; DELETE FROM t; COMMIT;",
        "SELECT 1;COMMIT",
    ] {
        let err = explain_analyze(&pool, sql).await.unwrap_err();
        assert!(
            matches!(err, explain::ExplainError::SeveralStatements),
            "{sql}: {err}"
        );
        assert_eq!(count().await, 2, "{sql}");
    }
    let explained = explain_analyze(&pool, "DELETE FROM t WHERE status = 'a';")
        .await
        .unwrap();
    assert!(
        explained.findings_of("sqlite-full-scan").next().is_some(),
        "{explained}"
    );
    assert_eq!(count().await, 2);
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
