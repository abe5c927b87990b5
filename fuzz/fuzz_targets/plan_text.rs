//! Fuzz the PostgreSQL text-format plan reader (and the psql paste cleaning in front of it):
//! any input but JSON; the invariants are in `common/plan.rs`.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run plan_text` from the repository root (README,
//! "Reliability").
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/plan.rs"]
mod plan;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if !text.trim_start().starts_with(['[', '{']) {
        plan::check(&text);
    }
});
