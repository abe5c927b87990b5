//! The end-to-end suite on PostgreSQL (skipped, saying so, without a server; required in CI).

query_guard_tests::db_suite!(
    pool = query_guard_tests::postgres(8).await,
    db = "pg",
    ph = |n: usize| format!("${n}"),
    // sqlx's PostgreSQL driver logs COMMIT but not BEGIN.
    tx_logged = 1,
);
