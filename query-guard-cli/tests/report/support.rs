//! Making report files as the library does (a suite of scopes with every kind of finding, an
//! older run's report) and running `query-guard report` on them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use query_guard::allow::{AllowKind, Allowance, Origin};
use query_guard::{Budget, Report, StatementRecord, capture, capture_with, record};
use serde_json::Value;

/// A fresh directory under the system's temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "query-guard-report-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn arg(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The file name the library gives a report: the scope name made safe, the process id and a
/// counter.
pub fn file_name(scope: &str) -> String {
    static SEQ: AtomicUsize = AtomicUsize::new(0);
    let stem: String = scope
        .replace("::", "__")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    format!(
        "{stem}-{}-{}.json",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn write_value(dir: &Path, scope: &str, value: &Value) -> PathBuf {
    let path = dir.join(file_name(scope));
    let json = serde_json::to_string_pretty(value).expect("serialise");
    std::fs::write(&path, json).expect("write report");
    path
}

pub fn write(dir: &Path, report: &Report) -> PathBuf {
    let path = dir.join(file_name(report.scope()));
    let json = serde_json::to_string_pretty(report).expect("serialise report");
    std::fs::write(&path, json).expect("write report");
    path
}

pub fn run_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_query-guard"));
    cmd.args(args);
    if let Some(dir) = dir {
        // As a user runs it there: not under cargo (which sets CARGO_MANIFEST_DIR, where the
        // directory and query-guard.toml would otherwise be looked for), no configured directory.
        cmd.current_dir(dir)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_MANIFEST_DIR")
            .env_remove("QUERY_GUARD_REPORT_DIR")
            .env_remove("QUERY_GUARD_CONFIG");
    }
    cmd.output().expect("run query-guard")
}

pub fn run(args: &[&str]) -> Output {
    run_in(None, args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// Loads authors one by one from one span: the same call path wherever it runs.
pub fn load_authors(n: u64) {
    let span = tracing::info_span!("load_author");
    for _ in 0..n {
        span.in_scope(|| {
            record(
                StatementRecord::new("SELECT * FROM authors WHERE id = $1")
                    .elapsed(Duration::from_micros(400))
                    .rows_returned(1),
            );
        });
    }
}

pub fn config_allowance(pattern: &str, reason: &str) -> Allowance {
    Allowance::new(AllowKind::NPlusOne, pattern, reason, Origin::Config).expect("allowance")
}

pub const LONG_SCOPE: &str =
    "api::v2::handlers::posts::list_posts_with_authors_tags_comments_and_reactions_for_home";

/// A test run's reports: N+1s in two scopes, a repeated sequence, a budget overrun, a slow
/// statement, a duplicate, allowed N+1s, unused allowances.
pub fn suite(dir: &Path) {
    let unused_config = || config_allowance("FROM audit_log", "audit rows are batched elsewhere");
    let users_config = || config_allowance("FROM users", "users are cached per request");

    let ((), r) = capture_with(
        "list_posts",
        Budget::new().max(2).allow(unused_config()),
        || {
            load_authors(4);
            record(StatementRecord::new(
                "SELECT * FROM settings WHERE name = 'theme'",
            ));
            record(StatementRecord::new(
                "SELECT * FROM settings WHERE name = 'theme'",
            ));
        },
    );
    assert_eq!(r.n_plus_one().len(), 1, "{r}");
    assert_eq!(r.duplicates().len(), 1, "{r}");
    assert!(r.failed());
    write(dir, &r);

    let ((), r) = capture_with(
        "feed",
        Budget::new().allow(unused_config()).allow(users_config()),
        || load_authors(3),
    );
    write(dir, &r);

    let ((), r) = capture(LONG_SCOPE, || {
        for id in 1..=4 {
            record(StatementRecord::new(format!(
                "SELECT name FROM authors WHERE id = {id}"
            )));
            record(StatementRecord::new(format!(
                "SELECT * FROM tags WHERE post_id = {id} AND tags.visible AND tags.name <> 'draft' \
                 ORDER BY tags.position, tags.name, tags.created_at DESC LIMIT 100"
            )));
        }
    });
    assert_eq!(r.n_plus_one()[0].steps.len(), 2, "{r}");
    write(dir, &r);

    let ((), r) = capture_with(
        "search",
        // Three runs of one shape would be an N+1 too at the default threshold.
        Budget::new()
            .slow(Duration::from_millis(100))
            .n_plus_one_threshold(4),
        || {
            for ms in [3, 250, 4] {
                record(
                    StatementRecord::new(
                        "SELECT title || ' ' || body FROM posts WHERE body LIKE $1",
                    )
                    .elapsed(Duration::from_millis(ms)),
                );
            }
        },
    );
    assert_eq!(r.slow().len(), 1, "{r}");
    write(dir, &r);

    let budget = Budget::new()
        .allow(
            Allowance::n_plus_one("FROM tags", "tags are cached by the ORM, ticket #42").unwrap(),
        )
        .allow(Allowance::n_plus_one("FROM comments", "comments are paged").unwrap());
    let ((), r) = capture_with("tags_cached", budget, || {
        for _ in 0..3 {
            record(StatementRecord::new(
                "SELECT * FROM tags WHERE post_id = $1",
            ));
        }
    });
    assert!(r.n_plus_one()[0].allowed.is_some(), "{r}");
    write(dir, &r);

    let ((), r) = capture_with("users_page", Budget::new().allow(users_config()), || {
        for _ in 0..3 {
            record(StatementRecord::new("SELECT * FROM users WHERE id = $1"));
        }
    });
    assert!(r.n_plus_one()[0].allowed.is_some(), "{r}");
    write(dir, &r);
}

/// A report of an older run: another run id, finished earlier.
pub fn stale(dir: &Path, finished_unix_ms: u64) {
    let ((), r) = capture("stale_scope", || {
        for _ in 0..5 {
            record(StatementRecord::new(
                "SELECT * FROM old_table WHERE id = $1",
            ));
        }
    });
    let mut v = r.to_json();
    v["run_id"] = Value::from("an-older-run");
    v["finished_unix_ms"] = Value::from(finished_unix_ms);
    write_value(dir, "stale_scope", &v);
}

pub fn check_width(text: &str) {
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line:?}",
            line.chars().count()
        );
    }
}
