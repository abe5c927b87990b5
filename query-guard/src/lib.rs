//! # query-guard
//!
//! Catch N+1 queries and query-budget overruns in Rust services and their tests, from the
//! `tracing` events that sqlx (and SeaORM, through sqlx), diesel-tracing and OpenTelemetry-style
//! instrumentation already emit. What Django's `assertNumQueries`, Rails' Bullet and the JVM's
//! QuickPerf do, for sqlx, SeaORM and diesel.
//!
//! ## How it works
//!
//! [`QueryGuardLayer`] is a `tracing_subscriber` layer. A [scope](Scope) is a span: every
//! statement whose event happens inside it, on any thread, is recorded into it. When the scope
//! closes, statements are [fingerprinted](fingerprint), classified (reads, writes, transaction
//! control, driver internals), checked against the scope's [`Budget`], searched for N+1
//! patterns (by call site, and repeated sequences), duplicates and slow statements
//! ([`detect`]), and turned into a [`Report`]. Settings come from the scope, `query-guard.toml`
//! and `QUERY_GUARD_*` variables ([`config`]); accepted exceptions carry reasons ([`allow`]).
//! [`explain`] reads query plans (PostgreSQL, SQLite) and names their problems.
//! The scope's [`Mode`] decides what a broken budget does: panic (tests), a WARN event
//! (production), or nothing.
//!
//! ## In tests
//!
//! Nothing to set up: the test entry points install a global subscriber when none is set.
//!
//! ```
//! use query_guard::{assert_max_queries, capture, record, StatementRecord};
//!
//! // What a sqlx query would emit; here recorded by hand to keep the example self-contained.
//! let load = |id: u32| record(StatementRecord::new(format!("SELECT * FROM posts WHERE id = {id}")));
//!
//! assert_max_queries!(2, { load(1); load(2); });
//!
//! let ((), report) = capture("three posts", || (1..=3).for_each(|id| { load(id); }));
//! assert_eq!(report.count(), 3);
//! assert_eq!(report.n_plus_one()[0].count, 3);
//! println!("{report}");
//! ```
//!
//! With the `macros` feature (default), `#[query_budget(max = 10)]` (or the presets
//! `#[query_budget(list)]`, at most 10, and `#[query_budget(detail)]`, at most 5) goes on a
//! handler or a test, above `#[tokio::test]` / `#[sqlx::test]`.
//!
//! ## In a service
//!
//! Call [`install`] at start-up, or add [`layer()`] to your own subscriber, then put
//! `#[query_budget(…)]` on handlers: outside tests a broken budget emits a WARN event (target
//! `query_guard`) carrying the report. `QUERY_GUARD=panic|warn|off` overrides every scope.
//!
//! ## Feature flags
//!
//! - `layer` (default): the capture runtime ([`QueryGuardLayer`], [`Scope`], [`capture`],
//!   [`record`], [`install`]; tracing-subscriber). Without it only [`Report`] (read back from a
//!   report file), [`config`] and the detectors' types are built: what a tool that reads report
//!   files needs. `macros`, `tokio` and `backtrace` turn it on; with `default-features = false`,
//!   ask for it: `features = ["layer"]`.
//! - `macros` (default): `#[query_budget]`.
//! - `tokio` (default): [`spawn`] and [`spawn_blocking`], which keep spawned work in its scope.
//! - `backtrace` (default): call sites from stacks ([`callsite`]), when switched on at run time.
//! - `postgres`, `sqlite`: `explain::explain_analyze` on a sqlx `PgPool` / `SqlitePool`. Reading
//!   and analysing plans ([`explain`]) needs no feature.

#![deny(missing_docs)]
#![warn(unreachable_pub)]
// Without the `layer` feature only the data half is built (reports and their JSON form, the
// configuration, the detectors' types): what `query-guard report` reads. Helpers only the capture
// runtime calls are then unused.
#![cfg_attr(not(feature = "layer"), allow(dead_code, unused_imports))]

// Each module imports only modules below it: ARCHITECTURE.md lists them lowest first, and the
// workspace's tests/architecture.rs fails on any import cycle.
pub mod allow;
#[cfg(feature = "layer")]
mod assert;
mod budget;
pub mod callsite;
#[cfg(feature = "layer")]
mod capture;
mod classify;
pub mod config;
pub mod detect;
#[cfg(feature = "layer")]
mod enforce;
#[cfg(feature = "layer")]
mod install;
#[cfg(feature = "layer")]
mod layer;
mod millis;
mod mode;
mod pattern;
#[cfg(feature = "layer")]
mod record;
pub mod report;
mod reported;
#[cfg(feature = "layer")]
mod scaling;
#[cfg(feature = "layer")]
mod scope;
mod shapes;
#[cfg(feature = "tokio")]
mod spawn;
#[cfg(feature = "layer")]
mod state;
mod statement;
mod stats;

// The two crates below, re-exported as modules (sqlx's facade pattern). Not inlined: their
// docs are their own crates', so `cargo doc` shows each of their types once.
#[doc(no_inline)]
pub use query_guard_explain as explain;
#[doc(no_inline)]
pub use query_guard_fingerprint as fingerprint;

/// Support for `#[query_budget]`'s expansion and the assertion macros. Not public API.
#[cfg(feature = "layer")]
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

// Types documented in a public module above are listed here as re-exports (`no_inline`), so
// that `cargo doc` shows each type once; the others are documented here.
#[doc(no_inline)]
pub use allow::{AllowKind, Allowance, AllowanceReport};
pub use budget::{Budget, DEFAULT_N_PLUS_ONE_THRESHOLD};
#[doc(no_inline)]
pub use callsite::CallSite;
pub use classify::Class;
#[doc(no_inline)]
pub use config::{Config, ConfigError};
#[doc(no_inline)]
pub use detect::budget::{Counts, Limit, Violation};
#[doc(no_inline)]
pub use detect::duplicates::Duplicate;
#[doc(no_inline)]
pub use detect::n_plus_one::{NPlusOne, NPlusOneKind};
#[doc(no_inline)]
pub use detect::slow::Slow;
pub use mode::Mode;
pub use pattern::{Pattern, PatternError};
#[doc(no_inline)]
pub use report::{Report, ShapeStats, StatementReport, UnstoredReport};
pub use statement::{CallPath, Source};
pub use stats::TimeStats;

#[cfg(feature = "layer")]
pub use capture::{capture, capture_async, capture_with};
#[cfg(feature = "layer")]
pub use install::{InstallError, install};
#[cfg(feature = "layer")]
pub use layer::{FilteredLayer, LayerFilter, QueryGuardLayer, layer};
#[cfg(feature = "layer")]
pub use record::{StatementRecord, record};
#[cfg(feature = "layer")]
pub use scaling::{assert_constant_queries, assert_constant_queries_async};
#[cfg(feature = "layer")]
pub use scope::{Scope, ScopeBuilder, SetupError};
#[cfg(feature = "tokio")]
pub use spawn::{spawn, spawn_blocking};
#[cfg(feature = "layer")]
pub use state::{MAX_STORED_SQL_BYTES, MAX_STORED_STATEMENTS, MAX_UNSTORED_SHAPES, SCOPE_TARGET};

/// Puts a query budget on a function: every statement its body runs is counted, and a broken
/// budget panics (in `cfg(test)` code) or emits a WARN event (elsewhere).
///
/// ```
/// use query_guard::{query_budget, record, StatementRecord};
///
/// #[query_budget(max = 2)]
/// fn load_user(id: u32) -> u32 {
///     record(StatementRecord::new("SELECT * FROM users WHERE id = $1"));
///     id
/// }
/// # query_guard::install().unwrap();
/// assert_eq!(load_user(7), 7);
/// ```
///
/// Arguments: `max = N`, or a preset `list` (10), `detail` (5) or `preset = "name"`;
/// `max_reads = N`, `max_writes = N`; `include_transactions = true`, `include_internal = true`;
/// `deny_n_plus_one`; `n_plus_one_threshold = N`; `slow_ms = N`, `deny_slow`;
/// `allow_n_plus_one = "…"`, `allow_over_budget = "…"` with `reason = "…"`; `backtrace`;
/// `mode = "panic" | "warn" | "off"`; `name = "…"`. The full table is in the docs of the
/// `query-guard-macros` crate.
#[cfg(feature = "macros")]
pub use query_guard_macros::query_budget;
