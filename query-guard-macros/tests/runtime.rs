//! Runtime behaviour of `#[query_budget]`: statements are simulated with `query_guard::record`, so
//! no database is needed. This file is compiled with `cfg(test)`, so budgets panic by default.
//! (Do not set `QUERY_GUARD` when running it: it overrides every mode.)

use std::panic::{AssertUnwindSafe, UnwindSafe, catch_unwind};

use query_guard::{StatementRecord, capture, capture_async, query_budget, record};

fn select(table: &str) {
    assert!(
        record(StatementRecord::new(format!("SELECT * FROM {table}"))),
        "the statement reached no scope"
    );
}

fn insert(table: &str) {
    assert!(record(StatementRecord::new(format!(
        "INSERT INTO {table} (a) VALUES (1)"
    ))));
}

fn sql(text: &str) {
    assert!(record(StatementRecord::new(text)));
}

/// Runs `f`, which must panic, and returns its panic message.
#[track_caller]
fn panic_message(f: impl FnOnce() + UnwindSafe) -> String {
    let payload = catch_unwind(f).expect_err("expected a panic");
    payload_message(payload)
}

fn payload_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        panic!("panic payload is not a string")
    }
}

// ---------------------------------------------------------------------------------------------
// Budgets

#[query_budget(max = 2)]
fn two_selects() -> usize {
    select("users");
    select("posts");
    2
}

#[test]
fn within_budget_passes_and_the_statements_are_recorded() {
    let (value, outer) = capture("outer", two_selects);
    assert_eq!(value, 2);
    assert_eq!(outer.count(), 2);
}

#[query_budget(max = 2)]
fn three_selects() {
    select("users");
    select("posts");
    select("comments");
}

#[test]
#[should_panic(expected = "expected at most 2 queries, 3 ran")]
fn over_budget_panics_with_the_report() {
    three_selects();
}

#[test]
fn the_report_names_the_function_and_lists_the_statements() {
    let msg = panic_message(three_selects);
    assert!(msg.contains("in `runtime::three_selects`"), "{msg}");
    assert!(msg.contains("SELECT * FROM comments"), "{msg}");
}

#[query_budget(max = 0)]
fn located() {
    select("users");
}
const LOCATED_LINE: u32 = line!() - 3;

#[test]
fn the_report_points_at_the_function_name() {
    let msg = panic_message(located);
    let at = format!("tests/runtime.rs:{LOCATED_LINE})");
    assert!(msg.contains(&at), "expected {at} in {msg}");
}

#[query_budget(max = 0, name = "custom scope")]
fn renamed() {
    select("users");
}

#[test]
fn name_overrides_the_scope_name() {
    let msg = panic_message(renamed);
    assert!(msg.contains("in `custom scope`"), "{msg}");
}

#[query_budget(list)]
fn list(n: usize) {
    (0..n).for_each(|i| select(&format!("t{i}")));
}

#[query_budget(detail)]
fn detail(n: usize) {
    (0..n).for_each(|i| select(&format!("t{i}")));
}

#[test]
fn list_preset_allows_ten() {
    list(10);
    let msg = panic_message(|| list(11));
    assert!(msg.contains("expected at most 10 queries, 11 ran"), "{msg}");
}

#[test]
fn detail_preset_allows_five() {
    detail(5);
    let msg = panic_message(|| detail(6));
    assert!(msg.contains("expected at most 5 queries, 6 ran"), "{msg}");
}

#[query_budget(max_reads = 1)]
fn reads_and_writes(reads: usize, writes: usize) {
    (0..reads).for_each(|i| select(&format!("t{i}")));
    (0..writes).for_each(|i| insert(&format!("t{i}")));
}

#[query_budget(max_writes = 1)]
fn writes_and_reads(reads: usize, writes: usize) {
    (0..reads).for_each(|i| select(&format!("t{i}")));
    (0..writes).for_each(|i| insert(&format!("t{i}")));
}

#[test]
fn max_reads_limits_reads_only() {
    reads_and_writes(1, 5);
    let msg = panic_message(|| reads_and_writes(2, 0));
    assert!(msg.contains("expected at most 1 read, 2 ran"), "{msg}");
}

#[test]
fn max_writes_limits_writes_only() {
    writes_and_reads(5, 1);
    let msg = panic_message(|| writes_and_reads(0, 2));
    assert!(msg.contains("expected at most 1 write, 2 ran"), "{msg}");
}

#[query_budget(max = 1)]
fn in_a_transaction() {
    sql("BEGIN");
    select("users");
    sql("COMMIT");
}

#[query_budget(max = 1, include_transactions = true)]
fn in_a_counted_transaction() {
    sql("BEGIN");
    select("users");
    sql("COMMIT");
}

#[test]
fn transaction_control_is_not_counted_by_default() {
    in_a_transaction();
}

#[test]
#[should_panic(expected = "expected at most 1 query, 3 ran")]
fn include_transactions_counts_transaction_control() {
    in_a_counted_transaction();
}

#[query_budget(max = 1)]
fn with_driver_lookup() {
    select("users");
    sql("SELECT $1::regtype::oid");
}

#[query_budget(max = 1, include_internal = true)]
fn with_counted_driver_lookup() {
    select("users");
    sql("SELECT $1::regtype::oid");
}

#[test]
fn include_internal_counts_driver_lookups() {
    with_driver_lookup();
    let msg = panic_message(with_counted_driver_lookup);
    assert!(msg.contains("expected at most 1 query, 2 ran"), "{msg}");
}

#[query_budget(deny_n_plus_one)]
fn n_plus_one(n: usize) {
    for id in 0..n {
        sql(&format!("SELECT * FROM posts WHERE id = {id}"));
    }
}

#[query_budget(deny_n_plus_one = true, n_plus_one_threshold = 4)]
fn n_plus_one_at_four(n: usize) {
    for id in 0..n {
        sql(&format!("SELECT * FROM posts WHERE id = {id}"));
    }
}

#[query_budget(max = 10, deny_n_plus_one = false)]
fn n_plus_one_allowed(n: usize) {
    for id in 0..n {
        sql(&format!("SELECT * FROM posts WHERE id = {id}"));
    }
}

#[test]
fn deny_n_plus_one_fails_on_a_repeated_shape() {
    n_plus_one(2);
    let msg = panic_message(|| n_plus_one(3));
    assert!(msg.contains("expected no N+1, found 1"), "{msg}");
}

#[test]
fn n_plus_one_threshold_moves_the_limit() {
    n_plus_one_at_four(3);
    let msg = panic_message(|| n_plus_one_at_four(4));
    assert!(msg.contains("expected no N+1, found 1"), "{msg}");
}

#[test]
fn n_plus_one_is_reported_not_failed_without_deny() {
    n_plus_one_allowed(5);
}

// ---------------------------------------------------------------------------------------------
// Modes

#[query_budget(max = 0, mode = "off")]
fn mode_off() -> u8 {
    select("users");
    7
}

#[query_budget(max = 0, mode = "warn")]
fn mode_warn() -> u8 {
    select("users");
    8
}

#[query_budget(max = 0, mode = "panic")]
fn mode_panic() {
    select("users");
}

#[test]
fn mode_off_does_not_panic() {
    assert_eq!(mode_off(), 7);
}

#[test]
fn mode_warn_does_not_panic() {
    assert_eq!(mode_warn(), 8);
}

#[test]
#[should_panic(expected = "expected at most 0 queries, 1 ran")]
fn mode_panic_panics() {
    mode_panic();
}

// ---------------------------------------------------------------------------------------------
// Control flow

#[query_budget(max = 1)]
fn fallible(fail: bool) -> Result<u32, String> {
    select("users");
    let checked: u32 = if fail {
        Err("no such user".to_owned())?
    } else {
        1
    };
    select("posts");
    Ok(checked)
}

#[test]
fn result_with_question_mark_early_return_is_still_checked() {
    // The early return skipped the second statement: within budget, the error comes back.
    assert_eq!(fallible(true), Err("no such user".to_owned()));
    let msg = panic_message(|| {
        let _ = fallible(false);
    });
    assert!(msg.contains("expected at most 1 query, 2 ran"), "{msg}");
}

#[query_budget(max = 1)]
fn fallible_over_budget_before_the_error() -> Result<(), String> {
    select("users");
    select("posts");
    Err("failed".to_owned())?;
    select("never");
    Ok(())
}

#[test]
#[should_panic(expected = "expected at most 1 query, 2 ran")]
fn question_mark_early_return_over_budget_panics() {
    let _ = fallible_over_budget_before_the_error();
}

#[query_budget(max = 2)]
fn early_return(stop_at: usize) -> usize {
    for i in 0..10 {
        select(&format!("t{i}"));
        if i == stop_at {
            return i;
        }
    }
    unreachable!()
}

#[test]
fn early_return_is_still_checked() {
    assert_eq!(early_return(1), 1);
    let msg = panic_message(|| {
        early_return(2);
    });
    assert!(msg.contains("expected at most 2 queries, 3 ran"), "{msg}");
}

#[query_budget(max = 0)]
fn panics_itself() {
    select("users");
    panic!("the body's own panic");
}

#[test]
#[should_panic(expected = "the body's own panic")]
fn a_panicking_body_keeps_its_own_panic() {
    // Over budget too, but the guard must not panic again while unwinding (that would abort).
    panics_itself();
}

// ---------------------------------------------------------------------------------------------
// Nesting

#[query_budget(max = 2)]
fn child() {
    select("users");
    select("posts");
}

#[query_budget(max = 3)]
fn parent(children: usize) {
    (0..children).for_each(|_| child());
}

#[test]
fn child_statements_count_in_the_parent() {
    let ((), outer) = capture("outer", || parent(1));
    assert_eq!(outer.count(), 2);
    // Each child is within its budget; the parent sees all four statements.
    let msg = panic_message(|| parent(2));
    assert!(
        msg.contains("expected at most 3 queries, 4 ran in `runtime::parent`"),
        "{msg}"
    );
}

#[query_budget(max = 2)]
async fn async_child() {
    select("users");
    tokio::task::yield_now().await;
    select("posts");
}

#[query_budget(max = 3)]
async fn async_parent(children: usize) {
    for _ in 0..children {
        async_child().await;
    }
}

#[tokio::test]
async fn async_child_statements_count_in_the_async_parent() {
    let ((), outer) = capture_async("outer", async_parent(1)).await;
    assert_eq!(outer.count(), 2);
    let err = tokio::spawn(async_parent(2))
        .await
        .expect_err("the parent broke its budget");
    let msg = payload_message(err.into_panic());
    assert!(
        msg.contains("expected at most 3 queries, 4 ran in `runtime::async_parent`"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------------------------
// Async

#[query_budget(max = 2)]
async fn async_load(n: usize) -> usize {
    for i in 0..n {
        tokio::task::yield_now().await;
        select(&format!("t{i}"));
    }
    n
}

#[query_budget(max = 2)]
#[tokio::test]
async fn above_tokio_test_within_budget() {
    select("users");
    tokio::task::yield_now().await;
    select("posts");
}

#[query_budget(max = 1)]
#[tokio::test]
#[should_panic(expected = "expected at most 1 query, 2 ran")]
async fn above_tokio_test_over_budget() {
    select("users");
    tokio::task::yield_now().await;
    select("posts");
}

#[query_budget(max = 2)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_multi_thread_tokio_test_within_budget() {
    select("users");
    assert_eq!(tokio::spawn(async_load(2)).await.unwrap(), 2);
    select("posts");
}

#[query_budget(max = 1)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "expected at most 1 query, 3 ran")]
async fn above_multi_thread_tokio_test_over_budget() {
    select("users");
    tokio::task::yield_now().await;
    select("posts");
    tokio::task::yield_now().await;
    select("comments");
}

#[tokio::test]
#[query_budget(max = 1)]
#[should_panic(expected = "expected at most 1 query, 2 ran")]
async fn below_tokio_test_also_works() {
    select("users");
    tokio::task::yield_now().await;
    select("posts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_fn_is_checked_across_worker_threads() {
    // The budgeted future runs on the runtime's worker threads, polled many times.
    assert_eq!(tokio::spawn(async_load(2)).await.unwrap(), 2);
    let err = tokio::spawn(async_load(3)).await.expect_err("over budget");
    let msg = payload_message(err.into_panic());
    assert!(
        msg.contains("expected at most 2 queries, 3 ran in `runtime::async_load`"),
        "{msg}"
    );
}

#[query_budget(max = 1)]
async fn async_fallible(fail: bool) -> Result<u32, std::num::ParseIntError> {
    select("users");
    let n: u32 = if fail { "x".parse()? } else { "1".parse()? };
    tokio::task::yield_now().await;
    select("posts");
    Ok(n)
}

#[tokio::test]
async fn async_question_mark_early_return_is_still_checked() {
    assert!(async_fallible(true).await.is_err());
    let err = tokio::spawn(async_fallible(false))
        .await
        .expect_err("over budget");
    let msg = payload_message(err.into_panic());
    assert!(msg.contains("expected at most 1 query, 2 ran"), "{msg}");
}

#[query_budget(max = 0, mode = "off")]
async fn async_mode_off() -> u8 {
    select("users");
    9
}

#[tokio::test]
async fn async_mode_off_does_not_panic() {
    assert_eq!(async_mode_off().await, 9);
}

#[test]
fn async_budgeted_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let future = async_load(1);
    assert_send(&future);
    drop(future);
}

#[test]
fn a_dropped_async_future_counts_nothing_and_does_not_panic() {
    // Never polled: the scope is opened on first poll, so nothing is checked.
    drop(async_load(5));
}

// What `#[async_trait]` makes of an `async fn`, and a hand-written future: the future is budgeted,
// not its creation.

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

#[query_budget(max = 1)]
fn async_trait_shaped(n: usize) -> BoxFuture<'static, Result<usize, String>> {
    Box::pin(async move {
        for i in 0..n {
            tokio::task::yield_now().await;
            select(&format!("t{i}"));
        }
        if n == 0 {
            Err("none".to_owned())?;
        }
        Ok(n)
    })
}

#[query_budget(max = 1)]
#[allow(clippy::manual_async_fn)] // The shape under test.
fn returns_impl_future(n: usize) -> impl std::future::Future<Output = usize> + Send {
    async move {
        for i in 0..n {
            tokio::task::yield_now().await;
            select(&format!("t{i}"));
        }
        n
    }
}

#[tokio::test]
async fn returned_futures_are_budgeted_when_they_run() {
    assert_eq!(async_trait_shaped(1).await, Ok(1));
    assert_eq!(async_trait_shaped(0).await, Err("none".to_owned()));
    assert_eq!(returns_impl_future(1).await, 1);
    // Created here, in no scope: only running them counts.
    let (boxed, plain) = (async_trait_shaped(2), returns_impl_future(2));
    let err = tokio::spawn(boxed).await.expect_err("over budget");
    let msg = payload_message(err.into_panic());
    assert!(
        msg.contains("expected at most 1 query, 2 ran in `runtime::async_trait_shaped`"),
        "{msg}"
    );
    let err = tokio::spawn(plain).await.expect_err("over budget");
    let msg = payload_message(err.into_panic());
    assert!(
        msg.contains("expected at most 1 query, 2 ran in `runtime::returns_impl_future`"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------------------------
// Methods and generics

#[derive(Default)]
struct Repo {
    loaded: usize,
}

impl Repo {
    #[query_budget(max = 1)]
    fn new_loaded() -> Repo {
        select("settings");
        Repo { loaded: 1 }
    }

    #[query_budget(max = 2)]
    fn by_ref(&self, n: usize) -> usize {
        (0..n).for_each(|i| select(&format!("t{i}")));
        self.loaded
    }

    #[query_budget(max = 2)]
    fn by_mut(&mut self, n: usize) {
        (0..n).for_each(|i| select(&format!("t{i}")));
        self.loaded += n;
    }

    #[query_budget(max = 2)]
    fn by_value(self, n: usize) -> usize {
        (0..n).for_each(|i| select(&format!("t{i}")));
        self.loaded
    }

    #[query_budget(max = 2)]
    async fn by_ref_async(&self, n: usize) -> usize {
        for i in 0..n {
            tokio::task::yield_now().await;
            select(&format!("t{i}"));
        }
        self.loaded
    }
}

#[test]
fn methods_are_budgeted() {
    let mut repo = Repo::new_loaded();
    assert_eq!(repo.by_ref(2), 1);
    repo.by_mut(2);
    assert_eq!(repo.loaded, 3);
    let msg = panic_message(AssertUnwindSafe(|| {
        repo.by_ref(3);
    }));
    assert!(msg.contains("3 ran in `runtime::by_ref`"), "{msg}");
    let msg = panic_message(AssertUnwindSafe(|| repo.by_mut(3)));
    assert!(msg.contains("3 ran in `runtime::by_mut`"), "{msg}");
    assert_eq!(Repo::default().by_value(2), 0);
    let msg = panic_message(|| {
        Repo::default().by_value(3);
    });
    assert!(msg.contains("3 ran in `runtime::by_value`"), "{msg}");
}

#[tokio::test]
async fn async_methods_are_budgeted() {
    let repo = Repo { loaded: 4 };
    assert_eq!(repo.by_ref_async(2).await, 4);
    let err = tokio::spawn(async move { repo.by_ref_async(3).await })
        .await
        .expect_err("over");
    let msg = payload_message(err.into_panic());
    assert!(msg.contains("3 ran in `runtime::by_ref_async`"), "{msg}");
}

#[query_budget(max = 2)]
fn load_each<T, I>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = T>,
    T: std::fmt::Display,
{
    items
        .into_iter()
        .map(|item| {
            select(&format!("t_{item}"));
            item.to_string()
        })
        .collect()
}

#[test]
fn generic_fns_are_budgeted() {
    assert_eq!(load_each([1, 2]), ["1", "2"]);
    assert_eq!(load_each(vec!["a"]), ["a"]);
    let msg = panic_message(|| {
        load_each(["a", "b", "c"]);
    });
    assert!(
        msg.contains("expected at most 2 queries, 3 ran in `runtime::load_each`"),
        "{msg}"
    );
}

#[query_budget(max = 1)]
async fn slow_over_budget() {
    record(StatementRecord::new("SELECT 1"));
    record(StatementRecord::new("SELECT 2"));
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
}

/// A budgeted future dropped before it finishes (a timeout, a `select!` branch that lost) is not
/// judged on its partial run, even in panic mode.
#[tokio::test]
async fn cancelled_future_is_not_judged() {
    let timed_out =
        tokio::time::timeout(std::time::Duration::from_millis(20), slow_over_budget()).await;
    assert!(timed_out.is_err());
}

// ---------------------------------------------------------------------------------------------
// Allowances, presets and slow statements

#[query_budget(
    max = 1,
    deny_n_plus_one,
    allow_n_plus_one = "FROM tags WHERE post_id = ?",
    allow_over_budget = "INSERT INTO audit_log",
    reason = "tags are served from the ORM cache; auditing is required"
)]
fn allowed_tags_and_audit() {
    select("posts");
    for id in 1..=3 {
        sql(&format!("SELECT * FROM tags WHERE post_id = {id}"));
    }
    insert("audit_log");
}

#[test]
fn allowances_in_the_attribute_let_their_shapes_through() {
    // Budget of 1: the posts select and the three tag loads would be 4. The tag loads are an
    // allowed N+1 but still counted; only the audit insert is left out of the count.
    let message = panic_message(allowed_tags_and_audit);
    assert!(
        message.contains("expected at most 1 query, 4 ran"),
        "{message}"
    );
    assert!(!message.contains("expected no N+1"), "{message}");
    assert!(
        message.contains("allowed by `FROM tags WHERE post_id = ?`"),
        "{message}"
    );
    assert!(
        message.contains("(allowed over budget) INSERT INTO audit_log"),
        "{message}"
    );
}

#[query_budget(
    deny_n_plus_one,
    allow_n_plus_one = "FROM labels",
    reason = "kept for the legacy importer"
)]
fn unused_allowance() {
    select("posts");
}

#[test]
fn an_allowance_that_matches_nothing_is_reported() {
    let ((), report) = capture("outer", unused_allowance);
    assert_eq!(report.count(), 1);
    // The inner scope's own report is what a failure would print; check it through a capture
    // of the same settings.
    let budget = query_guard::Budget::new()
        .allow(query_guard::allow::Allowance::n_plus_one("FROM labels", "legacy").unwrap());
    let ((), inner) = query_guard::capture_with("inner", budget, || select("posts"));
    assert_eq!(inner.allowances()[0].matched, 0);
    assert!(
        inner
            .to_string()
            .contains("Unused allowance: n_plus_one `FROM labels` (legacy) matched nothing"),
        "{inner}"
    );
}

#[query_budget(detail)]
fn six_selects() {
    for t in ["a", "b", "c", "d", "e", "f"] {
        select(t);
    }
}

#[test]
fn presets_resolve_when_the_scope_opens() {
    let message = panic_message(six_selects);
    assert!(
        message.contains("expected at most 5 queries, 6 ran"),
        "{message}"
    );
}

#[query_budget(preset = "no_such_preset")]
fn unknown_preset() {}

#[test]
fn an_unknown_preset_is_a_loud_setup_error() {
    let message = panic_message(unknown_preset);
    assert!(
        message.contains("unknown preset `no_such_preset`"),
        "{message}"
    );
    assert!(
        message.contains("[presets] in query-guard.toml"),
        "{message}"
    );
}

#[query_budget(slow_ms = 50, deny_slow)]
fn one_slow_statement() {
    record(
        StatementRecord::new("SELECT * FROM reports WHERE year = $1")
            .elapsed(std::time::Duration::from_millis(80)),
    );
}

#[test]
fn deny_slow_fails_on_a_statement_over_the_threshold() {
    let message = panic_message(one_slow_statement);
    assert!(
        message.contains("expected no statement slower than 50.0 ms, found 1"),
        "{message}"
    );
    assert!(message.contains("Slow: 1 of 1 run ≥ 50.0 ms"), "{message}");
}
