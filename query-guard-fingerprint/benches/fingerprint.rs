//! Fingerprint benchmarks on a corpus of realistic statements (`corpus/statements.sql`).
//!
//! Run: `cargo bench -p query-guard-fingerprint --bench fingerprint`. Figures go in BENCHMARKS.md.
//!
//! - `cold`: one `fingerprint()` call per sample, cycling through the corpus, so the reported
//!   median is the median cold time per statement.
//! - `cold_then_parsed`: `fingerprint()` then its first `parsed()` call, which asks sqlparser
//!   (what `query-guard fingerprint --json` pays; the capture path never asks).
//! - `sqlparser_parse_only`: sqlparser's `Parser::parse_sql` alone on the same statements.
//! - `cold_by_class`: `cold` per class of statement.
//! - `cached`: `FingerprintCache::get` on statements already in the cache (the common case on the
//!   reporting path), cycling through the corpus.
//! - `corpus_cold`: the whole corpus per iteration (throughput).

use std::sync::OnceLock;

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use query_guard_fingerprint::{Dialect, FingerprintCache, fingerprint};

fn main() {
    divan::main();
}

struct Stmt {
    sql: &'static str,
    dialect: Dialect,
    class: &'static str,
}

fn classify(sql: &str, section: usize) -> &'static str {
    if section == 1 {
        return "pg_stat_statements";
    }
    if section >= 2 {
        return "mysql_sqlite";
    }
    let s = sql.trim_start().as_bytes();
    let starts = |p: &str| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    if starts("insert") {
        "insert"
    } else if starts("update") || starts("delete") {
        "update_delete"
    } else if starts("select") || starts("with") {
        "select"
    } else {
        "other"
    }
}

fn corpus() -> &'static [Stmt] {
    static CORPUS: OnceLock<Vec<Stmt>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let text: &'static str = include_str!("corpus/statements.sql");
        let mut dialect = Dialect::Postgres;
        let mut section = 0usize;
        let mut sections = 0usize;
        let mut out = Vec::new();
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("-- @dialect ") {
                dialect = match name.trim() {
                    "mysql" => Dialect::MySql,
                    "sqlite" => Dialect::Sqlite,
                    "generic" => Dialect::Generic,
                    _ => Dialect::Postgres,
                };
                section = sections;
                sections += 1;
                continue;
            }
            if line.trim().is_empty() || line.starts_with("--") {
                continue;
            }
            out.push(Stmt {
                sql: line,
                dialect,
                class: classify(line, section),
            });
        }
        assert!(out.len() >= 500, "corpus has {} statements", out.len());
        out
    })
}

fn cycle(filter: impl Fn(&Stmt) -> bool) -> impl FnMut() -> &'static Stmt {
    let stmts: Vec<&'static Stmt> = corpus().iter().filter(|s| filter(s)).collect();
    let mut i = 0usize;
    move || {
        i = (i + 1) % stmts.len();
        stmts[i]
    }
}

#[divan::bench(sample_size = 1, sample_count = 20_000)]
fn cold(bencher: Bencher) {
    bencher
        .with_inputs(cycle(|_| true))
        .bench_local_values(|s| fingerprint(s.sql, s.dialect));
}

/// `fingerprint()` and then sqlparser's verdict (`parsed()`, asked on first call).
#[divan::bench(sample_size = 1, sample_count = 20_000)]
fn cold_then_parsed(bencher: Bencher) {
    bencher
        .with_inputs(cycle(|_| true))
        .bench_local_values(|s| {
            let fp = fingerprint(s.sql, s.dialect);
            black_box(fp.parsed());
            fp
        });
}

/// sqlparser's parse alone, for comparison.
#[divan::bench(sample_size = 1, sample_count = 20_000)]
fn sqlparser_parse_only(bencher: Bencher) {
    use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
    use sqlparser::parser::Parser;
    bencher
        .with_inputs(cycle(|_| true))
        .bench_local_values(|s| match s.dialect {
            Dialect::MySql => Parser::parse_sql(&MySqlDialect {}, s.sql).is_ok(),
            Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, s.sql).is_ok(),
            _ => Parser::parse_sql(&PostgreSqlDialect {}, s.sql).is_ok(),
        });
}

#[divan::bench(
    args = ["select", "insert", "update_delete", "pg_stat_statements", "mysql_sqlite", "other"],
    sample_size = 1,
    sample_count = 5_000
)]
fn cold_by_class(bencher: Bencher, class: &str) {
    bencher
        .with_inputs(cycle(|s| s.class == class))
        .bench_local_values(|s| fingerprint(s.sql, s.dialect));
}

#[divan::bench(sample_size = 1_000, sample_count = 1_000)]
fn cached(bencher: Bencher) {
    let cache = FingerprintCache::new(1 << 16, 1 << 28);
    for s in corpus() {
        cache.get(s.sql, s.dialect);
    }
    bencher
        .with_inputs(cycle(|_| true))
        .bench_local_values(|s| cache.get(s.sql, s.dialect));
}

#[divan::bench(sample_count = 20)]
fn corpus_cold(bencher: Bencher) {
    let stmts = corpus();
    bencher
        .counter(ItemsCount::new(stmts.len()))
        .bench_local(|| {
            for s in stmts {
                black_box(fingerprint(black_box(s.sql), s.dialect));
            }
        });
}
