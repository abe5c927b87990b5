//! [`capture`] and [`capture_async`]: run code in a fresh scope and get its [`Report`].
//!
//! Both install query-guard's global subscriber if no global subscriber is set, so a test needs
//! no set-up. They return the report without judging it: assert on it, or use the
//! [assertion macros](crate::assert_max_queries).

use std::future::Future;

use tracing::Instrument;

use crate::budget::Budget;
use crate::report::Report;
use crate::scope::Scope;

/// Opens a test scope located at the caller (the report says where it is).
#[track_caller]
pub(crate) fn open_for_test(name: &str, budget: Budget) -> Scope {
    open_for_test_at(name, budget, std::panic::Location::caller().to_string())
}

/// Opens a test scope located at `location`; panics with the setup error when it cannot.
pub(crate) fn open_for_test_at(name: &str, budget: Budget, location: String) -> Scope {
    crate::install::ensure_for_tests();
    match Scope::builder(name)
        .budget(budget)
        .in_test(true)
        .location(location)
        .open()
    {
        Ok(scope) => scope,
        Err(e) => panic!("{e}"),
    }
}

/// Runs `f` in a new scope named `name`; returns its value and the scope's report.
///
/// ```
/// use query_guard::{capture, record, StatementRecord};
/// let (rows, report) = capture("count_users", || {
///     record(StatementRecord::new("SELECT count(*) FROM users"));
///     42
/// });
/// assert_eq!((rows, report.count()), (42, 1));
/// ```
///
/// # Panics
///
/// When statements cannot reach the scope (see [`crate::SetupError`]): a test that counted zero
/// statements because of a misconfiguration would pass for the wrong reason.
#[track_caller]
pub fn capture<T>(name: &str, f: impl FnOnce() -> T) -> (T, Report) {
    let scope = open_for_test(name, Budget::new());
    let value = scope.in_scope(f);
    (value, scope.finish())
}

/// Runs `f` in a new scope named `name` checked against `budget`; returns its value and the
/// report, without judging it (see [`crate::Report::failed`]).
///
/// ```
/// use query_guard::{capture_with, record, Budget, StatementRecord};
/// let ((), report) = capture_with("two", Budget::new().max(1), || {
///     record(StatementRecord::new("SELECT 1"));
///     record(StatementRecord::new("SELECT 2"));
/// });
/// assert!(report.failed());
/// ```
///
/// # Panics
///
/// As [`capture`].
#[track_caller]
pub fn capture_with<T>(name: &str, budget: Budget, f: impl FnOnce() -> T) -> (T, Report) {
    let scope = open_for_test(name, budget);
    let value = scope.in_scope(f);
    (value, scope.finish())
}

/// Runs `future` in a new scope named `name`; returns its output and the scope's report.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use query_guard::{capture_async, record, StatementRecord};
/// let ((), report) = capture_async("handler", async {
///     tokio::task::yield_now().await;
///     record(StatementRecord::new("UPDATE users SET seen = now() WHERE id = $1"));
/// })
/// .await;
/// assert_eq!(report.writes(), 1);
/// # }
/// ```
///
/// # Panics
///
/// As [`capture`].
#[track_caller]
pub fn capture_async<F: Future>(
    name: &str,
    future: F,
) -> impl Future<Output = (F::Output, Report)> {
    let scope = open_for_test(name, Budget::new());
    async move {
        let value = future.instrument(scope.span().clone()).await;
        (value, scope.finish())
    }
}
