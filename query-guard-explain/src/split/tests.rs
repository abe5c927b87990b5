//! Tests of the splitter as a whole; each dialect's own cases sit with its lexer.

use query_guard_fingerprint::Dialect;

use super::{SplitError, one_statement};

pub(super) fn one(sql: &str, d: Dialect) -> String {
    match one_statement(sql, d) {
        Ok(s) => s.text().to_owned(),
        Err(e) => panic!("{d:?}: {sql:?}: {e}"),
    }
}

pub(super) fn several(sql: &str, d: Dialect) -> (usize, usize) {
    match one_statement(sql, d) {
        Err(SplitError::SeveralStatements { line, column }) => (line, column),
        other => panic!("{d:?}: {sql:?}: expected several statements, got {other:?}"),
    }
}

pub(super) fn unterminated(sql: &str, d: Dialect) -> &'static str {
    match one_statement(sql, d) {
        Err(SplitError::Unterminated { what, .. }) => what,
        other => panic!("{d:?}: {sql:?}: expected unterminated, got {other:?}"),
    }
}

const ALL: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::Sqlite,
    Dialect::MySql,
    Dialect::Generic,
];

#[test]
fn every_dialect_trims_and_refuses_the_obvious() {
    for d in ALL {
        assert_eq!(one("SELECT 1;", d), "SELECT 1");
        assert_eq!(one("  SELECT ';' ; ;\n", d), "SELECT ';'");
        assert_eq!(one(";; SELECT 1 -- a; comment\n", d), "SELECT 1");
        assert_eq!(one("/* c */ SELECT 1 /* d */", d), "SELECT 1");
        assert_eq!(
            one_statement("select 1", d).unwrap().keyword(),
            Some("SELECT")
        );
        for sql in [
            "SELECT 1; COMMIT",
            "BEGIN; UPDATE t SET a = 1; COMMIT;",
            "SELECT 1;DELETE FROM t",
            "SELECT 1\n;\n  DELETE FROM t",
        ] {
            several(sql, d);
        }
        assert_eq!(several("SELECT 1;\n  DELETE FROM t", d), (2, 3));
        for empty in ["", "  ", ";", " ; ;", "-- only a comment", "/* c */ ;"] {
            assert_eq!(
                one_statement(empty, d),
                Err(SplitError::Empty),
                "{d:?} {empty:?}"
            );
        }
        assert_eq!(
            one_statement("SELECT 1\0; DELETE FROM t", d),
            Err(SplitError::NulByte { line: 1, column: 9 })
        );
        assert_eq!(
            one_statement("SELECT 'a\0'", d),
            Err(SplitError::NulByte {
                line: 1,
                column: 10
            })
        );
        assert_eq!(unterminated("SELECT 'abc", d), "string");
    }
}

/// The two attack strings, which emptied a table through live SQLite EXPLAIN.
#[test]
fn the_attack_strings() {
    let nested = "SELECT 1 /* /* */ ; COMMIT; DELETE FROM t; -- */";
    assert_eq!(several(nested, Dialect::Sqlite), (1, 21));
    assert_eq!(several(nested, Dialect::MySql), (1, 21));
    assert_eq!(several(nested, Dialect::Generic), (1, 21));
    assert_eq!(one(nested, Dialect::Postgres), "SELECT 1");

    let e_string = "SELECT e'\\' FROM (SELECT 1 AS e); COMMIT; DELETE FROM t; -- '";
    several(e_string, Dialect::Sqlite);
    several(e_string, Dialect::MySql);
    several(e_string, Dialect::Generic);
    // To PostgreSQL, e'…' is an E-string running to the last quote.
    assert_eq!(one(e_string, Dialect::Postgres), e_string);
}

#[test]
fn generic_tries_every_database() {
    let g = Dialect::Generic;
    several("SELECT 1 # \n; DELETE FROM t", g); // PostgreSQL/SQLite: `#` is no comment
    several("SELECT $$ ; DELETE FROM t $$", g); // MySQL/SQLite: `$$` is no quote
    assert_eq!(one("SELECT 'a'", g), "SELECT 'a'");
}

#[test]
fn locations_are_lines_and_characters() {
    assert_eq!(super::line_column("ab\néé x", 7), (2, 3));
    assert_eq!(super::line_column("abc", 99), (1, 4));
    assert_eq!(
        one_statement("SELECT 'é\n", Dialect::Postgres),
        Err(SplitError::Unterminated {
            what: "string",
            line: 1,
            column: 8
        })
    );
}
