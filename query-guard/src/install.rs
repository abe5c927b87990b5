//! Installing query-guard: one idempotent call that sets a global subscriber.
//!
//! [`install`] sets, once per process, a global subscriber made of the query-guard layer and a
//! `fmt` layer (stderr) that honours `RUST_LOG` through its own per-layer filter (default `warn`), so
//! `RUST_LOG=info` can never silence sqlx's DEBUG statement events for query-guard. It is global
//! on purpose: thread-local subscribers miss statements run on tokio worker threads, in
//! `spawn_blocking` and on sqlx's SQLite worker thread.
//!
//! If your application builds its own subscriber, add [`crate::layer`] to it instead (see the
//! [`layer`](crate::layer()) docs), and filter your other layers per layer.

use std::sync::OnceLock;

use tracing_subscriber::fmt::writer::BoxMakeWriter;
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

/// Installs a global subscriber with [`crate::QueryGuardLayer`] and a `fmt` layer that writes to
/// stderr, filtered by `RUST_LOG` (default `warn`). Idempotent: later calls return the first
/// call's result, and it returns `Ok` if a global subscriber that already contains the layer was
/// set by someone else.
///
/// ```
/// query_guard::install().unwrap();
/// query_guard::install().unwrap(); // again: fine
/// ```
pub fn install() -> Result<(), InstallError> {
    install_with(false)
}

static RESULT: OnceLock<Result<(), InstallError>> = OnceLock::new();

fn install_with(test_writer: bool) -> Result<(), InstallError> {
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
            // Tests: libtest's capture (print!). Services: stderr, which never panics on a
            // closed pipe the way print! does.
            let writer = if test_writer {
                BoxMakeWriter::new(fmt::TestWriter::new())
            } else {
                BoxMakeWriter::new(std::io::stderr)
            };
            let subscriber = tracing_subscriber::registry()
                .with(crate::layer())
                .with(fmt::layer().with_writer(writer).with_filter(filter));
            match tracing::subscriber::set_global_default(subscriber) {
                Ok(()) => Ok(()),
                Err(_) if crate::layer::is_installed() => Ok(()),
                Err(_) => Err(InstallError::OtherSubscriber),
            }
        })
        .clone()
}

/// Whether an install was refused because a global subscriber without the layer came first.
pub(crate) fn refused() -> bool {
    matches!(RESULT.get(), Some(Err(_)))
}

/// For test entry points (`#[query_budget]` in `cfg(test)` code, `capture`, the assertion macros):
/// install the global subscriber, with libtest's output capture, unless one is already set, so
/// tests need no set-up. A global subscriber set by the test itself is left alone.
pub(crate) fn ensure_for_tests() {
    let _ = install_with(true);
}
