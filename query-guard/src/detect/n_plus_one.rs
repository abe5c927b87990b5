//! # N+1
//!
//! **What it finds**: in one scope, the same statement shape (the same fingerprint: the same SQL
//! once values are normalised) run from the same call site at least the threshold number of times
//! (3 by default, [`crate::Budget::n_plus_one_threshold`]), the runs differing only in their
//! values. The call site is the statement's span path ([`crate::CallPath`]) and, when backtrace
//! capture is on, the first frame of its stack in the application. Interleaved statements do not
//! hide a repetition; transaction control, driver internals and ignored statements never count.
//!
//! When several such shapes repeat in lockstep (the same 2 to 5 fingerprints, each run the same
//! number of times, their runs alternating: each row loads its author, then its tags), they are
//! one finding, a **repeated sequence**, not one finding per shape.
//!
//! Not N+1s:
//! - the same statement with the same values, where the values are visible (inline literals):
//!   that is a [duplicate](super::duplicates). A group whose visible values take fewer distinct
//!   values than the threshold is left to that detector.
//! - pagination: a read with `LIMIT` and `OFFSET` or a range condition (`id > $1`, keyset
//!   pagination) whose runs return full pages (the same row count, at least 2, for every run but
//!   the last) is a batch loop, not an N+1. Unless it also filters on a column equal to a value
//!   (`post_id = $1`) and its last run returned a full page too: a paging loop stops at a short
//!   page, so that is the top rows of one parent after another (`… WHERE post_id = $1 AND id > $2
//!   ORDER BY id DESC LIMIT 3` for each post), an N+1.
//! - chunks of a batched statement: runs that each handle several values or rows at once (an
//!   `IN` list of at least two values, an array `= ANY($1)`, a multi-row `VALUES`), as a loader
//!   with a maximum batch size or a bulk import in chunks issues them: the batching is done
//!   already. Unless the statement also filters on a column equal to a value: `WHERE post_id = $1
//!   AND status IN ('a', 'b')` once per post is an N+1 with a constant list.
//! - the same statement from different call sites: each site is judged on its own runs.
//!
//! **Why it matters**: it is the classic ORM bug: one query for a list, then one more per row
//! (`SELECT … FROM authors WHERE id = $1` for each post). Its cost grows with the data, so it
//! passes review and tests on small data and fails in production.
//!
//! **How to fix it**: load all the rows at once, `WHERE id = ANY($1)` (PostgreSQL) or
//! `WHERE id IN (…)`, and match them up in memory; or JOIN; or, for writes, one multi-row
//! `INSERT` / `UPDATE … FROM (VALUES …)`. Each finding carries a concrete suggestion.
//!
//! ```
//! use query_guard::{capture, record, StatementRecord};
//! let ((), report) = capture("list_posts", || {
//!     for id in 1..=4 {
//!         record(StatementRecord::new(format!("SELECT name FROM authors WHERE id = {id}")));
//!         record(StatementRecord::new(format!("SELECT * FROM tags WHERE post_id = {id}")));
//!     }
//! });
//! let found = &report.n_plus_one()[0];
//! assert_eq!(report.n_plus_one().len(), 1, "one finding for the repeated sequence");
//! assert_eq!(found.count, 4);
//! assert_eq!(found.steps.len(), 2);
//! assert_eq!(found.tables, ["authors", "tags"]);
//! assert!(found.suggestion.contains("JOIN"), "{}", found.suggestion);
//! ```

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::allow::Allowed;
use crate::callsite::CallSite;
use crate::classify::Class;
use crate::fingerprint::_support::{TokKind, lex};
use crate::fingerprint::{Dialect, has_bind_placeholders};
use crate::reported::StatementReport;
use crate::statement::{CallPath, saturating_sum};

/// A single repeated shape, or a sequence of shapes repeated together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NPlusOneKind {
    /// One shape from one call site, run again and again.
    Repeated,
    /// Several shapes run again and again in lockstep.
    Sequence,
}

/// One shape of a repeated sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Fingerprint (16 hex characters).
    pub fingerprint: String,
    /// Normalised SQL.
    pub normalized: String,
    /// Tables it touches.
    #[serde(default)]
    pub tables: Vec<String>,
    /// The span path it runs from.
    #[serde(default)]
    pub call_path: CallPath,
    /// The line of application code it runs from, when backtrace capture is on.
    #[serde(default)]
    pub call_site: Option<CallSite>,
}

/// One N+1 finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NPlusOne {
    /// A repeated shape or a repeated sequence.
    pub kind: NPlusOneKind,
    /// The (first) shape's fingerprint (16 hex characters).
    pub fingerprint: String,
    /// Its normalised SQL, without literal values.
    pub normalized: String,
    /// How many times it ran (for a sequence: how many times the sequence ran).
    pub count: usize,
    /// How many different values it ran with, when the values are in the SQL text (inline
    /// literals); `None` when they are bind parameters.
    #[serde(default)]
    pub distinct_values: Option<usize>,
    /// Total time of all its statements.
    #[serde(default, rename = "total_ms", with = "crate::millis::ms")]
    pub total: Duration,
    /// The span path it ran from.
    #[serde(default)]
    pub call_path: CallPath,
    /// The line of application code it ran from, when backtrace capture is on and found one.
    #[serde(default)]
    pub call_site: Option<CallSite>,
    /// The tables it touches (all steps).
    #[serde(default)]
    pub tables: Vec<String>,
    /// For a sequence, its shapes in the order they run; empty for a single shape.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// 1-based numbers of its statements in the report's list.
    #[serde(default)]
    pub statements: Vec<usize>,
    /// What to do about it.
    #[serde(default)]
    pub suggestion: String,
    /// The allowance that accepts it, if one does: it is reported but does not fail the scope.
    #[serde(default)]
    pub allowed: Option<Allowed>,
}

/// What makes two statements the "same call site".
#[derive(PartialEq, Eq, Hash)]
struct SiteKey<'a> {
    fingerprint: &'a str,
    path: &'a CallPath,
    site: Option<&'a CallSite>,
}

/// Finds the N+1s among `statements` (stored, in order); `raw[i]` is the SQL of `statements[i]`
/// as it ran.
pub(crate) fn detect(
    statements: &[StatementReport],
    raw: &[&str],
    threshold: usize,
) -> Vec<NPlusOne> {
    let threshold = threshold.max(2);
    let mut groups: HashMap<SiteKey<'_>, Vec<usize>> = HashMap::new();
    for (i, s) in statements.iter().enumerate() {
        if matches!(s.class, Class::Read | Class::Write) {
            let key = SiteKey {
                fingerprint: &s.fingerprint,
                path: &s.call_path,
                site: s.call_site.as_deref(),
            };
            groups.entry(key).or_default().push(i);
        }
    }
    let mut single: Vec<NPlusOne> = groups
        .into_values()
        .filter(|g| g.len() >= threshold)
        .filter_map(|g| repeated(statements, raw, &g, threshold))
        .collect();
    single.sort_by_key(|f| f.statements[0]);
    let mut found = sequences(single, threshold);
    found.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.statements[0].cmp(&b.statements[0]))
    });
    found
}

/// The finding for one group of runs of a shape from one call site, unless it is duplicates or
/// pagination.
fn repeated(
    statements: &[StatementReport],
    raw: &[&str],
    group: &[usize],
    threshold: usize,
) -> Option<NPlusOne> {
    let first = &statements[group[0]];
    let dialect = first.dialect;
    // Each distinct text is read once: with bind parameters (sqlx's usual case) every run of
    // the group has the same text.
    let mut texts: Vec<&str> = group.iter().map(|&i| raw[i].trim()).collect();
    texts.sort_unstable();
    texts.dedup();
    let visible = texts.iter().all(|t| !has_bind_placeholders(t, dialect));
    let distinct_values = visible.then_some(texts.len());
    if distinct_values.is_some_and(|d| d < threshold) {
        return None;
    }
    if is_pagination(statements, group) {
        return None;
    }
    if is_chunked_batch(first, &texts, dialect) {
        return None;
    }
    Some(NPlusOne {
        kind: NPlusOneKind::Repeated,
        fingerprint: first.fingerprint.to_string(),
        normalized: first.normalized.to_string(),
        count: group.len(),
        distinct_values,
        total: saturating_sum(group.iter().filter_map(|&i| statements[i].elapsed)),
        call_path: first.call_path.clone(),
        call_site: first.call_site.as_deref().cloned(),
        tables: first.tables.to_vec(),
        steps: Vec::new(),
        statements: group.iter().map(|&i| statements[i].index).collect(),
        suggestion: suggestion(first, dialect),
        allowed: None,
    })
}

/// A read that pages through a table: `LIMIT` with `OFFSET` or a range condition, every run but
/// the last returning the same number of rows, at least 2 (a full page).
///
/// Row counts alone cannot tell paging from "the top rows of each parent" (`WHERE post_id = $1
/// AND id > $2 … LIMIT 2` once per post returns full pages too), so a read that filters on a
/// column equal to a value must also end on a short page, as a paging loop does: it stops when
/// the rows run out. A loop over parents ends on a full page whenever the last parent has enough
/// rows. (A loop that pages a whole table a known number of times may end on a full page: it has
/// no such equality, and stays pagination.)
fn is_pagination(statements: &[StatementReport], group: &[usize]) -> bool {
    let first = &statements[group[0]];
    if first.class != Class::Read {
        return false;
    }
    let sql = &*first.normalized;
    if !pages_shape(sql) {
        return false;
    }
    let (&last, init) = group.split_last().unwrap_or((&0, &[]));
    let page = statements[group[0]].rows_returned;
    let full_pages =
        page.is_some_and(|p| p >= 2) && init.iter().all(|&i| statements[i].rows_returned == page);
    full_pages && !(statements[last].rows_returned == page && filters_on_equality(sql))
}

/// A read that could page: `LIMIT` with `OFFSET` or a range condition.
fn pages_shape(normalized: &str) -> bool {
    normalized.contains(" LIMIT ")
        && [" OFFSET ", " > ", " < ", " >= ", " <= "]
            .iter()
            .any(|op| normalized.contains(op))
}

/// Whether normalised SQL's `WHERE` clause compares a column with a value (`post_id = $1`).
fn filters_on_equality(normalized: &str) -> bool {
    normalized
        .find(" WHERE ")
        .is_some_and(|at| normalized[at..].contains(" = $"))
}

/// Chunks of one batched statement: some of its runs handle several values or rows at once (the
/// last chunk may hold one), and it does not look a parent up by an equality (see
/// [`filters_on_equality`]), which would make the list a constant filter of a per-row query.
/// Its fix would be what it does already.
fn is_chunked_batch(first: &StatementReport, texts: &[&str], dialect: Dialect) -> bool {
    !filters_on_equality(&first.normalized) && texts.iter().any(|t| handles_many(t, dialect))
}

/// Whether SQL, as it ran, handles several values or rows at once: an `IN` list of at least two
/// values (not a subquery), an array (`= ANY(…)`, `= SOME(…)`: its length does not show, so any
/// array counts), or a `VALUES` list of at least two rows. Normalisation collapses all of these
/// to one element, so they are read from the SQL as it ran.
pub(crate) fn handles_many(sql: &str, dialect: Dialect) -> bool {
    let toks = lex(sql, dialect).toks;
    let open = |k: usize| toks.get(k).is_some_and(|t| t.is_punct("("));
    for (i, t) in toks.iter().enumerate() {
        if t.kind == TokKind::Op
            && t.text == "="
            && toks
                .get(i + 1)
                .is_some_and(|w| w.is_word("any") || w.is_word("some"))
            && open(i + 2)
        {
            return true;
        }
        if !(t.is_word("in") || t.is_word("values")) || !open(i + 1) {
            continue;
        }
        // The parenthesised group after it: its top-level commas, and where it closes.
        let (mut depth, mut commas, mut close) = (0_usize, 0_usize, None);
        for (k, tok) in toks.iter().enumerate().skip(i + 1) {
            if tok.is_punct("(") {
                depth += 1;
            } else if tok.is_punct(")") {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            } else if depth == 1 && tok.is_punct(",") {
                commas += 1;
            }
        }
        let many = if t.is_word("in") {
            let subquery = toks
                .get(i + 2)
                .is_some_and(|x| x.is_word("select") || x.is_word("with"));
            !subquery && commas > 0
        } else {
            // VALUES (…), (…)
            close.is_some_and(|c| toks.get(c + 1).is_some_and(|x| x.is_punct(",")) && open(c + 2))
        };
        if many {
            return true;
        }
    }
    false
}

/// `id` in `… WHERE id = $1 …`: the column a batch load would filter on.
fn key_column(normalized: &str) -> Option<&str> {
    let after = &normalized[normalized.find(" WHERE ")? + 7..];
    let mut words = after.split(' ');
    let column = words.next()?;
    let is_ident = !column.is_empty()
        && column
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '`'));
    (is_ident && words.next() == Some("=") && words.next()?.starts_with('$')).then_some(column)
}

fn table_list(tables: &[String]) -> String {
    match tables {
        [] => "the rows".to_owned(),
        [one] => one.clone(),
        more => more.join(", "),
    }
}

fn suggestion(stmt: &StatementReport, dialect: Dialect) -> String {
    let table = table_list(&stmt.tables[..stmt.tables.len().min(1)]);
    let column = key_column(&stmt.normalized).unwrap_or("…");
    let batch = match dialect {
        Dialect::Postgres => format!("`WHERE {column} = ANY($1)`"),
        Dialect::Generic => {
            format!("`WHERE {column} = ANY($1)` (PostgreSQL) or `WHERE {column} IN (…)`")
        }
        _ => format!("`WHERE {column} IN (…)`"),
    };
    match stmt.kind {
        crate::fingerprint::StatementKind::Insert => format!(
            "insert the rows into {table} with one statement: a multi-row INSERT … VALUES (…), (…) \
             (sqlx: QueryBuilder::push_values){}",
            if dialect == Dialect::Postgres {
                ", or INSERT … SELECT * FROM UNNEST($1, $2, …)"
            } else {
                ""
            }
        ),
        crate::fingerprint::StatementKind::Update | crate::fingerprint::StatementKind::Delete => {
            format!(
                "change the rows of {table} with one statement: {batch} when they get the same \
                 change, or join a VALUES list (or UNNEST of arrays) of the per-row values"
            )
        }
        _ => format!(
            "load {table} once for all the rows with {batch} and every value, then match them up \
             in memory; or JOIN {table} into the query that produced the rows (with an ORM, \
             eager-load / preload the relation)"
        ),
    }
}

/// Adds the runs past the scope's storage cap (aggregated by shape, see `scope.rs`) to the
/// findings, or makes findings of shapes that reach the threshold with them, by the same rules
/// as far as the aggregate tells: the same call path, values visible and mostly the same
/// (duplicates), chunks of a batch, and a read that could page (its row counts are not kept, so
/// it is not judged) are not N+1s.
pub(crate) fn merge_unstored(
    found: &mut Vec<NPlusOne>,
    statements: &[StatementReport],
    raw: &[&str],
    unstored: &[crate::reported::UnstoredReport],
    threshold: usize,
) {
    let threshold = threshold.max(2);
    for u in unstored
        .iter()
        .filter(|u| matches!(u.class, Class::Read | Class::Write))
    {
        let has = |f: &NPlusOne| {
            f.fingerprint == u.fingerprint || f.steps.iter().any(|s| s.fingerprint == u.fingerprint)
        };
        if let Some(f) = found
            .iter_mut()
            .find(|f| f.call_path == u.call_path && has(f))
        {
            f.total = f.total.saturating_add(u.total);
            // A sequence's count is its repetitions: one run of its first step each.
            if f.kind == NPlusOneKind::Repeated || f.steps[0].fingerprint == u.fingerprint {
                f.count += u.count;
            }
            continue;
        }
        let stored: Vec<usize> = (0..statements.len())
            .filter(|&i| {
                *statements[i].fingerprint == *u.fingerprint
                    && statements[i].call_path == u.call_path
            })
            .collect();
        if stored.len() + u.count < threshold {
            continue;
        }
        let dialect = stored
            .first()
            .map_or(u.fingerprint_dialect, |&i| statements[i].dialect);
        let mut texts = u.texts.clone();
        let mut binds = u.binds;
        let mut batched = u.batched;
        for &i in &stored {
            let h = crate::fingerprint::fnv1a_64(raw[i].as_bytes());
            if !texts.contains(&h) {
                texts.push(h);
                binds |= has_bind_placeholders(raw[i], dialect);
                batched |= handles_many(raw[i], dialect);
            }
        }
        if (!binds && texts.len() < threshold)
            || (batched && !filters_on_equality(&u.normalized))
            || (u.class == Class::Read && pages_shape(&u.normalized))
        {
            continue;
        }
        found.push(NPlusOne {
            kind: NPlusOneKind::Repeated,
            fingerprint: u.fingerprint.clone(),
            normalized: u.normalized.clone(),
            count: stored.len() + u.count,
            distinct_values: (!binds).then_some(texts.len()),
            total: u.total.saturating_add(saturating_sum(
                stored.iter().filter_map(|&i| statements[i].elapsed),
            )),
            call_path: u.call_path.clone(),
            call_site: None,
            tables: u.tables.clone(),
            steps: Vec::new(),
            statements: stored.iter().map(|&i| statements[i].index).collect(),
            suggestion: match stored.first() {
                Some(&i) => suggestion(&statements[i], dialect),
                None => format!(
                    "load {} once for all the rows (WHERE … = ANY($1) / IN (…)) or JOIN it into \
                     the query that produced the rows, then match them up in memory",
                    table_list(&u.tables[..u.tables.len().min(1)])
                ),
            },
            allowed: None,
        });
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.count));
}

/// The most shapes one repeated sequence holds (more in lockstep make several sequences).
const MAX_SEQUENCE: usize = 5;

/// Merges the findings that repeat in lockstep into sequences of 2 to [`MAX_SEQUENCE`] shapes.
fn sequences(single: Vec<NPlusOne>, threshold: usize) -> Vec<NPlusOne> {
    let n = single.len();
    let mut assigned = vec![false; n];
    let mut in_sequence = vec![false; n];
    let mut out = Vec::new();
    for i in 0..n {
        if assigned[i] || single[i].count < threshold {
            continue;
        }
        assigned[i] = true;
        let mut cluster = vec![i];
        for j in i + 1..n {
            if cluster.len() == MAX_SEQUENCE {
                break;
            }
            if assigned[j] || single[j].count != single[i].count {
                continue;
            }
            cluster.push(j);
            if lockstep(&single, &cluster) {
                assigned[j] = true;
            } else {
                cluster.pop();
            }
        }
        if cluster.len() > 1 {
            for &c in &cluster {
                in_sequence[c] = true;
            }
            out.push(merge(&single, &cluster));
        }
    }
    out.extend(
        single
            .into_iter()
            .zip(in_sequence)
            .filter_map(|(f, merged)| (!merged).then_some(f)),
    );
    out
}

/// Whether the runs of the findings alternate: every finding's k-th run comes before any
/// finding's (k+1)-th run.
fn lockstep(single: &[NPlusOne], cluster: &[usize]) -> bool {
    let count = single[cluster[0]].count;
    (0..count - 1).all(|k| {
        let latest = cluster.iter().map(|&c| single[c].statements[k]).max();
        let next = cluster.iter().map(|&c| single[c].statements[k + 1]).min();
        latest < next
    })
}

fn merge(single: &[NPlusOne], cluster: &[usize]) -> NPlusOne {
    let first = &single[cluster[0]];
    let mut tables: Vec<String> = Vec::new();
    for &c in cluster {
        for t in &single[c].tables {
            if !tables.contains(t) {
                tables.push(t.clone());
            }
        }
    }
    let mut statements: Vec<usize> = cluster
        .iter()
        .flat_map(|&c| single[c].statements.iter().copied())
        .collect();
    statements.sort_unstable();
    let steps: Vec<Step> = cluster
        .iter()
        .map(|&c| Step {
            fingerprint: single[c].fingerprint.clone(),
            normalized: single[c].normalized.clone(),
            tables: single[c].tables.clone(),
            call_path: single[c].call_path.clone(),
            call_site: single[c].call_site.clone(),
        })
        .collect();
    NPlusOne {
        kind: NPlusOneKind::Sequence,
        fingerprint: first.fingerprint.clone(),
        normalized: first.normalized.clone(),
        count: first.count,
        distinct_values: None,
        total: saturating_sum(cluster.iter().map(|&c| single[c].total)),
        call_path: first.call_path.clone(),
        call_site: first.call_site.clone(),
        suggestion: format!(
            "each repetition runs the same {} statements ({}): load each of them once for all \
             the rows (WHERE … = ANY($1) / IN (…)) or JOIN them into the query that produced the \
             rows, then match them up in memory (with an ORM, eager-load the relations)",
            steps.len(),
            table_list(&tables)
        ),
        tables,
        steps,
        statements,
        allowed: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_columns() {
        assert_eq!(key_column("SELECT * FROM a WHERE id = $1"), Some("id"));
        assert_eq!(
            key_column("SELECT * FROM a WHERE a.post_id = $1 AND x = $2"),
            Some("a.post_id")
        );
        assert_eq!(key_column("SELECT * FROM a WHERE lower(x) = $1"), None);
        assert_eq!(key_column("SELECT * FROM a"), None);
    }

    /// Finds the N+1s among reads of `sql` that returned `rows` rows each.
    fn paged(sql: &str, rows: &[u64]) -> Vec<NPlusOne> {
        let ((), report) = crate::capture("pages", || {
            for &n in rows {
                crate::record(crate::StatementRecord::new(sql).rows_returned(n));
            }
        });
        report.n_plus_one().to_vec()
    }

    #[test]
    fn paging_loops_are_not_n_plus_ones() {
        let keyset = "SELECT * FROM posts WHERE id > $1 ORDER BY id LIMIT 2";
        let offset = "SELECT * FROM posts ORDER BY id LIMIT 2 OFFSET $1";
        let in_parent = "SELECT * FROM comments WHERE post_id = $1 AND id > $2 ORDER BY id LIMIT 2";
        for sql in [keyset, offset, in_parent] {
            assert!(paged(sql, &[2, 2, 2, 0]).is_empty(), "{sql}");
            assert!(paged(sql, &[2, 2, 1]).is_empty(), "{sql}");
        }
        // Paging a whole table a known number of times can end on a full page.
        assert!(paged(keyset, &[2, 2, 2]).is_empty());
        assert!(paged(offset, &[2, 2, 2]).is_empty());
        // Not full pages: one row, or different counts.
        assert_eq!(paged(keyset, &[1, 1, 1]).len(), 1);
        assert_eq!(paged(keyset, &[2, 1, 2]).len(), 1);
    }

    #[test]
    fn the_top_rows_of_each_parent_are_an_n_plus_one() {
        // Each post's 2 newest comments since a date: full pages, and the last one full too.
        let sql = "SELECT * FROM comments WHERE post_id = $1 AND id > $2 ORDER BY id DESC LIMIT 2";
        let found = paged(sql, &[2, 2, 2]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].count, 3);
        assert!(filters_on_equality(sql));
        assert!(!filters_on_equality(
            "SELECT * FROM a JOIN b ON b.a_id = a.id WHERE a.id > $1"
        ));
        assert!(!filters_on_equality(
            "SELECT * FROM a WHERE id > $1 LIMIT $2"
        ));
    }

    /// Finds the N+1s among these statements, run in order on `db`.
    fn found(db: &str, sqls: &[&str]) -> Vec<NPlusOne> {
        let ((), report) = crate::capture("chunks", || {
            for sql in sqls {
                crate::record(crate::StatementRecord::new(*sql).db_system(db));
            }
        });
        report.n_plus_one().to_vec()
    }

    #[test]
    fn chunks_of_a_batched_statement_are_not_n_plus_ones() {
        // A loader with a maximum batch size: IN lists, the last chunk shorter.
        let chunk = "SELECT id, name FROM products WHERE id IN (?, ?) ORDER BY id";
        let last = "SELECT id, name FROM products WHERE id IN (?) ORDER BY id";
        assert!(found("sqlite", &[chunk, chunk, last]).is_empty());
        // The same with an array: its length does not show.
        let any = "SELECT id, name FROM products WHERE id = ANY($1)";
        assert!(found("postgresql", &[any, any, any]).is_empty());
        // A bulk import in chunks of multi-row INSERTs.
        let rows = "INSERT INTO tags (id, name) VALUES ($1, $2), ($3, $4)";
        let row = "INSERT INTO tags (id, name) VALUES ($1, $2)";
        assert!(found("postgresql", &[rows, rows, row]).is_empty());
        // Literal lists too.
        let lists = [
            "DELETE FROM sessions WHERE id IN (1, 2, 3)",
            "DELETE FROM sessions WHERE id IN (4, 5, 6)",
            "DELETE FROM sessions WHERE id IN (7)",
        ];
        assert!(found("postgresql", &lists).is_empty());
    }

    #[test]
    fn one_element_lists_and_constant_lists_are_still_n_plus_ones() {
        // A per-row call of a load_many(&[id]) helper: one-element lists only.
        let one = "SELECT id, name FROM products WHERE id IN (?)";
        assert_eq!(found("sqlite", &[one, one, one]).len(), 1);
        // A per-post query with a constant list: the equality is what varies.
        let per_post =
            "SELECT * FROM comments WHERE post_id = $1 AND status IN ('visible', 'pinned')";
        assert_eq!(
            found("postgresql", &[per_post, per_post, per_post]).len(),
            1
        );
        // Single-row INSERTs, and a subquery is not a list.
        let insert = "INSERT INTO tags (id, name) VALUES ($1, $2)";
        assert_eq!(found("postgresql", &[insert, insert, insert]).len(), 1);
        assert!(!handles_many(
            "SELECT * FROM posts WHERE author_id IN (SELECT id, x FROM authors)",
            Dialect::Postgres
        ));
        assert!(handles_many(
            "SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))",
            Dialect::Postgres
        ));
        assert!(!handles_many(
            "SELECT * FROM t WHERE (a, b) IN ((1, 2))",
            Dialect::Postgres
        ));
    }
}
