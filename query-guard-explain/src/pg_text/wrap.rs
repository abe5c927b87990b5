//! Pass 1: logical lines. A line that a terminal or a mail client wrapped is glued back onto
//! the line it continues; what each line is (a node, a subplan header, a detail, a worker, a
//! trailer) is told apart here and in pass 2.

use super::names::unquote_all;
use crate::error::PlanError;
use crate::input::Line;
use crate::model::{Subplan, SubplanKind};

/// A line after wrapped pieces were joined back.
#[derive(Debug, Clone)]
pub(super) struct Logical {
    /// Line number of its first piece.
    pub(super) no: usize,
    /// Column (0-based, characters) where its text starts.
    pub(super) col: usize,
    /// The text, without its indentation.
    pub(super) text: String,
    /// Where each piece starts: (byte offset in `text`, line number, 0-based column in that
    /// line), so a position in `text` maps back to the input.
    pieces: Vec<(usize, usize, usize)>,
}

impl Logical {
    /// 1-based line and column of byte offset `at` in `text`.
    fn position(&self, at: usize) -> (usize, usize) {
        let at = at.min(self.text.len());
        let &(start, no, col) = self
            .pieces
            .iter()
            .rev()
            .find(|p| p.0 <= at)
            .unwrap_or(&(0, self.no, self.col));
        let chars = self.text.get(start..at).map_or(0, |s| s.chars().count());
        (no, col + chars + 1)
    }

    pub(super) fn error(&self, at: usize, expected: impl Into<String>) -> PlanError {
        let (line, column) = self.position(at);
        PlanError::syntax(line, column, expected)
    }
}

fn indent(s: &str) -> usize {
    s.chars().take_while(|c| c.is_whitespace()).count()
}

/// `InitPlan 1 (returns $0)`, `InitPlan 1`, `SubPlan 2`, `CTE name`.
pub(super) fn subplan_header(t: &str) -> Option<Subplan> {
    let numbered = |rest: &str| {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && {
            let after = &rest[digits..];
            after.is_empty() || (after.starts_with(" (returns ") && after.ends_with(')'))
        }
    };
    let kind = if let Some(rest) = t.strip_prefix("InitPlan ") {
        numbered(rest).then_some(SubplanKind::InitPlan)?
    } else if let Some(rest) = t.strip_prefix("SubPlan ") {
        numbered(rest).then_some(SubplanKind::SubPlan)?
    } else if let Some(rest) = t.strip_prefix("CTE ") {
        (!rest.is_empty() && !rest.contains(':')).then_some(SubplanKind::Cte)?
    } else {
        return None;
    };
    let name = match kind {
        // JSON's "Subplan Name" has the CTE's name unquoted.
        SubplanKind::Cte => format!("CTE {}", unquote_all(&t[4..])),
        _ => t.to_owned(),
    };
    Some(Subplan { kind, name })
}

/// `Key: value` with a key as PostgreSQL prints them (`Rows Removed by Filter`, `I/O Timings`,
/// `Full-sort Groups`).
pub(super) fn key_of(t: &str) -> Option<&str> {
    let colon = t.find(':')?;
    let key = &t[..colon];
    let after = &t[colon + 1..];
    let ok = !key.is_empty()
        && key.len() <= 40
        && key.starts_with(|c: char| c.is_ascii_uppercase())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '/' | '-' | '_'))
        && !key.ends_with(' ')
        && (after.is_empty() || after.starts_with(' '));
    ok.then_some(key)
}

/// Keys PostgreSQL prints only after another on the same line (`Batches: 1  Memory Usage: 9kB`):
/// a line starting with one is the rest of a cut line.
const SECOND_KEYS: &[&str] = &[
    "Memory Usage",
    "Disk Usage",
    "Memory",
    "Disk",
    "Misses",
    "Evictions",
    "Overflows",
    "Average Memory",
    "Peak Memory",
    "Average Disk",
    "Peak Disk",
];

/// Detail keys PostgreSQL prints first on a line, to tell a key cut in two ("Rows Removed by
/// Fil" / "ter: 5") from one broken at a space.
const KNOWN_KEYS: &[&str] = &[
    "Index Cond",
    "Recheck Cond",
    "TID Cond",
    "Merge Cond",
    "Hash Cond",
    "Join Filter",
    "One-Time Filter",
    "Filter",
    "Rows Removed by Filter",
    "Rows Removed by Join Filter",
    "Rows Removed by Index Recheck",
    "Heap Fetches",
    "Heap Blocks",
    "Sort Method",
    "Sort Key",
    "Presorted Key",
    "Group Key",
    "Hash Key",
    "Output",
    "Buckets",
    "Batches",
    "Planned Partitions",
    "Hits",
    "Cache Key",
    "Cache Mode",
    "Workers Planned",
    "Workers Launched",
    "Buffers",
    "I/O Timings",
    "WAL",
    "Full-sort Groups",
    "Pre-sorted Groups",
    "Order By",
    "Index Searches",
    "Disabled",
    "Single Copy",
    "Inner Unique",
    "Run Condition",
    "Subplans Removed",
    "Remote SQL",
    "Planning Time",
    "Execution Time",
    "Functions",
    "Options",
    "Timing",
    "Settings",
];

pub(super) fn is_worker(t: &str) -> bool {
    t.strip_prefix("Worker ").is_some_and(|r| {
        let d = r.chars().take_while(char::is_ascii_digit).count();
        d > 0 && r[d..].starts_with(':')
    })
}

/// What may follow a plan's tree, at the root's indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trailer {
    PlanningTime,
    ExecutionTime,
    Planning,
    Jit,
    Settings,
    Trigger,
    /// `Query Identifier`, `Serialization` and others: read past.
    Other,
}

pub(super) fn trailer(t: &str) -> Option<Trailer> {
    let key = key_of(t);
    Some(match key? {
        "Planning Time" | "Planning time" => Trailer::PlanningTime,
        "Execution Time" | "Execution time" | "Total runtime" => Trailer::ExecutionTime,
        "Planning" if t.len() == "Planning:".len() => Trailer::Planning,
        "JIT" if t.len() == "JIT:".len() => Trailer::Jit,
        "Settings" => Trailer::Settings,
        "Query Identifier" | "Serialization" => Trailer::Other,
        _ if t.starts_with("Trigger ") && (t.contains(": time=") || t.contains(": calls=")) => {
            Trailer::Trigger
        }
        _ => return None,
    })
}

/// `Trigger name…: time=…`: the key test above stops at the first colon, so triggers are tested
/// apart.
pub(super) fn is_trigger(t: &str) -> bool {
    t.starts_with("Trigger ") && (t.contains(": time=") || t.contains(": calls="))
}

/// Whether a line looks like a node line of a further plan (after a plan's trailers).
fn looks_like_node(t: &str) -> bool {
    t.contains(" (cost=") || t.contains(" (actual ") || t.ends_with(" (never executed)")
}

/// State of pass 1: enough of the tree's shape to tell a line that starts something from one
/// that continues the line before.
struct Shape {
    root_col: usize,
    node_col: usize,
    after_trailer: bool,
}

impl Shape {
    fn starts(&self, t: &str, col: usize, next_is_node: bool) -> bool {
        if t.starts_with("->") {
            return true;
        }
        if next_is_node && subplan_header(t).is_some() {
            return true;
        }
        // "Trigger " alone: a long trigger line may be cut before its ": time=".
        if col <= self.node_col && (trailer(t).is_some() || t.starts_with("Trigger ")) {
            return true;
        }
        if col > self.node_col
            && (is_worker(t) || key_of(t).is_some_and(|k| !SECOND_KEYS.contains(&k)))
        {
            return true;
        }
        self.after_trailer && col <= self.root_col && looks_like_node(t)
    }

    fn update(&mut self, t: &str, col: usize) {
        if t.starts_with("->") {
            self.node_col = col;
        } else if col <= self.node_col && (trailer(t).is_some() || t.starts_with("Trigger ")) {
            self.after_trailer = true;
            self.node_col = self.root_col;
        } else if self.after_trailer && col <= self.root_col && looks_like_node(t) {
            self.after_trailer = false;
            self.node_col = col;
        }
    }
}

/// Pass 1: joins wrapped lines back (see the module docs).
///
/// How: a terminal cuts lines at a fixed width and loses nothing (but a space at the end of a
/// piece, trimmed), so when every line that is continued is as long as the longest line (or two
/// shorter), the full ones are glued as they are; a mail client breaks at a space and drops it,
/// so otherwise pieces are joined with one space.
pub(super) fn join_wrapped(lines: &[Line]) -> Vec<Logical> {
    let lines: Vec<&Line> = lines.iter().filter(|l| !l.text.trim().is_empty()).collect();
    let Some(first) = lines.first() else {
        return Vec::new();
    };
    let mut shape = Shape {
        root_col: indent(&first.text),
        node_col: indent(&first.text),
        after_trailer: false,
    };
    let next_is_node = |i: usize| {
        lines
            .get(i + 1)
            .is_some_and(|l| l.text.trim_start().starts_with("->"))
    };
    let mut starts = Vec::with_capacity(lines.len());
    // Lines to glue on without a space (the rest of a cut key).
    let mut tight = std::collections::HashSet::new();
    for (i, line) in lines.iter().enumerate() {
        let col = indent(&line.text);
        let t = line.text.trim_start();
        let mut start = i == 0 || shape.starts(t, col, next_is_node(i));
        if !start && let Some(next) = lines.get(i + 1) {
            // A key cut in two ("Rows Removed by Fil" / "ter: 5"): the line starts something if
            // it does with the next one glued on, and the next one starts nothing itself.
            let next_t = next.text.trim_start();
            if !shape.starts(next_t, indent(&next.text), next_is_node(i + 1)) {
                let spaced = format!("{t} {next_t}");
                let glued = format!("{t}{}", next.text);
                let known = |s: &str| key_of(s).is_some_and(|k| KNOWN_KEYS.contains(&k));
                let nn = next_is_node(i + 1);
                if known(&glued) && !known(&spaced) {
                    start = true;
                    tight.insert(i + 1);
                } else {
                    start = shape.starts(&spaced, col, nn);
                }
            }
        }
        if start {
            shape.update(t, col);
        }
        starts.push(start);
    }
    let len = |l: &Line| l.text.chars().count();
    let width = lines.iter().map(|l| len(l)).max().unwrap_or(0);
    // A piece that ended in spaces lost them to trimming (PostgreSQL prints at most two in a
    // row): up to two short of the width is a cut too.
    let cut_at_width = (1..lines.len())
        .filter(|&i| !starts[i] && !tight.contains(&i))
        .all(|i| len(lines[i - 1]) + 2 >= width);
    let mut out: Vec<Logical> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let col = indent(&line.text);
        match out.last_mut() {
            Some(last) if !starts[i] => {
                let raw = line.text.as_str();
                let piece = if tight.contains(&i) || (cut_at_width && len(lines[i - 1]) == width) {
                    raw
                } else {
                    last.text.push(' ');
                    raw.trim_start()
                };
                let start = last.text.len();
                last.pieces
                    .push((start, line.no, raw.chars().count() - piece.chars().count()));
                last.text.push_str(piece);
            }
            _ => out.push(Logical {
                no: line.no,
                col,
                text: line.text.trim_start().to_owned(),
                pieces: vec![(0, line.no, col)],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{PAIRS, comparable, text};
    use crate::model::{Format, Plan};

    /// What two runs of one plan share: each node's label, parent, estimate, conditions and
    /// properties (actual rows and buffers of parallel plans vary from run to run).
    fn shape(plan: &Plan) -> Vec<String> {
        plan.nodes
            .iter()
            .map(|n| {
                let mut props = n.properties.clone();
                props.sort();
                format!(
                    "{} <- {:?} {:?} {:?} {:?} {:?}",
                    n.label(),
                    n.parent,
                    n.estimate,
                    n.conditions,
                    props,
                    n.sort.as_ref().map(|s| &s.method)
                )
            })
            .collect()
    }

    #[test]
    fn psql_table_formats_read_like_the_plain_plan() {
        let plain = shape(&text(include_str!("../testdata/pasted_aligned.txt")).unwrap());
        assert_eq!(plain.len(), 5);
        for (name, input) in [
            ("wrapped", include_str!("../testdata/pasted_wrapped.txt")),
            (
                "wrapped unicode",
                include_str!("../testdata/pasted_wrapped_unicode.txt"),
            ),
            (
                "wrapped border 2",
                include_str!("../testdata/pasted_wrapped_border2.txt"),
            ),
            (
                "wrapped border 2 unicode",
                include_str!("../testdata/pasted_wrapped_border2_unicode.txt"),
            ),
            (
                "wrapped border 0",
                include_str!("../testdata/pasted_wrapped_border0.txt"),
            ),
            ("border 2", include_str!("../testdata/pasted_border2.txt")),
            (
                "unaligned",
                include_str!("../testdata/pasted_unaligned.txt"),
            ),
        ] {
            let plan = text(input).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(shape(&plan), plain, "{name}");
            assert!(
                plan.planning_ms.is_some() && plan.execution_ms.is_some(),
                "{name}"
            );
            assert!(plan.planning_buffers.is_some(), "{name}");
        }
        for input in [
            include_str!("../testdata/pasted_json_border2.txt"),
            include_str!("../testdata/pasted_json_wrapped.txt"),
        ] {
            let plan = crate::read::parse(input).unwrap();
            assert_eq!(plan.format, Format::PostgresJson);
            assert_eq!(plan.nodes[0].relation.as_deref(), Some("qg_txt_orders"));
        }
    }

    #[test]
    fn leading_spaces_crlf_and_psql_margins() {
        let base = comparable(&text(include_str!("../testdata/subplans.txt")).unwrap());
        let indented: String = include_str!("../testdata/subplans.txt")
            .lines()
            .map(|l| format!("    {l}\r\n"))
            .collect();
        assert_eq!(comparable(&text(&indented).unwrap()), base);
        let psql = format!(
            "                QUERY PLAN\n------------------------------\n{}(42 rows)\n\n",
            include_str!("../testdata/subplans.txt")
                .lines()
                .map(|l| format!(" {l}\n"))
                .collect::<String>()
        );
        assert_eq!(comparable(&text(&psql).unwrap()), base);
    }

    /// Cuts every line longer than `width` into pieces of `width` characters, as a terminal
    /// does.
    fn hard_wrap(s: &str, width: usize) -> String {
        let mut out = String::new();
        for line in s.lines() {
            let chars: Vec<char> = line.chars().collect();
            for piece in chars.chunks(width) {
                out.extend(piece);
                out.push('\n');
            }
        }
        out
    }

    /// Breaks lines longer than `width` at the last space before it, dropping the space, as a
    /// mail client does.
    fn word_wrap(s: &str, width: usize) -> String {
        let mut out = String::new();
        for line in s.lines() {
            let mut rest = line;
            while rest.chars().count() > width {
                let cut: usize = rest.char_indices().nth(width).map_or(rest.len(), |c| c.0);
                match rest[..cut]
                    .rfind(' ')
                    .filter(|&i| i > rest.len() - rest.trim_start().len())
                {
                    Some(i) => {
                        out.push_str(&rest[..i]);
                        out.push('\n');
                        rest = &rest[i + 1..];
                    }
                    None => break,
                }
            }
            out.push_str(rest);
            out.push('\n');
        }
        out
    }

    #[test]
    fn wrapped_lines_are_joined_back() {
        for name in [
            "seq_filter",
            "subplans",
            "parallel",
            "hashagg_spill",
            "update_verbose",
        ] {
            let (_, txt, _) = PAIRS.iter().find(|p| p.0 == name).unwrap();
            let base = comparable(&text(txt).unwrap());
            for width in [41, 50, 57, 64, 77, 80, 99] {
                let wrapped = hard_wrap(txt, width);
                let plan = text(&wrapped).unwrap_or_else(|e| panic!("{name} at {width}: {e}"));
                assert_eq!(comparable(&plan), base, "{name} cut at {width}");
                let wrapped = word_wrap(txt, width);
                let plan =
                    text(&wrapped).unwrap_or_else(|e| panic!("{name} wrapped at {width}: {e}"));
                let plan = comparable(&plan);
                for (a, b) in plan.nodes.iter().zip(&base.nodes) {
                    assert_eq!(a, b, "{name} word-wrapped at {width}");
                }
                assert_eq!(plan, base, "{name} word-wrapped at {width}");
            }
        }
        // A break inside the cost group, at a space, and a cut key.
        let plan = text(
            "Seq Scan on t  (cost=0.00..1.00 rows=1\nwidth=4) (actual time=0.010..0.011 rows=1 loops=1)\n  Filter: ((a = 1) AND\n(b = 2))\n  Rows Removed by Fil\nter: 7\n",
        )
        .unwrap();
        let n = &plan.nodes[0];
        assert_eq!(n.estimate.unwrap().width, 4.0);
        assert_eq!(n.condition("Filter"), Some("((a = 1) AND (b = 2))"));
        assert_eq!(n.rows_removed_by_filter, Some(7.0));
    }
}
