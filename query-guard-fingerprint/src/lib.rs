//! Statement fingerprints: one stable identity for every statement shape.
//!
//! [`fingerprint`] turns SQL text into a [`Fingerprint`]: a canonical normalised text in which
//! every literal is a numbered placeholder, a 64-bit hash of that text (printed as 16 hex
//! characters by [`Fingerprint::hex`]), the [`StatementKind`], the tables the statement reads or
//! writes, the sqlcommenter tags it carries and whether sqlparser could parse it.
//! [`fingerprint_cached`] does the same through a bounded process-wide cache.
//!
//! ```
//! use query_guard_fingerprint::{fingerprint, Dialect, StatementKind};
//!
//! let fp = fingerprint(
//!     "select u.id, u.name from Users u where u.id in (1, 2, 3) and u.email = 'a@b.c' limit 10",
//!     Dialect::Postgres,
//! );
//! assert_eq!(
//!     fp.normalized,
//!     "SELECT u.id, u.name FROM users u WHERE u.id IN ($1) AND u.email = $2 LIMIT $3"
//! );
//! assert_eq!(fp.kind, StatementKind::Select);
//! assert_eq!(fp.tables, vec!["users"]);
//! assert!(fp.parsed());
//! assert_eq!(fp.hex().len(), 16);
//!
//! // The same shape written by a different driver has the same fingerprint.
//! let other = fingerprint(
//!     "SELECT u.id, u.name FROM users AS u -- from sqlx\n WHERE u.id = ANY($1) AND u.email = $2 LIMIT $3",
//!     Dialect::Generic,
//! );
//! assert_eq!(other.hash, fp.hash);
//! ```
//!
//! # How it works
//!
//! 1. A dialect-aware lexer (`lexer.rs`) splits the text into tokens; it never fails (unterminated
//!    strings, truncated text and stray bytes are all tokens) and turns every literal and bind
//!    placeholder into a parameter token, so no value from the SQL can reach the output.
//! 2. The canonicaliser (`normalize.rs`) rewrites the token stream with the rules below and renders it.
//! 3. The hash (`hash.rs`, [`fnv1a_64`]) is FNV-1a 64 of `v{RULES_VERSION}:` followed by the normalised text.
//! 4. sqlparser (`ast.rs`) is asked whether the text parses in the dialect ([`Fingerprint::parsed`],
//!    on first use only: it is most of the cost and nothing else depends on it); the kind and
//!    the tables (`tables.rs`) come from the canonical token stream, so they too are properties of the
//!    fingerprint (the unit tests check the kind against sqlparser's AST).
//!
//! Because the canonical text comes from the token rules in every case, a statement has the same
//! fingerprint whether sqlparser parses it or not: the application's `INTERVAL '1 day'` and
//! pg_stat_statements' `INTERVAL $1` (which sqlparser rejects) meet, and a sqlparser upgrade
//! cannot move fingerprints.
//!
//! # Rules
//!
//! Each rule merges statements that differ only in something that is not their shape. Rules are
//! versioned by [`RULES_VERSION`].
//!
//! **Literals and placeholders are one thing.** Strings (`'…'`, `E'…'`, `N'…'`, `X'…'`,
//! `$tag$…$tag$`, MySQL's `"…"`), numbers (a leading minus included), `TRUE`, `FALSE`, `NULL`
//! (but not the one in `IS [NOT] NULL`), the field of `EXTRACT(field FROM …)` (PostgreSQL makes
//! it a constant) and the placeholders `$1`, `?`, `?1`, `:name`, `$name` all become `$n`,
//! numbered from 1 in order of appearance.
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! let a = fingerprint("SELECT * FROM t WHERE a = 'x' AND b = -2.5", Dialect::Postgres);
//! let b = fingerprint("SELECT * FROM t WHERE a = ? AND b = ?", Dialect::MySql);
//! let c = fingerprint("SELECT * FROM t WHERE a = :a AND b = ?2", Dialect::Sqlite);
//! assert_eq!(a.normalized, "SELECT * FROM t WHERE a = $1 AND b = $2");
//! assert_eq!((a.hash, a.hash), (b.hash, c.hash));
//! assert_ne!(a.hash, fingerprint("SELECT * FROM t WHERE a IS NULL AND b = 1", Dialect::Postgres).hash);
//! ```
//!
//! **`IN` lists of any length and `= ANY(…)` are one thing**, and so are `ARRAY[…]` of any length;
//! `<> ALL(…)` is `NOT IN`. Lists holding columns or subqueries are kept as they are.
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! let a = fingerprint("SELECT * FROM t WHERE id IN (1, 2, 3)", Dialect::Postgres);
//! let b = fingerprint("SELECT * FROM t WHERE id IN ($1)", Dialect::Postgres);
//! let c = fingerprint("SELECT * FROM t WHERE id = ANY($1::bigint[])", Dialect::Postgres);
//! assert_eq!(a.normalized, "SELECT * FROM t WHERE id IN ($1)");
//! assert_eq!((a.hash, a.hash), (b.hash, c.hash));
//! assert_ne!(a.hash, fingerprint("SELECT * FROM t WHERE id IN (a, b)", Dialect::Postgres).hash);
//! ```
//!
//! **Multi-row `VALUES` collapse**: each distinct row shape is kept once, in order.
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! let a = fingerprint("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", Dialect::Postgres);
//! assert_eq!(a.normalized, "INSERT INTO t(a, b) VALUES ($1, $2)");
//! assert_eq!(a.hash, fingerprint("INSERT INTO t (a, b) VALUES ($1, $2)", Dialect::Postgres).hash);
//! ```
//!
//! **`LIMIT` and `OFFSET` values are placeholders** (they are literals like any other), and
//! `FETCH FIRST n ROWS ONLY` is `LIMIT n`, `OFFSET n ROWS` is `OFFSET n`, as in PostgreSQL.
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! let a = fingerprint("SELECT * FROM t ORDER BY id LIMIT 10 OFFSET 20", Dialect::Postgres);
//! let b = fingerprint("SELECT * FROM t ORDER BY id OFFSET 5 ROWS FETCH FIRST 3 ROWS ONLY", Dialect::Postgres);
//! assert_eq!(a.normalized, "SELECT * FROM t ORDER BY id LIMIT $1 OFFSET $2");
//! assert_ne!(a.hash, b.hash); // the clauses are in another order
//! assert_eq!(b.normalized, "SELECT * FROM t ORDER BY id OFFSET $1 LIMIT $2");
//! ```
//!
//! **Comments, whitespace, keyword case and needless identifier quotes do not matter.** Keywords
//! are printed in upper case, unquoted identifiers in lower case; a quoted identifier loses its
//! quotes when they change nothing (lower case, not a reserved word). Optional noise words are
//! dropped: `ASC`, `INNER` / `OUTER` before `JOIN`, and `AS` before an alias (`users AS u` is
//! `users u`; the `AS` of `CAST(x AS int)` stays). `!=` is printed `<>`. sqlcommenter comments are kept in
//! [`Fingerprint::tags`].
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! let a = fingerprint("select \"id\" from \"users\" /* hi */ order by id asc", Dialect::Postgres);
//! let b = fingerprint("SELECT id\n  FROM users -- note\n ORDER BY id", Dialect::Postgres);
//! let c = fingerprint("SELECT `id` FROM `users` ORDER BY id", Dialect::Generic);
//! assert_eq!(a.normalized, "SELECT id FROM users ORDER BY id");
//! assert_eq!((a.hash, a.hash), (b.hash, c.hash));
//! // Quotes that matter are kept.
//! assert_eq!(fingerprint("SELECT \"Id\" FROM users", Dialect::Postgres).normalized, "SELECT \"Id\" FROM users");
//! ```
//!
//! **Savepoint, cursor and prepared-statement names do not matter**: they print as `_`
//! (after `SAVEPOINT`, `RELEASE`, `ROLLBACK TO`, `DECLARE`, `FETCH`/`MOVE … FROM`, `CLOSE`,
//! `PREPARE`, `EXECUTE`, `DEALLOCATE`).
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect, StatementKind};
//! let a = fingerprint("SAVEPOINT sqlx_savepoint_1", Dialect::Postgres);
//! let b = fingerprint("savepoint sp2", Dialect::Postgres);
//! assert_eq!(a.normalized, "SAVEPOINT _");
//! assert_eq!(a.hash, b.hash);
//! assert_eq!(a.kind, StatementKind::Transaction);
//! // The optional SAVEPOINT of RELEASE and ROLLBACK TO is dropped.
//! assert_eq!(fingerprint("ROLLBACK TO SAVEPOINT sp2", Dialect::Postgres).normalized, "ROLLBACK TO _");
//! assert_eq!(fingerprint("FETCH 10 FROM c1", Dialect::Postgres).normalized, "FETCH $1 FROM _");
//! ```
//!
//! **What still matters**: column order, `DISTINCT`, operators, tables, functions, joins, aliases.
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! let h = |s| fingerprint(s, Dialect::Postgres).hash;
//! assert_ne!(h("SELECT a, b FROM t"), h("SELECT b, a FROM t"));
//! assert_ne!(h("SELECT a FROM t"), h("SELECT DISTINCT a FROM t"));
//! assert_ne!(h("SELECT a FROM t WHERE a < 1"), h("SELECT a FROM t WHERE a > 1"));
//! assert_ne!(h("SELECT a FROM t"), h("SELECT a FROM u"));
//! ```
//!
//! # Compared with PostgreSQL's `queryid`
//!
//! The oracle test (`tests/fingerprint_oracle.rs`) runs a few hundred statements with
//! pg_stat_statements on and checks that statements PostgreSQL gives one `queryid` always get one
//! fingerprint, and that pg_stat_statements' own text of each entry has that fingerprint too. We
//! merge more than PostgreSQL in places (`IN` lists of any length, `= ANY`, numeric constants of
//! different types, placeholders and literals). We do not merge what PostgreSQL only knows after
//! analysis: different column or table aliases (`AS x` / `AS y`), `SELECT *` against the same
//! columns spelled out, and `x IN (1)` against `x = 1` (PostgreSQL rewrites a one-element `IN`
//! into `=`; we keep every constant `IN` list as `IN ($n)`).
//!
//! **Values of utility statements are values**: the arguments of `SET` (`SET app.key = hunter2`,
//! `SET ROLE x`, `SET search_path TO a, b`), `PRAGMA`, `ALTER … SET` and password clauses become
//! placeholders even when written as bare words, as PostgreSQL 16's pg_stat_statements does.
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! assert_eq!(fingerprint("SET app.api_key = hunter2", Dialect::Postgres).normalized, "SET app.api_key = $1");
//! ```
//!
//! **Long statements are fingerprinted by a prefix**: past [`MAX_FINGERPRINT_LEN`] bytes only
//! the first 64 KiB are read, and the normalised text ends with the statement's length class
//! (`…[truncated ≥8mib]`), so a 10 MB statement costs what a 64 KiB one does.
//!
//! # Dialects
//!
//! Each dialect reads quotes, escapes and comments as its database does (the table in the lexer:
//! `"…"` is a string in MySQL, backslashes escape in MySQL strings and PostgreSQL's `E'…'`, `#`
//! starts a MySQL comment, comments nest in PostgreSQL only). Where a server setting changes that
//! (PostgreSQL's `standard_conforming_strings`, MySQL's `NO_BACKSLASH_ESCAPES`), both readings
//! are taken into account and anything either reads as a string is masked.
//!
//! [`Dialect::Generic`] is an unknown database, as for most sqlx events. The statement's syntax
//! narrows it down (`$1` placeholders and `::` casts are not MySQL, `?` placeholders and
//! backquotes are not PostgreSQL), then whatever any remaining database could read as a literal
//! is masked: a double-quoted word where a value fits (MySQL reads it as a string, and SQLite
//! does when no column has that name), and text that another reading puts inside a string (after
//! a backslash, a `#`, inside `/*! … */`). Double-quoted words where only a name fits stay names
//! (`"t"."c"`, `FROM "t"`, `INSERT INTO "t" ("a", "b")`, `AS "x"`), so the statements ORMs write
//! keep their shape.
//!
//! ```
//! # use query_guard_fingerprint::{fingerprint, Dialect};
//! let n = |s, d| fingerprint(s, d).normalized;
//! let sql = r#"SELECT "name" FROM "users" WHERE "users"."password" = "hunter2""#;
//! assert_eq!(n(sql, Dialect::Generic), r#"SELECT $1 FROM users WHERE users.password = $2"#);
//! assert_eq!(n(sql, Dialect::Postgres), r#"SELECT name FROM users WHERE users.password = hunter2"#);
//! // A `::` cast says PostgreSQL, where double quotes are names (a `$1` placeholder only
//! // rules out MySQL: SQLite takes `$1` too).
//! let sql = r#"SELECT "Name" FROM users WHERE id = $1::int"#;
//! assert_eq!(n(sql, Dialect::Generic), r#"SELECT "Name" FROM users WHERE id = $1::int"#);
//! // Backslashes: two strings for PostgreSQL; for MySQL, a string, a word, and a quote left
//! // open. Everything from the first quote on is masked.
//! assert_eq!(n(r"SELECT 'C:\' AS p, 'hunter2' AS q", Dialect::Generic), "SELECT $1");
//! ```
//!
//! The normalised text is the same for every dialect except that MySQL prints identifiers that
//! keep their quotes with backquotes, and backquoted or bracketed identifiers print with
//! backquotes (so that reading the text again gives the same text).

#![deny(missing_docs)]
#![warn(unreachable_pub)]

use std::fmt;
use std::sync::{Arc, OnceLock};

mod ast;
mod cache;
mod hash;
mod keywords;
mod lexer;
mod mask;
mod normalize;
mod position;
mod statements;
mod tables;
mod tags;
mod utility;

/// Support for query-guard's own crates (the library and `query-guard-explain`): the lexer, the
/// set of databases a captured statement may be for, and text helpers. Not part of the public
/// API: anything here may change in any release.
#[doc(hidden)]
pub mod _support {
    pub use crate::ast::operator_count;
    pub use crate::keywords::is_reserved;
    pub use crate::lexer::{Lexed, Tok, TokKind, lex};
    pub use crate::mask::Candidates;
    pub use crate::position::line_column;
    pub use crate::{cached_among, prefix, without_tag_comment};
}

/// The SQL without a trailing sqlcommenter comment (`… /*traceparent='…'*/`), whose values change
/// from one run to the next: what runs of "the same statement" are compared by.
#[doc(hidden)]
pub fn without_tag_comment(sql: &str) -> &str {
    cache::split_tag_comment(sql).0.trim()
}

#[cfg(test)]
mod tests;

pub use ast::{MAX_PARSE_LEN, MAX_PARSE_OPERATORS};
pub use cache::{DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, FingerprintCache, MAX_CACHED_SQL, SHARDS};
pub use hash::fnv1a_64;
pub use tags::STANDARD_KEYS;

use mask::Candidates;

/// Version of the normalisation rules; part of every hash. It goes up whenever a rule change
/// could give a statement a different normalised text. Version 2 masks values of utility
/// statements (`SET`, `PRAGMA`, passwords), double-quoted words that may be strings, text that
/// another database would read as a string, and fingerprints long statements by a prefix.
pub const RULES_VERSION: u32 = 2;

/// Statements longer than this (64 KiB) are fingerprinted by their first 64 KiB (cut at a
/// character boundary) and the power of two their length is in, which the normalised text ends
/// with: `INSERT INTO t(a, b) VALUES ($1, $2) …[truncated ≥8mib]`. So the time and memory a
/// statement costs are bounded whatever its size.
///
/// ```
/// # use query_guard_fingerprint::{fingerprint, Dialect, MAX_FINGERPRINT_LEN};
/// let rows = vec!["(1, 'x')"; 20_000].join(", ");
/// let sql = format!("INSERT INTO t (a, b) VALUES {rows}");
/// assert!(sql.len() > MAX_FINGERPRINT_LEN);
/// let fp = fingerprint(&sql, Dialect::Postgres);
/// assert_eq!(fp.normalized, "INSERT INTO t(a, b) VALUES ($1, $2) …[truncated ≥128kib]");
/// ```
pub const MAX_FINGERPRINT_LEN: usize = 64 * 1024;

/// The SQL dialect a statement is parsed with. The default is [`Dialect::Generic`]: the
/// database is not known.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
    /// Unknown database: accepts the syntax of all three.
    #[default]
    Generic,
}

impl Dialect {
    /// The dialect for an OpenTelemetry `db.system` value (`postgresql`, `mysql`, `mariadb`,
    /// `sqlite`); anything else is [`Dialect::Generic`].
    ///
    /// ```
    /// # use query_guard_fingerprint::Dialect;
    /// assert_eq!(Dialect::from_db_system("postgresql"), Dialect::Postgres);
    /// assert_eq!(Dialect::from_db_system("MariaDB"), Dialect::MySql);
    /// assert_eq!(Dialect::from_db_system("oracle"), Dialect::Generic);
    /// ```
    pub fn from_db_system(system: &str) -> Dialect {
        let s = system.trim();
        if ["postgresql", "postgres", "pg", "cockroachdb"]
            .iter()
            .any(|n| s.eq_ignore_ascii_case(n))
        {
            Dialect::Postgres
        } else if ["mysql", "mariadb"]
            .iter()
            .any(|n| s.eq_ignore_ascii_case(n))
        {
            Dialect::MySql
        } else if ["sqlite", "sqlite3"]
            .iter()
            .any(|n| s.eq_ignore_ascii_case(n))
        {
            Dialect::Sqlite
        } else {
            Dialect::Generic
        }
    }

    /// The lower-case name used on the command line and in JSON (`postgres`, `mysql`, `sqlite`,
    /// `generic`).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::Generic => "generic",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementKind {
    /// SELECT, VALUES, SHOW, TABLE, WITH … SELECT.
    Select,
    /// INSERT, REPLACE, COPY … FROM, WITH … INSERT.
    Insert,
    /// UPDATE, MERGE.
    Update,
    /// DELETE, TRUNCATE.
    Delete,
    /// CREATE, ALTER, DROP, COMMENT, RENAME.
    Ddl,
    /// BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK (also TO SAVEPOINT), SAVEPOINT, RELEASE.
    Transaction,
    /// Anything else (SET, EXPLAIN, PREPARE, DECLARE, FETCH, GRANT, …).
    Other,
}

impl StatementKind {
    /// The lower-case name (`select`, `insert`, …), as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            StatementKind::Select => "select",
            StatementKind::Insert => "insert",
            StatementKind::Update => "update",
            StatementKind::Delete => "delete",
            StatementKind::Ddl => "ddl",
            StatementKind::Transaction => "transaction",
            StatementKind::Other => "other",
        }
    }
}

impl fmt::Display for StatementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The identity of a statement shape; see the [module docs](self).
#[derive(Clone)]
pub struct Fingerprint {
    /// FNV-1a 64 of `v{RULES_VERSION}:{normalized}`; [`Fingerprint::hex`] prints it.
    pub hash: u64,
    /// Canonical text: literals replaced by `$1`, `$2`, … placeholders.
    pub normalized: String,
    /// Statement kind.
    pub kind: StatementKind,
    /// Tables read or written, lower-case, unquoted, schema-qualified as written, in order of
    /// first appearance.
    pub tables: Vec<String>,
    /// sqlcommenter tags (`/*key='value'*/`), URL-decoded, in order.
    pub tags: Vec<(String, String)>,
    check: ParseCheck,
    /// The dialect the text was read as: the caller's, or the one its syntax narrowed an
    /// unknown database down to ([`Dialect::Generic`] when several remain).
    pub(crate) dialect: Dialect,
    /// Masking for an unknown database changed the text (a double-quoted word or a stretch
    /// another database would read as a string became a parameter).
    pub(crate) conservative: bool,
    /// Only a prefix of the statement was read ([`MAX_FINGERPRINT_LEN`]).
    pub(crate) truncated: bool,
}

/// sqlparser's verdict on the statement, asked the first time [`Fingerprint::parsed`] is called:
/// the parse is most of the cost of fingerprinting (see BENCHMARKS.md) and nothing else depends
/// on it. Clones share the verdict.
#[derive(Clone)]
struct ParseCheck {
    /// The text to parse; `None` when the verdict is already known.
    source: Option<Arc<str>>,
    dialect: Dialect,
    operators: usize,
    verdict: Arc<OnceLock<bool>>,
}

impl Fingerprint {
    /// The hash as 16 lower-case hex characters, as printed by `query-guard fingerprint`.
    ///
    /// ```
    /// # use query_guard_fingerprint::{fingerprint, Dialect};
    /// let fp = fingerprint("SELECT 1", Dialect::Generic);
    /// assert_eq!(fp.hex(), format!("{:016x}", fp.hash));
    /// ```
    pub fn hex(&self) -> String {
        format!("{:016x}", self.hash)
    }

    /// The dialect the text was read as: the caller's, or, for a captured statement whose
    /// database was not known, the one its syntax narrowed it down to ([`Dialect::Generic`] when
    /// several remain).
    ///
    /// ```
    /// # use query_guard_fingerprint::{fingerprint, Dialect};
    /// assert_eq!(fingerprint("SELECT 1", Dialect::Sqlite).dialect(), Dialect::Sqlite);
    /// ```
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Whether masking for an unknown database changed the text: a double-quoted word or a
    /// stretch another database would read as a string became a parameter. Never true when the
    /// dialect was given.
    ///
    /// ```
    /// # use query_guard_fingerprint::{fingerprint, Dialect};
    /// assert!(!fingerprint("SELECT \"c\" FROM t", Dialect::Postgres).masked_conservatively());
    /// ```
    pub fn masked_conservatively(&self) -> bool {
        self.conservative
    }

    /// Whether only a prefix of the statement was read (it was longer than
    /// [`MAX_FINGERPRINT_LEN`]); the normalised text then ends with its length class.
    ///
    /// ```
    /// # use query_guard_fingerprint::{fingerprint, Dialect, MAX_FINGERPRINT_LEN};
    /// let long = format!("SELECT 1 /* {} */", "x".repeat(MAX_FINGERPRINT_LEN));
    /// assert!(fingerprint(&long, Dialect::Postgres).truncated());
    /// assert!(!fingerprint("SELECT 1", Dialect::Postgres).truncated());
    /// ```
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Whether sqlparser parses the statement in its dialect. Nothing else depends on it: when it
    /// is `false` the statement may be truncated, unusual or another dialect's, and its
    /// fingerprint is the same as if it had parsed. sqlparser is asked on the first call (which
    /// costs a parse, about 13 µs for a typical statement), and the answer is kept.
    ///
    /// ```
    /// # use query_guard_fingerprint::{fingerprint, Dialect};
    /// assert!(fingerprint("SELECT * FROM t WHERE id = $1", Dialect::Postgres).parsed());
    /// assert!(!fingerprint("SELECT * FROM t WHERE", Dialect::Postgres).parsed());
    /// ```
    pub fn parsed(&self) -> bool {
        let check = &self.check;
        *check.verdict.get_or_init(|| match &check.source {
            Some(sql) => ast::parse(sql, check.dialect, check.operators).is_some(),
            None => false,
        })
    }
}

/// Fingerprints are equal when their identities are: hash, text, kind, tables and tags.
impl PartialEq for Fingerprint {
    fn eq(&self, other: &Fingerprint) -> bool {
        self.hash == other.hash
            && self.normalized == other.normalized
            && self.kind == other.kind
            && self.tables == other.tables
            && self.tags == other.tags
    }
}

impl Eq for Fingerprint {}

/// Never shows the statement's original text (it can hold literal values).
impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fingerprint")
            .field("hash", &format_args!("{:016x}", self.hash))
            .field("normalized", &self.normalized)
            .field("kind", &self.kind)
            .field("tables", &self.tables)
            .field("tags", &self.tags)
            .field("parsed", &self.check.verdict.get())
            .finish()
    }
}

/// `hash`, `normalized`, `kind`, `tables`, `tags` and `parsed` (which asks sqlparser if nobody had).
impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Fingerprint", 6)?;
        st.serialize_field("hash", &self.hash)?;
        st.serialize_field("normalized", &self.normalized)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("tables", &self.tables)?;
        st.serialize_field("tags", &self.tags)?;
        st.serialize_field("parsed", &self.parsed())?;
        st.end()
    }
}

/// `{hex}  {normalized}`.
impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}  {}", self.hash, self.normalized)
    }
}

/// Fingerprint one statement (or a `;`-separated batch, fingerprinted as a whole). Never fails and
/// never panics; linear in the length of `sql` up to [`MAX_FINGERPRINT_LEN`], constant past it.
/// sqlparser is only asked when [`Fingerprint::parsed`] is.
///
/// With [`Dialect::Generic`] the database is unknown: the statement's syntax narrows it down
/// (`$1` placeholders are not MySQL, `?` placeholders are not PostgreSQL, …) and whatever any
/// remaining database could read as a literal is masked (see the [module docs](self#dialects)).
pub fn fingerprint(sql: &str, dialect: Dialect) -> Fingerprint {
    fingerprint_among(sql, Candidates::of(dialect), sql.len()).0
}

/// The longest prefix of `sql` of at most `max` bytes that ends on a character boundary.
#[doc(hidden)]
pub fn prefix(sql: &str, max: usize) -> &str {
    if sql.len() <= max {
        return sql;
    }
    let mut end = max;
    while end > 0 && !sql.is_char_boundary(end) {
        end -= 1;
    }
    &sql[..end]
}

/// The label of the length class of a statement of `len` bytes: the power of two it is at least.
fn length_class(len: usize) -> &'static str {
    const LABELS: [&str; 48] = [
        "≥64kib",
        "≥128kib",
        "≥256kib",
        "≥512kib",
        "≥1mib",
        "≥2mib",
        "≥4mib",
        "≥8mib",
        "≥16mib",
        "≥32mib",
        "≥64mib",
        "≥128mib",
        "≥256mib",
        "≥512mib",
        "≥1gib",
        "≥2gib",
        "≥4gib",
        "≥8gib",
        "≥16gib",
        "≥32gib",
        "≥64gib",
        "≥128gib",
        "≥256gib",
        "≥512gib",
        "≥1tib",
        "≥2tib",
        "≥4tib",
        "≥8tib",
        "≥16tib",
        "≥32tib",
        "≥64tib",
        "≥128tib",
        "≥256tib",
        "≥512tib",
        "≥1pib",
        "≥2pib",
        "≥4pib",
        "≥8pib",
        "≥16pib",
        "≥32pib",
        "≥64pib",
        "≥128pib",
        "≥256pib",
        "≥512pib",
        "≥1eib",
        "≥2eib",
        "≥4eib",
        "≥8eib",
    ];
    let log = (usize::BITS - 1 - len.max(1).leading_zeros()) as usize;
    LABELS[log.clamp(16, 63) - 16]
}

/// Fingerprint `sql` as a statement for one of `among`'s databases. `len` is the length of the
/// statement `sql` is (a prefix of, when the caller kept only a prefix): past
/// [`MAX_FINGERPRINT_LEN`] only a prefix is read and the length class is appended.
pub(crate) fn fingerprint_among(sql: &str, among: Candidates, len: usize) -> (Fingerprint, bool) {
    let len = len.max(sql.len());
    let truncated = len > MAX_FINGERPRINT_LEN;
    let text = prefix(sql, MAX_FINGERPRINT_LEN);
    let masked = mask::lex_masked(text, among);
    // Rendered as the caller's dialect (so the text reads the same again); reported, and
    // parsed, as the one its syntax narrowed it down to.
    let render_as = among.dialect();
    let dialect = masked.among.dialect();
    let lexed = masked.lexed;
    let operators = ast::operator_count(&lexed.toks);
    let tags = tags::parse(&lexed.block_comments);
    let mut toks = normalize::canonicalize(lexed.toks);
    // From the canonical tokens, like the tables: so the kind is a property of the fingerprint
    // (the unit tests check it against sqlparser's AST on the benchmark corpus).
    let kind = tables::kind(&toks);
    let tables = tables::tables(&toks);
    if truncated {
        toks.extend_from_slice(&[
            lexer::Tok::word("…"),
            lexer::Tok::punct("["),
            lexer::Tok::word("truncated"),
            lexer::Tok::word(length_class(len)),
            lexer::Tok::punct("]"),
        ]);
    }
    let mut normalized = String::with_capacity(text.len().min(1 << 16));
    normalize::render(&toks, render_as, &mut normalized);
    let hash = hash::fingerprint_hash(&normalized);
    let check = ParseCheck {
        // A cut statement does not parse: no need to ask.
        source: (!truncated).then(|| Arc::from(text)),
        dialect,
        operators,
        verdict: Arc::new(OnceLock::new()),
    };
    (
        Fingerprint {
            hash,
            normalized,
            kind,
            tables,
            tags,
            check,
            dialect,
            conservative: masked.conservative,
            truncated,
        },
        lexed.clean_end && !truncated,
    )
}

/// Every sqlcommenter tag of `sql` with its value as written, including the keys whose values
/// [`Fingerprint::tags`] masks (see [`STANDARD_KEYS`]): for callers that opt in to values.
///
/// ```
/// # use query_guard_fingerprint::{fingerprint, tags_of, Dialect};
/// let sql = "SELECT 1 /*route='%2Fa',tenant='acme'*/";
/// assert_eq!(fingerprint(sql, Dialect::Postgres).tags[1].1, "?");
/// assert_eq!(tags_of(sql, Dialect::Postgres)[1], ("tenant".to_owned(), "acme".to_owned()));
/// ```
pub fn tags_of(sql: &str, dialect: Dialect) -> Vec<(String, String)> {
    let lexed = lexer::lex(prefix(sql, MAX_FINGERPRINT_LEN), dialect);
    tags::parse_raw(&lexed.block_comments)
}

/// Whether `sql` has bind placeholders (`$1`, `?`, `?1`, `:name`, `$name`), whose values are not
/// in the text: two runs of it with the same text may have had different values. Text with only
/// inline literals (or no values at all) shows everything that ran.
///
/// ```
/// # use query_guard_fingerprint::{has_bind_placeholders, Dialect};
/// assert!(has_bind_placeholders("SELECT * FROM t WHERE id = $1", Dialect::Postgres));
/// assert!(has_bind_placeholders("SELECT * FROM t WHERE id = ?", Dialect::MySql));
/// assert!(!has_bind_placeholders("SELECT * FROM t WHERE id = 7 AND s = '$1'", Dialect::Postgres));
/// assert!(!has_bind_placeholders("SELECT $$?$$", Dialect::Postgres));
/// ```
pub fn has_bind_placeholders(sql: &str, dialect: Dialect) -> bool {
    lexer::lex(sql, dialect).toks.iter().any(|t| {
        t.kind == lexer::TokKind::Param && {
            let b = t.text.as_bytes();
            match b.first() {
                Some(b'?' | b':') => true,
                // `$1` or SQLite's `$name`, not a `$tag$…$tag$` string.
                Some(b'$') => b.len() > 1 && !b[1..].contains(&b'$'),
                _ => false,
            }
        }
    })
}

/// The process-wide cache behind [`fingerprint_cached`] ([`DEFAULT_MAX_ENTRIES`] entries,
/// [`DEFAULT_MAX_BYTES`] bytes).
pub fn global_cache() -> &'static FingerprintCache {
    static CACHE: OnceLock<FingerprintCache> = OnceLock::new();
    CACHE.get_or_init(|| FingerprintCache::new(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES))
}

/// Fingerprint through the process-wide bounded cache: a repeated statement is looked up, not
/// lexed and parsed again. Thread-safe; never panics.
///
/// ```
/// # use query_guard_fingerprint::{fingerprint, fingerprint_cached, Dialect};
/// let sql = "SELECT * FROM orders WHERE user_id = $1";
/// let a = fingerprint_cached(sql, Dialect::Postgres);
/// let b = fingerprint_cached(sql, Dialect::Postgres);
/// assert!(std::sync::Arc::ptr_eq(&a, &b));
/// assert_eq!(*a, fingerprint(sql, Dialect::Postgres));
/// ```
pub fn fingerprint_cached(sql: &str, dialect: Dialect) -> Arc<Fingerprint> {
    global_cache().get(sql, dialect)
}

/// [`fingerprint_cached`] for a captured statement: `sql` may be for any of `among`'s
/// databases, and `len` is the length of the whole statement `sql` is a prefix of.
#[doc(hidden)]
pub fn cached_among(sql: &str, among: Candidates, len: usize) -> Arc<Fingerprint> {
    global_cache().get_among(sql, among, len)
}
