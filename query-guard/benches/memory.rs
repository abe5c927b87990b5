//! Memory of one scope the way a service runs it, measured with a counting allocator.
//!
//! Run: `cargo bench -p query-guard --bench memory`. A scope in warn mode with a budget of 100
//! (what `#[query_budget(max = 100)]` is outside tests) runs N statements through the real
//! layer: `sqlx::query` events with sqlx's fields (sqlx's summary and `"\n\n{sql}\n"` text are
//! allocated per event, as sqlx does), sqlx-style texts with bind parameters (one text per
//! shape), and a duration each. The subscriber is what `install()` sets up, its fmt layer writing
//! to `io::sink` (the WARN event is formatted, not printed). Figures, in MiB of heap above what
//! was live just before the scope opened:
//!
//! - `recording max`: the most live at any moment while the statements ran (not only at the end);
//! - `recorded`: live when the last statement was recorded (what the open scope holds);
//! - `close max`: the most live at any moment of `finish_and_check` (building the report,
//!   detection, the WARN event with the rendered report);
//! - `after close`: live once the returned report is dropped while the scope handle is still
//!   alive (the scope keeps its closing report for later `finish` calls);
//! - `after drop`: live once the scope is dropped too (what the process keeps: fmt's reusable
//!   line buffer, and, in the first scope only, the fingerprint cache's new entries);
//! - `WARN text`: the length of the report's text, the message of the WARN event.
//!
//! The `wide` line runs 20,000 statements of 2.4 KiB, 5,000 shapes: there the 8 MiB cap on stored
//! SQL text, not the 10,000 statements, ends storage, and each aggregated shape holds a wide
//! fingerprint.
//!
//! Each configuration runs twice and the second run is printed: the process-wide fingerprint
//! cache (bounded at 32 MiB on its own) then already holds the shapes, as in a service that has
//! served the same requests before. The first scope of the process is printed once, on its own
//! line, with the cache's growth.
//!
//! `memory rss N SHAPES [wide]` runs one such scope (the first of its process) and exits, for an RSS
//! cross-check: `/usr/bin/time -v target/release/deps/memory-<hash> rss 1000000 10` against
//! `rss 0 10`. Report files are off unless `QUERY_GUARD_REPORTS` is set.

#[path = "support/counting.rs"]
mod counting;

use std::time::Duration;

use query_guard::{Budget, Mode, Scope};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// Statement shapes of a web service, as sqlx logs them (values bound, so one text per shape);
/// `{}` numbers the table so that there can be any number of shapes.
const TEMPLATES: [&str; 5] = [
    "SELECT u.id, u.email, u.display_name, u.created_at FROM users_{} u WHERE u.id = $1",
    "SELECT p.id, p.title, p.body, p.published_at FROM posts_{} p WHERE p.author_id = $1 ORDER BY p.published_at DESC LIMIT $2",
    "SELECT c.id, c.post_id, c.body, c.created_at, u.display_name FROM comments_{} c JOIN users u ON u.id = c.author_id WHERE c.post_id = $1 ORDER BY c.created_at",
    "INSERT INTO audit_log_{} (actor_id, action, target_id, payload, created_at) VALUES ($1, $2, $3, $4, now()) RETURNING id",
    "UPDATE sessions_{} SET last_seen_at = now(), request_count = request_count + 1 WHERE id = $1",
];

fn texts(shapes: usize) -> Vec<String> {
    (0..shapes)
        .map(|i| TEMPLATES[i % TEMPLATES.len()].replace("{}", &(i / TEMPLATES.len()).to_string()))
        .collect()
}

/// Wide statements, each its own shape: a select of 120 columns (about 2.4 KiB, what an ORM
/// writes for a wide table), so that the bytes caps, not the statement count, bound the scope.
fn wide_texts(shapes: usize) -> Vec<String> {
    (0..shapes)
        .map(|i| {
            let columns: Vec<String> = (0..120).map(|c| format!("w.column_{c}_of_{i}")).collect();
            format!(
                "SELECT {} FROM wide_table_{i} w WHERE w.tenant_id = $1 AND w.id = $2",
                columns.join(", ")
            )
        })
        .collect()
}

/// What sqlx's `QueryLogger::finish` does for one statement: the summary (first four words),
/// the text between newlines, then the event.
fn log_like_sqlx(sql: &str, elapsed: Duration, rows: u64) {
    let mut summary: String = sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ");
    let statement = if summary != sql {
        summary.push_str(" …");
        format!("\n\n{sql}\n")
    } else {
        String::new()
    };
    tracing::debug!(
        target: "sqlx::query",
        summary,
        db.statement = statement,
        rows_affected = 0_u64,
        rows_returned = rows,
        elapsed = ?elapsed,
        elapsed_secs = elapsed.as_secs_f64(),
    );
}

/// Heap figures of one scope, in bytes above what was live before it opened.
struct Figures {
    recording_max: isize,
    recorded: isize,
    close_max: isize,
    after_close: isize,
    after_drop: isize,
    /// Length of the report's text, which the WARN event carries.
    warn_text: usize,
}

/// Runs one warn-mode scope of `n` statements over `texts`, round robin.
fn measure(n: usize, texts: &[String]) -> Figures {
    let base = counting::live();
    counting::reset_peak();
    let scope = Scope::builder("memory")
        .budget(Budget::new().max(100))
        .mode(Mode::Warn)
        .open()
        .unwrap();
    // A deterministic spread of durations, 50 µs to about 3.3 ms.
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    scope.in_scope(|| {
        for i in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let elapsed = Duration::from_micros(50 + (x % 3_250));
            log_like_sqlx(&texts[i % texts.len()], elapsed, x % 20);
        }
    });
    let recording_max = counting::peak() - base;
    let recorded = counting::live() - base;
    counting::reset_peak();
    let report = scope.finish_and_check();
    let close_max = counting::peak() - base;
    assert!(report.failed(), "the budget of 100 is broken: a WARN event");
    let warn_text = report.to_string().len();
    drop(report);
    let after_close = counting::live() - base;
    drop(scope);
    let after_drop = counting::live() - base;
    Figures {
        recording_max,
        recorded,
        close_max,
        after_close,
        after_drop,
        warn_text,
    }
}

fn print(label: &str, n: usize, shapes: usize, f: &Figures) {
    let m = counting::mib;
    println!(
        "{label:<6} {n:>10} {shapes:>6} {:>13.2} {:>9.2} {:>9.2} {:>11.2} {:>10.2} {:>8} KiB",
        m(f.recording_max),
        m(f.recorded),
        m(f.close_max),
        m(f.after_close),
        m(f.after_drop),
        f.warn_text / 1024
    );
}

fn main() {
    // This repository's query-guard.toml turns report files on for its test suite; a service
    // has them off. `QUERY_GUARD_REPORTS=1 QUERY_GUARD_REPORT_DIR=…` measures with them on.
    if std::env::var_os("QUERY_GUARD_REPORTS").is_none() {
        // SAFETY: nothing else runs yet (set before any thread is started).
        unsafe { std::env::set_var("QUERY_GUARD_REPORTS", "0") };
    }
    // A service's subscriber (what `install()` sets up), writing its log lines nowhere.
    tracing_subscriber::registry()
        .with(query_guard::layer())
        .with(
            fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(EnvFilter::new("warn")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("rss") {
        let n: usize = args
            .get(1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(1_000_000);
        let shapes: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
        let texts = if args.get(3).map(String::as_str) == Some("wide") {
            wide_texts(shapes)
        } else {
            texts(shapes)
        };
        if n > 0 {
            let f = measure(n, &texts);
            print("rss", n, shapes, &f);
        }
        return;
    }
    println!(
        "{:<6} {:>10} {:>6} {:>13} {:>9} {:>9} {:>11} {:>10} {:>12}",
        "",
        "statements",
        "shapes",
        "recording max",
        "recorded",
        "close max",
        "after close",
        "after drop",
        "WARN text"
    );
    let first = texts(10);
    print("first", 1_000_000, 10, &measure(1_000_000, &first));
    for (n, shapes) in [
        (1_000, 10),
        (10_000, 10),
        (100_000, 10),
        (1_000_000, 10),
        (1_000_000, 1_000),
        (1_000_000, 5_000),
    ] {
        let texts = texts(shapes);
        measure(n, &texts);
        print("", n, shapes, &measure(n, &texts));
    }
    let wide = wide_texts(5_000);
    measure(20_000, &wide);
    print("wide", 20_000, 5_000, &measure(20_000, &wide));
}
