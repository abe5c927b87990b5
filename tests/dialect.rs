//! Which database a sqlx statement is for, end to end: sqlx's events do not say, so query-guard
//! learns it from the SQLite worker thread, the driver frames of the stack (with backtraces
//! on), an enclosing span's `db.system`, the scope's `dialect` setting and the statement's own
//! syntax; with none of them, quoted text any database could read as a value is masked.

use query_guard::fingerprint::Dialect;
use query_guard::{Report, Scope, ScopeBuilder};
use tracing::Instrument;

/// Runs `f` in a scope built by `builder` and returns its report.
async fn run<F, Fut>(builder: ScopeBuilder, f: F) -> Report
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    query_guard::install().ok();
    let scope = builder.open().expect("scope");
    f().instrument(scope.span().clone()).await;
    scope.finish()
}

fn texts(report: &Report) -> Vec<(String, Dialect)> {
    report
        .statements()
        .iter()
        .map(|s| (s.normalized.to_string(), s.dialect))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_statements_are_known_by_their_worker_thread() {
    let pool = query_guard_tests::sqlite().await;
    let report = run(Scope::builder("sqlite"), || async {
        // SQLite reads a double-quoted word that names no column as a string.
        let _ = sqlx::query(r#"SELECT "hunter2""#).fetch_all(&pool).await;
        let _ = sqlx::query(r#"SELECT "x"."y" FROM (SELECT 1 AS y) AS "x""#)
            .fetch_all(&pool)
            .await;
    })
    .await;
    assert_eq!(
        texts(&report),
        [
            ("SELECT $1".to_owned(), Dialect::Sqlite),
            (
                "SELECT x.y FROM (SELECT $1 y) x".to_owned(),
                Dialect::Sqlite
            ),
        ],
        "{report}"
    );
    assert!(!report.to_string().contains("unknown"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_statements_by_syntax_setting_span_and_driver_frames() {
    let Some(pool) = query_guard_tests::postgres(2).await else {
        return;
    };
    let ambiguous = r#"SELECT "ok" FROM (SELECT 1 AS ok) s"#;
    // Unknown: `"ok"` could be a MySQL string.
    let report = run(Scope::builder("pg unknown"), || async {
        sqlx::query(ambiguous).fetch_all(&pool).await.unwrap();
        sqlx::query(r#"SELECT "ok" FROM (SELECT $1::int AS ok) s"#)
            .bind(1)
            .fetch_all(&pool)
            .await
            .unwrap();
    })
    .await;
    assert_eq!(
        texts(&report),
        [
            (
                "SELECT $1 FROM (SELECT $2 ok) s".to_owned(),
                Dialect::Generic
            ),
            // `$1` and `::` say PostgreSQL.
            (
                "SELECT ok FROM (SELECT $1::int ok) s".to_owned(),
                Dialect::Postgres
            ),
        ],
        "{report}"
    );
    assert!(
        report
            .to_string()
            .contains("the database of 1 statement was unknown"),
        "{report}"
    );
    let exact = [(
        "SELECT ok FROM (SELECT $1 ok) s".to_owned(),
        Dialect::Postgres,
    )];
    // The scope's setting.
    let report = run(
        Scope::builder("pg setting").dialect(Dialect::Postgres),
        || async {
            sqlx::query(ambiguous).fetch_all(&pool).await.unwrap();
        },
    )
    .await;
    assert_eq!(texts(&report), exact, "{report}");
    // An enclosing span's db.system.
    let report = run(Scope::builder("pg span"), || async {
        sqlx::query(ambiguous)
            .fetch_all(&pool)
            .instrument(tracing::info_span!("db", db.system = "postgresql"))
            .await
            .unwrap();
    })
    .await;
    assert_eq!(texts(&report), exact, "{report}");
    // The stack: sqlx_postgres's frames are below the application's.
    let report = run(Scope::builder("pg stack").backtrace(true), || async {
        sqlx::query(ambiguous).fetch_all(&pool).await.unwrap();
    })
    .await;
    assert_eq!(texts(&report), exact, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_double_quoted_strings_are_masked_every_way() {
    let Some(pool) = query_guard_tests::mariadb(2).await else {
        return;
    };
    for builder in [
        Scope::builder("my unknown"),
        Scope::builder("my stack").backtrace(true),
        Scope::builder("my setting").dialect(Dialect::MySql),
    ] {
        let report = run(builder, || async {
            sqlx::query(r#"SELECT "hunter2" AS `x`"#)
                .fetch_all(&pool)
                .await
                .unwrap();
            sqlx::query(r#"SELECT 'it\'s', 'hunter2' FROM DUAL WHERE ? = 1"#)
                .bind(1)
                .fetch_all(&pool)
                .await
                .unwrap();
        })
        .await;
        let shown = report.to_string();
        assert!(!shown.contains("hunter2"), "{shown}");
        // sqlx's connection set-up (`SET sql_mode = …`) is internal and says nothing either way.
        let dialects: Vec<Dialect> = report
            .statements()
            .iter()
            .filter(|s| s.class != query_guard::Class::Internal)
            .map(|s| s.dialect)
            .collect();
        // A backquote and a `?` say MySQL (SQLite is ruled out by the thread).
        assert_eq!(dialects, [Dialect::MySql, Dialect::MySql], "{shown}");
    }
}
