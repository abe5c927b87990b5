//! Applying a scope's mode to its report: panic, WARN event, or nothing.

use crate::mode::Mode;
use crate::report::Report;

/// Applies the report's mode. Never panics outside [`Mode::Panic`], and never while the thread is
/// already panicking (a panic in a drop during unwinding would abort the process).
pub(crate) fn enforce(report: &Report) {
    if !report.noteworthy() {
        tracing::debug!(
            target: "query_guard",
            scope = report.scope(),
            queries = report.count(),
            "{}",
            report.headline_text()
        );
    }
    match report.mode() {
        Mode::Off => {}
        Mode::Panic => {
            if report.failed() && !std::thread::panicking() {
                panic!("{report}");
            }
        }
        Mode::Warn => {
            if report.failed() {
                tracing::warn!(
                    target: "query_guard",
                    scope = report.scope(),
                    queries = report.count(),
                    n_plus_one = report.n_plus_one().len(),
                    "query budget exceeded\n{report}"
                );
            } else if report.noteworthy() {
                let what = if report.unallowed_n_plus_one().next().is_some() {
                    "N+1 query pattern"
                } else {
                    "slow statement"
                };
                tracing::warn!(
                    target: "query_guard",
                    scope = report.scope(),
                    queries = report.count(),
                    n_plus_one = report.unallowed_n_plus_one().count(),
                    slow = report.slow().len(),
                    "{what}\n{report}"
                );
            }
        }
    }
}
