//! Fuzz `query-guard report`'s reader of per-scope report files, and the aggregate and outputs
//! of what it reads. The invariants are in `query-guard-cli/src/report.rs` (`fuzz_check`).
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run report` from the repository root (README,
//! "Reliability").
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    query_guard_cli::__fuzz::report(data);
});
