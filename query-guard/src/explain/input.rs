//! # What was pasted
//!
//! Plans arrive as files, stdin or a paste from a terminal, so before a parser sees them this
//! module removes what psql adds around them and decides which parser reads them:
//!
//! - psql's `QUERY PLAN` header with its `----` rule, the `(N rows)` footer, the one-space left
//!   margin of aligned output, and the `+` marks at the end of rows that continue (a JSON plan
//!   printed in aligned mode);
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
        && t.chars()
            .all(|c| c == '-' || c == '+' || c == '─' || c == '┼')
}

fn is_footer(s: &str) -> bool {
    let t = s.trim();
    t.starts_with('(')
        && (t.ends_with(" rows)") || t.ends_with(" row)"))
        && t[1..t.find(' ').unwrap_or(1)]
            .chars()
            .all(|c| c.is_ascii_digit())
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
    // psql's header: "QUERY PLAN" (centred) followed by a rule line.
    let first = lines.iter().position(|l| !l.text.trim().is_empty());
    let Some(first) = first else {
        return Err(PlanError::Empty);
    };
    let header = lines[first].text.trim().eq_ignore_ascii_case("QUERY PLAN");
    let ruled = header && lines.get(first + 1).is_some_and(|l| is_rule(&l.text));
    if header && !ruled {
        // The sqlite3 shell's tree also starts with "QUERY PLAN", without a rule.
        let rest: Vec<Line> = lines.split_off(first + 1);
        return Ok(Detected::SqliteTree(rest));
    }
    let mut body: Vec<Line> = if ruled {
        lines.split_off(first + 2)
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
    // psql aligned output: every row starts with one space of margin.
    if ruled {
        for l in body.iter_mut() {
            if let Some(rest) = l.text.strip_prefix(' ') {
                l.text = rest.to_owned();
            }
        }
    }
    // "+" at the end of a row: the value continues on the next row.
    let marked = body
        .iter()
        .filter(|l| l.text.ends_with(" +") || l.text == "+")
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
    if start_text.starts_with("|--") || start_text.starts_with("`--") {
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
