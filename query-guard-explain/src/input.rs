//! # What was pasted
//!
//! Plans arrive as files, stdin or a paste from a terminal, so before a parser sees them this
//! module removes what psql adds around them and decides which parser reads them:
//!
//! - psql's `QUERY PLAN` header with its `----` rule (or without, in unaligned output), the
//!   `(N rows)` footer, the one-space left margin of aligned output, the `border=2` frame
//!   (`| … |`, `│ … │`), the `+`/`↵` marks at the end of rows that continue (a JSON plan printed
//!   in aligned mode), and the `.`/`…` marks of the `wrapped` format, whose cut rows are joined
//!   back;
//! - then: JSON (`[` or `{`), SQLite's shell tree (`QUERY PLAN` then `|--` / `` `-- `` lines),
//!   SQLite's raw rows (`id|parent|notused|detail`), or else PostgreSQL text.
//!
//! Lines keep their 1-based numbers in the original input, so errors point at the right place.

use super::error::PlanError;

/// One line of input, cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// 1-based line number in the input.
    pub no: usize,
    /// The text, without psql's margin and marks.
    pub text: String,
}

/// The input, cleaned and recognised.
#[derive(Debug)]
pub(crate) enum Detected {
    /// A JSON plan (continuation marks removed).
    Json(String),
    /// PostgreSQL text format.
    PgText(Vec<Line>),
    /// The sqlite3 shell's tree.
    SqliteTree(Vec<Line>),
    /// SQLite's id/parent/notused/detail rows.
    SqliteRows(Vec<Line>),
}

fn is_rule(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars().all(|c| {
            matches!(
                c,
                '-' | '+' | '─' | '┼' | '┌' | '┐' | '├' | '┤' | '└' | '┘' | '┬' | '┴'
            )
        })
}

/// A line of the sqlite3 shell's tree: `|--`, `` `-- `` or their box-drawing forms.
fn is_sqlite_branch(t: &str) -> bool {
    let t = t.trim_start();
    ["|--", "`--", "├──", "└──", "├--", "└--"]
        .iter()
        .any(|p| t.starts_with(p))
}

fn is_footer(s: &str) -> bool {
    let t = s.trim();
    t.starts_with('(')
        && (t.ends_with(" rows)") || t.ends_with(" row)"))
        && t[1..t.find(' ').unwrap_or(1)]
            .chars()
            .all(|c| c.is_ascii_digit())
}

/// Markers psql's `wrapped` format puts at the right edge of a value cut to fit (ascii `.`,
/// unicode `…`) and where a value goes on over a newline (`+`, `↵`).
const WRAP_MARKS: [char; 2] = ['.', '…'];
const NEWLINE_MARKS: [char; 2] = ['+', '↵'];

/// Removes psql's `border=2` frame (`| … |`, `│ … │` and the rules around), keeping the rule
/// under the header.
fn unframe(lines: &mut Vec<Line>, first: usize) {
    let framed =
        lines[first].text.trim_start().starts_with(['+', '┌']) && is_rule(&lines[first].text);
    if !framed {
        return;
    }
    let mut rules = 0;
    let mut out = Vec::with_capacity(lines.len());
    for mut l in lines.drain(..) {
        let t = l.text.trim();
        if is_rule(t) {
            rules += 1;
            if rules == 2 {
                // The rule under the header, without its corners.
                let mut chars = t.chars();
                chars.next();
                chars.next_back();
                l.text = chars.as_str().to_owned();
                out.push(l);
            }
            continue;
        }
        if let Some(inner) = t
            .strip_prefix(['|', '│'])
            .and_then(|r| r.strip_suffix(['|', '│']))
        {
            l.text = inner.trim_end().to_owned();
        }
        out.push(l);
    }
    *lines = out;
}

/// Joins the rows psql's `wrapped` format cut at the width (`.`/`…` at the right edge, and at
/// the left edge of the next row when there is a margin), and removes the newline marks
/// (`+`/`↵`) at the right edge. `width` is the rule's width; `margin` whether rows have psql's
/// one-character left margin (border 1 and 2).
fn unwrap_rows(body: Vec<Line>, width: usize, margin: bool) -> Vec<Line> {
    let edge = if margin { width } else { width + 1 };
    let mut out: Vec<Line> = Vec::with_capacity(body.len());
    let mut cut = false;
    for mut l in body {
        let len = l.text.chars().count();
        let continues = cut;
        let mut text = l.text.clone();
        cut = false;
        if len == edge {
            if text.ends_with(WRAP_MARKS) {
                text.pop();
                cut = true;
            } else if text.ends_with(NEWLINE_MARKS) {
                text.pop();
                text.truncate(text.trim_end().len());
            }
        }
        if margin {
            let mut chars = text.chars();
            let left = chars.next();
            let marked = left.is_some_and(|c| WRAP_MARKS.contains(&c));
            if left == Some(' ') || (continues && marked) {
                text = chars.as_str().to_owned();
            }
        }
        if continues && let Some(last) = out.last_mut() {
            last.text.push_str(&text);
            continue;
        }
        l.text = text;
        out.push(l);
    }
    out
}

/// Cleans `text` and decides its format.
pub(crate) fn detect(text: &str) -> Result<Detected, PlanError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| Line {
            no: i + 1,
            text: l.trim_end_matches(['\r', ' ']).to_owned(),
        })
        .collect();
    let first = lines.iter().position(|l| !l.text.trim().is_empty());
    let Some(first) = first else {
        return Err(PlanError::Empty);
    };
    unframe(&mut lines, first);
    let first = lines.iter().position(|l| !l.text.trim().is_empty());
    let Some(first) = first else {
        return Err(PlanError::Empty);
    };
    // psql's header: "QUERY PLAN" (centred), with a rule line under it in aligned and wrapped
    // output, without in unaligned output.
    let header = lines[first].text.trim().eq_ignore_ascii_case("QUERY PLAN");
    let rule = lines.get(first + 1).filter(|l| is_rule(&l.text));
    let ruled = header && rule.is_some();
    let width = rule.map_or(0, |l| l.text.trim_end().chars().count());
    if header && !ruled {
        // The sqlite3 shell's tree also starts with "QUERY PLAN", without a rule.
        let next = lines[first + 1..]
            .iter()
            .find(|l| !l.text.trim().is_empty());
        let tree = next.is_none_or(|l| {
            let t = l.text.trim_start();
            is_sqlite_branch(t)
        });
        let rest: Vec<Line> = lines.split_off(first + 1);
        if tree {
            return Ok(Detected::SqliteTree(rest));
        }
        lines = rest;
    }
    let mut body: Vec<Line> = if ruled {
        lines.split_off(first + 2)
    } else if header {
        lines
    } else {
        lines.split_off(first)
    };
    // Footer and trailing blank lines.
    while body.last().is_some_and(|l| l.text.trim().is_empty()) {
        body.pop();
    }
    if body.last().is_some_and(|l| is_footer(&l.text)) {
        body.pop();
    }
    if body.iter().all(|l| l.text.trim().is_empty()) {
        return Err(PlanError::Empty);
    }
    if ruled {
        // Border 1 and 2 give every row a left margin (a space, or a wrap mark); border 0 none.
        let margin = body.iter().all(|l| {
            l.text.is_empty() || l.text.starts_with(' ') || l.text.starts_with(WRAP_MARKS)
        });
        body = unwrap_rows(body, width, margin);
    }
    // "+" at the end of a row: the value continues on the next row.
    let marked = body
        .iter()
        .filter(|l| l.text.ends_with(" +") || l.text == "+" || l.text.ends_with(",+"))
        .count();
    if marked > 0 && marked + 1 >= body.len() / 2 {
        for l in body.iter_mut() {
            if let Some(rest) = l.text.strip_suffix('+') {
                l.text = rest.trim_end().to_owned();
            }
        }
    }
    let start = body.iter().find(|l| !l.text.trim().is_empty());
    let start_text = start.map(|l| l.text.trim_start()).unwrap_or_default();
    if start_text.starts_with('[') || start_text.starts_with('{') {
        let offset = start.map_or(1, |l| l.no) - 1;
        let mut json = "\n".repeat(offset);
        for (i, l) in body.iter().enumerate() {
            if i > 0 {
                json.push('\n');
            }
            json.push_str(&l.text);
        }
        return Ok(Detected::Json(json));
    }
    if is_sqlite_branch(start_text) {
        return Ok(Detected::SqliteTree(body));
    }
    let rows_header = start_text
        .split(['|', ',', '\t'])
        .map(str::trim)
        .collect::<Vec<_>>();
    let numeric_row = |t: &str| {
        let f: Vec<&str> = t.split(['|', '\t']).collect();
        f.len() >= 3 && f[0].trim().parse::<u64>().is_ok() && f[1].trim().parse::<u64>().is_ok()
    };
    if rows_header.first() == Some(&"id") && rows_header.get(1) == Some(&"parent")
        || numeric_row(start_text)
    {
        return Ok(Detected::SqliteRows(body));
    }
    Ok(Detected::PgText(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(d: Detected) -> Vec<String> {
        match d {
            Detected::PgText(l) | Detected::SqliteTree(l) | Detected::SqliteRows(l) => {
                l.into_iter().map(|l| l.text).collect()
            }
            Detected::Json(j) => vec![j],
        }
    }

    #[test]
    fn query_plan_header_without_rule() {
        // psql's unaligned output is PostgreSQL text; the sqlite3 shell's tree is not.
        let d = detect("QUERY PLAN\nSeq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n(1 row)\n");
        assert!(matches!(d, Ok(Detected::PgText(_))));
        let d = detect("QUERY PLAN\n`--SCAN t\n");
        assert!(matches!(d, Ok(Detected::SqliteTree(_))));
    }

    #[test]
    fn wrapped_rows_are_joined_and_marks_removed() {
        let d = detect(
            "   QUERY PLAN\n--------------\n Seq Scan on .\n.t  (cost=1)\n   Filter: x\n(3 rows)\n",
        )
        .unwrap();
        assert_eq!(texts(d), ["Seq Scan on t  (cost=1)", "  Filter: x"]);
        let d = detect("+-------+\n| QUERY PLAN |\n+-------+\n| [    +|\n| {}   +|\n| ]     |\n+-------+\n(1 row)\n").unwrap();
        match d {
            Detected::Json(j) => assert_eq!(j.split_whitespace().collect::<String>(), "[{}]"),
            other => panic!("{other:?}"),
        }
    }
}
