//! `query-guard.toml` end to end. The configuration is read once per process, so each test runs
//! this binary again as a child with `QUERY_GUARD_CONFIG` pointing at a file it wrote, and the
//! child (the same test, seeing `QG_CONFIG_CHILD`) makes the checks.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use query_guard::detect::n_plus_one::NPlusOneKind;
use query_guard::{Budget, Class, StatementRecord, capture, capture_with, record};

const CONFIG: &str = r#"
n_plus_one_threshold = 4
slow_ms = 50
ignore = ["FROM health_checks"]
reports = true
report_dir = "reports"

[presets]
admin = { max = 2, max_writes = 0 }

[[allow]]
n_plus_one = "FROM tags"
reason = "tags come from the ORM's cache"
scope = "config child*"

[[allow]]
over_budget = "FROM never_seen"
reason = "kept to test the unused report"
"#;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qg-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `test` in a child process with `config` as query-guard.toml and `env` set; returns its
/// output (and fails when the child failed).
fn in_child(test: &str, dir: &Path, config: &str, env: &[(&str, &str)]) -> String {
    let file = dir.join("query-guard.toml");
    std::fs::write(&file, config).unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env("QG_CONFIG_CHILD", "1")
        .env("QUERY_GUARD_CONFIG", &file)
        .env_remove("QUERY_GUARD")
        .env_remove("QUERY_GUARD_REPORTS")
        .env_remove("QUERY_GUARD_REPORT_DIR")
        .env_remove("QUERY_GUARD_N_PLUS_ONE_THRESHOLD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child {test} failed:\n{text}");
    assert!(text.contains("1 passed"), "the child ran no test:\n{text}");
    text
}

fn child() -> bool {
    std::env::var_os("QG_CONFIG_CHILD").is_some()
}

fn sql(text: &str) {
    assert!(record(StatementRecord::new(text)));
}

#[test]
fn the_file_sets_thresholds_presets_ignores_allowances_and_report_files() {
    if !child() {
        let dir = temp_dir("file");
        in_child(
            "the_file_sets_thresholds_presets_ignores_allowances_and_report_files",
            &dir,
            CONFIG,
            &[],
        );
        let reports: Vec<_> = std::fs::read_dir(dir.join("reports"))
            .expect("report_dir is relative to the config file")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .collect();
        assert_eq!(reports.len(), 3, "one file per scope");
        let text = std::fs::read_to_string(reports[0].path()).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["schema_version"], 2);
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    // n_plus_one_threshold = 4: three runs are not an N+1, four are.
    let ((), three) = capture("three", || {
        (1..=3).for_each(|i| sql(&format!("SELECT * FROM authors WHERE id = {i}")))
    });
    assert!(three.n_plus_one().is_empty(), "{three}");
    let ((), report) = capture("config child", || {
        (1..=4).for_each(|i| sql(&format!("SELECT * FROM authors WHERE id = {i}")));
        (1..=4).for_each(|i| sql(&format!("SELECT * FROM tags WHERE post_id = {i}")));
        sql("SELECT 1 FROM health_checks");
        assert!(record(
            StatementRecord::new("SELECT * FROM reports").elapsed(Duration::from_millis(80))
        ));
    });
    assert_eq!(report.budget().n_plus_one_min(), 4);
    // The allowance applies to scopes named `config child*` only.
    let tags = report
        .n_plus_one()
        .iter()
        .find(|f| f.normalized.contains("tags"))
        .unwrap();
    assert_eq!(
        tags.allowed.as_ref().map(|a| a.reason.as_str()),
        Some("tags come from the ORM's cache")
    );
    assert_eq!(tags.kind, NPlusOneKind::Repeated);
    // ignore: listed, never counted.
    let health = report
        .statements()
        .iter()
        .find(|s| s.normalized.contains("health_checks"))
        .unwrap();
    assert_eq!((health.class, health.counted), (Class::Ignored, false));
    assert_eq!(report.counts().ignored, 1);
    // slow_ms = 50.
    assert_eq!(report.slow().len(), 1, "{report}");
    // Configured allowances are listed with what they matched; unused ones say so in JSON.
    let allowances: Vec<_> = report
        .allowances()
        .iter()
        .map(|a| (a.pattern.as_str(), a.matched))
        .collect();
    assert_eq!(allowances, [("FROM tags", 1), ("FROM never_seen", 0)]);
    // A preset from [presets].
    let ((), admin) = capture_with("admin", Budget::new().preset("admin").unwrap(), || {
        sql("SELECT 1");
        sql("UPDATE t SET a = 1");
    });
    assert!(admin.failed(), "max_writes = 0 from the preset: {admin}");
}

#[test]
fn environment_variables_win_over_the_file() {
    if !child() {
        let dir = temp_dir("env");
        in_child(
            "environment_variables_win_over_the_file",
            &dir,
            CONFIG,
            &[
                ("QUERY_GUARD_N_PLUS_ONE_THRESHOLD", "2"),
                ("QUERY_GUARD_REPORTS", "0"),
            ],
        );
        assert!(!dir.join("reports").exists(), "QUERY_GUARD_REPORTS=0 wins");
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    let ((), report) = capture_with("env", Budget::new().n_plus_one_threshold(5), || {
        (1..=2).for_each(|i| sql(&format!("SELECT * FROM authors WHERE id = {i}")))
    });
    assert_eq!(
        report.budget().n_plus_one_min(),
        2,
        "the variable wins over the scope"
    );
    assert_eq!(report.n_plus_one().len(), 1, "{report}");
}

#[test]
fn a_broken_file_is_a_loud_error_naming_the_line() {
    if !child() {
        let dir = temp_dir("broken");
        let out = in_child(
            "a_broken_file_is_a_loud_error_naming_the_line",
            &dir,
            "slow_ms = 50\nn_plus_on_threshold = 3\n",
            &[],
        );
        assert!(out.contains("query-guard.toml:2:"), "{out}");
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    let err = query_guard::Scope::open("broken").unwrap_err().to_string();
    assert!(
        err.contains("query-guard cannot open scope `broken`"),
        "{err}"
    );
    assert!(err.contains("n_plus_on_threshold"), "{err}");
    // Tests see it loudly: the capture API panics with the same message.
    let message = std::panic::catch_unwind(|| capture("broken", || ()))
        .map(|_| String::new())
        .unwrap_or_else(|p| p.downcast_ref::<String>().cloned().unwrap_or_default());
    assert!(message.contains("n_plus_on_threshold"), "{message}");
    println!("{err}");
}

#[test]
fn the_readme_example_is_a_valid_configuration() {
    if child() {
        return;
    }
    let readme = include_str!("../README.md");
    let start = readme
        .find("```toml\ntest_mode")
        .expect("the README's query-guard.toml example")
        + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let config = query_guard::config::Config::from_toml_str(
        &readme[start..end],
        Path::new("/work/app/query-guard.toml"),
    )
    .unwrap_or_else(|e| panic!("README example: {e}"));
    assert_eq!(config.n_plus_one_threshold, Some(3));
    assert_eq!(config.allow.len(), 1);
    assert!(config.preset("admin").is_some());
}
