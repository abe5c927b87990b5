//! The end-to-end suite on MariaDB (skipped, saying so, without a server; required in CI).

query_guard_tests::db_suite!(
    pool = query_guard_tests::mariadb(8).await,
    db = "mariadb",
    ph = |_n: usize| "?".to_owned(),
    // sqlx's MySQL driver logs BEGIN and COMMIT.
    tx_logged = 2,
);
