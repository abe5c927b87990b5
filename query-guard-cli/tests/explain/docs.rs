//! `explain --help` names the live flags and their guarantees; the JSON schema document names
//! every field the JSON report has.

use std::path::PathBuf;

use super::fixture;
use super::support::{run, stderr, stdout};

#[test]
fn help_names_the_live_flags_and_guarantees() {
    let o = run(&["explain", "--help"], None);
    let help = stdout(&o);
    for words in [
        "--timeout",
        "--lock-timeout",
        "--allow-writes",
        "READ ONLY",
        "statement_timeout",
        "busy",
        "read-only",
        "exactly one statement",
    ] {
        assert!(help.contains(words), "{words}:\n{help}");
    }
    // The limits need a database, and never mean "no limit".
    for (args, says) in [
        (
            vec!["explain", "x.json", "--timeout", "3s"],
            "--database-url",
        ),
        (
            vec![
                "explain",
                "--database-url",
                "sqlite:x.db",
                "--sql",
                "SELECT 1",
                "--timeout",
                "0",
            ],
            "at least 1ms",
        ),
        (
            vec![
                "explain",
                "--database-url",
                "sqlite:x.db",
                "--sql",
                "SELECT 1",
                "--lock-timeout",
                "soon",
            ],
            "expected a duration",
        ),
        (
            vec![
                "explain",
                "--database-url",
                "sqlite:x.db",
                "--sql",
                "SELECT 1",
                "--timeout",
                "2d",
            ],
            "expected a duration",
        ),
    ] {
        let o = run(&args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}

/// Every key the JSON report has, at any depth, is documented in docs/explain-schema.md.
#[test]
fn the_json_schema_document_names_every_field() {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/explain-schema.md"),
    )
    .unwrap();
    fn keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.insert(k.clone());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let mut all = std::collections::BTreeSet::new();
    for f in [
        "pg15/verbose_settings_wal.json",
        "pg15/hash_batches.json",
        "pg15/jit_dominates.json",
        "pg15/cte_and_initplan.json",
        "pg15/write_delete.json",
        "sqlite/nested.rows.txt",
    ] {
        let o = run(&["explain", &fixture(f), "--format", "json"], None);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
        keys(&serde_json::from_str(&stdout(&o)).unwrap(), &mut all);
    }
    let missing: Vec<&String> = all
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(missing.is_empty(), "undocumented fields: {missing:?}");
}
