//! The accuracy suite on PostgreSQL (skipped, saying so, without a server; required in CI):
//! labelled scenarios, every finding they must produce and nothing else (see
//! `common/accuracy.rs`).

query_guard_tests::accuracy_suite!(
    pool = query_guard_tests::postgres(4).await,
    pool_type = sqlx::PgPool,
    db = "pg",
    ph = |n: usize| format!("${n}"),
);
