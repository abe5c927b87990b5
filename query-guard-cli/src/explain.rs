//! `query-guard explain`: a plan (file, standard input, or run on a live database) to a report
//! of what each node cost and what is wrong with it, and a CI gate (`--fail-on`).
//!
//! Reading, figures, rules and rendering are query-guard-explain's; this module
//! reads the input, runs `explain_analyze` for `--database-url`, and turns `--fail-on` into an
//! exit code.

use std::io::Write;
use std::time::Duration;

use clap::ValueEnum;
use query_guard_explain::{
    self as explain, ExplainError, ExplainOptions, Explained, OutputFormat as LibFormat,
    RenderOptions, Severity, explain_analyze_with, rules,
};

use crate::failure::Failure;
use crate::redact::redact;

pub(crate) const LONG_ABOUT: &str = "\
Report what each node of a query plan cost and what is wrong with it, with the fix.

Reads, detected automatically:
  PostgreSQL  EXPLAIN (ANALYZE, BUFFERS) in text or FORMAT JSON, with or without VERBOSE,
              SETTINGS, WAL, COSTS, TIMING; PostgreSQL 12 to 18; as psql prints it (header,
              `(N rows)` footer, `+` marks, wrapped lines) or pasted from anywhere
  SQLite      EXPLAIN QUERY PLAN: the sqlite3 shell's tree or the id|parent|notused|detail rows
or runs it: --database-url with --sql or --sql-file.

Live EXPLAIN changes nothing and never hangs:
  - exactly one statement: the SQL is split by the database's own lexical rules and refused
    if it holds a second statement (or an unterminated string or comment), before anything is
    sent; statements EXPLAIN cannot run (TRUNCATE, DROP, VACUUM, CALL, DO, CREATE, PRAGMA, ...)
    are refused the same way
  - PostgreSQL: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) executes the statement, in a READ ONLY
    transaction that is rolled back; INSERT, UPDATE, DELETE and MERGE need --allow-writes (then
    read-write, still rolled back; sequences still advance); functions whose effect a rollback
    cannot undo (pg_terminate_backend, pg_reload_conf, dblink, ...) are refused; the connection
    is closed afterwards, its advisory locks released
  - SQLite: EXPLAIN QUERY PLAN plans the statement without running it, on a database opened
    read-only (unless the URL says mode=rw)
  - --timeout (default 30s) bounds connecting and the statement (PostgreSQL statement_timeout);
    --lock-timeout (default 5s) bounds waiting for a lock (PostgreSQL lock_timeout, SQLite busy
    timeout); the command gives up on its own 5 s after --timeout. A limit that fires exits
    with 2 and says which one.

Conditions are printed with literal values masked (`?`) unless --show-values is given; so are
the values database errors quote.

Exit codes: 0 report written and no --fail-on rule fired; 1 a --fail-on rule fired (or the
output could not be written); 2 bad usage, unreadable input, a refused statement, a timeout, or
the database refused the EXPLAIN.

Examples:
  psql -XAtc 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT …' | query-guard explain -
  query-guard explain plan.json --format markdown
  query-guard explain --database-url postgres://app@localhost/app --sql-file slow.sql --fail-on high
  query-guard explain --database-url postgres://app@localhost/app --sql 'DELETE FROM jobs WHERE done' --allow-writes --timeout 10s
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
    /// With --database-url: the longest the statement may run (PostgreSQL statement_timeout),
    /// and connecting may take: 30s, 1.5s, 500ms, 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, requires = "database_url")]
    timeout: Duration,
    /// With --database-url: the longest the statement may wait for a lock another session
    /// holds (PostgreSQL lock_timeout, SQLite busy timeout).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration, requires = "database_url")]
    lock_timeout: Duration,
    /// With --database-url on PostgreSQL: let EXPLAIN ANALYZE execute INSERT, UPDATE, DELETE
    /// and MERGE, in a transaction that is rolled back (sequences still advance).
    #[arg(long, requires = "database_url")]
    allow_writes: bool,
}

/// A duration: a number with `ms`, `s`, `m` or `h` (seconds when bare), more than 0 and at
/// most 24 hours.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit.trim() {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err("expected a duration such as 30s, 1.5s, 500ms or 2m".to_owned()),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| "expected a duration such as 30s, 1.5s, 500ms or 2m".to_owned())?;
    let seconds = value * scale;
    if seconds < 0.001 {
        return Err("must be at least 1ms (0 would mean no limit)".to_owned());
    }
    if seconds > 86_400.0 {
        return Err("must be at most 24h".to_owned());
    }
    Ok(Duration::from_secs_f64(seconds))
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

/// What `live` needs from the arguments.
struct Live<'a> {
    url: &'a str,
    sql: &'a str,
    /// Where the SQL came from: `--sql` or the --sql-file path (errors name lines in it).
    sql_name: &'a str,
    show_values: bool,
    options: ExplainOptions,
    timeout: Duration,
    lock_timeout: Duration,
}

/// Connecting, the EXPLAIN and closing: each bounded, and all of it bounded once more here, so
/// a database that never answers cannot hang the command.
fn live(args: &Live<'_>) -> Result<Explained, Failure> {
    let shown = redact(args.url);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the async runtime: {e}")))?;
    let limit = args.timeout * 2 + args.lock_timeout + Duration::from_secs(15);
    let result = rt.block_on(async {
        match tokio::time::timeout(limit, explain_live(args, &shown)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::usage(format!(
                "{shown}: no answer within {} (twice --timeout, plus --lock-timeout and 15 s): gave up",
                query_guard_format::seconds(limit)
            ))),
        }
    });
    // Nothing left running may keep the command from exiting.
    rt.shutdown_background();
    result
}

async fn explain_live(args: &Live<'_>, shown: &str) -> Result<Explained, Failure> {
    let url = args.url;
    let refused = |e: ExplainError| match e {
        // The database's message as it is: it may quote a value of the statement.
        ExplainError::Database(db) if args.show_values => Failure::usage(format!(
            "{shown}: the database refused the EXPLAIN: {}",
            db.display_with_values()
        )),
        e @ ExplainError::Sql(_) => Failure::usage(format!("{}: {e}", args.sql_name)),
        e => Failure::usage(format!("{shown}: {e}")),
    };
    let connect_failed = |e: sqlx::Error| match e {
        sqlx::Error::PoolTimedOut => Failure::usage(format!(
            "cannot connect to {shown}: no connection within {} (--timeout)",
            query_guard_format::seconds(args.timeout)
        )),
        sqlx::Error::Database(db) => {
            Failure::usage(format!("cannot connect to {shown}: {}", db.message()))
        }
        e => Failure::usage(format!("cannot connect to {shown}: {e}")),
    };
    let close_limit = Duration::from_secs(5);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(args.timeout)
            .connect(url)
            .await
            .map_err(connect_failed)?;
        let result = explain_analyze_with(&pool, args.sql, &args.options)
            .await
            .map_err(refused);
        let _ = tokio::time::timeout(close_limit, pool.close()).await;
        result
    } else if url.starts_with("sqlite:") {
        let mut options: sqlx::sqlite::SqliteConnectOptions = url
            .parse()
            .map_err(|e| Failure::usage(format!("--database-url {shown}: {e}")))?;
        // Read-only unless the URL names a mode; never create a database file by mistake (an
        // EXPLAIN of an empty one says nothing).
        if !names_a_mode(url) {
            options = options.read_only(true);
        }
        let options = options
            .create_if_missing(false)
            .busy_timeout(args.lock_timeout);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(args.timeout)
            .connect_with(options)
            .await
            .map_err(|e| match e {
                sqlx::Error::PoolTimedOut => connect_failed(e),
                e => Failure::usage(format!("cannot open {shown}: {e}")),
            })?;
        let result = explain_analyze_with(&pool, args.sql, &args.options)
            .await
            .map_err(refused);
        let _ = tokio::time::timeout(close_limit, pool.close()).await;
        result
    } else {
        Err(Failure::usage(format!(
            "--database-url {shown}: expected postgres://… (or postgresql://…) or sqlite:…"
        )))
    }
}

/// Whether a `sqlite:` URL sets `mode=` (ro, rw, rwc, memory) itself.
fn names_a_mode(url: &str) -> bool {
    url.split_once('?').is_some_and(|(_, query)| {
        query
            .split('&')
            .any(|pair| pair.split('=').next() == Some("mode"))
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
            let (name, text) = crate::read::read_text(path, "a plan as text or JSON")?;
            let plan = explain::parse(&text).map_err(|e| Failure::usage(format!("{name}: {e}")))?;
            (name, Explained::new(plan, sql.as_deref()))
        }
        (None, Some(url)) => {
            let live_args = Live {
                url,
                sql: sql.as_deref().unwrap_or_default(),
                sql_name: args.sql_file.as_deref().unwrap_or("--sql"),
                show_values: args.show_values,
                options: ExplainOptions::new()
                    .timeout(args.timeout)
                    .lock_timeout(args.lock_timeout)
                    .allow_writes(args.allow_writes),
                timeout: args.timeout,
                lock_timeout: args.lock_timeout,
            };
            (redact(url), live(&live_args)?)
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
