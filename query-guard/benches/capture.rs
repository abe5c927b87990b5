//! Cost of capturing statements: the layer's hot path, per statement.
//!
//! Run: `cargo bench -p query-guard --bench capture`. Each case emits exactly the event sqlx
//! 0.8/0.9 emits for a statement (target `sqlx::query`, same fields), 100 per iteration, so the
//! per-statement figure is divan's time divided by 100 (divan prints it as throughput too).

use std::time::Duration;

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use query_guard::{Budget, Scope};

const PER_ITER: usize = 100;
const SQL: &str = "\n\nSELECT p.id, p.title, a.name FROM posts p JOIN authors a ON a.id = p.author_id WHERE p.id = $1\n";

fn sqlx_event() {
    let elapsed = Duration::from_micros(42);
    tracing::debug!(
        target: "sqlx::query",
        summary = "SELECT p.id, p.title, …",
        db.statement = black_box(SQL),
        rows_affected = 0_u64,
        rows_returned = 1_u64,
        ?elapsed,
        elapsed_secs = elapsed.as_secs_f64(),
    );
}

fn main() {
    // This repository's query-guard.toml turns report files on for its test suite; a bench
    // measures the library, not file writing.
    // SAFETY: nothing else runs yet (set before any thread is started).
    unsafe { std::env::set_var("QUERY_GUARD_REPORTS", "0") };
    query_guard::install().expect("install");
    divan::main();
}

/// Times `PER_ITER` statement events, run by `emit` inside a fresh scope from `open` per iteration.
fn events_in_scope(bencher: Bencher, open: fn() -> Scope, emit: fn()) {
    bencher
        .counter(ItemsCount::new(PER_ITER))
        .with_inputs(open)
        .bench_local_values(|scope| {
            scope.in_scope(emit);
            scope
        });
}

fn emit_all() {
    for _ in 0..PER_ITER {
        sqlx_event();
    }
}

/// A statement event inside a scope: recorded (the case the 1 µs target is about).
#[divan::bench]
fn event_in_scope(bencher: Bencher) {
    events_in_scope(bencher, || Scope::open("bench").unwrap(), emit_all);
}

/// The same inside a span nested three deep in the scope (a typical `#[instrument]` call path).
#[divan::bench]
fn event_in_scope_nested_spans(bencher: Bencher) {
    events_in_scope(
        bencher,
        || Scope::open("bench").unwrap(),
        || {
            tracing::info_span!("handler").in_scope(|| {
                tracing::info_span!("service")
                    .in_scope(|| tracing::debug_span!("repository").in_scope(emit_all))
            })
        },
    );
}

/// With call sites from backtraces on: each statement also walks its stack to the first
/// application frame (the symbol cache is warm after the first iteration).
#[divan::bench]
fn event_in_scope_with_backtrace(bencher: Bencher) {
    events_in_scope(
        bencher,
        || Scope::builder("bench").backtrace(true).open().unwrap(),
        emit_all,
    );
}

/// Past the scope's storage cap: counted and aggregated by fingerprint (cached), not stored.
#[divan::bench]
fn event_past_storage_cap(bencher: Bencher) {
    events_in_scope(
        bencher,
        || Scope::builder("bench").max_stored(0).open().unwrap(),
        emit_all,
    );
}

/// A statement event outside every scope: looked at and dropped.
#[divan::bench]
fn event_outside_scopes(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(PER_ITER))
        .bench_local(emit_all);
}

/// Closing a scope of 100 statements: fingerprints (cached), classification, budget, N+1.
#[divan::bench]
fn finish_report_of_100(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(PER_ITER))
        .with_inputs(|| {
            let scope = Scope::builder("bench")
                .budget(Budget::list())
                .open()
                .unwrap();
            scope.in_scope(emit_all);
            scope
        })
        .bench_local_values(|scope| scope.finish());
}

/// Closing a scope of 100 statements with every detector busy: one list query, then 33 rows each
/// loading an author, its tags and its like count with inline values (a repeated sequence, with
/// the visible values checked for duplicates), a slow threshold and an allowance to match.
#[divan::bench]
fn finish_report_of_100_mixed(bencher: Bencher) {
    fn emit_mixed() {
        query_guard::record(query_guard::StatementRecord::new(
            "SELECT * FROM posts LIMIT 33",
        ));
        for id in 0..33 {
            for sql in [
                format!("SELECT * FROM authors WHERE id = {}", id % 7),
                format!("SELECT * FROM tags WHERE post_id = {id}"),
                format!("SELECT count(*) FROM likes WHERE post_id = {id}"),
            ] {
                query_guard::record(
                    query_guard::StatementRecord::new(sql)
                        .elapsed(Duration::from_micros(40 + id))
                        .rows_returned(1),
                );
            }
        }
    }
    bencher
        .counter(ItemsCount::new(PER_ITER))
        .with_inputs(|| {
            let budget = Budget::list()
                .slow(Duration::from_micros(70))
                .allow(query_guard::allow::Allowance::n_plus_one("FROM likes", "bench").unwrap());
            let scope = Scope::builder("bench").budget(budget).open().unwrap();
            scope.in_scope(emit_mixed);
            scope
        })
        .bench_local_values(|scope| scope.finish());
}
