//! `query-guard explain`: plan files and standard input (real PostgreSQL 15 and SQLite plans from
//! `tests/fixtures/explain`), every output format, `--fail-on`, bad usage and bad input (exit 2),
//! and `--database-url` on the test PostgreSQL (skips with a SKIPPED line unless
//! `QUERY_GUARD_REQUIRE_DB=1`) and on SQLite files: the attack strings and tricky SQL of issue
//! 11 change nothing (checked on the rows, the sequence, the locks and the file's bytes), every
//! timeout fires and says which, and a server that never answers does not hang the command.
//!
//! `files`: plan files and standard input; `database`: `--database-url`; `docs`: `--help` and
//! the JSON schema document.

#[path = "../support/run.rs"]
mod support;

mod database;
mod docs;
mod files;

use std::path::PathBuf;

fn fixture(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/explain")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}
