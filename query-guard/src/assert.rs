//! Assertion macros for tests: [`assert_max_queries!`](crate::assert_max_queries),
//! [`assert_queries!`](crate::assert_queries) and
//! [`assert_no_n_plus_one!`](crate::assert_no_n_plus_one).
//!
//! Each takes a block (run now, its value returned) or an `async` block (returns a future to
//! `.await`). On failure they panic with the whole report: the headline, then every statement
//! numbered with its time, rows, call path and normalised SQL.

/// Panics unless the block runs at most `max` counted statements; returns the block's value.
///
/// ```
/// use query_guard::{assert_max_queries, record, StatementRecord};
/// let n = assert_max_queries!(2, {
///     record(StatementRecord::new("SELECT 1"));
///     1
/// });
/// assert_eq!(n, 1);
/// ```
///
/// ```should_panic
/// # use query_guard::{assert_max_queries, record, StatementRecord};
/// assert_max_queries!(1, {
///     record(StatementRecord::new("SELECT 1"));
///     record(StatementRecord::new("SELECT 2"));
/// });
/// ```
///
/// With `async`, `.await` the result:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// # use query_guard::{assert_max_queries, record, StatementRecord};
/// assert_max_queries!(1, async { record(StatementRecord::new("SELECT 1")); }).await;
/// # }
/// ```
#[macro_export]
macro_rules! assert_max_queries {
    ($max:expr, async $($body:tt)+) => {
        $crate::__private::assert_async(
            $crate::__private::Expect::AtMost($max), file!(), line!(), async $($body)+,
        )
    };
    ($max:expr, $body:block) => {
        $crate::__private::assert_sync(
            $crate::__private::Expect::AtMost($max), file!(), line!(), || $body,
        )
    };
}

/// Panics unless the block runs exactly `n` counted statements; returns the block's value.
///
/// ```
/// use query_guard::{assert_queries, record, StatementRecord};
/// assert_queries!(2, {
///     record(StatementRecord::new("SELECT 1"));
///     record(StatementRecord::new("COMMIT")); // transaction control: not counted
///     record(StatementRecord::new("SELECT 2"));
/// });
/// ```
#[macro_export]
macro_rules! assert_queries {
    ($n:expr, async $($body:tt)+) => {
        $crate::__private::assert_async(
            $crate::__private::Expect::Exactly($n), file!(), line!(), async $($body)+,
        )
    };
    ($n:expr, $body:block) => {
        $crate::__private::assert_sync(
            $crate::__private::Expect::Exactly($n), file!(), line!(), || $body,
        )
    };
}

/// Panics if the block runs one statement shape 3 times or more (or `threshold = N` times).
///
/// ```should_panic
/// use query_guard::{assert_no_n_plus_one, record, StatementRecord};
/// assert_no_n_plus_one!({
///     for id in 0..5 {
///         record(StatementRecord::new(format!("SELECT * FROM tags WHERE post_id = {id}")));
///     }
/// });
/// ```
///
/// ```
/// # use query_guard::{assert_no_n_plus_one, record, StatementRecord};
/// assert_no_n_plus_one!(threshold = 10, {
///     for id in 0..5 {
///         record(StatementRecord::new(format!("SELECT * FROM tags WHERE post_id = {id}")));
///     }
/// });
/// ```
#[macro_export]
macro_rules! assert_no_n_plus_one {
    (threshold = $t:expr, async $($body:tt)+) => {
        $crate::__private::assert_async(
            $crate::__private::Expect::NoNPlusOne($t), file!(), line!(), async $($body)+,
        )
    };
    (threshold = $t:expr, $body:block) => {
        $crate::__private::assert_sync(
            $crate::__private::Expect::NoNPlusOne($t), file!(), line!(), || $body,
        )
    };
    (async $($body:tt)+) => {
        $crate::__private::assert_async(
            $crate::__private::Expect::NoNPlusOne($crate::DEFAULT_N_PLUS_ONE_THRESHOLD),
            file!(), line!(), async $($body)+,
        )
    };
    ($body:block) => {
        $crate::__private::assert_sync(
            $crate::__private::Expect::NoNPlusOne($crate::DEFAULT_N_PLUS_ONE_THRESHOLD),
            file!(), line!(), || $body,
        )
    };
}
