//! How query-guard prints numbers and times.
//!
//! Every style query-guard uses to show a time, a count or a share to people is one named function
//! here, so that the library's report, the `query-guard` command and the plan rules print the same
//! number the same way. The outputs are part of what the tests of those crates compare, so each
//! function's output is pinned byte for byte by the tests below.
//!
//! | Function | Prints | Used by |
//! |---|---|---|
//! | [`ms`] | `250 ms`, `12.5 ms`, `3.20 ms`, `840 µs` | scope reports (library and `query-guard report`) |
//! | [`duration`] | [`ms`] of a [`Duration`](std::time::Duration) | the library's report text |
//! | [`ms_scaled`] | `2.5 min`, `1.23 s`, `523 ms`, `85 µs`, `0` | `query-guard analyze` |
//! | [`ms_plan`] | `0.042 ms`, `3.1 ms`, `1,250 ms` | plan rules (query-guard-explain) |
//! | [`seconds`] | `30 s`, `31.250 s` | `query-guard explain` time limits |
//! | [`duration_short`] | `250 ms`, `30 s`, `1.5 s` | live EXPLAIN time limits |
//! | [`thousands`] | `1,234,567` | the counts below |
//! | [`count`] | `1,234,567`, `12.50` | plan rules |
//! | [`count_scaled`] | `1,234,567`, `12.3M`, `4.56G` | `query-guard analyze` |
//! | [`number`] | `1,234`, `12.3`, `1.25` | `query-guard analyze` |
//! | [`percent`] | `99.3%`, `99.96%` | plan rules |
//! | [`percent_capped`] | `99.3%`, `99.9%` | `query-guard analyze` |
//!
//! ```
//! use std::time::Duration;
//!
//! assert_eq!(query_guard_format::ms(12.5), "12.5 ms");
//! assert_eq!(query_guard_format::duration(Duration::from_micros(840)), "840 µs");
//! assert_eq!(query_guard_format::count_scaled(1_234_567.0), "1,234,567");
//! ```

#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod number;
mod time;

pub use number::{count, count_scaled, number, percent, percent_capped, thousands};
pub use time::{duration, duration_short, ms, ms_plan, ms_scaled, seconds};
