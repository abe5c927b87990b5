//! Call sites from real stacks: the first frame outside query-guard, the runtime and the
//! standard library is this file's, at the line of the call.
//!
//! These run in the test profile, which inherits the workspace's `[profile.dev]`:
//! `debug = "line-tables-only"` and no optimisation, so every function of this file keeps its
//! own frame, and the line of each call is exact (only `#[inline(always)]` callees are inlined
//! into them, which changes how a frame is named, not where it is: see [`check`]).

#![cfg(feature = "backtrace")]

use query_guard::__private::capture_call_site;

/// This file, as the call site shows it: relative to the package directory cargo runs tests in,
/// or to the workspace root, depending on how the compiler recorded the path.
fn is_this_file(file: &str) -> bool {
    file == "tests/callsite.rs" || file.ends_with("query-guard/tests/callsite.rs")
}

/// Splits `file:line (function)`.
fn parse(site: &str) -> (String, u32, String) {
    let (location, function) = site
        .split_once(" (")
        .unwrap_or_else(|| panic!("no location in {site:?}"));
    let (file, line) = location
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("no line in {site:?}"));
    let function = function
        .strip_suffix(')')
        .unwrap_or_else(|| panic!("unclosed function in {site:?}"));
    (
        file.to_string(),
        line.parse()
            .unwrap_or_else(|_| panic!("bad line in {site:?}")),
        function.to_string(),
    )
}

/// Checks file, line and function. `functions` lists the names the frame may have: its path
/// from the symbol table, or, when the compiler inlined calls into it (even unoptimised builds
/// inline `#[inline(always)]` functions, which async fn bodies call), the bare name that
/// line-tables-only debug info gives it (`{async_fn#0}`). The file and line are exact either way.
fn check(site: Option<String>, line: u32, functions: &[&str]) {
    let site = site.expect("a call site");
    let (file, got_line, got_function) = parse(&site);
    assert!(is_this_file(&file), "{site}");
    assert_eq!(got_line, line, "{site}");
    assert!(functions.contains(&got_function.as_str()), "{site}");
}

#[inline(never)]
fn innermost() -> (Option<String>, u32) {
    (capture_call_site(), line!())
}

#[inline(never)]
fn middle() -> (Option<String>, u32) {
    innermost()
}

#[test]
fn through_a_couple_of_frames_the_innermost_caller_is_found() {
    let (site, line) = middle();
    check(site, line, &["callsite::innermost"]);
}

#[test]
fn directly_in_a_test() {
    let (site, line) = (capture_call_site(), line!());
    check(site, line, &["callsite::directly_in_a_test"]);
}

#[inline(never)]
fn call<T>(f: impl FnOnce() -> T) -> T {
    f()
}

#[test]
fn in_a_closure() {
    let (site, line) = call(|| (capture_call_site(), line!()));
    check(
        site,
        line,
        &["callsite::in_a_closure::{{closure}}", "{closure#0}"],
    );
}

/// The names `load_posts`'s body can have (see [`check`]).
const LOAD_POSTS: &[&str] = &["callsite::load_posts::{{closure}}", "{async_fn#0}"];

async fn load_posts() -> (Option<String>, u32) {
    tokio::task::yield_now().await;
    (capture_call_site(), line!())
}

async fn handler() -> (Option<String>, u32) {
    load_posts().await
}

/// An async fn is polled from tokio's frames (skipped); its body is its `{{closure}}`.
#[test]
fn in_an_async_fn_polled_by_tokio() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (site, line) = runtime.block_on(handler());
    check(site, line, LOAD_POSTS);
}

/// The same on a spawned task: the task's own future is the call site.
#[test]
fn in_a_spawned_task() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (site, line) = runtime
        .block_on(async { tokio::spawn(load_posts()).await })
        .expect("task");
    check(site, line, LOAD_POSTS);
}

/// A thread whose stack holds no application frame, as sqlx's SQLite worker thread, where
/// statements on SQLite are logged: no call site.
#[test]
fn on_a_thread_without_application_frames() {
    let site = std::thread::spawn(capture_call_site)
        .join()
        .expect("thread");
    assert_eq!(site, None);
}

/// Many captures of the same place agree (the second and later come from the cache).
#[test]
fn repeated_captures_agree() {
    let first = middle();
    for _ in 0..100 {
        assert_eq!(middle(), first);
    }
}

/// Captures from many threads at once, for both the cache and the stack walk.
#[test]
fn concurrent_captures() {
    let expected = middle();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| (0..200).map(|_| middle()).collect::<Vec<_>>()))
            .collect();
        for handle in handles {
            for got in handle.join().expect("thread") {
                assert_eq!(got, expected);
            }
        }
    });
}
