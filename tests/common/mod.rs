//! Shared set-up for the end-to-end tests: database connections that skip (saying so) on a
//! machine without the database, and fail when `QUERY_GUARD_REQUIRE_DB=1` (as in CI).

use sqlx::{MySqlPool, PgPool, SqlitePool};

/// URL of the PostgreSQL test database (`QUERY_GUARD_PG_URL`, default the local `test` database).
pub fn pg_url() -> String {
    std::env::var("QUERY_GUARD_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// URL of the MariaDB test database (`QUERY_GUARD_MYSQL_URL`, default the local `test` database).
pub fn mysql_url() -> String {
    std::env::var("QUERY_GUARD_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

/// Whether database-backed tests must run (CI sets `QUERY_GUARD_REQUIRE_DB=1`).
pub fn db_required() -> bool {
    matches!(
        std::env::var("QUERY_GUARD_REQUIRE_DB").as_deref(),
        Ok("1") | Ok("true")
    )
}

fn unavailable<T>(what: &str, url: &str, err: impl std::fmt::Display) -> Option<T> {
    if db_required() {
        panic!("{what} at {url} is required (QUERY_GUARD_REQUIRE_DB=1) but unreachable: {err}");
    }
    eprintln!(
        "SKIPPED: {what} at {url} is unreachable ({err}); set QUERY_GUARD_REQUIRE_DB=1 to make this a failure"
    );
    None
}

/// A PostgreSQL pool, or `None` (with a SKIPPED line on stderr) when the server is unreachable.
pub async fn postgres(max_connections: u32) -> Option<PgPool> {
    let url = pg_url();
    match sqlx::postgres::PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(&url)
        .await
    {
        Ok(pool) => Some(pool),
        Err(e) => unavailable("PostgreSQL", &url, e),
    }
}

/// A MariaDB pool, or `None` (with a SKIPPED line on stderr) when the server is unreachable.
pub async fn mariadb(max_connections: u32) -> Option<MySqlPool> {
    let url = mysql_url();
    match sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(&url)
        .await
    {
        Ok(pool) => Some(pool),
        Err(e) => unavailable("MariaDB", &url, e),
    }
}

/// An in-memory SQLite pool: one connection, never recycled, so every statement sees the same
/// database (each `sqlite::memory:` connection would otherwise get its own empty one).
pub async fn sqlite() -> SqlitePool {
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite")
}

pub mod accuracy;
pub mod plans;
mod suite;
#[doc(hidden)]
#[path = "support.rs"]
pub mod suite_support;
