//! Unit tests of the fingerprint rules, each in both directions: what must merge, what must not.

use super::*;

fn fp(sql: &str) -> Fingerprint {
    fingerprint(sql, Dialect::Postgres)
}

fn norm(sql: &str, d: Dialect) -> String {
    fingerprint(sql, d).normalized
}

#[track_caller]
fn same(a: &str, b: &str, d: Dialect) {
    let (x, y) = (fingerprint(a, d), fingerprint(b, d));
    assert_eq!(x.normalized, y.normalized, "\n  {a}\n  {b}");
    assert_eq!(x.hash, y.hash);
}

#[track_caller]
fn differ(a: &str, b: &str, d: Dialect) {
    let (x, y) = (fingerprint(a, d), fingerprint(b, d));
    assert_ne!(x.normalized, y.normalized, "\n  {a}\n  {b}");
    assert_ne!(x.hash, y.hash);
}

const ALL: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::MySql,
    Dialect::Sqlite,
    Dialect::Generic,
];

#[test]
fn literals_and_placeholders_are_equal() {
    let variants = [
        "SELECT * FROM users WHERE id = 42 AND name = 'bob'",
        "SELECT * FROM users WHERE id = $1 AND name = $2",
        "SELECT * FROM users WHERE id = $2 AND name = $1",
        "SELECT * FROM users WHERE id = ? AND name = ?",
        "SELECT * FROM users WHERE id = ?1 AND name = ?2",
        "SELECT * FROM users WHERE id = :id AND name = :name",
        "SELECT * FROM users WHERE id = -7 AND name = E'b\\'ob'",
        "SELECT * FROM users WHERE id = 1.5e3 AND name = $$bob$$",
        "SELECT * FROM users WHERE id = 0x1F AND name = N'bob'",
        "SELECT * FROM users WHERE id = TRUE AND name = NULL",
    ];
    for v in variants {
        same(variants[0], v, Dialect::Generic);
    }
    assert_eq!(
        norm(variants[0], Dialect::Generic),
        "SELECT * FROM users WHERE id = $1 AND name = $2"
    );
    same("SELECT 1", "SELECT 'one'", Dialect::Sqlite);
    same(
        "SELECT * FROM t WHERE a = \"x\"",
        "SELECT * FROM t WHERE a = ?",
        Dialect::MySql,
    );
}

#[test]
fn what_literals_do_not_merge() {
    // A column is not a literal; IS NULL is not = $1; operators and arity matter.
    differ(
        "SELECT * FROM t WHERE a = 1",
        "SELECT * FROM t WHERE a = b",
        Dialect::Generic,
    );
    differ(
        "SELECT * FROM t WHERE a IS NULL",
        "SELECT * FROM t WHERE a = 1",
        Dialect::Generic,
    );
    differ(
        "SELECT * FROM t WHERE a IS NULL",
        "SELECT * FROM t WHERE a IS NOT NULL",
        Dialect::Generic,
    );
    differ(
        "SELECT a - 1 FROM t",
        "SELECT a + 1 FROM t",
        Dialect::Generic,
    );
    differ(
        "SELECT a - 1 FROM t",
        "SELECT a, -1 FROM t",
        Dialect::Generic,
    );
    differ(
        "SELECT * FROM t WHERE a = 1",
        "SELECT * FROM t WHERE a = 1 AND b = 2",
        Dialect::Generic,
    );
    // In MySQL "x" is a string; elsewhere it is a column.
    differ(
        "SELECT * FROM t WHERE a = \"x\"",
        "SELECT * FROM t WHERE a = ?",
        Dialect::Postgres,
    );
}

#[test]
fn no_literal_survives_normalisation() {
    let secrets = [
        "SELECT * FROM users WHERE password = 'hunter2'",
        "UPDATE users SET token = E'hunter2\\'' WHERE id = 31337",
        "INSERT INTO t VALUES ($tag$hunter2$tag$, 31337)",
        "SELECT * FROM users WHERE password = 'hunter2",
        "SELECT * FROM users WHERE password = 'it''s hunter2'",
        "SELECT x'68756e74657232', 31337e0",
    ];
    for d in ALL {
        for s in secrets {
            let n = norm(s, d);
            assert!(
                !n.contains("hunter2") && !n.contains("31337"),
                "{d}: {s} -> {n}"
            );
        }
    }
    // Backslash escapes are MySQL's (and Generic's); standard SQL strings end at the quote.
    for d in [Dialect::MySql, Dialect::Generic] {
        let n = norm(
            "SELECT * FROM users WHERE password = 'a\\'hunter2 OR 31337'",
            d,
        );
        assert!(!n.contains("hunter2") && !n.contains("31337"), "{d}: {n}");
    }
    let n = norm("SELECT * FROM t WHERE a = \"hunter2\"", Dialect::MySql);
    assert!(!n.contains("hunter2"), "{n}");
}

#[test]
fn placeholders_are_renumbered_in_order() {
    assert_eq!(
        norm("SELECT $3, $1, ?, :x", Dialect::Generic),
        "SELECT $1, $2, $3, $4"
    );
}

#[test]
fn in_lists_of_any_length_and_any_are_equal() {
    let base = "SELECT * FROM t WHERE id IN (1)";
    for v in [
        "SELECT * FROM t WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)",
        "SELECT * FROM t WHERE id IN ($1, $2)",
        "SELECT * FROM t WHERE id IN (?, ?, ?)",
        "SELECT * FROM t WHERE id = ANY($1)",
        "SELECT * FROM t WHERE id = ANY ($1::int8[])",
        "SELECT * FROM t WHERE id = any(ARRAY[1, 2, 3])",
        "SELECT * FROM t WHERE id = ANY('{1,2,3}'::bigint[])",
        "SELECT * FROM t WHERE id = SOME($1)",
    ] {
        same(base, v, Dialect::Postgres);
    }
    assert_eq!(
        norm(base, Dialect::Postgres),
        "SELECT * FROM t WHERE id IN ($1)"
    );
    same(
        "SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))",
        "SELECT * FROM t WHERE (a, b) IN (($1, $2))",
        Dialect::Postgres,
    );
    same(
        "SELECT * FROM t WHERE id NOT IN (1, 2)",
        "SELECT * FROM t WHERE id <> ALL($1)",
        Dialect::Postgres,
    );
    same(
        "SELECT ARRAY[1, 2, 3]",
        "SELECT ARRAY[$1]",
        Dialect::Postgres,
    );
}

#[test]
fn what_in_lists_do_not_merge() {
    differ(
        "SELECT * FROM t WHERE id IN (1, 2)",
        "SELECT * FROM t WHERE id NOT IN (1, 2)",
        Dialect::Postgres,
    );
    differ(
        "SELECT * FROM t WHERE id IN (a, b)",
        "SELECT * FROM t WHERE id IN (1)",
        Dialect::Postgres,
    );
    differ(
        "SELECT * FROM t WHERE id IN (SELECT id FROM u)",
        "SELECT * FROM t WHERE id IN (1)",
        Dialect::Postgres,
    );
    differ(
        "SELECT * FROM t WHERE id = ANY(ids)",
        "SELECT * FROM t WHERE id IN ($1)",
        Dialect::Postgres,
    );
    differ(
        "SELECT * FROM t WHERE id > ANY($1)",
        "SELECT * FROM t WHERE id IN ($1)",
        Dialect::Postgres,
    );
    differ(
        "SELECT * FROM t WHERE a IN (1, 2)",
        "SELECT * FROM t WHERE b IN (1, 2)",
        Dialect::Postgres,
    );
}

#[test]
fn multi_row_values_collapse() {
    let one = "INSERT INTO t (a, b) VALUES (1, 'x')";
    same(
        one,
        "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')",
        Dialect::Generic,
    );
    same(
        one,
        "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)",
        Dialect::Generic,
    );
    same(
        one,
        "insert into t(a,b) values(?,?),(?,?),(?,?)",
        Dialect::MySql,
    );
    assert_eq!(
        norm(one, Dialect::Generic),
        "INSERT INTO t(a, b) VALUES ($1, $2)"
    );
    // Rows of different shapes are each kept once.
    assert_eq!(
        norm(
            "INSERT INTO t VALUES (1, DEFAULT), (2, 3), (4, DEFAULT)",
            Dialect::Generic
        ),
        "INSERT INTO t VALUES ($1, DEFAULT), ($2, $3)"
    );
    // An IN list inside a row is collapsed too.
    same(
        "SELECT * FROM (VALUES (1), (2)) v(x)",
        "SELECT * FROM (VALUES (7)) v(x)",
        Dialect::Postgres,
    );
}

#[test]
fn what_values_do_not_merge() {
    differ(
        "INSERT INTO t (a, b) VALUES (1, 2)",
        "INSERT INTO t (b, a) VALUES (1, 2)",
        Dialect::Generic,
    );
    differ(
        "INSERT INTO t (a) VALUES (1)",
        "INSERT INTO u (a) VALUES (1)",
        Dialect::Generic,
    );
    differ(
        "INSERT INTO t VALUES (1, 2)",
        "INSERT INTO t VALUES (1, now())",
        Dialect::Generic,
    );
}

#[test]
fn limit_and_offset_are_placeholders() {
    same(
        "SELECT * FROM t LIMIT 10 OFFSET 20",
        "SELECT * FROM t LIMIT $1 OFFSET $2",
        Dialect::Postgres,
    );
    same(
        "SELECT * FROM t LIMIT 5, 10",
        "SELECT * FROM t LIMIT ?, ?",
        Dialect::MySql,
    );
    differ(
        "SELECT * FROM t LIMIT 10",
        "SELECT * FROM t LIMIT 10 OFFSET 5",
        Dialect::Postgres,
    );
    differ(
        "SELECT * FROM t LIMIT 10",
        "SELECT * FROM t",
        Dialect::Postgres,
    );
}

#[test]
fn comments_whitespace_case_and_quotes_do_not_matter() {
    let base = "SELECT id, name FROM users WHERE id = $1";
    for v in [
        "select ID, Name from USERS where id = $1",
        "SELECT\n\tid,\n\tname\nFROM users -- trailing\nWHERE id = $1;",
        "/* leading */ SELECT id, /* mid */ name FROM users WHERE id=$1 ;;",
        "SELECT `id`, `name` FROM `users` WHERE `id` = ?",
        "SELECT id, name FROM users WHERE id = $1 /*controller='users'*/",
    ] {
        same(base, v, Dialect::Generic);
    }
    same(
        base,
        "SELECT \"id\", \"name\" FROM \"users\" WHERE \"id\" = $1",
        Dialect::Postgres,
    );
    // Qualified names are names in every database.
    same(
        "SELECT users.id, users.name FROM users WHERE users.id = $1",
        "SELECT \"users\".\"id\", \"users\".\"name\" FROM \"users\" WHERE \"users\".\"id\" = $1",
        Dialect::Generic,
    );
    // With the database unknown, a double-quoted word where a value fits may be a string
    // (MySQL, and SQLite where no column has that name): it is masked.
    assert_eq!(
        norm(
            "SELECT \"id\", \"name\" FROM \"users\" WHERE \"id\" = $1",
            Dialect::Generic
        ),
        "SELECT $1, $2 FROM users WHERE $3 = $4"
    );
    same(
        "SELECT [id] FROM [users]",
        "SELECT id FROM users",
        Dialect::Sqlite,
    );
    same("SELECT 1 # note", "SELECT 1", Dialect::MySql);
    same(
        "SELECT * FROM t ORDER BY a ASC",
        "SELECT * FROM t ORDER BY a",
        Dialect::Postgres,
    );
    same(
        "SELECT * FROM a INNER JOIN b ON a.id = b.a",
        "SELECT * FROM a JOIN b ON a.id = b.a",
        Dialect::Postgres,
    );
    same(
        "SELECT * FROM a LEFT OUTER JOIN b ON true",
        "SELECT * FROM a LEFT JOIN b ON true",
        Dialect::Postgres,
    );
    same(
        "SELECT a AS x FROM t AS u",
        "SELECT a x FROM t u",
        Dialect::Postgres,
    );
    same(
        "SELECT * FROM t WHERE a != 1",
        "SELECT * FROM t WHERE a <> 1",
        Dialect::Postgres,
    );
}

#[test]
fn what_quotes_and_case_do_not_merge() {
    // Quotes that change the name stay.
    differ(
        "SELECT \"Id\" FROM t",
        "SELECT id FROM t",
        Dialect::Postgres,
    );
    differ(
        "SELECT \"order\" FROM t",
        "SELECT \"orders\" FROM t",
        Dialect::Postgres,
    );
    assert_eq!(
        norm("SELECT \"order\" FROM t", Dialect::Postgres),
        "SELECT \"order\" FROM t"
    );
    assert_eq!(
        norm("SELECT `Weird``Name` FROM t", Dialect::Generic),
        "SELECT `Weird``Name` FROM t"
    );
    assert_eq!(
        norm("SELECT `Weird``Name` FROM t", Dialect::MySql),
        "SELECT `Weird``Name` FROM t"
    );
    differ(
        "SELECT * FROM t ORDER BY a",
        "SELECT * FROM t ORDER BY a DESC",
        Dialect::Postgres,
    );
    differ(
        "SELECT * FROM a JOIN b ON true",
        "SELECT * FROM a LEFT JOIN b ON true",
        Dialect::Postgres,
    );
    assert_eq!(
        norm("SELECT CAST(a AS int) FROM t", Dialect::Postgres),
        "SELECT CAST(a AS int) FROM t"
    );
}

#[test]
fn savepoint_cursor_and_prepared_names_do_not_matter() {
    let d = Dialect::Postgres;
    same("SAVEPOINT sqlx_savepoint_1", "SAVEPOINT other", d);
    same("RELEASE SAVEPOINT a", "release b", d);
    same("ROLLBACK TO SAVEPOINT a", "ROLLBACK TO SAVEPOINT \"B\"", d);
    same(
        "DECLARE c1 CURSOR FOR SELECT * FROM t",
        "DECLARE c2 CURSOR FOR SELECT * FROM t",
        d,
    );
    same("FETCH FORWARD 10 FROM c1", "FETCH FORWARD 5 FROM c2", d);
    same("CLOSE c1", "CLOSE c2", d);
    same(
        "PREPARE s1 AS SELECT * FROM t WHERE id = $1",
        "PREPARE s2 AS SELECT * FROM t WHERE id = $1",
        d,
    );
    same("EXECUTE s1(1)", "EXECUTE s2(2)", d);
    same("DEALLOCATE PREPARE s1", "DEALLOCATE s2", d);
    assert_eq!(norm("RELEASE SAVEPOINT a", d), "RELEASE _");
    // The statement behind the name still matters; ALL is not a name.
    differ(
        "PREPARE s1 AS SELECT * FROM t",
        "PREPARE s1 AS SELECT * FROM u",
        d,
    );
    differ("CLOSE ALL", "CLOSE c1", d);
    differ("SAVEPOINT a", "RELEASE SAVEPOINT a", d);
}

#[test]
fn column_order_distinct_operators_and_tables_matter() {
    let d = Dialect::Generic;
    differ("SELECT a, b FROM t", "SELECT b, a FROM t", d);
    differ("SELECT a FROM t", "SELECT DISTINCT a FROM t", d);
    differ(
        "SELECT * FROM t WHERE a < $1",
        "SELECT * FROM t WHERE a <= $1",
        d,
    );
    differ(
        "SELECT * FROM t WHERE a = $1 AND b = $2",
        "SELECT * FROM t WHERE a = $1 OR b = $2",
        d,
    );
    differ("SELECT * FROM t", "SELECT * FROM public.t", d);
    differ("SELECT count(*) FROM t", "SELECT sum(*) FROM t", d);
    differ(
        "SELECT * FROM t WHERE a LIKE $1",
        "SELECT * FROM t WHERE a ILIKE $1",
        d,
    );
}

mod kinds_tables_and_corpus;
