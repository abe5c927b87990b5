//! End-to-end cost of query-guard on a loop of sqlx primary-key selects on in-memory SQLite.
//!
//! Run: `cargo bench -p query-guard-tests --bench sqlite_loop`. Both cases run the same 100
//! `SELECT … WHERE id = ?` through sqlx on one connection:
//! - `without_query_guard`: the layer is switched off by a filter, so sqlx does not even build
//!   its statement event (as in an application without query-guard);
//! - `with_query_guard`: the layer is on and the loop runs in a scope, so every statement is
//!   logged by sqlx, recorded by the layer, and reported when the scope closes;
//! - `layer_on_outside_scopes`: the layer on, no scope: sqlx's own cost of building its events.

use std::sync::atomic::{AtomicBool, Ordering};

use divan::Bencher;
use divan::counter::ItemsCount;
use sqlx::SqlitePool;
use tokio::runtime::Runtime;
use tracing_subscriber::filter::DynFilterFn;
use tracing_subscriber::prelude::*;

const PER_ITER: usize = 100;
static ON: AtomicBool = AtomicBool::new(false);

fn main() {
    // This repository's query-guard.toml turns report files on for its test suite; a bench
    // measures the library, not file writing.
    // SAFETY: nothing else runs yet (set before any thread is started).
    unsafe { std::env::set_var("QUERY_GUARD_REPORTS", "0") };
    // query-guard's layer behind a switch that is re-evaluated for every event.
    let switch = DynFilterFn::new(|meta, _cx| {
        ON.load(Ordering::Relaxed) && (meta.is_span() || meta.target() == "sqlx::query")
    });
    tracing_subscriber::registry()
        .with(query_guard::QueryGuardLayer::new().with_filter(switch))
        .init();
    divan::main();
}

fn setup() -> (Runtime, SqlitePool) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pool = rt.block_on(async {
        let pool = query_guard_tests::sqlite().await;
        sqlx::raw_sql("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        for i in 0..PER_ITER as i64 {
            sqlx::query("INSERT INTO items (id, name) VALUES (?, ?)")
                .bind(i)
                .bind(format!("item {i}"))
                .execute(&pool)
                .await
                .unwrap();
        }
        pool
    });
    (rt, pool)
}

async fn select_loop(pool: &SqlitePool) {
    for i in 0..PER_ITER as i64 {
        let name: String = sqlx::query_scalar("SELECT name FROM items WHERE id = ?")
            .bind(i)
            .fetch_one(pool)
            .await
            .unwrap();
        divan::black_box(name);
    }
}

#[divan::bench(sample_count = 200)]
fn without_query_guard(bencher: Bencher) {
    let (rt, pool) = setup();
    ON.store(false, Ordering::Relaxed);
    bencher
        .counter(ItemsCount::new(PER_ITER))
        .bench_local(|| rt.block_on(select_loop(&pool)));
}

/// The layer on but no scope open: sqlx builds its event, the layer looks at it and drops it.
#[divan::bench(sample_count = 200)]
fn layer_on_outside_scopes(bencher: Bencher) {
    let (rt, pool) = setup();
    ON.store(true, Ordering::Relaxed);
    bencher
        .counter(ItemsCount::new(PER_ITER))
        .bench_local(|| rt.block_on(select_loop(&pool)));
    ON.store(false, Ordering::Relaxed);
}

#[divan::bench(sample_count = 200)]
fn with_query_guard(bencher: Bencher) {
    let (rt, pool) = setup();
    ON.store(true, Ordering::Relaxed);
    bencher.counter(ItemsCount::new(PER_ITER)).bench_local(|| {
        rt.block_on(async {
            let ((), report) = query_guard::capture_async("bench", select_loop(&pool)).await;
            assert_eq!(report.count(), PER_ITER);
        })
    });
    ON.store(false, Ordering::Relaxed);
}
