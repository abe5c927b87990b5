use super::*;

fn masked(sql: &str, among: Candidates) -> Vec<String> {
    lex_masked(sql, among)
        .lexed
        .toks
        .iter()
        .map(|t| match t.kind {
            TokKind::Param => "?".to_owned(),
            _ => t.text.to_owned(),
        })
        .collect()
}

fn leaks(sql: &str, among: Candidates, secret: &str) -> bool {
    lex_masked(sql, among)
        .lexed
        .toks
        .iter()
        .any(|t| t.kind != TokKind::Param && t.text.contains(secret))
}

#[test]
fn backslashes_are_read_every_way() {
    let sql = r"SELECT 'C:\' AS p, 'hunter2' AS q";
    for among in [Candidates::ANY, Candidates::MYSQL, Candidates::NOT_SQLITE] {
        assert!(!leaks(sql, among, "hunter2"), "{among:?}");
    }
    // PostgreSQL with standard_conforming_strings off reads it like MySQL.
    assert!(!leaks(sql, Candidates::POSTGRES, "hunter2"));
    // SQLite has no backslash escapes and no such setting.
    assert_eq!(
        masked(sql, Candidates::SQLITE),
        ["SELECT", "?", "AS", "p", ",", "?", "AS", "q"]
    );
    let sql = r"SELECT 'it\'s', 'hunter2'";
    for among in [Candidates::ANY, Candidates::POSTGRES, Candidates::SQLITE] {
        assert!(!leaks(sql, among, "hunter2"), "{among:?}");
    }
    // MySQL's default reading closes every quote; without backslash escapes a quote stays
    // open, so that reading is not how the server read it.
    assert_eq!(
        masked(
            r"SELECT 'it\'s', 'hunter2' FROM t WHERE a = ?",
            Candidates::MYSQL
        ),
        ["SELECT", "?", ",", "?", "FROM", "t", "WHERE", "a", "=", "?"]
    );
}

#[test]
fn a_hash_comment_does_not_open_a_string() {
    let sql = "SELECT 1 # it's\n, 'hunter2'";
    for among in [Candidates::ANY, Candidates::MYSQL, Candidates::NOT_SQLITE] {
        assert!(!leaks(sql, among, "hunter2"), "{among:?}");
    }
    let sql = "SELECT 1 --x 'a\n, hunter2 '";
    assert!(!leaks(sql, Candidates::ANY, "hunter2"));
    let sql = "SELECT 1 /*! , 'a */ , hunter2 , ' */";
    assert!(!leaks(sql, Candidates::ANY, "hunter2"));
    assert!(!leaks(sql, Candidates::MYSQL, "hunter2"));
    let sql = "SELECT 1 /* /* */ , 'x', hunter2 -- */";
    assert!(!leaks(sql, Candidates::ANY, "hunter2"));
}

#[test]
fn double_quotes_are_values_unless_only_a_name_fits() {
    let sql = r#"SELECT "posts"."id", "title" FROM "posts" WHERE "password" = "hunter2""#;
    let m = masked(sql, Candidates::NOT_SQLITE);
    assert_eq!(
        m,
        [
            "SELECT", "posts", ".", "id", ",", "?", "FROM", "posts", "WHERE", "?", "=", "?"
        ]
    );
    // PostgreSQL alone: identifiers.
    assert!(!masked(sql, Candidates::POSTGRES).contains(&"?".to_owned()));
    // A `$1` placeholder says PostgreSQL.
    let sql = r#"SELECT "title" FROM "posts" WHERE "id" = $1"#;
    assert_eq!(
        lex_masked(sql, Candidates::NOT_SQLITE).among,
        Candidates::POSTGRES
    );
    assert_eq!(masked(sql, Candidates::NOT_SQLITE)[1], "title");
    // A `?` placeholder says not PostgreSQL.
    let sql = r#"SELECT * FROM t WHERE a = "hunter2" AND b = ?"#;
    assert_eq!(lex_masked(sql, Candidates::ANY).among.bits(), 6);
    assert!(!leaks(sql, Candidates::ANY, "hunter2"));
    // PostgreSQL's jsonb `?` operator is not a placeholder.
    let sql = r#"SELECT * FROM t WHERE data ? 'k' AND "Id" = 1"#;
    assert!(
        lex_masked(sql, Candidates::NOT_SQLITE)
            .among
            .contains(Candidates::POSTGRES)
    );
}

#[test]
fn names_in_statements_orms_write_stay_names() {
    for sql in [
        r#"INSERT INTO "cake" ("name", "size") VALUES (?, ?) RETURNING "id""#,
        r#"UPDATE "cake" SET "name" = ?, "size" = ? WHERE "cake"."id" = ?"#,
        r#"CREATE TABLE IF NOT EXISTS "cake" ("id" INTEGER PRIMARY KEY, "name" TEXT)"#,
        r#"SELECT "c"."id" AS "cid" FROM "cake" AS "c" ORDER BY "c"."id""#,
        r#"INSERT INTO t (a) VALUES (?) ON CONFLICT ("a") DO UPDATE SET "a" = EXCLUDED."a""#,
        r#"SELECT count(*) AS "n" FROM "cake" JOIN "fruit" ON "fruit"."cake_id" = "cake"."id""#,
    ] {
        let m = lex_masked(sql, Candidates::SQLITE);
        assert!(!m.conservative, "{sql}");
        assert!(
            m.lexed
                .toks
                .iter()
                .all(|t| t.kind != TokKind::Param || t.text == "?"),
            "{sql}: {:?}",
            masked(sql, Candidates::SQLITE)
        );
    }
    // A double-quoted default is a value in SQLite.
    let sql = r#"CREATE TABLE t ("a" TEXT DEFAULT "hunter2")"#;
    assert!(!leaks(sql, Candidates::SQLITE, "hunter2"));
}

#[test]
fn unbalanced_quotes_mask_the_rest() {
    for sql in [
        r#"SELECT "abc, hunter2"#,
        "SELECT `abc, hunter2",
        "SELECT 'abc, hunter2",
        "SELECT [abc, hunter2",
        "SELECT $q$ hunter2",
    ] {
        for among in [Candidates::ANY, Candidates::SQLITE, Candidates::MYSQL] {
            // `[` quotes a name in SQLite only; elsewhere the word is a (broken) name, and
            // the text closes every quote, so the SQLite reading is not how it was read.
            if among != Candidates::SQLITE && sql.contains('[') {
                continue;
            }
            assert!(!leaks(sql, among, "hunter2"), "{sql} {among:?}");
        }
    }
}

#[test]
fn text_every_reading_agrees_on_is_read_once() {
    assert_eq!(
        features(b"SELECT * FROM t WHERE a = 'x' AND b = $1 OR c = ?"),
        0
    );
    assert_eq!(features(b"SELECT 1 -- c"), DASHES);
    // PostgreSQL's two readings differ only in backslashes.
    let pg = Rules::of(Dialect::Postgres);
    assert_eq!(differences(&pg, &PG_LEGACY), BACKSLASH);
    assert_eq!(differences(&pg, &pg), 0);
    let m = lex_masked("SELECT * FROM t WHERE a = 'x'", Candidates::ANY);
    assert!(!m.conservative);
}
