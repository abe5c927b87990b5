//! # `sqlite-correlated-subquery`: a subquery SQLite runs once per outer row
//!
//! **What it finds**: a `CORRELATED SCALAR SUBQUERY n` or `CORRELATED LIST SUBQUERY n` (and the
//! `EXECUTE CORRELATED …` form of SQLite before 3.24): a subquery that refers to the outer
//! query's columns, so SQLite runs it again for every outer row.
//!
//! **Why it matters**: its cost is multiplied by the outer row count. With an index lookup
//! inside (`SEARCH … USING INDEX`) that is n lookups, often acceptable; with a full scan inside
//! it is O(n×m).
//!
//! **How to fix it**: rewrite it as a join: a scalar aggregate (`(SELECT count(*) FROM o WHERE
//! o.k = u.id)`) as a `LEFT JOIN` to the grouped table (`LEFT JOIN (SELECT k, count(*) AS n
//! FROM o GROUP BY k) c ON c.k = u.id`), an `IN`/`EXISTS` list as a join or semi-join. Or, if
//! it stays, index what the subquery searches: with the SQL the finding names the columns of
//! the table it scans (`CREATE INDEX ON t (a, b)`).
//!
//! **Severity and thresholds**: high when the subquery scans a whole table, medium when it
//! builds an automatic index, low when every table it reads is searched through an index. No
//! times in SQLite plans: the finding has no cost.

use super::context::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Engine;
use crate::sqlite::sql::analyse;
use crate::sqlite::{is_full_scan, printed_name};

pub(super) const RULE: Rule = Rule {
    id: "sqlite-correlated-subquery",
    engine: Engine::Sqlite,
    summary: "SQLite: a correlated subquery run once per outer row",
    check,
};

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let stmt = cx.sql.and_then(analyse);
    let nodes = &cx.plan.nodes;
    let mut out = Vec::new();
    for node in nodes {
        if !node.kind.starts_with("CORRELATED ") || !cx.matters(node) {
            continue;
        }
        // Descendants follow the node in pre-order, deeper than it.
        let inner = nodes[node.id + 1..]
            .iter()
            .take_while(|n| n.depth > node.depth);
        let mut full: Option<&crate::model::Node> = None;
        let mut automatic = false;
        let mut reads: Vec<String> = Vec::new();
        for n in inner {
            if is_full_scan(n) && full.is_none() {
                full = Some(n);
            }
            if n.property("Automatic Index").is_some() {
                automatic = true;
            }
            if (n.kind == "SCAN" || n.kind == "SEARCH")
                && let Some(name) = printed_name(n)
                && !reads.iter().any(|r| r == name)
            {
                reads.push(name.to_owned());
            }
        }
        let severity = if full.is_some() {
            Severity::High
        } else if automatic {
            Severity::Medium
        } else {
            Severity::Low
        };
        let number = node.property("Subquery").unwrap_or("?");
        let list = node.kind.contains("LIST");
        let what = if list {
            "correlated list subquery (IN/EXISTS)"
        } else {
            "correlated scalar subquery"
        };
        let how = match (full, automatic) {
            (Some(f), _) => format!(
                "each run scans all of {}",
                printed_name(f).unwrap_or("a table")
            ),
            (None, true) => "each run looks up an automatic index".to_owned(),
            (None, false) if reads.is_empty() => "each run reads no table".to_owned(),
            (None, false) => format!("each run searches {} through an index", reads.join(", ")),
        };
        let rewrite = if list {
            "Rewrite the IN/EXISTS subquery as a JOIN (or a semi-join on an indexed column) so it \
             runs once"
        } else {
            "Rewrite the scalar subquery as a LEFT JOIN to the table grouped by the correlated \
             column(s) (LEFT JOIN (SELECT key, aggregate … GROUP BY key) ON key = outer column), \
             so it runs once"
        };
        // The index that would make each run a lookup: the scanned table's compared columns.
        let index = full.and_then(|f| {
            let name = printed_name(f)?;
            let st = stmt.as_ref()?;
            let p = st.predicates(name);
            let cols = p.index_columns();
            let table = if f.alias.is_some() {
                f.relation.clone()
            } else {
                p.table.clone()
            }?;
            (!cols.is_empty()).then(|| format!("CREATE INDEX ON {table} ({})", cols.join(", ")))
        });
        let fix = match (index, full) {
            (Some(ix), _) => format!("{rewrite}; or, to keep it, {ix};"),
            (None, Some(f)) => format!(
                "{rewrite}; or, to keep it, index the column(s) of {} it compares with the outer \
                 row.",
                printed_name(f).unwrap_or("the table")
            ),
            (None, None) => format!("{rewrite}."),
        };
        out.push(cx.node_finding(
            RULE.id,
            node,
            severity,
            format!("Subquery {number} is a {what}: it runs once per outer row"),
            format!("SQLite runs the subquery again for every row of the query around it; {how}."),
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
    fn fires_on_the_correlated_scenario() {
        let (tree, rows) = fixture_named("correlated_subquery");
        for plan in [tree, rows] {
            let e = run(plan, None);
            let f: Vec<_> = e.findings_of("sqlite-correlated-subquery").collect();
            assert_eq!(f.len(), 1, "{e}");
            // Its lookup uses orders_user_id_idx: one indexed search per user.
            assert_eq!(f[0].severity, Severity::Low);
            assert!(f[0].title.contains("Subquery 1"));
            assert!(f[0].fix.contains("LEFT JOIN"));
        }
    }

    #[test]
    fn a_full_scan_inside_is_high_and_named_with_the_sql() {
        let plan = "QUERY PLAN\n|--SCAN u\n`--CORRELATED LIST SUBQUERY 1\n   `--SCAN e\n";
        let sql = "SELECT * FROM users u WHERE u.country IN \
                   (SELECT kind FROM events e WHERE e.user_email = u.email AND e.kind <> 'x')";
        let e = run(plan, Some(sql));
        let f: Vec<_> = e.findings_of("sqlite-correlated-subquery").collect();
        assert_eq!(f.len(), 1, "{e}");
        assert_eq!(f[0].severity, Severity::High);
        assert!(
            f[0].fix.contains("CREATE INDEX ON events (user_email)"),
            "{}",
            f[0].fix
        );
        // The pre-3.24 form reads the same.
        let old = "QUERY PLAN\n|--SCAN TABLE users AS u\n`--EXECUTE CORRELATED SCALAR SUBQUERY 1\n   `--SCAN TABLE events AS e\n";
        let e = run(old, None);
        assert_eq!(
            e.findings_of("sqlite-correlated-subquery").count(),
            1,
            "{e}"
        );
    }

    #[test]
    fn uncorrelated_subqueries_are_silent() {
        for name in ["healthy", "nested", "nested_compound", "automatic_index"] {
            let (tree, rows) = fixture_named(name);
            run(tree, None).assert_no_finding("sqlite-correlated-subquery");
            run(rows, None).assert_no_finding("sqlite-correlated-subquery");
        }
    }
}
