//! # `sqlite-full-scan`: SQLite reads a whole table the statement filters or loops over
//!
//! **What it finds**: a `SCAN t` without an index (a full table scan) that either
//!
//! - runs inside a loop: after another `SCAN`/`SEARCH` at the same level of the plan (an inner
//!   loop of a join, run once per row of the loops before it) or inside a correlated subquery
//!   (run once per outer row); or
//! - is the outermost loop of a table the statement filters, when the statement is known
//!   ([`Explained::new`](crate::Explained::new) with SQL): its `WHERE` or `ON`
//!   compares a column of that table with a constant.
//!
//! Without the SQL, an outermost `SCAN t` is not reported: the plan does not say whether the
//! statement filters it, and reading a whole table it wants whole is no problem. With the SQL,
//! scans of subqueries and `WITH` queries, and unfiltered inner scans (a cross join asked
//! for), are not reported either.
//!
//! **Why it matters**: a full scan's time grows with the table, not with the rows wanted. In a
//! loop it is worse: the table is read once per outer row, O(n×m), the classic cause of a
//! statement that is instant on test data and takes minutes in production.
//!
//! **How to fix it**: an index on the columns the statement compares on that table: equality
//! with constants first, then join columns, then ranges. With the SQL the finding names them
//! (`CREATE INDEX ON t (a, b)`); without it, index the join column of the inner table. Only
//! table and column names are printed, never values.
//!
//! **Severity and thresholds**: high for a full scan inside a loop (join or correlated
//! subquery), medium for a filtered outermost scan. SQLite plans have no times: the finding
//! has no cost.

use super::context::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Engine;
use crate::sqlite::sql::{Predicates, analyse};
use crate::sqlite::{Repeats, is_full_scan, printed_name, repeats};

pub(super) const RULE: Rule = Rule {
    id: "sqlite-full-scan",
    engine: Engine::Sqlite,
    summary: "SQLite: a full table scan in a loop, or of a table the statement filters",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let stmt = cx.sql.and_then(analyse);
    let rep = repeats(cx.plan);
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        if !is_full_scan(node) || !cx.matters(node) {
            continue;
        }
        let Some(name) = printed_name(node) else {
            continue;
        };
        let looped = rep[node.id] != Repeats::Once;
        let (table, cols) = match &stmt {
            Some(st) => {
                if st.is_subquery(name) {
                    continue;
                }
                let p = st.predicates(name);
                let cols = if looped {
                    p.index_columns()
                } else {
                    Predicates {
                        join: Vec::new(),
                        ..p.clone()
                    }
                    .index_columns()
                };
                if cols.is_empty() {
                    continue;
                }
                let table = if node.alias.is_some() {
                    node.relation.clone()
                } else {
                    p.table.clone()
                };
                (table.unwrap_or_else(|| name.to_owned()), cols)
            }
            None if looped => (
                if node.alias.is_some() {
                    node.relation.clone().unwrap_or_else(|| name.to_owned())
                } else {
                    name.to_owned()
                },
                Vec::new(),
            ),
            None => continue,
        };
        let qualified = match &node.schema {
            Some(s) => format!("{s}.{table}"),
            None => table.clone(),
        };
        let named = if name.eq_ignore_ascii_case(&table) {
            table.clone()
        } else {
            format!("{table} (as {name})")
        };
        let on_cols = if cols.is_empty() {
            String::new()
        } else {
            format!(" on {}", cols.join(", "))
        };
        let (severity, title, detail) = match rep[node.id] {
            Repeats::JoinLoop => (
                Severity::High,
                format!("Full scan of {named} for every row of the loops before it"),
                format!(
                    "{named} is an inner loop of a join without an index: SQLite reads the \
                     whole table once per row of the outer loops (O(n×m)){}.",
                    if cols.is_empty() {
                        String::new()
                    } else {
                        format!("; the statement compares it{on_cols}")
                    }
                ),
            ),
            Repeats::Correlated => (
                Severity::High,
                format!("Full scan of {named} inside a correlated subquery"),
                format!(
                    "The subquery runs once per outer row and reads all of {named} each time \
                     (O(n×m)){}.",
                    if cols.is_empty() {
                        String::new()
                    } else {
                        format!("; it compares{on_cols}")
                    }
                ),
            ),
            Repeats::Once => (
                Severity::Medium,
                format!("Full scan of {named} to filter{on_cols}"),
                format!(
                    "SQLite reads every row of {named} and tests the filter{on_cols} on each: \
                     no index serves it."
                ),
            ),
        };
        let fix = if cols.is_empty() {
            format!(
                "Index the column(s) {named} is joined or filtered on (CREATE INDEX ON \
                 {qualified} (…)), so SQLite can SEARCH it instead of scanning it on every \
                 loop; pass the SQL to have the columns named."
            )
        } else {
            format!(
                "CREATE INDEX ON {qualified} ({}); (equality columns first, then ranges; \
                 then check the plan says SEARCH {name} USING INDEX)",
                cols.join(", ")
            )
        };
        out.push(cx.node_finding(RULE.id, node, severity, title, detail, fix));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::sqlite::tests::{fixture_named, run};

    #[test]
    fn filtered_outer_scan_needs_the_sql() {
        let (tree, rows) = fixture_named("full_scan_filtered");
        let sql = "SELECT * FROM users WHERE email = 'user42@example.com';";
        for plan in [tree, rows] {
            let e = run(plan, Some(sql));
            let f: Vec<_> = e.findings_of("sqlite-full-scan").collect();
            assert_eq!(f.len(), 1, "{e}");
            assert_eq!(f[0].severity, crate::finding::Severity::Medium);
            assert!(
                f[0].fix.contains("CREATE INDEX ON users (email)"),
                "{}",
                f[0].fix
            );
            assert!(!format!("{f:?}").contains("user42"));
            // Without the SQL an outermost scan may be wanted whole: silent.
            run(plan, None).assert_no_finding("sqlite-full-scan");
        }
        // With the SQL, an unfiltered scan is silent.
        run(tree, Some("SELECT * FROM users")).assert_no_finding("sqlite-full-scan");
    }

    #[test]
    fn inner_loop_scan_without_sql() {
        let plan = "QUERY PLAN\n|--SCAN u\n`--SCAN o\n";
        let e = run(plan, None);
        let f: Vec<_> = e.findings_of("sqlite-full-scan").collect();
        assert_eq!(f.len(), 1, "{e}");
        assert_eq!(f[0].severity, crate::finding::Severity::High);
        assert_eq!(f[0].node, Some(1));
        assert!(f[0].title.contains("every row"));
    }

    #[test]
    fn inner_loop_scan_with_sql_names_the_join_column_and_table() {
        let plan = "QUERY PLAN\n|--SCAN u\n`--SCAN o\n";
        let sql = "SELECT * FROM users u JOIN order_items o ON o.order_id = u.id WHERE o.qty > 2";
        let e = run(plan, Some(sql));
        let f: Vec<_> = e.findings_of("sqlite-full-scan").collect();
        assert_eq!(f.len(), 1, "{e}");
        assert!(
            f[0].fix
                .contains("CREATE INDEX ON order_items (order_id, qty)"),
            "{}",
            f[0].fix
        );
        // A cross join the statement asks for is not reported.
        run(plan, Some("SELECT * FROM users u, order_items o"))
            .assert_no_finding("sqlite-full-scan");
    }

    #[test]
    fn scan_inside_a_correlated_subquery() {
        let plan = "QUERY PLAN\n|--SCAN u\n`--CORRELATED SCALAR SUBQUERY 1\n   `--SCAN e\n";
        let f = run(plan, None);
        let f: Vec<_> = f.findings_of("sqlite-full-scan").collect();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].node, Some(2));
        assert!(f[0].title.contains("correlated"));
    }

    #[test]
    fn old_scan_table_forms() {
        let plan = "QUERY PLAN\n|--SCAN TABLE users AS u\n`--SCAN TABLE orders AS o\n";
        let e = run(plan, None);
        let f: Vec<_> = e.findings_of("sqlite-full-scan").collect();
        assert_eq!(f.len(), 1, "{e}");
        assert!(f[0].title.contains("orders (as o)"), "{}", f[0].title);
        let sql = "SELECT * FROM users u JOIN orders o ON o.status = u.country";
        let e = run(plan, Some(sql));
        let f: Vec<_> = e.findings_of("sqlite-full-scan").collect();
        assert!(
            f[0].fix.contains("CREATE INDEX ON orders (status)"),
            "{}",
            f[0].fix
        );
    }

    #[test]
    fn healthy_plans_are_silent() {
        for name in ["healthy", "healthy_index", "automatic_index", "temp_btree"] {
            let (tree, rows) = fixture_named(name);
            run(tree, None).assert_no_finding("sqlite-full-scan");
            run(rows, None).assert_no_finding("sqlite-full-scan");
        }
        // Indexed and subquery scans are not full table scans.
        let (tree, _) = fixture_named("nested_compound");
        let e = run(tree, None);
        assert!(
            e.findings_of("sqlite-full-scan")
                .all(|f| f.target != "SCAN x"),
            "{e}"
        );
    }
}
