//! What may run: the SQL must be exactly one statement that the database's EXPLAIN accepts,
//! and, on PostgreSQL, one that neither writes (unless allowed), calls a function whose effect a
//! rollback cannot undo, nor has bind placeholders. Decided before anything is sent.

use query_guard_fingerprint::Dialect;

use super::error::ExplainError;
use super::options::ExplainOptions;
use crate::model::Engine;
use crate::split::{self, SplitError, Statement};

/// Commands the refusals may name (never a word of the user's own: it could be a value).
const COMMANDS: &[&str] = &[
    "ABORT",
    "ALTER",
    "ANALYZE",
    "ATTACH",
    "BEGIN",
    "CALL",
    "CHECKPOINT",
    "CLOSE",
    "CLUSTER",
    "COMMENT",
    "COMMIT",
    "COPY",
    "CREATE",
    "DEALLOCATE",
    "DECLARE",
    "DELETE",
    "DETACH",
    "DISCARD",
    "DO",
    "DROP",
    "END",
    "EXECUTE",
    "EXPLAIN",
    "FETCH",
    "GRANT",
    "IMPORT",
    "INSERT",
    "LISTEN",
    "LOAD",
    "LOCK",
    "MERGE",
    "MOVE",
    "NOTIFY",
    "PRAGMA",
    "PREPARE",
    "REASSIGN",
    "REFRESH",
    "REINDEX",
    "RELEASE",
    "REPLACE",
    "RESET",
    "REVOKE",
    "ROLLBACK",
    "SAVEPOINT",
    "SECURITY",
    "SELECT",
    "SET",
    "SHOW",
    "START",
    "TABLE",
    "TRUNCATE",
    "UNLISTEN",
    "UPDATE",
    "VACUUM",
    "VALUES",
    "WITH",
];

/// Functions whose effect escapes PostgreSQL's transaction and that a `READ ONLY` transaction
/// still allows, or that run SQL text given as a string.
const NOT_UNDONE: &[&str] = &[
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_switch_wal",
    "pg_create_restore_point",
    "pg_promote",
    "pg_wal_replay_pause",
    "pg_wal_replay_resume",
    "pg_log_backend_memory_contexts",
    "pg_stat_reset",
    "pg_stat_reset_shared",
    "pg_stat_reset_single_table_counters",
    "pg_stat_reset_single_function_counters",
    "pg_stat_reset_slru",
    "pg_stat_reset_replication_slot",
    "pg_stat_reset_subscription_stats",
    "pg_stat_statements_reset",
    "pg_logical_emit_message",
    "pg_create_physical_replication_slot",
    "pg_create_logical_replication_slot",
    "pg_drop_replication_slot",
    "pg_copy_physical_replication_slot",
    "pg_copy_logical_replication_slot",
    "pg_replication_slot_advance",
    "pg_logical_slot_get_changes",
    "pg_logical_slot_get_binary_changes",
    "pg_replication_origin_create",
    "pg_replication_origin_drop",
    "pg_replication_origin_advance",
    "pg_replication_origin_session_setup",
    "pg_backup_start",
    "pg_backup_stop",
    "pg_start_backup",
    "pg_stop_backup",
    "pg_file_write",
    "pg_file_rename",
    "pg_file_unlink",
    "pg_file_sync",
    "lo_export",
    "lo_import",
    "pg_notify",
    "dblink",
    "dblink_exec",
    "dblink_connect",
    "dblink_connect_u",
    "dblink_open",
    "dblink_send_query",
    "query_to_xml",
    "query_to_xmlschema",
    "query_to_xml_and_xmlschema",
    "ts_stat",
];

fn command(keyword: Option<&str>) -> Option<&'static str> {
    let keyword = keyword?;
    COMMANDS.iter().copied().find(|c| *c == keyword)
}

const PG_ACCEPTS: &str = "EXPLAIN runs SELECT, VALUES, TABLE and WITH statements here, and \
                          INSERT, UPDATE, DELETE and MERGE when writes are allowed";
pub(super) const SQLITE_ACCEPTS: &str =
    "EXPLAIN QUERY PLAN plans SELECT, VALUES, WITH, INSERT, REPLACE, UPDATE and DELETE statements";
const NO_EXPLAIN: &str = "give the statement without EXPLAIN: query-guard adds the EXPLAIN itself";

/// The statement of `sql` if `engine`'s live EXPLAIN may run it with `options`.
pub(super) fn check<'a>(
    sql: &'a str,
    engine: Engine,
    options: &ExplainOptions,
) -> Result<Statement<'a>, ExplainError> {
    let dialect = match engine {
        Engine::Postgres => Dialect::Postgres,
        Engine::Sqlite => Dialect::Sqlite,
    };
    let accepts = |keyword: Option<&str>, text: &str| match engine {
        Engine::Postgres => {
            matches!(
                keyword,
                Some(
                    "SELECT"
                        | "VALUES"
                        | "TABLE"
                        | "WITH"
                        | "INSERT"
                        | "UPDATE"
                        | "DELETE"
                        | "MERGE"
                )
            ) || (keyword.is_none() && text.starts_with('('))
        }
        Engine::Sqlite => matches!(
            keyword,
            Some("SELECT" | "VALUES" | "WITH" | "INSERT" | "REPLACE" | "UPDATE" | "DELETE")
        ),
    };
    let refuse = |keyword: Option<&str>| ExplainError::NotExplainable {
        statement: command(keyword),
        accepted: match (keyword, engine) {
            (Some("EXPLAIN"), _) => NO_EXPLAIN,
            (_, Engine::Postgres) => PG_ACCEPTS,
            (_, Engine::Sqlite) => SQLITE_ACCEPTS,
        },
    };
    let stmt = match split::one_statement(sql, dialect) {
        Ok(stmt) => stmt,
        // A statement EXPLAIN cannot run says so, even when it holds `;` (a trigger's body).
        Err(e @ SplitError::SeveralStatements { .. }) => {
            let first = split::first_keyword(sql, dialect);
            let first = first.as_deref();
            return Err(if first.is_some() && !accepts(first, "") {
                refuse(first)
            } else {
                e.into()
            });
        }
        Err(e) => return Err(e.into()),
    };
    let keyword = stmt.keyword();
    if !accepts(keyword, stmt.text()) {
        return Err(refuse(keyword));
    }
    match engine {
        Engine::Postgres => {
            let write = matches!(keyword, Some("INSERT" | "UPDATE" | "DELETE" | "MERGE"));
            // `SELECT … INTO t` creates a table, and EXPLAIN ANALYZE runs it even in a READ ONLY
            // transaction (the read-only check is the utility command's, which EXPLAIN skips).
            // INTO is reserved: outside quotes it can only be that (or INSERT/MERGE INTO).
            let select_into = !write && stmt.words().iter().any(|w| w == "into");
            if (write || select_into) && !options.allow_writes {
                return Err(ExplainError::WritesNeedAllowWrites {
                    statement: if select_into {
                        "SELECT … INTO"
                    } else {
                        command(keyword).unwrap_or("statement")
                    },
                });
            }
            if let Some(function) = NOT_UNDONE
                .iter()
                .copied()
                .find(|f| stmt.calls().iter().any(|c| c == f))
            {
                return Err(ExplainError::SideEffects { function });
            }
            if stmt.has_placeholders() {
                return Err(ExplainError::Placeholders);
            }
        }
        Engine::Sqlite => {}
    }
    Ok(stmt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_before_anything_is_sent() {
        let reads = ExplainOptions::new();
        let writes = ExplainOptions::new().allow_writes(true);
        let pg = |sql: &str, o: &ExplainOptions| check(sql, Engine::Postgres, o).map(|_| ());
        let lite = |sql: &str| check(sql, Engine::Sqlite, &reads).map(|_| ());
        for ok in [
            "SELECT 1",
            "with x as (select 1) select * from x",
            "VALUES (1)",
            "TABLE t",
            "(SELECT 1) UNION (SELECT 2)",
            "SELECT pg_advisory_lock(1)",
        ] {
            pg(ok, &reads).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for (sql, statement) in [
            ("TRUNCATE t", Some("TRUNCATE")),
            ("DROP TABLE t", Some("DROP")),
            ("VACUUM t", Some("VACUUM")),
            ("CALL p()", Some("CALL")),
            ("DO $$ BEGIN END $$", Some("DO")),
            ("CREATE TABLE t AS SELECT 1", Some("CREATE")),
            ("hunter2 x", None),
            ("'hunter2'", None),
        ] {
            match pg(sql, &writes) {
                Err(ExplainError::NotExplainable {
                    statement: s,
                    accepted,
                }) => {
                    assert_eq!(s, statement, "{sql}");
                    assert_eq!(accepted, PG_ACCEPTS);
                }
                other => panic!("{sql}: {other:?}"),
            }
        }
        let e = pg("TRUNCATE t", &reads).unwrap_err().to_string();
        assert!(
            e.starts_with("a TRUNCATE statement cannot be explained"),
            "{e}"
        );
        let e = pg("'hunter2'", &reads).unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
        let e = pg("EXPLAIN SELECT 1", &reads).unwrap_err().to_string();
        assert!(e.contains("without EXPLAIN"), "{e}");
        for (sql, statement) in [
            ("DELETE FROM t", "DELETE"),
            ("update t set a = 1", "UPDATE"),
            ("INSERT INTO t VALUES (1)", "INSERT"),
            (
                "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE",
                "MERGE",
            ),
            ("SELECT * INTO new_table FROM t", "SELECT … INTO"),
            (
                "WITH x AS (SELECT 1) SELECT * INTO n FROM x",
                "SELECT … INTO",
            ),
        ] {
            assert!(
                matches!(pg(sql, &reads), Err(ExplainError::WritesNeedAllowWrites { statement: s }) if s == statement),
                "{sql}"
            );
            pg(sql, &writes).unwrap();
        }
        for (sql, function) in [
            ("SELECT pg_terminate_backend(42)", "pg_terminate_backend"),
            (
                "SELECT 1 FROM pg_catalog.pg_cancel_backend /* c */ (42)",
                "pg_cancel_backend",
            ),
            ("SELECT \"pg_reload_conf\"()", "pg_reload_conf"),
            (
                "SELECT query_to_xml('SELECT 1', true, true, '')",
                "query_to_xml",
            ),
        ] {
            assert!(
                matches!(pg(sql, &writes), Err(ExplainError::SideEffects { function: f }) if f == function),
                "{sql}"
            );
        }
        // The name inside a string is not a call.
        pg("SELECT 'pg_terminate_backend(1)'", &reads).unwrap();
        assert!(matches!(
            pg("SELECT $1", &reads),
            Err(ExplainError::Placeholders)
        ));
        assert!(matches!(
            pg("SELECT 1; DELETE FROM t", &writes),
            Err(ExplainError::Sql(SplitError::SeveralStatements { .. }))
        ));

        for ok in [
            "SELECT ?",
            "DELETE FROM t",
            "REPLACE INTO t VALUES (1)",
            "WITH x AS (SELECT 1) SELECT * FROM x",
        ] {
            lite(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for sql in [
            "PRAGMA query_only = 0",
            "ATTACH 'x.db' AS x",
            "DROP TABLE t",
            "VACUUM",
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM t; END",
            "BEGIN",
        ] {
            assert!(
                matches!(lite(sql), Err(ExplainError::NotExplainable { accepted, .. }) if accepted == SQLITE_ACCEPTS),
                "{sql}"
            );
        }
    }
}
