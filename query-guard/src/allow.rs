//! Allowances: N+1s and budget overruns a team has decided to accept, each with its reason.
//!
//! An allowance names statement shapes with a [`Pattern`] and says why they are acceptable.
//! There are two kinds:
//!
//! - **N+1** ([`Allowance::n_plus_one`], `#[query_budget(allow_n_plus_one = "…", reason = "…")]`,
//!   `[[allow]] n_plus_one = "…"` in `query-guard.toml`): an N+1 whose shape matches (for a
//!   repeated sequence, each of whose shapes matches an allowance) is still reported, marked
//!   allowed with the reason, and never fails the scope.
//! - **Over budget** ([`Allowance::over_budget`], `allow_over_budget = "…"`,
//!   `[[allow]] over_budget = "…"`): statements that match are listed but not counted against the
//!   budget.
//!
//! A reason is required: an allowance without one is an unexplained exception that nobody can
//! review later. Every report lists the scope's allowances with how many findings or statements
//! each matched; one that matched nothing is said in the report, and `query-guard report` lists
//! the allowances that matched nothing in a whole test run, so they do not rot.
//!
//! ```
//! use query_guard::{allow::Allowance, capture_with, Budget, record, StatementRecord};
//!
//! let budget = Budget::new()
//!     .max(3)
//!     .deny_n_plus_one(true)
//!     .allow(Allowance::n_plus_one("FROM tags", "tags are cached by the ORM, ticket #42").unwrap())
//!     .allow(Allowance::over_budget("INSERT INTO audit_log", "auditing is required").unwrap());
//! let ((), report) = capture_with("list_posts", budget, || {
//!     for id in 1..=3 {
//!         record(StatementRecord::new(format!("SELECT * FROM tags WHERE post_id = {id}")));
//!     }
//!     record(StatementRecord::new("INSERT INTO audit_log (event) VALUES ('list')"));
//! });
//! assert!(report.n_plus_one()[0].allowed.is_some());
//! assert_eq!(report.counts().allowed, 1);
//! assert!(!report.failed(), "{report}");
//! ```

use serde::{Deserialize, Serialize};

use crate::pattern::{Pattern, PatternError};

/// What an allowance lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowKind {
    /// N+1 and repeated-sequence findings.
    NPlusOne,
    /// Statements counted against the budget.
    OverBudget,
}

impl AllowKind {
    /// `n_plus_one` or `over_budget`, as in the attribute, the config file and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AllowKind::NPlusOne => "n_plus_one",
            AllowKind::OverBudget => "over_budget",
        }
    }
}

/// Where an allowance was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// On the scope: `#[query_budget(…)]` or [`crate::Budget::allow`].
    Scope,
    /// In `query-guard.toml`.
    Config,
}

/// An accepted N+1 or budget overrun, with its reason; see the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// What it lets through.
    pub kind: AllowKind,
    /// The shapes it applies to.
    pub pattern: Pattern,
    /// Why.
    pub reason: String,
    /// Where it was written.
    pub origin: Origin,
}

/// Why an allowance could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllowanceError {
    /// No reason given.
    #[error(
        "the allowance for `{pattern}` has no reason: say why it is acceptable (reason = \"…\")"
    )]
    NoReason {
        /// The pattern.
        pattern: String,
    },
    /// The pattern is invalid.
    #[error(transparent)]
    Pattern(#[from] PatternError),
}

impl Allowance {
    /// An allowance of kind `kind` written in `origin`.
    pub fn new(
        kind: AllowKind,
        pattern: &str,
        reason: &str,
        origin: Origin,
    ) -> Result<Allowance, AllowanceError> {
        let pattern = Pattern::parse(pattern)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AllowanceError::NoReason {
                pattern: pattern.to_string(),
            });
        }
        Ok(Allowance {
            kind,
            pattern,
            reason: reason.to_owned(),
            origin,
        })
    }

    /// Allows N+1 findings whose shapes match `pattern`.
    pub fn n_plus_one(pattern: &str, reason: &str) -> Result<Allowance, AllowanceError> {
        Allowance::new(AllowKind::NPlusOne, pattern, reason, Origin::Scope)
    }

    /// Leaves statements matching `pattern` out of the budget's counts.
    pub fn over_budget(pattern: &str, reason: &str) -> Result<Allowance, AllowanceError> {
        Allowance::new(AllowKind::OverBudget, pattern, reason, Origin::Scope)
    }
}

/// An allowance that let a finding through, as shown on the finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowed {
    /// The pattern that matched.
    pub pattern: String,
    /// Its reason.
    pub reason: String,
}

impl From<&Allowance> for Allowed {
    fn from(a: &Allowance) -> Allowed {
        Allowed {
            pattern: a.pattern.to_string(),
            reason: a.reason.clone(),
        }
    }
}

/// An allowance in a report, with how much it matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceReport {
    /// What it lets through.
    pub kind: AllowKind,
    /// The pattern as written.
    pub pattern: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
    /// Where it was written.
    pub origin: Origin,
    /// Findings (N+1) or statements (over budget) it matched in this scope.
    pub matched: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required() {
        let e = Allowance::n_plus_one("FROM tags", "  ").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the allowance for `FROM tags` has no reason: say why it is acceptable (reason = \"…\")"
        );
        assert!(matches!(
            Allowance::over_budget("/(/", "r"),
            Err(AllowanceError::Pattern(_))
        ));
        let ok = Allowance::over_budget(" FROM audit ", " because ").unwrap();
        assert_eq!(
            (ok.pattern.as_str(), ok.reason.as_str()),
            ("FROM audit", "because")
        );
    }
}
