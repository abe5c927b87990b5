//! Support for the macros. Not a public API: it changes without notice.

use std::future::Future;

use tracing::span::EnteredSpan;

pub use tracing::Instrument;

use crate::allow::{AllowKind, Allowance, Origin};
use crate::budget::Budget;
use crate::mode::Mode;
use crate::report::Report;
use crate::scope::{Scope, SetupError};

/// What `#[query_budget]` knows about the function it wraps.
#[derive(Debug, Clone)]
pub struct ScopeSpec {
    /// Scope name (the function's path).
    pub name: &'static str,
    /// `file!()` of the function.
    pub file: &'static str,
    /// `line!()` of the function.
    pub line: u32,
    /// The budget from the attribute.
    pub budget: Budget,
    /// `list`, `detail` or `preset = "…"`: resolved when the scope opens.
    pub preset: Option<&'static str>,
    /// `allow_n_plus_one = "…"` / `allow_over_budget = "…"`, in order.
    pub allow: &'static [(AllowKind, &'static str)],
    /// `reason = "…"` of the allowances.
    pub reason: Option<&'static str>,
    /// `backtrace` from the attribute.
    pub backtrace: Option<bool>,
    /// `dialect = "…"` from the attribute.
    pub dialect: Option<crate::fingerprint::Dialect>,
    /// `mode = "…"` from the attribute.
    pub mode: Option<Mode>,
    /// `cfg!(test)` where the function is compiled.
    pub in_test: bool,
}

fn setup_failed(err: SetupError, mode: Mode) {
    match mode {
        Mode::Off => {}
        Mode::Panic => panic!("{err}"),
        Mode::Warn => {
            // Once per process: a handler would otherwise repeat it on every request.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                eprintln!("query-guard: {err}");
                tracing::error!(target: "query_guard", "{err}");
            });
        }
    }
}

/// The attribute's budget with its preset and allowances applied.
fn budget_of(spec: &ScopeSpec) -> Result<Budget, SetupError> {
    let mut budget = spec.budget.clone();
    if let Some(name) = spec.preset {
        budget = budget.preset(name).map_err(|message| SetupError::Config {
            scope: spec.name.to_owned(),
            message,
        })?;
    }
    for (kind, pattern) in spec.allow {
        let allowance = Allowance::new(
            *kind,
            pattern,
            spec.reason.unwrap_or_default(),
            Origin::Scope,
        )
        .map_err(|e| SetupError::Config {
            scope: spec.name.to_owned(),
            message: e.to_string(),
        })?;
        budget = budget.allow(allowance);
    }
    Ok(budget)
}

fn open(spec: ScopeSpec) -> Option<Scope> {
    if spec.in_test {
        crate::install::ensure_for_tests();
    }
    let mode = Mode::resolve(spec.mode, spec.in_test);
    let opened = budget_of(&spec).and_then(|budget| {
        let mut builder = Scope::builder(spec.name)
            .budget(budget)
            .mode(mode)
            .in_test(spec.in_test)
            .location(format!("{}:{}", spec.file, spec.line));
        if let Some(b) = spec.backtrace {
            builder = builder.backtrace(b);
        }
        if let Some(d) = spec.dialect {
            builder = builder.dialect(d);
        }
        builder.open()
    });
    match opened {
        Ok(scope) => Some(scope),
        Err(e) => {
            setup_failed(e, mode);
            None
        }
    }
}

/// The guard `#[query_budget]` puts at the top of a sync function: the function body runs inside
/// the scope span; on drop the scope closes and its budget is applied.
pub struct SyncScopeGuard {
    entered: Option<EnteredSpan>,
    scope: Option<Scope>,
}

/// Opens and enters a scope for a sync function.
pub fn enter_sync(spec: ScopeSpec) -> SyncScopeGuard {
    let scope = open(spec);
    let entered = scope.as_ref().map(|s| s.span().clone().entered());
    SyncScopeGuard { entered, scope }
}

impl Drop for SyncScopeGuard {
    fn drop(&mut self) {
        drop(self.entered.take());
        if let Some(scope) = self.scope.take() {
            scope.finish_and_check();
        }
    }
}

/// The guard `#[query_budget]` keeps in an async function while its body runs instrumented with
/// [`AsyncScopeGuard::span`] (see [`run_async`]); on drop the scope closes, and its budget is
/// applied if the body ran to completion. A future dropped half-way (a `select!` branch that lost,
/// a timeout, a client that went away) is not judged on a partial run: its scope only records.
pub struct AsyncScopeGuard {
    scope: Option<Scope>,
    completed: bool,
}

/// Opens a scope for an async function.
pub fn open_async(spec: ScopeSpec) -> AsyncScopeGuard {
    AsyncScopeGuard {
        scope: open(spec),
        completed: false,
    }
}

/// Runs an async function's body in the guard's scope; marks the guard completed when the body
/// finishes. Dropping the returned future before that drops the guard uncompleted.
pub async fn run_async<F: Future>(mut guard: AsyncScopeGuard, body: F) -> F::Output {
    let output = body.instrument(guard.span()).await;
    guard.completed = true;
    output
}

impl AsyncScopeGuard {
    /// The span to instrument the body with (a disabled span when the scope could not open).
    pub fn span(&self) -> tracing::Span {
        self.scope
            .as_ref()
            .map_or_else(tracing::Span::none, |s| s.span().clone())
    }
}

impl Drop for AsyncScopeGuard {
    fn drop(&mut self) {
        if let Some(scope) = self.scope.take() {
            if self.completed {
                scope.finish_and_check();
            } else {
                let report = scope.finish();
                tracing::debug!(
                    target: "query_guard",
                    scope = report.scope(),
                    queries = report.count(),
                    "cancelled before completion: budget not applied to the partial run"
                );
            }
        }
    }
}

/// What an assertion macro expects.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// `assert_max_queries!`
    AtMost(usize),
    /// `assert_queries!`
    Exactly(usize),
    /// `assert_no_n_plus_one!`, with its threshold.
    NoNPlusOne(usize),
}

impl Expect {
    fn budget(self) -> Budget {
        match self {
            Expect::AtMost(n) => Budget::new().max(n),
            Expect::Exactly(_) => Budget::new(),
            Expect::NoNPlusOne(t) => Budget::new().n_plus_one_threshold(t).deny_n_plus_one(true),
        }
    }

    fn check(self, report: &Report, at: &str) {
        let headline = match self {
            Expect::AtMost(n) if report.count() > n => {
                format!(
                    "query-guard: expected at most {n} queries, {} ran in {at}",
                    report.count()
                )
            }
            Expect::Exactly(n) if report.count() != n => {
                format!(
                    "query-guard: expected exactly {n} queries, {} ran in {at}",
                    report.count()
                )
            }
            Expect::NoNPlusOne(_) if report.unallowed_n_plus_one().next().is_some() => format!(
                "query-guard: expected no N+1, found {} in {at}",
                report.unallowed_n_plus_one().count()
            ),
            _ => return,
        };
        panic!("{}", report.render_with_headline(&headline));
    }
}

/// `assert_*!` with a block.
#[track_caller]
pub fn assert_sync<T>(expect: Expect, file: &'static str, line: u32, f: impl FnOnce() -> T) -> T {
    let at = format!("{file}:{line}");
    let scope = crate::capture::open_for_test(&at, expect.budget());
    let value = scope.in_scope(f);
    expect.check(&scope.finish(), &at);
    value
}

/// `assert_*!` with an `async` block.
#[track_caller]
pub fn assert_async<F: Future>(
    expect: Expect,
    file: &'static str,
    line: u32,
    future: F,
) -> impl Future<Output = F::Output> {
    let at = format!("{file}:{line}");
    let scope = crate::capture::open_for_test(&at, expect.budget());
    async move {
        let value = future.instrument(scope.span().clone()).await;
        expect.check(&scope.finish(), &at);
        value
    }
}

/// The call site of the caller, displayed (for `benches/callsite.rs` and `tests/callsite.rs`).
#[doc(hidden)]
pub fn capture_call_site() -> Option<String> {
    crate::callsite::capture(&[]).map(|s| s.to_string())
}
