//! # PostgreSQL text-format plans
//!
//! Reads `EXPLAIN` in its default text format, PostgreSQL 12 to 18, into the same [`Plan`] the
//! JSON reader builds for the same plan: node names are split into the JSON parts
//! (`HashAggregate` → `Aggregate` + strategy `Hashed`, `Hash Left Join` → `Hash Join` + join
//! type `Left`), detail lines get their JSON key names, and where the text format leaves out what
//! JSON always prints (zero counts, the alias equal to the table name, …) the JSON value is
//! filled in, each case documented in [`fill_json_defaults`].
//!
//! The reader works line by line, in two linear passes and without recursion:
//!
//! 1. [`join_wrapped`] glues lines that a terminal or a mail client wrapped back onto the line
//!    they continue: a line that cannot start anything (a `->` node, a subplan header, a
//!    `Key: value` detail deeper than its node, a `Worker N:` line, a trailer such as
//!    `Planning Time:`) continues the one before it.
//! 2. [`Reader`] builds the tree: a node at column `c` is the child of the nearest node above it
//!    whose column is less than `c`, kept on a stack of (column, node index).
//!
//! Errors name the line and column and what was expected there, never the text itself.

use super::error::PlanError;
use super::input::Line;
use super::model::{
    Actual, Buffers, Condition, Engine, Estimate, Figure, Format, HashInfo, Jit, Node, Plan,
    SortInfo, Subplan, SubplanKind, Trigger, Wal,
};

/// Parses a text plan.
pub(crate) fn parse(lines: &[Line]) -> Result<Plan, PlanError> {
    let logical = join_wrapped(lines);
    let first = logical.first().ok_or(PlanError::Empty)?;
    let mut reader = Reader::new(first.col);
    for line in &logical {
        reader.line(line)?;
    }
    reader.finish(first.no)
}

// ---------------------------------------------------------------------------------------------
// Pass 1: logical lines
// ---------------------------------------------------------------------------------------------

/// A line after wrapped pieces were joined back.
#[derive(Debug, Clone)]
struct Logical {
    /// Line number of its first piece.
    no: usize,
    /// Column (0-based, characters) where its text starts.
    col: usize,
    /// The text, without its indentation.
    text: String,
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

    fn error(&self, at: usize, expected: impl Into<String>) -> PlanError {
        let (line, column) = self.position(at);
        PlanError::syntax(line, column, expected)
    }
}

fn indent(s: &str) -> usize {
    s.chars().take_while(|c| c.is_whitespace()).count()
}

/// `InitPlan 1 (returns $0)`, `InitPlan 1`, `SubPlan 2`, `CTE name`.
fn subplan_header(t: &str) -> Option<Subplan> {
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
fn key_of(t: &str) -> Option<&str> {
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

fn is_worker(t: &str) -> bool {
    t.strip_prefix("Worker ").is_some_and(|r| {
        let d = r.chars().take_while(char::is_ascii_digit).count();
        d > 0 && r[d..].starts_with(':')
    })
}

/// What may follow a plan's tree, at the root's indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trailer {
    PlanningTime,
    ExecutionTime,
    Planning,
    Jit,
    Settings,
    Trigger,
    /// `Query Identifier`, `Serialization` and others: read past.
    Other,
}

fn trailer(t: &str) -> Option<Trailer> {
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
fn is_trigger(t: &str) -> bool {
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
fn join_wrapped(lines: &[Line]) -> Vec<Logical> {
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

// ---------------------------------------------------------------------------------------------
// Node lines
// ---------------------------------------------------------------------------------------------

/// A cursor over a node line's cost and actual groups.
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

type Expect = (usize, &'static str);

/// An error in a node line's groups: where, and what was expected.
type GroupError = (usize, String);

impl Cursor<'_> {
    fn ws(&mut self) {
        while self.s[self.pos..].starts_with([' ', '\t']) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.pos..].starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, lit: &str, what: &'static str) -> Result<(), GroupError> {
        self.ws();
        if self.eat(lit) {
            Ok(())
        } else {
            Err((self.pos, what.to_owned()))
        }
    }

    /// A number that `fig` can be: `what` is what was expected when there is no number,
    /// `name` says which figure it is when the number is not a possible one (a negative time).
    fn num(&mut self, fig: Figure, what: &'static str, name: &str) -> Result<f64, GroupError> {
        let rest = &self.s[self.pos..];
        let mut len = 0;
        let mut dot = false;
        for (i, c) in rest.char_indices() {
            match c {
                '0'..='9' => len = i + 1,
                '-' if i == 0 => len = 1,
                // "0.00..1.00": a dot followed by another dot ends the number.
                '.' if !dot && !rest[i + 1..].starts_with('.') => {
                    dot = true;
                    len = i + 1;
                }
                _ => break,
            }
        }
        let text = &rest[..len];
        if !(text.parse::<f64>().is_ok() && text.ends_with(|c: char| c.is_ascii_digit())) {
            return Err((self.pos, what.to_owned()));
        }
        match fig.read(text) {
            Some(v) => {
                self.pos += len;
                Ok(v)
            }
            None => Err((self.pos, format!("{} ({name})", fig.expected()))),
        }
    }
}

/// The cost and actual groups of a node line.
#[derive(Default)]
struct Groups {
    estimate: Option<Estimate>,
    actual: Option<Actual>,
    never_executed: bool,
}

fn groups(s: &str, start: usize) -> Result<Groups, GroupError> {
    let mut c = Cursor { s, pos: start };
    let mut g = Groups::default();
    loop {
        c.ws();
        if c.pos >= s.len() {
            return Ok(g);
        }
        if g.estimate.is_none() && g.actual.is_none() && !g.never_executed && c.eat("(cost=") {
            let startup_cost = c.num(
                Figure::Estimate,
                "a number (the startup cost) after `cost=`",
                "the startup cost",
            )?;
            c.expect("..", "`..` between the startup and the total cost")?;
            let total_cost = c.num(
                Figure::Estimate,
                "a number (the total cost) after `..`",
                "the total cost",
            )?;
            c.expect("rows=", "`rows=` after the total cost")?;
            let rows = c.num(
                Figure::Estimate,
                "a number after `rows=`",
                "the estimated rows",
            )?;
            c.expect("width=", "`width=` after the estimated rows")?;
            let width = c.num(Figure::Count, "a number after `width=`", "the width")?;
            c.expect(")", "`)` closing the cost group")?;
            g.estimate = Some(Estimate {
                startup_cost,
                total_cost,
                rows,
                width,
            });
        } else if g.actual.is_none() && !g.never_executed && c.eat("(actual") {
            c.ws();
            let (mut startup_ms, mut total_ms) = (None, None);
            if c.eat("time=") {
                startup_ms = Some(c.num(
                    Figure::Ms,
                    "a number (the startup time) after `time=`",
                    "the startup time",
                )?);
                c.expect("..", "`..` between the startup and the total time")?;
                total_ms = Some(c.num(
                    Figure::Ms,
                    "a number (the total time) after `..`",
                    "the total time",
                )?);
            }
            c.expect("rows=", "`rows=` in the actual group")?;
            let rows = c.num(Figure::Rows, "a number after `rows=`", "the actual rows")?;
            c.expect("loops=", "`loops=` after the actual rows")?;
            let loops = c.num(Figure::Count, "a number after `loops=`", "the loops")?;
            c.expect(")", "`)` closing the actual group")?;
            g.actual = Some(Actual {
                startup_ms,
                total_ms,
                rows,
                loops,
            });
        } else if g.actual.is_none() && !g.never_executed && c.eat("(never executed)") {
            g.never_executed = true;
        } else {
            let what = if g.actual.is_some() || g.never_executed {
                "the end of the node line"
            } else if g.estimate.is_some() {
                "`(actual …)`, `(never executed)` or the end of the node line"
            } else {
                "`(cost=…)`, `(actual …)` or `(never executed)`"
            };
            return Err((c.pos, what.to_owned()));
        }
    }
}

/// Where a node line's groups start: the first ` (` outside double quotes that is not part of
/// `Custom Scan (Provider)`.
fn groups_start(s: &str) -> Option<usize> {
    let mut quoted = false;
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'(' if !quoted && i > 0 && bytes[i - 1] == b' ' => {
                if s[..i].ends_with("Custom Scan ") {
                    continue;
                }
                return Some(i - 1);
            }
            _ => {}
        }
    }
    None
}

/// Reads an identifier as `quote_identifier` prints it: `"…"` with `""` for a quote, or a bare
/// word. Returns it unquoted and the bytes read.
fn ident(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().is_some_and(|&(_, n)| n == '"') {
                    chars.next();
                    out.push('"');
                } else {
                    return Some((out, i + 2));
                }
            } else {
                out.push(c);
            }
        }
        None
    } else {
        let len = s.find([' ', '.', '"']).unwrap_or(s.len());
        (len > 0).then(|| (s[..len].to_owned(), len))
    }
}

/// Unquotes a whole name as printed (`"*VALUES*"` → `*VALUES*`); bare text is kept.
fn unquote_all(s: &str) -> String {
    match ident(s) {
        Some((name, len)) if len == s.len() => name,
        _ => s.to_owned(),
    }
}

/// ` on [schema.]name [alias]` after a node name.
struct Target {
    schema: Option<String>,
    name: String,
    alias: Option<String>,
}

fn target(s: &str) -> Option<Target> {
    let (first, n) = ident(s)?;
    let mut rest = &s[n..];
    let (schema, name) = if let Some(r) = rest.strip_prefix('.') {
        let (second, n) = ident(r)?;
        rest = &r[n..];
        (Some(first), second)
    } else {
        (None, first)
    };
    let alias = if let Some(r) = rest.strip_prefix(' ') {
        let (alias, n) = ident(r)?;
        if n != r.len() {
            return None;
        }
        Some(alias)
    } else if rest.is_empty() {
        None
    } else {
        return None;
    };
    Some(Target {
        schema,
        name,
        alias,
    })
}

/// Node names of every PostgreSQL version from 12 to 18 that take no `on` or `using` part, or
/// take one the generic reading handles (a relation, function, CTE or alias).
const KINDS: &[&str] = &[
    "Result",
    "ProjectSet",
    "Append",
    "Merge Append",
    "Recursive Union",
    "BitmapAnd",
    "BitmapOr",
    "Seq Scan",
    "Sample Scan",
    "Gather",
    "Gather Merge",
    "Bitmap Heap Scan",
    "Tid Scan",
    "Tid Range Scan",
    "Subquery Scan",
    "Function Scan",
    "Table Function Scan",
    "Values Scan",
    "CTE Scan",
    "Named Tuplestore Scan",
    "WorkTable Scan",
    "Materialize",
    "Memoize",
    "Result Cache",
    "Sort",
    "Incremental Sort",
    "Group",
    "WindowAgg",
    "Unique",
    "LockRows",
    "Limit",
    "Hash",
];

const JOIN_TYPES: &[&str] = &[
    "Left",
    "Full",
    "Right",
    "Semi",
    "Anti",
    "Right Semi",
    "Right Anti",
];

/// Splits a node name into the JSON parts. `Err` holds the byte offset where it stops making
/// sense and what was expected there; `Ok(false)` means the name is not one PostgreSQL prints
/// (read generically, which is fine for a `->` line but not for a first line).
fn label(node: &mut Node, s: &str) -> Result<bool, Expect> {
    let mut rest = s;
    let mut at = 0usize;
    fn skip(rest: &mut &str, at: &mut usize, p: &str) -> bool {
        if let Some(r) = rest.strip_prefix(p) {
            *rest = r;
            *at += p.len();
            true
        } else {
            false
        }
    }
    node.parallel_aware = skip(&mut rest, &mut at, "Parallel ");
    node.async_capable = skip(&mut rest, &mut at, "Async ");
    for mode in ["Partial ", "Finalize "] {
        if rest.ends_with("Aggregate") && skip(&mut rest, &mut at, mode) {
            node.partial_mode = Some(mode.trim_end().to_owned());
        }
    }
    // The node name, and what may follow it.
    let aggregates = [
        "HashAggregate",
        "GroupAggregate",
        "MixedAggregate",
        "Aggregate",
    ];
    let (known, after) = if let Some(r) = aggregates.iter().find(|k| rest == **k) {
        node.kind = "Aggregate".into();
        node.strategy = Some(
            match *r {
                "HashAggregate" => "Hashed",
                "GroupAggregate" => "Sorted",
                "MixedAggregate" => "Mixed",
                _ => "Plain",
            }
            .into(),
        );
        (true, "")
    } else if let Some(cmd) = rest
        .strip_prefix("HashSetOp ")
        .or_else(|| rest.strip_prefix("SetOp "))
    {
        node.kind = "SetOp".into();
        node.strategy = Some(
            if rest.starts_with("Hash") {
                "Hashed"
            } else {
                "Sorted"
            }
            .into(),
        );
        node.operation = Some(cmd.to_owned());
        (true, "")
    } else if rest == "Nested Loop" || rest.starts_with("Nested Loop ") {
        node.kind = "Nested Loop".into();
        let tail = &rest["Nested Loop".len()..];
        let jt = if tail.is_empty() {
            "Inner"
        } else {
            tail.strip_prefix(' ')
                .and_then(|t| t.strip_suffix(" Join"))
                .filter(|j| JOIN_TYPES.contains(j))
                .ok_or((
                    at + "Nested Loop".len(),
                    "a join type (`Left`, `Semi`, …) and `Join`",
                ))?
        };
        node.join_type = Some(jt.to_owned());
        (true, "")
    } else if let Some((method, jt)) = ["Hash ", "Merge "].iter().find_map(|m| {
        let r = rest.strip_prefix(m)?.strip_suffix("Join")?;
        let jt = r.trim_end();
        (jt.is_empty() || JOIN_TYPES.contains(&jt)).then_some((m.trim_end(), jt))
    }) {
        node.kind = format!("{method} Join");
        node.join_type = Some(if jt.is_empty() { "Inner" } else { jt }.to_owned());
        (true, "")
    } else if let Some(r) = ["Index Only Scan", "Index Scan"]
        .iter()
        .find(|k| rest.starts_with(**k) && rest[k.len()..].starts_with(' '))
    {
        node.kind = (*r).into();
        let mut tail = &rest[r.len()..];
        at += r.len();
        if let Some(t) = tail.strip_prefix(" Backward") {
            node.direction = Some("Backward".into());
            tail = t;
            at += " Backward".len();
        }
        let Some(t) = tail.strip_prefix(" using ") else {
            return Err((at, "` using ` and the index name"));
        };
        at += " using ".len();
        let Some((index, n)) = ident(t) else {
            return Err((at, "an index name"));
        };
        node.index = Some(index);
        at += n;
        (true, &t[n..])
    } else if let Some(t) = rest.strip_prefix("Bitmap Index Scan") {
        node.kind = "Bitmap Index Scan".into();
        at += "Bitmap Index Scan".len();
        let Some(t) = t.strip_prefix(" on ") else {
            return Err((at, "` on ` and the index name"));
        };
        at += 4;
        match ident(t) {
            Some((index, n)) if n == t.len() => node.index = Some(index),
            _ => return Err((at, "an index name")),
        }
        (true, "")
    } else if let Some(t) = rest.strip_prefix("Custom Scan (") {
        node.kind = "Custom Scan".into();
        let Some(close) = t.find(')') else {
            return Err((at + rest.len(), "`)` after the custom scan provider"));
        };
        node.operation = Some(t[..close].to_owned());
        at += "Custom Scan (".len() + close + 1;
        (true, &t[close + 1..])
    } else if let Some((op, t)) = ["Scan", "Insert", "Update", "Delete"]
        .iter()
        .find_map(|op| {
            let t = rest.strip_prefix("Foreign ")?.strip_prefix(op)?;
            (t.is_empty() || t.starts_with(' ')).then_some((op, t))
        })
    {
        // JSON prints "Operation": "Select" for plain foreign scans.
        node.kind = "Foreign Scan".into();
        node.operation = Some(if *op == "Scan" { "Select" } else { op }.to_string());
        at += rest.len() - t.len();
        (true, t)
    } else if let Some((op, t)) = ["Insert", "Update", "Delete", "Merge"]
        .iter()
        .find_map(|op| {
            let t = rest.strip_prefix(op)?;
            t.starts_with(" on ").then_some((op, t))
        })
    {
        node.kind = "ModifyTable".into();
        node.operation = Some((*op).to_owned());
        at += op.len();
        (true, t)
    } else {
        // Generic: "Kind" or "Kind on target".
        let (kind, t) = match find_unquoted(rest, " on ") {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if kind.is_empty()
            || !kind
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        {
            return Err((at, "a plan node name"));
        }
        node.kind = kind.to_owned();
        at += kind.len();
        (KINDS.contains(&kind), t)
    };
    if after.is_empty() {
        return Ok(known);
    }
    let Some(t) = after.strip_prefix(" on ") else {
        return Err((at, "` on ` and a relation, or the end of the node name"));
    };
    at += 4;
    let Some(tg) = target(t) else {
        return Err((at, "a relation name and an optional alias"));
    };
    match node.kind.as_str() {
        // These print their alias only (JSON: "Alias", no object name).
        "Subquery Scan" | "Values Scan" if tg.schema.is_none() && tg.alias.is_none() => {
            node.alias = Some(tg.name);
        }
        _ => {
            node.alias = Some(tg.alias.unwrap_or_else(|| tg.name.clone()));
            node.relation = Some(tg.name);
            node.schema = tg.schema;
        }
    }
    Ok(known)
}

fn find_unquoted(s: &str, pat: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && s[i..].starts_with(pat) {
            return Some(i);
        }
    }
    None
}

/// Reads a node line; `start` is the byte offset of the name (after `->` and spaces).
/// `Ok(None)` when the line is not a node PostgreSQL prints and `strict` is off.
fn node_line(line: &Logical, start: usize, strict: bool) -> Result<Option<Node>, PlanError> {
    let s = &line.text;
    let end = groups_start(&s[start..]).map_or(s.len(), |i| start + i);
    let name = s[start..end].trim_end();
    let g = groups(s, end).map_err(|(at, what)| line.error(at, what))?;
    let mut node = Node::default();
    let known = match label(&mut node, name) {
        Ok(known) => known,
        Err(_) if !strict && g.estimate.is_none() && g.actual.is_none() && !g.never_executed => {
            return Ok(None);
        }
        Err((at, what)) => return Err(line.error(start + at, what)),
    };
    let has_groups = g.estimate.is_some() || g.actual.is_some() || g.never_executed;
    if !strict && !known && !has_groups {
        return Ok(None);
    }
    node.estimate = g.estimate;
    node.actual = g.actual;
    node.never_executed = g.never_executed;
    Ok(Some(node))
}

// ---------------------------------------------------------------------------------------------
// Details
// ---------------------------------------------------------------------------------------------

use super::model::CONDITION_KINDS as CONDITIONS;

/// The number at the start of `s` (after spaces), without its unit (`82` of `82kB`, `0.4` of
/// `0.4 ms`).
fn lead_text(s: &str) -> &str {
    let s = s.trim_start();
    let b = s.as_bytes();
    let mut len = 0;
    while len < b.len() {
        let exponent = matches!(b[len], b'e' | b'E')
            && len > 0
            && match b.get(len + 1) {
                Some(b'-' | b'+') => b.get(len + 2).is_some_and(u8::is_ascii_digit),
                Some(d) => d.is_ascii_digit(),
                None => false,
            };
        if exponent {
            len += 2;
        } else if b[len].is_ascii_digit() || matches!(b[len], b'.' | b'-') {
            len += 1;
        } else {
            break;
        }
    }
    &s[..len]
}

/// The byte offset of `inner` in `outer` when `inner` is a slice of it (as every value the
/// detail readers take is of its line), else 0.
fn offset_in(outer: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize)
        .checked_sub(outer.as_ptr() as usize)
        .filter(|&at| at <= outer.len())
        .unwrap_or(0)
}

/// Reads the numbers of one line's details and trailers, checking each against what it
/// measures. A number that is not there (a cut line) reads as `None`, as before; one that is
/// there but impossible (`Heap Fetches: -3`) also reads as `None`, and the first such is kept
/// with its place in the line, for [`Nums::finish`] to report.
struct Nums<'a> {
    /// The line the values are slices of.
    line: &'a str,
    error: Option<(usize, String)>,
}

impl<'a> Nums<'a> {
    fn new(line: &'a str) -> Self {
        Nums { line, error: None }
    }

    /// The number at the start of `s` (a slice of the line), if it is one `fig` can be.
    fn get(&mut self, s: &str, fig: Figure, name: &str) -> Option<f64> {
        let text = lead_text(s);
        text.parse::<f64>().ok()?;
        let v = fig.read(text);
        if v.is_none() && self.error.is_none() {
            let at = offset_in(self.line, text);
            self.error = Some((at, format!("{} ({name})", fig.expected())));
        }
        v
    }

    /// The error of the first impossible number, placed in `line`.
    fn finish(self, line: &Logical) -> Result<(), PlanError> {
        match self.error {
            Some((at, expected)) => {
                let base = offset_in(&line.text, self.line);
                Err(line.error(base + at, expected))
            }
            None => Ok(()),
        }
    }
}

/// The `Key: value` parts of a line that prints several (`Buckets: 1024  Batches: 1  Memory
/// Usage: 9kB`), found by their known keys so a lost double space does not matter.
fn segments<'a>(t: &'a str, keys: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut found: Vec<(usize, &str)> = Vec::new();
    for key in keys {
        let mut from = 0;
        while let Some(i) = t[from..].find(key).map(|i| i + from) {
            let boundary = i == 0 || t[..i].ends_with(' ');
            if boundary && t[i + key.len()..].starts_with(':') {
                found.push((i, key));
            }
            from = i + key.len();
        }
    }
    found.sort_unstable();
    found.dedup_by_key(|f| f.0);
    let mut out = Vec::with_capacity(found.len());
    for (n, &(i, key)) in found.iter().enumerate() {
        let end = found.get(n + 1).map_or(t.len(), |f| f.0);
        let value = t.get(i + key.len() + 1..end).unwrap_or("").trim();
        out.push((key, value));
    }
    out
}

/// `k=v k=v` pairs: the key and the value's text.
fn pairs(s: &str) -> impl Iterator<Item = (&str, &str)> {
    s.split_whitespace().filter_map(|w| w.split_once('='))
}

fn read_buffers(value: &str, b: &mut Buffers, nums: &mut Nums<'_>) {
    for part in value.split(',') {
        let mut words = part.trim().splitn(2, ' ');
        let (scope, rest) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        for (k, v) in pairs(rest) {
            let Some(v) = nums.get(v, Figure::Count, "a block count") else {
                continue;
            };
            match (scope, k) {
                ("shared", "hit") => b.shared_hit = v,
                ("shared", "read") => b.shared_read = v,
                ("shared", "dirtied") => b.shared_dirtied = v,
                ("shared", "written") => b.shared_written = v,
                ("local", "hit") => b.local_hit = v,
                ("local", "read") => b.local_read = v,
                ("local", "dirtied") => b.local_dirtied = v,
                ("local", "written") => b.local_written = v,
                ("temp", "read") => b.temp_read = v,
                ("temp", "written") => b.temp_written = v,
                _ => {}
            }
        }
    }
}

/// `read=… write=…` (≤ 14), `shared/local read=…, temp read=…` (15), `shared read=…, local
/// read=…, temp read=…` (16+).
fn read_io(value: &str, b: &mut Buffers, nums: &mut Nums<'_>) {
    for part in value.split(',') {
        let part = part.trim();
        let (scope, rest) = match part.split_once(' ') {
            Some((s, r)) if !s.contains('=') => (s, r),
            _ => ("", part),
        };
        for (k, v) in pairs(rest) {
            let Some(v) = nums.get(v, Figure::Ms, "an I/O time") else {
                continue;
            };
            match (scope == "temp", k) {
                (true, "read") => b.temp_io_read_ms += v,
                (true, "write") => b.temp_io_write_ms += v,
                (false, "read") => b.io_read_ms += v,
                (false, "write") => b.io_write_ms += v,
                _ => {}
            }
        }
    }
}

/// `records=1 fpi=0 bytes=64 buffers full=0`.
fn read_wal(value: &str, node: &mut Node, nums: &mut Nums<'_>) {
    let w = node.wal.get_or_insert_with(Wal::default);
    for (k, v) in pairs(value) {
        let Some(v) = nums.get(v, Figure::Count, "a WAL count") else {
            continue;
        };
        match k {
            "records" => w.records = v,
            "fpi" => w.fpi = v,
            "bytes" => w.bytes = v,
            // PostgreSQL 18: "buffers full=N", JSON "WAL Buffers Full".
            "full" => node
                .properties
                .push(("WAL Buffers Full".into(), fmt_num(v))),
            _ => {}
        }
    }
}

/// A number as serde_json prints a JSON number PostgreSQL wrote (integers without `.0`).
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Incremental Sort's `Full-sort Groups: 4  Sort Method: quicksort  Average Memory: 29kB  Peak
/// Memory: 29kB`, as pg_json renders the JSON object (keys in order, nested objects inline).
fn sort_groups(t: &str, nums: &mut Nums<'_>) -> String {
    let segs = segments(
        t,
        &[
            "Full-sort Groups",
            "Pre-sorted Groups",
            "Sort Method",
            "Sort Methods",
            "Average Memory",
            "Peak Memory",
            "Average Disk",
            "Peak Disk",
        ],
    );
    let get = |k: &str| segs.iter().find(|s| s.0 == k).map(|s| s.1);
    let mut kb = |k: &str| {
        get(k)
            .and_then(|v| nums.get(v, Figure::Count, "kilobytes"))
            .map(fmt_num)
    };
    let mut parts = Vec::new();
    if let Some(n) = get("Full-sort Groups").or(get("Pre-sorted Groups")) {
        parts.push(format!("Group Count: {n}"));
    }
    if let Some(m) = get("Sort Method").or(get("Sort Methods")) {
        parts.push(format!("Sort Methods Used: {m}"));
    }
    for (space, avg, peak) in [
        ("Disk", "Average Disk", "Peak Disk"),
        ("Memory", "Average Memory", "Peak Memory"),
    ] {
        if let (Some(a), Some(p)) = (kb(avg), kb(peak)) {
            parts.push(format!(
                "Sort Space {space}: Average Sort Space Used: {a}, Peak Sort Space Used: {p}"
            ));
        }
    }
    parts.join(", ")
}

/// Reads one `Key: value` detail line of a node; `t` is the line, `value` a slice of it.
fn detail(node: &mut Node, t: &str, key: &str, value: &str, nums: &mut Nums<'_>) {
    let mut num = |fig: Figure| nums.get(value, fig, key);
    match key {
        k if CONDITIONS.contains(&k) => node.conditions.push(Condition {
            kind: k.to_owned(),
            expr: value.to_owned(),
        }),
        "Rows Removed by Filter" => node.rows_removed_by_filter = num(Figure::Rows),
        "Rows Removed by Join Filter" => node.rows_removed_by_join_filter = num(Figure::Rows),
        "Rows Removed by Index Recheck" => node.rows_removed_by_recheck = num(Figure::Rows),
        "Heap Fetches" => node.heap_fetches = num(Figure::Count),
        "Workers Planned" => node.workers_planned = num(Figure::Count),
        "Workers Launched" => node.workers_launched = num(Figure::Count),
        "Heap Blocks" => {
            for (k, v) in pairs(value) {
                let Some(v) = nums.get(v, Figure::Count, "heap blocks") else {
                    continue;
                };
                match k {
                    "exact" => node.exact_heap_blocks = Some(v),
                    "lossy" => node.lossy_heap_blocks = Some(v),
                    _ => {}
                }
            }
        }
        "Sort Method" => {
            let segs = segments(t, &["Sort Method", "Memory", "Disk"]);
            let method = segs.first().map(|s| s.1).unwrap_or(value);
            let space = segs.get(1);
            node.sort = Some(SortInfo {
                method: method.to_owned(),
                space_type: space.map(|s| s.0.to_owned()).unwrap_or_default(),
                space_kb: space
                    .and_then(|s| nums.get(s.1, Figure::Count, "kilobytes"))
                    .unwrap_or(0.0),
            });
        }
        "Buckets" | "Batches" | "Planned Partitions" => {
            let segs = segments(
                t,
                &[
                    "Planned Partitions",
                    "Buckets",
                    "Batches",
                    "Memory Usage",
                    "Disk Usage",
                ],
            );
            let h = node.hash.get_or_insert_with(HashInfo::default);
            for (k, v) in segs {
                let orig = v
                    .split_once("(originally ")
                    .and_then(|(_, o)| nums.get(o, Figure::Count, k));
                let n = nums.get(v, Figure::Count, k);
                match k {
                    "Planned Partitions" => {
                        let n = n.map(fmt_num).unwrap_or_default();
                        node.properties.push(("Planned Partitions".into(), n));
                    }
                    "Buckets" => {
                        h.buckets = n;
                        h.original_buckets = orig.or(h.buckets);
                    }
                    "Batches" => {
                        h.batches = n;
                        // A Hash node's (also when its line was cut before "Batches").
                        if key == "Buckets" || h.buckets.is_some() {
                            h.original_batches = orig.or(h.batches);
                        }
                    }
                    "Memory Usage" => h.memory_kb = n,
                    "Disk Usage" => h.disk_kb = n,
                    _ => {}
                }
            }
            if key != "Buckets" && h.batches.is_none() {
                // Only "Planned Partitions" (no ANALYZE): no hash table figures.
                node.hash = None;
            }
        }
        "Hits" => {
            for (k, v) in segments(
                t,
                &["Hits", "Misses", "Evictions", "Overflows", "Memory Usage"],
            ) {
                let json = match k {
                    "Memory Usage" => "Peak Memory Usage",
                    "Hits" => "Cache Hits",
                    "Misses" => "Cache Misses",
                    "Evictions" => "Cache Evictions",
                    _ => "Cache Overflows",
                };
                let v = nums
                    .get(v, Figure::Count, k)
                    .map(fmt_num)
                    .unwrap_or_else(|| v.to_owned());
                node.properties.push((json.into(), v));
            }
        }
        "Full-sort Groups" | "Pre-sorted Groups" => {
            node.properties.push((key.to_owned(), sort_groups(t, nums)));
        }
        "Buffers" => read_buffers(
            value,
            node.buffers.get_or_insert_with(Buffers::default),
            nums,
        ),
        "I/O Timings" => read_io(
            value,
            node.buffers.get_or_insert_with(Buffers::default),
            nums,
        ),
        "WAL" => read_wal(value, node, nums),
        // Printed in text with VERBOSE only, in JSON always: left out of the model by both
        // readers so the two formats of one plan agree.
        "Inner Unique" => {}
        _ => node.properties.push((key.to_owned(), value.to_owned())),
    }
}

// ---------------------------------------------------------------------------------------------
// Pass 2: the tree
// ---------------------------------------------------------------------------------------------

struct Reader {
    plan: Plan,
    /// (column, node index) of the open nodes, innermost last.
    stack: Vec<(usize, usize)>,
    root_col: usize,
    subplan: Option<Subplan>,
    /// Lines deeper than this column belong to a `Worker N:` line and are read past.
    worker_col: Option<usize>,
    /// The trailer block lines deeper than the root belong to, once the tree is over.
    block: Option<Trailer>,
    node_buffers: bool,
    any_buffers: bool,
    wal: bool,
}

fn sum(slot: &mut Option<f64>, v: Option<f64>) {
    if let Some(v) = v {
        *slot = Some(slot.unwrap_or(0.0) + v);
    }
}

impl Reader {
    fn new(root_col: usize) -> Reader {
        Reader {
            plan: Plan::empty(Engine::Postgres, Format::PostgresText),
            stack: Vec::new(),
            root_col,
            subplan: None,
            worker_col: None,
            block: None,
            node_buffers: false,
            any_buffers: false,
            wal: false,
        }
    }

    fn add(&mut self, mut node: Node, col: usize) {
        while self.stack.last().is_some_and(|&(c, _)| c >= col) {
            self.stack.pop();
        }
        let id = self.plan.nodes.len();
        node.id = id;
        node.parent = self.stack.last().map(|&(_, p)| p);
        node.depth = self.stack.len();
        node.subplan = self.subplan.take();
        if let Some(p) = node.parent {
            self.plan.nodes[p].children.push(id);
        }
        self.plan.nodes.push(node);
        self.stack.push((col, id));
        self.worker_col = None;
        self.block = None;
    }

    fn line(&mut self, line: &Logical) -> Result<(), PlanError> {
        let t = line.text.as_str();
        let col = line.col;
        if let Some(rest) = t.strip_prefix("->") {
            let start = 2 + (rest.len() - rest.trim_start().len());
            let node = node_line(line, start, true)?.unwrap_or_default();
            self.add(node, col);
            return Ok(());
        }
        if self.plan.nodes.is_empty() {
            return match node_line(line, 0, false)? {
                Some(node) => {
                    self.add(node, col);
                    Ok(())
                }
                None => Err(PlanError::NotAPlan { line: line.no }),
            };
        }
        let node_col = if self.block.is_some() {
            self.root_col
        } else {
            self.stack.last().map_or(self.root_col, |s| s.0)
        };
        if col <= node_col
            && let Some(tr) = trailer(t).or(is_trigger(t).then_some(Trailer::Trigger))
        {
            return self.trailer(tr, line);
        }
        if self.block.is_some() {
            if col > self.root_col {
                return self.block_line(line);
            }
            // A further plan (EXPLAIN of a statement rewritten into several).
            if let Some(node) = node_line(line, 0, false)? {
                self.stack.clear();
                self.add(node, col);
            }
            return Ok(());
        }
        if let Some(sp) = subplan_header(t) {
            // The header sits at its siblings' column: nodes from there on are closed.
            while self.stack.len() > 1 && self.stack.last().is_some_and(|&(c, _)| c >= col) {
                self.stack.pop();
            }
            self.subplan = Some(sp);
            self.worker_col = None;
            return Ok(());
        }
        if let Some(w) = self.worker_col {
            if col > w {
                return Ok(());
            }
            self.worker_col = None;
        }
        if is_worker(t) {
            // Per-worker figures: JSON's "Workers" array, which the model leaves out.
            self.worker_col = Some(col);
            return Ok(());
        }
        let Some(key) = key_of(t) else {
            // Pass 1 joins every line that starts nothing to the one before.
            return Ok(());
        };
        let value = t[key.len() + 1..].trim();
        let Some(&(_, idx)) = self.stack.last() else {
            return Ok(());
        };
        match key {
            "Buffers" | "I/O Timings" => {
                self.node_buffers = true;
                self.any_buffers = true;
            }
            "WAL" => self.wal = true,
            _ => {}
        }
        let mut nums = Nums::new(t);
        detail(&mut self.plan.nodes[idx], t, key, value, &mut nums);
        nums.finish(line)
    }

    fn trailer(&mut self, tr: Trailer, line: &Logical) -> Result<(), PlanError> {
        let t = line.text.as_str();
        let mut nums = Nums::new(t);
        let value = t.split_once(':').map_or("", |(_, v)| v.trim());
        self.block = Some(tr);
        match tr {
            Trailer::PlanningTime => sum(
                &mut self.plan.planning_ms,
                nums.get(value, Figure::Ms, "the planning time"),
            ),
            Trailer::ExecutionTime => sum(
                &mut self.plan.execution_ms,
                nums.get(value, Figure::Ms, "the execution time"),
            ),
            Trailer::Jit => {
                self.plan.jit.get_or_insert_with(Jit::default);
            }
            Trailer::Settings => self.plan.settings.extend(settings(value)),
            Trailer::Trigger => {
                if let Some(trigger) = trigger(t, &mut nums) {
                    self.plan.triggers.push(trigger);
                }
            }
            Trailer::Planning | Trailer::Other => {}
        }
        nums.finish(line)
    }

    fn block_line(&mut self, line: &Logical) -> Result<(), PlanError> {
        let t = line.text.as_str();
        let Some((key, value)) = t.split_once(':') else {
            return Ok(());
        };
        let mut nums = Nums::new(t);
        let value = value.trim();
        match (self.block, key) {
            (Some(Trailer::Planning), "Buffers") => {
                self.any_buffers = true;
                read_buffers(
                    value,
                    self.plan
                        .planning_buffers
                        .get_or_insert_with(Buffers::default),
                    &mut nums,
                );
            }
            (Some(Trailer::Planning), "I/O Timings") => read_io(
                value,
                self.plan
                    .planning_buffers
                    .get_or_insert_with(Buffers::default),
                &mut nums,
            ),
            (Some(Trailer::Jit), "Functions") => {
                let j = self.plan.jit.get_or_insert_with(Jit::default);
                j.functions = nums
                    .get(value, Figure::Count, "JIT functions")
                    .unwrap_or(0.0);
            }
            (Some(Trailer::Jit), "Timing") => {
                let j = self.plan.jit.get_or_insert_with(Jit::default);
                jit_timing(value, j, &mut nums);
            }
            _ => {}
        }
        nums.finish(line)
    }

    fn finish(mut self, first_line: usize) -> Result<Plan, PlanError> {
        if self.plan.nodes.is_empty() {
            return Err(PlanError::NotAPlan { line: first_line });
        }
        let o = &mut self.plan.options;
        for n in &self.plan.nodes {
            o.costs |= n.estimate.is_some();
            o.analyze |= n.actual.is_some() || n.never_executed;
            o.timing |= n.actual.is_some_and(|a| a.total_ms.is_some());
        }
        o.buffers = self.node_buffers || (self.any_buffers && o.analyze);
        fill_json_defaults(&mut self.plan, self.wal);
        Ok(self.plan)
    }
}

/// `Generation 0.5 ms (Deform 0.1 ms), Inlining 0.0 ms, Optimization 0.2 ms, Emission 3.0 ms,
/// Total 3.7 ms`.
fn jit_timing(value: &str, j: &mut Jit, nums: &mut Nums<'_>) {
    let mut depth = 0i32;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    for p in parts {
        let p = p.trim();
        let (name, rest) = p.split_once(' ').unwrap_or((p, ""));
        let v = nums.get(rest, Figure::Ms, "a JIT time").unwrap_or(0.0);
        match name {
            "Generation" => j.generation_ms = v,
            "Inlining" => j.inlining_ms = v,
            "Optimization" => j.optimization_ms = v,
            "Emission" => j.emission_ms = v,
            "Total" => j.total_ms = v,
            _ => {}
        }
    }
}

/// `work_mem = '64kB', search_path = '"$user", public'`: names and unquoted values.
fn settings(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value.trim();
    while let Some((name, after)) = rest.split_once(" = ") {
        let name = name.trim().trim_start_matches(',').trim().to_owned();
        let after = after.trim_start();
        let (v, next) = if let Some(q) = after.strip_prefix('\'') {
            let mut v = String::new();
            let mut end = q.len();
            let mut chars = q.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                        chars.next();
                        v.push('\'');
                        continue;
                    }
                    end = i + 1;
                    break;
                }
                v.push(c);
            }
            (v, &q[end.min(q.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.push((name, v));
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

/// `Trigger [name] [for constraint c] [on rel]: time=… calls=…`. The name is the constraint's
/// for a constraint trigger (the text format prints the trigger's own name only with
/// `VERBOSE`), else the trigger's: the JSON reader names them the same way.
fn trigger(t: &str, nums: &mut Nums<'_>) -> Option<Trigger> {
    let body = t.strip_prefix("Trigger")?;
    let colon = body.rfind(": time=").or_else(|| body.rfind(": calls="))?;
    let (head, figures) = (body[..colon].trim(), &body[colon + 1..]);
    let name = match find_unquoted(head, "for constraint ") {
        Some(i) => {
            let c = &head[i + "for constraint ".len()..];
            c.split_once(" on ").map_or(c, |(c, _)| c)
        }
        None => head.split_once(" on ").map_or(head, |(n, _)| n),
    };
    let mut trigger = Trigger {
        name: name.trim().to_owned(),
        time_ms: None,
        calls: 0.0,
    };
    for (k, v) in pairs(figures) {
        match k {
            "time" => trigger.time_ms = nums.get(v, Figure::Ms, "the trigger's time"),
            "calls" => {
                trigger.calls = nums
                    .get(v, Figure::Count, "the trigger's calls")
                    .unwrap_or(0.0);
            }
            _ => {}
        }
    }
    Some(trigger)
}

/// What JSON always prints and the text format prints only when it is not zero or not the
/// default; filled in so both formats of one plan give the same model:
///
/// - `Alias`: JSON names it for every scan, text only when it differs from the relation (done
///   in [`label`]).
/// - Buffers (`BUFFERS` with `ANALYZE`): JSON gives every node its counts, text leaves out
///   lines of zeros: every node gets zero counts when any node printed some. Planning buffers
///   likewise, when the plan has a planning time.
/// - WAL: as buffers, when any node printed a `WAL:` line.
/// - `Rows Removed by Filter` / `by Join Filter` / `by Index Recheck` (`ANALYZE`): JSON prints 0
///   for a node with that condition (Index Cond on index scans for the recheck), text nothing.
/// - `Exact Heap Blocks` / `Lossy Heap Blocks` of bitmap heap scans (`ANALYZE`): 0.
/// - Hash aggregates: `Disk Usage` 0 (`ANALYZE`), `Planned Partitions` 0 (with costs).
/// - Hash nodes: the original buckets and batches equal the final ones unless `originally`
///   says otherwise.
/// - Gather: `Single Copy` false. Append and Merge Append: `Subplans Removed` 0.
fn fill_json_defaults(plan: &mut Plan, wal: bool) {
    let o = plan.options;
    if o.buffers && plan.planning_ms.is_some() {
        plan.planning_buffers.get_or_insert_with(Buffers::default);
    }
    for n in &mut plan.nodes {
        if o.analyze {
            if o.buffers {
                n.buffers.get_or_insert_with(Buffers::default);
            }
            if wal {
                n.wal.get_or_insert_with(Wal::default);
            }
            let has = |k: &str| n.conditions.iter().any(|c| c.kind == k);
            if has("Filter") {
                n.rows_removed_by_filter.get_or_insert(0.0);
            }
            if has("Join Filter") {
                n.rows_removed_by_join_filter.get_or_insert(0.0);
            }
            let index_scan = matches!(n.kind.as_str(), "Index Scan" | "Index Only Scan");
            if has("Recheck Cond") || (index_scan && has("Index Cond")) {
                n.rows_removed_by_recheck.get_or_insert(0.0);
            }
            if n.kind == "Bitmap Heap Scan" {
                n.exact_heap_blocks.get_or_insert(0.0);
                n.lossy_heap_blocks.get_or_insert(0.0);
            }
        }
        let hash_agg =
            n.kind == "Aggregate" && matches!(n.strategy.as_deref(), Some("Hashed" | "Mixed"));
        if hash_agg {
            if let Some(h) = &mut n.hash {
                h.disk_kb.get_or_insert(0.0);
            }
            if o.costs && n.property("Planned Partitions").is_none() {
                n.properties.push(("Planned Partitions".into(), "0".into()));
            }
        }
        if n.kind == "Gather" && n.property("Single Copy").is_none() {
            n.properties.push(("Single Copy".into(), "false".into()));
        }
        if matches!(n.kind.as_str(), "Append" | "Merge Append")
            && n.property("Subplans Removed").is_none()
        {
            n.properties.push(("Subplans Removed".into(), "0".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::input::{Detected, detect};
    use super::super::pg_json;
    use super::*;

    fn text(s: &str) -> Result<Plan, PlanError> {
        match detect(s)? {
            Detected::PgText(lines) => parse(&lines),
            other => panic!("not detected as text: {other:?}"),
        }
    }

    fn json(s: &str) -> Plan {
        match detect(s).unwrap() {
            Detected::Json(j) => pg_json::parse(&j).unwrap(),
            other => panic!("not detected as JSON: {other:?}"),
        }
    }

    /// The plan with what differs between two runs of one statement zeroed: times (of nodes,
    /// planning, execution, JIT, triggers), and the format. Properties are sorted (pg_json
    /// reads them in key order).
    fn comparable(plan: &Plan) -> Plan {
        let mut p = plan.clone();
        p.format = Format::PostgresText;
        p.planning_ms = p.planning_ms.map(|_| 0.0);
        p.execution_ms = p.execution_ms.map(|_| 0.0);
        if let Some(j) = &mut p.jit {
            *j = Jit {
                functions: j.functions,
                ..Jit::default()
            };
        }
        for t in &mut p.triggers {
            t.time_ms = t.time_ms.map(|_| 0.0);
        }
        // A rolled-back write leaves dead row versions the next run reads again: its shared
        // buffer counts grow from run to run.
        let writes = p.nodes.iter().any(|n| n.kind == "ModifyTable");
        for n in &mut p.nodes {
            if writes && let Some(b) = &mut n.buffers {
                b.shared_hit = 0.0;
                b.shared_read = 0.0;
                b.shared_dirtied = 0.0;
            }
            if let Some(a) = &mut n.actual {
                a.startup_ms = a.startup_ms.map(|_| 0.0);
                a.total_ms = a.total_ms.map(|_| 0.0);
            }
            n.properties.sort();
        }
        p
    }

    macro_rules! pairs {
        ($($name:literal),* $(,)?) => {
            &[$(
                ($name,
                 include_str!(concat!("testdata/", $name, ".txt")),
                 include_str!(concat!("testdata/", $name, ".json"))),
            )*]
        };
    }

    const PAIRS: &[(&str, &str, &str)] = pairs!(
        "bitmap_lossy",
        "costs_off",
        "delete_returning",
        "full_join",
        "hash_batches",
        "hashagg_spill",
        "incremental",
        "index_only",
        "insert_trigger",
        "jit",
        "joins",
        "memoize",
        "never_executed",
        "no_analyze",
        "parallel",
        "parallel_hash",
        "scans",
        "seq_filter",
        "setop_sorted",
        "setops",
        "sort_spill",
        "subplans",
        "timing_off",
        "update_verbose",
        "verbose_plain",
    );

    #[test]
    fn text_and_json_of_one_plan_give_one_model() {
        let mut failed = Vec::new();
        for (name, txt, js) in PAIRS {
            let t = comparable(&text(txt).unwrap_or_else(|e| panic!("{name}: {e}")));
            let j = comparable(&json(js));
            if t != j {
                for (a, b) in t.nodes.iter().zip(&j.nodes) {
                    if a != b {
                        eprintln!("{name}: node {}\n text: {a:?}\n json: {b:?}", a.id);
                    }
                }
                if t.nodes.len() != j.nodes.len() {
                    eprintln!("{name}: {} nodes vs {}", t.nodes.len(), j.nodes.len());
                }
                let (mut t2, mut j2) = (t.clone(), j.clone());
                t2.nodes.clear();
                j2.nodes.clear();
                if t2 != j2 {
                    eprintln!("{name}: plan\n text: {t2:?}\n json: {j2:?}");
                }
                failed.push(*name);
            }
        }
        assert!(failed.is_empty(), "models differ: {failed:?}");
    }

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
        let plain = shape(&text(include_str!("testdata/pasted_aligned.txt")).unwrap());
        assert_eq!(plain.len(), 5);
        for (name, input) in [
            ("wrapped", include_str!("testdata/pasted_wrapped.txt")),
            (
                "wrapped unicode",
                include_str!("testdata/pasted_wrapped_unicode.txt"),
            ),
            (
                "wrapped border 2",
                include_str!("testdata/pasted_wrapped_border2.txt"),
            ),
            (
                "wrapped border 2 unicode",
                include_str!("testdata/pasted_wrapped_border2_unicode.txt"),
            ),
            (
                "wrapped border 0",
                include_str!("testdata/pasted_wrapped_border0.txt"),
            ),
            ("border 2", include_str!("testdata/pasted_border2.txt")),
            ("unaligned", include_str!("testdata/pasted_unaligned.txt")),
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
            include_str!("testdata/pasted_json_border2.txt"),
            include_str!("testdata/pasted_json_wrapped.txt"),
        ] {
            let plan = super::super::parse(input).unwrap();
            assert_eq!(plan.format, Format::PostgresJson);
            assert_eq!(plan.nodes[0].relation.as_deref(), Some("qg_txt_orders"));
        }
    }

    #[test]
    fn leading_spaces_crlf_and_psql_margins() {
        let base = comparable(&text(include_str!("testdata/subplans.txt")).unwrap());
        let indented: String = include_str!("testdata/subplans.txt")
            .lines()
            .map(|l| format!("    {l}\r\n"))
            .collect();
        assert_eq!(comparable(&text(&indented).unwrap()), base);
        let psql = format!(
            "                QUERY PLAN\n------------------------------\n{}(42 rows)\n\n",
            include_str!("testdata/subplans.txt")
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

    #[test]
    fn labels_round_trip() {
        let labels = [
            "Seq Scan on t",
            "Seq Scan on t x",
            "Parallel Seq Scan on orders o",
            "Seq Scan on public.t t1",
            "Seq Scan on \"user\"",
            "Seq Scan on \"MyTable\" m",
            "Seq Scan on \"a \"\"b\"\"\" \"x y\"",
            "Index Scan using i on t",
            "Index Scan Backward using i on t x",
            "Index Only Scan using \"Idx\" on \"Order\" \"o x\"",
            "Index Only Scan Backward using t_pkey on public.t",
            "Bitmap Index Scan on i",
            "Bitmap Heap Scan on t",
            "Aggregate",
            "HashAggregate",
            "GroupAggregate",
            "MixedAggregate",
            "Partial HashAggregate",
            "Finalize GroupAggregate",
            "Partial Aggregate",
            "Hash Join",
            "Hash Left Join",
            "Hash Right Join",
            "Hash Full Join",
            "Hash Semi Join",
            "Hash Anti Join",
            "Hash Right Semi Join",
            "Hash Right Anti Join",
            "Merge Join",
            "Merge Full Join",
            "Nested Loop",
            "Nested Loop Left Join",
            "Nested Loop Anti Join",
            "Nested Loop Semi Join",
            "Update on t",
            "Insert on public.t",
            "Delete on t x",
            "Merge on t",
            "HashSetOp Except",
            "HashSetOp Except All",
            "SetOp Intersect",
            "SetOp Intersect All",
            "CTE Scan on x",
            "CTE Scan on x x1",
            "Function Scan on generate_series g",
            "Function Scan on pg_catalog.generate_series g",
            "Subquery Scan on sub",
            "Subquery Scan on \"*SELECT* 1\"",
            "Values Scan on \"*VALUES*\"",
            "Custom Scan (Citus Adaptive)",
            "Custom Scan (ColumnarScan) on events",
            "Async Foreign Scan on ft",
            "Foreign Scan on ft f",
            "Foreign Update on ft",
            "Foreign Delete on public.ft",
            "Gather",
            "Gather Merge",
            "Hash",
            "Materialize",
            "Memoize",
            "Sort",
            "Incremental Sort",
            "Result",
            "ProjectSet",
            "Append",
            "Parallel Append",
            "Merge Append",
            "Recursive Union",
            "BitmapAnd",
            "BitmapOr",
            "WindowAgg",
            "Unique",
            "Group",
            "Limit",
            "LockRows",
            "Tid Scan on t",
            "Tid Range Scan on t",
            "Sample Scan on t",
            "WorkTable Scan on r",
            "WorkTable Scan on r r1",
            "Named Tuplestore Scan on newtab",
        ];
        for l in labels {
            for line in [
                l.to_owned(),
                format!("{l}  (cost=0.00..1.00 rows=1 width=4)"),
                format!("{l} (actual rows=1 loops=1)"),
            ] {
                let plan = text(&line).unwrap_or_else(|e| panic!("{l}: {e}"));
                assert_eq!(plan.nodes[0].label(), l);
                let plan = text(&format!("Result\n  ->  {line}")).unwrap();
                assert_eq!(plan.nodes[1].label(), l);
            }
        }
        let n = &text("Index Scan Backward using i on t x").unwrap().nodes[0];
        assert_eq!(
            (n.kind.as_str(), n.direction.as_deref(), n.index.as_deref()),
            ("Index Scan", Some("Backward"), Some("i"))
        );
        assert_eq!(
            (n.relation.as_deref(), n.alias.as_deref()),
            (Some("t"), Some("x"))
        );
        let n = &text("Seq Scan on t").unwrap().nodes[0];
        assert_eq!(n.alias.as_deref(), Some("t"), "JSON always names the alias");
        let n = &text("Values Scan on \"*VALUES*\"").unwrap().nodes[0];
        assert_eq!(
            (n.relation.as_deref(), n.alias.as_deref()),
            (None, Some("*VALUES*"))
        );
        let n = &text("Partial HashAggregate").unwrap().nodes[0];
        assert_eq!(
            (
                n.kind.as_str(),
                n.strategy.as_deref(),
                n.partial_mode.as_deref()
            ),
            ("Aggregate", Some("Hashed"), Some("Partial"))
        );
        let n = &text("Hash Right Anti Join").unwrap().nodes[0];
        assert_eq!(
            (n.kind.as_str(), n.join_type.as_deref()),
            ("Hash Join", Some("Right Anti"))
        );
        let n = &text("SetOp Intersect All").unwrap().nodes[0];
        assert_eq!(
            (
                n.kind.as_str(),
                n.strategy.as_deref(),
                n.operation.as_deref()
            ),
            ("SetOp", Some("Sorted"), Some("Intersect All"))
        );
    }

    const PG18: &str = "\
Update on t  (cost=0.29..16.34 rows=0 width=0) (actual time=0.020..0.021 rows=0.00 loops=1)
  Buffers: shared hit=12 dirtied=2 written=1
  WAL: records=3 fpi=1 bytes=900 buffers full=2
  InitPlan 1
    ->  Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.001..0.001 rows=1.00 loops=1)
  ->  Nested Loop  (cost=0.29..16.34 rows=1 width=8) (actual time=0.020..0.021 rows=1.50 loops=1)
        Buffers: shared hit=5
        ->  Index Scan using t_pkey on t  (cost=0.29..8.30 rows=1 width=4) (actual time=0.010..0.011 rows=1.00 loops=1)
              Index Cond: (id = (InitPlan 1).col1)
              Index Searches: 1
              Buffers: shared hit=3
        ->  Seq Scan on u  (cost=0.00..8.03 rows=1 width=4) (actual time=0.005..0.006 rows=0.50 loops=2)
              Disabled: true
              Filter: (x = 1)
              Rows Removed by Filter: 2
              Buffers: shared hit=2
Planning:
  Buffers: shared hit=10 read=2
  I/O Timings: shared read=0.050
  Memory: used=20kB  allocated=32kB
Planning Time: 0.100 ms
Serialization: time=0.002 ms  output=1kB  format=text
Trigger trg_audit: time=0.050 calls=3
Execution Time: 0.050 ms
";

    #[test]
    fn postgres_18() {
        let plan = text(PG18).unwrap();
        assert_eq!(plan.nodes.len(), 5);
        let [update, init, nl, idx, seq] = &plan.nodes[..] else {
            panic!()
        };
        assert_eq!(update.operation.as_deref(), Some("Update"));
        let wal = update.wal.unwrap();
        assert_eq!((wal.records, wal.fpi, wal.bytes), (3.0, 1.0, 900.0));
        assert_eq!(update.property("WAL Buffers Full"), Some("2"));
        assert_eq!(update.buffers.unwrap().shared_dirtied, 2.0);
        assert_eq!(init.subplan.as_ref().unwrap().name, "InitPlan 1");
        assert_eq!(init.subplan.as_ref().unwrap().kind, SubplanKind::InitPlan);
        assert_eq!((init.parent, nl.parent), (Some(0), Some(0)));
        assert_eq!(nl.actual.unwrap().rows, 1.5);
        assert_eq!(
            nl.wal,
            Some(Wal::default()),
            "WAL zeros, as JSON prints them"
        );
        assert_eq!(idx.property("Index Searches"), Some("1"));
        assert_eq!(idx.rows_removed_by_recheck, Some(0.0));
        assert_eq!(seq.property("Disabled"), Some("true"));
        assert_eq!(seq.actual.unwrap().rows, 0.5);
        assert_eq!(seq.rows_removed_by_filter, Some(2.0));
        let pb = plan.planning_buffers.unwrap();
        assert_eq!(
            (pb.shared_hit, pb.shared_read, pb.io_read_ms),
            (10.0, 2.0, 0.05)
        );
        assert_eq!(plan.planning_ms, Some(0.1));
        assert_eq!(plan.execution_ms, Some(0.05));
        assert_eq!(plan.triggers[0].name, "trg_audit");
        assert_eq!(plan.triggers[0].calls, 3.0);
        assert!(plan.options.analyze && plan.options.timing && plan.options.buffers);
    }

    #[test]
    fn io_timings_jit_and_trailers_of_each_version() {
        let plan = text(
            "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
  Buffers: shared read=5, temp read=1 written=2
  I/O Timings: shared read=1.250 write=0.100, local read=0.500, temp read=0.200 write=0.300
Settings: search_path = '\"$user\", public', work_mem = '64MB', x = 'it''s'
Planning Time: 0.1 ms
JIT:
  Functions: 4
  Options: Inlining false, Optimization false, Expressions true, Deforming true
  Timing: Generation 0.500 ms (Deform 0.100 ms), Inlining 0.000 ms, Optimization 0.200 ms, Emission 3.000 ms, Total 3.700 ms
Trigger for constraint fk on child: calls=2
Trigger RI_ConstraintTrigger_a_1 for constraint fk2: time=1.000 calls=1
Query Identifier: -123
Execution Time: 5 ms
",
        )
        .unwrap();
        let b = plan.nodes[0].buffers.unwrap();
        assert_eq!(
            (b.shared_read, b.temp_read, b.temp_written),
            (5.0, 1.0, 2.0)
        );
        assert_eq!((b.io_read_ms, b.io_write_ms), (1.75, 0.1));
        assert_eq!((b.temp_io_read_ms, b.temp_io_write_ms), (0.2, 0.3));
        assert_eq!(
            plan.settings,
            [
                ("search_path".to_owned(), "\"$user\", public".to_owned()),
                ("work_mem".to_owned(), "64MB".to_owned()),
                ("x".to_owned(), "it's".to_owned()),
            ]
        );
        let j = plan.jit.unwrap();
        assert_eq!(
            (j.functions, j.generation_ms, j.emission_ms, j.total_ms),
            (4.0, 0.5, 3.0, 3.7)
        );
        assert_eq!(plan.triggers[0].name, "fk");
        assert_eq!(
            (plan.triggers[0].time_ms, plan.triggers[0].calls),
            (None, 2.0)
        );
        assert_eq!(plan.triggers[1].name, "fk2");
        assert_eq!(plan.execution_ms, Some(5.0));

        // PostgreSQL 15 and 12.
        for (io, read, write, temp) in [
            (
                "shared/local read=1.5 write=0.2, temp read=0.1 write=0.2",
                1.5,
                0.2,
                0.1,
            ),
            ("read=0.123 write=0.456", 0.123, 0.456, 0.0),
        ] {
            let plan = text(&format!(
                "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)\n  Buffers: shared read=5\n  I/O Timings: {io}\nTotal runtime: 1.5 ms"
            ))
            .unwrap();
            let b = plan.nodes[0].buffers.unwrap();
            assert_eq!(
                (b.io_read_ms, b.io_write_ms, b.temp_io_read_ms),
                (read, write, temp)
            );
            assert_eq!(plan.execution_ms, Some(1.5));
        }
        // PostgreSQL 16 and before: no Deform; without ANALYZE no timing at all.
        let plan = text("Result  (cost=0.00..0.01 rows=1 width=4)\nJIT:\n  Functions: 1\n  Options: Inlining false, Optimization false, Expressions true, Deforming true\n").unwrap();
        assert_eq!(plan.jit.unwrap().functions, 1.0);
        assert!(!plan.options.analyze && plan.options.costs);
    }

    #[test]
    fn hash_sort_and_worker_details() {
        let plan = text(
            "Hash Join  (cost=1.00..2.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
  Hash Cond: (a.id = b.id)
  Join Filter: (a.x > b.y)
  Rows Removed by Join Filter: 3
  ->  Seq Scan on a  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
  ->  Hash  (cost=1.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
        Buckets: 65536 (originally 1024)  Batches: 4 (originally 1)  Memory Usage: 4097kB
        ->  Sort  (cost=1.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=3)
              Sort Key: b.id
              Sort Method: external merge  Disk: 1234kB
              Worker 0:  actual time=0.020..0.021 rows=9 loops=1
                Sort Method: quicksort  Memory: 25kB
                Buffers: shared hit=99
              Worker 1:  Sort Method: quicksort  Memory: 25kB
              ->  Seq Scan on b  (cost=0.00..1.00 rows=1 width=4) (never executed)
                    Filter: (z = 1)
",
        )
        .unwrap();
        let [join, _, hash, sort, seq] = &plan.nodes[..] else {
            panic!("{:?}", plan.nodes.len())
        };
        assert_eq!(join.rows_removed_by_join_filter, Some(3.0));
        assert_eq!(join.condition("Hash Cond"), Some("(a.id = b.id)"));
        let h = hash.hash.unwrap();
        assert_eq!(
            (
                h.buckets,
                h.original_buckets,
                h.batches,
                h.original_batches,
                h.memory_kb
            ),
            (
                Some(65536.0),
                Some(1024.0),
                Some(4.0),
                Some(1.0),
                Some(4097.0)
            )
        );
        let s = sort.sort.as_ref().unwrap();
        assert_eq!(
            (s.method.as_str(), s.space_type.as_str(), s.space_kb),
            ("external merge", "Disk", 1234.0)
        );
        assert!(s.spilled());
        assert_eq!(
            sort.actual.unwrap().rows,
            1.0,
            "worker lines do not overwrite the node"
        );
        assert_eq!(sort.buffers, None);
        assert_eq!(seq.parent, Some(3));
        assert!(seq.never_executed && seq.actual.is_none());
        assert_eq!(seq.loops(), Some(0.0));
        assert_eq!(seq.rows_removed_by_filter, Some(0.0));
    }

    #[test]
    fn options_follow_what_is_printed() {
        let costs_off = text(include_str!("testdata/costs_off.txt"))
            .unwrap()
            .options;
        assert!(costs_off.analyze && costs_off.timing && !costs_off.costs && !costs_off.buffers);
        let timing_off = text(include_str!("testdata/timing_off.txt"))
            .unwrap()
            .options;
        assert!(timing_off.analyze && !timing_off.timing && timing_off.costs);
        let plain = text(include_str!("testdata/no_analyze.txt"))
            .unwrap()
            .options;
        assert!(!plain.analyze && !plain.timing && plain.costs && !plain.buffers);
    }

    fn syntax(e: PlanError) -> (usize, usize, String) {
        match e {
            PlanError::Syntax {
                line,
                column,
                expected,
            } => (line, column, expected),
            other => panic!("not a syntax error: {other:?}"),
        }
    }

    #[test]
    fn malformed_node_lines_name_line_and_column() {
        let e = text("Seq Scan on t  (cost=0.00..").unwrap_err();
        assert_eq!(syntax(e.clone()).0, 1);
        assert_eq!(syntax(e.clone()).1, 28);
        assert!(e.to_string().contains("total cost"), "{e}");

        let e = text("Seq Scan on t  (cost=0.00..1.00 rows=abc width=4)").unwrap_err();
        let (line, column, expected) = syntax(e);
        assert_eq!((line, column), (1, 38));
        assert!(expected.contains("rows="), "{expected}");

        // A secret in a filter above, a cut-off child line below.
        let input = "Limit  (cost=0.00..1.00 rows=1 width=4)
  ->  Seq Scan on secrets  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loo
        Filter: (password = 'hunter2')
";
        let e = text(input).unwrap_err();
        let msg = e.to_string();
        let (line, column, _) = syntax(e);
        assert_eq!((line, column), (2, 90));
        for secret in ["hunter2", "secrets", "password", "loo)"] {
            assert!(!msg.contains(secret), "{msg}");
        }

        let e = text("Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) trailing").unwrap_err();
        assert_eq!(syntax(e).1, 49);
        let e = text("Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)\n  ->  Seq Scan on t x y  (cost=0.00..1.00 rows=1 width=4)").unwrap_err();
        assert_eq!(syntax(e).0, 2);
        // Psql's margin is not counted, wrapped pieces point at their own line.
        let e = text("Seq Scan on t  (cost=0.00..1.00\n rows=1 width=x)").unwrap_err();
        let (line, column, _) = syntax(e);
        assert_eq!((line, column), (2, 15));
    }

    /// Issue 11, item 8: numbers PostgreSQL cannot print are refused where they stand.
    #[test]
    fn impossible_numbers_name_line_and_column() {
        let node = "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.020 rows=1 loops=1)";
        let cases: &[(&str, &str, &str)] = &[
            (
                "loops=1)",
                "loops=-1)",
                "a whole number from 0 to 18446744073709551615 (the loops)",
            ),
            ("loops=1)", "loops=2.5)", "whole number"),
            ("rows=1 loops", "rows=-3 loops", "a number of rows from 0"),
            (
                "time=0.010",
                "time=-0.010",
                "a time from 0 to 1e12 ms (about 31.7 years) (the startup time)",
            ),
            (
                "..0.020",
                &format!("..1{}1", "0".repeat(11)),
                "(the total time)",
            ),
            (
                "..0.020",
                &format!("..1{}", "0".repeat(400)),
                "(the total time)",
            ),
            (
                "cost=0.00",
                "cost=-1.00",
                "a number from 0 to 1e300 (the startup cost)",
            ),
            ("width=4", "width=-4", "(the width)"),
            (
                "rows=1 width",
                &format!("rows={} width", "9".repeat(310)),
                "(the estimated rows)",
            ),
        ];
        for (from, to, msg) in cases {
            let input = node.replacen(from, to, 1);
            let number = to.find(|c: char| c == '-' || c.is_ascii_digit()).unwrap();
            let column = input.find(to).unwrap() + number + 1;
            let (l, c, e) = syntax(text(&input).unwrap_err());
            assert_eq!((l, c), (1, column), "{input}: {e}");
            assert!(e.contains(msg), "{input}: {e}");
        }
        // Details and trailers: the column is the number's.
        let details: &[(&str, &str, &str)] = &[
            (
                "  Rows Removed by Filter: -5",
                "-5",
                "(Rows Removed by Filter)",
            ),
            ("  Heap Fetches: 1.5", "1.5", "(Heap Fetches)"),
            ("  Buffers: shared hit=3 read=-1", "-1", "(a block count)"),
            ("  I/O Timings: shared read=-0.5", "-0.5", "(an I/O time)"),
            ("  WAL: records=-1 bytes=64", "-1", "(a WAL count)"),
            (
                "  Sort Method: quicksort  Memory: -25kB",
                "-25kB",
                "(kilobytes)",
            ),
            (
                "  Buckets: 1024 (originally -1)  Batches: 1  Memory Usage: 9kB",
                "-1",
                "(Buckets)",
            ),
            (
                "  Buckets: 1024  Batches: 1  Memory Usage: -9kB",
                "-9kB",
                "(Memory Usage)",
            ),
            ("  Workers Launched: -2", "-2", "(Workers Launched)"),
            ("Planning Time: -0.080 ms", "-0.080", "(the planning time)"),
            ("Execution Time: 1e400 ms", "1e400", "(the execution time)"),
            (
                "Trigger t: time=-1.0 calls=1",
                "-1.0",
                "(the trigger's time)",
            ),
            (
                "Trigger t: time=1.0 calls=-1",
                "-1",
                "(the trigger's calls)",
            ),
            ("JIT:\n  Functions: -3", "-3", "(JIT functions)"),
            (
                "JIT:\n  Timing: Generation -1.0 ms, Total 2.0 ms",
                "-1.0",
                "(a JIT time)",
            ),
        ];
        for (detail, bad, msg) in details {
            let input = format!("{node}\n{detail}\n");
            let line = input.lines().position(|l| l.contains(bad)).unwrap();
            let column = input.lines().nth(line).unwrap().find(bad).unwrap() + 1;
            let (l, c, e) = syntax(text(&input).unwrap_err());
            assert_eq!((l, c), (line + 1, column), "{detail}: {e}");
            assert!(e.contains(msg), "{detail}: {e}");
        }
        // Possible values still read: zero, PostgreSQL 18's fractional rows, u64::MAX blocks.
        let plan = text(&format!(
            "{}\n  Rows Removed by Filter: 0.50\n  Buffers: shared hit=18446744073709551615\nExecution Time: 0.000 ms\n",
            node.replace("rows=1 loops", "rows=0.50 loops")
        ))
        .unwrap();
        let n = &plan.nodes[0];
        assert_eq!(n.actual.unwrap().rows, 0.5);
        assert_eq!(n.rows_removed_by_filter, Some(0.5));
        assert_eq!(n.buffers.unwrap().shared_hit, u64::MAX as f64);
        assert_eq!(plan.execution_ms, Some(0.0));
    }

    #[test]
    fn not_a_plan() {
        assert_eq!(
            text("hello world\nthis is not a plan").unwrap_err(),
            PlanError::NotAPlan { line: 1 }
        );
        assert_eq!(
            text("\n\nPlanning Time: 0.1 ms").unwrap_err(),
            PlanError::NotAPlan { line: 3 }
        );
        // A plan without its trailer is fine.
        let plan = text("Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)").unwrap();
        assert_eq!((plan.planning_ms, plan.execution_ms), (None, None));
    }

    #[test]
    fn never_panics_on_cut_or_mangled_input() {
        for (_, txt, _) in PAIRS {
            let mut cuts: Vec<usize> = (0..txt.len()).step_by(5).collect();
            cuts.push(txt.len() - 1);
            for cut in cuts {
                if let Some(prefix) = txt.get(..cut) {
                    let _ = super::super::parse(prefix);
                }
                if let Some(suffix) = txt.get(cut..) {
                    let _ = super::super::parse(suffix);
                }
            }
        }
        for junk in [
            "->",
            "->  ",
            "  ->  (",
            "(cost=",
            "\"",
            "Seq Scan on \"",
            "InitPlan 1\n->",
            "Custom Scan (",
            "Settings: a = '",
            "Trigger : time=",
            "JIT:\n  Timing: Total",
            "Seq Scan on t\n  Buckets: (originally",
            "\u{feff}",
            "…\n…",
            "|\n|",
        ] {
            let _ = super::super::parse(junk);
        }
    }

    #[test]
    fn ten_thousand_nodes_deep_and_wide() {
        use std::fmt::Write;
        let n = 10_000;
        let mut wide = String::from(
            "Append  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n",
        );
        for i in 0..n {
            writeln!(wide, "  ->  Seq Scan on t{i}  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n        Filter: (a = {i})").unwrap();
        }
        let mut deep = String::from("Limit  (cost=0.00..1.00 rows=1 width=4)\n");
        for i in 1..n {
            writeln!(
                deep,
                "{}->  Limit  (cost=0.00..1.00 rows=1 width=4)",
                " ".repeat(i)
            )
            .unwrap();
        }
        // How long this takes is measured in benches/explain.rs, never asserted here.
        for (input, depth) in [(wide, 1), (deep, n - 1)] {
            let plan = super::super::parse(&input).unwrap();
            assert_eq!(plan.nodes.len(), n + usize::from(depth == 1));
            assert_eq!(plan.nodes.iter().map(|n| n.depth).max(), Some(depth));
        }
    }
}
