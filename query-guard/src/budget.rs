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
//! A budget also says which findings fail the scope besides its limits (N+1s with
//! [`Budget::deny_n_plus_one`], slow statements with [`Budget::slow`] and [`Budget::deny_slow`])
//! and which exceptions are accepted, each with its reason ([`Budget::allow`], see
//! [`crate::allow`]). Settings it leaves unset come from `query-guard.toml` when the scope opens.
//!
//! ```
//! use std::time::Duration;
//! use query_guard::{allow::Allowance, Budget};
//!
//! let budget = Budget::list()
//!     .max_writes(0)
//!     .slow(Duration::from_millis(200))
//!     .allow(Allowance::over_budget("FROM feature_flags", "cached per connection").unwrap());
//! assert_eq!(budget.max_total(), Some(10));
//! assert_eq!(budget.max_writes_limit(), Some(0));
//! assert_eq!(budget.slow_threshold(), Some(Duration::from_millis(200)));
//! assert_eq!(budget.allowances().len(), 1);
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::allow::{AllowKind, Allowance};

/// The default number of times one statement shape must run in a scope to be reported as an N+1.
pub const DEFAULT_N_PLUS_ONE_THRESHOLD: usize = 3;

/// Limits a scope's statements must stay within, and the findings that fail it.
///
/// Settings left unset take their value from `query-guard.toml` (see [`crate::config`]) when the
/// scope opens, then from the built-in defaults.
///
/// Read back from a report file (`Deserialize`), a budget has the settings the file gives (what
/// its `Serialize` writes: the settings in effect) and no allowances (the report lists those).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Budget {
    max: Option<usize>,
    max_reads: Option<usize>,
    max_writes: Option<usize>,
    include_transactions: Option<bool>,
    include_internal: Option<bool>,
    deny_n_plus_one: Option<bool>,
    n_plus_one_threshold: Option<usize>,
    #[serde(rename = "slow_ms", with = "crate::millis::opt_ms")]
    slow: Option<Duration>,
    deny_slow: Option<bool>,
    #[serde(skip)]
    allow: Vec<Allowance>,
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
            include_transactions: None,
            include_internal: None,
            deny_n_plus_one: None,
            n_plus_one_threshold: None,
            slow: None,
            deny_slow: None,
            allow: Vec::new(),
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
        self.include_transactions = Some(yes);
        self
    }

    /// Count the driver's own catalog and migration look-ups (default: not counted).
    pub const fn include_internal(mut self, yes: bool) -> Budget {
        self.include_internal = Some(yes);
        self
    }

    /// Treat an N+1 finding as a budget failure too (default: reported, not failed).
    pub const fn deny_n_plus_one(mut self, yes: bool) -> Budget {
        self.deny_n_plus_one = Some(yes);
        self
    }

    /// How many runs of one statement shape from one call site make an N+1 (default 3; values
    /// below 2 mean 2).
    pub const fn n_plus_one_threshold(mut self, n: usize) -> Budget {
        self.n_plus_one_threshold = Some(if n < 2 { 2 } else { n });
        self
    }

    /// Statements taking at least this long are reported as slow (default: none).
    pub const fn slow(mut self, threshold: Duration) -> Budget {
        self.slow = Some(threshold);
        self
    }

    /// Treat a slow statement as a budget failure too (default: reported, not failed).
    pub const fn deny_slow(mut self, yes: bool) -> Budget {
        self.deny_slow = Some(yes);
        self
    }

    /// Applies the preset `name` (`list`, `detail`, or one defined under `[presets]` in
    /// `query-guard.toml`, which may also redefine `list` and `detail`): its limits, where this
    /// budget has none of its own.
    ///
    /// ```
    /// use query_guard::Budget;
    /// assert_eq!(Budget::new().preset("list").unwrap().max_total(), Some(10));
    /// assert_eq!(Budget::new().max(3).preset("list").unwrap().max_total(), Some(3));
    /// assert!(Budget::new().preset("nope").unwrap_err().contains("[presets]"));
    /// ```
    pub fn preset(mut self, name: &str) -> Result<Budget, String> {
        let preset = resolve_preset(name)?;
        self.max = self.max.or(preset.max);
        self.max_reads = self.max_reads.or(preset.max_reads);
        self.max_writes = self.max_writes.or(preset.max_writes);
        Ok(self)
    }

    /// Applies the configuration: the `QUERY_GUARD_*` variables (`env`) win over this budget's
    /// own settings, which win over `query-guard.toml` (`config`, which includes the variables);
    /// adds the configured allowances that apply to the scope `scope`.
    pub(crate) fn with_config(
        mut self,
        env: &crate::config::Config,
        config: &crate::config::Config,
        scope: &str,
    ) -> Budget {
        fn pick<T: Copy>(env: Option<T>, own: Option<T>, file: Option<T>) -> Option<T> {
            env.or(own).or(file)
        }
        self.include_transactions = pick(
            env.include_transactions,
            self.include_transactions,
            config.include_transactions,
        );
        self.include_internal = pick(
            env.include_internal,
            self.include_internal,
            config.include_internal,
        );
        self.deny_n_plus_one = pick(
            env.deny_n_plus_one,
            self.deny_n_plus_one,
            config.deny_n_plus_one,
        );
        self.n_plus_one_threshold = pick(
            env.n_plus_one_threshold,
            self.n_plus_one_threshold,
            config.n_plus_one_threshold,
        )
        .map(|n| n.max(2));
        self.slow = pick(env.slow, self.slow, config.slow);
        self.deny_slow = pick(env.deny_slow, self.deny_slow, config.deny_slow);
        for a in config.allowances_for(scope) {
            self = self.allow(Allowance {
                kind: a.kind,
                pattern: a.pattern.clone(),
                reason: a.reason.clone(),
                origin: crate::allow::Origin::Config,
            });
        }
        self
    }

    /// Accepts the N+1s or the statements over budget that an [`Allowance`] names.
    pub fn allow(mut self, allowance: Allowance) -> Budget {
        if !self.allow.contains(&allowance) {
            self.allow.push(allowance);
        }
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
        matches!(self.include_transactions, Some(true))
    }

    /// Whether the driver's own look-ups are counted.
    pub const fn counts_internal(&self) -> bool {
        matches!(self.include_internal, Some(true))
    }

    /// Whether an N+1 finding fails the scope.
    pub const fn denies_n_plus_one(&self) -> bool {
        matches!(self.deny_n_plus_one, Some(true))
    }

    /// The N+1 threshold.
    pub const fn n_plus_one_min(&self) -> usize {
        match self.n_plus_one_threshold {
            Some(n) => n,
            None => DEFAULT_N_PLUS_ONE_THRESHOLD,
        }
    }

    /// The slow-statement threshold, if any.
    pub const fn slow_threshold(&self) -> Option<Duration> {
        self.slow
    }

    /// Whether a slow statement fails the scope.
    pub const fn denies_slow(&self) -> bool {
        matches!(self.deny_slow, Some(true))
    }

    /// The allowances, the scope's own first.
    pub fn allowances(&self) -> &[Allowance] {
        &self.allow
    }

    /// The allowances of one kind, with their positions in [`Budget::allowances`].
    pub(crate) fn allowances_of(
        &self,
        kind: AllowKind,
    ) -> impl Iterator<Item = (usize, &Allowance)> {
        self.allow
            .iter()
            .enumerate()
            .filter(move |(_, a)| a.kind == kind)
    }
}

impl Serialize for Budget {
    /// The settings in effect (defaults filled in); allowances are listed in the report.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Budget", 9)?;
        st.serialize_field("max", &self.max)?;
        st.serialize_field("max_reads", &self.max_reads)?;
        st.serialize_field("max_writes", &self.max_writes)?;
        st.serialize_field("include_transactions", &self.counts_transactions())?;
        st.serialize_field("include_internal", &self.counts_internal())?;
        st.serialize_field("deny_n_plus_one", &self.denies_n_plus_one())?;
        st.serialize_field("n_plus_one_threshold", &self.n_plus_one_min())?;
        // Through the report's time form: capped at MAX_REPORT_MS, so that a huge threshold
        // (`slow_ms = 1e16`) still makes a report file `query-guard report` reads.
        st.serialize_field("slow_ms", &crate::millis::Millis(self.slow))?;
        st.serialize_field("deny_slow", &self.denies_slow())?;
        st.end()
    }
}

/// The limits of a preset: `query-guard.toml`'s `[presets]`, then
/// the built-in `list` (10) and `detail` (5).
fn resolve_preset(name: &str) -> Result<crate::config::Preset, String> {
    let config = crate::config::current().map_err(|e| e.to_string())?;
    match config.preset(name) {
        Some(p) => Ok(p),
        None => {
            let mut known: Vec<&str> = config.presets.keys().map(String::as_str).collect();
            known.extend(["list", "detail"]);
            known.sort_unstable();
            known.dedup();
            Err(format!(
                "unknown preset `{name}`: known presets are {}; define others under [presets] in \
                 query-guard.toml",
                known.join(", ")
            ))
        }
    }
}
