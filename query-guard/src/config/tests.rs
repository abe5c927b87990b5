//! Tests of what the module puts together: finding and loading the file, then the
//! environment; presets, ignores and allowances; and the documentation of every key.

use super::env::tests::env;
use super::file::tests::{KEYS, parse};
use super::*;

/// Every variable [`Config::with_env`] and [`Config::load`] read.
const VARIABLES: [&str; 15] = [
    "QUERY_GUARD_CONFIG",
    "QUERY_GUARD_MODE",
    "QUERY_GUARD_TEST_MODE",
    "QUERY_GUARD_N_PLUS_ONE_THRESHOLD",
    "QUERY_GUARD_DENY_N_PLUS_ONE",
    "QUERY_GUARD_SLOW_MS",
    "QUERY_GUARD_DENY_SLOW",
    "QUERY_GUARD_INCLUDE_TRANSACTIONS",
    "QUERY_GUARD_INCLUDE_INTERNAL",
    "QUERY_GUARD_SHOW_VALUES",
    "QUERY_GUARD_DIALECT",
    "QUERY_GUARD_BACKTRACE",
    "QUERY_GUARD_MAX_STORED",
    "QUERY_GUARD_REPORTS",
    "QUERY_GUARD_REPORT_DIR",
];

const DOC: &str = include_str!("../../../docs/configuration.md");

/// A directory of its own under the temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "query-guard-config-{label}-{}-{nanos}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn find_walks_up_to_the_nearest_file() {
    let root = TempDir::new("find");
    let deep = root.0.join("a").join("b").join("c");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(root.0.join(FILE_NAME), "").unwrap();
    assert_eq!(Config::find(&deep), Some(root.0.join(FILE_NAME)));
    assert_eq!(Config::find(&root.0), Some(root.0.join(FILE_NAME)));

    let nearer = root.0.join("a").join(FILE_NAME);
    std::fs::write(&nearer, "").unwrap();
    assert_eq!(Config::find(&deep), Some(nearer.clone()));

    // A directory with the file's name is not the file.
    std::fs::create_dir(deep.join(FILE_NAME)).unwrap();
    assert_eq!(Config::find(&deep), Some(nearer));
}

#[test]
fn load_reads_the_file_cargo_points_at_then_the_environment() {
    let root = TempDir::new("load");
    let package = root.0.join("crates").join("app");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(
        root.0.join(FILE_NAME),
        "mode = \"off\"\nreport_dir = \"out\"\n",
    )
    .unwrap();
    let manifest_dir = package.to_string_lossy().into_owned();

    let config = Config::load_with(&env(&[("CARGO_MANIFEST_DIR", &manifest_dir)])).unwrap();
    assert_eq!(config.mode, Some(Mode::Off));
    assert_eq!(config.source, Some(root.0.join(FILE_NAME)));
    assert_eq!(config.report_dir, Some(root.0.join("out")));

    let config = Config::load_with(&env(&[
        ("CARGO_MANIFEST_DIR", &manifest_dir),
        ("QUERY_GUARD_MODE", "panic"),
    ]))
    .unwrap();
    assert_eq!(config.mode, Some(Mode::Panic));

    // QUERY_GUARD_CONFIG names the file; then it must exist.
    let other = root.0.join("other.toml");
    std::fs::write(&other, "max_stored = 3\n").unwrap();
    let config = Config::load_with(&env(&[
        ("CARGO_MANIFEST_DIR", &manifest_dir),
        ("QUERY_GUARD_CONFIG", &other.to_string_lossy()),
    ]))
    .unwrap();
    assert_eq!((config.mode, config.max_stored), (None, Some(3)));

    let missing = root.0.join("missing.toml");
    let err =
        Config::load_with(&env(&[("QUERY_GUARD_CONFIG", &missing.to_string_lossy())])).unwrap_err();
    assert!(
        matches!(err, ConfigError::Io { ref path, .. } if *path == missing),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "cannot read the query-guard configuration file {}: ",
            missing.display()
        )),
        "{message}"
    );

    // A broken file is an error, not the defaults.
    std::fs::write(root.0.join(FILE_NAME), "mode = 3\n").unwrap();
    let err = Config::load_with(&env(&[("CARGO_MANIFEST_DIR", &manifest_dir)])).unwrap_err();
    assert!(err.to_string().contains(":1:8: expected `panic`"), "{err}");
}

#[test]
fn presets_override_the_built_in_ones() {
    let defaults = Config::default();
    assert_eq!(defaults.preset("list").unwrap().max, Some(10));
    assert_eq!(defaults.preset("detail").unwrap().max, Some(5));
    assert_eq!(defaults.preset("admin"), None);

    let config = parse("[presets]\nlist = 25\nadmin = { max_writes = 0 }\n").unwrap();
    assert_eq!(
        config.preset("list"),
        Some(Preset {
            max: Some(25),
            ..Preset::default()
        })
    );
    assert_eq!(config.preset("detail").unwrap().max, Some(5));
    assert_eq!(
        config.preset("admin"),
        Some(Preset {
            max_writes: Some(0),
            ..Preset::default()
        })
    );
    assert_eq!(config.preset("List"), None);
}

#[test]
fn ignores_matches_any_ignore_pattern() {
    let config = parse(
            "ignore = [\"fedcba9876543210\", \"/^SELECT \\\\$1$/\", \"UPDATE sessions SET seen = now()\"]",
        )
        .unwrap();
    assert!(config.ignores("FEDCBA9876543210", "SELECT * FROM users"));
    assert!(config.ignores("0000000000000000", "SELECT $1"));
    assert!(config.ignores(
        "0000000000000000",
        "UPDATE sessions SET seen = now() WHERE id = $1"
    ));
    assert!(!config.ignores("0000000000000000", "SELECT $1, $2"));
    assert!(!Config::default().ignores("fedcba9876543210", "SELECT $1"));
    // The normalised SQL of a health check, as the example's `'/^SELECT \$1$/'` expects.
    let health = crate::fingerprint::fingerprint("select 1", crate::fingerprint::Dialect::Generic);
    assert_eq!(health.normalized, "SELECT $1");
}

#[test]
fn allowances_for_filters_by_scope_glob() {
    let config = parse(
        r#"
            [[allow]]
            n_plus_one = "FROM tags"
            reason = "everywhere"

            [[allow]]
            n_plus_one = "FROM authors"
            reason = "api only"
            scope = "api::*"

            [[allow]]
            over_budget = "FROM audit"
            reason = "one handler"
            scope = "api::posts::create"
            "#,
    )
    .unwrap();
    let reasons = |scope| {
        config
            .allowances_for(scope)
            .map(|a| a.reason.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(reasons("jobs::nightly"), ["everywhere"]);
    assert_eq!(reasons("api::posts::list"), ["everywhere", "api only"]);
    assert_eq!(
        reasons("api::posts::create"),
        ["everywhere", "api only", "one handler"]
    );
    assert_eq!(
        serde_json::to_value(&config.allow[1]).unwrap(),
        serde_json::json!({
            "kind": "n_plus_one",
            "pattern": "FROM authors",
            "reason": "api only",
            "scope": "api::*",
        })
    );
}

#[test]
fn current_loads_once() {
    // Whatever the process environment holds, the second call returns the same value.
    let first = current()
        .map(|c| c as *const Config)
        .map_err(|e| e as *const _);
    let second = current()
        .map(|c| c as *const Config)
        .map_err(|e| e as *const _);
    assert_eq!(first, second);
}

#[test]
fn the_documentation_names_every_key_and_variable() {
    // Destructuring every field makes a new field fail to compile here until it is
    // added to KEYS (and so to the documentation).
    let Config {
        mode: _,
        test_mode: _,
        n_plus_one_threshold: _,
        deny_n_plus_one: _,
        slow: _,
        deny_slow: _,
        include_transactions: _,
        include_internal: _,
        show_values: _,
        dialect: _,
        backtrace: _,
        backtrace_skip: _,
        max_stored: _,
        reports: _,
        report_dir: _,
        presets: _,
        ignore: _,
        allow: _,
        source: _,
    } = Config::default();
    for key in KEYS {
        assert!(
            DOC.contains(&format!("`{key}`")),
            "docs/configuration.md does not describe `{key}`"
        );
        // And the parser knows it: the error, if any, is about the value, not the key.
        if let Err(err) = parse(&format!("{key} = 1.5")) {
            assert!(!err.to_string().contains("unknown field"), "{key}: {err}");
        }
    }
    for name in VARIABLES {
        assert!(
            DOC.contains(&format!("`{name}`")),
            "docs/configuration.md does not name `{name}`"
        );
    }
}

#[test]
fn the_documented_example_is_the_module_example_and_parses() {
    let in_doc = block_after(DOC, "\n## A complete example\n");
    let in_module = module_doc_example(include_str!("mod.rs"));
    assert_eq!(
        in_doc, in_module,
        "docs/configuration.md and the module docs differ"
    );
    let config = parse(&in_doc).unwrap();
    for key in KEYS {
        assert!(
            in_doc.contains(&format!("\n{key} = ")) || in_doc.contains(&format!("[{key}]")),
            "the example does not set `{key}`"
        );
    }
    assert_eq!(config.allow.len(), 2);

    // The other examples in the documentation are valid too.
    for block in DOC.split("```toml\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        parse(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
    }
}

/// The code block that follows `heading` in `text`.
fn block_after(text: &str, heading: &str) -> String {
    let fence = "```toml\n";
    let after = &text[text.find(heading).expect("the heading") + heading.len()..];
    let start = after.find(fence).expect("a ```toml block") + fence.len();
    let end = start + after[start..].find("```").expect("the end of the block");
    after[start..end].trim().to_owned()
}

/// The TOML between `let text = r#"` and `"#;` in the module docs.
fn module_doc_example(source: &str) -> String {
    let doc: Vec<&str> = source
        .lines()
        .take_while(|line| line.starts_with("//!"))
        .map(|line| line.trim_start_matches("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        // rustdoc shows (and compiles) `## …` as `# …`: how TOML comments are written there.
        .map(|line| {
            line.strip_prefix('#')
                .filter(|l| l.starts_with('#'))
                .unwrap_or(line)
        })
        .collect();
    let start = doc.iter().position(|l| *l == "let text = r#\"").unwrap() + 1;
    let end = doc.iter().position(|l| *l == "\"#;").unwrap();
    doc[start..end].join("\n").trim().to_owned()
}
