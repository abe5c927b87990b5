//! The SQLite runner: `EXPLAIN QUERY PLAN`, prepared through SQLite's C API on the handle sqlx
//! lends, with the busy timeout and `query_only` set for it and restored after.

use std::future::Future;

use query_guard_fingerprint::Dialect;
use sqlx::SqlitePool;

use super::check::{SQLITE_ACCEPTS, check};
use super::deadline::bounded;
use super::error::{DatabaseError, ExplainError, Limit};
use super::explain_analyze::{ExplainTarget, sealed};
use super::options::{ExplainOptions, millis};
use crate::explained::Explained;
use crate::model::Engine;
use crate::split::{self, SplitError, Statement};

impl sealed::Sealed for SqlitePool {}

impl ExplainTarget for SqlitePool {
    fn explain(
        &self,
        sql: &str,
        options: &ExplainOptions,
    ) -> impl Future<Output = Result<Explained, ExplainError>> + Send {
        explain(self, sql, options)
    }
}

pub(super) const EXPLAIN: &str = "EXPLAIN QUERY PLAN ";

async fn explain(
    pool: &SqlitePool,
    sql: &str,
    options: &ExplainOptions,
) -> Result<Explained, ExplainError> {
    let stmt = check(sql, Engine::Sqlite, options)?;
    bounded(options, run(pool, sql, &stmt, options)).await
}

async fn run(
    pool: &SqlitePool,
    sql: &str,
    stmt: &Statement<'_>,
    options: &ExplainOptions,
) -> Result<Explained, ExplainError> {
    let mut conn = pool.acquire().await.map_err(ExplainError::Connection)?;
    let outcome = match conn.lock_handle().await {
        Ok(mut handle) => {
            // SAFETY: the handle is locked out of sqlx's worker thread while it lives, and
            // nothing below awaits.
            Ok(unsafe { ffi::explain_query_plan(handle.as_raw_handle().as_ptr(), stmt, options) })
        }
        Err(e) => Err(e),
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            // Its worker is gone: never hand it back to the application.
            conn.close_on_drop();
            return Err(ExplainError::Connection(e));
        }
    };
    if !outcome.intact {
        // Its settings could not be restored: never hand it back to the application.
        conn.close_on_drop();
    }
    let rows = outcome.rows.map_err(|e| e.into_error(stmt, sql, options))?;
    if rows.is_empty() {
        return Err(ExplainError::EmptyPlan);
    }
    let mut text = String::from("id|parent|notused|detail\n");
    for (id, parent, detail) in rows {
        text.push_str(&format!("{id}|{parent}|0|{}\n", detail.replace('\n', " ")));
    }
    let plan = crate::read::parse(&text)?;
    Ok(Explained::new(plan, Some(stmt.text())))
}

/// SQLite's C API, on the connection's handle.
mod ffi {
    use std::ffi::{CStr, c_char, c_int};
    use std::ptr;

    use libsqlite3_sys as sys;

    use super::*;

    /// What reading the plan gave, and whether the connection is as it was.
    pub(super) struct Outcome {
        pub(super) rows: Result<Vec<(i64, i64, String)>, Failure>,
        pub(super) intact: bool,
    }

    /// An SQLite error: result code, message, and byte offset in the SQL prepared.
    pub(super) enum Failure {
        Sqlite {
            code: c_int,
            message: String,
            offset: Option<usize>,
        },
        Several,
        NotAPlan,
    }

    impl Failure {
        pub(super) fn into_error(
            self,
            stmt: &Statement<'_>,
            sql: &str,
            options: &ExplainOptions,
        ) -> ExplainError {
            match self {
                Failure::Sqlite { code, .. } if code & 0xff == sys::SQLITE_BUSY => {
                    ExplainError::Timeout {
                        limit: Limit::Busy,
                        after: options.lock_timeout,
                    }
                }
                Failure::Sqlite {
                    code,
                    message,
                    offset,
                } => ExplainError::Database(
                    DatabaseError::new(&message, Some(code.to_string()), stmt, sql).at(
                        offset.and_then(|o| o.checked_sub(super::EXPLAIN.len())),
                        stmt,
                        sql,
                    ),
                ),
                // What SQLite prepared ends before the statement does: a second statement
                // the splitter did not see. Refused.
                Failure::Several => {
                    let end = stmt.offset() + stmt.text().len();
                    let (line, column) = split::line_column(sql, end);
                    ExplainError::Sql(SplitError::SeveralStatements { line, column })
                }
                Failure::NotAPlan => ExplainError::NotExplainable {
                    statement: None,
                    accepted: SQLITE_ACCEPTS,
                },
            }
        }
    }

    unsafe fn failure(db: *mut sys::sqlite3, code: c_int) -> Failure {
        // SAFETY: `db` is a live connection handle.
        unsafe {
            let message = CStr::from_ptr(sys::sqlite3_errmsg(db))
                .to_string_lossy()
                .into_owned();
            let offset = usize::try_from(sys::sqlite3_error_offset(db)).ok();
            Failure::Sqlite {
                code: sys::sqlite3_extended_errcode(db).max(code),
                message,
                offset,
            }
        }
    }

    /// Prepares `sql` (one statement, ours), steps it to the end, and returns its rows'
    /// first column as integers.
    unsafe fn query(db: *mut sys::sqlite3, sql: &str) -> Result<Vec<i64>, Failure> {
        // SAFETY: `db` is a live handle; the statement is finalised on every path.
        unsafe {
            let mut stmt = ptr::null_mut();
            let rc = sys::sqlite3_prepare_v2(
                db,
                sql.as_ptr().cast::<c_char>(),
                sql.len() as c_int,
                &mut stmt,
                ptr::null_mut(),
            );
            if rc != sys::SQLITE_OK {
                return Err(failure(db, rc));
            }
            let mut out = Vec::new();
            let result = loop {
                match sys::sqlite3_step(stmt) {
                    sys::SQLITE_ROW => out.push(sys::sqlite3_column_int64(stmt, 0)),
                    sys::SQLITE_DONE => break Ok(out),
                    rc => break Err(failure(db, rc)),
                }
            };
            sys::sqlite3_finalize(stmt);
            result
        }
    }

    /// Reads the `EXPLAIN QUERY PLAN` of `stmt` on `db`, with the busy timeout and
    /// `query_only` set for it and restored after.
    ///
    /// # Safety
    ///
    /// `db` is a live connection handle no other thread uses during the call.
    pub(super) unsafe fn explain_query_plan(
        db: *mut sys::sqlite3,
        stmt: &Statement<'_>,
        options: &ExplainOptions,
    ) -> Outcome {
        // SAFETY: see the function's contract.
        unsafe {
            let saved = (
                query(db, "PRAGMA busy_timeout"),
                query(db, "PRAGMA query_only"),
            );
            let (busy, query_only) = match saved {
                (Ok(b), Ok(q)) if b.len() == 1 && q.len() == 1 => (b[0], q[0]),
                (Err(e), _) | (_, Err(e)) => {
                    return Outcome {
                        rows: Err(e),
                        intact: true,
                    };
                }
                _ => {
                    return Outcome {
                        rows: Err(Failure::NotAPlan),
                        intact: true,
                    };
                }
            };
            let lock_ms = c_int::try_from(millis(options.lock_timeout)).unwrap_or(c_int::MAX);
            sys::sqlite3_busy_timeout(db, lock_ms);
            let rows = match query(db, "PRAGMA query_only = 1") {
                Ok(_) => plan_rows(db, stmt),
                Err(e) => Err(e),
            };
            let restored =
                sys::sqlite3_busy_timeout(db, c_int::try_from(busy).unwrap_or(c_int::MAX))
                    == sys::SQLITE_OK
                    && query(
                        db,
                        &format!("PRAGMA query_only = {}", i64::from(query_only != 0)),
                    )
                    .is_ok();
            // EXPLAIN QUERY PLAN never opens a transaction; one left open would be a bug.
            let intact = restored && sys::sqlite3_get_autocommit(db) != 0;
            Outcome { rows, intact }
        }
    }

    /// Prepares exactly one statement, `EXPLAIN QUERY PLAN <stmt>`, refuses anything but
    /// comments after it, checks SQLite compiled an EXPLAIN QUERY PLAN, and reads its rows.
    unsafe fn plan_rows(
        db: *mut sys::sqlite3,
        stmt: &Statement<'_>,
    ) -> Result<Vec<(i64, i64, String)>, Failure> {
        // SAFETY: `db` is a live handle; `text` outlives the prepared statement, which is
        // finalised on every path.
        unsafe {
            let text = format!("{}{}", super::EXPLAIN, stmt.text());
            let mut prepared = ptr::null_mut();
            let mut tail: *const c_char = ptr::null();
            let rc = sys::sqlite3_prepare_v2(
                db,
                text.as_ptr().cast::<c_char>(),
                c_int::try_from(text.len()).map_err(|_| Failure::NotAPlan)?,
                &mut prepared,
                &mut tail,
            );
            if rc != sys::SQLITE_OK {
                return Err(failure(db, rc));
            }
            let consumed = if tail.is_null() {
                text.len()
            } else {
                (tail as usize).saturating_sub(text.as_ptr() as usize)
            };
            let rest = text.get(consumed..).unwrap_or_default();
            let result = if prepared.is_null() {
                Err(Failure::NotAPlan)
            } else if !split::is_trivia(rest, Dialect::Sqlite) {
                Err(Failure::Several)
            } else if sys::sqlite3_stmt_isexplain(prepared) != 2 {
                Err(Failure::NotAPlan)
            } else {
                let mut rows = Vec::new();
                loop {
                    match sys::sqlite3_step(prepared) {
                        sys::SQLITE_ROW => {
                            let detail = sys::sqlite3_column_text(prepared, 3);
                            let len = sys::sqlite3_column_bytes(prepared, 3);
                            let detail = if detail.is_null() {
                                String::new()
                            } else {
                                let bytes = std::slice::from_raw_parts(
                                    detail,
                                    usize::try_from(len).unwrap_or(0),
                                );
                                String::from_utf8_lossy(bytes).into_owned()
                            };
                            rows.push((
                                sys::sqlite3_column_int64(prepared, 0),
                                sys::sqlite3_column_int64(prepared, 1),
                                detail,
                            ));
                        }
                        sys::SQLITE_DONE => break Ok(rows),
                        rc => break Err(failure(db, rc)),
                    }
                }
            };
            sys::sqlite3_finalize(prepared);
            result
        }
    }
}
