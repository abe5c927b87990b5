//! Test entry points install query-guard's global subscriber by themselves, even after the test
//! binary used a thread-local subscriber (which tracing counts as "a dispatcher has been set").

use query_guard::{StatementRecord, capture, record};

#[test]
fn capture_installs_after_a_thread_local_subscriber_was_used() {
    tracing::subscriber::with_default(tracing_subscriber::registry(), || {
        tracing::info!("logged to a thread-local subscriber");
    });
    let ((), report) = capture("after with_default", || {
        record(StatementRecord::new("SELECT 1"));
    });
    assert_eq!(report.count(), 1, "{report}");
}
