//! Health notes: what makes the numbers themselves incomplete or misleading.
//!
//! | code | when |
//! |---|---|
//! | `near-max` | the entries are ≥ 90% of `pg_stat_statements.max` (live), or between 4,500 and 5,000 in a dump (the default max is 5,000): rarely-run statements are being evicted and their history lost |
//! | `dealloc` | `pg_stat_statements_info.dealloc` > 0 (live): entries were evicted since the last reset |
//! | `io-timing-off` | the I/O time columns are all zero while blocks were read: `track_io_timing` is off |
//! | `planning-off` | the planning columns are all zero while statements ran: `pg_stat_statements.track_planning` is off |
//! | `nested` | rows with `toplevel = false` (`pg_stat_statements.track = all`): their time is also in their caller's; shares count top-level rows only |
//! | `jit` | JIT compilation took more than 10% of a statement's execution time (and over 100 ms in all) |
//! | `stats-since` | rows started counting at different times (PostgreSQL 17 `stats_since`): their totals cover different windows |
//! | `insufficient-privilege` | texts hidden as `<insufficient privilege>`: grant `pg_read_all_stats` to the role that reads them |

use super::columns::{ColumnSet, Entry, N};
use super::input::ServerInfo;
use super::statements::Statement;

/// One note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

/// The default `pg_stat_statements.max`.
const DEFAULT_MAX: usize = 5000;

/// Notes about a snapshot.
pub(crate) fn notes(
    entries: &[Entry],
    columns: &ColumnSet,
    server: Option<&ServerInfo>,
    statements: &[Statement],
) -> Vec<Note> {
    let mut out = Vec::new();
    let n = entries.len();
    match server.and_then(|s| s.max) {
        Some(max) if max > 0 && n as f64 >= 0.9 * max as f64 => out.push(Note {
            code: "near-max",
            message: format!(
                "{n} entries, pg_stat_statements.max = {max}: the least-executed statements are being evicted and their history lost; raise pg_stat_statements.max (restart needed)"
            ),
        }),
        None if (DEFAULT_MAX * 9 / 10..=DEFAULT_MAX).contains(&n) => out.push(Note {
            code: "near-max",
            message: format!(
                "{n} entries: close to the default pg_stat_statements.max (5000); if that is the setting, statements are being evicted and their history lost"
            ),
        }),
        _ => {}
    }
    if let Some(d) = server.and_then(|s| s.dealloc).filter(|&d| d > 0) {
        let since = server
            .and_then(|s| s.stats_reset.as_deref())
            .map(|r| format!(" since {r}"))
            .unwrap_or_default();
        out.push(Note {
            code: "dealloc",
            message: format!(
                "pg_stat_statements evicted entries {d} times{since} (pg_stat_statements_info.dealloc): the report misses statements and understates others"
            ),
        });
    }
    let read: f64 = entries.iter().map(|e| e.get(N::SharedBlksRead)).sum();
    let has_io_cols = columns.has("shared_blk_read_time");
    let io_zero = entries
        .iter()
        .all(|e| e.get(N::SharedBlkReadTime) == 0.0 && e.get(N::SharedBlkWriteTime) == 0.0);
    let setting_off = server
        .and_then(|s| s.track_io_timing.as_deref())
        .is_some_and(|v| v == "off");
    if (has_io_cols && io_zero && read > 0.0) || setting_off {
        out.push(Note {
            code: "io-timing-off",
            message: format!(
                "I/O times are all zero{}: track_io_timing is off, so time spent reading blocks is not known; turn it on (`ALTER SYSTEM SET track_io_timing = on; SELECT pg_reload_conf();`)",
                if read > 0.0 {
                    format!(
                        " although {} shared blocks were read",
                        query_guard_format::count_scaled(read)
                    )
                } else {
                    String::new()
                }
            ),
        });
    }
    let calls: f64 = entries.iter().map(|e| e.get(N::Calls)).sum();
    let planning_setting_off = server
        .and_then(|s| s.track_planning.as_deref())
        .is_some_and(|v| v == "off");
    let planning_zero = columns.has("plans")
        && entries
            .iter()
            .all(|e| e.get(N::Plans) == 0.0 && e.get(N::TotalPlanTime) == 0.0);
    if (planning_zero && calls > 0.0) || planning_setting_off {
        out.push(Note {
            code: "planning-off",
            message: "planning times are all zero: pg_stat_statements.track_planning is off, so planning versus execution cannot be compared; turn it on to see it (it costs a little on busy servers)".to_owned(),
        });
    }
    let nested = entries.iter().filter(|e| e.toplevel == Some(false)).count();
    if nested > 0 {
        out.push(Note {
            code: "nested",
            message: format!(
                "{nested} rows are nested statements (toplevel = false, pg_stat_statements.track = all): their time is also counted in the statement that called them; totals and shares count top-level rows only"
            ),
        });
    }
    let jit: Vec<&Statement> = statements
        .iter()
        .filter(|s| s.stats.jit_ms > 100.0 && s.stats.jit_ms > 0.1 * s.stats.total_ms)
        .collect();
    if !jit.is_empty() {
        let ms: f64 = jit.iter().map(|s| s.stats.jit_ms).sum();
        out.push(Note {
            code: "jit",
            message: format!(
                "JIT compilation took over 10% of the execution time of {} statement(s) ({} in all): consider raising jit_above_cost or turning jit off for them",
                jit.len(),
                query_guard_format::ms_scaled(ms)
            ),
        });
    }
    let since: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.stats_since.as_deref())
        .collect();
    if let (Some(min), Some(max)) = (since.iter().min(), since.iter().max())
        && min != max
    {
        out.push(Note {
                code: "stats-since",
                message: format!(
                    "rows started counting at different times (stats_since from {min} to {max}): totals of newer rows cover a shorter window"
                ),
            });
    }
    let hidden = entries
        .iter()
        .filter(|e| e.query.trim() == "<insufficient privilege>")
        .count();
    if hidden > 0 {
        out.push(Note {
            code: "insufficient-privilege",
            message: format!(
                "{hidden} statement texts are hidden (<insufficient privilege>): grant pg_read_all_stats to the role that reads pg_stat_statements"
            ),
        });
    }
    out
}
