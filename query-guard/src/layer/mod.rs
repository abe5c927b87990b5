//! [`QueryGuardLayer`]: the `tracing` layer that records statements into scopes.
//!
//! For every event that carries a statement (target `sqlx::query`, or any event with a
//! `db.statement` / `db.query.text` field) the layer walks from the event's span up to the root and
//! records the statement into every enclosing [scope](crate::Scope): the nearest one and, for nested
//! scopes, each of its ancestors. Spans carrying `db.statement` (OpenTelemetry-style client spans,
//! diesel-tracing) are recorded when they close, unless a statement event was already recorded
//! inside them, so a statement is never counted twice.
//!
//! Statements outside every scope cost one span look-up and are dropped. The layer never panics
//! and never formats anything on the hot path.
//!
//! # Adding the layer to your own subscriber
//!
//! Use [`layer`], which is `QueryGuardLayer` behind a per-layer filter that enables only what it
//! needs (spans at DEBUG and above, statement events at any level). Filter your other layers
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
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::filter::{FilterFn, Filtered};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use crate::scope::{self, ScopeExt, ScopeState};
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

/// Whether a callsite may carry a statement or is one of the spans the layer needs.
fn wanted(meta: &Metadata<'_>) -> bool {
    carries_statement(meta) || (meta.is_span() && *meta.level() <= Level::DEBUG)
}

fn carries_statement(meta: &Metadata<'_>) -> bool {
    meta.target() == SQLX_TARGET
        || meta.fields().field("db.statement").is_some()
        || meta.fields().field("db.query.text").is_some()
}

/// The type [`layer`] returns.
pub type FilteredLayer<S> = Filtered<QueryGuardLayer, FilterFn<fn(&Metadata<'_>) -> bool>, S>;

/// [`QueryGuardLayer`] with its own per-layer filter: spans at DEBUG and above (the call path of
/// a statement is made of them), statement events at every level, nothing else.
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
    QueryGuardLayer::new().with_filter(FilterFn::new(wanted as fn(&Metadata<'_>) -> bool))
}

/// Whether the current default subscriber contains a [`QueryGuardLayer`].
pub(crate) fn is_installed() -> bool {
    tracing::dispatcher::get_default(|d| d.downcast_ref::<QueryGuardLayer>().is_some())
}

/// A span that carries a statement itself (an OpenTelemetry-style client span).
struct DbSpan {
    fields: StatementFields,
    opened: Instant,
    /// A statement event was recorded inside this span: do not record the span again.
    saw_event: AtomicBool,
}

/// The scopes enclosing a statement, innermost first. The first is held inline: almost every
/// statement has exactly one scope, and this runs for every statement.
#[derive(Default)]
struct Scopes {
    first: Option<Arc<ScopeState>>,
    rest: Vec<Arc<ScopeState>>,
}

impl Scopes {
    fn push(&mut self, scope: Arc<ScopeState>) {
        if self.first.is_none() {
            self.first = Some(scope);
        } else {
            self.rest.push(scope);
        }
    }

    fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// Records into every scope: a clone for each enclosing one, the original for the innermost.
    fn record(self, captured: Captured) {
        for scope in &self.rest {
            scope.record(captured.clone());
        }
        if let Some(first) = self.first {
            first.record(captured);
        }
    }
}

/// Scopes enclosing `span` and the call path from the nearest scope down to `span`. Marks the
/// nearest enclosing [`DbSpan`] as having seen an event when `mark_db_span`.
fn enclosing<'a, S>(
    span: SpanRef<'a, S>,
    mark_db_span: bool,
) -> (Scopes, Vec<&'static Metadata<'static>>)
where
    S: Subscriber + for<'l> LookupSpan<'l>,
{
    let mut scopes = Scopes::default();
    let mut path = Vec::new();
    let mut marked = !mark_db_span;
    for span in span.scope() {
        let ext = span.extensions();
        if let Some(scope) = ext.get::<ScopeExt>() {
            scopes.push(scope.0.clone());
        } else if scopes.is_empty() {
            if !marked && let Some(db) = ext.get::<DbSpan>() {
                db.saw_event.store(true, Ordering::Relaxed);
                marked = true;
            }
            path.push(span.metadata());
        }
    }
    (scopes, path)
}

impl<S> Layer<S> for QueryGuardLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        if scope::is_scope_span(meta) {
            if let Some(state) = scope::take_pending()
                && let Some(span) = ctx.span(id)
            {
                let mut ext = span.extensions_mut();
                if ext.get_mut::<ScopeExt>().is_none() {
                    ext.insert(ScopeExt(state));
                }
            }
            return;
        }
        if carries_statement(meta)
            && meta.target() != SQLX_TARGET
            && let Some(span) = ctx.span(id)
        {
            let mut fields = StatementFields::for_callsite(meta);
            attrs.record(&mut fields);
            let mut ext = span.extensions_mut();
            if ext.get_mut::<DbSpan>().is_none() {
                ext.insert(DbSpan {
                    fields,
                    opened: Instant::now(),
                    saw_event: AtomicBool::new(false),
                });
            }
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

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        if !carries_statement(meta) {
            return;
        }
        // Outside every scope: nothing to do, and nothing formatted.
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        let (scopes, path) = enclosing(span, true);
        if scopes.is_empty() {
            return;
        }
        let mut fields = StatementFields::for_callsite(meta);
        event.record(&mut fields);
        let Some(sql) = fields.take_sql() else {
            return;
        };
        let source = if meta.target() == SQLX_TARGET {
            Source::Sqlx
        } else {
            Source::Event
        };
        scopes.record(Captured {
            sql,
            elapsed: fields.elapsed(),
            rows_affected: fields.rows_affected,
            rows_returned: fields.rows_returned,
            db_system: fields.db_system,
            source,
            path: CallPath::from_innermost_first(path),
        });
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let db = span.extensions_mut().remove::<DbSpan>();
        let Some(mut db) = db else {
            return;
        };
        if db.saw_event.load(Ordering::Relaxed) {
            return;
        }
        let Some(sql) = db.fields.take_sql() else {
            return;
        };
        let Some(parent) = span.parent() else {
            return;
        };
        let (scopes, mut path) = enclosing(parent, false);
        if scopes.is_empty() {
            return;
        }
        path.insert(0, span.metadata());
        let elapsed = db.fields.elapsed().or_else(|| Some(db.opened.elapsed()));
        scopes.record(Captured {
            sql,
            elapsed,
            rows_affected: db.fields.rows_affected,
            rows_returned: db.fields.rows_returned,
            db_system: db.fields.db_system,
            source: Source::Span,
            path: CallPath::from_innermost_first(path),
        });
    }
}

/// Records into the scopes enclosing the current span (for [`crate::record`]).
pub(crate) fn record_current(captured: impl FnOnce(CallPath) -> Captured) -> bool {
    let span = tracing::Span::current();
    span.with_subscriber(|(id, dispatch)| {
        let Some(registry) = dispatch.downcast_ref::<tracing_subscriber::Registry>() else {
            return false;
        };
        let Some(span) = registry.span(id) else {
            return false;
        };
        let (scopes, path) = enclosing(span, false);
        if scopes.is_empty() {
            return false;
        }
        scopes.record(captured(CallPath::from_innermost_first(path)));
        true
    })
    .unwrap_or(false)
}
