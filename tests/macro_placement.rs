//! `#[query_budget]` above `#[sqlx::test]` and `#[tokio::test]`, counting real sqlx statements
//! on SQLite (the macro crate's own tests cover every other shape without a database).

use query_guard::query_budget;
use sqlx::SqlitePool;

async fn schema(pool: &SqlitePool) {
    sqlx::raw_sql(
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, name TEXT NOT NULL)",
    )
    .execute(pool)
    .await
    .unwrap();
}

#[query_budget(max = 3)]
#[sqlx::test]
async fn above_sqlx_test_within_budget(pool: SqlitePool) {
    schema(&pool).await;
    sqlx::query("INSERT INTO tags (post_id, name) VALUES (1, 'rust'), (1, 'sql')")
        .execute(&pool)
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tags")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[query_budget(max = 2)]
#[sqlx::test]
#[should_panic(expected = "expected at most 2 queries, 3 ran")]
async fn above_sqlx_test_over_budget(pool: SqlitePool) {
    schema(&pool).await;
    for post in 1..=2_i64 {
        sqlx::query("SELECT name FROM tags WHERE post_id = ?")
            .bind(post)
            .fetch_all(&pool)
            .await
            .unwrap();
    }
}

#[query_budget(list, deny_n_plus_one)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "expected no N+1, found 1")]
async fn above_tokio_test_deny_n_plus_one() {
    let pool = query_guard_tests::sqlite().await;
    schema(&pool).await;
    for post in 1..=3_i64 {
        sqlx::query("SELECT name FROM tags WHERE post_id = ?")
            .bind(post)
            .fetch_all(&pool)
            .await
            .unwrap();
    }
}

#[query_budget(detail)]
#[tokio::test]
async fn above_tokio_test_result_and_question_mark() -> Result<(), sqlx::Error> {
    let pool = query_guard_tests::sqlite().await;
    schema(&pool).await;
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM tags")
        .fetch_all(&pool)
        .await?;
    assert!(names.is_empty());
    Ok(())
}
