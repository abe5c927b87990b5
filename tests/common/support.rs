//! Small helpers for the suite.

/// A table name unique to a database and a test: `qg_<db>_<test>_<what>`.
pub fn table(db: &str, test: &str, what: &str) -> String {
    format!("qg_{db}_{test}_{what}")
}

/// The message of a task's panic.
pub fn panic_message(err: tokio::task::JoinError) -> String {
    match err.try_into_panic() {
        Ok(payload) => match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(payload) => payload
                .downcast::<&'static str>()
                .map(|s| (*s).to_owned())
                .unwrap_or_else(|_| "<non-string panic>".to_owned()),
        },
        Err(e) => format!("not a panic: {e}"),
    }
}
