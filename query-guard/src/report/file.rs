//! Report files: with reports switched on, every scope writes its JSON report into a directory
//! (default `target/query-guard/` of the workspace) when it closes, for `query-guard report`.
//!
//! Switch them on with `QUERY_GUARD_REPORTS=1`, `QUERY_GUARD_REPORT_DIR=path`, or `reports = true`
//! (and `report_dir`) in `query-guard.toml`. One file per scope, named after the scope, the
//! process and a counter (`api__list_posts-4242-7.json`); it is written to a temporary name and
//! renamed, so a reader never sees half a file. Each report carries the id of the run it belongs
//! to (see [`run_id`]), so `query-guard report` can tell this run's files from older ones.
//!
//! Writing never panics and never fails a test: an error is said once on stderr.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use super::Report;

/// The id of this test run: `QUERY_GUARD_RUN_ID` when set, else the parent process's id and
/// start time (every test binary of one `cargo test` or `cargo nextest run` is a child of the same
/// cargo process), else this process's id.
pub(crate) fn run_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        if let Ok(id) = std::env::var("QUERY_GUARD_RUN_ID")
            && !id.trim().is_empty()
        {
            return id.trim().to_owned();
        }
        parent_run_id().unwrap_or_else(|| format!("pid-{}", std::process::id()))
    })
}

#[cfg(unix)]
fn parent_run_id() -> Option<String> {
    let ppid = std::os::unix::process::parent_id();
    // Field 22 of /proc/PID/stat is the start time; the command name (field 2) may hold spaces,
    // so count from the closing parenthesis.
    let started = std::fs::read_to_string(format!("/proc/{ppid}/stat"))
        .ok()
        .and_then(|stat| {
            let rest = &stat[stat.rfind(')')? + 1..];
            rest.split_whitespace().nth(19).map(str::to_owned)
        });
    Some(match started {
        Some(t) => format!("ppid-{ppid}-{t}"),
        None => format!("ppid-{ppid}"),
    })
}

#[cfg(not(unix))]
fn parent_run_id() -> Option<String> {
    None
}

/// `target/query-guard` of the workspace: `CARGO_TARGET_DIR` when set, else the `target`
/// directory next to the nearest `Cargo.lock` above `CARGO_MANIFEST_DIR` (which cargo sets when
/// it runs tests) or the current directory.
pub(crate) fn default_dir() -> PathBuf {
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("query-guard");
    }
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let root = start
        .ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .unwrap_or(&start);
    root.join("target").join("query-guard")
}

/// A file name from a scope name: letters, digits, `-`, `_` and `.` kept, `::` as `__`, the rest
/// as `_`, at most 80 characters.
fn file_stem(scope: &str) -> String {
    let mut out = String::with_capacity(scope.len().min(80));
    for c in scope.replace("::", "__").chars() {
        if out.len() >= 80 {
            break;
        }
        out.push(
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            },
        );
    }
    if out.is_empty() {
        out.push_str("scope");
    }
    out
}

/// Writes `report` into `dir`. Returns the file's path, or the error.
pub(crate) fn write(report: &Report, dir: &Path) -> std::io::Result<PathBuf> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    std::fs::create_dir_all(dir)?;
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let stem = format!("{}-{}-{n}", file_stem(report.scope()), std::process::id());
    let path = dir.join(format!("{stem}.json"));
    let tmp = dir.join(format!(".{stem}.json.tmp"));
    let json = serde_json::to_vec_pretty(report).map_err(std::io::Error::other)?;
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// [`write`], saying a failure once per process on stderr.
pub(crate) fn write_or_warn(report: &Report, dir: &Path) {
    if let Err(e) = write(report, dir) {
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            eprintln!(
                "query-guard: cannot write report files into {}: {e} (reports are off for this scope)",
                dir.display()
            );
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("api::posts::list"), "api__posts__list");
        assert_eq!(file_stem("a b/c\\d"), "a_b_c_d");
        assert_eq!(file_stem(""), "scope");
        assert_eq!(file_stem(&"x".repeat(200)).len(), 80);
    }

    #[test]
    fn the_run_id_is_stable_in_a_process() {
        assert_eq!(run_id(), run_id());
        assert!(!run_id().is_empty());
    }
}
