//! Entry points for the fuzz targets in `fuzz/fuzz_targets/`: not an API (hidden, no stability
//! promise). Each reads `data` the way its command reads a file, checks the invariants the
//! readers document, and panics when one fails, so that libFuzzer reports the input.

/// `query-guard analyze`'s readers (every dump format, through format detection) and the
/// report built from what they read; `data` is BEFORE and AFTER when it holds a NUL byte. See
/// the invariants in `src/analyze/fuzz.rs`.
pub fn analyze(data: &[u8]) {
    crate::analyze::fuzz::check(data);
}

/// `query-guard report`'s reader of report files, and the aggregate and outputs of what it
/// reads. See the invariants in `src/report.rs` (`fuzz_check`).
pub fn report(data: &[u8]) {
    crate::report::fuzz_check(data);
}
