//! The detectors' rules, one test per rule, on statements recorded with `query_guard::record`
//! (the accuracy suite in the workspace's `tests/` runs real databases).

use std::time::Duration;

use query_guard::allow::Allowance;
use query_guard::detect::n_plus_one::NPlusOneKind;
use query_guard::{Budget, Scope, StatementRecord, capture, capture_with, record};

fn sql(text: &str) {
    assert!(
        record(StatementRecord::new(text)),
        "no scope received {text}"
    );
}

fn rows(text: &str, rows: u64) {
    assert!(record(StatementRecord::new(text).rows_returned(rows)));
}

fn timed(text: &str, ms: u64) {
    assert!(record(
        StatementRecord::new(text).elapsed(Duration::from_millis(ms))
    ));
}

// What `#[tracing::instrument]` does, spelt out (the library does not enable tracing's
// `attributes` feature).
fn load_author(id: u32) {
    let _span = tracing::info_span!("load_author").entered();
    sql(&format!("SELECT * FROM authors WHERE id = {id}"));
}

fn load_author_elsewhere(id: u32) {
    let _span = tracing::info_span!("load_author_elsewhere").entered();
    sql(&format!("SELECT * FROM authors WHERE id = {id}"));
}

#[test]
fn interleaved_statements_still_group() {
    let ((), report) = capture("interleaved", || {
        for id in 1..=4 {
            sql(&format!("SELECT * FROM authors WHERE id = {id}"));
            sql(&format!("UPDATE counters SET n = n + 1 WHERE id = {id}"));
            sql("SELECT now()");
        }
    });
    // authors and counters repeat in lockstep: one sequence; `SELECT now()` has one value
    // (a duplicate, not an N+1) and is not part of it.
    let f = report.n_plus_one();
    assert_eq!(f.len(), 1, "{report}");
    assert_eq!(f[0].kind, NPlusOneKind::Sequence);
    assert_eq!(f[0].steps.len(), 2);
    assert_eq!(f[0].count, 4);
    assert_eq!(report.duplicates()[0].count, 4, "{report}");
}

#[test]
fn each_call_site_is_judged_on_its_own_runs() {
    let ((), report) = capture("sites", || {
        for id in 1..=2 {
            load_author(id);
            load_author_elsewhere(id + 10);
        }
    });
    // Four runs of one shape, but two from each site: below the threshold of 3 at each.
    assert!(report.n_plus_one().is_empty(), "{report}");
    let ((), report) = capture("one site", || (1..=3).for_each(load_author));
    let f = &report.n_plus_one()[0];
    assert_eq!(f.count, 3);
    assert_eq!(
        f.call_path.to_string().split(" (").next(),
        Some("load_author")
    );
}

#[test]
fn the_same_values_again_and_again_are_duplicates_not_an_n_plus_one() {
    let ((), report) = capture("same row", || {
        for _ in 0..5 {
            sql("SELECT * FROM settings WHERE id = 1");
        }
    });
    assert!(report.n_plus_one().is_empty(), "{report}");
    let d = &report.duplicates()[0];
    assert_eq!((d.count, d.statements.len()), (5, 5));
    assert!(d.suggestion.contains("cache or reuse the result"));
    assert!(report.to_string().contains("Duplicate: 5 ×"), "{report}");
}

#[test]
fn bind_parameters_hide_values_so_runs_count_as_different() {
    let ((), report) = capture("binds", || {
        for _ in 0..3 {
            sql("SELECT * FROM authors WHERE id = $1");
        }
    });
    assert_eq!(report.n_plus_one()[0].distinct_values, None);
    assert!(report.duplicates().is_empty(), "{report}");
}

#[test]
fn pagination_with_full_pages_is_not_an_n_plus_one() {
    let ((), keyset) = capture("keyset", || {
        for _ in 0..4 {
            rows(
                "SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2",
                100,
            );
        }
        rows("SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2", 7);
    });
    assert!(keyset.n_plus_one().is_empty(), "{keyset}");
    let ((), offset) = capture("offset", || {
        for _ in 0..3 {
            rows("SELECT * FROM events ORDER BY id LIMIT $1 OFFSET $2", 50);
        }
    });
    assert!(offset.n_plus_one().is_empty(), "{offset}");
    // One row per run with LIMIT 1: per-row look-ups, not pages.
    let ((), lookups) = capture("first comment per post", || {
        for _ in 0..3 {
            rows(
                "SELECT * FROM comments WHERE post_id = $1 AND id > $2 ORDER BY id LIMIT 1",
                1,
            );
        }
    });
    assert_eq!(lookups.n_plus_one().len(), 1, "{lookups}");
}

#[test]
fn a_retried_read_is_not_a_duplicate() {
    let ((), report) = capture("retry", || {
        rows("SELECT * FROM jobs WHERE id = 7", 0); // failed: sqlx logs it with no rows
        sql("ROLLBACK");
        rows("SELECT * FROM jobs WHERE id = 7", 1);
    });
    assert!(report.duplicates().is_empty(), "{report}");
    assert!(report.n_plus_one().is_empty(), "{report}");
}

#[test]
fn sequences_need_the_same_count_and_alternating_runs() {
    let ((), report) = capture("not lockstep", || {
        for id in 1..=3 {
            sql(&format!("SELECT * FROM authors WHERE id = {id}"));
        }
        for id in 1..=3 {
            sql(&format!("SELECT * FROM tags WHERE post_id = {id}"));
        }
    });
    let kinds: Vec<_> = report.n_plus_one().iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [NPlusOneKind::Repeated, NPlusOneKind::Repeated],
        "{report}"
    );
    let ((), report) = capture("three steps", || {
        for id in 1..=3 {
            sql(&format!("SELECT * FROM authors WHERE id = {id}"));
            sql(&format!("SELECT * FROM tags WHERE post_id = {id}"));
            sql(&format!("SELECT count(*) FROM likes WHERE post_id = {id}"));
        }
    });
    let f = &report.n_plus_one()[0];
    assert_eq!(
        (f.kind, f.steps.len(), f.count),
        (NPlusOneKind::Sequence, 3, 3)
    );
    assert_eq!(f.tables, ["authors", "tags", "likes"]);
    assert!(
        report
            .to_string()
            .contains("N+1 (repeated sequence): 3 × the same 3 statements"),
        "{report}"
    );
}

#[test]
fn writes_in_a_loop_get_a_batching_fix() {
    let ((), report) = capture("inserts", || {
        for _ in 0..3 {
            sql("INSERT INTO items (order_id, sku) VALUES ($1, $2)");
        }
    });
    let fix = &report.n_plus_one()[0].suggestion;
    assert!(fix.contains("multi-row INSERT"), "{fix}");
    let ((), report) = capture("updates", || {
        for id in 1..=3 {
            sql(&format!("UPDATE items SET qty = 0 WHERE id = {id}"));
        }
    });
    let fix = &report.n_plus_one()[0].suggestion;
    assert!(fix.contains("WHERE id = ANY($1)"), "{fix}");
}

#[test]
fn allowances_match_their_shapes_and_unused_ones_are_reported() {
    let budget = Budget::new()
        .max(2)
        .deny_n_plus_one(true)
        .allow(Allowance::n_plus_one("/FROM tags/", "tags are cached").unwrap())
        .allow(Allowance::over_budget("SELECT * FROM tags", "cached reads").unwrap())
        .allow(Allowance::n_plus_one("FROM labels", "legacy").unwrap());
    let ((), report) = capture_with("allowed", budget, || {
        sql("SELECT * FROM posts");
        for id in 1..=4 {
            sql(&format!("SELECT * FROM tags WHERE post_id = {id}"));
        }
    });
    assert!(!report.failed(), "{report}");
    assert_eq!(report.count(), 1);
    assert_eq!(report.counts().allowed, 4);
    let matched: Vec<usize> = report.allowances().iter().map(|a| a.matched).collect();
    assert_eq!(matched, [1, 4, 0]);
    assert_eq!(report.unallowed_n_plus_one().count(), 0);
    let text = report.to_string();
    assert!(
        text.contains("allowed by `/FROM tags/`: tags are cached"),
        "{text}"
    );
    assert!(
        text.contains("Unused allowance: n_plus_one `FROM labels`"),
        "{text}"
    );
}

#[test]
fn slow_statements_have_percentiles_and_fail_only_when_denied() {
    let budget = Budget::new().slow(Duration::from_millis(100));
    let ((), report) = capture_with("slow", budget.clone(), || {
        for ms in [5, 6, 7, 8, 300] {
            timed("SELECT * FROM posts WHERE body LIKE $1", ms);
        }
        timed("SELECT 1", 1);
    });
    assert!(!report.failed());
    let s = &report.slow()[0];
    assert_eq!((s.count, s.runs), (1, 5));
    assert_eq!(s.stats.p50, Duration::from_millis(7));
    assert_eq!(s.stats.p95, Duration::from_millis(300));
    assert_eq!(s.statements, [5]);
    let ((), denied) = capture_with("denied", budget.deny_slow(true), || {
        timed("SELECT * FROM posts WHERE body LIKE $1", 150);
    });
    assert!(denied.failed());
}

#[test]
fn past_the_storage_cap_stats_are_approximate_and_memory_stays_bounded() {
    query_guard::install().unwrap();
    let scope = Scope::builder("capped")
        .budget(Budget::new().slow(Duration::from_millis(50)))
        .max_stored(10)
        .open()
        .unwrap();
    scope.in_scope(|| {
        for i in 0..1_000u64 {
            timed("SELECT * FROM events WHERE id = $1", 1 + i % 100);
        }
    });
    let report = scope.finish();
    assert_eq!(report.statements().len(), 10);
    let shape = &report.fingerprints()[0];
    assert_eq!(shape.count, 1_000);
    assert!(shape.time.approximate);
    assert_eq!(shape.time.max, Duration::from_millis(100));
    let p50 = shape.time.p50.as_secs_f64() * 1e3;
    assert!((45.0..=56.0).contains(&p50), "p50 {p50} ms");
    assert_eq!(shape.slow, 510, "every run of 50 ms or more, stored or not");
    assert_eq!(report.n_plus_one()[0].count, 1_000);
}

#[test]
fn the_json_report_has_every_section() {
    let ((), report) = capture("json", || {
        for id in 1..=3 {
            sql(&format!("SELECT * FROM authors WHERE id = {id}"));
        }
    });
    let json = report.to_json();
    assert_eq!(json["schema_version"], 2);
    for key in [
        "run_id",
        "finished_unix_ms",
        "scope",
        "test",
        "failed",
        "n_plus_one",
        "duplicates",
        "slow",
        "allowances",
        "fingerprints",
        "statements",
    ] {
        assert!(json.get(key).is_some(), "missing {key}: {json}");
    }
    assert_eq!(json["n_plus_one"][0]["kind"], "repeated");
    assert_eq!(json["n_plus_one"][0]["distinct_values"], 3);
    assert_eq!(
        json["test"], "the_json_report_has_every_section",
        "the test harness's thread name"
    );
    assert!(
        !json.to_string().contains("id = 2"),
        "no literal value in the JSON report"
    );
}

#[test]
fn with_backtraces_each_line_is_its_own_call_site() {
    query_guard::install().unwrap();
    let run = |backtrace: bool| {
        let scope = Scope::builder("lines").backtrace(backtrace).open().unwrap();
        // `record` called from these lines (a helper such as `sql` above would itself be the
        // first application frame: data-access helpers go in `backtrace_skip`).
        scope.in_scope(|| {
            for id in 1..=2 {
                record(StatementRecord::new(format!(
                    "SELECT * FROM authors WHERE id = {id}"
                )));
            }
            for id in 3..=4 {
                record(StatementRecord::new(format!(
                    "SELECT * FROM authors WHERE id = {id}"
                )));
            }
        });
        scope.finish()
    };
    // Without call sites from stacks, the four runs come from one place (the scope's body).
    assert_eq!(run(false).n_plus_one().len(), 1);
    // With them, each loop is its own call site with two runs: below the threshold.
    let report = run(true);
    assert!(report.n_plus_one().is_empty(), "{report}");
    let site = report.statements()[0]
        .call_site
        .as_deref()
        .expect("a call site");
    assert_eq!(site.file(), Some("tests/detection.rs"), "{site}");
    assert_ne!(
        report.statements()[0].call_site,
        report.statements()[2].call_site,
        "two lines, two call sites"
    );
    assert!(
        report.to_string().contains("at tests/detection.rs:"),
        "{report}"
    );
}

#[test]
fn sqlcommenter_comments_do_not_make_runs_different() {
    let ((), report) = capture("traced", || {
        for i in 0..5 {
            sql(&format!(
                "SELECT * FROM settings WHERE id = 1 /*traceparent='00-{i:032x}-{i:016x}-01'*/"
            ));
        }
    });
    assert!(report.n_plus_one().is_empty(), "{report}");
    assert_eq!(report.duplicates()[0].count, 5, "{report}");
}

#[test]
fn an_allowance_for_one_step_does_not_accept_a_whole_sequence() {
    let budget = Budget::new()
        .deny_n_plus_one(true)
        .allow(Allowance::n_plus_one("FROM tags", "cached").unwrap());
    let ((), report) = capture_with("sequence", budget.clone(), || {
        for id in 0..4 {
            sql(&format!("SELECT * FROM authors WHERE id = {id}"));
            sql(&format!("SELECT * FROM tags WHERE post_id = {id}"));
        }
    });
    assert!(report.failed(), "{report}");
    let budget = budget.allow(Allowance::n_plus_one("FROM authors", "cached too").unwrap());
    let ((), report) = capture_with("sequence", budget, || {
        for id in 0..4 {
            sql(&format!("SELECT * FROM authors WHERE id = {id}"));
            sql(&format!("SELECT * FROM tags WHERE post_id = {id}"));
        }
    });
    assert!(!report.failed(), "{report}");
    let matched: Vec<usize> = report.allowances().iter().map(|a| a.matched).collect();
    assert_eq!(matched, [1, 1], "both allowances are credited");
}

/// A scope that stores only `cap` statements, the rest aggregated.
fn capped(cap: usize, f: impl FnOnce()) -> query_guard::Report {
    query_guard::install().unwrap();
    let scope = Scope::builder("capped").max_stored(cap).open().unwrap();
    scope.in_scope(f);
    scope.finish()
}

#[test]
fn past_the_storage_cap_the_same_rules_apply() {
    // The same values again and again: not an N+1.
    let r = capped(2, || {
        (0..5).for_each(|_| sql("SELECT * FROM settings WHERE id = 1"))
    });
    assert!(r.n_plus_one().is_empty(), "{r}");
    // Chunks of a batched load: not an N+1.
    let r = capped(2, || {
        (0..5).for_each(|_| sql("SELECT * FROM authors WHERE id = ANY($1)"))
    });
    assert!(r.n_plus_one().is_empty(), "{r}");
    // A read that pages (row counts of unstored runs are unknown): not judged an N+1.
    let r = capped(2, || {
        (0..6).for_each(|_| {
            rows(
                "SELECT * FROM events WHERE id > $1 ORDER BY id LIMIT $2",
                100,
            )
        })
    });
    assert!(r.n_plus_one().is_empty(), "{r}");
    // Different values past the cap: an N+1 with every run counted.
    let r = capped(2, || {
        (0..6).for_each(|i| sql(&format!("SELECT * FROM authors WHERE id = {i}")))
    });
    assert_eq!(r.n_plus_one().len(), 1, "{r}");
    assert_eq!(r.n_plus_one()[0].count, 6);
    assert_eq!(r.n_plus_one()[0].distinct_values, Some(6));
    // A sequence found among the stored runs counts its repetitions past the cap once each.
    let r = capped(10, || {
        for id in 0..20 {
            sql(&format!("SELECT * FROM authors WHERE id = {id}"));
            sql(&format!("SELECT * FROM tags WHERE post_id = {id}"));
        }
    });
    let kinds: Vec<_> = r.n_plus_one().iter().map(|f| (f.kind, f.count)).collect();
    assert_eq!(kinds, [(NPlusOneKind::Sequence, 20)], "{r}");
}

#[test]
fn large_statements_are_bounded_by_bytes_too() {
    let big = format!(
        "INSERT INTO blobs (data) VALUES ('{}')",
        "x".repeat(1 << 20)
    );
    let prefix = query_guard::fingerprint::MAX_FINGERPRINT_LEN;
    // Each statement keeps its first 64 KiB, so the 8 MiB of a scope hold 128 of them.
    let r = capped(10_000, || (0..200).for_each(|_| sql(&big)));
    let stored = r.statements().len();
    assert!(
        stored * prefix <= query_guard::MAX_STORED_SQL_BYTES && stored >= 100,
        "{stored} statements stored"
    );
    assert_eq!(r.count(), 200, "every statement is still counted");
    assert_eq!(r.counts().unstored, 200 - stored);
    assert_eq!(
        r.statements()[0].normalized.as_ref(),
        "INSERT INTO blobs(data) VALUES ($1 …[truncated ≥1mib]"
    );
    assert!(r.to_string().contains("longer than 64 KiB"), "{r}");
}
