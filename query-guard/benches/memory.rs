//! Memory held by one scope, measured with a counting allocator.
//!
//! Run: `cargo bench -p query-guard --bench memory`. Prints the heap a scope holds after
//! recording N statements (before it closes), for scopes that stay under the storage cap and
//! scopes far past it, so the bound in BENCHMARKS.md is a measurement, not an estimate. The
//! fingerprint cache is process-wide and bounded on its own (`DEFAULT_MAX_BYTES`); it is warmed
//! with every shape before measuring so that its growth is not counted as the scope's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use query_guard::fingerprint::{Dialect, fingerprint_cached};
use query_guard::{Scope, StatementRecord, record};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A sqlx-style statement (values bound, so one text per shape) of shape `i % shapes`.
fn sql(i: usize, shapes: usize) -> String {
    format!(
        "SELECT p.id, p.title, p.body FROM posts_{} p WHERE p.author_id = $1 ORDER BY p.id LIMIT $2",
        i % shapes
    )
}

/// Live heap bytes held by a scope after `n` statements of `shapes` shapes.
fn measure(n: usize, shapes: usize) -> isize {
    for i in 0..shapes.min(n) {
        fingerprint_cached(&sql(i, shapes), Dialect::Generic);
    }
    let texts: Vec<String> = (0..n).map(|i| sql(i, shapes)).collect();
    let before = LIVE.load(Ordering::Relaxed);
    let scope = Scope::open("memory").unwrap();
    scope.in_scope(|| {
        for t in &texts {
            record(StatementRecord::new(t.as_str()));
        }
    });
    let held = LIVE.load(Ordering::Relaxed) - before;
    drop(scope.finish());
    held
}

fn main() {
    // This repository's query-guard.toml turns report files on for its test suite; a bench
    // measures the library, not file writing.
    // SAFETY: nothing else runs yet (set before any thread is started).
    unsafe { std::env::set_var("QUERY_GUARD_REPORTS", "0") };
    query_guard::install().unwrap();
    println!(
        "{:>9} {:>7} {:>12} {:>10}",
        "statements", "shapes", "scope heap", "per stmt"
    );
    for (n, shapes) in [
        (1_000, 10),
        (10_000, 10),
        (100_000, 10),
        (1_000_000, 10),
        (100_000, 5_000),
        (1_000_000, 5_000),
    ] {
        let held = measure(n, shapes);
        println!(
            "{n:>9} {shapes:>7} {:>9.2} MiB {:>8.0} B",
            held as f64 / (1 << 20) as f64,
            held as f64 / n as f64
        );
    }
}
