//! `query-guard analyze`: pg_stat_statements, from a dump or a live server, to a prioritised
//! report and a CI gate.
//!
//! One idea per module:
//! - `input`: reading files / standard input and telling the format; one parser per format:
//!   `csv`, `json`, `psql` (aligned and expanded);
//! - `columns`: the column model across PostgreSQL 12–18 ([`columns::Entry`]);
//! - `live`: `--database-url`, read-only;
//! - `statements`: rows regrouped by query-guard's fingerprint, with pooled statistics;
//! - `n_plus_one`, `health`, `diff`: findings;
//! - `report`: every section, computed once; `render`: text, Markdown, JSON;
//! - `rules`: `--fail-on`;
//! - `fuzz`: what the fuzz target checks (`fuzz/fuzz_targets/analyze.rs`).

mod columns;
mod csv;
mod diff;
pub(crate) mod fuzz;
mod health;
mod input;
mod json;
mod live;
mod n_plus_one;
mod psql;
mod render;
mod report;
mod rules;
mod statements;

use std::io::{self, Write};

use clap::ValueEnum;

use crate::failure::Failure;
use report::{Options, SortKey};
use rules::Rule;

pub(crate) const LONG_ABOUT: &str = "\
Report what pg_stat_statements says is expensive, N+1-like, spilling, unstable or regressing.

Give one snapshot for a report, or two (BEFORE AFTER) for what happened between them. A snapshot
is a file (or `-` for standard input) in any of these formats, detected automatically:
  CSV     psql -c \"\\copy (SELECT * FROM pg_stat_statements) TO 'f.csv' CSV HEADER\"
  JSON    psql -Atc 'SELECT json_agg(s) FROM pg_stat_statements s' > f.json
          (or one object per line: ... SELECT row_to_json(s) ...)
  psql    psql -c 'SELECT * FROM pg_stat_statements' > f.txt     (aligned)
          psql -xc 'SELECT * FROM pg_stat_statements' > f.txt    (expanded, \\x)
or the server itself with --database-url (read-only: nothing is reset). Columns of PostgreSQL 12
to 18 are matched by name; missing optional columns are fine.

Statements are regrouped by query-guard's fingerprint (IN-list lengths and the like merge) and
shown as normalised text, never with values.

Exit codes: 0 report written and no --fail-on rule fired; 1 a --fail-on rule fired (or the
output could not be written); 2 bad usage or unreadable input.

Examples:
  query-guard analyze pgss.csv
  query-guard analyze --database-url postgres://app@db/app --top 20 --sort mean
  query-guard analyze before.json after.json --fail-on 'regressed,mean>100ms'
  psql -Atc 'SELECT json_agg(s) FROM pg_stat_statements s' | query-guard analyze - --format markdown";

/// Arguments of `query-guard analyze`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Snapshot files: one for a report, BEFORE and AFTER for the window between them; `-` is
    /// standard input. With --database-url, a single file is BEFORE and the server is AFTER.
    #[arg(value_name = "SNAPSHOT", num_args = 0..=2)]
    inputs: Vec<String>,
    /// Read pg_stat_statements from this server (postgres://user[:password]@host[:port]/db),
    /// in a read-only transaction.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Statements per section.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    top: u32,
    /// Order of the main table.
    #[arg(long, value_enum, default_value_t = SortKey::Total)]
    sort: SortKey,
    /// Leave statements with fewer calls out of every ranking and rule (not out of the totals).
    #[arg(long, value_name = "N", default_value_t = 1)]
    min_calls: u64,
    /// Exit with 1 when a rule fires: comma-separated `METRIC>VALUE` (mean, max, total, stddev,
    /// plan, calls, rows, reads, temp, share, hit, cv; also >=, <, <=), `n-plus-one`, `spill`,
    /// `regressed`, `new`. E.g. `mean>100ms,n-plus-one`, `hit<90%`.
    #[arg(long, value_name = "RULES")]
    fail_on: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Aligned text, at most 100 columns wide.
    Text,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// JSON (schema in docs/analyze-schema.md).
    Json,
}

/// Run the subcommand.
pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    let rules = rules::parse(&args.fail_on)?;
    let sources = args.inputs.len() + usize::from(args.database_url.is_some());
    if sources == 0 {
        return Err(Failure::usage(
            "no snapshot given; expected a dump file (or `-` for standard input), two for a diff, or --database-url",
        ));
    }
    if sources > 2 {
        return Err(Failure::usage(
            "too many snapshots; expected one (a report) or two (BEFORE AFTER, or BEFORE and --database-url)",
        ));
    }
    if args.inputs.iter().filter(|i| *i == "-").count() > 1 {
        return Err(Failure::usage("standard input (`-`) can be read only once"));
    }
    if sources == 1
        && let Some(r) = rules
            .iter()
            .find(|r| matches!(r, Rule::Regressed | Rule::New))
    {
        return Err(Failure::usage(format!(
            "--fail-on {}: needs two snapshots (BEFORE AFTER); only one was given",
            r.text()
        )));
    }
    let mut snapshots = Vec::new();
    for path in &args.inputs {
        snapshots.push(input::read(path)?);
    }
    if let Some(url) = &args.database_url {
        snapshots.push(live::read(url)?);
    }
    let options = Options {
        top: args.top as usize,
        sort: args.sort,
        min_calls: args.min_calls as f64,
        rules,
    };
    let after = snapshots.pop().expect("one snapshot at least");
    let before = snapshots.pop();
    let report = report::build(before.as_ref(), &after, options);
    let text = match args.format {
        OutputFormat::Text => render::text::render(&render::sections(&report)),
        OutputFormat::Markdown => render::markdown::render(&render::sections(&report)),
        OutputFormat::Json => render::json::render(&report),
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes()).map_err(Failure::write)?;
    out.flush().map_err(Failure::write)?;
    if !report.fired.is_empty() {
        let all: Vec<String> = report
            .fired
            .iter()
            .map(|f| format!("{} ({} statements)", f.rule, f.statements.len()))
            .collect();
        return Err(Failure {
            code: 1,
            message: format!("--fail-on: {} fired", all.join(", ")),
        });
    }
    Ok(())
}
