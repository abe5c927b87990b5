//! Reading and analysing large plans: a 10,000-node plan in JSON and in text (an `Append` of
//! 2,500 hash joins), and a 10,000-node left-deep chain of nested loops (5,000 levels, JSON).
//!
//! `cargo bench -p query-guard-explain --bench explain`

#[path = "../tests/support/large_plan.rs"]
mod large_plan;

use divan::{Bencher, black_box};
use query_guard_explain as explain;

fn main() {
    // SAFETY: set before any thread starts.
    unsafe { std::env::set_var("QUERY_GUARD_REPORTS", "0") };
    divan::main();
}

#[divan::bench(sample_count = 20)]
fn parse_and_analyse_json_10000_nodes(b: Bencher) {
    let (json, _) = large_plan::wide(10_002);
    b.bench(|| explain::analyze(black_box(&json)).unwrap());
}

#[divan::bench(sample_count = 20)]
fn parse_and_analyse_text_10000_nodes(b: Bencher) {
    let (_, text) = large_plan::wide(10_002);
    b.bench(|| explain::analyze(black_box(&text)).unwrap());
}

#[divan::bench(sample_count = 20)]
fn parse_and_analyse_deep_json_10000_nodes(b: Bencher) {
    let json = large_plan::deep(10_000);
    b.bench(|| explain::analyze(black_box(&json)).unwrap());
}

#[divan::bench(sample_count = 20)]
fn render_text_10000_nodes(b: Bencher) {
    let (json, _) = large_plan::wide(10_002);
    let explained = explain::analyze(&json).unwrap();
    b.bench(|| black_box(&explained).to_string());
}
