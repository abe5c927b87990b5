//! `QUERY_GUARD=panic|warn|off` overrides every scope's mode. Each case runs this test binary
//! again as a child process with the variable set, because the variable is read once per process.

use std::process::Command;

use query_guard::{Budget, Mode, Scope, StatementRecord, record};

/// Run only as a child: a scope that breaks its budget, its mode left to the environment.
#[test]
#[ignore = "run by the tests below in a child process"]
fn child_breaks_its_budget() {
    query_guard::install().unwrap();
    let scope = Scope::builder("over budget")
        .budget(Budget::new().max(1))
        .in_test(true)
        .open()
        .unwrap();
    scope.in_scope(|| {
        record(StatementRecord::new("SELECT 1"));
        record(StatementRecord::new("SELECT 2"));
    });
    println!("mode resolved to {}", scope.mode());
    scope.finish_and_check();
    println!("child finished without panicking");
}

fn run_child(mode: &str) -> (bool, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_breaks_its_budget",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("QUERY_GUARD", mode)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn env_panic_fails_the_test() {
    let (ok, out) = run_child("panic");
    assert!(!ok, "{out}");
    assert!(
        out.contains("expected at most 1 query, 2 ran in `over budget`"),
        "{out}"
    );
}

#[test]
fn env_warn_logs_a_warn_event_instead() {
    let (ok, out) = run_child("warn");
    assert!(ok, "{out}");
    assert!(out.contains("mode resolved to warn"), "{out}");
    assert!(
        out.contains("WARN") && out.contains("query budget exceeded"),
        "{out}"
    );
    assert!(out.contains("child finished without panicking"), "{out}");
}

#[test]
fn env_off_does_nothing() {
    let (ok, out) = run_child("off");
    assert!(ok, "{out}");
    assert!(!out.contains("query budget exceeded"), "{out}");
}

#[test]
fn an_invalid_value_is_reported_and_ignored() {
    let (ok, out) = run_child("loud");
    assert!(!ok, "the default for a test scope is panic: {out}");
    assert!(out.contains("ignoring QUERY_GUARD=\"loud\""), "{out}");
}

#[test]
fn defaults_without_the_variable() {
    // Only when this process has no QUERY_GUARD set (CI does not set it).
    if std::env::var_os("QUERY_GUARD").is_none() {
        assert_eq!(Mode::resolve(None, true), Mode::Panic);
        assert_eq!(Mode::resolve(None, false), Mode::Warn);
        assert_eq!(Mode::resolve(Some(Mode::Off), true), Mode::Off);
    }
}
