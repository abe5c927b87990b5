//! Fuzz `query-guard analyze`'s readers of pg_stat_statements dumps (format detection, CSV, JSON
//! array and lines, psql aligned and expanded), and the report built from what they read: one
//! dump, or BEFORE and AFTER separated by a NUL byte. The invariants are in
//! `query-guard-cli/src/analyze/fuzz.rs`.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run analyze` from the repository root (README,
//! "Reliability").
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    query_guard_cli::__fuzz::analyze(data);
});
