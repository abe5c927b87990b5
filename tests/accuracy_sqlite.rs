//! The accuracy suite on in-memory SQLite: labelled scenarios, every finding they must produce
//! and nothing else (see `common/accuracy.rs`).

query_guard_tests::accuracy_suite!(
    pool = Some(query_guard_tests::sqlite().await),
    pool_type = sqlx::SqlitePool,
    db = "sqlite",
    ph = |_n: usize| "?".to_owned(),
);
