//! `query-guard analyze` on a 50,000-row pg_stat_statements dump, end to end: the built binary
//! reads the file, detects the format, parses, fingerprints and regroups every row, builds every
//! section and renders the report (process start included, as a user runs it).
//!
//! ```sh
//! cargo bench -p query-guard-cli --bench analyze
//! ```
//!
//! The dump is generated once (fixed shapes, no randomness): PostgreSQL 15 columns, 50,000 rows
//! of key lookups, IN lists of 1–9 items, updates and multi-line join/aggregate reports over
//! 6,250 tables, 10.6 MB as CSV; the same rows as JSON lines for the JSON case.

use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;

#[path = "../tests/support/large_dump.rs"]
mod large_dump;

fn main() {
    divan::main();
}

const ROWS: usize = 50_000;

fn write(name: &str, content: String) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("query-guard-bench-{}-{name}", std::process::id()));
    std::fs::write(&path, content).expect("write the dump");
    path
}

static CSV: LazyLock<PathBuf> = LazyLock::new(|| write("50k.csv", large_dump::csv(ROWS)));

static JSONL: LazyLock<PathBuf> =
    LazyLock::new(|| write("50k.jsonl", large_dump::json_lines(ROWS)));

fn analyze(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_query-guard"))
        .arg("analyze")
        .args(args)
        .output()
        .expect("run query-guard");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    divan::black_box(o.stdout);
}

/// CSV, text report (the default).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn csv_50k_text() {
    analyze(&[CSV.to_str().unwrap()]);
}

/// CSV, JSON report.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn csv_50k_json() {
    analyze(&["--format", "json", CSV.to_str().unwrap()]);
}

/// JSON lines, text report.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn jsonl_50k_text() {
    analyze(&[JSONL.to_str().unwrap()]);
}

/// The same CSV as BEFORE and AFTER: a diff of 50,000 rows against 50,000.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn csv_50k_diff() {
    analyze(&[CSV.to_str().unwrap(), CSV.to_str().unwrap()]);
}
