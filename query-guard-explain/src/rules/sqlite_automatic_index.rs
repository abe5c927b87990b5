//! # `sqlite-automatic-index`: SQLite builds a throw-away index on every run
//!
//! **What it finds**: a `SEARCH t USING AUTOMATIC COVERING INDEX (a=?)` (or `AUTOMATIC INDEX`,
//! `AUTOMATIC PARTIAL COVERING INDEX`): SQLite found no index for a lookup it repeats, so it
//! builds a temporary one each time the statement runs and drops it afterwards.
//!
//! **Why it matters**: building the index reads the whole table and sorts it, O(n log n), on
//! every execution. It is better than a loop of full scans, which is why SQLite does it, but a
//! permanent index costs nothing per run.
//!
//! **How to fix it**: create the index SQLite keeps building: on the table, with the columns of
//! the constraint in the plan (`CREATE INDEX ON t (a, b)`). SQLite prints the alias when the
//! statement gives one: with the SQL the finding names the table; without it, it names what the
//! plan prints (replace an alias with its table). When the lookup is into a subquery or a `WITH`
//! query, index the table the subquery reads instead, or join on an indexed column.
//!
//! **Severity and thresholds**: medium for every automatic index (the plan has no sizes to tell
//! a small table from a large one); SQLite plans have no times, so the finding has no cost.

use super::context::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::{Engine, Node};
use crate::sqlite::printed_name;
use crate::sqlite::sql::analyse;

pub(super) const RULE: Rule = Rule {
    id: "sqlite-automatic-index",
    engine: Engine::Sqlite,
    summary: "SQLite: an automatic index built for one statement, on every run",
    check,
};

/// The columns of an index constraint (`a=? AND b>?` → `a`, `b`).
pub(crate) fn constraint_columns(node: &Node) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(cond) = node.condition("Index Cond") {
        for term in cond.split(" AND ") {
            let col = term
                .trim()
                .split(['=', '<', '>', '!', ' '])
                .next()
                .unwrap_or("")
                .trim();
            if !col.is_empty() && !col.contains('?') && !out.iter().any(|c| c == col) {
                out.push(col.to_owned());
            }
        }
    }
    out
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let stmt = cx.sql.and_then(analyse);
    let mut out = Vec::new();
    for node in &cx.plan.nodes {
        if node.property("Automatic Index") != Some("true") || !cx.matters(node) {
            continue;
        }
        let Some(name) = printed_name(node) else {
            continue;
        };
        let cols = constraint_columns(node);
        let subquery = node.property("Subquery Scan").is_some()
            || stmt.as_ref().is_some_and(|st| st.is_subquery(name));
        let table = if node.alias.is_some() {
            node.relation.clone()
        } else {
            stmt.as_ref()
                .and_then(|st| st.table_of(name).map(str::to_owned))
        };
        let (target, caveat) = match &table {
            Some(t) => (t.clone(), ""),
            None => (
                name.to_owned(),
                " (the name the plan prints: if it is an alias, use its table)",
            ),
        };
        let qualified = match &node.schema {
            Some(s) => format!("{s}.{target}"),
            None => target.clone(),
        };
        let cols_text = if cols.is_empty() {
            "…".to_owned()
        } else {
            cols.join(", ")
        };
        let fix = if subquery {
            format!(
                "{name} is a subquery or WITH query, which SQLite cannot index permanently: \
                 index the table it reads on the columns it is joined on ({cols_text}), or \
                 rewrite the join so it looks up an indexed table."
            )
        } else {
            format!(
                "CREATE INDEX ON {qualified} ({cols_text});{caveat} SQLite then uses it instead \
                 of building one on every run."
            )
        };
        let kind = node
            .property("Index Type")
            .unwrap_or("AUTOMATIC INDEX")
            .to_ascii_lowercase();
        out.push(cx.node_finding(
            RULE.id,
            node,
            Severity::Medium,
            format!(
                "SQLite builds an {kind} on {name} ({cols_text}) every time the statement runs"
            ),
            format!(
                "No index on {target} serves the lookup on {cols_text}, so SQLite reads all of \
                 {name}, builds a temporary index, uses it and drops it, on every execution."
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
    fn fires_on_the_automatic_index_scenario() {
        let (tree, rows) = fixture_named("automatic_index");
        let sql =
            "SELECT u.id, u.name, e.kind FROM events e JOIN users u ON u.email = e.user_email";
        for plan in [tree, rows] {
            let e = run(plan, Some(sql));
            let f: Vec<_> = e.findings_of("sqlite-automatic-index").collect();
            assert_eq!(f.len(), 1, "{e}");
            assert_eq!(f[0].severity, Severity::Medium);
            assert!(
                f[0].fix.contains("CREATE INDEX ON users (email);"),
                "{}",
                f[0].fix
            );
            assert_eq!(f[0].cost_ms, None);
            let e = run(plan, None);
            let f: Vec<_> = e.findings_of("sqlite-automatic-index").collect();
            assert!(
                f[0].fix.contains("CREATE INDEX ON u (email)"),
                "{}",
                f[0].fix
            );
            assert!(f[0].fix.contains("alias"));
        }
    }

    #[test]
    fn several_columns_and_old_forms() {
        let plan = "QUERY PLAN\n|--SEARCH TABLE users AS u USING INTEGER PRIMARY KEY (rowid>?)\n\
                    `--SEARCH TABLE events AS e USING AUTOMATIC COVERING INDEX (user_email=? AND kind=?)\n";
        let e = run(plan, None);
        let f: Vec<_> = e.findings_of("sqlite-automatic-index").collect();
        assert_eq!(f.len(), 1);
        assert!(
            f[0].fix
                .starts_with("CREATE INDEX ON events (user_email, kind);"),
            "{}",
            f[0].fix
        );
    }

    #[test]
    fn lookup_into_a_materialized_subquery() {
        let (tree, _) = fixture_named("nested_compound");
        let sql = include_str!("../testdata/sqlite/scenarios.txt");
        let sql = &sql[sql.find("WITH spend").unwrap()..];
        let sql = &sql[..sql.find(';').unwrap()];
        let e = run(tree, Some(sql));
        let f: Vec<_> = e.findings_of("sqlite-automatic-index").collect();
        assert_eq!(f.len(), 1, "{e}");
        assert!(f[0].fix.contains("subquery or WITH query"), "{}", f[0].fix);
        assert!(!format!("{f:?}").contains("JP") && !format!("{f:?}").contains("login"));
    }

    #[test]
    fn healthy_plans_are_silent() {
        for name in [
            "healthy",
            "healthy_index",
            "full_scan_filtered",
            "correlated_subquery",
        ] {
            let (tree, rows) = fixture_named(name);
            run(tree, None).assert_no_finding("sqlite-automatic-index");
            run(rows, None).assert_no_finding("sqlite-automatic-index");
        }
    }
}
