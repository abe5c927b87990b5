//! Reading a dump: from a file or standard input, in whichever format it is, detected from its
//! first lines.
//!
//! | format | how to make it | recognised by |
//! |---|---|---|
//! | `csv` | `\copy (SELECT * FROM pg_stat_statements) TO 'f.csv' CSV HEADER` | anything else whose first line has a comma |
//! | `json` | `psql -Atc 'SELECT json_agg(s) FROM pg_stat_statements s'` (an array), or `… row_to_json(s) …` (JSON lines) | first character `[` or `{` |
//! | `aligned` | `psql -c 'SELECT * FROM pg_stat_statements'` | a header line with `|`, then a line of `-` and `+` |
//! | `expanded` | `psql -x -c 'SELECT * FROM pg_stat_statements'` (or `\x`) | a `-[ RECORD 1 ]` line |

use super::columns::{Builder, ColumnSet, Entry};
use super::{csv, json, psql};
use crate::failure::Failure;

/// The formats a dump can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Json,
    Aligned,
    Expanded,
    /// Read from the server (`--database-url`).
    Live,
}

impl Format {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Aligned => "psql-aligned",
            Format::Expanded => "psql-expanded",
            Format::Live => "live",
        }
    }
}

/// A parsed snapshot of pg_stat_statements.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// File name, `standard input`, or the URL without its password.
    pub(crate) name: String,
    pub(crate) format: Format,
    pub(crate) columns: ColumnSet,
    pub(crate) entries: Vec<Entry>,
    /// What only a live server can say.
    pub(crate) server: Option<ServerInfo>,
}

/// Settings and `pg_stat_statements_info`, read from a live server.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ServerInfo {
    pub(crate) max: Option<u64>,
    pub(crate) dealloc: Option<u64>,
    pub(crate) stats_reset: Option<String>,
    pub(crate) track_io_timing: Option<String>,
    pub(crate) track_planning: Option<String>,
    pub(crate) track: Option<String>,
    pub(crate) server_version: Option<String>,
}

/// Read `path` (`-`: standard input) and parse it.
pub(crate) fn read(path: &str) -> Result<Snapshot, Failure> {
    let (name, text) = crate::read::read_text(
        path,
        "a text dump (psql and COPY write UTF-8 when client_encoding is UTF8)",
    )?;
    parse(&name, &text)
}

/// Parse a dump held in memory.
pub(crate) fn parse(name: &str, text: &str) -> Result<Snapshot, Failure> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let format = detect(name, text)?;
    let mut b = Builder::new(name);
    match format {
        Format::Csv => csv::parse(text, &mut b)?,
        Format::Json => json::parse(text, &mut b)?,
        Format::Aligned => psql::parse_aligned(text, &mut b)?,
        Format::Expanded => psql::parse_expanded(text, &mut b)?,
        Format::Live => unreachable!("detect never answers Live"),
    }
    if b.entries.is_empty() && b.width() == 0 {
        return Err(Failure::usage(format!(
            "{name}: no header found; expected a pg_stat_statements dump with its column names"
        )));
    }
    Ok(Snapshot {
        name: name.to_owned(),
        format,
        columns: b.columns,
        entries: b.entries,
        server: None,
    })
}

/// Tell the format from the first meaningful lines.
pub(crate) fn detect(name: &str, text: &str) -> Result<Format, Failure> {
    let mut lines = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        // psql's notices printed before the table.
        .filter(|l| {
            let t = l.trim();
            !(t.starts_with("Expanded display is") || t.starts_with("Timing is"))
        });
    let Some(first) = lines.next() else {
        return Err(Failure::usage(format!(
            "{name} is empty; expected a pg_stat_statements dump (CSV with a header, JSON, or psql output)"
        )));
    };
    let t = first.trim_start();
    if t.starts_with('[') || t.starts_with('{') {
        return Ok(Format::Json);
    }
    if psql::is_record_header(t) {
        return Ok(Format::Expanded);
    }
    if (first.contains('|') || first.contains('│'))
        && let Some(second) = lines.next()
        && psql::is_rule(second)
    {
        return Ok(Format::Aligned);
    }
    if first.contains(',') {
        return Ok(Format::Csv);
    }
    let mut shown: String = first.chars().take(60).collect();
    if shown.len() < first.len() {
        shown.push('…');
    }
    Err(Failure::usage(format!(
        "{name} line 1: cannot tell the format from {shown:?}; expected CSV with a header, JSON (an array or one object per line), or psql's aligned or expanded (\\x) output"
    )))
}
