//! `query-guard explain`: a plan (file, standard input, or run on a live database) to a report
//! of what each node cost and what is wrong with it, and a CI gate (`--fail-on`).
//!
//! Reading, figures, rules and rendering are the library's (`query_guard::explain`); this module
//! reads the input, runs `explain_analyze` for `--database-url`, and turns `--fail-on` into an
//! exit code.

use std::io::Write;

use clap::ValueEnum;
use query_guard::explain::{
    self, Explained, OutputFormat as LibFormat, RenderOptions, Severity, explain_analyze, rules,
};

use crate::Failure;
use crate::analyze::redact;

pub(crate) const LONG_ABOUT: &str = "\
Report what each node of a query plan cost and what is wrong with it, with the fix.

Reads, detected automatically:
  PostgreSQL  EXPLAIN (ANALYZE, BUFFERS) in text or FORMAT JSON, with or without VERBOSE,
              SETTINGS, WAL, COSTS, TIMING; PostgreSQL 12 to 18; as psql prints it (header,
              `(N rows)` footer, `+` marks, wrapped lines) or pasted from anywhere
  SQLite      EXPLAIN QUERY PLAN: the sqlite3 shell's tree or the id|parent|notused|detail rows
or runs it: --database-url with --sql or --sql-file runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
on PostgreSQL (postgres://…) or EXPLAIN QUERY PLAN on SQLite (sqlite:…), inside a transaction
that is rolled back, so an UPDATE or DELETE changes nothing.

Conditions are printed with literal values masked (`?`) unless --show-values is given.

Exit codes: 0 report written and no --fail-on rule fired; 1 a --fail-on rule fired (or the
output could not be written); 2 bad usage, unreadable input, or the database refused the EXPLAIN.

Examples:
  psql -XAtc 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT …' | query-guard explain -
  query-guard explain plan.json --format markdown
  query-guard explain --database-url postgres://app@localhost/app --sql-file slow.sql --fail-on high
  query-guard explain --database-url sqlite:app.db --sql 'SELECT * FROM users WHERE email = ?'";

/// Arguments of `query-guard explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A plan file, or `-` for standard input (not with --database-url).
    #[arg(value_name = "FILE")]
    input: Option<String>,
    /// Run the EXPLAIN on this database: postgres://user@host/db or sqlite:path.db.
    #[arg(long, value_name = "URL", requires = "statement")]
    database_url: Option<String>,
    /// The statement to explain (with --database-url; with a FILE, it names filtered columns
    /// for SQLite rules).
    #[arg(long, value_name = "SQL", group = "statement")]
    sql: Option<String>,
    /// A file holding the statement to explain.
    #[arg(long, value_name = "FILE", group = "statement")]
    sql_file: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Exit with 1 when a finding matches: a severity (`low`, `medium`, `high`: that or
    /// worse), a rule id (`seq-scan-filter`, …), or `any`; comma-separated.
    #[arg(long, value_name = "RULES")]
    fail_on: Vec<String>,
    /// Print literal values in conditions (they can be secrets: off by default).
    #[arg(long)]
    show_values: bool,
    /// Print every node of large plans (by default, past 200 nodes only those that matter).
    #[arg(long)]
    all_nodes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// The plan tree with exclusive-time bars, then the findings.
    Text,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// JSON (schema in docs/explain-schema.md).
    Json,
}

/// One `--fail-on` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FailOn {
    Any,
    Severity(Severity),
    Rule(&'static str),
}

fn parse_fail_on(values: &[String]) -> Result<Vec<FailOn>, Failure> {
    let mut out = Vec::new();
    for item in values.iter().flat_map(|v| v.split(',')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let rule = if item.eq_ignore_ascii_case("any") || item.eq_ignore_ascii_case("all") {
            FailOn::Any
        } else if let Ok(s) = item.parse::<Severity>() {
            FailOn::Severity(s)
        } else if let Some(r) = rules::by_id(&item.to_ascii_lowercase()) {
            FailOn::Rule(r.id)
        } else {
            return Err(Failure::usage(format!(
                "--fail-on {item}: expected `any`, a severity (low, medium, high) or a rule id ({})",
                rules::ALL
                    .iter()
                    .map(|r| r.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        out.push(rule);
    }
    Ok(out)
}

fn live(url: &str, sql: &str, show_values: bool) -> Result<Explained, Failure> {
    let shown = redact(url);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    let refused = |e: explain::ExplainError| match e {
        // The database's message as it is: it may quote a value of the statement.
        explain::ExplainError::Database(db) if show_values => {
            Failure::usage(format!("{shown}: the database refused the EXPLAIN: {db}"))
        }
        e => Failure::usage(format!("{shown}: {e}")),
    };
    rt.block_on(async {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .map_err(|e| Failure::usage(format!("cannot connect to {shown}: {e}")))?;
            let result = explain_analyze(&pool, sql).await.map_err(refused);
            pool.close().await;
            result
        } else if url.starts_with("sqlite:") {
            let options: sqlx::sqlite::SqliteConnectOptions = url
                .parse()
                .map_err(|e| Failure::usage(format!("--database-url {shown}: {e}")))?;
            // Never create a database file by mistake: an EXPLAIN of an empty one says nothing.
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(options.create_if_missing(false))
                .await
                .map_err(|e| Failure::usage(format!("cannot open {shown}: {e}")))?;
            let result = explain_analyze(&pool, sql).await.map_err(refused);
            pool.close().await;
            result
        } else {
            Err(Failure::usage(format!(
                "--database-url {shown}: expected postgres://… (or postgresql://…) or sqlite:…"
            )))
        }
    })
}

/// Run the subcommand.
pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    let fail_on = parse_fail_on(&args.fail_on)?;
    let sql = match (&args.sql, &args.sql_file) {
        (Some(s), _) => Some(s.clone()),
        (None, Some(f)) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| Failure::usage(format!("cannot read --sql-file {f}: {e}")))?,
        ),
        (None, None) => None,
    };
    if sql.as_deref().is_some_and(|s| s.trim().is_empty()) {
        return Err(Failure::usage("the statement to explain is empty"));
    }
    let (source, explained) = match (&args.input, &args.database_url) {
        (Some(_), Some(_)) => {
            return Err(Failure::usage(
                "give either a plan FILE (or `-`) or --database-url, not both",
            ));
        }
        (None, None) => {
            return Err(Failure::usage(
                "no plan given; expected a plan FILE, `-` for standard input, or --database-url \
                 with --sql/--sql-file",
            ));
        }
        (Some(path), None) => {
            let (name, text) = crate::read_text(path, "a plan as text or JSON")?;
            let plan = explain::parse(&text).map_err(|e| Failure::usage(format!("{name}: {e}")))?;
            (name, Explained::new(plan, sql.as_deref()))
        }
        (None, Some(url)) => {
            let sql = sql.as_deref().unwrap_or_default();
            (redact(url), live(url, sql, args.show_values)?)
        }
    };
    let options = RenderOptions {
        format: match args.format {
            OutputFormat::Text => LibFormat::Text,
            OutputFormat::Markdown => LibFormat::Markdown,
            OutputFormat::Json => LibFormat::Json,
        },
        show_values: args.show_values,
        max_nodes: if args.all_nodes { usize::MAX } else { 200 },
        source: Some(source),
    };
    let text = explained.render(&options);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes()).map_err(Failure::write)?;
    out.flush().map_err(Failure::write)?;
    let fired: Vec<String> = explained
        .findings
        .iter()
        .filter(|f| {
            fail_on.iter().any(|r| match r {
                FailOn::Any => true,
                FailOn::Severity(s) => f.severity >= *s,
                FailOn::Rule(id) => f.rule == *id,
            })
        })
        .map(|f| format!("{} ({})", f.rule, f.severity))
        .collect();
    if !fired.is_empty() {
        return Err(Failure {
            code: 1,
            message: format!("--fail-on: {} fired", fired.join(", ")),
        });
    }
    Ok(())
}
