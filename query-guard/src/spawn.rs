//! Spawning tasks that stay in the current scope.
//!
//! `tokio::spawn` starts the task with no span, so its statements would fall outside the scope
//! that spawned it. These helpers carry the current span along.

use std::future::Future;

use tokio::task::JoinHandle;
use tracing::Instrument;

/// `tokio::spawn`, with the task inside the current span (and so the current scope).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use query_guard::{capture_async, record, spawn, StatementRecord};
/// let ((), report) = capture_async("fan_out", async {
///     spawn(async { record(StatementRecord::new("SELECT 1")); }).await.unwrap();
/// })
/// .await;
/// assert_eq!(report.count(), 1);
/// # }
/// ```
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(future.in_current_span())
}

/// `tokio::task::spawn_blocking`, with the closure inside the current span.
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
}
