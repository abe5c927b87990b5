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

/// The id of this test run: `QUERY_GUARD_RUN_ID` when set, else the nearest ancestor process
/// that is cargo (`cargo test`, `cargo nextest run`, `cargo llvm-cov`: every test binary and
/// every doc test of one command descends from it), with its start time so that a reused process
/// id makes another run; else the parent process; else this process.
pub(crate) fn run_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        if let Ok(id) = std::env::var("QUERY_GUARD_RUN_ID")
            && !id.trim().is_empty()
        {
            return id.trim().to_owned();
        }
        ancestor_run_id().unwrap_or_else(|| format!("pid-{}", std::process::id()))
    })
}

/// A process's command name, parent and start time, from `/proc/PID/stat` (Linux).
#[cfg(unix)]
fn proc_stat(pid: u32) -> Option<(String, u32, String)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: split around them.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_owned();
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    // After the name: state (3), ppid (4), …, starttime (22).
    let ppid = rest.nth(1)?.parse().ok()?;
    let start = rest.nth(17)?.to_owned();
    Some((comm, ppid, start))
}

#[cfg(unix)]
fn ancestor_run_id() -> Option<String> {
    let parent = std::os::unix::process::parent_id();
    let mut pid = parent;
    for _ in 0..8 {
        let Some((comm, ppid, start)) = proc_stat(pid) else {
            break;
        };
        if comm.starts_with("cargo") {
            return Some(format!("cargo-{pid}-{start}"));
        }
        if ppid <= 1 {
            break;
        }
        pid = ppid;
    }
    // No cargo above us (a service, or no /proc): the parent process.
    Some(match proc_stat(parent) {
        Some((_, _, start)) => format!("ppid-{parent}-{start}"),
        None => format!("ppid-{parent}"),
    })
}

#[cfg(not(unix))]
fn ancestor_run_id() -> Option<String> {
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
    // Streamed into the file: a report of 10,000 statements is megabytes of JSON, which a
    // request's thread need not hold in memory at once.
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    let written = serde_json::to_writer_pretty(&mut out, report)
        .map_err(std::io::Error::other)
        .and_then(|()| std::io::Write::flush(&mut out));
    drop(out);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
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
    fn the_run_id_is_the_cargo_command_above_the_tests() {
        assert_eq!(run_id(), run_id());
        // Under `cargo test` (how this runs), the id names cargo, not the test binary's parent.
        if std::env::var_os("CARGO").is_some() && std::env::var_os("QUERY_GUARD_RUN_ID").is_none() {
            assert!(run_id().starts_with("cargo-"), "{}", run_id());
        }
    }

    #[test]
    fn a_streamed_report_file_is_the_reports_json() {
        crate::install().unwrap();
        let scope = crate::Scope::open("streamed file").unwrap();
        scope.in_scope(|| {
            for i in 0..3 {
                crate::record(crate::StatementRecord::new(format!(
                    "SELECT * FROM t WHERE id = {i}"
                )));
            }
        });
        let report = scope.finish();
        let dir = std::env::temp_dir().join(format!("qg-file-test-{}", std::process::id()));
        let path = write(&report, &dir).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(text, serde_json::to_string_pretty(&report).unwrap());
        assert!(leftovers.is_empty(), "the temporary file was renamed");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn proc_stat_reads_names_with_spaces_and_parentheses() {
        let (comm, ppid, start) = proc_stat(std::process::id()).unwrap();
        assert!(!comm.is_empty());
        assert_eq!(ppid, std::os::unix::process::parent_id());
        assert!(start.parse::<u64>().is_ok(), "{start}");
    }
}
