//! Tests of the SQLite plan readers, on plans from SQLite 3.40.1 (`testdata/sqlite`, made by
//! `setup.sql` and the statements in `scenarios.txt`).

use super::super::{PlanError, parse};
use crate::explain::Explained;
use super::*;

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
pub(crate) fn run(plan: &str, sql: Option<&str>) -> crate::explain::Explained {
    crate::explain::Explained::new(parse(plan).unwrap(), sql)
}
