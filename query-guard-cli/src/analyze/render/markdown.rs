//! `--format markdown`: the same sections as the text output, as GitHub-flavoured Markdown (for
//! CI job summaries and pull-request comments). Statement texts are shown whole, in code spans.

use std::fmt::Write;

use super::section::{Align, Section};

/// Render the sections as Markdown.
pub(crate) fn render(sections: &[Section]) -> String {
    let mut out = String::new();
    for (k, s) in sections.iter().enumerate() {
        let level = if k == 0 { "##" } else { "###" };
        let _ = writeln!(out, "{level} {}\n", escape(&s.title));
        if let Some(t) = &s.table {
            let n = t.headers.len();
            let _ = writeln!(
                out,
                "| {} |",
                t.headers
                    .iter()
                    .map(|h| escape(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
            let rule: Vec<&str> = t
                .align
                .iter()
                .map(|a| match a {
                    Align::Right => "---:",
                    Align::Left => "---",
                })
                .collect();
            let _ = writeln!(out, "| {} |", rule.join(" | "));
            for row in &t.rows {
                let cells: Vec<String> = row
                    .iter()
                    .enumerate()
                    .map(|(k, c)| if k + 1 == n { code(c) } else { escape(c) })
                    .collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
            out.push('\n');
        }
        if !s.lines.is_empty() {
            for line in &s.lines {
                let t = line.trim_start();
                if line.starts_with("  ") {
                    let _ = writeln!(out, "  - {}", escape(t));
                } else if k == 0 {
                    let _ = writeln!(out, "{}  ", escape(t));
                } else {
                    let _ = writeln!(out, "- {}", escape(t));
                }
            }
            out.push('\n');
        }
    }
    out
}

/// Escape what Markdown tables and text would otherwise interpret.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code span that survives a table cell: `|` escaped, enough backticks around.
fn code(s: &str) -> String {
    let s = s.replace('|', "\\|");
    let fence = if s.contains('`') { "``" } else { "`" };
    format!("{fence} {s} {fence}")
}
