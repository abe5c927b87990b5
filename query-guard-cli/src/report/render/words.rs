//! Phrases both forms of the aggregate use: times, counts, scope names, where a finding ran.

use std::fmt::Write as _;

use query_guard::Violation;
use query_guard::allow::Origin;
use query_guard::callsite::CallSite;
use query_guard_format::ms;

use crate::report::aggregate::{Aggregate, ScopeRef, SuiteNPlusOne, UnusedAllowance};

/// Scopes named per finding; the rest are counted.
const NAMED_SCOPES: usize = 3;

/// A time, or `-` when no run of the shape had a known time.
pub(super) fn timed(timed: u64, v: f64) -> String {
    if timed == 0 { "-".to_owned() } else { ms(v) }
}

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(super) fn count(n: usize, one: &str, many: &str) -> String {
    plural(u64::try_from(n).unwrap_or(u64::MAX), one, many)
}

/// `text` on one line (whitespace collapsed), at most `max` characters, cut with `…`.
pub(super) fn clip(text: &str, max: usize) -> String {
    let one: Vec<&str> = text.split_whitespace().collect();
    let one = one.join(" ");
    if one.chars().count() <= max {
        return one;
    }
    let mut out: String = one.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `scope (test t)`, or the scope alone when it has no test or is named after it.
pub(super) fn scope_label(scope: &str, test: Option<&str>) -> String {
    match test {
        Some(t) if t != scope => format!("{scope} (test {t})"),
        _ => scope.to_owned(),
    }
}

pub(super) fn scope_ref(s: &ScopeRef) -> String {
    scope_label(&s.scope, s.test.as_deref())
}

pub(super) fn scope_list(found_in: &[ScopeRef], show: impl Fn(&ScopeRef) -> String) -> String {
    let mut names: Vec<String> = found_in.iter().take(NAMED_SCOPES).map(show).collect();
    if found_in.len() > NAMED_SCOPES {
        names.push(format!("{} more", found_in.len() - NAMED_SCOPES));
    }
    names.join(", ")
}

/// Where a finding ran from: its span path and call site, or `the scope's body`.
pub(super) fn place(f: &SuiteNPlusOne) -> String {
    let path = (!f.call_path.is_empty() && f.call_path != "-").then_some(f.call_path.as_str());
    match (path, &f.call_site) {
        (None, None) => "the scope's body".to_owned(),
        (Some(p), None) => p.to_owned(),
        (None, Some(site)) => call_site(site),
        (Some(p), Some(site)) => format!("{p}, {}", call_site(site)),
    }
}

/// A call site: `file:line (function)`, or the function alone when the file or the line is
/// unknown.
fn call_site(c: &CallSite) -> String {
    match (c.file(), c.line()) {
        (Some(file), Some(line)) => format!("{file}:{line} ({})", c.function()),
        _ => c.function().to_owned(),
    }
}

/// A broken limit as the library says it: `at most 5 queries, 12 ran`.
pub(super) fn limit(v: &Violation) -> String {
    v.to_string()
}

pub(super) fn summary_parts(a: &Aggregate) -> Vec<String> {
    let s = &a.summary;
    let mut n_plus_one = format!("N+1: {}", s.n_plus_one);
    if s.n_plus_one_allowed > 0 {
        let _ = write!(n_plus_one, " (+{} allowed)", s.n_plus_one_allowed);
    }
    vec![
        n_plus_one,
        format!("budget overruns: {}", s.budget_overruns),
        format!("slow: {}", s.slow),
        format!("duplicates: {}", s.duplicates),
        format!("unused allowances: {}", s.unused_allowances),
    ]
}

pub(super) fn left_out_note(a: &Aggregate) -> Option<String> {
    let sel = &a.selection;
    (sel.left_out > 0).then(|| {
        format!(
            "{} from {} left out (--all-runs includes them)",
            count(sel.left_out, "older report", "older reports"),
            count(sel.left_out_runs, "earlier run", "earlier runs"),
        )
    })
}

pub(super) fn unused_text(u: &UnusedAllowance) -> String {
    let whose = if u.origin == Origin::Config {
        format!(
            "in query-guard.toml, in none of {}",
            count(u.reports, "report", "reports")
        )
    } else {
        format!("on {}", scope_list(&u.found_in, scope_ref))
    };
    format!("{} `{}` {whose}: {}", u.kind.as_str(), u.pattern, u.reason)
}

#[cfg(test)]
mod tests {
    use query_guard::Limit;

    use super::*;

    #[test]
    fn violation_nouns() {
        let v = |limit, max| Violation {
            limit,
            max,
            actual: 9,
        };
        assert_eq!(limit(&v(Limit::Total, 1)), "at most 1 query, 9 ran");
        assert_eq!(limit(&v(Limit::Total, 5)), "at most 5 queries, 9 ran");
        assert_eq!(limit(&v(Limit::Reads, 1)), "at most 1 read, 9 ran");
        assert_eq!(limit(&v(Limit::Writes, 0)), "at most 0 writes, 9 ran");
    }
}
