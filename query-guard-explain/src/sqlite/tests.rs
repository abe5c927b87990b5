//! Tests of the SQLite plan readers, on plans from SQLite 3.40.1 (`testdata/sqlite`, copies of
//! `tests/fixtures/explain/sqlite`, made by its `setup.sql` and `scenarios.txt`).

use super::*;
use crate::error::PlanError;
use crate::explained::Explained;
use crate::read::parse;

macro_rules! fixture {
    ($name:literal) => {
        (
            include_str!(concat!("../testdata/sqlite/", $name, ".tree.txt")),
            include_str!(concat!("../testdata/sqlite/", $name, ".rows.txt")),
        )
    };
}

pub(crate) const FIXTURES: &[(&str, (&str, &str))] = &[
    ("automatic_index", fixture!("automatic_index")),
    ("correlated_subquery", fixture!("correlated_subquery")),
    ("full_scan_filtered", fixture!("full_scan_filtered")),
    ("healthy", fixture!("healthy")),
    ("healthy_index", fixture!("healthy_index")),
    ("nested", fixture!("nested")),
    ("nested_compound", fixture!("nested_compound")),
    ("temp_btree", fixture!("temp_btree")),
    ("temp_btree_distinct", fixture!("temp_btree_distinct")),
    ("temp_btree_group_by", fixture!("temp_btree_group_by")),
];

#[test]
fn tree_and_rows_give_the_same_model() {
    for (name, (tree, rows)) in FIXTURES {
        let t = parse(tree).unwrap_or_else(|e| panic!("{name} tree: {e}"));
        let mut r = parse(rows).unwrap_or_else(|e| panic!("{name} rows: {e}"));
        assert_eq!(t.engine, Engine::Sqlite);
        assert_eq!(t.format, Format::SqliteTree, "{name}");
        assert_eq!(r.format, Format::SqliteRows, "{name}");
        r.format = Format::SqliteTree;
        assert_eq!(t, r, "{name}");
    }
}

/// The tree and rows of a fixture by name.
pub(crate) fn fixture_named(name: &str) -> (&'static str, &'static str) {
    FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

/// Parses a plan and runs the rules with this SQL.
pub(crate) fn run(plan: &str, sql: Option<&str>) -> Explained {
    Explained::new(parse(plan).unwrap(), sql)
}

fn one(detail: &str) -> Node {
    let plan = parse(&format!("QUERY PLAN\n`--{detail}\n")).unwrap();
    assert_eq!(plan.nodes.len(), 1);
    plan.nodes.into_iter().next().unwrap()
}

#[test]
fn details_are_read() {
    let n = one("SEARCH o USING INDEX orders_user_id_idx (user_id=?)");
    assert_eq!(n.kind, "SEARCH");
    assert_eq!(n.relation.as_deref(), Some("o"));
    assert_eq!(n.alias, None);
    assert_eq!(n.index.as_deref(), Some("orders_user_id_idx"));
    assert_eq!(n.condition("Index Cond"), Some("user_id=?"));
    assert_eq!(
        n.detail.as_deref(),
        Some("SEARCH o USING INDEX orders_user_id_idx (user_id=?)")
    );

    let n = one("SEARCH users USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)");
    assert_eq!(n.index.as_deref(), Some("INTEGER PRIMARY KEY"));
    assert_eq!(n.condition("Index Cond"), Some("rowid>? AND rowid<?"));

    let n = one("SEARCH e USING AUTOMATIC COVERING INDEX (user_email=? AND kind=?) LEFT-JOIN");
    assert_eq!(n.index, None);
    assert_eq!(n.property("Automatic Index"), Some("true"));
    assert_eq!(n.property("Index Type"), Some("AUTOMATIC COVERING INDEX"));
    assert_eq!(n.join_type.as_deref(), Some("Left"));
    assert_eq!(n.condition("Index Cond"), Some("user_email=? AND kind=?"));

    let n = one("SCAN orders USING COVERING INDEX orders_user_id_idx");
    assert_eq!(n.index.as_deref(), Some("orders_user_id_idx"));
    assert_eq!(n.property("Covering"), Some("true"));
    assert!(n.conditions.is_empty());

    let n = one("SCAN main.users");
    assert_eq!(
        (n.schema.as_deref(), n.relation.as_deref()),
        (Some("main"), Some("users"))
    );

    let n = one("SCAN CONSTANT ROW");
    assert_eq!((n.kind.as_str(), n.relation.as_deref()), ("SCAN", None));

    let n = one("SCAN (subquery-4)");
    assert_eq!(n.property("Subquery Scan"), Some("true"));
    assert_eq!(n.relation, None);

    let n = one("USE TEMP B-TREE FOR RIGHT PART OF ORDER BY");
    assert_eq!(n.kind, "USE TEMP B-TREE");
    assert_eq!(n.property("Purpose"), Some("RIGHT PART OF ORDER BY"));

    for (detail, kind) in [
        ("CORRELATED SCALAR SUBQUERY 1", "CORRELATED SCALAR SUBQUERY"),
        (
            "EXECUTE CORRELATED SCALAR SUBQUERY 1",
            "CORRELATED SCALAR SUBQUERY",
        ),
        ("EXECUTE LIST SUBQUERY 2", "LIST SUBQUERY"),
        ("CORRELATED LIST SUBQUERY 3", "CORRELATED LIST SUBQUERY"),
        ("SCALAR SUBQUERY 1", "SCALAR SUBQUERY"),
        ("CO-ROUTINE top", "CO-ROUTINE"),
        ("MATERIALIZE spend", "MATERIALIZE"),
        ("COMPOUND QUERY", "COMPOUND QUERY"),
        ("LEFT-MOST SUBQUERY", "LEFT-MOST SUBQUERY"),
        ("UNION ALL", "UNION ALL"),
        ("UNION USING TEMP B-TREE", "UNION USING TEMP B-TREE"),
        ("EXCEPT USING TEMP B-TREE", "EXCEPT USING TEMP B-TREE"),
        ("MERGE (UNION)", "MERGE"),
        ("MULTI-INDEX OR", "MULTI-INDEX OR"),
        ("INDEX 2", "INDEX"),
        ("BLOOM FILTER ON o (user_id=?)", "BLOOM FILTER ON"),
        ("RIGHT-JOIN orders", "RIGHT-JOIN"),
        ("RECURSIVE STEP", "RECURSIVE STEP"),
        ("SOMETHING NEW t1", "SOMETHING NEW"),
    ] {
        assert_eq!(one(detail).kind, kind, "{detail}");
    }
    assert_eq!(one("CO-ROUTINE top").alias.as_deref(), Some("top"));
    assert_eq!(one("MERGE (UNION)").operation.as_deref(), Some("UNION"));
    assert_eq!(
        one("CORRELATED SCALAR SUBQUERY 1").property("Subquery"),
        Some("1")
    );
}

#[test]
fn old_table_forms() {
    let n = one("SCAN TABLE users AS u");
    assert_eq!(n.kind, "SCAN");
    assert_eq!(n.relation.as_deref(), Some("users"));
    assert_eq!(n.alias.as_deref(), Some("u"));
    let n = one("SEARCH TABLE orders AS o USING COVERING INDEX i (user_id=? AND status>?)");
    assert_eq!(n.kind, "SEARCH");
    assert_eq!(
        (n.relation.as_deref(), n.alias.as_deref()),
        (Some("orders"), Some("o"))
    );
    assert_eq!(n.index.as_deref(), Some("i"));
    assert_eq!(n.condition("Index Cond"), Some("user_id=? AND status>?"));
    let n = one("SEARCH TABLE t USING INTEGER PRIMARY KEY (rowid=?)");
    assert_eq!((n.relation.as_deref(), n.alias), (Some("t"), None));
    assert_eq!(n.index.as_deref(), Some("INTEGER PRIMARY KEY"));
    let n = one("SCAN TABLE t (~1000000 rows)");
    assert_eq!(n.property("Estimated Rows"), Some("1000000"));
    let n = one("SCAN SUBQUERY 1 AS x");
    assert_eq!(n.property("Subquery Scan"), Some("true"));
    assert_eq!(n.alias.as_deref(), Some("x"));
    // A scan of a co-routine is marked as a subquery scan.
    let (tree, _) = fixture_named("nested");
    let plan = parse(tree).unwrap();
    let scan_top = plan.nodes.iter().find(|n| n.label() == "SCAN top").unwrap();
    assert_eq!(scan_top.property("Subquery Scan"), Some("true"));
}

#[test]
fn structure_of_a_nested_plan() {
    let (tree, _) = fixture_named("nested");
    let plan = parse(tree).unwrap();
    assert_eq!(plan.nodes.len(), 16);
    assert_eq!(plan.roots().count(), 1);
    let max = plan.nodes.iter().map(|n| n.depth).max();
    assert_eq!(max, Some(4));
    for n in &plan.nodes {
        assert_eq!(n.id, plan.nodes.iter().position(|m| m == n).unwrap());
        for &c in &n.children {
            assert_eq!(plan.nodes[c].parent, Some(n.id));
            assert_eq!(plan.nodes[c].depth, n.depth + 1);
            assert!(c > n.id);
        }
    }
    // Several roots.
    let (tree, _) = fixture_named("correlated_subquery");
    let plan = parse(tree).unwrap();
    assert_eq!(plan.roots().count(), 2);
    assert_eq!(plan.nodes[2].parent, Some(1));
}

#[test]
fn row_variants() {
    let (tree, rows) = fixture_named("nested_compound");
    let want = parse(tree).unwrap();
    let same = |text: &str| {
        let mut p = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(p.format, Format::SqliteRows);
        p.format = Format::SqliteTree;
        assert_eq!(p, want, "{text}");
    };
    same(rows);
    // Without the header.
    same(&rows.lines().skip(1).collect::<Vec<_>>().join("\n"));
    // Tab-separated.
    same(&rows.replace('|', "\t"));
    // Three columns.
    let three: Vec<String> = rows
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, '|').collect();
            format!("{}|{}|{}", f[0], f[1], f[3])
        })
        .collect();
    same(&three.join("\n"));
    same(&three[1..].join("\n"));
    // Comma-separated with its header, details quoted or not.
    let csv: Vec<String> = rows
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let f: Vec<&str> = l.splitn(4, '|').collect();
            if i % 2 == 0 {
                format!("{},{},{},{}", f[0], f[1], f[2], f[3])
            } else {
                format!("{},{},{},\"{}\"", f[0], f[1], f[2], f[3])
            }
        })
        .collect();
    same(&csv.join("\n"));
    // Rows out of pre-order (a child after a later sibling of its parent) are ordered.
    let shuffled = "id|parent|notused|detail\n2|0|0|SCAN u\n9|0|0|CORRELATED SCALAR SUBQUERY 1\n\
                    20|0|0|USE TEMP B-TREE FOR ORDER BY\n15|9|0|SEARCH o USING INDEX i (user_id=?)\n";
    let p = parse(shuffled).unwrap();
    let labels: Vec<String> = p.nodes.iter().map(Node::label).collect();
    assert_eq!(
        labels,
        [
            "SCAN u",
            "CORRELATED SCALAR SUBQUERY 1",
            "SEARCH o USING INDEX i (user_id=?)",
            "USE TEMP B-TREE FOR ORDER BY"
        ]
    );
    assert_eq!(p.nodes[2].parent, Some(1));
    // A detail holding the separator keeps it.
    let p = parse("1|0|0|SCAN a|b").unwrap();
    assert_eq!(p.nodes[0].detail.as_deref(), Some("SCAN a|b"));
}

#[test]
fn tree_variants() {
    let (tree, _) = fixture_named("nested");
    let want = parse(tree).unwrap();
    // Indented as a whole, with Windows line ends.
    let indented: String = tree.lines().map(|l| format!("    {l}\r\n")).collect();
    assert_eq!(parse(&indented).unwrap(), want);
    // Without the QUERY PLAN header.
    let bare: String = tree.lines().skip(1).map(|l| format!("{l}\n")).collect();
    assert_eq!(parse(&bare).unwrap(), want);
    // Box-drawing connectors.
    let boxed = tree
        .replace("|--", "├──")
        .replace("`--", "└──")
        .replace("|  ", "│  ");
    assert_eq!(parse(&boxed).unwrap(), want);
}

fn syntax(text: &str) -> (usize, usize, String) {
    match parse(text) {
        Err(PlanError::Syntax {
            line,
            column,
            expected,
        }) => (line, column, expected),
        other => panic!("expected a syntax error for {text:?}, got {other:?}"),
    }
}

#[test]
fn errors_name_line_and_column_and_never_quote() {
    // A child three levels deeper than its parent.
    let (line, col, msg) = syntax("QUERY PLAN\n|--SCAN secret_t\n|        `--SCAN t2\n");
    assert_eq!((line, col), (3, 4));
    assert!(msg.contains("one level below"), "{msg}");
    // Two levels below the line above.
    let (line, col, _) = syntax("QUERY PLAN\n`--SCAN t\n      `--SCAN u\n");
    assert_eq!((line, col), (3, 4));
    // A broken connector.
    let (line, col, msg) = syntax("QUERY PLAN\n|--SCAN t\n|-SCAN secret\n");
    assert_eq!((line, col), (3, 1));
    assert!(!msg.contains("secret"));
    // A missing detail, a line left of the margin.
    assert_eq!(syntax("QUERY PLAN\n|--SCAN t\n`--\n").0, 3);
    assert_eq!(syntax("QUERY PLAN\n  |--SCAN t\n `--SCAN u\n").0, 3);
    // A constraint cut short.
    let (line, col, msg) = syntax("QUERY PLAN\n`--SEARCH t USING INDEX i (a=? AND b");
    assert_eq!(line, 2);
    assert_eq!(col, "`--SEARCH t USING INDEX i (a=? AND b".len() + 1);
    assert!(msg.contains("`)`"));
    // Rows: a bad id, an unknown parent, too few fields, a duplicate id.
    let (line, col, msg) = syntax("id|parent|notused|detail\n2|0|0|SCAN t\nx7|2|0|SCAN secret\n");
    assert_eq!((line, col), (3, 1));
    assert!(msg.contains("id") && !msg.contains("secret") && !msg.contains("x7"));
    let (line, col, msg) = syntax("id|parent|notused|detail\n2|0|0|SCAN t\n3|5|0|SCAN u\n");
    assert_eq!((line, col), (3, 3));
    assert!(msg.contains("parent"));
    let (line, _, _) = syntax("id|parent|notused|detail\n2|0|0|SCAN t\n3|2\n");
    assert_eq!(line, 3);
    assert_eq!(syntax("2|0|0|SCAN t\n2|0|0|SCAN u\n").0, 2);
    assert_eq!(syntax("id|parent|notused|detail\n2|0|0|\n").0, 2);
}

/// A tree whose lines hold only tree-drawing characters has no node (issue 11, item 8).
#[test]
fn only_tree_drawing_characters_is_not_a_node() {
    for (text, line, col) in [
        ("QUERY PLAN\n|--|--\n`--`--\n", 2, 4),
        ("QUERY PLAN\n`--───\n", 2, 4),
        ("QUERY PLAN\n└──|  `--\n", 2, 4),
        ("QUERY PLAN\n`--SCAN t\n   `--|--\n", 3, 7),
        ("QUERY PLAN\n`--SCAN t\n   `--()\n", 3, 7),
        ("id|parent|notused|detail\n2|0|0|SCAN t\n3|2|0| |--\n", 3, 8),
    ] {
        let (l, c, msg) = syntax(text);
        assert_eq!((l, c), (line, col), "{text:?}: {msg}");
        assert!(msg.contains("not only tree-drawing characters"), "{msg}");
    }
    // A one-word detail is a node.
    assert_eq!(parse("QUERY PLAN\n`--SCAN\n").unwrap().nodes.len(), 1);
}

/// Every prefix and every one-byte corruption of every fixture: no panic, and an error, when
/// there is one, points inside the input.
#[test]
fn truncated_and_corrupted_input_never_panics() {
    let replacements = [
        b'|', b'`', b'-', b' ', b'(', b')', b'\n', b'0', b'x', b'\t', 0xff,
    ];
    let check = |text: &str| {
        let lines = text.lines().count().max(1);
        if let Err(PlanError::Syntax { line, column, .. }) = parse(text) {
            assert!(line >= 1 && line <= lines + 1 && column >= 1, "{text:?}");
        }
    };
    for (_, (tree, rows)) in FIXTURES {
        for text in [*tree, *rows] {
            for end in 0..=text.len() {
                if text.is_char_boundary(end) {
                    check(&text[..end]);
                }
            }
            let bytes = text.as_bytes();
            for i in 0..bytes.len() {
                for &r in &replacements {
                    let mut b = bytes.to_vec();
                    b[i] = r;
                    check(&String::from_utf8_lossy(&b));
                }
                let mut b = bytes.to_vec();
                b.remove(i);
                check(&String::from_utf8_lossy(&b));
            }
        }
    }
}

#[test]
fn ten_thousand_lines() {
    // A deep chain, then wide siblings: 10,000 lines in all.
    let mut tree = String::from("QUERY PLAN\n");
    for d in 0..5000 {
        tree.push_str(&"   ".repeat(d));
        tree.push_str("`--SCAN t\n");
    }
    for _ in 0..5000 {
        tree.push_str("|--SEARCH t USING INDEX i (a=?)\n");
    }
    let plan = parse(&tree).unwrap();
    assert_eq!(plan.nodes.len(), 10_000);
    assert_eq!(plan.nodes[4999].depth, 4999);
    assert_eq!(plan.roots().count(), 5001);
    // Rows of the same plan shape, and the rules over it.
    let mut rows = String::from("id|parent|notused|detail\n");
    for i in 1..=10_000 {
        let parent = if i <= 5000 { i - 1 } else { 0 };
        rows.push_str(&format!("{i}|{parent}|0|SCAN t{i}\n"));
    }
    let plan = parse(&rows).unwrap();
    assert_eq!(plan.nodes.len(), 10_000);
    // The top-level scans after the first are inner loops of one join.
    let e = Explained::new(plan, None);
    assert_eq!(e.findings_of("sqlite-full-scan").count(), 5000);
}
