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
//!
//! Never hangs: connecting waits at most the URL's `connect_timeout` (seconds, as libpq reads
//! it) or [`CONNECT_TIMEOUT`]; inside the transaction, `SET LOCAL` bounds each statement to
//! [`STATEMENT_TIMEOUT`] and each lock wait (a `DROP EXTENSION` holding the view) to
//! [`LOCK_TIMEOUT`] unless the session already has its own bound; and the whole read gives up
//! after [`READ_TIMEOUT`] whatever the server does (a peer that stopped answering).

use std::time::Duration;

use sqlx::{Connection, Row};

use super::columns::Builder;
use super::input::{Format, ServerInfo, Snapshot};
use super::json;
use crate::failure::Failure;
use crate::redact::redact;

/// What went wrong reading the view, turned into advice.
pub(crate) fn explain(code: Option<&str>, message: &str, db: &str) -> String {
    if code == Some("42P01") || message.contains("relation \"pg_stat_statements\" does not exist") {
        format!(
            "pg_stat_statements is not installed in {db}: run `CREATE EXTENSION pg_stat_statements;` in it (as a superuser), with `shared_preload_libraries = 'pg_stat_statements'` in postgresql.conf (restart after changing it)"
        )
    } else if code == Some("55000") || message.contains("shared_preload_libraries") {
        "pg_stat_statements is installed but not loaded: add `shared_preload_libraries = 'pg_stat_statements'` to postgresql.conf (or `ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`) and restart the server".to_owned()
    } else if code == Some("55P03") {
        format!(
            "cannot read pg_stat_statements in {db}: another session holds a lock on it ({message}; \
             lock_timeout {LOCK_TIMEOUT} unless the session sets its own); try again later"
        )
    } else if code == Some("57014") {
        format!(
            "cannot read pg_stat_statements in {db}: the read was cancelled ({message}; \
             statement_timeout {STATEMENT_TIMEOUT} unless the session sets its own)"
        )
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

/// How long connecting may take when the URL gives no `connect_timeout`.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// `statement_timeout` of the read-only transaction (when the session has none).
pub(crate) const STATEMENT_TIMEOUT: &str = "30s";
/// `lock_timeout` of the read-only transaction (when the session has none): reading the view
/// needs only a share lock, so a longer wait means something holds it exclusively.
pub(crate) const LOCK_TIMEOUT: &str = "2s";
/// How long the whole read may take once connected, on the client's clock.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// The URL's `connect_timeout` parameter, in whole seconds as libpq reads it; `None` when absent,
/// not a number, or 0 (libpq's "wait forever", which this command does not do).
pub(crate) fn connect_timeout(url: &str) -> Option<Duration> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "connect_timeout")
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map(Duration::from_secs)
}

/// Read a snapshot from the server at `url`.
pub(crate) fn read(url: &str) -> Result<Snapshot, Failure> {
    let shown = redact(url);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    let wait = connect_timeout(url).unwrap_or(CONNECT_TIMEOUT);
    rt.block_on(async {
        let mut conn =
            match tokio::time::timeout(wait, sqlx::postgres::PgConnection::connect(url)).await {
                Ok(connected) => connected
                    .map_err(|e| Failure::usage(format!("cannot connect to {shown}: {e}")))?,
                Err(_) => {
                    return Err(Failure::usage(format!(
                        "cannot connect to {shown}: no answer within {} s (set `connect_timeout` \
                         in the URL to wait longer)",
                        wait.as_secs()
                    )));
                }
            };
        let result = tokio::time::timeout(READ_TIMEOUT, read_in_transaction(&mut conn, &shown))
            .await
            .unwrap_or_else(|_| {
                Err(Failure::usage(format!(
                    "{shown} did not answer within {} s while pg_stat_statements was read; \
                     nothing was changed",
                    READ_TIMEOUT.as_secs()
                )))
            });
        let _ = tokio::time::timeout(Duration::from_secs(5), conn.close()).await;
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
    // Bounds for this transaction only (`is_local`), where the session (the URL's `options`,
    // the role, the database) sets none of its own.
    sqlx::query(
        "SELECT set_config(name, $1, true) FROM pg_settings \
         WHERE name = 'statement_timeout' AND setting = '0' \
         UNION ALL \
         SELECT set_config(name, $2, true) FROM pg_settings \
         WHERE name = 'lock_timeout' AND setting = '0'",
    )
    .bind(STATEMENT_TIMEOUT)
    .bind(LOCK_TIMEOUT)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Failure::usage(format!("cannot set the read's timeouts on {shown}: {e}")))?;
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
    }

    #[test]
    fn connect_timeout_from_the_url() {
        let secs = |u: &str| connect_timeout(u).map(|d| d.as_secs());
        assert_eq!(secs("postgres://u@h/d?connect_timeout=3"), Some(3));
        assert_eq!(
            secs("postgres://u@h/d?sslmode=disable&connect_timeout=25"),
            Some(25)
        );
        for none in [
            "postgres://u@h/d",
            "postgres://u@h/d?connect_timeout=0",
            "postgres://u@h/d?connect_timeout=soon",
            "postgres://u@h/d?xconnect_timeout=3",
        ] {
            assert_eq!(secs(none), None, "{none}");
        }
    }
}
