//! The macros that generate the accuracy suite for one database: [`crate::accuracy_suite!`]
//! (the application and its scenarios, from the sibling modules' macros, in an `app` module;
//! one test per scenario; `accuracy_summary`) and `accuracy_tests!`.

/// One `#[tokio::test]` per scenario (used by [`crate::accuracy_suite!`]), and `TESTED`, their
/// names, so a test can check that every scenario has one.
#[doc(hidden)]
#[macro_export]
macro_rules! accuracy_tests {
    ($($name:ident),* $(,)?) => {
        const TESTED: &[&str] = &[$(stringify!($name)),*];
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                run_alone(stringify!($name)).await;
            }
        )*
    };
}

/// Generates the accuracy suite for one database: the application code, the labelled scenarios,
/// one test per scenario and `accuracy_summary`, which runs them all and prints the confusion
/// matrix.
///
/// - `pool`: an async expression giving `Option<Pool>` (`None`: skip, the helper said why);
/// - `pool_type`: the pool's type (`sqlx::SqlitePool`, `sqlx::PgPool`), which must implement
///   [`BatchLoad`];
/// - `db`: a short name used in table names;
/// - `ph`: `fn(usize) -> String` giving the n-th placeholder (`$1` or `?`).
#[macro_export]
#[rustfmt::skip]
macro_rules! accuracy_suite {
    (pool = $pool:expr, pool_type = $pool_type:ty, db = $db:literal, ph = $ph:expr $(,)?) => {
        use query_guard::allow::Allowance;
        use query_guard::{Budget, Report, Scope, capture_async};
        use tracing::Instrument;
        use $crate::accuracy::{
            self as acc, BatchLoad, BoxFuture, duplicate, expect, n_plus_one, sequence,
        };
        use $crate::sql;

        type Pool = $pool_type;
        type Cx = acc::Cx<Pool>;
        fn ph(n: usize) -> String {
            ($ph)(n)
        }

        /// The application code and the scenarios that run it (in a module: the tests have the
        /// scenarios' names).
        mod app {
            use super::*;

            $crate::accuracy_app!();
            $crate::accuracy_must_flag!();
            $crate::accuracy_must_not_flag!();
            $crate::accuracy_scenarios!();
        }

        // ---------------------------------------------------------------------------------
        // The tests.
        // ---------------------------------------------------------------------------------

        /// Builds the scenario's tables, runs it, drops them, and compares.
        async fn run_scenario(pool: &Pool, scenario: &acc::Scenario<Cx>, test: &str) -> acc::Run {
            let t = std::sync::Arc::new(acc::Tables::new($db, test));
            sqlx::raw_sql(sqlx::AssertSqlSafe(t.create_sql(scenario.tables))).execute(pool).await.unwrap();
            let cx = acc::Cx { pool: pool.clone(), t: t.clone() };
            let started = std::time::Instant::now();
            let reports = (scenario.run)(cx).await;
            let elapsed = started.elapsed();
            sqlx::raw_sql(sqlx::AssertSqlSafe(t.drop_sql(scenario.tables))).execute(pool).await.unwrap();
            acc::Run::new(scenario, &t, reports, elapsed)
        }

        async fn run_alone(name: &str) {
            let Some(pool) = $pool else { return };
            let all = app::scenarios();
            let scenario = all.iter().find(|s| s.name == name).expect("a scenario of that name");
            run_scenario(&pool, scenario, name).await.assert_ok();
        }

        $crate::accuracy_tests!(
            children_per_parent,
            related_row_per_row,
            insert_per_row,
            update_per_row,
            spawned_tasks,
            interleaved,
            repeated_sequence,
            threshold_exactly,
            delete_per_row,
            helper_in_other_span,
            nested,
            empty_children,
            pk_literals,
            inside_transaction,
            three_step_sequence,
            top_k_per_parent,
            multi_row_insert,
            same_query_two_scopes,
            retry,
            keyset_pagination,
            same_row_two_call_sites,
            transaction_control,
            single_join,
            batched_load,
            different_shapes,
            below_threshold,
            offset_pagination,
            accepted_by_allowance,
            same_value_in_loop,
            chunked_batch_load,
            chunked_bulk_insert,
        );

        #[test]
        fn every_scenario_has_its_own_test() {
            let names: Vec<&str> = app::scenarios().iter().map(|s| s.name).collect();
            assert!(names.len() >= 20, "the suite needs at least 20 scenarios");
            assert_eq!(names, TESTED, "one test per scenario, in the same order");
        }

        /// Runs every scenario, prints the confusion matrix, and fails on any false positive,
        /// false negative or miscount.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn accuracy_summary() {
            let Some(pool) = $pool else { return };
            let started = std::time::Instant::now();
            let mut runs = Vec::new();
            for scenario in &app::scenarios() {
                runs.push(run_scenario(&pool, scenario, &format!("all_{}", scenario.name)).await);
            }
            println!("{}", acc::matrix($db, &runs, started.elapsed()));
            let (fp, fn_): (usize, usize) = runs
                .iter()
                .fold((0, 0), |(fp, fn_), r| (fp + r.false_positives.len(), fn_ + r.false_negatives.len()));
            if let Some(failed) = runs.iter().find(|r| !r.problems().is_empty()) {
                failed.assert_ok();
            }
            assert_eq!((fp, fn_), (0, 0), "false positives, false negatives");
        }
    };
}
