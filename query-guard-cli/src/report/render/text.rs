//! The text form of the aggregate: aligned, at most [`WIDTH`] columns.

use std::fmt::Write as _;

use query_guard_format::ms;

use super::words::{
    clip, count, left_out_note, limit, place, scope_label, scope_list, scope_ref, summary_parts,
    timed, unused_text,
};
use crate::report::aggregate::{Aggregate, ScopeCost, SuiteNPlusOne};

/// Columns the text form fits in.
pub(crate) const WIDTH: usize = 100;

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
            let limits: Vec<String> = o.violations.iter().map(limit).collect();
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
}
