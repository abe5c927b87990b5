//! The `#[query_budget]` attribute of [query-guard](https://docs.rs/query-guard).
//!
//! Use it through `query_guard::query_budget`: the code it generates calls
//! `::query_guard::__private`, so the crate using the attribute must depend on `query-guard`.
//!
//! # `#[query_budget(…)]`
//!
//! Puts a query budget on a function. Every SQL statement the function's body runs (as sqlx's
//! tracing events, or [`query_guard::record`](https://docs.rs/query-guard/latest/query_guard/fn.record.html))
//! is recorded into a *scope* named after the function; when the function returns, the scope
//! closes and its budget is checked. A broken budget panics with the scope's report in
//! `cfg(test)` code and emits a WARN event (target `query_guard`) elsewhere, unless `mode` or the
//! `QUERY_GUARD` environment variable (`panic` | `warn` | `off`, which wins over everything) says
//! otherwise.
//!
//! ```
//! use query_guard::{query_budget, record, StatementRecord};
//!
//! #[query_budget(max = 2, max_writes = 0)]
//! fn load_user(id: u32) -> u32 {
//!     record(StatementRecord::new("SELECT * FROM users WHERE id = $1"));
//!     id
//! }
//! # query_guard::install().unwrap();
//! assert_eq!(load_user(7), 7);
//! ```
//!
//! ## Arguments
//!
//! Comma-separated, in any order, each at most once (but `allow_n_plus_one` and
//! `allow_over_budget`, which may repeat). At least one limit (`max`, `list`, `detail`,
//! `preset`, `max_reads`, `max_writes`), `deny_n_plus_one` or `slow_ms` is required.
//!
//! | Argument | Meaning |
//! |---|---|
//! | `max = N` | at most `N` counted statements in all |
//! | `list` | preset for collection endpoints: at most 10 (`Budget::list()`) |
//! | `detail` | preset for single-resource endpoints: at most 5 (`Budget::detail()`) |
//! | `max_reads = N` | at most `N` reads (`SELECT`, `SHOW`, …) |
//! | `max_writes = N` | at most `N` writes (everything that is not a read) |
//! | `include_transactions = true` | count `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`, … (not counted by default) |
//! | `include_internal = true` | count the driver's own catalog and migration look-ups (not counted by default) |
//! | `deny_n_plus_one` or `deny_n_plus_one = true` | an N+1 pattern breaks the budget too |
//! | `n_plus_one_threshold = N` | how many runs of one statement shape from one call site make an N+1 (default 3, at least 2) |
//! | `preset = "name"` | a preset from `[presets]` in `query-guard.toml` (`list` and `detail` too are resolved when the scope opens, so the file may redefine them) |
//! | `slow_ms = N` | report statements taking `N` ms or more (integer or float), with their shape's p50/p95/p99/max |
//! | `deny_slow` or `deny_slow = true` | a slow statement breaks the budget too |
//! | `allow_n_plus_one = "pattern"` | accept N+1s of the shapes the pattern names (a fingerprint, `/regex/` or SQL text) |
//! | `allow_over_budget = "pattern"` | leave statements of those shapes out of the counts |
//! | `reason = "…"` | why the allowances are acceptable: required with them, shown in reports |
//! | `backtrace` or `backtrace = true` | find each statement's line of application code from its stack |
//! | `dialect = "postgres"` \| `"mysql"` \| `"mariadb"` \| `"sqlite"` | the database of statements whose source does not say (sqlx's events do not): quoted text is read exactly as it reads it (default: `dialect` in `query-guard.toml`, else unknown, and whatever any database could read as a value is masked) |
//! | `mode = "panic"` \| `"warn"` \| `"off"` | what a broken budget does (default: `"panic"` in `cfg(test)` code, `"warn"` elsewhere) |
//! | `name = "…"` | the scope's name in reports (default: `module_path!()::fn_name`; for a method, the module's path and the method's name, as the attribute cannot see the type) |
//!
//! "In `cfg(test)` code" means: where the attribute is, as the crate containing it is compiled.
//! Tests and budgeted functions in `#[cfg(test)]` modules or in `tests/*.rs` panic; a budgeted
//! handler in a library or binary crate, called from an integration test, is compiled without
//! `cfg(test)` and warns. Run such tests with `QUERY_GUARD=panic` to make them fail, or give the
//! handler `mode = "panic"` explicitly.
//!
//! `max`, `list`, `detail` and `preset` exclude each other. `N` is an integer literal. Every mistake is a
//! compile error pointing at the argument:
//!
//! ```compile_fail
//! #[query_guard::query_budget(list, max = 3)] // `max` conflicts with `list`
//! fn handler() {}
//! ```
//!
//! ## Where it goes
//!
//! On any function with a body: free functions, methods (`&self`, `&mut self`, `self`),
//! associated functions, generic functions, `async fn`s, functions returning `Result` (a `?`
//! that returns early still closes the scope and checks the budget), `unsafe fn`s. Not on a
//! `const fn` or an `extern "C"` fn (compile errors).
//!
//! On a test, put it **above** `#[tokio::test]` or `#[sqlx::test]`, so that it wraps the test's
//! own async body (and not the runtime's set-up, or sqlx's database creation and migrations):
//!
//! ```
//! use query_guard::{query_budget, record, StatementRecord};
//!
//! #[query_budget(detail)]
//! #[tokio::test]
//! async fn shows_a_post() {
//!     record(StatementRecord::new("SELECT * FROM posts WHERE id = 1"));
//! }
//! # fn main() {}
//! ```
//!
//! Below `#[tokio::test]` it also works: it then sees the synchronous function the test macro
//! produced, and the runtime's set-up runs inside the scope too.
//!
//! Calls nest: a budgeted function called from another budgeted function has its own scope, and
//! its statements also count in the caller's scope.
//!
//! ## What it expands to
//!
//! A synchronous function keeps its attributes, visibility and signature; a guard is created
//! before the body's first statement, so it is dropped last, whichever way the body ends
//! (tail expression, `return`, `?`, panic), and its drop closes the scope and applies the budget:
//!
//! ```ignore
//! #[query_budget(max = 2)]
//! fn load(id: u32) -> Result<User, Error> { BODY }
//! // becomes
//! fn load(id: u32) -> Result<User, Error> {
//!     let __query_guard_scope = ::query_guard::__private::enter_sync(
//!         ::query_guard::__private::ScopeSpec {
//!             name: concat!(module_path!(), "::", "load"),
//!             file: file!(),
//!             line: line!(),
//!             budget: ::query_guard::Budget::new().max(2usize),
//!             mode: None,
//!             in_test: cfg!(test),
//!         },
//!     );
//!     BODY_STATEMENTS
//! }
//! ```
//!
//! An `async fn` opens the scope when it is first polled, runs its body as an `async move` block
//! instrumented with the scope's span (so statements from every poll, on any worker thread, are
//! recorded), and keeps the guard until the body has finished. A future dropped before it
//! finishes (a losing `select!` branch, a timeout) records but is not judged on its partial
//! run. The block starts with an
//! unreachable `return` of the declared return type (as `tracing::instrument` does), so `?` and
//! `return` in the body infer the right type:
//!
//! ```ignore
//! #[query_budget(list)]
//! async fn list(db: &Pool) -> Result<Vec<Post>, Error> { BODY }
//! // becomes
//! async fn list(db: &Pool) -> Result<Vec<Post>, Error> {
//!     let __query_guard_scope = ::query_guard::__private::open_async(SPEC);
//!     ::query_guard::__private::run_async(__query_guard_scope, async move {
//!         if false { let r: Result<Vec<Post>, Error> = loop {}; return r; }
//!         BODY
//!     })
//!     .await
//! }
//! ```
//!
//! A function that is not `async` but whose whole body is the future it returns,
//! `Box::pin(async move { … })` (what `#[async_trait]` makes of an `async fn`, so the attribute
//! works on methods of an `#[async_trait]` impl) or `async move { … }`, gets the `async`
//! expansion around that block: the scope covers the future's run, not its creation. The fake
//! `return` then uses `T` from a return type `impl Future<Output = T>` or
//! `Pin<Box<dyn Future<Output = T> + …>>`. Any other function returning a future is synchronous:
//! its scope closes when the future is created, before it runs; make it an `async fn`, or budget
//! the code that awaits it.
//!
//! The guard's name is hygienic: the body cannot see or shadow it.

#![deny(missing_docs)]

use proc_macro::TokenStream;

mod args;
mod expand;

/// Puts a query budget on a function. See the [crate documentation](crate) for the arguments,
/// the expansion and where to put it.
///
/// ```
/// use query_guard::{query_budget, record, StatementRecord};
///
/// struct Repo;
///
/// impl Repo {
///     #[query_budget(list, max_writes = 0, deny_n_plus_one)]
///     async fn posts(&self) -> Result<Vec<u32>, std::fmt::Error> {
///         record(StatementRecord::new("SELECT id FROM posts"));
///         Ok(vec![1, 2])
///     }
/// }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # query_guard::install().unwrap();
/// assert_eq!(Repo.posts().await, Ok(vec![1, 2]));
/// # }
/// ```
#[proc_macro_attribute]
pub fn query_budget(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::query_budget(args.into(), item.into()).into()
}
