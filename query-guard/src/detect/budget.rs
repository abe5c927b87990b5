//! # Budget
//!
//! **What it finds**: a scope that ran more counted statements than its [`Budget`] allows, in all
//! (`max`), in reads (`max_reads`) or in writes (`max_writes`).
//!
//! **Why it matters**: every statement is a network round trip and a query plan; a list endpoint
//! whose statement count grows with its page size is an outage waiting for a bigger page.
//!
//! **How to fix it**: load related rows in one statement (a JOIN, `WHERE id = ANY($1)`, `IN (…)`),
//! batch writes (multi-row `INSERT`, `UNNEST`), or raise the budget when the work is really needed.
//!
//! ```
//! use query_guard::{Budget, detect::budget::{check, Counts, Limit}};
//! let counts = Counts { counted: 12, reads: 11, writes: 1, ..Counts::default() };
//! let violations = check(&Budget::detail(), &counts);
//! assert_eq!(violations[0].limit, Limit::Total);
//! assert_eq!((violations[0].max, violations[0].actual), (5, 12));
//! ```

use serde::{Deserialize, Serialize};

use crate::Budget;

/// How many statements of each class a scope ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counts {
    /// Statements the budget counts (reads + writes, plus the excluded classes it includes).
    pub counted: usize,
    /// Reads the budget counts.
    pub reads: usize,
    /// Writes the budget counts.
    pub writes: usize,
    /// Reads and writes an over-budget allowance left out of the counts.
    pub allowed: usize,
    /// Statements matching an `ignore` pattern of `query-guard.toml`.
    pub ignored: usize,
    /// Transaction control statements.
    pub transactions: usize,
    /// The driver's own look-ups and connection set-up.
    pub internal: usize,
    /// Statements past the scope's storage cap (counted above, aggregated, not stored one by one).
    pub unstored: usize,
}

/// Which limit was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Limit {
    /// `max`: all counted statements.
    Total,
    /// `max_reads`.
    Reads,
    /// `max_writes`.
    Writes,
}

impl Limit {
    /// `queries`, `reads` or `writes` (singular when `n` is 1), as the report says it.
    pub fn noun(self, n: usize) -> &'static str {
        match (self, n == 1) {
            (Limit::Total, true) => "query",
            (Limit::Total, false) => "queries",
            (Limit::Reads, true) => "read",
            (Limit::Reads, false) => "reads",
            (Limit::Writes, true) => "write",
            (Limit::Writes, false) => "writes",
        }
    }
}

/// A broken limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The limit.
    pub limit: Limit,
    /// What the budget allows.
    pub max: usize,
    /// What ran.
    pub actual: usize,
}

impl std::fmt::Display for Violation {
    /// `at most 5 queries, 12 ran` (`at most 1 read, 3 ran`).
    ///
    /// ```
    /// use query_guard::{Limit, Violation};
    /// let v = Violation { limit: Limit::Reads, max: 1, actual: 3 };
    /// assert_eq!(v.to_string(), "at most 1 read, 3 ran");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "at most {} {}, {} ran",
            self.max,
            self.limit.noun(self.max),
            self.actual
        )
    }
}

/// The limits of `budget` that `counts` break, total first.
pub fn check(budget: &Budget, counts: &Counts) -> Vec<Violation> {
    [
        (Limit::Total, budget.max_total(), counts.counted),
        (Limit::Reads, budget.max_reads_limit(), counts.reads),
        (Limit::Writes, budget.max_writes_limit(), counts.writes),
    ]
    .into_iter()
    .filter_map(|(limit, max, actual)| {
        let max = max?;
        (actual > max).then_some(Violation { limit, max, actual })
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_and_over_each_limit() {
        let counts = Counts {
            counted: 5,
            reads: 4,
            writes: 1,
            ..Counts::default()
        };
        assert!(check(&Budget::detail(), &counts).is_empty());
        assert!(check(&Budget::new(), &counts).is_empty());
        let v = check(&Budget::new().max(10).max_reads(3).max_writes(0), &counts);
        assert_eq!(
            v,
            vec![
                Violation {
                    limit: Limit::Reads,
                    max: 3,
                    actual: 4
                },
                Violation {
                    limit: Limit::Writes,
                    max: 0,
                    actual: 1
                },
            ]
        );
    }
}
