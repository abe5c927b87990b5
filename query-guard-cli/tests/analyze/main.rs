//! `query-guard analyze`, end to end through the built binary.
//!
//! - Fixtures with the exact column sets of PostgreSQL 12, 13, 17 and 18 (`fixtures/analyze/`).
//! - Malformed inputs: every error names the input, the line and (for a bad value) the column.
//! - Against the test PostgreSQL (skips with a SKIPPED line unless `QUERY_GUARD_REQUIRE_DB=1`):
//!   a workload with an N+1 loop, a slow unindexed filter and a spilling sort, dumped from
//!   pg_stat_statements by `psql` in every supported format (CSV, JSON array, JSON lines, aligned,
//!   expanded): every format must give the same report with the expected findings. Then a diff
//!   between two snapshots taken around a second workload, and `--database-url`.
//!
//! The workload's tables are `qg_wl_*` and every dump is filtered on that name, so the test
//! never resets pg_stat_statements (other suites use the same server at the same time).
//!
//! `files`: the fixtures, malformed inputs and a large generated dump; `postgres`: against the
//! test PostgreSQL.

#[path = "../support/large_dump.rs"]
mod large_dump;
#[path = "../support/run.rs"]
mod support_run;
use support_run::*;

mod files;
mod postgres;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/analyze")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn json_report(args: &[&str]) -> Value {
    let mut all = vec!["analyze", "--format", "json"];
    all.extend_from_slice(args);
    let o = run(&all, None);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).expect("JSON report")
}

/// The statement object with this normalised text.
fn by_query<'a>(report: &'a Value, query: &str) -> &'a Value {
    report["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["query"] == query)
        .unwrap_or_else(|| panic!("no statement {query:?} in {report:#}"))
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("id").to_owned())
        .collect()
}

fn fits_100_columns(text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "line wider than 100 columns:\n{line}"
        );
    }
}

/// A fresh scratch directory for this test process.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("query-guard-analyze-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
