//! Cost of capturing a call site: the stack walk, with the per-address cache warm.
//!
//! Run: `cargo bench -p query-guard --bench callsite`. Before divan's cases, `main` times the
//! first capture of the process (which loads the program's symbols) and the first capture at a
//! new site (one new address to resolve) once each, and prints them: the cache is process-wide
//! and cannot be emptied, so divan cannot repeat a cold capture. Run the binary several times for
//! several cold samples.
//!
//! The bench profile has no debug info, so sites here are functions without file or line; with
//! `CARGO_PROFILE_BENCH_DEBUG=line-tables-only` they have both, and the cold figures include
//! reading the line tables.

use std::hint::black_box;
use std::time::Instant;

use divan::Bencher;
use query_guard::__private::capture_call_site;

/// A capture reached through `depth` calls of the standard library's `Box<dyn FnOnce>` (at least
/// one real frame of `alloc`/`core` each, never inlined across the `dyn`), from the caller's
/// frame: what the walk crosses to get from the statement's event to the application, as it
/// crosses tracing, sqlx and futures in a real stack.
type Capture = Box<dyn FnOnce() -> Option<String>>;

fn through_skipped_frames(depth: usize) -> Capture {
    let mut capture: Capture = Box::new(capture_call_site);
    for _ in 0..depth {
        capture = Box::new(capture);
    }
    capture
}

/// `depth` application frames below the capture's caller. The walk stops at the first
/// application frame, so these should cost nothing.
#[inline(never)]
fn below_application_frames(depth: usize) -> Option<String> {
    let site = if depth == 0 {
        capture_call_site()
    } else {
        below_application_frames(black_box(depth - 1))
    };
    // Work after the call, so the recursion stays real frames (no tail call).
    black_box(depth);
    site
}

#[inline(never)]
fn fresh_site() -> Option<String> {
    let site = capture_call_site();
    // Work after the call, so it is not a tail call and this frame is on the stack.
    black_box(&site);
    site
}

fn main() {
    let start = Instant::now();
    let first = capture_call_site();
    let first_in_process = start.elapsed();
    let start = Instant::now();
    let fresh = fresh_site();
    let first_at_new_site = start.elapsed();
    eprintln!("cold: first capture in the process: {first_in_process:?} ({first:?})");
    eprintln!("cold: first capture at a new site: {first_at_new_site:?} ({fresh:?})");

    // The cases measure what they say they do.
    assert!(first.is_some() && fresh.is_some());
    assert!(below_application_frames(40).is_some());
    assert!(through_skipped_frames(40)().is_some());
    assert_eq!(through_skipped_frames(120)(), None, "past 96 frames: none");

    divan::main();
}

/// The call site is the caller's frame, a few frames above the capture.
#[divan::bench]
fn shallow(bencher: Bencher) {
    bencher.bench_local(|| black_box(capture_call_site()));
}

/// 40 application frames below the call site: not walked.
#[divan::bench]
fn below_40_application_frames(bencher: Bencher) {
    bencher.bench_local(|| black_box(below_application_frames(black_box(40))));
}

/// 40 skipped calls between the call site and the capture: walked, each looked up in the cache.
#[divan::bench]
fn through_40_skipped_calls(bencher: Bencher) {
    bencher
        .with_inputs(|| through_skipped_frames(40))
        .bench_local_values(|capture| black_box(capture()));
}

/// No application frame within 96 frames: the walk goes to its limit and finds nothing (the
/// worst case; on sqlx's SQLite worker thread the whole stack is walked, but it is shorter).
#[divan::bench]
fn no_call_site_within_96_frames(bencher: Bencher) {
    bencher
        .with_inputs(|| through_skipped_frames(120))
        .bench_local_values(|capture| black_box(capture()));
}
