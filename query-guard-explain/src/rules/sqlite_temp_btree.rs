//! # `sqlite-temp-btree`: SQLite sorts, groups or deduplicates in a temporary b-tree
//!
//! **What it finds**: `USE TEMP B-TREE FOR ORDER BY` (`GROUP BY`, `DISTINCT`, `RIGHT PART OF
//! ORDER BY`, `LAST TERM OF ORDER BY`, …): no index delivers the rows in the order the clause
//! needs, so SQLite copies them into a temporary b-tree and reads them back in order.
//!
//! **Why it matters**: every row the loops produce is inserted into the b-tree (O(n log n),
//! memory or a temporary file) before the first row comes out, on every run, and `LIMIT`
//! cannot stop the scan early. Over a full scan of a table that is the whole table sorted each
//! time. The partial forms (`RIGHT PART OF …`, `LAST … TERM(S) OF …`) sort only within groups an
//! index already orders, and cost less.
//!
//! **How to fix it**: an index whose columns match the clause, after the columns the `WHERE`
//! compares for equality (`WHERE user_id = ? ORDER BY placed_at` → `(user_id, placed_at)`).
//! With the SQL, the finding names them when every term of the clause is a plain column of one
//! table; a `DESC` is kept when the directions are mixed.
//!
//! **Severity and thresholds**: low, as a sort of a few rows is cheap; medium when it sorts the
//! output of a full table scan at the same level of the plan (and the whole order is sorted,
//! not only its right part). No times in SQLite plans: the finding has no cost.

use super::context::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Engine;
use crate::sqlite::sql::{Clause, analyse};
use crate::sqlite::{is_full_scan, printed_name};

pub(super) const RULE: Rule = Rule {
    id: "sqlite-temp-btree",
    engine: Engine::Sqlite,
    summary: "SQLite: a temporary b-tree to sort, group or deduplicate",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let stmt = cx.sql.and_then(analyse);
    let nodes = &cx.plan.nodes;
    let roots: Vec<usize> = nodes
        .iter()
        .filter(|n| n.parent.is_none())
        .map(|n| n.id)
        .collect();
    let mut out = Vec::new();
    for node in nodes {
        if node.kind != "USE TEMP B-TREE" || !cx.matters(node) {
            continue;
        }
        let purpose = node.property("Purpose").unwrap_or("");
        let clause = if purpose.contains("ORDER BY") {
            Clause::OrderBy
        } else if purpose.contains("GROUP BY") {
            Clause::GroupBy
        } else if purpose.contains("DISTINCT") {
            Clause::Distinct
        } else {
            continue;
        };
        let partial = purpose != "ORDER BY" && purpose != "GROUP BY" && purpose != "DISTINCT";
        let siblings = match node.parent {
            Some(p) => &nodes[p].children,
            None => &roots,
        };
        let loops: Vec<&crate::model::Node> = siblings
            .iter()
            .map(|&s| &nodes[s])
            .filter(|n| n.kind == "SCAN" || n.kind == "SEARCH")
            .collect();
        let full = loops.iter().find(|n| is_full_scan(n));
        let names: Vec<&str> = loops.iter().filter_map(|n| printed_name(n)).collect();
        let severity = if full.is_some() && !partial {
            Severity::Medium
        } else {
            Severity::Low
        };
        let clause_text = match clause {
            Clause::OrderBy => "ORDER BY",
            Clause::GroupBy => "GROUP BY",
            Clause::Distinct => "DISTINCT",
        };
        let source = match (full, names.is_empty()) {
            (Some(f), _) => format!(
                "the whole of {} (a full scan)",
                printed_name(f).unwrap_or("the table")
            ),
            (None, false) => format!("the rows of {}", names.join(", ")),
            (None, true) => "the rows before it".to_owned(),
        };
        let index = stmt
            .as_ref()
            .and_then(|st| st.sort_index(&names, clause))
            .map(|(table, cols)| format!("CREATE INDEX ON {table} ({});", cols.join(", ")));
        let fix = match index {
            Some(ix) => format!(
                "{ix} An index in the {clause_text} order (after the columns the WHERE \
                 compares for equality) lets SQLite read rows already in order, with no sort."
            ),
            None => format!(
                "Create an index whose columns match the {clause_text} columns (after the \
                 columns the WHERE compares for equality), on the table the loop reads, so \
                 SQLite reads rows already in order; pass the SQL to have them named."
            ),
        };
        out.push(cx.node_finding(
            RULE.id,
            node,
            severity,
            format!("{} sorts {source} on every run", node.label()),
            format!(
                "No index gives the {clause_text} order{}, so SQLite inserts every row into a \
                 temporary b-tree and reads it back in order before returning the first row.",
                if partial {
                    " beyond its first terms"
                } else {
                    ""
                }
            ),
            fix,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::sqlite::tests::{fixture_named, run};

    #[test]
    fn order_by_group_by_and_distinct_scenarios() {
        let cases = [
            (
                "temp_btree",
                "SELECT id, total FROM orders ORDER BY total DESC LIMIT 10;",
                "CREATE INDEX ON orders (total);",
            ),
            (
                "temp_btree_group_by",
                "SELECT status, count(*), sum(total) FROM orders GROUP BY status;",
                "CREATE INDEX ON orders (status);",
            ),
            (
                "temp_btree_distinct",
                "SELECT DISTINCT country FROM users;",
                "CREATE INDEX ON users (country);",
            ),
        ];
        for (name, sql, ix) in cases {
            let (tree, rows) = fixture_named(name);
            for plan in [tree, rows] {
                let e = run(plan, Some(sql));
                let f: Vec<_> = e.findings_of("sqlite-temp-btree").collect();
                assert_eq!(f.len(), 1, "{name}: {e}");
                // Each sorts a full scan.
                assert_eq!(f[0].severity, Severity::Medium, "{name}");
                assert!(f[0].fix.starts_with(ix), "{name}: {}", f[0].fix);
                let e = run(plan, None);
                let f: Vec<_> = e.findings_of("sqlite-temp-btree").collect();
                assert!(f[0].fix.contains("pass the SQL"));
            }
        }
    }

    #[test]
    fn an_indexed_search_sorted_is_low_and_keeps_the_equality_prefix() {
        let plan = "QUERY PLAN\n|--SEARCH orders USING INDEX orders_user_id_idx (user_id=?)\n\
                    `--USE TEMP B-TREE FOR ORDER BY\n";
        let sql = "SELECT * FROM orders WHERE user_id = 3 ORDER BY placed_at DESC";
        let e = run(plan, Some(sql));
        let f: Vec<_> = e.findings_of("sqlite-temp-btree").collect();
        assert_eq!(f[0].severity, Severity::Low);
        assert!(
            f[0].fix
                .starts_with("CREATE INDEX ON orders (user_id, placed_at);"),
            "{}",
            f[0].fix
        );
        let partial = "QUERY PLAN\n|--SCAN orders USING INDEX orders_user_id_idx\n\
                       `--USE TEMP B-TREE FOR RIGHT PART OF ORDER BY\n";
        let e = run(
            partial,
            Some("SELECT * FROM orders ORDER BY user_id, placed_at"),
        );
        let f: Vec<_> = e.findings_of("sqlite-temp-btree").collect();
        assert_eq!(f[0].severity, Severity::Low);
        assert!(
            f[0].fix
                .starts_with("CREATE INDEX ON orders (user_id, placed_at);")
        );
    }

    #[test]
    fn nested_plan_and_healthy_plans() {
        let (tree, rows) = fixture_named("nested");
        assert_eq!(run(tree, None).findings_of("sqlite-temp-btree").count(), 4);
        assert_eq!(run(rows, None).findings_of("sqlite-temp-btree").count(), 4);
        for name in [
            "healthy",
            "healthy_index",
            "automatic_index",
            "correlated_subquery",
        ] {
            let (tree, rows) = fixture_named(name);
            run(tree, None).assert_no_finding("sqlite-temp-btree");
            run(rows, None).assert_no_finding("sqlite-temp-btree");
        }
    }
}
