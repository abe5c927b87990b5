//! `--database-url`: read pg_stat_statements from a running server.
//!
//! Read-only by construction: one connection, one `BEGIN READ ONLY` transaction, only `SELECT`s
//! (the view, `pg_stat_statements_info` when it exists, and a few settings), then `ROLLBACK`.
//! Nothing is ever reset. Rows travel as `row_to_json(s)::text` and go through the JSON reader,
//! so a live snapshot and a JSON dump of the same rows give the same report.
//!
//! When the view is missing (SQLSTATE 42P01, undefined_table) the extension is not created in
//! that database; when the extension exists but the library was not preloaded, reading the view
//! fails with SQLSTATE 55000 and "pg_stat_statements must be loaded via
//! shared_preload_libraries". Each gets its own advice.

use sqlx::{Connection, Row};

use super::columns::Builder;
use super::input::{Format, ServerInfo, Snapshot};
use super::json;
use crate::Failure;

/// The URL without its password, for messages and the report.
pub(crate) fn redact(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((auth, host)) = rest.rsplit_once('@')
        && let Some((user, _)) = auth.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_owned()
}

/// What went wrong reading the view, turned into advice.
pub(crate) fn explain(code: Option<&str>, message: &str, db: &str) -> String {
    if code == Some("42P01") || message.contains("relation \"pg_stat_statements\" does not exist") {
        format!(
            "pg_stat_statements is not installed in {db}: run `CREATE EXTENSION pg_stat_statements;` in it (as a superuser), with `shared_preload_libraries = 'pg_stat_statements'` in postgresql.conf (restart after changing it)"
        )
    } else if code == Some("55000") || message.contains("shared_preload_libraries") {
        "pg_stat_statements is installed but not loaded: add `shared_preload_libraries = 'pg_stat_statements'` to postgresql.conf (or `ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`) and restart the server".to_owned()
    } else if code == Some("42501") {
        format!(
            "not allowed to read pg_stat_statements ({message}); grant pg_read_all_stats to this role"
        )
    } else {
        format!("cannot read pg_stat_statements: {message}")
    }
}

fn db_failure(e: sqlx::Error, what: &str, db: &str) -> Failure {
    match &e {
        sqlx::Error::Database(d) => Failure::usage(explain(d.code().as_deref(), d.message(), db)),
        _ => Failure::usage(format!("{what}: {e}")),
    }
}

/// Read a snapshot from the server at `url`.
pub(crate) fn read(url: &str) -> Result<Snapshot, Failure> {
    let shown = redact(url);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async {
        let mut conn = sqlx::postgres::PgConnection::connect(url)
            .await
            .map_err(|e| Failure::usage(format!("cannot connect to {shown}: {e}")))?;
        let result = read_in_transaction(&mut conn, &shown).await;
        let _ = conn.close().await;
        result
    })
}

async fn read_in_transaction(
    conn: &mut sqlx::postgres::PgConnection,
    shown: &str,
) -> Result<Snapshot, Failure> {
    sqlx::raw_sql("BEGIN READ ONLY")
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            Failure::usage(format!(
                "cannot start a read-only transaction on {shown}: {e}"
            ))
        })?;
    let db: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| db_failure(e, "cannot read the database name", shown))?;
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT row_to_json(s)::text FROM pg_stat_statements s")
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| {
                db_failure(
                    e,
                    "cannot read pg_stat_statements",
                    &format!("database {db:?}"),
                )
            })?;
    let settings = sqlx::query(
        "SELECT current_setting('pg_stat_statements.max', true), current_setting('track_io_timing', true), \
         current_setting('pg_stat_statements.track_planning', true), current_setting('pg_stat_statements.track', true), \
         current_setting('server_version', true), to_regclass('pg_stat_statements_info') IS NOT NULL",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| db_failure(e, "cannot read the settings", shown))?;
    let get = |k: usize| settings.try_get::<Option<String>, _>(k).ok().flatten();
    let mut server = ServerInfo {
        max: get(0).and_then(|v| v.parse().ok()),
        track_io_timing: get(1),
        track_planning: get(2),
        track: get(3),
        server_version: get(4),
        ..ServerInfo::default()
    };
    let has_info: bool = settings.try_get(5).unwrap_or(false);
    if has_info {
        let info = sqlx::query("SELECT dealloc, stats_reset::text FROM pg_stat_statements_info")
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| db_failure(e, "cannot read pg_stat_statements_info", shown))?;
        if let Some(row) = info {
            server.dealloc = row
                .try_get::<Option<i64>, _>(0)
                .ok()
                .flatten()
                .map(|d| d.max(0) as u64);
            server.stats_reset = row.try_get::<Option<String>, _>(1).ok().flatten();
        }
    }
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut *conn)
        .await
        .map_err(|e| Failure::usage(format!("cannot end the read-only transaction: {e}")))?;

    let mut b = Builder::new(shown);
    let text = rows.join("\n");
    json::parse(&text, &mut b)?;
    // Live rows have no input lines.
    for e in &mut b.entries {
        e.line = 0;
    }
    Ok(Snapshot {
        name: shown.to_owned(),
        format: Format::Live,
        columns: b.columns,
        entries: b.entries,
        server: Some(server),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice() {
        assert!(
            explain(
                Some("42P01"),
                "relation \"pg_stat_statements\" does not exist",
                "database \"x\""
            )
            .contains("CREATE EXTENSION pg_stat_statements")
        );
        let m = explain(
            Some("55000"),
            "pg_stat_statements must be loaded via \"shared_preload_libraries\"",
            "x",
        );
        assert!(
            m.contains("shared_preload_libraries = 'pg_stat_statements'") && m.contains("restart"),
            "{m}"
        );
        assert_eq!(
            redact("postgres://u:secret@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
        assert_eq!(redact("postgres://u@h/d"), "postgres://u@h/d");
    }
}
