//! Query budgets: how many statements a scope may run.
//!
//! A [`Budget`] is checked when a scope closes. Statements that are not the application's own work
//! are left out of the counts by default, so budgets do not flake:
//!
//! - transaction control (`BEGIN`, `START TRANSACTION`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`,
//!   `RELEASE`), which drivers log unevenly (sqlx on PostgreSQL logs `COMMIT` but not `BEGIN`, on
//!   MySQL all three, on SQLite none);
//! - the driver's own look-ups: PostgreSQL type resolution (`pg_catalog.pg_type`, `::regtype::oid`),
//!   which sqlx runs once per connection per unknown type, and the `_sqlx_migrations` table.
//!
//! Both still appear, marked, in the report's statement list; [`Budget::include_transactions`] and
//! [`Budget::include_internal`] count them.
//!
//! ```
//! use query_guard::Budget;
//!
//! let budget = Budget::list().max_writes(0);
//! assert_eq!(budget.max_total(), Some(10));
//! assert_eq!(budget.max_writes_limit(), Some(0));
//! ```

use serde::Serialize;

/// The default number of times one statement shape must run in a scope to be reported as an N+1.
pub const DEFAULT_N_PLUS_ONE_THRESHOLD: usize = 3;

/// Limits a scope's statements must stay within.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Budget {
    max: Option<usize>,
    max_reads: Option<usize>,
    max_writes: Option<usize>,
    include_transactions: bool,
    include_internal: bool,
    deny_n_plus_one: bool,
    n_plus_one_threshold: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new()
    }
}

impl Budget {
    /// No limit at all: statements are recorded and N+1 patterns reported, nothing fails.
    pub const fn new() -> Budget {
        Budget {
            max: None,
            max_reads: None,
            max_writes: None,
            include_transactions: false,
            include_internal: false,
            deny_n_plus_one: false,
            n_plus_one_threshold: DEFAULT_N_PLUS_ONE_THRESHOLD,
        }
    }

    /// The `list` preset: at most 10 statements, for endpoints that return a collection.
    pub const fn list() -> Budget {
        Budget::new().max(10)
    }

    /// The `detail` preset: at most 5 statements, for endpoints that return one resource.
    pub const fn detail() -> Budget {
        Budget::new().max(5)
    }

    /// At most `n` counted statements in all.
    pub const fn max(mut self, n: usize) -> Budget {
        self.max = Some(n);
        self
    }

    /// At most `n` reads (`SELECT`, `WITH … SELECT`, `SHOW`, …).
    pub const fn max_reads(mut self, n: usize) -> Budget {
        self.max_reads = Some(n);
        self
    }

    /// At most `n` writes (`INSERT`, `UPDATE`, `DELETE`, DDL, anything that is not a read).
    pub const fn max_writes(mut self, n: usize) -> Budget {
        self.max_writes = Some(n);
        self
    }

    /// Count transaction control statements (default: not counted).
    pub const fn include_transactions(mut self, yes: bool) -> Budget {
        self.include_transactions = yes;
        self
    }

    /// Count the driver's own catalog and migration look-ups (default: not counted).
    pub const fn include_internal(mut self, yes: bool) -> Budget {
        self.include_internal = yes;
        self
    }

    /// Treat an N+1 finding as a budget failure too (default: reported, not failed).
    pub const fn deny_n_plus_one(mut self, yes: bool) -> Budget {
        self.deny_n_plus_one = yes;
        self
    }

    /// How many runs of one statement shape make an N+1 (default 3; values below 2 mean 2).
    pub const fn n_plus_one_threshold(mut self, n: usize) -> Budget {
        self.n_plus_one_threshold = if n < 2 { 2 } else { n };
        self
    }

    /// The limit on all counted statements.
    pub const fn max_total(&self) -> Option<usize> {
        self.max
    }

    /// The limit on reads.
    pub const fn max_reads_limit(&self) -> Option<usize> {
        self.max_reads
    }

    /// The limit on writes.
    pub const fn max_writes_limit(&self) -> Option<usize> {
        self.max_writes
    }

    /// Whether transaction control is counted.
    pub const fn counts_transactions(&self) -> bool {
        self.include_transactions
    }

    /// Whether the driver's own look-ups are counted.
    pub const fn counts_internal(&self) -> bool {
        self.include_internal
    }

    /// Whether an N+1 finding fails the scope.
    pub const fn denies_n_plus_one(&self) -> bool {
        self.deny_n_plus_one
    }

    /// The N+1 threshold.
    pub const fn n_plus_one_min(&self) -> usize {
        self.n_plus_one_threshold
    }
}
