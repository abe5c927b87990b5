//! Cost of one huge statement in a scope: a bulk `INSERT … VALUES` of 1, 5 and 10 MB with
//! its values inline (about 0.3, 1.5 and 2.9 million tokens), logged the way sqlx logs it.
//!
//! Run: `cargo bench -p query-guard --bench huge`. For each size and run it prints:
//! - `record` and `record peak`: the wall time of the statement's event (through the layer, on
//!   the thread that ran the statement) and the most heap live at once during it, above what was
//!   live before (the event's text itself is allocated before, as sqlx does);
//! - `close`: the wall time of `Scope::finish_and_check` (building the report, fingerprinting the
//!   statement, the mode's WARN event) on the calling thread, as a request's scope closes;
//! - `close peak`: the most heap live at once during that call, above what was live before it.
//!
//! Heap figures come from a counting global allocator (`support/counting.rs`): deterministic,
//! whatever else runs on the machine. Times are wall times: take the median of the runs, and say
//! how loaded the machine was.

#[path = "support/counting.rs"]
mod counting;

use std::time::{Duration, Instant};

use query_guard::{Mode, Scope};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

const RUNS: usize = 5;

/// A bulk insert of at least `bytes` bytes, its rows' values inline; `run` makes each run's text
/// different, so nothing can be served from a cache.
fn bulk_insert(bytes: usize, run: usize) -> String {
    let mut sql = String::with_capacity(bytes + 64);
    sql.push_str("INSERT INTO events (id, kind, payload) VALUES ");
    let mut i = 0_usize;
    while sql.len() < bytes {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("({}, 'k{}', 'payload {run}')", i, i % 7));
        i += 1;
    }
    sql
}

/// What the scope's close costs for one statement of `bytes` bytes.
struct Run {
    record: Duration,
    record_peak: isize,
    close: Duration,
    close_peak: isize,
    normalized_len: usize,
}

fn run(bytes: usize, run: usize) -> Run {
    query_guard::fingerprint::global_cache().clear();
    let sql = bulk_insert(bytes, run);
    // What sqlx passes to its event: the first four words, and the statement between newlines.
    let summary = "INSERT INTO events (id, …";
    let statement = format!("\n\n{sql}\n");
    drop(sql);
    let scope = Scope::builder("huge").mode(Mode::Warn).open().unwrap();
    counting::reset_peak();
    let before = counting::live();
    let start = Instant::now();
    scope.in_scope(|| {
        tracing::debug!(
            target: "sqlx::query",
            summary,
            db.statement = statement.as_str(),
            rows_affected = 1000_u64,
            rows_returned = 0_u64,
            elapsed = ?Duration::from_millis(40),
            elapsed_secs = 0.04_f64,
        );
    });
    let record = start.elapsed();
    let record_peak = counting::peak() - before;
    drop(statement);
    counting::reset_peak();
    let before = counting::live();
    let start = Instant::now();
    let report = scope.finish_and_check();
    let close = start.elapsed();
    let close_peak = counting::peak() - before;
    assert_eq!(report.count(), 1, "the statement was recorded");
    // Stored, or (past the scope's bytes cap) aggregated by shape.
    let normalized_len = match (report.statements().first(), report.unstored().first()) {
        (Some(s), _) => s.normalized.len(),
        (None, Some(u)) => u.normalized.len(),
        (None, None) => 0,
    };
    Run {
        record,
        record_peak,
        close,
        close_peak,
        normalized_len,
    }
}

fn main() {
    // This repository's query-guard.toml turns report files on for its test suite; a bench
    // measures the library, not file writing.
    // SAFETY: nothing else runs yet (set before any thread is started).
    unsafe { std::env::set_var("QUERY_GUARD_REPORTS", "0") };
    // A service's subscriber (what `install()` sets up), writing its log lines nowhere.
    tracing_subscriber::registry()
        .with(query_guard::layer())
        .with(
            fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(EnvFilter::new("warn")),
        )
        .init();
    println!(
        "{:>9} {:>4} {:>11} {:>12} {:>11} {:>12} {:>11}",
        "statement", "run", "record", "record peak", "close", "close peak", "normalized"
    );
    for bytes in [1 << 20, 5 << 20, 10 << 20] {
        let (mut records, mut closes) = (Vec::new(), Vec::new());
        for r in 1..=RUNS {
            let m = run(bytes, r);
            println!(
                "{:>6} MB {r:>4} {:>8.3} ms {:>8.2} MiB {:>8.1} ms {:>8.2} MiB {:>9} B",
                bytes >> 20,
                m.record.as_secs_f64() * 1e3,
                counting::mib(m.record_peak),
                m.close.as_secs_f64() * 1e3,
                counting::mib(m.close_peak),
                m.normalized_len
            );
            records.push(m.record);
            closes.push(m.close);
        }
        records.sort();
        closes.sort();
        println!(
            "{:>6} MB median record {:.3} ms, close {:.1} ms",
            bytes >> 20,
            records[RUNS / 2].as_secs_f64() * 1e3,
            closes[RUNS / 2].as_secs_f64() * 1e3
        );
    }
}
