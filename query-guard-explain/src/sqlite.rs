//! # SQLite `EXPLAIN QUERY PLAN`
//!
//! Two forms of the same plan give the same model (only [`Plan::format`] differs):
//!
//! - the sqlite3 shell's tree ([`parse_tree`]): `|--SCAN t1`, `` `--SEARCH t2 USING INDEX i2
//!   (a=?) ``, each level indented by three characters (`|  ` or three spaces); the shell's
//!   `QUERY PLAN` header has already been removed by the input module. A common left margin (a
//!   tree pasted indented) is removed, and the box-drawing variants (`├──`, `└──`, `│  `) are
//!   read too;
//! - the rows a driver returns ([`parse_rows`]): `id|parent|notused|detail`, with or without that
//!   header, tab-separated as well, comma-separated when the header says so, or three columns
//!   `id|parent|detail`. A row's parent is `0` (a root) or the id of an earlier row. Only the
//!   first separators split fields: the detail keeps any separator it holds.
//!
//! Nodes are in pre-order (children in the order SQLite emitted them), with several roots when
//! the plan has several top-level lines. Each node keeps the detail text as printed in
//! [`Node::detail`](super::model::Node::detail), and the parts read from it:
//!
//! - `kind`: the leading operation words: `SCAN`, `SEARCH`, `USE TEMP B-TREE`, `CORRELATED
//!   SCALAR SUBQUERY`, `SCALAR SUBQUERY`, `CORRELATED LIST SUBQUERY`, `LIST SUBQUERY`,
//!   `REUSE LIST SUBQUERY`, `CO-ROUTINE`, `MATERIALIZE`, `COMPOUND QUERY`, `LEFT-MOST SUBQUERY`,
//!   `UNION ALL`, `UNION USING TEMP B-TREE` (and `INTERSECT`/`EXCEPT`), `MERGE`, `LEFT`, `RIGHT`,
//!   `MULTI-INDEX OR`, `INDEX`, `BLOOM FILTER ON`, `RIGHT-JOIN`, `SETUP`, `RECURSIVE STEP`; any
//!   other detail's leading upper-case words. The forms of SQLite before 3.36 (`SCAN TABLE t AS
//!   x`, `SEARCH TABLE t USING …`, `SCAN SUBQUERY 1`) and before 3.24 (`EXECUTE CORRELATED
//!   SCALAR SUBQUERY 1`) give the same kinds (`EXECUTE` is dropped);
//! - `relation`: the table as the plan names it. SQLite 3.36 and later print the **alias** when
//!   the statement gives one (`FROM users u` → `SCAN u`), so `relation` is then the alias (the
//!   rules map it back to the table when they know the SQL); the older forms print `TABLE t AS
//!   x`, read as relation `t` and alias `x`. `main.users` gives schema `main`. Scans of a
//!   subquery (`SCAN (subquery-4)`, `SCAN top` after `CO-ROUTINE top`, `SCAN SUBQUERY 1`) carry
//!   the property `Subquery Scan` = `true`; `CO-ROUTINE x` and `MATERIALIZE x` have alias `x`;
//! - `index`: `USING INDEX i` and `USING COVERING INDEX i` give `i`, `USING INTEGER PRIMARY KEY`
//!   gives `INTEGER PRIMARY KEY`, `USING PRIMARY KEY` (WITHOUT ROWID tables) `PRIMARY KEY`.
//!   Automatic indexes have no name: `index` is `None` and the property `Automatic Index` is
//!   `true`;
//! - the constraint in parentheses after the index (`a=? AND b>?`) is a condition of kind
//!   `Index Cond`;
//! - `LEFT-JOIN` sets `join_type` to `Left`; `MERGE (UNION)` and the compound operators set
//!   `operation` (`UNION`, `UNION ALL`, `INTERSECT`, `EXCEPT`).
//!
//! Properties (key, value): `Index Type` (`INDEX`, `COVERING INDEX`, `AUTOMATIC COVERING
//! INDEX`, `AUTOMATIC PARTIAL COVERING INDEX`, `INTEGER PRIMARY KEY`, `PRIMARY KEY`), `Automatic
//! Index`, `Covering`, `Subquery Scan`, `Subquery` (the subquery's number), `Purpose` (what a
//! temporary b-tree is for: `ORDER BY`, `GROUP BY`, `DISTINCT`, `RIGHT PART OF ORDER BY`,
//! `LAST TERM OF ORDER BY`, …), `Constant Rows`, `Virtual Table Index`, `Term` (`INDEX 2` of a
//! multi-index OR), `In Operator`, `Estimated Rows` (builds with
//! `SQLITE_EXPLAIN_ESTIMATED_ROWS`), `Extra` (text after the parts above that this reader does
//! not know).
//!
//! Errors name the line and column and what was expected there, and never quote the input.
//! Both readers take linear time and no recursion.

pub(crate) mod sql;

use std::collections::HashMap;

use super::error::PlanError;
use super::input::Line;
use super::model::{Condition, Engine, Format, Node, Plan};

/// Parses the sqlite3 shell's tree (without its `QUERY PLAN` header).
pub(crate) fn parse_tree(lines: &[Line]) -> Result<Plan, PlanError> {
    let mut nodes: Vec<Node> = Vec::new();
    // The node last seen at each depth (the open ancestors of the next line).
    let mut open: Vec<usize> = Vec::new();
    let mut margin: Option<usize> = None;
    for line in lines {
        if line.text.trim().is_empty() {
            continue;
        }
        let chars: Vec<char> = line.text.chars().collect();
        let m = *margin.get_or_insert_with(|| chars.iter().take_while(|c| **c == ' ').count());
        if chars.len() < m || chars[..m].iter().any(|c| *c != ' ') {
            let col = chars.iter().take_while(|c| **c == ' ').count() + 1;
            return Err(PlanError::syntax(
                line.no,
                col,
                format!(
                    "expected the tree's left margin of {m} spaces, as on its first line, then \
                     `|--` or `` `-- ``"
                ),
            ));
        }
        let mut pos = m;
        let mut depth = 0usize;
        loop {
            let group: String = chars.iter().skip(pos).take(3).collect();
            match group.as_str() {
                "|--" | "`--" | "├──" | "└──" => {
                    pos += 3;
                    break;
                }
                "|  " | "   " | "│  " => {
                    depth += 1;
                    pos += 3;
                }
                _ => {
                    return Err(PlanError::syntax(
                        line.no,
                        pos + 1,
                        "expected `|--` or `` `-- `` before the node's detail, or a `|  ` or \
                         three-space indent",
                    ));
                }
            }
        }
        if depth > open.len() {
            return Err(PlanError::syntax(
                line.no,
                m + 3 * open.len() + 1,
                format!(
                    "expected a node at most one level below the line above (depth {} at most), \
                     but the indent is {depth} levels",
                    open.len()
                ),
            ));
        }
        if chars.len() <= pos || chars[pos..].iter().all(|c| c.is_whitespace()) {
            return Err(PlanError::syntax(
                line.no,
                pos + 1,
                "expected the node's detail after `|--` or `` `-- ``",
            ));
        }
        let detail: String = chars[pos..].iter().collect();
        open.truncate(depth);
        let parent = open.last().copied();
        let id = nodes.len();
        let mut node = describe(&detail, line.no, pos + 1)?;
        node.id = id;
        node.parent = parent;
        node.depth = depth;
        if let Some(p) = parent {
            nodes[p].children.push(id);
        }
        nodes.push(node);
        open.push(id);
    }
    finish(nodes, Format::SqliteTree, lines)
}

/// The separator and column count of the rows.
#[derive(Clone, Copy)]
struct Layout {
    sep: char,
    columns: usize,
}

/// Parses id|parent|notused|detail rows (see the module docs for the variants).
pub(crate) fn parse_rows(lines: &[Line]) -> Result<Plan, PlanError> {
    let mut layout: Option<Layout> = None;
    // (line, id, parent, detail, detail column)
    let mut rows: Vec<(usize, u64, u64, usize, String, usize)> = Vec::new();
    let mut first = true;
    for line in lines {
        let text = line.text.as_str();
        if text.trim().is_empty() {
            continue;
        }
        if first {
            first = false;
            let head: Vec<&str> = text.split(['|', ',', '\t']).map(str::trim).collect();
            let unquoted = |s: &str| s.trim_matches('"').to_ascii_lowercase();
            if head.first().map(|s| unquoted(s)).as_deref() == Some("id") {
                let sep = text
                    .chars()
                    .find(|c| matches!(c, '|' | ',' | '\t'))
                    .unwrap_or('|');
                let names: Vec<String> = head.iter().map(|s| unquoted(s)).collect();
                let columns = match names.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                    ["id", "parent", "notused", "detail"] => 4,
                    ["id", "parent", "detail"] => 3,
                    _ => {
                        return Err(PlanError::syntax(
                            line.no,
                            1,
                            "expected the header `id|parent|notused|detail` or `id|parent|detail`",
                        ));
                    }
                };
                layout = Some(Layout { sep, columns });
                continue;
            }
        }
        let lay = *layout.get_or_insert_with(|| {
            let sep = text
                .chars()
                .find(|c| matches!(c, '|' | '\t'))
                .unwrap_or('|');
            let f: Vec<&str> = text.splitn(4, sep).collect();
            let columns = if f.len() == 4 && f[2].trim().parse::<i64>().is_ok() {
                4
            } else {
                3
            };
            Layout { sep, columns }
        });
        rows.push(split_row(line, lay)?);
    }
    // Link rows to their parents, then order them in pre-order.
    let mut by_id: HashMap<u64, usize> = HashMap::with_capacity(rows.len());
    let mut parent_of: Vec<Option<usize>> = Vec::with_capacity(rows.len());
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    let mut roots: Vec<usize> = Vec::new();
    for (i, &(no, id, parent, parent_col, _, _)) in rows.iter().enumerate() {
        let p = match by_id.get(&parent) {
            Some(&p) => Some(p),
            None if parent == 0 => None,
            None => {
                return Err(PlanError::syntax(
                    no,
                    parent_col,
                    "expected the parent to be 0 or the id of an earlier row",
                ));
            }
        };
        if by_id.insert(id, i).is_some() {
            return Err(PlanError::syntax(
                no,
                1,
                "expected a row id that no earlier row uses",
            ));
        }
        match p {
            Some(p) => kids[p].push(i),
            None => roots.push(i),
        }
        parent_of.push(p);
    }
    let mut order: Vec<usize> = Vec::with_capacity(rows.len());
    let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(kids[i].iter().rev());
    }
    let mut new_id = vec![0usize; rows.len()];
    for (n, &i) in order.iter().enumerate() {
        new_id[i] = n;
    }
    let mut nodes: Vec<Node> = Vec::with_capacity(rows.len());
    for &i in &order {
        let (no, _, _, _, ref detail, col) = rows[i];
        let mut node = describe(detail, no, col)?;
        node.id = new_id[i];
        node.parent = parent_of[i].map(|p| new_id[p]);
        node.depth = node.parent.map_or(0, |p| nodes[p].depth + 1);
        node.children = kids[i].iter().map(|&k| new_id[k]).collect();
        nodes.push(node);
    }
    finish(nodes, Format::SqliteRows, lines)
}

/// One row split into (line, id, parent, parent column, detail, detail column).
fn split_row(
    line: &Line,
    lay: Layout,
) -> Result<(usize, u64, u64, usize, String, usize), PlanError> {
    let text = line.text.as_str();
    let col_of = |byte: usize| text[..byte].chars().count() + 1;
    let mut fields: Vec<(usize, &str)> = Vec::with_capacity(lay.columns);
    let mut start = 0;
    for _ in 1..lay.columns {
        match text[start..].find(lay.sep) {
            Some(at) => {
                fields.push((start, &text[start..start + at]));
                start += at + lay.sep.len_utf8();
            }
            None => break,
        }
    }
    fields.push((start, &text[start..]));
    let names = if lay.columns == 4 {
        "id, parent, notused, detail"
    } else {
        "id, parent, detail"
    };
    if fields.len() < lay.columns {
        return Err(PlanError::syntax(
            line.no,
            text.chars().count() + 1,
            format!(
                "expected {} fields separated by `{}`: {names}",
                lay.columns,
                match lay.sep {
                    '\t' => "\\t".to_owned(),
                    c => c.to_string(),
                }
            ),
        ));
    }
    let number = |i: usize, what: &str| -> Result<u64, PlanError> {
        let (at, f) = fields[i];
        f.trim().parse::<u64>().map_err(|_| {
            let lead = f.len() - f.trim_start().len();
            PlanError::syntax(
                line.no,
                col_of(at + lead),
                format!("expected {what} (a whole number)"),
            )
        })
    };
    let id = number(0, "the row's id")?;
    let parent = number(1, "the parent row's id")?;
    if lay.columns == 4 {
        number(2, "the notused column")?;
    }
    let (at, raw) = fields[lay.columns - 1];
    let lead = raw.len() - raw.trim_start().len();
    let mut detail = raw.trim();
    let unquoted;
    if lay.sep == ',' && detail.len() >= 2 && detail.starts_with('"') && detail.ends_with('"') {
        unquoted = detail[1..detail.len() - 1].replace("\"\"", "\"");
        detail = &unquoted;
    }
    if detail.is_empty() {
        return Err(PlanError::syntax(
            line.no,
            col_of(at + lead),
            "expected the node's detail",
        ));
    }
    Ok((
        line.no,
        id,
        parent,
        col_of(fields[1].0),
        detail.to_owned(),
        col_of(at + lead),
    ))
}

/// The plan around the nodes; marks scans of co-routines and materialized subqueries.
fn finish(mut nodes: Vec<Node>, format: Format, lines: &[Line]) -> Result<Plan, PlanError> {
    if nodes.is_empty() {
        return Err(match lines.iter().find(|l| !l.text.trim().is_empty()) {
            Some(l) => PlanError::NotAPlan { line: l.no },
            None => PlanError::Empty,
        });
    }
    let subqueries: Vec<String> = nodes
        .iter()
        .filter(|n| n.kind == "CO-ROUTINE" || n.kind == "MATERIALIZE")
        .filter_map(|n| n.alias.clone())
        .collect();
    if !subqueries.is_empty() {
        for n in nodes.iter_mut() {
            if (n.kind == "SCAN" || n.kind == "SEARCH")
                && n.schema.is_none()
                && n.alias.is_none()
                && n.property("Subquery Scan").is_none()
                && n.relation.as_ref().is_some_and(|r| subqueries.contains(r))
            {
                n.properties.push(("Subquery Scan".into(), "true".into()));
            }
        }
    }
    Ok(Plan {
        nodes,
        ..Plan::empty(Engine::Sqlite, format)
    })
}

fn prop(node: &mut Node, key: &str, value: impl Into<String>) {
    node.properties.push((key.to_owned(), value.into()));
}

/// The leading words of `s` that are all upper-case letters or `-`.
fn leading_words(s: &str) -> &str {
    let mut end = 0;
    for (i, w) in s.split(' ').scan(0usize, |at, w| {
        let start = *at;
        *at += w.len() + 1;
        Some((start, w))
    }) {
        if !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c == '-') {
            end = i + w.len();
        } else {
            break;
        }
    }
    if end == 0 {
        s.split(' ').next().unwrap_or(s)
    } else {
        &s[..end]
    }
}

/// Reads one detail text into a node (without id, parent, depth and children). `line` and
/// `col` are where the detail starts, for errors.
fn describe(detail: &str, line: usize, col: usize) -> Result<Node, PlanError> {
    // Every detail SQLite prints starts with a word (`SCAN`, `SEARCH`, `USE TEMP B-TREE`, …):
    // `|--|--` or `───` is a mangled tree, not a node.
    if !detail.chars().any(char::is_alphanumeric) {
        return Err(PlanError::syntax(
            line,
            col,
            "expected the node's detail (words such as `SCAN t` or `SEARCH t USING INDEX i \
             (a=?)`), not only tree-drawing characters or punctuation",
        ));
    }
    let mut node = Node {
        detail: Some(detail.to_owned()),
        ..Node::default()
    };
    // Older versions: "EXECUTE [CORRELATED ]SCALAR SUBQUERY n".
    let d = detail.strip_prefix("EXECUTE ").unwrap_or(detail);
    let offset = detail.len() - d.len();
    let at = |byte: usize| col + detail[..byte.min(detail.len())].chars().count();
    if let Some(rest) = d.strip_prefix("SCAN ") {
        node.kind = "SCAN".into();
        scan_search(&mut node, rest, offset + 5, &at, line)?;
        return Ok(node);
    }
    if d == "SCAN" || d == "SEARCH" {
        node.kind = d.into();
        return Ok(node);
    }
    if let Some(rest) = d.strip_prefix("SEARCH ") {
        node.kind = "SEARCH".into();
        scan_search(&mut node, rest, offset + 7, &at, line)?;
        return Ok(node);
    }
    if let Some(rest) = d.strip_prefix("USE TEMP B-TREE") {
        node.kind = "USE TEMP B-TREE".into();
        if let Some(p) = rest.strip_prefix(" FOR ") {
            prop(&mut node, "Purpose", p);
        }
        return Ok(node);
    }
    for kind in [
        "CORRELATED SCALAR SUBQUERY",
        "CORRELATED LIST SUBQUERY",
        "REUSE LIST SUBQUERY",
        "REUSE SUBQUERY",
        "SCALAR SUBQUERY",
        "LIST SUBQUERY",
    ] {
        if let Some(rest) = d.strip_prefix(kind)
            && (rest.is_empty() || rest.starts_with(' '))
        {
            node.kind = kind.into();
            let n = rest.trim();
            if !n.is_empty() {
                prop(&mut node, "Subquery", n);
            }
            return Ok(node);
        }
    }
    for kind in ["CO-ROUTINE", "MATERIALIZE"] {
        if let Some(rest) = d.strip_prefix(kind)
            && (rest.is_empty() || rest.starts_with(' '))
        {
            node.kind = kind.into();
            let name = rest.trim();
            if !name.is_empty() {
                node.alias = Some(name.to_owned());
            }
            return Ok(node);
        }
    }
    for op in ["UNION ALL", "UNION", "INTERSECT", "EXCEPT"] {
        if d == op || d.strip_prefix(op) == Some(" USING TEMP B-TREE") {
            node.kind = d.into();
            node.operation = Some(op.into());
            return Ok(node);
        }
    }
    if let Some(rest) = d.strip_prefix("MERGE (")
        && let Some(op) = rest.strip_suffix(')')
    {
        node.kind = "MERGE".into();
        node.operation = Some(op.into());
        return Ok(node);
    }
    if let Some(n) = d.strip_prefix("INDEX ")
        && n.chars().all(|c| c.is_ascii_digit())
    {
        node.kind = "INDEX".into();
        prop(&mut node, "Term", n);
        return Ok(node);
    }
    if let Some(rest) = d.strip_prefix("BLOOM FILTER ON ") {
        node.kind = "BLOOM FILTER ON".into();
        let (name, cond) = match rest.find(" (") {
            Some(p) => (&rest[..p], Some(p + 1)),
            None => (rest, None),
        };
        set_name(&mut node, name);
        if let Some(p) = cond {
            let base = d.len() - rest.len() + offset;
            let (inner, end) = parenthesised(rest, p).ok_or_else(|| {
                PlanError::syntax(
                    line,
                    at(base + rest.len()),
                    "expected `)` closing the bloom filter's columns",
                )
            })?;
            node.conditions.push(Condition {
                kind: "Index Cond".into(),
                expr: inner.to_owned(),
            });
            if end < rest.len() {
                prop(&mut node, "Extra", rest[end..].trim());
            }
        }
        return Ok(node);
    }
    if let Some(rest) = d.strip_prefix("RIGHT-JOIN ") {
        node.kind = "RIGHT-JOIN".into();
        set_name(&mut node, rest);
        return Ok(node);
    }
    if let Some(rest) = d.strip_prefix("COMPOUND SUBQUERIES ") {
        // SQLite before 3.24: "COMPOUND SUBQUERIES 1 AND 2 USING TEMP B-TREE (UNION)".
        node.kind = "COMPOUND SUBQUERIES".into();
        if let Some(op) = rest
            .rfind('(')
            .and_then(|p| rest[p + 1..].strip_suffix(')'))
        {
            node.operation = Some(op.to_owned());
        }
        return Ok(node);
    }
    node.kind = leading_words(d).to_owned();
    Ok(node)
}

/// The text inside the parentheses opening at byte `open` of `s`, and the byte after them.
fn parenthesised(s: &str, open: usize) -> Option<(&str, usize)> {
    let mut depth = 0usize;
    for (i, c) in s[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some((&s[open + 1..open + i], open + i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// Sets relation (and schema, for `main.t`) or, for `(subquery-4)`, the subquery mark.
fn set_name(node: &mut Node, name: &str) {
    if name.starts_with('(') {
        node.alias = Some(name.to_owned());
        prop(node, "Subquery Scan", "true");
        return;
    }
    match name.split_once('.') {
        Some((schema, table)) if !schema.is_empty() && !table.is_empty() => {
            node.schema = Some(schema.to_owned());
            node.relation = Some(table.to_owned());
        }
        _ => node.relation = Some(name.to_owned()),
    }
}

/// The first of `markers` in `s`: its byte position, or `s.len()`.
fn first_marker(s: &str, markers: &[&str]) -> usize {
    markers
        .iter()
        .filter_map(|m| s.find(m))
        .min()
        .unwrap_or(s.len())
}

fn advance(rest: &mut &str, base: &mut usize, n: usize) {
    *base += n;
    *rest = &rest[n..];
}

/// Reads what follows `SCAN ` or `SEARCH ` (at byte `base` of the detail).
fn scan_search(
    node: &mut Node,
    rest: &str,
    base: usize,
    at: &dyn Fn(usize) -> usize,
    line: usize,
) -> Result<(), PlanError> {
    const AFTER_NAME: &[&str] = &[
        " AS ",
        " USING ",
        " VIRTUAL TABLE INDEX ",
        " LEFT-JOIN",
        " (~",
        " FOR IN-OPERATOR",
    ];
    let mut rest = rest;
    let mut base = base;
    if rest == "CONSTANT ROW" {
        prop(node, "Constant Rows", "1");
        return Ok(());
    }
    if let Some(n) = rest.strip_suffix(" CONSTANT ROWS")
        && n.chars().all(|c| c.is_ascii_digit())
    {
        prop(node, "Constant Rows", n);
        return Ok(());
    }
    if rest.starts_with("TABLE ") {
        advance(&mut rest, &mut base, 6);
    } else if let Some(n) = rest.strip_prefix("SUBQUERY ") {
        // Before 3.36: "SCAN SUBQUERY 1 [AS x]".
        let end = first_marker(n, AFTER_NAME);
        prop(node, "Subquery Scan", "true");
        prop(node, "Subquery", &n[..end]);
        advance(&mut rest, &mut base, 9 + end);
    }
    if node.property("Subquery").is_none() {
        let end = first_marker(rest, AFTER_NAME);
        set_name(node, &rest[..end]);
        advance(&mut rest, &mut base, end);
    }
    if let Some(a) = rest.strip_prefix(" AS ") {
        let end = first_marker(a, AFTER_NAME);
        node.alias = Some(a[..end].to_owned());
        advance(&mut rest, &mut base, 4 + end);
    }
    if rest.starts_with(" USING ") {
        advance(&mut rest, &mut base, 7);
        const TYPES: &[&str] = &[
            "AUTOMATIC PARTIAL COVERING INDEX",
            "AUTOMATIC PARTIAL INDEX",
            "AUTOMATIC COVERING INDEX",
            "AUTOMATIC INDEX",
            "INTEGER PRIMARY KEY",
            "PRIMARY KEY",
            "COVERING INDEX",
            "INDEX",
        ];
        let ty = TYPES.iter().find(|t| {
            rest.strip_prefix(**t)
                .is_some_and(|r| r.is_empty() || r.starts_with(' '))
        });
        if let Some(ty) = ty {
            prop(node, "Index Type", *ty);
            advance(&mut rest, &mut base, ty.len());
            if ty.starts_with("AUTOMATIC") {
                prop(node, "Automatic Index", "true");
            } else if ty.ends_with("PRIMARY KEY") {
                node.index = Some((*ty).to_owned());
            } else {
                // " name", up to the constraint or what follows.
                let r = rest.strip_prefix(' ').unwrap_or(rest);
                let end = first_marker(r, &[" (", " LEFT-JOIN", " FOR IN-OPERATOR"]);
                if end > 0 {
                    node.index = Some(r[..end].to_owned());
                }
                let skip = rest.len() - r.len() + end;
                advance(&mut rest, &mut base, skip);
            }
            if ty.contains("COVERING") {
                prop(node, "Covering", "true");
            }
            if rest.starts_with(" (") && !rest.starts_with(" (~") {
                let (inner, end) = parenthesised(rest, 1).ok_or_else(|| {
                    PlanError::syntax(
                        line,
                        at(base + rest.len()),
                        "expected `)` closing the index constraint",
                    )
                })?;
                node.conditions.push(Condition {
                    kind: "Index Cond".into(),
                    expr: inner.to_owned(),
                });
                advance(&mut rest, &mut base, end);
            }
        } else {
            // "USING ROWID SEARCH ON TABLE t FOR IN-OPERATOR" and other old forms.
            prop(node, "Extra", format!("USING {rest}"));
            return Ok(());
        }
    }
    if let Some(v) = rest.strip_prefix(" VIRTUAL TABLE INDEX ") {
        let end = first_marker(v, &[" LEFT-JOIN", " (~"]);
        prop(node, "Virtual Table Index", &v[..end]);
        advance(&mut rest, &mut base, 21 + end);
    }
    if rest.starts_with(" FOR IN-OPERATOR") {
        prop(node, "In Operator", "true");
        advance(&mut rest, &mut base, 16);
    }
    if rest.starts_with(" LEFT-JOIN") {
        node.join_type = Some("Left".into());
        advance(&mut rest, &mut base, 10);
    }
    if let Some(e) = rest.strip_prefix(" (~")
        && let Some(n) = e.strip_suffix(" rows)").or_else(|| e.strip_suffix(" row)"))
        && n.chars().all(|c| c.is_ascii_digit())
    {
        prop(node, "Estimated Rows", n);
        rest = "";
    }
    if !rest.trim().is_empty() {
        prop(node, "Extra", rest.trim());
    }
    Ok(())
}

/// Whether `node` reads a whole table: a `SCAN` of a table without an index (not a subquery,
/// a constant row, a virtual table or an automatic index).
pub(crate) fn is_full_scan(node: &Node) -> bool {
    node.kind == "SCAN"
        && node.index.is_none()
        && node.relation.is_some()
        && [
            "Automatic Index",
            "Subquery Scan",
            "Constant Rows",
            "Virtual Table Index",
            "Extra",
        ]
        .iter()
        .all(|k| node.property(k).is_none())
}

/// The name a plan gives a table reference: the alias in the old `TABLE t AS x` form, else
/// what it prints (the alias or the table since 3.36).
pub(crate) fn printed_name(node: &Node) -> Option<&str> {
    node.alias.as_deref().or(node.relation.as_deref())
}

/// Why a node runs more than once per statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeats {
    /// Once per statement, as far as the plan shows.
    Once,
    /// An inner loop of a join: a `SCAN`/`SEARCH` before it at the same level drives it.
    JoinLoop,
    /// Inside a correlated subquery, run once per row of the outer query.
    Correlated,
}

/// [`Repeats`] for every node, in one pass over the plan.
pub(crate) fn repeats(plan: &Plan) -> Vec<Repeats> {
    let mut out = vec![Repeats::Once; plan.nodes.len()];
    let drives = |n: &Node| {
        (n.kind == "SCAN" || n.kind == "SEARCH") && n.property("Constant Rows").is_none()
            || n.kind == "MULTI-INDEX OR"
    };
    // Whether a child seen so far of each node (and of the top level) drives a loop.
    let mut seen = vec![false; plan.nodes.len()];
    let mut seen_root = false;
    for n in &plan.nodes {
        let inherited = n.parent.map_or(Repeats::Once, |p| {
            if plan.nodes[p].kind.starts_with("CORRELATED ") {
                Repeats::Correlated
            } else {
                out[p]
            }
        });
        let slot = match n.parent {
            Some(p) => &mut seen[p],
            None => &mut seen_root,
        };
        // Only a loop is nested in the loops before it; a subquery or a sort next to them runs
        // on its own.
        let after_loop = *slot && drives(n);
        if drives(n) {
            *slot = true;
        }
        out[n.id] = if inherited == Repeats::Correlated {
            Repeats::Correlated
        } else if after_loop {
            Repeats::JoinLoop
        } else {
            inherited
        };
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;
