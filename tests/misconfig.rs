//! Misconfigurations fail loudly when a scope opens, saying what to change: query-guard never
//! reports zero statements because it could not see them.
//!
//! This binary sets a global subscriber WITHOUT query-guard, as an application that forgot it
//! would; each case then runs under a thread-local subscriber or the global one.

use std::sync::Once;

use query_guard::{Scope, SetupError};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

fn global_subscriber_without_query_guard() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        tracing_subscriber::registry()
            .with(EnvFilter::new("info"))
            .with(fmt::layer().with_test_writer())
            .init();
    });
}

#[test]
fn no_layer_in_the_global_subscriber() {
    global_subscriber_without_query_guard();
    let err = Scope::open("handler").unwrap_err();
    assert!(matches!(err, SetupError::NotInstalled { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("scope `handler`"), "{msg}");
    assert!(msg.contains("query_guard::layer()"), "{msg}");
    // `install()` cannot replace someone else's global subscriber, and says what to do instead.
    let err = query_guard::install().unwrap_err();
    assert!(
        err.to_string().contains("add `query_guard::layer()`"),
        "{err}"
    );
    let msg = Scope::open("handler").unwrap_err().to_string();
    assert!(
        msg.contains("a global subscriber without it was set first"),
        "{msg}"
    );
}

#[test]
fn capture_panics_rather_than_report_zero() {
    global_subscriber_without_query_guard();
    let panic = std::panic::catch_unwind(|| query_guard::capture("test body", || ())).unwrap_err();
    let msg = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("has no QueryGuardLayer"), "{msg}");
}

#[test]
fn a_global_env_filter_that_silences_sqlx() {
    let subscriber = tracing_subscriber::registry()
        .with(EnvFilter::new("info"))
        .with(query_guard::layer());
    tracing::subscriber::with_default(subscriber, || {
        let err = Scope::open("list_posts").unwrap_err();
        assert!(
            matches!(err, SetupError::SqlxEventsDisabled { .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("RUST_LOG=info,sqlx::query=debug"),
            "{err}"
        );
    });
    // The same filter, per layer, is fine.
    let subscriber = tracing_subscriber::registry()
        .with(
            fmt::layer()
                .with_test_writer()
                .with_filter(EnvFilter::new("info")),
        )
        .with(query_guard::layer());
    tracing::subscriber::with_default(subscriber, || {
        Scope::open("list_posts").expect("per-layer filters leave sqlx's events to query-guard");
    });
}

#[test]
fn a_global_level_filter_that_drops_the_scope_span() {
    let subscriber = tracing_subscriber::registry()
        .with(LevelFilter::WARN)
        .with(query_guard::layer());
    tracing::subscriber::with_default(subscriber, || {
        let err = Scope::open("detail").unwrap_err();
        assert!(
            matches!(err, SetupError::ScopeSpanFiltered { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("query_guard=info"), "{err}");
    });
}

#[test]
fn with_the_layer_statements_reach_the_scope() {
    let subscriber = tracing_subscriber::registry().with(query_guard::layer());
    tracing::subscriber::with_default(subscriber, || {
        let scope = Scope::open("ok").unwrap();
        scope.in_scope(|| {
            tracing::debug!(target: "sqlx::query", summary = "SELECT 1", db.statement = "", elapsed_secs = 0.001_f64, rows_returned = 1_u64, rows_affected = 0_u64);
            // OpenTelemetry-style event and span.
            tracing::info!(db.system = "postgresql", db.query.text = "SELECT name FROM users WHERE id = $1");
            let span = tracing::info_span!("db query", db.system = "mysql", db.statement = tracing::field::Empty);
            span.record("db.statement", "UPDATE users SET seen = 1 WHERE id = ?");
            span.in_scope(|| {});
            drop(span);
            // An event inside a statement span is the same statement: counted once.
            let span = tracing::info_span!("client", db.statement = "DELETE FROM sessions WHERE id = $1");
            span.in_scope(|| {
                tracing::debug!(target: "sqlx::query", summary = "DELETE FROM sessions WHERE …", db.statement = "\n\nDELETE FROM sessions WHERE id = $1\n", elapsed_secs = 0.002_f64);
            });
        });
        let report = scope.finish();
        assert_eq!(report.count(), 4, "{report}");
        let s = report.statements();
        assert!(
            s[0].normalized.to_ascii_uppercase().starts_with("SELECT"),
            "{report}"
        );
        assert_eq!(s[1].db_system.as_deref(), Some("postgresql"));
        assert_eq!(s[2].source, query_guard::Source::Span);
        assert!(
            s[2].call_path.to_string().starts_with("db query"),
            "{report}"
        );
        assert_eq!(s[3].source, query_guard::Source::Sqlx);
        assert!(s[3].call_path.to_string().starts_with("client"), "{report}");
        assert_eq!(s[0].elapsed, Some(std::time::Duration::from_millis(1)));
    });
}

/// A layer that notes the names of the spans it is shown.
struct SeenSpans(std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SeenSpans {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.0.lock().unwrap().push(attrs.metadata().name());
    }
}

/// Opening a scope runs `tracing::enabled!` checks. With `always` interests, tracing-subscriber
/// would reuse the per-layer filter results such a check leaves behind (tokio-rs/tracing#2519),
/// and the user's own per-layer-filtered layers could miss the next span.
#[test]
fn opening_a_scope_hides_no_span_from_other_layers() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::registry()
        .with(query_guard::layer())
        .with(SeenSpans(seen.clone()).with_filter(EnvFilter::new("info")));
    tracing::subscriber::with_default(subscriber, || {
        for _ in 0..3 {
            let scope = Scope::open("handler").unwrap();
            scope.in_scope(|| {
                let _span = tracing::info_span!("handler_body").entered();
            });
            scope.finish();
        }
    });
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.iter().filter(|n| **n == "handler_body").count(),
        3,
        "{seen:?}"
    );
}
