//! The text form of a [`Report`], read by people in a test failure or a WARN event.

use std::fmt::{self, Write as _};

use super::{Report, StatementReport};
use crate::allow::Origin;
use crate::callsite::CallSite;
use crate::classify::Class;
use crate::detect::n_plus_one::NPlusOneKind;
use crate::statement::CallPath;

/// Longest SQL shown on one line of the statement list; the JSON form keeps it whole.
const MAX_SQL_CHARS: usize = 600;

/// Most statements listed one by one in the text form.
const MAX_LISTED: usize = 100;

/// Of those, how many are the last ones.
const LISTED_TAIL: usize = 10;

use query_guard_format::duration as ms;

fn one_line(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len().min(MAX_SQL_CHARS + 4));
    for (i, word) in sql.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() > MAX_SQL_CHARS {
            let cut: String = out.chars().take(MAX_SQL_CHARS).collect();
            return cut + " …";
        }
    }
    out
}

fn rows(s: &StatementReport) -> String {
    let n = match s.class {
        Class::Read => s.rows_returned,
        _ => s.rows_affected.or(s.rows_returned),
    };
    match n {
        Some(1) => "1 row".into(),
        Some(n) => format!("{n} rows"),
        None => String::new(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Report {
    fn where_(&self) -> String {
        match &self.location {
            Some(loc) => format!("`{}` ({loc})", self.scope),
            None => format!("`{}`", self.scope),
        }
    }

    fn headline(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.violations.is_empty() && !self.failed() {
            let limit = match self.budget.max_total() {
                Some(max) => format!("within its budget of {max}"),
                None => "no budget".to_owned(),
            };
            return writeln!(
                f,
                "query-guard: {} ran {} ({limit})",
                self.where_(),
                plural(self.counts.counted, "query", "queries")
            );
        }
        let mut parts = Vec::new();
        for v in self.violations.iter() {
            parts.push(format!("expected {v}"));
        }
        let n_plus_one = self.unallowed_n_plus_one().count();
        if self.budget.denies_n_plus_one() && n_plus_one > 0 {
            parts.push(format!("expected no N+1, found {n_plus_one}"));
        }
        if let Some(t) = self.budget.slow_threshold()
            && self.budget.denies_slow()
            && !self.slow.is_empty()
        {
            let runs: usize = self.slow.iter().map(|s| s.count).sum();
            parts.push(format!(
                "expected no statement slower than {}, found {runs}",
                ms(t)
            ));
        }
        writeln!(f, "query-guard: {} in {}", parts.join("; "), self.where_())
    }

    fn summary(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        let mut line = format!(
            "  counted {} ({}, {})",
            c.counted,
            plural(c.reads, "read", "reads"),
            plural(c.writes, "write", "writes")
        );
        let mut not_counted = Vec::new();
        if c.transactions > 0 && !self.budget.counts_transactions() {
            not_counted.push(plural(
                c.transactions,
                "transaction control",
                "transaction control",
            ));
        }
        if c.internal > 0 && !self.budget.counts_internal() {
            not_counted.push(plural(c.internal, "driver internal", "driver internals"));
        }
        if c.allowed > 0 {
            not_counted.push(format!("{} allowed over budget", c.allowed));
        }
        if c.ignored > 0 {
            not_counted.push(format!("{} ignored", c.ignored));
        }
        if !not_counted.is_empty() {
            let _ = write!(line, " · not counted: {}", not_counted.join(", "));
        }
        let _ = write!(
            line,
            " · db time {} · wall {}",
            ms(self.db_time),
            ms(self.wall)
        );
        writeln!(f, "{line}")
    }

    fn statement_list(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.statements.is_empty() && self.unstored.is_empty() {
            return writeln!(f, "  (no statements)");
        }
        let width = self.statements.len().max(1).to_string().len();
        // The call path is printed when it changes, not again for each statement from it.
        let mut previous_path = None;
        // A WARN event per request must stay readable: past MAX_LISTED statements, the first
        // and last ones are listed and the middle is counted (the JSON report lists them all).
        let n = self.statements.len();
        let (head, tail) = if n > MAX_LISTED {
            (MAX_LISTED - LISTED_TAIL, LISTED_TAIL)
        } else {
            (n, 0)
        };
        let shown = self.statements[..head]
            .iter()
            .chain(&self.statements[n - tail..]);
        for s in shown {
            if tail > 0 && s.index == n - tail + 1 {
                writeln!(
                    f,
                    "  {:>width$}  … {} not listed (the JSON report has every statement)",
                    "",
                    plural(n - head - tail, "statement", "statements")
                )?;
                previous_path = None;
            }
            let sql = match &s.sql {
                Some(raw) => one_line(raw),
                None => one_line(&s.normalized),
            };
            let time = s.elapsed.map(ms).unwrap_or_default();
            let tag = if s.counted {
                String::new()
            } else if s.allowed {
                "(allowed over budget) ".to_owned()
            } else {
                format!("(not counted: {}) ", s.class.as_str())
            };
            write!(
                f,
                "  {:>width$}. {time:>9} {:>9}  {tag}{sql}",
                s.index,
                rows(s)
            )?;
            let place = (&s.call_path, s.call_site.as_deref());
            if (!s.call_path.is_empty() || s.call_site.is_some()) && previous_path != Some(place) {
                write!(
                    f,
                    "\n  {:>width$}  {:>9} {:>9}  at {}",
                    "",
                    "",
                    "",
                    place_text(&s.call_path, s.call_site.as_deref())
                )?;
            }
            previous_path = Some(place);
            writeln!(f)?;
        }
        if !self.unstored.is_empty() {
            writeln!(
                f,
                "  … and {} past the scope's storage cap, by shape:",
                plural(self.counts.unstored, "more statement", "more statements")
            )?;
            const SHOWN: usize = 20;
            for u in self.unstored.iter().take(SHOWN) {
                writeln!(
                    f,
                    "  {:>6} × {:>9}  {}",
                    u.count,
                    ms(u.total),
                    one_line(&u.normalized)
                )?;
            }
            let listed: usize = self.unstored.iter().take(SHOWN).map(|u| u.count).sum();
            if self.counts.unstored > listed {
                writeln!(
                    f,
                    "  {:>6} × in other shapes (see the JSON report for the aggregated shapes)",
                    self.counts.unstored - listed
                )?;
            }
        }
        Ok(())
    }

    fn findings(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in self.n_plus_one.iter() {
            match n.kind {
                NPlusOneKind::Repeated => {
                    writeln!(f, "N+1: {} × {}", n.count, one_line(&n.normalized))?
                }
                NPlusOneKind::Sequence => {
                    writeln!(
                        f,
                        "N+1 (repeated sequence): {} × the same {} statements",
                        n.count,
                        n.steps.len()
                    )?;
                    for (i, step) in n.steps.iter().enumerate() {
                        write!(f, "  {}. {}", i + 1, one_line(&step.normalized))?;
                        if !step.call_path.is_empty() || step.call_site.is_some() {
                            write!(
                                f,
                                "\n     at {}",
                                place_text(&step.call_path, step.call_site.as_ref())
                            )?;
                        }
                        writeln!(f)?;
                    }
                }
            }
            let mut at = format!("  {} in total", ms(n.total));
            if let Some(d) = n.distinct_values {
                let _ = write!(at, " ({d} different values)");
            }
            // A sequence's steps say where each runs from.
            if n.kind == NPlusOneKind::Repeated
                && (!n.call_path.is_empty() || n.call_site.is_some())
            {
                let _ = write!(
                    at,
                    ", from {}",
                    place_text(&n.call_path, n.call_site.as_ref())
                );
            }
            let _ = write!(at, "{}", statement_numbers(&n.statements));
            writeln!(f, "{at}")?;
            writeln!(f, "  fix: {}", n.suggestion)?;
            if let Some(a) = &n.allowed {
                writeln!(f, "  allowed by `{}`: {}", a.pattern, a.reason)?;
            }
        }
        for d in self.duplicates.iter() {
            writeln!(
                f,
                "Duplicate: {} × {} (the same values each time)",
                d.count,
                one_line(&d.normalized)
            )?;
            let mut at = format!("  {} in total", ms(d.total));
            let places: Vec<String> = if d.call_sites.is_empty() {
                d.call_paths.iter().map(ToString::to_string).collect()
            } else {
                d.call_sites.iter().map(ToString::to_string).collect()
            };
            if places.iter().any(|p| p != "-") {
                let _ = write!(at, ", from {}", places.join(" and "));
            }
            let _ = write!(at, "{}", statement_numbers(&d.statements));
            writeln!(f, "{at}")?;
            writeln!(f, "  fix: {}", d.suggestion)?;
        }
        for s in self.slow.iter() {
            writeln!(
                f,
                "Slow: {} of {} ≥ {}: {}",
                s.count,
                plural(s.runs, "run", "runs"),
                ms(s.threshold),
                one_line(&s.normalized)
            )?;
            let approx = if s.stats.approximate { "≈" } else { "" };
            writeln!(
                f,
                "  p50 {approx}{} · p95 {approx}{} · p99 {approx}{} · max {}{}",
                ms(s.stats.p50),
                ms(s.stats.p95),
                ms(s.stats.p99),
                ms(s.stats.max),
                statement_numbers(&s.statements)
            )?;
            writeln!(f, "  fix: {}", s.suggestion)?;
        }
        for a in self
            .allowances
            .iter()
            .filter(|a| a.matched == 0 && a.origin == Origin::Scope)
        {
            writeln!(
                f,
                "Unused allowance: {} `{}` ({}) matched nothing: remove it, or fix its pattern",
                a.kind.as_str(),
                a.pattern,
                a.reason
            )?;
        }
        Ok(())
    }
}

/// `; statements 1, 2, 3, …` (at most 8 numbers), or nothing.
fn statement_numbers(numbers: &[usize]) -> String {
    if numbers.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = numbers.iter().take(8).map(usize::to_string).collect();
    let more = if numbers.len() > 8 { ", …" } else { "" };
    format!("; statements {}{more}", shown.join(", "))
}

/// The span path, then the application line when known.
fn place_text(path: &CallPath, site: Option<&CallSite>) -> String {
    match (path.is_empty(), site) {
        (_, None) => path.to_string(),
        (true, Some(site)) => site.to_string(),
        (false, Some(site)) => format!("{path}, {site}"),
    }
}

impl Report {
    fn body(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.summary(f)?;
        self.statement_list(f)?;
        self.findings(f)?;
        self.notes(f)
    }

    /// What the reader should know about how the statements were read.
    fn notes(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.masked_unknown_dialect > 0 {
            writeln!(
                f,
                "note: the database of {} was unknown, so quoted text any database could read \
                 as a value was masked; say which it is with `dialect = \"postgres\"` (or \
                 \"mysql\", \"sqlite\") in query-guard.toml or ScopeBuilder::dialect",
                plural(self.masked_unknown_dialect, "statement", "statements")
            )?;
        }
        if self.truncated > 0 {
            writeln!(
                f,
                "note: {} longer than 64 KiB {} fingerprinted by {} first 64 KiB and length \
                 (`…[truncated ≥N]`)",
                plural(self.truncated, "statement", "statements"),
                if self.truncated == 1 { "was" } else { "were" },
                if self.truncated == 1 { "its" } else { "their" },
            )?;
        }
        Ok(())
    }

    /// The first line of the report.
    pub(crate) fn headline_text(&self) -> String {
        struct Head<'a>(&'a Report);
        impl fmt::Display for Head<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.headline(f)
            }
        }
        Head(self).to_string().trim_end().to_owned()
    }

    /// The report under another headline (the assertion macros say what they expected).
    pub(crate) fn render_with_headline(&self, headline: &str) -> String {
        struct With<'a>(&'a Report, &'a str);
        impl fmt::Display for With<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                writeln!(f, "{}", self.1)?;
                self.0.body(f)
            }
        }
        With(self, headline).to_string()
    }
}

impl fmt::Display for Report {
    /// The headline, a summary line, every statement numbered with its time, rows, normalised SQL
    /// and call path, then the N+1 findings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.headline(f)?;
        self.body(f)
    }
}
