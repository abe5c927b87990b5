//! Fuzz the SQLite `EXPLAIN QUERY PLAN` readers: the first byte chooses the sqlite3 shell's tree
//! (`QUERY PLAN` then the rest) or the id|parent|notused|detail rows (that header then the
//! rest); the invariants are in `common/plan.rs`.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run plan_sqlite` from the repository root (README,
//! "Reliability").
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/plan.rs"]
mod plan;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let header = if first % 2 == 0 {
        "QUERY PLAN\n"
    } else {
        "id|parent|notused|detail\n"
    };
    plan::check(&format!("{header}{}", String::from_utf8_lossy(rest)));
});
