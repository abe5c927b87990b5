//! Runs the built `query-guard` binary.

#[path = "support/run.rs"]
mod support_run;
use support_run::*;

use std::process::Output;

/// `(fingerprint, normalized)` of each output line.
fn lines(o: &Output) -> Vec<(String, String)> {
    stdout(o)
        .lines()
        .map(|l| {
            let (h, n) = l
                .split_once("  ")
                .expect("two spaces between fingerprint and text");
            (h.to_owned(), n.to_owned())
        })
        .collect()
}

#[test]
fn fingerprints_arguments() {
    let o = run(
        &[
            "fingerprint",
            "SELECT * FROM users WHERE id = 42",
            "select * from USERS where id = $1",
        ],
        None,
    );
    assert!(o.status.success(), "{o:?}");
    let l = lines(&o);
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].1, "SELECT * FROM users WHERE id = $1");
    assert_eq!(l[0], l[1]);
    assert_eq!(l[0].0.len(), 16);
    assert!(l[0].0.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn reads_stdin_without_arguments_and_with_dash() {
    let input =
        b"SELECT 1\n\nSELECT * FROM t WHERE a IN (1, 2, 3)\r\nSELECT * FROM t WHERE a = ANY($1)";
    for args in [&["fingerprint"][..], &["fingerprint", "-"][..]] {
        let o = run(args, Some(input));
        assert!(o.status.success(), "{o:?}");
        let l = lines(&o);
        assert_eq!(l.len(), 3, "{}", stdout(&o));
        assert_eq!(l[0].1, "SELECT $1");
        assert_eq!(l[1].1, "SELECT * FROM t WHERE a IN ($1)");
        assert_eq!(l[1], l[2]);
    }
    // `-` between arguments reads stdin at that point.
    let o = run(
        &["fingerprint", "SELECT 1", "-", "SELECT 2"],
        Some(b"DELETE FROM t\n"),
    );
    let l = lines(&o);
    assert_eq!(
        l.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
        ["SELECT $1", "DELETE FROM t", "SELECT $1"]
    );
}

#[test]
fn null_separated_stdin_keeps_multi_line_statements() {
    let input = b"SELECT *\nFROM t\nWHERE a = 1\0SELECT 2\n\0";
    let o = run(&["fingerprint", "-0"], Some(input));
    assert!(o.status.success(), "{o:?}");
    let l = lines(&o);
    assert_eq!(
        l.iter().map(|x| x.1.as_str()).collect::<Vec<_>>(),
        ["SELECT * FROM t WHERE a = $1", "SELECT $1"]
    );
}

#[test]
fn json_output() {
    let o = run(
        &[
            "fingerprint",
            "--json",
            "SELECT u.id FROM users u JOIN orders o ON o.uid = u.id WHERE u.id = 7 /*route='%2Fx'*/",
        ],
        None,
    );
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.trim()).expect("json");
    assert_eq!(
        v["normalized"],
        "SELECT u.id FROM users u JOIN orders o ON o.uid = u.id WHERE u.id = $1"
    );
    assert_eq!(v["kind"], "select");
    assert_eq!(v["tables"], serde_json::json!(["users", "orders"]));
    assert_eq!(v["parsed"], true);
    assert_eq!(v["tags"]["route"], "/x");
    let hex = v["fingerprint"].as_str().expect("fingerprint string");
    assert_eq!(hex.len(), 16);
    // The same fingerprint as the text output.
    let plain = run(
        &[
            "fingerprint",
            "SELECT u.id FROM users u JOIN orders o ON o.uid = u.id WHERE u.id = 7",
        ],
        None,
    );
    assert_eq!(lines(&plain)[0].0, hex);
    // Unparseable input is still fingerprinted.
    let o = run(
        &[
            "fingerprint",
            "--json",
            "SELECT * FROM t WHERE a > now() - INTERVAL $1 AND b LIK",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("json");
    assert_eq!(v["parsed"], false);
    assert_eq!(v["tables"], serde_json::json!(["t"]));
}

#[test]
fn dialect_changes_how_text_is_read() {
    let sql = "SELECT * FROM t WHERE a = \"x\"";
    let mysql = run(&["fingerprint", "--dialect", "mysql", sql], None);
    let pg = run(&["fingerprint", "--dialect", "postgres", sql], None);
    assert_eq!(lines(&mysql)[0].1, "SELECT * FROM t WHERE a = $1");
    assert_eq!(lines(&pg)[0].1, "SELECT * FROM t WHERE a = x");
    let alias = run(&["fingerprint", "-d", "mariadb", sql], None);
    assert_eq!(lines(&alias), lines(&mysql));
    // Unknown: MySQL would read "x" as a string.
    let generic = run(&["fingerprint", sql], None);
    assert_eq!(lines(&generic)[0].1, "SELECT * FROM t WHERE a = $1");
}

#[test]
fn no_value_is_printed_whatever_the_dialect() {
    let corpus = [
        r"SELECT 'C:\' AS p, 'hunter2' AS q",
        r#"SELECT * FROM users WHERE password = "hunter2""#,
        "SELECT 1 # it's\n, 'hunter2'",
        "SET app.api_key = hunter2",
        "SET SESSION x TO hunter2",
        "PRAGMA key = hunter2",
        "ALTER ROLE app PASSWORD hunter2",
        "SELECT 1 /* /* */ , 'hunter2' -- */",
        r"SELECT e'\' , 'hunter2'",
        r#"SELECT "unterminated hunter2"#,
    ];
    for dialect in ["generic", "postgres", "mysql", "sqlite"] {
        for sql in corpus {
            for json in [false, true] {
                let mut args = vec!["fingerprint", "--dialect", dialect];
                if json {
                    args.push("--json");
                }
                args.push(sql);
                let o = run(&args, None);
                assert!(o.status.success(), "{o:?}");
                let out = stdout(&o);
                // In PostgreSQL `"hunter2"` is a column name, not a value.
                let pg_name = dialect == "postgres" && sql.contains("= \"hunter2\"");
                assert!(
                    pg_name || !out.contains("hunter2"),
                    "{dialect} {sql}: {out}"
                );
            }
        }
    }
}

#[test]
fn tag_values_are_kept_only_for_standard_keys_unless_asked() {
    let sql = "SELECT 1 /*route='%2Fusers',token='hunter2',tenant='acme'*/";
    let tags = |extra: &[&str]| {
        let mut args = vec!["fingerprint", "--json"];
        args.extend_from_slice(extra);
        args.push(sql);
        let o = run(&args, None);
        assert!(o.status.success(), "{o:?}");
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("json");
        v["tags"].clone()
    };
    assert_eq!(
        tags(&[]),
        serde_json::json!({"route": "/users", "token": "?", "tenant": "?"})
    );
    assert_eq!(
        tags(&["--tag", "tenant"]),
        serde_json::json!({"route": "/users", "token": "?", "tenant": "acme"})
    );
    assert_eq!(
        tags(&["--show-values"]),
        serde_json::json!({"route": "/users", "token": "hunter2", "tenant": "acme"})
    );
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["fingerprint", "--bogus"][..],
        &["fingerprint", "--dialect", "oracle", "SELECT 1"][..],
        &["nope"][..],
        &[][..],
    ] {
        let o = run(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        assert!(!o.stderr.is_empty());
    }
}

#[test]
fn invalid_utf8_on_stdin_exits_2() {
    let o = run(&["fingerprint"], Some(b"SELECT 1\n\xff\xfe\n"));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn version_names_the_fingerprint_rules() {
    let o = run(&["--version"], None);
    assert!(o.status.success());
    let want = format!(
        "fingerprint rules v{}",
        query_guard::fingerprint::RULES_VERSION
    );
    assert!(stdout(&o).contains(&want), "{}", stdout(&o));
}

#[test]
fn help_mentions_stdin() {
    let o = run(&["fingerprint", "--help"], None);
    assert!(o.status.success());
    assert!(stdout(&o).contains("standard input"));
}
