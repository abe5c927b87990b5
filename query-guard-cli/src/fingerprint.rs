//! `query-guard fingerprint`: fingerprints for allow-lists and for comparing with logs.

use std::io::{self, BufRead, BufWriter, Write};

use clap::ValueEnum;
use query_guard_fingerprint::{Dialect, RULES_VERSION, STANDARD_KEYS, fingerprint, tags_of};

use crate::failure::Failure;

pub(crate) const LONG_ABOUT: &str = "\
Print the fingerprint and normalised text of SQL statements.

Statements of one shape (same tables, columns and operators; any literals, placeholders, IN-list
lengths, comments, whitespace and keyword case) get one 16-hex-character fingerprint. Use it to
write allow-lists and to match query-guard reports with database logs and pg_stat_statements.

With no SQL argument, or with `-`, statements are read from standard input, one per line (or,
with --null, separated by NUL bytes, for statements that span lines).

No value from the SQL is printed: literals and placeholders become $1, $2, …; so do the values
of SET, PRAGMA and password clauses. With --dialect generic (the default) the database is
unknown: `$1` placeholders rule out MySQL, `?` placeholders and backquotes rule out
PostgreSQL, `::` casts say PostgreSQL, and whatever any remaining database could read as a string (\"double-quoted\" words where a value fits, text after
a backslash or a MySQL `#` comment) is masked; give the dialect to read the SQL exactly.
sqlcommenter tags keep their values only for the keys sqlcommenter defines (action,
controller, db_driver, framework, route, traceparent); --tag KEY keeps more, --show-values all.

Examples:
  query-guard fingerprint \"SELECT * FROM users WHERE id = 42\"
  query-guard fingerprint --dialect mysql --json \"SELECT * FROM \\`users\\` WHERE id IN (?, ?)\"
  psql -At0c 'SELECT query FROM pg_stat_statements' | query-guard fingerprint -0 --dialect postgres";

/// Arguments of `query-guard fingerprint`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// SQL dialect of the statements.
    #[arg(long, short, value_enum, default_value_t = DialectArg::Generic)]
    dialect: DialectArg,
    /// Print one JSON object per statement: fingerprint, normalized, kind, tables, tags, parsed,
    /// rules_version.
    #[arg(long)]
    json: bool,
    /// Statements on standard input are separated by NUL bytes instead of newlines (as printed by
    /// `psql -A -0` or `find -print0`), so one statement may span several lines.
    #[arg(long, short = '0')]
    null: bool,
    /// Keep the values of these sqlcommenter tag keys too (comma-separated or repeated); other
    /// keys than the standard ones print `?`.
    #[arg(long = "tag", value_name = "KEY", value_delimiter = ',')]
    tags: Vec<String>,
    /// Print every sqlcommenter tag value as written (they can be secrets: off by default).
    #[arg(long)]
    show_values: bool,
    /// Statements to fingerprint (quote each one); `-` or none reads standard input, one
    /// statement per line.
    #[arg(value_name = "SQL")]
    sql: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DialectArg {
    /// PostgreSQL.
    #[value(alias = "postgresql", alias = "pg")]
    Postgres,
    /// MySQL and MariaDB.
    #[value(alias = "mariadb")]
    Mysql,
    /// SQLite.
    Sqlite,
    /// Unknown database: accepts $1, ?, :name, "quoted" and `quoted` identifiers.
    Generic,
}

impl From<DialectArg> for Dialect {
    fn from(d: DialectArg) -> Dialect {
        match d {
            DialectArg::Postgres => Dialect::Postgres,
            DialectArg::Mysql => Dialect::MySql,
            DialectArg::Sqlite => Dialect::Sqlite,
            DialectArg::Generic => Dialect::Generic,
        }
    }
}

/// How to print.
struct Options<'a> {
    dialect: Dialect,
    json: bool,
    tags: &'a [String],
    show_values: bool,
}

fn write_one(out: &mut impl Write, sql: &str, options: &Options<'_>) -> io::Result<()> {
    let fp = fingerprint(sql, options.dialect);
    if options.json {
        let pairs = if options.show_values || !options.tags.is_empty() {
            let keep = |k: &str| {
                options.show_values
                    || STANDARD_KEYS.contains(&k)
                    || options.tags.iter().any(|t| t == k)
            };
            tags_of(sql, options.dialect)
                .into_iter()
                .map(|(k, v)| {
                    if keep(&k) {
                        (k, v)
                    } else {
                        (k, "?".to_owned())
                    }
                })
                .collect()
        } else {
            fp.tags.clone()
        };
        let tags: serde_json::Map<String, serde_json::Value> = pairs
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        let value = serde_json::json!({
            "fingerprint": fp.hex(),
            "normalized": fp.normalized,
            "kind": fp.kind.name(),
            "tables": fp.tables,
            "tags": tags,
            "parsed": fp.parsed(),
            "rules_version": RULES_VERSION,
        });
        writeln!(out, "{value}")
    } else {
        writeln!(out, "{fp}")
    }
}

/// Run the subcommand.
pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    let tags: Vec<String> = args
        .tags
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let options = Options {
        dialect: Dialect::from(args.dialect),
        json: args.json,
        tags: &tags,
        show_values: args.show_values,
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let sep = if args.null { b'\0' } else { b'\n' };
    if args.sql.is_empty() {
        return from_stdin(&mut out, &options, sep);
    }
    for sql in &args.sql {
        if sql == "-" {
            from_stdin(&mut out, &options, sep)?;
        } else {
            write_one(&mut out, sql, &options).map_err(Failure::write)?;
        }
    }
    out.flush().map_err(Failure::write)
}

fn from_stdin(out: &mut impl Write, options: &Options<'_>, sep: u8) -> Result<(), Failure> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = input
            .read_until(sep, &mut buf)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let what = if sep == b'\n' { "line" } else { "statement" };
        let line = std::str::from_utf8(&buf).map_err(|_| {
            Failure::usage(format!(
                "standard input {what} {line_no} is not valid UTF-8"
            ))
        })?;
        let sql = line.trim_matches(|c: char| c.is_whitespace() || c == '\0');
        if sql.is_empty() {
            continue;
        }
        write_one(out, sql, options).map_err(Failure::write)?;
    }
    out.flush().map_err(Failure::write)
}
