//! Every number the reader takes, checked against what its key measures before the plan is
//! built, with the line and column of the first impossible one.

use super::tree::BUFFER_BLOCKS;
use crate::error::PlanError;
use crate::model::Figure;

/// What each key the reader takes a number from measures (see [`Figure`]). Keys are unique to
/// their meaning across a plan: `Time` and `Calls` are a trigger's, `Functions` and the timing
/// phases JIT's.
fn figure_of(key: &str) -> Option<Figure> {
    Some(match key {
        "Actual Startup Time"
        | "Actual Total Time"
        | "Planning Time"
        | "Execution Time"
        | "I/O Read Time"
        | "I/O Write Time"
        | "Shared I/O Read Time"
        | "Shared I/O Write Time"
        | "Local I/O Read Time"
        | "Local I/O Write Time"
        | "Temp I/O Read Time"
        | "Temp I/O Write Time"
        | "Time"
        | "Generation"
        | "Inlining"
        | "Optimization"
        | "Emission"
        | "Deform"
        | "Total" => Figure::Ms,
        "Actual Rows"
        | "Rows Removed by Filter"
        | "Rows Removed by Join Filter"
        | "Rows Removed by Index Recheck" => Figure::Rows,
        "Startup Cost" | "Total Cost" | "Plan Rows" => Figure::Estimate,
        "Actual Loops"
        | "Plan Width"
        | "Workers Planned"
        | "Workers Launched"
        | "Heap Fetches"
        | "Exact Heap Blocks"
        | "Lossy Heap Blocks"
        | "Sort Space Used"
        | "Hash Buckets"
        | "Original Hash Buckets"
        | "Hash Batches"
        | "Original Hash Batches"
        | "HashAgg Batches"
        | "Peak Memory Usage"
        | "Disk Usage"
        | "WAL Records"
        | "WAL FPI"
        | "WAL Bytes"
        | "Calls"
        | "Functions" => Figure::Count,
        k if BUFFER_BLOCKS.contains(&k) => Figure::Count,
        _ => return None,
    })
}

/// Checks every number the reader takes (a JSON number, or a string holding one) against what
/// its key measures, and names the line and column of the first impossible one. One linear pass
/// over text serde_json has already accepted, without recursion.
pub(super) fn check_figures(text: &str) -> Result<(), PlanError> {
    let bytes = text.as_bytes();
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    // The figure the next value must be, set by a key and cleared by the value.
    let mut pending: Option<(Figure, String)> = None;
    let fail = |at: usize, line: usize, line_start: usize, fig: Figure, key: &str| {
        let column = text[line_start..at].chars().count() + 1;
        Err(PlanError::syntax(
            line,
            column,
            format!("{} for \"{key}\"", fig.expected()),
        ))
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                let mut escaped = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => {
                            escaped = true;
                            i += 2;
                        }
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                let end = i.min(bytes.len());
                i = end + 1;
                let raw = &text[start + 1..end];
                let s = if escaped {
                    serde_json::from_str::<String>(&text[start..i.min(text.len())])
                        .unwrap_or_default()
                } else {
                    raw.to_owned()
                };
                let is_key = {
                    let mut k = i;
                    while k < bytes.len() && bytes[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    bytes.get(k) == Some(&b':')
                };
                if is_key {
                    pending = figure_of(&s).map(|f| (f, s));
                } else if let Some((fig, key)) = pending.take()
                    && s.trim().parse::<f64>().is_ok()
                    && fig.read(&s).is_none()
                {
                    return fail(start, line, line_start, fig, &key);
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                if let Some((fig, key)) = pending.take()
                    && fig.read(&text[start..i]).is_none()
                {
                    return fail(start, line, line_start, fig, &key);
                }
            }
            b'{' | b'[' | b't' | b'f' | b'n' => {
                pending = None;
                i += 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::error::PlanError;
    use crate::pg_json::parse;

    const PLAN: &str = r#"[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t",
  "Startup Cost": 0.00, "Total Cost": 1.00, "Plan Rows": 1, "Plan Width": 4,
  "Actual Startup Time": 0.010, "Actual Total Time": 0.020, "Actual Rows": 1,
  "Actual Loops": 1, "Shared Hit Blocks": 3, "Shared Read Blocks": 0},
  "Triggers": [{"Trigger Name": "trg", "Time": 0.5, "Calls": 1}],
  "JIT": {"Functions": 2, "Timing": {"Generation": {"Deform": 0.1, "Total": 0.2}, "Total": 1.0}},
  "Planning Time": 0.100, "Execution Time": 0.200}]"#;

    fn error(text: &str) -> (usize, usize, String) {
        match parse(text) {
            Err(PlanError::Syntax {
                line,
                column,
                expected,
            }) => (line, column, expected),
            other => panic!("expected an error for {text}, got {other:?}"),
        }
    }

    /// Issue 11, item 8: every number the reader takes is checked against what it measures,
    /// and the error names the value's line and column.
    #[test]
    fn impossible_numbers_name_line_and_column() {
        assert!(parse(PLAN).is_ok());
        let cases: &[(&str, &str, &str)] = &[
            (
                r#""Actual Loops": 1"#,
                r#""Actual Loops": -1"#,
                "a whole number from 0 to 18446744073709551615 for \"Actual Loops\"",
            ),
            (
                r#""Actual Loops": 1"#,
                r#""Actual Loops": 1.5"#,
                "\"Actual Loops\"",
            ),
            (
                r#""Actual Loops": 1"#,
                r#""Actual Loops": "-1""#,
                "\"Actual Loops\"",
            ),
            (
                r#""Actual Loops": 1"#,
                r#""Actual\u0020Loops": -1"#,
                "\"Actual Loops\"",
            ),
            (
                r#""Actual Total Time": 0.020"#,
                r#""Actual Total Time": 1e308"#,
                "a time from 0 to 1e12 ms (about 31.7 years) for \"Actual Total Time\"",
            ),
            (
                r#""Actual Total Time": 0.020"#,
                r#""Actual Total Time": -0.5"#,
                "\"Actual Total Time\"",
            ),
            (
                r#""Actual Total Time": 0.020"#,
                r#""Actual Total Time": "Infinity""#,
                "\"Actual Total Time\"",
            ),
            (
                r#""Execution Time": 0.200"#,
                r#""Execution Time": -5"#,
                "\"Execution Time\"",
            ),
            (
                r#""Planning Time": 0.100"#,
                r#""Planning Time": 1e13"#,
                "\"Planning Time\"",
            ),
            (
                r#""Actual Rows": 1"#,
                r#""Actual Rows": -1"#,
                "a number of rows from 0 to",
            ),
            (
                r#""Total Cost": 1.00"#,
                r#""Total Cost": 1e301"#,
                "a number from 0 to 1e300 for \"Total Cost\"",
            ),
            (r#""Plan Rows": 1"#, r#""Plan Rows": -1"#, "\"Plan Rows\""),
            (
                r#""Shared Hit Blocks": 3"#,
                r#""Shared Hit Blocks": 18446744073709551616"#,
                "\"Shared Hit Blocks\"",
            ),
            (r#""Time": 0.5"#, r#""Time": -0.5"#, "\"Time\""),
            (r#""Calls": 1"#, r#""Calls": -1"#, "\"Calls\""),
            (r#""Functions": 2"#, r#""Functions": 2.5"#, "\"Functions\""),
            (r#""Deform": 0.1"#, r#""Deform": -0.1"#, "\"Deform\""),
        ];
        for (from, to, msg) in cases {
            let text = PLAN.replacen(from, to, 1);
            let value = to.find(": ").unwrap() + 2;
            let at = text.find(to).unwrap() + value;
            let line = text[..at].matches('\n').count() + 1;
            let column = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
            let (l, c, e) = error(&text);
            assert_eq!((l, c), (line, column), "{to}: {e}");
            assert!(e.contains(msg), "{to}: {e}");
        }
        // A number too large for a float is serde_json's error, with its place.
        let (l, _, _) = error(&PLAN.replacen("0.020", "1e400", 1));
        assert_eq!(l, 3);
        // u64::MAX blocks, zero and PostgreSQL 18's fractional rows are fine.
        let plan = parse(
            &PLAN
                .replacen(
                    r#""Shared Hit Blocks": 3"#,
                    r#""Shared Hit Blocks": 18446744073709551615"#,
                    1,
                )
                .replacen(r#""Actual Rows": 1"#, r#""Actual Rows": 0.50"#, 1),
        )
        .unwrap();
        assert_eq!(plan.nodes[0].actual.unwrap().rows, 0.5);
        // Keys the reader does not take numbers from are not checked (kept as properties).
        assert!(
            parse(&PLAN.replacen(
                r#""Plan Width": 4"#,
                r#""Plan Width": 4, "Index Searches": -1"#,
                1
            ))
            .is_ok()
        );
    }
}
