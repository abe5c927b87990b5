//! Scopes: the unit statements are counted in (a request, a test, a `capture` block).
//!
//! A scope is a `tracing` span (target `query_guard::scope`, name `query_guard`) that carries a
//! recorder. Every statement whose event happens inside the span, on any thread, is recorded into
//! it: across `.await`, on tokio's multi-thread runtime, on sqlx's SQLite worker thread (which
//! enters the caller's span), and in tasks spawned with the span ([`crate::spawn`], or
//! `tokio::spawn(fut.in_current_span())`). A task spawned *without* the span is outside the scope:
//! that is how tracing works, and it is why tests that run in parallel in one process never see
//! each other's statements.
//!
//! # Nested scopes
//!
//! A statement is recorded into every enclosing scope: a child's statements count in its parent
//! too, and each scope checks its own budget when it closes.
//!
//! ```
//! use query_guard::{record, Scope, StatementRecord};
//! # query_guard::install().unwrap();
//!
//! let outer = Scope::open("request").unwrap();
//! outer.in_scope(|| {
//!     record(StatementRecord::new("SELECT 1"));
//!     let inner = Scope::open("load_user").unwrap();
//!     inner.in_scope(|| record(StatementRecord::new("SELECT name FROM users WHERE id = $1")));
//!     assert_eq!(inner.finish().count(), 1);
//! });
//! assert_eq!(outer.finish().count(), 2);
//! ```
//!
//! # Memory
//!
//! A scope stores at most [`MAX_STORED_STATEMENTS`] statements (override with
//! [`ScopeBuilder::max_stored`]) and [`MAX_STORED_SQL_BYTES`](crate::MAX_STORED_SQL_BYTES) of SQL text; past that it still
//! counts every statement exactly (total, reads, writes) and aggregates the rest by fingerprint, so a long-running scope in production cannot
//! grow without bound. Past [`MAX_UNSTORED_SHAPES`](crate::MAX_UNSTORED_SHAPES) aggregated shapes, further shapes are only
//! counted by class.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Instant;

use parking_lot::Mutex;
use tracing::level_filters::LevelFilter;
use tracing::{Level, Span};

use crate::budget::Budget;
use crate::fingerprint::Dialect;
use crate::mode::Mode;
use crate::report::Report;
use crate::state::MAX_STORED_STATEMENTS;
use crate::state::{Recorded, ScopeState, set_pending, take_pending};

/// Why a scope could not be opened: query-guard would otherwise report zero statements.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// No [`crate::QueryGuardLayer`] in the current subscriber.
    #[error(
        "query-guard cannot record statements for scope `{scope}`: the current tracing subscriber has no QueryGuardLayer{detail}. \
         Call `query_guard::install()` once at start-up (it sets a global subscriber with the layer and a fmt layer that \
         honours RUST_LOG), or add the layer to the subscriber you build: \
         `tracing_subscriber::registry().with(query_guard::layer()).with(fmt::layer().with_filter(EnvFilter::from_default_env()))`"
    )]
    NotInstalled {
        /// The scope's name.
        scope: String,
        /// Extra context (whether any global subscriber is set).
        detail: String,
    },
    /// The layer is there, but a filter applied to every layer disabled the scope span.
    #[error(
        "query-guard cannot record statements for scope `{scope}`: its span (target `query_guard::scope`, level INFO) was \
         disabled by a filter that applies to every layer (a global `EnvFilter`, `LevelFilter` or `with_max_level`). \
         Filter your other layers per layer (`layer.with_filter(...)`) instead, or add `query_guard=info` to that filter"
    )]
    ScopeSpanFiltered {
        /// The scope's name.
        scope: String,
    },
    /// sqlx's statement events are disabled for every layer.
    #[error(
        "query-guard cannot count sqlx statements for scope `{scope}`: events with target `sqlx::query` at {level} are \
         disabled by a filter that applies to every layer, so sqlx never emits them. Filter your fmt layer per layer \
         (`fmt::layer().with_filter(EnvFilter::from_default_env())`) instead of globally, or add `sqlx::query=debug` to the \
         global filter (`RUST_LOG=info,sqlx::query=debug`). If sqlx logs statements at another level (SeaORM: INFO), set \
         QUERY_GUARD_SQLX_LEVEL to it; if the application does not use sqlx, set QUERY_GUARD_SQLX_LEVEL=off"
    )]
    SqlxEventsDisabled {
        /// The scope's name.
        scope: String,
        /// The level checked.
        level: String,
    },
    /// `tracing`'s compile-time maximum level (a `max_level_*` / `release_max_level_*` feature)
    /// removes the scope span or sqlx's statement events from the binary: no runtime filter can
    /// bring them back.
    #[error(
        "query-guard cannot record statements for scope `{scope}`: this binary was built with a `tracing` \
         `max_level_*` or `release_max_level_*` feature below {level}, which compiles out the scope span or sqlx's \
         statement events. Remove that feature (or raise it to `max_level_{level}`)"
    )]
    CompiledOut {
        /// The scope's name.
        scope: String,
        /// The level needed, lower-case.
        level: String,
    },
    /// The scope's settings are wrong: an unknown preset, an allowance without a reason or with
    /// an invalid pattern, or a `query-guard.toml` that cannot be read.
    #[error("query-guard cannot open scope `{scope}`: {message}")]
    Config {
        /// The scope's name.
        scope: String,
        /// What is wrong, and where.
        message: String,
    },
}

/// Builds a [`Scope`] with a budget, a mode and other options.
///
/// ```
/// use query_guard::{Budget, Mode, Scope};
/// # query_guard::install().unwrap();
/// let scope = Scope::builder("list_posts").budget(Budget::list()).mode(Mode::Warn).open().unwrap();
/// assert_eq!(scope.finish().count(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct ScopeBuilder {
    name: String,
    location: Option<String>,
    budget: Budget,
    mode: Option<Mode>,
    in_test: bool,
    show_values: Option<bool>,
    max_stored: Option<usize>,
    backtrace: Option<bool>,
    dialect: Option<Dialect>,
}

impl ScopeBuilder {
    /// The budget checked by [`Scope::finish_and_check`] (default: none).
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// What a broken budget does (default: see [`Mode`]; the `QUERY_GUARD` variable wins).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Marks the scope as a test's, so its default mode is [`Mode::Panic`].
    pub fn in_test(mut self, yes: bool) -> Self {
        self.in_test = yes;
        self
    }

    /// Where the scope is, shown in its report (`file:line`).
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Show the SQL as it ran, literal values included, instead of the normalised text (default:
    /// `show_values` in `query-guard.toml`, else off: values can be secrets;
    /// `QUERY_GUARD_SHOW_VALUES=1` overrides).
    pub fn show_values(mut self, yes: bool) -> Self {
        self.show_values = Some(yes);
        self
    }

    /// The database of the statements whose source does not say which it is: sqlx's events do
    /// not, except on SQLite (default: `dialect` in `query-guard.toml`, else unknown;
    /// `QUERY_GUARD_DIALECT` overrides). Quoted text is then read exactly as that database
    /// reads it; with the database unknown, whatever any database could read as a value is
    /// masked. [`Dialect::Generic`] means unknown.
    ///
    /// ```
    /// use query_guard::{record, Scope, StatementRecord};
    /// use query_guard::fingerprint::Dialect;
    /// # query_guard::install().unwrap();
    /// let sql = r#"SELECT "Title" FROM posts"#;
    /// let unknown = Scope::open("unknown").unwrap();
    /// unknown.in_scope(|| record(StatementRecord::new(sql)));
    /// assert_eq!(unknown.finish().statements()[0].normalized.as_ref(), "SELECT $1 FROM posts");
    /// let pg = Scope::builder("pg").dialect(Dialect::Postgres).open().unwrap();
    /// pg.in_scope(|| record(StatementRecord::new(sql)));
    /// assert_eq!(pg.finish().statements()[0].normalized.as_ref(), sql);
    /// ```
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = (dialect != Dialect::Generic).then_some(dialect);
        self
    }

    /// How many statements to store before only counting (default: `max_stored` in
    /// `query-guard.toml`, else [`MAX_STORED_STATEMENTS`]).
    pub fn max_stored(mut self, n: usize) -> Self {
        self.max_stored = Some(n);
        self
    }

    /// Capture a backtrace per statement to find the line of application code that ran it
    /// (default: the `backtrace` key of `query-guard.toml`, else off; `QUERY_GUARD_BACKTRACE`
    /// overrides).
    /// See [`crate::callsite`] for what it costs.
    pub fn backtrace(mut self, yes: bool) -> Self {
        self.backtrace = Some(yes);
        self
    }

    /// Opens the scope: reads the configuration (`query-guard.toml` and the `QUERY_GUARD_*`
    /// variables, see [`crate::config`]), creates the span and checks that statements will reach
    /// it.
    pub fn open(self) -> Result<Scope, SetupError> {
        let config = crate::config::current().map_err(|e| SetupError::Config {
            scope: self.name.clone(),
            message: e.to_string(),
        })?;
        let env = crate::config::environment();
        let mode = Mode::resolve(self.mode, self.in_test);
        let show_values = env
            .show_values
            .or(self.show_values)
            .or(config.show_values)
            .unwrap_or(false);
        let max_stored = env
            .max_stored
            .or(self.max_stored)
            .or(config.max_stored)
            .unwrap_or(MAX_STORED_STATEMENTS);
        let dialect = env.dialect.or(self.dialect).or(config.dialect);
        let backtrace = env
            .backtrace
            .or(self.backtrace)
            .or(config.backtrace)
            .unwrap_or(false)
            .then(|| Arc::from(config.backtrace_skip.as_slice()));
        if backtrace.is_some() {
            warm_up_call_sites();
        }
        // `QUERY_GUARD_REPORTS` / `QUERY_GUARD_REPORT_DIR` switch report files on for every scope;
        // `reports = true` in the file only for tests (test scopes, or anything cargo runs: a
        // service deployed next to the file must not write a file per request).
        let under_cargo = self.in_test || std::env::var_os("CARGO").is_some();
        let reports = env.reports == Some(true) || (config.reports == Some(true) && under_cargo);
        let report_dir = reports.then(crate::report::report_dir);
        let budget = self.budget.with_config(env, config, &self.name);
        let state = Arc::new(ScopeState {
            test: test_name(),
            ignore: Arc::from(config.ignore.as_slice()),
            backtrace,
            report_dir,
            name: self.name,
            location: self.location,
            budget,
            mode,
            show_values,
            dialect,
            max_stored,
            started: Instant::now(),
            recorded: Mutex::new(Recorded::default()),
            active: AtomicUsize::new(0),
            final_report: std::sync::OnceLock::new(),
        });
        let sqlx_level = sqlx_level();
        let needed = sqlx_level.map_or(LevelFilter::INFO, |l| {
            LevelFilter::from_level(l).max(LevelFilter::INFO)
        });
        if tracing::level_filters::STATIC_MAX_LEVEL < needed {
            return Err(SetupError::CompiledOut {
                scope: state.name.clone(),
                level: needed.to_string(),
            });
        }
        set_pending(state.clone());
        let span =
            tracing::info_span!(target: "query_guard::scope", "query_guard", scope = %state.name);
        if take_pending().is_some() {
            let scope = state.name.clone();
            return Err(if crate::layer::is_installed() {
                SetupError::ScopeSpanFiltered { scope }
            } else {
                let detail = if crate::install::refused() {
                    " (a global subscriber without it was set first)".to_owned()
                } else {
                    String::new()
                };
                SetupError::NotInstalled { scope, detail }
            });
        }
        if let Some(level) = sqlx_level
            && !sqlx_events_enabled(level)
        {
            return Err(SetupError::SqlxEventsDisabled {
                scope: state.name.clone(),
                level: level.to_string(),
            });
        }
        Ok(Scope { span, state })
    }
}

/// The level sqlx logs statements at: `QUERY_GUARD_SQLX_LEVEL` (`trace` … `error`, or `off` when
/// the application does not use sqlx or turned its statement logging off), default DEBUG (sqlx's
/// own default; SeaORM configures INFO). An invalid value is reported once and ignored.
fn sqlx_level() -> Option<Level> {
    static LEVEL: std::sync::OnceLock<Option<Level>> = std::sync::OnceLock::new();
    *LEVEL.get_or_init(|| {
        let Ok(raw) = std::env::var("QUERY_GUARD_SQLX_LEVEL") else {
            return Some(Level::DEBUG);
        };
        match raw.trim().to_ascii_lowercase().as_str() {
            "off" => None,
            other => other.parse::<Level>().map(Some).unwrap_or_else(|_| {
                eprintln!(
                    "query-guard: ignoring QUERY_GUARD_SQLX_LEVEL={raw:?}: expected trace, debug, info, warn, error or off"
                );
                Some(Level::DEBUG)
            }),
        }
    })
}

/// `tracing::enabled!` needs its level at compile time.
fn sqlx_events_enabled(level: Level) -> bool {
    match level {
        Level::TRACE => tracing::enabled!(target: "sqlx::query", Level::TRACE),
        Level::DEBUG => tracing::enabled!(target: "sqlx::query", Level::DEBUG),
        Level::INFO => tracing::enabled!(target: "sqlx::query", Level::INFO),
        Level::WARN => tracing::enabled!(target: "sqlx::query", Level::WARN),
        Level::ERROR => tracing::enabled!(target: "sqlx::query", Level::ERROR),
    }
}

/// The first call-site capture of a process loads the binary's debug information (about 50 ms
/// with line tables, see BENCHMARKS.md): do it once, on a thread of its own, as soon as a scope
/// asks for call sites, rather than in the first statement's path.
fn warm_up_call_sites() {
    static WARM: std::sync::Once = std::sync::Once::new();
    WARM.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("query-guard-warm-up".into())
            .spawn(|| crate::callsite::capture(&[]));
    });
}

/// The test a scope opens in: libtest names each test's thread after the test (`module::test`).
fn test_name() -> Option<String> {
    let thread = std::thread::current();
    let name = thread.name()?;
    (name != "main" && !name.starts_with("tokio-runtime")).then(|| name.to_owned())
}

/// An open scope: statements that run inside its [span](Scope::span) are recorded into it.
///
/// Run code in it with [`Scope::in_scope`] (sync) or `.instrument(scope.span().clone())` (async),
/// then call [`Scope::finish`] for the [`Report`], or [`Scope::finish_and_check`] to apply the
/// budget and mode. Most code uses `#[query_budget]` or [`crate::capture`] instead.
#[derive(Clone)]
pub struct Scope {
    span: Span,
    state: Arc<ScopeState>,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("name", &self.state.name)
            .finish_non_exhaustive()
    }
}

impl Scope {
    /// A builder for a scope named `name`.
    pub fn builder(name: impl Into<String>) -> ScopeBuilder {
        ScopeBuilder {
            name: name.into(),
            location: None,
            budget: Budget::new(),
            mode: None,
            in_test: false,
            show_values: None,
            max_stored: None,
            backtrace: None,
            dialect: None,
        }
    }

    /// Opens a scope with no budget.
    pub fn open(name: impl Into<String>) -> Result<Scope, SetupError> {
        Scope::builder(name).open()
    }

    /// The scope's span: instrument futures with it, or enter it.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// The scope's name.
    pub fn name(&self) -> &str {
        &self.state.name
    }

    /// The mode this scope resolved to.
    pub fn mode(&self) -> Mode {
        self.state.mode
    }

    /// Runs `f` inside the scope.
    pub fn in_scope<T>(&self, f: impl FnOnce() -> T) -> T {
        self.span.in_scope(f)
    }

    /// A report of what was recorded so far; the scope stays open.
    pub fn report(&self) -> Report {
        Report::build(&self.state, false)
    }

    /// Closes the scope and returns its report. Statements arriving later (from tasks that outlive
    /// the scope) are ignored; calling it again (on this handle or a clone) returns the same
    /// report.
    ///
    /// If another thread is inside the scope at that moment (a spawned task being polled, a
    /// driver's worker thread finishing a statement), it first waits up to 50 ms for it to leave,
    /// so a statement that is still being logged is not lost. Call it after the scope's code, not
    /// from inside [`Scope::in_scope`] (that would always wait the 50 ms).
    pub fn finish(&self) -> Report {
        self.close().0
    }

    /// The closing report, and whether this call closed the scope.
    fn close(&self) -> (Report, bool) {
        let mut closed_here = false;
        let report = self.state.final_report.get_or_init(|| {
            closed_here = true;
            self.state.settle();
            let report = Report::build(&self.state, true);
            if let Some(dir) = &self.state.report_dir {
                crate::report::file::write_or_warn(&report, dir);
            }
            report
        });
        (report.clone(), closed_here)
    }

    /// Closes the scope, applies its budget in its mode (panic, WARN event, or nothing), and
    /// returns the report. Only the call that closes the scope applies the budget.
    ///
    /// # Panics
    ///
    /// In [`Mode::Panic`], when the budget is broken (unless the thread is already panicking).
    pub fn finish_and_check(&self) -> Report {
        let (report, closed_here) = self.close();
        if closed_here {
            crate::enforce::enforce(&report);
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::MAX_UNSTORED_SHAPES;
    use crate::{StatementRecord, record};
    use std::time::Duration;

    #[test]
    fn memory_is_bounded_and_counts_stay_exact() {
        crate::install().unwrap();
        let scope = Scope::builder("bounded")
            .budget(Budget::new().max(10))
            .max_stored(2)
            .open()
            .unwrap();
        let shapes = MAX_UNSTORED_SHAPES + 5;
        scope.in_scope(|| {
            for i in 0..shapes {
                assert!(record(StatementRecord::new(format!(
                    "SELECT * FROM t{i} WHERE id = 1"
                ))));
            }
            assert!(record(StatementRecord::new("UPDATE t0 SET a = 1")));
            assert!(record(StatementRecord::new("COMMIT")));
        });
        let report = scope.finish();
        assert_eq!(report.statements().len(), 2, "stored up to the cap");
        assert_eq!(
            report.unstored().len(),
            MAX_UNSTORED_SHAPES,
            "aggregated up to the cap"
        );
        let c = report.counts();
        assert_eq!((c.reads, c.writes, c.transactions), (shapes, 1, 1));
        assert_eq!(c.counted, shapes + 1);
        assert_eq!(c.unstored, shapes + 2 - 2);
        assert!(report.failed());
        let text = report.to_string();
        assert!(
            text.lines().count() < 40,
            "the text report lists the top shapes only:\n{text}"
        );
        assert!(text.contains("in other shapes"), "{text}");
    }

    #[test]
    fn stored_statements_never_take_more_room_than_the_cap() {
        crate::install().unwrap();
        let scope = Scope::builder("capacity").max_stored(100).open().unwrap();
        scope.in_scope(|| {
            for i in 0..150 {
                record(StatementRecord::new(format!("SELECT {i}")));
            }
        });
        let rec = scope.state.recorded.lock();
        assert_eq!(rec.statements.len(), 100);
        assert_eq!(
            rec.statements.capacity(),
            100,
            "grown to the cap, not to the next power of two"
        );
    }

    #[test]
    fn a_closed_scope_shares_its_report_with_every_finish() {
        crate::install().unwrap();
        let scope = Scope::open("shared").unwrap();
        scope.in_scope(|| {
            for i in 0..20 {
                record(StatementRecord::new(format!(
                    "SELECT * FROM t WHERE id = {i}"
                )));
            }
        });
        let (first, again) = (scope.finish(), scope.finish());
        assert_eq!(first.statements().len(), 20);
        assert!(
            std::ptr::eq(first.statements(), again.statements()),
            "the statement list is shared, not copied"
        );
        assert!(std::ptr::eq(first.fingerprints(), again.fingerprints()));
        assert!(std::ptr::eq(first.n_plus_one(), again.n_plus_one()));
    }

    #[test]
    fn long_scopes_list_the_first_and_last_statements() {
        crate::install().unwrap();
        let scope = Scope::open("long").unwrap();
        scope.in_scope(|| {
            for i in 0..500 {
                record(StatementRecord::new(format!("SELECT {i}")));
            }
        });
        let report = scope.finish();
        assert_eq!(report.statements().len(), 500);
        let text = report.to_string();
        assert!(
            text.contains("  90. ") && text.contains(" 491. ") && text.contains(" 500. "),
            "{text}"
        );
        assert!(
            !text.contains(" 91. ") && !text.contains(" 490. "),
            "{text}"
        );
        assert!(text.contains("400 statements not listed"), "{text}");
    }

    #[test]
    fn huge_durations_saturate() {
        crate::install().unwrap();
        let scope = Scope::builder("huge").max_stored(1).open().unwrap();
        scope.in_scope(|| {
            for _ in 0..4 {
                record(StatementRecord::new("SELECT 1").elapsed(Duration::MAX));
            }
        });
        let report = scope.finish();
        assert_eq!(report.db_time(), Duration::MAX);
        // Written as the most a report gives, which `query-guard report` reads back.
        let json = report.to_json();
        assert_eq!(json["db_ms"], crate::report::MAX_REPORT_MS);
        assert_eq!(
            json["statements"][0]["elapsed_ms"],
            crate::report::MAX_REPORT_MS
        );
    }

    #[test]
    fn statements_after_finish_are_ignored() {
        crate::install().unwrap();
        let scope = Scope::open("closed").unwrap();
        scope.in_scope(|| record(StatementRecord::new("SELECT 1")));
        assert_eq!(scope.finish().count(), 1);
        scope.in_scope(|| record(StatementRecord::new("SELECT 2")));
        assert_eq!(scope.report().count(), 0, "closed scopes keep nothing");
        let again = scope.clone().finish();
        assert_eq!(
            again.count(),
            1,
            "a second finish returns the closing report"
        );
    }
}
