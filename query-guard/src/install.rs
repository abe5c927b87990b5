//! Installing query-guard: one idempotent call that sets a global subscriber.
//!
//! [`install`] sets, once per process, a global subscriber made of the query-guard layer and a
//! `fmt` layer that honours `RUST_LOG` through its own per-layer filter (default `warn`), so
//! `RUST_LOG=info` can never silence sqlx's DEBUG statement events for query-guard. It is global
//! on purpose: thread-local subscribers miss statements run on tokio worker threads, in
//! `spawn_blocking` and on sqlx's SQLite worker thread.
//!
//! If your application builds its own subscriber, add [`crate::layer`] to it instead (see the
//! [`layer`](crate::layer()) docs), and filter your other layers per layer.

use std::sync::OnceLock;

use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

/// Why [`install`] could not install query-guard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// Another global subscriber, without the layer, was set first.
    #[error(
        "a global tracing subscriber without query-guard is already set; add `query_guard::layer()` to it \
         (`tracing_subscriber::registry().with(query_guard::layer()).with(...)`) instead of calling `install()`"
    )]
    OtherSubscriber,
}

/// Installs a global subscriber with [`crate::QueryGuardLayer`] and a `fmt` layer filtered by
/// `RUST_LOG` (default `warn`). Idempotent: later calls return the first call's result, and it
/// returns `Ok` if a global subscriber that already contains the layer was set by someone else.
///
/// ```
/// query_guard::install().unwrap();
/// query_guard::install().unwrap(); // again: fine
/// ```
pub fn install() -> Result<(), InstallError> {
    static RESULT: OnceLock<Result<(), InstallError>> = OnceLock::new();
    RESULT
        .get_or_init(|| {
            let filter = match EnvFilter::try_from_default_env() {
                Ok(filter) => filter,
                Err(e) => {
                    if std::env::var_os("RUST_LOG").is_some() {
                        eprintln!("query-guard: ignoring RUST_LOG ({e}); logging at `warn`");
                    }
                    EnvFilter::new("warn")
                }
            };
            let subscriber = tracing_subscriber::registry()
                .with(crate::layer())
                .with(fmt::layer().with_test_writer().with_filter(filter));
            match tracing::subscriber::set_global_default(subscriber) {
                Ok(()) => Ok(()),
                Err(_) if global_has_layer() => Ok(()),
                Err(_) => Err(InstallError::OtherSubscriber),
            }
        })
        .clone()
}

fn global_has_layer() -> bool {
    // With no thread-local default set, the default *is* the global one.
    crate::layer::is_installed()
}

/// For test entry points (`#[query_budget]` in `cfg(test)` code, `capture`, the assertion macros):
/// install the global subscriber when nobody has set one, so tests need no set-up.
pub(crate) fn ensure_for_tests() {
    if !tracing::dispatcher::has_been_set() {
        let _ = install();
    }
}
