//! Compile-time behaviour of `#[query_budget]`: every wrong argument is a compile error pointing
//! at the argument (`tests/ui/fail_*.rs` and their `.stderr`), and every supported kind of
//! function compiles (and runs) with it (`tests/ui/pass_*.rs`).
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p query-guard-macros --test ui`
//! and read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail_*.rs");
    t.pass("tests/ui/pass_*.rs");
}
