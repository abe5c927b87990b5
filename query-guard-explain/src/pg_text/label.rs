//! Node lines: a node's name split into the JSON parts (kind, strategy, join type, relation,
//! index, …), and its cost and actual groups.

use super::names::{find_unquoted, ident};
use super::wrap::Logical;
use crate::error::PlanError;
use crate::model::{Actual, Estimate, Figure, Node};

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

/// Reads a node line; `start` is the byte offset of the name (after `->` and spaces).
/// `Ok(None)` when the line is not a node PostgreSQL prints and `strict` is off.
pub(super) fn node_line(
    line: &Logical,
    start: usize,
    strict: bool,
) -> Result<Option<Node>, PlanError> {
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

#[cfg(test)]
mod tests {
    use super::super::tests::{syntax, text};

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
}
