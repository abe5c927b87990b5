//! The Markdown form of the aggregate, for `$GITHUB_STEP_SUMMARY` and pull-request comments.

use std::fmt::Write as _;

use query_guard_format::ms;

use query_guard::allow::Origin;

use super::words::{
    clip, count, left_out_note, limit, place, scope_list, scope_ref, summary_parts, timed,
};
use crate::report::aggregate::{Aggregate, ScopeRef, SuiteNPlusOne};

/// Longest SQL in a Markdown table cell.
const MARKDOWN_SQL_CHARS: usize = 300;

/// Text for a Markdown table cell: `|` escaped, HTML and emphasis characters neutralised.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
    {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '*' | '_' | '`' | '[' | ']' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Code in a Markdown table cell: backticks enough to hold the text, `|` escaped (GitHub reads
/// `\|` as `|` in a code span in a table).
fn md_code(text: &str, max: usize) -> String {
    let text = clip(text, max).replace('|', "\\|");
    if text.is_empty() {
        return String::new();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{text}{fence}")
    } else {
        format!("{fence} {text} {fence}")
    }
}

fn md_scopes(found_in: &[ScopeRef]) -> String {
    format!(
        "{}: {}",
        found_in.len(),
        scope_list(found_in, |s| md(&scope_ref(s)))
    )
}

fn md_statement(f: &SuiteNPlusOne) -> String {
    if f.steps.is_empty() {
        return md_code(&f.normalized, MARKDOWN_SQL_CHARS);
    }
    let steps: Vec<String> = f
        .steps
        .iter()
        .enumerate()
        .map(|(k, s)| format!("{}. {}", k + 1, md_code(&s.normalized, MARKDOWN_SQL_CHARS)))
        .collect();
    format!(
        "repeated sequence of {}:<br>{}",
        f.steps.len(),
        steps.join("<br>")
    )
}

/// The Markdown form, for `$GITHUB_STEP_SUMMARY` and pull-request comments.
pub(crate) fn markdown(a: &Aggregate) -> String {
    let mut o = String::new();
    let sel = &a.selection;
    let _ = writeln!(o, "## query-guard report\n");
    let runs = if sel.all_runs {
        count(sel.run_ids.len(), "run", "runs")
    } else {
        format!("run `{}`", md(&sel.latest_run_id))
    };
    let _ = writeln!(
        o,
        "{} of {runs}: **{}** failed · {}\n",
        count(sel.reports, "scope report", "scope reports"),
        a.summary.scopes_failed,
        summary_parts(a).join(" · ")
    );
    if let Some(note) = left_out_note(a) {
        let _ = writeln!(o, "_{}_\n", md(&note));
    }

    let (allowed, denied): (Vec<&SuiteNPlusOne>, Vec<&SuiteNPlusOne>) =
        a.n_plus_one.iter().partition(|f| f.allowed);
    let _ = writeln!(o, "### N+1 queries ({})\n", denied.len());
    if denied.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        let _ = writeln!(o, "| Runs | Time | Scopes | Statement | From | Fix |");
        let _ = writeln!(o, "|---:|---:|---|---|---|---|");
        for f in &denied {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                f.runs,
                timed(u64::from(f.timed), f.total_ms),
                md_scopes(&f.found_in),
                md_statement(f),
                md(&place(f)),
                md(&f.suggestion)
            );
        }
        o.push('\n');
    }
    if !allowed.is_empty() {
        let _ = writeln!(o, "### Allowed N+1 queries ({})\n", allowed.len());
        let _ = writeln!(o, "| Runs | Scopes | Statement | Allowed by | Reason |");
        let _ = writeln!(o, "|---:|---|---|---|---|");
        for f in &allowed {
            let patterns: Vec<String> = f
                .allowed_by
                .iter()
                .map(|x| md_code(&x.pattern, MARKDOWN_SQL_CHARS))
                .collect();
            let reasons: Vec<String> = f.allowed_by.iter().map(|x| md(&x.reason)).collect();
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                f.runs,
                md_scopes(&f.found_in),
                md_statement(f),
                patterns.join("<br>"),
                reasons.join("<br>")
            );
        }
        o.push('\n');
    }

    let _ = writeln!(o, "### Budget overruns ({})\n", a.budget_overruns.len());
    if a.budget_overruns.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        let _ = writeln!(o, "| Scope | Test | Location | Broken limits |");
        let _ = writeln!(o, "|---|---|---|---|");
        for v in &a.budget_overruns {
            let limits: Vec<String> = v.violations.iter().map(|x| md(&limit(x))).collect();
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md(&v.scope),
                v.test.as_deref().map(md).unwrap_or_default(),
                v.location
                    .as_deref()
                    .map(|l| md_code(l, MARKDOWN_SQL_CHARS))
                    .unwrap_or_default(),
                limits.join("<br>")
            );
        }
        o.push('\n');
    }

    let _ = writeln!(o, "### Slow statements ({})\n", a.slow.len());
    if a.slow.is_empty() {
        let _ = writeln!(o, "None.\n");
    } else {
        let _ = writeln!(
            o,
            "| Slow runs | Runs | Threshold | Max | Worst p95 | Worst p99 | Scopes | Statement |"
        );
        let _ = writeln!(o, "|---:|---:|---:|---:|---:|---:|---|---|");
        for s in &a.slow {
            let approx = if s.approximate { "≈" } else { "" };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {approx}{} | {approx}{} | {} | {} |",
                s.slow_runs,
                s.runs,
                ms(s.threshold_ms),
                ms(s.max_ms),
                ms(s.p95_ms),
                ms(s.p99_ms),
                md_scopes(&s.found_in),
                md_code(&s.normalized, MARKDOWN_SQL_CHARS)
            );
        }
        o.push('\n');
    }

    if !a.duplicates.is_empty() {
        let _ = writeln!(o, "### Duplicate reads ({})\n", a.duplicates.len());
        let _ = writeln!(o, "| Runs | Time | Scopes | Statement |");
        let _ = writeln!(o, "|---:|---:|---|---|");
        for d in &a.duplicates {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                d.runs,
                timed(u64::from(d.timed), d.total_ms),
                md_scopes(&d.found_in),
                md_code(&d.normalized, MARKDOWN_SQL_CHARS)
            );
        }
        o.push('\n');
    }

    for (title, scopes) in [
        ("counted statements", &a.worst_scopes.by_statements),
        ("database time", &a.worst_scopes.by_db_time),
    ] {
        if scopes.is_empty() {
            continue;
        }
        let _ = writeln!(o, "### Worst scopes by {title} (top {})\n", scopes.len());
        let _ = writeln!(o, "| Counted | DB time | Scope | Test | Failed |");
        let _ = writeln!(o, "|---:|---:|---|---|---|");
        for s in scopes {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                s.counted,
                ms(s.db_ms),
                md(&s.scope),
                s.test.as_deref().map(md).unwrap_or_default(),
                if s.failed { "yes" } else { "" }
            );
        }
        o.push('\n');
    }

    let shapes = &a.fingerprints;
    if !shapes.top.is_empty() {
        let _ = writeln!(
            o,
            "### Statement shapes by total time (top {} of {})\n",
            shapes.top.len(),
            shapes.total
        );
        let _ = writeln!(
            o,
            "| Runs | Total | Max | Scopes | Fingerprint | Statement |"
        );
        let _ = writeln!(o, "|---:|---:|---:|---:|---|---|");
        for s in &shapes.top {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                s.runs,
                timed(s.timed, s.total_ms),
                timed(s.timed, s.max_ms),
                s.scopes,
                md_code(&s.fingerprint, 40),
                md_code(&s.normalized, MARKDOWN_SQL_CHARS)
            );
        }
        o.push('\n');
    }

    if !a.unused_allowances.is_empty() {
        let _ = writeln!(
            o,
            "### Allowances that matched nothing ({})\n",
            a.unused_allowances.len()
        );
        let _ = writeln!(o, "| Kind | Pattern | Reason | Where |");
        let _ = writeln!(o, "|---|---|---|---|");
        for u in &a.unused_allowances {
            let whose = if u.origin == Origin::Config {
                format!(
                    "`query-guard.toml` (none of {})",
                    count(u.reports, "report", "reports")
                )
            } else {
                scope_list(&u.found_in, |s| md(&scope_ref(s)))
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                md(u.kind.as_str()),
                md_code(&u.pattern, MARKDOWN_SQL_CHARS),
                md(&u.reason),
                whose
            );
        }
        o.push('\n');
    }

    if !a.fail_on.failed.is_empty() {
        let _ = writeln!(
            o,
            "**`--fail-on` failed on:** {}",
            md(&a.fail_on.failed.join(", "))
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes() {
        assert_eq!(md("a|b <i> *x*"), "a\\|b &lt;i&gt; \\*x\\*");
        assert_eq!(md_code("SELECT a || b", 100), "`SELECT a \\|\\| b`");
        assert_eq!(md_code("SELECT `a`", 100), "`` SELECT `a` ``");
        assert_eq!(md_code("", 100), "");
    }
}
