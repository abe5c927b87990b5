//! The end-to-end suite, generated once per database by [`crate::db_suite!`].
//!
//! Every test builds its own tables (named after the database and the test, so parallel tests
//! and test binaries never share one), runs real statements through sqlx, and checks what
//! query-guard recorded in the scope.

/// `sqlx::AssertSqlSafe(format!(…))`: the suite's SQL is built from table names it made itself.
#[macro_export]
macro_rules! sql {
    ($($t:tt)*) => {
        sqlx::AssertSqlSafe(format!($($t)*))
    };
}

/// Creates `<name>_authors(id, name)` and `<name>_posts(id, author_id, title)` with
/// `n` authors and one post each, outside any scope.
#[macro_export]
macro_rules! fixture {
    ($db:expr, $ph:expr, $p:expr, $name:expr, $n:expr) => {{
        let ph = $ph;
        let authors = $crate::suite_support::table($db, $name, "authors");
        let posts = $crate::suite_support::table($db, $name, "posts");
        for t in [&posts, &authors] {
            sqlx::query($crate::sql!("DROP TABLE IF EXISTS {t}")).execute(&$p).await.unwrap();
        }
        sqlx::query($crate::sql!("CREATE TABLE {authors} (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)"))
            .execute(&$p).await.unwrap();
        sqlx::query($crate::sql!(
            "CREATE TABLE {posts} (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title VARCHAR(200) NOT NULL)"
        ))
        .execute(&$p).await.unwrap();
        for i in 1..=($n as i64) {
            sqlx::query($crate::sql!("INSERT INTO {authors} (id, name) VALUES ({}, {})", ph(1), ph(2)))
                .bind(i).bind(format!("author {i}")).execute(&$p).await.unwrap();
            sqlx::query($crate::sql!("INSERT INTO {posts} (id, author_id, title) VALUES ({}, {}, {})", ph(1), ph(2), ph(3)))
                .bind(i).bind(i).bind(format!("post {i}")).execute(&$p).await.unwrap();
        }
        (authors, posts)
    }};
}

/// Generates the suite for one database.
///
/// - `pool`: an async expression giving `Option<Pool>` (`None`: skip, the helper said why);
/// - `db`: a short name used in table names;
/// - `ph`: `fn(usize) -> String` giving the n-th placeholder (`$1` or `?`);
/// - `tx_logged`: how many of BEGIN/COMMIT this driver logs for one committed transaction.
#[macro_export]
macro_rules! db_suite {
    (pool = $pool:expr, db = $db:literal, ph = $ph:expr, tx_logged = $tx:expr $(,)?) => {
        use std::time::Duration;

        use query_guard::{Budget, Class, Scope, capture_async};
        use $crate::suite_support::panic_message;
        use $crate::{fixture, sql};

        fn ph(n: usize) -> String {
            ($ph)(n)
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn counts_every_statement_exactly() {
            let Some(pool) = $pool else { return };
            let (authors, posts) = fixture!($db, ph, pool, "exact", 3);
            let ((), report) = capture_async("exact", async {
                sqlx::query(sql!("SELECT id, title FROM {posts} ORDER BY id")).fetch_all(&pool).await.unwrap();
                sqlx::query(sql!("INSERT INTO {authors} (id, name) VALUES ({}, {})", ph(1), ph(2)))
                    .bind(100_i64).bind("secret-name-value").execute(&pool).await.unwrap();
                sqlx::query(sql!("UPDATE {posts} SET title = {} WHERE id = {}", ph(1), ph(2)))
                    .bind("t").bind(1_i64).execute(&pool).await.unwrap();
                sqlx::query("SELECT 1").fetch_one(&pool).await.unwrap();
            })
            .await;
            assert_eq!(report.count(), 4, "{report}");
            assert_eq!((report.reads(), report.writes()), (2, 2), "{report}");
            // A connection the pool opens inside the scope adds its set-up (MySQL's `SET
            // sql_mode …`, internal): look at the counted statements.
            let counted: Vec<_> = report.statements().iter().filter(|s| s.counted).collect();
            let first = counted[0];
            assert!(first.normalized.contains(&posts), "{report}");
            assert_eq!(first.rows_returned, Some(3), "{report}");
            // The time sqlx measured is there (how long it was is not a test's business).
            assert!(first.elapsed.is_some_and(|d| d > Duration::ZERO));
            assert_eq!(counted[2].rows_affected, Some(1), "{report}");
            // Bound values never reach the report; sqlx only logs the SQL text.
            assert!(!report.to_string().contains("secret-name-value"));
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn literal_values_stay_out_of_reports_unless_asked_for() {
            let Some(pool) = $pool else { return };
            let (authors, _posts) = fixture!($db, ph, pool, "literals", 1);
            let secret_query = format!("SELECT id FROM {authors} WHERE name = 'hunter2-secret' AND id > -987654");
            let ((), report) = capture_async("literals", async {
                sqlx::query(sqlx::AssertSqlSafe(secret_query.as_str())).fetch_all(&pool).await.unwrap();
            })
            .await;
            let text = report.to_string();
            let json = report.to_json().to_string();
            for shown in [&text, &json] {
                assert!(!shown.contains("hunter2-secret") && !shown.contains("987654"), "{shown}");
                assert!(shown.contains(&authors), "{shown}");
            }
            let scope = Scope::builder("opted in").show_values(true).open().unwrap();
            {
                use tracing::Instrument;
                async { sqlx::query(sqlx::AssertSqlSafe(secret_query.as_str())).fetch_all(&pool).await.unwrap(); }
                    .instrument(scope.span().clone())
                    .await;
            }
            let report = scope.finish();
            assert!(report.to_string().contains("hunter2-secret"), "{report}");
            assert!(report.to_json().to_string().contains("hunter2-secret"), "{report}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn budgets_pass_and_fail() {
            let Some(pool) = $pool else { return };
            let (_authors, posts) = fixture!($db, ph, pool, "budget", 3);
            let q = format!("SELECT title FROM {posts} WHERE id = {}", ph(1));
            let n = query_guard::assert_max_queries!(3, async {
                for id in 1..=3_i64 {
                    sqlx::query(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_one(&pool).await.unwrap();
                }
                3
            })
            .await;
            assert_eq!(n, 3);

            let pool2 = pool.clone();
            let q2 = q.clone();
            let failed = tokio::spawn(async move {
                query_guard::assert_max_queries!(2, async {
                    for id in 1..=3_i64 {
                        sqlx::query(sqlx::AssertSqlSafe(q2.as_str())).bind(id).fetch_one(&pool2).await.unwrap();
                    }
                })
                .await
            })
            .await
            .expect_err("a budget of 2 with 3 queries must fail");
            let msg = panic_message(failed);
            assert!(msg.contains("expected at most 2 queries, 3 ran"), "{msg}");
            assert!(msg.contains(&format!("SELECT title FROM {posts} WHERE id =")), "{msg}");
            // Every statement numbered.
            assert!(msg.contains("  1. ") && msg.contains("  3. "), "{msg}");

            let scope = Scope::builder("reads only").budget(Budget::new().max(10).max_writes(0)).open().unwrap();
            {
                use tracing::Instrument;
                async {
                    sqlx::query(sqlx::AssertSqlSafe(q.as_str())).bind(1_i64).fetch_one(&pool).await.unwrap();
                    sqlx::query(sql!("UPDATE {posts} SET title = 'x' WHERE id = 2")).execute(&pool).await.unwrap();
                }
                .instrument(scope.span().clone())
                .await;
            }
            let report = scope.finish();
            assert!(report.failed(), "{report}");
            assert_eq!(report.violations()[0].limit, query_guard::detect::budget::Limit::Writes);
            assert!(report.to_string().contains("expected at most 0 writes, 1 ran"), "{report}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn finds_the_n_plus_one_and_not_its_fix() {
            let Some(pool) = $pool else { return };
            let (authors, posts) = fixture!($db, ph, pool, "nplus1", 6);
            let ((), report) = capture_async("n+1", async {
                let rows: Vec<(i32,)> = sqlx::query_as(sql!("SELECT CAST(author_id AS INTEGER) FROM {posts} ORDER BY id"))
                    .fetch_all(&pool).await.unwrap();
                for (author_id,) in rows {
                    sqlx::query(sql!("SELECT name FROM {authors} WHERE id = {}", ph(1)))
                        .bind(author_id).fetch_one(&pool).await.unwrap();
                }
            })
            .await;
            assert_eq!(report.count(), 7, "{report}");
            let found = report.n_plus_one();
            assert_eq!(found.len(), 1, "{report}");
            assert_eq!(found[0].count, 6);
            assert!(found[0].normalized.contains(&authors), "{report}");
            assert!(report.to_string().contains("N+1: 6 ×"), "{report}");

            let ((), fixed) = capture_async("fixed", async {
                sqlx::query(sql!("SELECT id, author_id FROM {posts} ORDER BY id")).fetch_all(&pool).await.unwrap();
                sqlx::query(sql!("SELECT id, name FROM {authors} WHERE id IN (1, 2, 3, 4, 5, 6)"))
                    .fetch_all(&pool).await.unwrap();
            })
            .await;
            assert_eq!(fixed.count(), 2, "{fixed}");
            assert!(fixed.n_plus_one().is_empty(), "{fixed}");
        }

        #[test]
        fn sixty_four_concurrent_scopes_see_only_their_own_statements() {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
            rt.block_on(async {
                let Some(pool) = $pool else { return };
                let tasks: Vec<_> = (0..64_usize)
                    .map(|i| {
                        let pool = pool.clone();
                        tokio::spawn(async move {
                            let ((), report) = capture_async(&format!("task {i}"), async {
                                for _ in 0..=(i % 7) {
                                    sqlx::query("SELECT 1").fetch_one(&pool).await.unwrap();
                                    tokio::task::yield_now().await;
                                }
                            })
                            .await;
                            (i, report.count())
                        })
                    })
                    .collect();
                for task in tasks {
                    let (i, count) = task.await.unwrap();
                    assert_eq!(count, i % 7 + 1, "scope {i} saw another scope's statements, or lost its own");
                }
            });
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn spawned_tasks_count_when_they_carry_the_span() {
            let Some(pool) = $pool else { return };
            let ((), report) = capture_async("spawn", async {
                let p = pool.clone();
                query_guard::spawn(async move {
                    sqlx::query("SELECT 1").fetch_one(&p).await.unwrap();
                })
                .await
                .unwrap();
                // A task spawned without the span is outside the scope, as tracing defines it.
                let p = pool.clone();
                tokio::spawn(async move {
                    sqlx::query("SELECT 2").fetch_one(&p).await.unwrap();
                })
                .await
                .unwrap();
            })
            .await;
            assert_eq!(report.count(), 1, "{report}");
            assert!(report.statements()[0].normalized.contains('1') || report.statements()[0].normalized.contains('?')
                || report.statements()[0].normalized.contains('$'), "{report}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn statements_under_trace_spans_are_counted() {
            use tracing::Instrument;
            let Some(pool) = $pool else { return };
            let ((), report) = capture_async("trace spans", async {
                // Created inside the scope: a span's parent is the span current at its creation.
                async {
                    sqlx::query("SELECT 1").fetch_one(&pool).await.unwrap();
                    let p = pool.clone();
                    query_guard::spawn(async move {
                        sqlx::query("SELECT 2").fetch_one(&p).await.unwrap();
                    })
                    .await
                    .unwrap();
                    assert!(query_guard::record(query_guard::StatementRecord::new("SELECT 3")));
                }
                .instrument(tracing::trace_span!("repository"))
                .await
            })
            .await;
            assert_eq!(report.count(), 3, "{report}");
            assert!(report.statements().iter().all(|s| s.call_path.to_string().starts_with("repository")), "{report}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn nested_scopes_count_in_their_parent_too() {
            let Some(pool) = $pool else { return };
            let ((inner_count), outer) = capture_async("outer", async {
                sqlx::query("SELECT 1").fetch_one(&pool).await.unwrap();
                let ((), inner) = capture_async("inner", async {
                    for _ in 0..3 {
                        sqlx::query("SELECT 2").fetch_one(&pool).await.unwrap();
                    }
                })
                .await;
                inner.count()
            })
            .await;
            assert_eq!(inner_count, 3);
            assert_eq!(outer.count(), 4, "{outer}");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn failed_statements_are_counted() {
            let Some(pool) = $pool else { return };
            // Many times over: on SQLite the caller gets the error before sqlx's worker thread
            // logs the statement, so a scope that closes at once must wait for that event.
            for round in 0..20 {
                let ((), report) = capture_async("failing", async {
                    let err = sqlx::query("SELECT * FROM qg_table_that_does_not_exist").fetch_all(&pool).await;
                    assert!(err.is_err());
                })
                .await;
                assert_eq!(report.count(), 1, "round {round}: {report}");
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn transaction_control_is_not_counted_by_default() {
            let Some(pool) = $pool else { return };
            let (authors, _posts) = fixture!($db, ph, pool, "tx", 1);
            let run = |budget: Budget| {
                let pool = pool.clone();
                let authors = authors.clone();
                async move {
                    let scope = Scope::builder("tx").budget(budget).open().unwrap();
                    {
                        use tracing::Instrument;
                        async {
                            let mut tx = pool.begin().await.unwrap();
                            sqlx::query(sql!("UPDATE {authors} SET name = 'n' WHERE id = 1"))
                                .execute(&mut *tx).await.unwrap();
                            tx.commit().await.unwrap();
                        }
                        .instrument(scope.span().clone())
                        .await;
                    }
                    scope.finish()
                }
            };
            let report = run(Budget::new()).await;
            assert_eq!(report.count(), 1, "{report}");
            assert_eq!(report.counts().transactions, $tx, "{report}");
            let tx_listed = report.statements().iter().filter(|s| s.class == Class::Transaction).count();
            assert_eq!(tx_listed, $tx, "{report}");
            let counted = run(Budget::new().include_transactions(true)).await;
            assert_eq!(counted.count(), 1 + $tx, "{counted}");
        }
    };
}
