//! The end-to-end suite on in-memory SQLite (always available: no server needed).

query_guard_tests::db_suite!(
    pool = Some(query_guard_tests::sqlite().await),
    db = "sqlite",
    ph = |_n: usize| "?".to_owned(),
    // sqlx's SQLite driver logs neither BEGIN nor COMMIT.
    tx_logged = 0,
);
