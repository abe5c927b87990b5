//! psql's own output: the default aligned table and the expanded (`\x`, `-x`) records, with the
//! `ascii` (default) or `unicode` line style.
//!
//! Aligned: the rule under the header (`----+-----`) gives each column's position; a cell is read
//! by position, never by splitting at `|` (statement texts contain `|`). A value with new lines
//! continues on the next lines, marked with `+` (`↵` in unicode) where the padding would be.
//! Expanded: `-[ RECORD n ]` starts a row, then one `name | value` line per column; a value with
//! new lines continues on lines with an empty name. psql prints NULL and the empty string alike,
//! as nothing: both read as NULL, which only matters for the statement text.
//!
//! Positions are counted in display columns, as psql pads: wide (CJK, emoji) characters take
//! two, combining marks none.

use super::columns::Builder;
use crate::failure::Failure;

/// `-[ RECORD 12 ]---` (ascii) or `─[ RECORD 12 ]───` (unicode).
pub(crate) fn is_record_header(line: &str) -> bool {
    let t = line.trim_start();
    (t.starts_with("-[ RECORD ") || t.starts_with("─[ RECORD ")) && t.contains(']')
}

/// The rule under an aligned header: only `-`, `+`, `─`, `┼` (and no letters).
pub(crate) fn is_rule(line: &str) -> bool {
    let t = line.trim_end();
    !t.is_empty()
        && t.chars().any(|c| c == '-' || c == '─')
        && t.chars().all(|c| matches!(c, '-' | '+' | '─' | '┼'))
}

/// Display width of a character, as psql counts it.
fn width(c: char) -> usize {
    let u = c as u32;
    if u < 0x300 {
        return 1;
    }
    if (0x300..=0x36f).contains(&u) || (0x200b..=0x200f).contains(&u) || u == 0xfe0f {
        return 0;
    }
    let wide = (0x1100..=0x115f).contains(&u)
        || (0x2e80..=0xa4cf).contains(&u)
        || (0xac00..=0xd7a3).contains(&u)
        || (0xf900..=0xfaff).contains(&u)
        || (0xfe30..=0xfe4f).contains(&u)
        || (0xff00..=0xff60).contains(&u)
        || (0xffe0..=0xffe6).contains(&u)
        || (0x1f300..=0x1f64f).contains(&u)
        || (0x1f900..=0x1f9ff).contains(&u)
        || (0x20000..=0x3fffd).contains(&u);
    if wide { 2 } else { 1 }
}

/// Byte offsets in `line` of the display columns `targets` (ascending): the first character
/// starting at or after each (the line's length past its end). One pass over the line.
fn offsets(line: &str, targets: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(targets.len());
    let mut t = targets.iter().peekable();
    let mut col = 0;
    for (i, c) in line.char_indices() {
        while let Some(&&want) = t.peek() {
            if col >= want {
                out.push(i);
                t.next();
            } else {
                break;
            }
        }
        if t.peek().is_none() {
            break;
        }
        col += width(c);
    }
    out.resize(targets.len(), line.len());
    out
}

/// A column of an aligned table: where its cell starts and ends (display columns; the cell
/// includes one space of padding each side, the right one being the continuation mark).
struct Col {
    start: usize,
    end: Option<usize>,
}

/// Parse psql's aligned output.
pub(crate) fn parse_aligned(text: &str, b: &mut Builder) -> Result<(), Failure> {
    let name = b.source().to_owned();
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut i = 0;
    // Skip notices before the header.
    while i < lines.len() && !(lines[i].contains('|') || lines[i].contains('│')) {
        i += 1;
    }
    let header_line = i + 1;
    let (Some(header), Some(rule)) = (lines.get(i), lines.get(i + 1)) else {
        return Err(Failure::usage(format!(
            "{name}: no header line; expected psql's aligned output with column names"
        )));
    };
    if !is_rule(rule) {
        return Err(Failure::usage(format!(
            "{name} line {}: expected the `----+----` rule under the header",
            i + 2
        )));
    }
    // Column spans from the rule.
    let mut cols = Vec::new();
    let mut col = 0;
    let mut start = 0;
    for c in rule.trim_end().chars() {
        if c == '+' || c == '┼' {
            cols.push(Col {
                start,
                end: Some(col),
            });
            start = col + 1;
        }
        col += width(c);
    }
    cols.push(Col { start, end: None });
    let targets = targets(&cols);
    let names: Vec<String> = cells(header, &cols, &targets)
        .into_iter()
        .map(|(t, _)| t.trim().to_owned())
        .collect();
    b.header(&names, header_line)?;
    i += 2;
    let mut values: Vec<String> = vec![String::new(); cols.len()];
    let mut open: Vec<bool> = vec![false; cols.len()];
    let mut row_line = 0;
    let mut in_row = false;
    while i < lines.len() {
        let line = lines[i];
        let line_no = i + 1;
        i += 1;
        let t = line.trim();
        if t.is_empty() || is_footer(t) {
            if in_row {
                flush(b, &mut values, row_line)?;
                in_row = false;
            }
            continue;
        }
        let parts = cells(line, &cols, &targets);
        // A continuation line: some value is open and every other cell is blank.
        let continuing = in_row
            && open.iter().any(|&o| o)
            && parts
                .iter()
                .zip(&open)
                .all(|((text, _), &o)| o || text.trim().is_empty());
        if !continuing {
            if in_row {
                flush(b, &mut values, row_line)?;
            }
            in_row = true;
            row_line = line_no;
        }
        for (k, (text, cont)) in parts.into_iter().enumerate() {
            if continuing {
                if open[k] {
                    values[k].push('\n');
                    values[k].push_str(text.trim_end());
                    open[k] = cont;
                }
            } else {
                // Numbers are right-aligned, text left-aligned: trim both sides.
                values[k] = text.trim().to_owned();
                open[k] = cont;
            }
        }
    }
    if in_row {
        flush(b, &mut values, row_line)?;
    }
    Ok(())
}

/// The display columns where cells start, end and hold their continuation mark, ascending.
fn targets(cols: &[Col]) -> Vec<usize> {
    let mut t = Vec::with_capacity(cols.len() * 3);
    for c in cols {
        t.push(c.start + 1);
        if let Some(end) = c.end {
            t.push(end.saturating_sub(1));
            t.push(end);
        }
    }
    t
}

/// Every cell of an aligned line: its text and whether it continues on the next line.
fn cells(line: &str, cols: &[Col], targets: &[usize]) -> Vec<(String, bool)> {
    let off = offsets(line, targets);
    let mut k = 0;
    let mut out = Vec::with_capacity(cols.len());
    for c in cols {
        let start = off[k];
        k += 1;
        match c.end {
            Some(_) => {
                // Text in [start + 1, end - 1); the continuation mark at end - 1.
                let (mark_at, end) = (off[k], off[k + 1]);
                k += 2;
                let text = &line[start.min(mark_at)..mark_at];
                let mark = &line[mark_at..end];
                out.push((text.to_owned(), mark == "+" || mark == "↵"));
            }
            None => {
                // The last column is padded only when it continues, then marked.
                let t = line[start..].trim_end();
                out.push(match t.strip_suffix('+').or_else(|| t.strip_suffix('↵')) {
                    Some(s) => (s.to_owned(), true),
                    None => (t.to_owned(), false),
                });
            }
        }
    }
    out
}

/// Hand one aligned row to the builder and clear the values.
fn flush(b: &mut Builder, values: &mut [String], row_line: usize) -> Result<(), Failure> {
    let refs: Vec<Option<&str>> = values
        .iter()
        .map(|v| (!v.trim().is_empty()).then_some(v.as_str()))
        .collect();
    b.row(row_line, &refs)?;
    for v in values.iter_mut() {
        v.clear();
    }
    Ok(())
}

/// psql's `(12 rows)` footer.
fn is_footer(t: &str) -> bool {
    t.starts_with('(') && (t.ends_with(" rows)") || t.ends_with(" row)"))
}

/// Parse psql's expanded output.
pub(crate) fn parse_expanded(text: &str, b: &mut Builder) -> Result<(), Failure> {
    let name = b.source().to_owned();
    let mut names: Vec<String> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut row_line = 0;
    let mut in_record = false;
    let mut continues = false;
    let mut header: Vec<String> = Vec::new();
    let emit = |b: &mut Builder,
                header: &mut Vec<String>,
                names: &mut Vec<String>,
                values: &mut Vec<String>,
                row_line: usize|
     -> Result<(), Failure> {
        if *header != *names {
            b.header(names, row_line)?;
            *header = names.clone();
        }
        let refs: Vec<Option<&str>> = values
            .iter()
            .map(|v| {
                let t = v.trim();
                (!t.is_empty()).then_some(t)
            })
            .collect();
        b.row(row_line, &refs)?;
        names.clear();
        values.clear();
        Ok(())
    };
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let line_no = idx + 1;
        let t = line.trim();
        if is_record_header(line) {
            if in_record {
                emit(b, &mut header, &mut names, &mut values, row_line)?;
            }
            in_record = true;
            continues = false;
            row_line = line_no;
            continue;
        }
        if t.is_empty() || is_footer(t) || t.starts_with("Expanded display is") {
            continue;
        }
        if !in_record {
            return Err(Failure::usage(format!(
                "{name} line {line_no}: expected a `-[ RECORD n ]` line before the values"
            )));
        }
        let sep = line.find(['|', '│']).ok_or_else(|| {
            Failure::usage(format!(
                "{name} line {line_no}: no `|`; expected `column | value` lines in an expanded record"
            ))
        })?;
        let sep_len = line[sep..].chars().next().map_or(1, char::len_utf8);
        let key = line[..sep].trim();
        let mut value = &line[sep + sep_len..];
        value = value.strip_prefix(' ').unwrap_or(value);
        // A trailing `+` (`↵`) is a continuation mark when the next line continues this value;
        // decided when that line comes.
        if key.is_empty() && continues {
            let last = values.last_mut().expect("a value to continue");
            strip_mark(last);
            last.push('\n');
            last.push_str(value);
        } else if key.is_empty() {
            return Err(Failure::usage(format!(
                "{name} line {line_no}: a value line without a column name, after a value that does not continue"
            )));
        } else {
            names.push(key.to_owned());
            values.push(value.to_owned());
        }
        let v = value.trim_end();
        continues = v.ends_with('+') || v.ends_with('↵');
    }
    if in_record {
        emit(b, &mut header, &mut names, &mut values, row_line)?;
    }
    if header.is_empty() && b.width() == 0 {
        // No records at all (`(0 rows)`): an empty dump.
        b.header(&["query", "calls", "total_exec_time"], 1)?;
    }
    Ok(())
}

/// Remove the continuation mark and the padding before it.
fn strip_mark(v: &mut String) {
    let t = v.trim_end();
    let t = t
        .strip_suffix('+')
        .or_else(|| t.strip_suffix('↵'))
        .unwrap_or(t)
        .trim_end();
    v.truncate(t.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::columns::N;

    const ALIGNED: &str = " calls |    query    | total_exec_time | rows \n-------+-------------+-----------------+------\n     1 | SELECT x   +|             2.5 |     \n       |   FROM t   +|                 | \n       | WHERE a = 1 |                 | \n    22 | a | b       |           1e-07 |    3\n(2 rows)\n\n";

    #[test]
    fn aligned_multi_line_and_pipes() {
        let mut b = Builder::new("a.txt");
        parse_aligned(ALIGNED, &mut b).unwrap();
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.entries[0].query, "SELECT x\n  FROM t\nWHERE a = 1");
        assert_eq!(b.entries[0].opt(N::Rows), None);
        assert_eq!(b.entries[1].query, "a | b");
        assert_eq!(b.entries[1].line, 6);
        assert_eq!(b.entries[1].get(N::TotalExecTime), 1e-7);
    }

    #[test]
    fn aligned_last_column_continues() {
        let text = " calls | total_exec_time | query \n-------+-----------------+-------\n     1 |               2 | ab+\n       |                 | c\n     2 |               3 | d\n(2 rows)\n";
        let mut b = Builder::new("a.txt");
        parse_aligned(text, &mut b).unwrap();
        assert_eq!(b.entries[0].query, "ab\nc");
        assert_eq!(b.entries[1].query, "d");
    }

    #[test]
    fn expanded() {
        let text = "-[ RECORD 1 ]---+------\ncalls           | 1\nquery           | SELECT x   +\n                |   FROM t   +\n                | WHERE a = 1\ntotal_exec_time | 2.5\nrows            | \n-[ RECORD 2 ]---+------\ncalls           | 22\nquery           | a | b\ntotal_exec_time | 1e-07\nrows            | 3\n\n";
        let mut b = Builder::new("x.txt");
        parse_expanded(text, &mut b).unwrap();
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.entries[0].query, "SELECT x\n  FROM t\nWHERE a = 1");
        assert_eq!(b.entries[1].query, "a | b");
        assert_eq!(b.entries[1].line, 8);
    }
}
