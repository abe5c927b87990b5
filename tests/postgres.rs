//! The end-to-end suite on PostgreSQL (skipped, saying so, without a server; required in CI).

query_guard_tests::db_suite!(
    pool = query_guard_tests::postgres(8).await,
    db = "pg",
    ph = |n: usize| format!("${n}"),
    // sqlx's PostgreSQL driver logs COMMIT but not BEGIN.
    tx_logged = 1,
);

/// sqlx resolves a type it does not know (here a custom enum) with its own catalog query, once
/// per connection: that statement is listed as internal and not counted, so budgets do not depend
/// on whether the pool happened to open a new connection inside the scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_catalog_lookups_are_not_counted() {
    let Some(setup) = query_guard_tests::postgres(1).await else {
        return;
    };
    sqlx::raw_sql(
        "DROP TYPE IF EXISTS qg_pg_mood CASCADE; CREATE TYPE qg_pg_mood AS ENUM ('happy', 'sad')",
    )
    .execute(&setup)
    .await
    .unwrap();
    setup.close().await;
    // A fresh connection, whose type cache does not know the enum yet.
    let pool = query_guard_tests::postgres(1).await.unwrap();
    let ((), report) = query_guard::capture_async("custom type", async {
        sqlx::query("SELECT 'happy'::qg_pg_mood AS mood")
            .fetch_all(&pool)
            .await
            .unwrap();
    })
    .await;
    assert_eq!(report.count(), 1, "{report}");
    assert!(
        report.counts().internal >= 1,
        "sqlx's type look-up should be listed: {report}"
    );
    let internal: Vec<_> = report
        .statements()
        .iter()
        .filter(|s| s.class == query_guard::Class::Internal)
        .collect();
    assert!(internal.iter().all(|s| !s.counted), "{report}");
    assert!(
        report.to_string().contains("not counted: internal"),
        "{report}"
    );
}
