//! Call sites: the line of application code that ran a statement, taken from the stack.
//!
//! The [call path](crate::CallPath) of a statement names the spans it ran in, which is as precise
//! as the application's `#[tracing::instrument]` attributes are. A [`CallSite`] is what Rails'
//! Bullet and Prosopite show instead: the first frame of the stack, at the moment the statement's
//! event fires, that belongs to the application, as `file:line (function)`:
//!
//! ```text
//! src/posts.rs:42 (my_app::posts::list_posts::{{closure}})
//! ```
//!
//! # Switching it on
//!
//! Capture is off by default: walking the stack costs several times what the rest of recording
//! a statement does. It is switched on per process with `QUERY_GUARD_BACKTRACE=1` or the
//! `backtrace = true` key of `query-guard.toml`, or per scope with `ScopeBuilder::backtrace(true)`.
//!
//! It needs the `backtrace` cargo feature of this crate, which is on by default. Without it no
//! call site is ever captured, whatever the settings say: statements only have their call path.
//!
//! # What it costs
//!
//! Each capture walks the stack (instruction pointers only) and stops at the first application
//! frame. Turning an instruction pointer into a function, file and line is done once per address
//! and cached for the life of the process (up to 65,536 addresses; past that, new addresses are
//! resolved every time), so after warm-up a capture costs a stack walk and one hash look-up per
//! frame walked: in `benches/callsite.rs`, about 0.7 µs when the application frame is a few
//! frames up, plus about 0.13 µs for each frame of the driver, runtime or tracing walked on the
//! way; frames below the call site cost nothing. Walks are serialised process-wide by the
//! `backtrace` crate's lock.
//!
//! The first capture of the process loads the program's symbols and debug info: about 0.3 ms
//! for the bench's binary without debug info, 50 ms with line tables (more for a larger binary).
//! Each new address after that costs 5 to 20 µs, once.
//!
//! # Debug info
//!
//! The function name comes from the symbol table and is always known, unless the binary is
//! stripped. The file and line come from debug info: dev and test builds have it, release builds
//! need `debug = "line-tables-only"` (or more) in their profile:
//!
//! ```toml
//! [profile.release]
//! debug = "line-tables-only"
//! ```
//!
//! Without it, a call site is only a function. With optimisations, a call inlined into its caller
//! is still reported at its own file and line (debug info records inlined frames), but a function
//! merged away entirely is not.
//!
//! With `line-tables-only`, debug info names a function that had calls inlined into it (and each
//! call inlined into it) by its bare name, without its module path or generic arguments:
//! `list_posts`, `{closure#0}`. Such a frame is judged by its file instead (below), and shown
//! with its bare name; the file and line are exact. Full debug info (`debug = "limited"` or more)
//! keeps the whole path.
//!
//! Files are shown relative to the current directory (as it was at the first capture) when they
//! are under it; otherwise as the compiler recorded them.
//!
//! # What is skipped
//!
//! A frame is skipped, and the walk goes on to its caller, when its symbol has no name, when it is
//! foreign (a bare name without a Rust source file: C functions, the entry points of threads and
//! processes such as `_start`, `__libc_start_main`, `start_thread`, `clone3` and the C `main`
//! rustc generates, the unwinder), or when its code belongs to one of these crates:
//!
//! - the standard library: `std`, `core`, `alloc`, `test`, `std_detect`;
//! - query-guard and tracing: `query_guard`, `query_guard_explain`, `query_guard_fingerprint`,
//!   `query_guard_format`, `tracing`, `tracing_core`, `tracing_subscriber`, `tracing_futures`,
//!   `tracing_log`, `backtrace`;
//! - database drivers and ORMs: `sqlx`, `sqlx_core`, `sqlx_postgres`, `sqlx_mysql`,
//!   `sqlx_sqlite`, `sqlx_macros_core`, `libsqlite3_sys`, `sea_orm`, `sea_query`, `diesel`,
//!   `diesel_async`, `diesel_tracing`;
//! - async machinery: `tokio`, `tokio_util`, `tokio_stream`, `futures`, `futures_util`,
//!   `futures_core`, `futures_executor`, `futures_channel`, `futures_intrusive`, `async_stream`,
//!   `async_trait`, `pin_project`;
//! - HTTP stacks: `hyper`, `hyper_util`, `tower`, `tower_service`, `tower_layer`, `tower_http`,
//!   `axum`, `axum_core`.
//!
//! Crate names match exactly (`std` does not skip a crate named `stdx`). Callers can add more,
//! such as the crate of their own repository layer; those match as prefixes (`my_db` also skips
//! `my_db_macros`).
//!
//! The crate of a function is the first segment of its path. A method's is its type's:
//! `<my_app::Post as sqlx::FromRow>::from_row` is `my_app`'s code. A trait method implemented for
//! a type parameter, a primitive, or a type of a skipped crate is also its trait's:
//! `<F as core::ops::FnOnce>::call_once` is skipped, `<Vec<T> as my_app::Repo>::load` is not
//! (Rust's orphan rules put an impl in one of the two crates).
//!
//! A frame known only by a bare name (see above) is judged by its file: sources under
//! `/rustc/<commit>/` are the standard library's, `…/<package>-<version>/src/…` (crates.io),
//! `…/<package>/src/…` (workspace members, path and git dependencies) are the package's, with
//! `-` read as `_`; any other Rust file (`src/main.rs` of a package built from its own
//! directory, `tests/…`) is the application's. A vendored dependency (`cargo vendor`) reads as
//! the package of its directory, so it is skipped when that name is in the list.
//!
//! # Where it cannot help
//!
//! sqlx runs SQLite statements on a worker thread of its own, one per connection, and logs them
//! there: the statement's logger is created and dropped on the worker
//! (`sqlx-sqlite/src/connection/execute.rs`, driven by `connection/worker.rs`). That thread's stack
//! holds sqlx and the standard library, none of the application's frames, so on SQLite the call
//! site is unknown (`None`) and the call path, which the worker carries over by entering the
//! caller's span, is all there is. Postgres and MySQL log a statement on the task that polls it,
//! inside the application's own future, where the call site is found.
//!
//! For the same reason, a statement run in a task spawned elsewhere (`tokio::spawn`) is attributed
//! to the spawned future's code, not to the code that spawned it.

// Without the `backtrace` feature only the type and the (tested) classification remain.
#![cfg_attr(not(feature = "backtrace"), allow(dead_code))]

mod site;
mod symbols;
#[cfg(feature = "backtrace")]
mod walk;

use std::sync::Arc;

pub use site::CallSite;

/// The call site of the code running now: the first frame of the current stack that is not
/// skipped (see the [module docs](self)), or `None` when there is none, when the `backtrace`
/// feature is off, or when the stack cannot be walked. `extra_skip` names more crates to skip
/// (prefix match on the crate name).
///
/// Never panics.
pub(crate) fn capture(extra_skip: &[String]) -> Option<Arc<CallSite>> {
    capture_with_driver(extra_skip).0
}

/// [`capture`], and the database whose sqlx driver the walk passed through on its way to the
/// call site (`sqlx_postgres`, `sqlx_mysql` or `sqlx_sqlite` frames): the connection the
/// statement ran on, which sqlx's events do not name.
pub(crate) fn capture_with_driver(
    extra_skip: &[String],
) -> (Option<Arc<CallSite>>, Option<crate::fingerprint::Dialect>) {
    #[cfg(feature = "backtrace")]
    {
        walk::capture(extra_skip)
    }
    #[cfg(not(feature = "backtrace"))]
    {
        let _ = extra_skip;
        (None, None)
    }
}

#[cfg(all(test, feature = "backtrace"))]
mod tests {
    use super::capture;
    use super::symbols::extra;
    use super::walk::cached_len;

    /// Every frame of a unit test of this crate is query-guard's, libtest's, the standard
    /// library's or a thread entry point: no call site, however often it is asked.
    #[test]
    fn a_stack_without_application_frames_has_no_call_site() {
        assert_eq!(capture(&[]), None);
        assert!(cached_len() > 0);
        assert_eq!(capture(&[]), None);
        assert_eq!(capture(&extra(&["anything"])), None);
    }
}
