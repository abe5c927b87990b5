//! The text and Markdown forms of the aggregate.

use std::fmt::Write as _;

use super::aggregate::{Aggregate, ScopeCost, ScopeRef, SuiteNPlusOne, UnusedAllowance};

/// Columns the text form fits in.
pub(crate) const WIDTH: usize = 100;

/// Scopes named per finding; the rest are counted.
const NAMED_SCOPES: usize = 3;

/// Longest SQL in a Markdown table cell.
const MARKDOWN_SQL_CHARS: usize = 300;

/// A duration in milliseconds as the library prints it: `250 ms`, `12.5 ms`, `3.20 ms`, `840 µs`.
pub(crate) fn ms(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v} ms");
    }
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else if v >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{:.0} µs", v * 1e3)
    }
}

/// A time, or `-` when no run of the shape had a known time.
fn timed(timed: u64, v: f64) -> String {
    if timed == 0 { "-".to_owned() } else { ms(v) }
}

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

fn count(n: usize, one: &str, many: &str) -> String {
    plural(u64::try_from(n).unwrap_or(u64::MAX), one, many)
}

/// `text` on one line (whitespace collapsed), at most `max` characters, cut with `…`.
pub(crate) fn clip(text: &str, max: usize) -> String {
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
fn scope_label(scope: &str, test: Option<&str>) -> String {
    match test {
        Some(t) if t != scope => format!("{scope} (test {t})"),
        _ => scope.to_owned(),
    }
}

fn scope_ref(s: &ScopeRef) -> String {
    scope_label(&s.scope, s.test.as_deref())
}

fn scope_list(found_in: &[ScopeRef], show: impl Fn(&ScopeRef) -> String) -> String {
    let mut names: Vec<String> = found_in.iter().take(NAMED_SCOPES).map(show).collect();
    if found_in.len() > NAMED_SCOPES {
        names.push(format!("{} more", found_in.len() - NAMED_SCOPES));
    }
    names.join(", ")
}

/// Where a finding ran from: its span path and call site, or `the scope's body`.
fn place(f: &SuiteNPlusOne) -> String {
    let path = (!f.call_path.is_empty() && f.call_path != "-").then_some(f.call_path.as_str());
    match (path, &f.call_site) {
        (None, None) => "the scope's body".to_owned(),
        (Some(p), None) => p.to_owned(),
        (None, Some(site)) => site.to_string(),
        (Some(p), Some(site)) => format!("{p}, {site}"),
    }
}

/// Lines of at most [`WIDTH`] columns.
struct Text {
    out: String,
}

impl Text {
    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn raw(&mut self, line: &str) {
        self.out.push_str(&clip_line(line));
        self.out.push('\n');
    }

    /// `parts` after `first`, joined with ` · ` and wrapped between parts (within a part too
    /// when one is wider than a line).
    fn parts(&mut self, first: &str, rest: &str, parts: &[String]) {
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for part in parts {
            let prefix = if lines.is_empty() { first } else { rest };
            let wide = prefix.chars().count() + line.chars().count() + 3 + part.chars().count();
            if !line.is_empty() && wide > WIDTH {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push_str(" · ");
            }
            line.push_str(part);
        }
        lines.push(line);
        for (i, text) in lines.iter().enumerate() {
            self.wrap(if i == 0 { first } else { rest }, rest, text);
        }
    }

    /// `text` after `first`, wrapped at word boundaries; later lines start with `rest`.
    fn wrap(&mut self, first: &str, rest: &str, text: &str) {
        let mut line = first.to_owned();
        let mut len = first.chars().count();
        let mut empty = true;
        for word in text.split_whitespace() {
            let mut word = word;
            loop {
                let wlen = word.chars().count();
                let need = if empty { wlen } else { wlen + 1 };
                if len + need <= WIDTH {
                    if !empty {
                        line.push(' ');
                    }
                    line.push_str(word);
                    len += need;
                    empty = false;
                    break;
                }
                if !empty {
                    self.raw(&line);
                    line = rest.to_owned();
                    len = rest.chars().count();
                    empty = true;
                    continue;
                }
                // A word longer than a whole line: cut it.
                let room = WIDTH.saturating_sub(len).max(1);
                let split = word.char_indices().nth(room).map_or(word.len(), |(i, _)| i);
                line.push_str(&word[..split]);
                self.raw(&line);
                line = rest.to_owned();
                len = rest.chars().count();
                word = &word[split..];
                if word.is_empty() {
                    break;
                }
            }
        }
        if !empty {
            self.raw(&line);
        }
    }
}

/// A line cut to [`WIDTH`] columns (a last guard: the callers fit their lines already).
fn clip_line(line: &str) -> String {
    let line = line.trim_end();
    if line.chars().count() <= WIDTH {
        return line.to_owned();
    }
    let mut out: String = line.chars().take(WIDTH - 1).collect();
    out.push('…');
    out
}

/// A table row: `cells` right-aligned in their widths, then `last` clipped to the room left.
fn row(cells: &[(String, usize)], last: &str) -> String {
    let mut line = String::from(" ");
    for (cell, width) in cells {
        let _ = write!(line, " {cell:>width$}");
    }
    line.push_str("  ");
    let room = WIDTH.saturating_sub(line.chars().count()).max(1);
    line.push_str(&clip(last, room));
    line
}

fn summary_parts(a: &Aggregate) -> Vec<String> {
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

fn left_out_note(a: &Aggregate) -> Option<String> {
    let sel = &a.selection;
    (sel.left_out > 0).then(|| {
        format!(
            "{} from {} left out (--all-runs includes them)",
            count(sel.left_out, "older report", "older reports"),
            count(sel.left_out_runs, "earlier run", "earlier runs"),
        )
    })
}

/// The text form: aligned, at most [`WIDTH`] columns.
pub(crate) fn text(a: &Aggregate) -> String {
    let mut t = Text { out: String::new() };
    let sel = &a.selection;
    let runs = if sel.all_runs {
        count(sel.run_ids.len(), "run", "runs")
    } else {
        format!("run {}", sel.latest_run_id)
    };
    t.wrap(
        "",
        "  ",
        &format!(
            "query-guard report: {} ({} failed) of {runs} in {}",
            count(sel.reports, "scope report", "scope reports"),
            a.summary.scopes_failed,
            sel.dir
        ),
    );
    if let Some(note) = left_out_note(a) {
        t.wrap("  ", "  ", &note);
    }
    t.parts("Found: ", "  ", &summary_parts(a));

    let (allowed, denied): (Vec<&SuiteNPlusOne>, Vec<&SuiteNPlusOne>) =
        a.n_plus_one.iter().partition(|f| f.allowed);
    t.blank();
    if denied.is_empty() {
        t.raw("N+1 queries: none");
    } else {
        t.raw(&format!("N+1 queries ({})", denied.len()));
        for (i, f) in denied.iter().enumerate() {
            n_plus_one_text(&mut t, i + 1, f);
        }
    }
    if !allowed.is_empty() {
        t.blank();
        t.raw(&format!(
            "Allowed N+1 queries ({}, never fail)",
            allowed.len()
        ));
        for (i, f) in allowed.iter().enumerate() {
            n_plus_one_text(&mut t, i + 1, f);
        }
    }

    t.blank();
    if a.budget_overruns.is_empty() {
        t.raw("Budget overruns: none");
    } else {
        t.raw(&format!(
            "Budget overruns ({})",
            count(a.budget_overruns.len(), "scope", "scopes")
        ));
        for o in &a.budget_overruns {
            let mut head = scope_label(&o.scope, o.test.as_deref());
            if let Some(loc) = &o.location {
                let _ = write!(head, " at {loc}");
            }
            t.wrap("- ", "  ", &head);
            let limits: Vec<String> = o.violations.iter().map(ToString::to_string).collect();
            t.wrap("  ", "  ", &limits.join(" · "));
        }
    }

    t.blank();
    if a.slow.is_empty() {
        t.raw("Slow statements: none");
    } else {
        t.raw(&format!(
            "Slow statements ({})",
            count(a.slow.len(), "shape", "shapes")
        ));
        let w = [12, 9, 9, 9, 6];
        t.raw(&row(
            &[
                ("slow/runs".into(), w[0]),
                ("max".into(), w[1]),
                ("worst p95".into(), w[2]),
                ("worst p99".into(), w[3]),
                ("scopes".into(), w[4]),
            ],
            "statement",
        ));
        for s in &a.slow {
            let approx = if s.approximate { "≈" } else { "" };
            t.raw(&row(
                &[
                    (format!("{}/{}", s.slow_runs, s.runs), w[0]),
                    (ms(s.max_ms), w[1]),
                    (format!("{approx}{}", ms(s.p95_ms)), w[2]),
                    (format!("{approx}{}", ms(s.p99_ms)), w[3]),
                    (s.scopes.to_string(), w[4]),
                ],
                &s.normalized,
            ));
        }
        let thresholds: Vec<String> = {
            let mut v: Vec<String> = a.slow.iter().map(|s| ms(s.threshold_ms)).collect();
            v.sort();
            v.dedup();
            v
        };
        if let [one] = thresholds.as_slice() {
            t.raw(&format!("  (slow: at or over {one})"));
        }
    }

    if !a.duplicates.is_empty() {
        t.blank();
        t.raw(&format!(
            "Duplicate reads ({}: the same statement with the same values in one scope)",
            count(a.duplicates.len(), "shape", "shapes")
        ));
        let w = [7, 10, 6];
        t.raw(&row(
            &[
                ("runs".into(), w[0]),
                ("time".into(), w[1]),
                ("scopes".into(), w[2]),
            ],
            "statement",
        ));
        for d in &a.duplicates {
            t.raw(&row(
                &[
                    (d.runs.to_string(), w[0]),
                    (timed(u64::from(d.timed), d.total_ms), w[1]),
                    (d.scopes.to_string(), w[2]),
                ],
                &d.normalized,
            ));
        }
    }

    let worst = &a.worst_scopes;
    if !worst.by_statements.is_empty() {
        t.blank();
        t.raw(&format!(
            "Worst scopes by counted statements (top {})",
            worst.by_statements.len()
        ));
        scope_table(&mut t, &worst.by_statements);
    }
    if !worst.by_db_time.is_empty() {
        t.blank();
        t.raw(&format!(
            "Worst scopes by database time (top {})",
            worst.by_db_time.len()
        ));
        scope_table(&mut t, &worst.by_db_time);
    }

    let shapes = &a.fingerprints;
    if !shapes.top.is_empty() {
        t.blank();
        t.raw(&format!(
            "Statement shapes by total time (top {} of {})",
            shapes.top.len(),
            shapes.total
        ));
        let w = [7, 10, 9, 6, 16];
        t.raw(&row(
            &[
                ("runs".into(), w[0]),
                ("total".into(), w[1]),
                ("max".into(), w[2]),
                ("scopes".into(), w[3]),
                (format!("{:<16}", "fingerprint"), w[4]),
            ],
            "statement",
        ));
        for s in &shapes.top {
            t.raw(&row(
                &[
                    (s.runs.to_string(), w[0]),
                    (timed(s.timed, s.total_ms), w[1]),
                    (timed(s.timed, s.max_ms), w[2]),
                    (s.scopes.to_string(), w[3]),
                    (format!("{:<16}", s.fingerprint), w[4]),
                ],
                &s.normalized,
            ));
        }
    }

    if !a.unused_allowances.is_empty() {
        t.blank();
        t.raw(&format!(
            "Allowances that matched nothing ({}): remove them, or fix their patterns",
            a.unused_allowances.len()
        ));
        for u in &a.unused_allowances {
            t.wrap("- ", "  ", &unused_text(u));
        }
    }

    if !a.fail_on.failed.is_empty() {
        t.blank();
        t.wrap(
            "",
            "  ",
            &format!("--fail-on: failed on {}", a.fail_on.failed.join(", ")),
        );
    }
    t.out
}

fn n_plus_one_text(t: &mut Text, i: usize, f: &SuiteNPlusOne) {
    let number = format!("{i:>2}. ");
    if f.steps.is_empty() {
        let head = format!("{number}{} × ", f.runs);
        let room = WIDTH.saturating_sub(head.chars().count()).max(1);
        t.raw(&format!("{head}{}", clip(&f.normalized, room)));
    } else {
        t.raw(&format!(
            "{number}{} × a repeated sequence of {} statements",
            f.runs,
            f.steps.len()
        ));
        for (k, step) in f.steps.iter().enumerate() {
            let head = format!("      {}) ", k + 1);
            let room = WIDTH.saturating_sub(head.chars().count()).max(1);
            t.raw(&format!("{head}{}", clip(&step.normalized, room)));
        }
    }
    let pad = "    ";
    let deeper = "      ";
    let time = if f.timed {
        format!("{} in total", ms(f.total_ms))
    } else {
        "no time known".to_owned()
    };
    t.wrap(
        pad,
        deeper,
        &format!(
            "{time}, in {}: {}",
            count(f.scopes, "scope", "scopes"),
            scope_list(&f.found_in, scope_ref)
        ),
    );
    t.wrap(pad, deeper, &format!("from {}", place(f)));
    let mut ids = format!("fingerprint {}", f.fingerprint);
    if !f.tables.is_empty() {
        let _ = write!(ids, " · tables {}", f.tables.join(", "));
    }
    t.wrap(pad, deeper, &ids);
    if f.allowed {
        for a in &f.allowed_by {
            t.wrap(
                pad,
                deeper,
                &format!("allowed by `{}`: {}", a.pattern, a.reason),
            );
        }
    } else if !f.suggestion.is_empty() {
        t.wrap(pad, deeper, &format!("fix: {}", f.suggestion));
    }
}

fn scope_table(t: &mut Text, scopes: &[ScopeCost]) {
    let w = [8, 10];
    t.raw(&row(
        &[("counted".into(), w[0]), ("db time".into(), w[1])],
        "scope",
    ));
    for s in scopes {
        let mut label = scope_label(&s.scope, s.test.as_deref());
        if s.failed {
            label.push_str(" [failed]");
        }
        t.raw(&row(
            &[(s.counted.to_string(), w[0]), (ms(s.db_ms), w[1])],
            &label,
        ));
    }
}

fn unused_text(u: &UnusedAllowance) -> String {
    let whose = if u.origin == "config" {
        format!(
            "in query-guard.toml, in none of {}",
            count(u.reports, "report", "reports")
        )
    } else {
        format!("on {}", scope_list(&u.found_in, scope_ref))
    };
    format!("{} `{}` {whose}: {}", u.kind, u.pattern, u.reason)
}

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
            let limits: Vec<String> = v.violations.iter().map(|x| md(&x.to_string())).collect();
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
            let whose = if u.origin == "config" {
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
                md(&u.kind),
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
    fn clipping_and_wrapping_fit() {
        assert_eq!(clip("a  b\n c", 10), "a b c");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ééééé", 3), "éé…");
        let mut t = Text { out: String::new() };
        let long = format!("{} {}", "word ".repeat(60), "x".repeat(250));
        t.wrap("- ", "  ", &long);
        for line in t.out.lines() {
            assert!(line.chars().count() <= WIDTH, "{line:?}");
        }
        assert!(t.out.starts_with("- word word"));
        assert_eq!(t.out.matches('x').count(), 250, "{}", t.out);
    }

    #[test]
    fn markdown_escapes() {
        assert_eq!(md("a|b <i> *x*"), "a\\|b &lt;i&gt; \\*x\\*");
        assert_eq!(md_code("SELECT a || b", 100), "`SELECT a \\|\\| b`");
        assert_eq!(md_code("SELECT `a`", 100), "`` SELECT `a` ``");
        assert_eq!(md_code("", 100), "");
    }

    #[test]
    fn durations() {
        assert_eq!(ms(250.0), "250 ms");
        assert_eq!(ms(12.5), "12.5 ms");
        assert_eq!(ms(3.2), "3.20 ms");
        assert_eq!(ms(0.84), "840 µs");
        assert_eq!(ms(f64::INFINITY), "inf ms");
    }
}
