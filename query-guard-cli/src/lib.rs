//! `query-guard`: the command-line companion of the query-guard library.
//!
//! This library is the whole command; `src/main.rs` only calls [`main`] (a thin binary, as
//! ripgrep's). It is a library so that the fuzz targets in `fuzz/` can reach the readers, through
//! the hidden `__fuzz` module; it has no other public API and no stability promise.
//!
//! ```text
//! query-guard fingerprint [--dialect D] [--json] [SQL ...]
//! query-guard report [DIR] [--format text|markdown|json] [--top N] [--fail-on RULES] [--all-runs]
//! query-guard analyze SNAPSHOT [SNAPSHOT] | --database-url URL [--format …] [--fail-on RULES]
//! query-guard explain FILE|- | --database-url URL --sql SQL [--format …] [--fail-on RULES]
//! ```
//!
//! Exit codes: 0 success, 1 an I/O error while writing or a `--fail-on` rule found something,
//! 2 bad usage or unreadable input.

#![deny(missing_docs)]

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod analyze;
mod explain;
mod failure;
mod fingerprint;
mod read;
mod redact;
mod report;

#[doc(hidden)]
pub mod __fuzz;

/// The version line: the crate version and the fingerprint rules version (a test keeps the latter
/// equal to `query_guard_fingerprint::RULES_VERSION`).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (fingerprint rules v2)");

/// Catch N+1 queries and query-budget overruns; work with statement fingerprints.
#[derive(Debug, Parser)]
#[command(name = "query-guard", version = VERSION, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the fingerprint and normalised text of SQL statements.
    #[command(long_about = fingerprint::LONG_ABOUT)]
    Fingerprint(fingerprint::Args),
    /// Aggregate a test run's report files: N+1s, budget overruns, slow statements, worst scopes.
    #[command(long_about = report::LONG_ABOUT)]
    Report(report::Args),
    /// Report what pg_stat_statements says is expensive, N+1-like, spilling or regressing.
    #[command(long_about = analyze::LONG_ABOUT)]
    Analyze(analyze::Args),
    /// Report what each node of a query plan cost and what is wrong with it (PostgreSQL, SQLite).
    #[command(long_about = explain::LONG_ABOUT)]
    Explain(explain::Args),
}

/// Runs the command with the process's arguments and returns its exit code (what the
/// `query-guard` binary does).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Usage errors exit with 2, --help and --version with 0.
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Fingerprint(args) => fingerprint::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Analyze(args) => analyze::run(&args),
        Command::Explain(args) => explain::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) if f.code == 0 => ExitCode::SUCCESS,
        Err(f) => {
            let _ = writeln!(std::io::stderr(), "query-guard: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
