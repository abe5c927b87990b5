//! Fuzz `fingerprint`: never panics, and the documented invariants hold on any input.
//!
//! Run: `RUSTC_BOOTSTRAP=1 cargo fuzz run fingerprint` from the repository root (README,
//! "Reliability").
#![no_main]

use libfuzzer_sys::fuzz_target;
use query_guard::fingerprint::{Dialect, RULES_VERSION, fingerprint, fingerprint_cached, fnv1a_64};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let dialect = [
        Dialect::Postgres,
        Dialect::MySql,
        Dialect::Sqlite,
        Dialect::Generic,
    ][usize::from(first % 4)];
    let sql = String::from_utf8_lossy(rest);
    let fp = fingerprint(&sql, dialect);
    assert_eq!(
        fp.hash,
        fnv1a_64(format!("v{RULES_VERSION}:{}", fp.normalized).as_bytes())
    );
    // Normalising the normalised text changes nothing.
    let again = fingerprint(&fp.normalized, dialect);
    assert_eq!(again.normalized, fp.normalized, "input {sql:?}");
    assert_eq!(*fingerprint_cached(&sql, dialect), fp);
});
