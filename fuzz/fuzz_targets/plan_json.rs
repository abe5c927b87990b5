//! Fuzz the PostgreSQL `EXPLAIN (FORMAT JSON)` reader: inputs that start with `[` or `{` (what
//! the format detection hands to it); the invariants are in `common/plan.rs`.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run plan_json` from the repository root (README,
//! "Reliability").
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/plan.rs"]
mod plan;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.trim_start().starts_with(['[', '{']) {
        plan::check(text);
    }
});
