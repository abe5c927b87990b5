//! # Duplicates
//!
//! **What it finds**: in one scope, the same read run more than once with the same values, where
//! the values are visible in the SQL text (inline literals, or no values at all). It is found
//! whatever the call sites: loading the current user once in the middleware and once in the
//! handler is a duplicate.
//!
//! Left out: statements with bind parameters (`$1`, `?`: their values are not in the text, so two
//! runs cannot be told apart from two different loads); writes (running one twice is a logic
//! question, not a caching one); runs that belong to an [N+1](super::n_plus_one) finding (its
//! fix removes them too); and a retry: a run that returned no rows followed at once by the same
//! statement is taken as a failed attempt (sqlx logs failed statements too, with zero rows).
//!
//! **Why it matters**: the second run returns what the first already returned: a round trip and
//! a query plan for nothing, and a sign that the code does not know what it has already loaded.
//!
//! **How to fix it**: run it once and reuse the result: keep it in a variable and pass it down,
//! or cache it for the request.
//!
//! ```
//! use query_guard::{capture, record, StatementRecord};
//! let ((), report) = capture("show_post", || {
//!     record(StatementRecord::new("SELECT * FROM users WHERE id = 7")); // middleware
//!     record(StatementRecord::new("SELECT * FROM posts WHERE id = 1"));
//!     record(StatementRecord::new("SELECT * FROM users WHERE id = 7")); // handler, again
//!     record(StatementRecord::new("SELECT * FROM users WHERE id = 8"));
//! });
//! let dup = &report.duplicates()[0];
//! assert_eq!((dup.count, dup.statements.as_slice()), (2, &[1, 3][..]));
//! assert_eq!(report.duplicates().len(), 1);
//! ```

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::n_plus_one::NPlusOne;
use crate::callsite::CallSite;
use crate::classify::Class;
use crate::fingerprint::has_bind_placeholders;
use crate::reported::StatementReport;
use crate::statement::{CallPath, saturating_sum};

/// The same read with the same values, run more than once in a scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    /// Fingerprint of its shape (16 hex characters).
    pub fingerprint: String,
    /// Normalised SQL (the values are the same in every run, and are not shown).
    pub normalized: String,
    /// How many times it ran.
    pub count: usize,
    /// Their total time.
    #[serde(default, rename = "total_ms", with = "crate::millis::ms")]
    pub total: Duration,
    /// The tables it reads.
    #[serde(default)]
    pub tables: Vec<String>,
    /// The span paths it ran from, in order of first run.
    #[serde(default)]
    pub call_paths: Vec<CallPath>,
    /// The lines of application code it ran from, when backtrace capture is on.
    #[serde(default)]
    pub call_sites: Vec<CallSite>,
    /// 1-based numbers of its statements in the report's list.
    #[serde(default)]
    pub statements: Vec<usize>,
    /// What to do about it.
    #[serde(default)]
    pub suggestion: String,
}

/// Finds duplicates among `statements`; `raw[i]` is the SQL of `statements[i]` as it ran.
pub(crate) fn detect(
    statements: &[StatementReport],
    raw: &[&str],
    n_plus_one: &[NPlusOne],
) -> Vec<Duplicate> {
    let in_n_plus_one: std::collections::HashSet<usize> = n_plus_one
        .iter()
        .flat_map(|f| f.statements.iter().copied())
        .collect();
    // Reads and writes in order, for "the next statement" (transaction control in between, as
    // in a retried transaction, does not separate a retry from its failed attempt).
    let work: Vec<usize> = (0..statements.len())
        .filter(|&i| matches!(statements[i].class, Class::Read | Class::Write))
        .collect();
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (w, &i) in work.iter().enumerate() {
        let s = &statements[i];
        if s.class != Class::Read || in_n_plus_one.contains(&s.index) {
            continue;
        }
        let text = raw[i].trim();
        let retried = s.rows_returned == Some(0)
            && work
                .get(w + 1)
                .is_some_and(|&next| raw[next].trim() == text);
        if !retried {
            groups.entry(text).or_default().push(i);
        }
    }
    let mut found: Vec<Duplicate> = groups
        .into_iter()
        .filter(|(text, g)| g.len() > 1 && !has_bind_placeholders(text, statements[g[0]].dialect))
        .map(|(_, g)| {
            let first = &statements[g[0]];
            let mut call_paths: Vec<CallPath> = Vec::new();
            let mut call_sites: Vec<CallSite> = Vec::new();
            for &i in &g {
                let s = &statements[i];
                if !call_paths.contains(&s.call_path) {
                    call_paths.push(s.call_path.clone());
                }
                if let Some(site) = s.call_site.as_deref()
                    && !call_sites.contains(site)
                {
                    call_sites.push(site.clone());
                }
            }
            Duplicate {
                fingerprint: first.fingerprint.to_string(),
                normalized: first.normalized.to_string(),
                count: g.len(),
                total: saturating_sum(g.iter().filter_map(|&i| statements[i].elapsed)),
                tables: first.tables.to_vec(),
                call_paths,
                call_sites,
                statements: g.iter().map(|&i| statements[i].index).collect(),
                suggestion: format!(
                    "the same statement with the same values ran {} times: cache or reuse the \
                     result (run it once, keep it in a variable and pass it down, or cache it \
                     for the request)",
                    g.len()
                ),
            }
        })
        .collect();
    found.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.statements[0].cmp(&b.statements[0]))
    });
    found
}
