//! The default output: sections with aligned tables, every line at most [`WIDTH`] columns (long
//! statement texts are cut with `…`, notes are wrapped).

use std::fmt::Write;

use super::section::{Align, Section, Table};

/// Maximum line width.
pub(crate) const WIDTH: usize = 100;
/// Two spaces between columns.
const GAP: usize = 2;

/// Render the sections as text.
pub(crate) fn render(sections: &[Section]) -> String {
    let mut out = String::new();
    for (k, s) in sections.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&cut(&s.title, WIDTH));
        out.push('\n');
        if k > 0 {
            out.push_str(&"-".repeat(s.title.chars().count().min(WIDTH)));
            out.push('\n');
        }
        if let Some(t) = &s.table {
            table(&mut out, t);
        }
        for line in &s.lines {
            wrap(&mut out, line);
        }
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// `s` cut to `w` columns, ending in `…` when cut.
pub(crate) fn cut(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn table(out: &mut String, t: &Table) {
    let n = t.headers.len();
    let mut widths: Vec<usize> = t.headers.iter().map(|h| width(h)).collect();
    for row in &t.rows {
        for (k, c) in row.iter().enumerate().take(n - 1) {
            widths[k] = widths[k].max(width(c));
        }
    }
    let fixed: usize = widths[..n - 1].iter().sum::<usize>() + GAP * (n - 1);
    let last = WIDTH.saturating_sub(fixed).max(12);
    let line = |out: &mut String, cells: &[String]| {
        let mut l = String::new();
        for (k, c) in cells.iter().enumerate() {
            if k + 1 == n {
                l.push_str(&cut(c, last));
            } else {
                let pad = widths[k] - width(c);
                match t.align[k] {
                    Align::Right => {
                        l.push_str(&" ".repeat(pad));
                        l.push_str(c);
                    }
                    Align::Left => {
                        l.push_str(c);
                        l.push_str(&" ".repeat(pad));
                    }
                }
                l.push_str(&" ".repeat(GAP));
            }
        }
        let _ = writeln!(out, "{}", l.trim_end());
    };
    let headers: Vec<String> = t.headers.iter().map(|h| (*h).to_owned()).collect();
    line(out, &headers);
    for row in &t.rows {
        line(out, row);
    }
}

/// Word-wrap a note to [`WIDTH`], continuation lines indented by two spaces; a line that starts
/// with spaces (a statement under a rule) is cut instead.
fn wrap(out: &mut String, text: &str) {
    if text.starts_with(' ') || width(text) <= WIDTH {
        out.push_str(&cut(text, WIDTH));
        out.push('\n');
        return;
    }
    let mut cur = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !cur.is_empty() && width(&cur) + 1 + width(word) > WIDTH {
            out.push_str(&cut(&cur, WIDTH));
            out.push('\n');
            cur = "  ".to_owned();
        } else if !cur.is_empty() && !cur.ends_with(' ') {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        out.push_str(&cut(&cur, WIDTH));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_cuts_to_width() {
        let mut out = String::new();
        let long = "word ".repeat(60);
        wrap(&mut out, long.trim());
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert!(out.lines().count() >= 3);
        assert_eq!(cut("abcdef", 4), "abc…");
    }
}
