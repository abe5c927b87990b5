//! `query-guard report`: one view of a test run's report files.
//!
//! Reads the per-scope JSON reports (schema version [`input::REPORT_SCHEMA`]) that scopes write with
//! report files on, keeps the latest run's, and aggregates them: the N+1s across the suite, the
//! budget overruns, slow statements, duplicates, the worst scopes, per-shape totals and the
//! allowances that matched nothing. Both schemas are documented in `docs/report-schema.md`.

mod aggregate;
mod input;
mod render;

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::failure::Failure;
use aggregate::{Aggregate, Selection};
use input::{REPORT_SCHEMA, ms};
use query_guard::Report;

pub(crate) const LONG_ABOUT: &str = "\
Aggregate a test run's report files: the N+1 queries and budget overruns across the suite, slow
statements, duplicate reads, the worst scopes, per-statement-shape totals and the allowances that
matched nothing.

Scopes write one JSON report each when report files are on: run the tests with
`QUERY_GUARD_REPORTS=1 cargo test` (or `reports = true` in query-guard.toml), then run
`query-guard report`. Only the latest run's reports are read (the run of the report that finished
last); --all-runs reads every report in the directory.

Exit codes: 0 success (findings or not, without --fail-on); 1 a rule of --fail-on found something,
or the output could not be written; 2 bad usage, or a missing, empty or unreadable report
directory or file.

Examples:
  QUERY_GUARD_REPORTS=1 cargo test && query-guard report
  query-guard report --format markdown >> \"$GITHUB_STEP_SUMMARY\"
  query-guard report --fail-on n-plus-one,budget
  query-guard report target/query-guard --format json --top 50";

/// Arguments of `query-guard report`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Directory of report files [default: report_dir of query-guard.toml or
    /// QUERY_GUARD_REPORT_DIR, else target/query-guard of the workspace]
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Output format: text (fits 100 columns), markdown (for a CI job summary), json (aggregate
    /// schema 1, see docs/report-schema.md).
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// How many of the worst scopes and of the statement shapes to list.
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..))]
    top: u32,
    /// Exit with 1 when any of these is found (comma-separated; N+1s an allowance accepts never
    /// count).
    #[arg(long, value_name = "RULES", value_enum, value_delimiter = ',')]
    fail_on: Vec<Rule>,
    /// Read the reports of every run in the directory, not only the latest run's.
    #[arg(long)]
    all_runs: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned text for a terminal or a log, at most 100 columns.
    Text,
    /// Headings and tables, for $GITHUB_STEP_SUMMARY or a pull-request comment.
    #[value(alias = "md")]
    Markdown,
    /// The aggregate as JSON (its own schema_version, 1).
    Json,
}

/// What `--fail-on` can fail on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
enum Rule {
    /// N+1 queries no allowance accepts.
    #[value(alias = "n_plus_one")]
    NPlusOne,
    /// Scopes over their budget.
    Budget,
    /// Statements at or over a scope's slow threshold.
    Slow,
    /// The same read with the same values run more than once in a scope.
    #[value(alias = "duplicate")]
    Duplicates,
    /// Allowances that matched nothing.
    #[value(alias = "unused-allowances", alias = "unused_allowance")]
    UnusedAllowance,
    /// All of the above.
    All,
}

impl Rule {
    const EACH: [Rule; 5] = [
        Rule::NPlusOne,
        Rule::Budget,
        Rule::Slow,
        Rule::Duplicates,
        Rule::UnusedAllowance,
    ];

    fn name(self) -> &'static str {
        match self {
            Rule::NPlusOne => "n-plus-one",
            Rule::Budget => "budget",
            Rule::Slow => "slow",
            Rule::Duplicates => "duplicates",
            Rule::UnusedAllowance => "unused-allowance",
            Rule::All => "all",
        }
    }

    /// What the aggregate has of this kind, said for the error line; `None` when nothing.
    fn found(self, a: &Aggregate) -> Option<String> {
        let s = &a.summary;
        let (n, one, many) = match self {
            Rule::NPlusOne => (s.n_plus_one, "N+1 query", "N+1 queries"),
            Rule::Budget => (s.budget_overruns, "budget overrun", "budget overruns"),
            Rule::Slow => (s.slow, "slow statement shape", "slow statement shapes"),
            Rule::Duplicates => (s.duplicates, "duplicate read", "duplicate reads"),
            Rule::UnusedAllowance => (s.unused_allowances, "unused allowance", "unused allowances"),
            Rule::All => return None,
        };
        (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
    }
}

/// The directory the library writes to: `report_dir` of the configuration
/// (`QUERY_GUARD_REPORT_DIR` or query-guard.toml), else `target/query-guard` of the workspace.
fn default_dir() -> PathBuf {
    query_guard::report::report_dir()
}

const HOW_TO_WRITE: &str = "write them by running the tests with report files on \
     (`QUERY_GUARD_REPORTS=1 cargo test`, or `reports = true` in query-guard.toml), \
     then run `query-guard report` again";

/// The report files in `dir` (`*.json`, not hidden, not in subdirectories), sorted by name.
fn report_files(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let shown = dir.display();
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Failure::usage(format!(
                "{shown} is not a directory: expected the directory of report files \
                 (default target/query-guard)"
            )));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Failure::usage(format!(
                "no reports: {shown} does not exist; {HOW_TO_WRITE}"
            )));
        }
        Err(e) => return Err(Failure::usage(format!("cannot read {shown}: {e}"))),
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Failure::usage(format!("cannot read the directory {shown}: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| Failure::usage(format!("cannot read the directory {shown}: {e}")))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || !name.ends_with(".json") {
            continue;
        }
        let path = entry.path();
        // Follows symbolic links; a file removed meanwhile is skipped.
        if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(Failure::usage(format!(
            "no reports: {shown} has no report files (*.json); {HOW_TO_WRITE}"
        )));
    }
    files.sort();
    Ok(files)
}

/// serde_json's message without its ` at line L column C` suffix.
fn bare_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
}

/// Reads one report file's contents.
pub(crate) fn parse_report(file: &str, bytes: &[u8]) -> Result<Report, Failure> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Failure::usage(format!(
            "{file}: invalid JSON at line {}, column {}: {}; expected a query-guard report",
            e.line(),
            e.column(),
            bare_message(&e)
        ))
    })?;
    let Some(object) = value.as_object() else {
        return Err(Failure::usage(format!(
            "{file}: not a query-guard report: expected a JSON object with \"schema_version\": \
             {REPORT_SCHEMA}"
        )));
    };
    match object.get("schema_version") {
        None => {
            return Err(Failure::usage(format!(
                "{file}: not a query-guard report: it has no \"schema_version\" (this query-guard \
                 reads report schema version {REPORT_SCHEMA})"
            )));
        }
        Some(v) if v.as_u64() != Some(u64::from(REPORT_SCHEMA)) => {
            return Err(Failure::usage(format!(
                "{file}: report schema version {v}, but this query-guard reads version \
                 {REPORT_SCHEMA}: use the query-guard command of the same release as the library \
                 that wrote the report"
            )));
        }
        Some(_) => {}
    }
    // Without the statement lists: the aggregate needs the counts, findings and shapes only,
    // and a suite's reports then take memory by their findings, not by their statements.
    Report::from_json_without_statements(bytes).map_err(|e| {
        Failure::usage(format!(
            "{file}: line {}, column {}: not a valid query-guard report (schema version \
             {REPORT_SCHEMA}): {}",
            e.line(),
            e.column(),
            bare_message(&e)
        ))
    })
}

/// What a report file says of its run, read before the whole report: only the latest run's
/// files are read in full, and a broken file of an older run does not stop the command.
#[derive(serde::Deserialize)]
struct Header {
    schema_version: Option<u64>,
    run_id: Option<String>,
    finished_unix_ms: Option<u64>,
}

/// Reads the reports to aggregate: the latest run's (every run's with `all_runs`).
fn read_reports(dir: &Path, all_runs: bool) -> Result<(Vec<Report>, Selection), Failure> {
    struct Seen {
        path: PathBuf,
        header: Option<(String, u64)>,
        modified: Option<std::time::SystemTime>,
    }
    let mut seen = Vec::new();
    for path in report_files(dir)? {
        let bytes = std::fs::read(&path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        let header = serde_json::from_slice::<Header>(&bytes)
            .ok()
            .filter(|h| h.schema_version == Some(u64::from(REPORT_SCHEMA)))
            .and_then(|h| Some((h.run_id?, h.finished_unix_ms?)));
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        seen.push(Seen {
            path,
            header,
            modified,
        });
    }
    let latest = seen
        .iter()
        .filter_map(|s| s.header.as_ref())
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)))
        .map(|(run, _)| run.clone());
    // The latest run started no later than its first report finished: a file last written
    // before that belongs to an older run.
    let run_start = seen
        .iter()
        .filter_map(|s| s.header.as_ref())
        .filter(|h| Some(&h.0) == latest.as_ref())
        .map(|h| h.1)
        .min()
        .unwrap_or(0);
    let total = seen.len();
    let run_count = seen
        .iter()
        .filter_map(|s| s.header.as_ref().map(|h| h.0.as_str()))
        .collect::<std::collections::HashSet<&str>>()
        .len();
    let mut reports = Vec::new();
    for s in seen {
        let shown = s.path.display().to_string();
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {shown}: {e}")))
        };
        match &s.header {
            Some((run, _)) if !all_runs && Some(run) != latest.as_ref() => {}
            Some(_) => reports.push(parse_report(&shown, &read(&s.path)?)?),
            None => {
                let older = !all_runs
                    && s.modified
                        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                        // File times run on a coarse clock: a margin of seconds.
                        .is_some_and(|m| m.as_millis() + 2_000 < u128::from(run_start));
                if !older {
                    // Says exactly what is wrong with it.
                    parse_report(&shown, &read(&s.path)?)?;
                }
                eprintln!(
                    "query-guard: skipping {shown}: not a readable report of schema version \
                     {REPORT_SCHEMA}, written before the latest run"
                );
            }
        }
    }
    let (reports, mut selection) = select(dir, reports, all_runs);
    selection.files = total;
    selection.left_out = total - selection.reports;
    selection.left_out_runs = run_count.saturating_sub(selection.run_ids.len());
    Ok((reports, selection))
}

/// The reports to aggregate and what was left out.
fn select(dir: &Path, all: Vec<Report>, all_runs: bool) -> (Vec<Report>, Selection) {
    let files = all.len();
    // The latest finish of each run.
    let mut runs: HashMap<&str, u64> = HashMap::new();
    for r in &all {
        let last = runs.entry(r.run_id()).or_insert(0);
        *last = (*last).max(r.finished_unix_ms());
    }
    let mut run_ids: Vec<(&str, u64)> = runs.into_iter().collect();
    run_ids.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(a.0)));
    let latest = run_ids.first().map(|r| r.0.to_owned()).unwrap_or_default();
    let run_ids: Vec<String> = run_ids.into_iter().map(|r| r.0.to_owned()).collect();
    let all_runs_count = run_ids.len();
    let (included, run_ids): (Vec<Report>, Vec<String>) = if all_runs {
        (all, run_ids)
    } else {
        let kept = all.into_iter().filter(|r| r.run_id() == latest).collect();
        (kept, vec![latest.clone()])
    };
    let left_out = files - included.len();
    let left_out_runs = all_runs_count - run_ids.len();
    let selection = Selection {
        dir: dir.display().to_string(),
        files,
        latest_run_id: latest,
        all_runs,
        run_ids,
        reports: included.len(),
        left_out,
        left_out_runs,
    };
    (included, selection)
}

/// What `fuzz/fuzz_targets/report.rs` checks on any input: a report file is read, or refused
/// with exit code 2 and a message that names the file (and, for a file that is JSON but not a
/// valid report, the line and column); what is read has finite, non-negative times no larger
/// than [`input::MAX_MS`]; two copies of it aggregate (counts saturate) to finite, non-negative
/// figures, and render in every format. Panics when one fails.
pub(crate) fn fuzz_check(data: &[u8]) {
    let report = match parse_report("fuzz.json", data) {
        Ok(r) => r,
        Err(f) => {
            assert_eq!(f.code, 2, "{}", f.message);
            assert!(f.message.starts_with("fuzz.json: "), "{}", f.message);
            return;
        }
    };
    let time = |v: f64| assert!(v.is_finite() && (0.0..=input::MAX_MS).contains(&v), "{v}");
    time(ms(report.db_time()));
    report.n_plus_one().iter().for_each(|f| time(ms(f.total)));
    report.duplicates().iter().for_each(|d| time(ms(d.total)));
    for s in report.slow() {
        for v in [s.threshold, s.stats.p95, s.stats.p99, s.stats.max] {
            time(ms(v));
        }
    }
    for s in report.fingerprints() {
        time(ms(s.time.total));
        time(ms(s.time.max));
    }
    let (reports, selection) = select(Path::new("d"), vec![report.clone(), report], false);
    let a = aggregate::aggregate(&reports, selection, 3);
    let figure = |v: f64| assert!(v.is_finite() && v >= 0.0, "{v}");
    a.n_plus_one.iter().for_each(|f| figure(f.total_ms));
    a.duplicates.iter().for_each(|d| figure(d.total_ms));
    for s in &a.slow {
        for v in [s.threshold_ms, s.max_ms, s.p95_ms, s.p99_ms] {
            figure(v);
        }
    }
    for s in a
        .worst_scopes
        .by_statements
        .iter()
        .chain(&a.worst_scopes.by_db_time)
    {
        figure(s.db_ms);
    }
    for s in &a.fingerprints.top {
        figure(s.total_ms);
        figure(s.max_ms);
    }
    let _ = render::text(&a);
    let _ = render::markdown(&a);
    serde_json::to_string(&a).expect("the aggregate serialises");
}

/// Runs the subcommand.
pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    let dir = args.dir.clone().unwrap_or_else(default_dir);
    let (reports, selection) = read_reports(&dir, args.all_runs)?;
    let top = usize::try_from(args.top).unwrap_or(usize::MAX);
    let mut aggregate = aggregate::aggregate(&reports, selection, top);

    let mut rules: Vec<Rule> = Vec::new();
    for &rule in &args.fail_on {
        let each: &[Rule] = if rule == Rule::All {
            &Rule::EACH
        } else {
            std::slice::from_ref(&rule)
        };
        for &r in each {
            if !rules.contains(&r) {
                rules.push(r);
            }
        }
    }
    rules.sort();
    let failed: Vec<(Rule, String)> = rules
        .iter()
        .filter_map(|&r| r.found(&aggregate).map(|what| (r, what)))
        .collect();
    aggregate.fail_on.rules = rules.iter().map(|r| r.name().to_owned()).collect();
    aggregate.fail_on.failed = failed.iter().map(|(r, _)| r.name().to_owned()).collect();

    let output = match args.format {
        Format::Text => render::text(&aggregate),
        Format::Markdown => render::markdown(&aggregate),
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&aggregate).map_err(|e| Failure {
                code: 1,
                message: format!("cannot write the JSON output: {e}"),
            })?;
            json.push('\n');
            json
        }
    };
    write_output(&output)?;

    if failed.is_empty() {
        return Ok(());
    }
    let found: Vec<String> = failed.into_iter().map(|(_, what)| what).collect();
    Err(Failure {
        code: 1,
        message: format!(
            "failing (--fail-on {}): found {}",
            aggregate.fail_on.rules.join(","),
            found.join(", ")
        ),
    })
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
fn write_output(text: &str) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // The report goes on to its --fail-on exit code.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        written => written.map_err(Failure::write),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_schema_the_library_writes() {
        assert_eq!(REPORT_SCHEMA, query_guard::report::REPORT_SCHEMA_VERSION);
    }

    /// Issue 11, item 8: times a report file cannot hold are refused, naming the file, the line
    /// and the column.
    #[test]
    fn impossible_times_are_refused() {
        let head = r#"{"schema_version": 2, "run_id": "r", "finished_unix_ms": 1, "scope": "s","#;
        // serde_json places the error just after the value.
        for (field, line, column) in [
            ("\n\"db_ms\": -5}", 2, 12),
            ("\n\"db_ms\": 1e308}", 2, 15),
            ("\n\"db_ms\": 1000000000000001}", 2, 26),
            (
                "\n\"slow\": [{\"fingerprint\": \"f\", \"normalized\": \"\", \"count\": 1,\n \"threshold_ms\": -1}]}",
                3,
                20,
            ),
            (
                "\"fingerprints\": [{\"fingerprint\": \"f\", \"normalized\": \"\", \"kind\": \"select\",\n \"class\": \"read\", \"count\": 1,\n \"total_ms\": 1, \"max_ms\": -0.5}]}",
                3,
                31,
            ),
        ] {
            let text = format!("{head}{field}");
            let e = parse_report("f.json", text.as_bytes()).unwrap_err();
            assert_eq!(e.code, 2);
            let want =
                format!("f.json: line {line}, column {column}: not a valid query-guard report");
            assert!(e.message.starts_with(&want), "{text}\n{}", e.message);
            assert!(
                e.message.contains("expected milliseconds from 0 to 1e15"),
                "{}",
                e.message
            );
        }
        // Negative and fractional counts are refused by their type.
        for field in [
            r#""counts": {"counted": -1}}"#,
            r#""counts": {"counted": 1.5}}"#,
        ] {
            let e = parse_report("f.json", format!("{head}{field}").as_bytes()).unwrap_err();
            assert!(
                e.message.starts_with("f.json: line 1, column "),
                "{}",
                e.message
            );
        }
        // Zero, `-0` and the largest time read.
        let r = parse_report("f.json", format!(r#"{head}"db_ms": -0.0, "duplicates": [{{"fingerprint": "f", "normalized": "", "count": 2, "total_ms": 1e15}}]}}"#).as_bytes()).unwrap();
        assert!(ms(r.db_time()) == 0.0 && ms(r.db_time()).is_sign_positive());
        assert_eq!(ms(r.duplicates()[0].total), 1e15);
    }

    #[test]
    fn bad_input_never_panics() {
        let inputs: [&[u8]; 12] = [
            b"",
            b"\xff\xfe",
            b"[]",
            b"null",
            b"{}",
            br#"{"schema_version": "2"}"#,
            br#"{"schema_version": 2}"#,
            br#"{"schema_version": 2, "run_id": 1, "finished_unix_ms": 1, "scope": "s"}"#,
            br#"{"schema_version": 2, "run_id": "r", "finished_unix_ms": -1, "scope": "s"}"#,
            br#"{"schema_version": 2, "run_id": "r", "finished_unix_ms": 1, "scope": "s",
                "n_plus_one": [{"kind": "x"}]}"#,
            br#"{"schema_version": 1e400}"#,
            br#"{"schema_version": 2, "run_id": "r", "finished_unix_ms": 1, "scope": "s",
                "db_ms": 1e308, "fingerprints": [{"fingerprint": "f", "normalized": "",
                "count": 18446744073709551615, "total_ms": 1e308}]}"#,
        ];
        for input in inputs {
            let result = parse_report("f.json", input);
            if let Ok(r) = result {
                let dir = Path::new("d");
                let (reports, sel) = select(dir, vec![r.clone(), r], false);
                let a = aggregate::aggregate(&reports, sel, 3);
                let _ = render::text(&a);
                let _ = render::markdown(&a);
                let _ = serde_json::to_string(&a);
            } else if let Err(f) = result {
                assert_eq!(f.code, 2);
                assert!(f.message.starts_with("f.json: "), "{}", f.message);
            }
        }
    }
}
