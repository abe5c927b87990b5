//! [`QueryGuardLayer`]: the `tracing` layer that records statements into scopes.
//!
//! Every span created inside a [scope](crate::Scope) gets a link to its enclosing scopes (the
//! nearest first, then, for nested scopes, each ancestor) and its call path, inherited from its
//! parent when it is created. For every event that carries a statement (target `sqlx::query`, or
//! any event with a `db.statement` / `db.query.text` field) the layer reads the link of the
//! event's span, one look-up, and records the statement into every scope in it. Spans carrying `db.statement` (OpenTelemetry-style client spans,
//! diesel-tracing) are recorded when they close, unless a statement event was already recorded
//! inside them, so a statement is never counted twice.
//!
//! The layer also counts, per scope, the threads currently inside it (span enters minus exits).
//! A scope waits, briefly, for that count to reach zero when it finishes: sqlx's SQLite worker
//! thread hands a failed statement's error back to the caller *before* it emits the statement's
//! event, and without the wait that statement could miss a scope that closes right away.
//!
//! Statements outside every scope cost one span look-up and are dropped. The layer never panics
//! and never formats anything on the hot path.
//!
//! # Adding the layer to your own subscriber
//!
//! Add it once: two instances in one subscriber would each record every statement.
//!
//! Use [`layer`], which is `QueryGuardLayer` behind a per-layer filter that enables only what it
//! needs (spans and statement events, at any level). Filter your other layers
//! per layer too: a global `EnvFilter` at `info` would silence sqlx's DEBUG events for every layer,
//! and query-guard would then refuse to open scopes rather than report zero statements.
//!
//! ```
//! use tracing_subscriber::{fmt, prelude::*, EnvFilter};
//!
//! let subscriber = tracing_subscriber::registry()
//!     .with(fmt::layer().with_filter(EnvFilter::new("info")))
//!     .with(query_guard::layer());
//! // tracing::subscriber::set_global_default(subscriber).unwrap();
//! # drop(subscriber);
//! ```

mod fields;

pub(crate) use fields::StatementFields;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::filter::{DynFilterFn, Filtered};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use crate::fingerprint::_support::Candidates;
use crate::fingerprint::Dialect;
use crate::state::{self, ScopeState};
use crate::statement::{CallPath, Captured, Source};

/// Target of sqlx's statement events.
pub(crate) const SQLX_TARGET: &str = "sqlx::query";

/// The layer that records statements into scopes. Build it with [`layer`] (filtered) or
/// [`QueryGuardLayer::new`] (unfiltered, for subscribers that filter it themselves).
#[derive(Debug, Default, Clone, Copy)]
pub struct QueryGuardLayer {
    _private: (),
}

impl QueryGuardLayer {
    /// The bare layer. Prefer [`layer`], which also filters out what the layer ignores, so the
    /// rest of your tracing does not pay for it.
    pub const fn new() -> QueryGuardLayer {
        QueryGuardLayer { _private: () }
    }
}

/// Whether a callsite may carry a statement, or is a span (every span, whatever its level: a
/// statement run under a TRACE span disabled for this layer could not be attributed, because a
/// filtered layer's view of the current span on another thread, such as sqlx's SQLite worker or
/// a spawned task, stops at the first span it cannot see).
fn wanted(meta: &Metadata<'_>) -> bool {
    meta.is_span() || carries_statement(meta)
}

fn carries_statement(meta: &Metadata<'_>) -> bool {
    meta.target() == SQLX_TARGET
        || meta.fields().field("db.statement").is_some()
        || meta.fields().field("db.query.text").is_some()
}

/// `sometimes` for the callsites the layer wants, `never` for the rest. Never `always`: with an
/// `always` interest, tracing-subscriber skips `enabled()` and reuses per-layer filter results
/// that a preceding `tracing::enabled!` check left in its thread-local filter state (upstream
/// tokio-rs/tracing#2519), which can hide the next span from this layer or from the user's own
/// per-layer-filtered layers. `sometimes` makes every filter decide afresh each time.
fn interest(meta: &'static Metadata<'static>) -> Interest {
    if wanted(meta) {
        Interest::sometimes()
    } else {
        Interest::never()
    }
}

fn enabled<S>(meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
    wanted(meta)
}

/// The filter [`layer`] puts on the layer.
pub type LayerFilter<S> = DynFilterFn<
    S,
    fn(&Metadata<'_>, &Context<'_, S>) -> bool,
    fn(&'static Metadata<'static>) -> Interest,
>;

/// The type [`layer`] returns.
pub type FilteredLayer<S> = Filtered<QueryGuardLayer, LayerFilter<S>, S>;

/// [`QueryGuardLayer`] with its own per-layer filter: spans (the call path of a statement is
/// made of them, and they carry the scope to other threads) and statement events, at every
/// level; nothing else.
///
/// ```
/// use tracing_subscriber::prelude::*;
/// let subscriber = tracing_subscriber::registry().with(query_guard::layer());
/// # drop(subscriber);
/// ```
pub fn layer<S>() -> FilteredLayer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let filter = DynFilterFn::new(enabled::<S> as fn(&Metadata<'_>, &Context<'_, S>) -> bool)
        .with_callsite_filter(interest as fn(&'static Metadata<'static>) -> Interest);
    QueryGuardLayer::new().with_filter(filter)
}

/// Whether the current default subscriber contains a [`QueryGuardLayer`].
pub(crate) fn is_installed() -> bool {
    tracing::dispatcher::get_default(|d| d.downcast_ref::<QueryGuardLayer>().is_some())
}

/// What a span inside one or more scopes knows about them, set when it is created.
#[derive(Clone)]
struct ScopeLink {
    /// Enclosing scopes, innermost first.
    scopes: Arc<[Arc<ScopeState>]>,
    /// Spans from the nearest scope (exclusive) down to this span (inclusive).
    path: CallPath,
    /// The nearest enclosing statement span's flag: set when a statement event is recorded
    /// inside it, so the span itself is not recorded again.
    db_span: Option<Arc<AtomicBool>>,
    /// The database named by the nearest enclosing span with a `db.system` or
    /// `db.system.name` field.
    dialect: Option<Candidates>,
}

impl ScopeLink {
    fn record(&self, captured: impl FnOnce(CallPath, Option<Candidates>) -> Captured) {
        let mut captured = captured(self.path.clone(), self.dialect);
        let (innermost, enclosing) = match &*self.scopes {
            [innermost, enclosing @ ..] => (innermost, enclosing),
            [] => return,
        };
        // The stack is walked here, on the thread that emitted the statement, while the code
        // that ran it is still on it; only when the innermost scope asked for it.
        if let Some(skip) = &innermost.backtrace {
            let (site, driver) = crate::callsite::capture_with_driver(skip);
            captured.site = site;
            // The driver whose code ran the statement names its database.
            if let Some(d) = driver
                && !captured.among.is_single()
            {
                captured.among = Candidates::of(d);
            }
        }
        for scope in enclosing {
            scope.record(captured.clone());
        }
        innermost.record(captured);
    }
}

/// The databases a statement may be for: the one its own `db.system` names, else the one an
/// enclosing span names, else any.
pub(crate) fn among(db_system: Option<&str>, span: Option<Candidates>) -> Candidates {
    match db_system.map(Dialect::from_db_system) {
        Some(d) if d != Dialect::Generic => Candidates::of(d),
        _ => span.unwrap_or(Candidates::ANY),
    }
}

/// [`among`] for a sqlx event: sqlx's events never say their database, but sqlx runs SQLite
/// statements (and logs them) on a worker thread of its own, named `sqlx-sqlite-worker-N`
/// unless the application renamed it (`SqliteConnectOptions::thread_name`); PostgreSQL and
/// MySQL log theirs on the task that runs them.
fn sqlx_among(db_system: Option<&str>, span: Option<Candidates>) -> Candidates {
    let known = among(db_system, span);
    if known != Candidates::ANY {
        return known;
    }
    if on_sqlx_sqlite_worker() {
        Candidates::SQLITE
    } else {
        Candidates::NOT_SQLITE
    }
}

/// Whether the current thread is one of sqlx's SQLite workers (asked once per thread).
fn on_sqlx_sqlite_worker() -> bool {
    use std::cell::Cell;
    thread_local! {
        static WORKER: Cell<Option<bool>> = const { Cell::new(None) };
    }
    WORKER.with(|w| {
        w.get().unwrap_or_else(|| {
            let yes = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("sqlx-sqlite-worker"));
            w.set(Some(yes));
            yes
        })
    })
}

/// Reads only `db.system` / `db.system.name` of a span.
#[derive(Default)]
struct SystemField(Option<Candidates>);

impl tracing::field::Visit for SystemField {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if matches!(field.name(), "db.system" | "db.system.name") {
            let d = Dialect::from_db_system(value);
            if d != Dialect::Generic {
                self.0 = Some(Candidates::of(d));
            }
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if matches!(field.name(), "db.system" | "db.system.name") {
            let text = format!("{value:?}");
            self.record_str(field, text.trim_matches('"'));
        }
    }
}

/// Whether a span's callsite has a `db.system` or `db.system.name` field (one pass over its
/// field names: this runs for every span created inside a scope).
fn names_system(meta: &Metadata<'_>) -> bool {
    meta.fields()
        .iter()
        .any(|f| matches!(f.name(), "db.system" | "db.system.name"))
}

/// A span that carries a statement itself (an OpenTelemetry-style client span).
struct DbSpan {
    fields: StatementFields,
    opened: Instant,
    /// A statement event was recorded inside this span: do not record the span again.
    saw_event: Arc<AtomicBool>,
}

fn link_of<S>(span: &SpanRef<'_, S>) -> Option<ScopeLink>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    span.extensions().get::<ScopeLink>().cloned()
}

impl<S> Layer<S> for QueryGuardLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let meta = attrs.metadata();
        let parent = span.parent().as_ref().and_then(link_of);
        let mut link = if state::is_scope_span(meta) {
            let Some(state) = state::take_pending() else {
                return;
            };
            let mut scopes = vec![state];
            if let Some(parent) = &parent {
                scopes.extend(parent.scopes.iter().cloned());
            }
            Some(ScopeLink {
                scopes: scopes.into(),
                path: CallPath::default(),
                db_span: None,
                dialect: parent.as_ref().and_then(|p| p.dialect),
            })
        } else {
            parent.map(|parent| ScopeLink {
                path: parent.path.child(meta),
                ..parent
            })
        };
        if let Some(link) = &mut link
            && names_system(meta)
        {
            let mut system = SystemField::default();
            attrs.record(&mut system);
            if system.0.is_some() {
                link.dialect = system.0;
            }
        }
        let mut ext = span.extensions_mut();
        if link.is_some()
            && carries_statement(meta)
            && meta.target() != SQLX_TARGET
            && ext.get_mut::<DbSpan>().is_none()
        {
            let mut fields = StatementFields::for_callsite(meta);
            attrs.record(&mut fields);
            let saw_event = Arc::new(AtomicBool::new(false));
            if let Some(link) = &mut link {
                link.db_span = Some(saw_event.clone());
            }
            ext.insert(DbSpan {
                fields,
                opened: Instant::now(),
                saw_event,
            });
        }
        if let Some(link) = link
            && ext.get_mut::<ScopeLink>().is_none()
        {
            ext.insert(link);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut ext = span.extensions_mut();
            if let Some(db) = ext.get_mut::<DbSpan>() {
                values.record(&mut db.fields);
            }
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(link) = span.extensions().get::<ScopeLink>()
        {
            for scope in link.scopes.iter() {
                scope.entered();
            }
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(link) = span.extensions().get::<ScopeLink>()
        {
            for scope in link.scopes.iter() {
                scope.exited();
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        if !carries_statement(meta) {
            return;
        }
        // Outside every scope: nothing to do, and nothing formatted.
        let Some(link) = ctx.event_span(event).as_ref().and_then(link_of) else {
            return;
        };
        let mut fields = StatementFields::for_callsite(meta);
        event.record(&mut fields);
        let Some((sql, len)) = fields.take_sql() else {
            return;
        };
        if let Some(db_span) = &link.db_span {
            db_span.store(true, Ordering::Relaxed);
        }
        let sqlx = meta.target() == SQLX_TARGET;
        let source = if sqlx { Source::Sqlx } else { Source::Event };
        link.record(|path, span| Captured {
            sql,
            len,
            elapsed: fields.elapsed(),
            rows_affected: fields.rows_affected,
            rows_returned: fields.rows_returned,
            among: if sqlx {
                sqlx_among(fields.db_system.as_deref(), span)
            } else {
                among(fields.db_system.as_deref(), span)
            },
            db_system: fields.db_system,
            source,
            path,
            site: None,
        });
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let (db, link) = {
            let mut ext = span.extensions_mut();
            (ext.remove::<DbSpan>(), ext.get_mut::<ScopeLink>().cloned())
        };
        let (Some(mut db), Some(link)) = (db, link) else {
            return;
        };
        if db.saw_event.load(Ordering::Relaxed) {
            return;
        }
        let Some((sql, len)) = db.fields.take_sql() else {
            return;
        };
        let elapsed = db.fields.elapsed().or_else(|| Some(db.opened.elapsed()));
        link.record(|path, span| Captured {
            sql,
            len,
            elapsed,
            rows_affected: db.fields.rows_affected,
            rows_returned: db.fields.rows_returned,
            among: among(db.fields.db_system.as_deref(), span),
            db_system: db.fields.db_system,
            source: Source::Span,
            path,
            site: None,
        });
    }
}

/// Records into the scopes enclosing the current span (for [`crate::record`]).
pub(crate) fn record_current(
    captured: impl FnOnce(CallPath, Option<Candidates>) -> Captured,
) -> bool {
    let span = tracing::Span::current();
    span.with_subscriber(|(id, dispatch)| {
        let Some(registry) = dispatch.downcast_ref::<tracing_subscriber::Registry>() else {
            return false;
        };
        // The registry's own view is unfiltered: walk up to the first span inside a scope.
        let Some(span) = registry.span(id) else {
            return false;
        };
        let Some(link) = span.scope().find_map(|s| link_of(&s)) else {
            return false;
        };
        link.record(captured);
        true
    })
    .unwrap_or(false)
}
