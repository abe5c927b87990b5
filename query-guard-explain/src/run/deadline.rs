//! A client-side deadline that needs no particular async runtime: a timer thread wakes the
//! task when the time is up.

use std::future::Future;
use std::sync::{Arc, mpsc};
use std::task::{Poll, Waker};
use std::time::Duration;

use parking_lot::Mutex;

use super::error::{ExplainError, Limit};
use super::options::ExplainOptions;
use crate::explained::Explained;

#[derive(Default)]
struct Shared {
    fired: bool,
    waker: Option<Waker>,
}

/// `fut`'s output, or `None` (and `fut` dropped) when `limit` passes first.
pub(super) async fn within<F: Future>(limit: Duration, fut: F) -> Option<F::Output> {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let (cancel, cancelled) = mpsc::channel::<()>();
    let timer = Arc::clone(&shared);
    // Without a timer thread the server-side limits still hold.
    let _ = std::thread::Builder::new()
        .name("query-guard-explain-deadline".into())
        .spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = cancelled.recv_timeout(limit) {
                let mut s = timer.lock();
                s.fired = true;
                if let Some(w) = s.waker.take() {
                    w.wake();
                }
            }
        });
    let mut fut = std::pin::pin!(fut);
    let out = std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        let mut s = shared.lock();
        if s.fired {
            return Poll::Ready(None);
        }
        s.waker = Some(cx.waker().clone());
        Poll::Pending
    })
    .await;
    // Ends the timer thread.
    drop(cancel);
    out
}

/// Runs `work` within the options' client-side deadline.
pub(super) async fn bounded(
    options: &ExplainOptions,
    work: impl Future<Output = Result<Explained, ExplainError>>,
) -> Result<Explained, ExplainError> {
    within(options.deadline(), work)
        .await
        .unwrap_or(Err(ExplainError::Timeout {
            limit: Limit::Client,
            after: options.deadline(),
        }))
}
