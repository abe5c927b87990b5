//! Unit tests of what a fingerprint says besides its text (kind, tables, tags, parse flag),
//! of hostile input, and of the corpus.

use super::*;

#[test]
fn kinds() {
    use StatementKind as K;
    let cases = [
        ("SELECT 1", K::Select),
        ("WITH x AS (SELECT 1) SELECT * FROM x", K::Select),
        (
            "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
            K::Insert,
        ),
        ("VALUES (1)", K::Select),
        ("SHOW search_path", K::Select),
        ("INSERT INTO t VALUES (1)", K::Insert),
        ("UPDATE t SET a = 1", K::Update),
        ("DELETE FROM t", K::Delete),
        ("TRUNCATE t", K::Delete),
        ("CREATE TABLE t (a int)", K::Ddl),
        ("ALTER TABLE t ADD COLUMN b int", K::Ddl),
        ("DROP TABLE t", K::Ddl),
        ("CREATE INDEX i ON t (a)", K::Ddl),
        ("BEGIN", K::Transaction),
        ("START TRANSACTION", K::Transaction),
        ("COMMIT", K::Transaction),
        ("END", K::Transaction),
        ("ROLLBACK", K::Transaction),
        ("ROLLBACK TO SAVEPOINT s", K::Transaction),
        ("SAVEPOINT s", K::Transaction),
        ("RELEASE SAVEPOINT s", K::Transaction),
        ("RELEASE s", K::Transaction),
        ("SET search_path = public", K::Other),
        ("EXPLAIN SELECT 1", K::Other),
        ("COPY t FROM STDIN", K::Insert),
        // Unparseable text still gets a kind.
        ("SELECT * FROM t WHERE a > now() - INTERVAL $1", K::Select),
        ("UPDATE t SET a = $1 WHERE b IN (SELECT", K::Update),
        (
            "WITH x AS (SELECT 1) DELETE FROM t USING x WHERE",
            K::Delete,
        ),
    ];
    for d in ALL {
        for (sql, k) in cases {
            if d != Dialect::Postgres && (sql.starts_with("COPY") || sql.starts_with("SHOW")) {
                continue;
            }
            assert_eq!(fingerprint(sql, d).kind, k, "{d}: {sql}");
        }
    }
}

#[test]
fn tables_in_order_lower_case_unquoted_and_qualified() {
    let t = |s: &str| fingerprint(s, Dialect::Postgres).tables;
    assert_eq!(
        t("SELECT * FROM Users u JOIN \"Orders\" o ON o.uid = u.id LEFT JOIN items i ON true"),
        ["users", "orders", "items"]
    );
    assert_eq!(
        t("SELECT t.oid FROM pg_catalog.pg_type t WHERE t.oid = $1::regtype::oid"),
        ["pg_catalog.pg_type"]
    );
    assert_eq!(
        t("SELECT * FROM a, b AS bb, c WHERE a.x IN (SELECT x FROM d)"),
        ["a", "b", "c", "d"]
    );
    assert_eq!(
        t("WITH recent AS (SELECT * FROM orders) SELECT * FROM recent JOIN users ON true"),
        ["orders", "users"]
    );
    assert_eq!(
        t("INSERT INTO logs (a) SELECT a FROM events"),
        ["logs", "events"]
    );
    assert_eq!(
        t("UPDATE accounts SET x = 1 FROM users WHERE users.id = accounts.uid"),
        ["accounts", "users"]
    );
    assert_eq!(
        t("DELETE FROM sessions USING users WHERE users.id = sessions.uid"),
        ["sessions", "users"]
    );
    assert_eq!(
        t("SELECT EXTRACT(year FROM created_at) FROM events"),
        ["events"]
    );
    assert_eq!(
        t("SELECT * FROM generate_series(1, 10) g JOIN unnest($1) u ON true JOIN t ON true"),
        ["t"]
    );
    assert_eq!(
        t("SELECT * FROM t WHERE a IS DISTINCT FROM b FOR UPDATE"),
        ["t"]
    );
    assert_eq!(
        t("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a"),
        ["t"]
    );
    assert_eq!(
        t("SELECT * FROM users WHERE id = $1 AND created_at > now() - INTERVAL $2"),
        ["users"]
    );
    assert_eq!(t("SELECT 1"), Vec::<String>::new());
    assert_eq!(t("TRUNCATE TABLE a, b"), ["a", "b"]);
    assert_eq!(
        fingerprint(
            "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 2",
            Dialect::MySql
        )
        .tables,
        ["t"]
    );
}

#[test]
fn sqlcommenter_tags_are_metadata() {
    let a = fp("SELECT * FROM t /*action='index',controller='users',db_driver='sqlx'*/");
    let b = fp("SELECT * FROM t");
    assert_eq!(a.hash, b.hash);
    assert_eq!(a.tags.len(), 3);
    assert_eq!(a.tags[0], ("action".into(), "index".into()));
    assert!(b.tags.is_empty());
    assert!(fp("SELECT * FROM t /* plain comment */").tags.is_empty());
}

#[test]
fn pg_stat_statements_text_is_handled() {
    let app = fp(
        "SELECT * FROM events WHERE created_at > now() - INTERVAL '1 day' AND kind IN ('a', 'b')",
    );
    let pgss =
        fp("SELECT * FROM events WHERE created_at > now() - INTERVAL $1 AND kind IN ($2, $3)");
    assert_eq!(app.hash, pgss.hash);
    assert_eq!(
        pgss.normalized,
        "SELECT * FROM events WHERE created_at > now() - INTERVAL $1 AND kind IN ($2)"
    );
    // Truncated text still gives a fingerprint, tables and kind.
    let cut = fp("SELECT id, name FROM users WHERE id = $1 AND name LIK");
    assert!(!cut.parsed());
    assert_eq!(cut.kind, StatementKind::Select);
    assert_eq!(cut.tables, ["users"]);
    assert_ne!(
        cut.hash,
        fp("SELECT id, name FROM users WHERE id = $1").hash
    );
}

#[test]
fn parsed_flag_follows_sqlparser() {
    assert!(fp("SELECT * FROM t WHERE id = $1").parsed());
    assert!(!fp("SELECT * FROM t WHERE").parsed());
    assert!(!fp("this is not sql").parsed());
    assert!(fingerprint("SELECT * FROM `t` WHERE id = ?", Dialect::MySql).parsed());
    assert!(fingerprint("SELECT * FROM t WHERE id = ?1", Dialect::Sqlite).parsed());
    assert!(fingerprint("SELECT * FROM t WHERE id = $1 AND b = ?", Dialect::Generic).parsed());
}

#[test]
fn generic_copes_with_every_driver() {
    let d = Dialect::Generic;
    same(
        "SELECT * FROM `users` WHERE id = ?",
        "SELECT * FROM \"users\" WHERE id = $1",
        d,
    );
    same(
        "SELECT * FROM users WHERE a = 'it\\'s'",
        "SELECT * FROM users WHERE a = $1",
        d,
    );
}

#[test]
fn diesel_binds_suffix_is_a_comment() {
    same(
        "SELECT * FROM t WHERE id = $1 -- binds: [42]",
        "SELECT * FROM t WHERE id = $1",
        Dialect::Postgres,
    );
}

#[test]
fn normalising_twice_changes_nothing() {
    for d in ALL {
        for sql in [
            "SELECT \"Weird\"\"Name\", `b` FROM t WHERE a IN (1,2) AND b = ANY($1) LIMIT 3",
            "INSERT INTO t VALUES (1, 'x'), (2, 'y') ON CONFLICT DO NOTHING",
            "SAVEPOINT s; RELEASE SAVEPOINT s",
            "SELECT a - -1, x::text[], data ?| $1 FROM t",
            "SELECT 'unterminated",
            "SELECT \"unterminated",
            // Found by a random-text search for texts whose normalised form read differently.
            "?| `` 0 ",
            "AS\" hunter2(\"1=.--  x] \\, ",
            "VALUESAS :: , AS AS x1",
            "\" \\\\$1\"[::`  SELECT",
            "AS PRAGMA\nt`#VALUES. ( hunter2",
            "U&' hunter2 U&'VALUES\"\"/*!._utf8' -- */.$$-- \"\"",
            "ROLEANY(  hunter2 AS LIMITANY(\"\"PRAGMA\"\"x\\-- $$ ::e' -- ] LIMIT\\; ( ",
            "\"\" \"\" e']LIMIT`) =\\ ]--  ARRAY[",
        ] {
            let once = fingerprint(sql, d);
            let twice = fingerprint(&once.normalized, d);
            assert_eq!(once.normalized, twice.normalized, "{d}: {sql}");
        }
    }
}

#[test]
fn hostile_input_does_not_panic() {
    let deep = "(".repeat(100_000);
    let deep_in = "SELECT * FROM t WHERE a IN (".repeat(5_000);
    let deep_values = "VALUES (".repeat(5_000);
    for d in ALL {
        for s in [
            "",
            ";",
            "'",
            "\"",
            "`",
            "$",
            "$$",
            "$a$",
            "?",
            ":",
            "/*",
            "--",
            "E'",
            "U&'",
            "\\",
            "\u{0}",
            "é",
            deep.as_str(),
            deep_in.as_str(),
            deep_values.as_str(),
        ] {
            let f = fingerprint(s, d);
            assert_eq!(f.hash, hash::fingerprint_hash(&f.normalized));
        }
    }
}

#[test]
fn cached_equals_uncached() {
    for sql in ["SELECT 1", "SELECT * FROM t /*a='b'*/", "BEGIN"] {
        assert_eq!(
            *fingerprint_cached(sql, Dialect::Generic),
            fingerprint(sql, Dialect::Generic)
        );
    }
}

#[test]
fn display_and_hex() {
    let f = fp("SELECT 1");
    assert_eq!(f.hex().len(), 16);
    assert!(
        f.hex()
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(f.to_string(), format!("{}  SELECT $1", f.hex()));
    assert_eq!(StatementKind::Ddl.to_string(), "ddl");
    assert_eq!(Dialect::MySql.to_string(), "mysql");
}

#[test]
fn dialect_from_db_system() {
    assert_eq!(Dialect::from_db_system("postgresql"), Dialect::Postgres);
    assert_eq!(Dialect::from_db_system("mysql"), Dialect::MySql);
    assert_eq!(Dialect::from_db_system("mariadb"), Dialect::MySql);
    assert_eq!(Dialect::from_db_system("sqlite"), Dialect::Sqlite);
    assert_eq!(Dialect::from_db_system("mssql"), Dialect::Generic);
}

#[test]
fn token_kind_agrees_with_sqlparser_on_the_corpus() {
    let text = include_str!("../../benches/corpus/statements.sql");
    let mut dialect = Dialect::Postgres;
    let mut checked = 0;
    for line in text.lines() {
        if let Some(d) = line.strip_prefix("-- @dialect ") {
            dialect = match d {
                "mysql" => Dialect::MySql,
                "sqlite" => Dialect::Sqlite,
                _ => Dialect::Postgres,
            };
            continue;
        }
        if line.starts_with("--") || line.is_empty() {
            continue;
        }
        let toks = normalize::canonicalize(lexer::lex(line, dialect).toks);
        if let Some(Some(ast_kind)) = ast::parse(line, dialect, 0) {
            assert_eq!(tables::kind(&toks), ast_kind, "{dialect}: {line}");
            checked += 1;
        }
    }
    assert!(checked > 400, "only {checked} statements parsed");
}

#[test]
fn kind_and_tables_depend_on_the_fingerprint_only() {
    // The same normalised text from statements sqlparser parses and does not parse.
    let a = fp("SELECT * FROM events WHERE at > now() - INTERVAL '1 day'");
    let b = fp("SELECT * FROM events WHERE at > now() - INTERVAL $1");
    assert_eq!(a.hash, b.hash);
    assert_eq!((a.kind, &a.tables), (b.kind, &b.tables));
}

#[test]
fn extract_field_is_a_constant() {
    // PostgreSQL makes the EXTRACT field a constant: pg_stat_statements prints `extract($1 from a)`.
    let d = Dialect::Postgres;
    same(
        "SELECT extract(year from a) FROM t",
        "SELECT EXTRACT($1 FROM a) FROM t",
        d,
    );
    same(
        "SELECT extract(year from a) FROM t",
        "SELECT extract(month from a) FROM t",
        d,
    );
    differ(
        "SELECT extract(year from a) FROM t",
        "SELECT extract(year from b) FROM t",
        d,
    );
    assert_eq!(fp("SELECT extract(year from a) FROM t").tables, ["t"]);
}

#[test]
fn fetch_first_is_limit() {
    let d = Dialect::Postgres;
    same(
        "SELECT * FROM t FETCH FIRST 5 ROWS ONLY",
        "SELECT * FROM t LIMIT 5",
        d,
    );
    same(
        "SELECT * FROM t FETCH NEXT ROW ONLY",
        "SELECT * FROM t LIMIT 1",
        d,
    );
    same(
        "SELECT * FROM t OFFSET 5 ROWS",
        "SELECT * FROM t OFFSET 5",
        d,
    );
    differ(
        "SELECT * FROM t ORDER BY a FETCH FIRST 5 ROWS WITH TIES",
        "SELECT * FROM t ORDER BY a LIMIT 5",
        d,
    );
    // A cursor FETCH is not a LIMIT.
    assert_eq!(norm("FETCH FIRST FROM c1", d), "FETCH FIRST FROM _");
}
